//! Zones: the three a fresh install has, and admins adding more.

use quorum::domain::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error_shape, spawn_app};

async fn zones(app: &TestApp) -> Vec<Value> {
    app.get("/zones", None).await.expect(200)["zones"]
        .as_array()
        .expect("zones must be an array")
        .clone()
}

fn find<'a>(zones: &'a [Value], slug: &str) -> &'a Value {
    zones
        .iter()
        .find(|z| z["slug"] == slug)
        .unwrap_or_else(|| panic!("no zone {slug:?} in {zones:?}"))
}

#[tokio::test]
async fn a_fresh_install_has_three_zones() {
    let app = spawn_app().await;

    let zones = zones(&app).await;

    for (slug, name) in [
        ("customers", "Best for Customers"),
        ("people", "Best for People"),
        ("stakeholders", "Best for Stakeholders"),
    ] {
        let zone = find(&zones, slug);
        assert_eq!(zone["name"], name, "{zone}");
        assert!(zone["description"].is_string(), "{zone}");
        assert_eq!(zone["discussion_count"], 0, "{zone}");
    }
}

#[tokio::test]
async fn discussion_count_follows_discussions() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let first = app
        .start_discussion(&alice.token, "people", "First of two", "Body")
        .await;
    app.start_discussion(&alice.token, "people", "Second of two", "Body")
        .await;
    app.start_discussion(&alice.token, "customers", "Elsewhere", "Body")
        .await;

    let before = zones(&app).await;
    app.delete(&format!("/discussions/{first}"), alice.auth())
        .await
        .expect_status(204);
    let after = zones(&app).await;

    assert_eq!(find(&before, "people")["discussion_count"], 2);
    assert_eq!(find(&before, "customers")["discussion_count"], 1);
    assert_eq!(find(&before, "stakeholders")["discussion_count"], 0);
    assert_eq!(
        find(&after, "people")["discussion_count"],
        1,
        "deleted discussions do not count"
    );
}

#[tokio::test]
async fn only_admins_create_zones() {
    let app = spawn_app().await;
    let member = app.register("member").await;
    let moderator = app.register_moderator("moderator").await;
    let new_zone = json!({"slug": "engineering", "name": "Engineering", "description": "Builders"});

    app.post_json("/zones", None, &new_zone)
        .await
        .expect_error(401, "not_signed_in");
    let answer = app.post_json("/zones", member.auth(), &new_zone).await;
    assert_eq!(answer.status.as_u16(), 403, "{}", answer.text);
    assert_error_shape(&answer.json());
    let answer = app.post_json("/zones", moderator.auth(), &new_zone).await;
    assert_eq!(answer.status.as_u16(), 403, "{}", answer.text);

    assert!(zones(&app).await.iter().all(|z| z["slug"] != "engineering"));
}

#[tokio::test]
async fn an_admin_creates_a_zone() {
    let app = spawn_app().await;
    let admin = app.register("admin").await;
    app.set_role("admin", Role::Admin).await;

    let zone = app
        .post_json(
            "/zones",
            admin.auth(),
            &json!({"slug": "engineering", "name": "Engineering", "description": "Builders"}),
        )
        .await
        .expect(201);

    assert_eq!(zone["slug"], "engineering");
    assert_eq!(zone["name"], "Engineering");
    assert_eq!(zone["description"], "Builders");
    assert_eq!(zone["discussion_count"], 0);
    let listed = zones(&app).await;
    assert_eq!(find(&listed, "engineering")["name"], "Engineering");
    assert_eq!(listed.len(), 4);
    // The new zone takes discussions at once.
    app.start_discussion(&admin.token, "engineering", "First in a new zone", "Body")
        .await;
    let page = app
        .get("/zones/engineering/discussions", None)
        .await
        .expect(200);
    assert_eq!(page["total"], 1, "{page}");
}

#[tokio::test]
async fn a_taken_slug_is_a_conflict() {
    let app = spawn_app().await;
    let admin = app.register("admin").await;
    app.set_role("admin", Role::Admin).await;

    for slug in ["customers", "people"] {
        let answer = app
            .post_json(
                "/zones",
                admin.auth(),
                &json!({"slug": slug, "name": "Again", "description": ""}),
            )
            .await;
        assert_eq!(answer.status.as_u16(), 409, "{}", answer.text);
        assert_error_shape(&answer.json());
    }
    assert_eq!(zones(&app).await.len(), 3);
}

#[tokio::test]
async fn a_bad_slug_is_refused() {
    let app = spawn_app().await;
    let admin = app.register("admin").await;
    app.set_role("admin", Role::Admin).await;

    for slug in ["", "a", "Has Spaces", "semi;colon", "-edge", "x/y"] {
        let answer = app
            .post_json(
                "/zones",
                admin.auth(),
                &json!({"slug": slug, "name": "Fine name", "description": ""}),
            )
            .await;
        assert_eq!(
            answer.status.as_u16(),
            400,
            "slug {slug:?}: {}",
            answer.text
        );
        answer.expect_invalid("slug");
    }
}

#[tokio::test]
async fn an_unknown_zone_is_404() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    app.get("/zones/nowhere/discussions", None)
        .await
        .expect_error(404, "not_found");
    app.post_json(
        "/zones/nowhere/discussions",
        alice.auth(),
        &json!({"title": "Lost in space", "body": "Hello?"}),
    )
    .await
    .expect_error(404, "not_found");
}

/// Every page's navigation lists the zones; an instance keeps that list for a while, and
/// forgets it when it adds a zone: the next page already links the new one.
#[tokio::test]
async fn a_new_zone_is_in_the_navigation_of_the_next_page() {
    let app = spawn_app().await;
    let admin = app.register_admin("admin").await;
    let link = "href=\"/zones/research\"";
    let before = app.get_page("/").await;
    assert!(!before.expect_html(200).contains(link));
    app.post_json(
        "/zones",
        admin.auth(),
        &json!({"slug": "research", "name": "Research", "description": "Findings"}),
    )
    .await
    .expect(201);
    let after = app.get_page("/leaderboard").await;
    let after = after.expect_html(200).to_string();
    let nav = after
        .split("<nav")
        .nth(1)
        .unwrap_or_else(|| panic!("no navigation on the page:\n{after}"));
    assert!(
        nav.contains(link),
        "the new zone is not in the navigation:\n{after}"
    );
}
