//! Members and sessions: register, login, logout, /me, /members/{username}.

use quorum::config::Switch;
use serde_json::{Value, json};

use crate::helpers::{
    PASSWORD, TestApp, assert_error_shape, assert_utc_time, chars, spawn_app, spawn_app_with,
};

async fn register_raw(
    app: &TestApp,
    username: &str,
    email: &str,
    password: &str,
) -> crate::helpers::Answer {
    app.post_json(
        "/auth/register",
        None,
        &json!({"username": username, "email": email, "password": password}),
    )
    .await
}

/// Walks a JSON document and fails on any key that names a password.
#[track_caller]
fn assert_no_password_keys(value: &Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                assert!(
                    !key.to_lowercase().contains("password"),
                    "a response carries {key:?}: {value}"
                );
                assert_no_password_keys(inner);
            }
        }
        Value::Array(items) => items.iter().for_each(assert_no_password_keys),
        _ => {}
    }
}

#[track_caller]
fn assert_member_fields(member: &Value) {
    for key in [
        "username",
        "display_name",
        "role",
        "reputation",
        "avatar_url",
        "badges",
        "joined_at",
    ] {
        assert!(member.get(key).is_some(), "Member lacks {key:?}: {member}");
    }
    assert!(member["username"].is_string(), "{member}");
    assert!(member["display_name"].is_string(), "{member}");
    assert!(member["role"].is_string(), "{member}");
    assert!(member["reputation"].is_i64(), "{member}");
    assert!(
        member["avatar_url"].as_str().is_some_and(|u| !u.is_empty()),
        "{member}"
    );
    assert!(member["badges"].is_array(), "{member}");
    assert_utc_time(&member["joined_at"], "joined_at");
}

#[tokio::test]
async fn register_returns_201_with_the_member_and_a_token() {
    let app = spawn_app().await;

    let answer = app
        .post_json(
            "/auth/register",
            None,
            &json!({"username": "alice", "email": "alice@example.com", "password": PASSWORD,
                    "display_name": "Alice Liddell"}),
        )
        .await;

    let body = answer.expect(201);
    assert!(answer.content_type().starts_with("application/json"));
    let token = body["token"].as_str().expect("a token string");
    assert!(!token.is_empty());
    let me = &body["member"];
    assert_member_fields(me);
    assert_eq!(me["username"], "alice");
    assert_eq!(me["display_name"], "Alice Liddell");
    assert_eq!(me["role"], "member");
    assert_eq!(me["reputation"], 1);
    assert_eq!(me["badges"], json!([]));
    assert_eq!(me["email"], "alice@example.com");
    assert_no_password_keys(&body);

    // The token works at once.
    let me_again = app.get("/me", Some(token)).await.expect(200);
    assert_eq!(me_again["username"], "alice");
    assert_eq!(me_again["email"], "alice@example.com");
    assert_member_fields(&me_again);
}

#[tokio::test]
async fn display_name_is_optional() {
    let app = spawn_app().await;

    let body = register_raw(&app, "bob", "bob@example.com", PASSWORD)
        .await
        .expect(201);

    assert!(
        body["member"]["display_name"]
            .as_str()
            .is_some_and(|n| !n.trim().is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn usernames_outside_the_rules_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let too_long = chars(31);
    let cases = [
        ("", "empty"),
        ("ab", "too short"),
        (too_long.as_str(), "too long"),
        ("bad name", "a space"),
        ("semi;colon", "punctuation"),
        ("émile", "a non-ASCII letter"),
        ("dot.ted", "a dot"),
    ];

    for (i, (username, why)) in cases.iter().enumerate() {
        let answer = register_raw(&app, username, &format!("u{i}@example.com"), PASSWORD).await;
        assert_eq!(
            answer.status.as_u16(),
            400,
            "username {username:?} ({why}) must be refused: {}",
            answer.text
        );
        answer.expect_invalid("username");
    }
}

#[tokio::test]
async fn usernames_at_the_limits_are_accepted() {
    let app = spawn_app().await;
    let longest = "a".repeat(30);

    for (i, username) in ["abc", longest.as_str(), "a_b-1"].iter().enumerate() {
        let body = register_raw(&app, username, &format!("ok{i}@example.com"), PASSWORD)
            .await
            .expect(201);
        assert_eq!(body["member"]["username"], *username);
    }
}

#[tokio::test]
async fn usernames_are_lower_cased() {
    let app = spawn_app().await;

    let body = register_raw(&app, "MixedCase", "mixed@example.com", PASSWORD)
        .await
        .expect(201);

    assert_eq!(body["member"]["username"], "mixedcase");
    app.get("/members/mixedcase", None).await.expect(200);
}

#[tokio::test]
async fn a_username_taken_in_another_case_is_a_conflict() {
    let app = spawn_app().await;
    app.register("carol").await;

    let answer = register_raw(&app, "CaRoL", "other@example.com", PASSWORD).await;

    assert_eq!(answer.status.as_u16(), 409, "{}", answer.text);
    let error = assert_error_shape(&answer.json());
    assert!(error["fields"].get("username").is_some(), "{error}");
}

#[tokio::test]
async fn an_email_taken_in_any_case_is_a_conflict() {
    let app = spawn_app().await;
    app.register("dave").await;

    let answer = register_raw(&app, "dave2", "DAVE@Example.COM", PASSWORD).await;

    assert_eq!(answer.status.as_u16(), 409, "{}", answer.text);
    let error = assert_error_shape(&answer.json());
    assert!(error["fields"].get("email").is_some(), "{error}");
}

#[tokio::test]
async fn short_passwords_are_refused() {
    let app = spawn_app().await;

    register_raw(&app, "erin", "erin@example.com", "123456789")
        .await
        .expect_invalid("password");
    // Ten characters are enough.
    register_raw(&app, "erin", "erin@example.com", "1234567890")
        .await
        .expect(201);
}

#[tokio::test]
async fn invalid_emails_are_refused() {
    let app = spawn_app().await;

    for (i, email) in [
        "",
        "not-an-address",
        "two@@example.com",
        "spaced out@example.com",
    ]
    .iter()
    .enumerate()
    {
        let answer = register_raw(&app, &format!("user{i}"), email, PASSWORD).await;
        assert_eq!(
            answer.status.as_u16(),
            400,
            "{email:?} must be refused: {}",
            answer.text
        );
        answer.expect_invalid("email");
    }
}

#[tokio::test]
async fn login_works_with_username_or_email() {
    let app = spawn_app().await;
    let frank = app.register("frank").await;

    // Usernames and e-mails ignore case, at login as at registration.
    for login in ["frank", frank.email.as_str(), "FRANK", "Frank@Example.com"] {
        let answer = app.login(login, PASSWORD).await;
        let body = answer.expect(200);
        assert_eq!(body["member"]["username"], "frank", "{body}");
        assert_eq!(body["member"]["email"], "frank@example.com", "{body}");
        assert_member_fields(&body["member"]);
        assert_no_password_keys(&body);
        let token = body["token"].as_str().expect("a token");
        assert_ne!(token, frank.token, "each login gets its own token");
        app.get("/me", Some(token)).await.expect(200);
    }
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_member_look_the_same() {
    let app = spawn_app().await;
    app.register("grace").await;

    let wrong_password = app.login("grace", "not the right password").await;
    let unknown_user = app.login("nobody-here", PASSWORD).await;
    let unknown_email = app.login("nobody@example.com", PASSWORD).await;
    let empty_password = app.login("grace", "").await;

    wrong_password.expect_error(401, "invalid_credentials");
    unknown_user.expect_error(401, "invalid_credentials");
    assert_eq!(
        wrong_password.text, unknown_user.text,
        "the two answers must be identical"
    );
    assert_eq!(
        wrong_password.text, unknown_email.text,
        "the two answers must be identical"
    );
    assert_eq!(
        wrong_password.text, empty_password.text,
        "an empty password is just a wrong one"
    );
}

#[tokio::test]
async fn logout_ends_only_that_token() {
    let app = spawn_app().await;
    let heidi = app.register("heidi").await;
    let second = app.login("heidi", PASSWORD).await.expect(200)["token"]
        .as_str()
        .expect("a token")
        .to_string();

    let answer = app
        .post_json("/auth/logout", heidi.auth(), &json!({}))
        .await;

    assert_eq!(answer.status.as_u16(), 204, "{}", answer.text);
    assert!(answer.text.is_empty(), "204 has no body: {}", answer.text);
    app.get("/me", heidi.auth())
        .await
        .expect_error(401, "not_signed_in");
    app.get("/me", Some(&second)).await.expect(200);
}

#[tokio::test]
async fn logout_without_a_token_is_401() {
    let app = spawn_app().await;

    app.post_json("/auth/logout", None, &json!({}))
        .await
        .expect_error(401, "not_signed_in");
}

#[tokio::test]
async fn me_needs_a_valid_token() {
    let app = spawn_app().await;

    app.get("/me", None)
        .await
        .expect_error(401, "not_signed_in");
    app.get("/me", Some("not-a-real-token"))
        .await
        .expect_error(401, "not_signed_in");
}

#[tokio::test]
async fn a_member_profile_has_no_email() {
    let app = spawn_app().await;
    let ivan = app.register("ivan").await;
    let judy = app.register("judy").await;

    for token in [None, judy.auth(), ivan.auth()] {
        let member = app.get("/members/ivan", token).await.expect(200);
        assert_member_fields(&member);
        assert_eq!(member["username"], "ivan");
        assert_eq!(member["role"], "member");
        assert_eq!(member["reputation"], 1);
        assert!(
            member.get("email").is_none(),
            "a Member must not carry an e-mail: {member}"
        );
        assert!(!member.to_string().contains("ivan@example.com"), "{member}");
        assert_no_password_keys(&member);
    }
}

#[tokio::test]
async fn an_unknown_member_is_404() {
    let app = spawn_app().await;

    app.get("/members/nobody", None)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn registration_can_be_limited_to_some_email_domains() {
    let app = spawn_app_with(|s| s.allowed_email_domains = "example.com".into()).await;

    register_raw(&app, "kate", "kate@elsewhere.org", PASSWORD)
        .await
        .expect_invalid("email");
    register_raw(&app, "kate", "kate@example.com.evil.org", PASSWORD)
        .await
        .expect_invalid("email");
    register_raw(&app, "kate", "kate@example.com", PASSWORD)
        .await
        .expect(201);
    // Domains compare without regard to case.
    register_raw(&app, "liam", "liam@Example.COM", PASSWORD)
        .await
        .expect(201);
}

#[tokio::test]
async fn no_response_carries_a_password_or_its_hash() {
    let app = spawn_app().await;
    let mia = app.register("mia").await;
    let id = app
        .start_discussion(&mia.token, "people", "Hashes stay home", "Body text")
        .await;
    app.comment(&mia.token, id, "A reply", None).await;

    // Every answer read by the harness is also checked for "$argon2".
    let bodies = [
        app.login("mia", PASSWORD).await.expect(200),
        app.get("/me", mia.auth()).await.expect(200),
        app.get("/members/mia", None).await.expect(200),
        app.discussion(id, mia.auth()).await,
        app.get("/zones/people/discussions", None).await.expect(200),
    ];
    for body in &bodies {
        assert_no_password_keys(body);
        assert!(!body.to_string().contains(PASSWORD), "{body}");
    }
}

#[tokio::test]
async fn repeated_wrong_logins_from_one_address_are_rate_limited() {
    let app = spawn_app_with(|s| s.rate_limit = Switch::On).await;
    app.register("nina").await;

    // Guesses spread over many names (so no member's own slow-down applies): the
    // address's limit stops them.
    let mut limited = None;
    for n in 0..50 {
        let answer = app.login(&format!("guess{n}"), "wrong password!").await;
        match answer.status.as_u16() {
            401 => continue,
            429 => {
                limited = Some(answer);
                break;
            }
            other => panic!("unexpected {other}: {}", answer.text),
        }
    }

    let answer = limited.expect("50 wrong logins from one address were never limited");
    answer.expect_error(429, "rate_limited");
    let retry_after: u64 = answer
        .header("retry-after")
        .expect("429 must carry Retry-After")
        .parse()
        .expect("Retry-After in seconds");
    assert!(retry_after > 0);
    // Once limited, even the right password waits: that is what stops guessing.
    app.login("nina", PASSWORD)
        .await
        .expect_error(429, "rate_limited");
}

#[tokio::test]
async fn rate_limits_off_never_limit_logins() {
    let app = spawn_app().await;
    app.register("oscar").await;

    for _ in 0..15 {
        app.login("oscar", "wrong password!")
            .await
            .expect_error(401, "invalid_credentials");
    }
    app.login("oscar", PASSWORD).await.expect(200);
}
