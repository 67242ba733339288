//! Operating search: `/readyz`, `quorum reindex`, and the job queue that loses nothing
//! when the process stops before its worker has indexed what was written.
//!
//! The tests that stop the server and start it again on the same data dir and database
//! (with something done in between) use a small harness of their own below: the shared
//! `TestApp` can only restart in one step.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use quorum::config::{Settings, Switch};
use quorum::startup::Application;
use reqwest::{Client, Url};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use crate::helpers::{Answer, PASSWORD, spawn_app};
use crate::search::{
    comment_hit, discussion_hit, hits, search, search_at, search_until, search_until_at,
};

/// The `quorum` binary built with this test.
const QUORUM: &str = env!("CARGO_BIN_EXE_quorum");

#[tokio::test]
async fn readyz_reports_the_search_engine() {
    let app = spawn_app().await;
    let answer = app.get_page("/readyz").await;
    let body = answer.expect(200);
    assert_eq!(body["status"], "ok", "{body}");
    assert_eq!(body["database"], "ok", "{body}");
    assert_eq!(body["search"], "ok", "{body}");
    assert_eq!(body["search_engine"], "embedded", "{body}");
}

#[tokio::test]
async fn reindex_rebuilds_a_lost_index_from_the_database() {
    let site = Site::new().await;
    let server = site.start().await;
    let alice = server.register("alice").await;
    let id = server
        .start_discussion(
            &alice,
            "people",
            "Lighthouse keepers",
            "Old knowledge about lighthouses.",
        )
        .await;
    let comment = server
        .post(
            &format!("/discussions/{id}/comments"),
            Some(&alice),
            &json!({"body": "More lighthouses, please."}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .expect("a comment id");
    let deleted = server
        .start_discussion(&alice, "people", "Lighthouse draft", "Never mind.")
        .await;
    server
        .delete(&format!("/discussions/{deleted}"), Some(&alice))
        .await
        .expect_status(204);
    search_until_at(&server.api, &server.address, &[("q", "lighthouses")], |b| {
        discussion_hit(b, id).is_some() && comment_hit(b, comment).is_some()
    })
    .await;
    // Nothing left for the worker, so only the reindex can bring the content back.
    site.wait_for_no_jobs().await;
    server.stop().await;

    let index = site.settings.data_dir.join("search");
    assert!(
        index.is_dir(),
        "the embedded index lives in {}",
        index.display()
    );
    std::fs::remove_dir_all(&index).expect("deleting the search index");

    let output = site.quorum(&["reindex"]).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "quorum reindex failed: {}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("Indexed"), "{stdout}");
    assert!(
        stdout.contains("Indexed 2 documents"),
        "the live discussion and its comment, not the deleted one: {stdout}"
    );
    assert!(index.is_dir(), "reindex recreates {}", index.display());

    let server = site.start().await;
    // At once: no job is pending, the index was rebuilt before the server started.
    let body = search_at(&server.api, &server.address, &[("q", "lighthouses")])
        .await
        .expect(200);
    assert!(discussion_hit(&body, id).is_some(), "{body}");
    assert!(comment_hit(&body, comment).is_some(), "{body}");
    assert_eq!(body["total"], 2, "{body}");
    let body = search_at(&server.api, &server.address, &[("q", "draft")])
        .await
        .expect(200);
    assert_eq!(
        body["total"], 0,
        "a deleted discussion is not reindexed: {body}"
    );
    server.stop().await;
}

#[tokio::test]
async fn reindex_while_the_server_runs_hands_the_work_to_its_worker() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let id = app
        .start_discussion(&alice.token, "people", "Archive tour", "Dusty shelves.")
        .await;
    search_until(&app, &[("q", "archive")], |b| {
        discussion_hit(b, id).is_some()
    })
    .await;

    let output = run_quorum(
        &["reindex"],
        app.data_dir.path(),
        &app.settings.database_url(),
    )
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "quorum reindex failed: {}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("Queued") || stdout.contains("Indexed"),
        "{stdout}"
    );
    // The running server's worker applies the queued work: everything stays findable,
    // and the queue empties.
    let db = app.db().await;
    wait_for_no_jobs(&db).await;
    db.close().await.expect("closing a connection");
    let body = search(&app, &[("q", "archive")]).await;
    assert!(discussion_hit(&body, id).is_some(), "{body}");
    assert_eq!(hits(&body).len(), 1, "{body}");
}

#[tokio::test]
async fn quorum_reindex_help_exits_zero() {
    let output = tokio::process::Command::new(QUORUM)
        .args(["reindex", "--help"])
        .kill_on_drop(true)
        .output()
        .await
        .expect("running quorum reindex --help");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}\n{stdout}", output.status);
    assert!(stdout.contains("--data-dir"), "{stdout}");
}

#[tokio::test]
async fn the_index_queue_drains_and_survives_a_stop_before_indexing() {
    let site = Site::new().await;
    let server = site.start().await;
    let alice = server.register("alice").await;
    let id = server
        .start_discussion(&alice, "people", "Bee hives on the roof", "Local honey.")
        .await;
    search_until_at(&server.api, &server.address, &[("q", "honey")], |b| {
        discussion_hit(b, id).is_some()
    })
    .await;
    // Every job is applied and then deleted.
    site.wait_for_no_jobs().await;
    server.stop().await;

    // The process is gone before any worker could index this: as after a crash right
    // after the write committed. The write and its job are in the database.
    let db = site.db().await;
    let member = quorum::services::accounts::find_by_username(&db, "alice")
        .await
        .unwrap_or_else(|e| panic!("finding alice: {e}"));
    let actor = quorum::services::Actor::from_model(&member);
    let new = quorum::services::discussions::NewDiscussion::parse(
        "Beekeeping course",
        "Written while no server ran: apiary basics.",
    )
    .unwrap_or_else(|e| panic!("a valid discussion: {e}"));
    let written = quorum::services::discussions::create(&db, "people", &actor, new)
        .await
        .unwrap_or_else(|e| panic!("writing a discussion: {e}"));
    let pending = jobs(&db).await;
    assert!(pending >= 1, "the write queued a job: {pending}");
    assert_eq!(raw_job_count(&db).await, pending);

    let server = site.start().await;
    let body = search_until_at(&server.api, &server.address, &[("q", "apiary")], |b| {
        discussion_hit(b, i64::from(written.id)).is_some()
    })
    .await;
    assert_eq!(body["total"], 1, "{body}");
    wait_for_no_jobs(&db).await;
    db.close().await.expect("closing a connection");
    server.stop().await;
}

/// The rows in the jobs table, through the entity.
async fn jobs(db: &DatabaseConnection) -> u64 {
    entity::job::Entity::find()
        .count(db)
        .await
        .expect("counting jobs")
}

/// The rows in the jobs table, in plain SQL.
async fn raw_job_count(db: &DatabaseConnection) -> u64 {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM jobs",
        ))
        .await
        .expect("counting jobs")
        .expect("a count");
    let n: i64 = row.try_get("", "n").expect("a number");
    u64::try_from(n).expect("a count is never negative")
}

/// Waits (up to 10 s) until the worker has applied and deleted every job.
async fn wait_for_no_jobs(db: &DatabaseConnection) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let n = jobs(db).await;
        if n == 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{n} job(s) still queued after 10 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A data dir and a database that outlive the servers started on them, so a test can
/// stop the server, act on its files and database, and start it again.
struct Site {
    settings: Settings,
    _data_dir: tempfile::TempDir,
    _database: Option<Database>,
}

impl Site {
    /// SQLite in a new temporary directory, or a new database on `TEST_DATABASE_URL`.
    async fn new() -> Self {
        let data_dir = tempfile::tempdir().expect("creating a temporary data dir");
        let mut settings = Settings::with_data_dir(data_dir.path());
        settings.bind = "127.0.0.1:0".into();
        settings.rate_limit = Switch::Off;
        settings.email_verification = Switch::Off;
        let database = Database::create().await;
        settings.database_url = database.as_ref().map(Database::url);
        Self {
            settings,
            _data_dir: data_dir,
            _database: database,
        }
    }

    async fn start(&self) -> Server {
        let app = Application::build(self.settings.clone())
            .await
            .expect("building the application");
        let port = app.port();
        let handle = app.handle();
        let task = tokio::spawn(async move {
            let _ = app.run_until_stopped().await;
        });
        Server {
            address: format!("http://127.0.0.1:{port}"),
            api: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("building an HTTP client"),
            handle,
            task,
        }
    }

    async fn db(&self) -> DatabaseConnection {
        quorum::db::connect(&self.settings.database_url())
            .await
            .expect("connecting to the test database")
    }

    async fn wait_for_no_jobs(&self) {
        let db = self.db().await;
        wait_for_no_jobs(&db).await;
        db.close().await.expect("closing a connection");
    }

    /// Runs the `quorum` binary on this site's data dir and database.
    async fn quorum(&self, args: &[&str]) -> Output {
        run_quorum(args, &self.settings.data_dir, &self.settings.database_url()).await
    }
}

async fn run_quorum(args: &[&str], data_dir: &Path, database_url: &str) -> Output {
    tokio::process::Command::new(QUORUM)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("DATABASE_URL", database_url)
        .env_remove("MEILI_URL")
        .env_remove("QUORUM_DATA_DIR")
        .kill_on_drop(true)
        .output()
        .await
        .expect("running the quorum binary")
}

/// A running server of a `Site`.
struct Server {
    address: String,
    api: Client,
    handle: ServerHandle,
    task: JoinHandle<()>,
}

impl Server {
    /// A graceful stop, as an operator's SIGTERM; the index is released when it returns.
    async fn stop(self) {
        self.handle.stop(true).await;
        let _ = self.task.await;
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        let mut req = self
            .api
            .request(method, format!("{}/api/v1{path}", self.address));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        Answer::read(req.send().await.expect("sending a request")).await
    }

    async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Answer {
        self.send(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    async fn delete(&self, path: &str, token: Option<&str>) -> Answer {
        self.send(reqwest::Method::DELETE, path, token, None).await
    }

    /// Registers a member; returns the bearer token.
    async fn register(&self, username: &str) -> String {
        let body = self
            .post(
                "/auth/register",
                None,
                &json!({
                    "username": username,
                    "email": format!("{username}@example.com"),
                    "password": PASSWORD,
                }),
            )
            .await
            .expect(201);
        body["token"].as_str().expect("a token").to_string()
    }

    async fn start_discussion(&self, token: &str, zone: &str, title: &str, body: &str) -> i64 {
        self.post(
            &format!("/zones/{zone}/discussions"),
            Some(token),
            &json!({"title": title, "body": body}),
        )
        .await
        .expect(201)["id"]
            .as_i64()
            .expect("a discussion id")
    }
}

/// A new database on `TEST_DATABASE_URL`'s server, dropped with the value (as the shared
/// harness does for `TestApp`).
struct Database {
    server: String,
    name: String,
}

impl Database {
    async fn create() -> Option<Self> {
        let server = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|url| !url.trim().is_empty())?;
        let name = format!("quorum_test_{}", uuid::Uuid::new_v4().simple());
        let admin = sea_orm::Database::connect(server.as_str())
            .await
            .expect("connecting to TEST_DATABASE_URL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("creating a test database");
        admin.close().await.expect("closing the admin connection");
        Some(Self { server, name })
    }

    fn url(&self) -> String {
        let mut url = Url::parse(&self.server).expect("TEST_DATABASE_URL is not a URL");
        url.set_path(&format!("/{}", self.name));
        url.to_string()
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let server = self.server.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let admin = sea_orm::Database::connect(server.as_str()).await.ok()?;
                admin.execute_unprepared(&sql).await.ok()?;
                admin.close().await.ok()
            })
        })
        .join();
    }
}
