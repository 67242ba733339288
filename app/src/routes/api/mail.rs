//! The admin's view of mail that could not be sent.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::auth::CurrentMember;
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct FailedMail {
    pub id: i32,
    pub to: String,
    pub discussion_id: Option<i32>,
    pub comment_id: Option<i32>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct FailedMailList {
    pub messages: Vec<FailedMail>,
}

#[utoipa::path(get, path = "/api/v1/admin/mail/failed", tag = "notifications",
    responses((status = 200, description = "Messages that gave up after every retry", body = FailedMailList),
        (status = 403, description = "admins only", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn failed_mail(state: web::Data<AppState>, me: CurrentMember) -> AppResult<HttpResponse> {
    if me.actor.role != Role::Admin {
        return Err(AppError::forbidden("Only admins may see failed mail"));
    }
    let rows = crate::mail::failed(&state.db)
        .await
        .map_err(AppError::internal)?;
    Ok(HttpResponse::Ok().json(FailedMailList {
        messages: rows
            .into_iter()
            .map(|r| FailedMail {
                id: r.id,
                to: r.to_address,
                discussion_id: r.discussion_id,
                comment_id: r.comment_id,
                attempts: r.attempts,
                last_error: r.last_error,
                created_at: r.created_at,
            })
            .collect(),
    }))
}
