//! The command line, run as a user would: the real `quorum` binary against the test
//! app's own database.

use crate::helpers::spawn_app;

const QUORUM: &str = env!("CARGO_BIN_EXE_quorum");

async fn quorum(app: &crate::helpers::TestApp, args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(QUORUM)
        .args(args)
        .env("QUORUM_DATA_DIR", app.data_dir.path())
        .env("DATABASE_URL", app.settings.database_url())
        .env_remove("MEILI_URL")
        .env_remove("SMTP_URL")
        .kill_on_drop(true)
        .output()
        .await
        .expect("running quorum")
}

#[tokio::test]
async fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["set-role", "--help"],
        vec!["reindex", "--help"],
        vec!["recompute-reputation", "--help"],
        vec!["seed-demo", "--help"],
    ] {
        let output = tokio::process::Command::new(QUORUM)
            .args(&args)
            .output()
            .await
            .expect("running quorum");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{args:?}: {stdout}");
        assert!(stdout.contains("Usage"), "{args:?}: {stdout}");
    }
}

#[tokio::test]
async fn set_role_gives_a_member_a_role_and_refuses_nonsense() {
    let app = spawn_app().await;
    let member = app.register("rosa").await;

    let output = quorum(&app, &["set-role", "ROSA", "leader"]).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("rosa is now leader"), "{stdout}");
    let me = app.get("/me", member.auth()).await.expect(200);
    assert_eq!(me["role"], "leader");

    let output = quorum(&app, &["set-role", "rosa", "emperor"]).await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("member, leader, moderator, admin"),
        "{stderr}"
    );

    let output = quorum(&app, &["set-role", "nobody", "admin"]).await;
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not found"));
    let me = app.get("/me", member.auth()).await.expect(200);
    assert_eq!(me["role"], "leader", "a failed command changed nothing");
}

#[tokio::test]
async fn migrate_and_recompute_reputation_report_a_healthy_database() {
    let app = spawn_app().await;
    let output = quorum(&app, &["migrate"]).await;
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("up to date"));

    let output = quorum(&app, &["recompute-reputation"]).await;
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("matches the ledger"));
}

#[tokio::test]
async fn seed_demo_fills_an_empty_community_only() {
    let app = spawn_app().await;
    let output = quorum(&app, &["seed-demo", "--discussions", "6"]).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let zones = app.get("/zones", None).await.expect(200);
    let total: u64 = zones["zones"]
        .as_array()
        .expect("zones")
        .iter()
        .map(|z| z["discussion_count"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(total, 6);
    let amara = app.get("/members/amara", None).await.expect(200);
    assert_eq!(amara["role"], "leader");
    // The demo also has a live session with questions, a poll and a quiz.
    let live = app.get("/zones/people/sessions", None).await.expect(200);
    let session = live["sessions"][0]["id"].as_i64().expect("a demo session");
    let session = app
        .get(&format!("/sessions/{session}"), None)
        .await
        .expect(200);
    assert_eq!(session["questions"].as_array().map(Vec::len), Some(3));
    assert!(
        session["questions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["answered"] == true)
    );
    let quizzes = app.get("/zones/customers/quizzes", None).await.expect(200);
    assert_eq!(quizzes["quizzes"][0]["question_count"], 2);

    // A second run refuses: it never touches a community in use.
    let output = quorum(&app, &["seed-demo"]).await;
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("only fills an empty one"));
}
