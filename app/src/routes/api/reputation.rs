//! Votes, recognition, reputation, leaderboards, badges and notifications.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{CurrentMember, MaybeMember};
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;
use crate::routes::api::ErrorResponse;
use crate::services::leaderboard::{self, Entry, Period};
use crate::services::notifications::{self, NotificationList};
use crate::services::reputation::{self, Target, VoteOutcome, VoteValue};
use crate::services::{accounts, badges, comments, discussions, zones};
use crate::state::AppState;
use crate::views::{CommentView, DiscussionView, MemberRef};

#[derive(Deserialize, ToSchema)]
pub struct VoteRequest {
    /// 1 (up), -1 (down) or 0 (clear).
    pub value: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ReputationEventView {
    pub kind: String,
    pub points: i32,
    pub discussion_id: Option<i32>,
    pub comment_id: Option<i32>,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ReputationView {
    pub reputation: i32,
    pub events: Vec<ReputationEventView>,
}

#[derive(Serialize, ToSchema)]
pub struct Leaderboard {
    pub entries: Vec<Entry>,
}

#[derive(Deserialize, ToSchema)]
pub struct MarkReadRequest {
    pub ids: Option<Vec<i32>>,
    pub all: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct BadgeInfo {
    pub slug: String,
    pub name: String,
    pub tier: String,
    pub description: String,
    pub holders: Vec<MemberRef>,
}

#[derive(Serialize, ToSchema)]
pub struct BadgeList {
    pub badges: Vec<BadgeInfo>,
}

async fn cast(
    state: &AppState,
    me: &CurrentMember,
    target: Target,
    value: i64,
) -> AppResult<HttpResponse> {
    let value = VoteValue::parse(value)?;
    let outcome = reputation::vote(&state.db, &me.actor, target, value, Utc::now()).await?;
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
    cast(&state, &me, Target::Discussion(*id), body.value).await
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
    cast(&state, &me, Target::Comment(*id), body.value).await
}

/// Recognises (or withdraws) and answers with the item as the member now sees it.
async fn recognition(
    state: &AppState,
    me: &CurrentMember,
    target: Target,
    on: bool,
) -> AppResult<HttpResponse> {
    reputation::recognize(&state.db, &me.actor, target, on, Utc::now()).await?;
    Ok(match target {
        Target::Discussion(id) => HttpResponse::Ok().json(discussion_view(state, id, me).await?),
        Target::Comment(id) => HttpResponse::Ok().json(comment_view(state, id, me).await?),
    })
}

async fn discussion_view(
    state: &AppState,
    id: i32,
    me: &CurrentMember,
) -> AppResult<DiscussionView> {
    discussions::read(&state.db, id, Some(&me.actor), false).await
}

async fn comment_view(state: &AppState, id: i32, me: &CurrentMember) -> AppResult<CommentView> {
    let row = comments::find(&state.db, id).await?;
    comments::thread(&state.db, row.discussion_id, Some(&me.actor))
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| AppError::not_found("Comment"))
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
    recognition(&state, &me, Target::Discussion(*id), true).await
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
    recognition(&state, &me, Target::Discussion(*id), false).await
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
    recognition(&state, &me, Target::Comment(*id), true).await
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
    recognition(&state, &me, Target::Comment(*id), false).await
}

#[utoipa::path(get, path = "/api/v1/members/{username}/reputation", tag = "reputation", params(("username" = String, Path)),
    responses((status = 200, body = ReputationView), (status = 404, body = ErrorResponse)))]
pub async fn member_reputation(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let member = accounts::find_by_username(&state.db, &path).await?;
    let events = reputation::events(&state.db, member.id, None).await?;
    Ok(HttpResponse::Ok().json(ReputationView {
        reputation: member.reputation,
        events: events
            .into_iter()
            .map(|e| ReputationEventView {
                kind: e.kind,
                points: e.points,
                discussion_id: e.discussion_id,
                comment_id: e.comment_id,
                created_at: e.created_at,
            })
            .collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/leaderboard", tag = "reputation",
    params(("period" = Option<String>, Query, description = "week, month, year or all (default)"),
        ("zone" = Option<String>, Query, description = "a zone slug")),
    responses((status = 200, body = Leaderboard), (status = 400, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn leaderboard(
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let period = Period::parse(query.get("period").map(String::as_str))?;
    let zone_id = match query
        .get("zone")
        .map(|z| z.trim())
        .filter(|z| !z.is_empty())
    {
        Some(slug) => Some(zones::find(&state.db, slug).await?.id),
        None => None,
    };
    let entries = leaderboard::top(&state.db, period, zone_id, 100, Utc::now()).await?;
    Ok(HttpResponse::Ok().json(Leaderboard { entries }))
}

#[utoipa::path(get, path = "/api/v1/badges", tag = "reputation",
    responses((status = 200, description = "Every badge and who holds it", body = BadgeList)))]
pub async fn badge_list(
    state: web::Data<AppState>,
    _viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(all_badges(&state).await?))
}

pub async fn all_badges(state: &AppState) -> AppResult<BadgeList> {
    let mut out = Vec::new();
    for badge in badges::BADGES {
        let rows = badges::holders(&state.db, badge.slug).await?;
        let members =
            crate::services::members_by_id(&state.db, rows.iter().map(|r| r.member_id)).await?;
        let mut seen = std::collections::HashSet::new();
        let holders = rows
            .iter()
            .filter(|r| seen.insert(r.member_id))
            .filter_map(|r| members.get(&r.member_id).map(MemberRef::from_model))
            .collect();
        out.push(BadgeInfo {
            slug: badge.slug.into(),
            name: badge.name.into(),
            tier: badge.tier.as_str().into(),
            description: badge.description.into(),
            holders,
        });
    }
    Ok(BadgeList { badges: out })
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications",
    responses((status = 200, body = NotificationList), (status = 401, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn notification_list(
    state: web::Data<AppState>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(notifications::list(&state.db, me.actor.id).await?))
}

#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications", request_body = MarkReadRequest,
    responses((status = 204), (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn mark_read(
    state: web::Data<AppState>,
    me: CurrentMember,
    ApiJson(body): ApiJson<MarkReadRequest>,
) -> AppResult<HttpResponse> {
    let ids = match (body.all, body.ids) {
        (Some(true), _) => None,
        (_, Some(ids)) if ids.len() > 1000 => {
            return Err(AppError::validation(
                "ids",
                "must list at most 1,000 notifications",
            ));
        }
        (_, Some(ids)) => Some(ids),
        _ => {
            return Err(AppError::validation(
                "ids",
                "or \"all\": true must be given",
            ));
        }
    };
    notifications::mark_read(&state.db, me.actor.id, ids).await?;
    Ok(HttpResponse::NoContent().finish())
}
