//! Rate limits on registration and posting, and that a member's correct sign-ins are
//! not locked out by someone else's guesses from another address… or by their own
//! successes.

use quorum::config::Switch;
use serde_json::json;

use crate::helpers::spawn_app_with;

#[tokio::test]
async fn posting_is_limited_per_member_with_retry_after() {
    let app = spawn_app_with(|s| s.rate_limit = Switch::On).await;
    let poster = app.register("poster").await;
    let id = app
        .start_discussion(&poster.token, "people", "A busy thread", "Body")
        .await;
    let mut limited = None;
    for i in 0..40 {
        let answer = app
            .post_json(
                &format!("/discussions/{id}/comments"),
                poster.auth(),
                &json!({"body": format!("Comment {i}")}),
            )
            .await;
        match answer.status.as_u16() {
            201 => continue,
            429 => {
                limited = Some(answer);
                break;
            }
            other => panic!("unexpected {other}: {}", answer.text),
        }
    }
    let answer = limited.expect("40 comments in a row were never limited");
    answer.expect_error(429, "rate_limited");
    assert!(
        answer
            .header("retry-after")
            .is_some_and(|v| v.parse::<u64>().is_ok())
    );
    // Another member is not limited by the first one's posting.
    let other = app.register("other").await;
    app.post_json(
        &format!("/discussions/{id}/comments"),
        other.auth(),
        &json!({"body": "Still welcome"}),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn registration_is_limited_per_address() {
    let app = spawn_app_with(|s| s.rate_limit = Switch::On).await;
    let mut limited = false;
    for i in 0..30 {
        let answer = app
            .post_json(
                "/auth/register",
                None,
                &json!({
                    "username": format!("person{i}"),
                    "email": format!("person{i}@example.com"),
                    "password": "correct horse battery",
                }),
            )
            .await;
        match answer.status.as_u16() {
            201 => continue,
            429 => {
                answer.expect_error(429, "rate_limited");
                limited = true;
                break;
            }
            other => panic!("unexpected {other}: {}", answer.text),
        }
    }
    assert!(
        limited,
        "30 registrations from one address were never limited"
    );
}

#[tokio::test]
async fn successful_sign_ins_do_not_use_up_the_account_limit() {
    let app = spawn_app_with(|s| s.rate_limit = Switch::On).await;
    app.register("steady").await;
    // More successful sign-ins than the per-account limit of failures (10).
    for _ in 0..15 {
        app.login("steady", "correct horse battery")
            .await
            .expect(200);
    }
}

async fn register_from(app: &crate::helpers::TestApp, i: usize, forwarded_for: &str) -> u16 {
    app.api
        .post(app.url("/api/v1/auth/register"))
        .header("X-Forwarded-For", forwarded_for)
        .json(&json!({
            "username": format!("person{i}"),
            "email": format!("person{i}@example.com"),
            "password": "correct horse battery",
        }))
        .send()
        .await
        .expect("a response")
        .status()
        .as_u16()
}

#[tokio::test]
async fn behind_a_trusted_proxy_limits_count_per_client_address() {
    let app = spawn_app_with(|s| {
        s.rate_limit = Switch::On;
        s.trust_proxy = Switch::On;
    })
    .await;
    // Many colleagues behind one load balancer: each has their own allowance.
    for i in 0..15 {
        assert_eq!(register_from(&app, i, &format!("10.0.0.{i}")).await, 201);
    }
    // One client address still runs out.
    let statuses: Vec<u16> = {
        let mut v = Vec::new();
        for i in 100..115 {
            v.push(register_from(&app, i, "10.9.9.9").await);
        }
        v
    };
    assert!(statuses.contains(&429), "{statuses:?}");
}

#[tokio::test]
async fn without_trusting_a_proxy_its_header_is_ignored() {
    let app = spawn_app_with(|s| s.rate_limit = Switch::On).await;
    let mut statuses = Vec::new();
    for i in 0..15 {
        statuses.push(register_from(&app, i, &format!("10.0.0.{i}")).await);
    }
    assert!(
        statuses.contains(&429),
        "a forged header must not buy more: {statuses:?}"
    );
}
