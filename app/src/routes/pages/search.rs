//! The search page, and "similar" / "related" discussions.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};

use super::render::{base_context, render};
use crate::auth::MaybeMember;
use crate::error::AppResult;
use crate::search::SearchHit;
use crate::services::search::{self, parse_query, run};
use crate::state::AppState;
use crate::views::discussion_path;

pub async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let q = parse_query(&query)?;
    let results = if q.is_blank() {
        None
    } else {
        Some(run(&state.search, &q).await?)
    };
    let title = if q.q.is_empty() {
        "Search".to_string()
    } else {
        format!("Search: {}", q.q)
    };
    let mut ctx = base_context(&state, &req, &viewer, &title).await?;
    ctx.insert("q", &q.q);
    ctx.insert("zone", &q.zone.clone().unwrap_or_default());
    ctx.insert("author", &q.author.clone().unwrap_or_default());
    ctx.insert("kind", q.kind.map(|k| k.as_str()).unwrap_or(""));
    if let Some(results) = results {
        let pages = results.total.div_ceil(q.per_page()).max(1);
        let hits: Vec<serde_json::Value> = results.hits.iter().map(hit_row).collect();
        ctx.insert("hits", &hits);
        ctx.insert("total", &results.total);
        ctx.insert("took_ms", &results.took_ms);
        ctx.insert("page", &q.page());
        ctx.insert("pages", &pages);
    }
    render(&state, "search/results.html", &ctx)
}

pub fn hit_row(hit: &SearchHit) -> serde_json::Value {
    let base = discussion_path(hit.discussion_id, &hit.title);
    let url = match hit.comment_id {
        Some(c) => format!("{base}#comment-{c}"),
        None => base,
    };
    serde_json::json!({ "hit": hit, "url": url })
}

/// Discussions like a title, as rows for the page ("Check for similar discussions").
pub async fn similar(
    state: &AppState,
    title: &str,
    exclude: Option<i32>,
    limit: usize,
) -> AppResult<Vec<serde_json::Value>> {
    let hits = search::similar(&state.search, title, exclude, limit).await;
    Ok(hits.iter().map(hit_row).collect())
}
