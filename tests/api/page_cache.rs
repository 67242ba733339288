//! The discussion page cache (`services::thread_cache`, issue #15), from the outside.
//!
//! Every instance keeps what all readers of a discussion's page see alike, and the
//! rendered page visitors get, while the discussion's `version` holds; triggers bump it
//! in every write's transaction. These tests warm the caches of two instances sharing
//! one database (every way a page is read: visitor and member, HTML and JSON), write
//! through one, and read through the other straight away: the write must show, and
//! nothing one reader may see must reach another. View counts, kept in memory and
//! written in batches, must keep rising and all reach the database.

use quorum::domain::Role;
use reqwest::Method;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, spawn_app};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Two instances on one database, as a company running several behind a load balancer
/// has. Each has its own data dir (search index, mail) and its own memory.
async fn two_instances() -> (TestApp, TestApp) {
    let first = spawn_app().await;
    let second = first.sibling().await;
    (first, second)
}

/// Who reads: a visitor (`None`) or a member.
type Viewer<'a> = Option<&'a TestUser>;

fn who(viewer: Viewer<'_>) -> String {
    viewer.map_or_else(|| "a visitor".to_string(), |u| u.username.clone())
}

fn token<'a>(viewer: Viewer<'a>) -> Option<&'a str> {
    viewer.map(|u| u.token.as_str())
}

/// `?after={id}`, or nothing.
fn query(after: Option<i64>) -> String {
    after.map(|a| format!("?after={a}")).unwrap_or_default()
}

/// The discussion's page as HTML (a member's through their bearer token, as the site
/// takes it too), expecting 200.
async fn html(app: &TestApp, id: i64, after: Option<i64>, viewer: Viewer<'_>) -> String {
    app.send(
        Method::GET,
        &format!("/discussions/{id}{}", query(after)),
        token(viewer),
        None,
    )
    .await
    .expect_html(200)
    .to_string()
}

/// The discussion's page as JSON (`GET /api/v1/discussions/{id}`), expecting 200.
async fn page(app: &TestApp, id: i64, after: Option<i64>, viewer: Viewer<'_>) -> Value {
    app.get(&format!("/discussions/{id}{}", query(after)), token(viewer))
        .await
        .expect(200)
}

/// Reads a page of the discussion every way it is cached, on every instance: as a
/// visitor and as each member, as HTML and as JSON. (The visitor's HTML is read last
/// too, so it is kept rendered from a copy members' reads built.)
async fn warm(apps: &[&TestApp], id: i64, after: Option<i64>, members: &[&TestUser]) {
    for app in apps {
        html(app, id, after, None).await;
        page(app, id, after, None).await;
        for member in members {
            html(app, id, after, Some(member)).await;
            page(app, id, after, Some(member)).await;
        }
        html(app, id, after, None).await;
    }
}

/// Reads the page on `app` as each viewer, the visitor's HTML first (before anything
/// rebuilds the copy behind it), and runs the checks on what each one gets.
async fn check_pages(
    app: &TestApp,
    id: i64,
    after: Option<i64>,
    viewers: &[Viewer<'_>],
    on_json: impl Fn(&Value, &str),
    on_html: impl Fn(&str, &str),
) {
    for &viewer in viewers {
        let name = who(viewer);
        on_html(&html(app, id, after, viewer).await, &name);
        on_json(&page(app, id, after, viewer).await, &name);
    }
}

/// A comment of a JSON page.
#[track_caller]
fn comment_of(page: &Value, id: i64) -> &Value {
    page["comments"]
        .as_array()
        .unwrap_or_else(|| panic!("no comments in {page}"))
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("comment {id} is not on the page: {page}"))
}

/// The ids of the comments of a JSON page, in order.
fn comment_ids(page: &Value) -> Vec<i64> {
    page["comments"]
        .as_array()
        .unwrap_or_else(|| panic!("no comments in {page}"))
        .iter()
        .filter_map(|c| c["id"].as_i64())
        .collect()
}

/// The text of `html` from `start` to the next `end` (both excluded), if `start` is in it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(start)? + start.len();
    let rest = &html[from..];
    Some(&rest[..rest.find(end).unwrap_or(rest.len())])
}

/// The discussion's own header: title, author, counts and tags.
#[track_caller]
fn header(html: &str) -> &str {
    between(html, "<article class=\"discussion\"", "</header>")
        .unwrap_or_else(|| panic!("no discussion on the page:\n{html}"))
}

/// The discussion's body and actions (its article, after the header).
#[track_caller]
fn article(html: &str) -> &str {
    between(html, "<article class=\"discussion\"", "</article>")
        .unwrap_or_else(|| panic!("no discussion on the page:\n{html}"))
}

/// The list item of a comment, if the page shows it.
fn comment_html(html: &str, id: i64) -> Option<&str> {
    between(html, &format!("id=\"comment-{id}\">"), "</li>")
}

#[track_caller]
fn comment_item(html: &str, id: i64) -> &str {
    comment_html(html, id).unwrap_or_else(|| panic!("comment {id} is not on the page:\n{html}"))
}

/// The ids of the comments an HTML page shows, in order.
fn html_comment_ids(html: &str) -> Vec<i64> {
    html.split("id=\"comment-")
        .skip(1)
        .filter_map(|rest| rest[..rest.find('"')?].parse().ok())
        .collect()
}

/// The vote box of a post (`kind` "discussion" or "comment").
#[track_caller]
fn vote_box<'a>(html: &'a str, kind: &str, id: i64) -> &'a str {
    between(html, &format!("id=\"votes-{kind}-{id}\""), "</div>")
        .unwrap_or_else(|| panic!("no vote box for {kind} {id} on the page:\n{html}"))
}

/// The score a post's vote box shows.
#[track_caller]
fn shown_score(html: &str, kind: &str, id: i64) -> i64 {
    let vote_box = vote_box(html, kind, id);
    between(
        vote_box,
        "<span class=\"score\" aria-label=\"score\">",
        "</span>",
    )
    .and_then(|s| s.trim().parse().ok())
    .unwrap_or_else(|| panic!("no score in the vote box of {kind} {id}:\n{vote_box}"))
}

/// Whether a post's upvote button is pressed; `None` when the page has no vote buttons
/// for it (a visitor's page, or the post's author's).
#[track_caller]
fn upvote_pressed(html: &str, kind: &str, id: i64) -> Option<bool> {
    let vote_box = vote_box(html, kind, id);
    let button = between(vote_box, "class=\"vote up", ">")?;
    Some(button.contains("aria-pressed=\"true\""))
}

/// The view count the page's header shows ("· 3 views").
#[track_caller]
fn shown_views(html: &str) -> i64 {
    let header = header(html);
    let meta = between(header, "<p class=\"meta\">", "</p>")
        .unwrap_or_else(|| panic!("no meta line in the header:\n{header}"));
    let at = meta
        .find(" view")
        .unwrap_or_else(|| panic!("no view count in the header:\n{header}"));
    let digits: String = meta[..at]
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no view count in the header:\n{header}"))
}

/// What a visitor's page must never carry: anything of a member (their name in the
/// header, a form that writes, a CSRF token, the moderators' buttons).
#[track_caller]
fn assert_a_visitors_page(html: &str, members: &[&TestUser], context: &str) {
    for leak in [
        "csrf_token",
        "method=\"post\"",
        "me-name",
        "/signout",
        "aria-pressed",
        "Sign out",
        "/notifications",
        "/review",
        "flag-link",
        "reply-form",
        ">Lock<",
        ">Unlock<",
        ">Pin<",
        ">Edit<",
        ">Delete<",
    ] {
        assert!(
            !html.contains(leak),
            "{context}: a visitor's page contains {leak:?}:\n{html}"
        );
    }
    let menu = between(html, "<div class=\"member-menu\">", "</div>")
        .unwrap_or_else(|| panic!("{context}: no member menu:\n{html}"));
    assert!(
        menu.contains("Sign in") && menu.contains("href=\"/join\""),
        "{context}: a visitor is not offered to sign in:\n{menu}"
    );
    for member in members {
        assert!(
            !menu.contains(&member.username) && !menu.contains("/members/"),
            "{context}: a visitor's page has {} signed in:\n{menu}",
            member.username
        );
    }
}

/// The database's record of a discussion, read directly.
async fn stored(app: &TestApp, id: i64) -> entity::discussion::Model {
    let db = app.db().await;
    let row = entity::discussion::Entity::find_by_id(id as i32)
        .one(&db)
        .await
        .expect("reading a discussion")
        .expect("the discussion");
    db.close().await.expect("closing a connection");
    row
}

/// Registers a member whose flags count toward hiding a post (reputation 100).
async fn trusted(app: &TestApp, username: &str) -> TestUser {
    let user = app.register(username).await;
    app.set_reputation(username, 100).await;
    user
}

/// Flags a post (`kind` "discussion" or "comment") as spam; expects it filed.
async fn flag(app: &TestApp, by: &TestUser, kind: &str, id: i64) {
    app.post_json(
        &format!("/{kind}s/{id}/flags"),
        by.auth(),
        &json!({"reason": "spam"}),
    )
    .await
    .expect(201);
}

/// A moderator's decision on the review item of a post.
async fn decide(app: &TestApp, moderator: &TestUser, kind: &str, id: i64, decision: Value) {
    let queue = app
        .get("/review?status=all", moderator.auth())
        .await
        .expect(200);
    let item = queue["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {queue}"))
        .iter()
        .find(|i| i["target"]["kind"] == kind && i["target"]["id"] == id)
        .unwrap_or_else(|| panic!("no review item for {kind} {id} in {queue}"))
        .clone();
    app.post_json(
        &format!("/review/{}", item["id"]),
        moderator.auth(),
        &decision,
    )
    .await
    .expect(200);
}

// ---------------------------------------------------------------------------------------
// A write through one instance shows at once through another
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn edits_replies_and_deletions_through_one_instance_show_at_once_on_another() {
    let (a, b) = two_instances().await;
    let alice = a.register("alice").await;
    let bob = a.register("bob").await;
    let id = a
        .start_discussion(
            &alice.token,
            "people",
            "Cache edits",
            "The original opening",
        )
        .await;
    let first = a
        .comment(&bob.token, id, "A reply as first posted", None)
        .await;
    let second = a
        .comment(&alice.token, id, "A reply soon deleted", None)
        .await;
    let viewers = [None, Some(&alice), Some(&bob)];
    warm(&[&a, &b], id, None, &[&alice, &bob]).await;

    // The discussion's body, edited through A.
    a.patch_json(
        &format!("/discussions/{id}"),
        alice.auth(),
        &json!({"body": "The opening as edited"}),
    )
    .await
    .expect(200);
    for app in [&b, &a] {
        check_pages(
            app,
            id,
            None,
            &viewers,
            |p, who| {
                assert_eq!(
                    p["discussion"]["body"], "The opening as edited",
                    "editing the discussion: {who} still gets the old body: {p}"
                );
                assert_eq!(p["discussion"]["edited"], true, "{who}: {p}");
            },
            |h, who| {
                let body = article(h);
                assert!(
                    body.contains("The opening as edited") && !body.contains("original opening"),
                    "editing the discussion: {who}'s page shows the old body:\n{body}"
                );
                assert!(
                    header(h).contains(">edited"),
                    "{who}: not marked edited:\n{}",
                    header(h)
                );
            },
        )
        .await;
    }

    // A new reply, posted through A.
    let third = a.comment(&bob.token, id, "A brand new reply", None).await;
    for app in [&b, &a] {
        check_pages(
            app,
            id,
            None,
            &viewers,
            |p, who| {
                assert_eq!(
                    comment_ids(p),
                    [first, second, third],
                    "a new reply: {who} does not get it: {p}"
                );
                assert_eq!(p["discussion"]["comment_count"], 3, "{who}: {p}");
                assert_eq!(comment_of(p, third)["body"], "A brand new reply");
            },
            |h, who| {
                assert_eq!(
                    html_comment_ids(h),
                    [first, second, third],
                    "a new reply: {who}'s page does not show it"
                );
                assert!(
                    comment_item(h, third).contains("A brand new reply"),
                    "{who}"
                );
                assert!(h.contains(">3 replies<"), "{who}: the count is stale:\n{h}");
            },
        )
        .await;
    }

    // The first reply, edited by its author through A.
    a.patch_json(
        &format!("/comments/{first}"),
        bob.auth(),
        &json!({"body": "A reply after its edit"}),
    )
    .await
    .expect(200);
    for app in [&b, &a] {
        check_pages(
            app,
            id,
            None,
            &viewers,
            |p, who| {
                let c = comment_of(p, first);
                assert_eq!(
                    c["body"], "A reply after its edit",
                    "editing a reply: {who} still gets the old text: {c}"
                );
                assert_eq!(c["edited"], true, "{who}: {c}");
            },
            |h, who| {
                let c = comment_item(h, first);
                assert!(
                    c.contains("A reply after its edit") && !c.contains("as first posted"),
                    "editing a reply: {who}'s page shows the old text:\n{c}"
                );
                assert!(c.contains(">edited"), "{who}: not marked edited:\n{c}");
            },
        )
        .await;
    }

    // The second reply, deleted by its author through A.
    a.delete(&format!("/comments/{second}"), alice.auth())
        .await
        .expect_status(204);
    for app in [&b, &a] {
        check_pages(
            app,
            id,
            None,
            &viewers,
            |p, who| {
                let c = comment_of(p, second);
                assert_eq!(
                    c["deleted"], true,
                    "deleting a reply: {who} still gets it: {c}"
                );
                assert_eq!(c["body"], Value::Null, "{who}: {c}");
                assert_eq!(c["author"], Value::Null, "{who}: {c}");
            },
            |h, who| {
                let c = comment_item(h, second);
                assert!(
                    c.contains("This reply was deleted.") && !c.contains("soon deleted"),
                    "deleting a reply: {who}'s page still shows it:\n{c}"
                );
            },
        )
        .await;
    }

    // And the other way round: written through B, read through A.
    b.comment(&alice.token, id, "Written through the other one", None)
        .await;
    for &viewer in &viewers {
        assert!(
            html(&a, id, None, viewer)
                .await
                .contains("Written through the other one"),
            "a reply through B: {} does not see it on A",
            who(viewer)
        );
    }
}

#[tokio::test]
async fn votes_and_recognition_through_one_instance_show_at_once_on_another() {
    let (a, b) = two_instances().await;
    let alice = a.register("alice").await;
    let bob = a.register("bob").await;
    let carol = a.register("carol").await;
    let lead = a.register("lead").await;
    a.set_role("lead", Role::Leader).await;
    let id = a
        .start_discussion(&alice.token, "people", "Cache votes", "Vote on this")
        .await;
    let c = a.comment(&bob.token, id, "Vote on this reply", None).await;
    let viewers = [None, Some(&alice), Some(&bob), Some(&carol)];
    warm(&[&a, &b], id, None, &[&alice, &bob, &carol]).await;

    // Carol upvotes the reply and the discussion through A.
    a.post_json(
        &format!("/comments/{c}/vote"),
        carol.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect(200);
    a.post_json(
        &format!("/discussions/{id}/vote"),
        carol.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect(200);
    for app in [&b, &a] {
        check_pages(
            app,
            id,
            None,
            &viewers,
            |p, who| {
                assert_eq!(
                    comment_of(p, c)["score"],
                    1,
                    "a vote on a reply: {who} gets the old score: {p}"
                );
                assert_eq!(
                    p["discussion"]["score"], 1,
                    "a vote on the discussion: {who} gets the old score: {p}"
                );
                let mine = i64::from(who == "carol");
                assert_eq!(comment_of(p, c)["my_vote"], mine, "{who}: {p}");
                assert_eq!(p["discussion"]["my_vote"], mine, "{who}: {p}");
            },
            |h, who| {
                assert_eq!(
                    shown_score(h, "comment", c),
                    1,
                    "a vote on a reply: {who}'s page shows the old score"
                );
                assert_eq!(
                    shown_score(h, "discussion", id),
                    1,
                    "a vote on the discussion: {who}'s page shows the old score"
                );
                let expected = match who {
                    "a visitor" => (None, None),
                    // No vote on one's own post.
                    "alice" => (Some(false), None),
                    "bob" => (None, Some(false)),
                    _ => (Some(true), Some(true)),
                };
                assert_eq!(
                    (
                        upvote_pressed(h, "comment", c),
                        upvote_pressed(h, "discussion", id)
                    ),
                    expected,
                    "{who}'s own votes (on the reply, on the discussion)"
                );
            },
        )
        .await;
    }

    // Carol takes back her vote on the reply through B; A shows the score fall.
    b.post_json(
        &format!("/comments/{c}/vote"),
        carol.auth(),
        &json!({"value": 0}),
    )
    .await
    .expect(200);
    check_pages(
        &a,
        id,
        None,
        &viewers,
        |p, who| {
            assert_eq!(comment_of(p, c)["score"], 0, "{who}: {p}");
            assert_eq!(comment_of(p, c)["my_vote"], 0, "{who}: {p}");
        },
        |h, who| {
            assert_eq!(shown_score(h, "comment", c), 0, "{who}");
            assert_ne!(upvote_pressed(h, "comment", c), Some(true), "{who}");
        },
    )
    .await;

    // A leader recognises the reply as a Great Idea through A.
    a.post_json(&format!("/comments/{c}/recognize"), lead.auth(), &json!({}))
        .await
        .expect(200);
    check_pages(
        &b,
        id,
        None,
        &viewers,
        |p, who| {
            assert_eq!(
                comment_of(p, c)["recognized"],
                true,
                "recognition: {who} does not get it: {p}"
            );
        },
        |h, who| {
            assert!(
                comment_item(h, c).contains("Great Idea"),
                "recognition: {who}'s page does not show it"
            );
        },
    )
    .await;
}

#[tokio::test]
async fn a_moderators_lock_and_pin_through_one_instance_show_at_once_on_another() {
    let (a, b) = two_instances().await;
    let alice = a.register("alice").await;
    let bob = a.register("bob").await;
    let moderator = a.register_moderator("mod").await;
    let id = a
        .start_discussion(&alice.token, "people", "Cache moderation", "Moderate this")
        .await;
    a.comment(&bob.token, id, "Before the lock", None).await;
    let viewers = [None, Some(&alice), Some(&bob), Some(&moderator)];
    warm(&[&a, &b], id, None, &[&alice, &bob, &moderator]).await;
    for app in [&a, &b] {
        assert!(
            html(app, id, None, Some(&bob))
                .await
                .contains("id=\"reply\""),
            "bob is not offered to reply before the lock"
        );
    }

    a.post_json(
        &format!("/discussions/{id}/lock"),
        moderator.auth(),
        &json!({"locked": true}),
    )
    .await
    .expect(200);
    for app in [&b, &a] {
        check_pages(
            app,
            id,
            None,
            &viewers,
            |p, who| {
                assert_eq!(
                    p["discussion"]["locked"], true,
                    "locking: {who} gets it unlocked: {p}"
                );
            },
            |h, who| {
                assert!(
                    header(h).contains("tag locked\">Locked<"),
                    "locking: {who}'s page does not say Locked:\n{}",
                    header(h)
                );
                match who {
                    "mod" => assert!(h.contains("value=\"unlock\""), "mod:\n{h}"),
                    "a visitor" => {}
                    _ => {
                        assert!(
                            !h.contains("id=\"reply\"") && h.contains("This discussion is locked"),
                            "locking: {who} is still offered to reply:\n{h}"
                        );
                    }
                }
            },
        )
        .await;
    }
    // A member's reply is refused through B as well.
    b.post_json(
        &format!("/discussions/{id}/comments"),
        bob.auth(),
        &json!({"body": "After the lock"}),
    )
    .await
    .expect_error(403, "discussion_locked");

    a.post_json(
        &format!("/discussions/{id}/pin"),
        moderator.auth(),
        &json!({"pinned": true}),
    )
    .await
    .expect(200);
    for app in [&b, &a] {
        check_pages(
            app,
            id,
            None,
            &viewers,
            |p, who| {
                assert_eq!(
                    p["discussion"]["pinned"], true,
                    "pinning: {who} gets it unpinned: {p}"
                );
            },
            |h, who| {
                assert!(
                    header(h).contains("tag pinned\">Pinned<"),
                    "pinning: {who}'s page does not say Pinned:\n{}",
                    header(h)
                );
            },
        )
        .await;
    }

    // Unlocked through B: A offers the reply form again.
    b.post_json(
        &format!("/discussions/{id}/lock"),
        moderator.auth(),
        &json!({"locked": false}),
    )
    .await
    .expect(200);
    check_pages(
        &a,
        id,
        None,
        &viewers,
        |p, who| {
            assert_eq!(p["discussion"]["locked"], false, "unlocking: {who}: {p}");
        },
        |h, who| {
            assert!(
                !header(h).contains("Locked"),
                "unlocking: {who}'s page still says Locked"
            );
            if who != "a visitor" {
                assert!(
                    h.contains("id=\"reply\""),
                    "unlocking: {who} is not offered to reply:\n{h}"
                );
            }
        },
    )
    .await;
}

#[tokio::test]
async fn hiding_by_flags_and_a_review_decision_shows_at_once_on_another_instance() {
    let (a, b) = two_instances().await;
    let alice = a.register("alice").await;
    let bob = a.register("bob").await;
    let moderator = a.register_moderator("mod").await;
    let flaggers = [
        trusted(&a, "carol").await,
        trusted(&a, "dave").await,
        trusted(&a, "erin").await,
    ];
    let id = a
        .start_discussion(&alice.token, "people", "Cache hiding", "Nothing to see")
        .await;
    let c = a.comment(&bob.token, id, "Flagged words here", None).await;
    let viewers = [None, Some(&alice), Some(&bob), Some(&moderator)];
    warm(&[&a, &b], id, None, &[&alice, &bob, &moderator]).await;

    // Enough flags through A hide the reply: gone on B for all but bob and moderators.
    for who in &flaggers {
        flag(&a, who, "comment", c).await;
    }
    let sees_it = |who: &str| who == "bob" || who == "mod";
    check_pages(
        &b,
        id,
        None,
        &viewers,
        |p, who| {
            let seen = comment_of(p, c);
            assert_eq!(seen["hidden"], true, "hidden by flags: {who}: {seen}");
            if sees_it(who) {
                assert_eq!(seen["body"], "Flagged words here", "{who}: {seen}");
            } else {
                assert_eq!(
                    seen["body"],
                    Value::Null,
                    "hidden by flags: {who} still gets the body: {seen}"
                );
            }
        },
        |h, who| {
            let item = comment_item(h, c);
            assert!(
                item.contains("This reply is hidden"),
                "hidden by flags: {who}'s page does not say so:\n{item}"
            );
            assert_eq!(
                item.contains("Flagged words here"),
                sees_it(who),
                "hidden by flags: what {who} sees of the body:\n{item}"
            );
        },
    )
    .await;

    // The moderator disagrees through B: shown again on A.
    decide(
        &b,
        &moderator,
        "comment",
        c,
        json!({"decision": "disagree"}),
    )
    .await;
    check_pages(
        &a,
        id,
        None,
        &viewers,
        |p, who| {
            let seen = comment_of(p, c);
            assert_eq!(seen["hidden"], false, "a disagreement: {who}: {seen}");
            assert_eq!(seen["body"], "Flagged words here", "{who}: {seen}");
        },
        |h, who| {
            let item = comment_item(h, c);
            assert!(
                item.contains("Flagged words here") && !item.contains("is hidden"),
                "a disagreement: {who}'s page still hides the reply:\n{item}"
            );
        },
    )
    .await;

    // One flag on the discussion, and the moderator agrees to hide it through A.
    flag(&a, &flaggers[0], "discussion", id).await;
    html(&b, id, None, None).await;
    decide(
        &a,
        &moderator,
        "discussion",
        id,
        json!({"decision": "agree", "action": "hide"}),
    )
    .await;
    let sees_it = |who: &str| who == "alice" || who == "mod";
    check_pages(
        &b,
        id,
        None,
        &viewers,
        |p, who| {
            assert_eq!(p["discussion"]["hidden"], true, "{who}: {p}");
            let body = if sees_it(who) { "Nothing to see" } else { "" };
            assert_eq!(
                p["discussion"]["body"], body,
                "hidden by a decision: what {who} gets of the body: {p}"
            );
        },
        |h, who| {
            let body = article(h);
            assert!(
                body.contains("This discussion is hidden"),
                "hidden by a decision: {who}'s page does not say so:\n{body}"
            );
            assert_eq!(
                body.contains("Nothing to see"),
                sees_it(who),
                "hidden by a decision: what {who} sees of the body:\n{body}"
            );
        },
    )
    .await;
}

#[tokio::test]
async fn a_deleted_discussion_is_gone_at_once_from_every_instance() {
    let (a, b) = two_instances().await;
    let alice = a.register("alice").await;
    let bob = a.register("bob").await;
    let moderator = a.register_moderator("mod").await;
    let id = a
        .start_discussion(&alice.token, "people", "Cache deletion", "Soon gone")
        .await;
    let first = a.comment(&bob.token, id, "One", None).await;
    a.comment(&bob.token, id, "Two", None).await;
    warm(&[&a, &b], id, None, &[&alice, &bob]).await;
    warm(&[&a, &b], id, Some(first), &[&alice, &bob]).await;
    html(&b, id, None, None).await;

    // Others replied, so only a moderator may delete it.
    a.delete(&format!("/discussions/{id}"), moderator.auth())
        .await
        .expect_status(204);
    for app in [&b, &a] {
        for viewer in [None, Some(&alice), Some(&bob)] {
            for after in [None, Some(first)] {
                let q = query(after);
                app.get(&format!("/discussions/{id}{q}"), token(viewer))
                    .await
                    .expect_error(404, "not_found");
                let answer = app
                    .send(
                        Method::GET,
                        &format!("/discussions/{id}{q}"),
                        token(viewer),
                        None,
                    )
                    .await;
                assert_eq!(
                    answer.status.as_u16(),
                    404,
                    "a deleted discussion: {} still gets its page{q}:\n{}",
                    who(viewer),
                    answer.text
                );
                assert!(!answer.text.contains("Soon gone"), "{}", answer.text);
            }
        }
    }
}

#[tokio::test]
async fn a_poll_added_to_a_discussion_shows_at_once_on_every_instance() {
    let (a, b) = two_instances().await;
    let alice = a.register("alice").await;
    let bob = a.register("bob").await;
    let id = a
        .start_discussion(&alice.token, "people", "Cache polls", "A poll comes later")
        .await;
    warm(&[&a, &b], id, None, &[&alice, &bob]).await;

    a.post_json(
        &format!("/discussions/{id}/poll"),
        alice.auth(),
        &json!({"question": "Which day suits?", "options": ["Monday", "Friday"]}),
    )
    .await
    .expect(201);
    for app in [&b, &a] {
        check_pages(
            app,
            id,
            None,
            &[None, Some(&alice), Some(&bob)],
            |p, who| {
                assert_eq!(
                    p["poll"]["question"], "Which day suits?",
                    "a poll added to a discussion whose page was cached: {who} does not get it \
                     (does adding a poll bump discussions.version?): {p}"
                );
            },
            |h, who| {
                assert!(
                    h.contains("Which day suits?"),
                    "a poll added to a discussion whose page was cached: {who}'s page does \
                     not show it (does adding a poll bump discussions.version?)"
                );
            },
        )
        .await;
    }
}

// ---------------------------------------------------------------------------------------
// What one reader sees never reaches another
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn the_visitors_cached_page_carries_nothing_of_a_member_and_members_see_their_own() {
    let (a, b) = two_instances().await;
    let alice = a.register("alice").await;
    let bob = a.register("bob").await;
    let moderator = a.register_moderator("mod").await;
    let id = a
        .start_discussion(
            &alice.token,
            "people",
            "Cache privacy",
            "Whose page is this",
        )
        .await;
    let c = a.comment(&bob.token, id, "A reply to vote on", None).await;
    // Alice's own vote, on bob's reply.
    a.post_json(
        &format!("/comments/{c}/vote"),
        alice.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect(200);
    // Bob, in a browser with a cookie session, on each instance.
    let browser_a = a.browser();
    browser_a
        .sign_in("bob", crate::helpers::PASSWORD)
        .await
        .expect_see_other();
    let browser_b = b.browser();
    browser_b
        .sign_in("bob", crate::helpers::PASSWORD)
        .await
        .expect_see_other();
    let members = [&alice, &bob, &moderator];
    let path = format!("/discussions/{id}");

    for app in [&a, &b] {
        let browser = if std::ptr::eq(app, &a) {
            &browser_a
        } else {
            &browser_b
        };
        // Members read first, so the copy (and anything rendered) is theirs to leak; then
        // the visitor, then the members again, then the visitor again.
        for round in 0..2 {
            let context = format!("instance {}, round {round}", app.port);
            let alices = html(app, id, None, Some(&alice)).await;
            assert_eq!(
                upvote_pressed(&alices, "comment", c),
                Some(true),
                "{context}: alice's page does not show her own vote"
            );
            assert!(
                alices.contains("<span class=\"me-name\">alice</span>"),
                "{context}: alice's page does not name her"
            );
            assert!(
                !alices.contains("value=\"lock\""),
                "{context}: alice is offered a moderator's buttons"
            );
            assert!(
                alices.contains(&format!("href=\"/discussions/{id}/edit\"")),
                "{context}: alice may not edit her own discussion"
            );
            assert!(
                !alices.contains(&format!("href=\"/comments/{c}/edit\"")),
                "{context}: alice may edit bob's reply"
            );
            let alices_json = page(app, id, None, Some(&alice)).await;
            assert_eq!(comment_of(&alices_json, c)["my_vote"], 1, "{context}");

            let mods = html(app, id, None, Some(&moderator)).await;
            assert!(
                mods.contains("value=\"lock\"") && mods.contains("value=\"pin\""),
                "{context}: the moderator has no moderator's buttons"
            );
            assert_eq!(
                upvote_pressed(&mods, "comment", c),
                Some(false),
                "{context}: alice's vote shows on the moderator's page"
            );

            let bobs = browser.get(&path).await;
            let bobs = bobs.expect_html(200);
            assert!(
                bobs.contains("<span class=\"me-name\">bob</span>"),
                "{context}: bob's page does not name him"
            );
            assert_eq!(
                upvote_pressed(bobs, "discussion", id),
                Some(false),
                "{context}: alice's or nobody's vote on bob's page"
            );
            assert!(
                !bobs.contains("me-name\">alice"),
                "{context}: bob's page names alice"
            );
            assert!(
                bobs.contains(&format!("href=\"/comments/{c}/edit\""))
                    && !bobs.contains(&format!("href=\"/discussions/{id}/edit\"")),
                "{context}: bob may edit what is not his, or not his own reply"
            );
            assert!(
                !bobs.contains("value=\"lock\""),
                "{context}: bob is offered a moderator's buttons"
            );
            let bobs_json = page(app, id, None, Some(&bob)).await;
            assert_eq!(comment_of(&bobs_json, c)["my_vote"], 0, "{context}");

            let visitors = app.get_page(&path).await;
            let visitors = visitors.expect_html(200);
            assert_a_visitors_page(visitors, &members, &context);
            assert_eq!(upvote_pressed(visitors, "comment", c), None, "{context}");
            assert_eq!(shown_score(visitors, "comment", c), 1, "{context}");
            let visitors_json = page(app, id, None, None).await;
            assert_eq!(comment_of(&visitors_json, c)["my_vote"], 0, "{context}");
            assert_eq!(visitors_json["discussion"]["my_vote"], 0, "{context}");
        }
    }

    // A write, then the visitor first: the page rendered anew carries nothing either,
    // and members still get their own.
    a.comment(&bob.token, id, "A second reply", None).await;
    for app in [&b, &a] {
        let visitors = app.get_page(&path).await;
        let visitors = visitors.expect_html(200);
        assert_a_visitors_page(visitors, &members, "after a write");
        assert!(visitors.contains("A second reply"));
        let alices = html(app, id, None, Some(&alice)).await;
        assert_eq!(upvote_pressed(&alices, "comment", c), Some(true));
        let visitors = app.get_page(&path).await;
        assert_a_visitors_page(visitors.expect_html(200), &members, "after a write, again");
    }
}

#[tokio::test]
async fn hidden_posts_stay_hidden_from_others_when_a_moderator_filled_the_cache() {
    let (a, b) = two_instances().await;
    let alice = a.register("alice").await;
    let bob = a.register("bob").await;
    let carol = a.register("carol").await;
    let moderator = a.register_moderator("mod").await;
    let id = a
        .start_discussion(
            &alice.token,
            "people",
            "Cache hidden posts",
            "Secret opening",
        )
        .await;
    let c = a.comment(&bob.token, id, "Secret reply", None).await;
    for name in ["erin", "finn", "gina"] {
        let who = trusted(&a, name).await;
        flag(&a, &who, "comment", c).await;
        flag(&a, &who, "discussion", id).await;
    }

    for app in [&a, &b] {
        // The moderator reads first, every way: the copy is built and the page rendered
        // while a reader who may see everything is looking.
        let mods = html(app, id, None, Some(&moderator)).await;
        assert!(
            mods.contains("Secret opening") && mods.contains("Secret reply"),
            "a moderator sees hidden posts:\n{mods}"
        );
        let mods = page(app, id, None, Some(&moderator)).await;
        assert_eq!(mods["discussion"]["body"], "Secret opening", "{mods}");
        assert_eq!(comment_of(&mods, c)["body"], "Secret reply", "{mods}");

        // Then a visitor and another member: nothing of either post.
        for viewer in [None, Some(&carol)] {
            let name = who(viewer);
            for _ in 0..2 {
                let h = html(app, id, None, viewer).await;
                assert!(
                    !h.contains("Secret opening") && !h.contains("Secret reply"),
                    "{name} sees a hidden post after a moderator read the page:\n{h}"
                );
                assert!(h.contains("This discussion is hidden"), "{name}:\n{h}");
                assert!(
                    comment_item(&h, c).contains("This reply is hidden"),
                    "{name}:\n{h}"
                );
                let p = page(app, id, None, viewer).await;
                assert!(
                    !p.to_string().contains("Secret"),
                    "{name} gets a hidden post after a moderator read the page: {p}"
                );
                assert_eq!(p["discussion"]["hidden"], true, "{p}");
                assert_eq!(comment_of(&p, c)["hidden"], true, "{p}");
            }
        }

        // Each author sees their own, and only their own.
        let alices = page(app, id, None, Some(&alice)).await;
        assert_eq!(alices["discussion"]["body"], "Secret opening", "{alices}");
        assert_eq!(comment_of(&alices, c)["body"], Value::Null, "{alices}");
        let alices = html(app, id, None, Some(&alice)).await;
        assert!(
            alices.contains("Secret opening") && !alices.contains("Secret reply"),
            "alice:\n{alices}"
        );
        let bobs = page(app, id, None, Some(&bob)).await;
        assert_eq!(bobs["discussion"]["body"], "", "{bobs}");
        assert_eq!(comment_of(&bobs, c)["body"], "Secret reply", "{bobs}");
        let bobs = html(app, id, None, Some(&bob)).await;
        assert!(
            !bobs.contains("Secret opening") && bobs.contains("Secret reply"),
            "bob:\n{bobs}"
        );

        // And the moderator still sees both after the others read.
        let mods = html(app, id, None, Some(&moderator)).await;
        assert!(
            mods.contains("Secret opening") && mods.contains("Secret reply"),
            "{mods}"
        );
        // The visitor once more, after everyone.
        let h = html(app, id, None, None).await;
        assert!(!h.contains("Secret"), "a visitor sees a hidden post:\n{h}");
    }
}

// ---------------------------------------------------------------------------------------
// Later pages of a thread
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn later_pages_of_a_thread_are_cached_apart_and_invalidated_too() {
    let (a, b) = two_instances().await;
    let alice = a.register("alice").await;
    let bob = a.register("bob").await;
    let id = a
        .start_discussion(&alice.token, "people", "Cache pages", "A thread in pages")
        .await;
    let one = a.comment(&bob.token, id, "Reply number one", None).await;
    let two = a.comment(&bob.token, id, "Reply number two", None).await;
    let three = a.comment(&bob.token, id, "Reply number three", None).await;
    let viewers = [None, Some(&alice), Some(&bob)];
    for after in [None, Some(one), Some(two)] {
        warm(&[&a, &b], id, after, &[&alice, &bob]).await;
    }

    // Each page has its own comments: the copies are not mixed up.
    for app in [&a, &b] {
        for (after, expected) in [
            (None, vec![one, two, three]),
            (Some(one), vec![two, three]),
            (Some(two), vec![three]),
        ] {
            check_pages(
                app,
                id,
                after,
                &viewers,
                |p, who| {
                    assert_eq!(comment_ids(p), expected, "{who}, page after {after:?}: {p}");
                },
                |h, who| {
                    assert_eq!(html_comment_ids(h), expected, "{who}, page after {after:?}");
                    assert_eq!(
                        h.contains("Back to the first replies"),
                        after.is_some(),
                        "{who}, page after {after:?}"
                    );
                },
            )
            .await;
        }
    }

    // An edit of the third reply, through A: every page showing it, on B.
    a.patch_json(
        &format!("/comments/{three}"),
        bob.auth(),
        &json!({"body": "Reply three, edited"}),
    )
    .await
    .expect(200);
    for after in [None, Some(one), Some(two)] {
        check_pages(
            &b,
            id,
            after,
            &viewers,
            |p, who| {
                assert_eq!(
                    comment_of(p, three)["body"],
                    "Reply three, edited",
                    "an edit: {who}'s page after {after:?} is stale: {p}"
                );
            },
            |h, who| {
                let item = comment_item(h, three);
                assert!(
                    item.contains("Reply three, edited"),
                    "an edit: {who}'s page after {after:?} is stale:\n{item}"
                );
            },
        )
        .await;
    }

    // A new reply to the first, through B: it belongs right after it, so on the page
    // after the first reply, on A.
    let nested = b
        .comment(&alice.token, id, "Nested under one", Some(one))
        .await;
    check_pages(
        &a,
        id,
        Some(one),
        &viewers,
        |p, who| {
            assert_eq!(
                comment_ids(p),
                [nested, two, three],
                "a new reply: {who}'s page after the first reply is stale: {p}"
            );
        },
        |h, who| {
            assert_eq!(
                html_comment_ids(h),
                [nested, two, three],
                "a new reply: {who}'s page after the first reply is stale"
            );
        },
    )
    .await;

    // A deletion through B, seen on A's later page.
    b.delete(&format!("/comments/{two}"), bob.auth())
        .await
        .expect_status(204);
    check_pages(
        &a,
        id,
        Some(one),
        &viewers,
        |p, who| {
            assert_eq!(
                comment_of(p, two)["deleted"],
                true,
                "a deletion: {who}'s later page is stale: {p}"
            );
        },
        |h, who| {
            assert!(
                comment_item(h, two).contains("This reply was deleted."),
                "a deletion: {who}'s later page is stale"
            );
        },
    )
    .await;
}

// ---------------------------------------------------------------------------------------
// View counts
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn view_counts_rise_with_every_read_and_all_reach_the_database() {
    let (a, b) = two_instances().await;
    let alice = a.register("alice").await;
    let bob = a.register("bob").await;
    let id = a
        .start_discussion(&alice.token, "people", "Cache counting", "Count me")
        .await;

    // Reads one after another, long enough for several batches to be written between
    // them (a batch a second): each shows one view more than the one before.
    let mut views = 0_i64;
    let mut shown = Vec::new();
    let until = std::time::Instant::now() + std::time::Duration::from_millis(3500);
    let mut n = 0_u32;
    while std::time::Instant::now() < until {
        let count = match n % 3 {
            0 => page(&a, id, None, None).await["discussion"]["view_count"]
                .as_i64()
                .expect("view_count"),
            1 => page(&a, id, None, Some(&bob)).await["discussion"]["view_count"]
                .as_i64()
                .expect("view_count"),
            _ => shown_views(&html(&a, id, None, Some(&alice)).await),
        };
        n += 1;
        views += 1;
        shown.push(count);
        assert_eq!(
            count, views,
            "read number {views} shows {count} views; the counts read so far: {shown:?}"
        );
    }

    // The visitor's page is rendered once per version: it never shows fewer views than
    // it did before.
    let mut last = 0;
    for _ in 0..5 {
        let count = shown_views(&a.get_page(&format!("/discussions/{id}")).await.text);
        views += 1;
        assert!(
            count >= last,
            "a visitor's page went from {last} to {count} views"
        );
        assert!(count <= views, "{count} views shown after {views} reads");
        last = count;
    }

    // Reads through the other instance count too.
    for _ in 0..4 {
        page(&b, id, None, None).await;
        views += 1;
    }

    // Every view reaches the database, once.
    let mut stored_views = 0;
    for _ in 0..200 {
        stored_views = i64::from(stored(&a, id).await.view_count);
        if stored_views >= views {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        stored_views, views,
        "the database counts {stored_views} views of {views} reads"
    );
    // A batch later, still exactly those (nothing written twice).
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(i64::from(stored(&a, id).await.view_count), views);
    // And the next read, on either instance, shows them all and itself.
    let next = page(&b, id, None, None).await["discussion"]["view_count"].clone();
    assert_eq!(next, views + 1);
}

/// Every CSRF token in a page's forms.
fn csrf_tokens(html: &str) -> Vec<&str> {
    html.split("name=\"csrf_token\" value=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

/// Replies are rendered once for every reader of a kind (members, leaders, moderators;
/// whether they may reply) and kept; the readers' own replies and the ones they voted on
/// are rendered for them. Read in the order that would leak if that went wrong: each
/// reader must see their own votes, their own Edit and Delete, their role's buttons, and
/// forms that carry their own CSRF token and that the server takes.
#[tokio::test]
async fn replies_rendered_once_for_every_reader_of_a_kind_still_show_each_reader_their_own() {
    let app = spawn_app().await;
    let ann = app.register("ann").await;
    let bob = app.register("bob").await;
    let cid = app.register("cid").await;
    let lea = app.register("lea").await;
    app.set_role("lea", Role::Leader).await;
    let max = app.register_moderator("max").await;
    let id = app
        .start_discussion(
            &ann.token,
            "people",
            "Kept replies",
            "Whose replies are these",
        )
        .await;
    let bobs_reply = app.comment(&bob.token, id, "Bob replies", None).await;
    let cids_reply = app.comment(&cid.token, id, "Cid replies", None).await;
    let anns_reply = app.comment(&ann.token, id, "Ann replies", None).await;
    let replies = [bobs_reply, cids_reply, anns_reply];
    app.post_json(
        &format!("/comments/{cids_reply}/vote"),
        bob.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect(200);
    let path = format!("/discussions/{id}");
    let edits = |html: &str, c: i64| comment_item(html, c).contains(">Edit<");
    let recognises = |html: &str, c: i64| comment_item(html, c).contains("Great Idea</button>");

    // Bob reads first in his browser: he wrote one reply and voted on another, so only
    // ann's is kept from his page.
    let bobs_browser = app.browser();
    bobs_browser
        .sign_in("bob", crate::helpers::PASSWORD)
        .await
        .expect_see_other();
    let bobs = bobs_browser.get(&path).await.expect_html(200).to_string();
    assert_eq!(upvote_pressed(&bobs, "comment", cids_reply), Some(true));
    assert!(edits(&bobs, bobs_reply) && !edits(&bobs, cids_reply) && !edits(&bobs, anns_reply));
    let bobs_token = csrf_tokens(&bobs)[0].to_string();

    // Cid, in his own browser: ann's reply comes from what bob's read kept.
    let cids_browser = app.browser();
    cids_browser
        .sign_in("cid", crate::helpers::PASSWORD)
        .await
        .expect_see_other();
    let cids = cids_browser.get(&path).await.expect_html(200).to_string();
    assert_eq!(upvote_pressed(&cids, "comment", bobs_reply), Some(false));
    assert_eq!(upvote_pressed(&cids, "comment", anns_reply), Some(false));
    assert_eq!(
        upvote_pressed(&cids, "comment", cids_reply),
        None,
        "cid votes on his own reply"
    );
    assert!(edits(&cids, cids_reply) && !edits(&cids, bobs_reply) && !edits(&cids, anns_reply));
    assert!(
        !replies.iter().any(|&c| recognises(&cids, c)),
        "cid is offered a leader's button"
    );
    let tokens = csrf_tokens(&cids);
    assert!(tokens.len() > 6, "cid's page has too few forms:\n{cids}");
    assert!(
        tokens.iter().all(|t| *t == tokens[0] && *t != bobs_token),
        "cid's page carries a token that is not his: {tokens:?}"
    );
    // The forms of the kept reply work for him: he upvotes ann's reply and replies to it.
    let anns_item = comment_item(&cids, anns_reply);
    let token = csrf_tokens(anns_item)[0];
    cids_browser
        .post_form(
            &format!("/comments/{anns_reply}/vote"),
            &[("csrf_token", token), ("value", "1")],
        )
        .await
        .expect_see_other();
    let parent = anns_reply.to_string();
    cids_browser
        .post_form(
            &format!("/discussions/{id}/comments"),
            &[
                ("csrf_token", token),
                ("parent_id", &parent),
                ("body", "Cid answers ann"),
            ],
        )
        .await
        .expect_see_other();

    // A leader may recognise every reply but her own (she has none) and edit none; a
    // moderator may edit them all, and does not see bob's vote.
    for round in 0..2 {
        let leas = html(&app, id, None, Some(&lea)).await;
        assert!(
            replies
                .iter()
                .all(|&c| recognises(&leas, c) && !edits(&leas, c)),
            "{round}"
        );
        let maxs = html(&app, id, None, Some(&max)).await;
        assert!(replies.iter().all(|&c| edits(&maxs, c)), "{round}");
        assert_eq!(
            upvote_pressed(&maxs, "comment", cids_reply),
            Some(false),
            "{round}"
        );
    }

    // Bob again: his vote, not cid's, and the score cid's vote gave ann's reply.
    let bobs = bobs_browser.get(&path).await.expect_html(200).to_string();
    assert_eq!(upvote_pressed(&bobs, "comment", cids_reply), Some(true));
    assert_eq!(upvote_pressed(&bobs, "comment", anns_reply), Some(false));
    assert_eq!(shown_score(&bobs, "comment", anns_reply), 1);
    assert!(bobs.contains("Cid answers ann"));
    assert!(csrf_tokens(&bobs).iter().all(|t| *t == bobs_token));
}

/// The row of a discussion in a zone listing, if listed.
fn listed_row<'a>(html: &'a str, title: &str) -> Option<&'a str> {
    let at = html.find(&format!(">{title}</a>"))?;
    let start = html[..at].rfind("<li class=\"discussion-row\">")?;
    Some(&html[start..start + html[start..].find("</li>")?])
}

const ZONE: &str = "/zones/people";

/// The zone page as a visitor first gets it from `reader` after a write through
/// `other`; then both keep it rendered again (the second read of each is served kept).
async fn zone_seen(reader: &TestApp, other: &TestApp) -> String {
    let page = reader.get_page(ZONE).await.expect_html(200).to_string();
    for app in [reader, other, reader, other] {
        app.get_page(ZONE).await.expect_html(200);
    }
    page
}

/// A visitor's zone page is rendered once per zone stamp (m0013), which triggers raise
/// in the transaction of every write the page shows: each write through one instance
/// shows at once in the page the other serves.
#[tokio::test]
async fn a_visitors_zone_page_shows_every_write_through_another_instance_at_once() {
    let (a, b) = two_instances().await;
    let alice = a.register("alice").await;
    let bob = a.register("bob").await;
    let moderator = a.register_moderator("mod").await;
    let host = a.register("host").await;
    a.set_role("host", Role::Leader).await;
    zone_seen(&b, &a).await;

    // A new discussion, written through a, is listed by b.
    let id = a
        .start_discussion(&alice.token, "people", "Stamped listing", "List me")
        .await;
    let page = zone_seen(&b, &a).await;
    let row = listed_row(&page, "Stamped listing").expect("the new discussion is listed");
    assert!(row.contains("0 replies"), "{row}");

    // A reply through b counts on a; then a vote through a scores on b.
    let c = b.comment(&bob.token, id, "A listed reply", None).await;
    let page = zone_seen(&a, &b).await;
    assert!(
        listed_row(&page, "Stamped listing")
            .expect("listed")
            .contains("1 reply")
    );
    b.post_json(
        &format!("/discussions/{id}/vote"),
        bob.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect(200);
    let page = zone_seen(&a, &b).await;
    assert!(
        listed_row(&page, "Stamped listing")
            .expect("listed")
            .contains("aria-label=\"score 1\""),
        "{page}"
    );

    // Bob's points in the zone make him one of its experts, seen through a.
    let experts =
        |page: &str| between(page, "id=\"experts-heading\"", "</aside>").map(str::to_string);
    assert!(experts(&page).is_none_or(|e| !e.contains("/members/bob")));
    a.post_json(
        &format!("/comments/{c}/vote"),
        alice.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect(200);
    let page = zone_seen(&b, &a).await;
    assert!(
        experts(&page).is_some_and(|e| e.contains("/members/bob")),
        "bob is not among the experts:\n{page}"
    );

    // A moderator's pin through b; a quiz and a live session through a.
    b.post_json(
        &format!("/discussions/{id}/pin"),
        moderator.auth(),
        &json!({"pinned": true}),
    )
    .await
    .expect(200);
    let page = zone_seen(&a, &b).await;
    assert!(
        listed_row(&page, "Stamped listing")
            .expect("listed")
            .contains("Pinned")
    );
    a.post_json(
        "/zones/people/quizzes",
        host.auth(),
        &json!({"title": "A stamped quiz", "questions": [{"prompt": "Is it listed?", "explanation": "It is.",
            "choices": [{"label": "Yes", "correct": true}, {"label": "No"}]}]}),
    )
    .await
    .expect(201);
    let now = chrono::Utc::now();
    a.post_json(
        "/zones/people/sessions",
        host.auth(),
        &json!({"title": "A stamped session", "starts_at": (now - chrono::Duration::minutes(5)).to_rfc3339(),
            "ends_at": (now + chrono::Duration::minutes(60)).to_rfc3339()}),
    )
    .await
    .expect(201);
    let page = zone_seen(&b, &a).await;
    assert!(
        page.contains("A stamped quiz") && page.contains("A stamped session"),
        "{page}"
    );

    // A follow of the zone through b: one follower, on a.
    assert!(page.contains("0 followers"), "{page}");
    b.send(Method::PUT, "/api/v1/zones/people/follow", bob.auth(), None)
        .await
        .expect(200);
    let page = zone_seen(&a, &b).await;
    assert!(page.contains("1 follower<"), "{page}");

    // Removed by a moderator through a: gone from b's page. And nothing of a member on
    // either.
    a.delete(&format!("/discussions/{id}"), moderator.auth())
        .await
        .expect_status(204);
    let page = zone_seen(&b, &a).await;
    assert!(listed_row(&page, "Stamped listing").is_none(), "{page}");
    for app in [&a, &b] {
        let page = app.get_page(ZONE).await;
        assert_a_visitors_page(
            page.expect_html(200),
            &[&alice, &bob, &moderator, &host],
            "zone page",
        );
    }
}

/// Votes in one zone at once, on discussions by different authors: each raises its
/// zone's stamp twice (the discussion's score, the author's points in the zone). With
/// a shard per row, two such votes could take two shards in opposite orders and
/// deadlock on PostgreSQL; a transaction raises one shard of a zone. Every vote must
/// be answered with success and counted.
#[tokio::test]
async fn votes_at_once_across_a_zone_all_succeed_and_count() {
    let app = spawn_app().await;
    let mut authors = Vec::new();
    let mut discussions = Vec::new();
    for i in 0..6 {
        let author = app.register(&format!("author{i}")).await;
        let id = app
            .start_discussion(
                &author.token,
                "people",
                &format!("Stamped votes {i}"),
                "Vote",
            )
            .await;
        authors.push(author);
        discussions.push(id);
    }
    let mut voters = Vec::new();
    for i in 0..6 {
        voters.push(app.register(&format!("voter{i}")).await);
    }
    let mut votes = Vec::new();
    for voter in &voters {
        for &id in &discussions {
            let (app, voter) = (&app, voter);
            votes.push(async move {
                app.post_json(
                    &format!("/discussions/{id}/vote"),
                    voter.auth(),
                    &json!({"value": 1}),
                )
                .await
            });
        }
    }
    for answer in futures_util::future::join_all(votes).await {
        answer.expect(200);
    }
    for &id in &discussions {
        assert_eq!(
            page(&app, id, None, None).await["discussion"]["score"],
            voters.len()
        );
    }
}

/// The zone page as `who` gets it from `app` (through their bearer token, as the site
/// takes it too).
async fn zone_as(app: &TestApp, who: &TestUser) -> String {
    app.send(Method::GET, ZONE, who.auth(), None)
        .await
        .expect_html(200)
        .to_string()
}

/// A member's and a leader's zone page keep the zone's listing rendered per zone stamp
/// and kind of reader: a write through one instance shows at once on the other; each
/// reader's own header and follow state are theirs; a leader's links are a leader's
/// only; a moderator (rendered for, never kept) sees a hidden discussion no one else
/// does.
#[tokio::test]
async fn members_zone_pages_show_every_write_at_once_and_only_their_own() {
    let (a, b) = two_instances().await;
    let alice = a.register("alice").await;
    let bob = a.register("bob").await;
    let host = a.register("host").await;
    a.set_role("host", Role::Leader).await;
    let moderator = a.register_moderator("mod").await;
    let readers = [&alice, &bob, &host, &moderator];
    // Warm every kind's copy on both instances.
    for app in [&a, &b] {
        for who in readers {
            zone_as(app, who).await;
        }
    }

    // A discussion through a: listed at once for every reader on b, twice over (the
    // second read is served from the copy).
    let id = a
        .start_discussion(&alice.token, "people", "Member listing", "List me")
        .await;
    for _ in 0..2 {
        for who in readers {
            let page = zone_as(&b, who).await;
            assert!(
                listed_row(&page, "Member listing").is_some(),
                "{}: {page}",
                who.username
            );
        }
    }

    // Each reader's header is theirs; a leader's links are the leader's only.
    for app in [&a, &b] {
        let alices = zone_as(app, &alice).await;
        let bobs = zone_as(app, &bob).await;
        let hosts = zone_as(app, &host).await;
        assert!(
            alices.contains("<span class=\"me-name\">alice</span>"),
            "{alices}"
        );
        assert!(
            bobs.contains("<span class=\"me-name\">bob</span>"),
            "{bobs}"
        );
        assert!(!bobs.contains("me-name\">alice"), "{bobs}");
        assert!(hosts.contains("Open a live Q&amp;A"), "{hosts}");
        assert!(hosts.contains("/zones/people/quizzes/new"), "{hosts}");
        for page in [&alices, &bobs] {
            assert!(!page.contains("Open a live Q&amp;A"), "{page}");
            assert!(!page.contains("/zones/people/quizzes/new"), "{page}");
            assert!(page.contains("/zones/people/new"), "{page}");
        }
    }

    // Bob follows the zone through b: his page on a says so, alice's does not.
    b.send(Method::PUT, "/api/v1/zones/people/follow", bob.auth(), None)
        .await
        .expect(200);
    let bobs = zone_as(&a, &bob).await;
    let alices = zone_as(&a, &alice).await;
    let follow = |page: &str| between(page, "id=\"follow\"", "</div>").map(str::to_string);
    assert_ne!(follow(&bobs), follow(&alices), "{bobs}\n{alices}");
    assert!(alices.contains("1 follower<"), "{alices}");

    // Hidden by a moderator's decision through a: gone for members on b at once, still
    // listed for the moderator there.
    let flagger = trusted(&a, "flagger").await;
    flag(&a, &flagger, "discussion", id).await;
    decide(
        &a,
        &moderator,
        "discussion",
        id,
        json!({"decision": "agree", "action": "hide"}),
    )
    .await;
    for who in [&alice, &bob, &host] {
        let page = zone_as(&b, who).await;
        assert!(
            listed_row(&page, "Member listing").is_none(),
            "{}: {page}",
            who.username
        );
    }
    let mods = zone_as(&b, &moderator).await;
    assert!(listed_row(&mods, "Member listing").is_some(), "{mods}");
    // And a visitor's page, read after the members', carries nothing of them.
    let page = b.get_page(ZONE).await;
    assert_a_visitors_page(page.expect_html(200), &readers, "zone page");
}

/// An idea's status is on the discussion's page and in its zone's listing, both kept
/// rendered: each change through one instance shows at once on the other (m0015 made
/// the page-version and zone-stamp triggers again with the idea's columns).
#[tokio::test]
async fn an_ideas_status_through_one_instance_shows_at_once_on_another() {
    let (a, b) = two_instances().await;
    let alice = a.register("alice").await;
    let lead = a.register("lead").await;
    a.set_role("lead", Role::Leader).await;
    let title = "Cache ideas";
    let id = a
        .start_discussion(&alice.token, "people", title, "An idea to cache")
        .await;
    warm(&[&a, &b], id, None, &[&alice, &lead]).await;
    zone_seen(&b, &a).await;
    let put = |who: &TestUser, body: Value| {
        let app = &a;
        let token = who.token.clone();
        async move {
            app.send(
                Method::PUT,
                &format!("/api/v1/discussions/{id}/idea"),
                Some(&token),
                Some(&body),
            )
            .await
            .expect(200);
        }
    };
    for (who, body, label) in [
        (&alice, json!({"status": "proposed"}), "Proposed"),
        (
            &lead,
            json!({"status": "planned", "note": "Next quarter."}),
            "Planned",
        ),
    ] {
        put(who, body).await;
        for app in [&b, &a] {
            check_pages(
                app,
                id,
                None,
                &[None, Some(&alice), Some(&lead)],
                |p, who| {
                    assert_eq!(
                        p["discussion"]["idea"]["label"], label,
                        "{who} gets the idea's old status: {p}"
                    );
                },
                |h, who| {
                    assert!(
                        header(h).contains(&format!("Idea: {label}")),
                        "{who}'s page does not say Idea: {label}:\n{}",
                        header(h)
                    );
                },
            )
            .await;
        }
        let page = zone_seen(&b, &a).await;
        let row = listed_row(&page, title).unwrap_or_else(|| panic!("not listed:\n{page}"));
        assert!(
            row.contains(&format!("Idea: {label}")),
            "the visitor's zone page shows an old status: {row}"
        );
    }
    // Made a plain discussion again, it is one everywhere.
    a.send(
        Method::DELETE,
        &format!("/api/v1/discussions/{id}/idea"),
        lead.auth(),
        None,
    )
    .await
    .expect(200);
    let visitor = html(&b, id, None, None).await;
    assert!(!header(&visitor).contains("Idea:"), "{}", header(&visitor));
    let page = zone_seen(&b, &a).await;
    let row = listed_row(&page, title).unwrap_or_else(|| panic!("not listed:\n{page}"));
    assert!(!row.contains("Idea:"), "{row}");
}
