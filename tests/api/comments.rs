//! Threaded comments: order, depth, edits and deletions that keep their place.

use serde_json::{Value, json};

use crate::helpers::{
    assert_error_shape, assert_member_ref, assert_utc_time, chars, ids, spawn_app,
};

#[track_caller]
fn assert_comment_fields(c: &Value) {
    for key in [
        "id",
        "discussion_id",
        "parent_id",
        "depth",
        "body",
        "body_html",
        "author",
        "score",
        "my_vote",
        "recognized",
        "deleted",
        "created_at",
        "updated_at",
        "edited",
    ] {
        assert!(c.get(key).is_some(), "Comment lacks {key:?}: {c}");
    }
    assert_utc_time(&c["created_at"], "created_at");
    assert_utc_time(&c["updated_at"], "updated_at");
}

#[tokio::test]
async fn a_comment_is_returned_in_full() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let id = app
        .start_discussion(&alice.token, "people", "Talk to me", "Body")
        .await;

    let c = app
        .post_json(
            &format!("/discussions/{id}/comments"),
            bob.auth(),
            &json!({"body": "Hello *there*"}),
        )
        .await
        .expect(201);

    assert_comment_fields(&c);
    assert_eq!(c["discussion_id"], id);
    assert_eq!(c["parent_id"], Value::Null);
    assert_eq!(c["depth"], 0);
    assert_eq!(c["body"], "Hello *there*");
    assert!(
        c["body_html"]
            .as_str()
            .is_some_and(|h| h.contains("<em>there</em>")),
        "{c}"
    );
    assert_member_ref(&c["author"], "bob");
    assert_eq!(c["score"], 0);
    assert_eq!(c["my_vote"], 0);
    assert_eq!(c["recognized"], false);
    assert_eq!(c["deleted"], false);
    assert_eq!(c["edited"], false);
}

#[tokio::test]
async fn comments_come_in_thread_order() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let d = app
        .start_discussion(&alice.token, "people", "Threads", "Body")
        .await;

    let first = app.comment(&bob.token, d, "first", None).await;
    let reply = app
        .comment(&alice.token, d, "reply to first", Some(first))
        .await;
    let reply2 = app
        .comment(&bob.token, d, "reply to the reply", Some(reply))
        .await;
    let reply3 = app
        .comment(
            &alice.token,
            d,
            "reply to the reply to the reply",
            Some(reply2),
        )
        .await;
    let second = app.comment(&alice.token, d, "second", None).await;
    let late_sibling = app
        .comment(&bob.token, d, "another reply to first", Some(first))
        .await;
    let under_second = app
        .comment(&bob.token, d, "reply to second", Some(second))
        .await;

    let comments = app.discussion(d, None).await["comments"].clone();

    assert_eq!(
        ids(&comments),
        vec![
            first,
            reply,
            reply2,
            reply3,
            late_sibling,
            second,
            under_second
        ],
        "each after its parent, siblings oldest first"
    );
    let depths: Vec<i64> = comments
        .as_array()
        .expect("comments")
        .iter()
        .map(|c| c["depth"].as_i64().expect("depth"))
        .collect();
    assert_eq!(depths, vec![0, 1, 2, 3, 1, 0, 1]);
    let parents: Vec<Value> = comments
        .as_array()
        .expect("comments")
        .iter()
        .map(|c| c["parent_id"].clone())
        .collect();
    assert_eq!(
        parents,
        vec![
            Value::Null,
            json!(first),
            json!(reply),
            json!(reply2),
            json!(first),
            Value::Null,
            json!(second)
        ]
    );
    for c in comments.as_array().expect("comments") {
        assert_comment_fields(c);
        assert_eq!(c["discussion_id"], d);
    }
}

#[tokio::test]
async fn a_parent_must_be_a_comment_of_the_same_discussion() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let here = app
        .start_discussion(&alice.token, "people", "Here", "Body")
        .await;
    let there = app
        .start_discussion(&alice.token, "people", "There", "Body")
        .await;
    let elsewhere = app
        .comment(&alice.token, there, "A comment over there", None)
        .await;

    for parent in [elsewhere, 987_654] {
        let answer = app
            .post_json(
                &format!("/discussions/{here}/comments"),
                alice.auth(),
                &json!({"body": "Hi", "parent_id": parent}),
            )
            .await;
        assert_eq!(
            answer.status.as_u16(),
            400,
            "parent {parent}: {}",
            answer.text
        );
        answer.expect_invalid("parent_id");
    }
    assert_eq!(app.discussion(here, None).await["comments"], json!([]));
}

#[tokio::test]
async fn comment_bodies_are_validated() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let d = app
        .start_discussion(&alice.token, "people", "Validate me", "Body")
        .await;
    let path = format!("/discussions/{d}/comments");

    for body in [String::new(), " \n\t".into(), chars(50_001)] {
        let answer = app
            .post_json(&path, alice.auth(), &json!({"body": body}))
            .await;
        assert_eq!(
            answer.status.as_u16(),
            400,
            "body of {} chars: {}",
            body.len(),
            answer.text
        );
        answer.expect_invalid("body");
    }
    app.post_json(&path, None, &json!({"body": "Visitor here"}))
        .await
        .expect_error(401, "not_signed_in");
}

#[tokio::test]
async fn the_author_edits_a_comment_and_others_cannot() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let moderator = app.register_moderator("mod").await;
    let d = app
        .start_discussion(&alice.token, "people", "Edits", "Body")
        .await;
    let c = app.comment(&bob.token, d, "Frist", None).await;
    let path = format!("/comments/{c}");

    let answer = app
        .patch_json(&path, alice.auth(), &json!({"body": "Not yours"}))
        .await;
    assert_eq!(answer.status.as_u16(), 403, "{}", answer.text);
    assert_error_shape(&answer.json());
    app.patch_json(&path, None, &json!({"body": "Not yours"}))
        .await
        .expect_error(401, "not_signed_in");
    app.patch_json(&path, bob.auth(), &json!({"body": ""}))
        .await
        .expect_invalid("body");

    let edited = app
        .patch_json(&path, bob.auth(), &json!({"body": "First, **properly**"}))
        .await
        .expect(200);
    assert_comment_fields(&edited);
    assert_eq!(edited["body"], "First, **properly**");
    assert!(
        edited["body_html"]
            .as_str()
            .is_some_and(|h| h.contains("<strong>properly</strong>")),
        "{edited}"
    );
    assert_eq!(edited["edited"], true);
    let thread = app.discussion(d, None).await;
    assert_eq!(thread["comments"][0]["body"], "First, **properly**");
    assert_eq!(thread["comments"][0]["edited"], true);

    let moderated = app
        .patch_json(
            &path,
            moderator.auth(),
            &json!({"body": "Edited by a moderator"}),
        )
        .await
        .expect(200);
    assert_member_ref(&moderated["author"], "bob");
    app.patch_json("/comments/98765", bob.auth(), &json!({"body": "Ghost"}))
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn a_deleted_comment_keeps_its_place_and_its_replies() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let d = app
        .start_discussion(&alice.token, "people", "Deletions", "Body")
        .await;
    let doomed = app.comment(&bob.token, d, "I will regret this", None).await;
    let reply = app
        .comment(&alice.token, d, "A reply that stays", Some(doomed))
        .await;
    let after = app.comment(&alice.token, d, "A later comment", None).await;

    let answer = app
        .delete(&format!("/comments/{doomed}"), alice.auth())
        .await;
    assert_eq!(answer.status.as_u16(), 403, "{}", answer.text);
    app.delete(&format!("/comments/{doomed}"), None)
        .await
        .expect_error(401, "not_signed_in");
    app.delete(&format!("/comments/{doomed}"), bob.auth())
        .await
        .expect_status(204);

    let comments = app.discussion(d, None).await["comments"].clone();
    assert_eq!(ids(&comments), vec![doomed, reply, after]);
    let gone = &comments[0];
    assert_comment_fields(gone);
    assert_eq!(gone["deleted"], true);
    assert_eq!(gone["body"], Value::Null);
    assert_eq!(gone["body_html"], Value::Null);
    assert_eq!(gone["author"], Value::Null);
    assert!(!gone.to_string().contains("regret"), "{gone}");
    assert_eq!(comments[1]["body"], "A reply that stays");
    assert_eq!(comments[1]["deleted"], false);
    assert_eq!(comments[1]["parent_id"], doomed);
    assert_member_ref(&comments[1]["author"], "alice");
}

#[tokio::test]
async fn a_moderator_deletes_any_comment() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let moderator = app.register_moderator("mod").await;
    let d = app
        .start_discussion(&alice.token, "people", "Moderated", "Body")
        .await;
    let c = app.comment(&alice.token, d, "Spam spam spam", None).await;

    app.delete(&format!("/comments/{c}"), moderator.auth())
        .await
        .expect_status(204);

    assert_eq!(
        app.discussion(d, None).await["comments"][0]["deleted"],
        true
    );
}

#[tokio::test]
async fn comments_on_a_deleted_or_unknown_discussion_are_404() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let d = app
        .start_discussion(&alice.token, "people", "Soon gone", "Body")
        .await;
    let c = app.comment(&alice.token, d, "Before", None).await;
    app.delete(&format!("/discussions/{d}"), alice.auth())
        .await
        .expect_status(204);

    app.post_json(
        &format!("/discussions/{d}/comments"),
        alice.auth(),
        &json!({"body": "After"}),
    )
    .await
    .expect_error(404, "not_found");
    app.post_json(
        "/discussions/424242/comments",
        alice.auth(),
        &json!({"body": "Nowhere"}),
    )
    .await
    .expect_error(404, "not_found");
    // The comments went with their discussion.
    app.patch_json(
        &format!("/comments/{c}"),
        alice.auth(),
        &json!({"body": "Edit"}),
    )
    .await
    .expect_error(404, "not_found");
}

#[tokio::test]
async fn comment_count_follows_comments() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let d = app
        .start_discussion(&alice.token, "people", "Counting", "Body")
        .await;

    let count = |v: &Value| {
        v["discussion"]["comment_count"]
            .as_i64()
            .expect("comment_count")
    };
    assert_eq!(count(&app.discussion(d, None).await), 0);
    let first = app.comment(&alice.token, d, "One", None).await;
    app.comment(&alice.token, d, "Two", Some(first)).await;
    let two = app.discussion(d, None).await;
    assert_eq!(count(&two), 2);
    let listed = app.get("/zones/people/discussions", None).await.expect(200);
    assert_eq!(listed["discussions"][0]["comment_count"], 2);

    app.delete(&format!("/comments/{first}"), alice.auth())
        .await
        .expect_status(204);
    assert!(
        count(&app.discussion(d, None).await) < 2,
        "deleting a comment changes the count"
    );
}

/// A comment must wait for a concurrent lock of its discussion and see its outcome. A
/// moderator's lock holds the discussion's row, uncommitted, when the comment arrives;
/// once the lock commits, the comment is refused. (Before the comment took the row
/// lock first, it read `locked = false` without waiting and went through.) PostgreSQL
/// only: SQLite runs one write transaction at a time, so there is no race to lose.
#[tokio::test]
async fn a_comment_waits_for_a_concurrent_lock_of_its_discussion() {
    use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};
    let app = spawn_app().await;
    let db = app.db().await;
    if db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let author = app.register("alice").await;
    let replier = app.register("bob").await;
    let id = app
        .start_discussion(
            author.auth().expect("token"),
            "people",
            "Open for now",
            "Reply soon.",
        )
        .await;
    let txn = db.begin().await.expect("begin");
    txn.execute_unprepared(&format!(
        "UPDATE discussions SET locked = true WHERE id = {id}"
    ))
    .await
    .expect("lock the discussion");
    let path = format!("/discussions/{id}/comments");
    let body = json!({"body": "Just in time?"});
    let reply = app.post_json(&path, replier.auth(), &body);
    let commit_later = async {
        // Long enough for the comment's request to reach the discussion's row.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        txn.commit().await.expect("commit the lock");
    };
    let (answer, ()) = tokio::join!(reply, commit_later);
    answer.expect_error(403, "discussion_locked");
    let thread = app.discussion(id, None).await;
    assert_eq!(
        thread["comments"],
        json!([]),
        "a comment slipped past the lock"
    );
    assert_eq!(thread["discussion"]["comment_count"], json!(0));
}

#[tokio::test]
async fn a_long_thread_comes_in_pages_of_200_that_keep_its_shape() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let id = app
        .start_discussion(&alice.token, "people", "A very long thread", "Go.")
        .await;
    // 199 top-level replies, then a reply to the first (which belongs right after it,
    // on the first page), then 5 more top-level ones: 205 in all.
    let mut top = Vec::new();
    for n in 0..199 {
        top.push(
            app.comment(&bob.token, id, &format!("Reply {n}"), None)
                .await,
        );
    }
    let nested = app
        .comment(&alice.token, id, "An answer to the first", Some(top[0]))
        .await;
    for n in 199..204 {
        top.push(
            app.comment(&bob.token, id, &format!("Reply {n}"), None)
                .await,
        );
    }

    let first = app
        .get(&format!("/discussions/{id}"), None)
        .await
        .expect(200);
    let page: Vec<i64> = ids(&first["comments"]);
    assert_eq!(page.len(), 200);
    assert_eq!(first["more_comments"], true);
    assert_eq!(page[0], top[0]);
    assert_eq!(page[1], nested, "a reply follows its parent");
    assert_eq!(first["comments"][1]["depth"], 1);
    assert_eq!(page[199], top[198]);

    let next = app
        .get(&format!("/discussions/{id}?after={}", page[199]), None)
        .await
        .expect(200);
    assert_eq!(ids(&next["comments"]), top[199..].to_vec());
    assert_eq!(next["more_comments"], false);

    app.get(&format!("/discussions/{id}?after=abc"), None)
        .await
        .expect_error(400, "validation_failed");

    // The page links to the rest.
    let html = app.get_page(&format!("/discussions/{id}")).await;
    let html = html.expect_html(200);
    assert!(
        html.contains(&format!("?after={}#comments", page[199])),
        "no link to the next replies"
    );
}

/// The database sets a new comment's thread path as it inserts it (m0014): its parent's
/// path, a dot, its own id in ten digits — what `child_path` makes, and what thread
/// order and `?after=` paging read.
#[tokio::test]
async fn a_new_comment_gets_its_thread_path_from_the_database() {
    use sea_orm::EntityTrait;
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let id = app
        .start_discussion(&alice.token, "people", "Paths", "Reply in depth.")
        .await;
    let top = app.comment(&bob.token, id, "Top", None).await;
    let child = app.comment(&alice.token, id, "Child", Some(top)).await;
    let grandchild = app.comment(&bob.token, id, "Grandchild", Some(child)).await;
    let db = app.db().await;
    let path = |id: i64| {
        let db = &db;
        async move {
            entity::comment::Entity::find_by_id(i32::try_from(id).expect("an id"))
                .one(db)
                .await
                .expect("reading a comment")
                .and_then(|c| c.thread_path)
                .expect("a thread path")
        }
    };
    use quorum::views::posts::child_path;
    let (t, c, g) = (path(top).await, path(child).await, path(grandchild).await);
    assert_eq!(t, child_path(None, top as i32));
    assert_eq!(c, child_path(Some(&t), child as i32));
    assert_eq!(g, child_path(Some(&c), grandchild as i32));
    assert_eq!(g, format!("{top:010}.{child:010}.{grandchild:010}"));
}
