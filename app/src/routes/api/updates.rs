//! Leadership updates: `/api/v1/updates`, one update, and its votes, replies and pulse.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::auth::{CurrentMember, MaybeMember};
use crate::domain::{Body, Paging};
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::services::pulses::PulseView;
use crate::services::rate_limit;
use crate::services::updates::{self, NewUpdate, UpdateView};
use crate::services::votes::{VoteOutcome, VoteValue};
use crate::state::AppState;
use crate::views::CommentView;

#[derive(Deserialize, ToSchema)]
pub struct NewPulseRequest {
    /// Up to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"[^\s\x00-\x1f\x7f-\x9f]")]
    pub question: String,
    /// `agree` (agree / neutral / disagree) or `five` (1 to 5).
    #[schema(pattern = "^(agree|five)$")]
    pub scale: String,
}

#[derive(Deserialize, ToSchema)]
pub struct NewUpdateRequest {
    /// Markdown, up to 500 characters.
    #[schema(min_length = 1, max_length = 500, pattern = r"[^\s\x00-\x1f\x7f-\x9f]")]
    pub body: String,
    /// A discussion to point to.
    #[schema(minimum = 1, maximum = 2147483647)]
    pub discussion_id: Option<i64>,
    /// A live Q&A session to point to.
    #[schema(minimum = 1, maximum = 2147483647)]
    pub session_id: Option<i64>,
    /// A one-question pulse to ask.
    pub pulse: Option<NewPulseRequest>,
}

#[derive(Deserialize, ToSchema)]
pub struct PulseAnswerRequest {
    /// `agree`, `neutral` or `disagree` on the agree scale; `1` to `5` on the five scale.
    #[schema(pattern = "^(agree|neutral|disagree|[1-5])$")]
    pub answer: String,
}

#[derive(Serialize, ToSchema)]
pub struct UpdatePage {
    pub updates: Vec<UpdateView>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

#[utoipa::path(get, path = "/api/v1/updates", tag = "updates",
    params(("author" = Option<String>, Query, description = "a leader's username"),
        ("page" = Option<u64>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u64>, Query, description = "1–100, default 20", minimum = 1, maximum = 100)),
    responses((status = 200, body = UpdatePage), (status = 400, body = ErrorResponse), (status = 404, description = "no such author", body = ErrorResponse)))]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let paging = Paging::parse(
        query.get("page").map(String::as_str),
        query.get("per_page").map(String::as_str),
    )?;
    let author = query.get("author").map(String::as_str);
    let actor = viewer.actor();
    let (items, total) = updates::list(&state.db, author, paging, actor.as_ref()).await?;
    Ok(HttpResponse::Ok().json(UpdatePage {
        updates: items,
        page: paging.page,
        per_page: paging.per_page,
        total,
    }))
}

/// Post an update (leaders, moderators and admins).
#[utoipa::path(post, path = "/api/v1/updates", tag = "updates", request_body = NewUpdateRequest,
    responses((status = 201, body = UpdateView), (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, description = "not a leader", body = ErrorResponse), (status = 429, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    me: CurrentMember,
    ApiJson(body): ApiJson<NewUpdateRequest>,
) -> AppResult<HttpResponse> {
    let pulse = body
        .pulse
        .as_ref()
        .map(|p| (p.question.as_str(), p.scale.as_str()));
    let new = NewUpdate::parse(&body.body, body.discussion_id, body.session_id, pulse)?;
    rate_limit::posting(&state.db, state.settings.rate_limits_on(), &me.actor).await?;
    let view = updates::create(&state.db, &me.actor, new).await?;
    Ok(HttpResponse::Created().json(view))
}

#[utoipa::path(get, path = "/api/v1/updates/{id}", tag = "updates", params(("id" = i32, Path)),
    responses((status = 200, body = UpdateView), (status = 404, body = ErrorResponse)))]
pub async fn show(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let actor = viewer.actor();
    Ok(HttpResponse::Ok().json(updates::show(&state.db, *id, actor.as_ref()).await?))
}

#[utoipa::path(post, path = "/api/v1/updates/{id}/vote", tag = "updates", params(("id" = i32, Path)),
    request_body = super::votes::VoteRequest,
    responses((status = 200, body = VoteOutcome), (status = 400, body = ErrorResponse),
        (status = 403, description = "self_vote, insufficient_reputation or discussion_locked", body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn vote(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<super::votes::VoteRequest>,
) -> AppResult<HttpResponse> {
    let value = VoteValue::parse(body.value)?;
    Ok(HttpResponse::Ok().json(updates::vote(&state.db, &me.actor, *id, value).await?))
}

#[utoipa::path(post, path = "/api/v1/updates/{id}/comments", tag = "updates", params(("id" = i32, Path)),
    request_body = super::comments::NewCommentRequest,
    responses((status = 201, body = CommentView), (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, description = "discussion_locked", body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 429, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn comment(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<super::comments::NewCommentRequest>,
) -> AppResult<HttpResponse> {
    let text = Body::parse(&body.body)?;
    rate_limit::posting(&state.db, state.settings.rate_limits_on(), &me.actor).await?;
    let view = updates::reply(&state.db, *id, &me.actor, text, body.parent_id).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Answer an update's pulse, once; the answer is counted, never tied to the member.
#[utoipa::path(post, path = "/api/v1/updates/{id}/pulse", tag = "updates", params(("id" = i32, Path)),
    request_body = PulseAnswerRequest,
    responses((status = 200, description = "the pulse with its results", body = PulseView),
        (status = 400, description = "an answer not on the pulse's scale", body = ErrorResponse),
        (status = 403, description = "discussion_locked", body = ErrorResponse),
        (status = 404, description = "no such update, or it asks no pulse", body = ErrorResponse),
        (status = 409, description = "`already_answered`", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn pulse(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<PulseAnswerRequest>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(updates::answer(&state.db, *id, &me.actor, &body.answer).await?))
}
