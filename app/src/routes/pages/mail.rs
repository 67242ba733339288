//! The subscription toggle, the settings page and one-click unsubscribe.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{base_context, redirect, render};
use crate::auth::{CsrfForm, CurrentMember, HasCsrf, MaybeMember};
use crate::error::{AppError, AppResult};
use crate::routes::api::mail::{MailSettingsUpdate, settings_of, update_settings};
use crate::services::{discussions, subscriptions};
use crate::state::AppState;
use crate::views::discussion_path;

#[derive(Deserialize)]
pub struct ToggleForm {
    #[serde(default)]
    csrf_token: String,
    /// "on" or "off".
    email: String,
}

impl HasCsrf for ToggleForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

pub async fn toggle(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<ToggleForm>,
) -> AppResult<HttpResponse> {
    let d = discussions::find(&state.db, *id).await?;
    let on = match form.email.as_str() {
        "on" => true,
        "off" => false,
        _ => return Err(AppError::validation("email", "must be on or off")),
    };
    subscriptions::set(&state.db, me.actor.id, d.id, on).await?;
    Ok(redirect(&format!(
        "{}#subscription",
        discussion_path(d.id, &d.title)
    )))
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    csrf_token: String,
    // Checkboxes are absent when unticked.
    email_on_discussion_reply: Option<String>,
    email_on_comment_reply: Option<String>,
    email_on_mention: Option<String>,
    #[serde(default)]
    digest: String,
}

impl HasCsrf for SettingsForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

pub async fn settings_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    let mut ctx = base_context(&state, &req, &viewer, "Settings").await?;
    ctx.insert("settings", &settings_of(&me.member));
    ctx.insert("email", &me.member.email);
    if me.actor.role == crate::domain::Role::Admin {
        let failed = crate::mail::failed(&state.db)
            .await
            .map_err(AppError::Internal)?;
        let rows: Vec<serde_json::Value> = failed
            .iter()
            .map(|f| serde_json::json!({"to": f.to_address, "attempts": f.attempts, "error": f.last_error, "created_at": f.created_at}))
            .collect();
        ctx.insert("failed_mail", &rows);
    }
    render(&state, "settings.html", &ctx)
}

pub async fn save_settings(
    state: web::Data<AppState>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> AppResult<HttpResponse> {
    update_settings(
        &state,
        &me,
        MailSettingsUpdate {
            email_on_discussion_reply: Some(form.email_on_discussion_reply.is_some()),
            email_on_comment_reply: Some(form.email_on_comment_reply.is_some()),
            email_on_mention: Some(form.email_on_mention.is_some()),
            digest: Some(form.digest),
        },
    )
    .await?;
    Ok(redirect("/settings?saved=1"))
}

/// What a link unsubscribes from: one discussion, or (discussion 0) the digest.
enum Target {
    Discussion(entity::discussion::Model),
    Digest,
}

async fn target(state: &AppState, token: &str) -> AppResult<(i32, Target)> {
    let key = state.unsubscribe_key.as_slice();
    let (member_id, discussion_id) = crate::mail::verify_unsubscribe_token(key, token)
        .ok_or_else(|| AppError::NotFound("This unsubscribe link is not valid".into()))?;
    if discussion_id == 0 {
        return Ok((member_id, Target::Digest));
    }
    let d = discussions::find(&state.db, discussion_id).await?;
    Ok((member_id, Target::Discussion(d)))
}

fn describe(target: &Target) -> (String, String) {
    match target {
        Target::Discussion(d) => (d.title.clone(), discussion_path(d.id, &d.title)),
        Target::Digest => ("your digest".into(), "/settings".into()),
    }
}

/// GET shows a confirmation (mail scanners follow links; they must not unsubscribe).
pub async fn unsubscribe_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (_, t) = target(&state, &token).await?;
    let (title, url) = describe(&t);
    let mut ctx = base_context(&state, &req, &viewer, "Unsubscribe").await?;
    ctx.insert("title", &title);
    ctx.insert("url", &url);
    ctx.insert("token", token.as_str());
    ctx.insert("done", &false);
    render(&state, "unsubscribe.html", &ctx)
}

/// RFC 8058 one-click: a POST without sign-in or CSRF token (the signed token is the
/// proof) stops e-mail for that member and that discussion.
pub async fn unsubscribe(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (member_id, t) = target(&state, &token).await?;
    match &t {
        Target::Discussion(d) => {
            subscriptions::set(&state.db, member_id, d.id, false).await?;
        }
        Target::Digest => {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            entity::member::Entity::update_many()
                .col_expr(
                    entity::member::Column::Digest,
                    sea_orm::sea_query::Expr::value("never"),
                )
                .filter(entity::member::Column::Id.eq(member_id))
                .exec(&state.db)
                .await?;
        }
    }
    let (title, url) = describe(&t);
    let mut ctx = base_context(&state, &req, &viewer, "Unsubscribed").await?;
    ctx.insert("title", &title);
    ctx.insert("url", &url);
    ctx.insert("token", token.as_str());
    ctx.insert("done", &true);
    render(&state, "unsubscribe.html", &ctx)
}
