//! Subscriptions, mail settings and the admin's view of failed mail.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use entity::member;
use sea_orm::{ActiveModelTrait, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::CurrentMember;
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;
use crate::routes::api::ErrorResponse;
use crate::services::{discussions, subscriptions};
use crate::state::AppState;

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Subscription {
    /// "E-mail me when people leave comments".
    pub email: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MailSettings {
    /// Subscribe me with e-mail on when I start a discussion.
    pub email_on_discussion_reply: bool,
    /// E-mail me when someone replies to my comment.
    pub email_on_comment_reply: bool,
    /// E-mail me when someone @mentions me.
    pub email_on_mention: bool,
    /// `never`, `daily` or `weekly`.
    pub digest: String,
}

#[derive(Deserialize, ToSchema)]
pub struct MailSettingsUpdate {
    pub email_on_discussion_reply: Option<bool>,
    pub email_on_comment_reply: Option<bool>,
    pub email_on_mention: Option<bool>,
    pub digest: Option<String>,
}

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

pub fn settings_of(m: &member::Model) -> MailSettings {
    MailSettings {
        email_on_discussion_reply: m.email_on_discussion_reply,
        email_on_comment_reply: m.email_on_comment_reply,
        email_on_mention: m.email_on_mention,
        digest: m.digest.clone(),
    }
}

#[utoipa::path(get, path = "/api/v1/discussions/{id}/subscription", tag = "notifications", params(("id" = i32, Path)),
    responses((status = 200, body = Subscription), (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn get_subscription(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    discussions::find(&state.db, *id).await?;
    let email = subscriptions::get(&state.db, me.actor.id, *id).await?;
    Ok(HttpResponse::Ok().json(Subscription { email }))
}

#[utoipa::path(put, path = "/api/v1/discussions/{id}/subscription", tag = "notifications", params(("id" = i32, Path)),
    request_body = Subscription,
    responses((status = 200, body = Subscription), (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn put_subscription(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<Subscription>,
) -> AppResult<HttpResponse> {
    discussions::find(&state.db, *id).await?;
    let email = subscriptions::set(&state.db, me.actor.id, *id, body.email).await?;
    Ok(HttpResponse::Ok().json(Subscription { email }))
}

#[utoipa::path(get, path = "/api/v1/me/settings", tag = "notifications",
    responses((status = 200, body = MailSettings), (status = 401, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn get_settings(me: CurrentMember) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(settings_of(&me.member)))
}

/// Applies a settings change; shared by the API and the settings page.
pub async fn update_settings(
    state: &AppState,
    me: &CurrentMember,
    update: MailSettingsUpdate,
) -> AppResult<member::Model> {
    let mut active: member::ActiveModel = me.member.clone().into();
    if let Some(v) = update.email_on_discussion_reply {
        active.email_on_discussion_reply = Set(v);
    }
    if let Some(v) = update.email_on_comment_reply {
        active.email_on_comment_reply = Set(v);
    }
    if let Some(v) = update.email_on_mention {
        active.email_on_mention = Set(v);
    }
    if let Some(d) = update.digest {
        let d = d.trim().to_lowercase();
        if !["never", "daily", "weekly"].contains(&d.as_str()) {
            return Err(AppError::validation(
                "digest",
                "must be never, daily or weekly",
            ));
        }
        active.digest = Set(d);
    }
    Ok(active.update(&state.db).await?)
}

#[utoipa::path(put, path = "/api/v1/me/settings", tag = "notifications", request_body = MailSettingsUpdate,
    responses((status = 200, body = MailSettings), (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn put_settings(
    state: web::Data<AppState>,
    me: CurrentMember,
    ApiJson(body): ApiJson<MailSettingsUpdate>,
) -> AppResult<HttpResponse> {
    let updated = update_settings(&state, &me, body).await?;
    Ok(HttpResponse::Ok().json(settings_of(&updated)))
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
        .map_err(AppError::Internal)?;
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
