//! The search page, and "similar" / "related" discussions.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};

use super::render::{base_context, render};
use crate::auth::MaybeMember;
use crate::error::AppResult;
use crate::search::{Grouping, SearchHit, SearchQuery, Thread};
use crate::services::live::session_path;
use crate::services::search::{self, Source, parse_query, run};
use crate::state::AppState;
use crate::views::discussion_path;

pub async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let q = parse_query(&query, Source::Form)?;
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
    // Updates are found too; their zone is not one of the zones' pages.
    let updates = crate::services::zones::updates_zone(&state.db).await?;
    ctx.insert("updates_zone", &updates.slug);
    ctx.insert("author", &q.author.clone().unwrap_or_default());
    ctx.insert("kind", q.kind.map(|k| k.as_str()).unwrap_or(""));
    ctx.insert(
        "from",
        &q.from
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
    );
    // A date `to` means through that day: show the day itself.
    ctx.insert(
        "to",
        &q.to
            .map(|t| {
                (t - chrono::Duration::seconds(1))
                    .format("%Y-%m-%d")
                    .to_string()
            })
            .unwrap_or_default(),
    );
    ctx.insert("recognized", &q.recognized);
    ctx.insert(
        "idea",
        &q.idea.map(crate::domain::IdeaStatus::as_str).unwrap_or(""),
    );
    ctx.insert("idea_statuses", &super::ideas::statuses());
    ctx.insert("sort", q.sort.as_str());
    ctx.insert("grouped", &(q.group == Grouping::Discussion));
    ctx.insert("discussion", &q.discussion);
    ctx.insert("session", &q.session);
    ctx.insert("filtered", &filtered(&q));
    ctx.insert("filters_qs", &filters_qs(&query));
    if let Some(results) = results {
        let pages = results.total.div_ceil(q.per_page()).max(1);
        let narrowing = within_qs(&query);
        let hits: Vec<serde_json::Value> = results
            .hits
            .iter()
            .map(|h| hit_row(h, &narrowing))
            .collect();
        ctx.insert("hits", &hits);
        ctx.insert("total", &results.total);
        ctx.insert("took_ms", &results.took_ms);
        ctx.insert("page", &q.page());
        ctx.insert("pages", &pages);
    }
    render(&state, "search/results.html", &ctx)
}

/// Whether anything narrows the search beyond its words.
fn filtered(q: &SearchQuery) -> bool {
    q.zone.is_some()
        || q.author.is_some()
        || q.kind.is_some()
        || q.from.is_some()
        || q.to.is_some()
        || q.recognized
        || q.idea.is_some()
        || q.discussion.is_some()
        || q.session.is_some()
}

/// The words and filters a search within one discussion or session keeps (the "N more"
/// link counts under them).
const NARROWING: [&str; 9] = [
    "q",
    "zone",
    "author",
    "kind",
    "from",
    "to",
    "recognized",
    "idea",
    "sort",
];

/// The query string of everything but the page, for the pages' links.
fn filters_qs(query: &HashMap<String, String>) -> String {
    query_string(
        query,
        NARROWING
            .iter()
            .chain(&["group", "discussion", "session", "per_page"]),
    )
}

fn within_qs(query: &HashMap<String, String>) -> String {
    query_string(query, NARROWING.iter())
}

/// The given parameters of `query` that have a value, URL-encoded.
fn query_string<'a>(
    query: &HashMap<String, String>,
    keys: impl Iterator<Item = &'a &'a str>,
) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for key in keys {
        if let Some(value) = query.get(*key).filter(|v| !v.trim().is_empty()) {
            out.append_pair(key, value);
        }
    }
    out.finish()
}

/// A hit as the page shows it: where it links, and where its other matches are
/// (`narrowing`: the query string of the words and filters to keep there).
pub fn hit_row(hit: &SearchHit, narrowing: &str) -> serde_json::Value {
    let (url, within_key, within_id) = match hit.thread() {
        Thread::Discussion(id) => {
            let base = discussion_path(id, &hit.title);
            let url = match hit.comment_id {
                Some(c) => format!("{base}#comment-{c}"),
                None => base,
            };
            (url, "discussion", id)
        }
        Thread::Session(id) => {
            let base = session_path(id);
            let url = match hit.question_id {
                Some(q) => format!("{base}#q{q}"),
                None => base,
            };
            (url, "session", id)
        }
    };
    let more = hit.matches.saturating_sub(1);
    let within = url::form_urlencoded::Serializer::new(narrowing.to_string())
        .append_pair(within_key, &within_id.to_string())
        .append_pair("group", "none")
        .finish();
    serde_json::json!({
        "hit": hit,
        "url": url,
        "more": more,
        "within": format!("/search?{within}"),
    })
}

/// Discussions like a title, as rows for the page ("Check for similar discussions").
pub async fn similar(
    state: &AppState,
    title: &str,
    exclude: Option<i32>,
    limit: usize,
) -> AppResult<Vec<serde_json::Value>> {
    let hits = search::similar(&state.search, title, exclude, limit).await;
    Ok(hits.iter().map(|h| hit_row(h, "")).collect())
}
