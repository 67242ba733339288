//! Live Q&A pages: a session with its questions (kept current by Server-Sent Events
//! when JavaScript runs; every action is also a plain form), and opening a session.

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use chrono::{NaiveDateTime, Utc};

use super::render::on_off;
use super::render::{CsrfOnly, base_context, redirect, render, render_status, zone_context};
use crate::auth::{CsrfForm, CurrentMember, MaybeMember};
use crate::domain::Role;
use crate::error::{AppError, AppResult, Code};
use crate::services::live::questions::{self, Change};
use crate::services::live::{self, NewSession, Text, events as live_events, sessions, views};
use crate::services::zones;
use crate::state::AppState;

csrf_form!(SessionForm {
    title,
    description,
    starts_at,
    ends_at,
    host
});
csrf_form!(QuestionForm { body, anonymous });
csrf_form!(AnswerForm { body });
csrf_form!(FlagForm { state });

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i32>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let actor = viewer.actor();
    let session = views::show(&state.db, *id, actor.as_ref()).await?;
    let mut ctx = base_context(&state, &req, &viewer, &session.session.title).await?;
    ctx.insert("session", &session);
    render(&state, "sessions/show.html", &ctx)
}

pub async fn new_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let zone = zones::find(&state.db, &slug).await?;
    let mut ctx = zone_context(&state, &req, &viewer, &zone, "Open a live Q&A").await?;
    let now = Utc::now();
    ctx.insert(
        "form",
        &serde_json::json!({
            "starts_at": now.format("%Y-%m-%dT%H:%M").to_string(),
            "ends_at": (now + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M").to_string(),
        }),
    );
    render(&state, "sessions/new.html", &ctx)
}

/// A `datetime-local` field's value (`2026-12-01T15:00`), read as UTC; RFC 3339 passes.
fn form_time(raw: &str) -> String {
    let raw = raw.trim();
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(raw, format) {
            return t.and_utc().to_rfc3339();
        }
    }
    raw.to_string()
}

pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    viewer: MaybeMember,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<SessionForm>,
) -> AppResult<HttpResponse> {
    if me.actor.role < Role::Leader {
        return Err(AppError::forbidden(
            "Only leaders, moderators and admins may open a live Q&A session",
        ));
    }
    let parsed = NewSession::parse(
        &form.title,
        Some(&form.description),
        &form_time(&form.starts_at),
        &form_time(&form.ends_at),
        Some(&form.host),
    );
    let result = match parsed {
        Ok(new) => sessions::create(&state.db, &slug, &me.actor, new).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(session) => Ok(redirect(&session.session.url)),
        Err(err) if err.code() == Code::ValidationFailed => {
            let zone = zones::find(&state.db, &slug).await?;
            let mut ctx = zone_context(&state, &req, &viewer, &zone, "Open a live Q&A").await?;
            ctx.insert(
                "form",
                &serde_json::json!({
                    "title": form.title, "description": form.description,
                    "starts_at": form.starts_at, "ends_at": form.ends_at, "host": form.host,
                }),
            );
            ctx.insert("errors", &err.fields());
            render_status(&state, "sessions/new.html", &ctx, err.status_code())
        }
        Err(err) => Err(err),
    }
}

pub async fn ask(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<QuestionForm>,
) -> AppResult<HttpResponse> {
    let text = Text::parse("body", &form.body, live::QUESTION_MAX)?;
    crate::services::rate_limit::posting(&state.db, state.settings.rate_limits_on(), &me.actor)
        .await?;
    let anonymous = matches!(form.anonymous.as_str(), "on" | "true" | "1");
    questions::ask(&state.db, &state.live, *id, &me.actor, text, anonymous).await?;
    Ok(redirect(&format!("{}#questions", live::session_path(*id))))
}

async fn back(state: &AppState, question_id: i32) -> AppResult<HttpResponse> {
    let session = live_events::session_of(&state.db, question_id).await?;
    Ok(redirect(&format!(
        "{}#q{question_id}",
        live::session_path(session)
    )))
}

pub async fn upvote(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(_form): CsrfForm<CsrfOnly>,
) -> AppResult<HttpResponse> {
    questions::toggle_upvote(&state.db, &state.live, *id, &me.actor).await?;
    back(&state, *id).await
}

pub async fn answer(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> AppResult<HttpResponse> {
    let text = Text::parse("body", &form.body, live::ANSWER_MAX)?;
    questions::change(&state.db, &state.live, *id, &me.actor, Change::Answer(text)).await?;
    back(&state, *id).await
}

pub async fn pin(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<FlagForm>,
) -> AppResult<HttpResponse> {
    let change = Change::Pin(on_off(&form.state)?);
    questions::change(&state.db, &state.live, *id, &me.actor, change).await?;
    back(&state, *id).await
}

pub async fn dismiss(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<FlagForm>,
) -> AppResult<HttpResponse> {
    let change = Change::Dismiss(on_off(&form.state)?);
    questions::change(&state.db, &state.live, *id, &me.actor, change).await?;
    back(&state, *id).await
}
