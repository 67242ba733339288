//! E-mail, subscriptions and notifications: "E-mail me when people leave comments".
//!
//! Mail goes to a real SMTP server listening on a local port (`smtp_sink`), or, by
//! default, to `.eml` files in the data dir. Retries are made due by moving an outbox
//! row's `run_at` into the past, as time passing would; nothing here waits minutes.

use std::time::{Duration, Instant};

use chrono::Utc;
use entity::outbox;
use quorum::domain::Role;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, QueryOrder, Set};
use serde_json::{Value, json};

use crate::helpers::{
    PASSWORD, TestApp, TestUser, assert_member_ref, assert_utc_time, spawn_app, spawn_app_with,
};
use crate::smtp_sink::{Mail, Refuse, SmtpSink};

/// Where links in e-mails point (the contract asks for an https link).
const BASE: &str = "https://forum.example.com";

/// An app that sends mail over plain SMTP to 127.0.0.1:`port`.
async fn app_mailing_to(port: u16) -> TestApp {
    spawn_app_with(|s| {
        s.smtp_url = Some(SmtpSink::url_for(port));
        s.base_url = Some(BASE.into());
    })
    .await
}

/// The app's outbox table, read (and nudged) the way an operator's SQL would.
struct Outbox {
    db: DatabaseConnection,
}

impl Outbox {
    async fn open(app: &TestApp) -> Self {
        Self { db: app.db().await }
    }

    async fn rows(&self) -> Vec<outbox::Model> {
        outbox::Entity::find()
            .order_by_asc(outbox::Column::Id)
            .all(&self.db)
            .await
            .expect("reading the outbox")
    }

    /// Waits (up to 10 s) until one row matches; returns it.
    async fn wait_row(
        &self,
        what: &str,
        matches: impl Fn(&outbox::Model) -> bool,
    ) -> outbox::Model {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let rows = self.rows().await;
            if let Some(row) = rows.iter().find(|r| matches(r)) {
                return row.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no outbox row is {what} after 10 s: {rows:#?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits (up to 10 s) until no message waits to be sent: everything written so far
    /// was delivered (or given up on), so what the sink holds is final.
    async fn wait_settled(&self) -> Vec<outbox::Model> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let rows = self.rows().await;
            if rows
                .iter()
                .all(|r| !["pending", "sending"].contains(&r.status.as_str()))
            {
                return rows;
            }
            assert!(
                Instant::now() < deadline,
                "the outbox did not settle in 10 s: {rows:#?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Makes a row waiting for its retry due now, as if the backoff had passed;
    /// optionally with a different attempt count.
    async fn make_due(&self, row: &outbox::Model, attempts: Option<i32>) {
        let mut active: outbox::ActiveModel = row.clone().into();
        active.run_at = Set(Utc::now() - chrono::Duration::seconds(5));
        if let Some(attempts) = attempts {
            active.attempts = Set(attempts);
        }
        active.update(&self.db).await.expect("moving run_at");
    }
}

/// The messages one member received, in order.
fn to<'a>(messages: &'a [Mail], member: &TestUser) -> Vec<&'a Mail> {
    messages
        .iter()
        .filter(|m| m.recipients.contains(&member.email))
        .collect()
}

/// The path (and query) of a link into the forum, for this test's server.
#[track_caller]
fn path_of(url: &str) -> String {
    url.strip_prefix(BASE)
        .unwrap_or_else(|| panic!("{url} does not start with {BASE}"))
        .to_string()
}

async fn subscribed(app: &TestApp, member: &TestUser, discussion: i64) -> bool {
    app.get(
        &format!("/discussions/{discussion}/subscription"),
        member.auth(),
    )
    .await
    .expect(200)["email"]
        .as_bool()
        .expect("a boolean email flag")
}

async fn set_subscription(app: &TestApp, member: &TestUser, discussion: i64, email: bool) {
    let answer = app
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/discussions/{discussion}/subscription"),
            member.auth(),
            Some(&json!({ "email": email })),
        )
        .await;
    assert_eq!(answer.expect(200), json!({ "email": email }));
}

async fn put_settings(app: &TestApp, member: &TestUser, body: &Value) -> crate::helpers::Answer {
    app.send(
        reqwest::Method::PUT,
        "/api/v1/me/settings",
        member.auth(),
        Some(body),
    )
    .await
}

/// The member's notifications through the API; the count on a page's header (read
/// through the same bearer token) must say the same number unread.
async fn notifications(app: &TestApp, member: &TestUser) -> Value {
    let list = app.get("/notifications", member.auth()).await.expect(200);
    let answer = app
        .send(reqwest::Method::GET, "/search", member.auth(), None)
        .await;
    assert_eq!(
        Some(header_count(answer.expect_html(200))),
        list["unread"].as_i64(),
        "the header's unread count for {}: {list}",
        member.username
    );
    list
}

/// The unread count a page's header shows (0 when it shows none).
fn header_count(page: &str) -> i64 {
    page.split_once("class=\"count\" aria-label=\"")
        .and_then(|(_, rest)| rest.split_once(" unread\""))
        .map_or(0, |(n, _)| n.parse::<i64>().unwrap_or(-1))
}

/// The notifications of one kind in a list, newest first.
fn of_kind(list: &Value, kind: &str) -> Vec<Value> {
    list["notifications"]
        .as_array()
        .unwrap_or_else(|| panic!("no notifications in {list}"))
        .iter()
        .filter(|n| n["kind"] == kind)
        .cloned()
        .collect()
}

#[tokio::test]
async fn mail_a_comment_goes_once_to_each_subscriber_but_not_its_author() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(sink.port()).await;
    let outbox = Outbox::open(&app).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let id = app
        .start_discussion(
            &alice.token,
            "people",
            "Onboarding buddies",
            "Who wants to be one?",
        )
        .await;
    app.comment(&bob.token, id, "I do.", None).await;
    sink.wait_for(1).await;

    let comment = app
        .comment(
            &carol.token,
            id,
            "Count me in & I'm keen.\n\nI started last spring.",
            None,
        )
        .await;
    sink.wait_for(3).await;
    outbox.wait_settled().await;
    let messages = sink.messages();

    assert_eq!(messages.len(), 3, "{messages:#?}");
    assert_eq!(messages[0].recipients, vec![alice.email.clone()]);
    assert!(
        sink.attempts().iter().all(|a| a.from == "quorum@localhost"),
        "the envelope sender is not QUORUM_MAIL_FROM: {:#?}",
        sink.attempts()
    );
    assert!(
        to(&messages, &carol).is_empty(),
        "the comment's author was mailed about her own comment"
    );
    let anchor = format!("#comment-{comment}");
    let about_carols: Vec<&Mail> = messages[1..].iter().collect();
    let mut recipients: Vec<&str> = about_carols
        .iter()
        .flat_map(|m| m.recipients.iter().map(String::as_str))
        .collect();
    recipients.sort_unstable();
    assert_eq!(recipients, ["alice@example.com", "bob@example.com"]);

    let thread = format!("<discussion-{id}@quorum.mail>");
    for mail in &about_carols {
        assert_eq!(mail.recipients.len(), 1, "one recipient per message");
        assert_eq!(mail.to(), mail.recipients[0]);
        assert_eq!(mail.subject(), "[Quorum] Re: Onboarding buddies");
        let unsubscribe = mail.unsubscribe_url();
        assert!(
            unsubscribe.starts_with(&format!("{BASE}/unsubscribe/")),
            "List-Unsubscribe: {unsubscribe}"
        );
        assert_eq!(
            mail.must("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click"
        );
        let message_id = mail.message_id();
        assert!(
            message_id.starts_with('<') && message_id.ends_with('>') && message_id.contains('@'),
            "Message-ID: {message_id}"
        );
        assert_eq!(mail.must("In-Reply-To"), thread);
        assert!(mail.must("References").contains(&thread), "{}", mail.raw);

        let text = mail.text();
        assert!(
            text.contains("> Count me in & I'm keen.") && text.contains("> I started last spring."),
            "the text does not quote the comment:\n{text}"
        );
        let link = text
            .split_whitespace()
            .find(|word| word.ends_with(&anchor))
            .unwrap_or_else(|| panic!("no link to {anchor} in:\n{text}"));
        assert!(
            link.starts_with(&format!("{BASE}/discussions/{id}")),
            "{link}"
        );
        let html = mail.html();
        assert!(html.contains("<blockquote"), "{html}");
        assert!(html.contains("I started last spring."), "{html}");
        assert!(html.contains(&anchor), "{html}");

        // The link leads to the comment.
        let page = app.get_page(&path_of(link.trim_end_matches(&anchor))).await;
        assert!(
            page.expect_html(200)
                .contains(&format!("id=\"comment-{comment}\"")),
            "the linked page has no {anchor}"
        );
    }
    let mut message_ids: Vec<&str> = messages.iter().map(Mail::message_id).collect();
    message_ids.sort_unstable();
    message_ids.dedup();
    assert_eq!(message_ids.len(), 3, "Message-IDs repeat: {message_ids:?}");
    assert_ne!(
        about_carols[0].unsubscribe_url(),
        about_carols[1].unsubscribe_url(),
        "two members share an unsubscribe link"
    );
}

#[tokio::test]
async fn mail_one_click_unsubscribe_stops_mail_for_that_member_only() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(sink.port()).await;
    let outbox = Outbox::open(&app).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let id = app
        .start_discussion(&alice.token, "people", "Lunch and learn", "Topics?")
        .await;
    app.comment(&bob.token, id, "Rust!", None).await;
    app.comment(&carol.token, id, "Sourdough.", None).await;
    sink.wait_for(3).await;
    outbox.wait_settled().await;
    let messages = sink.messages();
    let bobs = to(&messages, &bob);
    assert_eq!(bobs.len(), 1, "{messages:#?}");
    let link = path_of(&bobs[0].unsubscribe_url());
    let alices_link = path_of(&to(&messages, &alice)[0].unsubscribe_url());

    // A mail scanner following the link (GET) sees a confirmation and changes nothing.
    let page = app.get_page(&link).await;
    let html = page.expect_html(200);
    assert!(
        html.contains(&format!("action=\"{link}\"")) && html.contains("method=\"post\""),
        "no confirmation form on the unsubscribe page:\n{html}"
    );
    assert!(subscribed(&app, &bob, id).await, "GET unsubscribed bob");

    // Bob's signature with alice's member id: not ours, and alice stays subscribed.
    let token = link.trim_start_matches("/unsubscribe/");
    let alices_id = alices_link
        .trim_start_matches("/unsubscribe/")
        .split('.')
        .next()
        .expect("a member id in the token");
    let (bobs_id, rest) = token.split_once('.').expect("a member id in the token");
    assert_ne!(bobs_id, alices_id);
    let forged = format!("/unsubscribe/{alices_id}.{rest}");
    let answer = app.api.post(app.url(&forged)).send().await.expect("POST");
    assert_eq!(answer.status().as_u16(), 404, "a forged token was accepted");
    assert!(subscribed(&app, &alice, id).await);

    // RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click`, with no cookies.
    let answer = app
        .api
        .post(app.url(&link))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .expect("POST");
    let answer = crate::helpers::Answer::read(answer).await;
    answer.expect_html(200);
    assert!(!subscribed(&app, &bob, id).await, "bob is still subscribed");
    assert!(subscribed(&app, &alice, id).await);
    assert!(subscribed(&app, &carol, id).await);

    let comment = app.comment(&carol.token, id, "Or both.", None).await;
    sink.wait_for(4).await;
    outbox.wait_settled().await;
    let messages = sink.messages();
    assert_eq!(messages.len(), 4, "{messages:#?}");
    assert_eq!(messages[3].recipients, vec![alice.email.clone()]);
    assert!(messages[3].text().contains(&format!("#comment-{comment}")));
    assert_eq!(
        to(&messages, &bob).len(),
        1,
        "bob was mailed after unsubscribing"
    );
}

#[tokio::test]
async fn mail_the_subscription_flag_turns_mail_off_and_on() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(sink.port()).await;
    let outbox = Outbox::open(&app).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let dave = app.register("dave").await;
    let id = app
        .start_discussion(&alice.token, "people", "Book club", "Next pick?")
        .await;
    app.comment(&bob.token, id, "Dune.", None).await;
    assert!(
        subscribed(&app, &bob, id).await,
        "a commenter is subscribed"
    );
    assert!(
        !subscribed(&app, &dave, id).await,
        "a bystander is subscribed"
    );

    set_subscription(&app, &bob, id, false).await;
    assert!(!subscribed(&app, &bob, id).await);
    set_subscription(&app, &dave, id, true).await;
    assert!(subscribed(&app, &dave, id).await);
    let visitor = app
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/discussions/{id}/subscription"),
            None,
            Some(&json!({"email": true})),
        )
        .await;
    visitor.expect_status(401);
    app.get("/discussions/999999/subscription", dave.auth())
        .await
        .expect_error(404, "not_found");

    outbox.wait_settled().await;
    let before = sink.messages().len();
    app.comment(&carol.token, id, "Piranesi.", None).await;
    sink.wait_for(before + 2).await;
    outbox.wait_settled().await;
    let messages = sink.messages();
    let new: Vec<&str> = messages[before..]
        .iter()
        .flat_map(|m| m.recipients.iter().map(String::as_str))
        .collect();
    let mut new = new;
    new.sort_unstable();
    assert_eq!(new, ["alice@example.com", "dave@example.com"]);
}

#[tokio::test]
async fn mail_refused_once_then_accepted_arrives_exactly_once_with_one_message_id() {
    let sink = SmtpSink::refusing(Refuse::AfterData, 1).await;
    let app = app_mailing_to(sink.port()).await;
    let outbox = Outbox::open(&app).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let id = app
        .start_discussion(&alice.token, "people", "Retries", "Will it arrive?")
        .await;
    app.comment(&bob.token, id, "Eventually.", None).await;

    let refused = sink.wait_for_attempts(1).await;
    assert!(!refused[0].accepted);
    let row = outbox
        .wait_row("waiting for a retry", |r| {
            r.status == "pending" && r.attempts >= 1
        })
        .await;
    assert_eq!(row.attempts, 1);
    assert!(
        row.last_error.as_deref().is_some_and(|e| e.contains("451")),
        "{row:#?}"
    );
    assert!(
        row.run_at > Utc::now() + chrono::Duration::seconds(30),
        "the retry is not backed off: {row:#?}"
    );
    assert!(sink.messages().is_empty());

    outbox.make_due(&row, None).await;
    let messages = sink.wait_for(1).await;
    let rows = outbox.wait_settled().await;
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0].status, "sent");
    assert_eq!(rows[0].attempts, 2);
    assert_eq!(messages[0].recipients, vec![alice.email.clone()]);
    let first_id = Mail::parse(&refused[0].data).message_id().to_string();
    assert_eq!(
        messages[0].message_id(),
        first_id,
        "the retry has a new Message-ID"
    );
    // Nothing more comes later.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let copies = sink
        .messages()
        .iter()
        .filter(|m| m.message_id() == first_id)
        .count();
    assert_eq!(copies, 1, "{:#?}", sink.attempts());
}

#[tokio::test]
async fn mail_waits_for_a_server_that_is_down_at_first() {
    let port = SmtpSink::free_port();
    let app = app_mailing_to(port).await;
    let outbox = Outbox::open(&app).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let id = app
        .start_discussion(&alice.token, "people", "Outage", "Is mail down?")
        .await;
    let comment = app.comment(&bob.token, id, "Seems so.", None).await;

    let row = outbox
        .wait_row("tried and waiting", |r| {
            r.status == "pending" && r.attempts >= 1 && r.last_error.is_some()
        })
        .await;
    assert!(row.run_at > Utc::now(), "{row:#?}");

    let sink = SmtpSink::start_on(port, Refuse::AtMailFrom, 0).await;
    outbox.make_due(&row, None).await;
    let messages = sink.wait_for(1).await;
    let rows = outbox.wait_settled().await;
    assert_eq!(rows[0].status, "sent", "{rows:#?}");
    tokio::time::sleep(Duration::from_millis(700)).await;
    let messages_after = sink.messages();
    assert_eq!(messages_after.len(), 1, "{messages_after:#?}");
    assert_eq!(messages[0].recipients, vec![alice.email.clone()]);
    assert!(messages[0].text().contains(&format!("#comment-{comment}")));
}

#[tokio::test]
async fn mail_that_fails_every_try_is_kept_as_failed_for_admins() {
    let sink = SmtpSink::refusing(Refuse::AtMailFrom, usize::MAX).await;
    let app = app_mailing_to(sink.port()).await;
    let outbox = Outbox::open(&app).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let boss = app.register("boss").await;
    app.set_role(&boss.username, Role::Admin).await;
    let id = app
        .start_discussion(&alice.token, "people", "Doomed", "This will bounce")
        .await;
    let comment = app.comment(&bob.token, id, "Bounce.", None).await;

    let row = outbox
        .wait_row("waiting for a retry", |r| {
            r.status == "pending" && r.attempts == 1
        })
        .await;
    let listed = app.get("/admin/mail/failed", boss.auth()).await.expect(200);
    assert_eq!(listed["messages"], json!([]), "listed before giving up");

    // Six more failures have passed; this is the last try.
    outbox.make_due(&row, Some(7)).await;
    let row = outbox.wait_row("failed", |r| r.status == "failed").await;
    assert_eq!(row.attempts, 8);
    assert!(sink.messages().is_empty());

    let listed = app.get("/admin/mail/failed", boss.auth()).await.expect(200);
    let messages = listed["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 1, "{listed}");
    let failed = &messages[0];
    assert_eq!(failed["to"], alice.email);
    assert_eq!(failed["discussion_id"], id);
    assert_eq!(failed["comment_id"], comment);
    assert_eq!(failed["attempts"], 8);
    assert!(
        failed["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("try later")),
        "{failed}"
    );
    assert_utc_time(&failed["created_at"], "created_at");

    app.get("/admin/mail/failed", bob.auth())
        .await
        .expect_error(403, "forbidden");
    // A failed message is not tried again.
    let tries = sink.attempts().len();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(sink.attempts().len(), tries);
}

/// The `.eml` files the default mailer wrote, waiting (up to 10 s) for `n`.
async fn eml_files(app: &TestApp, n: usize) -> Vec<Mail> {
    let dir = app.data_dir.path().join("mail");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        if files.len() >= n {
            return files
                .iter()
                .map(|p| Mail::parse(&std::fs::read_to_string(p).expect("reading an .eml")))
                .collect();
        }
        assert!(
            Instant::now() < deadline,
            "{} .eml file(s) in {} after 10 s, expected {n}",
            files.len(),
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn mail_by_default_is_written_as_eml_files_a_mail_client_opens() {
    let app = spawn_app().await;
    let outbox = Outbox::open(&app).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let id = app
        .start_discussion(&alice.token, "people", "Files please", "Where is mail?")
        .await;
    app.comment(&bob.token, id, "In files.", None).await;
    let comment = app
        .comment(&carol.token, id, "*Plenty* of them.", None)
        .await;
    eml_files(&app, 3).await;
    outbox.wait_settled().await;
    let mails = eml_files(&app, 3).await;

    assert_eq!(mails.len(), 3, "one file per recipient");
    let mut recipients: Vec<String> = mails.iter().map(Mail::to).collect();
    recipients.sort();
    assert_eq!(
        recipients,
        ["alice@example.com", "alice@example.com", "bob@example.com"]
    );
    for mail in &mails {
        assert_eq!(mail.subject(), "[Quorum] Re: Files please");
        assert!(mail.header("List-Unsubscribe").is_some(), "{}", mail.raw);
        assert!(
            mail.must("Content-Type")
                .starts_with("multipart/alternative"),
            "{}",
            mail.raw
        );
        assert!(!mail.text().trim().is_empty());
        assert!(mail.html().contains("<blockquote"));
    }
    let carols = mails
        .iter()
        .find(|m| m.text().contains(&format!("#comment-{comment}")))
        .expect("a message about carol's comment");
    assert!(carols.text().contains("> *Plenty* of them."));
    assert!(carols.html().contains("<em>Plenty</em>"));
}

#[tokio::test]
async fn mail_mentions_notify_and_mail_unless_turned_off() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(sink.port()).await;
    let outbox = Outbox::open(&app).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let id = app
        .start_discussion(&alice.token, "people", "Conference talk", "Who presents?")
        .await;
    let first = app
        .comment(
            &bob.token,
            id,
            "I think @carol should, she knows it best.",
            None,
        )
        .await;

    let list = notifications(&app, &carol).await;
    let mentions: Vec<&Value> = list["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .filter(|n| n["kind"] == "mention")
        .collect();
    assert_eq!(mentions.len(), 1, "{list}");
    assert_eq!(mentions[0]["discussion_id"], id);
    assert_eq!(mentions[0]["comment_id"], first);
    assert_member_ref(&mentions[0]["actor"], "bob");
    assert_eq!(list["unread"], 1);

    let html = app.discussion(id, None).await["comments"][0]["body_html"]
        .as_str()
        .expect("body_html")
        .to_string();
    assert!(html.contains("href=\"/members/carol\""), "{html}");
    let page = app.get_page(&format!("/discussions/{id}")).await;
    assert!(page.expect_html(200).contains("href=\"/members/carol\""));

    sink.wait_for(2).await;
    outbox.wait_settled().await;
    let messages = sink.messages();
    let carols = to(&messages, &carol);
    assert_eq!(carols.len(), 1, "{messages:#?}");
    assert!(
        carols[0].text().contains("mentioned you"),
        "{}",
        carols[0].text()
    );
    assert!(!subscribed(&app, &carol, id).await);

    put_settings(&app, &carol, &json!({"email_on_mention": false}))
        .await
        .expect(200);
    let second = app
        .comment(&bob.token, id, "Or @carol and @alice together?", None)
        .await;
    outbox.wait_settled().await;
    let messages = sink.messages();
    assert_eq!(to(&messages, &carol).len(), 1, "mailed despite the setting");
    assert!(
        to(&messages, &alice)
            .iter()
            .any(|m| m.text().contains(&format!("#comment-{second}"))),
        "{messages:#?}"
    );
    let list = notifications(&app, &carol).await;
    assert_eq!(list["unread"], 2, "{list}");
    assert_eq!(list["notifications"][0]["kind"], "mention");
    assert_eq!(list["notifications"][0]["comment_id"], second);
}

#[tokio::test]
async fn mail_replies_to_my_comment_notify_me_and_mail_me_by_my_settings() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(sink.port()).await;
    let outbox = Outbox::open(&app).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let id = app
        .start_discussion(&alice.token, "people", "Standing desks", "Worth it?")
        .await;
    let bobs = app.comment(&bob.token, id, "Yes.", None).await;
    // Bob stops e-mail for the discussion: replies to his comments still reach him in
    // the app, but nothing about this discussion is mailed to him any more.
    set_subscription(&app, &bob, id, false).await;
    let reply = app.comment(&carol.token, id, "Why?", Some(bobs)).await;

    let list = notifications(&app, &bob).await;
    let replies: Vec<&Value> = list["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .filter(|n| n["kind"] == "comment_reply")
        .collect();
    assert_eq!(replies.len(), 1, "{list}");
    assert_eq!(replies[0]["comment_id"], reply);
    assert_eq!(replies[0]["discussion_id"], id);
    assert_member_ref(&replies[0]["actor"], "carol");
    let alices = notifications(&app, &alice).await;
    assert!(
        alices["notifications"]
            .as_array()
            .expect("notifications")
            .iter()
            .any(|n| n["kind"] == "reply" && n["comment_id"] == reply),
        "{alices}"
    );
    outbox.wait_settled().await;
    assert_eq!(
        to(&sink.messages(), &bob).len(),
        0,
        "mailed after turning mail off"
    );

    // With e-mail on again, a reply to his comment is mailed, saying why.
    set_subscription(&app, &bob, id, true).await;
    let again = app
        .comment(&carol.token, id, "Really, why?", Some(bobs))
        .await;
    outbox.wait_settled().await;
    let messages = sink.messages();
    let to_bob = to(&messages, &bob);
    assert_eq!(to_bob.len(), 1, "{messages:#?}");
    assert!(to_bob[0].text().contains(&format!("#comment-{again}")));
    assert!(to_bob[0].text().contains("replied to your comment"));
    assert!(
        to(&messages, &alice)
            .iter()
            .any(|m| m.text().contains(&format!("#comment-{again}")))
    );

    // Whoever asks for no mail on replies to their comments is subscribed without it
    // when they comment.
    put_settings(&app, &carol, &json!({"email_on_comment_reply": false}))
        .await
        .expect(200);
    let other = app
        .start_discussion(&alice.token, "people", "Another topic", "Body")
        .await;
    app.comment(&carol.token, other, "A first word", None).await;
    let sub = app
        .get(&format!("/discussions/{other}/subscription"), carol.auth())
        .await
        .expect(200);
    assert_eq!(sub["email"], false);
}

#[tokio::test]
async fn mail_settings_are_kept_and_checked() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(sink.port()).await;
    let outbox = Outbox::open(&app).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;

    let defaults = app.get("/me/settings", alice.auth()).await.expect(200);
    assert_eq!(
        defaults,
        json!({"email_on_discussion_reply": true, "email_on_comment_reply": true,
               "email_on_mention": true, "digest": "never", "insights_mail": false})
    );
    app.get("/me/settings", None).await.expect_status(401);

    let changed = put_settings(
        &app,
        &alice,
        &json!({"digest": "weekly", "email_on_mention": false}),
    )
    .await
    .expect(200);
    let expected = json!({"email_on_discussion_reply": true, "email_on_comment_reply": true,
                          "email_on_mention": false, "digest": "weekly", "insights_mail": false});
    assert_eq!(changed, expected);
    assert_eq!(
        app.get("/me/settings", alice.auth()).await.expect(200),
        expected
    );

    put_settings(&app, &alice, &json!({"digest": "hourly"}))
        .await
        .expect_invalid("digest");
    assert_eq!(
        app.get("/me/settings", alice.auth()).await.expect(200),
        expected
    );
    assert_eq!(
        app.get("/me/settings", bob.auth()).await.expect(200),
        defaults,
        "another member's settings changed"
    );

    put_settings(&app, &alice, &json!({"email_on_discussion_reply": false}))
        .await
        .expect(200);
    let id = app
        .start_discussion(&alice.token, "people", "Quiet please", "No mail for me")
        .await;
    assert!(!subscribed(&app, &alice, id).await);
    app.comment(&bob.token, id, "Noted.", None).await;
    let comment = app.comment(&carol.token, id, "Noted too.", None).await;
    sink.wait_for(1).await;
    outbox.wait_settled().await;
    let messages = sink.messages();
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert_eq!(messages[0].recipients, vec![bob.email.clone()]);
    assert!(messages[0].text().contains(&format!("#comment-{comment}")));
    assert!(to(&messages, &alice).is_empty());
    // She still hears about it in the app.
    assert_eq!(
        of_kind(&notifications(&app, &alice).await, "reply").len(),
        2
    );
}

#[tokio::test]
async fn mail_notifications_are_marked_read_by_id_or_all_at_once() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let id = app
        .start_discussion(&alice.token, "people", "Desk plants", "Which ones survive?")
        .await;
    let first = app.comment(&bob.token, id, "Cacti.", None).await;
    let second = app
        .comment(&carol.token, id, "Pothos, ask @bob.", None)
        .await;

    let list = notifications(&app, &alice).await;
    // Besides the replies, starting a discussion may have earned her a badge.
    let unread = list["unread"].as_i64().expect("unread");
    let items = of_kind(&list, "reply");
    assert_eq!(items.len(), 2, "{list}");
    assert!(unread >= 2, "{list}");
    let all_unread = list["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .filter(|n| n["read"] == false)
        .count();
    assert_eq!(all_unread as i64, unread, "{list}");
    // Newest first.
    assert_eq!(items[0]["comment_id"], second);
    assert_eq!(items[1]["comment_id"], first);
    for item in &items {
        assert_eq!(item["discussion_id"], id);
        assert_eq!(item["read"], false);
        assert_utc_time(&item["created_at"], "created_at");
    }
    assert_member_ref(&items[0]["actor"], "carol");
    assert_member_ref(&items[1]["actor"], "bob");
    let newest = items[0]["id"].as_i64().expect("id");
    let oldest = items[1]["id"].as_i64().expect("id");
    let bobs = notifications(&app, &bob).await;
    assert_eq!(of_kind(&bobs, "mention").len(), 1, "{bobs}");
    let bobs_unread = bobs["unread"].as_i64().expect("unread");
    assert!(bobs_unread >= 1);

    // In alice's browser, the header counts them in the session's own query.
    let browser = app.browser();
    browser.sign_in("alice", PASSWORD).await.expect_see_other();
    let shown = |page: crate::helpers::Answer| header_count(page.expect_html(200));
    assert_eq!(shown(browser.get("/").await), unread);

    app.post_json(
        "/notifications/read",
        alice.auth(),
        &json!({"ids": [oldest]}),
    )
    .await
    .expect_status(204);
    let list = notifications(&app, &alice).await;
    assert_eq!(list["unread"], unread - 1, "{list}");
    assert_eq!(shown(browser.get("/zones/people").await), unread - 1);
    let items = of_kind(&list, "reply");
    assert_eq!(items[1]["read"], true);
    assert_eq!(items[0]["read"], false);

    // Bob cannot mark alice's notifications read.
    app.post_json("/notifications/read", bob.auth(), &json!({"ids": [newest]}))
        .await
        .expect_status(204);
    let list = notifications(&app, &alice).await;
    assert_eq!(list["unread"], unread - 1, "{list}");
    assert_eq!(of_kind(&list, "reply")[0]["read"], false);
    assert_eq!(notifications(&app, &bob).await["unread"], bobs_unread);

    app.post_json("/notifications/read", alice.auth(), &json!({"all": true}))
        .await
        .expect_status(204);
    let list = notifications(&app, &alice).await;
    assert_eq!(list["unread"], 0, "{list}");
    assert_eq!(shown(browser.get("/").await), 0);
    assert!(
        list["notifications"]
            .as_array()
            .expect("notifications")
            .iter()
            .all(|n| n["read"] == true)
    );
    assert_eq!(
        notifications(&app, &bob).await["unread"],
        bobs_unread,
        "alice's all:true read bob's"
    );
    app.post_json("/notifications/read", None, &json!({"all": true}))
        .await
        .expect_status(401);
}

#[tokio::test]
async fn mail_settings_page_and_discussion_toggle_work_in_a_browser() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let visitor = app.get_page("/settings").await;
    visitor.expect_html(401);

    let browser = app.browser();
    browser.sign_in("alice", PASSWORD).await.expect_see_other();
    let page = browser.get("/settings").await;
    let html = page.expect_html(200);
    assert!(html.contains("alice@example.com"), "{html}");
    assert!(html.contains("name=\"email_on_mention\""), "{html}");

    let saved = browser
        .submit(
            "/settings",
            "/settings",
            &[("email_on_mention", "on"), ("digest", "daily")],
        )
        .await;
    saved.expect_see_other();
    assert_eq!(
        app.get("/me/settings", alice.auth()).await.expect(200),
        json!({"email_on_discussion_reply": false, "email_on_comment_reply": false,
               "email_on_mention": true, "digest": "daily", "insights_mail": false})
    );
    put_settings(&app, &alice, &json!({"email_on_discussion_reply": true}))
        .await
        .expect(200);

    let id = app
        .start_discussion(&alice.token, "people", "Toggle me", "On and off")
        .await;
    let path = format!("/discussions/{id}");
    let action = format!("action=\"/discussions/{id}/subscription\"");
    let page = browser.get(&path).await;
    let html = page.expect_html(200);
    assert!(html.contains(&action), "{html}");
    assert!(
        html.contains("E-mail me when people leave comments: on"),
        "{html}"
    );

    let answer = browser
        .submit(
            &path,
            &format!("/discussions/{id}/subscription"),
            &[("email", "off")],
        )
        .await;
    let location = answer.expect_see_other();
    assert!(
        location.contains(&format!("/discussions/{id}")),
        "{location}"
    );
    assert!(!subscribed(&app, &alice, id).await);
    let html = browser.get(&path).await.expect_html(200).to_string();
    assert!(
        html.contains("E-mail me when people leave comments: off"),
        "{html}"
    );

    browser
        .submit(
            &path,
            &format!("/discussions/{id}/subscription"),
            &[("email", "on")],
        )
        .await
        .expect_see_other();
    assert!(subscribed(&app, &alice, id).await);

    // Without the page's CSRF token the toggle is refused.
    let forged = browser
        .post_form(
            &format!("/discussions/{id}/subscription"),
            &[("email", "off")],
        )
        .await;
    assert!(forged.status.is_client_error(), "{}", forged.status);
    assert!(subscribed(&app, &alice, id).await);

    // A visitor sees no toggle.
    let visitor_page = app.get_page(&path).await;
    assert!(!visitor_page.expect_html(200).contains(&action));
}

#[tokio::test]
async fn mail_a_graceful_stop_leaves_messages_other_instances_are_sending_alone() {
    // Several instances share one database: a row another instance has claimed
    // ("sending", its lease running) is that instance's to finish. Stopping this
    // instance while it sends must not hand that row out again, or it goes twice.
    let sink = SmtpSink::slow(Duration::from_millis(1500)).await;
    let app = app_mailing_to(sink.port()).await;
    let outbox = Outbox::open(&app).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let id = app
        .start_discussion(&alice.token, "people", "Rolling deploys", "Any tips?")
        .await;
    app.comment(&bob.token, id, "Drain first.", None).await;
    let rows = outbox.wait_settled().await;
    assert_eq!(rows.len(), 1, "{rows:#?}");

    // Another instance is sending a message right now.
    let theirs = outbox::ActiveModel {
        id: sea_orm::ActiveValue::NotSet,
        message_id: Set(format!("other-instance.{}", rows[0].message_id)),
        status: Set("sending".into()),
        attempts: Set(1),
        run_at: Set(Utc::now() - chrono::Duration::seconds(1)),
        locked_until: Set(Some(Utc::now() + chrono::Duration::minutes(5))),
        sent_at: Set(None),
        ..rows[0].clone().into()
    }
    .insert(&outbox.db)
    .await
    .expect("inserting the other instance's row");

    // This instance claims the two messages of carol's comment and is sending the
    // first when it is told to stop.
    app.comment(&carol.token, id, "And roll back fast.", None)
        .await;
    sink.wait_for_attempts(2).await;
    let before_stop = outbox
        .rows()
        .await
        .into_iter()
        .find(|r| r.id == theirs.id)
        .expect("the other instance's row");
    assert_eq!(
        before_stop.status, "sending",
        "the worker took a leased row: {before_stop:#?}"
    );
    let app = app.restart().await;

    let last = outbox
        .wait_row("the last of carol's comment, sent", |r| {
            r.id > theirs.id && r.status == "sent"
        })
        .await;
    let _ = outbox
        .wait_row("every row of carol's comment, sent", |r| {
            r.id > last.id && r.status == "sent"
        })
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let theirs_now = outbox
        .rows()
        .await
        .into_iter()
        .find(|r| r.id == theirs.id)
        .expect("the other instance's row");
    let sent_by_us = sink
        .messages()
        .iter()
        .filter(|m| m.message_id().contains("other-instance."))
        .count();
    assert_eq!(
        (theirs_now.status.as_str(), sent_by_us),
        ("sending", 0),
        "this instance released and sent a message another instance holds: {theirs_now:#?}"
    );
    drop(app);
}
