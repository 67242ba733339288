//! Follows and the Following feed: `/api/v1/members/{username}/follow`,
//! `/api/v1/zones/{slug}/follow`, `/api/v1/me/following`, `/api/v1/feed`.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};

use super::discussions::DiscussionPage;
use super::doc::ErrorResponse;
use crate::auth::{CurrentMember, MaybeMember};
use crate::domain::Paging;
use crate::error::AppResult;
use crate::services::follows::{self, FollowState, Followed, Following};
use crate::services::{accounts, zones};
use crate::state::AppState;

async fn member_target(state: &AppState, username: &str) -> AppResult<Followed> {
    Ok(Followed::Member(
        accounts::find_by_username(&state.db, username).await?.id,
    ))
}

async fn zone_target(state: &AppState, slug: &str) -> AppResult<Followed> {
    Ok(Followed::Zone(zones::find(&state.db, slug).await?.id))
}

#[utoipa::path(get, path = "/api/v1/members/{username}/follow", tag = "follows", params(("username" = String, Path)),
    responses((status = 200, body = FollowState), (status = 404, body = ErrorResponse)))]
pub async fn member_state(
    state: web::Data<AppState>,
    username: web::Path<String>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let target = member_target(&state, &username).await?;
    let actor = viewer.actor();
    Ok(HttpResponse::Ok().json(follows::state(&state.db, actor.as_ref(), target).await?))
}

/// Follow a member: their new discussions reach your feed and notifications.
#[utoipa::path(put, path = "/api/v1/members/{username}/follow", tag = "follows", params(("username" = String, Path)),
    responses((status = 200, body = FollowState), (status = 400, description = "`self_follow`", body = ErrorResponse),
        (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn follow_member(
    state: web::Data<AppState>,
    username: web::Path<String>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    let target = member_target(&state, &username).await?;
    Ok(HttpResponse::Ok().json(follows::set(&state.db, &me.actor, target, true).await?))
}

#[utoipa::path(delete, path = "/api/v1/members/{username}/follow", tag = "follows", params(("username" = String, Path)),
    responses((status = 200, body = FollowState), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn unfollow_member(
    state: web::Data<AppState>,
    username: web::Path<String>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    let target = member_target(&state, &username).await?;
    Ok(HttpResponse::Ok().json(follows::set(&state.db, &me.actor, target, false).await?))
}

/// Follow a zone: its new discussions reach your feed.
#[utoipa::path(put, path = "/api/v1/zones/{slug}/follow", tag = "follows", params(("slug" = String, Path)),
    responses((status = 200, body = FollowState), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn follow_zone(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    let target = zone_target(&state, &slug).await?;
    Ok(HttpResponse::Ok().json(follows::set(&state.db, &me.actor, target, true).await?))
}

#[utoipa::path(delete, path = "/api/v1/zones/{slug}/follow", tag = "follows", params(("slug" = String, Path)),
    responses((status = 200, body = FollowState), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn unfollow_zone(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    let target = zone_target(&state, &slug).await?;
    Ok(HttpResponse::Ok().json(follows::set(&state.db, &me.actor, target, false).await?))
}

#[utoipa::path(get, path = "/api/v1/me/following", tag = "follows",
    responses((status = 200, body = Following), (status = 401, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn following(state: web::Data<AppState>, me: CurrentMember) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(follows::following(&state.db, &me.actor).await?))
}

/// New discussions from the members and zones you follow, newest first.
#[utoipa::path(get, path = "/api/v1/feed", tag = "follows",
    params(("page" = Option<u64>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u64>, Query, description = "1–100, default 20", minimum = 1, maximum = 100)),
    responses((status = 200, body = DiscussionPage), (status = 401, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn feed(
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    let paging = Paging::parse(
        query.get("page").map(String::as_str),
        query.get("per_page").map(String::as_str),
    )?;
    let (discussions, total) = follows::feed(&state.db, &me.actor, paging).await?;
    Ok(HttpResponse::Ok().json(DiscussionPage {
        discussions,
        page: paging.page,
        per_page: paging.per_page,
        total,
    }))
}
