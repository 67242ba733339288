//! The leaderboard page.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;

use super::render::{base_context, render};
use crate::auth::MaybeMember;
use crate::error::AppResult;
use crate::services::leaderboard::{self, Period};
use crate::services::zones;
use crate::state::AppState;

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let period = Period::parse(query.get("period").map(String::as_str))?;
    let zone = match query
        .get("zone")
        .map(|z| z.trim())
        .filter(|z| !z.is_empty())
    {
        Some(slug) => Some(zones::find(&state.db, slug).await?),
        None => None,
    };
    let entries = leaderboard::top(
        &state.db,
        period,
        zone.as_ref().map(|z| z.id),
        50,
        Utc::now(),
    )
    .await?;
    let mut ctx = base_context(&state, &req, &viewer, "Leaderboard").await?;
    ctx.insert("entries", &entries);
    ctx.insert("period", period.as_str());
    ctx.insert(
        "zone_slug",
        &zone.as_ref().map(|z| z.slug.clone()).unwrap_or_default(),
    );
    render(&state, "reputation/leaderboard.html", &ctx)
}
