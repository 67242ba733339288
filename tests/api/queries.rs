//! No N+1: the statements a page or endpoint runs do not grow with the number of
//! comments, authors, badges or discussions it shows.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::json;

use crate::helpers::{TestApp, TestUser, spawn_app_with};

/// Waits until the search indexer and the mail worker have caught up, so their reads do
/// not land in a measured window.
async fn settle(app: &TestApp) {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let db = app.db().await;
    for _ in 0..400 {
        let jobs = entity::job::Entity::find()
            .count(&db)
            .await
            .expect("counting jobs");
        let mail = entity::outbox::Entity::find()
            .filter(entity::outbox::Column::Status.is_in(["pending", "sending"]))
            .count(&db)
            .await
            .expect("counting mail");
        if jobs == 0 && mail == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    db.close().await.expect("closing");
}

/// Statements one GET runs; the least of three tries, so a background loop's query that
/// happens to land in the window does not count.
async fn cost(app: &TestApp, counter: &AtomicU64, path: &str, token: Option<&str>) -> u64 {
    let mut best = u64::MAX;
    for _ in 0..3 {
        counter.store(0, Ordering::SeqCst);
        let mut req = app.api.get(app.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let res = req.send().await.expect("a response");
        assert!(res.status().is_success(), "{path}: {}", res.status());
        let _ = res.text().await;
        best = best.min(counter.load(Ordering::SeqCst));
    }
    best
}

async fn grow(app: &TestApp, id: i64, people: &[TestUser], comments: usize) {
    for i in 0..comments {
        let who = &people[i % people.len()];
        let parent = None;
        let c = app
            .comment(
                &who.token,
                id,
                &format!("Reply {i} from {}", who.username),
                parent,
            )
            .await;
        // Votes from someone else, so scores, badges and reputation vary too.
        let voter = &people[(i + 1) % people.len()];
        app.post_json(
            &format!("/comments/{c}/vote"),
            voter.auth(),
            &json!({"value": 1}),
        )
        .await
        .expect(200);
    }
}

#[tokio::test]
async fn pages_and_endpoints_cost_the_same_whatever_they_show() {
    let counter = Arc::new(AtomicU64::new(0));
    let app = spawn_app_with({
        let counter = counter.clone();
        move |s| s.statement_counter = Some(counter)
    })
    .await;
    let author = app.register("author").await;
    let viewer = app.register("viewer").await;
    let mut people = Vec::new();
    for i in 0..2 {
        people.push(app.register(&format!("early{i}")).await);
    }
    let id = app
        .start_discussion(&author.token, "people", "A growing thread", "Body")
        .await;
    grow(&app, id, &people, 2).await;
    // Leadership updates, each with a link and a pulse the viewer answered.
    app.set_role("author", quorum::domain::Role::Leader).await;
    let post_update = |n: usize| {
        let app = &app;
        let author = &author;
        let viewer = &viewer;
        async move {
            let update = app
                .post_json(
                    "/updates",
                    author.auth(),
                    &json!({"body": format!("Update {n}"), "discussion_id": id,
                        "pulse": {"question": "Agreed?", "scale": "agree"}}),
                )
                .await
                .expect(201);
            app.post_json(
                &format!("/updates/{}/pulse", update["id"]),
                viewer.auth(),
                &json!({"answer": "agree"}),
            )
            .await
            .expect(200);
        }
    };
    post_update(0).await;

    let paths = [
        format!("/discussions/{id}"),
        format!("/api/v1/discussions/{id}"),
        "/zones/people".to_string(),
        "/api/v1/zones/people/discussions".to_string(),
        "/".to_string(),
        "/updates".to_string(),
        "/api/v1/updates".to_string(),
    ];
    settle(&app).await;
    let mut before = Vec::new();
    for path in &paths {
        before.push(cost(&app, &counter, path, viewer.auth()).await);
    }

    // Many more comments, by many more authors (who earn badges), and more discussions.
    for i in 0..10 {
        people.push(app.register(&format!("later{i}")).await);
    }
    grow(&app, id, &people, 30).await;
    for i in 0..12 {
        let who = &people[i % people.len()];
        app.start_discussion(&who.token, "people", &format!("Another topic {i}"), "Body")
            .await;
    }
    for n in 1..6 {
        post_update(n).await;
    }

    settle(&app).await;
    for (path, was) in paths.iter().zip(before) {
        let now = cost(&app, &counter, path, viewer.auth()).await;
        assert_eq!(
            now, was,
            "{path} ran {was} statements before and {now} after growing"
        );
        assert!(now > 0, "the counter counts ({path})");
    }
}

/// Statements one write runs (the least of `tries`, each on a fresh target made by
/// `prepare`), so a background loop's query that lands in the window does not count.
async fn write_cost<P, PF, W, WF>(
    counter: &AtomicU64,
    tries: usize,
    mut prepare: P,
    mut write: W,
) -> u64
where
    P: FnMut(usize) -> PF,
    PF: std::future::Future<Output = i64>,
    W: FnMut(i64) -> WF,
    WF: std::future::Future<Output = ()>,
{
    let mut best = u64::MAX;
    for i in 0..tries {
        let target = prepare(i).await;
        counter.store(0, Ordering::SeqCst);
        write(target).await;
        best = best.min(counter.load(Ordering::SeqCst));
    }
    best
}

#[tokio::test]
async fn a_vote_and_a_comment_cost_a_fixed_handful_of_statements() {
    let counter = Arc::new(AtomicU64::new(0));
    let app = spawn_app_with({
        let counter = counter.clone();
        move |s| s.statement_counter = Some(counter)
    })
    .await;
    let author = app.register("author").await;
    let voter = app.register("voter").await;
    let id = app
        .start_discussion(&author.token, "people", "Votes and replies", "Body")
        .await;
    let measure = |label: &'static str| {
        let (app, author, voter, counter) = (&app, &author, &voter, &counter);
        async move {
            settle(app).await;
            let vote = write_cost(
                counter,
                5,
                |i| async move {
                    app.comment(&author.token, id, &format!("{label} reply {i}"), None)
                        .await
                },
                |c| async move {
                    app.post_json(
                        &format!("/comments/{c}/vote"),
                        voter.auth(),
                        &json!({"value": 1}),
                    )
                    .await
                    .expect(200);
                },
            )
            .await;
            settle(app).await;
            let comment = write_cost(
                counter,
                5,
                |_| async { 0 },
                |_| async move {
                    app.comment(&voter.token, id, "One more reply", None).await;
                },
            )
            .await;
            (vote, comment)
        }
    };
    let (vote, comment) = measure("early").await;
    // A bigger community: more replies, voters, subscribers to notify, badges earned.
    let mut people = Vec::new();
    for i in 0..8 {
        people.push(app.register(&format!("member{i}")).await);
    }
    grow(&app, id, &people, 24).await;
    let (vote_later, comment_later) = measure("later").await;
    assert_eq!(
        vote_later, vote,
        "an upvote's statements grew with the community"
    );
    // Fewer is possible: by now the author's hourly mail allowance is spent, and a reply
    // that mails nobody queues no rows.
    assert!(
        comment_later <= comment,
        "a comment's statements grew with the community: {comment} to {comment_later}"
    );
    // Signing in (one query for the session and its member) included, and the rows a
    // write queues (the search job, the reply's mail to every subscriber: one INSERT
    // each). PostgreSQL adds the row locks (the post, the voter, the author), which
    // SQLite's single writer makes unnecessary, and reads the author's daily cap again
    // under the lock. The target is 6 for a vote: 6 and the search job's row.
    let (vote_locks, comment_locks) =
        match sea_orm::ConnectionTrait::get_database_backend(&app.db().await) {
            sea_orm::DbBackend::Postgres => (4, 1),
            _ => (0, 0),
        };
    eprintln!("an upvote: {vote} statements, a comment: {comment}");
    assert!(
        vote <= 6 + 1 + vote_locks,
        "an upvote ran {vote} statements"
    );
    // A reply asks, among its 17 statements (the search job and the mail rows included),
    // whether any webhook wants `comment.created`.
    assert!(
        comment <= 17 + comment_locks,
        "a comment ran {comment} statements"
    );
}
