//! Votes, recognition and the reputation ledger (issue #3): each rule through HTTP, and
//! through the service with a chosen `now` only where the clock matters (the daily cap
//! across a UTC day boundary, the 24-hour serial-voting window).
//!
//! Badges, notifications, leaderboards and pages are in `reputation_badges`; the
//! property test and the concurrency tests in `reputation_props`. The helpers here are
//! shared with both.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use quorum::domain::Post as Target;
use quorum::domain::Role;
use quorum::services::ledger as rep;
use quorum::services::votes::{self, VoteOutcome, VoteValue};
use quorum::services::{Actor, accounts};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

use crate::helpers::{Answer, TestApp, TestUser, assert_utc_time, spawn_app};

/// Something one can vote on or recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Post {
    Discussion(i64),
    Comment { discussion: i64, id: i64 },
}

impl Post {
    /// `/discussions/{id}` or `/comments/{id}` (under `/api/v1`).
    pub fn path(self) -> String {
        match self {
            Post::Discussion(id) => format!("/discussions/{id}"),
            Post::Comment { id, .. } => format!("/comments/{id}"),
        }
    }

    pub fn discussion(self) -> i64 {
        match self {
            Post::Discussion(id) | Post::Comment { discussion: id, .. } => id,
        }
    }

    pub fn comment(self) -> Option<i64> {
        match self {
            Post::Discussion(_) => None,
            Post::Comment { id, .. } => Some(id),
        }
    }

    pub fn target(self) -> Target {
        let id = |raw: i64| i32::try_from(raw).expect("an id that fits in i32");
        match self {
            Post::Discussion(d) => Target::Discussion(id(d)),
            Post::Comment { id: c, .. } => Target::Comment(id(c)),
        }
    }

    /// Whether a ledger event is about this post.
    pub fn owns(self, event: &Value) -> bool {
        event["discussion_id"].as_i64() == Some(self.discussion())
            && event["comment_id"].as_i64() == self.comment()
    }
}

/// Starts a discussion in `zone`.
pub async fn discussion_in(app: &TestApp, author: &TestUser, zone: &str, title: &str) -> Post {
    Post::Discussion(
        app.start_discussion(&author.token, zone, title, "Some body text")
            .await,
    )
}

/// Starts a discussion in `customers`.
pub async fn discussion(app: &TestApp, author: &TestUser, title: &str) -> Post {
    discussion_in(app, author, "customers", title).await
}

/// Comments on a discussion.
pub async fn comment(app: &TestApp, author: &TestUser, on: Post, body: &str) -> Post {
    let discussion = on.discussion();
    let id = app.comment(&author.token, discussion, body, None).await;
    Post::Comment { discussion, id }
}

/// POST {post}/vote {"value": value}; the raw answer.
pub async fn vote(app: &TestApp, voter: &TestUser, post: Post, value: i64) -> Answer {
    app.post_json(
        &format!("{}/vote", post.path()),
        voter.auth(),
        &json!({ "value": value }),
    )
    .await
}

/// A vote that must succeed; returns `{"score","my_vote"}`.
pub async fn voted(app: &TestApp, voter: &TestUser, post: Post, value: i64) -> Value {
    let outcome = vote(app, voter, post, value).await.expect(200);
    assert_eq!(outcome["my_vote"], value, "{outcome}");
    assert!(outcome["score"].is_i64(), "{outcome}");
    outcome
}

/// POST {post}/recognize; the raw answer.
pub async fn recognize(app: &TestApp, who: &TestUser, post: Post) -> Answer {
    app.post_json(
        &format!("{}/recognize", post.path()),
        who.auth(),
        &json!({}),
    )
    .await
}

/// DELETE {post}/recognize; the raw answer.
pub async fn withdraw(app: &TestApp, who: &TestUser, post: Post) -> Answer {
    app.delete(&format!("{}/recognize", post.path()), who.auth())
        .await
}

/// Deletes a post through the API (204).
pub async fn delete_post(app: &TestApp, who: &TestUser, post: Post) {
    app.delete(&post.path(), who.auth())
        .await
        .expect_status(204);
}

/// The post as GET /discussions/{id} shows it to `viewer` (a visitor when `None`).
pub async fn shown(app: &TestApp, post: Post, viewer: Option<&TestUser>) -> Value {
    let page = app
        .discussion(post.discussion(), viewer.map(|v| v.token.as_str()))
        .await;
    match post.comment() {
        None => page["discussion"].clone(),
        Some(id) => page["comments"]
            .as_array()
            .expect("comments")
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("comment {id} is not shown:\n{page}"))
            .clone(),
    }
}

/// GET /members/{username}/reputation as the member sees it (the voter's side of a
/// downvote is theirs alone), checked against the contract's invariant.
pub async fn ledger(app: &TestApp, username: &str) -> Value {
    let token = app
        .login(username, crate::helpers::PASSWORD)
        .await
        .expect(200)["token"]
        .as_str()
        .map(str::to_string)
        .expect("a token");
    let ledger = app
        .get(&format!("/members/{username}/reputation"), Some(&token))
        .await
        .expect(200);
    assert_ledger_invariant(&ledger, username);
    ledger
}

/// `reputation == max(1, 1 + sum(events.points))`, with every event well-formed. The
/// API lists up to 500 events; the tests stay below that so the sum is complete.
#[track_caller]
pub fn assert_ledger_invariant(ledger: &Value, username: &str) -> i64 {
    let events = ledger["events"]
        .as_array()
        .unwrap_or_else(|| panic!("{username}: no events list in {ledger}"));
    assert!(
        events.len() < 500,
        "{username}: {} events, the list may be truncated",
        events.len()
    );
    for event in events {
        assert!(event["kind"].is_string(), "{username}: {event}");
        assert!(event["points"].is_i64(), "{username}: {event}");
        assert!(event.get("discussion_id").is_some(), "{username}: {event}");
        assert!(event.get("comment_id").is_some(), "{username}: {event}");
        assert_utc_time(&event["created_at"], "event.created_at");
    }
    let sum: i64 = events.iter().filter_map(|e| e["points"].as_i64()).sum();
    let reputation = ledger["reputation"]
        .as_i64()
        .unwrap_or_else(|| panic!("{username}: no reputation in {ledger}"));
    assert_eq!(
        reputation,
        (1 + sum).max(1),
        "{username}: reputation is not max(1, 1 + sum of events) = max(1, 1 + {sum}):\n{ledger}"
    );
    reputation
}

/// A member's reputation as the ledger endpoint shows it, checked against the ledger and
/// against the member's public profile.
pub async fn reputation_of(app: &TestApp, username: &str) -> i64 {
    let reputation = ledger(app, username).await["reputation"]
        .as_i64()
        .expect("reputation");
    let profile = app
        .get(&format!("/members/{username}"), None)
        .await
        .expect(200);
    assert_eq!(
        profile["reputation"], reputation,
        "{username}: the profile and the ledger disagree: {profile}"
    );
    reputation
}

/// The events of one kind, newest first.
pub fn events_of(ledger: &Value, kind: &str) -> Vec<Value> {
    ledger["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == kind)
        .cloned()
        .collect()
}

/// The sum of the points of a ledger's events.
pub fn points(events: &[Value]) -> i64 {
    events.iter().filter_map(|e| e["points"].as_i64()).sum()
}

/// Registers `prefix0`, `prefix1`, … `prefix{n-1}`.
pub async fn crowd(app: &TestApp, prefix: &str, n: usize) -> Vec<TestUser> {
    let mut members = Vec::with_capacity(n);
    for i in 0..n {
        members.push(app.register(&format!("{prefix}{i}")).await);
    }
    members
}

/// Registers a member and gives them a role.
pub async fn register_as(app: &TestApp, username: &str, role: Role) -> TestUser {
    let user = app.register(username).await;
    app.set_role(&user.username, role).await;
    user
}

/// The member behind a username, as the services take it.
pub async fn actor(db: &DatabaseConnection, username: &str) -> Actor {
    let model = accounts::find_by_username(db, username)
        .await
        .unwrap_or_else(|e| panic!("looking up {username}: {e}"));
    Actor::from_model(&model)
}

/// A vote through the service at a chosen time; it must succeed.
pub async fn vote_at(
    db: &DatabaseConnection,
    voter: &Actor,
    post: Post,
    value: i64,
    now: DateTime<Utc>,
) -> VoteOutcome {
    let value = VoteValue::parse(value).expect("a valid vote value");
    votes::vote(db, voter, post.target(), value, now)
        .await
        .unwrap_or_else(|e| panic!("{} voting on {post:?} at {now}: {e}", voter.username))
}

/// A time on a given UTC day.
pub fn on_day(day: chrono::NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    day.and_time(NaiveTime::from_hms_opt(h, m, 0).expect("a time of day"))
        .and_utc()
}

// ---------------------------------------------------------------------------------------
// Votes
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn an_upvote_gives_the_author_ten_and_shows_on_the_post() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let post = discussion(&app, &alice, "Shorter stand-ups").await;

    let outcome = vote(&app, &bob, post, 1).await.expect(200);

    assert_eq!(outcome, json!({"score": 1, "my_vote": 1}));
    assert_eq!(reputation_of(&app, "alice").await, 11);
    assert_eq!(
        reputation_of(&app, "bob").await,
        1,
        "upvoting costs the voter nothing"
    );
    let alice_ledger = ledger(&app, "alice").await;
    let upvotes = events_of(&alice_ledger, "upvote_received");
    assert_eq!(upvotes.len(), 1, "{alice_ledger}");
    assert_eq!(upvotes[0]["points"], 10);
    assert_eq!(upvotes[0]["discussion_id"], post.discussion());
    assert_eq!(upvotes[0]["comment_id"], Value::Null);

    // Everyone sees the score; only the voter sees their vote.
    let to_bob = shown(&app, post, Some(&bob)).await;
    assert_eq!(
        (to_bob["score"].clone(), to_bob["my_vote"].clone()),
        (json!(1), json!(1))
    );
    for viewer in [Some(&carol), Some(&alice), None] {
        let seen = shown(&app, post, viewer).await;
        assert_eq!(seen["score"], 1, "{seen}");
        assert_eq!(seen["my_vote"], 0, "{seen}");
    }
    // The zone listing too.
    for (viewer, my_vote) in [(bob.auth(), 1), (carol.auth(), 0), (None, 0)] {
        let listed = app
            .get("/zones/customers/discussions", viewer)
            .await
            .expect(200);
        let row = listed["discussions"]
            .as_array()
            .and_then(|rows| rows.iter().find(|d| d["id"] == post.discussion()))
            .unwrap_or_else(|| panic!("the discussion is not listed: {listed}"));
        assert_eq!(row["score"], 1, "{row}");
        assert_eq!(row["my_vote"], my_vote, "{row}");
    }
}

#[tokio::test]
async fn an_upvote_on_a_comment_gives_its_author_ten() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let post = discussion(&app, &alice, "Pairing rotations").await;
    let reply = comment(&app, &bob, post, "Weekly works for us").await;

    let outcome = vote(&app, &alice, reply, 1).await.expect(200);

    assert_eq!(outcome, json!({"score": 1, "my_vote": 1}));
    assert_eq!(reputation_of(&app, "bob").await, 11);
    assert_eq!(reputation_of(&app, "alice").await, 1);
    let seen = shown(&app, reply, Some(&alice)).await;
    assert_eq!(
        (seen["score"].clone(), seen["my_vote"].clone()),
        (json!(1), json!(1))
    );
    let bob_ledger = ledger(&app, "bob").await;
    let upvotes = events_of(&bob_ledger, "upvote_received");
    assert_eq!(upvotes.len(), 1, "{bob_ledger}");
    assert_eq!(upvotes[0]["discussion_id"], post.discussion());
    assert_eq!(
        upvotes[0]["comment_id"],
        reply.comment().expect("a comment")
    );
    assert_eq!(
        shown(&app, post, None).await["score"],
        0,
        "a vote on a comment is not a vote on its discussion"
    );
}

#[tokio::test]
async fn changing_and_clearing_a_vote_moves_the_score_and_reputation() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let fans = crowd(&app, "fan", 3).await;
    let moderator = app.register_moderator("mod").await;
    // Alice earns 30 elsewhere first, so the floor at 1 does not hide a change.
    let earlier = discussion(&app, &alice, "An earlier idea").await;
    for fan in &fans {
        voted(&app, fan, earlier, 1).await;
    }
    assert_eq!(reputation_of(&app, "alice").await, 31);
    let post = discussion(&app, &alice, "Remote Fridays").await;

    assert_eq!(voted(&app, &moderator, post, 1).await["score"], 1);
    assert_eq!(reputation_of(&app, "alice").await, 41);

    // Up to down: the score moves by 2, the author loses the 10 and takes the 2.
    assert_eq!(voted(&app, &moderator, post, -1).await["score"], -1);
    assert_eq!(reputation_of(&app, "alice").await, 29);
    let seen = shown(&app, post, Some(&moderator)).await;
    assert_eq!(
        (seen["score"].clone(), seen["my_vote"].clone()),
        (json!(-1), json!(-1))
    );
    let after_change = ledger(&app, "alice").await;
    assert_eq!(points(&events_of(&after_change, "downvote_received")), -2);

    // Down to up again.
    assert_eq!(voted(&app, &moderator, post, 1).await["score"], 1);
    assert_eq!(reputation_of(&app, "alice").await, 41);

    // Clearing reverses the vote entirely.
    assert_eq!(voted(&app, &moderator, post, 0).await["score"], 0);
    assert_eq!(reputation_of(&app, "alice").await, 31);
    let seen = shown(&app, post, Some(&moderator)).await;
    assert_eq!(
        (seen["score"].clone(), seen["my_vote"].clone()),
        (json!(0), json!(0))
    );
    assert_eq!(reputation_of(&app, "mod").await, 1);
}

#[tokio::test]
async fn repeating_the_same_vote_changes_nothing() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let moderator = app.register_moderator("mod").await;
    let post = discussion(&app, &alice, "Office plants").await;
    let reply = comment(&app, &bob, post, "Yes please").await;

    for _ in 0..3 {
        assert_eq!(
            vote(&app, &bob, post, 1).await.expect(200),
            json!({"score": 1, "my_vote": 1})
        );
    }
    for _ in 0..3 {
        assert_eq!(
            vote(&app, &moderator, reply, -1).await.expect(200),
            json!({"score": -1, "my_vote": -1})
        );
    }
    for _ in 0..2 {
        assert_eq!(
            vote(&app, &alice, reply, 0).await.expect(200),
            json!({"score": -1, "my_vote": 0}),
            "clearing a vote one never cast"
        );
    }

    assert_eq!(reputation_of(&app, "alice").await, 11);
    let alice_ledger = ledger(&app, "alice").await;
    assert_eq!(
        alice_ledger["events"].as_array().map(Vec::len),
        Some(1),
        "{alice_ledger}"
    );
    let bob_ledger = ledger(&app, "bob").await;
    assert_eq!(
        bob_ledger["events"].as_array().map(Vec::len),
        Some(1),
        "{bob_ledger}"
    );
    assert_eq!(points(&events_of(&bob_ledger, "downvote_received")), -2);
    let mod_ledger = ledger(&app, "mod").await;
    assert_eq!(
        mod_ledger["events"].as_array().map(Vec::len),
        Some(1),
        "{mod_ledger}"
    );
}

#[tokio::test]
async fn nobody_votes_on_their_own_post() {
    let app = spawn_app().await;
    let alice = app.register_moderator("alice").await;
    let post = discussion(&app, &alice, "My own idea").await;
    let reply = comment(&app, &alice, post, "And my own reply").await;

    for target in [post, reply] {
        for value in [1, -1, 0] {
            vote(&app, &alice, target, value)
                .await
                .expect_error(403, "self_vote");
        }
        let seen = shown(&app, target, Some(&alice)).await;
        assert_eq!(
            (seen["score"].clone(), seen["my_vote"].clone()),
            (json!(0), json!(0))
        );
    }
    let alice_ledger = ledger(&app, "alice").await;
    assert_eq!(alice_ledger["reputation"], 1);
    assert_eq!(alice_ledger["events"], json!([]));
}

#[tokio::test]
async fn downvoting_needs_125_reputation() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let leader = register_as(&app, "lead", Role::Leader).await;
    let moderator = app.register_moderator("mod").await;
    let post = discussion(&app, &alice, "Hot desks").await;
    let reply = comment(&app, &alice, post, "A reply").await;

    for target in [post, reply] {
        vote(&app, &bob, target, -1)
            .await
            .expect_error(403, "insufficient_reputation");
        assert_eq!(shown(&app, target, None).await["score"], 0);
    }
    // Upvoting stays open to newcomers.
    voted(&app, &bob, post, 1).await;
    voted(&app, &bob, post, 0).await;
    // A leader is not a moderator: the privilege still needs reputation.
    vote(&app, &leader, post, -1)
        .await
        .expect_error(403, "insufficient_reputation");

    // Bob earns 120 (8 recognitions), still short of 125.
    let mut bobs = Vec::new();
    for i in 0..9 {
        bobs.push(discussion(&app, &bob, &format!("Bob's idea {i}")).await);
    }
    for post in &bobs[..8] {
        recognize(&app, &moderator, *post).await.expect(200);
    }
    assert_eq!(reputation_of(&app, "bob").await, 121);
    vote(&app, &bob, post, -1)
        .await
        .expect_error(403, "insufficient_reputation");

    // The ninth takes him to 136: now he may downvote.
    recognize(&app, &moderator, bobs[8]).await.expect(200);
    assert_eq!(reputation_of(&app, "bob").await, 136);
    assert_eq!(voted(&app, &bob, post, -1).await["score"], -1);
    assert_eq!(voted(&app, &bob, reply, -1).await["score"], -1);
    assert_eq!(reputation_of(&app, "alice").await, 1, "-4, floored at 1");
    assert_eq!(
        points(&events_of(
            &ledger(&app, "alice").await,
            "downvote_received"
        )),
        -4
    );
}

#[tokio::test]
async fn moderators_and_admins_downvote_whatever_their_reputation() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let moderator = app.register_moderator("mod").await;
    let admin = register_as(&app, "boss", Role::Admin).await;
    let post = discussion(&app, &alice, "Badge colours").await;
    assert_eq!(reputation_of(&app, "mod").await, 1);
    assert_eq!(reputation_of(&app, "boss").await, 1);

    assert_eq!(voted(&app, &moderator, post, -1).await["score"], -1);
    assert_eq!(voted(&app, &admin, post, -1).await["score"], -2);

    assert_eq!(
        points(&events_of(
            &ledger(&app, "alice").await,
            "downvote_received"
        )),
        -4
    );
}

#[tokio::test]
async fn a_downvote_on_a_comment_costs_the_voter_one_and_on_a_discussion_nothing() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let fans = crowd(&app, "fan", 2).await;
    let moderator = app.register_moderator("mod").await;
    // The moderator has 21, so a cost of 1 shows.
    let mods_post = discussion(&app, &moderator, "House rules").await;
    for fan in &fans {
        voted(&app, fan, mods_post, 1).await;
    }
    assert_eq!(reputation_of(&app, "mod").await, 21);
    let post = discussion(&app, &alice, "Open questions").await;
    let reply = comment(&app, &alice, mods_post, "What about pets?").await;

    voted(&app, &moderator, post, -1).await;
    assert_eq!(
        reputation_of(&app, "mod").await,
        21,
        "downvoting a discussion is free"
    );

    voted(&app, &moderator, reply, -1).await;
    assert_eq!(reputation_of(&app, "mod").await, 20);
    let mod_ledger = ledger(&app, "mod").await;
    let costs = events_of(&mod_ledger, "downvote_cast");
    assert_eq!(costs.len(), 1, "{mod_ledger}");
    assert_eq!(costs[0]["points"], -1);
    // The voter's ledger is public, so it does not say which comment they downvoted.
    assert_eq!(costs[0]["comment_id"], Value::Null, "{mod_ledger}");
    assert_eq!(costs[0]["discussion_id"], Value::Null, "{mod_ledger}");

    // Changing the downvote to an upvote gives the point back.
    voted(&app, &moderator, reply, 1).await;
    assert_eq!(reputation_of(&app, "mod").await, 21);
    // And clearing an upvote costs nothing.
    voted(&app, &moderator, reply, 0).await;
    assert_eq!(reputation_of(&app, "mod").await, 21);
}

#[tokio::test]
async fn reputation_never_drops_below_one_but_the_ledger_keeps_every_point() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let moderators = [
        app.register_moderator("mod0").await,
        app.register_moderator("mod1").await,
        app.register_moderator("mod2").await,
    ];
    let fans = crowd(&app, "fan", 2).await;
    let post = discussion(&app, &alice, "Unpopular opinion").await;
    let other = discussion(&app, &alice, "Popular opinion").await;

    for moderator in &moderators {
        voted(&app, moderator, post, -1).await;
    }
    let alice_ledger = ledger(&app, "alice").await;
    assert_eq!(points(&events_of(&alice_ledger, "downvote_received")), -6);
    assert_eq!(alice_ledger["reputation"], 1, "floored at 1");

    // The total is 1 + the whole ledger, not a running total floored on the way: the
    // -6 is still owed, so two upvotes bring her to 1 - 6 + 20 = 15, not 21.
    for fan in &fans {
        voted(&app, fan, other, 1).await;
    }
    assert_eq!(reputation_of(&app, "alice").await, 15);

    // And taking the downvotes back restores what they took.
    for moderator in &moderators {
        voted(&app, moderator, post, 0).await;
    }
    assert_eq!(reputation_of(&app, "alice").await, 21);
}

#[tokio::test]
async fn a_vote_must_be_one_minus_one_or_zero_on_a_live_post_by_a_member() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let post = discussion(&app, &alice, "Validation").await;
    let reply = comment(&app, &alice, post, "A reply").await;

    for target in [post, reply] {
        for value in [2, -2, 100] {
            vote(&app, &bob, target, value)
                .await
                .expect_invalid("value");
        }
        let path = format!("{}/vote", target.path());
        let answer = app
            .post_json(&path, bob.auth(), &json!({"value": "up"}))
            .await;
        assert_eq!(answer.status.as_u16(), 400, "{}", answer.text);
        let answer = app.post_json(&path, None, &json!({"value": 1})).await;
        answer.expect_error(401, "not_signed_in");
        assert_eq!(shown(&app, target, None).await["score"], 0);
    }
    vote(&app, &bob, Post::Discussion(999_999), 1)
        .await
        .expect_error(404, "not_found");
    vote(
        &app,
        &bob,
        Post::Comment {
            discussion: post.discussion(),
            id: 999_999,
        },
        1,
    )
    .await
    .expect_error(404, "not_found");
    assert_eq!(reputation_of(&app, "alice").await, 1);
}

#[tokio::test]
async fn deleted_posts_take_no_votes() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let post = discussion(&app, &alice, "Soon gone").await;
    let kept = discussion(&app, &alice, "Stays").await;
    let reply = comment(&app, &alice, kept, "Soon gone too").await;
    let orphan = comment(&app, &alice, post, "Goes with its discussion").await;
    delete_post(&app, &alice, reply).await;
    delete_post(&app, &alice, post).await;

    for target in [post, reply, orphan] {
        for value in [1, 0] {
            vote(&app, &bob, target, value)
                .await
                .expect_error(404, "not_found");
        }
    }
    assert_eq!(reputation_of(&app, "alice").await, 1);
}

// ---------------------------------------------------------------------------------------
// Recognition
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn recognition_gives_fifteen_shows_on_the_post_and_can_be_withdrawn() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let leader = register_as(&app, "lead", Role::Leader).await;
    let post = discussion(&app, &alice, "Mentoring circles").await;

    let item = recognize(&app, &leader, post).await.expect(200);

    assert_eq!(item["id"], post.discussion());
    assert_eq!(item["recognized"], true, "{item}");
    assert_eq!(shown(&app, post, None).await["recognized"], true);
    assert_eq!(reputation_of(&app, "alice").await, 16);
    let alice_ledger = ledger(&app, "alice").await;
    let recognized = events_of(&alice_ledger, "recognized");
    assert_eq!(recognized.len(), 1, "{alice_ledger}");
    assert_eq!(recognized[0]["points"], 15);
    assert_eq!(recognized[0]["discussion_id"], post.discussion());
    assert_eq!(reputation_of(&app, "lead").await, 1);

    // Recognising again changes nothing.
    let again = recognize(&app, &leader, post).await.expect(200);
    assert_eq!(again["recognized"], true);
    assert_eq!(reputation_of(&app, "alice").await, 16);

    let item = withdraw(&app, &leader, post).await.expect(200);
    assert_eq!(item["recognized"], false, "{item}");
    assert_eq!(shown(&app, post, None).await["recognized"], false);
    assert_eq!(reputation_of(&app, "alice").await, 1);
    let withdrawn = events_of(&ledger(&app, "alice").await, "recognition_withdrawn");
    assert_eq!(points(&withdrawn), -15);

    // Withdrawing again changes nothing; recognising again gives the 15 again.
    withdraw(&app, &leader, post).await.expect(200);
    assert_eq!(reputation_of(&app, "alice").await, 1);
    recognize(&app, &leader, post).await.expect(200);
    assert_eq!(reputation_of(&app, "alice").await, 16);
}

#[tokio::test]
async fn a_comment_can_be_recognised_too() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let moderator = app.register_moderator("mod").await;
    let post = discussion(&app, &alice, "Lunch and learn").await;
    let reply = comment(&app, &bob, post, "I can talk about Rust").await;

    let item = recognize(&app, &moderator, reply).await.expect(200);

    assert_eq!(item["id"], reply.comment().expect("a comment"));
    assert_eq!(item["recognized"], true, "{item}");
    assert_eq!(shown(&app, reply, None).await["recognized"], true);
    assert_eq!(
        shown(&app, post, None).await["recognized"],
        false,
        "recognising a comment does not recognise its discussion"
    );
    assert_eq!(reputation_of(&app, "bob").await, 16);
    assert_eq!(reputation_of(&app, "alice").await, 1);

    let item = withdraw(&app, &moderator, reply).await.expect(200);
    assert_eq!(item["recognized"], false, "{item}");
    assert_eq!(reputation_of(&app, "bob").await, 1);
}

#[tokio::test]
async fn only_leaders_moderators_and_admins_recognise_and_never_their_own_posts() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let leader = register_as(&app, "lead", Role::Leader).await;
    let moderator = app.register_moderator("mod").await;
    let admin = register_as(&app, "boss", Role::Admin).await;
    let post = discussion(&app, &alice, "Guilds").await;
    let reply = comment(&app, &bob, post, "Guild of testers").await;

    for target in [post, reply] {
        recognize(&app, &bob, target)
            .await
            .expect_error(403, "forbidden");
        recognize(&app, &alice, target)
            .await
            .expect_error(403, "forbidden");
        withdraw(&app, &bob, target)
            .await
            .expect_error(403, "forbidden");
        assert_eq!(shown(&app, target, None).await["recognized"], false);
    }
    recognize(&app, &alice, post)
        .await
        .expect_error(403, "forbidden");
    app.post_json(&format!("{}/recognize", post.path()), None, &json!({}))
        .await
        .expect_error(401, "not_signed_in");
    assert_eq!(reputation_of(&app, "alice").await, 1);
    assert_eq!(reputation_of(&app, "bob").await, 1);

    for (who, name) in [(&leader, "lead"), (&moderator, "mod"), (&admin, "boss")] {
        let own = discussion(&app, who, &format!("{name}'s own idea")).await;
        recognize(&app, who, own)
            .await
            .expect_error(403, "self_recognize");
        assert_eq!(shown(&app, own, None).await["recognized"], false);
        assert_eq!(reputation_of(&app, name).await, 1);
    }

    recognize(&app, &leader, post).await.expect(200);
    recognize(&app, &admin, reply).await.expect(200);
    assert_eq!(reputation_of(&app, "alice").await, 16);
    assert_eq!(reputation_of(&app, "bob").await, 16);
    // A moderator may withdraw what a leader gave.
    withdraw(&app, &moderator, post).await.expect(200);
    assert_eq!(reputation_of(&app, "alice").await, 1);

    recognize(&app, &leader, Post::Discussion(999_999))
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn recognition_is_not_capped() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let voters = crowd(&app, "voter", 21).await;
    let leader = register_as(&app, "lead", Role::Leader).await;
    let posts = [
        discussion(&app, &alice, "First").await,
        discussion(&app, &alice, "Second").await,
    ];
    for (i, voter) in voters.iter().enumerate() {
        voted(&app, voter, posts[i % 2], 1).await;
    }
    assert_eq!(
        reputation_of(&app, "alice").await,
        201,
        "21 upvotes in a day give 200"
    );

    recognize(&app, &leader, posts[0]).await.expect(200);
    recognize(&app, &leader, posts[1]).await.expect(200);

    assert_eq!(reputation_of(&app, "alice").await, 231);
}

// ---------------------------------------------------------------------------------------
// Deletion
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn deleting_a_post_takes_back_what_its_votes_gave() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let moderator = app.register_moderator("mod").await;
    let post = discussion(&app, &alice, "Retrospectives").await;
    let bobs = discussion(&app, &bob, "Demos").await;
    let reply = comment(&app, &alice, bobs, "Fridays?").await;
    let other = discussion(&app, &alice, "Kept").await;
    voted(&app, &bob, post, 1).await;
    voted(&app, &carol, post, 1).await;
    voted(&app, &bob, reply, 1).await;
    voted(&app, &moderator, reply, -1).await;
    voted(&app, &carol, other, 1).await;
    assert_eq!(reputation_of(&app, "alice").await, 1 + 20 + 10 - 2 + 10);
    let mod_before = ledger(&app, "mod").await;
    assert_eq!(points(&events_of(&mod_before, "downvote_cast")), -1);

    delete_post(&app, &alice, reply).await;

    assert_eq!(reputation_of(&app, "alice").await, 1 + 20 + 10);
    let mod_after = ledger(&app, "mod").await;
    assert_eq!(
        points(mod_after["events"].as_array().expect("events")),
        0,
        "the downvote's cost is reversed with the rest of the vote: {mod_after}"
    );

    // A moderator deleting someone's discussion takes its votes' points back too.
    delete_post(&app, &moderator, post).await;

    assert_eq!(reputation_of(&app, "alice").await, 11);
    let alice_ledger = ledger(&app, "alice").await;
    for gone in [post, reply] {
        let about: Vec<Value> = alice_ledger["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| gone.owns(e))
            .cloned()
            .collect();
        assert!(!about.is_empty(), "{alice_ledger}");
        assert_eq!(points(&about), 0, "{gone:?} still gives points: {about:?}");
    }
    assert!(
        !events_of(&alice_ledger, "item_deleted").is_empty(),
        "{alice_ledger}"
    );
    // The vote on the other discussion stands.
    assert_eq!(shown(&app, other, None).await["score"], 1);
}

#[tokio::test]
async fn deleting_a_post_does_not_take_back_more_than_its_votes_gave() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let moderator = app.register_moderator("mod").await;
    let post = discussion(&app, &alice, "Flip-flop").await;
    // A vote changed back and forth, then cleared, then cast again.
    voted(&app, &moderator, post, 1).await;
    voted(&app, &moderator, post, -1).await;
    voted(&app, &moderator, post, 0).await;
    voted(&app, &moderator, post, 1).await;
    voted(&app, &bob, post, 1).await;
    voted(&app, &bob, post, 0).await;
    assert_eq!(reputation_of(&app, "alice").await, 11);

    delete_post(&app, &alice, post).await;

    assert_eq!(reputation_of(&app, "alice").await, 1);
    let alice_ledger = ledger(&app, "alice").await;
    assert_eq!(
        points(alice_ledger["events"].as_array().expect("events")),
        0
    );
}

// ---------------------------------------------------------------------------------------
// The daily cap (service with explicit times)
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn the_daily_cap_stops_vote_points_at_200_per_utc_day() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let voters = crowd(&app, "voter", 24).await;
    let posts = [
        discussion(&app, &alice, "One").await,
        discussion(&app, &alice, "Two").await,
        discussion(&app, &alice, "Three").await,
    ];
    let bobs = discussion(&app, &voters[0], "Somebody else's").await;
    let reply = comment(&app, &alice, bobs, "Alice's reply").await;
    let db = app.db().await;
    let mut actors = Vec::new();
    for voter in &voters {
        actors.push(actor(&db, &voter.username).await);
    }
    let day = (Utc::now() - Duration::days(3)).date_naive();

    // Day 1: 22 upvotes from 22 different members on four of her posts.
    for (i, voter) in actors[..22].iter().enumerate() {
        let target = if i % 4 == 3 { reply } else { posts[i % 3] };
        let minute = u32::try_from(i).expect("a small index");
        vote_at(&db, voter, target, 1, on_day(day, 9, minute)).await;
    }
    assert_eq!(
        reputation_of(&app, "alice").await,
        201,
        "22 upvotes in one UTC day give exactly 200"
    );
    let day1 = ledger(&app, "alice").await;
    assert_eq!(points(&events_of(&day1, "upvote_received")), 200);

    // Still day 1 at 23:59: nothing more.
    vote_at(&db, &actors[22], posts[0], 1, on_day(day, 23, 59)).await;
    assert_eq!(reputation_of(&app, "alice").await, 201);

    // Day 2 at 00:01: the budget is new.
    let next = day.succ_opt().expect("a next day");
    vote_at(&db, &actors[23], posts[1], 1, on_day(next, 0, 1)).await;
    assert_eq!(reputation_of(&app, "alice").await, 211);

    // Every vote counts in the score, capped or not.
    let mut scores = 0;
    for post in posts.iter().chain([&reply]) {
        scores += shown(&app, *post, None).await["score"]
            .as_i64()
            .expect("score");
    }
    assert_eq!(scores, 24);

    // A vote of day 1 undone on day 2 takes back exactly what it gave.
    vote_at(&db, &actors[0], posts[0], 0, on_day(next, 8, 0)).await;
    assert_eq!(reputation_of(&app, "alice").await, 201);
    assert!(
        rep::recompute(&db).await.expect("recompute").is_empty(),
        "the stored totals match the ledger"
    );
    db.close().await.expect("closing");
}

#[tokio::test]
async fn the_cap_counts_each_author_separately_and_a_withdrawn_upvote_frees_its_share() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let voters = crowd(&app, "voter", 22).await;
    let alices = discussion(&app, &alice, "Alice's").await;
    let bobs = discussion(&app, &bob, "Bob's").await;
    let db = app.db().await;
    let mut actors = Vec::new();
    for voter in &voters {
        actors.push(actor(&db, &voter.username).await);
    }
    let day = (Utc::now() - Duration::days(2)).date_naive();

    for (i, voter) in actors[..20].iter().enumerate() {
        let minute = u32::try_from(i).expect("a small index");
        vote_at(&db, voter, alices, 1, on_day(day, 10, minute)).await;
        vote_at(&db, voter, bobs, 1, on_day(day, 11, minute)).await;
    }
    assert_eq!(reputation_of(&app, "alice").await, 201);
    assert_eq!(reputation_of(&app, "bob").await, 201);

    // One vote is withdrawn the same day: its 10 go, and so does its share of the day's
    // budget (the cap counts what today's upvotes still give), so toggling a vote cannot
    // burn another member's cap.
    vote_at(&db, &actors[0], alices, 0, on_day(day, 12, 0)).await;
    assert_eq!(reputation_of(&app, "alice").await, 191);
    vote_at(&db, &actors[20], alices, 1, on_day(day, 13, 0)).await;
    assert_eq!(reputation_of(&app, "alice").await, 201);
    vote_at(&db, &actors[21], alices, 1, on_day(day, 13, 1)).await;
    assert_eq!(
        reputation_of(&app, "alice").await,
        201,
        "the cap holds again"
    );
    assert_eq!(shown(&app, alices, None).await["score"], 21);

    // Downvotes still count against a capped author.
    let moderator = app.register_moderator("mod").await;
    let mod_actor = actor(&db, &moderator.username).await;
    vote_at(&db, &mod_actor, alices, -1, on_day(day, 14, 0)).await;
    assert_eq!(reputation_of(&app, "alice").await, 199);
    db.close().await.expect("closing");
}

#[tokio::test]
async fn a_post_deleted_the_same_day_gives_its_upvotes_share_of_the_cap_back() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let voters = crowd(&app, "voter", 22).await;
    let one = discussion(&app, &alice, "One").await;
    let two = discussion(&app, &alice, "Two").await;
    let db = app.db().await;
    let mut actors = Vec::new();
    for voter in &voters {
        actors.push(actor(&db, &voter.username).await);
    }
    let now = Utc::now();
    for (i, voter) in actors[..20].iter().enumerate() {
        vote_at(&db, voter, if i < 10 { one } else { two }, 1, now).await;
    }
    vote_at(&db, &actors[20], two, 1, now).await;
    assert_eq!(reputation_of(&app, "alice").await, 201, "capped at 200");

    // Deleting "One" takes its 100 back, and with them their share of today's cap.
    delete_post(&app, &alice, one).await;
    assert_eq!(reputation_of(&app, "alice").await, 101);
    vote_at(&db, &actors[21], two, 1, now).await;
    assert_eq!(
        reputation_of(&app, "alice").await,
        111,
        "an upvote after the deletion counts again"
    );
    assert!(
        rep::recompute(&db).await.expect("recompute").is_empty(),
        "the stored totals match the ledger"
    );
    db.close().await.expect("closing");
}

// ---------------------------------------------------------------------------------------
// Serial voting
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn serial_votes_beyond_ten_in_a_day_are_corrected() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let mut posts = Vec::new();
    for i in 0..12 {
        posts.push(discussion(&app, &alice, &format!("Idea number {i}")).await);
    }

    for post in &posts {
        assert_eq!(voted(&app, &bob, *post, 1).await["score"], 1);
    }

    assert_eq!(
        reputation_of(&app, "alice").await,
        1 + 10 * 10,
        "only ten of bob's twelve votes count"
    );
    let alice_ledger = ledger(&app, "alice").await;
    let corrected = events_of(&alice_ledger, "voting_corrected");
    assert_eq!(corrected.len(), 2, "{alice_ledger}");
    assert_eq!(points(&corrected), -20);
    assert_eq!(points(&events_of(&alice_ledger, "upvote_received")), 120);
    // The votes themselves stand.
    for post in &posts {
        let seen = shown(&app, *post, Some(&bob)).await;
        assert_eq!(
            (seen["score"].clone(), seen["my_vote"].clone()),
            (json!(1), json!(1))
        );
    }

    // Another member's vote is not serial.
    voted(&app, &carol, posts[0], 1).await;
    assert_eq!(reputation_of(&app, "alice").await, 111);

    // Undoing a corrected vote takes back nothing more.
    voted(&app, &bob, posts[11], 0).await;
    assert_eq!(reputation_of(&app, "alice").await, 111);
    // Undoing a counted one takes back its 10.
    voted(&app, &bob, posts[0], 0).await;
    assert_eq!(reputation_of(&app, "alice").await, 101);
}

#[tokio::test]
async fn serial_voting_counts_votes_within_24_hours_only() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let mut posts = Vec::new();
    for i in 0..14 {
        posts.push(discussion(&app, &alice, &format!("Idea number {i}")).await);
    }
    let db = app.db().await;
    let voter = actor(&db, &bob.username).await;
    let start = Utc::now() - Duration::days(5);

    for (i, post) in posts[..10].iter().enumerate() {
        let i = i64::try_from(i).expect("a small index");
        vote_at(&db, &voter, *post, 1, start + Duration::minutes(i)).await;
    }
    assert_eq!(reputation_of(&app, "alice").await, 101);

    // A day and an hour later: a new window.
    let later = start + Duration::hours(25);
    for (i, post) in posts[10..].iter().enumerate() {
        let i = i64::try_from(i).expect("a small index");
        vote_at(&db, &voter, *post, 1, later + Duration::minutes(i)).await;
    }

    let alice_ledger = ledger(&app, "alice").await;
    assert_eq!(
        events_of(&alice_ledger, "voting_corrected"),
        Vec::<Value>::new(),
        "votes 24 hours apart are not serial"
    );
    assert_eq!(alice_ledger["reputation"], 141);
    db.close().await.expect("closing");
}

#[tokio::test]
async fn serial_downvotes_are_corrected_too() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let fans = crowd(&app, "fan", 5).await;
    let moderator = app.register_moderator("mod").await;
    // 50 to lose, so the floor does not hide the corrections.
    let liked = discussion(&app, &alice, "Liked").await;
    for fan in &fans {
        voted(&app, fan, liked, 1).await;
    }
    let mut posts = Vec::new();
    for i in 0..12 {
        posts.push(discussion(&app, &alice, &format!("Disliked {i}")).await);
    }

    for post in &posts {
        voted(&app, &moderator, *post, -1).await;
    }

    assert_eq!(
        reputation_of(&app, "alice").await,
        51 - 2 * 10,
        "only ten of the twelve downvotes count"
    );
    let corrected = events_of(&ledger(&app, "alice").await, "voting_corrected");
    assert_eq!(points(&corrected), 4);
}

// ---------------------------------------------------------------------------------------
// Recompute
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn recompute_finds_and_repairs_a_total_that_drifted_from_the_ledger() {
    use sea_orm::ConnectionTrait;

    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let post = discussion(&app, &alice, "Drift").await;
    voted(&app, &bob, post, 1).await;
    let db = app.db().await;
    assert_eq!(
        rep::recompute(&db).await.expect("recompute"),
        vec![],
        "nothing drifted yet"
    );

    db.execute_unprepared("UPDATE members SET reputation = 999 WHERE username = 'alice'")
        .await
        .expect("corrupting a total");
    db.execute_unprepared("UPDATE members SET reputation = 0 WHERE username = 'bob'")
        .await
        .expect("corrupting a total");
    let mut drift = rep::recompute(&db).await.expect("recompute");
    drift.sort_by(|a, b| a.username.cmp(&b.username));

    assert_eq!(
        drift,
        vec![
            rep::Drift {
                username: "alice".into(),
                stored: 999,
                ledger: 11,
            },
            rep::Drift {
                username: "bob".into(),
                stored: 0,
                ledger: 1,
            },
        ]
    );
    assert_eq!(reputation_of(&app, "alice").await, 11);
    assert_eq!(reputation_of(&app, "bob").await, 1);
    assert_eq!(rep::recompute(&db).await.expect("recompute"), vec![]);
    db.close().await.expect("closing");
}
