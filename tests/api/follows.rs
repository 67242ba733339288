//! Following members and zones: the feed, the notification, the buttons.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn followers_get_a_feed_and_a_notification_when_a_followed_member_starts_a_discussion() {
    let app = spawn_app().await;
    let ana = app.register("ana").await;
    let ben = app.register("ben").await;
    let cai = app.register("cai").await;

    let state = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/members/ben/follow",
            ana.auth(),
            None,
        )
        .await
        .expect(200);
    assert_eq!(state, json!({"following": true, "followers": 1}));
    // Idempotent.
    app.send(
        reqwest::Method::PUT,
        "/api/v1/members/ben/follow",
        ana.auth(),
        None,
    )
    .await
    .expect(200);
    app.send(
        reqwest::Method::PUT,
        "/api/v1/zones/customers/follow",
        ana.auth(),
        None,
    )
    .await
    .expect(200);
    let following = app.get("/me/following", ana.auth()).await.expect(200);
    assert_eq!(following["members"][0]["username"], "ben");
    assert_eq!(following["zones"][0]["slug"], "customers");

    let by_ben = app
        .start_discussion(
            &ben.token,
            "people",
            "Ben's idea on mentoring",
            "Pair new joiners.",
        )
        .await;
    let in_zone = app
        .start_discussion(&cai.token, "customers", "Faster refunds", "Cut the wait.")
        .await;
    app.start_discussion(&cai.token, "stakeholders", "Not followed", "Elsewhere.")
        .await;

    let feed = app.get("/feed", ana.auth()).await.expect(200);
    let ids: Vec<i64> = feed["discussions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [in_zone, by_ben]);
    assert_eq!(feed["total"], 2);

    let notes = app.get("/notifications", ana.auth()).await.expect(200);
    let followed: Vec<_> = notes["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "followed_discussion")
        .collect();
    // A member followed, not a zone: one notification.
    assert_eq!(followed.len(), 1);
    assert_eq!(followed[0]["discussion_id"], by_ben);
    assert_eq!(followed[0]["actor"]["username"], "ben");

    // Unfollowing stops both.
    let state = app
        .send(
            reqwest::Method::DELETE,
            "/api/v1/members/ben/follow",
            ana.auth(),
            None,
        )
        .await
        .expect(200);
    assert_eq!(state, json!({"following": false, "followers": 0}));
    app.start_discussion(&ben.token, "people", "Another from Ben", "More.")
        .await;
    let feed = app.get("/feed", ana.auth()).await.expect(200);
    assert_eq!(feed["total"], 1);

    // Bad input.
    app.send(
        reqwest::Method::PUT,
        "/api/v1/members/ana/follow",
        ana.auth(),
        None,
    )
    .await
    .expect_error(403, "self_follow");
    // Unfollowing oneself is already so: the state, like any other unfollow.
    let state = app
        .send(
            reqwest::Method::DELETE,
            "/api/v1/members/ana/follow",
            ana.auth(),
            None,
        )
        .await
        .expect(200);
    assert_eq!(state["following"], false);
    app.send(
        reqwest::Method::PUT,
        "/api/v1/members/nobody/follow",
        ana.auth(),
        None,
    )
    .await
    .expect_error(404, "not_found");
    app.send(
        reqwest::Method::PUT,
        "/api/v1/zones/nowhere/follow",
        ana.auth(),
        None,
    )
    .await
    .expect_error(404, "not_found");
    app.get("/feed", None)
        .await
        .expect_error(401, "not_signed_in");
}

#[tokio::test]
async fn follow_buttons_work_without_javascript() {
    let app = spawn_app().await;
    app.register("ben").await;
    let browser = app.browser();
    browser.join("ana").await;
    let page = browser.get("/members/ben").await;
    assert!(page.expect_html(200).contains(">Follow</button>"));
    browser
        .submit("/members/ben", "/members/ben/follow", &[("state", "on")])
        .await
        .expect_see_other();
    let page = browser.get("/members/ben").await;
    let html = page.expect_html(200);
    assert!(
        html.contains(">Following</button>") && html.contains("1 follower"),
        "{html}"
    );
    // One's own profile has no button.
    let own = browser.get("/members/ana").await;
    assert!(!own.expect_html(200).contains("/members/ana/follow"));
    browser
        .submit("/zones/people", "/zones/people/follow", &[("state", "on")])
        .await
        .expect_see_other();
    let feed = browser.get("/following").await;
    assert!(feed.expect_html(200).contains("Best for People"));
}
