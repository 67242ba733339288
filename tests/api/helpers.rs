//! The harness, in the style of zero-to-production's `spawn_app`: every test starts the
//! real application on port 0 with its own fresh database, and talks to it over HTTP
//! like any client would.
//!
//! SQLite in a new temporary directory by default. With `TEST_DATABASE_URL` set to a
//! PostgreSQL server (e.g. `postgres://postgres@127.0.0.1:5432/postgres`), each test gets
//! its own new database `quorum_test_<uuid>` on that server instead.

use std::sync::Arc;

use actix_web::dev::ServerHandle;
use quorum::config::{Settings, Switch};
use quorum::domain::Role;
use quorum::startup::Application;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::HeaderMap;
use reqwest::redirect::Policy;
use reqwest::{Client, Method, StatusCode, Url};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// Every member the harness registers has this password.
pub const PASSWORD: &str = "correct horse battery";

/// What no response may ever carry: a panic message, an SQL fragment, a password hash.
/// Every answer read through this harness is checked, in every test.
pub const LEAKS: &[&str] = &["panicked", "SELECT", "$argon2"];

pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    pub port: u16,
    /// Owns the data dir (SQLite file, search index, mail): removed when the test ends.
    pub data_dir: tempfile::TempDir,
    pub settings: Settings,
    /// A plain client: no cookies, no redirects followed.
    pub api: Client,
    server: JoinHandle<()>,
    handle: ServerHandle,
    /// The PostgreSQL database made for this test, dropped with it.
    database: Option<TestDatabase>,
}

/// A database created on `TEST_DATABASE_URL`'s server for one test. Dropping it drops
/// the database, so runs do not pile up hundreds of them.
struct TestDatabase {
    server: String,
    name: String,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let server = self.server.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // Drop runs inside the test's runtime, which cannot block on itself: use a thread
        // with a runtime of its own. A failure only leaves a database behind.
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

/// A member registered through the API.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub username: String,
    pub email: String,
    pub token: String,
}

impl TestUser {
    /// The bearer token, as the request helpers take it.
    pub fn auth(&self) -> Option<&str> {
        Some(&self.token)
    }
}

/// A response, read in full.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Answer {
    pub async fn read(res: reqwest::Response) -> Self {
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.expect("reading a response body");
        for leak in LEAKS {
            assert!(
                !text.contains(leak),
                "a {status} response contains {leak:?}:\n{text}"
            );
        }
        Self {
            status,
            headers,
            text,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    /// The body as JSON; fails the test if it is not.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| {
            panic!(
                "a {} response is not JSON ({e}):\n{}",
                self.status, self.text
            )
        })
    }

    /// Asserts the status only (for 204 and other bodiless answers).
    #[track_caller]
    pub fn expect_status(&self, status: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body:\n{}",
            self.text
        );
        self
    }

    /// Asserts the status and returns the JSON body.
    #[track_caller]
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body:\n{}",
            self.text
        );
        self.json()
    }

    /// Asserts the status, an HTML body, and returns the page.
    #[track_caller]
    pub fn expect_html(&self, status: u16) -> &str {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body:\n{}",
            self.text
        );
        assert!(
            self.content_type().starts_with("text/html"),
            "expected an HTML page, got {:?}:\n{}",
            self.content_type(),
            self.text
        );
        &self.text
    }

    /// Asserts a redirect (303 See Other) and returns where it points.
    #[track_caller]
    pub fn expect_see_other(&self) -> String {
        assert_eq!(
            self.status.as_u16(),
            303,
            "expected 303 See Other; body:\n{}",
            self.text
        );
        self.header("location")
            .expect("a redirect without Location")
            .to_string()
    }

    /// Asserts the contract's error shape `{"error": {"code", "message", "fields"?}}`
    /// with this status and code, and returns the inner `error` object.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) -> Value {
        let body = self.expect(status);
        assert!(
            self.content_type().starts_with("application/json"),
            "an error must be JSON, got {:?}",
            self.content_type()
        );
        let error = assert_error_shape(&body);
        assert_eq!(error["code"], code, "wrong error code in {body}");
        error
    }

    /// Like `expect_error`, and the error names `field` in `fields`.
    #[track_caller]
    pub fn expect_field_error(&self, status: u16, code: &str, field: &str) -> Value {
        let error = self.expect_error(status, code);
        assert!(
            error["fields"].get(field).is_some(),
            "expected fields.{field} in {error}"
        );
        error
    }

    /// 400 `validation_failed` naming `field`.
    #[track_caller]
    pub fn expect_invalid(&self, field: &str) -> Value {
        self.expect_field_error(400, "validation_failed", field)
    }
}

/// Checks `{"error": {"code", "message", "fields"?}}` and nothing else; returns `error`.
#[track_caller]
pub fn assert_error_shape(body: &Value) -> Value {
    let outer = body.as_object().expect("an error body must be an object");
    assert_eq!(
        outer.keys().collect::<Vec<_>>(),
        vec!["error"],
        "an error body has exactly one key, \"error\": {body}"
    );
    let error = outer["error"]
        .as_object()
        .unwrap_or_else(|| panic!("\"error\" must be an object: {body}"));
    for key in error.keys() {
        assert!(
            ["code", "message", "fields"].contains(&key.as_str()),
            "unexpected key {key:?} in {body}"
        );
    }
    let code = error
        .get("code")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("error.code must be a string: {body}"));
    assert!(
        !code.is_empty()
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
        "error.code must be a snake_case word: {body}"
    );
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("error.message must be a string: {body}"));
    assert!(!message.trim().is_empty(), "error.message is empty: {body}");
    if let Some(fields) = error.get("fields") {
        let fields = fields
            .as_object()
            .unwrap_or_else(|| panic!("error.fields must be an object: {body}"));
        assert!(
            !fields.is_empty(),
            "error.fields is present but empty: {body}"
        );
        for (name, problem) in fields {
            assert!(
                problem.as_str().is_some_and(|p| !p.trim().is_empty()),
                "fields.{name} must be a non-empty string: {body}"
            );
        }
    }
    Value::Object(error.clone())
}

/// A fresh application with the test defaults (rate limits off: every test registers
/// several members from 127.0.0.1).
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A fresh application with settings changed by `configure` (rate limits on, allowed
/// e-mail domains, …).
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("creating a temporary data dir");
    let mut settings = Settings::with_data_dir(data_dir.path());
    settings.bind = "127.0.0.1:0".into();
    settings.rate_limit = Switch::Off;
    // Members post at once unless a test is about confirming addresses (it turns this
    // on, as a fresh install has it): most tests count the mails they cause.
    settings.email_verification = Switch::Off;
    let database = fresh_database().await;
    settings.database_url = database.as_ref().map(TestDatabase::url);
    configure(&mut settings);
    let (address, port, server, handle) = launch(&settings).await;
    TestApp {
        address,
        port,
        data_dir,
        settings,
        api: client(None),
        server,
        handle,
        database,
    }
}

impl TestDatabase {
    fn url(&self) -> String {
        let mut url = Url::parse(&self.server).expect("TEST_DATABASE_URL is not a URL");
        url.set_path(&format!("/{}", self.name));
        url.to_string()
    }
}

/// A new, empty PostgreSQL database when `TEST_DATABASE_URL` names a server; `None`
/// (SQLite in the data dir) otherwise.
async fn fresh_database() -> Option<TestDatabase> {
    let server = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())?;
    assert!(
        server.starts_with("postgres://") || server.starts_with("postgresql://"),
        "TEST_DATABASE_URL must name a PostgreSQL server, got {server}"
    );
    let name = format!("quorum_test_{}", uuid::Uuid::new_v4().simple());
    let admin = sea_orm::Database::connect(server.as_str())
        .await
        .expect("connecting to TEST_DATABASE_URL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("creating a test database");
    admin.close().await.expect("closing the admin connection");
    Some(TestDatabase { server, name })
}

async fn launch(settings: &Settings) -> (String, u16, JoinHandle<()>, ServerHandle) {
    let app = Application::build(settings.clone())
        .await
        .expect("building the application");
    let port = app.port();
    let handle = app.handle();
    let server = tokio::spawn(async move {
        // Ends when the test's runtime shuts down or `restart` aborts it.
        let _ = app.run_until_stopped().await;
    });
    (format!("http://127.0.0.1:{port}"), port, server, handle)
}

fn client(jar: Option<Arc<Jar>>) -> Client {
    let mut builder = Client::builder().redirect(Policy::none());
    if let Some(jar) = jar {
        builder = builder.cookie_provider(jar);
    }
    builder.build().expect("building an HTTP client")
}

impl TestApp {
    /// An absolute URL for a path from the site's root.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// An absolute URL for a path under `/api/v1`.
    pub fn api_url(&self, path: &str) -> String {
        format!("{}/api/v1{}", self.address, path)
    }

    /// Any request to a path from the site's root, with an optional bearer token and JSON
    /// body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        let mut req = self.api.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        Answer::read(req.send().await.expect("sending a request")).await
    }

    /// GET under `/api/v1`.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        self.send(Method::GET, &format!("/api/v1{path}"), token, None)
            .await
    }

    /// POST a JSON body under `/api/v1`.
    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Answer {
        self.send(Method::POST, &format!("/api/v1{path}"), token, Some(body))
            .await
    }

    /// PATCH a JSON body under `/api/v1`.
    pub async fn patch_json(&self, path: &str, token: Option<&str>, body: &Value) -> Answer {
        self.send(Method::PATCH, &format!("/api/v1{path}"), token, Some(body))
            .await
    }

    /// DELETE under `/api/v1`.
    pub async fn delete(&self, path: &str, token: Option<&str>) -> Answer {
        self.send(Method::DELETE, &format!("/api/v1{path}"), token, None)
            .await
    }

    /// POST raw bytes under `/api/v1` with the given content type.
    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Answer {
        let mut req = self
            .api
            .post(self.api_url(path))
            .header("Content-Type", content_type)
            .body(body);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        Answer::read(req.send().await.expect("sending a request")).await
    }

    /// GET a page (or anything) from the site's root without cookies.
    pub async fn get_page(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None, None).await
    }

    /// Registers `username` (lower case, e-mail `username@example.com`, password
    /// `PASSWORD`) and returns its bearer token. The address is confirmed straight in
    /// the database: most tests are not about the mailed link (tests/api/identity.rs
    /// follows it for real).
    pub async fn register(&self, username: &str) -> TestUser {
        let user = self.register_as_is(username).await;
        self.mark_verified(&user.username).await;
        user
    }

    /// Registers `username` and leaves the address unconfirmed (as a new member is
    /// until they follow the mailed link, when confirmation is on).
    pub async fn register_unverified(&self, username: &str) -> TestUser {
        let user = self.register_as_is(username).await;
        let me = self.get("/me", Some(&user.token)).await.expect(200);
        assert_eq!(me["email_verified"], false, "{me}");
        user
    }

    async fn register_as_is(&self, username: &str) -> TestUser {
        let email = format!("{username}@example.com");
        let body = self
            .post_json(
                "/auth/register",
                None,
                &json!({"username": username, "email": email, "password": PASSWORD}),
            )
            .await
            .expect(201);
        TestUser {
            username: body["member"]["username"]
                .as_str()
                .expect("member.username")
                .to_string(),
            email,
            token: body["token"].as_str().expect("token").to_string(),
        }
    }

    /// The path (with its `?token=`) of the newest `path` link mailed to `to`, from the
    /// `.eml` files the default mailer writes; waits up to 10 s for it.
    #[allow(dead_code)] // the browser tests use it
    pub async fn mailed_link(&self, to: &str, path: &str) -> String {
        let dir = self.data_dir.path().join("mail");
        let needle = format!("{path}?token=");
        for _ in 0..100 {
            let mut found: Vec<(std::time::SystemTime, String)> = Vec::new();
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let Ok(raw) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                // Undo quoted-printable's soft line breaks and escaped `=`.
                let text = raw
                    .replace("=\r\n", "")
                    .replace("=\n", "")
                    .replace("=3D", "=");
                if !text.contains(&format!("To: {to}")) && !text.contains(&format!("<{to}>")) {
                    continue;
                }
                if let Some(start) = text.find(&needle) {
                    let token: String = text[start + needle.len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
                        .collect();
                    let modified = entry
                        .metadata()
                        .and_then(|m| m.modified())
                        .unwrap_or(std::time::SystemTime::UNIX_EPOCH);
                    found.push((modified, format!("{needle}{token}")));
                }
            }
            found.sort();
            if let Some((_, link)) = found.pop() {
                return link;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no {path} link mailed to {to} in {}", dir.display());
    }

    /// Marks a member's address confirmed, in the database.
    pub async fn mark_verified(&self, username: &str) {
        mark_verified(&self.settings.database_url(), username).await;
    }

    /// POST /auth/login; the raw answer.
    pub async fn login(&self, login: &str, password: &str) -> Answer {
        self.post_json(
            "/auth/login",
            None,
            &json!({"login": login, "password": password}),
        )
        .await
    }

    /// Starts a discussion through the API and returns its id.
    pub async fn start_discussion(&self, token: &str, zone: &str, title: &str, body: &str) -> i64 {
        let answer = self
            .post_json(
                &format!("/zones/{zone}/discussions"),
                Some(token),
                &json!({"title": title, "body": body}),
            )
            .await;
        answer.expect(201)["id"].as_i64().expect("a discussion id")
    }

    /// Comments on a discussion (optionally replying to `parent_id`); returns its id.
    pub async fn comment(
        &self,
        token: &str,
        discussion_id: i64,
        body: &str,
        parent_id: Option<i64>,
    ) -> i64 {
        let mut request = json!({"body": body});
        if let Some(parent) = parent_id {
            request["parent_id"] = json!(parent);
        }
        let answer = self
            .post_json(
                &format!("/discussions/{discussion_id}/comments"),
                Some(token),
                &request,
            )
            .await;
        answer.expect(201)["id"].as_i64().expect("a comment id")
    }

    /// GET /discussions/{id}: `{"discussion", "comments"}`.
    /// Waits (at most ten seconds) until the server has written the read marks and view
    /// counts it gathers in memory (`services::reads`, a batch a second).
    pub async fn reads_written(&self, member: &str, discussion: i64) {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let db = self.db().await;
        let member_id = entity::member::Entity::find()
            .filter(entity::member::Column::Username.eq(member))
            .one(&db)
            .await
            .expect("a query")
            .expect("the member")
            .id;
        for _ in 0..200 {
            let marks = entity::discussion_read::Entity::find()
                .filter(entity::discussion_read::Column::MemberId.eq(member_id))
                .filter(entity::discussion_read::Column::DiscussionId.eq(discussion as i32))
                .count(&db)
                .await
                .expect("a count");
            if marks > 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("{member}'s reading of discussion {discussion} was never written");
    }

    pub async fn discussion(&self, id: i64, token: Option<&str>) -> Value {
        self.get(&format!("/discussions/{id}"), token)
            .await
            .expect(200)
    }

    /// A connection to this app's database, as the CLI would open it.
    pub async fn db(&self) -> DatabaseConnection {
        quorum::db::connect(&self.settings.database_url())
            .await
            .expect("connecting to the test database")
    }

    /// Hides a discussion (or shows it again) straight in the database, as a moderator's
    /// decision leaves it.
    pub async fn set_discussion_hidden(&self, id: i64, hidden: bool) {
        use sea_orm::{ActiveModelTrait, EntityTrait, Set};
        let db = self.db().await;
        let mut row: entity::discussion::ActiveModel =
            entity::discussion::Entity::find_by_id(id as i32)
                .one(&db)
                .await
                .expect("reading a discussion")
                .expect("no such discussion")
                .into();
        row.hidden = Set(hidden);
        row.update(&db).await.expect("hiding a discussion");
        db.close().await.expect("closing a connection");
    }

    /// Gives a member a role, through the same service `quorum set-role` uses.
    pub async fn set_role(&self, username: &str, role: Role) {
        let db = self.db().await;
        quorum::services::accounts::set_role(&db, None, username, role)
            .await
            .expect("setting a role");
        db.close().await.expect("closing a connection");
    }

    /// Registers a member and makes them a moderator.
    /// Sets a member's reputation straight in the database.
    pub async fn set_reputation(&self, username: &str, reputation: i32) {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        let db = self.db().await;
        entity::member::Entity::update_many()
            .col_expr(entity::member::Column::Reputation, Expr::value(reputation))
            .filter(entity::member::Column::Username.eq(username))
            .exec(&db)
            .await
            .expect("setting a reputation");
        db.close().await.expect("closing a connection");
    }

    /// Registers a member and makes them an admin.
    pub async fn register_admin(&self, username: &str) -> TestUser {
        let user = self.register(username).await;
        self.set_role(&user.username, Role::Admin).await;
        user
    }

    pub async fn register_moderator(&self, username: &str) -> TestUser {
        let user = self.register(username).await;
        self.set_role(&user.username, Role::Moderator).await;
        user
    }

    /// Stops this application and builds a new one on the same settings and database,
    /// as an operator restarting the process would. Nothing survives in memory.
    pub async fn restart(self) -> TestApp {
        let TestApp {
            data_dir,
            settings,
            server,
            handle,
            database,
            ..
        } = self;
        // A graceful stop, as an operator's SIGTERM: the server and its workers end and
        // release what they hold (the embedded search index admits one writer).
        handle.stop(true).await;
        let _ = server.await;
        let (address, port, server, handle) = launch(&settings).await;
        TestApp {
            address,
            port,
            data_dir,
            settings,
            api: client(None),
            server,
            handle,
            database,
        }
    }

    /// A second app instance on the same database, with its own data dir and port: what
    /// a company running several instances behind a load balancer has.
    pub async fn sibling(&self) -> TestApp {
        let data_dir = tempfile::tempdir().expect("creating a temporary data dir");
        let mut settings = self.settings.clone();
        settings.database_url = Some(self.settings.database_url());
        settings.data_dir = data_dir.path().to_path_buf();
        settings.bind = "127.0.0.1:0".into();
        let (address, port, server, handle) = launch(&settings).await;
        TestApp {
            address,
            port,
            data_dir,
            settings,
            api: client(None),
            server,
            handle,
            database: None,
        }
    }

    /// Opens a Server-Sent Events stream, as a browser's `EventSource` would.
    pub async fn event_stream(&self, path: &str, last_event_id: Option<&str>) -> EventStream {
        let mut request = self
            .api
            .get(self.api_url(path))
            .header("Accept", "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        let response = request.send().await.expect("opening an event stream");
        assert_eq!(
            response.status().as_u16(),
            200,
            "the event stream did not open"
        );
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert!(
            content_type.starts_with("text/event-stream"),
            "not an event stream: {content_type}"
        );
        EventStream {
            response,
            buffer: String::new(),
        }
    }

    /// A browser: keeps cookies, does not follow redirects.
    pub fn browser(&self) -> Browser {
        let jar = Arc::new(Jar::default());
        Browser {
            client: client(Some(jar.clone())),
            jar,
            address: self.address.clone(),
            database_url: self.settings.database_url(),
        }
    }
}

/// A cookie-keeping client for the HTML site.
pub struct Browser {
    pub client: Client,
    jar: Arc<Jar>,
    address: String,
    database_url: String,
}

/// Confirms a member's address straight in the database.
pub async fn mark_verified(database_url: &str, username: &str) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let db = quorum::db::connect(database_url)
        .await
        .expect("connecting to the test database");
    entity::member::Entity::update_many()
        .col_expr(entity::member::Column::EmailVerified, Expr::value(true))
        .filter(entity::member::Column::Username.eq(username.to_lowercase()))
        .exec(&db)
        .await
        .expect("confirming an address");
    db.close().await.expect("closing a connection");
}

impl Browser {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Answer {
        let res = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("loading a page");
        Answer::read(res).await
    }

    /// POSTs a form (application/x-www-form-urlencoded) exactly as given.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let res = self
            .client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("posting a form");
        Answer::read(res).await
    }

    /// Loads `page` and POSTs a form to `action` with the page's CSRF token added.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Answer {
        let token = self.csrf_token(page).await;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_form(action, &all).await
    }

    /// The hidden `csrf_token` field of a page's form.
    pub async fn csrf_token(&self, page: &str) -> String {
        let answer = self.get(page).await;
        assert!(
            answer.status.is_success(),
            "loading {page} for its form: {}\n{}",
            answer.status,
            answer.text
        );
        scrape_csrf(&answer.text)
            .unwrap_or_else(|| panic!("no csrf_token field on {page}:\n{}", answer.text))
    }

    /// The value of one of the browser's cookies for this site.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let url = Url::parse(&self.address).expect("the app's address");
        let header = self.jar.cookies(&url)?;
        header.to_str().ok()?.split(';').find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then(|| value.to_string())
        })
    }

    /// Joins through the /join form and expects to be signed in (303).
    pub async fn join(&self, username: &str) -> Answer {
        let email = format!("{username}@example.com");
        let answer = self
            .submit(
                "/join",
                "/join",
                &[
                    ("username", username),
                    ("email", &email),
                    ("password", PASSWORD),
                    ("display_name", ""),
                ],
            )
            .await;
        answer.expect_see_other();
        mark_verified(&self.database_url, username).await;
        answer
    }

    /// Signs in through the /signin form.
    pub async fn sign_in(&self, login: &str, password: &str) -> Answer {
        self.submit(
            "/signin",
            "/signin",
            &[("login", login), ("password", password)],
        )
        .await
    }

    /// A JSON request from this browser (its cookies, no bearer token), with an optional
    /// `X-CSRF-Token` header.
    pub async fn api_post(&self, path: &str, body: &Value, csrf_header: Option<&str>) -> Answer {
        let mut req = self
            .client
            .post(self.url(&format!("/api/v1{path}")))
            .json(body);
        if let Some(token) = csrf_header {
            req = req.header("X-CSRF-Token", token);
        }
        Answer::read(req.send().await.expect("sending a request")).await
    }
}

/// Finds `<input … name="csrf_token" … value="…">` in a page, attributes in any order.
pub fn scrape_csrf(html: &str) -> Option<String> {
    html.split("<input").skip(1).find_map(|rest| {
        let tag = &rest[..rest.find('>')?];
        if !(tag.contains("name=\"csrf_token\"") || tag.contains("name='csrf_token'")) {
            return None;
        }
        attribute(tag, "value")
    })
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    for quote in ['"', '\''] {
        let start = format!(" {name}={quote}");
        if let Some(at) = tag.find(&start) {
            let rest = &tag[at + start.len()..];
            return rest.find(quote).map(|end| rest[..end].to_string());
        }
    }
    None
}

/// A string of `n` characters.
pub fn chars(n: usize) -> String {
    "x".repeat(n)
}

/// Asserts an RFC 3339 time in UTC, as the contract writes every time.
#[track_caller]
pub fn assert_utc_time(value: &Value, what: &str) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("{what} must be an RFC 3339 string, got {value}"));
    let time = chrono::DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{what} = {text:?} is not RFC 3339: {e}"));
    assert_eq!(
        time.offset().local_minus_utc(),
        0,
        "{what} = {text:?} is not in UTC"
    );
}

/// Asserts a `MemberRef`: `{"username","display_name","role","reputation","avatar_url"}`.
#[track_caller]
pub fn assert_member_ref(member: &Value, username: &str) {
    assert_eq!(member["username"], username, "{member}");
    assert!(member["display_name"].is_string(), "{member}");
    assert!(
        ["member", "leader", "moderator", "admin"].contains(&member["role"].as_str().unwrap_or("")),
        "{member}"
    );
    assert!(
        member["reputation"].as_i64().is_some_and(|r| r >= 1),
        "{member}"
    );
    assert!(member["avatar_url"].is_string(), "{member}");
    assert!(
        member.get("email").is_none(),
        "a MemberRef has no e-mail: {member}"
    );
}

/// The ids of a list of items, in order.
pub fn ids(items: &Value) -> Vec<i64> {
    items
        .as_array()
        .unwrap_or_else(|| panic!("expected an array, got {items}"))
        .iter()
        .map(|item| {
            item["id"]
                .as_i64()
                .unwrap_or_else(|| panic!("no id in {item}"))
        })
        .collect()
}

/// One Server-Sent Event.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: Option<String>,
    pub kind: String,
    pub data: Value,
}

/// A client reading a `text/event-stream` response as it arrives.
pub struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    /// The next event (comments and `retry:` lines skipped); fails the test after 10 s.
    pub async fn next(&mut self) -> Event {
        tokio::time::timeout(std::time::Duration::from_secs(10), self.read_event())
            .await
            .expect("no event arrived within 10 s")
    }

    async fn read_event(&mut self) -> Event {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                let mut id = None;
                let mut kind = None;
                let mut data = String::new();
                for line in frame.lines() {
                    if let Some(v) = line.strip_prefix("id: ") {
                        id = Some(v.to_string());
                    } else if let Some(v) = line.strip_prefix("event: ") {
                        kind = Some(v.to_string());
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        data.push_str(v);
                    }
                }
                if let Some(kind) = kind {
                    let data = serde_json::from_str(&data).expect("event data is not JSON");
                    return Event { id, kind, data };
                }
                continue;
            }
            let chunk = self
                .response
                .chunk()
                .await
                .expect("reading the event stream")
                .expect("the event stream ended");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

/// Waits, if need be, for a new rate-limit window: limits count in fixed windows of
/// `window_secs` aligned to the clock, and a test that counts up to a limit and then
/// checks what is refused or slowed must not see its window end half-way. Returns with
/// at least `need_secs` left in the current window.
pub async fn fresh_window(window_secs: i64, need_secs: i64) {
    let into = chrono::Utc::now().timestamp().rem_euclid(window_secs);
    if window_secs - into < need_secs {
        tokio::time::sleep(std::time::Duration::from_secs(
            (window_secs - into + 1) as u64,
        ))
        .await;
    }
}
