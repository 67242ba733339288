//! Digests: the most active discussions in a member's zones that they have not read.

use chrono::{Duration, Utc};
use quorum::services::digest;
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::helpers::spawn_app;

async fn set_digest(app: &crate::helpers::TestApp, token: &str, value: &str) {
    app.send(
        Method::PUT,
        "/api/v1/me/settings",
        Some(token),
        Some(&json!({"digest": value})),
    )
    .await
    .expect(200);
}

async fn member_id(app: &crate::helpers::TestApp, username: &str) -> i32 {
    let db = app.db().await;
    quorum::services::accounts::find_by_username(&db, username)
        .await
        .expect("a member")
        .id
}

#[tokio::test]
async fn the_digest_lists_unread_active_discussions_in_the_members_zones() {
    let app = spawn_app().await;
    let reader = app.register("reader").await;
    let writer = app.register("writer").await;
    // The reader writes in "people" only, so their digest covers that zone.
    let own = app
        .start_discussion(&reader.token, "people", "My own question", "Hello")
        .await;
    let busy = app
        .start_discussion(&writer.token, "people", "A busy people discussion", "Body")
        .await;
    let quiet = app
        .start_discussion(&writer.token, "people", "A quiet people discussion", "Body")
        .await;
    let elsewhere = app
        .start_discussion(&writer.token, "customers", "Customers only", "Body")
        .await;
    for _ in 0..3 {
        app.comment(&writer.token, busy, "More", None).await;
    }
    // Reading a discussion takes it out of the digest until it moves again.
    app.discussion(own, Some(&reader.token)).await;
    app.reads_written("reader", own).await;

    let db = app.db().await;
    let id = member_id(&app, "reader").await;
    let picked = digest::selection(&db, id, Utc::now() - Duration::days(1), 10)
        .await
        .expect("a selection");
    let ids: Vec<i64> = picked.iter().map(|d| i64::from(d.id)).collect();
    assert_eq!(
        ids,
        vec![busy, quiet],
        "most replies first, unread only, own zones only"
    );
    assert!(!ids.contains(&elsewhere));

    app.comment(&writer.token, own, "A new reply to your question", None)
        .await;
    let picked = digest::selection(&db, id, Utc::now() - Duration::days(1), 10)
        .await
        .expect("a selection");
    assert!(
        picked.iter().any(|d| i64::from(d.id) == own),
        "a read discussion that moved again is back in the digest"
    );
}

#[tokio::test]
async fn a_due_digest_is_queued_once_and_written_as_mail() {
    let app = spawn_app().await;
    let reader = app.register("reader").await;
    let writer = app.register("writer").await;
    // The discussion exists before the digest is switched on: the server's own loop,
    // if it runs in between, then either sees no digest wanted or queues this one.
    app.start_discussion(&writer.token, "people", "Something new to read", "Body")
        .await;
    set_digest(&app, &reader.token, "daily").await;

    let db = app.db().await;
    let now = Utc::now();
    // The server's own loop may already have queued it; either way exactly one goes out.
    digest::queue_due(&db, now).await.expect("queueing");
    digest::queue_due(&db, now).await.expect("queueing again");
    let id = member_id(&app, "reader").await;
    let rows = entity::outbox::Entity::find()
        .filter(entity::outbox::Column::MemberId.eq(id))
        .filter(entity::outbox::Column::Kind.eq("digest"))
        .all(&db)
        .await
        .expect("outbox rows");
    assert_eq!(rows.len(), 1, "one digest per period");

    // The worker writes it as an .eml file (the embedded default).
    let dir = app.data_dir.path().join("mail");
    let mut found = None;
    for _ in 0..100 {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                if text.contains("digest") && text.contains("reader@example.com") {
                    found = Some(text);
                }
            }
        }
        if found.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mail = found.expect("the digest was written");
    assert!(
        mail.contains("Subject: [Quorum] Your daily digest: 1 active discussion"),
        "{mail}"
    );
    assert!(mail.contains("Something new to read"), "{mail}");
    assert!(
        mail.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{mail}"
    );

    // A second run within the day queues nothing more.
    digest::queue_due(&db, now + Duration::hours(2))
        .await
        .expect("queueing later");
    let count = entity::outbox::Entity::find()
        .filter(entity::outbox::Column::MemberId.eq(id))
        .filter(entity::outbox::Column::Kind.eq("digest"))
        .all(&db)
        .await
        .expect("outbox rows")
        .len();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn members_who_chose_never_get_no_digest() {
    let app = spawn_app().await;
    let reader = app.register("reader").await;
    let writer = app.register("writer").await;
    set_digest(&app, &reader.token, "never").await;
    app.start_discussion(&writer.token, "people", "Something new to read", "Body")
        .await;
    let db = app.db().await;
    assert_eq!(
        digest::queue_due(&db, Utc::now()).await.expect("queueing"),
        0
    );
}
