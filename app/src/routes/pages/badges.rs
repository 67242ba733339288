//! The badges page.

use actix_web::{HttpRequest, HttpResponse, web};

use super::render::{base_context, render};
use crate::auth::MaybeMember;
use crate::error::AppResult;
use crate::state::AppState;

pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let list = crate::services::badges::catalogue(&state.db).await?;
    let mut ctx = base_context(&state, &req, &viewer, "Badges").await?;
    ctx.insert("badges", &list.badges);
    render(&state, "reputation/badges.html", &ctx)
}
