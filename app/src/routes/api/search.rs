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
        ("kind" = Option<String>, Query, description = "discussion or comment", pattern = r"^(discussion|comment)?$"),
        ("page" = Option<u64>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u64>, Query, description = "1–100, default 20", minimum = 1, maximum = 100)),
    responses((status = 200, body = SearchResults), (status = 400, body = ErrorResponse), (status = 503, body = ErrorResponse)))]
pub async fn search(
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let query = search::parse_query(&query)?;
    Ok(HttpResponse::Ok().json(search::run(&state.search, &query).await?))
}
