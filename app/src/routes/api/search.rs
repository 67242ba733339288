//! `GET /api/v1/search`.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};

use super::doc::ErrorResponse;
use crate::error::AppResult;
use crate::search::SearchResults;
use crate::services::search;
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/search", tag = "search",
    params(("q" = Option<String>, Query, description = "the words to find; every word must match, the last may be a prefix, typos are tolerated"),
        ("zone" = Option<String>, Query), ("author" = Option<String>, Query, description = "a username"),
        ("kind" = Option<String>, Query, description = "discussion, comment (a reply) or question (asked in a live Q&A session; matched on its text and answer)", pattern = r"^(discussion|comment|question)?$"),
        ("discussion" = Option<i32>, Query, description = "only the posts of this discussion", minimum = 1, maximum = 2147483647),
        ("session" = Option<i32>, Query, description = "only the questions of this live Q&A session", minimum = 1, maximum = 2147483647),
        ("from" = Option<String>, Query, format = Date, description = "written at or after: a date (2026-12-01; an RFC 3339 time works too)"),
        ("to" = Option<String>, Query, format = Date, description = "written before: a date takes in that whole day (an RFC 3339 time works too)"),
        ("recognized" = Option<bool>, Query, description = "only posts recognised as a Great Idea"),
        ("idea" = Option<String>, Query, description = "only the posts of ideas in this status", pattern = r"^(proposed|under_review|planned|adopted|declined)$"),
        ("sort" = Option<String>, Query, description = "relevance (default), newest or votes", pattern = r"^(relevance|newest|votes)?$"),
        ("group" = Option<String>, Query, description = "discussion (default: one hit per discussion or live session, its best matching post; `total` counts discussions and sessions) or none (every matching post)", pattern = r"^(discussion|none)?$"),
        ("page" = Option<u64>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u64>, Query, description = "1–100, default 20", minimum = 1, maximum = 100)),
    responses((status = 200, body = SearchResults), (status = 400, body = ErrorResponse), (status = 503, body = ErrorResponse)))]
pub async fn search(
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let query = search::parse_query(&query, search::Source::Api)?;
    Ok(HttpResponse::Ok().json(search::run(&state.search, &query).await?))
}
