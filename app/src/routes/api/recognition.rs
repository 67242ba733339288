//! "Great Idea" recognition of discussions and comments.

use actix_web::{HttpResponse, web};
use chrono::Utc;

use super::doc::ErrorResponse;
use crate::auth::CurrentMember;
use crate::domain::Post;
use crate::error::AppResult;
use crate::services::recognition;
use crate::state::AppState;
use crate::views::{CommentView, DiscussionView};

/// Recognises (or withdraws) and answers with the post as the member now sees it.
async fn recognition(
    state: &AppState,
    me: &CurrentMember,
    post: Post,
    on: bool,
) -> AppResult<HttpResponse> {
    let view = recognition::recognize(&state.db, &me.actor, post, on, Utc::now()).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(post, path = "/api/v1/discussions/{id}/recognize", tag = "reputation", params(("id" = i32, Path)),
    responses((status = 200, description = "The discussion, recognized", body = DiscussionView),
        (status = 403, description = "leaders, moderators and admins only; not one's own", body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn recognize_discussion(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    recognition(&state, &me, Post::Discussion(*id), true).await
}

#[utoipa::path(delete, path = "/api/v1/discussions/{id}/recognize", tag = "reputation", params(("id" = i32, Path)),
    responses((status = 200, description = "The discussion, recognition withdrawn", body = DiscussionView),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn unrecognize_discussion(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    recognition(&state, &me, Post::Discussion(*id), false).await
}

#[utoipa::path(post, path = "/api/v1/comments/{id}/recognize", tag = "reputation", params(("id" = i32, Path)),
    responses((status = 200, description = "The comment, recognized", body = CommentView),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn recognize_comment(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    recognition(&state, &me, Post::Comment(*id), true).await
}

#[utoipa::path(delete, path = "/api/v1/comments/{id}/recognize", tag = "reputation", params(("id" = i32, Path)),
    responses((status = 200, description = "The comment, recognition withdrawn", body = CommentView),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn unrecognize_comment(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    recognition(&state, &me, Post::Comment(*id), false).await
}
