//! Home and zone pages.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};

use actix_web::http::StatusCode;

use super::render::{base_context, html_page, render};
use crate::auth::MaybeMember;
use crate::domain::{Paging, Role, SortOrder};
use crate::error::{AppError, AppResult};
use crate::services::{discussions, updates, zones};
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
    ctx.insert("updates", &updates::newest(&state.db, 3).await?);
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
    let head = zones::head(&state.db, &path)
        .await?
        .ok_or_else(|| AppError::not_found("Zone"))?;
    // A visitor's zone page is the same for every visitor: rendered once per stamp, and
    // kept under what it shows (not the raw query, which anyone can vary).
    let page_key = viewer
        .member
        .is_none()
        .then(|| format!("zone:{}:{}:{}", head.slug, sort.as_str(), paging.page));
    if let Some(key) = &page_key
        && let Some(body) = state.threads.page(key, head.stamp)
    {
        return Ok(html_page(StatusCode::OK, body));
    }
    let actor = viewer.actor();
    let listing = listing_html(&state, &head, sort, paging, actor.as_ref()).await?;
    let mut ctx = base_context(&state, &req, &viewer, &head.name).await?;
    ctx.insert(
        "zone",
        &serde_json::json!({
            "slug": head.slug, "name": head.name, "description": head.description,
        }),
    );
    // The listing goes in after the page is rendered, in place of a stand-in.
    ctx.insert("listing_html", state.threads.thread_slot());
    let follow = crate::services::follows::state(
        &state.db,
        actor.as_ref(),
        crate::services::follows::Followed::Zone(head.id),
    )
    .await?;
    ctx.insert("follow", &follow);
    ctx.insert("follow_action", &format!("/zones/{}/follow", head.slug));
    let page = state.templates.render("zone.html", &ctx)?;
    let (before, after) = page
        .split_once(state.threads.thread_slot())
        .unwrap_or((&page, ""));
    let mut html = Vec::with_capacity(before.len() + listing.len() + after.len());
    html.extend_from_slice(before.as_bytes());
    html.extend_from_slice(&listing);
    html.extend_from_slice(after.as_bytes());
    let html = actix_web::web::Bytes::from(html);
    if let Some(key) = page_key {
        state.threads.keep_page(key, head.stamp, html.clone());
    }
    Ok(html_page(StatusCode::OK, html))
}

/// A zone's listing, sessions, quizzes and experts (`zone_listing.html`) as a reader of
/// this kind sees it. Visitors, members and leaders each see one the same for all of
/// their kind, kept per zone stamp; a moderator's (with hidden discussions) is rendered
/// for them.
async fn listing_html(
    state: &AppState,
    head: &zones::ZoneHead,
    sort: SortOrder,
    paging: Paging,
    actor: Option<&crate::services::Actor>,
) -> AppResult<actix_web::web::Bytes> {
    let leader = actor.is_some_and(|a| a.role >= Role::Leader);
    let kind = match actor {
        None => Some("visitor"),
        Some(a) if a.role.can_moderate() => None,
        Some(_) if leader => Some("leader"),
        Some(_) => Some("member"),
    };
    let key = kind.map(|kind| {
        format!(
            "zone-listing:{}:{}:{}:{kind}",
            head.slug,
            sort.as_str(),
            paging.page
        )
    });
    if let Some(key) = &key
        && let Some(kept) = state.threads.page(key, head.stamp)
    {
        return Ok(kept);
    }
    // Read as every reader of the kind sees it: as a visitor but for moderators.
    let reader = if kind.is_some() { None } else { actor };
    let zone = zones::find(&state.db, &head.slug).await?;
    let (items, total) = discussions::list_in(&state.db, &zone, sort, paging, reader).await?;
    let experts = crate::services::leaderboard::top(
        &state.db,
        crate::services::leaderboard::Period::All,
        Some(zone.id),
        5,
        chrono::Utc::now(),
    )
    .await?;
    let live = crate::services::live::views::of_zone_in(&state.db, &zone, reader).await?;
    let quizzes = crate::services::quizzes::list(&state.db, Some(zone.id), None).await?;
    let mut ctx = tera::Context::new();
    ctx.insert(
        "zone",
        &serde_json::json!({"slug": zone.slug, "name": zone.name}),
    );
    ctx.insert("discussions", &items);
    ctx.insert("sort", sort.as_str());
    ctx.insert("page", &paging.page);
    ctx.insert("pages", &total.div_ceil(paging.per_page).max(1));
    ctx.insert("total", &total);
    ctx.insert("experts", &experts);
    ctx.insert("live", &live);
    ctx.insert("quizzes", &quizzes);
    ctx.insert("signed_in", &actor.is_some());
    ctx.insert("leader", &leader);
    let html = actix_web::web::Bytes::from(state.templates.render("zone_listing.html", &ctx)?);
    if let Some(key) = key {
        state.threads.keep_page(key, head.stamp, html.clone());
    }
    Ok(html)
}
