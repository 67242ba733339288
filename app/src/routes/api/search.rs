//! `GET /api/v1/search`.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};

use crate::domain::Paging;
use crate::error::{AppError, AppResult};
use crate::routes::api::ErrorResponse;
use crate::search::{DocKind, SearchQuery, SearchResults};
use crate::state::AppState;

/// Reads the search parameters shared by the API and the page.
pub fn parse_query(query: &HashMap<String, String>) -> AppResult<SearchQuery> {
    let get = |k: &str| query.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let paging = Paging::parse(get("page"), get("per_page"))?;
    let kind = match get("kind") {
        None => None,
        Some("discussion") => Some(DocKind::Discussion),
        Some("comment") => Some(DocKind::Comment),
        Some(_) => {
            return Err(AppError::validation(
                "kind",
                "must be discussion or comment",
            ));
        }
    };
    let q: String = get("q")
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(500)
        .collect();
    Ok(SearchQuery {
        q,
        zone: get("zone").map(|z| z.to_lowercase()),
        author: get("author").map(|a| a.to_lowercase()),
        kind,
        page: paging.page,
        per_page: paging.per_page,
    })
}

pub async fn run(state: &AppState, query: &SearchQuery) -> AppResult<SearchResults> {
    state.search.search(query).await.map_err(|e| {
        AppError::Unavailable(format!(
            "Search is unavailable right now ({})",
            state.search.name()
        ))
        .with_cause(e)
    })
}

#[utoipa::path(get, path = "/api/v1/search", tag = "search",
    params(("q" = String, Query, description = "the words to find; every word must match, the last may be a prefix, typos are tolerated"),
        ("zone" = Option<String>, Query), ("author" = Option<String>, Query, description = "a username"),
        ("kind" = Option<String>, Query, description = "discussion or comment"),
        ("page" = Option<u64>, Query), ("per_page" = Option<u64>, Query, description = "1–100, default 20")),
    responses((status = 200, body = SearchResults), (status = 400, body = ErrorResponse), (status = 503, body = ErrorResponse)))]
pub async fn search(
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let query = parse_query(&query)?;
    Ok(HttpResponse::Ok().json(run(&state, &query).await?))
}
