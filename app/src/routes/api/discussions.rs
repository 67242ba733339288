//! Discussions: a zone's list, starting one, reading, editing, deleting, locking and
//! pinning.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::auth::{CurrentMember, MaybeMember};
use crate::domain::{Paging, SortOrder};
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::services::discussions::{self, DiscussionEdit, DiscussionWithComments, NewDiscussion};
use crate::services::rate_limit;
use crate::state::AppState;
use crate::views::DiscussionView;

#[derive(Serialize, ToSchema)]
pub struct DiscussionPage {
    pub discussions: Vec<DiscussionView>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

#[derive(Deserialize, ToSchema)]
pub struct NewDiscussionRequest {
    /// 3–200 characters.
    #[schema(
        min_length = 3,
        max_length = 200,
        pattern = r"^[^\s\x00-\x1f\x7f-\x9f](?:[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f])?$"
    )]
    pub title: String,
    /// Markdown, up to 50,000 characters.
    #[schema(
        min_length = 1,
        max_length = 50000,
        pattern = r"[^\s\x00-\x1f\x7f-\x9f]"
    )]
    pub body: String,
    /// A poll to start the discussion with.
    pub poll: Option<super::polls::NewPollRequest>,
}

#[utoipa::path(get, path = "/api/v1/zones/{slug}/discussions", tag = "discussions",
    params(("slug" = String, Path), ("sort" = Option<String>, Query, description = "latest, top or active", pattern = r"^(latest|top|active)?$"),
        ("page" = Option<u64>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u64>, Query, description = "1–100, default 20", minimum = 1, maximum = 100)),
    responses((status = 200, body = DiscussionPage), (status = 400, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn list(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let sort = SortOrder::parse(query.get("sort").map(String::as_str))?;
    let paging = Paging::parse(
        query.get("page").map(String::as_str),
        query.get("per_page").map(String::as_str),
    )?;
    let actor = viewer.actor();
    let (items, total) = discussions::list(&state.db, &path, sort, paging, actor.as_ref()).await?;
    Ok(HttpResponse::Ok().json(DiscussionPage {
        discussions: items,
        page: paging.page,
        per_page: paging.per_page,
        total,
    }))
}

#[utoipa::path(post, path = "/api/v1/zones/{slug}/discussions", tag = "discussions",
    params(("slug" = String, Path)), request_body = NewDiscussionRequest,
    responses((status = 201, body = DiscussionView), (status = 400, body = ErrorResponse),
        (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 429, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    path: web::Path<String>,
    me: CurrentMember,
    ApiJson(body): ApiJson<NewDiscussionRequest>,
) -> AppResult<HttpResponse> {
    let mut new = NewDiscussion::parse(&body.title, &body.body)?;
    if let Some(poll) = &body.poll {
        new.poll = Some(poll.parse()?);
    }
    rate_limit::posting(&state.db, state.settings.rate_limits_on(), &me.actor).await?;
    let view = discussions::create(&state.db, &path, &me.actor, new).await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Deserialize, ToSchema)]
pub struct DiscussionEditRequest {
    #[schema(
        min_length = 3,
        max_length = 200,
        pattern = r"^[^\s\x00-\x1f\x7f-\x9f](?:[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f])?$"
    )]
    pub title: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 50000,
        pattern = r"[^\s\x00-\x1f\x7f-\x9f]"
    )]
    pub body: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct LockRequest {
    pub locked: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct PinRequest {
    pub pinned: bool,
}

#[utoipa::path(get, path = "/api/v1/discussions/{id}", tag = "discussions",
    params(("id" = i32, Path), ("after" = Option<i32>, Query, minimum = 1, description = "a comment's id: the comments after it in thread order (the next page)")),
    responses((status = 200, body = DiscussionWithComments), (status = 400, body = ErrorResponse), (status = 404, description = "no such discussion, or `after` is not one of its comments", body = ErrorResponse)))]
pub async fn show(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    query: web::Query<HashMap<String, String>>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let after = crate::domain::parse_after(query.get("after").map(String::as_str))?;
    if viewer.member.is_none() {
        let body = discussions::visitor_json(state.reader(), *id, after).await?;
        return Ok(HttpResponse::Ok()
            .content_type(actix_web::http::header::ContentType::json())
            .body(body));
    }
    let (page, _) = discussions::page(state.reader(), *id, viewer.actor().as_ref(), after).await?;
    Ok(HttpResponse::Ok().json(page))
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
