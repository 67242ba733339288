//! Searching past ideas: reading a query (the API and the page take the same
//! parameters) and running it on whichever engine is configured.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::domain::Paging;
use crate::error::{AppError, AppResult};
use crate::search::{
    Grouping, Search, SearchHit, SearchKind, SearchQuery, SearchResults, SortOrder,
};

/// Where a search's parameters come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The page's filter form, which sends its empty fields: an empty value is no filter.
    Form,
    /// The API: a filter has a value or is left out.
    Api,
}

/// Filters that take a value or are left out (the API refuses them empty).
const VALUED: [&str; 6] = ["discussion", "session", "recognized", "idea", "from", "to"];

/// Reads the search parameters shared by the API and the page.
pub fn parse_query(query: &HashMap<String, String>, source: Source) -> AppResult<SearchQuery> {
    if source == Source::Api
        && let Some(field) = VALUED
            .into_iter()
            .find(|f| query.get(*f).is_some_and(|v| v.trim().is_empty()))
    {
        return Err(AppError::validation(field, "must not be empty"));
    }
    let get = |k: &str| query.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let raw = |k: &str| query.get(k).map(String::as_str);
    let paging = Paging::parse(raw("page"), raw("per_page"))?;
    let kind = match get("kind") {
        None => None,
        Some(raw) => Some(SearchKind::parse(raw).ok_or_else(|| {
            AppError::validation("kind", "must be discussion, comment or question")
        })?),
    };
    let q: String = get("q")
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(500)
        .collect();
    let time = |field: &'static str| -> AppResult<Option<(DateTime<Utc>, bool)>> {
        get(field)
            .map(|raw| {
                super::audit::parse_time(raw)
                    .map(|t| (t, !raw.contains('T')))
                    .ok_or_else(|| {
                        AppError::validation(
                            field,
                            "must be a date (2026-12-01) or an RFC 3339 time",
                        )
                    })
            })
            .transpose()
    };
    let from = time("from")?.map(|(t, _)| t);
    // A date as `to` takes in that whole day.
    let to = time("to")?.map(|(t, date)| if date { t + Duration::days(1) } else { t });
    let recognized = match get("recognized") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(AppError::validation("recognized", "must be true or false")),
    };
    let idea = match get("idea") {
        None => None,
        Some(raw) => Some(
            crate::domain::IdeaStatus::parse(raw)
                .ok_or_else(|| crate::domain::IdeaStatus::invalid("idea"))?,
        ),
    };
    let sort = match get("sort") {
        None => SortOrder::default(),
        Some(raw) => SortOrder::parse(raw)
            .ok_or_else(|| AppError::validation("sort", "must be relevance, newest or votes"))?,
    };
    let group = match get("group") {
        None | Some("discussion") => Grouping::Discussion,
        Some("none") => Grouping::None,
        Some(_) => return Err(AppError::validation("group", "must be discussion or none")),
    };
    let id = |field: &'static str, problem: &'static str| -> AppResult<Option<i32>> {
        get(field)
            .map(|raw| {
                raw.parse::<i32>()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or_else(|| AppError::validation(field, problem))
            })
            .transpose()
    };
    let discussion = id("discussion", "must be a discussion id")?;
    let session = id("session", "must be a live session id")?;
    Ok(SearchQuery {
        q,
        zone: get("zone").map(|z| z.to_lowercase()),
        author: get("author").map(|a| a.to_lowercase()),
        kind,
        discussion,
        session,
        from,
        to,
        recognized,
        idea,
        sort,
        group,
        page: paging.page,
        per_page: paging.per_page,
    })
}

pub async fn run(engine: &Search, query: &SearchQuery) -> AppResult<SearchResults> {
    engine.search(query).await.map_err(|e| {
        AppError::unavailable(format!(
            "Search is unavailable right now ({})",
            engine.name()
        ))
        .with_cause(e)
    })
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
/// A failing engine finds nothing here: similar discussions are a hint, not the page.
pub async fn similar(
    engine: &Search,
    title: &str,
    exclude: Option<i32>,
    limit: usize,
) -> Vec<SearchHit> {
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
            kind: Some(SearchKind::Discussion),
            group: Grouping::None,
            page: 1,
            per_page: 10,
            ..Default::default()
        };
        let Ok(results) = engine.search(&query).await else {
            break;
        };
        for hit in results.hits {
            if hit.discussion_id != exclude
                && !found.iter().any(|f| f.thread() == hit.thread())
                && found.len() < limit
            {
                found.push(hit);
            }
        }
    }
    found
}
