//! `/api/v1/discussions/{id}` and `/api/v1/comments/{id}`.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{CurrentMember, MaybeMember};
use crate::domain::Body;
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::routes::api::ErrorResponse;
use crate::routes::api::zones::limit_posting;
use crate::services::comments;
use crate::services::discussions::{self, DiscussionEdit};
use crate::state::AppState;
use crate::views::{CommentView, DiscussionView};

#[derive(Serialize, ToSchema)]
pub struct DiscussionWithComments {
    pub discussion: DiscussionView,
    /// In thread order: each after its parent, siblings oldest first.
    pub comments: Vec<CommentView>,
    /// The discussion's poll, if it has one.
    pub poll: Option<crate::services::polls::PollView>,
}

#[derive(Deserialize, ToSchema)]
pub struct DiscussionEditRequest {
    pub title: Option<String>,
    pub body: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewCommentRequest {
    /// Markdown, up to 50,000 characters.
    pub body: String,
    /// The comment this replies to; absent for a reply to the discussion.
    pub parent_id: Option<i32>,
}

#[derive(Deserialize, ToSchema)]
pub struct CommentEditRequest {
    pub body: String,
}

#[derive(Deserialize, ToSchema)]
pub struct LockRequest {
    pub locked: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct PinRequest {
    pub pinned: bool,
}

#[utoipa::path(get, path = "/api/v1/discussions/{id}", tag = "discussions", params(("id" = i32, Path)),
    responses((status = 200, body = DiscussionWithComments), (status = 404, body = ErrorResponse)))]
pub async fn show(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let actor = viewer.actor();
    let discussion = discussions::read(&state.db, *id, actor.as_ref(), true).await?;
    let comments = comments::thread(&state.db, *id, actor.as_ref()).await?;
    if let Some(a) = &actor {
        crate::services::digest::mark_read(&state.db, a.id, *id, chrono::Utc::now()).await?;
    }
    let poll =
        crate::services::polls::view(&state.db, *id, discussion.locked, actor.as_ref()).await?;
    Ok(HttpResponse::Ok().json(DiscussionWithComments {
        discussion,
        comments,
        poll,
    }))
}

#[utoipa::path(patch, path = "/api/v1/discussions/{id}", tag = "discussions", params(("id" = i32, Path)),
    request_body = DiscussionEditRequest,
    responses((status = 200, body = DiscussionView), (status = 400, body = ErrorResponse),
        (status = 403, description = "author or moderator only", body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn edit(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<DiscussionEditRequest>,
) -> AppResult<HttpResponse> {
    let edit = DiscussionEdit::parse(body.title.as_deref(), body.body.as_deref())?;
    Ok(HttpResponse::Ok().json(discussions::update(&state.db, *id, &me.actor, edit).await?))
}

#[utoipa::path(delete, path = "/api/v1/discussions/{id}", tag = "discussions", params(("id" = i32, Path)),
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    discussions::delete(&state.db, *id, &me.actor).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/v1/discussions/{id}/lock", tag = "moderation", params(("id" = i32, Path)),
    request_body = LockRequest,
    responses((status = 200, body = DiscussionView), (status = 403, description = "moderators only", body = ErrorResponse),
        (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn lock(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<LockRequest>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(discussions::moderate(&state.db, *id, &me.actor, Some(body.locked), None).await?))
}

#[utoipa::path(post, path = "/api/v1/discussions/{id}/pin", tag = "moderation", params(("id" = i32, Path)),
    request_body = PinRequest,
    responses((status = 200, body = DiscussionView), (status = 403, description = "moderators only", body = ErrorResponse),
        (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn pin(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<PinRequest>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(discussions::moderate(&state.db, *id, &me.actor, None, Some(body.pinned)).await?))
}

#[utoipa::path(post, path = "/api/v1/discussions/{id}/comments", tag = "comments", params(("id" = i32, Path)),
    request_body = NewCommentRequest,
    responses((status = 201, body = CommentView), (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, description = "discussion_locked", body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 429, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn comment(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<NewCommentRequest>,
) -> AppResult<HttpResponse> {
    let text = Body::parse(&body.body)?;
    limit_posting(&state, &me).await?;
    let view = comments::create(&state.db, *id, &me.actor, text, body.parent_id).await?;
    Ok(HttpResponse::Created().json(view))
}

#[utoipa::path(patch, path = "/api/v1/comments/{id}", tag = "comments", params(("id" = i32, Path)),
    request_body = CommentEditRequest,
    responses((status = 200, body = CommentView), (status = 400, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn edit_comment(
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
pub async fn delete_comment(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    comments::delete(&state.db, *id, &me.actor).await?;
    Ok(HttpResponse::NoContent().finish())
}
