//! The HTML site, driven like a browser: cookies, forms with their CSRF token, redirects.

use serde_json::json;

use crate::helpers::{Answer, Browser, PASSWORD, TestApp, spawn_app};

/// The header of a page for a signed-in member: their name and a sign-out form.
#[track_caller]
fn assert_signed_in_as(page: &str, username: &str) {
    assert!(
        page.contains("action=\"/signout\""),
        "no sign-out form; not signed in?\n{page}"
    );
    assert!(
        page.contains(&format!("/members/{username}")),
        "the header does not show {username}:\n{page}"
    );
}

#[track_caller]
fn assert_visitor(page: &str) {
    assert!(
        !page.contains("action=\"/signout\""),
        "a visitor has no sign-out form:\n{page}"
    );
}

/// The discussion id in a `/discussions/{id}[/{slug}]` address.
#[track_caller]
fn discussion_id(location: &str) -> i64 {
    let rest = location
        .split("/discussions/")
        .nth(1)
        .unwrap_or_else(|| panic!("not a discussion address: {location}"));
    let id = rest.split(['/', '#', '?']).next().unwrap_or_default();
    id.parse().unwrap_or_else(|_| panic!("no id in {location}"))
}

/// Keeps only the path of a Location (it may be absolute).
fn path_of(location: &str) -> String {
    match location.find("://") {
        Some(at) => {
            let after = &location[at + 3..];
            after
                .find('/')
                .map(|i| after[i..].to_string())
                .unwrap_or_else(|| "/".into())
        }
        None => location.to_string(),
    }
}

async fn joined(app: &TestApp, username: &str) -> Browser {
    let browser = app.browser();
    browser.join(username).await;
    browser
}

#[tokio::test]
async fn home_shows_the_three_zones() {
    let app = spawn_app().await;

    let answer = app.browser().get("/").await;

    let page = answer.expect_html(200);
    for name in [
        "Best for Customers",
        "Best for People",
        "Best for Stakeholders",
    ] {
        assert!(page.contains(name), "{name:?} missing from the home page");
    }
    assert_visitor(page);
}

#[tokio::test]
async fn a_zone_page_lists_its_discussions() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    app.start_discussion(&alice.token, "people", "Mentoring new hires", "Body")
        .await;
    app.start_discussion(&alice.token, "customers", "Support rotations", "Body")
        .await;

    let answer = app.browser().get("/zones/people").await;

    let page = answer.expect_html(200);
    assert!(page.contains("Best for People"));
    assert!(page.contains("Mentoring new hires"));
    assert!(
        !page.contains("Support rotations"),
        "another zone's discussion is listed"
    );
}

#[tokio::test]
async fn a_deleted_discussion_leaves_the_site() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let id = app
        .start_discussion(&alice.token, "people", "Regrettable post", "Body")
        .await;
    app.delete(&format!("/discussions/{id}"), alice.auth())
        .await
        .expect_status(204);
    let browser = app.browser();

    for path in ["/", "/zones/people", "/members/alice"] {
        let answer = browser.get(path).await;
        assert!(
            !answer.expect_html(200).contains("Regrettable post"),
            "{path} still lists it"
        );
    }
    browser
        .get(&format!("/discussions/{id}"))
        .await
        .expect_html(404);
}

#[tokio::test]
async fn a_discussion_page_may_carry_a_slug() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let id = app
        .start_discussion(&alice.token, "people", "Slugs are decoration", "Body")
        .await;
    let browser = app.browser();

    for path in [
        format!("/discussions/{id}"),
        format!("/discussions/{id}/slugs-are-decoration"),
        format!("/discussions/{id}/some-old-title"),
    ] {
        let answer = browser.get(&path).await;
        assert!(
            answer.expect_html(200).contains("Slugs are decoration"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn unknown_pages_are_404_pages() {
    let app = spawn_app().await;
    let browser = app.browser();

    for path in [
        "/no/such/page",
        "/discussions/4242",
        "/discussions/abc",
        "/zones/nowhere",
        "/members/nobody",
    ] {
        let answer = browser.get(path).await;
        assert_eq!(answer.status.as_u16(), 404, "{path}: {}", answer.text);
        answer.expect_html(404);
    }
}

#[tokio::test]
async fn a_visitor_is_asked_to_join_instead_of_replying() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let id = app
        .start_discussion(
            &alice.token,
            "people",
            "Open question",
            "What do you think?",
        )
        .await;
    let reply_form = format!("action=\"/discussions/{id}/comments\"");

    let visitor_page = app.browser().get(&format!("/discussions/{id}")).await;
    let member = joined(&app, "bob").await;
    let member_page = member.get(&format!("/discussions/{id}")).await;

    let page = visitor_page.expect_html(200);
    assert!(page.contains("Open question"));
    assert!(page.contains("Join the community"), "{page}");
    assert!(
        !page.contains(&reply_form),
        "a visitor sees a reply form:\n{page}"
    );
    let page = member_page.expect_html(200);
    assert!(
        page.contains(&reply_form),
        "a member sees no reply form:\n{page}"
    );
}

#[tokio::test]
async fn joining_signs_the_new_member_in() {
    let app = spawn_app().await;
    let browser = app.browser();

    let answer = browser.join("carol").await;

    assert_eq!(answer.status.as_u16(), 303);
    assert!(
        browser.cookie("quorum_session").is_some(),
        "no session cookie after joining"
    );
    let session_cookie = answer
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("quorum_session="))
        .expect("a Set-Cookie for quorum_session")
        .to_lowercase();
    assert!(
        session_cookie.contains("httponly"),
        "scripts must not read the session: {session_cookie}"
    );
    assert!(
        session_cookie.contains("samesite=lax") || session_cookie.contains("samesite=strict"),
        "{session_cookie}"
    );
    let page = browser.get("/").await;
    assert_signed_in_as(page.expect_html(200), "carol");
    // The member exists for the API too.
    let member = app.get("/members/carol", None).await.expect(200);
    assert_eq!(member["username"], "carol");
}

#[tokio::test]
async fn join_shows_problems_on_the_form() {
    let app = spawn_app().await;
    let browser = app.browser();

    let answer = browser
        .submit(
            "/join",
            "/join",
            &[
                ("username", "x"),
                ("email", "nope"),
                ("password", "short"),
                ("display_name", ""),
            ],
        )
        .await;

    // The form comes back with its problems, not a redirect.
    assert_ne!(answer.status.as_u16(), 303, "{}", answer.text);
    assert!(
        answer.content_type().starts_with("text/html"),
        "{}",
        answer.content_type()
    );
    assert!(browser.cookie("quorum_session").is_none());
    app.get("/members/x", None)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn forms_without_the_right_csrf_token_are_refused() {
    let app = spawn_app().await;
    let browser = app.browser();
    // The browser has its CSRF cookie from this page.
    browser.get("/join").await.expect_html(200);
    let fields = [
        ("username", "dave"),
        ("email", "dave@example.com"),
        ("password", PASSWORD),
    ];

    let missing = browser.post_form("/join", &fields).await;
    let mut wrong_fields = vec![("csrf_token", "forged-token")];
    wrong_fields.extend_from_slice(&fields);
    let wrong = browser.post_form("/join", &wrong_fields).await;
    let fresh = app.browser();
    let no_cookie = fresh.post_form("/join", &wrong_fields).await;

    let refused: Vec<String> = [
        ("missing", &missing),
        ("wrong", &wrong),
        ("no cookie", &no_cookie),
    ]
    .iter()
    .map(|(what, answer)| format!("{what}: {}", answer.status.as_u16()))
    .collect();
    assert_eq!(
        refused,
        ["missing: 403", "wrong: 403", "no cookie: 403"],
        "each must be 403 Forbidden"
    );
    app.get("/members/dave", None)
        .await
        .expect_error(404, "not_found");
    assert!(browser.cookie("quorum_session").is_none());
}

#[tokio::test]
async fn signing_out_needs_the_csrf_token_too() {
    let app = spawn_app().await;
    let browser = joined(&app, "ivan").await;

    let answer = browser
        .post_form("/signout", &[("csrf_token", "forged")])
        .await;

    assert_eq!(answer.status.as_u16(), 403, "{}", answer.text);
    assert_signed_in_as(browser.get("/").await.expect_html(200), "ivan");
}

#[tokio::test]
async fn sign_out_and_sign_in_again() {
    let app = spawn_app().await;
    let browser = joined(&app, "erin").await;
    let old_session = browser.cookie("quorum_session").expect("a session cookie");

    let token = browser.csrf_token("/").await;
    let answer = browser
        .post_form("/signout", &[("csrf_token", &token)])
        .await;

    answer.expect_see_other();
    assert_visitor(browser.get("/").await.expect_html(200));
    // The old session is over, even for someone who kept the cookie.
    let replay = app
        .api
        .get(app.url("/"))
        .header("Cookie", format!("quorum_session={old_session}"))
        .send()
        .await
        .expect("replaying the old cookie");
    let replay = Answer::read(replay).await;
    assert_visitor(replay.expect_html(200));

    let wrong = browser.sign_in("erin", "not my password").await;
    assert!(wrong.status.is_client_error(), "{}", wrong.text);
    assert_visitor(browser.get("/").await.expect_html(200));

    let answer = browser.sign_in("erin", PASSWORD).await;
    answer.expect_see_other();
    assert_signed_in_as(browser.get("/").await.expect_html(200), "erin");
    // By e-mail too, in a second browser.
    let other = app.browser();
    other
        .sign_in("erin@example.com", PASSWORD)
        .await
        .expect_see_other();
    assert_signed_in_as(other.get("/").await.expect_html(200), "erin");
}

#[tokio::test]
async fn start_a_discussion_reply_and_delete_the_reply() {
    let app = spawn_app().await;
    let browser = joined(&app, "frank").await;

    let answer = browser
        .submit(
            "/zones/people/new",
            "/zones/people/discussions",
            &[
                ("title", "Lunch and learn"),
                ("body", "Who wants to **present**?"),
            ],
        )
        .await;
    let location = path_of(&answer.expect_see_other());
    let id = discussion_id(&location);
    let page = browser.get(&location).await;
    let page = page.expect_html(200);
    assert!(page.contains("Lunch and learn"));
    assert!(page.contains("<strong>present</strong>"));

    let reply = browser
        .submit(
            &location,
            &format!("/discussions/{id}/comments"),
            &[("body", "I will, on Rust testing")],
        )
        .await;
    reply.expect_see_other();
    let page = browser.get(&location).await;
    assert!(page.expect_html(200).contains("I will, on Rust testing"));

    let thread = app.discussion(id, None).await;
    let comment_id = thread["comments"][0]["id"]
        .as_i64()
        .expect("the reply's id");
    let nested = browser
        .submit(
            &location,
            &format!("/discussions/{id}/comments"),
            &[
                ("body", "Count me in"),
                ("parent_id", &comment_id.to_string()),
            ],
        )
        .await;
    nested.expect_see_other();
    let thread = app.discussion(id, None).await;
    assert_eq!(thread["comments"][1]["parent_id"], comment_id, "{thread}");
    assert_eq!(thread["comments"][1]["body"], "Count me in");

    let token = browser.csrf_token(&location).await;
    let deleted = browser
        .post_form(
            &format!("/comments/{comment_id}/delete"),
            &[("csrf_token", &token)],
        )
        .await;
    deleted.expect_see_other();
    let page = browser.get(&location).await;
    let page = page.expect_html(200);
    assert!(page.contains("This reply was deleted."), "{page}");
    assert!(!page.contains("I will, on Rust testing"));
    assert!(
        page.contains("Count me in"),
        "the reply to the deleted reply stays"
    );
}

#[tokio::test]
async fn a_form_from_another_member_cannot_delete_a_reply() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let id = app
        .start_discussion(&alice.token, "people", "Mine", "Body")
        .await;
    let comment = app.comment(&alice.token, id, "My reply", None).await;
    let mallory = joined(&app, "mallory").await;

    let token = mallory.csrf_token("/").await;
    let answer = mallory
        .post_form(
            &format!("/comments/{comment}/delete"),
            &[("csrf_token", &token)],
        )
        .await;

    assert_eq!(answer.status.as_u16(), 403, "{}", answer.text);
    assert_eq!(
        app.discussion(id, None).await["comments"][0]["deleted"],
        false
    );
}

#[tokio::test]
async fn cookie_api_calls_need_the_csrf_header() {
    let app = spawn_app().await;
    let browser = joined(&app, "grace").await;
    let body = json!({"title": "From the browser", "body": "Via fetch()"});

    let without = browser
        .api_post("/zones/people/discussions", &body, None)
        .await;
    let wrong = browser
        .api_post("/zones/people/discussions", &body, Some("guess"))
        .await;

    without.expect_error(403, "csrf_failed");
    wrong.expect_error(403, "csrf_failed");
    assert_eq!(
        app.get("/zones/people/discussions", None).await.expect(200)["total"],
        0
    );

    let csrf = browser.csrf_token("/").await;
    let with = browser
        .api_post("/zones/people/discussions", &body, Some(&csrf))
        .await;
    let d = with.expect(201);
    assert_eq!(d["author"]["username"], "grace");

    // Deleting is changing state too.
    let path = browser.url(&format!("/api/v1/discussions/{}", d["id"]));
    let without = browser.client.delete(&path).send().await.expect("a DELETE");
    Answer::read(without).await.expect_error(403, "csrf_failed");
    let with = browser
        .client
        .delete(&path)
        .header("X-CSRF-Token", &csrf)
        .send()
        .await
        .expect("a DELETE");
    Answer::read(with).await.expect_status(204);
}

#[tokio::test]
async fn reading_needs_no_csrf_header() {
    let app = spawn_app().await;
    let browser = joined(&app, "heidi").await;

    let answer = browser.get("/api/v1/me").await;

    assert_eq!(answer.expect(200)["username"], "heidi");
}
