//! A member's reputation and its ledger; leaderboards.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::error::AppResult;
use crate::services::leaderboard::{self, Entry, Period};
use crate::services::{accounts, ledger, zones};
use crate::state::AppState;

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

#[utoipa::path(get, path = "/api/v1/members/{username}/reputation", tag = "reputation", params(("username" = String, Path)),
    responses((status = 200, body = ReputationView), (status = 404, body = ErrorResponse)))]
pub async fn member_reputation(
    state: web::Data<AppState>,
    path: web::Path<String>,
    viewer: crate::auth::MaybeMember,
) -> AppResult<HttpResponse> {
    let member = accounts::find_by_username(&state.db, &path).await?;
    let me = viewer.member.as_ref().map(|m| m.id);
    let events = ledger::visible_events(&state.db, member.id, me, None).await?;
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
    params(("period" = Option<String>, Query, description = "week, month, year or all (default)", pattern = r"^(week|month|year|all)?$"),
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
