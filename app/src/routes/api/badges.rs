//! The badge catalogue.

use actix_web::{HttpResponse, web};

use crate::auth::MaybeMember;
use crate::error::AppResult;
use crate::services::badges;
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/badges", tag = "reputation",
    responses((status = 200, description = "Every badge and who holds it", body = badges::BadgeList)))]
pub async fn list(state: web::Data<AppState>, _viewer: MaybeMember) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(badges::catalogue(&state.db).await?))
}
