//! A member's mail settings.

use actix_web::{HttpResponse, web};

use super::doc::ErrorResponse;
use crate::auth::CurrentMember;
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::services::settings;
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/me/settings", tag = "notifications",
    responses((status = 200, body = settings::MailSettings), (status = 401, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn show(me: CurrentMember) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(settings::of(&me.member)))
}

/// Applies a settings change; shared by the API and the settings page.
#[utoipa::path(put, path = "/api/v1/me/settings", tag = "notifications", request_body = settings::MailSettingsUpdate,
    responses((status = 200, body = settings::MailSettings), (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    me: CurrentMember,
    ApiJson(body): ApiJson<settings::MailSettingsUpdate>,
) -> AppResult<HttpResponse> {
    let updated = settings::update(&state.db, &me.member, body).await?;
    Ok(HttpResponse::Ok().json(settings::of(&updated)))
}
