//! Who is who: confirmed addresses, password reset and change, address change, sessions,
//! the data download, leaving, roles and the audit log, and sign-in hardening. Mails go
//! through a real SMTP server on loopback (`SmtpSink`); links are followed as a member
//! would, by the token they carry.

use std::time::Duration;

use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, TestUser, fresh_window, spawn_app_with};
use crate::smtp_sink::{Mail, SmtpSink};

/// An app as a fresh install has it (addresses confirmed by mail), mailing to `sink`.
async fn app_mailing_to(sink: &SmtpSink) -> TestApp {
    let port = sink.port();
    spawn_app_with(move |s| {
        s.smtp_url = Some(SmtpSink::url_for(port));
        s.email_verification = quorum::config::Switch::On;
    })
    .await
}

/// The `token` parameter of the first link to `path` in a mail's text.
#[track_caller]
fn link_token(mail: &Mail, path: &str) -> String {
    let text = mail.text();
    let start = text
        .find(&format!("{path}?token="))
        .unwrap_or_else(|| panic!("no {path} link in:\n{text}"));
    let rest = &text[start + path.len() + "?token=".len()..];
    rest.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect()
}

/// Waits for `n` mails and returns the last one, checking who it went to.
async fn nth_mail_to(sink: &SmtpSink, n: usize, to: &str) -> Mail {
    let mails = sink.wait_for(n).await;
    let mail = mails[n - 1].clone();
    assert_eq!(mail.recipients, vec![to.to_string()], "{mail:#?}");
    mail
}

async fn start_discussion(app: &TestApp, token: &str) -> crate::helpers::Answer {
    app.post_json(
        "/zones/people/discussions",
        Some(token),
        &json!({"title": "Shorter stand-ups", "body": "Fifteen minutes, standing."}),
    )
    .await
}

#[tokio::test]
async fn a_new_member_confirms_their_address_before_posting_voting_or_following() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    let writer = app.register("writer").await;
    let discussion = app
        .start_discussion(&writer.token, "people", "Hybrid Fridays", "In or out?")
        .await;
    let ada = app.register_unverified("ada").await;

    // Until confirmed: reads and profile edits work, writes do not.
    let posting = start_discussion(&app, &ada.token).await;
    posting.expect_error(403, "email_unverified");
    app.post_json(
        &format!("/discussions/{discussion}/vote"),
        Some(&ada.token),
        &json!({"value": 1}),
    )
    .await
    .expect_error(403, "email_unverified");
    app.send(
        Method::PUT,
        "/api/v1/members/writer/follow",
        Some(&ada.token),
        None,
    )
    .await
    .expect_error(403, "email_unverified");
    app.get(&format!("/discussions/{discussion}"), Some(&ada.token))
        .await
        .expect(200);
    app.send(
        Method::PUT,
        "/api/v1/me/settings",
        Some(&ada.token),
        Some(&json!({"digest": "weekly"})),
    )
    .await
    .expect(200);
    assert_eq!(
        app.get("/me", Some(&ada.token)).await.expect(200)["email_verified"],
        false
    );

    // The mail carries a link; following it confirms the address.
    let mail = nth_mail_to(&sink, 1, "ada@example.com").await;
    assert!(
        mail.subject().contains("Confirm your e-mail address"),
        "{}",
        mail.subject()
    );
    let token = link_token(&mail, "/verify-email");
    let me = app
        .post_json("/auth/verify", None, &json!({"token": token}))
        .await
        .expect(200);
    assert_eq!(me["email_verified"], true);
    assert_eq!(me["username"], "ada");
    start_discussion(&app, &ada.token).await.expect(201);

    // A link works once; a forged one never.
    app.post_json("/auth/verify", None, &json!({"token": token}))
        .await
        .expect_error(400, "invalid_token");
    let (id, _) = token.split_once('.').expect("id.signature");
    app.post_json(
        "/auth/verify",
        None,
        &json!({"token": format!("{id}.forged")}),
    )
    .await
    .expect_error(400, "invalid_token");

    // Asking again once confirmed sends nothing.
    app.post_json("/auth/verify/resend", Some(&ada.token), &json!({}))
        .await
        .expect_status(204);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn a_new_link_can_be_asked_for_a_few_times_an_hour_and_an_expired_one_fails() {
    let sink = SmtpSink::start().await;
    let port = sink.port();
    let app = spawn_app_with(move |s| {
        s.smtp_url = Some(SmtpSink::url_for(port));
        s.rate_limit = quorum::config::Switch::On;
        s.email_verification = quorum::config::Switch::On;
    })
    .await;
    let ada = app.register_unverified("ada").await;
    // Resends count in hourly windows: the four below must land in one.
    fresh_window(3600, 30).await;
    for _ in 0..3 {
        app.post_json("/auth/verify/resend", Some(&ada.token), &json!({}))
            .await
            .expect_status(204);
    }
    let over = app
        .post_json("/auth/verify/resend", Some(&ada.token), &json!({}))
        .await;
    over.expect_error(429, "rate_limited");
    assert!(over.header("retry-after").is_some());
    let mails = sink.wait_for(4).await;
    assert_eq!(mails.len(), 4, "registration and three resends");

    // Every link lasts 24 hours: one whose time has passed is refused.
    let token = link_token(&mails[3], "/verify-email");
    let db = app.db().await;
    entity::account_token::Entity::update_many()
        .col_expr(
            entity::account_token::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)),
        )
        .exec(&db)
        .await
        .expect("expiring the links");
    app.post_json("/auth/verify", None, &json!({"token": token}))
        .await
        .expect_error(400, "invalid_token");
    // The expiry is part of the signature: moving it forward again in the database (as
    // someone who can write there might) does not revive the link.
    entity::account_token::Entity::update_many()
        .col_expr(
            entity::account_token::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() + chrono::Duration::hours(1)),
        )
        .exec(&db)
        .await
        .expect("moving the expiry");
    app.post_json("/auth/verify", None, &json!({"token": token}))
        .await
        .expect_error(400, "invalid_token");
    assert_eq!(
        app.get("/me", Some(&ada.token)).await.expect(200)["email_verified"],
        false
    );
}

#[tokio::test]
async fn a_password_reset_never_tells_whether_an_address_is_registered_and_ends_every_session() {
    let sink = SmtpSink::start().await;
    let port = sink.port();
    // Only reset mails here.
    let app = spawn_app_with(move |s| s.smtp_url = Some(SmtpSink::url_for(port))).await;
    let ada = app.register("ada").await;
    let second = app.login("ada", PASSWORD).await.expect(200)["token"]
        .as_str()
        .expect("a token")
        .to_string();

    let unknown = app
        .post_json(
            "/auth/password-reset",
            None,
            &json!({"email": "nobody@example.com"}),
        )
        .await;
    let known = app
        .post_json(
            "/auth/password-reset",
            None,
            &json!({"email": "ADA@example.com"}),
        )
        .await;
    assert_eq!(unknown.status.as_u16(), 202);
    assert_eq!(known.status.as_u16(), 202);
    assert_eq!(unknown.text, known.text, "the same answer either way");

    let mail = nth_mail_to(&sink, 1, "ada@example.com").await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(
        sink.messages().len(),
        1,
        "nothing goes to an unknown address"
    );
    assert!(mail.text().contains("one hour"), "{}", mail.text());
    let token = link_token(&mail, "/reset-password");

    app.post_json(
        "/auth/password-reset/confirm",
        None,
        &json!({"token": token, "password": "short"}),
    )
    .await
    .expect_field_error(400, "validation_failed", "password");
    app.post_json(
        "/auth/password-reset/confirm",
        None,
        &json!({"token": token, "password": "a brand new passphrase"}),
    )
    .await
    .expect_status(204);

    // Every session and token ended; the old password is gone, the new one works.
    app.get("/me", Some(&ada.token))
        .await
        .expect_error(401, "not_signed_in");
    app.get("/me", Some(&second))
        .await
        .expect_error(401, "not_signed_in");
    app.login("ada", PASSWORD)
        .await
        .expect_error(401, "invalid_credentials");
    app.login("ada@example.com", "a brand new passphrase")
        .await
        .expect(200);
    // The link worked once.
    app.post_json(
        "/auth/password-reset/confirm",
        None,
        &json!({"token": token, "password": "yet another passphrase"}),
    )
    .await
    .expect_error(400, "invalid_token");
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_signs_out_other_devices() {
    let app = spawn_app_with(|_| {}).await;
    let ada = app.register("ada").await;
    let other = app.login("ada", PASSWORD).await.expect(200)["token"]
        .as_str()
        .expect("a token")
        .to_string();

    app.send(
        Method::PUT,
        "/api/v1/me/password",
        Some(&ada.token),
        Some(&json!({"current_password": "not my password", "new_password": "a brand new passphrase"})),
    )
    .await
    .expect_field_error(400, "validation_failed", "current_password");
    app.send(
        Method::PUT,
        "/api/v1/me/password",
        Some(&ada.token),
        Some(&json!({"current_password": PASSWORD, "new_password": "tiny"})),
    )
    .await
    .expect_field_error(400, "validation_failed", "new_password");
    app.send(
        Method::PUT,
        "/api/v1/me/password",
        Some(&ada.token),
        Some(&json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"})),
    )
    .await
    .expect_status(204);

    app.get("/me", Some(&ada.token)).await.expect(200);
    app.get("/me", Some(&other))
        .await
        .expect_error(401, "not_signed_in");
    app.login("ada", "a brand new passphrase").await.expect(200);
}

#[tokio::test]
async fn a_new_address_takes_effect_only_once_confirmed_and_the_old_one_is_told() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    let ada = app.register("ada").await;
    app.register("bob").await;

    let change = async |email: &str, password: &str| {
        app.send(
            Method::PUT,
            "/api/v1/me/email",
            Some(&ada.token),
            Some(&json!({"email": email, "password": password})),
        )
        .await
    };
    change("ada.new@example.com", "wrong password here")
        .await
        .expect_field_error(400, "validation_failed", "password");
    change("bob@example.com", PASSWORD)
        .await
        .expect_error(409, "email_taken");
    change("ada.new@example.com", PASSWORD)
        .await
        .expect_status(202);

    let mails = sink.wait_for(2).await;
    let to_new = mails
        .iter()
        .find(|m| m.recipients == vec!["ada.new@example.com".to_string()])
        .expect("a mail to the new address");
    let to_old = mails
        .iter()
        .find(|m| m.recipients == vec!["ada@example.com".to_string()])
        .expect("a notice to the old address");
    assert!(
        to_old.text().contains("forgot-password"),
        "{}",
        to_old.text()
    );
    assert_eq!(
        app.get("/me", Some(&ada.token)).await.expect(200)["email"],
        "ada@example.com",
        "not before it is confirmed"
    );

    let token = link_token(to_new, "/verify-email");
    let me = app
        .post_json("/auth/verify", None, &json!({"token": token}))
        .await
        .expect(200);
    assert_eq!(me["email"], "ada.new@example.com");
    assert_eq!(me["email_verified"], true);
    app.login("ada.new@example.com", PASSWORD).await.expect(200);
    app.login("ada@example.com", PASSWORD)
        .await
        .expect_error(401, "invalid_credentials");
}

async fn login_as(app: &TestApp, login: &str, agent: &str, forwarded: Option<&str>) -> String {
    let mut req = reqwest::Client::new()
        .post(app.api_url("/auth/login"))
        .header("User-Agent", agent)
        .json(&json!({"login": login, "password": PASSWORD}));
    if let Some(hops) = forwarded {
        req = req.header("X-Forwarded-For", hops);
    }
    let res = req.send().await.expect("signing in");
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.expect("JSON");
    body["token"].as_str().expect("a token").to_string()
}

#[tokio::test]
async fn members_see_their_sessions_and_end_them() {
    let app = spawn_app_with(|_| {}).await;
    let ada = app.register("ada").await;
    let laptop = login_as(&app, "ada", "Firefox on a laptop", None).await;
    let phone = login_as(&app, "ada", "Safari on a phone", None).await;

    let list = app.get("/me/sessions", Some(&laptop)).await.expect(200);
    let sessions = list["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 3, "{list}");
    let laptop_row = sessions
        .iter()
        .find(|s| s["user_agent"] == "Firefox on a laptop")
        .expect("the laptop");
    assert_eq!(laptop_row["current"], true);
    assert_eq!(laptop_row["kind"], "api");
    assert_eq!(laptop_row["ip_prefix"], "127.0.0.0/16");
    let phone_row = sessions
        .iter()
        .find(|s| s["user_agent"] == "Safari on a phone")
        .expect("the phone");
    assert_eq!(phone_row["current"], false);
    let raw = list.to_string();
    assert!(
        !raw.contains(&phone) && !raw.contains("token_hash"),
        "{raw}"
    );

    // Another member cannot end ada's sessions.
    let bob = app.register("bob").await;
    app.delete(
        &format!("/me/sessions/{}", phone_row["id"]),
        Some(&bob.token),
    )
    .await
    .expect_error(404, "not_found");
    app.delete(&format!("/me/sessions/{}", phone_row["id"]), Some(&laptop))
        .await
        .expect_status(204);
    app.get("/me", Some(&phone))
        .await
        .expect_error(401, "not_signed_in");
    app.delete(&format!("/me/sessions/{}", laptop_row["id"]), Some(&laptop))
        .await
        .expect_error(409, "current_session");

    app.delete("/me/sessions", Some(&laptop))
        .await
        .expect_status(204);
    app.get("/me", Some(&ada.token))
        .await
        .expect_error(401, "not_signed_in");
    app.get("/me", Some(&laptop)).await.expect(200);
    let left = app.get("/me/sessions", Some(&laptop)).await.expect(200);
    assert_eq!(left["sessions"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn behind_a_proxy_the_client_is_the_rightmost_untrusted_hop() {
    // Off: the peer, whatever the header says.
    let app = spawn_app_with(|_| {}).await;
    app.register("ada").await;
    let token = login_as(&app, "ada", "t", Some("203.0.113.9")).await;
    let list = app.get("/me/sessions", Some(&token)).await.expect(200);
    let row = |list: &Value| {
        list["sessions"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["current"] == true))
            .map(|s| s["ip_prefix"].clone())
            .expect("the current session")
    };
    assert_eq!(row(&list), "127.0.0.0/16");

    // On, no list: only the connecting proxy is trusted, so the right-most hop is the
    // client; the left-most one (written by the client) is never believed.
    let app = spawn_app_with(|s| s.trust_proxy = quorum::config::Switch::On).await;
    app.register("ada").await;
    let token = login_as(&app, "ada", "t", Some("198.51.100.7, 203.0.113.9")).await;
    let list = app.get("/me/sessions", Some(&token)).await.expect(200);
    assert_eq!(row(&list), "203.0.0.0/16");

    // On, with the proxies listed: their hops are skipped.
    let app = spawn_app_with(|s| {
        s.trust_proxy = quorum::config::Switch::On;
        s.trusted_proxies = "127.0.0.1, 10.0.0.0/8".into();
    })
    .await;
    app.register("ada").await;
    let token = login_as(&app, "ada", "t", Some("198.51.100.7, 192.0.2.33, 10.1.2.3")).await;
    let list = app.get("/me/sessions", Some(&token)).await.expect(200);
    assert_eq!(row(&list), "192.0.0.0/16");

    // A peer that is not a listed proxy is taken as the client, header or not.
    let app = spawn_app_with(|s| {
        s.trust_proxy = quorum::config::Switch::On;
        s.trusted_proxies = "10.0.0.0/8".into();
    })
    .await;
    app.register("ada").await;
    let token = login_as(&app, "ada", "t", Some("192.0.2.33")).await;
    let list = app.get("/me/sessions", Some(&token)).await.expect(200);
    assert_eq!(row(&list), "127.0.0.0/16");
}

#[tokio::test]
async fn a_member_downloads_their_data_and_leaves_while_their_posts_stay() {
    let app = spawn_app_with(|_| {}).await;
    let ada = app.register("ada").await;
    let bob = app.register("bob").await;
    let id = app
        .start_discussion(
            &ada.token,
            "people",
            "Quiet hours",
            "Mornings without meetings?",
        )
        .await;
    app.comment(&bob.token, id, "Yes please", None).await;
    app.send(
        Method::PUT,
        "/api/v1/members/bob/follow",
        Some(&ada.token),
        None,
    )
    .await
    .expect(200);

    let export = app.get("/me/export", Some(&ada.token)).await;
    assert!(
        export
            .header("content-disposition")
            .is_some_and(|v| v.contains("attachment")),
    );
    let data = export.expect(200);
    assert_eq!(data["member"]["email"], "ada@example.com");
    assert_eq!(data["discussions"][0]["title"], "Quiet hours");
    assert_eq!(data["follows"].as_array().map(Vec::len), Some(1));
    assert!(!data["sessions"].as_array().expect("sessions").is_empty());
    let raw = data.to_string();
    assert!(!raw.contains("argon2") && !raw.contains("password_hash") && !raw.contains(&ada.token));

    app.send(
        Method::DELETE,
        "/api/v1/me",
        Some(&ada.token),
        Some(&json!({"password": "not my password"})),
    )
    .await
    .expect_field_error(400, "validation_failed", "password");
    app.send(
        Method::DELETE,
        "/api/v1/me",
        Some(&ada.token),
        Some(&json!({"password": PASSWORD})),
    )
    .await
    .expect_status(204);

    app.get("/me", Some(&ada.token))
        .await
        .expect_error(401, "not_signed_in");
    app.login("ada", PASSWORD)
        .await
        .expect_error(401, "invalid_credentials");
    app.get("/members/ada", None)
        .await
        .expect_error(404, "not_found");
    let thread = app.discussion(id, None).await;
    assert_eq!(thread["discussion"]["title"], "Quiet hours");
    assert_eq!(
        thread["discussion"]["author"]["display_name"],
        "Former member"
    );
    assert!(!thread.to_string().contains("ada@example.com"));
    let followers = app
        .get("/members/bob/follow", Some(&bob.token))
        .await
        .expect(200);
    assert_eq!(followers["followers"], 0, "{followers}");

    // The address is free again.
    let again = app.register("ada2").await;
    assert_eq!(again.username, "ada2");
    let db = app.db().await;
    let gone = entity::member::Entity::find()
        .filter(entity::member::Column::DeletedAt.is_not_null())
        .one(&db)
        .await
        .expect("a query")
        .expect("the former member");
    assert_eq!(gone.email, format!("former {}@deleted.invalid", gone.id));
    assert_eq!(gone.username, format!("former~{}", gone.id));

    // A reply to a former member's discussion notifies nobody.
    app.comment(&bob.token, id, "Still a good idea", None).await;
    let notified = entity::notification::Entity::find()
        .filter(entity::notification::Column::MemberId.eq(gone.id))
        .all(&db)
        .await
        .expect("a query");
    assert!(notified.is_empty(), "{notified:?}");
    assert_eq!(gone.password_hash, "");
}

#[tokio::test]
async fn admins_change_roles_and_each_change_is_audited() {
    let app = spawn_app_with(|_| {}).await;
    let admin = app.register("root").await;
    app.set_role("root", quorum::domain::Role::Admin).await;
    let bob = app.register("bob").await;

    let set = async |token: &str, who: &str, role: &str| {
        app.send(
            Method::PUT,
            &format!("/api/v1/members/{who}/role"),
            Some(token),
            Some(&json!({"role": role})),
        )
        .await
    };
    set(&bob.token, "bob", "admin")
        .await
        .expect_error(403, "forbidden");
    set(&admin.token, "root", "member")
        .await
        .expect_error(403, "own_role");
    set(&admin.token, "bob", "chief")
        .await
        .expect_field_error(400, "validation_failed", "role");
    set(&admin.token, "nobody", "leader")
        .await
        .expect_error(404, "not_found");
    let member = set(&admin.token, "bob", "leader").await.expect(200);
    assert_eq!(member["role"], "leader");
    assert_eq!(
        app.get("/members/bob", None).await.expect(200)["role"],
        "leader"
    );

    let db = app.db().await;
    let log = quorum::services::audit::since(&db, None, 100)
        .await
        .expect("the audit log");
    let change = log
        .iter()
        .find(|e| e.action == "role_changed" && e.target.as_deref() == Some("member:bob"))
        .expect("bob's role change");
    assert_eq!(change.actor.as_deref(), Some("root"));
    assert_eq!(change.details, json!({"from": "member", "to": "leader"}));
}

#[tokio::test]
async fn the_domain_allow_list_applies_to_every_address_a_member_can_have() {
    let app = spawn_app_with(|s| s.allowed_email_domains = "example.com".into()).await;
    app.post_json(
        "/auth/register",
        None,
        &json!({"username": "eve", "email": "eve@elsewhere.test", "password": PASSWORD}),
    )
    .await
    .expect_field_error(400, "validation_failed", "email");
    let ada = app.register("ada").await;
    app.send(
        Method::PUT,
        "/api/v1/me/email",
        Some(&ada.token),
        Some(&json!({"email": "ada@elsewhere.test", "password": PASSWORD})),
    )
    .await
    .expect_field_error(400, "validation_failed", "email");
}

#[tokio::test]
async fn the_api_csrf_rule_follows_the_route_not_how_its_path_is_spelled() {
    let app = spawn_app_with(|_| {}).await;
    let browser = app.browser();
    browser.join("ada").await;
    let session = browser.cookie("quorum_session").expect("a session cookie");

    for path in [
        "/api/v1/auth/logout",
        "/%61pi/v1/auth/logout",
        "/api/v1/%61uth/logout",
    ] {
        let res = browser
            .client
            .post(browser.url(path))
            .send()
            .await
            .expect("a POST");
        let answer = crate::helpers::Answer::read(res).await;
        answer.expect_error(403, "csrf_failed");
    }
    // Still signed in.
    assert_eq!(
        browser.cookie("quorum_session").as_deref(),
        Some(session.as_str())
    );
    browser.get("/account").await.expect_html(200);

    // With the page's token it works: the token is bound to this session.
    let token = browser.csrf_token("/").await;
    let other = app.browser();
    other.join("bob").await;
    let theirs = other.csrf_token("/").await;
    assert_ne!(token, theirs);
    let res = browser
        .client
        .post(browser.url("/%61pi/v1/auth/logout"))
        .header("X-CSRF-Token", &theirs)
        .send()
        .await
        .expect("a POST");
    crate::helpers::Answer::read(res)
        .await
        .expect_error(403, "csrf_failed");
    let res = browser
        .client
        .post(browser.url("/api/v1/auth/logout"))
        .header("X-CSRF-Token", &token)
        .send()
        .await
        .expect("a POST");
    assert_eq!(res.status().as_u16(), 204);
    let signed_out = browser.get("/account").await;
    assert_eq!(signed_out.status.as_u16(), 401, "{}", signed_out.text);
}

#[tokio::test]
async fn over_https_cookies_are_host_prefixed_and_hsts_is_sent() {
    let app = spawn_app_with(|s| s.base_url = Some("https://forum.example.com".into())).await;
    let res = reqwest::Client::new()
        .get(format!("{}/signin", app.address))
        .send()
        .await
        .expect("the sign-in page");
    assert!(
        res.headers()
            .get("strict-transport-security")
            .is_some_and(|v| v.to_str().unwrap_or("").contains("max-age=")),
    );
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("__Host-quorum_csrf="))
        .expect("a __Host- CSRF cookie")
        .to_string();
    assert!(cookie.contains("Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"));
}

#[tokio::test]
async fn sign_ins_for_one_member_are_counted_before_the_check_and_slow_down_but_never_lock_out() {
    let app = spawn_app_with(|s| s.rate_limit = quorum::config::Switch::On).await;
    let ada: TestUser = app.register("ada").await;
    // Sign-ins for a member count in 15-minute windows: the whole test must fit in one.
    fresh_window(900, 40).await;
    // A parallel burst of wrong guesses, half by name and half by address: one bucket.
    let mut burst = Vec::new();
    for n in 0..8 {
        let login = if n % 2 == 0 { "ada" } else { "ADA@example.com" };
        burst.push(app.login(login, "a wrong guess here"));
    }
    for answer in futures_util::future::join_all(burst).await {
        answer.expect_error(401, "invalid_credentials");
    }
    let db = app.db().await;
    let count = |db: sea_orm::DatabaseConnection| async move {
        use sea_orm::{ConnectionTrait, Statement};
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT count FROM rate_limits WHERE \"key\" LIKE 'signin-member:member:%'",
            ))
            .await
            .expect("a query");
        row.map(|r| r.try_get::<i32>("", "count").expect("a count"))
    };
    assert_eq!(
        count(db.clone()).await,
        Some(8),
        "every attempt counted once"
    );

    // The owner still gets in (after a short wait), and that clears the count.
    let started = std::time::Instant::now();
    app.login("ada", PASSWORD).await.expect(200);
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "the ninth try waits before its check"
    );
    assert_eq!(count(db).await, None);
    app.get("/me", Some(&ada.token)).await.expect(200);
}

/// The peak resident memory of a process, from /proc (Linux), in bytes.
fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[tokio::test]
async fn a_burst_of_sign_ins_does_not_grow_the_servers_memory_without_bound() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("skipped: no /proc to read memory from");
        return;
    }
    // The member lives in the test app's database; a real `quorum serve` process (its own
    // data dir, the same database) takes the burst, so its memory is its own.
    let app = spawn_app_with(|_| {}).await;
    app.register("ada").await;
    let data_dir = tempfile::tempdir().expect("a data dir");
    let port = SmtpSink::free_port();
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_quorum"))
        .arg("serve")
        .env("QUORUM_BIND", format!("127.0.0.1:{port}"))
        .env("QUORUM_DATA_DIR", data_dir.path())
        .env("DATABASE_URL", app.settings.database_url())
        .env("QUORUM_RATE_LIMIT", "off")
        .env_remove("MEILI_URL")
        .env_remove("SMTP_URL")
        .kill_on_drop(true)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("starting quorum serve");
    let pid = server.id().expect("a running server");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..120 {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(up, "quorum serve did not come up");
    let before = peak_rss(pid).expect("the server's memory");

    // 256 sign-ins with wrong passwords from 64 clients at once.
    let url = format!("{base}/api/v1/auth/login");
    let mut clients = Vec::new();
    for _ in 0..64 {
        let client = client.clone();
        let url = url.clone();
        clients.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            for _ in 0..4 {
                let res = client
                    .post(&url)
                    .json(&json!({"login": "ada", "password": "a wrong password"}))
                    .send()
                    .await
                    .expect("a sign-in");
                if res.status().as_u16() == 503 {
                    assert!(res.headers().get("retry-after").is_some());
                }
                seen.push(res.status().as_u16());
            }
            seen
        }));
    }
    let mut statuses = Vec::new();
    for c in clients {
        statuses.extend(c.await.expect("a client"));
    }
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let shed = statuses.iter().filter(|s| **s == 503).count();
    assert_eq!(checked + shed, 256, "only 401 and 503: {statuses:?}");
    assert!(checked >= 16, "the pool did check passwords: {checked}");
    let peak = peak_rss(pid).expect("the server's memory");
    let _ = server.kill().await;
    assert!(
        peak < 150 * 1024 * 1024,
        "peak resident memory {} MB (before the burst {} MB)",
        peak / (1024 * 1024),
        before / (1024 * 1024)
    );
}

/// An app with confirmation on and the default mailer (`.eml` files in the data dir).
async fn app_confirming() -> TestApp {
    spawn_app_with(|s| s.email_verification = quorum::config::Switch::On).await
}

#[tokio::test]
async fn pages_confirm_an_address_from_the_mailed_link() {
    let app = app_confirming().await;
    let browser = app.browser();
    browser
        .submit(
            "/join",
            "/join",
            &[
                ("username", "ada"),
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("display_name", ""),
            ],
        )
        .await
        .expect_see_other();
    let home = browser.get("/").await;
    assert!(
        home.expect_html(200)
            .contains("Confirm your e-mail address")
    );
    // Posting from a page is refused with a page that says what to do.
    let refused = browser
        .submit(
            "/zones/people/new",
            "/zones/people/discussions",
            &[("title", "Standing desks"), ("body", "For everyone?")],
        )
        .await;
    assert!(
        refused
            .expect_html(403)
            .contains("Confirm your e-mail address")
    );

    let link = app.mailed_link("ada@example.com", "/verify-email").await;
    // Opening the link shows a button; it does not confirm by itself.
    let page = browser.get(&link).await;
    assert!(page.expect_html(200).contains("Confirm my address"));
    let token = link.split("token=").nth(1).expect("a token").to_string();
    let done = browser
        .submit(&link, "/verify-email", &[("token", &token)])
        .await;
    assert!(
        done.expect_html(200)
            .contains("ada@example.com is confirmed")
    );
    let home = browser.get("/").await;
    assert!(!home.expect_html(200).contains("notice unverified"));
}

#[tokio::test]
async fn pages_reset_a_forgotten_password() {
    let app = spawn_app_with(|_| {}).await;
    app.register("ada").await;
    let browser = app.browser();
    let asked = browser
        .submit(
            "/forgot-password",
            "/forgot-password",
            &[("email", "ada@example.com")],
        )
        .await;
    assert!(
        asked
            .expect_html(200)
            .contains("If that address belongs to a member")
    );
    let link = app.mailed_link("ada@example.com", "/reset-password").await;
    let token = link.split("token=").nth(1).expect("a token").to_string();
    let form = browser.get(&link).await;
    assert!(form.expect_html(200).contains("Choose a new password"));
    let short = browser
        .submit(
            &link,
            "/reset-password",
            &[("token", &token), ("password", "short")],
        )
        .await;
    assert!(short.expect_html(400).contains("at least 10"));
    let done = browser
        .submit(
            &link,
            "/reset-password",
            &[("token", &token), ("password", "a brand new passphrase")],
        )
        .await;
    assert!(done.expect_html(200).contains("Your new password is set"));
    browser
        .sign_in("ada", "a brand new passphrase")
        .await
        .expect_see_other();
}

#[tokio::test]
async fn the_account_page_lists_sessions_ends_the_others_and_lets_a_member_leave() {
    let app = spawn_app_with(|_| {}).await;
    let here = app.browser();
    here.join("ada").await;
    let there = app.browser();
    there.sign_in("ada", PASSWORD).await.expect_see_other();

    let page = here.get("/account").await;
    let html = page.expect_html(200);
    assert!(html.contains("(this one)"), "{html}");
    assert!(html.contains("127.0.0.0"), "{html}");
    assert_eq!(
        html.matches("/revoke\"").count(),
        2,
        "one button per other session plus sign out everywhere else"
    );

    here.submit("/account", "/account/sessions/revoke", &[])
        .await
        .expect_see_other();
    let gone = there.get("/account").await;
    assert_eq!(gone.status.as_u16(), 401, "{}", gone.text);
    here.get("/account").await.expect_html(200);

    // Leaving: the password is asked for, then the member is signed out and gone.
    let wrong = here
        .submit(
            "/account",
            "/account/delete",
            &[("password", "not my password")],
        )
        .await;
    assert!(
        wrong
            .expect_html(400)
            .contains("is not your current password")
    );
    here.submit("/account", "/account/delete", &[("password", PASSWORD)])
        .await
        .expect_see_other();
    assert_eq!(here.get("/account").await.status.as_u16(), 401);
    app.get("/members/ada", None)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn an_admin_changes_a_role_from_the_member_page() {
    let app = spawn_app_with(|_| {}).await;
    let admin = app.browser();
    admin.join("root").await;
    app.set_role("root", quorum::domain::Role::Admin).await;
    app.register("bob").await;

    let profile = admin.get("/members/bob").await;
    assert!(profile.expect_html(200).contains("Change role"));
    admin
        .submit(
            "/members/bob",
            "/members/bob/role",
            &[("role", "moderator")],
        )
        .await
        .expect_see_other();
    assert_eq!(
        app.get("/members/bob", None).await.expect(200)["role"],
        "moderator"
    );
    // Nobody else sees the form or may post it.
    let member = app.browser();
    member.join("carol").await;
    assert!(
        !member
            .get("/members/bob")
            .await
            .expect_html(200)
            .contains("Change role")
    );
    let refused = member
        .submit("/members/bob", "/members/bob/role", &[("role", "member")])
        .await;
    assert_eq!(refused.status.as_u16(), 403);
}

#[tokio::test]
async fn a_member_changes_their_username() {
    let app = spawn_app_with(|_| {}).await;
    let ada = app.register("ada").await;
    app.register("bob").await;
    let rename = async |name: &str| {
        app.send(
            Method::PUT,
            "/api/v1/me/username",
            Some(&ada.token),
            Some(&json!({"username": name})),
        )
        .await
    };
    rename("BOB").await.expect_error(409, "username_taken");
    rename("a")
        .await
        .expect_field_error(400, "validation_failed", "username");
    let me = rename("Ada_Lovelace").await.expect(200);
    assert_eq!(me["username"], "ada_lovelace");
    app.get("/members/ada", None)
        .await
        .expect_error(404, "not_found");
    app.get("/members/ada_lovelace", None).await.expect(200);
    app.login("ada_lovelace", PASSWORD).await.expect(200);
}

#[tokio::test]
async fn a_password_reset_voids_a_pending_address_change() {
    let sink = SmtpSink::start().await;
    let port = sink.port();
    let app = spawn_app_with(move |s| s.smtp_url = Some(SmtpSink::url_for(port))).await;
    let ada = app.register("ada").await;
    // Someone with ada's session asks to move the account to their own address...
    app.send(
        Method::PUT,
        "/api/v1/me/email",
        Some(&ada.token),
        Some(&json!({"email": "thief@example.com", "password": PASSWORD})),
    )
    .await
    .expect_status(202);
    let mails = sink.wait_for(2).await;
    let to_thief = mails
        .iter()
        .find(|m| m.recipients == vec!["thief@example.com".to_string()])
        .expect("the link to the new address");
    let stolen = link_token(to_thief, "/verify-email");

    // ...ada, told by the notice, resets her password: the pending change dies with it.
    app.post_json(
        "/auth/password-reset",
        None,
        &json!({"email": "ada@example.com"}),
    )
    .await
    .expect_status(202);
    let reset = nth_mail_to(&sink, 3, "ada@example.com").await;
    let token = link_token(&reset, "/reset-password");
    app.post_json(
        "/auth/password-reset/confirm",
        None,
        &json!({"token": token, "password": "a brand new passphrase"}),
    )
    .await
    .expect_status(204);
    app.post_json("/auth/verify", None, &json!({"token": stolen}))
        .await
        .expect_error(400, "invalid_token");
    let me = app
        .login("ada@example.com", "a brand new passphrase")
        .await
        .expect(200);
    assert_eq!(me["member"]["email"], "ada@example.com");
}
