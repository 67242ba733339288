//! Search as a member sees it: `GET /api/v1/search`, the /search page, similar
//! discussions while starting one and related discussions beside one.
//!
//! Indexing is asynchronous (a worker applies queued jobs within a second), so every
//! "now it is findable" check waits with `search_until`: eventual consistency, not a
//! timing assertion. Checks that something is *no longer* findable either wait the same
//! way or come after a positive check that proves the same indexing job already ran.

use std::time::Duration;

use reqwest::Client;
use serde_json::{Value, json};

use crate::helpers::{Answer, TestApp, assert_utc_time, spawn_app};

/// The query string for `params`, URL-encoded.
pub fn query_string(params: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
}

/// `GET /api/v1/search?…` on the server at `address`; the raw answer. Unless `params`
/// say how to group, every matching post is asked for (`group=none`): most checks here
/// are about posts; the grouped view has its own.
pub async fn search_at(client: &Client, address: &str, params: &[(&str, &str)]) -> Answer {
    let mut params = params.to_vec();
    if !params.iter().any(|(k, _)| *k == "group") {
        params.push(("group", "none"));
    }
    let url = format!("{address}/api/v1/search?{}", query_string(&params));
    Answer::read(client.get(url).send().await.expect("sending a search")).await
}

/// `GET /api/v1/search?…`; the raw answer.
pub async fn search_raw(app: &TestApp, params: &[(&str, &str)]) -> Answer {
    search_at(&app.api, &app.address, params).await
}

/// `GET /api/v1/search?…`, which must answer 200 with the contract's shape.
pub async fn search(app: &TestApp, params: &[(&str, &str)]) -> Value {
    let body = search_raw(app, params).await.expect(200);
    assert_results_shape(&body);
    body
}

/// Polls the search every 100 ms for up to 10 s until `predicate` holds of the answer,
/// and returns that answer; fails with the last answer otherwise.
pub async fn search_until_at(
    client: &Client,
    address: &str,
    params: &[(&str, &str)],
    predicate: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let body = search_at(client, address, params).await.expect(200);
        assert_results_shape(&body);
        if predicate(&body) {
            return body;
        }
        if tokio::time::Instant::now() >= deadline {
            panic!(
                "the search {:?} never gave the expected answer within 10 s; the last one:\n{body:#}",
                query_string(params)
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `search_until_at` on a test app.
pub async fn search_until(
    app: &TestApp,
    params: &[(&str, &str)],
    predicate: impl Fn(&Value) -> bool,
) -> Value {
    search_until_at(&app.api, &app.address, params, predicate).await
}

/// The hits of an answer.
pub fn hits(body: &Value) -> &Vec<Value> {
    body["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("no hits array in {body}"))
}

/// The hit for a discussion's own document, if any.
pub fn discussion_hit(body: &Value, id: i64) -> Option<&Value> {
    hits(body)
        .iter()
        .find(|h| h["kind"] == "discussion" && h["discussion_id"] == id)
}

/// The hit for a comment, if any.
pub fn comment_hit(body: &Value, id: i64) -> Option<&Value> {
    hits(body)
        .iter()
        .find(|h| h["kind"] == "comment" && h["comment_id"] == id)
}

/// Whether any hit (the discussion or one of its comments) belongs to this discussion.
fn any_hit_of(body: &Value, discussion_id: i64) -> bool {
    hits(body)
        .iter()
        .any(|h| h["discussion_id"] == discussion_id)
}

/// `{"hits": [..], "total", "took_ms"}`, each hit with exactly the contract's fields.
#[track_caller]
pub fn assert_results_shape(body: &Value) {
    let object = body.as_object().expect("search results are an object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["hits", "took_ms", "total"], "{body}");
    let total = body["total"].as_u64().expect("total is a whole number");
    assert!(body["took_ms"].as_u64().is_some(), "took_ms: {body}");
    assert!(
        hits(body).len() as u64 <= total,
        "more hits than total: {body}"
    );
    for hit in hits(body) {
        let mut keys: Vec<&str> = hit
            .as_object()
            .expect("a hit is an object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "author",
                "comment_id",
                "created_at",
                "discussion_id",
                "idea_status",
                "kind",
                "matches",
                "question_id",
                "score",
                "session_id",
                "snippet",
                "title",
                "title_html",
                "zone"
            ],
            "{hit}"
        );
        assert!(hit["matches"].as_u64().is_some_and(|m| m >= 1), "{hit}");
        let title_html = hit["title_html"].as_str().expect("title_html is a string");
        assert!(
            !title_html
                .replace("<mark>", "")
                .replace("</mark>", "")
                .contains('<'),
            "title_html holds no markup but <mark>: {title_html:?}"
        );
        let post = hit["discussion_id"].as_i64().is_some()
            && hit["session_id"].is_null()
            && hit["question_id"].is_null()
            && hit["author"].is_string();
        match hit["kind"].as_str() {
            Some("discussion") => assert!(post && hit["comment_id"].is_null(), "{hit}"),
            Some("comment") => assert!(post && hit["comment_id"].as_i64().is_some(), "{hit}"),
            Some("question") => assert!(
                hit["discussion_id"].is_null()
                    && hit["comment_id"].is_null()
                    && hit["session_id"].as_i64().is_some()
                    && hit["question_id"].as_i64().is_some()
                    && (hit["author"].is_string() || hit["author"].is_null()),
                "{hit}"
            ),
            _ => panic!("kind must be discussion, comment or question: {hit}"),
        }
        assert!(hit["score"].as_i64().is_some(), "{hit}");
        assert_utc_time(&hit["created_at"], "hit.created_at");
        let snippet = hit["snippet"].as_str().expect("snippet is a string");
        let markup_free = snippet.replace("<mark>", "").replace("</mark>", "");
        assert!(
            !markup_free.contains('<'),
            "a snippet holds no markup but <mark>: {snippet:?}"
        );
    }
}

/// The ids of the hits, as (kind, discussion_id, comment_id).
fn hit_keys(body: &Value) -> Vec<(String, i64, Option<i64>)> {
    hits(body)
        .iter()
        .map(|h| {
            (
                h["kind"].as_str().unwrap_or_default().to_string(),
                h["discussion_id"].as_i64().unwrap_or_default(),
                h["comment_id"].as_i64(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_new_discussion_is_findable_by_a_title_word_and_a_body_word() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let id = app
        .start_discussion(
            &alice.token,
            "people",
            "Quarterly hackathon for internal tooling",
            "Let us build prototypes together over two days.",
        )
        .await;

    let by_title = search_until(&app, &[("q", "hackathon")], |b| {
        discussion_hit(b, id).is_some()
    })
    .await;
    let hit = discussion_hit(&by_title, id).cloned().unwrap_or_default();
    assert_eq!(hit["title"], "Quarterly hackathon for internal tooling");
    assert_eq!(hit["zone"], "people");
    assert_eq!(hit["author"], "alice");
    assert_eq!(hit["score"], 0);
    assert!(hit["comment_id"].is_null(), "{hit}");
    assert_eq!(by_title["total"], 1, "{by_title}");

    // The body is searched too (no wait: the same indexing job wrote it).
    let by_body = search(&app, &[("q", "prototypes")]).await;
    assert!(discussion_hit(&by_body, id).is_some(), "{by_body}");
    // And a word in neither finds nothing.
    let neither = search(&app, &[("q", "submarine")]).await;
    assert_eq!(neither["total"], 0, "{neither}");
    assert!(hits(&neither).is_empty(), "{neither}");
}

#[tokio::test]
async fn a_new_comment_is_findable_and_carries_its_discussions_title() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let id = app
        .start_discussion(
            &alice.token,
            "customers",
            "Customer summit next spring",
            "Who wants to help plan it?",
        )
        .await;
    let comment = app
        .comment(
            &bob.token,
            id,
            "I volunteer to organise the catering.",
            None,
        )
        .await;

    let found = search_until(&app, &[("q", "catering")], |b| {
        comment_hit(b, comment).is_some()
    })
    .await;
    let hit = comment_hit(&found, comment).cloned().unwrap_or_default();
    assert_eq!(hit["kind"], "comment");
    assert_eq!(hit["comment_id"], comment);
    assert_eq!(hit["discussion_id"], id);
    assert_eq!(hit["title"], "Customer summit next spring");
    assert_eq!(hit["zone"], "customers");
    assert_eq!(hit["author"], "bob");
    assert!(
        hit["snippet"]
            .as_str()
            .unwrap_or_default()
            .contains("<mark>catering</mark>"),
        "{hit}"
    );
    // The discussion itself does not say "catering".
    assert!(discussion_hit(&found, id).is_none(), "{found}");
}

#[tokio::test]
async fn editing_a_discussions_body_replaces_its_words_in_the_index() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let id = app
        .start_discussion(
            &alice.token,
            "people",
            "Fruit in the kitchen",
            "Could we get a pineapple delivery every Monday?",
        )
        .await;
    search_until(&app, &[("q", "pineapple")], |b| {
        discussion_hit(b, id).is_some()
    })
    .await;

    app.patch_json(
        &format!("/discussions/{id}"),
        alice.auth(),
        &json!({"body": "Could we get a mango delivery every Monday?"}),
    )
    .await
    .expect(200);

    search_until(&app, &[("q", "mango")], |b| discussion_hit(b, id).is_some()).await;
    // The edit was applied as one document: the old word is gone with it.
    let old = search(&app, &[("q", "pineapple")]).await;
    assert!(discussion_hit(&old, id).is_none(), "{old}");
    assert_eq!(old["total"], 0, "{old}");
}

#[tokio::test]
async fn editing_a_discussions_title_updates_the_title_on_its_comments_hits() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let id = app
        .start_discussion(
            &alice.token,
            "people",
            "Bicycle parking",
            "The racks are always full.",
        )
        .await;
    let comment = app
        .comment(
            &bob.token,
            id,
            "More hooks near the entrance, please.",
            None,
        )
        .await;
    let before = search_until(&app, &[("q", "hooks")], |b| {
        comment_hit(b, comment).is_some()
    })
    .await;
    assert_eq!(
        comment_hit(&before, comment).map(|h| h["title"].clone()),
        Some(json!("Bicycle parking"))
    );

    app.patch_json(
        &format!("/discussions/{id}"),
        alice.auth(),
        &json!({"title": "Secure bicycle storage"}),
    )
    .await
    .expect(200);

    let after = search_until(&app, &[("q", "hooks")], |b| {
        comment_hit(b, comment).is_some_and(|h| h["title"] == "Secure bicycle storage")
    })
    .await;
    assert_eq!(after["total"], 1, "{after}");
    // The title counts toward the discussion, not toward each reply: the new title word
    // finds the discussion alone, and the old one nothing.
    let by_new = search(&app, &[("q", "storage")]).await;
    assert!(discussion_hit(&by_new, id).is_some(), "{by_new}");
    assert_eq!(by_new["total"], 1, "{by_new}");
    let replies = search(&app, &[("q", "storage"), ("kind", "comment")]).await;
    assert_eq!(replies["total"], 0, "{replies}");
    let by_old = search(&app, &[("q", "parking")]).await;
    assert!(!any_hit_of(&by_old, id), "{by_old}");
}

#[tokio::test]
async fn editing_a_comment_replaces_its_words_in_the_index() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let id = app
        .start_discussion(&alice.token, "people", "Book club", "Which book next?")
        .await;
    let comment = app
        .comment(&bob.token, id, "I suggest a novel about whales.", None)
        .await;
    search_until(&app, &[("q", "whales")], |b| {
        comment_hit(b, comment).is_some()
    })
    .await;

    app.patch_json(
        &format!("/comments/{comment}"),
        bob.auth(),
        &json!({"body": "I suggest a novel about glaciers."}),
    )
    .await
    .expect(200);

    let after = search_until(&app, &[("q", "glaciers")], |b| {
        comment_hit(b, comment).is_some()
    })
    .await;
    assert_eq!(after["total"], 1, "{after}");
    let old = search(&app, &[("q", "whales")]).await;
    assert_eq!(old["total"], 0, "{old}");
}

#[tokio::test]
async fn a_deleted_comment_vanishes_from_the_results() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let id = app
        .start_discussion(
            &alice.token,
            "people",
            "Team offsite locations",
            "Somewhere near a lake?",
        )
        .await;
    let comment = app
        .comment(&bob.token, id, "A lighthouse would be memorable.", None)
        .await;
    let kept = app
        .comment(&bob.token, id, "Or a lighthouse museum.", None)
        .await;
    search_until(&app, &[("q", "lighthouse")], |b| {
        comment_hit(b, comment).is_some() && comment_hit(b, kept).is_some()
    })
    .await;

    app.delete(&format!("/comments/{comment}"), bob.auth())
        .await
        .expect_status(204);

    let after = search_until(&app, &[("q", "lighthouse")], |b| {
        comment_hit(b, comment).is_none()
    })
    .await;
    // Only that comment: its sibling and its discussion stay findable.
    assert!(comment_hit(&after, kept).is_some(), "{after}");
    assert_eq!(after["total"], 1, "{after}");
    let discussion = search(&app, &[("q", "offsite")]).await;
    assert!(discussion_hit(&discussion, id).is_some(), "{discussion}");
}

#[tokio::test]
async fn a_deleted_discussion_vanishes_with_its_comments() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let id = app
        .start_discussion(
            &alice.token,
            "stakeholders",
            "Solar panels on the warehouse roof",
            "The roof faces south.",
        )
        .await;
    let comment = app
        .comment(
            &bob.token,
            id,
            "The inverter could go in the basement.",
            None,
        )
        .await;
    let other = app
        .start_discussion(
            &bob.token,
            "stakeholders",
            "Solar lamps for the car park",
            "Cheap and bright.",
        )
        .await;
    search_until(&app, &[("q", "inverter")], |b| {
        comment_hit(b, comment).is_some()
    })
    .await;
    search_until(&app, &[("q", "solar")], |b| {
        discussion_hit(b, id).is_some() && discussion_hit(b, other).is_some()
    })
    .await;

    // Others replied, so a moderator deletes it (its author may not).
    let moderator = app.register_moderator("mona").await;
    app.delete(&format!("/discussions/{id}"), moderator.auth())
        .await
        .expect_status(204);

    let after = search_until(&app, &[("q", "solar")], |b| !any_hit_of(b, id)).await;
    assert!(discussion_hit(&after, other).is_some(), "{after}");
    let comments = search_until(&app, &[("q", "inverter")], |b| !any_hit_of(b, id)).await;
    assert_eq!(comments["total"], 0, "{comments}");
    // Its title does not live on in its comments' documents either.
    let title = search(&app, &[("q", "warehouse")]).await;
    assert_eq!(title["total"], 0, "{title}");
}

#[tokio::test]
async fn zone_author_and_kind_filter_the_results() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let in_people = app
        .start_discussion(
            &alice.token,
            "people",
            "Volunteering day",
            "One paid day a year.",
        )
        .await;
    let in_customers = app
        .start_discussion(
            &bob.token,
            "customers",
            "Volunteering with customers",
            "Joint charity events.",
        )
        .await;
    let comment = app
        .comment(
            &bob.token,
            in_people,
            "Volunteering together builds trust.",
            None,
        )
        .await;
    let all = search_until(&app, &[("q", "volunteering")], |b| b["total"] == 3).await;
    assert_eq!(hits(&all).len(), 3, "{all}");

    let zone = search(&app, &[("q", "volunteering"), ("zone", "customers")]).await;
    assert_eq!(
        hit_keys(&zone),
        [("discussion".to_string(), in_customers, None)],
        "{zone}"
    );
    assert_eq!(zone["total"], 1);

    let author = search(&app, &[("q", "volunteering"), ("author", "bob")]).await;
    let mut keys = hit_keys(&author);
    keys.sort();
    assert_eq!(
        keys,
        [
            ("comment".to_string(), in_people, Some(comment)),
            ("discussion".to_string(), in_customers, None),
        ],
        "{author}"
    );
    assert_eq!(author["total"], 2);

    let comments = search(&app, &[("q", "volunteering"), ("kind", "comment")]).await;
    assert_eq!(
        hit_keys(&comments),
        [("comment".to_string(), in_people, Some(comment))],
        "{comments}"
    );
    let discussions = search(&app, &[("q", "volunteering"), ("kind", "discussion")]).await;
    assert_eq!(discussions["total"], 2, "{discussions}");
    assert!(
        hits(&discussions).iter().all(|h| h["kind"] == "discussion"),
        "{discussions}"
    );

    // Filters combine.
    let combined = search(
        &app,
        &[
            ("q", "volunteering"),
            ("zone", "people"),
            ("author", "bob"),
            ("kind", "comment"),
        ],
    )
    .await;
    assert_eq!(
        hit_keys(&combined),
        [("comment".to_string(), in_people, Some(comment))],
        "{combined}"
    );
    let none = search(&app, &[("q", "volunteering"), ("zone", "stakeholders")]).await;
    assert_eq!(none["total"], 0, "{none}");
    let nobody = search(&app, &[("q", "volunteering"), ("author", "carol")]).await;
    assert_eq!(nobody["total"], 0, "{nobody}");
}

#[tokio::test]
async fn results_come_in_pages_with_the_total_of_all_matches() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let mut ids = Vec::new();
    for n in 1..=5 {
        ids.push(
            app.start_discussion(
                &alice.token,
                "people",
                &format!("Retrospective number {n}"),
                "What went well, what did not.",
            )
            .await,
        );
    }
    search_until(&app, &[("q", "retrospective")], |b| b["total"] == 5).await;

    let mut seen = Vec::new();
    for (page, expected) in [("1", 2), ("2", 2), ("3", 1)] {
        let body = search(
            &app,
            &[("q", "retrospective"), ("per_page", "2"), ("page", page)],
        )
        .await;
        assert_eq!(body["total"], 5, "page {page}: {body}");
        assert_eq!(hits(&body).len(), expected, "page {page}: {body}");
        seen.extend(hit_keys(&body).into_iter().map(|(_, id, _)| id));
    }
    seen.sort_unstable();
    assert_eq!(seen, ids, "the pages together hold every match once");

    let beyond = search(
        &app,
        &[("q", "retrospective"), ("per_page", "2"), ("page", "4")],
    )
    .await;
    assert!(hits(&beyond).is_empty(), "{beyond}");
    assert_eq!(beyond["total"], 5, "{beyond}");
}

#[tokio::test]
async fn typos_prefixes_and_every_word_must_match() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let id = app
        .start_discussion(
            &alice.token,
            "people",
            "Cross-team collaboration",
            "We should share our roadmaps more often.",
        )
        .await;
    search_until(&app, &[("q", "collaboration")], |b| {
        discussion_hit(b, id).is_some()
    })
    .await;

    for q in [
        "colaboration",           // one letter missing
        "collab",                 // a prefix, as one types
        "collaboration roadmaps", // a title word and a body word
        "COLLABORATION",
    ] {
        let body = search(&app, &[("q", q)]).await;
        assert!(
            discussion_hit(&body, id).is_some(),
            "{q:?} must find it: {body}"
        );
    }
    for q in [
        "collaboration zeppelin", // every word must match
        "zeppelin collab",
        "colaborashun", // too many typos
    ] {
        let body = search(&app, &[("q", q)]).await;
        assert_eq!(body["total"], 0, "{q:?} must find nothing: {body}");
        assert!(hits(&body).is_empty(), "{q:?} must find nothing: {body}");
    }
}

#[tokio::test]
async fn a_title_match_ranks_above_a_body_only_match() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    // The title match is the older one, so "newest first" alone would put it second.
    let in_title = app
        .start_discussion(
            &alice.token,
            "people",
            "Gardening at the office",
            "Plants on every desk.",
        )
        .await;
    let in_body = app
        .start_discussion(
            &alice.token,
            "people",
            "Weekly update",
            "Someone mentioned gardening yesterday, and gardening again today.",
        )
        .await;
    let body = search_until(&app, &[("q", "gardening")], |b| b["total"] == 2).await;
    let order: Vec<i64> = hit_keys(&body).into_iter().map(|(_, id, _)| id).collect();
    assert_eq!(order, [in_title, in_body], "{body}");
}

#[tokio::test]
async fn snippets_mark_the_matched_word_and_escape_everything_else() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let id = app
        .start_discussion(
            &alice.token,
            "people",
            "Compost bins",
            "Try `<script>alert(1)</script>` & thoughts about composting here. <script>alert(2)</script> Fine?",
        )
        .await;
    let body = search_until(&app, &[("q", "composting")], |b| {
        discussion_hit(b, id).is_some()
    })
    .await;
    let snippet = discussion_hit(&body, id)
        .and_then(|h| h["snippet"].as_str())
        .unwrap_or_default()
        .to_string();
    assert!(
        snippet.contains("<mark>composting</mark>"),
        "the matched word is marked: {snippet:?}"
    );
    assert!(
        !snippet.to_lowercase().contains("<script"),
        "no raw script: {snippet:?}"
    );
    assert!(
        snippet.contains("&lt;script&gt;"),
        "the code span's text shows, escaped: {snippet:?}"
    );
    assert!(snippet.contains("&amp;"), "{snippet:?}");
}

#[tokio::test]
async fn an_upvote_shows_in_the_hits_score() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let id = app
        .start_discussion(
            &alice.token,
            "people",
            "Standing desks for everyone",
            "Good for backs.",
        )
        .await;
    let comment = app
        .comment(&alice.token, id, "Standing meetings are shorter too.", None)
        .await;
    search_until(&app, &[("q", "standing")], |b| {
        discussion_hit(b, id).is_some_and(|h| h["score"] == 0)
            && comment_hit(b, comment).is_some_and(|h| h["score"] == 0)
    })
    .await;

    let vote = app
        .post_json(
            &format!("/discussions/{id}/vote"),
            bob.auth(),
            &json!({"value": 1}),
        )
        .await
        .expect(200);
    assert_eq!(vote["score"], 1, "{vote}");
    app.post_json(
        &format!("/comments/{comment}/vote"),
        bob.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect(200);

    search_until(&app, &[("q", "standing")], |b| {
        discussion_hit(b, id).is_some_and(|h| h["score"] == 1)
            && comment_hit(b, comment).is_some_and(|h| h["score"] == 1)
    })
    .await;
}

#[tokio::test]
async fn bad_parameters_are_refused_and_odd_queries_are_harmless() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let id = app
        .start_discussion(
            &alice.token,
            "people",
            "Title foo and bar",
            "Body with foo AND bar and quotes \" too.",
        )
        .await;
    search_until(&app, &[("q", "title")], |b| discussion_hit(b, id).is_some()).await;

    search_raw(&app, &[("q", "title"), ("kind", "foo")])
        .await
        .expect_invalid("kind");
    search_raw(&app, &[("q", "title"), ("page", "0")])
        .await
        .expect_invalid("page");
    search_raw(&app, &[("q", "title"), ("page", "two")])
        .await
        .expect_invalid("page");
    search_raw(&app, &[("q", "title"), ("per_page", "0")])
        .await
        .expect_invalid("per_page");
    search_raw(&app, &[("q", "title"), ("per_page", "101")])
        .await
        .expect_invalid("per_page");

    // No words: nothing is found, and that is not an error.
    for q in ["", "   ", "!!! ---"] {
        let body = search(&app, &[("q", q)]).await;
        assert!(hits(&body).is_empty(), "{q:?}: {body}");
        assert_eq!(body["total"], 0, "{q:?}: {body}");
    }
    let no_q = app.get("/search", None).await.expect(200);
    assert!(hits(&no_q).is_empty(), "{no_q}");

    // Query syntax of the engines underneath is just text here.
    for q in [
        "title:(foo AND \"",
        "title:foo",
        "foo AND",
        "\"",
        "*",
        "foo~2",
        "(((",
        "[a TO z]",
        "-foo +bar",
        "\\",
        "zone = people OR 1=1",
        "'; DROP TABLE jobs; --",
        "ünïcødé 東京 🙂",
    ] {
        search(&app, &[("q", q)]).await;
    }
    // The words of a hostile query still match as words.
    let body = search(&app, &[("q", "title:(foo AND \"")]).await;
    assert!(discussion_hit(&body, id).is_some(), "{body}");
    // A very long query is fine too.
    search(&app, &[("q", &"word ".repeat(400))]).await;
}

#[tokio::test]
async fn the_search_page_shows_highlighted_hits_and_helps_when_none() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let id = app
        .start_discussion(
            &alice.token,
            "people",
            "Lunch and learn <sessions>",
            "Monthly lunch talks by colleagues.",
        )
        .await;
    search_until(&app, &[("q", "lunch")], |b| discussion_hit(b, id).is_some()).await;

    let answer = app.get_page("/search?q=lunch").await;
    let page = answer.expect_html(200);
    assert!(
        page.contains("<mark>Lunch</mark> and learn &lt;sessions&gt;"),
        "the hit's title, escaped, the word marked:\n{page}"
    );
    assert!(!page.contains("<sessions>"), "{page}");
    assert!(page.contains("<mark>lunch</mark>"), "{page}");
    assert!(
        decoded(page).contains(&format!("href=\"/discussions/{id}")),
        "the hit links to its discussion:\n{page}"
    );
    assert!(!page.contains("No results"), "{page}");

    let answer = app.get_page("/search?q=xylophone").await;
    let page = answer.expect_html(200);
    assert!(page.contains("No results"), "{page}");
    assert!(!page.contains("Lunch and learn"), "{page}");

    // Filters and bad parameters on the page.
    let answer = app.get_page("/search?q=lunch&zone=customers").await;
    let page = answer.expect_html(200);
    assert!(page.contains("No results"), "{page}");
    let answer = app.get_page("/search?q=lunch&kind=foo").await;
    assert_eq!(answer.status.as_u16(), 400, "{}", answer.text);

    // The header search box is on every page.
    for path in ["/", "/zones/people", &format!("/discussions/{id}")] {
        let answer = app.get_page(path).await;
        let page = answer.expect_html(200);
        assert!(
            page.contains("action=\"/search\""),
            "no search box on {path}:\n{page}"
        );
    }
}

#[tokio::test]
async fn the_search_page_pages_through_many_results_and_escapes_the_query() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    for n in 1..=21 {
        app.start_discussion(
            &alice.token,
            "people",
            &format!("Brainstorm round {n}"),
            "Ideas welcome.",
        )
        .await;
    }
    search_until(&app, &[("q", "brainstorm")], |b| b["total"] == 21).await;

    let answer = app.get_page("/search?q=brainstorm").await;
    let page = answer.expect_html(200);
    assert!(page.contains("21 results"), "{page}");
    assert!(page.contains("Page 1 of 2"), "{page}");
    assert_eq!(page.matches("class=\"hit\"").count(), 20, "{page}");
    let next = section(page, "rel=\"next\" href=\"", "\">");
    let next = decoded(&next["rel=\"next\" href=\"".len()..]);
    let answer = app.get_page(&next).await;
    let second = answer.expect_html(200);
    assert!(second.contains("Page 2 of 2"), "{next}: {second}");
    assert_eq!(second.matches("class=\"hit\"").count(), 1, "{second}");
    assert!(second.contains("rel=\"prev\""), "{second}");

    // What was typed is shown back as text, never as markup.
    let answer = app
        .get_page("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    let page = answer.expect_html(200);
    assert!(!page.contains("<script>alert(1)"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)"), "{page}");
    let answer = app.get_page("/search?q=title%3A(foo%20AND%20%22").await;
    answer.expect_html(200);
}

/// What a person searching sees by default: each discussion once, its title marked, its
/// best matching post's snippet, and how many more of its posts match, linked to a
/// search within it.
#[tokio::test]
async fn results_show_each_discussion_once_with_its_best_post_and_other_matches() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let onboarding = app
        .start_discussion(
            &alice.token,
            "people",
            "Onboarding checklist for new starters",
            "What should a new starter find on their desk?",
        )
        .await;
    let mut replies = Vec::new();
    for text in [
        "I can help with this. Happy to set up a first draft.",
        "A laptop that works on day one would be onboarding done right.",
        "Onboarding buddies helped me most.",
    ] {
        replies.push(app.comment(&bob.token, onboarding, text, None).await);
    }
    let other = app
        .start_discussion(
            &bob.token,
            "customers",
            "Customer onboarding calls",
            "How long should the first call be?",
        )
        .await;
    let grouped = |b: &Value| b["total"] == 2 && hits(b).len() == 2;
    let body = search_until(
        &app,
        &[("q", "onbording"), ("group", "discussion")],
        grouped,
    )
    .await;
    let found: Vec<(i64, u64)> = hits(&body)
        .iter()
        .map(|h| {
            (
                h["discussion_id"].as_i64().unwrap_or(0),
                h["matches"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    // The opening post and two replies say it; the first reply only sits under the title.
    assert!(found.contains(&(onboarding, 3)), "{body}");
    assert!(found.contains(&(other, 1)), "{body}");
    let hit = discussion_hit(&body, onboarding)
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        hit["title_html"], "<mark>Onboarding</mark> checklist for new starters",
        "{hit}"
    );
    // The default is grouped, like the page.
    let default = search_raw(&app, &[("q", "onbording"), ("group", "")])
        .await
        .expect(200);
    assert_eq!(default["total"], 2, "{default}");
    // Every post, when asked for.
    let posts = search(&app, &[("q", "onbording")]).await;
    assert_eq!(posts["total"], 4, "{posts}");
    assert!(comment_hit(&posts, replies[0]).is_none(), "{posts}");
    // A reply is the hit when only it matches.
    let body = search(&app, &[("q", "buddies"), ("group", "discussion")]).await;
    assert_eq!(body["total"], 1, "{body}");
    assert!(comment_hit(&body, replies[2]).is_some(), "{body}");
    assert_eq!(
        hits(&body)[0]["title"],
        "Onboarding checklist for new starters"
    );

    let answer = app.get_page("/search?q=onbording").await;
    let page = answer.expect_html(200);
    assert!(page.contains("2 results"), "{page}");
    assert_eq!(page.matches("class=\"hit\"").count(), 2, "{page}");
    assert!(page.contains("2 more replies match"), "{page}");
    let within = section(page, "class=\"more-matches\" href=\"", "\">");
    let within = decoded(&within["class=\"more-matches\" href=\"".len()..]);
    assert!(
        within.contains(&format!("discussion={onboarding}")),
        "{within}"
    );
    let answer = app.get_page(&within).await;
    let page = answer.expect_html(200);
    assert!(page.contains("3 posts"), "{within}: {page}");
    assert!(page.contains("Searching one discussion"), "{page}");
    assert!(!page.contains("Customer onboarding calls"), "{page}");
}

/// The filters beyond zone, author and kind: dates, Great Ideas, sorting; refused
/// clearly when malformed.
#[tokio::test]
async fn dates_recognition_and_sorting_narrow_and_order_the_results() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let leader = app.register("lena").await;
    app.set_role("lena", quorum::domain::Role::Leader).await;
    let older = app
        .start_discussion(
            &alice.token,
            "people",
            "Standing desks",
            "Standing desks for everyone",
        )
        .await;
    let newer = app
        .start_discussion(
            &bob.token,
            "people",
            "Desks by the window",
            "Quiet desks please",
        )
        .await;
    app.post_json(
        &format!("/discussions/{newer}/vote"),
        alice.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect(200);
    app.post_json(
        &format!("/discussions/{older}/recognize"),
        leader.auth(),
        &json!({}),
    )
    .await
    .expect(200);
    let ids = |b: &Value| -> Vec<i64> {
        hits(b)
            .iter()
            .map(|h| h["discussion_id"].as_i64().unwrap_or(0))
            .collect()
    };
    search_until(&app, &[("q", "desks"), ("recognized", "true")], |b| {
        ids(b) == [older]
    })
    .await;
    search_until(&app, &[("q", "desks"), ("sort", "votes")], |b| {
        ids(b) == [newer, older]
    })
    .await;
    let newest = search(&app, &[("q", "desks"), ("sort", "newest")]).await;
    assert_eq!(ids(&newest), [newer, older], "{newest}");
    // Relevance: the title and the body both say it, and it was first.
    let relevance = search(&app, &[("q", "standing desks"), ("sort", "relevance")]).await;
    assert_eq!(ids(&relevance), [older], "{relevance}");
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let body = search(&app, &[("q", "desks"), ("from", &today), ("to", &today)]).await;
    assert_eq!(
        body["total"], 2,
        "a date as `to` takes in the whole day: {body}"
    );
    let body = search(&app, &[("q", "desks"), ("from", &tomorrow)]).await;
    assert_eq!(body["total"], 0, "{body}");
    let body = search(
        &app,
        &[("q", "desks"), ("to", &today), ("from", "2000-01-01")],
    )
    .await;
    assert_eq!(body["total"], 2, "{body}");
    for (field, value) in [
        ("from", ""),
        ("to", " "),
        ("recognized", ""),
        ("discussion", ""),
        ("from", "yesterday"),
        ("to", "2026-13-01"),
        ("recognized", "yes"),
        ("sort", "best"),
        ("group", "zone"),
        ("discussion", "abc"),
        ("discussion", "-1"),
    ] {
        search_raw(&app, &[("q", "desks"), (field, value)])
            .await
            .expect_invalid(field);
    }
    // The page keeps the filters in its form and its links.
    let answer = app
        .get_page(&format!(
            "/search?q=desks&recognized=true&sort=newest&from={today}"
        ))
        .await;
    let page = answer.expect_html(200);
    assert!(page.contains("1 result"), "{page}");
    assert!(
        page.contains("name=\"recognized\" value=\"true\" checked"),
        "{page}"
    );
    assert!(page.contains(&format!("value=\"{today}\"")), "{page}");
    assert!(
        page.contains("<option value=\"newest\" selected>"),
        "{page}"
    );
}

#[tokio::test]
async fn starting_a_discussion_suggests_similar_ones() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let id = app
        .start_discussion(
            &alice.token,
            "people",
            "Meeting-free Wednesdays for everyone",
            "Deep work needs long blocks.",
        )
        .await;
    let unrelated = app
        .start_discussion(&alice.token, "people", "Office plants", "Green is good.")
        .await;
    search_until(&app, &[("q", "wednesdays")], |b| {
        discussion_hit(b, id).is_some()
    })
    .await;
    search_until(&app, &[("q", "plants")], |b| {
        discussion_hit(b, unrelated).is_some()
    })
    .await;

    let browser = app.browser();
    browser.join("carol").await;
    let answer = browser
        .get("/zones/people/new?title=Meeting-free%20Wednesdays")
        .await;
    let page = answer.expect_html(200);
    assert!(page.contains("Similar discussions already exist"), "{page}");
    let similar = decoded(section(page, "id=\"similar-list\"", "</div>"));
    assert!(
        similar.contains("Meeting-free Wednesdays for everyone"),
        "{similar}"
    );
    assert!(
        similar.contains(&format!("href=\"/discussions/{id}")),
        "{similar}"
    );
    assert!(!similar.contains("Office plants"), "{similar}");

    let answer = browser
        .get("/zones/people/new?title=Quantum%20xylophone%20orchestra")
        .await;
    let page = answer.expect_html(200);
    assert!(
        !page.contains("Similar discussions already exist"),
        "{page}"
    );
    assert!(page.contains("No similar discussions found"), "{page}");
}

#[tokio::test]
async fn a_discussion_page_shows_related_discussions() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let first = app
        .start_discussion(
            &alice.token,
            "people",
            "Meeting-free Wednesdays for everyone",
            "Deep work needs long blocks.",
        )
        .await;
    let second = app
        .start_discussion(
            &bob.token,
            "customers",
            "No-meeting Wednesdays in support",
            "Could support try it too?",
        )
        .await;
    let unrelated = app
        .start_discussion(&bob.token, "people", "Office plants", "Green is good.")
        .await;
    search_until(&app, &[("q", "wednesdays")], |b| {
        discussion_hit(b, first).is_some() && discussion_hit(b, second).is_some()
    })
    .await;
    search_until(&app, &[("q", "plants")], |b| {
        discussion_hit(b, unrelated).is_some()
    })
    .await;

    let answer = app.get_page(&format!("/discussions/{first}")).await;
    let page = answer.expect_html(200);
    assert!(page.contains("Related discussions"), "{page}");
    let related = decoded(section(page, "id=\"related-heading\"", "</aside>"));
    assert!(
        related.contains(&format!("href=\"/discussions/{second}")),
        "{related}"
    );
    assert!(
        related.contains("No-meeting Wednesdays in support"),
        "{related}"
    );
    assert!(
        !related.contains(&format!("href=\"/discussions/{first}")),
        "a discussion is not related to itself: {related}"
    );
    assert!(!related.contains("Office plants"), "{related}");

    // An unrelated discussion has nothing related to show.
    let answer = app.get_page(&format!("/discussions/{unrelated}")).await;
    let page = answer.expect_html(200);
    assert!(!page.contains("Related discussions"), "{page}");
}

/// `text` with the character references Tera writes in attributes decoded, as a browser
/// reads them (`href="&#x2F;discussions&#x2F;1"` is a link to `/discussions/1`).
fn decoded(text: &str) -> String {
    text.replace("&#x2F;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The part of `page` from `start` up to the next `end`; fails when `start` is missing.
#[track_caller]
fn section<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} on the page:\n{page}"));
    let rest = &page[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// Live Q&A questions are searchable: by their text and the host's answer, grouped by
/// session, filtered by kind and session; an anonymous asker stays unnamed and unfound
/// by author; a dismissed question leaves search; the page links to the session.
#[tokio::test]
async fn live_questions_are_found_by_their_text_and_answer() {
    use crate::live_qa::{ask, leader, open_session};
    let app = spawn_app().await;
    let host = leader(&app, "hana").await;
    let session = open_session(&app, &host).await;
    let ana = app.register("ana").await;
    let ben = app.register("ben").await;
    let named = ask(
        &app,
        session,
        &ana,
        "Will the cafeteria open on Saturdays?",
        false,
    )
    .await;
    let hidden_name = ask(&app, session, &ben, "Can the cafeteria serve dinner?", true).await;
    let rude = ask(&app, session, &ben, "Cafeteria food is awful", false).await;
    let (named, hidden_name, rude) = (
        named["id"].as_i64().unwrap(),
        hidden_name["id"].as_i64().unwrap(),
        rude["id"].as_i64().unwrap(),
    );

    // Grouped: one hit for the session, counting its three questions.
    let body = search_until(&app, &[("q", "cafeteria"), ("group", "discussion")], |b| {
        hits(b).first().is_some_and(|h| h["matches"] == 3)
    })
    .await;
    assert_eq!(body["total"], 1, "{body}");
    let hit = &hits(&body)[0];
    assert_eq!(hit["kind"], "question", "{hit}");
    assert_eq!(hit["session_id"], session, "{hit}");
    assert_eq!(hit["title"], "Ask the leadership team", "{hit}");
    assert_eq!(hit["zone"], "people", "{hit}");

    // The anonymous question names nobody, and searching by its author does not find it.
    let body = search(&app, &[("q", "dinner")]).await;
    let hit = &hits(&body)[0];
    assert_eq!(hit["question_id"], hidden_name, "{body}");
    assert!(hit["author"].is_null(), "{hit}");
    let body = search(&app, &[("q", "cafeteria"), ("author", "ben")]).await;
    let found: Vec<i64> = hits(&body)
        .iter()
        .filter_map(|h| h["question_id"].as_i64())
        .collect();
    assert_eq!(found, [rude], "{body}");

    // The host's answer is searchable on its question.
    app.post_json(
        &format!("/questions/{named}/answer"),
        host.auth(),
        &json!({"body": "Yes, from **March** with a brunch menu."}),
    )
    .await
    .expect(200);
    let body = search_until(&app, &[("q", "brunch")], |b| b["total"] == 1).await;
    let hit = &hits(&body)[0];
    assert_eq!(hit["question_id"], named, "{body}");
    assert_eq!(hit["author"], "ana", "{hit}");
    assert!(
        hit["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>brunch</mark>"),
        "{hit}"
    );

    // Kind and session filters.
    let discussion_id = app
        .start_discussion(
            ana.token.as_str(),
            "people",
            "Cafeteria opening hours",
            "Longer, please.",
        )
        .await;
    let both = search_until(&app, &[("q", "cafeteria"), ("group", "discussion")], |b| {
        b["total"] == 2
    })
    .await;
    assert!(
        hits(&both)
            .iter()
            .any(|h| h["discussion_id"] == discussion_id),
        "{both}"
    );
    let questions = search(&app, &[("q", "cafeteria"), ("kind", "question")]).await;
    assert_eq!(questions["total"], 3, "{questions}");
    let within = search(
        &app,
        &[("q", "cafeteria"), ("session", &session.to_string())],
    )
    .await;
    assert_eq!(within["total"], 3, "{within}");
    search_raw(&app, &[("q", "cafeteria"), ("session", "x")])
        .await
        .expect_invalid("session");
    search_raw(&app, &[("q", "cafeteria"), ("session", "")])
        .await
        .expect_invalid("session");
    search_raw(&app, &[("q", "cafeteria"), ("kind", "poll")])
        .await
        .expect_invalid("kind");

    // The page: the session's title links to the question; "2 more questions match".
    let answer = app.get_page("/search?q=cafeteria&kind=question").await;
    let page = answer.expect_html(200);
    assert!(
        decoded(page).contains(&format!("href=\"/sessions/{session}#q")),
        "{page}"
    );
    assert!(page.contains("live Q&amp;A"), "{page}");
    assert!(
        page.contains("2 more questions match in this session"),
        "{page}"
    );
    assert!(
        decoded(page).contains(&format!("session={session}&group=none")),
        "{page}"
    );

    let answer = app.get_page("/search?q=dinner").await;
    let page = answer.expect_html(200);
    assert!(page.contains("question by someone anonymous"), "{page}");
    assert!(!page.contains("/members/ben"), "{page}");

    // A dismissed question leaves search.
    app.post_json(
        &format!("/questions/{rude}/dismiss"),
        host.auth(),
        &json!({"dismissed": true}),
    )
    .await
    .expect(200);
    search_until(&app, &[("q", "awful")], |b| b["total"] == 0).await;
}
