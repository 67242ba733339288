//! Admins: the audit log and the instance's settings.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::auth::CurrentMember;
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;
use crate::services::audit::{self, AuditEntry};
use crate::services::site::{self, SiteSettings, SiteSettingsChange};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct AuditLog {
    /// Newest first, at most `limit`.
    pub entries: Vec<AuditEntry>,
}

fn admins_only(me: &CurrentMember) -> AppResult<()> {
    if me.actor.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::forbidden("Only admins read this"))
    }
}

#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin",
    params(("since" = Option<String>, Query, format = Date, description = "a date (YYYY-MM-DD; an RFC 3339 time works too)"),
        ("actor" = Option<String>, Query, description = "a username: what that member did (an unknown one matches nothing)"),
        ("action" = Option<String>, Query, description = "one action word", pattern = "^(role_changed|account_deleted|password_reset|email_changed|sso_linked|session_revoked|sign_in_refused|discussion_locked|discussion_pinned|post_deleted|post_edited|post_hidden|flag_decided|member_suspended|suspension_lifted|zone_created|settings_changed|webhook_created|webhook_changed|webhook_deleted)?$"),
        ("limit" = Option<u64>, Query, description = "1–1000, default 200", minimum = 1, maximum = 1000)),
    responses((status = 200, body = AuditLog), (status = 403, description = "admins only", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn audit_log(
    state: web::Data<AppState>,
    me: CurrentMember,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    admins_only(&me)?;
    // The pages' filter form sends an empty `since`; the API takes a date or nothing.
    if query.get("since").is_some_and(|s| s.trim().is_empty()) {
        return Err(crate::error::AppError::validation(
            "since",
            "must be a date (YYYY-MM-DD) or an RFC 3339 time",
        ));
    }
    let (filter, limit) = audit::Filter::parse(&state.db, &query).await?;
    let entries = audit::list(&state.db, &filter, true, limit).await?;
    Ok(HttpResponse::Ok().json(AuditLog { entries }))
}

#[utoipa::path(get, path = "/api/v1/admin/settings", tag = "admin",
    responses((status = 200, body = SiteSettings), (status = 403, description = "admins only", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn settings(state: web::Data<AppState>, me: CurrentMember) -> AppResult<HttpResponse> {
    admins_only(&me)?;
    Ok(HttpResponse::Ok().json(site::get(&state.db).await?))
}

#[utoipa::path(put, path = "/api/v1/admin/settings", tag = "admin",
    request_body = SiteSettingsChange,
    responses((status = 200, description = "The settings now in force; the change is in the audit log", body = SiteSettings),
        (status = 403, description = "admins only", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn update_settings(
    state: web::Data<AppState>,
    me: CurrentMember,
    ApiJson(body): ApiJson<SiteSettingsChange>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(crate::services::admin::update(&state.db, &me.actor, body).await?))
}
