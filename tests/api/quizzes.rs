//! Quizzes: written by leaders, taken once by members, scored with explanations; a pass
//! earns +5 reputation (`quiz_passed`) once and the Learner badge; authors see results.

use quorum::domain::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, spawn_app};

fn accessibility_quiz() -> Value {
    json!({
        "title": "Accessibility basics",
        "description": "Five minutes on WCAG.",
        "questions": [
            {"prompt": "What does WCAG stand for?",
             "explanation": "The W3C's Web Content Accessibility Guidelines.",
             "choices": [{"label": "Web Content Accessibility Guidelines", "correct": true},
                         {"label": "World Wide Accessibility Group"}]},
            {"prompt": "Which pairs meet AA contrast for body text?",
             "explanation": "Body text needs 4.5:1.",
             "choices": [{"label": "Black on white", "correct": true},
                         {"label": "White on navy", "correct": true},
                         {"label": "Grey on silver"}]},
            {"prompt": "Is alt text needed on decorative images?",
             "explanation": "Decorative images take an empty alt.",
             "choices": [{"label": "No: an empty alt", "correct": true},
                         {"label": "Yes: describe them"}]},
            {"prompt": "Do focus outlines matter?",
             "explanation": "Keyboard users need to see where they are.",
             "choices": [{"label": "Yes", "correct": true}, {"label": "No"}]},
            {"prompt": "Which element names a page?",
             "explanation": "The title element.",
             "choices": [{"label": "title", "correct": true}, {"label": "meta"}]}
        ]
    })
}

async fn write_quiz(app: &TestApp) -> (TestUser, Value) {
    let author = app.register("lead").await;
    app.set_role(&author.username, Role::Leader).await;
    let quiz = app
        .post_json(
            "/zones/people/quizzes",
            author.auth(),
            &accessibility_quiz(),
        )
        .await
        .expect(201);
    (author, quiz)
}

/// The right answers (all right choices of each question), or with the first `wrong`
/// questions answered wrongly.
fn answers(quiz: &Value, author_view: &Value, wrong: usize) -> Value {
    let mut out = Vec::new();
    for (i, q) in author_view["questions"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let choices: Vec<i64> = q["choices"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| (c["correct"] == true) != (i < wrong))
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        out.push(json!({"question_id": q["id"], "choices": choices}));
    }
    assert_eq!(quiz["id"], author_view["id"]);
    json!({"answers": out})
}

#[tokio::test]
async fn a_pass_shows_the_explanations_and_awards_reputation_and_a_badge_once() {
    let app = spawn_app().await;
    let (author, quiz) = write_quiz(&app).await;
    let id = quiz["id"].as_i64().unwrap();
    assert_eq!(quiz["pass_percent"], 80);
    assert_eq!(quiz["question_count"], 5);
    // The author sees the right answers.
    assert_eq!(quiz["questions"][0]["choices"][0]["correct"], true);

    let member = app.register("mia").await;
    // Before taking it, a member sees neither the answers nor the explanations.
    let before = app
        .get(&format!("/quizzes/{id}"), member.auth())
        .await
        .expect(200);
    assert_eq!(before["questions"][0]["choices"][0]["correct"], Value::Null);
    assert_eq!(before["questions"][0]["explanation"], Value::Null);
    assert_eq!(before["questions"][1]["multiple"], true);

    // Four of five right: 80%, a pass.
    let result = app
        .post_json(
            &format!("/quizzes/{id}/attempts"),
            member.auth(),
            &answers(&quiz, &quiz, 1),
        )
        .await
        .expect(201);
    assert_eq!(result["correct"], 4);
    assert_eq!(result["total"], 5);
    assert_eq!(result["percent"], 80);
    assert_eq!(result["passed"], true);
    assert_eq!(result["reputation_awarded"], 5);
    assert_eq!(result["questions"][0]["correct"], false);
    assert_eq!(
        result["questions"][0]["explanation"],
        "The W3C's Web Content Accessibility Guidelines."
    );

    let me = app.get("/me", member.auth()).await.expect(200);
    assert_eq!(me["reputation"], 6);
    let badges: Vec<&str> = me["badges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["slug"].as_str().unwrap())
        .collect();
    assert!(badges.contains(&"learner"), "{badges:?}");
    let ledger = app.get("/members/mia/reputation", None).await.expect(200);
    assert_eq!(ledger["events"][0]["kind"], "quiz_passed");
    assert_eq!(ledger["events"][0]["points"], 5);

    // Once only.
    app.post_json(
        &format!("/quizzes/{id}/attempts"),
        member.auth(),
        &answers(&quiz, &quiz, 0),
    )
    .await
    .expect_error(409, "already_taken");
    let me = app.get("/me", member.auth()).await.expect(200);
    assert_eq!(me["reputation"], 6);
    let after = app
        .get(&format!("/quizzes/{id}"), member.auth())
        .await
        .expect(200);
    assert_eq!(after["my_attempt"]["percent"], 80);
    assert_eq!(after["questions"][0]["choices"][0]["correct"], true);

    // A fail earns nothing.
    let other = app.register("otto").await;
    let failed = app
        .post_json(
            &format!("/quizzes/{id}/attempts"),
            other.auth(),
            &answers(&quiz, &quiz, 2),
        )
        .await
        .expect(201);
    assert_eq!(failed["passed"], false);
    assert_eq!(failed["reputation_awarded"], 0);
    assert_eq!(
        app.get("/me", other.auth()).await.expect(200)["reputation"],
        1
    );

    // The author sees the results per question; members do not.
    let results = app
        .get(&format!("/quizzes/{id}/results"), author.auth())
        .await
        .expect(200);
    assert_eq!(results["attempts"], 2);
    assert_eq!(results["passed"], 1);
    assert_eq!(results["questions"][0]["answered_right"], 0);
    assert_eq!(results["questions"][1]["answered_right"], 1);
    assert_eq!(results["questions"][4]["answered_right"], 2);
    // Both chose the wrong choice of question 1.
    assert_eq!(results["questions"][0]["choices"][1]["chosen"], 2);
    app.get(&format!("/quizzes/{id}/results"), member.auth())
        .await
        .expect_error(403, "forbidden");
    app.post_json(
        &format!("/quizzes/{id}/attempts"),
        author.auth(),
        &answers(&quiz, &quiz, 0),
    )
    .await
    .expect_error(403, "own_quiz");
    // A moderator sees the results (and so the answers): they cannot score with them,
    // and the quiz page does not show them the answers before that.
    let moderator = app.register_moderator("moe").await;
    let seen = app
        .get(&format!("/quizzes/{id}"), moderator.auth())
        .await
        .expect(200);
    assert_eq!(seen["questions"][0]["choices"][0]["correct"], Value::Null);
    assert_eq!(seen["can_see_results"], true);
    app.post_json(
        &format!("/quizzes/{id}/attempts"),
        moderator.auth(),
        &answers(&quiz, &quiz, 0),
    )
    .await
    .expect_error(403, "own_quiz");
}

#[tokio::test]
async fn bad_quizzes_and_bad_answers_are_refused_and_nothing_is_half_written() {
    let app = spawn_app().await;
    let member = app.register("mia").await;
    app.post_json(
        "/zones/people/quizzes",
        member.auth(),
        &accessibility_quiz(),
    )
    .await
    .expect_error(403, "forbidden");
    let (author, quiz) = write_quiz(&app).await;
    let mut no_right = accessibility_quiz();
    no_right["questions"][2]["choices"][0]["correct"] = json!(false);
    app.post_json("/zones/people/quizzes", author.auth(), &no_right)
        .await
        .expect_field_error(400, "validation_failed", "questions[2].choices");
    let mut no_explanation = accessibility_quiz();
    no_explanation["questions"][0]["explanation"] = json!(" ");
    app.post_json("/zones/people/quizzes", author.auth(), &no_explanation)
        .await
        .expect_field_error(400, "validation_failed", "questions[0].explanation");
    let mut bad_pass = accessibility_quiz();
    bad_pass["pass_percent"] = json!(101);
    app.post_json("/zones/people/quizzes", author.auth(), &bad_pass)
        .await
        .expect_field_error(400, "validation_failed", "pass_percent");
    let mut elsewhere = accessibility_quiz();
    elsewhere["discussion_id"] = json!(999999);
    app.post_json("/zones/people/quizzes", author.auth(), &elsewhere)
        .await
        .expect_field_error(400, "validation_failed", "discussion_id");
    let listing = app.get("/zones/people/quizzes", None).await.expect(200);
    assert_eq!(listing["quizzes"].as_array().unwrap().len(), 1);

    // Answers naming another quiz's question or choice; the attempt is not recorded.
    let id = quiz["id"].as_i64().unwrap();
    let q0 = quiz["questions"][0]["id"].as_i64().unwrap();
    let foreign_choice = quiz["questions"][1]["choices"][0]["id"].as_i64().unwrap();
    app.post_json(
        &format!("/quizzes/{id}/attempts"),
        member.auth(),
        &json!({"answers": [{"question_id": 999999, "choices": []}]}),
    )
    .await
    .expect_field_error(400, "invalid_answer", "answers");
    app.post_json(
        &format!("/quizzes/{id}/attempts"),
        member.auth(),
        &json!({"answers": [{"question_id": q0, "choices": [foreign_choice]}]}),
    )
    .await
    .expect_field_error(400, "invalid_answer", "answers");
    let view = app
        .get(&format!("/quizzes/{id}"), member.auth())
        .await
        .expect(200);
    assert_eq!(view["my_attempt"], Value::Null);
    // An empty attempt is a valid (failed) one.
    let empty = app
        .post_json(
            &format!("/quizzes/{id}/attempts"),
            member.auth(),
            &json!({"answers": []}),
        )
        .await
        .expect(201);
    assert_eq!(empty["correct"], 0);
    app.get("/quizzes/999999", None)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn a_quiz_is_written_and_taken_through_the_pages_without_javascript() {
    let app = spawn_app().await;
    let lead = app.browser();
    lead.join("lead").await;
    app.set_role("lead", Role::Leader).await;
    let created = lead
        .submit(
            "/zones/people/quizzes/new",
            "/zones/people/quizzes",
            &[
                ("title", "Onboarding check"),
                ("description", "After week one."),
                ("pass_percent", "50"),
                ("discussion_id", ""),
                (
                    "questions",
                    "? Who approves leave?\n* Your manager\n- HR\n> Managers approve; HR records.\n? Where are the docs?\n* The wiki\n- E-mail\n> Everything lives in the wiki.",
                ),
            ],
        )
        .await;
    let location = created.expect_see_other();
    assert!(location.starts_with("/quizzes/"), "{location}");
    let id: i64 = location.trim_start_matches("/quizzes/").parse().unwrap();

    let member = app.browser();
    member.join("mia").await;
    let quiz = app.get(&format!("/quizzes/{id}"), None).await.expect(200);
    let q1 = quiz["questions"][0]["id"].as_i64().unwrap().to_string();
    let q2 = quiz["questions"][1]["id"].as_i64().unwrap().to_string();
    let page = member.get(&location).await;
    let html = page.expect_html(200);
    assert!(html.contains("Who approves leave?") && html.contains(&format!("name=\"q{q1}\"")));
    // The first right, the second wrong: 50%, a pass at this quiz's mark.
    let right = quiz["questions"][0]["choices"][0]["id"].to_string();
    let wrong = quiz["questions"][1]["choices"][1]["id"].to_string();
    let token = member.csrf_token(&location).await;
    member
        .post_form(
            &format!("/quizzes/{id}/attempts"),
            &[
                ("csrf_token", token.as_str()),
                (&format!("q{q1}"), right.as_str()),
                (&format!("q{q2}"), wrong.as_str()),
            ],
        )
        .await
        .expect_see_other();
    let page = member.get(&location).await;
    let html = page.expect_html(200);
    assert!(html.contains("Passed: 1 of 2 right (50%)"), "{html}");
    assert!(html.contains("Everything lives in the wiki."));
    assert!(html.contains("Learner"));
    let results = lead.get(&format!("/quizzes/{id}/results")).await;
    assert!(
        results
            .expect_html(200)
            .contains("1 member has taken it; 1 passed.")
    );
    // A quiz in the wrong format says what is wrong.
    let bad = lead
        .submit(
            "/zones/people/quizzes/new",
            "/zones/people/quizzes",
            &[("title", "Broken quiz"), ("questions", "? Only a prompt")],
        )
        .await;
    assert!(
        bad.expect_html(400)
            .contains("questions[0].choices must have 2 to 10 choices")
    );
}
