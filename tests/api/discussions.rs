//! Discussions: start, list, read, edit, delete, lock and pin.

use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_error_shape, assert_member_ref, assert_utc_time, chars, ids, spawn_app,
};

async fn start(app: &TestApp, token: &str, title: &str, body: &str) -> crate::helpers::Answer {
    app.post_json(
        "/zones/customers/discussions",
        Some(token),
        &json!({"title": title, "body": body}),
    )
    .await
}

async fn listing(app: &TestApp, zone: &str, query: &str) -> Value {
    app.get(&format!("/zones/{zone}/discussions{query}"), None)
        .await
        .expect(200)
}

#[track_caller]
fn assert_discussion_fields(d: &Value) {
    for key in [
        "id",
        "zone",
        "title",
        "body",
        "body_html",
        "author",
        "score",
        "my_vote",
        "comment_count",
        "view_count",
        "recognized",
        "locked",
        "pinned",
        "created_at",
        "updated_at",
        "edited",
    ] {
        assert!(d.get(key).is_some(), "Discussion lacks {key:?}: {d}");
    }
    assert!(d["id"].is_i64(), "{d}");
    assert_utc_time(&d["created_at"], "created_at");
    assert_utc_time(&d["updated_at"], "updated_at");
}

#[tokio::test]
async fn starting_a_discussion_returns_it_in_full() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let d = start(&app, &alice.token, "How do we onboard?", "Hello **world**")
        .await
        .expect(201);

    assert_discussion_fields(&d);
    assert_eq!(d["zone"], "customers");
    assert_eq!(d["title"], "How do we onboard?");
    assert_eq!(d["body"], "Hello **world**");
    assert!(
        d["body_html"]
            .as_str()
            .is_some_and(|h| h.contains("<strong>world</strong>")),
        "{d}"
    );
    assert_member_ref(&d["author"], "alice");
    assert_eq!(d["score"], 0);
    assert_eq!(d["my_vote"], 0);
    assert_eq!(d["comment_count"], 0);
    assert_eq!(d["view_count"], 0);
    assert_eq!(d["recognized"], false);
    assert_eq!(d["locked"], false);
    assert_eq!(d["pinned"], false);
    assert_eq!(d["edited"], false);

    // And it is there for everyone to read.
    let read = app.discussion(d["id"].as_i64().expect("id"), None).await;
    assert_discussion_fields(&read["discussion"]);
    assert_eq!(read["discussion"]["title"], "How do we onboard?");
    assert_eq!(read["comments"], json!([]));
}

#[tokio::test]
async fn titles_outside_the_limits_are_refused() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    for title in [String::new(), "   ".into(), "ab".into(), chars(201)] {
        let answer = start(&app, &alice.token, &title, "A body").await;
        assert_eq!(
            answer.status.as_u16(),
            400,
            "title of {} chars: {}",
            title.len(),
            answer.text
        );
        answer.expect_invalid("title");
    }
    start(&app, &alice.token, &chars(200), "A body")
        .await
        .expect(201);
    start(&app, &alice.token, "abc", "A body").await.expect(201);
}

#[tokio::test]
async fn bodies_outside_the_limits_are_refused() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    for body in [String::new(), "  \n ".into(), chars(50_001)] {
        let answer = start(&app, &alice.token, "A fine title", &body).await;
        assert_eq!(
            answer.status.as_u16(),
            400,
            "body of {} chars: {}",
            body.len(),
            answer.text
        );
        answer.expect_invalid("body");
    }
    let d = start(&app, &alice.token, "A fine title", &chars(50_000))
        .await
        .expect(201);
    assert_eq!(d["body"].as_str().map(str::len), Some(50_000));
}

#[tokio::test]
async fn both_bad_fields_are_named_together() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let error = start(&app, &alice.token, "", "")
        .await
        .expect_invalid("title");

    assert!(error["fields"].get("body").is_some(), "{error}");
}

#[tokio::test]
async fn visitors_cannot_start_discussions() {
    let app = spawn_app().await;

    app.post_json(
        "/zones/customers/discussions",
        None,
        &json!({"title": "Anonymous", "body": "Hi"}),
    )
    .await
    .expect_error(401, "not_signed_in");

    assert_eq!(listing(&app, "customers", "").await["total"], 0);
}

#[tokio::test]
async fn listing_sorts_latest_active_and_top() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let older = app
        .start_discussion(&alice.token, "people", "The older one", "Body")
        .await;
    let newer = app
        .start_discussion(&alice.token, "people", "The newer one", "Body")
        .await;
    app.comment(&alice.token, older, "This brings it back to life", None)
        .await;

    let default = listing(&app, "people", "").await;
    let latest = listing(&app, "people", "?sort=latest").await;
    let active = listing(&app, "people", "?sort=active").await;
    let top = listing(&app, "people", "?sort=top").await;

    assert_eq!(
        ids(&latest["discussions"]),
        vec![newer, older],
        "latest: newest first"
    );
    assert_eq!(
        ids(&default["discussions"]),
        vec![newer, older],
        "latest is the default"
    );
    assert_eq!(
        ids(&active["discussions"]),
        vec![older, newer],
        "active: latest activity first"
    );
    let mut top_ids = ids(&top["discussions"]);
    top_ids.sort_unstable();
    assert_eq!(top_ids, vec![older, newer]);
    for page in [&default, &latest, &active, &top] {
        assert_eq!(page["total"], 2, "{page}");
        assert_eq!(page["page"], 1, "{page}");
        assert_eq!(page["per_page"], 20, "{page}");
        for d in page["discussions"].as_array().expect("discussions") {
            assert_discussion_fields(d);
            assert_eq!(d["zone"], "people");
        }
    }
    // Other zones are not mixed in.
    assert_eq!(listing(&app, "customers", "").await["total"], 0);
}

#[tokio::test]
async fn listing_pages() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let mut created = Vec::new();
    for n in 1..=3 {
        created.push(
            app.start_discussion(&alice.token, "people", &format!("Discussion {n}"), "Body")
                .await,
        );
    }

    let first = listing(&app, "people", "?page=1&per_page=2").await;
    let second = listing(&app, "people", "?page=2&per_page=2").await;
    let beyond = listing(&app, "people", "?page=3&per_page=2").await;

    assert_eq!(first["page"], 1);
    assert_eq!(first["per_page"], 2);
    assert_eq!(first["total"], 3);
    assert_eq!(second["page"], 2);
    assert_eq!(second["total"], 3);
    assert_eq!(beyond["total"], 3);
    assert_eq!(ids(&beyond["discussions"]), Vec::<i64>::new());
    let mut seen = ids(&first["discussions"]);
    assert_eq!(seen.len(), 2);
    seen.extend(ids(&second["discussions"]));
    assert_eq!(
        seen,
        vec![created[2], created[1], created[0]],
        "pages continue each other"
    );
}

#[tokio::test]
async fn bad_listing_parameters_are_refused() {
    let app = spawn_app().await;

    for (query, field) in [
        ("?sort=best", "sort"),
        ("?page=0", "page"),
        ("?page=-1", "page"),
        ("?page=abc", "page"),
        ("?per_page=1000", "per_page"),
        ("?per_page=0", "per_page"),
    ] {
        let answer = app
            .get(&format!("/zones/people/discussions{query}"), None)
            .await;
        assert_eq!(answer.status.as_u16(), 400, "{query}: {}", answer.text);
        answer.expect_invalid(field);
    }
}

#[tokio::test]
async fn reading_a_discussion_counts_the_view() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let id = app
        .start_discussion(&alice.token, "people", "Count me", "Body")
        .await;

    let first = app.discussion(id, None).await["discussion"]["view_count"]
        .as_i64()
        .expect("view_count");
    let second = app.discussion(id, None).await["discussion"]["view_count"]
        .as_i64()
        .expect("view_count");

    assert_eq!(second, first + 1);
    // Views are written in batches (a second apart): the listing shows them soon after.
    let mut listed = Value::Null;
    for _ in 0..100 {
        listed = listing(&app, "people", "").await;
        if listed["discussions"][0]["view_count"]
            .as_i64()
            .is_some_and(|v| v >= second)
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        listed["discussions"][0]["view_count"]
            .as_i64()
            .is_some_and(|v| v >= second),
        "{listed}"
    );
    // And a page read after the batch was written still counts every view.
    let third = app.discussion(id, None).await["discussion"]["view_count"]
        .as_i64()
        .expect("view_count");
    assert_eq!(third, second + 1);
}

#[tokio::test]
async fn the_author_edits_a_discussion() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let id = app
        .start_discussion(&alice.token, "people", "Original title", "Original body")
        .await;

    let edited = app
        .patch_json(
            &format!("/discussions/{id}"),
            alice.auth(),
            &json!({"title": "Better title", "body": "New *body*"}),
        )
        .await
        .expect(200);

    assert_discussion_fields(&edited);
    assert_eq!(edited["title"], "Better title");
    assert_eq!(edited["body"], "New *body*");
    assert!(
        edited["body_html"]
            .as_str()
            .is_some_and(|h| h.contains("<em>body</em>")),
        "{edited}"
    );
    assert_eq!(edited["edited"], true);
    let read = app.discussion(id, None).await;
    assert_eq!(read["discussion"]["title"], "Better title");
    assert_eq!(read["discussion"]["edited"], true);

    // Only the title: the body stays.
    let title_only = app
        .patch_json(
            &format!("/discussions/{id}"),
            alice.auth(),
            &json!({"title": "Best title"}),
        )
        .await
        .expect(200);
    assert_eq!(title_only["title"], "Best title");
    assert_eq!(title_only["body"], "New *body*");
}

#[tokio::test]
async fn an_edit_is_validated() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let id = app
        .start_discussion(&alice.token, "people", "Original title", "Original body")
        .await;

    app.patch_json(
        &format!("/discussions/{id}"),
        alice.auth(),
        &json!({"title": "ab"}),
    )
    .await
    .expect_invalid("title");
    app.patch_json(
        &format!("/discussions/{id}"),
        alice.auth(),
        &json!({"body": chars(50_001)}),
    )
    .await
    .expect_invalid("body");

    assert_eq!(
        app.discussion(id, None).await["discussion"]["title"],
        "Original title"
    );
}

#[tokio::test]
async fn another_member_cannot_edit_but_a_moderator_can() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let moderator = app.register_moderator("mod").await;
    let id = app
        .start_discussion(&alice.token, "people", "Original title", "Original body")
        .await;
    let path = format!("/discussions/{id}");

    let answer = app
        .patch_json(&path, bob.auth(), &json!({"title": "Hijacked"}))
        .await;
    assert_eq!(answer.status.as_u16(), 403, "{}", answer.text);
    assert_error_shape(&answer.json());
    app.patch_json(&path, None, &json!({"title": "Hijacked"}))
        .await
        .expect_error(401, "not_signed_in");
    assert_eq!(
        app.discussion(id, None).await["discussion"]["title"],
        "Original title"
    );

    let edited = app
        .patch_json(
            &path,
            moderator.auth(),
            &json!({"title": "Moderated title"}),
        )
        .await
        .expect(200);
    assert_eq!(edited["title"], "Moderated title");
    assert_member_ref(&edited["author"], "alice");
}

#[tokio::test]
async fn deleting_a_discussion() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let id = app
        .start_discussion(&alice.token, "people", "Short-lived", "Body")
        .await;
    let path = format!("/discussions/{id}");

    let answer = app.delete(&path, bob.auth()).await;
    assert_eq!(answer.status.as_u16(), 403, "{}", answer.text);
    assert_error_shape(&answer.json());
    app.delete(&path, None)
        .await
        .expect_error(401, "not_signed_in");
    app.discussion(id, None).await;

    let answer = app.delete(&path, alice.auth()).await;
    answer.expect_status(204);
    assert!(answer.text.is_empty());

    app.get(&path, None).await.expect_error(404, "not_found");
    app.delete(&path, alice.auth())
        .await
        .expect_error(404, "not_found");
    app.patch_json(&path, alice.auth(), &json!({"title": "Back again"}))
        .await
        .expect_error(404, "not_found");
    assert_eq!(listing(&app, "people", "").await["total"], 0);
}

#[tokio::test]
async fn a_moderator_deletes_any_discussion() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let moderator = app.register_moderator("mod").await;
    let id = app
        .start_discussion(&alice.token, "people", "Off topic", "Body")
        .await;

    app.delete(&format!("/discussions/{id}"), moderator.auth())
        .await
        .expect_status(204);

    app.get(&format!("/discussions/{id}"), None)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn unknown_discussions_are_404() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    app.get("/discussions/4242", None)
        .await
        .expect_error(404, "not_found");
    app.patch_json(
        "/discussions/4242",
        alice.auth(),
        &json!({"title": "Nothing here"}),
    )
    .await
    .expect_error(404, "not_found");
    app.delete("/discussions/4242", alice.auth())
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn a_non_numeric_id_is_a_404_in_json() {
    let app = spawn_app().await;

    for path in [
        "/discussions/abc",
        "/discussions/1.5",
        "/discussions/99999999999999999999",
    ] {
        let answer = app.get(path, None).await;
        assert_eq!(answer.status.as_u16(), 404, "{path}: {}", answer.text);
        answer.expect_error(404, "not_found");
    }
}

#[tokio::test]
async fn moderators_lock_discussions() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let moderator = app.register_moderator("mod").await;
    let id = app
        .start_discussion(&alice.token, "people", "Heated topic", "Body")
        .await;
    let lock = format!("/discussions/{id}/lock");

    // Not even the author may lock.
    for who in [&alice, &bob] {
        let answer = app
            .post_json(&lock, who.auth(), &json!({"locked": true}))
            .await;
        assert_eq!(answer.status.as_u16(), 403, "{}", answer.text);
        assert_error_shape(&answer.json());
    }
    app.post_json(&lock, None, &json!({"locked": true}))
        .await
        .expect_error(401, "not_signed_in");

    let locked = app
        .post_json(&lock, moderator.auth(), &json!({"locked": true}))
        .await
        .expect(200);
    assert_eq!(locked["locked"], true);
    assert_eq!(app.discussion(id, None).await["discussion"]["locked"], true);

    let answer = app
        .post_json(
            &format!("/discussions/{id}/comments"),
            bob.auth(),
            &json!({"body": "Me too"}),
        )
        .await;
    answer.expect_error(403, "discussion_locked");
    assert_eq!(
        app.discussion(id, None).await["discussion"]["comment_count"],
        0
    );

    // Unlocked, the conversation goes on.
    let unlocked = app
        .post_json(&lock, moderator.auth(), &json!({"locked": false}))
        .await
        .expect(200);
    assert_eq!(unlocked["locked"], false);
    app.comment(&bob.token, id, "Me too", None).await;
}

#[tokio::test]
async fn a_pinned_discussion_is_listed_first() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let moderator = app.register_moderator("mod").await;
    let pinned = app
        .start_discussion(&alice.token, "people", "House rules", "Body")
        .await;
    let newer = app
        .start_discussion(&alice.token, "people", "Newer chatter", "Body")
        .await;
    let pin = format!("/discussions/{pinned}/pin");

    let answer = app
        .post_json(&pin, alice.auth(), &json!({"pinned": true}))
        .await;
    assert_eq!(answer.status.as_u16(), 403, "{}", answer.text);
    let d = app
        .post_json(&pin, moderator.auth(), &json!({"pinned": true}))
        .await
        .expect(200);
    assert_eq!(d["pinned"], true);

    for sort in ["latest", "active", "top"] {
        let page = listing(&app, "people", &format!("?sort={sort}")).await;
        assert_eq!(
            ids(&page["discussions"]),
            vec![pinned, newer],
            "sort={sort}"
        );
        assert_eq!(page["discussions"][0]["pinned"], true);
    }

    app.post_json(&pin, moderator.auth(), &json!({"pinned": false}))
        .await
        .expect(200);
    let page = listing(&app, "people", "?sort=latest").await;
    assert_eq!(ids(&page["discussions"]), vec![newer, pinned]);
}
