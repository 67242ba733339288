//! The one contract both engines keep: what is indexed, what is asked, what comes
//! back, and the `SearchEngine` trait.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::Post;

/// What a search document is: a discussion's opening post, a reply, or a question asked
/// in a live Q&A session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SearchKind {
    Discussion,
    Comment,
    Question,
}

impl SearchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SearchKind::Discussion => "discussion",
            SearchKind::Comment => "comment",
            SearchKind::Question => "question",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "discussion" => Some(SearchKind::Discussion),
            "comment" => Some(SearchKind::Comment),
            "question" => Some(SearchKind::Question),
            _ => None,
        }
    }
}

/// Where a document belongs, and what grouped results are grouped by: a discussion, or
/// a live Q&A session (for its questions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Thread {
    Discussion(i32),
    Session(i32),
}

impl Thread {
    /// Where a document or hit of `kind` with these ids belongs.
    pub fn of(kind: SearchKind, discussion_id: Option<i32>, session_id: Option<i32>) -> Self {
        match (kind, session_id) {
            (SearchKind::Question, Some(s)) => Thread::Session(s),
            _ => Thread::Discussion(discussion_id.unwrap_or_default()),
        }
    }

    /// One number for both: a discussion's id, or a session's id negated.
    pub fn key(self) -> i64 {
        match self {
            Thread::Discussion(id) => i64::from(id),
            Thread::Session(id) => -i64::from(id),
        }
    }
}

/// Largest page size the engines serve; larger requests are clamped.
pub const MAX_PER_PAGE: u64 = 100;

/// What gets indexed: a discussion (its opening post), a comment, or a live question.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SearchDoc {
    pub kind: SearchKind,
    /// The discussion of a discussion or a comment.
    #[serde(default)]
    pub discussion_id: Option<i32>,
    pub comment_id: Option<i32>,
    /// The session of a question.
    #[serde(default)]
    pub session_id: Option<i32>,
    #[serde(default)]
    pub question_id: Option<i32>,
    /// A comment carries its discussion's title, a question its session's; only a
    /// discussion's own title is searchable.
    pub title: String,
    /// Plain text (Markdown already stripped); a question's answer follows it.
    pub body: String,
    /// Zone slug.
    pub zone: String,
    /// Username; empty for an anonymous question (which no author filter finds).
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub score: i32,
    /// Recognised as a Great Idea.
    #[serde(default)]
    pub recognized: bool,
    /// The status of the idea the post belongs to (every post of an idea's thread
    /// carries it); None when it is not an idea.
    #[serde(default)]
    pub idea: Option<crate::domain::IdeaStatus>,
}

impl SearchDoc {
    /// `d-{discussion_id}` for a discussion, `c-{comment_id}` for a comment,
    /// `q-{question_id}` for a question.
    pub fn id(&self) -> String {
        let discussion = self.discussion_id.unwrap_or_default();
        match self.kind {
            SearchKind::Discussion => Post::Discussion(discussion).key(),
            SearchKind::Comment => match self.comment_id {
                Some(c) => Post::Comment(c).key(),
                // A comment without a comment id cannot be told apart; fall back to its
                // discussion so it at least never overwrites another comment.
                None => format!("c-d{discussion}"),
            },
            SearchKind::Question => question_key(self.question_id.unwrap_or_default()),
        }
    }

    /// The discussion or session it belongs to.
    pub fn thread(&self) -> Thread {
        Thread::of(self.kind, self.discussion_id, self.session_id)
    }
}

/// A question's document id.
pub fn question_key(id: i32) -> String {
    format!("q-{id}")
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
    /// One hit per discussion (or live session): its best matching post, with `matches`
    /// counting its matching posts; paging and `total` count discussions and sessions.
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
    pub kind: Option<SearchKind>,
    /// Only the posts of this discussion.
    pub discussion: Option<i32>,
    /// Only the questions of this live session.
    pub session: Option<i32>,
    /// Written at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Written before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Only posts recognised as a Great Idea.
    pub recognized: bool,
    /// Only the posts of ideas in this status.
    pub idea: Option<crate::domain::IdeaStatus>,
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

    /// The one discussion or session asked for, if any (both at once find nothing:
    /// they are told apart by the sign of the key).
    pub fn within(&self) -> Option<Vec<i64>> {
        let mut keys = Vec::new();
        if let Some(id) = self.discussion {
            keys.push(Thread::Discussion(id).key());
        }
        if let Some(id) = self.session {
            keys.push(Thread::Session(id).key());
        }
        (!keys.is_empty()).then_some(keys)
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    /// The best matching post of the discussion or session (grouped), or the matching
    /// post.
    pub kind: SearchKind,
    /// The discussion of a discussion or reply hit; null for a question.
    pub discussion_id: Option<i32>,
    pub comment_id: Option<i32>,
    /// The live session of a question hit; null otherwise.
    pub session_id: Option<i32>,
    pub question_id: Option<i32>,
    /// The discussion's title, or the session's for a question.
    pub title: String,
    /// HTML: the title escaped, with the query's words wrapped in `<mark>`.
    pub title_html: String,
    /// HTML: escaped text in which matched words are wrapped in `<mark>`.
    pub snippet: String,
    pub zone: String,
    /// Username; null for an anonymous question.
    pub author: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Votes (a question's upvotes).
    pub score: i32,
    /// The matching posts of this discussion or session (grouped), 1 otherwise.
    pub matches: u64,
    /// The status of the idea the hit belongs to; null when it is not an idea.
    pub idea_status: Option<crate::domain::IdeaStatus>,
}

impl SearchHit {
    /// The hit for a stored document, before its title and snippet are marked.
    pub fn of(doc: SearchDoc, title_html: String, snippet: String, matches: u64) -> Self {
        SearchHit {
            kind: doc.kind,
            discussion_id: doc.discussion_id,
            comment_id: doc.comment_id,
            session_id: doc.session_id,
            question_id: doc.question_id,
            title_html,
            title: doc.title,
            snippet,
            zone: doc.zone,
            author: (!doc.author.is_empty()).then_some(doc.author),
            created_at: doc.created_at,
            score: doc.score,
            matches,
            idea_status: doc.idea,
        }
    }

    /// The discussion or session it belongs to.
    pub fn thread(&self) -> Thread {
        Thread::of(self.kind, self.discussion_id, self.session_id)
    }
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
