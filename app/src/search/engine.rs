//! The one contract both engines keep: what is indexed, what is asked, what comes
//! back, and the `SearchEngine` trait.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{Post, PostKind};

/// Largest page size the engines serve; larger requests are clamped.
pub const MAX_PER_PAGE: u64 = 100;

/// What gets indexed: a discussion (its opening post) or a comment.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SearchDoc {
    pub kind: PostKind,
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
            (PostKind::Comment, Some(c)) => Post::Comment(c).key(),
            // A comment without a comment id cannot be told apart; fall back to its
            // discussion so it at least never overwrites another comment.
            (PostKind::Comment, None) => format!("c-d{}", self.discussion_id),
            (PostKind::Discussion, _) => Post::Discussion(self.discussion_id).key(),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    pub q: String,
    pub zone: Option<String>,
    pub author: Option<String>,
    pub kind: Option<PostKind>,
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
    pub kind: PostKind,
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

/// Milliseconds since `start`, saturating.
pub(crate) fn elapsed_ms(start: std::time::Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}
