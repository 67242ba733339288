//! Full-text search over discussions and comments.
//!
//! Two engines share one contract ([`SearchEngine`]): an embedded tantivy index under
//! `data_dir/search` (the default) and a Meilisearch server (when a URL is configured).
//! Both match every query word (AND), tolerate typos like Meilisearch (one from 5 letters,
//! two from 9), match the last word as a prefix, rank by one set of rules (fewer typos,
//! words closer together, title before body, exact before fuzzy, then votes,
//! recognition and recency), group hits by discussion (or live session) unless asked not
//! to, and return HTML titles and snippets in which only `<mark>` is markup. A reply
//! matches on its own text only; its discussion's title counts toward the discussion.
//! A live question matches on its text and its answer.

use std::path::Path;
use std::sync::Arc;

pub mod embedded;
pub mod engine;
pub mod meili;
pub mod text;

#[cfg(test)]
pub(crate) mod contract_tests;

pub use engine::{
    Grouping, MAX_PER_PAGE, Rebuild, Search, SearchDoc, SearchEngine, SearchHit, SearchKind,
    SearchQuery, SearchResults, SortOrder, Thread, question_key,
};

/// Opens the configured engine: Meilisearch when `meili_url` is given, otherwise the
/// embedded tantivy index under `data_dir/search` (created when missing; wiped and
/// recreated, empty, when it was written with another schema — reindex then).
pub async fn open(
    data_dir: &Path,
    meili_url: Option<&str>,
    meili_api_key: Option<&str>,
    meili_index: &str,
) -> anyhow::Result<Search> {
    match meili_url {
        Some(url) => Ok(Arc::new(
            meili::MeiliEngine::open(url, meili_api_key, meili_index).await?,
        )),
        None => Ok(Arc::new(
            embedded::EmbeddedEngine::open(&data_dir.join("search")).await?,
        )),
    }
}
