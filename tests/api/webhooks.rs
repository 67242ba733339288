//! Outgoing webhooks (issue #18), delivered to a real HTTP receiver on loopback that
//! checks each signature, answers 500 when told to, and records what it got.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hmac::{Hmac, Mac};
use quorum::domain::Role;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{TestApp, TestUser, spawn_app_with};
use crate::live_qa::{ask, open_session};

const SECRET: &str = "a-shared-secret-of-some-length";

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Got {
    event: String,
    delivery: String,
    /// The signature checked out and its time is now.
    signed: bool,
    body: Value,
    /// What the receiver answered.
    answered: u16,
}

#[derive(Default)]
struct Inbox {
    got: Vec<Got>,
    /// Answer 500 to this many requests before answering 200.
    fail_next: usize,
    /// Answer 500 to everything.
    always_fail: bool,
}

struct Receiver {
    url: String,
    inbox: Arc<Mutex<Inbox>>,
    handle: actix_web::dev::ServerHandle,
}

fn verify(secret: &str, header: &str, body: &[u8]) -> bool {
    let Some((t, v1)) = header
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
    else {
        return false;
    };
    let Ok(t) = t.parse::<i64>() else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let fresh = (chrono::Utc::now().timestamp() - t).abs() < 300;
    expected == v1 && fresh
}

async fn receive(
    req: HttpRequest,
    body: web::Bytes,
    inbox: web::Data<Arc<Mutex<Inbox>>>,
) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let signed = verify(SECRET, &header("x-quorum-signature"), &body);
    let mut inbox = inbox.lock().unwrap();
    let fail = inbox.always_fail || inbox.fail_next > 0;
    inbox.fail_next = inbox.fail_next.saturating_sub(1);
    let answered = if fail { 500 } else { 200 };
    inbox.got.push(Got {
        event: header("x-quorum-event"),
        delivery: header("x-quorum-delivery"),
        signed,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        answered,
    });
    if fail {
        HttpResponse::InternalServerError().body("the receiver is down")
    } else {
        HttpResponse::Ok().body("thanks")
    }
}

async fn receiver() -> Receiver {
    let inbox = Arc::new(Mutex::new(Inbox::default()));
    let data = web::Data::new(inbox.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/hook", web::post().to(receive))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let port = server.addrs()[0].port();
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    Receiver {
        url: format!("http://127.0.0.1:{port}/hook"),
        inbox,
        handle,
    }
}

impl Receiver {
    fn got(&self) -> Vec<Got> {
        self.inbox.lock().unwrap().got.clone()
    }

    /// Waits (at most 15 s) until `done` holds for what arrived.
    async fn until(&self, what: &str, done: impl Fn(&[Got]) -> bool) -> Vec<Got> {
        for _ in 0..300 {
            let got = self.got();
            if done(&got) {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{what}: the receiver got {:#?}", self.got());
    }
}

/// An app whose webhook retries wait milliseconds, not minutes.
async fn app_with_quick_retries(retries: &[u64]) -> TestApp {
    let retries: Vec<Duration> = retries
        .iter()
        .map(|&ms| Duration::from_millis(ms))
        .collect();
    spawn_app_with(move |s| s.webhook_retries = Some(retries)).await
}

async fn create_hook(app: &TestApp, admin: &TestUser, url: &str, events: &[&str]) -> Value {
    app.post_json(
        "/admin/webhooks",
        admin.auth(),
        &json!({"url": url, "events": events, "secret": SECRET}),
    )
    .await
    .expect(201)
}

async fn hooks(app: &TestApp, admin: &TestUser) -> Vec<Value> {
    app.get("/admin/webhooks", admin.auth()).await.expect(200)["webhooks"]
        .as_array()
        .unwrap()
        .clone()
}

/// Waits until no delivery of the first hook is pending any more.
async fn settled(app: &TestApp, admin: &TestUser) -> Value {
    for _ in 0..300 {
        let hook = hooks(app, admin).await.remove(0);
        let deliveries = hook["deliveries"].as_array().unwrap();
        if !deliveries.is_empty() && deliveries.iter().all(|d| d["status"] != "pending") {
            // The listing reads the hook before its deliveries: read again, now that
            // the transaction that settled them (and may have turned the hook off) is
            // seen to have committed.
            return hooks(app, admin).await.remove(0);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("deliveries still pending: {:#}", hooks(app, admin).await[0]);
}

#[tokio::test]
async fn each_event_reaches_the_hook_once_signed_after_retries() {
    let app = app_with_quick_retries(&[100, 200, 300]).await;
    let receiver = receiver().await;
    receiver.inbox.lock().unwrap().fail_next = 2;
    let admin = app.register_admin("ada").await;
    let ann = app.register("ann").await;
    let bob = app.register("bob").await;
    let host = app.register("hal").await;
    app.set_role("hal", Role::Leader).await;
    let hook = create_hook(
        &app,
        &admin,
        &receiver.url,
        &[
            "discussion.created",
            "comment.created",
            "update.posted",
            "idea.status_changed",
            "session.question_answered",
        ],
    )
    .await;
    assert_eq!(hook["secret"], SECRET);
    assert_eq!(hook["active"], true);

    let id = app
        .start_discussion(&ann.token, "customers", "Shorter hold times", "Call-backs.")
        .await;
    let reply = app.comment(&bob.token, id, "Yes, please.", None).await;
    app.send(
        reqwest::Method::PUT,
        &format!("/api/v1/discussions/{id}/idea"),
        admin.auth(),
        Some(&json!({"status": "planned", "note": "In the Q1 plan."})),
    )
    .await
    .expect(200);
    let session = open_session(&app, &host).await;
    let question = ask(
        &app,
        session,
        &ann,
        "Will the canteen open on Fridays?",
        false,
    )
    .await;
    app.post_json(
        &format!("/questions/{}/answer", question["id"]),
        host.auth(),
        &json!({"body": "From March."}),
    )
    .await
    .expect(200);

    let update = app
        .post_json(
            "/updates",
            host.auth(),
            &json!({"body": "Canteen news: **Fridays** from March.", "session_id": session,
                "pulse": {"question": "Good news?", "scale": "agree"}}),
        )
        .await
        .expect(201);

    // Five events, each answered 200 once; the two 500s were retried.
    let got = receiver
        .until("five events delivered", |got| {
            got.iter().filter(|g| g.answered == 200).count() >= 5
        })
        .await;
    assert!(
        got.iter().all(|g| g.signed),
        "every request is signed: {got:#?}"
    );
    let delivered: Vec<&Got> = got.iter().filter(|g| g.answered == 200).collect();
    let mut events: Vec<&str> = delivered.iter().map(|g| g.event.as_str()).collect();
    events.sort_unstable();
    assert_eq!(
        events,
        [
            "comment.created",
            "discussion.created",
            "idea.status_changed",
            "session.question_answered",
            "update.posted"
        ]
    );
    let mut ids: Vec<&str> = delivered.iter().map(|g| g.delivery.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 5, "one delivery id per event");
    // A retry carries the delivery id of the attempt it repeats.
    let failed: Vec<&Got> = got.iter().filter(|g| g.answered == 500).collect();
    assert_eq!(failed.len(), 2);
    for f in &failed {
        assert!(ids.contains(&f.delivery.as_str()), "{f:?} was retried");
    }
    // Nothing arrives twice once it was answered 200.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.got().len(), 7, "{:#?}", receiver.got());

    let by_event = |name: &str| {
        delivered
            .iter()
            .find(|g| g.event == name)
            .map(|g| g.body.clone())
            .unwrap()
    };
    let created = by_event("discussion.created");
    assert_eq!(created["event"], "discussion.created");
    assert_eq!(created["data"]["discussion"]["id"], id);
    assert_eq!(created["data"]["discussion"]["title"], "Shorter hold times");
    assert_eq!(created["data"]["discussion"]["zone"], "customers");
    assert_eq!(created["data"]["discussion"]["author"]["username"], "ann");
    assert_eq!(
        created["data"]["discussion"]["path"],
        format!("/discussions/{id}/shorter-hold-times")
    );
    let commented = by_event("comment.created");
    assert_eq!(commented["data"]["comment"]["id"], reply);
    assert_eq!(commented["data"]["comment"]["body"], "Yes, please.");
    assert_eq!(commented["data"]["comment"]["author"]["username"], "bob");
    let idea = by_event("idea.status_changed");
    assert_eq!(idea["data"]["idea"]["status"], "planned");
    assert_eq!(idea["data"]["idea"]["note"], "In the Q1 plan.");
    assert_eq!(idea["data"]["idea"]["changed_by"]["username"], "ada");
    let answered = by_event("session.question_answered");
    assert_eq!(answered["data"]["session_id"], session);
    assert_eq!(
        answered["data"]["question"]["body"], "Will the canteen open on Fridays?",
        "{answered:#}"
    );

    let posted = by_event("update.posted");
    assert_eq!(posted["data"]["update"]["id"], update["id"]);
    assert_eq!(
        posted["data"]["update"]["body"],
        "Canteen news: **Fridays** from March."
    );
    assert_eq!(posted["data"]["update"]["author"]["username"], "hal");
    assert_eq!(posted["data"]["update"]["session_id"], session);
    assert_eq!(posted["data"]["update"]["path"], update["url"]);
    assert_eq!(posted["data"]["update"]["pulse"]["scale"], "agree");

    // The log shows every delivery delivered, with the attempts it took.
    let hook = settled(&app, &admin).await;
    let deliveries = hook["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 5);
    assert!(deliveries.iter().all(|d| d["status"] == "delivered"
        && d["last_status"] == 200
        && d["last_response"] == "thanks"
        && d["next_attempt_at"].is_null()));
    let attempts: i64 = deliveries
        .iter()
        .map(|d| d["attempts"].as_i64().unwrap())
        .sum();
    assert_eq!(attempts, 7, "five first attempts and two retries");
    assert!(
        hook.get("secret").is_none(),
        "the secret is shown once: {hook}"
    );
    receiver.handle.stop(false).await;
}

#[tokio::test]
async fn a_hook_that_keeps_failing_is_turned_off_until_an_admin_turns_it_on() {
    let app = app_with_quick_retries(&[50, 50]).await;
    let receiver = receiver().await;
    receiver.inbox.lock().unwrap().always_fail = true;
    let admin = app.register_admin("ada").await;
    let ann = app.register("ann").await;
    let hook = create_hook(&app, &admin, &receiver.url, &["discussion.created"]).await;
    let hook_id = hook["id"].as_i64().unwrap();

    app.start_discussion(&ann.token, "customers", "First", "One.")
        .await;
    // The first attempt and both retries fail: the delivery is given up, the hook off.
    let hook = settled(&app, &admin).await;
    let delivery = &hook["deliveries"][0];
    assert_eq!(delivery["status"], "failed", "{hook:#}");
    assert_eq!(delivery["attempts"], 3);
    assert_eq!(delivery["last_status"], 500);
    assert_eq!(delivery["last_response"], "the receiver is down");
    assert_eq!(hook["active"], false);
    assert!(
        hook["disabled_reason"]
            .as_str()
            .unwrap()
            .starts_with("turned off after 3 failed attempts"),
        "{hook:#}"
    );
    assert_eq!(receiver.got().len(), 3);

    // While it is off, events do not queue up for it.
    app.start_discussion(&ann.token, "customers", "Second", "Two.")
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.got().len(), 3);
    assert_eq!(
        hooks(&app, &admin).await[0]["deliveries"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // An admin turns it on again; the next event goes out.
    receiver.inbox.lock().unwrap().always_fail = false;
    let on = app
        .patch_json(
            &format!("/admin/webhooks/{hook_id}"),
            admin.auth(),
            &json!({"active": true}),
        )
        .await
        .expect(200);
    assert_eq!(on["active"], true);
    assert!(on["disabled_reason"].is_null());
    app.start_discussion(&ann.token, "customers", "Third", "Three.")
        .await;
    let got = receiver
        .until("the third discussion delivered", |got| {
            got.iter().any(|g| g.answered == 200)
        })
        .await;
    let last = got.last().unwrap();
    assert_eq!(last.body["data"]["discussion"]["title"], "Third");

    // Deleting the hook removes it and its log.
    app.delete(&format!("/admin/webhooks/{hook_id}"), admin.auth())
        .await
        .expect_status(204);
    assert!(hooks(&app, &admin).await.is_empty());
    app.delete(&format!("/admin/webhooks/{hook_id}"), admin.auth())
        .await
        .expect_error(404, "not_found");
    receiver.handle.stop(false).await;
}

#[tokio::test]
async fn a_receiver_that_cannot_be_reached_is_retried_within_a_minute() {
    // The default schedule: the first retry 10 s after the first attempt.
    let app = spawn_app_with(|_| {}).await;
    let admin = app.register_admin("ada").await;
    let ann = app.register("ann").await;
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    create_hook(&app, &admin, &url, &["discussion.created"]).await;
    app.start_discussion(&ann.token, "customers", "Anyone there?", "Hello.")
        .await;
    let mut delivery = Value::Null;
    for _ in 0..200 {
        delivery = hooks(&app, &admin).await[0]["deliveries"][0].clone();
        if !delivery["last_error"].is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(delivery["status"], "pending", "{delivery:#}");
    assert_eq!(delivery["last_error"], "could not connect");
    assert!(delivery["last_status"].is_null());
    let created =
        chrono::DateTime::parse_from_rfc3339(delivery["created_at"].as_str().unwrap()).unwrap();
    let next = chrono::DateTime::parse_from_rfc3339(delivery["next_attempt_at"].as_str().unwrap())
        .unwrap();
    let wait = (next - created).num_seconds();
    assert!(
        (10..=15).contains(&wait),
        "the first retry waits 10 s: {wait} s"
    );
}

#[tokio::test]
async fn only_admins_manage_hooks_and_bad_ones_are_refused() {
    let app = spawn_app_with(|_| {}).await;
    let admin = app.register_admin("ada").await;
    let member = app.register("ann").await;
    let body = json!({"url": "https://chat.example.com/hook", "events": ["comment.created"]});
    app.post_json("/admin/webhooks", member.auth(), &body)
        .await
        .expect_error(403, "forbidden");
    app.post_json("/admin/webhooks", None, &body)
        .await
        .expect_error(401, "not_signed_in");
    app.get("/admin/webhooks", member.auth())
        .await
        .expect_error(403, "forbidden");
    for (bad, field) in [
        (
            json!({"url": "ftp://example.com/x", "events": ["comment.created"]}),
            "url",
        ),
        (
            json!({"url": "not a url", "events": ["comment.created"]}),
            "url",
        ),
        (
            json!({"url": "https://example.com/x", "events": []}),
            "events",
        ),
        (
            json!({"url": "https://example.com/x", "events": ["vote.cast"]}),
            "events",
        ),
        (
            json!({"url": "https://example.com/x", "events": ["comment.created"], "secret": "short"}),
            "secret",
        ),
    ] {
        app.post_json("/admin/webhooks", admin.auth(), &bad)
            .await
            .expect_invalid(field);
    }
    // Made without a secret: one is made, shown once, and it is long and random.
    let made = app
        .post_json("/admin/webhooks", admin.auth(), &body)
        .await
        .expect(201);
    let secret = made["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 64, "{made}");
    assert_eq!(made["events"], json!(["comment.created"]));
    let id = made["id"].as_i64().unwrap();
    app.patch_json(
        &format!("/admin/webhooks/{id}"),
        member.auth(),
        &json!({"active": false}),
    )
    .await
    .expect_error(403, "forbidden");
    app.delete(&format!("/admin/webhooks/{id}"), member.auth())
        .await
        .expect_error(403, "forbidden");
    let off = app
        .patch_json(
            &format!("/admin/webhooks/{id}"),
            admin.auth(),
            &json!({"active": false}),
        )
        .await
        .expect(200);
    assert_eq!(off["active"], false);
    assert_eq!(off["disabled_reason"], "turned off by an admin");
    // Each change is in the audit log, without the secret.
    let log = app.get("/admin/audit", admin.auth()).await.expect(200);
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.starts_with(&["webhook_changed", "webhook_created"]),
        "{actions:?}"
    );
    assert!(!log.to_string().contains(secret));
}

#[tokio::test]
async fn a_post_hidden_before_its_delivery_is_not_sent() {
    let app = app_with_quick_retries(&[1000, 1000, 1000]).await;
    let receiver = receiver().await;
    receiver.inbox.lock().unwrap().always_fail = true;
    let admin = app.register_admin("ada").await;
    let ann = app.register("ann").await;
    create_hook(&app, &admin, &receiver.url, &["discussion.created"]).await;
    let id = app
        .start_discussion(&ann.token, "customers", "Spam, spam, spam", "Buy now.")
        .await;
    // The first attempt fails; a moderator hides the post before the retry.
    receiver
        .until("the first attempt", |got| !got.is_empty())
        .await;
    app.set_discussion_hidden(id, true).await;
    let hook = settled(&app, &admin).await;
    let delivery = &hook["deliveries"][0];
    assert_eq!(delivery["status"], "failed", "{hook:#}");
    assert_eq!(
        delivery["last_error"],
        "the post was hidden or deleted since"
    );
    // Nothing about it was ever delivered.
    assert!(receiver.got().iter().all(|g| g.answered == 500));
    receiver.handle.stop(false).await;
}

#[tokio::test]
async fn an_answer_to_a_hidden_live_question_is_not_sent() {
    let app = app_with_quick_retries(&[100]).await;
    let receiver = receiver().await;
    let admin = app.register_admin("ada").await;
    let ann = app.register("ann").await;
    let host = app.register("hal").await;
    app.set_role("hal", Role::Leader).await;
    create_hook(&app, &admin, &receiver.url, &["session.question_answered"]).await;
    let session = open_session(&app, &host).await;
    let hidden = ask(&app, session, &ann, "A question under review", false).await;
    let shown = ask(
        &app,
        session,
        &ann,
        "Will the canteen open on Fridays?",
        false,
    )
    .await;
    {
        use sea_orm::{EntityTrait, QueryFilter};
        let db = app.db().await;
        entity::qa_question::Entity::update_many()
            .col_expr(
                entity::qa_question::Column::Hidden,
                sea_orm::sea_query::Expr::value(true),
            )
            .filter(sea_orm::ColumnTrait::eq(
                &entity::qa_question::Column::Id,
                hidden["id"].as_i64().unwrap() as i32,
            ))
            .exec(&db)
            .await
            .unwrap();
    }
    for q in [&hidden, &shown] {
        app.post_json(
            &format!("/questions/{}/answer", q["id"]),
            host.auth(),
            &json!({"body": "An answer."}),
        )
        .await
        .expect(200);
    }
    let got = receiver
        .until("the visible answer delivered", |got| !got.is_empty())
        .await;
    assert_eq!(got[0].body["data"]["question"]["id"], shown["id"]);
    let hook = settled(&app, &admin).await;
    assert_eq!(
        hook["deliveries"].as_array().unwrap().len(),
        1,
        "nothing was queued for the hidden question: {hook:#}"
    );
    receiver.handle.stop(false).await;
}
