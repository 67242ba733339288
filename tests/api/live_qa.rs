//! Live Q&A sessions: open, ask, upvote, answer, pin, dismiss; the live stream; what an
//! ended session still owes.

use chrono::{Duration, Utc};
use quorum::domain::Role;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, spawn_app};

fn window(start_minutes: i64, end_minutes: i64) -> (String, String) {
    let now = Utc::now();
    (
        (now + Duration::minutes(start_minutes)).to_rfc3339(),
        (now + Duration::minutes(end_minutes)).to_rfc3339(),
    )
}

pub async fn leader(app: &TestApp, name: &str) -> TestUser {
    let user = app.register(name).await;
    app.set_role(&user.username, Role::Leader).await;
    user
}

/// A live session hosted by `host`; its id.
pub async fn open_session(app: &TestApp, host: &TestUser) -> i64 {
    let (starts, ends) = window(-5, 60);
    let session = app
        .post_json(
            "/zones/people/sessions",
            host.auth(),
            &json!({"title": "Ask the leadership team", "description": "Anything about **onboarding**",
                    "starts_at": starts, "ends_at": ends}),
        )
        .await
        .expect(201);
    assert_eq!(session["status"], "live");
    assert_eq!(session["host"]["username"], host.username.as_str());
    assert!(
        session["description_html"]
            .as_str()
            .unwrap()
            .contains("<strong>onboarding</strong>")
    );
    session["id"].as_i64().unwrap()
}

pub async fn ask(
    app: &TestApp,
    session: i64,
    who: &TestUser,
    body: &str,
    anonymous: bool,
) -> Value {
    app.post_json(
        &format!("/sessions/{session}/questions"),
        who.auth(),
        &json!({"body": body, "anonymous": anonymous}),
    )
    .await
    .expect(201)
}

fn bodies(session: &Value) -> Vec<String> {
    session["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["body"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn members_ask_and_upvote_and_the_host_answers_in_the_open() {
    let app = spawn_app().await;
    let host = leader(&app, "hana").await;
    let ana = app.register("ana").await;
    let ben = app.register("ben").await;
    let session = open_session(&app, &host).await;

    let first = ask(
        &app,
        session,
        &ana,
        "When do we get the new laptops?",
        false,
    )
    .await;
    let second = ask(&app, session, &ben, "Will we keep Friday demos?", false).await;
    assert_eq!(first["author"]["username"], "ana");
    assert_eq!(first["votes"], 0);

    // Oldest first while the votes are equal; then by votes.
    let view = app
        .get(&format!("/sessions/{session}"), None)
        .await
        .expect(200);
    assert_eq!(
        bodies(&view),
        [
            "When do we get the new laptops?",
            "Will we keep Friday demos?"
        ]
    );
    let second_id = second["id"].as_i64().unwrap();
    let up = app
        .post_json(
            &format!("/questions/{second_id}/upvote"),
            ana.auth(),
            &json!({}),
        )
        .await
        .expect(200);
    assert_eq!(up, json!({"votes": 1, "upvoted": true}));
    let view = app
        .get(&format!("/sessions/{session}"), ana.auth())
        .await
        .expect(200);
    assert_eq!(
        bodies(&view),
        [
            "Will we keep Friday demos?",
            "When do we get the new laptops?"
        ]
    );
    assert_eq!(view["questions"][0]["upvoted"], true);
    assert_eq!(view["question_count"], 2);

    // Again takes the upvote back; one's own question cannot be upvoted.
    let undo = app
        .post_json(
            &format!("/questions/{second_id}/upvote"),
            ana.auth(),
            &json!({}),
        )
        .await
        .expect(200);
    assert_eq!(undo, json!({"votes": 0, "upvoted": false}));
    app.post_json(
        &format!("/questions/{second_id}/upvote"),
        ben.auth(),
        &json!({}),
    )
    .await
    .expect_error(403, "self_vote");

    // Only the host answers.
    let path = format!("/questions/{second_id}/answer");
    app.post_json(&path, ana.auth(), &json!({"body": "Yes!"}))
        .await
        .expect_error(403, "not_host");
    let moderator = app.register_moderator("mona").await;
    app.post_json(&path, moderator.auth(), &json!({"body": "Yes!"}))
        .await
        .expect_error(403, "not_host");
    app.post_json(&path, host.auth(), &json!({"body": "  "}))
        .await
        .expect_invalid("body");
    let answered = app
        .post_json(&path, host.auth(), &json!({"body": "Yes, *every* Friday."}))
        .await
        .expect(200);
    assert_eq!(answered["answered"], true);
    assert_eq!(answered["answered_by"]["username"], "hana");
    assert!(
        answered["answer_html"]
            .as_str()
            .unwrap()
            .contains("<em>every</em>")
    );

    // Pinning puts a question first; dismissing hides it from members, not the host.
    let first_id = first["id"].as_i64().unwrap();
    app.post_json(
        &format!("/questions/{first_id}/pin"),
        ana.auth(),
        &json!({"pinned": true}),
    )
    .await
    .expect_error(403, "not_host");
    app.post_json(
        &format!("/questions/{first_id}/pin"),
        host.auth(),
        &json!({"pinned": true}),
    )
    .await
    .expect(200);
    let view = app
        .get(&format!("/sessions/{session}"), None)
        .await
        .expect(200);
    assert_eq!(view["questions"][0]["pinned"], true);
    assert_eq!(view["questions"][0]["id"], first_id);
    app.post_json(
        &format!("/questions/{first_id}/dismiss"),
        moderator.auth(),
        &json!({"dismissed": true}),
    )
    .await
    .expect(200);
    let public = app
        .get(&format!("/sessions/{session}"), ana.auth())
        .await
        .expect(200);
    assert_eq!(bodies(&public), ["Will we keep Friday demos?"]);
    let hosting = app
        .get(&format!("/sessions/{session}"), host.auth())
        .await
        .expect(200);
    assert_eq!(hosting["questions"].as_array().unwrap().len(), 2);
    assert_eq!(hosting["can_host"], true);
    app.post_json(
        &format!("/questions/{first_id}/upvote"),
        ben.auth(),
        &json!({}),
    )
    .await
    .expect_error(404, "not_found");
}

#[tokio::test]
async fn only_leaders_open_sessions_and_bad_input_is_refused() {
    let app = spawn_app().await;
    let member = app.register("ana").await;
    let host = leader(&app, "hana").await;
    let (starts, ends) = window(0, 60);
    let body = json!({"title": "Ask me anything", "starts_at": starts, "ends_at": ends});
    app.post_json("/zones/people/sessions", member.auth(), &body)
        .await
        .expect_error(403, "forbidden");
    app.post_json("/zones/people/sessions", None, &body)
        .await
        .expect_error(401, "not_signed_in");
    app.post_json("/zones/nowhere/sessions", host.auth(), &body)
        .await
        .expect_error(404, "not_found");

    let error = app
        .post_json(
            "/zones/people/sessions",
            host.auth(),
            &json!({"title": "Ask me anything", "starts_at": ends, "ends_at": starts}),
        )
        .await
        .expect_field_error(400, "validation_failed", "ends_at");
    assert_eq!(error["fields"]["ends_at"], "must be after starts_at");
    app.post_json(
        "/zones/people/sessions",
        host.auth(),
        &json!({"title": "Ask me anything", "starts_at": "tomorrow", "ends_at": ends}),
    )
    .await
    .expect_field_error(400, "validation_failed", "starts_at");
    app.post_json(
        "/zones/people/sessions",
        host.auth(),
        &json!({"title": "Ask me anything", "starts_at": starts, "ends_at": ends, "host": "nobody-here"}),
    )
    .await
    .expect_field_error(400, "validation_failed", "host");

    // A leader may open a session for another host, who then answers.
    let guest = app.register("guest").await;
    let session = app
        .post_json(
            "/zones/people/sessions",
            host.auth(),
            &json!({"title": "Ask our guest", "starts_at": starts, "ends_at": ends, "host": "guest"}),
        )
        .await
        .expect(201);
    assert_eq!(session["host"]["username"], "guest");
    let id = session["id"].as_i64().unwrap();
    let q = ask(&app, id, &member, "How did you start?", false).await;
    app.post_json(
        &format!("/questions/{}/answer", q["id"]),
        guest.auth(),
        &json!({"body": "By accident."}),
    )
    .await
    .expect(200);

    // Questions: not empty, not too long; unknown sessions and questions are 404.
    app.post_json(
        &format!("/sessions/{id}/questions"),
        member.auth(),
        &json!({"body": ""}),
    )
    .await
    .expect_invalid("body");
    app.post_json(
        &format!("/sessions/{id}/questions"),
        member.auth(),
        &json!({"body": "x".repeat(1001)}),
    )
    .await
    .expect_invalid("body");
    app.post_json(
        "/sessions/999999/questions",
        member.auth(),
        &json!({"body": "Hello?"}),
    )
    .await
    .expect_error(404, "not_found");
    app.post_json("/questions/999999/upvote", member.auth(), &json!({}))
        .await
        .expect_error(404, "not_found");
    app.get("/sessions/999999", None)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn anonymous_questions_hide_the_name_from_members_but_not_moderators() {
    let app = spawn_app().await;
    let host = leader(&app, "hana").await;
    let shy = app.register("shy").await;
    let other = app.register("other").await;
    let moderator = app.register_moderator("mona").await;
    let session = open_session(&app, &host).await;
    let q = ask(&app, session, &shy, "Is the reorg final?", true).await;
    assert_eq!(q["anonymous"], true);
    // The asker still sees their own name.
    assert_eq!(q["author"]["username"], "shy");

    let seen_by = |token: Option<String>| {
        let app = &app;
        async move {
            let view = app
                .get(&format!("/sessions/{session}"), token.as_deref())
                .await
                .expect(200);
            view["questions"][0]["author"].clone()
        }
    };
    assert_eq!(seen_by(None).await, Value::Null);
    assert_eq!(seen_by(Some(other.token.clone())).await, Value::Null);
    assert_eq!(seen_by(Some(host.token.clone())).await, Value::Null);
    assert_eq!(
        seen_by(Some(moderator.token.clone())).await["username"],
        "shy"
    );
    let page = app.get_page(&format!("/sessions/{session}")).await;
    assert!(!page.expect_html(200).contains("/members/shy"));
}

#[tokio::test]
async fn an_open_page_receives_new_questions_votes_and_answers_live_in_order() {
    let app = spawn_app().await;
    let host = leader(&app, "hana").await;
    let ana = app.register("ana").await;
    let ben = app.register("ben").await;
    let session = open_session(&app, &host).await;
    let mut stream = app
        .event_stream(&format!("/sessions/{session}/events"), None)
        .await;

    let q = ask(&app, session, &ana, "Can we *try* four-day weeks?", true).await;
    let id = q["id"].as_i64().unwrap();
    let added = stream.next().await;
    assert_eq!(added.kind, "question_added");
    assert_eq!(added.data["id"], id);
    assert_eq!(added.data["body"], "Can we *try* four-day weeks?");
    // The stream is public: an anonymous asker stays anonymous in it.
    assert_eq!(added.data["author"], Value::Null);

    app.post_json(&format!("/questions/{id}/upvote"), ben.auth(), &json!({}))
        .await
        .expect(200);
    let voted = stream.next().await;
    assert_eq!(voted.kind, "question_voted");
    assert_eq!(voted.data["votes"], 1);

    app.post_json(
        &format!("/questions/{id}/answer"),
        host.auth(),
        &json!({"body": "We will pilot it."}),
    )
    .await
    .expect(200);
    let answered = stream.next().await;
    assert_eq!(answered.kind, "question_answered");
    assert_eq!(answered.data["answer"], "We will pilot it.");
    let ids: Vec<i64> = [&added, &voted, &answered]
        .iter()
        .map(|e| e.id.as_deref().unwrap().parse().unwrap())
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids not in order: {ids:?}"
    );

    // Events of another session do not leak into this stream.
    let other = open_session(&app, &host).await;
    ask(&app, other, &ana, "Elsewhere?", false).await;
    ask(&app, session, &ben, "Back here?", false).await;
    assert_eq!(stream.next().await.data["body"], "Back here?");

    // A client that reconnects with Last-Event-ID gets what it missed, in order.
    drop(stream);
    let mut again = app
        .event_stream(
            &format!("/sessions/{session}/events"),
            answered.id.as_deref(),
        )
        .await;
    assert_eq!(again.next().await.data["body"], "Back here?");
    // A disconnected client cost nothing: writes go on and new streams work.
    drop(again);
    ask(&app, session, &ben, "Still working?", false).await;
    let mut fresh = app
        .event_stream(
            &format!("/sessions/{session}/events"),
            answered.id.as_deref(),
        )
        .await;
    assert_eq!(fresh.next().await.data["body"], "Back here?");
    assert_eq!(fresh.next().await.data["body"], "Still working?");
    app.get("/sessions/999999/events", None)
        .await
        .expect_error(404, "not_found");

    // A dismissed question's text is gone from the stream, replays included.
    let rude = ask(&app, session, &ben, "Something rude", false).await;
    app.post_json(
        &format!("/questions/{}/dismiss", rude["id"]),
        host.auth(),
        &json!({"dismissed": true}),
    )
    .await
    .expect(200);
    let mut replay = app
        .event_stream(&format!("/sessions/{session}/events"), Some("0"))
        .await;
    let mut seen = Vec::new();
    loop {
        let event = replay.next().await;
        let done = event.kind == "question_dismissed";
        seen.push(event);
        if done {
            break;
        }
    }
    let dismissal = seen.last().unwrap();
    assert_eq!(dismissal.data["id"], rude["id"]);
    assert!(
        seen.iter()
            .all(|e| !e.data.to_string().contains("Something rude")),
        "{seen:?}"
    );
    assert_eq!(seen[0].data["body"], "Can we *try* four-day weeks?");
}

#[tokio::test]
async fn an_ended_session_refuses_questions_and_keeps_its_unanswered_questions_listed() {
    let app = spawn_app().await;
    let host = leader(&app, "hana").await;
    let ana = app.register("ana").await;
    let ben = app.register("ben").await;
    let cai = app.register("cai").await;
    let session = open_session(&app, &host).await;
    let popular = ask(&app, session, &ana, "Why did the budget shrink?", false).await;
    let quiet = ask(&app, session, &ben, "What about parking?", false).await;
    let done = ask(&app, session, &cai, "Who runs the offsite?", false).await;
    for voter in [&ben, &cai] {
        app.post_json(
            &format!("/questions/{}/upvote", popular["id"]),
            voter.auth(),
            &json!({}),
        )
        .await
        .expect(200);
    }
    app.post_json(
        &format!("/questions/{}/answer", done["id"]),
        host.auth(),
        &json!({"body": "Priya does."}),
    )
    .await
    .expect(200);

    // The session ends.
    let db = app.db().await;
    db.execute_unprepared(&format!(
        "UPDATE qa_sessions SET ends_at = '{}' WHERE id = {session}",
        (Utc::now() - Duration::minutes(1)).format("%Y-%m-%d %H:%M:%S%:z")
    ))
    .await
    .unwrap();

    app.post_json(
        &format!("/sessions/{session}/questions"),
        ana.auth(),
        &json!({"body": "Too late?"}),
    )
    .await
    .expect_error(409, "session_closed");
    app.post_json(
        &format!("/questions/{}/upvote", quiet["id"]),
        ana.auth(),
        &json!({}),
    )
    .await
    .expect_error(409, "session_closed");

    let view = app
        .get(&format!("/sessions/{session}"), None)
        .await
        .expect(200);
    assert_eq!(view["status"], "ended");
    let awaiting: Vec<&str> = view["awaiting_answer"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        awaiting,
        ["Why did the budget shrink?", "What about parking?"]
    );
    let zone = app.get("/zones/people/sessions", None).await.expect(200);
    assert_eq!(zone["sessions"][0]["status"], "ended");
    assert_eq!(
        zone["awaiting_answer"][0]["question"]["body"],
        "Why did the budget shrink?"
    );
    assert_eq!(
        zone["awaiting_answer"][0]["session_url"],
        format!("/sessions/{session}")
    );
    let page = app.get_page("/zones/people").await;
    let html = page.expect_html(200);
    assert!(html.contains("Awaiting an answer"), "{html}");
    assert!(html.contains("Why did the budget shrink?"));

    // Leaders stay accountable: the host can still answer, and it leaves the list.
    app.post_json(
        &format!("/questions/{}/answer", popular["id"]),
        host.auth(),
        &json!({"body": "Revenue fell; details in the all-hands deck."}),
    )
    .await
    .expect(200);
    let zone = app.get("/zones/people/sessions", None).await.expect(200);
    let left: Vec<&str> = zone["awaiting_answer"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["question"]["body"].as_str().unwrap())
        .collect();
    assert_eq!(left, ["What about parking?"]);
}

/// Several app instances on one PostgreSQL: an event written through one reaches the
/// streams open on the other (LISTEN/NOTIFY). On SQLite there is one process: skipped.
#[tokio::test]
async fn events_reach_the_streams_of_every_instance_on_postgres() {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        eprintln!("skipped: needs TEST_DATABASE_URL (PostgreSQL)");
        return;
    }
    let first = spawn_app().await;
    let second = first.sibling().await;
    let host = leader(&first, "hana").await;
    let ana = first.register("ana").await;
    let session = open_session(&first, &host).await;
    let mut on_first = first
        .event_stream(&format!("/sessions/{session}/events"), None)
        .await;
    let mut on_second = second
        .event_stream(&format!("/sessions/{session}/events"), None)
        .await;

    // Written through the first instance, seen on both.
    let q = ask(&first, session, &ana, "Asked on one", false).await;
    assert_eq!(on_first.next().await.data["body"], "Asked on one");
    assert_eq!(on_second.next().await.data["body"], "Asked on one");
    // Written through the second, seen on both.
    second
        .post_json(
            &format!("/questions/{}/answer", q["id"]),
            host.auth(),
            &json!({"body": "Answered on two"}),
        )
        .await
        .expect(200);
    let on_one = on_first.next().await;
    assert_eq!(on_one.kind, "question_answered");
    assert_eq!(on_one.data["answer"], "Answered on two");
    assert_eq!(on_second.next().await.data["answer"], "Answered on two");
}

#[tokio::test]
async fn a_session_runs_through_its_pages_without_javascript() {
    let app = spawn_app().await;
    let host = app.browser();
    host.join("hana").await;
    app.set_role("hana", Role::Leader).await;
    let zone = host.get("/zones/people").await;
    assert!(zone.expect_html(200).contains("Open a live Q&amp;A"));
    let (starts, ends) = window(-1, 60);
    let created = host
        .submit(
            "/zones/people/sessions/new",
            "/zones/people/sessions",
            &[
                ("title", "Friday AMA"),
                ("description", "Ask *anything*."),
                ("starts_at", &starts[..16]),
                ("ends_at", &ends[..16]),
                ("host", ""),
            ],
        )
        .await;
    let location = created.expect_see_other();
    assert!(location.starts_with("/sessions/"), "{location}");
    let id: i64 = location.trim_start_matches("/sessions/").parse().unwrap();
    // A bad time range comes back as the form with the problem named.
    let bad = host
        .submit(
            "/zones/people/sessions/new",
            "/zones/people/sessions",
            &[
                ("title", "Backwards"),
                ("starts_at", &ends[..16]),
                ("ends_at", &starts[..16]),
            ],
        )
        .await;
    assert!(bad.expect_html(400).contains("must be after starts_at"));

    let member = app.browser();
    member.join("ana").await;
    member
        .submit(
            &location,
            &format!("/sessions/{id}/questions"),
            &[("body", "What ships next?"), ("anonymous", "on")],
        )
        .await
        .expect_see_other();
    let session = app.get(&format!("/sessions/{id}"), None).await.expect(200);
    let q = session["questions"][0]["id"].as_i64().unwrap();
    assert_eq!(session["questions"][0]["author"], Value::Null);

    let voter = app.browser();
    voter.join("ben").await;
    voter
        .submit(&location, &format!("/questions/{q}/upvote"), &[])
        .await
        .expect_see_other();
    host.submit(
        &location,
        &format!("/questions/{q}/answer"),
        &[("body", "Search, then mobile.")],
    )
    .await
    .expect_see_other();
    host.submit(
        &location,
        &format!("/questions/{q}/pin"),
        &[("state", "on")],
    )
    .await
    .expect_see_other();
    let page = member.get(&location).await;
    let html = page.expect_html(200);
    assert!(html.contains("Friday AMA") && html.contains("Live now"));
    assert!(html.contains("Search, then mobile."));
    // The asker sees their own name, marked as asked anonymously; others do not.
    assert!(html.contains("Pinned") && html.contains("(asked anonymously)"));
    let visitor = app.get_page(&location).await;
    let public = visitor.expect_html(200);
    assert!(public.contains("Anonymous") && !public.contains("/members/ana"));
    assert!(html.contains("data-live-session") && html.contains("live.js"));
    // Members get no host controls, and the answer form refuses them.
    assert!(!html.contains(&format!("/questions/{q}/answer")));
    member
        .submit(
            &location,
            &format!("/questions/{q}/answer"),
            &[("body", "Me too")],
        )
        .await
        .expect_status(403);
}
