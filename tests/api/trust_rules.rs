//! Trust rules, through HTTP: route rate limits (votes, edits, searches, previews), remote
//! pictures shown as links (and the Content-Security-Policy that backs it), the limits
//! on new members' posts, the mention and mail caps, downvoters' anonymity in the
//! public ledger, and notifications that forget the titles of deleted discussions.

use std::future::Future;

use entity::{member, outbox};
use quorum::config::Switch;
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{
    Answer, PASSWORD, TestApp, TestUser, fresh_window, spawn_app, spawn_app_with,
};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

const PICTURE: &str = "Look: ![chart](https://evil.example/pixel.png)";
const THREE_LINKS: &str =
    "[one](https://one.example/) [two](https://two.example/) [three](https://three.example/)";
const TWO_LINKS: &str = "[one](https://one.example/) [two](https://two.example/)";

/// Registers a member with reputation 10: past the new-member limits (default 10).
async fn trusted(app: &TestApp, username: &str) -> TestUser {
    let user = app.register(username).await;
    app.set_reputation(username, 10).await;
    user
}

/// PUT /admin/settings as `admin`; expects 200.
async fn change_settings(app: &TestApp, admin: &TestUser, change: Value) -> Value {
    app.send(
        Method::PUT,
        "/api/v1/admin/settings",
        admin.auth(),
        Some(&change),
    )
    .await
    .expect(200)
}

/// POST /discussions/{id}/comments; the raw answer.
async fn try_comment(app: &TestApp, who: &TestUser, discussion: i64, body: &str) -> Answer {
    app.post_json(
        &format!("/discussions/{discussion}/comments"),
        who.auth(),
        &json!({ "body": body }),
    )
    .await
}

/// POST /zones/{zone}/discussions; the raw answer.
async fn try_discussion(app: &TestApp, who: &TestUser, title: &str, body: &str) -> Answer {
    app.post_json(
        "/zones/people/discussions",
        who.auth(),
        &json!({ "title": title, "body": body }),
    )
    .await
}

/// Sends requests (`send(i)` for i = 0, 1, …) until one is refused, at most `attempts`;
/// returns how many succeeded before and the refusal. Every answer before it must be a
/// success. Windows are fixed (60 s): if one ends mid-run the count starts again, so the
/// refusal still comes only after at least `max` successes in a row, and `2 × max + 1`
/// attempts always reach it.
async fn until_refused<F, Fut>(attempts: usize, mut send: F) -> (usize, Answer)
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Answer>,
{
    for i in 0..attempts {
        let answer = send(i).await;
        if answer.status.is_success() {
            continue;
        }
        return (i, answer);
    }
    panic!("{attempts} requests in a row were never refused");
}

/// A 429 `rate_limited` with a `Retry-After` of at most one window.
#[track_caller]
fn assert_rate_limited(answer: &Answer) {
    answer.expect_error(429, "rate_limited");
    let retry = answer
        .header("retry-after")
        .unwrap_or_else(|| panic!("a 429 without Retry-After: {:?}", answer.headers));
    let seconds: u64 = retry
        .parse()
        .unwrap_or_else(|_| panic!("Retry-After is not a number of seconds: {retry:?}"));
    assert!((1..=60).contains(&seconds), "Retry-After: {seconds}");
}

/// Sends `n` requests and expects each to succeed (status 2xx).
async fn all_succeed<F, Fut>(n: usize, what: &str, mut send: F)
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Answer>,
{
    for i in 0..n {
        let answer = send(i).await;
        assert!(
            answer.status.is_success(),
            "{what} #{i} was refused: {} {}",
            answer.status,
            answer.text
        );
    }
}

/// A member's notifications of one kind (`GET /notifications`).
async fn notifications_of(app: &TestApp, who: &TestUser, kind: &str) -> Vec<Value> {
    let list = app.get("/notifications", who.auth()).await.expect(200);
    list["notifications"]
        .as_array()
        .unwrap_or_else(|| panic!("no notifications list in {list}"))
        .iter()
        .filter(|n| n["kind"] == kind)
        .cloned()
        .collect()
}

/// The kinds of a ledger's events as `viewer` sees them (a visitor when `None`).
async fn ledger_kinds(app: &TestApp, username: &str, viewer: Option<&TestUser>) -> Vec<String> {
    let ledger = app
        .get(
            &format!("/members/{username}/reputation"),
            viewer.and_then(TestUser::auth),
        )
        .await
        .expect(200);
    ledger["events"]
        .as_array()
        .unwrap_or_else(|| panic!("no events in {ledger}"))
        .iter()
        .map(|e| e["kind"].as_str().expect("an event kind").to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Route rate limits
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_visitors_searches_are_limited_to_60_a_minute_per_address() {
    let app = &spawn_app_with(|s| s.rate_limit = Switch::On).await;
    fresh_window(60, 20).await;
    let (ok, refused) = until_refused(125, move |i| async move {
        app.get(&format!("/search?q=word{i}"), None).await
    })
    .await;
    assert_rate_limited(&refused);
    assert_eq!(ok, 60, "searches before the refusal");
    // The search page counts in the same bucket.
    let page = app.get_page("/search?q=lunch").await;
    assert_eq!(page.status.as_u16(), 429, "{}", page.text);
    // A signed-in member counts on their own, not by the shared address.
    let member = app.register("searcher").await;
    app.get("/search?q=lunch", member.auth()).await.expect(200);
}

#[tokio::test]
async fn percent_encoded_paths_do_not_escape_the_limits() {
    let app = &spawn_app_with(|s| s.rate_limit = Switch::On).await;
    // `%73` is `s`: the router takes `/api/v1/%73earch` to the search.
    app.send(Method::GET, "/api/v1/%73earch?q=lunch", None, None)
        .await
        .expect(200);
    fresh_window(60, 20).await;
    let (_, refused) = until_refused(125, move |i| async move {
        app.get(&format!("/search?q=word{i}"), None).await
    })
    .await;
    assert_rate_limited(&refused);
    let encoded = app
        .send(Method::GET, "/api/v1/%73earch?q=lunch", None, None)
        .await;
    assert_rate_limited(&encoded);
    // The page too.
    let page = app.get_page("/%73earch?q=lunch").await;
    assert_eq!(page.status.as_u16(), 429, "{}", page.text);

    // And a vote: `%6f` is `o`.
    let alice = &app.register("alice").await;
    let bob = &app.register("bob").await;
    let id = app
        .start_discussion(&alice.token, "people", "Vote on me", "Body")
        .await;
    app.post_json(
        &format!("/discussions/{id}/v%6fte"),
        bob.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect(200);
    fresh_window(60, 20).await;
    let (_, refused) = until_refused(125, move |i| async move {
        app.post_json(
            &format!("/discussions/{id}/vote"),
            bob.auth(),
            &json!({ "value": if i % 2 == 0 { 0 } else { 1 } }),
        )
        .await
    })
    .await;
    assert_rate_limited(&refused);
    let encoded = app
        .post_json(
            &format!("/discussions/{id}/v%6fte"),
            bob.auth(),
            &json!({"value": 0}),
        )
        .await;
    assert_rate_limited(&encoded);
}

#[tokio::test]
async fn a_members_edits_are_limited_to_30_a_minute_and_votes_count_apart() {
    let app = &spawn_app_with(|s| s.rate_limit = Switch::On).await;
    let alice = &app.register("alice").await;
    let bob = &app.register("bob").await;
    let id = app
        .start_discussion(&alice.token, "people", "Edited often", "First draft")
        .await;
    fresh_window(60, 20).await;
    let (ok, refused) = until_refused(65, move |i| async move {
        app.patch_json(
            &format!("/discussions/{id}"),
            alice.auth(),
            &json!({ "body": format!("Draft number {i}") }),
        )
        .await
    })
    .await;
    assert_rate_limited(&refused);
    assert_eq!(ok, 30, "edits before the refusal");
    // A comment edit is an edit too.
    let comment = app.comment(&alice.token, id, "A comment", None).await;
    let answer = app
        .patch_json(
            &format!("/comments/{comment}"),
            alice.auth(),
            &json!({"body": "Changed"}),
        )
        .await;
    assert_rate_limited(&answer);

    // Bob's votes: their own bucket, 60 a minute.
    fresh_window(60, 20).await;
    let (ok, refused) = until_refused(125, move |i| async move {
        app.post_json(
            &format!("/discussions/{id}/vote"),
            bob.auth(),
            &json!({ "value": if i % 2 == 0 { 1 } else { 0 } }),
        )
        .await
    })
    .await;
    assert_rate_limited(&refused);
    assert_eq!(ok, 60, "votes before the refusal");
    // Bob, out of votes, may still edit his own comment; Alice, out of edits, may vote.
    let bobs = app.comment(&bob.token, id, "Bob's comment", None).await;
    app.patch_json(
        &format!("/comments/{bobs}"),
        bob.auth(),
        &json!({"body": "Bob's comment, edited"}),
    )
    .await
    .expect(200);
    let bobs_discussion = app
        .start_discussion(&bob.token, "people", "Bob's thread", "Body")
        .await;
    app.post_json(
        &format!("/discussions/{bobs_discussion}/vote"),
        alice.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn previews_are_limited_to_60_a_minute() {
    let app = &spawn_app_with(|s| s.rate_limit = Switch::On).await;
    let alice = &app.register("alice").await;
    fresh_window(60, 20).await;
    let (ok, refused) = until_refused(125, move |i| async move {
        app.post_json(
            "/markdown/preview",
            alice.auth(),
            &json!({ "body": format!("*preview* {i}") }),
        )
        .await
    })
    .await;
    assert_rate_limited(&refused);
    assert_eq!(ok, 60, "previews before the refusal");
}

#[tokio::test]
async fn moderators_are_not_rate_limited() {
    let app = &spawn_app_with(|s| s.rate_limit = Switch::On).await;
    let moderator = &app.register_moderator("mod").await;
    let alice = &app.register("alice").await;
    let id = app
        .start_discussion(&moderator.token, "people", "House rules", "Be kind")
        .await;
    let hers = app
        .start_discussion(&alice.token, "people", "Alice asks", "Body")
        .await;
    all_succeed(130, "a moderator's search", move |i| async move {
        app.get(&format!("/search?q=word{i}"), moderator.auth())
            .await
    })
    .await;
    all_succeed(65, "a moderator's edit", move |i| async move {
        app.patch_json(
            &format!("/discussions/{id}"),
            moderator.auth(),
            &json!({ "body": format!("Be kind, take {i}") }),
        )
        .await
    })
    .await;
    all_succeed(130, "a moderator's vote", move |i| async move {
        app.post_json(
            &format!("/discussions/{hers}/vote"),
            moderator.auth(),
            &json!({ "value": if i % 2 == 0 { 1 } else { 0 } }),
        )
        .await
    })
    .await;
}

#[tokio::test]
async fn with_rate_limits_off_nothing_is_refused() {
    let app = &spawn_app().await;
    assert_eq!(app.settings.rate_limit, Switch::Off);
    let alice = &app.register("alice").await;
    let bob = &app.register("bob").await;
    let id = app
        .start_discussion(&alice.token, "people", "Unlimited", "Body")
        .await;
    all_succeed(130, "a visitor's search", move |i| async move {
        app.get(&format!("/search?q=word{i}"), None).await
    })
    .await;
    all_succeed(65, "an edit", move |i| async move {
        app.patch_json(
            &format!("/discussions/{id}"),
            alice.auth(),
            &json!({ "body": format!("Take {i}") }),
        )
        .await
    })
    .await;
    all_succeed(130, "a vote", move |i| async move {
        app.post_json(
            &format!("/discussions/{id}/vote"),
            bob.auth(),
            &json!({ "value": if i % 2 == 0 { 1 } else { 0 } }),
        )
        .await
    })
    .await;
    all_succeed(130, "a preview", move |i| async move {
        app.post_json(
            "/markdown/preview",
            bob.auth(),
            &json!({ "body": format!("x {i}") }),
        )
        .await
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Pictures
// ---------------------------------------------------------------------------------------

/// A remote picture becomes a link to it, never an `<img>`.
#[track_caller]
fn assert_picture_is_a_link(html: &str) {
    assert!(!html.contains("<img"), "an <img> in {html}");
    let start = html
        .find("<a href=\"https://evil.example/pixel.png\"")
        .unwrap_or_else(|| panic!("no link to the picture in {html}"));
    let end = start + html[start..].find("</a>").expect("the link's end");
    assert!(
        html[start..end].contains("Picture: chart"),
        "the link does not say what it is: {html}"
    );
}

#[tokio::test]
async fn pictures_are_shown_as_links_and_raw_img_tags_go() {
    let app = spawn_app().await;
    let alice = trusted(&app, "alice").await;

    let created = try_discussion(&app, &alice, "Our numbers", PICTURE)
        .await
        .expect(201);
    assert_picture_is_a_link(created["body_html"].as_str().expect("body_html"));
    let id = created["id"].as_i64().expect("an id");
    let shown = app.discussion(id, None).await;
    assert_picture_is_a_link(
        shown["discussion"]["body_html"]
            .as_str()
            .expect("body_html"),
    );

    let comment = try_comment(&app, &alice, id, PICTURE).await.expect(201);
    assert_picture_is_a_link(comment["body_html"].as_str().expect("body_html"));

    let preview = app
        .post_json("/markdown/preview", alice.auth(), &json!({"body": PICTURE}))
        .await
        .expect(200);
    assert_picture_is_a_link(preview["body_html"].as_str().expect("body_html"));

    // A raw tag is removed, whatever its attributes.
    for raw in [
        "Hello <img src=\"https://evil.example/x.png\"> there",
        "<img src=\"https://evil.example/x.png\" alt=\"x\" width=\"1\" height=\"1\">",
        "<IMG SRC=\"https://evil.example/x.png\">",
    ] {
        let preview = app
            .post_json("/markdown/preview", alice.auth(), &json!({"body": raw}))
            .await
            .expect(200);
        let html = preview["body_html"].as_str().expect("body_html");
        assert!(!html.to_lowercase().contains("<img"), "{raw:?} gave {html}");
        assert!(!html.contains("evil.example/x.png"), "{raw:?} gave {html}");
        let posted = try_comment(&app, &alice, id, raw).await.expect(201);
        let html = posted["body_html"].as_str().expect("body_html");
        assert!(!html.to_lowercase().contains("<img"), "{raw:?} gave {html}");
    }

    // The discussion's page embeds nothing from evil.example.
    let page = app.get_page(&format!("/discussions/{id}")).await;
    let page = if page.status.as_u16() == 301 || page.status.as_u16() == 308 {
        app.get_page(page.header("location").expect("a Location"))
            .await
    } else {
        page
    };
    let html = page.expect_html(200);
    assert!(
        !html.contains("src=\"https://evil.example"),
        "the page embeds a remote picture:\n{html}"
    );
}

#[tokio::test]
async fn the_content_security_policy_allows_only_our_own_pictures() {
    let app = spawn_app().await;
    let home = app.get_page("/").await;
    home.expect_html(200);
    let csp = home
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("no Content-Security-Policy on /: {:?}", home.headers));
    let img_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("img-src"))
        .unwrap_or_else(|| panic!("no img-src in {csp}"));
    assert_eq!(img_src, "img-src 'self' data:", "{csp}");
    assert!(!csp.contains("https:"), "{csp}");
    assert!(!csp.contains('*'), "{csp}");
}

// ---------------------------------------------------------------------------------------
// New members
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn new_members_may_not_post_pictures_three_links_or_three_mentions() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    for name in ["carol", "dave", "erin"] {
        app.register(name).await;
    }
    let id = app
        .start_discussion(&alice.token, "people", "Welcome thread", "Say hello")
        .await;
    let newbie = app.register("newbie").await;

    // Refused, and nothing is posted.
    for body in [PICTURE, THREE_LINKS, "Hi @carol @dave @erin"] {
        try_comment(&app, &newbie, id, body)
            .await
            .expect_invalid("body");
        try_discussion(&app, &newbie, "A first thread", body)
            .await
            .expect_invalid("body");
    }
    let page = app.discussion(id, None).await;
    assert_eq!(page["comments"], json!([]), "{page}");
    let db = app.db().await;
    let theirs = entity::discussion::Entity::find()
        .filter(entity::discussion::Column::Title.eq("A first thread"))
        .count(&db)
        .await
        .expect("counting discussions");
    db.close().await.expect("closing a connection");
    assert_eq!(theirs, 0, "a refused discussion was saved");

    // Two of each are fine.
    try_comment(&app, &newbie, id, TWO_LINKS).await.expect(201);
    try_comment(&app, &newbie, id, "Hi @carol and @dave")
        .await
        .expect(201);
    let ok = try_discussion(&app, &newbie, "Two links", TWO_LINKS)
        .await
        .expect(201);

    // Editing cannot smuggle them in either.
    let comment = app.comment(&newbie.token, id, "Plain words", None).await;
    app.patch_json(
        &format!("/comments/{comment}"),
        newbie.auth(),
        &json!({ "body": PICTURE }),
    )
    .await
    .expect_invalid("body");
    app.patch_json(
        &format!("/discussions/{}", ok["id"]),
        newbie.auth(),
        &json!({ "body": THREE_LINKS }),
    )
    .await
    .expect_invalid("body");

    // With 10 points the picture goes through.
    app.set_reputation("newbie", 10).await;
    try_comment(&app, &newbie, id, PICTURE).await.expect(201);
    try_comment(&app, &newbie, id, "Hi @carol @dave @erin")
        .await
        .expect(201);
    app.patch_json(
        &format!("/comments/{comment}"),
        newbie.auth(),
        &json!({ "body": THREE_LINKS }),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn moderators_are_exempt_from_the_new_member_limits() {
    let app = spawn_app().await;
    let moderator = app.register_moderator("mod").await;
    for name in ["carol", "dave", "erin"] {
        app.register(name).await;
    }
    let id = app
        .start_discussion(&moderator.token, "people", "Announcements", PICTURE)
        .await;
    for body in [PICTURE, THREE_LINKS, "Hi @carol @dave @erin"] {
        try_comment(&app, &moderator, id, body).await.expect(201);
    }
}

#[tokio::test]
async fn the_new_member_threshold_is_an_admin_setting() {
    let app = spawn_app().await;
    let root = app.register_admin("root").await;
    let alice = app.register("alice").await;
    let id = app
        .start_discussion(&alice.token, "people", "Thresholds", "Body")
        .await;
    let tenner = trusted(&app, "tenner").await;
    let newbie = app.register("newbie").await;

    try_comment(&app, &tenner, id, PICTURE).await.expect(201);
    try_comment(&app, &newbie, id, PICTURE)
        .await
        .expect_invalid("body");

    // Raised to 50: ten points are no longer enough.
    let settings = change_settings(&app, &root, json!({"new_member_reputation": 50})).await;
    assert_eq!(settings["new_member_reputation"], 50, "{settings}");
    let refused = try_comment(&app, &tenner, id, PICTURE)
        .await
        .expect_invalid("body");
    assert!(
        refused["fields"]["body"]
            .as_str()
            .is_some_and(|m| m.contains("50")),
        "the message names the threshold: {refused}"
    );

    // Lowered to 1: everyone is past it.
    change_settings(&app, &root, json!({"new_member_reputation": 1})).await;
    try_comment(&app, &newbie, id, PICTURE).await.expect(201);
    try_comment(&app, &tenner, id, PICTURE).await.expect(201);
}

// ---------------------------------------------------------------------------------------
// Caps on mentions and mail
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn only_the_first_max_mentions_members_are_notified() {
    let app = spawn_app().await;
    let root = app.register_admin("root").await;
    let alice = app.register("alice").await;
    let erin = app.register("erin").await;
    let carol = app.register("carol").await;
    let dave = app.register("dave").await;
    let talker = trusted(&app, "talker").await;
    let id = app
        .start_discussion(&alice.token, "people", "Who is in", "Roll call")
        .await;
    change_settings(&app, &root, json!({"max_mentions": 2})).await;

    // Written order, not alphabetical: erin and carol are the first two.
    app.comment(&talker.token, id, "Ping @erin @carol @dave", None)
        .await;
    for (who, expected) in [(&erin, 1), (&carol, 1), (&dave, 0)] {
        let mentions = notifications_of(&app, who, "mention").await;
        assert_eq!(
            mentions.len(),
            expected,
            "{} has {mentions:?}",
            who.username
        );
    }
    let mention = &notifications_of(&app, &erin, "mention").await[0];
    assert_eq!(mention["discussion_id"], id, "{mention}");
    assert_eq!(mention["actor"]["username"], "talker", "{mention}");
    // Alice hears of the reply as usual.
    assert_eq!(notifications_of(&app, &alice, "reply").await.len(), 1);

    // The cap raised to 3: a new comment notifies all three.
    change_settings(&app, &root, json!({"max_mentions": 3})).await;
    app.comment(&talker.token, id, "Again @erin @carol @dave", None)
        .await;
    assert_eq!(notifications_of(&app, &dave, "mention").await.len(), 1);
}

/// The outbox rows of one kind written for a member.
async fn mails_of(app: &TestApp, username: &str, kind: &str) -> u64 {
    let db = app.db().await;
    let id = member::Entity::find()
        .filter(member::Column::Username.eq(username))
        .one(&db)
        .await
        .expect("reading members")
        .expect("the member")
        .id;
    let count = outbox::Entity::find()
        .filter(outbox::Column::MemberId.eq(id))
        .filter(outbox::Column::Kind.eq(kind))
        .count(&db)
        .await
        .expect("counting the outbox");
    db.close().await.expect("closing a connection");
    count
}

#[tokio::test]
async fn a_member_gets_at_most_mails_per_hour_reply_mails() {
    let app = spawn_app().await;
    let root = app.register_admin("root").await;
    let alice = app.register("alice").await;
    let id = app
        .start_discussion(&alice.token, "people", "Busy thread", "Replies welcome")
        .await;
    let subscription = app
        .get(&format!("/discussions/{id}/subscription"), alice.auth())
        .await
        .expect(200);
    change_settings(&app, &root, json!({"mails_per_hour": 2})).await;

    for i in 0..4 {
        let replier = app.register(&format!("replier{i}")).await;
        app.comment(&replier.token, id, &format!("Reply number {i}"), None)
            .await;
    }

    assert_eq!(
        notifications_of(&app, &alice, "reply").await.len(),
        4,
        "every reply is notified in the app"
    );
    let db = app.db().await;
    let mails = mails_of(&app, "alice", "reply").await;
    assert_eq!(
        mails, 2,
        "alice ({subscription}) got {mails} reply mails with mails_per_hour = 2"
    );
    // The first replier, subscribed by commenting, heard of the three replies after
    // theirs: capped at 2 as well.
    let first_id = member::Entity::find()
        .filter(member::Column::Username.eq("replier0"))
        .one(&db)
        .await
        .expect("reading members")
        .expect("replier0")
        .id;
    let theirs = outbox::Entity::find()
        .filter(outbox::Column::MemberId.eq(first_id))
        .filter(outbox::Column::Kind.eq("reply"))
        .count(&db)
        .await
        .expect("counting the outbox");
    assert!(theirs <= 2, "replier0 got {theirs} reply mails");
    db.close().await.expect("closing a connection");
}

// ---------------------------------------------------------------------------------------
// Downvoters stay anonymous
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn only_the_voter_sees_the_cost_of_their_downvote() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bystander = app.register("bystander").await;
    let critic = app.register("critic").await;
    app.set_reputation("critic", 200).await;
    let id = app
        .start_discussion(&alice.token, "people", "Proposals", "Body")
        .await;
    let comment = app.comment(&alice.token, id, "A weak idea", None).await;

    let outcome = app
        .post_json(
            &format!("/comments/{comment}/vote"),
            critic.auth(),
            &json!({"value": -1}),
        )
        .await
        .expect(200);
    assert_eq!(outcome["score"], -1, "{outcome}");

    // The voter sees what it cost them.
    let own = ledger_kinds(&app, "critic", Some(&critic)).await;
    assert!(
        own.iter().any(|k| k == "downvote_cast"),
        "the voter's own ledger: {own:?}"
    );
    // Nobody else does: not a visitor, not the comment's author, not another member.
    for viewer in [None, Some(&alice), Some(&bystander)] {
        let seen = ledger_kinds(&app, "critic", viewer).await;
        assert!(
            !seen.iter().any(|k| k == "downvote_cast"),
            "{:?} sees {seen:?}",
            viewer.map(|v| &v.username)
        );
    }
    // The author still sees that they were downvoted, by nobody named.
    let hers = app
        .get("/members/alice/reputation", alice.auth())
        .await
        .expect(200);
    assert!(
        hers["events"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["kind"] == "downvote_received"),
        "{hers}"
    );
    assert!(!hers.to_string().contains("critic"), "{hers}");

    // Changing the downvote to an upvote: its reversal stays the voter's too.
    app.post_json(
        &format!("/comments/{comment}/vote"),
        critic.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect(200);
    let own_after = ledger_kinds(&app, "critic", Some(&critic)).await;
    let public_after = ledger_kinds(&app, "critic", None).await;
    assert!(
        own_after.len() > public_after.len(),
        "the voter's own rows are hidden from others: own {own_after:?}, public {public_after:?}"
    );
    assert!(
        !public_after.iter().any(|k| k == "downvote_cast"),
        "{public_after:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Notifications of deleted discussions
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn the_notifications_page_forgets_titles_of_deleted_discussions() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let moderator = app.register_moderator("mod").await;
    let title = "Zanzibar lighthouse rota";
    let id = app
        .start_discussion(&alice.token, "people", title, "Who takes Tuesdays?")
        .await;
    app.comment(&alice.token, id, "What do you think, @bob?", None)
        .await;
    assert_eq!(notifications_of(&app, &bob, "mention").await.len(), 1);

    let browser = app.browser();
    browser.sign_in("bob", PASSWORD).await.expect_see_other();
    let before = browser.get("/notifications").await;
    assert!(
        before.expect_html(200).contains(title),
        "the title is shown while the discussion lives:\n{}",
        before.text
    );

    app.delete(&format!("/discussions/{id}"), moderator.auth())
        .await
        .expect_status(204);

    let after = browser.get("/notifications").await;
    let html = after.expect_html(200);
    assert!(
        !html.contains(title) && !html.contains("Zanzibar"),
        "a deleted discussion's title is still on the notifications page:\n{html}"
    );
    // The notification itself is still listed (without the title).
    assert!(html.contains("mentioned you"), "{html}");
}

#[tokio::test]
async fn idea_status_mails_count_toward_mails_per_hour_too() {
    let app = spawn_app().await;
    let root = app.register_admin("root").await;
    let alice = app.register("alice").await;
    let lead = app.register("lead").await;
    app.set_role("lead", quorum::domain::Role::Leader).await;
    let id = app
        .start_discussion(&alice.token, "people", "Four-day week", "Worth a pilot?")
        .await;
    change_settings(&app, &root, json!({"mails_per_hour": 2})).await;
    for (status, note) in [
        ("under_review", "Looking at it."),
        ("planned", "In the Q3 plan."),
        ("adopted", "Piloting in March."),
        ("declined", "The pilot ended."),
    ] {
        app.send(
            reqwest::Method::PUT,
            &format!("/api/v1/discussions/{id}/idea"),
            lead.auth(),
            Some(&json!({"status": status, "note": note})),
        )
        .await
        .expect(200);
    }
    assert_eq!(
        notifications_of(&app, &alice, "idea_status").await.len(),
        4,
        "every change is notified in the app"
    );
    let mails = mails_of(&app, "alice", "idea_status").await;
    assert_eq!(
        mails, 2,
        "idea mails past the hour's allowance wait for the digest"
    );
}
