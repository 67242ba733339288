//! Trust and safety, through HTTP: flags and auto-hiding, the review queue and its
//! decisions, silencing and suspending, the audit log (and its append-only table), the
//! instance's settings, edit history, locked discussions and deleting discussions
//! others replied to.

use quorum::domain::Role;
use reqwest::Method;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{Answer, TestApp, TestUser, assert_utc_time, spawn_app};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Registers a member whose flags count toward hiding (reputation 100).
async fn trusted(app: &TestApp, username: &str) -> TestUser {
    let user = app.register(username).await;
    app.set_reputation(username, 100).await;
    user
}

/// POST /{kind}s/{id}/flags; the raw answer.
async fn flag(app: &TestApp, who: &TestUser, kind: &str, id: i64, reason: &str) -> Answer {
    app.post_json(
        &format!("/{kind}s/{id}/flags"),
        who.auth(),
        &json!({"reason": reason}),
    )
    .await
}

/// Flags and expects 201 `{"id", "status": "pending"}`.
async fn flagged(app: &TestApp, who: &TestUser, kind: &str, id: i64) {
    let created = flag(app, who, kind, id, "spam").await.expect(201);
    assert!(created["id"].as_i64().is_some(), "{created}");
    assert_eq!(created["status"], "pending", "{created}");
}

/// A comment of a discussion as `viewer` sees it.
async fn comment_as(app: &TestApp, discussion: i64, comment: i64, viewer: Option<&str>) -> Value {
    let thread = app.discussion(discussion, viewer).await;
    thread["comments"]
        .as_array()
        .unwrap_or_else(|| panic!("no comments in {thread}"))
        .iter()
        .find(|c| c["id"] == comment)
        .unwrap_or_else(|| panic!("comment {comment} is not in {thread}"))
        .clone()
}

/// The kinds of a member's notifications.
async fn notification_kinds(app: &TestApp, user: &TestUser) -> Vec<String> {
    let list = app.get("/notifications", user.auth()).await.expect(200);
    list["notifications"]
        .as_array()
        .unwrap_or_else(|| panic!("no notifications in {list}"))
        .iter()
        .map(|n| n["kind"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// GET /review with a query string, as `who`.
async fn queue(app: &TestApp, who: &TestUser, query: &str) -> Value {
    app.get(&format!("/review{query}"), who.auth())
        .await
        .expect(200)
}

/// The review item for a post, from the whole queue.
async fn item_for(app: &TestApp, moderator: &TestUser, kind: &str, id: i64) -> Value {
    let list = queue(app, moderator, "?status=all").await;
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {list}"))
        .iter()
        .find(|i| i["target"]["kind"] == kind && i["target"]["id"] == id)
        .unwrap_or_else(|| panic!("no review item for {kind} {id} in {list}"))
        .clone()
}

/// POST /review/{id}; the raw answer.
async fn decide(app: &TestApp, moderator: &TestUser, item: &Value, body: Value) -> Answer {
    let id = item["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id in {item}"));
    app.post_json(&format!("/review/{id}"), moderator.auth(), &body)
        .await
}

/// A member named either as a plain username or as a `MemberRef`.
fn name_of(member: &Value) -> &str {
    member
        .as_str()
        .or_else(|| member["username"].as_str())
        .unwrap_or_else(|| panic!("not a member: {member}"))
}

/// The status of each of a member's flags, by target.
async fn my_flag_statuses(app: &TestApp, who: &TestUser) -> Vec<(String, i64, String)> {
    let list = app.get("/me/flags", who.auth()).await.expect(200);
    list["flags"]
        .as_array()
        .unwrap_or_else(|| panic!("no flags in {list}"))
        .iter()
        .map(|f| {
            assert!(f["id"].as_i64().is_some(), "{f}");
            assert!(f["reason"].is_string(), "{f}");
            assert_utc_time(&f["created_at"], "flag.created_at");
            (
                f["kind"].as_str().unwrap_or_default().to_string(),
                f["target_id"].as_i64().unwrap_or_default(),
                f["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// POST /members/{username}/suspension; the raw answer.
async fn suspend(
    app: &TestApp,
    by: &TestUser,
    username: &str,
    kind: &str,
    until: &str,
    reason: &str,
) -> Answer {
    app.post_json(
        &format!("/members/{username}/suspension"),
        by.auth(),
        &json!({"kind": kind, "until": until, "reason": reason}),
    )
    .await
}

fn in_days(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// GET /admin/audit with a query string, as an admin; the entries.
async fn audit(app: &TestApp, admin: &TestUser, query: &str) -> Vec<Value> {
    let log = app
        .get(&format!("/admin/audit{query}"), admin.auth())
        .await
        .expect(200);
    log["entries"]
        .as_array()
        .unwrap_or_else(|| panic!("no entries in {log}"))
        .clone()
}

/// The slugs of a member's badges.
async fn badge_slugs(app: &TestApp, username: &str) -> Vec<String> {
    let member = app
        .get(&format!("/members/{username}"), None)
        .await
        .expect(200);
    member["badges"]
        .as_array()
        .unwrap_or_else(|| panic!("no badges in {member}"))
        .iter()
        .map(|b| b["slug"].as_str().unwrap_or_default().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Flags
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_member_flags_a_post_once_with_a_valid_reason_and_never_their_own() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let d = app
        .start_discussion(&alice.token, "people", "Standing desks", "For everyone?")
        .await;
    let c = app.comment(&alice.token, d, "Buy them all", None).await;

    // A discussion and a comment, each once.
    flagged(&app, &bob, "discussion", d).await;
    flagged(&app, &bob, "comment", c).await;
    flag(&app, &bob, "discussion", d, "off_topic")
        .await
        .expect_error(409, "already_flagged");
    flag(&app, &bob, "comment", c, "inappropriate")
        .await
        .expect_error(409, "already_flagged");

    // Never one's own.
    flag(&app, &alice, "discussion", d, "spam")
        .await
        .expect_error(403, "self_flag");
    flag(&app, &alice, "comment", c, "spam")
        .await
        .expect_error(403, "self_flag");

    // An unknown reason is refused, and so is a note with control characters.
    let carol = app.register("carol").await;
    app.post_json(
        &format!("/comments/{c}/flags"),
        carol.auth(),
        &json!({"reason": "other", "note": "bell\u{7}"}),
    )
    .await
    .expect_invalid("note");
    let answer = flag(&app, &carol, "comment", c, "boring").await;
    answer.expect_error(400, "validation_failed");
    let created = app
        .post_json(
            &format!("/comments/{c}/flags"),
            carol.auth(),
            &json!({"reason": "other", "note": "Looks like an advert"}),
        )
        .await
        .expect(201);
    assert_eq!(created["status"], "pending");

    // A live question too.
    let host = app.register("host").await;
    app.set_role("host", Role::Leader).await;
    let now = chrono::Utc::now();
    let session = app
        .post_json(
            "/zones/people/sessions",
            host.auth(),
            &json!({"title": "Ask us", "description": "Anything",
                    "starts_at": (now - chrono::Duration::minutes(5)).to_rfc3339(),
                    "ends_at": (now + chrono::Duration::minutes(60)).to_rfc3339()}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .expect("a session id");
    let question = app
        .post_json(
            &format!("/sessions/{session}/questions"),
            alice.auth(),
            &json!({"body": "Why standing?", "anonymous": false}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .expect("a question id");
    flagged(&app, &bob, "question", question).await;
    flag(&app, &alice, "question", question, "spam")
        .await
        .expect_error(403, "self_flag");

    // What bob flagged, all pending.
    let mut mine = my_flag_statuses(&app, &bob).await;
    mine.sort();
    assert_eq!(
        mine,
        vec![
            ("comment".to_string(), c, "pending".to_string()),
            ("discussion".to_string(), d, "pending".to_string()),
            ("question".to_string(), question, "pending".to_string()),
        ]
    );
}

#[tokio::test]
async fn enough_trusted_flags_hide_a_comment_from_everyone_but_its_author_and_moderators() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let moderator = app.register_moderator("mod").await;
    let flaggers = [
        trusted(&app, "carol").await,
        trusted(&app, "dave").await,
        trusted(&app, "erin").await,
    ];
    let d = app
        .start_discussion(&alice.token, "people", "Lunch options", "Ideas?")
        .await;
    let c = app
        .comment(&bob.token, d, "Buy cheap pills at spam.example", None)
        .await;

    // Two flags: still shown.
    flagged(&app, &flaggers[0], "comment", c).await;
    flagged(&app, &flaggers[1], "comment", c).await;
    let shown = comment_as(&app, d, c, None).await;
    assert_eq!(shown["hidden"], false, "{shown}");
    assert_eq!(shown["body"], "Buy cheap pills at spam.example");
    assert!(
        !notification_kinds(&app, &bob)
            .await
            .contains(&"post_hidden".to_string())
    );

    // The third hides it at once.
    flagged(&app, &flaggers[2], "comment", c).await;
    for viewer in [None, alice.auth(), flaggers[0].auth()] {
        let seen = comment_as(&app, d, c, viewer).await;
        assert_eq!(seen["hidden"], true, "{seen}");
        assert_eq!(seen["body"], Value::Null, "{seen}");
        assert_eq!(seen["body_html"], Value::Null, "{seen}");
        assert!(!seen.to_string().contains("spam.example"), "{seen}");
    }
    for viewer in [&bob, &moderator] {
        let seen = comment_as(&app, d, c, viewer.auth()).await;
        assert_eq!(seen["hidden"], true, "{seen}");
        assert_eq!(
            seen["body"], "Buy cheap pills at spam.example",
            "{} should still see the body: {seen}",
            viewer.username
        );
    }
    assert!(
        notification_kinds(&app, &bob)
            .await
            .contains(&"post_hidden".to_string()),
        "{:?}",
        notification_kinds(&app, &bob).await
    );
    let item = item_for(&app, &moderator, "comment", c).await;
    assert_eq!(item["hidden"], true, "{item}");
    assert_eq!(item["status"], "pending", "{item}");
}

#[tokio::test]
async fn flags_from_members_under_the_reputation_threshold_do_not_hide() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let moderator = app.register_moderator("mod").await;
    let d = app
        .start_discussion(&alice.token, "people", "Parking", "Who needs a space?")
        .await;
    let c = app.comment(&alice.token, d, "Me, every day", None).await;

    // Three newcomers (reputation 49, just under the default 50): never hidden.
    let mut newcomers = Vec::new();
    for name in ["nina", "omar", "pia"] {
        let user = app.register(name).await;
        app.set_reputation(name, 49).await;
        newcomers.push(user);
    }
    for who in &newcomers {
        flagged(&app, who, "comment", c).await;
    }
    let seen = comment_as(&app, d, c, None).await;
    assert_eq!(seen["hidden"], false, "{seen}");
    assert_eq!(seen["body"], "Me, every day");
    let item = item_for(&app, &moderator, "comment", c).await;
    assert_eq!(item["flags"].as_array().map(Vec::len), Some(3), "{item}");
    assert_eq!(item["hidden"], false, "{item}");

    // Reputation exactly 50 counts: three such flags hide.
    for name in ["quinn", "rosa"] {
        let user = app.register(name).await;
        app.set_reputation(name, 50).await;
        flagged(&app, &user, "comment", c).await;
    }
    assert_eq!(comment_as(&app, d, c, None).await["hidden"], false);
    let sam = app.register("sam").await;
    app.set_reputation("sam", 50).await;
    flagged(&app, &sam, "comment", c).await;
    assert_eq!(comment_as(&app, d, c, None).await["hidden"], true);
}

#[tokio::test]
async fn a_hidden_discussion_is_emptied_and_leaves_the_zone_listing_but_for_moderators() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let moderator = app.register_moderator("mod").await;
    let keep = app
        .start_discussion(&bob.token, "people", "A fine topic", "Nothing wrong here")
        .await;
    let d = app
        .start_discussion(
            &alice.token,
            "people",
            "Buy now",
            "Visit spam.example today",
        )
        .await;
    for name in ["carol", "dave", "erin"] {
        let who = trusted(&app, name).await;
        flagged(&app, &who, "discussion", d).await;
    }

    for viewer in [None, bob.auth()] {
        let seen = app.discussion(d, viewer).await["discussion"].clone();
        assert_eq!(seen["hidden"], true, "{seen}");
        assert_eq!(seen["body"], "", "{seen}");
        assert_eq!(seen["body_html"], "", "{seen}");
        assert!(!seen.to_string().contains("spam.example"), "{seen}");
    }
    for viewer in [&alice, &moderator] {
        let seen = app.discussion(d, viewer.auth()).await["discussion"].clone();
        assert_eq!(seen["hidden"], true, "{seen}");
        assert_eq!(seen["body"], "Visit spam.example today", "{seen}");
    }

    let listed = |page: Value| -> Vec<i64> {
        page["discussions"]
            .as_array()
            .unwrap_or_else(|| panic!("no discussions in {page}"))
            .iter()
            .filter_map(|d| d["id"].as_i64())
            .collect()
    };
    for viewer in [None, bob.auth()] {
        let page = app
            .get("/zones/people/discussions", viewer)
            .await
            .expect(200);
        let ids = listed(page);
        assert!(ids.contains(&keep), "{ids:?}");
        assert!(!ids.contains(&d), "a hidden discussion is listed: {ids:?}");
    }
    let page = app
        .get("/zones/people/discussions", moderator.auth())
        .await
        .expect(200);
    assert!(listed(page).contains(&d), "moderators still see it listed");

    assert!(
        notification_kinds(&app, &alice)
            .await
            .contains(&"post_hidden".to_string())
    );
}

#[tokio::test]
async fn flags_of_a_member_moderators_disagreed_with_weigh_less() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let moderator = app.register_moderator("mod").await;
    let carol = trusted(&app, "carol").await;
    let d = app
        .start_discussion(&alice.token, "people", "Office plants", "More green")
        .await;

    // Carol's first flag is disagreed with: her weight is now (0+2)/(0+1+2) = 2/3.
    let first = app.comment(&alice.token, d, "Ferns are best", None).await;
    flagged(&app, &carol, "comment", first).await;
    let item = item_for(&app, &moderator, "comment", first).await;
    decide(&app, &moderator, &item, json!({"decision": "disagree"}))
        .await
        .expect(200);

    // Two newcomers (1 each) and carol (2/3) make 2.67, under 3: still shown.
    let c = app.comment(&alice.token, d, "Cacti are better", None).await;
    let dave = trusted(&app, "dave").await;
    let erin = trusted(&app, "erin").await;
    flagged(&app, &dave, "comment", c).await;
    flagged(&app, &erin, "comment", c).await;
    flagged(&app, &carol, "comment", c).await;
    let seen = comment_as(&app, d, c, None).await;
    assert_eq!(
        seen["hidden"], false,
        "2 + 2/3 of weight hid a comment: {seen}"
    );
    let item = item_for(&app, &moderator, "comment", c).await;
    let weight_of = |name: &str| -> f64 {
        item["flags"]
            .as_array()
            .unwrap_or_else(|| panic!("no flags in {item}"))
            .iter()
            .find(|f| name_of(&f["member"]) == name)
            .and_then(|f| f["weight"].as_f64())
            .unwrap_or_else(|| panic!("no weight for {name} in {item}"))
    };
    assert!((weight_of("carol") - 2.0 / 3.0).abs() < 0.01, "{item}");
    assert!((weight_of("dave") - 1.0).abs() < 1e-9, "{item}");

    // One more newcomer tips it over.
    let frank = trusted(&app, "frank").await;
    flagged(&app, &frank, "comment", c).await;
    assert_eq!(comment_as(&app, d, c, None).await["hidden"], true);
}

// ---------------------------------------------------------------------------------------
// The review queue
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn the_review_queue_is_for_moderators_and_lists_each_flagged_post_with_its_flags() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let moderator = app.register_moderator("mod").await;
    let d = app
        .start_discussion(&alice.token, "people", "Coffee machine", "It broke again")
        .await;
    let many = app.comment(&alice.token, d, "Flagged a lot", None).await;
    let one = app.comment(&alice.token, d, "Flagged once", None).await;
    let mut flaggers = Vec::new();
    for name in ["nina", "omar", "pia"] {
        flaggers.push(app.register(name).await);
    }
    for who in &flaggers {
        flagged(&app, who, "comment", many).await;
    }
    app.post_json(
        &format!("/comments/{one}/flags"),
        flaggers[0].auth(),
        &json!({"reason": "other", "note": "Check this one"}),
    )
    .await
    .expect(201);

    // Members may not look.
    for who in [&alice, &flaggers[0]] {
        app.get("/review", who.auth())
            .await
            .expect_error(403, "forbidden");
    }

    let list = queue(&app, &moderator, "").await;
    assert_eq!(list["pending"], 2, "{list}");
    let items = list["items"].as_array().expect("items");
    let targets: Vec<i64> = items
        .iter()
        .map(|i| i["target"]["id"].as_i64().unwrap_or_default())
        .collect();
    assert_eq!(targets, vec![one, many], "newest first by default");
    let most = queue(&app, &moderator, "?sort=most_flagged").await;
    let targets: Vec<i64> = most["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["target"]["id"].as_i64().unwrap_or_default())
        .collect();
    assert_eq!(targets, vec![many, one], "most flagged first");

    // One item, in full.
    let item = &items[0];
    assert!(item["id"].as_i64().is_some(), "{item}");
    assert_eq!(item["status"], "pending");
    assert_eq!(item["hidden"], false);
    assert_eq!(item["action"], Value::Null);
    assert_eq!(item["decided_by"], Value::Null);
    assert_eq!(item["decided_at"], Value::Null);
    assert_utc_time(&item["created_at"], "item.created_at");
    assert_utc_time(&item["last_flagged_at"], "item.last_flagged_at");
    let target = &item["target"];
    assert_eq!(target["kind"], "comment", "{target}");
    assert_eq!(target["discussion_id"], d, "{target}");
    assert_eq!(target["body"], "Flagged once", "{target}");
    assert_eq!(name_of(&target["author"]), "alice", "{target}");
    assert_eq!(target["deleted"], false, "{target}");
    assert!(target["url"].is_string(), "{target}");
    for key in ["title", "session_id", "created_at"] {
        assert!(target.get(key).is_some(), "no {key} in {target}");
    }
    let flags = item["flags"].as_array().expect("flags");
    assert_eq!(flags.len(), 1, "{item}");
    assert_eq!(name_of(&flags[0]["member"]), "nina");
    assert_eq!(flags[0]["reason"], "other");
    assert_eq!(flags[0]["note"], "Check this one");
    assert_eq!(flags[0]["status"], "pending");
    assert!((flags[0]["weight"].as_f64().unwrap_or(0.0) - 1.0).abs() < 1e-9);
    for key in ["flags_agreed_against", "review_items", "suspension"] {
        assert!(
            item["author_history"].get(key).is_some(),
            "no {key} in {}",
            item["author_history"]
        );
    }
    assert_eq!(
        items[1]["flags"].as_array().map(Vec::len),
        Some(3),
        "{}",
        items[1]
    );

    // Other views of the queue.
    assert_eq!(
        queue(&app, &moderator, "?status=agreed").await["items"],
        json!([])
    );
    assert_eq!(
        queue(&app, &moderator, "?status=all").await["items"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    decide(&app, &moderator, item, json!({"decision": "defer"}))
        .await
        .expect(200);
    let deferred = queue(&app, &moderator, "?status=deferred").await;
    let deferred_targets: Vec<i64> = deferred["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["target"]["id"].as_i64().unwrap_or_default())
        .collect();
    assert_eq!(deferred_targets, vec![one], "{deferred}");
    assert_eq!(deferred["items"][0]["status"], "deferred");
}

#[tokio::test]
async fn agreeing_deletes_or_hides_tells_the_flaggers_and_cannot_be_decided_twice() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let dave = app.register("dave").await;
    let moderator = app.register_moderator("mod").await;
    let d = app
        .start_discussion(&alice.token, "people", "Team lunch", "Friday?")
        .await;
    let c = app.comment(&bob.token, d, "Rude words here", None).await;
    flagged(&app, &carol, "comment", c).await;
    flagged(&app, &dave, "comment", c).await;

    // Agree and delete.
    let item = item_for(&app, &moderator, "comment", c).await;
    let decided = decide(
        &app,
        &moderator,
        &item,
        json!({"decision": "agree", "action": "delete"}),
    )
    .await
    .expect(200);
    assert_eq!(decided["status"], "agreed", "{decided}");
    assert_eq!(decided["action"], "delete", "{decided}");
    assert_eq!(name_of(&decided["decided_by"]), "mod", "{decided}");
    assert_utc_time(&decided["decided_at"], "decided_at");
    let gone = comment_as(&app, d, c, None).await;
    assert_eq!(gone["deleted"], true, "{gone}");
    assert_eq!(gone["body"], Value::Null, "{gone}");
    for who in [&carol, &dave] {
        assert!(
            notification_kinds(&app, who)
                .await
                .contains(&"flag_agreed".to_string()),
            "{} was not told",
            who.username
        );
        assert_eq!(
            my_flag_statuses(&app, who).await,
            vec![("comment".to_string(), c, "agreed".to_string())]
        );
    }
    for decision in ["agree", "disagree", "defer"] {
        decide(&app, &moderator, &item, json!({"decision": decision}))
            .await
            .expect_error(409, "already_decided");
    }
    assert_eq!(
        queue(&app, &moderator, "?status=agreed").await["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // Agree and hide (the default), silencing the author as well.
    let other = app.comment(&bob.token, d, "More rude words", None).await;
    flagged(&app, &carol, "comment", other).await;
    let item = item_for(&app, &moderator, "comment", other).await;
    assert_eq!(
        item["author_history"]["flags_agreed_against"], 1,
        "bob already had one flag agreed against him: {item}"
    );
    let decided = decide(
        &app,
        &moderator,
        &item,
        json!({"decision": "agree", "action": "hide",
               "suspend": {"kind": "silence", "until": in_days(7), "reason": "Rudeness"}}),
    )
    .await
    .expect(200);
    assert_eq!(decided["action"], "hide", "{decided}");
    let seen = comment_as(&app, d, other, None).await;
    assert_eq!(seen["hidden"], true, "{seen}");
    assert_eq!(seen["deleted"], false, "{seen}");
    assert_eq!(seen["body"], Value::Null, "{seen}");
    app.post_json(
        &format!("/discussions/{d}/comments"),
        bob.auth(),
        &json!({"body": "Can I still talk?"}),
    )
    .await
    .expect_error(403, "silenced");

    // Agreeing to delete a discussion: it is gone.
    let eve = app.register("eve").await;
    let doomed = app
        .start_discussion(&eve.token, "people", "Spam topic", "Spam body")
        .await;
    flagged(&app, &carol, "discussion", doomed).await;
    let item = item_for(&app, &moderator, "discussion", doomed).await;
    decide(
        &app,
        &moderator,
        &item,
        json!({"decision": "agree", "action": "delete"}),
    )
    .await
    .expect(200);
    app.get(&format!("/discussions/{doomed}"), None)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn disagreeing_clears_the_flags_and_shows_the_post_again() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let moderator = app.register_moderator("mod").await;
    let d = app
        .start_discussion(&alice.token, "people", "Remote work", "Thoughts?")
        .await;
    let c = app
        .comment(&bob.token, d, "An unpopular but fair opinion", None)
        .await;
    let flaggers = [
        trusted(&app, "carol").await,
        trusted(&app, "dave").await,
        trusted(&app, "erin").await,
    ];
    for who in &flaggers {
        flagged(&app, who, "comment", c).await;
    }
    assert_eq!(comment_as(&app, d, c, None).await["hidden"], true);

    let item = item_for(&app, &moderator, "comment", c).await;
    let decided = decide(&app, &moderator, &item, json!({"decision": "disagree"}))
        .await
        .expect(200);
    assert_eq!(decided["status"], "disagreed", "{decided}");
    assert_eq!(decided["hidden"], false, "{decided}");

    let seen = comment_as(&app, d, c, None).await;
    assert_eq!(seen["hidden"], false, "{seen}");
    assert_eq!(seen["body"], "An unpopular but fair opinion", "{seen}");
    let told = notification_kinds(&app, &bob).await;
    assert!(told.contains(&"post_hidden".to_string()), "{told:?}");
    assert!(told.contains(&"post_restored".to_string()), "{told:?}");
    for who in &flaggers {
        assert!(
            notification_kinds(&app, who)
                .await
                .contains(&"flag_disagreed".to_string()),
            "{} was not told",
            who.username
        );
        assert_eq!(
            my_flag_statuses(&app, who).await,
            vec![("comment".to_string(), c, "disagreed".to_string())]
        );
    }
    decide(&app, &moderator, &item, json!({"decision": "agree"}))
        .await
        .expect_error(409, "already_decided");
    assert_eq!(queue(&app, &moderator, "").await["pending"], 0);
}

#[tokio::test]
async fn ten_agreed_flags_earn_the_deputy_badge() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let moderator = app.register_moderator("mod").await;
    let d = app
        .start_discussion(&alice.token, "people", "Noise", "The open office")
        .await;
    let mut comments = Vec::new();
    for n in 0..10 {
        comments.push(
            app.comment(&alice.token, d, &format!("Noise {n}"), None)
                .await,
        );
    }

    for (n, c) in comments.iter().enumerate() {
        flagged(&app, &bob, "comment", *c).await;
        let item = item_for(&app, &moderator, "comment", *c).await;
        decide(&app, &moderator, &item, json!({"decision": "agree"}))
            .await
            .expect(200);
        let badges = badge_slugs(&app, "bob").await;
        if n < 9 {
            assert!(
                !badges.contains(&"deputy".to_string()),
                "deputy after {} agreed flags: {badges:?}",
                n + 1
            );
        } else {
            assert!(
                badges.contains(&"deputy".to_string()),
                "no deputy after ten agreed flags: {badges:?}"
            );
        }
    }
    assert!(
        !badge_slugs(&app, "alice")
            .await
            .contains(&"deputy".to_string())
    );
}

// ---------------------------------------------------------------------------------------
// Silencing and suspending
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_silenced_member_reads_but_cannot_write_until_lifted() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let moderator = app.register_moderator("mod").await;
    let d = app
        .start_discussion(&alice.token, "people", "Quiet hours", "After six")
        .await;
    let c = app.comment(&alice.token, d, "Agreed", None).await;

    let answer = suspend(&app, &moderator, "bob", "silence", &in_days(3), "Cool off")
        .await
        .expect(200);
    assert_eq!(answer["username"], "bob");
    assert_eq!(answer["suspension"]["kind"], "silence", "{answer}");
    assert_eq!(answer["suspension"]["reason"], "Cool off", "{answer}");
    assert!(
        answer["suspension"]["until"]
            .as_str()
            .is_some_and(|u| u.starts_with(&in_days(3))),
        "{answer}"
    );

    app.post_json(
        "/zones/people/discussions",
        bob.auth(),
        &json!({"title": "Let me speak", "body": "Please"}),
    )
    .await
    .expect_error(403, "silenced");
    app.post_json(
        &format!("/discussions/{d}/comments"),
        bob.auth(),
        &json!({"body": "Hello?"}),
    )
    .await
    .expect_error(403, "silenced");
    app.post_json(
        &format!("/discussions/{d}/vote"),
        bob.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect_error(403, "silenced");
    app.post_json(
        &format!("/comments/{c}/vote"),
        bob.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect_error(403, "silenced");
    flag(&app, &bob, "comment", c, "spam")
        .await
        .expect_error(403, "silenced");

    // Reads and the account still work.
    app.get(&format!("/discussions/{d}"), bob.auth())
        .await
        .expect(200);
    app.get("/zones/people/discussions", bob.auth())
        .await
        .expect(200);
    assert_eq!(
        app.get("/me", bob.auth()).await.expect(200)["username"],
        "bob"
    );
    app.get("/notifications", bob.auth()).await.expect(200);
    assert_eq!(
        app.discussion(d, None).await["comments"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // Lifted: back to normal.
    let lifted = app
        .delete("/members/bob/suspension", moderator.auth())
        .await
        .expect(200);
    assert_eq!(lifted["username"], "bob");
    assert_eq!(lifted["suspension"], Value::Null, "{lifted}");
    app.comment(&bob.token, d, "Thanks", None).await;
}

#[tokio::test]
async fn a_suspended_member_is_signed_out_and_told_why_only_with_the_right_password() {
    let app = spawn_app().await;
    let bob = app.register("bob").await;
    let moderator = app.register_moderator("mod").await;
    app.get("/me", bob.auth()).await.expect(200);

    let until = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let answer = suspend(
        &app,
        &moderator,
        "bob",
        "suspend",
        &until,
        "Repeated harassment",
    )
    .await
    .expect(200);
    assert_eq!(answer["suspension"]["kind"], "suspend", "{answer}");
    assert_utc_time(&answer["suspension"]["until"], "suspension.until");

    // The token in hand no longer works.
    let answer = app.get("/me", bob.auth()).await;
    assert_eq!(answer.status.as_u16(), 401, "{}", answer.text);
    let answer = app
        .post_json(
            "/zones/people/discussions",
            bob.auth(),
            &json!({"title": "Still here", "body": "Hi"}),
        )
        .await;
    assert_eq!(answer.status.as_u16(), 401, "{}", answer.text);

    // The right password learns why; a wrong one learns nothing.
    let refused = app
        .login("bob", crate::helpers::PASSWORD)
        .await
        .expect_error(401, "suspended");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("Repeated harassment")),
        "{refused}"
    );
    let wrong = app
        .login("bob", "not bob's password")
        .await
        .expect_error(401, "invalid_credentials");
    assert!(!wrong.to_string().contains("harassment"), "{wrong}");
    assert!(!wrong.to_string().contains("suspend"), "{wrong}");

    // Lifted: bob signs in again.
    let lifted = app
        .delete("/members/bob/suspension", moderator.auth())
        .await
        .expect(200);
    assert_eq!(lifted["suspension"], Value::Null);
    let token = app.login("bob", crate::helpers::PASSWORD).await.expect(200)["token"]
        .as_str()
        .expect("a token")
        .to_string();
    app.get("/me", Some(&token)).await.expect(200);
}

#[tokio::test]
async fn only_a_higher_role_may_silence_or_suspend_and_never_oneself() {
    let app = spawn_app().await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let moderator = app.register_moderator("mod").await;
    let other_moderator = app.register_moderator("mod2").await;
    let root = app.register_admin("root").await;
    let until = in_days(5);

    // Members may not.
    suspend(&app, &carol, "bob", "silence", &until, "No")
        .await
        .expect_error(403, "forbidden");
    app.delete("/members/bob/suspension", carol.auth())
        .await
        .expect_error(403, "forbidden");

    // Moderators stop at their own rank.
    suspend(&app, &moderator, "root", "suspend", &until, "No")
        .await
        .expect_error(403, "outranks_actor");
    suspend(&app, &moderator, "mod2", "silence", &until, "No")
        .await
        .expect_error(403, "outranks_actor");
    suspend(&app, &moderator, "mod", "silence", &until, "No")
        .await
        .expect_error(403, "outranks_actor");
    suspend(&app, &root, "root", "silence", &until, "No")
        .await
        .expect_error(403, "outranks_actor");
    app.get("/me", other_moderator.auth()).await.expect(200);
    app.get("/me", root.auth()).await.expect(200);

    // An admin may suspend a moderator.
    suspend(&app, &root, "mod2", "suspend", &until, "Abuse of tools")
        .await
        .expect(200);
    let answer = app.get("/me", other_moderator.auth()).await;
    assert_eq!(answer.status.as_u16(), 401, "{}", answer.text);

    // When: a date or a time; one already past suspends nobody.
    suspend(&app, &moderator, "bob", "silence", "next week", "When?")
        .await
        .expect_invalid("until");
    let past = suspend(&app, &moderator, "bob", "silence", "2020-01-01", "Too late")
        .await
        .expect(200);
    assert_eq!(past["suspension"], serde_json::Value::Null, "{past}");
    let answer = suspend(&app, &moderator, "bob", "exile", &until, "What").await;
    answer.expect_error(400, "validation_failed");
    app.post_json(
        "/zones/people/discussions",
        bob.auth(),
        &json!({"title": "Still free", "body": "Nothing applied"}),
    )
    .await
    .expect(201);
}

// ---------------------------------------------------------------------------------------
// The audit log and settings
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn moderators_actions_land_in_an_audit_log_only_admins_read() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let moderator = app.register_moderator("mod").await;
    let root = app.register_admin("root").await;
    let d = app
        .start_discussion(&alice.token, "people", "Budget", "Next year's")
        .await;
    let doomed = app.comment(&bob.token, d, "Doomed", None).await;
    let spam = app.comment(&bob.token, d, "Spam", None).await;

    app.post_json(
        &format!("/discussions/{d}/lock"),
        moderator.auth(),
        &json!({"locked": true}),
    )
    .await
    .expect(200);
    app.post_json(
        &format!("/discussions/{d}/lock"),
        moderator.auth(),
        &json!({"locked": false}),
    )
    .await
    .expect(200);
    app.post_json(
        &format!("/discussions/{d}/pin"),
        moderator.auth(),
        &json!({"pinned": true}),
    )
    .await
    .expect(200);
    app.delete(&format!("/comments/{doomed}"), moderator.auth())
        .await
        .expect_status(204);
    app.patch_json(
        &format!("/discussions/{d}"),
        moderator.auth(),
        &json!({"body": "Next year's (edited)"}),
    )
    .await
    .expect(200);
    for name in ["carol", "dave", "erin"] {
        let who = trusted(&app, name).await;
        flagged(&app, &who, "comment", spam).await;
    }
    let item = item_for(&app, &moderator, "comment", spam).await;
    decide(
        &app,
        &moderator,
        &item,
        json!({"decision": "agree", "action": "delete"}),
    )
    .await
    .expect(200);
    suspend(&app, &moderator, "bob", "silence", &in_days(2), "Spamming")
        .await
        .expect(200);
    app.delete("/members/bob/suspension", moderator.auth())
        .await
        .expect(200);
    app.send(
        Method::PUT,
        "/api/v1/admin/settings",
        root.auth(),
        Some(&json!({"max_mentions": 5})),
    )
    .await
    .expect(200);

    // Only admins read it.
    for who in [&moderator, &alice] {
        app.get("/admin/audit", who.auth())
            .await
            .expect_error(403, "forbidden");
    }
    app.get("/admin/audit?action=made_up", root.auth())
        .await
        .expect_error(400, "validation_failed");

    let all = audit(&app, &root, "").await;
    let ids: Vec<i64> = all.iter().filter_map(|e| e["id"].as_i64()).collect();
    let mut newest_first = ids.clone();
    newest_first.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(ids, newest_first, "newest first");
    for entry in &all {
        assert_utc_time(&entry["created_at"], "entry.created_at");
    }

    let one = |action: &str| -> Vec<Value> {
        all.iter()
            .filter(|e| e["action"] == action)
            .cloned()
            .collect()
    };
    let locked = one("discussion_locked");
    assert_eq!(locked.len(), 2, "{all:#?}");
    let lock = locked.last().expect("the lock");
    assert_eq!(lock["actor"], "mod");
    assert_eq!(lock["target"], format!("discussion:{d}"));
    assert_eq!(lock["ip_prefix"], "127.0.0.0/16", "{lock}");
    assert!(
        lock["details"].get("before").is_some() && lock["details"].get("after").is_some(),
        "{lock}"
    );
    assert_ne!(
        lock["details"]["before"], lock["details"]["after"],
        "{lock}"
    );
    assert_eq!(one("discussion_pinned").len(), 1, "{all:#?}");

    let deleted = one("post_deleted");
    assert!(
        deleted
            .iter()
            .any(|e| e["target"] == format!("comment:{doomed}") && e["actor"] == "mod"),
        "{deleted:#?}"
    );
    let edited = one("post_edited");
    assert!(
        edited
            .iter()
            .any(|e| e["target"] == format!("discussion:{d}") && e["actor"] == "mod"),
        "{edited:#?}"
    );

    let hidden = one("post_hidden");
    assert_eq!(hidden.len(), 1, "{all:#?}");
    assert_eq!(hidden[0]["actor"], Value::Null, "{}", hidden[0]);
    assert_eq!(hidden[0]["target"], format!("comment:{spam}"));
    assert_eq!(hidden[0]["details"]["by_flags"], true, "{}", hidden[0]);

    let decided = one("flag_decided");
    assert_eq!(decided.len(), 1, "{all:#?}");
    assert_eq!(decided[0]["actor"], "mod");
    assert_eq!(decided[0]["target"], format!("comment:{spam}"));
    assert_eq!(
        decided[0]["details"]["review"], item["id"],
        "{}",
        decided[0]
    );
    assert_eq!(decided[0]["details"]["decision"], "agree", "{}", decided[0]);
    assert_eq!(decided[0]["details"]["action"], "delete", "{}", decided[0]);

    let suspended = one("member_suspended");
    assert_eq!(suspended.len(), 1, "{all:#?}");
    assert_eq!(suspended[0]["target"], "member:bob");
    assert_eq!(
        suspended[0]["details"]["kind"], "silence",
        "{}",
        suspended[0]
    );
    assert_eq!(
        suspended[0]["details"]["reason"], "Spamming",
        "{}",
        suspended[0]
    );
    assert!(
        suspended[0]["details"]["until"]
            .as_str()
            .is_some_and(|u| u.starts_with(&in_days(2))),
        "{}",
        suspended[0]
    );
    let lifted = one("suspension_lifted");
    assert_eq!(lifted.len(), 1, "{all:#?}");
    assert_eq!(lifted[0]["target"], "member:bob");

    let settings = one("settings_changed");
    assert_eq!(settings.len(), 1, "{all:#?}");
    assert_eq!(settings[0]["actor"], "root");
    assert_eq!(
        settings[0]["details"]["before"]["max_mentions"], 10,
        "{}",
        settings[0]
    );
    assert_eq!(
        settings[0]["details"]["after"]["max_mentions"], 5,
        "{}",
        settings[0]
    );

    // The suspension came before the lift, which is listed first.
    let position = |action: &str| all.iter().position(|e| e["action"] == action);
    assert!(position("suspension_lifted") < position("member_suspended"));

    // Filters.
    let by_mod = audit(&app, &root, "?actor=mod").await;
    assert!(!by_mod.is_empty());
    assert!(by_mod.iter().all(|e| e["actor"] == "mod"), "{by_mod:#?}");
    assert!(!by_mod.iter().any(|e| e["action"] == "settings_changed"));
    let only = audit(&app, &root, "?action=member_suspended").await;
    assert_eq!(only.len(), 1, "{only:#?}");
    let limited = audit(&app, &root, "?limit=2").await;
    assert_eq!(limited.len(), 2);
    assert_eq!(limited[0]["id"], all[0]["id"]);
    assert_eq!(
        audit(&app, &root, &format!("?since={}", in_days(2))).await,
        Vec::<Value>::new()
    );
    assert_eq!(
        audit(&app, &root, "?actor=nobody-at-all").await,
        Vec::<Value>::new()
    );
}

#[tokio::test]
async fn the_audit_table_refuses_updates_and_deletes() {
    let app = spawn_app().await;
    let moderator = app.register_moderator("mod").await;
    let root = app.register_admin("root").await;
    let alice = app.register("alice").await;
    let d = app
        .start_discussion(&alice.token, "people", "Records", "Keep them")
        .await;
    app.post_json(
        &format!("/discussions/{d}/lock"),
        moderator.auth(),
        &json!({"locked": true}),
    )
    .await
    .expect(200);
    let before = audit(&app, &root, "").await;
    assert!(
        before.iter().any(|e| e["action"] == "discussion_locked"),
        "{before:#?}"
    );

    let db = app.db().await;
    let update = db
        .execute_unprepared("UPDATE audit_log SET action = 'x'")
        .await;
    assert!(
        update.is_err(),
        "an UPDATE of audit_log succeeded: {update:?}"
    );
    let delete = db.execute_unprepared("DELETE FROM audit_log").await;
    assert!(
        delete.is_err(),
        "a DELETE from audit_log succeeded: {delete:?}"
    );
    db.close().await.expect("closing a connection");

    assert_eq!(audit(&app, &root, "").await, before, "the log changed");
}

#[tokio::test]
async fn admins_change_instance_settings_within_bounds_and_they_take_effect() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let moderator = app.register_moderator("mod").await;
    let root = app.register_admin("root").await;
    let defaults = json!({"flags_to_hide": 3, "flag_min_reputation": 50, "max_mentions": 10,
                          "new_member_reputation": 10, "mails_per_hour": 20, "headcount": 0});
    assert_eq!(
        app.get("/admin/settings", root.auth()).await.expect(200),
        defaults
    );

    // Admins only.
    for who in [&moderator, &alice] {
        app.get("/admin/settings", who.auth())
            .await
            .expect_error(403, "forbidden");
        app.send(
            Method::PUT,
            "/api/v1/admin/settings",
            who.auth(),
            Some(&json!({"flags_to_hide": 1})),
        )
        .await
        .expect_error(403, "forbidden");
    }
    app.send(
        Method::PUT,
        "/api/v1/admin/settings",
        root.auth(),
        Some(&json!({"flags_to_hide": 0})),
    )
    .await
    .expect_invalid("flags_to_hide");
    assert_eq!(
        app.get("/admin/settings", root.auth()).await.expect(200),
        defaults,
        "a refused change changed something"
    );

    // One qualifying flag now hides.
    let changed = app
        .send(
            Method::PUT,
            "/api/v1/admin/settings",
            root.auth(),
            Some(&json!({"flags_to_hide": 1})),
        )
        .await
        .expect(200);
    let mut expected = defaults.clone();
    expected["flags_to_hide"] = json!(1);
    assert_eq!(changed, expected);
    assert_eq!(
        app.get("/admin/settings", root.auth()).await.expect(200),
        expected
    );

    let d = app
        .start_discussion(&alice.token, "people", "Snacks", "Fruit or crisps?")
        .await;
    let low = app.comment(&alice.token, d, "Crisps", None).await;
    let high = app.comment(&alice.token, d, "Fruit", None).await;
    let newcomer = app.register("nina").await;
    app.set_reputation("nina", 10).await;
    flagged(&app, &newcomer, "comment", low).await;
    assert_eq!(
        comment_as(&app, d, low, None).await["hidden"],
        false,
        "a flag under the reputation threshold hid a comment"
    );
    let carol = trusted(&app, "carol").await;
    flagged(&app, &carol, "comment", high).await;
    assert_eq!(comment_as(&app, d, high, None).await["hidden"], true);

    // Lowering the reputation threshold lets the newcomer's next flag count.
    app.send(
        Method::PUT,
        "/api/v1/admin/settings",
        root.auth(),
        Some(&json!({"flag_min_reputation": 5})),
    )
    .await
    .expect(200);
    let another = app.comment(&alice.token, d, "Both", None).await;
    flagged(&app, &newcomer, "comment", another).await;
    assert_eq!(comment_as(&app, d, another, None).await["hidden"], true);
}

// ---------------------------------------------------------------------------------------
// Edit history, locks and deletion
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn edits_keep_a_history_and_a_moderators_edit_is_marked() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let moderator = app.register_moderator("mod").await;
    let d = app
        .start_discussion(&alice.token, "people", "Hiring plan", "Two engineers")
        .await;
    let c = app.comment(&bob.token, d, "And a designer", None).await;

    // Never edited: one revision, the original.
    let revisions = app
        .get(&format!("/discussions/{d}/revisions"), None)
        .await
        .expect(200)["revisions"]
        .clone();
    assert_eq!(revisions.as_array().map(Vec::len), Some(1), "{revisions}");
    assert_eq!(revisions[0]["title"], "Hiring plan");
    assert_eq!(revisions[0]["body"], "Two engineers");
    assert_eq!(name_of(&revisions[0]["editor"]), "alice");
    assert_eq!(revisions[0]["by_moderator"], false);
    assert_utc_time(&revisions[0]["created_at"], "revision.created_at");

    // The author edits: two, oldest first.
    app.patch_json(
        &format!("/discussions/{d}"),
        alice.auth(),
        &json!({"body": "Three engineers"}),
    )
    .await
    .expect(200);
    let revisions = app
        .get(&format!("/discussions/{d}/revisions"), None)
        .await
        .expect(200)["revisions"]
        .clone();
    assert_eq!(revisions.as_array().map(Vec::len), Some(2), "{revisions}");
    assert_eq!(revisions[0]["body"], "Two engineers");
    assert_eq!(revisions[1]["body"], "Three engineers");
    assert_eq!(revisions[1]["by_moderator"], false);
    assert_eq!(
        app.discussion(d, None).await["discussion"]["edited_by_moderator"],
        false
    );

    // A comment's history has no titles.
    app.patch_json(
        &format!("/comments/{c}"),
        bob.auth(),
        &json!({"body": "And two designers"}),
    )
    .await
    .expect(200);
    let revisions = app
        .get(&format!("/comments/{c}/revisions"), None)
        .await
        .expect(200)["revisions"]
        .clone();
    assert_eq!(revisions.as_array().map(Vec::len), Some(2), "{revisions}");
    assert_eq!(revisions[0]["body"], "And a designer");
    assert_eq!(revisions[1]["body"], "And two designers");
    assert!(revisions[0].get("title").is_none(), "{revisions}");
    assert_eq!(name_of(&revisions[1]["editor"]), "bob");

    // A moderator's edit is marked, on the post and in the history.
    app.patch_json(
        &format!("/comments/{c}"),
        moderator.auth(),
        &json!({"body": "[removed a phone number]"}),
    )
    .await
    .expect(200);
    let seen = comment_as(&app, d, c, None).await;
    assert_eq!(seen["edited_by_moderator"], true, "{seen}");
    assert_eq!(seen["body"], "[removed a phone number]");
    let revisions = app
        .get(&format!("/comments/{c}/revisions"), None)
        .await
        .expect(200)["revisions"]
        .clone();
    assert_eq!(revisions.as_array().map(Vec::len), Some(3), "{revisions}");
    let last = &revisions[2];
    assert_eq!(last["by_moderator"], true, "{last}");
    assert_eq!(name_of(&last["editor"]), "mod", "{last}");
    assert_eq!(last["body"], "[removed a phone number]");

    app.patch_json(
        &format!("/discussions/{d}"),
        moderator.auth(),
        &json!({"body": "Three engineers (budget pending)"}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.discussion(d, None).await["discussion"]["edited_by_moderator"],
        true
    );
    let revisions = app
        .get(&format!("/discussions/{d}/revisions"), None)
        .await
        .expect(200)["revisions"]
        .clone();
    assert_eq!(revisions.as_array().map(Vec::len), Some(3), "{revisions}");
    assert_eq!(revisions[2]["by_moderator"], true);
    assert_eq!(name_of(&revisions[2]["editor"]), "mod");
    assert_eq!(revisions[2]["title"], "Hiring plan");
}

#[tokio::test]
async fn a_locked_discussion_is_frozen_except_for_moderators() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let moderator = app.register_moderator("mod").await;
    let d = app
        .start_discussion(&alice.token, "people", "Frozen", "Original text")
        .await;
    let c = app.comment(&bob.token, d, "Original reply", None).await;
    app.post_json(
        &format!("/discussions/{d}/lock"),
        moderator.auth(),
        &json!({"locked": true}),
    )
    .await
    .expect(200);

    app.patch_json(
        &format!("/discussions/{d}"),
        alice.auth(),
        &json!({"body": "Changed"}),
    )
    .await
    .expect_error(403, "discussion_locked");
    app.patch_json(
        &format!("/comments/{c}"),
        bob.auth(),
        &json!({"body": "Changed"}),
    )
    .await
    .expect_error(403, "discussion_locked");
    app.post_json(
        &format!("/discussions/{d}/vote"),
        carol.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect_error(403, "discussion_locked");
    app.post_json(
        &format!("/comments/{c}/vote"),
        carol.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect_error(403, "discussion_locked");
    let thread = app.discussion(d, None).await;
    assert_eq!(thread["discussion"]["body"], "Original text");
    assert_eq!(thread["discussion"]["score"], 0);
    assert_eq!(thread["comments"][0]["body"], "Original reply");
    assert_eq!(thread["comments"][0]["score"], 0);

    // A moderator may still edit.
    app.patch_json(
        &format!("/discussions/{d}"),
        moderator.auth(),
        &json!({"body": "Locked: see the new thread"}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.discussion(d, None).await["discussion"]["body"],
        "Locked: see the new thread"
    );

    // Unlocked, the author edits again.
    app.post_json(
        &format!("/discussions/{d}/lock"),
        moderator.auth(),
        &json!({"locked": false}),
    )
    .await
    .expect(200);
    app.patch_json(
        &format!("/comments/{c}"),
        bob.auth(),
        &json!({"body": "Changed"}),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn an_author_cannot_delete_a_discussion_once_someone_else_replied() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let moderator = app.register_moderator("mod").await;
    let replied = app
        .start_discussion(&alice.token, "people", "Answered", "Body")
        .await;
    app.comment(&bob.token, replied, "An answer", None).await;
    let own_replies = app
        .start_discussion(&alice.token, "people", "Monologue", "Body")
        .await;
    app.comment(&alice.token, own_replies, "Talking to myself", None)
        .await;
    let empty = app
        .start_discussion(&alice.token, "people", "Nobody came", "Body")
        .await;

    app.delete(&format!("/discussions/{replied}"), alice.auth())
        .await
        .expect_error(403, "has_replies");
    app.discussion(replied, None).await;
    for id in [own_replies, empty] {
        app.delete(&format!("/discussions/{id}"), alice.auth())
            .await
            .expect_status(204);
        app.get(&format!("/discussions/{id}"), None)
            .await
            .expect_error(404, "not_found");
    }

    app.delete(&format!("/discussions/{replied}"), moderator.auth())
        .await
        .expect_status(204);
    app.get(&format!("/discussions/{replied}"), None)
        .await
        .expect_error(404, "not_found");
}
