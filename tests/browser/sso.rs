//! Single sign-on in a real browser: "Sign in with …" on Quorum's sign-in page, the
//! provider's own login page (tests/oidc/provider.mjs), and back to Quorum signed in.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::browser::{self, Browser};
use crate::helpers::spawn_app_with;

#[path = "../oidc/harness.rs"]
#[allow(dead_code)]
mod oidc_harness;

use oidc_harness::{OidcProvider, PROVIDER_NAME};

async fn sign_in_through_the_provider(test: &str, js: bool) {
    if !browser::available(test) {
        return;
    }
    let Some(modules) = oidc_harness::node_modules(test) else {
        return;
    };
    let port = oidc_harness::free_port();
    let base = oidc_harness::base_url(port);
    let provider =
        OidcProvider::start(&modules, &oidc_harness::redirect_uri(&base), None, None).await;
    let app = spawn_app_with(|settings| oidc_harness::configure(settings, port, &provider)).await;
    assert_eq!(app.address, base, "the app did not bind the chosen port");
    let b = Browser::start(&app.address, js).await;

    b.goto("/signin?next=/zones/people").await;
    let link = b.find("a[href^='/auth/sso']").await;
    assert_eq!(
        link.text().await.unwrap().trim(),
        format!("Sign in with {PROVIDER_NAME}")
    );
    link.click().await.unwrap();

    // The provider's own page.
    b.find("form#login-form").await;
    let here = b.client.current_url().await.unwrap();
    assert!(
        here.as_str().starts_with(&provider.issuer),
        "not on the provider's page: {here}"
    );
    b.fill("#login", "alice").await;
    b.fill("#password", "anything").await;
    b.click("#submit").await;

    // Back on Quorum, where the sign-in asked to go, signed in.
    b.wait_text(".member-menu", "alice").await;
    let back = b.client.current_url().await.unwrap();
    assert!(
        back.as_str().starts_with(&app.address),
        "not back on Quorum: {back}"
    );
    assert_eq!(back.path(), "/zones/people");
    let name = b.find(".member-menu .me-name").await;
    assert_eq!(name.text().await.unwrap().trim(), "alice");

    let db = app.db().await;
    let alice = entity::member::Entity::find()
        .filter(entity::member::Column::Username.eq("alice"))
        .one(&db)
        .await
        .unwrap()
        .expect("the member made by single sign-on");
    assert_eq!(alice.email, "alice@example.com");
    assert!(alice.email_verified);
    assert_eq!(alice.oidc_subject.as_deref(), Some("sub-alice"));
    db.close().await.unwrap();
    b.quit().await;
}

#[tokio::test]
async fn single_sign_on_through_the_providers_page_with_javascript() {
    sign_in_through_the_provider("single sign-on with JavaScript", true).await;
}

#[tokio::test]
async fn single_sign_on_through_the_providers_page_without_javascript() {
    sign_in_through_the_provider("single sign-on without JavaScript", false).await;
}
