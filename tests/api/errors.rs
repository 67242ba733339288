//! Bad input gets the contract's error shape, never a stack trace, SQL or a hash.
//! (Every answer read by the harness is also checked for those; see `helpers::LEAKS`.)

use reqwest::Method;
use serde_json::json;

use crate::helpers::{LEAKS, PASSWORD, assert_error_shape, spawn_app};

#[tokio::test]
async fn malformed_json_is_invalid_json() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    for body in [
        "{\"username\": ",
        "not json at all",
        "{\"title\": \"x\",}",
        "",
    ] {
        let answer = app
            .post_raw("/auth/register", None, "application/json", body)
            .await;
        answer.expect_error(400, "invalid_json");
        let answer = app
            .post_raw(
                "/zones/people/discussions",
                alice.auth(),
                "application/json",
                body,
            )
            .await;
        answer.expect_error(400, "invalid_json");
    }
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_named() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let error = app
        .post_json(
            "/zones/people/discussions",
            alice.auth(),
            &json!({"title": 5, "body": "x"}),
        )
        .await
        .expect_invalid("title");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));

    app.post_json(
        "/auth/register",
        None,
        &json!({"username": ["alice"], "email": "a@example.com", "password": PASSWORD}),
    )
    .await
    .expect_invalid("username");
    let d = app
        .start_discussion(&alice.token, "people", "Typed", "Body")
        .await;
    app.post_json(
        &format!("/discussions/{d}/comments"),
        alice.auth(),
        &json!({"body": "x", "parent_id": "one"}),
    )
    .await
    .expect_invalid("parent_id");
    app.post_json(
        &format!("/discussions/{d}/lock"),
        alice.auth(),
        &json!({"locked": "yes"}),
    )
    .await
    .expect_invalid("locked");
}

#[tokio::test]
async fn a_missing_field_is_named() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    app.post_json(
        "/zones/people/discussions",
        alice.auth(),
        &json!({"title": "Only a title"}),
    )
    .await
    .expect_invalid("body");
    app.post_json(
        "/zones/people/discussions",
        alice.auth(),
        &json!({"body": "Only a body"}),
    )
    .await
    .expect_invalid("title");
    app.post_json(
        "/auth/register",
        None,
        &json!({"username": "bob", "password": PASSWORD}),
    )
    .await
    .expect_invalid("email");
    app.post_json("/auth/login", None, &json!({"login": "alice"}))
        .await
        .expect_invalid("password");
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_refused() {
    let app = spawn_app().await;

    for body in ["[]", "42", "\"text\"", "null"] {
        let answer = app
            .post_raw("/auth/register", None, "application/json", body)
            .await;
        assert_eq!(answer.status.as_u16(), 400, "{body}: {}", answer.text);
        assert_error_shape(&answer.json());
    }
}

#[tokio::test]
async fn an_oversized_body_is_413() {
    let app = spawn_app().await;
    let huge = "x".repeat(600 * 1024);
    let body = json!({"username": "big", "email": "big@example.com", "password": huge}).to_string();

    let answer = app
        .post_raw("/auth/register", None, "application/json", body)
        .await;

    answer.expect_error(413, "payload_too_large");
}

#[tokio::test]
async fn an_unknown_api_route_is_a_json_404() {
    let app = spawn_app().await;

    for path in ["/nope", "/zones/people/nope", "/discussions/1/nope/deeper"] {
        let error = app.get(path, None).await.expect_error(404, "not_found");
        assert_eq!(error["message"], "No such API route", "{path}");
    }
    let answer = app.send(Method::GET, "/api/v2/zones", None, None).await;
    answer.expect_error(404, "not_found");
}

#[tokio::test]
async fn a_wrong_method_on_a_known_route_answers_in_json() {
    let app = spawn_app().await;

    for (method, path, allow) in [
        (Method::DELETE, "/api/v1/zones", "GET, POST"),
        (Method::PUT, "/api/v1/me", "GET, DELETE"),
        (Method::GET, "/api/v1/auth/login", "POST"),
    ] {
        let answer = app.send(method.clone(), path, None, None).await;
        // The path exists, the method does not: 405, naming the methods it has.
        let body = answer.expect_error(405, "method_not_allowed");
        assert_eq!(
            answer.header("allow"),
            Some(allow),
            "{method} {path}: {body}"
        );
        assert!(
            answer.content_type().starts_with("application/json"),
            "{method} {path}"
        );
        assert_error_shape(&answer.json());
    }
}

#[tokio::test]
async fn hostile_input_never_leaks_internals() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let d = app
        .start_discussion(&alice.token, "people", "Target", "Body")
        .await;

    let comments = format!("/discussions/{d}/comments");
    let probes = [
        (
            "quote in a username",
            app.get("/members/x'%20OR%201=1--", None).await,
        ),
        (
            "NUL byte in a username",
            app.get("/members/%00", None).await,
        ),
        (
            "NUL byte in a zone slug",
            app.get("/zones/%00/discussions", None).await,
        ),
        (
            "SQL in a zone slug",
            app.get(
                "/zones/'%3B%20DROP%20TABLE%20members%3B--/discussions",
                None,
            )
            .await,
        ),
        (
            "SQL in sort",
            app.get("/zones/people/discussions?sort=%27%20OR%201=1", None)
                .await,
        ),
        (
            "a huge page",
            app.get(
                "/zones/people/discussions?page=99999999999999999999999",
                None,
            )
            .await,
        ),
        ("a negative id", app.get("/discussions/-1", None).await),
        (
            "an id past i32",
            app.get("/discussions/2147483648", None).await,
        ),
        ("id 0", app.get("/discussions/0", None).await),
        (
            "SQL as a login",
            app.login("' OR '1'='1", "' OR '1'='1").await,
        ),
        (
            "a quote after an e-mail",
            app.login("alice@example.com' --", PASSWORD).await,
        ),
        (
            "NUL byte in a login",
            app.login("alice\u{0}", PASSWORD).await,
        ),
        (
            "the largest i32 parent",
            app.post_json(
                &comments,
                alice.auth(),
                &json!({"body": "x", "parent_id": 2_147_483_647}),
            )
            .await,
        ),
        (
            "a parent past i32",
            app.post_json(
                &comments,
                alice.auth(),
                &json!({"body": "x", "parent_id": 9_999_999_999_i64}),
            )
            .await,
        ),
        (
            "JSON sent as text/plain",
            app.post_raw(
                "/auth/register",
                None,
                "text/plain",
                "{\"username\": \"x\"}",
            )
            .await,
        ),
        (
            "bytes that are not UTF-8",
            app.post_raw(
                "/auth/register",
                None,
                "application/json",
                vec![0xff_u8, 0xfe, 0x00],
            )
            .await,
        ),
    ];

    let mut problems = Vec::new();
    for (probe, answer) in &probes {
        let json_error = answer.content_type().starts_with("application/json")
            && serde_json::from_str::<serde_json::Value>(&answer.text)
                .is_ok_and(|b| b["error"]["code"].is_string() && b["error"]["message"].is_string());
        let leaks = LEAKS
            .iter()
            .chain(&["sqlx", "sea_orm"])
            .any(|leak| answer.text.contains(leak));
        if !answer.status.is_client_error() || !json_error || leaks {
            problems.push(format!("{probe}: {} {}", answer.status, answer.text));
        }
    }
    assert!(
        problems.is_empty(),
        "hostile input must get a 4xx JSON error: {problems:#?}"
    );
    // An edit of nothing is not hostile: it changes nothing and says so.
    let unchanged = app
        .patch_json(
            &format!("/discussions/{d}"),
            alice.auth(),
            &json!({"title": null, "body": null}),
        )
        .await
        .expect(200);
    assert_eq!(unchanged["title"], "Target");
    assert_eq!(unchanged["edited"], false, "{unchanged}");
}
