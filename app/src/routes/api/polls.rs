//! Polls on discussions: `/api/v1/discussions/{id}/poll`.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::auth::{CurrentMember, MaybeMember};
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;
use crate::services::polls::{self, NewPoll, PollView};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct NewPollRequest {
    /// Up to 300 characters.
    #[schema(min_length = 1, max_length = 300, pattern = r"[^\s\x00-\x1f\x7f-\x9f]")]
    pub question: String,
    /// 2–20 different options, each up to 200 characters.
    #[schema(schema_with = poll_options_schema)]
    pub options: Vec<String>,
    /// Whether several options may be chosen (default false).
    #[serde(default)]
    pub multiple: bool,
    /// RFC 3339, in the future; absent: open until a moderator locks the discussion.
    #[schema(format = DateTime)]
    pub closes_at: Option<String>,
}

impl NewPollRequest {
    pub fn parse(&self) -> AppResult<NewPoll> {
        NewPoll::parse(
            &self.question,
            &self.options,
            self.multiple,
            self.closes_at.as_deref(),
            chrono::Utc::now(),
        )
    }
}

#[derive(Deserialize, ToSchema)]
pub struct BallotRequest {
    /// Option ids of this poll: exactly one for a single-choice poll; empty withdraws.
    pub options: Vec<i64>,
}

#[utoipa::path(get, path = "/api/v1/discussions/{id}/poll", tag = "polls", params(("id" = i32, Path)),
    responses((status = 200, body = PollView), (status = 404, body = ErrorResponse)))]
pub async fn show(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let actor = viewer.actor();
    let discussion = crate::services::items::discussion(&state.db, *id).await?;
    let poll = polls::view(&state.db, *id, discussion.locked, actor.as_ref())
        .await?
        .ok_or_else(|| AppError::not_found("Poll"))?;
    Ok(HttpResponse::Ok().json(poll))
}

/// Add a poll to a discussion (its author or a moderator); one per discussion.
#[utoipa::path(post, path = "/api/v1/discussions/{id}/poll", tag = "polls", params(("id" = i32, Path)),
    request_body = NewPollRequest,
    responses((status = 201, body = PollView), (status = 400, body = ErrorResponse), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, description = "`poll_exists`", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn attach(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<NewPollRequest>,
) -> AppResult<HttpResponse> {
    let new = body.parse()?;
    Ok(HttpResponse::Created().json(polls::attach(&state.db, *id, &me.actor, new).await?))
}

/// Cast or change one's ballot (until the poll closes); `{"options": []}` withdraws it.
#[utoipa::path(post, path = "/api/v1/discussions/{id}/poll/vote", tag = "polls", params(("id" = i32, Path)),
    request_body = BallotRequest,
    responses((status = 200, body = PollView),
        (status = 400, description = "`invalid_option` (not an option of this poll) or `validation_failed`", body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, description = "`poll_closed`", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn vote(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<BallotRequest>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(polls::vote(&state.db, *id, &me.actor, &body.options).await?))
}

/// 2–20 options, each with some text and at most 200 characters. (That they differ
/// ignoring case is checked by the server: JSON Schema's `uniqueItems` minds case.)
fn poll_options_schema() -> utoipa::openapi::Array {
    let option = utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .min_length(Some(1))
        .max_length(Some(200))
        .pattern(Some(r"[^\s\x00-\x1f\x7f-\x9f]"));
    utoipa::openapi::ArrayBuilder::new()
        .items(option)
        .min_items(Some(2))
        .max_items(Some(20))
        .unique_items(true)
        .build()
}
