//! Insights for leaders, moderators and admins: participation, leader responsiveness,
//! reach; the first two as CSV too.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use chrono::Utc;

use super::doc::ErrorResponse;
use crate::auth::CurrentMember;
use crate::error::AppResult;
use crate::services::insights::{self, LeaderInsights, Participation, Period, Reach};
use crate::state::AppState;

fn csv(body: String, name: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .body(body)
}

#[utoipa::path(get, path = "/api/v1/insights/participation", tag = "insights",
    params(("weeks" = Option<u32>, Query, description = "how many weeks back, this one included: 1–52, default 12", minimum = 1, maximum = 52),
        ("zone" = Option<String>, Query, description = "a zone's slug: activity in that zone only")),
    responses((status = 200, description = "The funnel per week; null counts are fewer than 5 members", body = Participation),
        (status = 400, body = ErrorResponse), (status = 403, description = "leaders, moderators and admins only", body = ErrorResponse),
        (status = 404, description = "no such zone", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn participation(
    state: web::Data<AppState>,
    me: CurrentMember,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let period = Period::for_reader(&me.actor, &query)?;
    Ok(HttpResponse::Ok().json(insights::participation(&state.db, &period, Utc::now()).await?))
}

#[utoipa::path(get, path = "/api/v1/insights/participation.csv", tag = "insights",
    params(("weeks" = Option<u32>, Query, minimum = 1, maximum = 52), ("zone" = Option<String>, Query)),
    responses((status = 200, description = "week_start,registered,active,readers,contributors,creators; `<5` for fewer than 5", content_type = "text/csv", body = String),
        (status = 400, body = ErrorResponse), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn participation_csv(
    state: web::Data<AppState>,
    me: CurrentMember,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let period = Period::for_reader(&me.actor, &query)?;
    let p = insights::participation(&state.db, &period, Utc::now()).await?;
    Ok(csv(insights::participation_csv(&p), "participation.csv"))
}

#[utoipa::path(get, path = "/api/v1/insights/leaders", tag = "insights",
    params(("weeks" = Option<u32>, Query, description = "1–52, default 12", minimum = 1, maximum = 52),
        ("zone" = Option<String>, Query, description = "a zone's slug")),
    responses((status = 200, description = "Leader responsiveness and live Q&A over the period", body = LeaderInsights),
        (status = 400, body = ErrorResponse), (status = 403, description = "leaders, moderators and admins only", body = ErrorResponse),
        (status = 404, description = "no such zone", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn leaders(
    state: web::Data<AppState>,
    me: CurrentMember,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let period = Period::for_reader(&me.actor, &query)?;
    Ok(HttpResponse::Ok().json(insights::leaders(&state.db, &period, Utc::now()).await?))
}

#[utoipa::path(get, path = "/api/v1/insights/leaders.csv", tag = "insights",
    params(("weeks" = Option<u32>, Query, minimum = 1, maximum = 52), ("zone" = Option<String>, Query)),
    responses((status = 200, description = "username,display_name,discussions_replied,share_replied,median_first_reply_minutes", content_type = "text/csv", body = String),
        (status = 400, body = ErrorResponse), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn leaders_csv(
    state: web::Data<AppState>,
    me: CurrentMember,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let period = Period::for_reader(&me.actor, &query)?;
    let l = insights::leaders(&state.db, &period, Utc::now()).await?;
    Ok(csv(insights::leaders_csv(&l), "leaders.csv"))
}

#[utoipa::path(get, path = "/api/v1/insights/reach", tag = "insights",
    params(("weeks" = Option<u32>, Query, description = "1–52, default 12", minimum = 1, maximum = 52),
        ("zone" = Option<String>, Query, description = "a zone's slug")),
    responses((status = 200, description = "The most read and most discussed discussions and the busiest live sessions of the period", body = Reach),
        (status = 400, body = ErrorResponse), (status = 403, description = "leaders, moderators and admins only", body = ErrorResponse),
        (status = 404, description = "no such zone", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn reach(
    state: web::Data<AppState>,
    me: CurrentMember,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let period = Period::for_reader(&me.actor, &query)?;
    Ok(HttpResponse::Ok().json(insights::reach(&state.db, &period, Utc::now()).await?))
}
