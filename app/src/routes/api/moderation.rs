//! Trust and safety: flags, the review queue, suspensions and edit history.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::auth::{CurrentMember, MaybeMember};
use crate::domain::Post;
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::services::moderation::{
    self, Decision, FlagCreated, FlagTarget, MyFlags, NewFlag, Removal, ReviewItem, ReviewList,
};
use crate::services::revisions::{self, RevisionList};
use crate::services::suspensions::{self, MemberSuspension, NewSuspension};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct FlagRequest {
    /// Why: `other` is "needs a moderator's look" (say what in `note`).
    #[schema(pattern = "^(off_topic|inappropriate|spam|other)$")]
    pub reason: String,
    /// What the moderators should look at; up to 500 characters, no control characters
    /// but line breaks.
    #[schema(max_length = 500, pattern = r"^[^\x00-\x09\x0b-\x1f\x7f-\x9f]*$")]
    pub note: Option<String>,
}

async fn flag(
    state: &AppState,
    me: &CurrentMember,
    on: FlagTarget,
    body: &FlagRequest,
) -> AppResult<HttpResponse> {
    let new = NewFlag::parse(&body.reason, body.note.as_deref())?;
    let created = moderation::flag(&state.db, &me.actor, on, new).await?;
    Ok(HttpResponse::Created().json(created))
}

#[utoipa::path(post, path = "/api/v1/discussions/{id}/flags", tag = "moderation", params(("id" = i32, Path)),
    request_body = FlagRequest,
    responses((status = 201, description = "Flagged; enough flags hide the post at once, pending review", body = FlagCreated),
        (status = 403, description = "`self_flag`, `silenced` or `email_unverified`", body = ErrorResponse),
        (status = 409, description = "`already_flagged`", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn flag_discussion(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<FlagRequest>,
) -> AppResult<HttpResponse> {
    flag(&state, &me, FlagTarget::Discussion(*id), &body).await
}

#[utoipa::path(post, path = "/api/v1/comments/{id}/flags", tag = "moderation", params(("id" = i32, Path)),
    request_body = FlagRequest,
    responses((status = 201, description = "Flagged; enough flags hide the post at once, pending review", body = FlagCreated),
        (status = 403, description = "`self_flag`, `silenced` or `email_unverified`", body = ErrorResponse),
        (status = 409, description = "`already_flagged`", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn flag_comment(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<FlagRequest>,
) -> AppResult<HttpResponse> {
    flag(&state, &me, FlagTarget::Comment(*id), &body).await
}

#[utoipa::path(post, path = "/api/v1/questions/{id}/flags", tag = "moderation", params(("id" = i32, Path)),
    request_body = FlagRequest,
    responses((status = 201, description = "Flagged; enough flags hide the question at once, pending review", body = FlagCreated),
        (status = 403, description = "`self_flag`, `silenced` or `email_unverified`", body = ErrorResponse),
        (status = 409, description = "`already_flagged`", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn flag_question(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<FlagRequest>,
) -> AppResult<HttpResponse> {
    flag(&state, &me, FlagTarget::Question(*id), &body).await
}

#[utoipa::path(get, path = "/api/v1/me/flags", tag = "moderation",
    responses((status = 200, description = "The member's flags, newest first, with their outcomes", body = MyFlags)),
    security(("bearer" = [])))]
pub async fn my_flags(state: web::Data<AppState>, me: CurrentMember) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(moderation::mine(&state.db, &me.actor).await?))
}

#[utoipa::path(get, path = "/api/v1/review", tag = "moderation",
    params(("status" = Option<String>, Query, description = "pending (the default), agreed, disagreed, deferred or all", pattern = "^(pending|agreed|disagreed|deferred|all)?$"),
        ("sort" = Option<String>, Query, description = "newest (the default: most recently flagged first) or most_flagged", pattern = "^(newest|most_flagged)?$")),
    responses((status = 200, description = "The review queue, at most 100 items", body = ReviewList),
        (status = 403, description = "moderators only", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn review(
    state: web::Data<AppState>,
    me: CurrentMember,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let (status, order) = moderation::queue_params(&query)?;
    Ok(HttpResponse::Ok().json(moderation::queue(&state.db, &me.actor, status, order).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct SuspensionRequest {
    #[schema(pattern = "^(silence|suspend)$")]
    pub kind: String,
    /// When it ends: an RFC 3339 time (or a date, `YYYY-MM-DD`, ending as that day
    /// begins, UTC). A time already past suspends nobody.
    #[schema(format = DateTime)]
    pub until: String,
    /// What the member is told; 1–500 characters on one line.
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionRequest {
    #[schema(pattern = "^(agree|disagree|defer)$")]
    pub decision: String,
    /// When agreeing: `hide` (the default) or `delete`.
    #[schema(pattern = "^(hide|delete)$")]
    pub action: Option<String>,
    /// When agreeing: also silence or suspend the author.
    pub suspend: Option<SuspensionRequest>,
}

impl SuspensionRequest {
    pub fn parse(&self) -> AppResult<NewSuspension> {
        NewSuspension::parse(&self.kind, &self.until, &self.reason)
    }
}

#[utoipa::path(post, path = "/api/v1/review/{id}", tag = "moderation", params(("id" = i32, Path)),
    request_body = DecisionRequest,
    responses((status = 200, description = "Decided; the flaggers and the author are notified", body = ReviewItem),
        (status = 403, description = "moderators only; `outranks_actor` for a suspension beyond the moderator's role", body = ErrorResponse),
        (status = 409, description = "`already_decided`", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn decide(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<DecisionRequest>,
) -> AppResult<HttpResponse> {
    let decision = Decision::parse(&body.decision)?;
    let removal = body.action.as_deref().map(Removal::parse).transpose()?;
    let suspend = body
        .suspend
        .as_ref()
        .map(SuspensionRequest::parse)
        .transpose()?;
    let item = moderation::decide(&state.db, &me.actor, *id, decision, removal, suspend).await?;
    Ok(HttpResponse::Ok().json(item))
}

#[utoipa::path(post, path = "/api/v1/members/{username}/suspension", tag = "moderation",
    params(("username" = String, Path)),
    request_body = SuspensionRequest,
    responses((status = 200, description = "Silenced or suspended; a suspension ends the member's sessions and tokens", body = MemberSuspension),
        (status = 403, description = "moderators only; `outranks_actor`", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn suspend(
    state: web::Data<AppState>,
    path: web::Path<String>,
    me: CurrentMember,
    ApiJson(body): ApiJson<SuspensionRequest>,
) -> AppResult<HttpResponse> {
    let new = body.parse()?;
    let member = suspensions::suspend(&state.db, &me.actor, &path, new).await?;
    Ok(HttpResponse::Ok().json(MemberSuspension::of(&member)))
}

#[utoipa::path(delete, path = "/api/v1/members/{username}/suspension", tag = "moderation",
    params(("username" = String, Path)),
    responses((status = 200, description = "Lifted", body = MemberSuspension),
        (status = 403, description = "moderators only; `outranks_actor`", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn lift_suspension(
    state: web::Data<AppState>,
    path: web::Path<String>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    let member = suspensions::lift(&state.db, &me.actor, &path).await?;
    Ok(HttpResponse::Ok().json(MemberSuspension::of(&member)))
}

#[utoipa::path(get, path = "/api/v1/discussions/{id}/revisions", tag = "discussions", params(("id" = i32, Path)),
    responses((status = 200, description = "Every version, oldest first; the last is the current text", body = RevisionList),
        (status = 404, body = ErrorResponse)))]
pub async fn discussion_revisions(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let list = revisions::list(&state.db, Post::Discussion(*id), viewer.actor().as_ref()).await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(get, path = "/api/v1/comments/{id}/revisions", tag = "comments", params(("id" = i32, Path)),
    responses((status = 200, description = "Every version, oldest first; the last is the current text", body = RevisionList),
        (status = 404, body = ErrorResponse)))]
pub async fn comment_revisions(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let list = revisions::list(&state.db, Post::Comment(*id), viewer.actor().as_ref()).await?;
    Ok(HttpResponse::Ok().json(list))
}
