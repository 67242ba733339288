//! Single sign-on with OpenID Connect, against a real provider (npm's `oidc-provider`,
//! started per test by `tests/oidc/provider.mjs`): the sign-in is driven as a browser
//! would, cookie jar and redirects by hand, and each test checks what the person sees
//! and whether a session exists afterwards.

use std::sync::Arc;

use entity::member;
use quorum::config::{Settings, Switch};
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::HeaderMap;
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode, Url};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{Answer, PASSWORD, TestApp, spawn_app_with};

#[path = "../oidc/harness.rs"]
#[allow(dead_code)]
mod oidc_harness;

use oidc_harness::{OidcProvider, PROVIDER_NAME, ProviderOptions};

/// Where every sign-in asks to go afterwards.
const NEXT: &str = "/zones/people";

/// An app wired to its own provider.
struct Sso {
    app: TestApp,
    provider: OidcProvider,
}

/// Starts a provider (with `options`) and an app that signs in through it, with the
/// app's settings then changed by `configure`. `None`: the test is skipped (no provider
/// installed, outside CI).
async fn sso_app(
    test: &str,
    options: ProviderOptions,
    configure: impl FnOnce(&mut Settings),
) -> Option<Sso> {
    let modules = oidc_harness::node_modules(test)?;
    let port = oidc_harness::free_port();
    let base = oidc_harness::base_url(port);
    let provider =
        OidcProvider::start_with(&modules, &oidc_harness::redirect_uri(&base), options).await;
    let app = spawn_app_with(|settings| {
        oidc_harness::configure(settings, port, &provider);
        configure(settings);
    })
    .await;
    assert_eq!(app.address, base, "the app did not bind the chosen port");
    Some(Sso { app, provider })
}

/// How the sign-in at the provider goes.
#[derive(Clone, Copy)]
enum AtProvider<'a> {
    /// Log in as this account (any password).
    Login(&'a str),
    /// Press Cancel.
    Abort,
}

/// A browser: one cookie jar (for Quorum and the provider alike, as cookies do not care
/// about ports), redirects followed by hand.
struct Visitor {
    client: Client,
    jar: Arc<Jar>,
}

/// A raw answer from the provider (its pages are not Quorum's, so no leak checks).
struct Raw {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Raw {
    fn location(&self, base: &Url) -> Url {
        let location = self
            .headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("a {} without Location:\n{}", self.status, self.body));
        base.join(location)
            .unwrap_or_else(|e| panic!("Location {location:?} does not resolve: {e}"))
    }

    fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect()
    }
}

impl Visitor {
    fn new() -> Self {
        let jar = Arc::new(Jar::default());
        let client = Client::builder()
            .redirect(Policy::none())
            .cookie_provider(jar.clone())
            .build()
            .expect("building an HTTP client");
        Self { client, jar }
    }

    async fn raw(&self, request: reqwest::RequestBuilder) -> Raw {
        let res = request.send().await.expect("sending a request");
        Raw {
            status: res.status(),
            headers: res.headers().clone(),
            body: res.text().await.expect("reading a response"),
        }
    }

    /// From "Sign in with …" to the provider's redirect back to Quorum, which is not
    /// followed: returns the callback URL (`code`, `state`, `iss`) so a test may tamper
    /// with it, or hand it to `callback`.
    async fn to_callback(&self, sso: &Sso, at_provider: AtProvider<'_>) -> Url {
        let start =
            Url::parse(&sso.app.url(&format!("/auth/sso?next={NEXT}"))).expect("a start URL");
        let answer = self.raw(self.client.get(start.clone())).await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "GET /auth/sso did not send the browser to the provider:\n{}",
            answer.body
        );
        let flow_cookie = answer
            .set_cookies()
            .into_iter()
            .find(|c| c.starts_with("quorum_sso="))
            .expect("GET /auth/sso sets the quorum_sso cookie");
        for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(
                flow_cookie.split(';').any(|a| a.trim() == attribute),
                "the quorum_sso cookie lacks {attribute}: {flow_cookie}"
            );
        }
        let mut url = answer.location(&start);
        // The authorization request: code flow with PKCE S256, a state and a nonce.
        assert!(
            url.as_str()
                .starts_with(&format!("{}/auth?", sso.provider.issuer)),
            "not the provider's authorization endpoint: {url}"
        );
        let query: std::collections::HashMap<String, String> =
            url.query_pairs().into_owned().collect();
        assert_eq!(query.get("response_type").map(String::as_str), Some("code"));
        assert_eq!(
            query.get("client_id").map(String::as_str),
            Some(oidc_harness::CLIENT_ID)
        );
        assert_eq!(
            query.get("redirect_uri"),
            Some(&oidc_harness::redirect_uri(&sso.app.address))
        );
        assert_eq!(
            query.get("code_challenge_method").map(String::as_str),
            Some("S256")
        );
        for param in ["code_challenge", "state", "nonce"] {
            assert!(
                query.get(param).is_some_and(|v| v.len() >= 16),
                "the authorization request has no good {param}: {url}"
            );
        }
        let scopes: Vec<&str> = query["scope"].split(' ').collect();
        for scope in ["openid", "email", "profile"] {
            assert!(
                scopes.contains(&scope),
                "scope {scope} not asked for: {url}"
            );
        }

        let callback = sso.app.url("/auth/sso/callback");
        for _ in 0..12 {
            if url.as_str().starts_with(&callback) {
                return url;
            }
            let page = self.raw(self.client.get(url.clone())).await;
            match page.status {
                StatusCode::SEE_OTHER | StatusCode::FOUND => url = page.location(&url),
                StatusCode::OK if page.body.contains("id=\"login-form\"") => {
                    let (form, fields): (&str, Vec<(&str, &str)>) = match at_provider {
                        AtProvider::Login(login) => {
                            ("login-form", vec![("login", login), ("password", "any")])
                        }
                        AtProvider::Abort => ("abort-form", vec![]),
                    };
                    let action = form_action(&page.body, form)
                        .unwrap_or_else(|| panic!("no form#{form} on {url}:\n{}", page.body));
                    let target = url.join(&action).expect("a form action");
                    let posted = self.raw(self.client.post(target).form(&fields)).await;
                    assert_eq!(
                        posted.status,
                        StatusCode::SEE_OTHER,
                        "the provider did not accept form#{form}:\n{}",
                        posted.body
                    );
                    url = posted.location(&url);
                }
                status => panic!(
                    "unexpected {status} from {url} on the way back to Quorum:\n{}\nprovider log:\n{}",
                    page.body,
                    sso.provider.log()
                ),
            }
        }
        panic!("too many redirects before reaching {callback} (last: {url})");
    }

    /// GETs the callback URL with this browser's cookies.
    async fn callback(&self, url: &Url) -> Answer {
        Answer::read(
            self.client
                .get(url.clone())
                .send()
                .await
                .expect("calling the callback"),
        )
        .await
    }

    /// A whole sign-in; the callback's answer.
    async fn sign_in(&self, sso: &Sso, login: &str) -> Answer {
        let url = self.to_callback(sso, AtProvider::Login(login)).await;
        self.callback(&url).await
    }

    /// GET a path on the app with this browser's cookies.
    async fn get(&self, app: &TestApp, path: &str) -> Answer {
        Answer::read(
            self.client
                .get(app.url(path))
                .send()
                .await
                .expect("loading a page"),
        )
        .await
    }

    /// GET /api/v1/me as this browser (its session cookie, no token).
    async fn me(&self, app: &TestApp) -> Answer {
        self.get(app, "/api/v1/me").await
    }

    /// Asserts that this browser is signed in to nobody.
    async fn assert_signed_out(&self, app: &TestApp) {
        assert_eq!(
            self.cookie(app, "quorum_session"),
            None,
            "a session cookie was handed out"
        );
        self.me(app).await.expect_error(401, "not_signed_in");
    }

    /// The value of one of this browser's cookies for the app.
    fn cookie(&self, app: &TestApp, name: &str) -> Option<String> {
        let url = Url::parse(&app.address).expect("the app's address");
        let header = self.jar.cookies(&url)?;
        header.to_str().ok()?.split(';').find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then(|| value.to_string())
        })
    }

    /// Gives this browser a cookie for the app.
    fn set_cookie(&self, app: &TestApp, name: &str, value: &str) {
        let url = Url::parse(&app.address).expect("the app's address");
        self.jar
            .add_cookie_str(&format!("{name}={value}; Path=/"), &url);
    }
}

/// The `action` of `<form id="{id}" …>` in a page.
fn form_action(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let start = html[..at].rfind("<form")?;
    let tag = &html[start..start + html[start..].find('>')?];
    let rest = &tag[tag.find("action=\"")? + "action=\"".len()..];
    Some(rest[..rest.find('"')?].to_string())
}

/// Every member (deleted ones too), as the database has them.
async fn members(app: &TestApp) -> Vec<member::Model> {
    let db = app.db().await;
    let all = member::Entity::find()
        .all(&db)
        .await
        .expect("reading the members");
    db.close().await.expect("closing a connection");
    all
}

async fn member_with_email(app: &TestApp, email: &str) -> Option<member::Model> {
    let db = app.db().await;
    let found = member::Entity::find()
        .filter(member::Column::Email.eq(email))
        .one(&db)
        .await
        .expect("reading a member");
    db.close().await.expect("closing a connection");
    found
}

/// Asserts a 303 to `NEXT` that hands out a session cookie.
#[track_caller]
fn assert_signed_in_redirect(answer: &Answer) {
    assert_eq!(
        answer.expect_see_other(),
        NEXT,
        "the sign-in lands on `next`"
    );
    let cookies: Vec<&str> = answer
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("quorum_session="))
        .unwrap_or_else(|| panic!("no session cookie in {cookies:?}"));
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            session.split(';').any(|a| a.trim() == attribute),
            "the session cookie lacks {attribute}: {session}"
        );
    }
    assert!(
        cookies.iter().any(|c| c.starts_with("quorum_csrf=")),
        "no fresh CSRF cookie in {cookies:?}"
    );
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("quorum_sso=") && c.contains("Max-Age=0")),
        "the flow cookie is not removed: {cookies:?}"
    );
}

/// The error page's text for a failed sign-in, with its status.
#[track_caller]
fn failure_page(answer: &Answer, status: u16) -> String {
    let page = answer.expect_html(status).to_string();
    assert!(
        !answer
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|c| c.starts_with("quorum_session=")),
        "a failed sign-in handed out a session cookie"
    );
    page
}

#[tokio::test]
async fn sso_signs_alice_in_and_makes_her_member_once() {
    let Some(sso) = sso_app(
        "sso_signs_alice_in_and_makes_her_member_once",
        ProviderOptions::default(),
        |_| {},
    )
    .await
    else {
        return;
    };
    let app = &sso.app;
    let browser = Visitor::new();

    let answer = browser.sign_in(&sso, "alice").await;
    assert_signed_in_redirect(&answer);
    let me = browser.me(app).await.expect(200);
    assert_eq!(me["username"], "alice", "{me}");
    assert_eq!(me["display_name"], "Alice Example", "{me}");
    assert_eq!(me["email"], "alice@example.com", "{me}");
    assert_eq!(me["email_verified"], true, "{me}");
    assert_eq!(
        me["sign_in_with"],
        json!(["sso"]),
        "no password, linked: {me}"
    );
    // The page she lands on greets her by name, and her account page shows her address.
    let landing = browser.get(app, NEXT).await;
    assert!(
        landing.expect_html(200).contains("me-name\">alice<"),
        "the header does not show alice:\n{}",
        landing.text
    );
    let account = browser.get(app, "/account").await;
    assert!(account.expect_html(200).contains("alice@example.com"));

    let alices: Vec<_> = members(app).await;
    assert_eq!(alices.len(), 1, "one member: {alices:?}");
    assert_eq!(alices[0].username, "alice");
    assert_eq!(alices[0].oidc_subject.as_deref(), Some("sub-alice"));

    // Another browser, another sign-in: the same member, no `alice1`.
    let laptop = Visitor::new();
    assert_signed_in_redirect(&laptop.sign_in(&sso, "alice").await);
    let again = laptop.me(app).await.expect(200);
    assert_eq!(again["username"], "alice", "{again}");
    assert!(me["joined_at"].is_string(), "{me}");
    assert_eq!(
        again["joined_at"], me["joined_at"],
        "the same member: {again}"
    );
    let after: Vec<String> = members(app).await.into_iter().map(|m| m.username).collect();
    assert_eq!(after, vec!["alice".to_string()], "a second member was made");
    // Both browsers stay signed in.
    browser.me(app).await.expect(200);
}

#[tokio::test]
async fn sso_links_a_password_member_with_the_same_address() {
    let Some(sso) = sso_app(
        "sso_links_a_password_member_with_the_same_address",
        ProviderOptions::default(),
        |settings| settings.email_verification = Switch::On,
    )
    .await
    else {
        return;
    };
    let app = &sso.app;
    // Bob joined with a password under another username and confirmed his address.
    let joined = app
        .post_json(
            "/auth/register",
            None,
            &json!({"username": "bobby", "email": "bob@example.com", "password": PASSWORD}),
        )
        .await
        .expect(201);
    assert_eq!(joined["member"]["email_verified"], false, "{joined}");
    app.mark_verified("bobby").await;

    let browser = Visitor::new();
    assert_signed_in_redirect(&browser.sign_in(&sso, "bob").await);
    let me = browser.me(app).await.expect(200);
    assert_eq!(me["username"], "bobby", "the username stays his: {me}");
    assert_eq!(me["email"], "bob@example.com", "{me}");
    assert_eq!(me["email_verified"], true, "still confirmed: {me}");
    assert_eq!(
        me["sign_in_with"],
        json!(["password", "sso"]),
        "his password, and now the provider: {me}"
    );
    let all: Vec<String> = members(app).await.into_iter().map(|m| m.username).collect();
    assert_eq!(all, vec!["bobby".to_string()], "no second member for bob");
    let bobby = member_with_email(app, "bob@example.com")
        .await
        .expect("bob's member");
    assert_eq!(bobby.oidc_subject.as_deref(), Some("sub-bob"));
}

/// Whoever registered an address they could not confirm must not keep a way into the
/// member once the address's real owner signs in through the provider (a
/// "pre-registration" takeover): their password and their sessions stop working.
#[tokio::test]
async fn sso_linking_an_unconfirmed_member_shuts_out_whoever_registered_it() {
    let Some(sso) = sso_app(
        "sso_linking_an_unconfirmed_member_shuts_out_whoever_registered_it",
        ProviderOptions::default(),
        |settings| settings.email_verification = Switch::On,
    )
    .await
    else {
        return;
    };
    let app = &sso.app;
    // Someone else registers Bob's address first, with a password they know.
    let squatter = app
        .post_json(
            "/auth/register",
            None,
            &json!({"username": "bobby", "email": "bob@example.com", "password": PASSWORD}),
        )
        .await
        .expect(201);
    assert_eq!(squatter["member"]["email_verified"], false, "{squatter}");
    let squatter_token = squatter["token"].as_str().expect("a token").to_string();

    // Bob signs in through the provider, which vouches for the address.
    let browser = Visitor::new();
    assert_signed_in_redirect(&browser.sign_in(&sso, "bob").await);
    let me = browser.me(app).await.expect(200);
    assert_eq!(me["email_verified"], true, "{me}");

    app.get("/me", Some(&squatter_token))
        .await
        .expect_error(401, "not_signed_in");
    let again = app.login("bob@example.com", PASSWORD).await;
    assert_eq!(
        again.status.as_u16(),
        401,
        "the registrant's password still opens the linked member:\n{}",
        again.text
    );
}

#[tokio::test]
async fn sso_refuses_an_answer_with_a_wrong_state() {
    let Some(sso) = sso_app(
        "sso_refuses_an_answer_with_a_wrong_state",
        ProviderOptions::default(),
        |_| {},
    )
    .await
    else {
        return;
    };
    let app = &sso.app;
    let browser = Visitor::new();
    let url = browser.to_callback(&sso, AtProvider::Login("alice")).await;
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    for name in ["code", "state", "iss"] {
        assert!(
            pairs.iter().any(|(k, _)| k == name),
            "no {name} in the callback {url}"
        );
    }
    let mut forged = url.clone();
    forged
        .query_pairs_mut()
        .clear()
        .extend_pairs(pairs.iter().map(|(k, v)| {
            if k == "state" {
                (k.clone(), format!("{v}x"))
            } else {
                (k.clone(), v.clone())
            }
        }));
    assert_ne!(forged, url);

    let answer = browser.callback(&forged).await;
    let page = failure_page(&answer, 400);
    assert!(
        page.contains("does not belong to this sign-in"),
        "the page does not say why:\n{page}"
    );
    browser.assert_signed_out(app).await;
    assert!(members(app).await.is_empty(), "a member was made");

    // The genuine answer in a browser that did not start this sign-in is refused too.
    let elsewhere = Visitor::new();
    let answer = elsewhere.callback(&url).await;
    let page = failure_page(&answer, 400);
    assert!(
        page.contains("started in another browser"),
        "the page does not say why:\n{page}"
    );
    elsewhere.assert_signed_out(app).await;
    assert!(members(app).await.is_empty(), "a member was made");
}

#[tokio::test]
async fn sso_refuses_a_replayed_code() {
    let Some(sso) = sso_app(
        "sso_refuses_a_replayed_code",
        ProviderOptions::default(),
        |_| {},
    )
    .await
    else {
        return;
    };
    let app = &sso.app;
    let browser = Visitor::new();
    let url = browser.to_callback(&sso, AtProvider::Login("alice")).await;
    let flow = browser
        .cookie(app, "quorum_sso")
        .expect("the flow cookie before the callback");
    assert_signed_in_redirect(&browser.callback(&url).await);
    browser.me(app).await.expect(200);

    // Whoever copies the answer and the flow cookie cannot use them again.
    let thief = Visitor::new();
    thief.set_cookie(app, "quorum_sso", &flow);
    let answer = thief.callback(&url).await;
    let page = failure_page(&answer, 400);
    assert!(
        page.contains("refused the code"),
        "the page does not say why:\n{page}"
    );
    thief.assert_signed_out(app).await;
    assert_eq!(members(app).await.len(), 1);
}

#[tokio::test]
async fn sso_refuses_an_address_the_provider_has_not_verified() {
    let Some(sso) = sso_app(
        "sso_refuses_an_address_the_provider_has_not_verified",
        ProviderOptions::default(),
        |_| {},
    )
    .await
    else {
        return;
    };
    let app = &sso.app;
    let browser = Visitor::new();
    let answer = browser.sign_in(&sso, "mallory").await;
    let page = failure_page(&answer, 400);
    assert!(
        page.contains("has not verified your e-mail address"),
        "the page does not say why:\n{page}"
    );
    browser.assert_signed_out(app).await;
    assert!(
        member_with_email(app, "mallory@example.com")
            .await
            .is_none(),
        "a member was made for mallory"
    );
    assert!(members(app).await.is_empty());
}

#[tokio::test]
async fn sso_refuses_a_password_members_address_the_provider_has_not_verified() {
    // Mallory's provider says "mallory@example.com" without having checked it: an
    // existing member with that address must not be taken over.
    let Some(sso) = sso_app(
        "sso_refuses_a_password_members_address_the_provider_has_not_verified",
        ProviderOptions::default(),
        |_| {},
    )
    .await
    else {
        return;
    };
    let app = &sso.app;
    app.register("mallory").await;
    let browser = Visitor::new();
    let answer = browser.sign_in(&sso, "mallory").await;
    failure_page(&answer, 400);
    browser.assert_signed_out(app).await;
    let member = member_with_email(app, "mallory@example.com")
        .await
        .expect("the member");
    assert_eq!(member.oidc_subject, None, "the member was linked");
}

#[tokio::test]
async fn sso_refuses_an_expired_id_token() {
    // The ID token is minted when Quorum exchanges the code and checked right after, so
    // waiting before the callback does not age it: the provider's clock runs 30 s
    // behind instead, and its tokens live 1 s.
    let Some(sso) = sso_app(
        "sso_refuses_an_expired_id_token",
        ProviderOptions {
            id_token_ttl: Some(1),
            clock_behind_secs: Some(30),
            ..ProviderOptions::default()
        },
        |_| {},
    )
    .await
    else {
        return;
    };
    let app = &sso.app;
    let browser = Visitor::new();
    let answer = browser.sign_in(&sso, "alice").await;
    let page = failure_page(&answer, 400);
    assert!(
        page.contains("did not verify"),
        "the page does not say why:\n{page}"
    );
    browser.assert_signed_out(app).await;
    assert!(members(app).await.is_empty(), "a member was made");

    // The control: the same slow clock with ten-minute tokens signs in, so it is the
    // expiry that was refused.
    let Some(control) = sso_app(
        "sso_refuses_an_expired_id_token",
        ProviderOptions {
            clock_behind_secs: Some(30),
            ..ProviderOptions::default()
        },
        |_| {},
    )
    .await
    else {
        return;
    };
    let browser = Visitor::new();
    assert_signed_in_redirect(&browser.sign_in(&control, "alice").await);
    browser.me(&control.app).await.expect(200);
}

#[tokio::test]
async fn sso_is_the_only_way_in_when_passwords_are_off() {
    let Some(sso) = sso_app(
        "sso_is_the_only_way_in_when_passwords_are_off",
        ProviderOptions::default(),
        |settings| settings.password_login = Switch::Off,
    )
    .await
    else {
        return;
    };
    let app = &sso.app;
    app.login("alice", PASSWORD)
        .await
        .expect_error(403, "password_login_off");
    app.post_json(
        "/auth/register",
        None,
        &json!({"username": "eve", "email": "eve@example.com", "password": PASSWORD}),
    )
    .await
    .expect_error(403, "password_login_off");

    let signin = app.get_page("/signin").await;
    let page = signin.expect_html(200);
    assert!(
        page.contains(&format!("Sign in with {PROVIDER_NAME}")),
        "no single sign-on link:\n{page}"
    );
    assert!(page.contains("href=\"/auth/sso?next="), "{page}");
    assert!(
        !page.contains("action=\"/signin\"") && !page.contains("name=\"password\""),
        "a password form is offered:\n{page}"
    );
    assert_eq!(app.get_page("/join").await.expect_see_other(), "/signin");

    let browser = Visitor::new();
    assert_signed_in_redirect(&browser.sign_in(&sso, "alice").await);
    let me = browser.me(app).await.expect(200);
    assert_eq!(me["username"], "alice", "{me}");
}

#[tokio::test]
async fn sso_respects_the_email_domain_allow_list() {
    let Some(sso) = sso_app(
        "sso_respects_the_email_domain_allow_list",
        ProviderOptions {
            extra_accounts: Some(json!({
                "carol": {"email": "carol@company.example", "email_verified": true, "name": "Carol Company"},
            })),
            ..ProviderOptions::default()
        },
        |settings| settings.allowed_email_domains = "company.example".into(),
    )
    .await
    else {
        return;
    };
    let app = &sso.app;
    let browser = Visitor::new();
    let answer = browser.sign_in(&sso, "alice").await;
    let page = failure_page(&answer, 403);
    assert!(
        page.contains("Only addresses at company.example"),
        "the page does not say why:\n{page}"
    );
    browser.assert_signed_out(app).await;
    assert!(members(app).await.is_empty(), "a member was made");

    // An address in the allowed domain signs in.
    let carols = Visitor::new();
    assert_signed_in_redirect(&carols.sign_in(&sso, "carol").await);
    let me = carols.me(app).await.expect(200);
    assert_eq!(me["email"], "carol@company.example", "{me}");
    assert_eq!(me["username"], "carol", "{me}");
}

#[tokio::test]
async fn sso_cancelled_at_the_provider_signs_nobody_in() {
    let Some(sso) = sso_app(
        "sso_cancelled_at_the_provider_signs_nobody_in",
        ProviderOptions::default(),
        |_| {},
    )
    .await
    else {
        return;
    };
    let app = &sso.app;
    let browser = Visitor::new();
    let url = browser.to_callback(&sso, AtProvider::Abort).await;
    assert!(
        url.query_pairs()
            .any(|(k, v)| k == "error" && v == "access_denied"),
        "{url}"
    );
    let answer = browser.callback(&url).await;
    let page = failure_page(&answer, 400);
    assert!(
        page.contains("did not sign you in (access_denied)"),
        "the page does not say why:\n{page}"
    );
    browser.assert_signed_out(app).await;
    assert!(members(app).await.is_empty());
}

#[tokio::test]
async fn sso_usernames_from_claims_are_made_free_and_valid() {
    // Alice's preferred username is taken by a password member with another address,
    // and Dana's claim is not a valid username: both get one that is.
    let Some(sso) = sso_app(
        "sso_usernames_from_claims_are_made_free_and_valid",
        ProviderOptions {
            extra_accounts: Some(json!({
                "dana": {"email": "dana@example.com", "email_verified": true,
                         "preferred_username": "Dana O'Neil", "name": "Dana O'Neil"},
            })),
            ..ProviderOptions::default()
        },
        |_| {},
    )
    .await
    else {
        return;
    };
    let app = &sso.app;
    app.post_json(
        "/auth/register",
        None,
        &json!({"username": "alice", "email": "other.alice@example.com", "password": PASSWORD}),
    )
    .await
    .expect(201);

    let browser = Visitor::new();
    assert_signed_in_redirect(&browser.sign_in(&sso, "alice").await);
    let me = browser.me(app).await.expect(200);
    assert_eq!(me["email"], "alice@example.com", "{me}");
    assert_eq!(me["username"], "alice1", "{me}");

    let dana = Visitor::new();
    assert_signed_in_redirect(&dana.sign_in(&sso, "dana").await);
    let me: Value = dana.me(app).await.expect(200);
    assert_eq!(me["username"], "dana-o-neil", "{me}");
    assert_eq!(me["display_name"], "Dana O'Neil", "{me}");
}
