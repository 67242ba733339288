//! "An engine that is down for a while loses nothing and catches up": the real queue in a
//! real SQLite file and the real embedded index, with the engine switched off for a while.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use quorum::jobs::search::{Pass, run_once};
use quorum::search::{Rebuild, Search, SearchDoc, SearchEngine, SearchQuery, SearchResults};
use quorum::services::Actor;
use quorum::services::accounts::{self, NewMember};
use quorum::services::discussions::{self, NewDiscussion};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};

/// The embedded engine behind a switch: while `down`, every write fails.
struct Flaky {
    inner: Search,
    down: AtomicBool,
}

#[async_trait::async_trait]
impl SearchEngine for Flaky {
    fn name(&self) -> &'static str {
        "flaky"
    }
    async fn index(&self, docs: Vec<SearchDoc>) -> anyhow::Result<()> {
        if self.down.load(Ordering::SeqCst) {
            anyhow::bail!("the engine is down");
        }
        self.inner.index(docs).await
    }
    async fn remove(&self, ids: Vec<String>) -> anyhow::Result<()> {
        if self.down.load(Ordering::SeqCst) {
            anyhow::bail!("the engine is down");
        }
        self.inner.remove(ids).await
    }
    async fn clear(&self) -> anyhow::Result<()> {
        self.inner.clear().await
    }
    async fn rebuild(&self) -> anyhow::Result<Box<dyn Rebuild>> {
        self.inner.rebuild().await
    }
    async fn search(&self, q: &SearchQuery) -> anyhow::Result<SearchResults> {
        self.inner.search(q).await
    }
    async fn health(&self) -> anyhow::Result<()> {
        self.inner.health().await
    }
}

#[tokio::test]
async fn jobs_wait_out_an_engine_outage_and_then_catch_up() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("q.db").display());
    let db = quorum::db::connect(&url).await.expect("a database");
    quorum::db::migrate(&db).await.expect("migrations");
    let inner = quorum::search::open(&dir.path().join("data"), None, None, "quorum")
        .await
        .expect("the embedded index");
    let flaky = Arc::new(Flaky {
        inner,
        down: AtomicBool::new(true),
    });
    let engine: Search = flaky.clone();

    let member = accounts::create_verified(
        &db,
        &quorum::services::passwords::Hasher::new(1),
        NewMember::parse("ada", "ada@example.com", "correct horse battery", None).expect("valid"),
    )
    .await
    .expect("a member");
    discussions::create(
        &db,
        "people",
        &Actor::from_model(&member),
        NewDiscussion::parse("Quarterly offsite planning", "Where shall we meet?").expect("valid"),
    )
    .await
    .expect("a discussion");

    // Down: the job fails, stays in the queue with its error, and waits.
    assert_eq!(run_once(&db, &engine).await, Pass::Retrying(1));
    let jobs = entity::job::Entity::find().all(&db).await.expect("jobs");
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].attempts, 1);
    assert!(
        jobs[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("down"))
    );
    assert!(
        jobs[0].run_at > chrono::Utc::now(),
        "retried later, not at once"
    );
    assert_eq!(run_once(&db, &engine).await, Pass::Idle, "not due yet");

    // Back up, and the retry is due (time passing, simulated): it catches up.
    flaky.down.store(false, Ordering::SeqCst);
    db.execute_unprepared("UPDATE jobs SET run_at = '2000-01-01T00:00:00Z'")
        .await
        .expect("making the retry due");
    assert_eq!(run_once(&db, &engine).await, Pass::Indexed(1));
    assert_eq!(
        entity::job::Entity::find().count(&db).await.expect("count"),
        0
    );
    let found = engine
        .search(&SearchQuery {
            q: "offsite".into(),
            page: 1,
            per_page: 10,
            ..Default::default()
        })
        .await
        .expect("a search");
    assert_eq!(found.total, 1, "{found:?}");
    assert_eq!(found.hits[0].title, "Quarterly offsite planning");
}
