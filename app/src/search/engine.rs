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
    /// Recognised as a Great Idea.
    #[serde(default)]
    pub recognized: bool,
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

/// How results are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortOrder {
    /// The ranking rules: every word, fewer typos, words closer together, title before
    /// body, exact before fuzzy, then votes, recognition and recency.
    #[default]
    Relevance,
    /// Newest first.
    Newest,
    /// Most votes first, relevance between equals.
    Votes,
}

impl SortOrder {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "relevance" => Some(Self::Relevance),
            "newest" => Some(Self::Newest),
            "votes" => Some(Self::Votes),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Relevance => "relevance",
            Self::Newest => "newest",
            Self::Votes => "votes",
        }
    }
}

/// Whether hits are grouped by discussion.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Grouping {
    /// One hit per discussion: its best matching post, with `matches` counting the
    /// discussion's matching posts; paging and `total` count discussions.
    #[default]
    Discussion,
    /// Every matching post is a hit.
    None,
}

#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    pub q: String,
    pub zone: Option<String>,
    pub author: Option<String>,
    pub kind: Option<PostKind>,
    /// Only the posts of this discussion.
    pub discussion: Option<i32>,
    /// Written at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Written before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Only posts recognised as a Great Idea.
    pub recognized: bool,
    pub sort: SortOrder,
    pub group: Grouping,
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
    /// The best matching post of the discussion (grouped), or the matching post.
    pub kind: PostKind,
    pub discussion_id: i32,
    pub comment_id: Option<i32>,
    /// The discussion's title.
    pub title: String,
    /// HTML: the title escaped, with the query's words wrapped in `<mark>`.
    pub title_html: String,
    /// HTML: escaped text in which matched words are wrapped in `<mark>`.
    pub snippet: String,
    pub zone: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub score: i32,
    /// The matching posts of this discussion (grouped), 1 otherwise.
    pub matches: u64,
}

#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    /// Every match, not just this page: discussions when grouped, posts otherwise.
    pub total: u64,
    pub took_ms: u64,
}

#[async_trait]
pub trait SearchEngine: Send + Sync {
    /// `embedded` or `meilisearch`.
    fn name(&self) -> &'static str;
    /// The index was created empty when the engine opened (new, or written by another
    /// version): the server then rebuilds it from the database.
    fn needs_rebuild(&self) -> bool {
        false
    }
    /// Upserts by id; visible to search when this returns.
    async fn index(&self, docs: Vec<SearchDoc>) -> anyhow::Result<()>;
    /// Removes by id (see [`SearchDoc::id`]); visible when this returns.
    async fn remove(&self, ids: Vec<String>) -> anyhow::Result<()>;
    /// Removes everything.
    async fn clear(&self) -> anyhow::Result<()>;
    /// Starts building a whole new index beside the one that answers searches; the
    /// rebuild's `finish` swaps it in at once, so search keeps answering meanwhile.
    async fn rebuild(&self) -> anyhow::Result<Box<dyn Rebuild>>;
    async fn search(&self, q: &SearchQuery) -> anyhow::Result<SearchResults>;
    async fn health(&self) -> anyhow::Result<()>;
}

/// An index being built beside the live one (see [`SearchEngine::rebuild`]).
#[async_trait]
pub trait Rebuild: Send + Sync {
    async fn index(&mut self, docs: Vec<SearchDoc>) -> anyhow::Result<()>;
    /// Swaps the new index in; the old one is dropped.
    async fn finish(self: Box<Self>) -> anyhow::Result<()>;
}

pub type Search = Arc<dyn SearchEngine>;

/// Milliseconds since `start`, saturating.
pub(crate) fn elapsed_ms(start: std::time::Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}
