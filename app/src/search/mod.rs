//! Full-text search over discussions and comments.
//!
//! Two engines share one contract ([`SearchEngine`]): an embedded tantivy index under
//! `data_dir/search` (the default) and a Meilisearch server (when a URL is configured).
//! Both match every query word (AND), tolerate typos like Meilisearch (one from 5 letters,
//! two from 9), match the last word as a prefix, rank title matches first and break ties
//! newest first, and return HTML snippets in which only `<mark>` is markup.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod embedded;
pub mod meili;
pub mod text;

#[cfg(test)]
pub(crate) mod contract_tests;

/// Largest page size the engines serve; larger requests are clamped.
pub const MAX_PER_PAGE: u64 = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    Discussion,
    Comment,
}

impl DocKind {
    /// The serialized (and filter) form: `discussion` or `comment`.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Discussion => "discussion",
            DocKind::Comment => "comment",
        }
    }
}

/// What gets indexed: a discussion (its opening post) or a comment.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SearchDoc {
    pub kind: DocKind,
    pub discussion_id: i32,
    pub comment_id: Option<i32>,
    /// A comment carries its discussion's title.
    pub title: String,
    /// Plain text (Markdown already stripped).
    pub body: String,
    /// Zone slug.
    pub zone: String,
    /// Username.
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub score: i32,
}

impl SearchDoc {
    /// `d-{discussion_id}` for a discussion, `c-{comment_id}` for a comment.
    pub fn id(&self) -> String {
        match (self.kind, self.comment_id) {
            (DocKind::Comment, Some(c)) => format!("c-{c}"),
            // A comment without a comment id cannot be told apart; fall back to its
            // discussion so it at least never overwrites another comment.
            (DocKind::Comment, None) => format!("c-d{}", self.discussion_id),
            (DocKind::Discussion, _) => format!("d-{}", self.discussion_id),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    pub q: String,
    pub zone: Option<String>,
    pub author: Option<String>,
    pub kind: Option<DocKind>,
    /// From 1 (0 is read as 1).
    pub page: u64,
    /// Clamped to `1..=MAX_PER_PAGE`.
    pub per_page: u64,
}

impl SearchQuery {
    /// Page number from 1.
    pub fn page(&self) -> u64 {
        self.page.max(1)
    }

    /// Page size within `1..=MAX_PER_PAGE`.
    pub fn per_page(&self) -> u64 {
        self.per_page.clamp(1, MAX_PER_PAGE)
    }

    /// Whether the query has no words at all (such a query finds nothing).
    pub fn is_blank(&self) -> bool {
        !self.q.chars().any(char::is_alphanumeric)
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    pub kind: DocKind,
    pub discussion_id: i32,
    pub comment_id: Option<i32>,
    pub title: String,
    /// HTML: escaped text in which matched words are wrapped in `<mark>`.
    pub snippet: String,
    pub zone: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub score: i32,
}

#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    /// Every match, not just this page.
    pub total: u64,
    pub took_ms: u64,
}

#[async_trait]
pub trait SearchEngine: Send + Sync {
    /// `embedded` or `meilisearch`.
    fn name(&self) -> &'static str;
    /// Upserts by id; visible to search when this returns.
    async fn index(&self, docs: Vec<SearchDoc>) -> anyhow::Result<()>;
    /// Removes by id (see [`SearchDoc::id`]); visible when this returns.
    async fn remove(&self, ids: Vec<String>) -> anyhow::Result<()>;
    /// Removes everything, for a full reindex.
    async fn clear(&self) -> anyhow::Result<()>;
    async fn search(&self, q: &SearchQuery) -> anyhow::Result<SearchResults>;
    async fn health(&self) -> anyhow::Result<()>;
}

pub type Search = Arc<dyn SearchEngine>;

/// Opens the configured engine: Meilisearch when `meili_url` is given, otherwise the
/// embedded tantivy index under `data_dir/search` (created when missing; wiped and
/// recreated, empty, when it was written with another schema — reindex then).
pub async fn open(
    data_dir: &Path,
    meili_url: Option<&str>,
    meili_api_key: Option<&str>,
) -> anyhow::Result<Search> {
    match meili_url {
        Some(url) => Ok(Arc::new(
            meili::MeiliEngine::open(url, meili_api_key).await?,
        )),
        None => Ok(Arc::new(
            embedded::EmbeddedEngine::open(&data_dir.join("search")).await?,
        )),
    }
}

/// Milliseconds since `start`, saturating.
pub(crate) fn elapsed_ms(start: std::time::Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}
