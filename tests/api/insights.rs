//! Insights (issue #17): the participation funnel, leader responsiveness and reach,
//! through HTTP, with exact figures from a community built here; CSV; privacy; the
//! weekly mail.

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, spawn_app, spawn_app_with};
use crate::live_qa::{ask, open_session};
use crate::smtp_sink::SmtpSink;

/// Monday 00:00 UTC of the week `t` falls in.
fn monday(t: DateTime<Utc>) -> DateTime<Utc> {
    quorum::services::insights::week_start(quorum::services::insights::week_of(t))
}

async fn set_time<E, C>(app: &TestApp, column: C, id_column: C, id: i64, at: DateTime<Utc>)
where
    E: EntityTrait,
    C: ColumnTrait,
{
    E::update_many()
        .col_expr(column, Expr::value(at))
        .filter(id_column.eq(id as i32))
        .exec(&app.db().await)
        .await
        .expect("setting a time");
}

/// A member's id.
async fn member_id(app: &TestApp, username: &str) -> i64 {
    i64::from(
        entity::member::Entity::find()
            .filter(entity::member::Column::Username.eq(username))
            .one(&app.db().await)
            .await
            .expect("a query")
            .expect("the member")
            .id,
    )
}

/// Moves a member's registration and their sessions (they signed in when they joined)
/// to `at`, as if they had joined then.
async fn joined_at(app: &TestApp, username: &str, at: DateTime<Utc>) {
    let id = member_id(app, username).await;
    set_time::<entity::member::Entity, _>(
        app,
        entity::member::Column::CreatedAt,
        entity::member::Column::Id,
        id,
        at,
    )
    .await;
    let db = app.db().await;
    entity::session::Entity::update_many()
        .col_expr(entity::session::Column::CreatedAt, Expr::value(at))
        .col_expr(
            entity::session::Column::LastUsedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(entity::session::Column::MemberId.eq(id as i32))
        .exec(&db)
        .await
        .expect("moving sessions");
}

/// Reads a discussion as `who` and waits until the read is recorded.
async fn read(app: &TestApp, who: &TestUser, id: i64) {
    app.discussion(id, who.auth()).await;
    app.reads_written(&who.username, id).await;
}

fn week(p: &Value, i: usize) -> &Value {
    &p["weeks"][i]
}

#[tokio::test]
async fn the_funnel_counts_each_kind_of_member_by_week_and_zone_and_hides_small_groups() {
    let app = spawn_app().await;
    let now = Utc::now();
    let this_week = monday(now);
    let last_week = this_week - Duration::days(7);
    let lead = crate::live_qa::leader(&app, "lead").await;
    let root = app.register_admin("root").await;
    let mut creators = Vec::new();
    for i in 1..=5 {
        creators.push(app.register(&format!("creator{i}")).await);
    }
    let voter = app.register("voter").await;
    let mut readers = Vec::new();
    for i in 1..=5 {
        readers.push(app.register(&format!("reader{i}")).await);
    }
    let idle = app.register("idle").await;
    // The readers joined last week (and signed in then); nothing else happened then.
    for r in &readers {
        joined_at(&app, &r.username, last_week + Duration::hours(30)).await;
    }

    // This week: five discussions, four in "people" and one in "customers".
    let mut started = Vec::new();
    for (i, c) in creators.iter().enumerate() {
        let zone = if i == 4 { "customers" } else { "people" };
        started.push(
            app.start_discussion(&c.token, zone, &format!("Idea number {i}"), "Worth a look.")
                .await,
        );
    }
    app.post_json(
        &format!("/discussions/{}/vote", started[0]),
        voter.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect(200);
    app.comment(&lead.token, started[1], "Good one.", None)
        .await;
    for r in &readers {
        read(&app, r, started[0]).await;
    }
    // Two of the readers also read the discussion in "customers".
    read(&app, &readers[0], started[4]).await;
    read(&app, &readers[1], started[4]).await;
    quorum::services::insights::reset_folds(&app.db().await)
        .await
        .expect("a refold");

    // Only leaders, moderators and admins.
    app.get("/insights/participation", None)
        .await
        .expect_error(401, "not_signed_in");
    app.get("/insights/participation", voter.auth())
        .await
        .expect_error(403, "forbidden");
    app.get("/insights/participation?weeks=0", lead.auth())
        .await
        .expect_invalid("weeks");
    app.get("/insights/participation?weeks=53", lead.auth())
        .await
        .expect_invalid("weeks");
    app.get("/insights/leaders.csv?weeks=", lead.auth())
        .await
        .expect_invalid("weeks");
    app.get("/insights/participation?zone=nowhere", lead.auth())
        .await
        .expect_error(404, "not_found");

    let p = app
        .get("/insights/participation?weeks=3", root.auth())
        .await
        .expect(200);
    assert!(p.get("headcount").is_none(), "no headcount is set: {p}");
    assert_eq!(p["weeks"].as_array().map(Vec::len), Some(3), "{p}");
    assert_eq!(
        week(&p, 0),
        &json!({"start": (last_week - Duration::days(7)).date_naive().to_string(),
                "registered": 0, "active": 0, "readers": 0, "contributors": 0, "creators": 0})
    );
    // Last week: five members joined and signed in, nobody read or wrote.
    assert_eq!(
        week(&p, 1),
        &json!({"start": last_week.date_naive().to_string(),
                "registered": 5, "active": 5, "readers": 0, "contributors": 0, "creators": 0})
    );
    // This week: 14 members; everyone who joined this week signed in (9 of them), the
    // readers read; the five creators, the voter and the leader contributed.
    assert_eq!(
        week(&p, 2),
        &json!({"start": this_week.date_naive().to_string(),
                "registered": 14, "active": 14, "readers": 5, "contributors": 7, "creators": 5})
    );

    // Asked again, the finished weeks come from what was kept of them: the same.
    let again = app
        .get("/insights/participation?weeks=3", root.auth())
        .await
        .expect(200);
    assert_eq!(again, p);

    // In "customers": one creator, two readers: both groups under five.
    let customers = app
        .get(
            "/insights/participation?weeks=1&zone=customers",
            lead.auth(),
        )
        .await
        .expect(200);
    assert_eq!(customers["zone"], "customers");
    assert_eq!(
        week(&customers, 0),
        &json!({"start": this_week.date_naive().to_string(),
                "registered": 14, "active": null, "readers": null, "contributors": null, "creators": null})
    );
    let people = app
        .get("/insights/participation?weeks=1&zone=people", lead.auth())
        .await
        .expect(200);
    // In "people": four creators, the voter and the leader; the five readers.
    assert_eq!(
        week(&people, 0),
        &json!({"start": this_week.date_naive().to_string(),
                "registered": 14, "active": 11, "readers": 5, "contributors": 6, "creators": null})
    );

    // The headcount, once an admin sets it, and the CSV.
    app.send(
        Method::PUT,
        "/api/v1/admin/settings",
        root.auth(),
        Some(&json!({"headcount": 40})),
    )
    .await
    .expect(200);
    let p = app
        .get("/insights/participation?weeks=2", lead.auth())
        .await
        .expect(200);
    assert_eq!(p["headcount"], 40);
    let csv = app
        .get(
            "/insights/participation.csv?weeks=2&zone=customers",
            lead.auth(),
        )
        .await;
    csv.expect_status(200);
    assert!(
        csv.content_type().starts_with("text/csv"),
        "{}",
        csv.content_type()
    );
    assert_eq!(
        csv.text,
        format!(
            "week_start,registered,active,readers,contributors,creators\n\
             {},5,0,0,0,0\n{},14,<5,<5,<5,<5\n",
            last_week.date_naive(),
            this_week.date_naive()
        )
    );
    drop(idle);
}

#[tokio::test]
async fn leader_responsiveness_counts_first_replies_and_live_answers() {
    let app = spawn_app().await;
    let now = Utc::now();
    let lead = crate::live_qa::leader(&app, "lead").await;
    let chief = crate::live_qa::leader(&app, "chief").await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let start = now - Duration::hours(3);
    // Three discussions started three hours ago; the leaders answer two.
    let mut ids = Vec::new();
    for (i, zone) in ["people", "people", "customers"].iter().enumerate() {
        let id = app
            .start_discussion(
                &alice.token,
                zone,
                &format!("Question {i}"),
                "What do you think?",
            )
            .await;
        set_time::<entity::discussion::Entity, _>(
            &app,
            entity::discussion::Column::CreatedAt,
            entity::discussion::Column::Id,
            id,
            start,
        )
        .await;
        ids.push(id);
    }
    let reply = |who: &TestUser, id: i64, minutes: i64| {
        let app = &app;
        let token = who.token.clone();
        async move {
            let c = app.comment(&token, id, "Here is what I think.", None).await;
            set_time::<entity::comment::Entity, _>(
                app,
                entity::comment::Column::CreatedAt,
                entity::comment::Column::Id,
                c,
                start + Duration::minutes(minutes),
            )
            .await;
        }
    };
    reply(&lead, ids[0], 30).await;
    reply(&chief, ids[0], 10).await;
    reply(&lead, ids[1], 90).await;
    reply(&lead, ids[1], 100).await; // a second reply: the first one counts
    reply(&bob, ids[2], 5).await; // not a leader

    // Live Q&A: three questions, two answered (after 20 and 40 minutes), one waiting.
    let session = open_session(&app, &lead).await;
    let mut questions = Vec::new();
    for body in ["When is the offsite?", "Is there a budget?", "Who decides?"] {
        questions.push(
            ask(&app, session, &bob, body, false).await["id"]
                .as_i64()
                .expect("id"),
        );
    }
    for (q, minutes) in [(questions[0], 20), (questions[1], 40)] {
        app.post_json(
            &format!("/questions/{q}/answer"),
            lead.auth(),
            &json!({"body": "Soon."}),
        )
        .await
        .expect(200);
        set_time::<entity::qa_question::Entity, _>(
            &app,
            entity::qa_question::Column::CreatedAt,
            entity::qa_question::Column::Id,
            q,
            start,
        )
        .await;
        set_time::<entity::qa_question::Entity, _>(
            &app,
            entity::qa_question::Column::AnsweredAt,
            entity::qa_question::Column::Id,
            q,
            start + Duration::minutes(minutes),
        )
        .await;
    }

    app.get("/insights/leaders", alice.auth())
        .await
        .expect_error(403, "forbidden");
    let l = app
        .get("/insights/leaders?weeks=2", lead.auth())
        .await
        .expect(200);
    assert_eq!(l["discussions"], 3, "{l}");
    assert_eq!(l["share_replied"], 0.667, "{l}");
    // First leader replies: 10 (chief, on the first) and 90 (lead, on the second).
    assert_eq!(l["median_first_reply_minutes"], 50.0, "{l}");
    assert_eq!(
        l["leaders"],
        json!([
            {"member": l["leaders"][0]["member"], "discussions_replied": 2, "share_replied": 0.667, "median_first_reply_minutes": 60.0},
            {"member": l["leaders"][1]["member"], "discussions_replied": 1, "share_replied": 0.333, "median_first_reply_minutes": 10.0},
        ])
    );
    assert_eq!(l["leaders"][0]["member"]["username"], "lead");
    assert_eq!(l["leaders"][1]["member"]["username"], "chief");
    let zones: Vec<(String, u64, u64)> = l["zones"]
        .as_array()
        .expect("zones")
        .iter()
        .map(|z| {
            (
                z["zone"].as_str().unwrap_or_default().to_string(),
                z["discussions"].as_u64().unwrap_or(99),
                z["replied"].as_u64().unwrap_or(99),
            )
        })
        .collect();
    assert!(zones.contains(&("people".into(), 2, 2)), "{zones:?}");
    assert!(zones.contains(&("customers".into(), 1, 0)), "{zones:?}");
    assert_eq!(
        l["sessions"],
        json!({"asked": 3, "answered": 2, "awaiting": 1, "median_answer_minutes": 30.0})
    );
    // By zone: only "people".
    let people = app
        .get("/insights/leaders?zone=people", lead.auth())
        .await
        .expect(200);
    assert_eq!(people["discussions"], 2);
    assert_eq!(people["share_replied"], 1.0);
    // As CSV.
    let csv = app.get("/insights/leaders.csv", chief.auth()).await;
    csv.expect_status(200);
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        lines,
        vec![
            "username,display_name,discussions_replied,share_replied,median_first_reply_minutes",
            "lead,lead,2,0.667,60",
            "chief,chief,1,0.333,10",
        ]
    );
}

#[tokio::test]
async fn reach_lists_the_most_read_and_discussed_without_naming_small_groups() {
    let app = spawn_app().await;
    let lead = crate::live_qa::leader(&app, "lead").await;
    let author = app.register("author").await;
    let mut readers = Vec::new();
    for i in 1..=6 {
        readers.push(app.register(&format!("reader{i}")).await);
    }
    let popular = app
        .start_discussion(
            &author.token,
            "people",
            "Popular one",
            "Everyone reads this.",
        )
        .await;
    let quiet = app
        .start_discussion(&author.token, "customers", "Quiet one", "Few read this.")
        .await;
    for r in &readers {
        read(&app, r, popular).await;
    }
    read(&app, &readers[0], quiet).await;
    for r in &readers[..3] {
        app.comment(&r.token, quiet, "A reply.", None).await;
    }
    let reach = app
        .get("/insights/reach?weeks=1", lead.auth())
        .await
        .expect(200);
    let most_read = reach["most_read"].as_array().expect("most_read");
    assert_eq!(most_read[0]["discussion_id"], popular, "{reach}");
    assert_eq!(most_read[0]["readers"], 6);
    assert_eq!(most_read[0]["replies"], 0);
    assert_eq!(most_read[1]["discussion_id"], quiet);
    assert!(
        most_read[1]["readers"].is_null(),
        "one reader is not shown: {reach}"
    );
    let discussed = reach["most_discussed"].as_array().expect("most_discussed");
    assert_eq!(discussed.len(), 1, "{reach}");
    assert_eq!(discussed[0]["discussion_id"], quiet);
    assert_eq!(discussed[0]["replies"], 3);
    let customers = app
        .get("/insights/reach?zone=customers", lead.auth())
        .await
        .expect(200);
    assert_eq!(customers["most_read"].as_array().map(Vec::len), Some(1));

    // The page: charts, tables, links to the CSVs; members are turned away.
    let browser = app.browser();
    browser.sign_in("lead", crate::helpers::PASSWORD).await;
    let html = browser.get("/insights").await.expect_html(200).to_string();
    for needle in [
        "<svg class=\"insight-chart\"",
        "Weekly active members and contributors",
        "Participation funnel",
        "Popular one",
        "participation.csv",
        "leaders.csv",
        "<caption>Participation by week</caption>",
    ] {
        assert!(html.contains(needle), "{needle} is missing from\n{html}");
    }
    let member = app.browser();
    member.sign_in("reader1", crate::helpers::PASSWORD).await;
    assert_eq!(member.get("/insights").await.status.as_u16(), 403);
}

#[tokio::test]
async fn the_weekly_mail_goes_to_leaders_who_ask_and_stops_with_one_click() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(|s| s.smtp_url = Some(SmtpSink::url_for(sink.port()))).await;
    let lead = crate::live_qa::leader(&app, "lead").await;
    let member = app.register("member").await;
    app.send(
        Method::PUT,
        "/api/v1/me/settings",
        member.auth(),
        Some(&json!({"insights_mail": true})),
    )
    .await
    .expect_error(403, "forbidden");
    let on = app
        .send(
            Method::PUT,
            "/api/v1/me/settings",
            lead.auth(),
            Some(&json!({"insights_mail": true})),
        )
        .await
        .expect(200);
    assert_eq!(on["insights_mail"], true);
    let db = app.db().await;
    let now = Utc::now();
    let queued = quorum::services::insights::queue_weekly_mail(&db, now)
        .await
        .expect("queueing");
    assert_eq!(queued, 1);
    // Once a week: again at once queues nothing.
    let again = quorum::services::insights::queue_weekly_mail(&db, now + Duration::hours(1))
        .await
        .expect("queueing");
    assert_eq!(again, 0);
    let mails = sink.wait_for(1).await;
    let mail = &mails[0];
    assert_eq!(mail.to(), lead.email);
    assert!(
        mail.subject()
            .starts_with("[Quorum] The state of the community, week of"),
        "{}",
        mail.subject()
    );
    assert!(mail.text().contains("Active: "), "{}", mail.text());
    assert!(mail.text().contains("/insights"), "{}", mail.text());
    // One click stops it.
    let url = mail.unsubscribe_url();
    let path = url
        .split_once("/unsubscribe/")
        .map(|(_, t)| format!("/unsubscribe/{t}"))
        .expect("an unsubscribe link");
    app.send(Method::POST, &path, None, None)
        .await
        .expect_status(200);
    let off = app.get("/me/settings", lead.auth()).await.expect(200);
    assert_eq!(off["insights_mail"], false);
}
