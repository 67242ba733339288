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
        vec!["audit", "--help"],
        vec!["recompute-reputation", "--help"],
        vec!["ingest-mail", "--help"],
        vec!["import", "discourse", "--help"],
        vec!["seed-demo", "--help"],
        vec!["seed-bench", "--help"],
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
    // The story insights and the ideas board tell: ideas in every status, one waiting
    // too long, and colleagues who read without writing.
    let amara = app.login("amara", "quorum-demo-password").await.expect(200)["token"]
        .as_str()
        .expect("a token")
        .to_string();
    let board = app.get("/ideas", Some(&amara)).await.expect(200);
    let counts: Vec<u64> = board["counts"]
        .as_array()
        .expect("counts")
        .iter()
        .map(|c| c["count"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(counts, vec![2, 1, 1, 1, 1], "{board}");
    assert_eq!(board["awaiting"], 1, "{board}");
    let p = app
        .get("/insights/participation?weeks=8", Some(&amara))
        .await
        .expect(200);
    assert!(p["headcount"].as_i64().is_some_and(|h| h > 40), "{p}");
    let readers: u64 = p["weeks"]
        .as_array()
        .expect("weeks")
        .iter()
        .filter_map(|w| w["readers"].as_u64())
        .sum();
    assert!(readers >= 5, "the demo's readers do not show: {p}");

    // A second run refuses: it never touches a community in use.
    let output = quorum(&app, &["seed-demo"]).await;
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("only fills an empty one"));
}

/// The whole demo reads like a community: no title twice, threads of very different
/// lengths, ideas recognised, leaders answering, posts spread over weeks.
#[tokio::test]
async fn the_demo_community_looks_real() {
    let app = spawn_app().await;
    let output = quorum(&app, &["seed-demo"]).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut discussions = Vec::new();
    for zone in ["customers", "people", "stakeholders"] {
        let page = app
            .get(&format!("/zones/{zone}/discussions?per_page=100"), None)
            .await
            .expect(200);
        discussions.extend(page["discussions"].as_array().cloned().unwrap_or_default());
    }
    assert_eq!(discussions.len(), 60);
    let titles: std::collections::BTreeSet<&str> = discussions
        .iter()
        .filter_map(|d| d["title"].as_str())
        .collect();
    assert_eq!(titles.len(), 60, "no title twice");
    assert!(titles.iter().all(|t| !t.contains("(round")), "{titles:?}");
    let counts: Vec<i64> = discussions
        .iter()
        .map(|d| d["comment_count"].as_i64().unwrap_or(-1))
        .collect();
    let distinct: std::collections::BTreeSet<i64> = counts.iter().copied().collect();
    assert!(
        counts.contains(&0),
        "some discussions wait for a reply: {counts:?}"
    );
    assert!(
        counts.iter().filter(|c| **c >= 10).count() >= 3,
        "long threads: {counts:?}"
    );
    assert!(distinct.len() >= 8, "threads of many lengths: {counts:?}");
    let recognized = discussions
        .iter()
        .filter(|d| d["recognized"] == true)
        .count();
    assert!(recognized >= 3, "ideas recognised: {recognized}");
    let dates: Vec<chrono::DateTime<chrono::Utc>> = discussions
        .iter()
        .filter_map(|d| d["created_at"].as_str()?.parse().ok())
        .collect();
    let (first, last) = (dates.iter().min(), dates.iter().max());
    assert!(
        matches!((first, last), (Some(a), Some(b)) if *b - *a > chrono::Duration::days(14)),
        "spread over weeks: {first:?} .. {last:?}"
    );
    // Leaders answer in the open: their replies are in the threads.
    let mut leader_replies = 0;
    for d in &discussions {
        let id = d["id"].as_i64().unwrap_or(0);
        let thread = app
            .get(&format!("/discussions/{id}"), None)
            .await
            .expect(200);
        leader_replies += thread["comments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["author"]["role"] == "leader")
            .count();
    }
    assert!(
        leader_replies >= 10,
        "leaders answered {leader_replies} times"
    );
}

/// A tiny stand-in for the Chit Chat corpus, in its shape: conversations of turns of
/// messages.
fn tiny_corpus(dir: &std::path::Path) -> std::path::PathBuf {
    let mut convs = serde_json::Map::new();
    for c in 0..3 {
        let turns: Vec<serde_json::Value> = (0..12)
            .map(|t| {
                json_message(&format!(
                    "Conversation {c}, message {t}: *real* text with <b>markup</b>"
                ))
            })
            .collect();
        convs.insert(format!("c{c}"), serde_json::json!({ "messages": [turns] }));
    }
    // A one-message conversation: skipped, it has nothing to reply with.
    convs.insert(
        "lonely".into(),
        serde_json::json!({ "messages": [[json_message("Hello?")]] }),
    );
    let path = dir.join("tiny-corpus.json");
    std::fs::write(&path, serde_json::Value::Object(convs).to_string()).expect("writing");
    path
}

fn json_message(text: &str) -> serde_json::Value {
    serde_json::json!({ "text": text, "timestamp": "2018-05-02T19:38:15Z", "sender": "x" })
}

#[tokio::test]
async fn seed_bench_writes_a_known_community_in_bulk() {
    let app = spawn_app().await;
    let corpus = tiny_corpus(app.data_dir.path());
    let corpus = corpus.to_str().expect("a UTF-8 path");
    let args = [
        "seed-bench",
        "--discussions",
        "5",
        "--comments",
        "140",
        "--members",
        "120",
        "--tokens",
        "10",
        "--no-search",
        "--corpus",
        corpus,
    ];
    let output = quorum(&app, &args).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let info: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(app.data_dir.path().join("bench/seed.json")).expect("seed.json"),
    )
    .expect("JSON");
    let page_id = info["page_discussion_id"].as_i64().expect("page id");
    let vote_id = info["vote_discussion_id"].as_i64().expect("vote id");
    assert!(
        stdout.contains(&format!("/discussions/{page_id}")),
        "{stdout}"
    );

    // The page benchmark's discussion has exactly 100 comments, some of them nested.
    let d = app
        .get(&format!("/discussions/{page_id}"), None)
        .await
        .expect(200);
    let comments = d["comments"].as_array().expect("comments");
    assert_eq!(comments.len(), 100);
    assert_eq!(d["discussion"]["comment_count"], 100);
    assert!(comments.iter().any(|c| c["depth"].as_i64() > Some(0)));
    let zones = app.get("/zones", None).await.expect(200);
    let total: u64 = zones["zones"]
        .as_array()
        .expect("zones")
        .iter()
        .map(|z| z["discussion_count"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(total, 5);

    // The tokens work, the vote discussion starts at 0, and new rows get fresh ids.
    let tokens =
        std::fs::read_to_string(app.data_dir.path().join("bench/tokens.txt")).expect("tokens.txt");
    let token = tokens.lines().next().expect("a token");
    let body = app
        .post_json(
            &format!("/discussions/{vote_id}/vote"),
            Some(token),
            &serde_json::json!({ "value": 1 }),
        )
        .await
        .expect(200);
    assert_eq!(body["score"], 1);
    let newcomer = app.register("newcomer").await;
    let id = app
        .start_discussion(&newcomer.token, "people", "After the seed", "Body")
        .await;
    assert!(id > 5, "{id}");

    // The ledger and the cached reputations agree.
    let output = quorum(&app, &["recompute-reputation"]).await;
    assert!(String::from_utf8_lossy(&output.stdout).contains("matches the ledger"));

    // A second run refuses.
    let output = quorum(&app, &args).await;
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("only fills an empty one"));
}

#[tokio::test]
async fn audit_prints_role_changes_and_takes_a_since_date() {
    let app = spawn_app().await;
    app.register("rosa").await;
    let output = quorum(&app, &["set-role", "rosa", "moderator"]).await;
    assert!(output.status.success(), "{output:?}");

    let output = quorum(&app, &["audit"]).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.contains("role_changed"))
        .unwrap_or_else(|| panic!("no role change in:\n{stdout}"));
    assert!(
        line.contains("(command line") && line.contains("rosa"),
        "{line}"
    );
    assert!(
        line.contains(r#""from":"member""#) && line.contains(r#""to":"moderator""#),
        "{line}"
    );

    let later = quorum(&app, &["audit", "--since", "2999-01-01"]).await;
    let stdout = String::from_utf8_lossy(&later.stdout);
    assert!(later.status.success());
    assert!(stdout.contains("empty for that period"), "{stdout}");
    let bad = quorum(&app, &["audit", "--since", "yesterday"]).await;
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--since"));
}
