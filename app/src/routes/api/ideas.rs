//! Ideas: marking a discussion as one, moving its status, its history, and the board.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::auth::CurrentMember;
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::services::ideas::{self, BoardQuery, IdeaBoard, IdeaChange, IdeaHistory};
use crate::state::AppState;
use crate::views::DiscussionView;

/// The request as read (the document describes it as `IdeaRequestDoc`); `IdeaChange`
/// checks it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdeaRequest {
    pub status: String,
    pub note: Option<String>,
}

/// The request as documented: a declined idea needs a note with something in it.
#[derive(ToSchema, serde::Serialize)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum IdeaRequestDoc {
    Open(OpenIdea),
    Declined(DeclinedIdea),
}

/// Any status but `declined`.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub enum OpenStatus {
    #[schema(rename = "proposed")]
    Proposed,
    #[schema(rename = "under_review")]
    UnderReview,
    #[schema(rename = "planned")]
    Planned,
    #[schema(rename = "adopted")]
    Adopted,
}

/// `declined`.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub enum DeclinedStatus {
    #[schema(rename = "declined")]
    Declined,
}

#[derive(ToSchema, serde::Serialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct OpenIdea {
    /// The author may only propose; leaders, moderators and admins may set any status.
    status: OpenStatus,
    /// Shown on the discussion and in the mail to its subscribers.
    #[schema(max_length = 2000)]
    note: Option<String>,
}

#[derive(ToSchema, serde::Serialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct DeclinedIdea {
    status: DeclinedStatus,
    /// Why it was declined: shown on the discussion and mailed to its subscribers.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = r"[^\s\x00-\x1f\x7f-\x9f]"
    )]
    note: String,
}

#[utoipa::path(put, path = "/api/v1/discussions/{id}/idea", tag = "ideas", params(("id" = i32, Path)),
    request_body = IdeaRequestDoc,
    responses((status = 200, description = "The discussion, with its `idea`", body = DiscussionView),
        (status = 403, description = "the author may only propose; other statuses are for leaders, moderators and admins", body = ErrorResponse),
        (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn set(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<IdeaRequest>,
) -> AppResult<HttpResponse> {
    let change = IdeaChange::parse(&body.status, body.note.as_deref())?;
    let view = ideas::set(&state.db, &me.actor, *id, change, Utc::now()).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(delete, path = "/api/v1/discussions/{id}/idea", tag = "ideas", params(("id" = i32, Path)),
    responses((status = 200, description = "The discussion, no longer an idea", body = DiscussionView),
        (status = 403, description = "leaders, moderators and admins; the author while it is proposed", body = ErrorResponse),
        (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn unmark(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    let view = ideas::unmark(&state.db, &me.actor, *id, Utc::now()).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(get, path = "/api/v1/discussions/{id}/idea", tag = "ideas", params(("id" = i32, Path)),
    responses((status = 200, description = "The idea and every change of its status, oldest first", body = IdeaHistory),
        (status = 404, body = ErrorResponse)))]
pub async fn history(state: web::Data<AppState>, id: web::Path<i32>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(ideas::with_history(&state.db, *id).await?))
}

#[utoipa::path(get, path = "/api/v1/ideas", tag = "ideas",
    params(("status" = Option<String>, Query, description = "only ideas in this status", pattern = r"^(proposed|under_review|planned|adopted|declined)?$"),
        ("zone" = Option<String>, Query, description = "a zone's slug"),
        ("sort" = Option<String>, Query, description = "votes (default: most first), age (newest first) or waiting (longest in its status first)", pattern = r"^(votes|age|waiting)?$"),
        ("awaiting" = Option<bool>, Query, description = "only ideas still proposed after 30 days: waiting for a leader's answer"),
        ("page" = Option<u64>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u64>, Query, description = "1–100, default 20", minimum = 1, maximum = 100)),
    responses((status = 200, body = IdeaBoard), (status = 400, body = ErrorResponse), (status = 404, description = "no such zone", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn board(
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    let query = BoardQuery::parse(&query)?;
    let board = ideas::board(&state.db, Some(&me.actor), &query, Utc::now()).await?;
    Ok(HttpResponse::Ok().json(board))
}
