//! The ledger's invariant under random sequences of votes, changes, clears, deletions and
//! recognitions (a property test over fixed seeds), and exact outcomes under concurrent
//! votes and recognitions (issue #3).

use futures_util::future::join_all;
use quorum::domain::Role;
use quorum::services::ledger as rep;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, spawn_app};
use crate::reputation::{
    Post, comment, crowd, discussion, discussion_in, ledger, points, recognize, reputation_of,
    shown, vote, voted, withdraw,
};

// ---------------------------------------------------------------------------------------
// Property test
// ---------------------------------------------------------------------------------------

/// A small deterministic generator (Knuth's MMIX LCG), so a failing seed replays.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).expect("n fits")).expect("fits")
    }
}

const MEMBERS: usize = 6;
const OPS: usize = 120;
const ROLES: [Role; MEMBERS] = [
    Role::Moderator,
    Role::Leader,
    Role::Admin,
    Role::Member,
    Role::Member,
    Role::Member,
];

/// What the test knows about a post.
struct Item {
    post: Post,
    author: usize,
    /// For a comment, the index of its discussion in the item list.
    parent: Option<usize>,
    deleted: bool,
    recognized: bool,
    /// Each member's current vote.
    votes: [i64; MEMBERS],
}

struct Model {
    members: Vec<TestUser>,
    items: Vec<Item>,
    /// Times each member's posts went to an upvote (each gives 10 while under the cap).
    upvotes_applied: [usize; MEMBERS],
    log: Vec<String>,
}

impl Model {
    fn live(&self, i: usize) -> bool {
        let item = &self.items[i];
        !item.deleted && item.parent.is_none_or(|p| !self.items[p].deleted)
    }

    fn score(&self, i: usize) -> i64 {
        self.items[i].votes.iter().sum()
    }

    fn can_moderate(member: usize) -> bool {
        ROLES[member] >= Role::Moderator
    }
}

/// The ledger kinds of recognition; every other kind comes from votes.
const RECOGNITION_KINDS: [&str; 2] = ["recognized", "recognition_withdrawn"];

async fn setup(app: &TestApp) -> Model {
    let mut members = Vec::new();
    for (i, role) in ROLES.iter().enumerate() {
        let user = app.register(&format!("member{i}")).await;
        if *role != Role::Member {
            app.set_role(&user.username, *role).await;
        }
        members.push(user);
    }
    let zones = ["customers", "people", "stakeholders"];
    // Two discussions and four comments by each member: at most six votes by one member
    // on another's posts, so serial voting (more than ten) never applies.
    let mut items = Vec::new();
    for round in 0..2 {
        for (i, member) in members.iter().enumerate() {
            let title = format!("Discussion {round}-{i}");
            let post = discussion_in(app, member, zones[(i + round) % 3], &title).await;
            items.push(Item {
                post,
                author: i,
                parent: None,
                deleted: false,
                recognized: false,
                votes: [0; MEMBERS],
            });
        }
    }
    let discussions = items.len();
    for i in 0..discussions {
        for (offset, parent) in [(1, i), (2, (i + 1) % discussions)] {
            let author = (items[i].author + offset) % MEMBERS;
            let post = comment(
                app,
                &members[author],
                items[parent].post,
                &format!("Comment by {author}"),
            )
            .await;
            items.push(Item {
                post,
                author,
                parent: Some(parent),
                deleted: false,
                recognized: false,
                votes: [0; MEMBERS],
            });
        }
    }
    Model {
        members,
        items,
        upvotes_applied: [0; MEMBERS],
        log: Vec::new(),
    }
}

async fn random_vote(app: &TestApp, model: &mut Model, rng: &mut Lcg, values: &[i64]) {
    let voter = rng.below(MEMBERS);
    let i = rng.below(model.items.len());
    let value = values[rng.below(values.len())];
    let post = model.items[i].post;
    let author = model.items[i].author;
    let short_of_reputation = value == -1
        && !Model::can_moderate(voter)
        && reputation_of(app, &model.members[voter].username).await < 125;
    model
        .log
        .push(format!("member{voter} votes {value} on {post:?}"));
    let answer = vote(app, &model.members[voter], post, value).await;
    let context = model.log.join("\n");
    if !model.live(i) {
        answer.expect_error(404, "not_found");
    } else if voter == author {
        answer.expect_error(403, "self_vote");
    } else if short_of_reputation {
        answer.expect_error(403, "insufficient_reputation");
    } else {
        let outcome = answer.expect(200);
        let old = model.items[i].votes[voter];
        if value == 1 && old != 1 {
            model.upvotes_applied[author] += 1;
        }
        model.items[i].votes[voter] = value;
        assert_eq!(
            outcome,
            json!({"score": model.score(i), "my_vote": value}),
            "after:\n{context}"
        );
    }
}

async fn random_recognition(app: &TestApp, model: &mut Model, rng: &mut Lcg) {
    // Mostly those who may recognise, sometimes a plain member.
    let who = [0, 1, 2, 0, 1, 2, 0, 1, 2, 3, 4, 5][rng.below(12)];
    let i = rng.below(model.items.len());
    let on = rng.below(3) != 0;
    let post = model.items[i].post;
    model.log.push(format!(
        "member{who} {} {post:?}",
        if on { "recognises" } else { "withdraws" }
    ));
    let answer = if on {
        recognize(app, &model.members[who], post).await
    } else {
        withdraw(app, &model.members[who], post).await
    };
    if ROLES[who] < Role::Leader {
        answer.expect_error(403, "forbidden");
    } else if !model.live(i) {
        answer.expect_error(404, "not_found");
    } else if who == model.items[i].author {
        answer.expect_error(403, "self_recognize");
    } else {
        let item = answer.expect(200);
        assert_eq!(item["recognized"], on, "{item}");
        model.items[i].recognized = on;
    }
}

async fn random_deletion(app: &TestApp, model: &mut Model, rng: &mut Lcg) {
    let i = rng.below(model.items.len());
    // The author, or one of the two who moderate.
    let who = [model.items[i].author, 0, 2][rng.below(3)];
    let post = model.items[i].post;
    model.log.push(format!("member{who} deletes {post:?}"));
    let answer = app.delete(&post.path(), model.members[who].auth()).await;
    // An author (not a moderator) cannot delete a discussion others replied to.
    let moderator = who == 0 || who == 2;
    let others_replied = model.items[i].parent.is_none()
        && model
            .items
            .iter()
            .any(|c| c.parent == Some(i) && !c.deleted && c.author != who);
    if model.live(i) && !moderator && others_replied {
        answer.expect_error(403, "has_replies");
    } else if model.live(i) {
        answer.expect_status(204);
        model.items[i].deleted = true;
    } else {
        answer.expect_error(404, "not_found");
    }
}

/// Every member's reputation is `max(1, 1 + sum of their events)` (checked by `ledger`).
async fn check_invariant(app: &TestApp, model: &Model) -> Vec<Value> {
    let mut ledgers = Vec::new();
    for member in &model.members {
        reputation_of(app, &member.username).await;
        ledgers.push(ledger(app, &member.username).await);
    }
    ledgers
}

/// The points of a member's events about one post, recognition or votes.
fn about(ledger: &Value, post: Post, recognition: bool) -> i64 {
    let events: Vec<Value> = ledger["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| post.owns(e))
        .filter(|e| {
            RECOGNITION_KINDS.contains(&e["kind"].as_str().unwrap_or_default()) == recognition
        })
        .cloned()
        .collect();
    points(&events)
}

/// Values a random vote picks from: mostly up, or (to push members below zero and onto
/// the floor at 1) mostly down.
const MOSTLY_UP: &[i64] = &[1, 1, 1, -1, -1, 0];
const MOSTLY_DOWN: &[i64] = &[1, -1, -1, -1, -1, 0];

async fn property(seed: u64, values: &[i64]) {
    let app = spawn_app().await;
    let mut model = setup(&app).await;
    let mut rng = Lcg(seed);

    for step in 0..OPS {
        match rng.below(100) {
            0..78 => random_vote(&app, &mut model, &mut rng, values).await,
            78..95 => random_recognition(&app, &mut model, &mut rng).await,
            _ => random_deletion(&app, &mut model, &mut rng).await,
        }
        if step % 20 == 19 {
            check_invariant(&app, &model).await;
        }
    }

    let ledgers = check_invariant(&app, &model).await;
    let context = format!("seed {seed}:\n{}", model.log.join("\n"));
    for (i, item) in model.items.iter().enumerate() {
        let post = item.post;
        if !model.live(i) {
            if item.deleted {
                // Deleting took back everything the post's votes gave or cost.
                for (m, ledger) in ledgers.iter().enumerate() {
                    assert_eq!(
                        about(ledger, post, false),
                        0,
                        "member{m} keeps points from the votes on deleted {post:?}; {context}"
                    );
                }
            }
            continue;
        }
        // The score and each member's vote, as each member sees them.
        for (m, member) in model.members.iter().enumerate() {
            let seen = shown(&app, post, Some(member)).await;
            assert_eq!(seen["score"], model.score(i), "{post:?}: {seen}; {context}");
            assert_eq!(
                seen["my_vote"], item.votes[m],
                "member{m} on {post:?}: {seen}; {context}"
            );
        }
        let seen = shown(&app, post, None).await;
        assert_eq!(seen["recognized"], item.recognized, "{seen}; {context}");
        // Recognition gives 15 while it stands.
        assert_eq!(
            about(&ledgers[item.author], post, true),
            if item.recognized { 15 } else { 0 },
            "recognition of {post:?}; {context}"
        );
        // No member cast more than ten votes on another's posts, so no serial voting;
        // while the author's upvotes stayed under the cap, the post's votes give exactly
        // 10 per upvote and -2 per downvote.
        if model.upvotes_applied[item.author] <= 20 {
            let ups = item.votes.iter().filter(|v| **v == 1).count();
            let downs = item.votes.iter().filter(|v| **v == -1).count();
            let expected =
                10 * i64::try_from(ups).expect("fits") - 2 * i64::try_from(downs).expect("fits");
            assert_eq!(
                about(&ledgers[item.author], post, false),
                expected,
                "the votes on {post:?} by member{} give the wrong points; {context}",
                item.author
            );
        }
        // A downvote on a comment costs its voter 1 — but the voter's public ledger never
        // names the post (downvoters stay anonymous), so nothing on it is about this post.
        for (m, ledger) in ledgers.iter().enumerate() {
            if m == item.author {
                continue;
            }
            let cost = 0;
            assert_eq!(
                about(ledger, post, false),
                cost,
                "what member{m}'s vote on {post:?} cost them; {context}"
            );
        }
    }

    let db = app.db().await;
    let drift = rep::recompute(&db).await.expect("recompute");
    assert!(
        drift.is_empty(),
        "recompute found differences: {drift:?}; {context}"
    );
    db.close().await.expect("closing");
}

#[tokio::test]
async fn the_ledger_invariant_holds_for_random_sequences_seed_1() {
    property(1, MOSTLY_UP).await;
}

#[tokio::test]
async fn the_ledger_invariant_holds_for_random_sequences_seed_2() {
    property(0x5EED_0002, MOSTLY_UP).await;
}

#[tokio::test]
async fn the_ledger_invariant_holds_for_random_sequences_seed_3() {
    property(0xC0FF_EE03, MOSTLY_UP).await;
}

#[tokio::test]
async fn the_ledger_invariant_holds_for_random_sequences_seed_4() {
    property(42_424_242, MOSTLY_UP).await;
}

#[tokio::test]
async fn the_ledger_invariant_holds_for_random_sequences_mostly_down_seed_5() {
    property(5, MOSTLY_DOWN).await;
}

#[tokio::test]
async fn the_ledger_invariant_holds_for_random_sequences_mostly_down_seed_6() {
    property(0xD05E_ED06, MOSTLY_DOWN).await;
}

// ---------------------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------------------

/// `voters` all vote `value` on `post` at once; every answer must be 200. Returns the
/// scores the answers reported.
async fn all_at_once(app: &TestApp, voters: &[TestUser], post: Post, value: i64) -> Vec<i64> {
    let answers = join_all(voters.iter().map(|v| vote(app, v, post, value))).await;
    answers
        .iter()
        .map(|a| a.expect(200)["score"].as_i64().expect("a score"))
        .collect()
}

#[tokio::test]
async fn twenty_concurrent_upvotes_leave_an_exact_score_and_reputation() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let voters = crowd(&app, "voter", 20).await;
    let post = discussion(&app, &alice, "Everyone at once").await;

    let mut scores = all_at_once(&app, &voters, post, 1).await;

    // Each vote saw its own score: no two read the same one.
    scores.sort_unstable();
    assert_eq!(scores, (1..=20).collect::<Vec<i64>>());
    assert_eq!(shown(&app, post, None).await["score"], 20);
    // 20 x 10 = 200: exactly the daily cap.
    assert_eq!(reputation_of(&app, "alice").await, 1 + 200);
    let alice_ledger = ledger(&app, "alice").await;
    assert_eq!(
        alice_ledger["events"].as_array().map(Vec::len),
        Some(20),
        "{alice_ledger}"
    );
    for voter in &voters {
        assert_eq!(shown(&app, post, Some(voter)).await["my_vote"], 1);
    }
}

#[tokio::test]
async fn concurrent_upvotes_past_the_cap_stop_at_exactly_200() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let voters = crowd(&app, "voter", 26).await;
    let post = discussion(&app, &alice, "More than the cap").await;

    let mut scores = all_at_once(&app, &voters, post, 1).await;

    scores.sort_unstable();
    assert_eq!(scores, (1..=26).collect::<Vec<i64>>());
    assert_eq!(shown(&app, post, None).await["score"], 26);
    assert_eq!(reputation_of(&app, "alice").await, 1 + 200);
    let db = app.db().await;
    assert!(rep::recompute(&db).await.expect("recompute").is_empty());
    db.close().await.expect("closing");
}

#[tokio::test]
async fn concurrent_downvotes_on_a_comment_are_all_counted() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let fans = crowd(&app, "fan", 5).await;
    let mut moderators = Vec::new();
    for i in 0..8 {
        moderators.push(app.register_moderator(&format!("mod{i}")).await);
    }
    let liked = discussion(&app, &alice, "Liked").await;
    for fan in &fans {
        voted(&app, fan, liked, 1).await;
    }
    let reply = comment(&app, &alice, liked, "Disliked").await;

    let mut scores = all_at_once(&app, &moderators, reply, -1).await;

    scores.sort_unstable();
    assert_eq!(scores, (-8..=-1).collect::<Vec<i64>>());
    assert_eq!(shown(&app, reply, None).await["score"], -8);
    assert_eq!(reputation_of(&app, "alice").await, 51 - 16);
    for i in 0..8 {
        assert_eq!(reputation_of(&app, &format!("mod{i}")).await, 1);
        assert_eq!(
            points(
                ledger(&app, &format!("mod{i}")).await["events"]
                    .as_array()
                    .expect("events")
            ),
            -1
        );
    }
}

#[tokio::test]
async fn one_member_voting_many_times_at_once_counts_once() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let post = discussion(&app, &alice, "Double click").await;
    let same = vec![bob.clone(); 10];

    let scores = all_at_once(&app, &same, post, 1).await;

    let seen = shown(&app, post, Some(&bob)).await;
    assert_eq!(
        (seen["score"].clone(), seen["my_vote"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(reputation_of(&app, "alice").await, 11);
    let alice_ledger = ledger(&app, "alice").await;
    assert_eq!(
        alice_ledger["events"].as_array().map(Vec::len),
        Some(1),
        "{alice_ledger}"
    );
    // Every answer told bob the truth: his vote is in, the score is 1.
    assert!(
        scores.iter().all(|s| *s == 1),
        "some answers reported a score without bob's vote, alongside \"my_vote\": 1: {scores:?}"
    );
}

#[tokio::test]
async fn concurrent_recognitions_of_one_post_give_fifteen_once() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let mut leaders = Vec::new();
    for i in 0..6 {
        leaders.push(app.register_moderator(&format!("mod{i}")).await);
    }
    let post = discussion(&app, &alice, "Great minds").await;

    let answers = join_all(leaders.iter().map(|l| recognize(&app, l, post))).await;

    for answer in &answers {
        assert_eq!(answer.expect(200)["recognized"], true);
    }
    assert_eq!(
        reputation_of(&app, "alice").await,
        16,
        "one recognition, whoever gave it: {}",
        ledger(&app, "alice").await
    );

    // And withdrawing at once takes the 15 back once.
    let answers = join_all(leaders.iter().map(|l| withdraw(&app, l, post))).await;
    for answer in &answers {
        assert_eq!(answer.expect(200)["recognized"], false);
    }
    assert_eq!(reputation_of(&app, "alice").await, 1);
}

#[tokio::test]
async fn votes_racing_a_deletion_leave_nothing_behind() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let voters = crowd(&app, "voter", 16).await;
    let post = discussion(&app, &alice, "Here and gone").await;
    // A head start so the deletion lands in the middle of the votes.
    for voter in &voters[..4] {
        voted(&app, voter, post, 1).await;
    }

    let votes = join_all(voters[4..].iter().map(|v| vote(&app, v, post, 1)));
    let path = post.path();
    let deletion = app.delete(&path, alice.auth());
    let (answers, deleted) = tokio::join!(votes, deletion);

    deleted.expect_status(204);
    for answer in &answers {
        match answer.status.as_u16() {
            200 => {}
            404 => {
                answer.expect_error(404, "not_found");
            }
            other => panic!(
                "a vote racing the deletion answered {other}: {}",
                answer.text
            ),
        }
    }
    let alice_ledger = ledger(&app, "alice").await;
    assert_eq!(
        points(alice_ledger["events"].as_array().expect("events")),
        0,
        "votes on a deleted post still give points: {alice_ledger}"
    );
    assert_eq!(alice_ledger["reputation"], 1);
    for voter in &voters {
        vote(&app, voter, post, 0)
            .await
            .expect_error(404, "not_found");
    }
}

#[tokio::test]
async fn deleting_a_comment_while_its_voters_vote_on_the_discussion() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let voters = crowd(&app, "voter", 12).await;
    let post = discussion(&app, &alice, "Busy thread").await;
    let reply = comment(&app, &bob, post, "Soon deleted").await;
    for voter in &voters {
        voted(&app, voter, reply, 1).await;
    }
    assert_eq!(reputation_of(&app, "bob").await, 121);

    // The same members vote on the discussion while the comment they voted on goes.
    let votes = join_all(voters.iter().map(|v| vote(&app, v, post, 1)));
    let path = reply.path();
    let deletion = app.delete(&path, bob.auth());
    let (answers, deleted) = tokio::join!(votes, deletion);

    deleted.expect_status(204);
    for answer in &answers {
        answer.expect(200);
    }
    assert_eq!(shown(&app, post, None).await["score"], 12);
    assert_eq!(reputation_of(&app, "bob").await, 1);
    assert_eq!(reputation_of(&app, "alice").await, 121);
}
