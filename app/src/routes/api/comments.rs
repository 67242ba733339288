//! Comments: replying, editing, deleting.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::auth::CurrentMember;
use crate::domain::Body;
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::services::comments;
use crate::state::AppState;
use crate::views::CommentView;

#[derive(Deserialize, ToSchema)]
pub struct NewCommentRequest {
    /// Markdown, up to 50,000 characters.
    #[schema(
        min_length = 1,
        max_length = 50000,
        pattern = r"[^\s\x00-\x1f\x7f-\x9f]"
    )]
    pub body: String,
    /// The comment this replies to; absent for a reply to the discussion.
    pub parent_id: Option<i32>,
}

#[derive(Deserialize, ToSchema)]
pub struct CommentEditRequest {
    #[schema(
        min_length = 1,
        max_length = 50000,
        pattern = r"[^\s\x00-\x1f\x7f-\x9f]"
    )]
    pub body: String,
}

#[utoipa::path(post, path = "/api/v1/discussions/{id}/comments", tag = "comments", params(("id" = i32, Path)),
    request_body = NewCommentRequest,
    responses((status = 201, body = CommentView), (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, description = "discussion_locked", body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 429, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<NewCommentRequest>,
) -> AppResult<HttpResponse> {
    let text = Body::parse(&body.body)?;
    crate::services::rate_limit::posting(&state.db, state.settings.rate_limits_on(), &me.actor)
        .await?;
    let view = comments::create(&state.db, *id, &me.actor, text, body.parent_id).await?;
    Ok(HttpResponse::Created().json(view))
}

#[utoipa::path(patch, path = "/api/v1/comments/{id}", tag = "comments", params(("id" = i32, Path)),
    request_body = CommentEditRequest,
    responses((status = 200, body = CommentView), (status = 400, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn edit(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<CommentEditRequest>,
) -> AppResult<HttpResponse> {
    let text = Body::parse(&body.body)?;
    Ok(HttpResponse::Ok().json(comments::update(&state.db, *id, &me.actor, text).await?))
}

#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "comments", params(("id" = i32, Path)),
    responses((status = 204, description = "Deleted; it keeps its place and replies"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    comments::delete(&state.db, *id, &me.actor).await?;
    Ok(HttpResponse::NoContent().finish())
}
