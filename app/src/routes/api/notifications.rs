//! In-app notifications.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::auth::CurrentMember;
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;
use crate::services::notifications::{self, NotificationList};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct MarkReadRequest {
    /// At most 1,000 ids.
    #[schema(max_items = 1000)]
    pub ids: Option<Vec<i32>>,
    pub all: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications",
    responses((status = 200, body = NotificationList), (status = 401, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn list(state: web::Data<AppState>, me: CurrentMember) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(notifications::list(&state.db, me.actor.id).await?))
}

#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications", request_body = MarkReadRequest,
    responses((status = 204), (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn mark_read(
    state: web::Data<AppState>,
    me: CurrentMember,
    ApiJson(body): ApiJson<MarkReadRequest>,
) -> AppResult<HttpResponse> {
    let ids = match (body.all, body.ids) {
        (Some(true), _) => None,
        (_, Some(ids)) if ids.len() > 1000 => {
            return Err(AppError::validation(
                "ids",
                "must list at most 1,000 notifications",
            ));
        }
        (_, Some(ids)) => Some(ids),
        // Neither: nothing to mark.
        _ => Some(Vec::new()),
    };
    notifications::mark_read(&state.db, me.actor.id, ids).await?;
    Ok(HttpResponse::NoContent().finish())
}
