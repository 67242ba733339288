//! Live Q&A: `/api/v1/zones/{slug}/sessions`, `/api/v1/sessions/{id}`,
//! `/api/v1/questions/{id}`, and the session's Server-Sent Events stream.

use std::collections::{HashSet, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use entity::live_event;
use serde::Deserialize;
use tokio::sync::broadcast;
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::auth::{CurrentMember, MaybeMember};
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::services::live::questions::{self, Change};
use crate::services::live::views::{QuestionView, SessionView, UpvoteResult, ZoneSessions};
use crate::services::live::{self, NewSession, Text, events as live_events, sessions, views};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct NewSessionRequest {
    #[schema(
        min_length = 3,
        max_length = 200,
        pattern = r"^[^\s\x00-\x1f\x7f-\x9f](?:[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f])?$"
    )]
    pub title: String,
    /// Markdown; may be empty.
    pub description: Option<String>,
    /// RFC 3339. Questions may be asked from the moment the session is opened.
    #[schema(format = DateTime)]
    pub starts_at: String,
    /// RFC 3339, after `starts_at`. After it, the session takes no more questions or votes.
    #[schema(format = DateTime)]
    pub ends_at: String,
    /// The host's username; defaults to whoever opens the session.
    #[schema(pattern = r"^[A-Za-z0-9_-]{3,30}$")]
    pub host: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewQuestionRequest {
    /// Markdown, up to 1,000 characters.
    #[schema(
        min_length = 1,
        max_length = 1000,
        pattern = r"[^\s\x00-\x1f\x7f-\x9f]"
    )]
    pub body: String,
    /// Hides the asker's name from members (not from moderators).
    pub anonymous: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerRequest {
    /// Markdown, up to 20,000 characters.
    #[schema(
        min_length = 1,
        max_length = 20000,
        pattern = r"[^\s\x00-\x1f\x7f-\x9f]"
    )]
    pub body: String,
}

#[derive(Deserialize, ToSchema)]
pub struct PinQuestionRequest {
    pub pinned: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct DismissRequest {
    pub dismissed: bool,
}

/// Open a live Q&A session in a zone (leaders, moderators, admins).
#[utoipa::path(post, path = "/api/v1/zones/{slug}/sessions", tag = "live", params(("slug" = String, Path)),
    request_body = NewSessionRequest,
    responses((status = 201, body = SessionView), (status = 400, body = ErrorResponse),
        (status = 403, description = "leaders, moderators and admins only", body = ErrorResponse),
        (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    me: CurrentMember,
    ApiJson(body): ApiJson<NewSessionRequest>,
) -> AppResult<HttpResponse> {
    let new = NewSession::parse(
        &body.title,
        body.description.as_deref(),
        &body.starts_at,
        &body.ends_at,
        body.host.as_deref(),
    )?;
    Ok(HttpResponse::Created().json(sessions::create(&state.db, &slug, &me.actor, new).await?))
}

/// A zone's sessions, and the questions its ended sessions still owe an answer.
#[utoipa::path(get, path = "/api/v1/zones/{slug}/sessions", tag = "live", params(("slug" = String, Path)),
    responses((status = 200, body = ZoneSessions), (status = 404, body = ErrorResponse)))]
pub async fn of_zone(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let actor = viewer.actor();
    Ok(HttpResponse::Ok().json(views::of_zone(&state.db, &slug, actor.as_ref()).await?))
}

/// A session with its questions: pinned first, then by votes, then oldest first.
#[utoipa::path(get, path = "/api/v1/sessions/{id}", tag = "live", params(("id" = i32, Path)),
    responses((status = 200, body = SessionView), (status = 404, body = ErrorResponse)))]
pub async fn show(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let actor = viewer.actor();
    Ok(HttpResponse::Ok().json(views::show(&state.db, *id, actor.as_ref()).await?))
}

/// Ask a question (until the session ends).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/questions", tag = "live", params(("id" = i32, Path)),
    request_body = NewQuestionRequest,
    responses((status = 201, body = QuestionView), (status = 400, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, description = "`session_closed`", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn ask(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<NewQuestionRequest>,
) -> AppResult<HttpResponse> {
    let text = Text::parse("body", &body.body, live::QUESTION_MAX)?;
    crate::services::rate_limit::posting(&state.db, state.settings.rate_limits_on(), &me.actor)
        .await?;
    let question = questions::ask(
        &state.db,
        &state.live,
        *id,
        &me.actor,
        text,
        body.anonymous.unwrap_or(false),
    )
    .await?;
    Ok(HttpResponse::Created().json(question))
}

/// Upvote a question; again to take the upvote back.
#[utoipa::path(post, path = "/api/v1/questions/{id}/upvote", tag = "live", params(("id" = i32, Path)),
    responses((status = 200, body = UpvoteResult), (status = 403, description = "`self_vote`", body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, description = "`session_closed`", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn upvote(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(questions::toggle_upvote(&state.db, &state.live, *id, &me.actor).await?))
}

/// Answer a question (the session's host only; again to change the answer).
#[utoipa::path(post, path = "/api/v1/questions/{id}/answer", tag = "live", params(("id" = i32, Path)),
    request_body = AnswerRequest,
    responses((status = 200, body = QuestionView), (status = 400, body = ErrorResponse),
        (status = 403, description = "`not_host`", body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn answer(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<AnswerRequest>,
) -> AppResult<HttpResponse> {
    let text = Text::parse("body", &body.body, live::ANSWER_MAX)?;
    let change = Change::Answer(text);
    Ok(HttpResponse::Ok()
        .json(questions::change(&state.db, &state.live, *id, &me.actor, change).await?))
}

/// Pin a question to the top (the host or a moderator).
#[utoipa::path(post, path = "/api/v1/questions/{id}/pin", tag = "live", params(("id" = i32, Path)),
    request_body = PinQuestionRequest,
    responses((status = 200, body = QuestionView), (status = 403, description = "`not_host`", body = ErrorResponse),
        (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn pin(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<PinQuestionRequest>,
) -> AppResult<HttpResponse> {
    let change = Change::Pin(body.pinned);
    Ok(HttpResponse::Ok()
        .json(questions::change(&state.db, &state.live, *id, &me.actor, change).await?))
}

/// Dismiss a question: hidden from members (the host or a moderator).
#[utoipa::path(post, path = "/api/v1/questions/{id}/dismiss", tag = "live", params(("id" = i32, Path)),
    request_body = DismissRequest,
    responses((status = 200, body = QuestionView), (status = 403, description = "`not_host`", body = ErrorResponse),
        (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn dismiss(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<DismissRequest>,
) -> AppResult<HttpResponse> {
    let change = Change::Dismiss(body.dismissed);
    Ok(HttpResponse::Ok()
        .json(questions::change(&state.db, &state.live, *id, &me.actor, change).await?))
}

/// Server-Sent Events: `question_added`, `question_voted`, `question_answered`,
/// `question_pinned` and `question_dismissed`, each with the question as JSON `data` and
/// an `id`. A client that reconnects with `Last-Event-ID` is sent what it missed; a
/// `resync` event asks a client that fell too far behind to reload the session.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/events", tag = "live", params(("id" = i32, Path)),
    responses((status = 200, description = "Server-Sent Events: `id`, `event` (the change) and `data` (JSON) per event",
        content_type = "text/event-stream", body = String), (status = 404, body = ErrorResponse)))]
pub async fn events(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    let session = live::find(&state.db, *id).await?;
    // Subscribe before reading the backlog, so nothing falls between the two.
    let receiver = state.live.subscribe();
    let after = req
        .headers()
        .get("Last-Event-ID")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i32>().ok());
    let mut stream = Stream {
        receiver,
        session_id: session.id,
        pending: VecDeque::new(),
        replayed: HashSet::new(),
        heartbeat: tokio::time::interval(Duration::from_secs(15)),
    };
    stream
        .pending
        .push_back(Bytes::from_static(b"retry: 3000\n\n"));
    if let Some(after) = after {
        let missed = live_events::events_after(&state.db, session.id, after).await?;
        let more = missed.len() as u64 >= live::REPLAY_LIMIT;
        for event in missed {
            stream.replayed.insert(event.id);
            stream.pending.push_back(Bytes::from(frame(&event)));
        }
        if more {
            stream.pending.push_back(Bytes::from_static(RESYNC_FRAME));
        }
    }
    let body = futures_util::stream::unfold(stream, |mut s| async move {
        let next = s.next().await?;
        Some((Ok::<_, Infallible>(next), s))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        // Compression would hold events back until a buffer fills.
        .insert_header(("Content-Encoding", "identity"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}

const RESYNC_FRAME: &[u8] = b"event: resync\ndata: {}\n\n";

struct Stream {
    receiver: broadcast::Receiver<Arc<live_event::Model>>,
    session_id: i32,
    pending: VecDeque<Bytes>,
    /// Events sent from the backlog, which may also arrive live: sent once. Bounded by
    /// the replay limit.
    replayed: HashSet<i32>,
    heartbeat: tokio::time::Interval,
}

impl Stream {
    fn push(&mut self, event: &live_event::Model) {
        if event.kind == crate::live::RESYNC && event.id == 0 {
            self.pending.push_back(Bytes::from_static(RESYNC_FRAME));
        } else if event.session_id == self.session_id && !self.replayed.contains(&event.id) {
            self.pending.push_back(Bytes::from(frame(event)));
        }
    }

    /// The next bytes to send; `None` ends the stream (the server is stopping). A client
    /// that goes away drops the stream, and its subscription with it.
    async fn next(&mut self) -> Option<Bytes> {
        loop {
            if let Some(bytes) = self.pending.pop_front() {
                return Some(bytes);
            }
            tokio::select! {
                received = self.receiver.recv() => match received {
                    Ok(event) => self.push(&event),
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        return Some(Bytes::from_static(RESYNC_FRAME));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = self.heartbeat.tick() => return Some(Bytes::from_static(b": keep-alive\n\n")),
            }
        }
    }
}

/// One SSE frame. The payload is JSON on one line, so it needs no splitting.
fn frame(event: &live_event::Model) -> String {
    format!(
        "id: {}\nevent: {}\ndata: {}\n\n",
        event.id, event.kind, event.payload
    )
}
