//! What was written survives building the application again on the same database.

use serde_json::json;

use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn data_survives_a_restart() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let id = app
        .start_discussion(&alice.token, "people", "Still here after a restart", "Body")
        .await;
    let first = app.comment(&bob.token, id, "A reply", None).await;
    app.comment(&alice.token, id, "A reply to the reply", Some(first))
        .await;
    let before = app.discussion(id, None).await;

    let app = app.restart().await;
    assert!(
        app.address.ends_with(&format!(":{}", app.port)),
        "{}",
        app.address
    );

    let after = app.discussion(id, None).await;
    assert_eq!(after["discussion"]["title"], "Still here after a restart");
    assert_eq!(after["discussion"]["author"]["username"], "alice");
    assert_eq!(after["comments"].as_array().map(Vec::len), Some(2));
    assert_eq!(after["comments"][1]["parent_id"], first);
    assert_eq!(after["comments"], before["comments"]);
    // Members, their passwords and their tokens too.
    app.login("bob", PASSWORD).await.expect(200);
    assert_eq!(
        app.get("/me", alice.auth()).await.expect(200)["username"],
        "alice"
    );
    // The zones are not seeded twice.
    let zones = app.get("/zones", None).await.expect(200);
    assert_eq!(zones["zones"].as_array().map(Vec::len), Some(3), "{zones}");
    let people = zones["zones"]
        .as_array()
        .and_then(|z| z.iter().find(|z| z["slug"] == "people"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(people["discussion_count"], 1);
    // And the restarted app keeps writing.
    app.post_json(
        &format!("/discussions/{id}/comments"),
        bob.auth(),
        &json!({"body": "After the restart"}),
    )
    .await
    .expect(201);
}
