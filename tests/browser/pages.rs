//! Every main page, in a populated community: checked with axe-core (no serious or
//! critical violations), saved as screenshots at desktop and phone width, and laid out
//! without sideways scrolling on a 360 px phone.

use chrono::{Duration, Utc};
use quorum::domain::Role;
use serde_json::json;

use crate::browser::{self, Browser};
use crate::helpers::{TestApp, spawn_app};

/// A small community with something on every page; the paths worth looking at.
async fn populate(app: &TestApp) -> Vec<(&'static str, String)> {
    let lead = app.register("lena").await;
    app.set_role("lena", Role::Leader).await;
    let ana = app.register("ana").await;
    let ben = app.register("ben").await;
    let discussion = app
        .post_json(
            "/zones/people/discussions",
            ana.auth(),
            &json!({"title": "Mentoring for new joiners", "body": "Pair every new joiner with a **mentor** for their first month.\n\n- a buddy\n- a plan",
                    "poll": {"question": "How long should mentoring last?", "options": ["A month", "A quarter", "Until they ask to stop"]}}),
        )
        .await
        .expect(201);
    let id = discussion["id"].as_i64().unwrap();
    let first = app
        .comment(&ben.token, id, "Yes — and give mentors time for it.", None)
        .await;
    let second = app
        .comment(
            &ana.token,
            id,
            "Agreed, an hour of mentoring a week.",
            Some(first),
        )
        .await;
    let third = app
        .comment(&ben.token, id, "Logged in the planning doc.", Some(second))
        .await;
    let fourth = app
        .comment(&ana.token, id, "Deep in the thread now.", Some(third))
        .await;
    app.comment(
        &ben.token,
        id,
        "Deeper still: folded until asked for.",
        Some(fourth),
    )
    .await;
    let gone = app
        .comment(&ben.token, id, "Wrong thread, sorry.", None)
        .await;
    app.delete(&format!("/comments/{gone}"), ben.auth())
        .await
        .expect_status(204);
    app.post_json(
        &format!("/comments/{first}/vote"),
        ana.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect(200);
    app.post_json(
        &format!("/comments/{first}/recognize"),
        lead.auth(),
        &json!({}),
    )
    .await
    .expect(200);
    for title in [
        "Customer calls every Friday",
        "A shared glossary",
        "Quiet hours",
    ] {
        app.start_discussion(&ben.token, "customers", title, "Thoughts?")
            .await;
    }
    let now = Utc::now();
    let session = app
        .post_json(
            "/zones/people/sessions",
            lead.auth(),
            &json!({"title": "Ask the people team", "description": "Anything about growth.",
                    "starts_at": (now - Duration::minutes(5)).to_rfc3339(),
                    "ends_at": (now + Duration::hours(1)).to_rfc3339()}),
        )
        .await
        .expect(201);
    let sid = session["id"].as_i64().unwrap();
    let q = app
        .post_json(
            &format!("/sessions/{sid}/questions"),
            ana.auth(),
            &json!({"body": "How do promotions work?"}),
        )
        .await
        .expect(201);
    app.post_json(
        &format!("/questions/{}/answer", q["id"]),
        lead.auth(),
        &json!({"body": "Twice a year, with a written case."}),
    )
    .await
    .expect(200);
    // An idea under review, with a leader's note; the leader replies in the open.
    app.send(
        reqwest::Method::PUT,
        &format!("/api/v1/discussions/{id}/idea"),
        ana.auth(),
        Some(&json!({"status": "proposed"})),
    )
    .await
    .expect(200);
    app.send(
        reqwest::Method::PUT,
        &format!("/api/v1/discussions/{id}/idea"),
        lead.auth(),
        Some(&json!({"status": "under_review", "note": "We are costing mentors' time with HR."})),
    )
    .await
    .expect(200);
    app.comment(&lead.token, id, "Thank you, this is on our list.", None)
        .await;
    let quiz = app
        .post_json(
            "/zones/people/quizzes",
            lead.auth(),
            &json!({"title": "Onboarding basics", "discussion_id": id, "questions": [
                {"prompt": "Who approves leave?", "explanation": "Managers approve; HR records.",
                 "choices": [{"label": "Your manager", "correct": true}, {"label": "HR"}]}]}),
        )
        .await
        .expect(201);
    let update = app
        .post_json(
            "/updates",
            lead.auth(),
            &json!({"body": "**Mentoring** is funded for next year: one hour a week.", "discussion_id": id,
                    "pulse": {"question": "Is an hour a week enough?", "scale": "five"}}),
        )
        .await
        .expect(201);
    app.comment(
        &ben.token,
        update["id"].as_i64().unwrap(),
        "Great news.",
        None,
    )
    .await;
    vec![
        ("home", "/".into()),
        ("updates", "/updates".into()),
        ("update", update["url"].as_str().unwrap().to_string()),
        ("zone", "/zones/people".into()),
        ("discussion", format!("/discussions/{id}")),
        ("profile", "/members/ana".into()),
        ("leaderboard", "/leaderboard".into()),
        ("search", "/search?q=mentoring".into()),
        ("notifications", "/notifications".into()),
        ("settings", "/settings".into()),
        ("account", "/account".into()),
        ("following", "/following".into()),
        ("session", format!("/sessions/{sid}")),
        ("quiz", format!("/quizzes/{}", quiz["id"])),
        ("new-discussion", "/zones/people/new".into()),
        ("badges", "/badges".into()),
        ("ideas", "/ideas".into()),
        ("not-found", "/no/such/page".into()),
    ]
}

/// Pages only leaders see.
const LEADER_PAGES: [(&str, &str); 3] = [
    ("insights", "/insights"),
    ("updates-leader", "/updates"),
    ("ideas-leader", "/ideas?status=under_review"),
];

#[tokio::test]
async fn the_main_pages_are_accessible_and_fit_a_phone() {
    if !browser::available("page checks") {
        return;
    }
    let app = spawn_app().await;
    let pages = populate(&app).await;
    let axe = browser::axe_script();
    let b = Browser::start(&app.address, true).await;

    // Visitors' pages first, then a member's.
    let mut problems = Vec::new();
    for (name, path) in [
        ("join", "/join"),
        ("signin", "/signin"),
        ("forgot-password", "/forgot-password"),
        ("reset-password", "/reset-password?token=1.x"),
        ("verify-email", "/verify-email?token=1.x"),
    ] {
        b.goto(path).await;
        check(&b, name, axe.as_deref(), &mut problems).await;
    }
    b.sign_in("ana").await;
    for (name, path) in &pages {
        b.goto(path).await;
        if *name == "discussion" {
            fold_deep_branch(&b).await;
        }
        check(&b, name, axe.as_deref(), &mut problems).await;
    }
    b.quit().await;
    let leader = Browser::start(&app.address, true).await;
    leader.sign_in("lena").await;
    for (name, path) in LEADER_PAGES {
        leader.goto(path).await;
        check(&leader, name, axe.as_deref(), &mut problems).await;
    }
    leader.quit().await;

    // The same colours, dark: contrast must hold there too.
    let dark = Browser::start_with(&app.address, true, true).await;
    dark.sign_in("ana").await;
    let scheme = dark
        .client
        .execute(
            "return matchMedia('(prefers-color-scheme: dark)').matches;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        scheme,
        serde_json::Value::Bool(true),
        "the browser did not ask for dark colours"
    );
    for (name, path) in pages.iter().filter(|(n, _)| {
        [
            "home",
            "updates",
            "zone",
            "discussion",
            "session",
            "quiz",
            "profile",
            "ideas",
        ]
        .contains(n)
    }) {
        dark.goto(path).await;
        check(
            &dark,
            &format!("{name} (dark)"),
            axe.as_deref(),
            &mut problems,
        )
        .await;
    }
    dark.quit().await;
    let dark_leader = Browser::start_with(&app.address, true, true).await;
    dark_leader.sign_in("lena").await;
    dark_leader.goto("/insights").await;
    check(
        &dark_leader,
        "insights (dark)",
        axe.as_deref(),
        &mut problems,
    )
    .await;
    dark_leader.quit().await;
    assert!(
        problems.is_empty(),
        "pages with problems:\n{}",
        problems.join("\n")
    );
}

async fn check(b: &Browser, name: &str, axe: Option<&str>, problems: &mut Vec<String>) {
    b.find("main").await;
    let title = b.client.title().await.unwrap();
    if !title.contains("Quorum") {
        problems.push(format!(
            "{name}: the title {title:?} does not name the site"
        ));
    }
    if let Some(script) = axe {
        for v in b.axe(script).await {
            problems.push(format!(
                "{name}: {} ({}) {}: {}",
                v["id"], v["impact"], v["help"], v["nodes"]
            ));
        }
    }
    // At desktop width the header is one row: the brand, the zones, the search box and
    // the member's links side by side, and no zone link below another.
    let spread = b
        .client
        .execute(
            "const mid = e => { const r = e.getBoundingClientRect(); return r.top + r.height / 2; };
             const spread = xs => Math.round(Math.max(...xs) - Math.min(...xs));
             return [spread([...document.querySelector('.header-row').children].map(mid)),
                     spread([...document.querySelectorAll('.zones-nav a')].map(mid))];",
            vec![],
        )
        .await
        .unwrap();
    let spread: Vec<i64> = spread
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_i64()).collect())
        .unwrap_or_default();
    if spread.iter().any(|s| *s > 12) {
        problems.push(format!(
            "{name}: the header is not one row at 1280 px (spread of its parts and of the zone links: {spread:?} px)"
        ));
    }
    b.screenshot(name.split(' ').next().unwrap_or(name)).await;
    // A 360 px phone: nothing wider than the screen.
    b.client.set_window_size(360, 740).await.unwrap();
    let overflow = b
        .client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap()
        .as_i64()
        .unwrap_or(0);
    if overflow > 1 {
        problems.push(format!("{name}: {overflow} px wider than a 360 px phone"));
    }
    b.client.set_window_size(1280, 900).await.unwrap();
}

/// The reply four levels down is folded behind a button that opens and closes it.
async fn fold_deep_branch(b: &Browser) {
    let deep = b.find("li.comment.depth-4").await;
    assert!(
        !deep.is_displayed().await.unwrap(),
        "the deep reply starts folded"
    );
    let toggle = b.find("button.fold-toggle").await;
    assert_eq!(toggle.text().await.unwrap(), "Show 1 deeper reply");
    toggle.click().await.unwrap();
    assert!(deep.is_displayed().await.unwrap());
    assert_eq!(
        toggle.attr("aria-expanded").await.unwrap().as_deref(),
        Some("true")
    );
}
