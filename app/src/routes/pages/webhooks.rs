//! Outgoing webhooks for admins: `/admin/webhooks` lists each hook with its newest
//! deliveries, makes one (showing its secret once), turns one on or off, deletes one.
//! The same service calls as `POST /api/v1/admin/webhooks` and its siblings.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;

use super::render::{base_context, on_off, redirect, render, render_status};
use crate::auth::{CsrfForm, CurrentMember, MaybeMember};
use crate::error::AppResult;
use crate::services::webhook_events::EVENTS;
use crate::services::webhooks::{self, CreatedHook, HookRequest, NewHook};
use crate::state::AppState;

/// The page, with what was just made (its secret) or what was wrong with the form.
async fn page(
    state: &AppState,
    req: &HttpRequest,
    viewer: &MaybeMember,
    me: &CurrentMember,
    created: Option<&CreatedHook>,
    error: Option<String>,
) -> AppResult<HttpResponse> {
    let hooks = webhooks::list(&state.db, &me.actor).await?;
    let mut ctx = base_context(state, req, viewer, "Webhooks").await?;
    ctx.insert("hooks", &hooks);
    ctx.insert("events", EVENTS);
    ctx.insert("created", &created);
    ctx.insert("error", &error);
    if error.is_some() {
        render_status(
            state,
            "moderation/webhooks.html",
            &ctx,
            StatusCode::BAD_REQUEST,
        )
    } else {
        render(state, "moderation/webhooks.html", &ctx)
    }
}

pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    page(&state, &req, &viewer, &me, None, None).await
}

csrf_form!(HookForm {
    url,
    secret,
    event_discussion_created,
    event_comment_created,
    event_update_posted,
    event_idea_status_changed,
    event_session_question_answered,
});

pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<HookForm>,
) -> AppResult<HttpResponse> {
    // Each event's box is named after it: `event_discussion_created`…
    let ticked = |event: &str| match event {
        "discussion.created" => form.event_discussion_created.as_str(),
        "comment.created" => form.event_comment_created.as_str(),
        "update.posted" => form.event_update_posted.as_str(),
        "idea.status_changed" => form.event_idea_status_changed.as_str(),
        "session.question_answered" => form.event_session_question_answered.as_str(),
        _ => "",
    };
    let events = EVENTS
        .iter()
        .filter(|event| !ticked(event).is_empty())
        .map(|event| event.to_string())
        .collect();
    let request = HookRequest {
        url: form.url.trim().to_string(),
        events,
        secret: Some(form.secret.trim().to_string()).filter(|s| !s.is_empty()),
    };
    let new = match NewHook::parse(request) {
        Ok(new) => new,
        Err(e) => return page(&state, &req, &viewer, &me, None, Some(e.to_string())).await,
    };
    let created = webhooks::create(&state.db, &me.actor, new, Utc::now()).await?;
    page(&state, &req, &viewer, &me, Some(&created), None).await
}

csrf_form!(ActiveForm { state });

pub async fn set_active(
    state: web::Data<AppState>,
    me: CurrentMember,
    id: web::Path<i32>,
    CsrfForm(form): CsrfForm<ActiveForm>,
) -> AppResult<HttpResponse> {
    let active = on_off(&form.state)?;
    webhooks::set_active(&state.db, &me.actor, *id, active, Utc::now()).await?;
    Ok(redirect("/admin/webhooks"))
}

csrf_form!(DeleteForm {});

pub async fn delete(
    state: web::Data<AppState>,
    me: CurrentMember,
    id: web::Path<i32>,
    CsrfForm(_form): CsrfForm<DeleteForm>,
) -> AppResult<HttpResponse> {
    webhooks::delete(&state.db, &me.actor, *id, Utc::now()).await?;
    Ok(redirect("/admin/webhooks"))
}
