//! The poll ballot form.

use actix_web::{HttpResponse, web};

use super::render::redirect;
use crate::auth::CurrentMember;
use crate::error::{AppError, AppResult};
use crate::services::items;
use crate::state::AppState;
use crate::views::discussion_path;

/// A ballot from the poll's form: `option` once per chosen option.
pub async fn vote(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    form: crate::auth::CsrfPairs,
) -> AppResult<HttpResponse> {
    let mut choices = Vec::new();
    for raw in form.all("option") {
        let choice = raw
            .trim()
            .parse::<i64>()
            .map_err(|_| AppError::validation("options", "must be option ids"))?;
        choices.push(choice);
    }
    crate::services::polls::vote(&state.db, *id, &me.actor, &choices).await?;
    let discussion = items::discussion(&state.db, *id).await?;
    Ok(redirect(&format!(
        "{}#poll",
        discussion_path(discussion.id, &discussion.title)
    )))
}
