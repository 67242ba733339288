//! `/healthz` and `/readyz`, at the root.

use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;

    let answer = app.get_page("/healthz").await;

    let body = answer.expect(200);
    assert!(answer.content_type().starts_with("application/json"));
    assert_eq!(body["status"], "ok", "{body}");
}

#[tokio::test]
async fn readyz_answers_ok_when_the_database_answers() {
    let app = spawn_app().await;

    let answer = app.get_page("/readyz").await;

    assert_eq!(answer.status.as_u16(), 200, "{}", answer.text);
}
