//! Ideas, from proposed to adopted (issue #17): who may move an idea, what each change
//! shows and sends, what adoption gives, the board, and search by status.

use chrono::{Duration, Utc};
use quorum::domain::Role;
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{Answer, TestApp, TestUser, spawn_app, spawn_app_with};
use crate::search::{hits, search_raw, search_until};
use crate::smtp_sink::SmtpSink;

/// `PUT /discussions/{id}/idea`.
async fn put_idea(app: &TestApp, who: &TestUser, id: i64, body: Value) -> Answer {
    app.send(
        Method::PUT,
        &format!("/api/v1/discussions/{id}/idea"),
        who.auth(),
        Some(&body),
    )
    .await
}

/// Moves an idea and expects it moved: the discussion as answered.
async fn move_idea(
    app: &TestApp,
    who: &TestUser,
    id: i64,
    status: &str,
    note: Option<&str>,
) -> Value {
    let mut body = json!({ "status": status });
    if let Some(note) = note {
        body["note"] = json!(note);
    }
    let d = put_idea(app, who, id, body).await.expect(200);
    assert_eq!(d["idea"]["status"], status, "{d}");
    d
}

async fn reputation(app: &TestApp, username: &str) -> i64 {
    app.get(&format!("/members/{username}"), None)
        .await
        .expect(200)["reputation"]
        .as_i64()
        .expect("reputation")
}

async fn notifications(app: &TestApp, who: &TestUser) -> Vec<Value> {
    app.get("/notifications", who.auth()).await.expect(200)["notifications"]
        .as_array()
        .expect("notifications")
        .clone()
}

fn idea_notes(list: &[Value]) -> Vec<(String, String)> {
    list.iter()
        .filter(|n| n["kind"] == "idea_status")
        .map(|n| {
            (
                n["idea_status"].as_str().unwrap_or_default().to_string(),
                n["actor"]["username"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn an_idea_moves_from_proposed_to_adopted_with_notes_points_a_badge_and_mail() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(|s| s.smtp_url = Some(SmtpSink::url_for(sink.port()))).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let lead = app.register("lead").await;
    app.set_role("lead", Role::Leader).await;
    let id = app
        .start_discussion(
            &alice.token,
            "people",
            "Four-day weeks in August",
            "Shorter weeks in the quietest month.",
        )
        .await;
    app.comment(&bob.token, id, "Yes please.", None).await;
    sink.wait_for(1).await; // alice hears of bob's reply
    let plain = app.discussion(id, None).await;
    assert!(plain["discussion"]["idea"].is_null(), "{plain}");

    // Only the author (to propose) and leaders may mark it.
    put_idea(&app, &carol, id, json!({"status": "proposed"}))
        .await
        .expect_error(403, "forbidden");
    put_idea(&app, &alice, id, json!({"status": "planned"}))
        .await
        .expect_error(403, "forbidden");
    put_idea(&app, &alice, id, json!({"status": "someday"}))
        .await
        .expect_invalid("status");
    put_idea(&app, &alice, 999_999, json!({"status": "proposed"}))
        .await
        .expect_error(404, "not_found");
    let d = move_idea(&app, &alice, id, "proposed", None).await;
    assert_eq!(d["idea"]["label"], "Proposed");
    assert_eq!(d["idea"]["changed_by"]["username"], "alice");
    assert!(d["idea"]["note"].is_null(), "{d}");
    // The author cannot take it further, nor back once a leader has moved it.
    put_idea(&app, &alice, id, json!({"status": "adopted"}))
        .await
        .expect_error(403, "forbidden");

    // Declining needs a reason.
    put_idea(&app, &lead, id, json!({"status": "declined"}))
        .await
        .expect_invalid("note");
    put_idea(
        &app,
        &lead,
        id,
        json!({"status": "declined", "note": "   "}),
    )
    .await
    .expect_invalid("note");
    let d = move_idea(&app, &lead, id, "under_review", Some("Costing it with HR.")).await;
    assert_eq!(d["idea"]["label"], "Under review");
    assert_eq!(d["idea"]["note"], "Costing it with HR.");
    assert_eq!(d["idea"]["changed_by"]["username"], "lead");
    put_idea(&app, &alice, id, json!({"status": "proposed"}))
        .await
        .expect_error(403, "forbidden");

    // Subscribers hear of the change (the author and the replier), not the leader.
    assert_eq!(
        idea_notes(&notifications(&app, &alice).await),
        vec![("under_review".to_string(), "lead".to_string())]
    );
    // Newest first: bob follows the discussion, so he heard of the proposal too.
    assert_eq!(
        idea_notes(&notifications(&app, &bob).await),
        vec![
            ("under_review".to_string(), "lead".to_string()),
            ("proposed".to_string(), "alice".to_string())
        ]
    );
    assert!(idea_notes(&notifications(&app, &lead).await).is_empty());
    assert!(idea_notes(&notifications(&app, &carol).await).is_empty());
    // alice's mail about bob's reply, bob's about the proposal, both about the review.
    let mails = sink.wait_for(4).await;
    let about: Vec<_> = mails
        .iter()
        .filter(|m| m.subject().starts_with("[Quorum] Idea under review"))
        .collect();
    let mut to: Vec<String> = about.iter().map(|m| m.to()).collect();
    to.sort();
    assert_eq!(
        to,
        vec![alice.email.clone(), bob.email.clone()],
        "{mails:#?}"
    );
    for mail in &about {
        assert!(
            mail.subject().ends_with("Four-day weeks in August"),
            "{}",
            mail.subject()
        );
        assert!(
            mail.text().contains("Costing it with HR."),
            "{}",
            mail.text()
        );
        assert!(
            mail.text().contains(&format!("/discussions/{id}/")),
            "{}",
            mail.text()
        );
        assert!(!mail.unsubscribe_url().is_empty());
    }

    // Adoption: +50 to the author, the badge, the profile.
    let before = reputation(&app, "alice").await;
    move_idea(&app, &lead, id, "adopted", Some("Starting next August.")).await;
    assert_eq!(reputation(&app, "alice").await, before + 50);
    let member = app.get("/members/alice", None).await.expect(200);
    assert!(
        member["badges"]
            .as_array()
            .expect("badges")
            .iter()
            .any(|b| b["slug"] == "idea-adopted"),
        "{member}"
    );
    let events = app.get("/members/alice/reputation", None).await.expect(200);
    assert!(
        events["events"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["kind"] == "idea_adopted" && e["points"] == 50 && e["discussion_id"] == id),
        "{events}"
    );
    let profile = app
        .get_page("/members/alice")
        .await
        .expect_html(200)
        .to_string();
    assert!(profile.contains("Ideas adopted"), "{profile}");
    assert!(profile.contains("Four-day weeks in August"), "{profile}");

    // The same status and note again changes nothing.
    move_idea(&app, &lead, id, "adopted", Some("Starting next August.")).await;
    let history = app
        .get(&format!("/discussions/{id}/idea"), None)
        .await
        .expect(200);
    let steps: Vec<(&str, &str, Option<&str>)> = history["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|c| {
            (
                c["status"].as_str().unwrap_or_default(),
                c["changed_by"]["username"].as_str().unwrap_or_default(),
                c["note"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            ("proposed", "alice", None),
            ("under_review", "lead", Some("Costing it with HR.")),
            ("adopted", "lead", Some("Starting next August.")),
        ]
    );
    assert_eq!(history["idea"]["status"], "adopted");

    // Leaving "adopted" takes the points back; the badge stays, once.
    move_idea(
        &app,
        &lead,
        id,
        "planned",
        Some("Piloting in one team first."),
    )
    .await;
    assert_eq!(reputation(&app, "alice").await, before);
    move_idea(&app, &lead, id, "adopted", None).await;
    assert_eq!(reputation(&app, "alice").await, before + 50);
    let member = app.get("/members/alice", None).await.expect(200);
    let adopted_badges = member["badges"]
        .as_array()
        .expect("badges")
        .iter()
        .filter(|b| b["slug"] == "idea-adopted")
        .count();
    assert_eq!(adopted_badges, 1, "{member}");

    // The page shows the status and every note, to a visitor.
    let page = app
        .get_page(&format!("/discussions/{id}"))
        .await
        .expect_html(200)
        .to_string();
    assert!(page.contains("Idea: Adopted"), "{page}");
    assert!(page.contains("Costing it with HR."), "{page}");
    assert!(page.contains("Piloting in one team first."), "{page}");
    assert!(
        !page.contains("Update the idea"),
        "a visitor sees no status form"
    );
}

#[tokio::test]
async fn a_leader_adopting_their_own_idea_earns_nothing_and_unmarking_gives_back() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let lead = app.register("lead").await;
    app.set_role("lead", Role::Leader).await;
    let own = app
        .start_discussion(
            &lead.token,
            "people",
            "Quiet hours",
            "No meetings before ten.",
        )
        .await;
    let before = reputation(&app, "lead").await;
    move_idea(&app, &lead, own, "adopted", None).await;
    assert_eq!(reputation(&app, "lead").await, before);

    let id = app
        .start_discussion(
            &alice.token,
            "people",
            "Bike racks",
            "More of them, please.",
        )
        .await;
    move_idea(&app, &alice, id, "proposed", None).await;
    // Its author may take a proposal back, a stranger may not.
    let carol = app.register("carol").await;
    app.delete(&format!("/discussions/{id}/idea"), carol.auth())
        .await
        .expect_error(403, "forbidden");
    let d = app
        .delete(&format!("/discussions/{id}/idea"), alice.auth())
        .await
        .expect(200);
    assert!(d["idea"].is_null(), "{d}");
    // Taken back, it is not the author's to propose again (subscribers would hear of it
    // again, and its wait for an answer would start anew): a leader marks it.
    put_idea(&app, &alice, id, json!({"status": "proposed"}))
        .await
        .expect_error(403, "forbidden");

    let before = reputation(&app, "alice").await;
    move_idea(&app, &lead, id, "adopted", None).await;
    assert_eq!(reputation(&app, "alice").await, before + 50);
    // Once a leader moved it, only a leader makes it a plain discussion again.
    app.delete(&format!("/discussions/{id}/idea"), alice.auth())
        .await
        .expect_error(403, "forbidden");
    let d = app
        .delete(&format!("/discussions/{id}/idea"), lead.auth())
        .await
        .expect(200);
    assert!(d["idea"].is_null(), "{d}");
    assert_eq!(reputation(&app, "alice").await, before);
    let listed = app.get("/ideas", lead.auth()).await.expect(200);
    assert!(
        listed["ideas"]
            .as_array()
            .expect("ideas")
            .iter()
            .all(|i| i["id"] != id),
        "{listed}"
    );
}

/// Sets how long an idea has been in its status, as if time had passed.
async fn age_status(app: &TestApp, id: i64, days: i64) {
    let db = app.db().await;
    entity::discussion::Entity::update_many()
        .col_expr(
            entity::discussion::Column::IdeaSince,
            sea_orm::sea_query::Expr::value(Utc::now() - Duration::days(days)),
        )
        .filter(entity::discussion::Column::Id.eq(id as i32))
        .exec(&db)
        .await
        .expect("aging an idea");
}

fn board_ids(board: &Value) -> Vec<i64> {
    board["ideas"]
        .as_array()
        .expect("ideas")
        .iter()
        .map(|d| d["id"].as_i64().expect("id"))
        .collect()
}

#[tokio::test]
async fn the_board_filters_sorts_counts_and_lists_ideas_waiting_for_an_answer() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let voters = [
        app.register("voter1").await,
        app.register("voter2").await,
        app.register("voter3").await,
    ];
    let lead = app.register("lead").await;
    app.set_role("lead", Role::Leader).await;
    let new = |title: &'static str, zone: &'static str| {
        let app = &app;
        let token = alice.token.clone();
        async move {
            app.start_discussion(&token, zone, title, "An idea worth a look.")
                .await
        }
    };
    let a = new("Standing desks", "people").await;
    let b = new("Customer advisory board", "customers").await;
    let c = new("Open the canteen later", "people").await;
    let d = new("Quarterly town halls", "stakeholders").await;
    let plain = new("Where is the stapler", "people").await;
    for id in [a, b, c, d] {
        move_idea(&app, &alice, id, "proposed", None).await;
    }
    move_idea(&app, &lead, b, "planned", None).await;
    move_idea(
        &app,
        &lead,
        d,
        "declined",
        Some("Monthly ones already run."),
    )
    .await;
    // Votes: c 3, a 2, b 1.
    for (id, n) in [(c, 3), (a, 2), (b, 1)] {
        for voter in &voters[..n] {
            app.post_json(
                &format!("/discussions/{id}/vote"),
                voter.auth(),
                &json!({"value": 1}),
            )
            .await
            .expect(200);
        }
    }
    age_status(&app, a, 40).await;
    age_status(&app, c, 10).await;

    // Visitors are asked to sign in.
    app.get("/ideas", None)
        .await
        .expect_error(401, "not_signed_in");
    let all = app.get("/ideas", alice.auth()).await.expect(200);
    assert_eq!(board_ids(&all), vec![c, a, b, d], "most votes first: {all}");
    assert_eq!(all["total"], 4);
    assert!(!board_ids(&all).contains(&plain));
    let counts: Vec<(String, u64)> = all["counts"]
        .as_array()
        .expect("counts")
        .iter()
        .map(|c| {
            (
                c["status"].as_str().unwrap_or_default().to_string(),
                c["count"].as_u64().unwrap_or(99),
            )
        })
        .collect();
    assert_eq!(
        counts,
        vec![
            ("proposed".into(), 2),
            ("under_review".into(), 0),
            ("planned".into(), 1),
            ("adopted".into(), 0),
            ("declined".into(), 1)
        ]
    );
    assert_eq!(all["awaiting"], 1, "only a has waited more than 30 days");

    let proposed = app
        .get("/ideas?status=proposed", alice.auth())
        .await
        .expect(200);
    assert_eq!(board_ids(&proposed), vec![c, a]);
    let people = app
        .get("/ideas?zone=people", alice.auth())
        .await
        .expect(200);
    assert_eq!(board_ids(&people), vec![c, a]);
    assert_eq!(people["counts"][0]["count"], 2);
    let waiting = app
        .get("/ideas?sort=waiting", alice.auth())
        .await
        .expect(200);
    assert_eq!(
        board_ids(&waiting)[..2],
        [a, c],
        "longest in status first: {waiting}"
    );
    let newest = app.get("/ideas?sort=age", alice.auth()).await.expect(200);
    assert_eq!(board_ids(&newest), vec![d, c, b, a]);
    let awaiting = app
        .get("/ideas?awaiting=true", alice.auth())
        .await
        .expect(200);
    assert_eq!(board_ids(&awaiting), vec![a]);
    let paged = app
        .get("/ideas?per_page=2&page=2", alice.auth())
        .await
        .expect(200);
    assert_eq!(board_ids(&paged), vec![b, d]);
    assert_eq!(paged["total"], 4);

    app.get("/ideas?status=maybe", alice.auth())
        .await
        .expect_invalid("status");
    app.get("/ideas?sort=loudest", alice.auth())
        .await
        .expect_invalid("sort");
    app.get("/ideas?awaiting=yes", alice.auth())
        .await
        .expect_invalid("awaiting");
    app.get("/ideas?awaiting=", alice.auth())
        .await
        .expect_invalid("awaiting");
    app.get("/ideas?zone=nowhere", alice.auth())
        .await
        .expect_error(404, "not_found");

    // A deleted idea leaves the board.
    app.delete(&format!("/discussions/{a}"), alice.auth())
        .await
        .expect_status(204);
    let all = app.get("/ideas", alice.auth()).await.expect(200);
    assert_eq!(board_ids(&all), vec![c, b, d]);
    assert_eq!(all["awaiting"], 0);

    // The page: tabs with counts, the rows, the status of each.
    let browser = app.browser();
    browser.sign_in("alice", crate::helpers::PASSWORD).await;
    let html = browser
        .get("/ideas?status=declined")
        .await
        .expect_html(200)
        .to_string();
    assert!(html.contains("Quarterly town halls"), "{html}");
    assert!(html.contains("Monthly ones already run."), "{html}");
    assert!(!html.contains("Open the canteen later"), "{html}");
    assert!(
        html.contains("Declined <span class=\"count\">1</span>"),
        "{html}"
    );
}

#[tokio::test]
async fn ideas_are_found_by_their_status_in_search() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let lead = app.register("lead").await;
    app.set_role("lead", Role::Leader).await;
    let idea = app
        .start_discussion(
            &alice.token,
            "people",
            "Mentoring circles",
            "Small mentoring groups.",
        )
        .await;
    let reply = app
        .comment(&bob.token, idea, "Mentoring helped me a lot.", None)
        .await;
    let other = app
        .start_discussion(
            &bob.token,
            "people",
            "Mentoring budget",
            "Who pays for mentoring?",
        )
        .await;
    move_idea(&app, &lead, idea, "planned", None).await;

    let planned = search_until(
        &app,
        &[("q", "mentoring"), ("idea", "planned"), ("group", "none")],
        |b| hits(b).len() == 2,
    )
    .await;
    let mut found: Vec<(i64, Option<i64>)> = hits(&planned)
        .iter()
        .map(|h| {
            (
                h["discussion_id"].as_i64().unwrap_or(0),
                h["comment_id"].as_i64(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(found, vec![(idea, None), (idea, Some(reply))]);
    assert!(
        hits(&planned).iter().all(|h| h["idea_status"] == "planned"),
        "{planned}"
    );
    let everything = search_until(&app, &[("q", "mentoring")], |b| hits(b).len() == 3).await;
    let plain = hits(&everything)
        .iter()
        .find(|h| h["discussion_id"] == other)
        .expect("the plain discussion");
    assert!(plain["idea_status"].is_null(), "{plain}");
    let adopted = search_raw(&app, &[("q", "mentoring"), ("idea", "adopted")])
        .await
        .expect(200);
    assert!(hits(&adopted).is_empty(), "{adopted}");
    search_raw(&app, &[("q", "mentoring"), ("idea", "someday")])
        .await
        .expect_invalid("idea");
    search_raw(&app, &[("q", "mentoring"), ("idea", "")])
        .await
        .expect_invalid("idea");

    // A move shows in search too.
    move_idea(&app, &lead, idea, "adopted", None).await;
    search_until(
        &app,
        &[("q", "mentoring"), ("idea", "adopted"), ("group", "none")],
        |b| hits(b).len() == 2,
    )
    .await;
    let page = app
        .get_page("/search?q=mentoring&idea=adopted")
        .await
        .expect_html(200)
        .to_string();
    assert!(page.contains("Idea: Adopted"), "{page}");
    assert!(page.contains("<mark>Mentoring</mark> circles"), "{page}");
    assert!(!page.contains("budget"), "{page}");
}

#[tokio::test]
async fn idea_forms_work_without_javascript() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    app.register("lead").await;
    app.set_role("lead", Role::Leader).await;
    let id = app
        .start_discussion(
            &alice.token,
            "people",
            "Lunch and learn",
            "Fridays at noon.",
        )
        .await;
    let author = app.browser();
    author.sign_in("alice", crate::helpers::PASSWORD).await;
    let page = format!("/discussions/{id}");
    let html = author.get(&page).await.expect_html(200).to_string();
    assert!(html.contains("Mark as an idea"), "{html}");
    author
        .submit(
            &page,
            &format!("/discussions/{id}/idea"),
            &[("status", "proposed")],
        )
        .await
        .expect_see_other();
    let html = author.get(&page).await.expect_html(200).to_string();
    assert!(html.contains("Idea: Proposed"), "{html}");
    assert!(
        !html.contains("Update the idea"),
        "the author gets no status form"
    );

    let leader = app.browser();
    leader.sign_in("lead", crate::helpers::PASSWORD).await;
    let html = leader.get(&page).await.expect_html(200).to_string();
    assert!(html.contains("Update the idea"), "{html}");
    // Declined without a reason is refused, and nothing changes.
    let refused = leader
        .submit(
            &page,
            &format!("/discussions/{id}/idea"),
            &[("status", "declined"), ("note", "")],
        )
        .await;
    assert_eq!(refused.status.as_u16(), 400, "{}", refused.text);
    leader
        .submit(
            &page,
            &format!("/discussions/{id}/idea"),
            &[("status", "planned"), ("note", "From March.")],
        )
        .await
        .expect_see_other();
    let seen = app.discussion(id, None).await;
    assert_eq!(seen["discussion"]["idea"]["status"], "planned");
    assert_eq!(seen["discussion"]["idea"]["note"], "From March.");
    leader
        .submit(
            &page,
            &format!("/discussions/{id}/idea"),
            &[("action", "unmark")],
        )
        .await
        .expect_see_other();
    assert!(app.discussion(id, None).await["discussion"]["idea"].is_null());
    // The notification page tells the author in words.
    let html = author
        .get("/notifications")
        .await
        .expect_html(200)
        .to_string();
    assert!(html.contains("moved the idea"), "{html}");
    assert!(html.contains("to Planned"), "{html}");
}
