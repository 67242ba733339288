//! The Meilisearch engine (meilisearch-sdk 0.33).
//!
//! Every write waits for its task, so changes are visible when the call returns.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

use meilisearch_sdk::DefaultHttpClient;
use meilisearch_sdk::client::{Client, SwapIndexes};
use meilisearch_sdk::errors::{Error as MeiliError, ErrorCode};
use meilisearch_sdk::indexes::{Index, IndexesQuery};
use meilisearch_sdk::search::{
    MatchingStrategies, SearchQuery as MeiliSearchQuery, SearchResult, Selectors,
};
use meilisearch_sdk::settings::{
    MinWordSizeForTypos, PaginationSetting, Settings, TypoToleranceSettings,
};
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::Task;
use serde::{Deserialize, Serialize};

use super::engine::{
    Grouping, Rebuild, SearchDoc, SearchEngine, SearchHit, SearchKind, SearchQuery, SearchResults,
    SortOrder, elapsed_ms,
};
use super::text;

/// The index uid unless `MEILI_INDEX` names another.
pub const DEFAULT_INDEX: &str = "quorum";
const PRIMARY_KEY: &str = "id";
/// Highlight tags asked of Meilisearch: private-use characters that user text is very
/// unlikely to hold, turned into `<mark>` after the text around them is escaped (a literal
/// `<mark>` typed by a user is escaped like any other text).
const PRE_TAG: &str = "\u{E000}";
const POST_TAG: &str = "\u{E001}";
/// Documents sent per task during a bulk index.
const BATCH: usize = 1000;
const TASK_POLL: Duration = Duration::from_millis(50);
const TASK_TIMEOUT: Duration = Duration::from_secs(300);
/// `total` is exact up to this many matches (Meilisearch's `pagination.maxTotalHits`).
const MAX_TOTAL_HITS: usize = 100_000;
const SORT_NEWEST: &[&str] = &["created_at:desc"];
const SORT_VOTES: &[&str] = &["score:desc"];
const RANKING_RULES: [&str; 9] = [
    "sort",
    "words",
    "typo",
    "proximity",
    "attribute",
    "exactness",
    "score:desc",
    "recognized:desc",
    "created_at:desc",
];
/// Hits are grouped on this attribute (Meilisearch's `distinct`): the discussion, or the
/// live session negated ([`super::Thread::key`]).
const GROUP_BY: &str = "thread";
/// The idea status attribute (filterable).
const IDEA: &str = "idea";
const HIGHLIGHT: &[&str] = &["title", "body"];
const CROP: &[(&str, Option<usize>)] = &[("body", None)];

/// A document as stored in Meilisearch: the `SearchDoc` plus its `id`, with `created_at`
/// in unix milliseconds for filtering and sorting, and the exact instant kept beside it.
/// Only a discussion's document has a searchable `title`: a reply's title counts toward
/// its discussion, not toward the reply, and is kept in `thread_title` (as a question
/// keeps its session's).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct MeiliDoc {
    id: String,
    kind: SearchKind,
    #[serde(default)]
    discussion_id: Option<i32>,
    comment_id: Option<i32>,
    #[serde(default)]
    session_id: Option<i32>,
    #[serde(default)]
    question_id: Option<i32>,
    /// What grouped results are grouped by.
    #[serde(default)]
    thread: i64,
    title: String,
    #[serde(default)]
    thread_title: String,
    body: String,
    zone: String,
    author: String,
    created_at: i64,
    #[serde(default)]
    created_at_rfc3339: Option<DateTime<Utc>>,
    score: i32,
    /// 1 when recognised as a Great Idea (a number, for the ranking rule).
    #[serde(default)]
    recognized: i32,
    /// The status of the idea the post belongs to; empty when none (always present, so
    /// an index written before ideas is known by its missing field).
    #[serde(default)]
    idea: String,
}

impl From<&SearchDoc> for MeiliDoc {
    fn from(d: &SearchDoc) -> Self {
        MeiliDoc {
            id: d.id(),
            kind: d.kind,
            discussion_id: d.discussion_id,
            comment_id: d.comment_id,
            session_id: d.session_id,
            question_id: d.question_id,
            thread: d.thread().key(),
            title: if d.kind == SearchKind::Discussion {
                d.title.clone()
            } else {
                String::new()
            },
            thread_title: d.title.clone(),
            body: d.body.clone(),
            zone: d.zone.clone(),
            author: d.author.clone(),
            created_at: d.created_at.timestamp_millis(),
            created_at_rfc3339: Some(d.created_at),
            score: d.score,
            recognized: i32::from(d.recognized),
            idea: d.idea.map_or("", |s| s.as_str()).to_string(),
        }
    }
}

/// The Meilisearch-backed engine.
#[derive(Clone)]
pub struct MeiliEngine {
    client: Client,
    index: Index,
    /// The index was created when the engine opened, or written by an older version.
    fresh: bool,
}

impl MeiliEngine {
    /// Connects, creates the index `uid` (`MEILI_INDEX`, `quorum` by default) if needed
    /// and applies its settings.
    pub async fn open(url: &str, api_key: Option<&str>, uid: &str) -> anyhow::Result<Self> {
        let api_key = api_key.filter(|k| !k.is_empty());
        let client = Client::new(url.trim_end_matches('/'), api_key)
            .context("creating the Meilisearch client")?;
        client
            .health()
            .await
            .with_context(|| format!("Meilisearch at {url} is not reachable"))?;
        let (index, fresh) = match client.get_index(uid).await {
            // Empty, or written before grouping by thread (its replies have searchable
            // titles, or it has no `thread`) or before ideas (no `idea`): rebuild it.
            Ok(index) => {
                let stale = match index.get_stats().await {
                    Ok(stats) => {
                        stats.number_of_documents == 0
                            || !stats.field_distribution.contains_key(GROUP_BY)
                            || !stats.field_distribution.contains_key(IDEA)
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "could not read the Meilisearch index's stats");
                        false
                    }
                };
                (index, stale)
            }
            Err(MeiliError::Meilisearch(e)) if e.error_code == ErrorCode::IndexNotFound => {
                (create_index(&client, uid, true).await?, true)
            }
            Err(e) => return Err(e).context("getting the Meilisearch index"),
        };
        apply_settings(&client, &index).await?;
        Ok(MeiliEngine {
            client,
            index,
            fresh,
        })
    }
}

impl MeiliEngine {
    /// Deletes the indexes earlier rebuilds of this index left behind, begun over a day
    /// ago (a younger one may still be filling: on SQLite rebuilds take no lock, and
    /// `quorum reindex` can run beside the server's); a failure only leaves them for the
    /// next time.
    async fn sweep_rebuilds(&self) {
        let prefix = format!("{}_rebuild_", self.index.uid);
        let day_ago = (Utc::now() - chrono::Duration::days(1)).timestamp_micros();
        let stale = |uid: &str| {
            uid.strip_prefix(&prefix)
                .and_then(|begun| begun.parse::<i64>().ok())
                .is_some_and(|begun| begun < day_ago)
        };
        let mut query = IndexesQuery::new(&self.client);
        query.with_limit(1000);
        let indexes = match self.client.list_all_indexes_with(&query).await {
            Ok(list) => list.results,
            Err(e) => {
                tracing::warn!(error = %e, "could not list the Meilisearch indexes");
                return;
            }
        };
        for index in indexes.into_iter().filter(|i| stale(&i.uid)) {
            let uid = index.uid.clone();
            match index.delete().await {
                Ok(task) => {
                    if let Err(e) = wait(&self.client, task, "deleting a stale rebuild").await {
                        tracing::warn!(error = %e, index = %uid, "a stale rebuild index stays");
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, index = %uid, "a stale rebuild index stays")
                }
            }
        }
    }
}

/// Creates an index; when `shared`, another instance creating it meanwhile is fine.
async fn create_index(client: &Client, uid: &str, shared: bool) -> anyhow::Result<Index> {
    let task = client
        .create_index(uid, Some(PRIMARY_KEY))
        .await
        .context("creating the Meilisearch index")?;
    match task
        .wait_for_completion(client, Some(TASK_POLL), Some(TASK_TIMEOUT))
        .await?
    {
        Task::Failed { content }
            if !(shared && content.error.error_code == ErrorCode::IndexAlreadyExists) =>
        {
            bail!("creating the Meilisearch index {uid}: {}", content.error);
        }
        _ => {}
    }
    Ok(client.index(uid))
}

async fn apply_settings(client: &Client, index: &Index) -> anyhow::Result<()> {
    let task = index
        .set_settings(&settings())
        .await
        .context("updating the Meilisearch index settings")?;
    wait(client, task, "updating the Meilisearch index settings").await
}

/// Waits for a task and turns its failure into an error.
async fn wait(client: &Client, task: TaskInfo, what: &str) -> anyhow::Result<()> {
    match task
        .wait_for_completion(client, Some(TASK_POLL), Some(TASK_TIMEOUT))
        .await
        .with_context(|| format!("{what}: waiting for the task"))?
    {
        Task::Succeeded { .. } => Ok(()),
        Task::Failed { content } => bail!("{what}: {}", content.error),
        // wait_for_completion only returns finished tasks.
        _ => bail!("{what}: the task did not finish"),
    }
}

/// Sends documents in batches and waits until they are searchable.
async fn add_documents(client: &Client, index: &Index, docs: &[SearchDoc]) -> anyhow::Result<()> {
    let docs: Vec<MeiliDoc> = docs.iter().map(MeiliDoc::from).collect();
    let mut tasks = Vec::new();
    for chunk in docs.chunks(BATCH) {
        tasks.push(
            index
                .add_or_replace(chunk, Some(PRIMARY_KEY))
                .await
                .context("sending documents to Meilisearch")?,
        );
    }
    for task in tasks {
        wait(client, task, "indexing documents in Meilisearch").await?;
    }
    Ok(())
}

fn settings() -> Settings {
    Settings::new()
        .with_searchable_attributes(["title", "body"])
        .with_filterable_attributes([
            "zone",
            "author",
            "kind",
            "created_at",
            GROUP_BY,
            "recognized",
            IDEA,
        ])
        .with_sortable_attributes(["created_at", "score"])
        // The order both engines keep: a sort asked for first (newest, most votes), then
        // every word, fewer typos, words closer together, title before body, exact
        // before fuzzy, then votes, recognition and recency.
        .with_ranking_rules(RANKING_RULES)
        .with_typo_tolerance(TypoToleranceSettings {
            enabled: Some(true),
            disable_on_attributes: Some(Vec::new()),
            disable_on_words: Some(Vec::new()),
            min_word_size_for_typos: Some(MinWordSizeForTypos {
                one_typo: Some(5),
                two_typos: Some(9),
            }),
            disable_on_numbers: None,
        })
        .with_pagination(PaginationSetting {
            max_total_hits: MAX_TOTAL_HITS,
        })
}

/// A filter value as a Meilisearch string literal: double-quoted, with `\` and `"` escaped.
pub fn quote_filter_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The filter expression for a query's filters, if any.
pub fn filter_expression(q: &SearchQuery) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(zone) = &q.zone {
        parts.push(format!("zone = {}", quote_filter_value(zone)));
    }
    if let Some(author) = &q.author {
        parts.push(format!("author = {}", quote_filter_value(author)));
    }
    if let Some(kind) = q.kind {
        parts.push(format!("kind = {}", quote_filter_value(kind.as_str())));
    }
    for key in q.within().into_iter().flatten() {
        parts.push(format!("{GROUP_BY} = {key}"));
    }
    if q.recognized {
        parts.push("recognized = 1".to_string());
    }
    if let Some(status) = q.idea {
        parts.push(format!("{IDEA} = {}", quote_filter_value(status.as_str())));
    }
    // Milliseconds, as stored: from the millisecond `from` falls in, to before `to`.
    if let Some(from) = q.from {
        parts.push(format!("created_at >= {}", from.timestamp_millis()));
    }
    if let Some(to) = q.to {
        let millis = to.timestamp_millis() + i64::from(to.timestamp_subsec_nanos() % 1_000_000 > 0);
        parts.push(format!("created_at < {millis}"));
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// Keeps the query text from being read as Meilisearch query syntax: `"` (phrase search)
/// becomes a space and a leading `-` (negation) is dropped from each word. Everything else
/// is plain text to Meilisearch already.
pub fn plain_query(q: &str) -> String {
    let unquoted = q.replace('"', " ");
    let mut out = String::with_capacity(unquoted.len());
    let mut at_word_start = true;
    for c in unquoted.chars() {
        if at_word_start && c == '-' {
            out.push(' ');
            continue;
        }
        at_word_start = c.is_whitespace();
        out.push(c);
    }
    out
}

/// The search request for a query (`text` already passed through [`plain_query`]).
fn build_query<'a>(
    index: &'a Index,
    text: &'a str,
    filter: Option<&'a str>,
    q: &SearchQuery,
) -> MeiliSearchQuery<'a, DefaultHttpClient> {
    let mut query = index.search();
    query
        .with_query(text)
        .with_matching_strategy(MatchingStrategies::ALL)
        .with_page(usize::try_from(q.page()).unwrap_or(usize::MAX))
        .with_hits_per_page(usize::try_from(q.per_page()).unwrap_or(1))
        .with_attributes_to_highlight(Selectors::Some(HIGHLIGHT))
        .with_highlight_pre_tag(PRE_TAG)
        .with_highlight_post_tag(POST_TAG)
        .with_attributes_to_crop(Selectors::Some(CROP))
        .with_crop_length(text::SNIPPET_WORDS)
        .with_crop_marker(text::CROP_MARKER);
    match q.sort {
        SortOrder::Relevance => {}
        SortOrder::Newest => {
            query.with_sort(SORT_NEWEST);
        }
        SortOrder::Votes => {
            query.with_sort(SORT_VOTES);
        }
    }
    if q.group == Grouping::Discussion {
        query.with_distinct(GROUP_BY);
    }
    if let Some(filter) = filter {
        query.with_filter(filter);
    }
    query
}

fn to_hit(hit: SearchResult<MeiliDoc>, words: &[text::QueryWord]) -> SearchHit {
    let doc = hit.result;
    let snippet = match hit
        .formatted_result
        .as_ref()
        .and_then(|f| f.get("body"))
        .and_then(|b| b.as_str())
    {
        Some(formatted) => text::highlighted_to_html(formatted, PRE_TAG, POST_TAG),
        None => text::escape_html(&doc.body),
    };
    let created_at = doc.created_at_rfc3339.unwrap_or_else(|| {
        DateTime::from_timestamp_millis(doc.created_at).unwrap_or(DateTime::UNIX_EPOCH)
    });
    let title_html = text::mark_all(&doc.thread_title, words);
    let doc = SearchDoc {
        kind: doc.kind,
        discussion_id: doc.discussion_id,
        comment_id: doc.comment_id,
        session_id: doc.session_id,
        question_id: doc.question_id,
        title: doc.thread_title,
        body: String::new(),
        zone: doc.zone,
        author: doc.author,
        created_at,
        score: doc.score,
        recognized: doc.recognized != 0,
        idea: crate::domain::IdeaStatus::parse(&doc.idea),
    };
    SearchHit::of(doc, title_html, snippet, 1)
}

/// How many matching posts each of `threads` has: the same search, restricted to them,
/// counted by Meilisearch's facet distribution.
async fn match_counts(
    index: &Index,
    text: &str,
    filter: Option<&str>,
    threads: &[i64],
) -> anyhow::Result<HashMap<i64, u64>> {
    if threads.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<String> = threads.iter().map(i64::to_string).collect();
    let within = format!("{GROUP_BY} IN [{}]", ids.join(", "));
    let filter = match filter {
        Some(f) => format!("({f}) AND {within}"),
        None => within,
    };
    let results = index
        .search()
        .with_query(text)
        .with_matching_strategy(MatchingStrategies::ALL)
        .with_filter(&filter)
        .with_facets(Selectors::Some(&[GROUP_BY]))
        .with_limit(0)
        .execute::<MeiliDoc>()
        .await
        .context("counting matches in Meilisearch")?;
    Ok(results
        .facet_distribution
        .and_then(|mut f| f.remove(GROUP_BY))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(id, count)| Some((id.parse().ok()?, count as u64)))
        .collect())
}

/// A new index being filled beside the live one, swapped in by `finish`.
struct MeiliRebuild {
    client: Client,
    live: String,
    next: Index,
}

#[async_trait]
impl Rebuild for MeiliRebuild {
    async fn index(&mut self, docs: Vec<SearchDoc>) -> anyhow::Result<()> {
        add_documents(&self.client, &self.next, &docs).await
    }

    async fn finish(self: Box<Self>) -> anyhow::Result<()> {
        let swap = SwapIndexes {
            indexes: (self.live.clone(), self.next.uid.clone()),
            rename: None,
        };
        let task = self
            .client
            .swap_indexes([&swap])
            .await
            .context("swapping the rebuilt Meilisearch index in")?;
        wait(
            &self.client,
            task,
            "swapping the rebuilt Meilisearch index in",
        )
        .await?;
        // The rebuilt index's uid now holds the old documents. The new index is live
        // whatever happens here: a failure only leaves the old one behind.
        match self.next.delete().await {
            Ok(task) => {
                if let Err(e) = wait(&self.client, task, "deleting the old Meilisearch index").await
                {
                    tracing::warn!(error = %e, "the old Meilisearch index was not deleted");
                }
            }
            Err(e) => tracing::warn!(error = %e, "the old Meilisearch index was not deleted"),
        }
        Ok(())
    }
}

#[async_trait]
impl SearchEngine for MeiliEngine {
    fn name(&self) -> &'static str {
        "meilisearch"
    }

    fn needs_rebuild(&self) -> bool {
        self.fresh
    }

    async fn index(&self, docs: Vec<SearchDoc>) -> anyhow::Result<()> {
        add_documents(&self.client, &self.index, &docs).await
    }

    async fn remove(&self, ids: Vec<String>) -> anyhow::Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let task = self
            .index
            .delete_documents(&ids)
            .await
            .context("deleting documents from Meilisearch")?;
        wait(&self.client, task, "deleting documents from Meilisearch").await
    }

    async fn clear(&self) -> anyhow::Result<()> {
        let task = self
            .index
            .delete_all_documents()
            .await
            .context("clearing the Meilisearch index")?;
        wait(&self.client, task, "clearing the Meilisearch index").await
    }

    async fn rebuild(&self) -> anyhow::Result<Box<dyn Rebuild>> {
        // An index left by a rebuild cut short (a restart mid-rebuild) is nobody's.
        self.sweep_rebuilds().await;
        // Each rebuild its own index: two at once (from two instances, say) never write
        // into or delete each other's.
        let uid = format!(
            "{}_rebuild_{}",
            self.index.uid,
            Utc::now().timestamp_micros()
        );
        let next = create_index(&self.client, &uid, false).await?;
        apply_settings(&self.client, &next).await?;
        Ok(Box::new(MeiliRebuild {
            client: self.client.clone(),
            live: self.index.uid.clone(),
            next,
        }))
    }

    async fn search(&self, q: &SearchQuery) -> anyhow::Result<SearchResults> {
        if q.is_blank() {
            return Ok(SearchResults::default());
        }
        let start = Instant::now();
        let text = plain_query(&q.q);
        let filter = filter_expression(q);
        let query = build_query(&self.index, &text, filter.as_deref(), q);
        let results = query
            .execute::<MeiliDoc>()
            .await
            .context("searching Meilisearch")?;
        let total = results
            .total_hits
            .or(results.estimated_total_hits)
            .unwrap_or(results.hits.len());
        let words = text::words_of(&q.q);
        let mut hits: Vec<SearchHit> = results
            .hits
            .into_iter()
            .map(|h| to_hit(h, &words))
            .collect();
        if q.group == Grouping::Discussion {
            let ids: Vec<i64> = hits.iter().map(|h| h.thread().key()).collect();
            let counts = match_counts(&self.index, &text, filter.as_deref(), &ids).await?;
            for hit in &mut hits {
                let key = hit.thread().key();
                hit.matches = counts.get(&key).copied().unwrap_or(1).max(1);
            }
        }
        Ok(SearchResults {
            hits,
            total: u64::try_from(total).unwrap_or(u64::MAX),
            took_ms: elapsed_ms(start),
        })
    }

    async fn health(&self) -> anyhow::Result<()> {
        let health = self
            .client
            .health()
            .await
            .context("Meilisearch health check")?;
        if health.status != "available" {
            bail!("Meilisearch is {}", health.status);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::MAX_PER_PAGE;

    #[test]
    fn filter_values_are_quoted() {
        let q = SearchQuery {
            zone: Some(r#"a" OR zone = "b\"#.to_string()),
            kind: Some(SearchKind::Comment),
            ..SearchQuery::default()
        };
        assert_eq!(
            filter_expression(&q).as_deref(),
            Some(r#"zone = "a\" OR zone = \"b\\" AND kind = "comment""#)
        );
        assert_eq!(filter_expression(&SearchQuery::default()), None);
    }

    #[test]
    fn query_syntax_is_neutralized() {
        assert_eq!(
            plain_query(r#""exact phrase" -not a-b"#),
            " exact phrase   not a-b"
        );
    }

    #[test]
    fn search_request_shape() -> anyhow::Result<()> {
        let client = Client::new("http://localhost:7700", Some("key"))?;
        let index = client.index(DEFAULT_INDEX);
        let q = SearchQuery {
            q: "collab".to_string(),
            author: Some("bob".to_string()),
            page: 0,
            per_page: 1000,
            ..SearchQuery::default()
        };
        let filter = filter_expression(&q);
        let body = serde_json::to_value(build_query(&index, "collab", filter.as_deref(), &q))?;
        let expected = serde_json::json!({
            "q": "collab",
            "matchingStrategy": "all",
            "page": 1,
            "hitsPerPage": MAX_PER_PAGE,
            "distinct": "thread",
            "filter": "author = \"bob\"",
            "attributesToHighlight": ["title", "body"],
            "highlightPreTag": PRE_TAG,
            "highlightPostTag": POST_TAG,
            "attributesToCrop": ["body"],
            "cropLength": 30,
            "cropMarker": "…",
        });
        for (key, value) in expected.as_object().into_iter().flatten() {
            assert_eq!(body.get(key), Some(value), "{key} in {body}");
        }
        let settings = serde_json::to_value(settings())?;
        assert_eq!(
            settings["typoTolerance"]["minWordSizeForTypos"],
            serde_json::json!({"oneTypo": 5, "twoTypos": 9})
        );
        assert_eq!(
            settings["searchableAttributes"],
            serde_json::json!(["title", "body"])
        );
        assert_eq!(
            settings["filterableAttributes"],
            serde_json::json!([
                "zone",
                "author",
                "kind",
                "created_at",
                "thread",
                "recognized",
                "idea"
            ])
        );
        assert_eq!(
            settings["sortableAttributes"],
            serde_json::json!(["created_at", "score"])
        );
        assert_eq!(
            settings.get("rankingRules"),
            Some(&serde_json::json!(RANKING_RULES))
        );
        assert!(
            body.get("sort").is_none(),
            "relevance asks for no sort: {body}"
        );
        let newest = SearchQuery {
            sort: SortOrder::Newest,
            group: Grouping::None,
            ..q.clone()
        };
        let body = serde_json::to_value(build_query(&index, "collab", None, &newest))?;
        assert_eq!(body["sort"], serde_json::json!(["created_at:desc"]));
        assert!(body.get("distinct").is_none(), "{body}");
        let doc = serde_json::to_value(MeiliDoc::from(&crate::search::contract_tests::comment(
            7, 3, "T", "B", 0,
        )))?;
        assert_eq!(doc["id"], "c-7");
        assert_eq!(doc["kind"], "comment");
        assert_eq!(doc["title"], "", "a reply's title is not searchable");
        assert_eq!(doc["thread_title"], "T");
        assert_eq!(doc["thread"], 3, "grouped by its discussion");
        assert!(doc["created_at"].is_i64());
        Ok(())
    }
}
