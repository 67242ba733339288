//! The settings page (mail settings; the picture form posts to `avatars`).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::render::{base_context, redirect, render};
use crate::auth::{CsrfForm, CurrentMember, HasCsrf, MaybeMember};
use crate::error::{AppError, AppResult};
use crate::services::settings::{self, MailSettingsUpdate};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    csrf_token: String,
    // Checkboxes are absent when unticked.
    email_on_discussion_reply: Option<String>,
    email_on_comment_reply: Option<String>,
    email_on_mention: Option<String>,
    insights_mail: Option<String>,
    #[serde(default)]
    digest: String,
}

impl HasCsrf for SettingsForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    let mut ctx = base_context(&state, &req, &viewer, "Settings").await?;
    ctx.insert("settings", &settings::of(&me.member));
    ctx.insert("email", &me.member.email);
    if me.actor.role == crate::domain::Role::Admin {
        let failed = crate::mail::failed(&state.db)
            .await
            .map_err(AppError::internal)?;
        let rows: Vec<serde_json::Value> = failed
            .iter()
            .map(|f| serde_json::json!({"to": f.to_address, "attempts": f.attempts, "error": f.last_error, "created_at": f.created_at}))
            .collect();
        ctx.insert("failed_mail", &rows);
    }
    render(&state, "settings.html", &ctx)
}

pub async fn update(
    state: web::Data<AppState>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> AppResult<HttpResponse> {
    settings::update(
        &state.db,
        &me.member,
        MailSettingsUpdate {
            email_on_discussion_reply: Some(form.email_on_discussion_reply.is_some()),
            email_on_comment_reply: Some(form.email_on_comment_reply.is_some()),
            email_on_mention: Some(form.email_on_mention.is_some()),
            digest: Some(form.digest),
            // Only leaders and up are shown the box; for others it stays as it is.
            insights_mail: (me.actor.role >= crate::domain::Role::Leader)
                .then_some(form.insights_mail.is_some()),
        },
    )
    .await?;
    Ok(redirect("/settings?saved=1"))
}
