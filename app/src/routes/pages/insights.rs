//! The insights page: participation, leader responsiveness and reach, each chart with a
//! table beside it.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;

use super::render::{base_context, render};
use crate::auth::{CurrentMember, MaybeMember};
use crate::error::AppResult;
use crate::services::insights::{self, Overview, Period};
use crate::state::AppState;
use crate::views::charts::{self, Series};

/// Counts as the charts take them.
fn f(v: Option<u64>) -> Option<f64> {
    // Community counts are far below 2^52: exact as f64.
    #[allow(clippy::cast_precision_loss)]
    v.map(|n| n as f64)
}

/// The charts of an overview, as SVG.
fn charts(o: &Overview) -> serde_json::Value {
    let weeks = &o.participation.weeks;
    let labels: Vec<String> = weeks
        .iter()
        .map(|w| w.start.format("%-d %b").to_string())
        .collect();
    let activity = charts::lines(
        "chart-activity",
        "Weekly active members and contributors",
        &labels,
        &[
            Series {
                name: "Active",
                values: weeks.iter().map(|w| f(w.active)).collect(),
            },
            Series {
                name: "Contributors",
                values: weeks.iter().map(|w| f(w.contributors)).collect(),
            },
        ],
    );
    // The funnel of the last whole week (this one is still going).
    let week = weeks.iter().rev().nth(1).or(weeks.last());
    let mut steps = Vec::new();
    if let Some(headcount) = o.participation.headcount {
        steps.push(("Staff".to_string(), Some(f64::from(headcount))));
    }
    if let Some(w) = week {
        steps.extend([
            ("Registered".to_string(), f(w.registered)),
            ("Active".to_string(), f(w.active)),
            ("Contributors".to_string(), f(w.contributors)),
            ("Creators".to_string(), f(w.creators)),
        ]);
    }
    let funnel = charts::funnel(
        "chart-funnel",
        &format!(
            "Participation funnel, week of {}",
            week.map(|w| w.start.to_string()).unwrap_or_default()
        ),
        &steps,
    );
    // The same weeks as the funnel's, in the same order.
    let replies = charts::bars(
        "chart-replies",
        "Median minutes to a leader's first reply, by the week discussions started",
        &labels,
        &o.leaders
            .weeks
            .iter()
            .map(|w| w.median_first_reply_minutes)
            .collect::<Vec<_>>(),
    );
    serde_json::json!({"activity": activity, "funnel": funnel, "replies": replies,
        "funnel_week": week.map(|w| w.start)})
}

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    me: CurrentMember,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let period = Period::for_reader(&me.actor, &query)?;
    let overview = insights::overview(&state.db, &period, Utc::now()).await?;
    let mut ctx = base_context(&state, &req, &viewer, "Insights").await?;
    ctx.insert("charts", &charts(&overview));
    ctx.insert(
        "since",
        &overview.leaders.since.format("%-d %B %Y").to_string(),
    );
    ctx.insert("o", &overview);
    ctx.insert("weeks", &period.weeks());
    ctx.insert("zone_slug", period.zone().unwrap_or(""));
    let mut qs = url::form_urlencoded::Serializer::new(String::new());
    qs.append_pair("weeks", &period.weeks().to_string());
    if let Some(zone) = period.zone() {
        qs.append_pair("zone", zone);
    }
    ctx.insert("csv_query", &qs.finish());
    render(&state, "insights.html", &ctx)
}
