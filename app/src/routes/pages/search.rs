//! The search page, and "similar" / "related" discussions.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};

use super::{base_context, render};
use crate::auth::MaybeMember;
use crate::error::AppResult;
use crate::routes::api::search::{parse_query, run};
use crate::search::{DocKind, SearchHit, SearchQuery};
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
        Some(run(&state, &q).await?)
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

fn hit_row(hit: &SearchHit) -> serde_json::Value {
    let base = discussion_path(hit.discussion_id, &hit.title);
    let url = match hit.comment_id {
        Some(c) => format!("{base}#comment-{c}"),
        None => base,
    };
    serde_json::json!({ "hit": hit, "url": url })
}

/// Words worth searching for in a title, longest first.
fn key_words(title: &str) -> Vec<String> {
    const STOP: &[&str] = &[
        "about", "after", "also", "been", "could", "does", "from", "have", "into", "more",
        "should", "some", "than", "that", "their", "them", "then", "there", "they", "this", "what",
        "when", "where", "which", "while", "with", "would", "your",
    ];
    let mut words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 4 && !STOP.contains(&w.as_str()))
        .collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    words.dedup();
    words.truncate(4);
    words
}

/// Discussions like a title: all key words first, then fewer, until `limit` are found.
pub async fn similar(
    state: &AppState,
    title: &str,
    exclude: Option<i32>,
    limit: usize,
) -> AppResult<Vec<serde_json::Value>> {
    let words = key_words(title);
    let mut found: Vec<SearchHit> = Vec::new();
    let mut tries: Vec<String> = Vec::new();
    for n in (1..=words.len().min(3)).rev() {
        tries.push(words[..n].join(" "));
    }
    for w in words.iter().skip(1) {
        tries.push(w.clone());
    }
    for q in tries {
        if found.len() >= limit {
            break;
        }
        // A trailing space: whole words only, no prefix matching here.
        let query = SearchQuery {
            q: format!("{q} "),
            kind: Some(DocKind::Discussion),
            page: 1,
            per_page: 10,
            ..Default::default()
        };
        let Ok(results) = state.search.search(&query).await else {
            break;
        };
        for hit in results.hits {
            if Some(hit.discussion_id) != exclude
                && !found.iter().any(|f| f.discussion_id == hit.discussion_id)
                && found.len() < limit
            {
                found.push(hit);
            }
        }
    }
    Ok(found.iter().map(hit_row).collect())
}
