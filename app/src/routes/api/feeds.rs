//! Atom feeds: `/api/v1/feeds/latest.atom`, `/api/v1/zones/{slug}/feed.atom`,
//! `/api/v1/discussions/{id}/feed.atom`, `/api/v1/members/{username}/feed.atom`,
//! `/api/v1/updates/feed.atom`. The
//! pages serve the same feeds beside themselves (`/zones/{slug}/feed.atom`…), which is
//! where their auto-discovery links point.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::doc::ErrorResponse;
use crate::error::AppResult;
use crate::services::feeds::{self, Feed};
use crate::state::AppState;
use crate::views::atom;

fn answer(state: &AppState, feed: Feed) -> AppResult<HttpResponse> {
    let xml = atom::render(feed, &state.settings.base_url())?;
    Ok(HttpResponse::Ok()
        .content_type(atom::CONTENT_TYPE)
        // Private: at the pages' addresses the answer may set the CSRF cookie, which a
        // shared cache must not hand to others.
        .insert_header((header::CACHE_CONTROL, "private, max-age=60"))
        .body(xml))
}

#[utoipa::path(get, path = "/api/v1/feeds/latest.atom", tag = "feeds",
    responses((status = 200, description = "Atom 1.0: the 30 newest discussions in every zone", content_type = "application/atom+xml", body = String)))]
pub async fn latest(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    answer(&state, feeds::latest(&state.db).await?)
}

#[utoipa::path(get, path = "/api/v1/updates/feed.atom", tag = "feeds",
    responses((status = 200, description = "Atom 1.0: the 30 newest leadership updates", content_type = "application/atom+xml", body = String)))]
pub async fn updates(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    answer(&state, feeds::updates(&state.db).await?)
}

#[utoipa::path(get, path = "/api/v1/zones/{slug}/feed.atom", tag = "feeds",
    params(("slug" = String, Path)),
    responses((status = 200, description = "Atom 1.0: the zone's 30 newest discussions", content_type = "application/atom+xml", body = String),
        (status = 404, description = "no such zone", body = ErrorResponse)))]
pub async fn zone(state: web::Data<AppState>, slug: web::Path<String>) -> AppResult<HttpResponse> {
    answer(&state, feeds::zone(&state.db, &slug).await?)
}

#[utoipa::path(get, path = "/api/v1/discussions/{id}/feed.atom", tag = "feeds",
    params(("id" = i32, Path)),
    responses((status = 200, description = "Atom 1.0: the discussion's 30 newest replies, and the discussion", content_type = "application/atom+xml", body = String),
        (status = 404, description = "no such discussion, or it is hidden or deleted", body = ErrorResponse)))]
pub async fn discussion(state: web::Data<AppState>, id: web::Path<i32>) -> AppResult<HttpResponse> {
    answer(&state, feeds::discussion(&state.db, *id).await?)
}

#[utoipa::path(get, path = "/api/v1/members/{username}/feed.atom", tag = "feeds",
    params(("username" = String, Path)),
    responses((status = 200, description = "Atom 1.0: the member's 30 newest discussions and replies", content_type = "application/atom+xml", body = String),
        (status = 404, description = "no such member", body = ErrorResponse)))]
pub async fn member(
    state: web::Data<AppState>,
    username: web::Path<String>,
) -> AppResult<HttpResponse> {
    answer(&state, feeds::member(&state.db, &username).await?)
}

/// The same feeds at the pages' addresses.
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/feeds/latest.atom", web::get().to(latest))
        .route("/updates/feed.atom", web::get().to(updates))
        .route("/zones/{slug}/feed.atom", web::get().to(zone))
        .route("/discussions/{id}/feed.atom", web::get().to(discussion))
        .route("/members/{username}/feed.atom", web::get().to(member));
}
