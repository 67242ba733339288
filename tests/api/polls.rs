//! Polls on discussions: one ballot per member, changeable until the poll closes; results
//! after voting or closing.

use chrono::{Duration, Utc};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::spawn_app;

fn option_ids(poll: &Value) -> Vec<i64> {
    poll["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect()
}

fn votes(poll: &Value) -> Vec<Value> {
    poll["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["votes"].clone())
        .collect()
}

#[tokio::test]
async fn a_single_choice_poll_takes_one_changeable_ballot_per_member() {
    let app = spawn_app().await;
    let author = app.register("ana").await;
    let ben = app.register("ben").await;
    let cai = app.register("cai").await;
    let discussion = app
        .post_json(
            "/zones/people/discussions",
            author.auth(),
            &json!({"title": "Where should the offsite be?", "body": "Vote below.",
                    "poll": {"question": "Pick a place", "options": ["Lisbon", "Berlin", "Online"]}}),
        )
        .await
        .expect(201);
    let id = discussion["id"].as_i64().unwrap();
    let shown = app
        .get(&format!("/discussions/{id}"), ben.auth())
        .await
        .expect(200);
    let poll = &shown["poll"];
    assert_eq!(poll["question"], "Pick a place");
    assert_eq!(poll["multiple"], false);
    // Results are hidden until one votes.
    assert_eq!(poll["results_visible"], false);
    assert_eq!(votes(poll), [Value::Null, Value::Null, Value::Null]);
    let [lisbon, berlin, online] = option_ids(poll)[..] else {
        panic!("three options expected")
    };

    let path = format!("/discussions/{id}/poll/vote");
    let after = app
        .post_json(&path, ben.auth(), &json!({"options": [lisbon]}))
        .await
        .expect(200);
    assert_eq!(after["results_visible"], true);
    assert_eq!(after["my_choices"], json!([lisbon]));
    assert_eq!(votes(&after), [json!(1), json!(0), json!(0)]);
    app.post_json(&path, cai.auth(), &json!({"options": [berlin]}))
        .await
        .expect(200);
    // Ben changes his mind: still one ballot.
    let changed = app
        .post_json(&path, ben.auth(), &json!({"options": [berlin]}))
        .await
        .expect(200);
    assert_eq!(votes(&changed), [json!(0), json!(2), json!(0)]);
    assert_eq!(changed["voters"], 2);

    // Two options on a single-choice poll, an option of nothing, no poll at all.
    app.post_json(&path, ben.auth(), &json!({"options": [lisbon, online]}))
        .await
        .expect_invalid("options");
    app.post_json(&path, ben.auth(), &json!({"options": [999999]}))
        .await
        .expect_field_error(400, "invalid_option", "options");
    app.post_json(&path, None, &json!({"options": [lisbon]}))
        .await
        .expect_error(401, "not_signed_in");
    let plain = app
        .start_discussion(&author.token, "people", "No poll here", "Just talk.")
        .await;
    app.post_json(
        &format!("/discussions/{plain}/poll/vote"),
        ben.auth(),
        &json!({"options": [lisbon]}),
    )
    .await
    .expect_error(404, "not_found");
    // An option of another poll is not an option of this one.
    let other = app
        .post_json(
            &format!("/discussions/{plain}/poll"),
            author.auth(),
            &json!({"question": "Tea or coffee?", "options": ["Tea", "Coffee"]}),
        )
        .await
        .expect(201);
    let tea = option_ids(&other)[0];
    app.post_json(&path, ben.auth(), &json!({"options": [tea]}))
        .await
        .expect_field_error(400, "invalid_option", "options");
    app.post_json(
        &format!("/discussions/{plain}/poll"),
        author.auth(),
        &json!({"question": "Again?", "options": ["Yes", "No"]}),
    )
    .await
    .expect_error(409, "poll_exists");
    app.post_json(
        &format!("/discussions/{id}/poll"),
        ben.auth(),
        &json!({"question": "Mine?", "options": ["Yes", "No"]}),
    )
    .await
    .expect_error(403, "forbidden");

    // Withdrawing a ballot.
    let withdrawn = app
        .post_json(&path, cai.auth(), &json!({"options": []}))
        .await
        .expect(200);
    assert_eq!(withdrawn["my_choices"], json!([]));
    let seen = app
        .get(&format!("/discussions/{id}/poll"), ben.auth())
        .await
        .expect(200);
    assert_eq!(votes(&seen), [json!(0), json!(1), json!(0)]);

    // A locked discussion closes its poll.
    let moderator = app.register_moderator("mod").await;
    app.post_json(
        &format!("/discussions/{id}/lock"),
        moderator.auth(),
        &json!({"locked": true}),
    )
    .await
    .expect(200);
    app.post_json(&path, cai.auth(), &json!({"options": [online]}))
        .await
        .expect_error(409, "poll_closed");
    let closed = app
        .get(&format!("/discussions/{id}/poll"), None)
        .await
        .expect(200);
    assert_eq!(closed["closed"], true);
    assert_eq!(closed["results_visible"], true);
}

#[tokio::test]
async fn a_multiple_choice_poll_closes_and_then_shows_everyone_the_results() {
    let app = spawn_app().await;
    let author = app.register("ana").await;
    let ben = app.register("ben").await;
    let closes = (Utc::now() + Duration::hours(1)).to_rfc3339();
    let discussion = app
        .post_json(
            "/zones/customers/discussions",
            author.auth(),
            &json!({"title": "Which features matter most?", "body": "Choose all that apply.",
                    "poll": {"question": "Features", "options": ["Search", "Export", "Mobile"],
                             "multiple": true, "closes_at": closes}}),
        )
        .await
        .expect(201);
    let id = discussion["id"].as_i64().unwrap();
    let poll = app
        .get(&format!("/discussions/{id}/poll"), None)
        .await
        .expect(200);
    let ids = option_ids(&poll);
    let path = format!("/discussions/{id}/poll/vote");
    let ballot = app
        .post_json(
            &path,
            ben.auth(),
            &json!({"options": [ids[0], ids[2], ids[0]]}),
        )
        .await
        .expect(200);
    assert_eq!(ballot["my_choices"], json!([ids[0], ids[2]]));
    assert_eq!(votes(&ballot), [json!(1), json!(0), json!(1)]);

    // The poll closes: no more ballots, and results for everyone (signed in or not).
    let db = app.db().await;
    db.execute_unprepared(&format!(
        "UPDATE polls SET closes_at = '{}'",
        (Utc::now() - Duration::minutes(1)).format("%Y-%m-%d %H:%M:%S%:z")
    ))
    .await
    .unwrap();
    app.post_json(&path, ben.auth(), &json!({"options": [ids[1]]}))
        .await
        .expect_error(409, "poll_closed");
    let public = app
        .get(&format!("/discussions/{id}/poll"), None)
        .await
        .expect(200);
    assert_eq!(public["closed"], true);
    assert_eq!(public["results_visible"], true);
    assert_eq!(votes(&public), [json!(1), json!(0), json!(1)]);
    let page = app.get_page(&format!("/discussions/{id}")).await;
    let html = page.expect_html(200);
    assert!(
        html.contains("Features") && html.contains("closed"),
        "{html}"
    );
}

#[tokio::test]
async fn a_bad_poll_is_refused_with_the_field_named_and_no_discussion_is_left_behind() {
    let app = spawn_app().await;
    let author = app.register("ana").await;
    for (poll, field) in [
        (
            json!({"question": "", "options": ["A", "B"]}),
            "poll.question",
        ),
        (
            json!({"question": "\u{19}", "options": ["A", "B"]}),
            "poll.question",
        ),
        (
            json!({"question": "Which?", "options": ["A", "\u{7}"]}),
            "poll.options",
        ),
        (
            json!({"question": "One?", "options": ["Only"]}),
            "poll.options",
        ),
        (
            json!({"question": "Many?", "options": (0..21).map(|i| format!("Option {i}")).collect::<Vec<_>>()}),
            "poll.options",
        ),
        (
            json!({"question": "Twice?", "options": ["Same", "same"]}),
            "poll.options",
        ),
        (
            json!({"question": "Past?", "options": ["A", "B"], "closes_at": "2020-01-01T00:00:00Z"}),
            "poll.closes_at",
        ),
    ] {
        app.post_json(
            "/zones/people/discussions",
            author.auth(),
            &json!({"title": "A discussion with a poll", "body": "Body", "poll": poll}),
        )
        .await
        .expect_field_error(400, "validation_failed", field);
    }
    let listing = app.get("/zones/people/discussions", None).await.expect(200);
    assert_eq!(listing["total"], 0);
}

#[tokio::test]
async fn the_poll_works_from_the_page_without_javascript() {
    let app = spawn_app().await;
    let browser = app.browser();
    browser.join("ana").await;
    let token = browser.csrf_token("/zones/people/new").await;
    let created = browser
        .post_form(
            "/zones/people/discussions",
            &[
                ("csrf_token", token.as_str()),
                ("title", "Lunch and learn topics"),
                ("body", "Which ones?"),
                ("poll_question", "Topics"),
                ("poll_options", "Rust\nSQL\nDesign"),
                ("poll_multiple", "on"),
            ],
        )
        .await;
    let location = created.expect_see_other();
    let page = browser.get(&location).await;
    let html = page.expect_html(200).to_string();
    assert!(html.contains("Topics") && html.contains(r#"type="checkbox" name="option""#));
    let id: i64 = location.split('/').nth(2).unwrap().parse().unwrap();
    let poll = app
        .get(&format!("/discussions/{id}/poll"), None)
        .await
        .expect(200);
    let ids = option_ids(&poll);
    let (a, b) = (ids[0].to_string(), ids[2].to_string());
    browser
        .post_form(
            &format!("/discussions/{id}/poll/vote"),
            &[
                ("csrf_token", token.as_str()),
                ("option", a.as_str()),
                ("option", b.as_str()),
            ],
        )
        .await
        .expect_see_other();
    let page = browser.get(&location).await;
    let html = page.expect_html(200);
    assert!(html.contains("(your choice)"), "{html}");
    assert!(html.contains("Change my vote"));
    // Without the token the ballot is refused.
    browser
        .post_form(
            &format!("/discussions/{id}/poll/vote"),
            &[("option", a.as_str())],
        )
        .await
        .expect_status(403);
}
