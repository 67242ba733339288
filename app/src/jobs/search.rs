//! Search indexing jobs. A job names what changed, not what to write: the worker reads
//! the item's current state when it runs, so jobs are idempotent and their order does not
//! matter (an edit followed by a delete always ends with the item gone).

use std::collections::{HashMap, HashSet};
use std::time::Duration as StdDuration;

use chrono::Duration;
use entity::{comment, discussion, qa_question, qa_session, zone};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};

use super::SEARCH_QUEUE;
use crate::domain::Post;
use crate::error::AppResult;
use crate::markdown;
use crate::search::{Search, SearchDoc, SearchKind, question_key};
use crate::services::items::members_by_id;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum SearchJob {
    /// The discussion's own document.
    Discussion { id: i32 },
    /// One comment.
    Comment { id: i32 },
    /// The discussion and all its comments (after a title change or a deletion).
    Thread { id: i32 },
    /// One question of a live session.
    Question { id: i32 },
    /// Every question of a live session.
    Session { id: i32 },
}

impl SearchJob {
    /// The job that refreshes one post's document.
    pub fn for_post(post: Post) -> Self {
        match post {
            Post::Discussion(id) => SearchJob::Discussion { id },
            Post::Comment(id) => SearchJob::Comment { id },
        }
    }
}

pub async fn enqueue(db: &impl ConnectionTrait, job: SearchJob) -> AppResult<()> {
    super::enqueue(db, SEARCH_QUEUE, &job).await
}

/// Applies a batch of jobs to the engine.
pub async fn apply(
    db: &DatabaseConnection,
    engine: &Search,
    jobs: &[SearchJob],
) -> anyhow::Result<()> {
    let mut discussion_ids = HashSet::new();
    let mut comment_ids = HashSet::new();
    let mut thread_ids = HashSet::new();
    let mut question_ids = HashSet::new();
    let mut session_ids = HashSet::new();
    for job in jobs {
        match *job {
            SearchJob::Question { id } => {
                question_ids.insert(id);
            }
            SearchJob::Session { id } => {
                session_ids.insert(id);
            }
            SearchJob::Discussion { id } => {
                discussion_ids.insert(id);
            }
            SearchJob::Comment { id } => {
                comment_ids.insert(id);
            }
            SearchJob::Thread { id } => {
                discussion_ids.insert(id);
                thread_ids.insert(id);
            }
        }
    }
    let discussions = discussion::Entity::find()
        .filter(discussion::Column::Id.is_in(discussion_ids.iter().copied().collect::<Vec<_>>()))
        .all(db)
        .await?;
    // Only the parts there are: an empty `IN ()` becomes `? = ?`, and SQLite then scans
    // every comment for `id IN (…) OR ? = ?` (100 ms at a million comments).
    let mut wanted = sea_orm::Condition::any();
    if !comment_ids.is_empty() {
        wanted =
            wanted.add(comment::Column::Id.is_in(comment_ids.iter().copied().collect::<Vec<_>>()));
    }
    if !thread_ids.is_empty() {
        wanted = wanted.add(
            comment::Column::DiscussionId.is_in(thread_ids.iter().copied().collect::<Vec<_>>()),
        );
    }
    let mut comments = if comment_ids.is_empty() && thread_ids.is_empty() {
        Vec::new()
    } else {
        comment::Entity::find().filter(wanted).all(db).await?
    };
    // The discussions that comments belong to, for their title, zone and liveness.
    let mut parents: HashMap<i32, discussion::Model> =
        discussions.iter().map(|d| (d.id, d.clone())).collect();
    let missing: Vec<i32> = comments
        .iter()
        .map(|c| c.discussion_id)
        .filter(|id| !parents.contains_key(id))
        .collect();
    if !missing.is_empty() {
        for d in discussion::Entity::find()
            .filter(discussion::Column::Id.is_in(missing))
            .all(db)
            .await?
        {
            parents.insert(d.id, d);
        }
    }
    comments.sort_by_key(|c| c.id);
    let (docs, removals) = documents(db, &discussions, &comments, &parents).await?;
    // Ids asked for that no longer exist at all are removed too.
    let mut removals = removals;
    for id in &discussion_ids {
        if !parents.contains_key(id) {
            removals.push(Post::Discussion(*id).key());
        }
    }
    let found: HashSet<i32> = comments.iter().map(|c| c.id).collect();
    for id in comment_ids.difference(&found) {
        removals.push(Post::Comment(*id).key());
    }
    if !docs.is_empty() {
        engine.index(docs).await?;
    }
    if !question_ids.is_empty() || !session_ids.is_empty() {
        let (docs, gone) = questions(db, &question_ids, &session_ids).await?;
        removals.extend(gone);
        if !docs.is_empty() {
            engine.index(docs).await?;
        }
    }
    if !removals.is_empty() {
        engine.remove(removals).await?;
    }
    Ok(())
}

/// Documents for the questions asked for (by id, or all of a session's), and removal
/// ids for those that are gone, hidden or dismissed.
async fn questions(
    db: &impl ConnectionTrait,
    ids: &HashSet<i32>,
    sessions: &HashSet<i32>,
) -> anyhow::Result<(Vec<SearchDoc>, Vec<String>)> {
    let mut wanted = sea_orm::Condition::any();
    if !ids.is_empty() {
        wanted = wanted.add(qa_question::Column::Id.is_in(ids.iter().copied()));
    }
    if !sessions.is_empty() {
        wanted = wanted.add(qa_question::Column::SessionId.is_in(sessions.iter().copied()));
    }
    let rows = qa_question::Entity::find()
        .filter(wanted)
        .order_by_asc(qa_question::Column::Id)
        .all(db)
        .await?;
    let (mut docs, mut removals) = question_documents(db, &rows).await?;
    let found: HashSet<i32> = rows.iter().map(|q| q.id).collect();
    removals.extend(ids.difference(&found).map(|id| question_key(*id)));
    docs.sort_by_key(|d| d.question_id);
    Ok((docs, removals))
}

/// Builds documents for questions members can see, and removal ids for the others (a
/// question hidden by moderation or dismissed by the host is out of search).
async fn question_documents(
    db: &impl ConnectionTrait,
    rows: &[qa_question::Model],
) -> anyhow::Result<(Vec<SearchDoc>, Vec<String>)> {
    if rows.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let session_ids: HashSet<i32> = rows.iter().map(|q| q.session_id).collect();
    let sessions: HashMap<i32, qa_session::Model> = qa_session::Entity::find()
        .filter(qa_session::Column::Id.is_in(session_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let zones: HashMap<i32, String> = zone::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|z| (z.id, z.slug))
        .collect();
    let authors = members_by_id(db, rows.iter().map(|q| q.author_id)).await?;
    let mut docs = Vec::new();
    let mut removals = Vec::new();
    for q in rows {
        let Some(session) = sessions.get(&q.session_id) else {
            removals.push(question_key(q.id));
            continue;
        };
        if q.hidden || q.dismissed {
            removals.push(question_key(q.id));
            continue;
        }
        let mut body = markdown::to_text(&q.body);
        if let Some(answer) = &q.answer {
            body.push_str("\n\n");
            body.push_str(&markdown::to_text(answer));
        }
        // An anonymous question names nobody, and no author filter finds it.
        let author = if q.anonymous {
            String::new()
        } else {
            authors
                .get(&q.author_id)
                .map(|m| m.username.clone())
                .unwrap_or_default()
        };
        docs.push(SearchDoc {
            kind: SearchKind::Question,
            discussion_id: None,
            comment_id: None,
            session_id: Some(session.id),
            question_id: Some(q.id),
            title: session.title.clone(),
            body,
            zone: zones.get(&session.zone_id).cloned().unwrap_or_default(),
            author,
            created_at: q.created_at,
            score: q.votes,
            recognized: false,
            idea: None,
        });
    }
    Ok((docs, removals))
}

/// The status of a discussion's idea, if it is one.
fn idea_of(d: &discussion::Model) -> Option<crate::domain::IdeaStatus> {
    d.idea_status
        .as_deref()
        .and_then(crate::domain::IdeaStatus::parse)
}

/// Builds documents for live items and removal ids for deleted and hidden ones (a post
/// hidden by moderation is out of search until it is restored).
async fn documents(
    db: &impl ConnectionTrait,
    discussions: &[discussion::Model],
    comments: &[comment::Model],
    parents: &HashMap<i32, discussion::Model>,
) -> anyhow::Result<(Vec<SearchDoc>, Vec<String>)> {
    let zones: HashMap<i32, String> = zone::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|z| (z.id, z.slug))
        .collect();
    let authors = members_by_id(
        db,
        discussions
            .iter()
            .map(|d| d.author_id)
            .chain(comments.iter().map(|c| c.author_id)),
    )
    .await?;
    let username = |id: i32| {
        authors
            .get(&id)
            .map(|m| m.username.clone())
            .unwrap_or_default()
    };
    let mut docs = Vec::new();
    let mut removals = Vec::new();
    for d in discussions {
        if d.deleted_at.is_some() || d.hidden {
            removals.push(Post::Discussion(d.id).key());
            continue;
        }
        docs.push(SearchDoc {
            kind: SearchKind::Discussion,
            discussion_id: Some(d.id),
            comment_id: None,
            session_id: None,
            question_id: None,
            title: d.title.clone(),
            body: markdown::to_text(&d.body),
            zone: zones.get(&d.zone_id).cloned().unwrap_or_default(),
            author: username(d.author_id),
            created_at: d.created_at,
            score: d.score,
            recognized: d.recognized,
            idea: idea_of(d),
        });
    }
    for c in comments {
        let parent = parents.get(&c.discussion_id);
        match parent {
            Some(d)
                if d.deleted_at.is_none() && !d.hidden && c.deleted_at.is_none() && !c.hidden =>
            {
                docs.push(SearchDoc {
                    kind: SearchKind::Comment,
                    discussion_id: Some(d.id),
                    comment_id: Some(c.id),
                    session_id: None,
                    question_id: None,
                    title: d.title.clone(),
                    body: markdown::to_text(&c.body),
                    zone: zones.get(&d.zone_id).cloned().unwrap_or_default(),
                    author: username(c.author_id),
                    created_at: c.created_at,
                    score: c.score,
                    recognized: c.recognized,
                    idea: idea_of(d),
                })
            }
            _ => removals.push(Post::Comment(c.id).key()),
        }
    }
    Ok((docs, removals))
}

/// Applies jobs while holding a PostgreSQL advisory lock, so two instances never index
/// at once: otherwise one could read an item, another read and index a newer version,
/// and the first then overwrite it with the older one.
async fn apply_exclusively(
    db: &DatabaseConnection,
    engine: &Search,
    jobs: &[SearchJob],
) -> anyhow::Result<()> {
    use sea_orm::{DbBackend, Statement, TransactionTrait};
    if db.get_database_backend() != DbBackend::Postgres {
        return apply(db, engine, jobs).await;
    }
    let txn = db.begin().await?;
    txn.execute_raw(Statement::from_string(
        DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock(7410451)",
    ))
    .await?;
    let result = apply(db, engine, jobs).await;
    txn.commit().await?;
    result
}

/// The worker: claims search jobs, applies them, deletes them; on failure (the engine
/// is down, say) they wait and are retried, so nothing is lost.
pub async fn run_worker(db: DatabaseConnection, engine: Search) {
    if let Err(e) = rebuild_if_needed(&db, &engine).await {
        tracing::warn!(error = %e, "building the search index failed; run `quorum reindex`");
    }
    loop {
        match run_once(&db, &engine).await {
            // Polling keeps several instances in step without any other channel; a
            // fifth of a second keeps new posts findable well within a second.
            Pass::Idle => tokio::time::sleep(StdDuration::from_millis(200)).await,
            // A full batch: more are waiting, go on at once.
            Pass::Indexed(n) if n >= BATCH => {}
            // Under a stream of writes (a vote is a job), let the next pass gather what
            // comes in meanwhile: one index commit for many posts rather than one per
            // post, which kept a core busy re-indexing during a burst of votes.
            Pass::Indexed(_) | Pass::Retrying(_) => {
                tokio::time::sleep(StdDuration::from_millis(150)).await
            }
        }
    }
}

/// Jobs claimed per pass.
const BATCH: usize = 500;

/// What one pass of the worker did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Nothing was due.
    Idle,
    /// This many jobs were applied and deleted.
    Indexed(usize),
    /// This many jobs failed and wait for a later try.
    Retrying(usize),
}

/// Claims the due search jobs, applies them, and deletes them; on failure (the engine is
/// down, say) puts them back for later, so nothing is lost.
pub async fn run_once(db: &DatabaseConnection, engine: &Search) -> Pass {
    let jobs = match super::claim(db, SEARCH_QUEUE, BATCH as u64, Duration::seconds(60)).await {
        Ok(jobs) if jobs.is_empty() => return Pass::Idle,
        Ok(jobs) => jobs,
        Err(e) => {
            tracing::warn!(error = %e, "could not claim search jobs");
            return Pass::Idle;
        }
    };
    // A job this version cannot read (written by a newer one, during a rolling
    // upgrade) is left for an instance that can, never dropped.
    let (jobs, unknown): (Vec<_>, Vec<_>) = jobs
        .into_iter()
        .partition(|j| serde_json::from_str::<SearchJob>(&j.payload).is_ok());
    if !unknown.is_empty() {
        tracing::warn!(jobs = unknown.len(), "search jobs this version cannot read");
        if let Err(e) = super::retry_later(db, &unknown, "a job this version cannot read").await {
            tracing::warn!(error = %e, "could not reschedule search jobs");
        }
        if jobs.is_empty() {
            return Pass::Retrying(unknown.len());
        }
    }
    let parsed: Vec<SearchJob> = jobs
        .iter()
        .filter_map(|j| serde_json::from_str(&j.payload).ok())
        .collect();
    let ids: Vec<i32> = jobs.iter().map(|j| j.id).collect();
    match apply_exclusively(db, engine, &parsed).await {
        Ok(()) => {
            if let Err(e) = super::complete(db, &ids).await {
                tracing::warn!(error = %e, "could not delete finished search jobs");
            }
            Pass::Indexed(ids.len())
        }
        Err(e) => {
            tracing::warn!(error = %e, jobs = ids.len(), "search indexing failed; will retry");
            if let Err(e) = super::retry_later(db, &jobs, &e.to_string()).await {
                tracing::warn!(error = %e, "could not reschedule search jobs");
            }
            Pass::Retrying(ids.len())
        }
    }
}

/// Rebuilds the whole index from the database, reporting progress as (done, total).
///
/// The new index is built beside the live one, which keeps answering (and taking the
/// worker's writes) until the new one is swapped in. Threads that changed meanwhile, and
/// every live session's questions, are then queued again, so the swap loses none of
/// their writes.
pub async fn reindex_all(
    db: &DatabaseConnection,
    engine: &Search,
    progress: impl FnMut(u64, u64),
) -> anyhow::Result<u64> {
    // One rebuild at a time over instances sharing PostgreSQL (and Meilisearch): wait
    // for one in progress, then build again.
    let turn = rebuild_turn(db, true).await?;
    let count = rebuild_from_database(db, engine, progress).await?;
    if let Some(txn) = turn {
        txn.commit().await?;
    }
    Ok(count)
}

/// On PostgreSQL, a transaction holding the rebuild's advisory lock (`None` when not
/// waiting and another instance holds it); on SQLite there is one process, no lock.
async fn rebuild_turn(
    db: &DatabaseConnection,
    wait: bool,
) -> anyhow::Result<Option<sea_orm::DatabaseTransaction>> {
    use sea_orm::{DbBackend, Statement, TransactionTrait};
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(None);
    }
    let txn = db.begin().await?;
    let sql = if wait {
        "SELECT pg_advisory_xact_lock(7410452) IS NOT NULL AS got"
    } else {
        "SELECT pg_try_advisory_xact_lock(7410452) AS got"
    };
    let got = txn
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await?
        .and_then(|row| row.try_get::<bool>("", "got").ok())
        .unwrap_or(false);
    Ok(got.then_some(txn))
}

async fn rebuild_from_database(
    db: &DatabaseConnection,
    engine: &Search,
    mut progress: impl FnMut(u64, u64),
) -> anyhow::Result<u64> {
    use sea_orm::PaginatorTrait;
    let before = versions(db).await?;
    let mut rebuild = engine.rebuild().await?;
    let total = discussion::Entity::find()
        .filter(discussion::Column::DeletedAt.is_null())
        .count(db)
        .await?
        + comment::Entity::find()
            .filter(comment::Column::DeletedAt.is_null())
            .count(db)
            .await?
        + qa_question::Entity::find().count(db).await?;
    let mut done = 0u64;
    let mut last_id = 0;
    loop {
        let batch = discussion::Entity::find()
            .filter(discussion::Column::Id.gt(last_id))
            .order_by_asc(discussion::Column::Id)
            .limit(200)
            .all(db)
            .await?;
        let Some(last) = batch.last() else { break };
        last_id = last.id;
        let ids: Vec<i32> = batch.iter().map(|d| d.id).collect();
        let comments = comment::Entity::find()
            .filter(comment::Column::DiscussionId.is_in(ids))
            .all(db)
            .await?;
        let parents: HashMap<i32, discussion::Model> =
            batch.iter().map(|d| (d.id, d.clone())).collect();
        let (docs, _) = documents(db, &batch, &comments, &parents).await?;
        done += docs.len() as u64;
        if !docs.is_empty() {
            rebuild.index(docs).await?;
        }
        progress(done.min(total), total);
    }
    let mut last_id = 0;
    loop {
        let batch = qa_question::Entity::find()
            .filter(qa_question::Column::Id.gt(last_id))
            .order_by_asc(qa_question::Column::Id)
            .limit(500)
            .all(db)
            .await?;
        let Some(last) = batch.last() else { break };
        last_id = last.id;
        let (docs, _) = question_documents(db, &batch).await?;
        done += docs.len() as u64;
        if !docs.is_empty() {
            rebuild.index(docs).await?;
        }
        progress(done.min(total), total);
    }
    rebuild.finish().await?;
    let after = versions(db).await?;
    for (id, version) in after {
        if before.get(&id) != Some(&version) {
            enqueue(db, SearchJob::Thread { id })
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    // Questions carry no version: every session's are read again (sessions are few).
    let sessions: Vec<i32> = qa_session::Entity::find()
        .select_only()
        .column(qa_session::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    for id in sessions {
        enqueue(db, SearchJob::Session { id })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(done)
}

/// Every discussion's version (raised by every write to its thread).
async fn versions(db: &DatabaseConnection) -> anyhow::Result<HashMap<i32, i64>> {
    Ok(discussion::Entity::find()
        .select_only()
        .column(discussion::Column::Id)
        .column(discussion::Column::Version)
        .into_tuple::<(i32, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Rebuilds an index that opened empty (new, or written by another version) when the
/// database has posts for it.
pub async fn rebuild_if_needed(db: &DatabaseConnection, engine: &Search) -> anyhow::Result<()> {
    use sea_orm::PaginatorTrait;
    if !engine.needs_rebuild() || discussion::Entity::find().count(db).await? == 0 {
        return Ok(());
    }
    // Several instances starting at once on one Meilisearch: one of them rebuilds.
    let turn = match rebuild_turn(db, false).await? {
        Some(txn) => Some(txn),
        None if db.get_database_backend() == sea_orm::DbBackend::Postgres => {
            tracing::info!("another instance is building the search index");
            return Ok(());
        }
        None => None,
    };
    tracing::info!("building the search index from the database");
    let count = rebuild_from_database(db, engine, |_, _| {}).await?;
    tracing::info!(documents = count, "search index built");
    if let Some(txn) = turn {
        txn.commit().await?;
    }
    Ok(())
}
