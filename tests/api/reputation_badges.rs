//! Badges, notifications, leaderboards and the reputation pages (issue #3).

use chrono::{Duration, Utc};
use quorum::domain::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, assert_member_ref, assert_utc_time, spawn_app};
use crate::reputation::{
    actor, comment, crowd, discussion, discussion_in, recognize, register_as, reputation_of, vote,
    vote_at, voted, withdraw,
};

/// Every badge of the issue: slug, name, tier.
const BADGES: &[(&str, &str, &str)] = &[
    ("first-discussion", "First Discussion", "bronze"),
    ("first-comment", "First Comment", "bronze"),
    ("supporter", "Supporter", "bronze"),
    ("critic", "Critic", "bronze"),
    ("nice-idea", "Nice Idea", "bronze"),
    ("good-idea", "Good Idea", "silver"),
    ("great-idea", "Great Idea", "gold"),
    ("recognised", "Recognised", "silver"),
    ("commentator", "Commentator", "bronze"),
    ("conversation-starter", "Conversation Starter", "silver"),
    ("pillar", "Pillar", "gold"),
];

/// The slugs of a member's badges, as GET /members/{u} shows them (each checked).
async fn badges_of(app: &TestApp, username: &str) -> Vec<String> {
    let member = app
        .get(&format!("/members/{username}"), None)
        .await
        .expect(200);
    let badges = member["badges"]
        .as_array()
        .unwrap_or_else(|| panic!("no badges list in {member}"));
    badges
        .iter()
        .map(|b| {
            let slug = b["slug"].as_str().unwrap_or_else(|| panic!("{b}"));
            let (_, name, tier) = BADGES
                .iter()
                .find(|(s, _, _)| *s == slug)
                .unwrap_or_else(|| panic!("an unknown badge {b}"));
            assert_eq!(b["name"], *name, "{b}");
            assert_eq!(b["tier"], *tier, "{b}");
            assert_utc_time(&b["awarded_at"], "badge.awarded_at");
            slug.to_string()
        })
        .collect()
}

/// GET /notifications for a member.
async fn notifications(app: &TestApp, user: &TestUser) -> Value {
    app.get("/notifications", user.auth()).await.expect(200)
}

/// The `badge` notifications of a member, oldest first.
async fn badge_notes(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let list = notifications(app, user).await;
    let mut notes: Vec<Value> = list["notifications"]
        .as_array()
        .unwrap_or_else(|| panic!("no notifications list in {list}"))
        .iter()
        .filter(|n| n["kind"] == "badge")
        .cloned()
        .collect();
    notes.reverse();
    notes
}

/// How many times a member holds a badge, and was told about it.
async fn times_awarded(app: &TestApp, user: &TestUser, slug: &str) -> (usize, usize) {
    let held = badges_of(app, &user.username)
        .await
        .iter()
        .filter(|s| *s == slug)
        .count();
    let told = badge_notes(app, user)
        .await
        .iter()
        .filter(|n| n["badge"] == slug)
        .count();
    (held, told)
}

/// The member holds `slug` once and was notified once.
async fn assert_awarded_once(app: &TestApp, user: &TestUser, slug: &str) {
    assert_eq!(
        times_awarded(app, user, slug).await,
        (1, 1),
        "{} should hold {slug} once and have been told once; holds {:?}",
        user.username,
        badges_of(app, &user.username).await
    );
}

async fn assert_not_awarded(app: &TestApp, user: &TestUser, slug: &str) {
    assert_eq!(
        times_awarded(app, user, slug).await,
        (0, 0),
        "{} should not hold {slug}; holds {:?}",
        user.username,
        badges_of(app, &user.username).await
    );
}

// ---------------------------------------------------------------------------------------
// Badges
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_newcomer_has_no_badges() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    assert_eq!(badges_of(&app, "alice").await, Vec::<String>::new());
    assert_eq!(badge_notes(&app, &alice).await, Vec::<Value>::new());
    let me = app.get("/me", alice.auth()).await.expect(200);
    assert_eq!(me["badges"], json!([]), "{me}");
}

#[tokio::test]
async fn the_first_discussion_earns_a_badge_once() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    discussion(&app, &alice, "Hello everyone").await;

    assert_awarded_once(&app, &alice, "first-discussion").await;
    let notes = badge_notes(&app, &alice).await;
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["read"], false);
    assert_eq!(notes[0]["actor"], Value::Null, "{}", notes[0]);
    assert_utc_time(&notes[0]["created_at"], "created_at");

    discussion(&app, &alice, "Hello again").await;
    discussion_in(&app, &alice, "people", "And elsewhere").await;

    assert_awarded_once(&app, &alice, "first-discussion").await;
    assert_not_awarded(&app, &alice, "first-comment").await;
}

#[tokio::test]
async fn the_first_comment_earns_a_badge_once() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let post = discussion(&app, &alice, "Ask me anything").await;

    comment(&app, &bob, post, "Why?").await;

    assert_awarded_once(&app, &bob, "first-comment").await;
    assert_not_awarded(&app, &bob, "first-discussion").await;
    assert_not_awarded(&app, &alice, "first-comment").await;

    comment(&app, &bob, post, "Why not?").await;
    comment(&app, &alice, post, "Because").await;

    assert_awarded_once(&app, &bob, "first-comment").await;
    assert_awarded_once(&app, &alice, "first-comment").await;
}

#[tokio::test]
async fn the_first_upvote_earns_supporter_and_the_first_downvote_critic() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let moderator = app.register_moderator("mod").await;
    let posts = [
        discussion(&app, &alice, "One").await,
        discussion(&app, &alice, "Two").await,
    ];

    // A refused downvote earns nothing.
    vote(&app, &bob, posts[0], -1)
        .await
        .expect_error(403, "insufficient_reputation");
    assert_not_awarded(&app, &bob, "critic").await;

    voted(&app, &bob, posts[0], 1).await;
    assert_awarded_once(&app, &bob, "supporter").await;
    voted(&app, &bob, posts[1], 1).await;
    voted(&app, &bob, posts[0], 0).await;
    voted(&app, &bob, posts[0], 1).await;
    assert_awarded_once(&app, &bob, "supporter").await;
    assert_not_awarded(&app, &bob, "critic").await;
    assert_not_awarded(&app, &alice, "supporter").await;

    voted(&app, &moderator, posts[0], -1).await;
    assert_awarded_once(&app, &moderator, "critic").await;
    assert_not_awarded(&app, &moderator, "supporter").await;
    voted(&app, &moderator, posts[1], -1).await;
    voted(&app, &moderator, posts[0], 1).await;
    voted(&app, &moderator, posts[0], -1).await;
    assert_awarded_once(&app, &moderator, "critic").await;
    assert_awarded_once(&app, &moderator, "supporter").await;
}

#[tokio::test]
async fn a_post_with_score_ten_earns_nice_idea_once() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let voters = crowd(&app, "voter", 10).await;
    let post = discussion(&app, &alice, "Quiet hours").await;

    for voter in &voters[..9] {
        voted(&app, voter, post, 1).await;
    }
    assert_not_awarded(&app, &alice, "nice-idea").await;

    assert_eq!(voted(&app, &voters[9], post, 1).await["score"], 10);

    assert_awarded_once(&app, &alice, "nice-idea").await;
    let notes = badge_notes(&app, &alice).await;
    let nice = notes
        .iter()
        .find(|n| n["badge"] == "nice-idea")
        .expect("a nice-idea notification");
    assert_eq!(nice["discussion_id"], post.discussion(), "{nice}");
    // Falling below 10 and reaching it again does not award it again.
    voted(&app, &voters[9], post, 0).await;
    voted(&app, &voters[9], post, 1).await;
    assert_awarded_once(&app, &alice, "nice-idea").await;
    assert_not_awarded(&app, &alice, "good-idea").await;
    for voter in &voters {
        assert_not_awarded(&app, voter, "nice-idea").await;
    }
}

/// Rows written without the app (as an import writes them) can leave a member past a
/// threshold without its badge: the next vote or reply awards it. (A vote reads which
/// badges are held with the post, so that one holding them all costs nothing.)
#[tokio::test]
async fn a_badge_missed_is_awarded_by_the_next_vote_or_reply() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let voters = crowd(&app, "voter", 2).await;
    let post = discussion(&app, &alice, "Imported with a score").await;
    let db = app.db().await;
    let sql = |q: String| {
        let db = db.clone();
        async move {
            sea_orm::ConnectionTrait::execute_unprepared(&db, &q)
                .await
                .expect("sql");
        }
    };
    sql(format!(
        "UPDATE discussions SET score = 12 WHERE id = {}",
        post.discussion()
    ))
    .await;
    sql("UPDATE members SET points = 1499, reputation = 1500 WHERE username = 'alice'".into())
        .await;
    assert_not_awarded(&app, &alice, "nice-idea").await;
    assert_not_awarded(&app, &alice, "pillar").await;

    assert_eq!(voted(&app, &voters[0], post, 1).await["score"], 13);
    assert_awarded_once(&app, &alice, "nice-idea").await;
    assert_awarded_once(&app, &alice, "pillar").await;
    // Held now: the next vote awards nothing again.
    voted(&app, &voters[1], post, 1).await;
    assert_awarded_once(&app, &alice, "nice-idea").await;
    assert_awarded_once(&app, &alice, "pillar").await;

    // Bob is past ten replies without Commentator (its row gone, as if never written).
    for i in 0..10 {
        comment(&app, &bob, post, &format!("Reply {i}")).await;
    }
    assert_awarded_once(&app, &bob, "commentator").await;
    sql("DELETE FROM member_badges WHERE slug = 'commentator'".into()).await;
    sql("DELETE FROM notifications WHERE badge_slug = 'commentator'".into()).await;
    assert_not_awarded(&app, &bob, "commentator").await;
    comment(&app, &bob, post, "The eleventh").await;
    assert_awarded_once(&app, &bob, "commentator").await;
    db.close().await.expect("closing");
}

#[tokio::test]
async fn a_comment_with_score_ten_earns_nice_idea_too() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let voters = crowd(&app, "voter", 10).await;
    let post = discussion(&app, &alice, "Quiet hours").await;
    let reply = comment(&app, &bob, post, "Mornings, please").await;

    for voter in &voters {
        voted(&app, voter, reply, 1).await;
    }

    assert_awarded_once(&app, &bob, "nice-idea").await;
    assert_not_awarded(&app, &alice, "nice-idea").await;
    let notes = badge_notes(&app, &bob).await;
    let nice = notes
        .iter()
        .find(|n| n["badge"] == "nice-idea")
        .expect("a nice-idea notification");
    assert_eq!(nice["comment_id"], reply.comment().expect("a comment"));
}

#[tokio::test]
async fn the_first_recognition_earns_recognised_once() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let leader = register_as(&app, "lead", Role::Leader).await;
    let posts = [
        discussion(&app, &alice, "One").await,
        discussion(&app, &alice, "Two").await,
    ];
    assert_not_awarded(&app, &alice, "recognised").await;

    recognize(&app, &leader, posts[0]).await.expect(200);
    assert_awarded_once(&app, &alice, "recognised").await;

    withdraw(&app, &leader, posts[0]).await.expect(200);
    recognize(&app, &leader, posts[0]).await.expect(200);
    recognize(&app, &leader, posts[1]).await.expect(200);
    assert_awarded_once(&app, &alice, "recognised").await;
    assert_not_awarded(&app, &leader, "recognised").await;
}

#[tokio::test]
async fn ten_comments_earn_commentator() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let posts = [
        discussion(&app, &alice, "One").await,
        discussion(&app, &alice, "Two").await,
    ];

    for i in 0..9 {
        comment(&app, &bob, posts[i % 2], &format!("Comment {i}")).await;
    }
    assert_not_awarded(&app, &bob, "commentator").await;
    assert_awarded_once(&app, &bob, "first-comment").await;

    comment(&app, &bob, posts[0], "The tenth").await;
    assert_awarded_once(&app, &bob, "commentator").await;

    comment(&app, &bob, posts[1], "The eleventh").await;
    assert_awarded_once(&app, &bob, "commentator").await;
    assert_not_awarded(&app, &alice, "commentator").await;
}

#[tokio::test]
async fn ten_discussions_with_replies_from_others_earn_conversation_starter() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let mut posts = Vec::new();
    for i in 0..10 {
        posts.push(discussion(&app, &alice, &format!("Topic {i}")).await);
    }

    // Nine discussions with replies from others (several on some), one with only her own.
    for (i, post) in posts[..9].iter().enumerate() {
        comment(&app, &bob, *post, "A reply").await;
        if i % 3 == 0 {
            comment(&app, &carol, *post, "Another reply").await;
        }
    }
    comment(&app, &alice, posts[9], "Talking to myself").await;
    comment(&app, &alice, posts[9], "Still me").await;
    assert_not_awarded(&app, &alice, "conversation-starter").await;

    comment(&app, &carol, posts[9], "Finally someone").await;
    assert_awarded_once(&app, &alice, "conversation-starter").await;

    comment(&app, &bob, posts[9], "And another").await;
    assert_awarded_once(&app, &alice, "conversation-starter").await;
    assert_not_awarded(&app, &bob, "conversation-starter").await;
    assert_not_awarded(&app, &carol, "conversation-starter").await;
}

#[tokio::test]
async fn reputation_1000_earns_pillar() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let moderator = app.register_moderator("mod").await;
    let mut posts = Vec::new();
    for i in 0..67 {
        posts.push(discussion(&app, &alice, &format!("Great idea {i}")).await);
    }

    for post in &posts[..66] {
        recognize(&app, &moderator, *post).await.expect(200);
    }
    assert_eq!(reputation_of(&app, "alice").await, 991);
    assert_not_awarded(&app, &alice, "pillar").await;

    recognize(&app, &moderator, posts[66]).await.expect(200);
    assert_eq!(reputation_of(&app, "alice").await, 1006);
    assert_awarded_once(&app, &alice, "pillar").await;

    // Dropping below 1000 and climbing back does not award it again.
    withdraw(&app, &moderator, posts[0]).await.expect(200);
    assert_eq!(reputation_of(&app, "alice").await, 991);
    recognize(&app, &moderator, posts[0]).await.expect(200);
    assert_awarded_once(&app, &alice, "pillar").await;
    assert_not_awarded(&app, &moderator, "pillar").await;
}

#[tokio::test]
async fn upvotes_spread_over_days_earn_pillar_too() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let voters = crowd(&app, "voter", 20).await;
    let mut posts = Vec::new();
    for i in 0..5 {
        posts.push(discussion(&app, &alice, &format!("Idea {i}")).await);
    }
    let db = app.db().await;
    let mut actors = Vec::new();
    for voter in &voters {
        actors.push(actor(&db, &voter.username).await);
    }
    // 20 members upvote her five posts, one post a day for five days: 100 upvotes, 200
    // points a day (the cap), 1000 in all. One vote per member per author per day.
    let start = Utc::now() - Duration::days(10);
    for (day, post) in posts.iter().enumerate() {
        let day = i64::try_from(day).expect("a small index");
        for (i, voter) in actors.iter().enumerate() {
            let i = i64::try_from(i).expect("a small index");
            let now = start + Duration::days(day) + Duration::minutes(i);
            vote_at(&db, voter, *post, 1, now).await;
        }
        if day < 4 {
            assert_not_awarded(&app, &alice, "pillar").await;
        }
    }

    assert_eq!(reputation_of(&app, "alice").await, 1001);
    assert_awarded_once(&app, &alice, "pillar").await;
    db.close().await.expect("closing");
}

#[tokio::test]
async fn the_badges_list_shows_every_badge_and_who_holds_it() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let post = discussion(&app, &alice, "Hello").await;
    comment(&app, &bob, post, "Hi").await;
    voted(&app, &bob, post, 1).await;

    let list = app.get("/badges", None).await.expect(200);

    let badges = list["badges"]
        .as_array()
        .unwrap_or_else(|| panic!("no badges in {list}"));
    for (slug, name, tier) in BADGES {
        let badge = badges
            .iter()
            .find(|b| b["slug"] == *slug)
            .unwrap_or_else(|| panic!("{slug} is not listed: {list}"));
        assert_eq!(badge["name"], *name, "{badge}");
        assert_eq!(badge["tier"], *tier, "{badge}");
        assert!(
            badge["description"]
                .as_str()
                .is_some_and(|d| !d.trim().is_empty()),
            "{badge}"
        );
        let holders: Vec<&str> = badge["holders"]
            .as_array()
            .unwrap_or_else(|| panic!("no holders in {badge}"))
            .iter()
            .map(|h| h["username"].as_str().expect("a username"))
            .collect();
        let expected: &[&str] = match *slug {
            "first-discussion" => &["alice"],
            "first-comment" | "supporter" => &["bob"],
            _ => &[],
        };
        assert_eq!(holders, expected, "holders of {slug}");
        for holder in badge["holders"].as_array().expect("holders") {
            assert_member_ref(holder, holder["username"].as_str().expect("username"));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Notifications
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn recognition_is_announced_with_who_gave_it() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let leader = register_as(&app, "lead", Role::Leader).await;
    let post = discussion(&app, &alice, "Recognise me").await;

    recognize(&app, &leader, post).await.expect(200);

    let list = notifications(&app, &alice).await;
    let recognition: Vec<&Value> = list["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .filter(|n| n["kind"] == "recognition")
        .collect();
    assert_eq!(recognition.len(), 1, "{list}");
    assert_eq!(recognition[0]["discussion_id"], post.discussion());
    assert_eq!(recognition[0]["comment_id"], Value::Null);
    assert_member_ref(&recognition[0]["actor"], "lead");
    assert_eq!(recognition[0]["read"], false);
    assert!(
        notifications(&app, &leader).await["notifications"]
            .as_array()
            .expect("notifications")
            .iter()
            .all(|n| n["kind"] != "recognition"),
        "the leader is not told about their own recognition"
    );
}

#[tokio::test]
async fn notifications_count_unread_and_are_marked_read_by_id_or_all() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let leader = register_as(&app, "lead", Role::Leader).await;
    // first-discussion, then a recognition and recognised: three notifications.
    let post = discussion(&app, &alice, "Notify me").await;
    recognize(&app, &leader, post).await.expect(200);
    discussion(&app, &bob, "Bob's own").await;

    let list = notifications(&app, &alice).await;
    assert_eq!(list["unread"], 3, "{list}");
    let items = list["notifications"].as_array().expect("notifications");
    assert_eq!(items.len(), 3, "{list}");
    let ids: Vec<i64> = items
        .iter()
        .map(|n| n["id"].as_i64().expect("an id"))
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    assert!(items.iter().all(|n| n["read"] == false), "{list}");

    // Marking one by id.
    app.post_json(
        "/notifications/read",
        alice.auth(),
        &json!({"ids": [ids[1]]}),
    )
    .await
    .expect_status(204);
    let list = notifications(&app, &alice).await;
    assert_eq!(list["unread"], 2, "{list}");
    for n in list["notifications"].as_array().expect("notifications") {
        assert_eq!(n["read"], n["id"] == ids[1], "{n}");
    }

    // Someone else's ids are ignored.
    app.post_json("/notifications/read", bob.auth(), &json!({"ids": ids}))
        .await
        .expect_status(204);
    assert_eq!(notifications(&app, &alice).await["unread"], 2);
    assert_eq!(notifications(&app, &bob).await["unread"], 1);

    // An empty list, or no instruction at all.
    app.post_json("/notifications/read", alice.auth(), &json!({"ids": []}))
        .await
        .expect_status(204);
    assert_eq!(notifications(&app, &alice).await["unread"], 2);
    // No instruction marks nothing: there is nothing to refuse.
    app.post_json("/notifications/read", alice.auth(), &json!({}))
        .await
        .expect_status(204);
    assert_eq!(notifications(&app, &alice).await["unread"], 2);

    // All at once.
    app.post_json("/notifications/read", alice.auth(), &json!({"all": true}))
        .await
        .expect_status(204);
    let list = notifications(&app, &alice).await;
    assert_eq!(list["unread"], 0, "{list}");
    assert!(
        list["notifications"]
            .as_array()
            .expect("notifications")
            .iter()
            .all(|n| n["read"] == true),
        "{list}"
    );
    assert_eq!(
        notifications(&app, &bob).await["unread"],
        1,
        "only alice's were marked"
    );

    // A new one is unread again.
    comment(&app, &alice, post, "My first comment").await;
    assert_eq!(notifications(&app, &alice).await["unread"], 1);

    app.get("/notifications", None)
        .await
        .expect_error(401, "not_signed_in");
    app.post_json("/notifications/read", None, &json!({"all": true}))
        .await
        .expect_error(401, "not_signed_in");
}

// ---------------------------------------------------------------------------------------
// Leaderboards
// ---------------------------------------------------------------------------------------

/// `(rank, username, points)` of each entry of a leaderboard.
async fn board(app: &TestApp, query: &str) -> Vec<(i64, String, i64)> {
    let body = app
        .get(&format!("/leaderboard{query}"), None)
        .await
        .expect(200);
    body["entries"]
        .as_array()
        .unwrap_or_else(|| panic!("no entries in {body}"))
        .iter()
        .map(|e| {
            let username = e["member"]["username"]
                .as_str()
                .unwrap_or_else(|| panic!("{e}"));
            assert_member_ref(&e["member"], username);
            (
                e["rank"].as_i64().unwrap_or_else(|| panic!("{e}")),
                username.to_string(),
                e["points"].as_i64().unwrap_or_else(|| panic!("{e}")),
            )
        })
        .collect()
}

fn row(rank: i64, username: &str, points: i64) -> (i64, String, i64) {
    (rank, username.to_string(), points)
}

#[tokio::test]
async fn the_leaderboard_ranks_members_by_points() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let dave = app.register("dave").await;
    let voters = crowd(&app, "voter", 4).await;
    let moderator = app.register_moderator("mod").await;
    let leader = register_as(&app, "lead", Role::Leader).await;
    assert_eq!(board(&app, "").await, vec![], "nobody has points yet");

    let alices = discussion(&app, &alice, "Alice's").await;
    let bobs = discussion(&app, &bob, "Bob's").await;
    let carols = discussion(&app, &carol, "Carol's").await;
    let daves = discussion(&app, &dave, "Dave's").await;
    for voter in &voters[..3] {
        voted(&app, voter, alices, 1).await;
    }
    voted(&app, &voters[0], carols, 1).await;
    recognize(&app, &leader, bobs).await.expect(200);
    voted(&app, &voters[3], bobs, 1).await;
    voted(&app, &voters[2], bobs, 1).await;
    voted(&app, &moderator, bobs, -1).await;
    voted(&app, &moderator, daves, -1).await;

    let expected = vec![
        row(1, "bob", 15 + 20 - 2),
        row(2, "alice", 30),
        row(3, "carol", 10),
    ];
    assert_eq!(board(&app, "").await, expected);
    assert_eq!(board(&app, "?period=all").await, expected);

    // Ties share a rank; the next rank skips.
    voted(&app, &voters[1], carols, 1).await;
    voted(&app, &voters[2], carols, 1).await;
    assert_eq!(
        board(&app, "").await,
        vec![row(1, "bob", 33), row(2, "alice", 30), row(2, "carol", 30)]
    );
    voted(&app, &moderator, bobs, 0).await;
    voted(&app, &voters[3], bobs, 0).await;
    assert_eq!(
        board(&app, "").await,
        vec![row(1, "alice", 30), row(1, "carol", 30), row(3, "bob", 25)]
    );
}

#[tokio::test]
async fn the_leaderboard_can_be_narrowed_to_a_zone() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let voters = crowd(&app, "voter", 3).await;
    let alice_customers = discussion_in(&app, &alice, "customers", "Alice for customers").await;
    let alice_people = discussion_in(&app, &alice, "people", "Alice for people").await;
    let bob_people = discussion_in(&app, &bob, "people", "Bob for people").await;
    let bob_reply = comment(&app, &bob, alice_customers, "Bob's reply").await;
    for voter in &voters {
        voted(&app, voter, alice_customers, 1).await;
    }
    voted(&app, &voters[0], alice_people, 1).await;
    voted(&app, &voters[0], bob_people, 1).await;
    voted(&app, &voters[1], bob_people, 1).await;
    voted(&app, &voters[0], bob_reply, 1).await;

    assert_eq!(
        board(&app, "?zone=customers").await,
        vec![row(1, "alice", 30), row(2, "bob", 10)],
        "a comment counts in its discussion's zone"
    );
    assert_eq!(
        board(&app, "?zone=people").await,
        vec![row(1, "bob", 20), row(2, "alice", 10)]
    );
    assert_eq!(board(&app, "?zone=stakeholders&period=week").await, vec![]);
    assert_eq!(
        board(&app, "").await,
        vec![row(1, "alice", 40), row(2, "bob", 30)]
    );
    // The all-time totals are kept beside the ledger (zone_points, members.points): a
    // withdrawn vote comes off them too.
    voted(&app, &voters[1], bob_people, 0).await;
    assert_eq!(
        board(&app, "?zone=people").await,
        vec![row(1, "alice", 10), row(1, "bob", 10)]
    );
    assert_eq!(
        board(&app, "").await,
        vec![row(1, "alice", 40), row(2, "bob", 20)]
    );
    app.get("/leaderboard?zone=nowhere", None)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn the_leaderboard_counts_points_earned_in_the_period() {
    let app = spawn_app().await;
    let authors = [
        app.register("frank").await,
        app.register("erin").await,
        app.register("dave").await,
        app.register("carol").await,
    ];
    let voters = crowd(&app, "voter", 4).await;
    let mut posts = Vec::new();
    for author in &authors {
        posts.push(discussion(&app, author, "An idea").await);
    }
    let db = app.db().await;
    let mut actors = Vec::new();
    for voter in &voters {
        actors.push(actor(&db, &voter.username).await);
    }
    // frank: 40 points 400 days ago; erin: 30, 100 days ago; dave: 20, 20 days ago;
    // carol: 10, now.
    let now = Utc::now();
    let ages = [400, 100, 20];
    for (k, (post, age)) in posts.iter().zip(ages).enumerate() {
        for voter in &actors[..4 - k] {
            vote_at(&db, voter, *post, 1, now - Duration::days(age)).await;
        }
    }
    voted(&app, &voters[0], posts[3], 1).await;
    db.close().await.expect("closing");

    assert_eq!(board(&app, "?period=week").await, vec![row(1, "carol", 10)]);
    assert_eq!(
        board(&app, "?period=month").await,
        vec![row(1, "dave", 20), row(2, "carol", 10)]
    );
    assert_eq!(
        board(&app, "?period=year").await,
        vec![row(1, "erin", 30), row(2, "dave", 20), row(3, "carol", 10)]
    );
    assert_eq!(
        board(&app, "?period=all").await,
        vec![
            row(1, "frank", 40),
            row(2, "erin", 30),
            row(3, "dave", 20),
            row(4, "carol", 10)
        ]
    );
}

#[tokio::test]
async fn an_unknown_period_is_refused() {
    let app = spawn_app().await;

    for period in ["decade", "WEEK", "7", "day"] {
        app.get(&format!("/leaderboard?period={period}"), None)
            .await
            .expect_invalid("period");
    }
    app.get_page("/leaderboard?period=decade")
        .await
        .expect_html(400);
}

// ---------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------

/// The number in the first `<span class="score" …>N</span>` after `anchor` in a page.
#[track_caller]
fn score_after(page: &str, anchor: &str) -> i64 {
    let from = page
        .find(anchor)
        .unwrap_or_else(|| panic!("{anchor:?} is not on the page:\n{page}"));
    let rest = &page[from..];
    let at = rest
        .find("class=\"score\"")
        .unwrap_or_else(|| panic!("no score after {anchor:?}:\n{page}"));
    let rest = &rest[at..];
    let open = rest.find('>').expect("the end of the tag") + 1;
    let close = rest[open..].find('<').expect("the closing tag") + open;
    rest[open..close]
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a score: {:?}", &rest[open..close]))
}

#[tokio::test]
async fn voting_works_from_the_discussion_page_without_javascript() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let post = discussion(&app, &alice, "Vote from the page").await;
    let reply = comment(&app, &alice, post, "Vote on me too").await;
    let id = post.discussion();
    let comment_id = reply.comment().expect("a comment");
    let page = format!("/discussions/{id}");
    let browser = app.browser();
    browser.join("bob").await;
    let before = browser.get(&page).await;
    let html = before.expect_html(200);
    assert_eq!(score_after(html, "vote-box"), 0);
    assert!(
        html.contains(&format!("action=\"/discussions/{id}/vote\"")),
        "no vote form for the discussion:\n{html}"
    );

    let location = browser
        .submit(&page, &format!("/discussions/{id}/vote"), &[("value", "1")])
        .await
        .expect_see_other();

    assert!(
        location.contains(&format!("/discussions/{id}")),
        "back to the discussion: {location}"
    );
    let after = browser.get(&page).await;
    let html = after.expect_html(200);
    assert_eq!(score_after(html, "vote-box"), 1);
    assert!(
        html.contains("aria-pressed=\"true\""),
        "the upvote shows as pressed:\n{html}"
    );
    assert_eq!(reputation_of(&app, "alice").await, 11);
    let visitor = app.get_page(&page).await;
    assert_eq!(score_after(visitor.expect_html(200), "vote-box"), 1);

    // A comment, the same way.
    browser
        .submit(
            &page,
            &format!("/comments/{comment_id}/vote"),
            &[("value", "1")],
        )
        .await
        .expect_see_other();
    let html = browser.get(&page).await.text;
    assert_eq!(
        score_after(&html, &format!("/comments/{comment_id}/vote")),
        1
    );
    assert_eq!(reputation_of(&app, "alice").await, 21);

    // Without the CSRF token nothing happens.
    let answer = browser
        .post_form(&format!("/discussions/{id}/vote"), &[("value", "0")])
        .await;
    assert_eq!(answer.status.as_u16(), 403, "{}", answer.text);
    assert_eq!(
        app.discussion(id, None).await["discussion"]["score"],
        1,
        "a vote without a CSRF token is refused"
    );

    // Clearing from the page.
    browser
        .submit(&page, &format!("/discussions/{id}/vote"), &[("value", "0")])
        .await
        .expect_see_other();
    assert_eq!(app.discussion(id, None).await["discussion"]["score"], 0);
    assert_eq!(reputation_of(&app, "alice").await, 11);
}

#[tokio::test]
async fn the_author_sees_the_score_but_no_vote_buttons() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let post = discussion(&app, &alice, "My post").await;
    voted(&app, &bob, post, 1).await;
    let id = post.discussion();

    let author = app.browser();
    let signed_in = author
        .sign_in("alice", crate::helpers::PASSWORD)
        .await
        .expect_see_other();
    assert!(!signed_in.is_empty());
    let page = author.get(&format!("/discussions/{id}")).await;
    let html = page.expect_html(200);

    assert_eq!(score_after(html, "vote-box"), 1);
    assert!(
        !html.contains(&format!("action=\"/discussions/{id}/vote\"")),
        "no vote buttons on one's own post:\n{html}"
    );
    // A self vote through the form is refused like the API's.
    let answer = author
        .submit(
            &format!("/discussions/{id}"),
            &format!("/discussions/{id}/vote"),
            &[("value", "1")],
        )
        .await;
    assert_eq!(answer.status.as_u16(), 403, "{}", answer.text);
    assert_eq!(app.discussion(id, None).await["discussion"]["score"], 1);
}

#[tokio::test]
async fn the_leaderboard_badges_and_profile_pages_render() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let leader = register_as(&app, "lead", Role::Leader).await;
    let post = discussion_in(&app, &alice, "people", "Shown everywhere").await;
    let discussion_page = format!("/discussions/{}", post.discussion());
    let before = app.get_page(&discussion_page).await;
    assert!(!before.expect_html(200).contains("Great Idea"));
    voted(&app, &bob, post, 1).await;
    recognize(&app, &leader, post).await.expect(200);

    for path in [
        "/leaderboard",
        "/leaderboard?period=week",
        "/leaderboard?period=month&zone=people",
        "/leaderboard?period=year",
        "/leaderboard?period=all",
    ] {
        let page = app.get_page(path).await;
        let html = page.expect_html(200);
        assert!(
            html.contains("/members/alice"),
            "{path} lacks alice:\n{html}"
        );
        assert!(html.contains(">25<"), "{path} lacks her 25 points:\n{html}");
    }
    let empty = app.get_page("/leaderboard?zone=stakeholders").await;
    assert!(
        !empty.expect_html(200).contains("/members/alice\""),
        "alice has no points in stakeholders"
    );

    let badges = app.get_page("/badges").await;
    let html = badges.expect_html(200);
    for (_, name, _) in BADGES {
        assert!(html.contains(name), "/badges lacks {name}");
    }
    assert!(html.contains("/members/alice"), "{html}");

    let profile = app.get_page("/members/alice").await;
    let html = profile.expect_html(200);
    assert!(
        html.contains(">26<"),
        "the profile shows reputation 26:\n{html}"
    );
    for name in ["First Discussion", "Recognised"] {
        assert!(html.contains(name), "the profile lacks the {name} badge");
    }

    // The discussion page marks the Great Idea.
    let page = app.get_page(&discussion_page).await;
    assert!(page.expect_html(200).contains("Great Idea"));

    let ledger = app.get("/members/alice/reputation", None).await.expect(200);
    assert_eq!(ledger["reputation"], 26);
    app.get("/members/nobody/reputation", None)
        .await
        .expect_error(404, "not_found");
}
