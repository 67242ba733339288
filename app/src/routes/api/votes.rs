//! Votes on discussions and comments.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::auth::CurrentMember;
use crate::domain::Post;
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::services::votes::{self, VoteOutcome, VoteValue};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct VoteRequest {
    /// 1 (up), -1 (down) or 0 (clear).
    #[schema(minimum = -1, maximum = 1)]
    pub value: i64,
}

async fn cast(
    state: &AppState,
    me: &CurrentMember,
    post: Post,
    value: i64,
) -> AppResult<HttpResponse> {
    let value = VoteValue::parse(value)?;
    let outcome = votes::vote(&state.db, &me.actor, post, value, Utc::now()).await?;
    Ok(HttpResponse::Ok().json(outcome))
}

#[utoipa::path(post, path = "/api/v1/discussions/{id}/vote", tag = "reputation", params(("id" = i32, Path)),
    request_body = VoteRequest,
    responses((status = 200, body = VoteOutcome), (status = 400, body = ErrorResponse),
        (status = 403, description = "self_vote or insufficient_reputation", body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn vote_discussion(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<VoteRequest>,
) -> AppResult<HttpResponse> {
    cast(&state, &me, Post::Discussion(*id), body.value).await
}

#[utoipa::path(post, path = "/api/v1/comments/{id}/vote", tag = "reputation", params(("id" = i32, Path)),
    request_body = VoteRequest,
    responses((status = 200, body = VoteOutcome), (status = 400, body = ErrorResponse),
        (status = 403, description = "self_vote or insufficient_reputation", body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn vote_comment(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<VoteRequest>,
) -> AppResult<HttpResponse> {
    cast(&state, &me, Post::Comment(*id), body.value).await
}
