//! `quorum import discourse` (issue #18), run as an admin would: the real binary on a
//! small Discourse backup in Discourse's own schema (tests/fixtures/discourse), read
//! back through the API; a second run changes nothing.

use std::io::Write;

use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};

const QUORUM: &str = env!("CARGO_BIN_EXE_quorum");
const DUMP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/discourse/dump.sql"
);

async fn import(app: &TestApp, export: &std::path::Path) -> String {
    let out = tokio::process::Command::new(QUORUM)
        .args(["import", "discourse"])
        .arg(export)
        .env("QUORUM_DATA_DIR", app.data_dir.path())
        .env("DATABASE_URL", app.settings.database_url())
        .env_remove("MEILI_URL")
        .env_remove("SMTP_URL")
        .kill_on_drop(true)
        .output()
        .await
        .expect("running quorum import");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The summary's `created skipped updated` for one kind.
fn counts(summary: &str, what: &str) -> [usize; 3] {
    let line = summary
        .lines()
        .find(|l| l.split_whitespace().next() == Some(what))
        .unwrap_or_else(|| panic!("no {what} in {summary}"));
    let n: Vec<usize> = line
        .split_whitespace()
        .skip(1)
        .map(|n| n.parse().unwrap())
        .collect();
    [n[0], n[1], n[2]]
}

/// A Discourse backup archive: a `.tar.gz` holding `dump.sql.gz`.
fn backup_archive(dir: &std::path::Path) -> std::path::PathBuf {
    let dump = std::fs::read(DUMP).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&dump).unwrap();
    let dump_gz = gz.finish().unwrap();
    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(dump_gz.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    tar.append_data(&mut header, "dump.sql.gz", &dump_gz[..])
        .unwrap();
    let tar = tar.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).unwrap();
    let path = dir.join("site-2026-12-02-100000-v20261201.tar.gz");
    std::fs::write(&path, gz.finish().unwrap()).unwrap();
    path
}

async fn discussions(app: &TestApp, zone: &str) -> Vec<Value> {
    app.get(&format!("/zones/{zone}/discussions"), None)
        .await
        .expect(200)["discussions"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_discourse_backup_comes_in_whole_and_a_second_run_changes_nothing() {
    let app = spawn_app().await;
    let archive = backup_archive(app.data_dir.path());
    let summary = import(&app, &archive).await;
    // Uncategorized and Customer Care are new; People is the zone of that slug; the
    // Board Room reads restricted and stays out.
    assert_eq!(counts(&summary, "categories"), [3, 1, 0], "{summary}");
    assert_eq!(counts(&summary, "users"), [3, 0, 0], "{summary}");
    // A private message, a deleted topic and the Board Room's topic stay out.
    assert_eq!(counts(&summary, "topics"), [2, 3, 0], "{summary}");
    assert_eq!(counts(&summary, "posts"), [3, 0, 0], "{summary}");
    assert_eq!(counts(&summary, "likes"), [3, 0, 0], "{summary}");
    assert_eq!(counts(&summary, "solutions"), [1, 0, 0], "{summary}");

    let care = discussions(&app, "customer-care").await;
    assert_eq!(care.len(), 1);
    let d = &care[0];
    assert_eq!(d["title"], "Call-backs instead of hold music");
    assert_eq!(
        d["body"],
        "Customers wait **12 minutes** on average.\nCould we offer a call-back instead?"
    );
    assert_eq!(d["author"]["username"], "grace_hopper");
    assert_eq!(d["author"]["display_name"], "Grace Hopper");
    assert_eq!(d["score"], 2);
    assert_eq!(d["comment_count"], 2);
    assert_eq!(d["created_at"], "2024-02-01T10:00:00Z");
    let id = d["id"].as_i64().unwrap();
    let thread = app.discussion(id, None).await;
    let comments = thread["comments"].as_array().unwrap();
    assert_eq!(
        comments.len(),
        2,
        "the whisper and the deleted reply stay out"
    );
    assert_eq!(comments[0]["author"]["username"], "linus");
    assert_eq!(
        comments[0]["body"],
        "Yes. The tool we use already supports it."
    );
    assert_eq!(comments[0]["score"], 1);
    assert_eq!(comments[0]["recognized"], true, "the solved answer");
    assert_eq!(comments[1]["author"]["username"], "mo_");
    assert_eq!(
        comments[1]["body"],
        "Which tool?\tThe one in the contact centre?"
    );
    assert_eq!(comments[1]["parent_id"], comments[0]["id"]);
    assert_eq!(comments[1]["depth"], 1);

    let people = discussions(&app, "people").await;
    let quiet = people
        .iter()
        .find(|d| d["title"] == "Quiet rooms on every floor")
        .expect("the People topic");
    assert_eq!(quiet["locked"], true);
    assert_eq!(quiet["pinned"], true);
    app.get("/zones/board-room/discussions", None)
        .await
        .expect_error(404, "not_found");
    assert!(discussions(&app, "uncategorized").await.is_empty());

    // Reputation from likes (+10 each) and the recognised answer (+15).
    let grace = app.get("/members/grace_hopper", None).await.expect(200);
    assert_eq!(grace["reputation"], 21);
    let linus = app.get("/members/linus", None).await.expect(200);
    assert_eq!(linus["reputation"], 26);
    // Imported members have no password: no guess gets in.
    app.login("linus", "a password anyone might try")
        .await
        .expect_error(401, "invalid_credentials");

    // The same backup again, as a plain dump: nothing new, nothing changed.
    let again = import(&app, std::path::Path::new(DUMP)).await;
    for what in [
        "categories",
        "users",
        "topics",
        "posts",
        "likes",
        "solutions",
    ] {
        assert_eq!(counts(&again, what)[0], 0, "{what}: {again}");
        assert_eq!(counts(&again, what)[2], 0, "{what}: {again}");
    }
    assert_eq!(discussions(&app, "customer-care").await.len(), 1);
    assert_eq!(
        app.discussion(id, None).await["comments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let linus = app.get("/members/linus", None).await.expect(200);
    assert_eq!(linus["reputation"], 26);

    // A later export where two posts were edited: those are updated, nothing else.
    let edited = std::fs::read_to_string(DUMP)
        .unwrap()
        .replace(
            "Yes. The tool we use already supports it.",
            "Yes. Our tool supports it today.",
        )
        .replace(
            "Could we offer a call-back instead?",
            "Could we offer call-backs?",
        )
        // Mo's reply deleted there since, and the People topic.
        .replace(
            "2024-02-01 11:00:00\t2\t0\t0\t\\N\t",
            "2024-02-01 11:00:00\t2\t0\t0\t2024-02-02 09:00:00\t",
        )
        .replace(
            "\t\\N\t2\t0\t0\t6\tt\t",
            "\t2024-02-05 09:00:00\t2\t0\t0\t6\tt\t",
        );
    let path = app.data_dir.path().join("later.sql");
    std::fs::write(&path, edited).unwrap();
    let later = import(&app, &path).await;
    assert_eq!(counts(&later, "posts"), [0, 0, 2], "{later}");
    assert_eq!(counts(&later, "topics"), [0, 3, 2], "{later}");
    // Deleted there since: hidden here.
    let people = discussions(&app, "people").await;
    assert!(
        people
            .iter()
            .all(|d| d["title"] != "Quiet rooms on every floor"),
        "{people:#?}"
    );
    let thread = app.discussion(id, None).await;
    assert_eq!(
        thread["discussion"]["body"],
        "Customers wait **12 minutes** on average.\nCould we offer call-backs?"
    );
    assert_eq!(
        thread["comments"][0]["body"],
        "Yes. Our tool supports it today."
    );
    assert!(
        thread["comments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["body"] != "Which tool?\tThe one in the contact centre?"),
        "{thread:#}"
    );
}

#[tokio::test]
async fn what_is_not_a_discourse_dump_is_refused_with_a_reason() {
    let app = spawn_app().await;
    let path = app.data_dir.path().join("notes.sql");
    std::fs::write(&path, "SELECT 1;\n").unwrap();
    let out = tokio::process::Command::new(QUORUM)
        .args(["import", "discourse"])
        .arg(&path)
        .env("QUORUM_DATA_DIR", app.data_dir.path())
        .env("DATABASE_URL", app.settings.database_url())
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is it a Discourse backup"), "{stderr}");
}
