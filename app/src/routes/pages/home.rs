//! Home and zone pages.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};

use actix_web::http::StatusCode;

use super::render::{base_context, html_page, render};
use crate::auth::MaybeMember;
use crate::domain::{Paging, SortOrder};
use crate::error::AppResult;
use crate::services::{discussions, zones};
use crate::state::AppState;

pub async fn home(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let mut ctx = base_context(&state, &req, &viewer, "Quorum").await?;
    // The home page is the one that shows how many discussions each zone has.
    ctx.insert("nav_zones", &zones::list(&state.db).await?);
    ctx.insert("latest", &discussions::latest(&state.db, 15).await?);
    render(&state, "home.html", &ctx)
}

pub async fn zone(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let sort = SortOrder::parse(query.get("sort").map(String::as_str))?;
    let paging = Paging::parse(query.get("page").map(String::as_str), None)?;
    // A visitor's zone page is the same for every visitor: rendered once per stamp, and
    // kept under what it shows (not the raw query, which anyone can vary).
    let visitor = match viewer.member {
        None => zones::stamp(&state.db, &path).await?.map(|stamp| {
            let key = format!("zone:{}:{}:{}", path.as_str(), sort.as_str(), paging.page);
            (key, stamp)
        }),
        Some(_) => None,
    };
    if let Some((key, stamp)) = &visitor
        && let Some(body) = state.threads.page(key, *stamp)
    {
        return Ok(html_page(StatusCode::OK, body));
    }
    let zone = zones::find(&state.db, &path).await?;
    let actor = viewer.actor();
    let (items, total) =
        discussions::list_in(&state.db, &zone, sort, paging, actor.as_ref()).await?;
    let pages = total.div_ceil(paging.per_page).max(1);
    let mut ctx = base_context(&state, &req, &viewer, &zone.name).await?;
    ctx.insert(
        "zone",
        &serde_json::json!({
            "slug": zone.slug, "name": zone.name, "description": zone.description,
        }),
    );
    ctx.insert("discussions", &items);
    ctx.insert("sort", sort.as_str());
    ctx.insert("page", &paging.page);
    ctx.insert("pages", &pages);
    ctx.insert("total", &total);
    let experts = crate::services::leaderboard::top(
        &state.db,
        crate::services::leaderboard::Period::All,
        Some(zone.id),
        5,
        chrono::Utc::now(),
    )
    .await?;
    ctx.insert("experts", &experts);
    let live = crate::services::live::views::of_zone_in(&state.db, &zone, actor.as_ref()).await?;
    ctx.insert("live", &live);
    let quizzes = crate::services::quizzes::list(&state.db, Some(zone.id), None).await?;
    ctx.insert("quizzes", &quizzes);
    let follow = crate::services::follows::state(
        &state.db,
        actor.as_ref(),
        crate::services::follows::Followed::Zone(zone.id),
    )
    .await?;
    ctx.insert("follow", &follow);
    ctx.insert("follow_action", &format!("/zones/{}/follow", zone.slug));
    let html = actix_web::web::Bytes::from(state.templates.render("zone.html", &ctx)?);
    if let Some((key, stamp)) = visitor {
        state.threads.keep_page(key, stamp, html.clone());
    }
    Ok(html_page(StatusCode::OK, html))
}
