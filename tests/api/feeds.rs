//! Atom feeds (issue #18): what a feed reader gets for the newest discussions, a zone, a
//! discussion and a member, read back with an Atom parser; nothing hidden or deleted in
//! them; the pages name their feeds.

use atom_syndication::Feed;
use entity::comment;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use crate::helpers::{Answer, TestApp, spawn_app_with};

const BASE: &str = "https://forum.example.com";

async fn app() -> TestApp {
    spawn_app_with(|s| s.base_url = Some(BASE.into())).await
}

/// A feed as a feed reader reads it.
fn parse(answer: &Answer) -> Feed {
    answer.expect_status(200);
    assert_eq!(
        answer.header("content-type"),
        Some("application/atom+xml; charset=utf-8"),
        "{}",
        answer.text
    );
    answer
        .text
        .parse::<Feed>()
        .unwrap_or_else(|e| panic!("not an Atom feed ({e}): {}", answer.text))
}

fn titles(feed: &Feed) -> Vec<&str> {
    feed.entries
        .iter()
        .map(|e| e.title.value.as_str())
        .collect()
}

async fn hide_comment(app: &TestApp, id: i64) {
    let db = app.db().await;
    let row = comment::Entity::find_by_id(id as i32)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let mut row: comment::ActiveModel = row.into();
    row.hidden = Set(true);
    row.update(&db).await.unwrap();
}

#[tokio::test]
async fn feeds_carry_what_a_visitor_reads_newest_first() {
    let app = app().await;
    let ann = app.register("ann").await;
    let bob = app.register("bob").await;
    let first = app
        .start_discussion(
            &ann.token,
            "customers",
            "Shorter hold times",
            "Call-backs **instead** of queues.",
        )
        .await;
    let second = app
        .start_discussion(&bob.token, "people", "Quiet rooms", "One per floor.")
        .await;
    let reply = app
        .comment(
            &bob.token,
            first,
            "Yes, and say how long the wait is.",
            None,
        )
        .await;

    // The newest discussions everywhere, newest first, with absolute links.
    let latest = parse(&app.get("/feeds/latest.atom", None).await);
    assert_eq!(titles(&latest), ["Quiet rooms", "Shorter hold times"]);
    assert_eq!(latest.id, format!("{BASE}/feeds/latest.atom"));
    assert_eq!(latest.title.value, "Quorum: latest discussions");
    let entry = &latest.entries[1];
    assert_eq!(entry.id, format!("{BASE}/discussions/{first}"));
    assert_eq!(
        entry.links[0].href,
        format!("{BASE}/discussions/{first}/shorter-hold-times")
    );
    assert_eq!(entry.authors[0].name, "ann");
    assert_eq!(
        entry.authors[0].uri.as_deref(),
        Some(format!("{BASE}/members/ann").as_str())
    );
    assert_eq!(entry.categories[0].term, "customers");
    let content = entry.content.as_ref().and_then(|c| c.value.as_deref());
    assert_eq!(
        content,
        Some("<p>Call-backs <strong>instead</strong> of queues.</p>\n")
    );

    // A zone's feed has only its own discussions.
    let zone = parse(&app.get("/zones/people/feed.atom", None).await);
    assert_eq!(titles(&zone), ["Quiet rooms"]);
    assert_eq!(zone.title.value, "Quorum: Best for People");
    app.get("/zones/nowhere/feed.atom", None)
        .await
        .expect_error(404, "not_found");

    // A discussion's feed: its replies, then the discussion.
    let thread = parse(
        &app.get(&format!("/discussions/{first}/feed.atom"), None)
            .await,
    );
    assert_eq!(
        titles(&thread),
        ["Re: Shorter hold times", "Shorter hold times"]
    );
    assert_eq!(
        thread.entries[0].id,
        format!("{BASE}/discussions/{first}#comment-{reply}")
    );
    assert_eq!(thread.entries[0].authors[0].name, "bob");

    // A member's feed: what they started and what they replied, newest first.
    let bobs = parse(&app.get("/members/bob/feed.atom", None).await);
    assert_eq!(titles(&bobs), ["Re: Shorter hold times", "Quiet rooms"]);
    app.get("/members/nobody/feed.atom", None)
        .await
        .expect_error(404, "not_found");

    // The pages' addresses serve the same feeds, and the pages name them.
    let at_root = app
        .get_page(&format!("/discussions/{first}/feed.atom"))
        .await;
    assert_eq!(titles(&parse(&at_root)), titles(&thread));
    let at_root = app.get_page("/members/bob/feed.atom").await;
    assert_eq!(titles(&parse(&at_root)), titles(&bobs));
    for (page, feed) in [
        ("/".to_string(), "/feeds/latest.atom".to_string()),
        ("/zones/people".into(), "/zones/people/feed.atom".into()),
        (
            format!("/discussions/{second}"),
            format!("/discussions/{second}/feed.atom"),
        ),
        ("/members/ann".into(), "/members/ann/feed.atom".into()),
    ] {
        let html = app.get_page(&page).await;
        let text = html.expect_html(200);
        assert!(
            text.contains(r#"<link rel="alternate" type="application/atom+xml""#)
                && text.contains(&format!(r#"href="{feed}""#)),
            "{page} names its feed {feed}"
        );
        let named = parse(&app.get_page(&feed).await);
        assert!(!named.entries.is_empty(), "{feed} has entries");
    }
}

#[tokio::test]
async fn hidden_and_deleted_posts_stay_out_of_every_feed() {
    let app = app().await;
    let ann = app.register("ann").await;
    let bob = app.register("bob").await;
    let open = app
        .start_discussion(
            &ann.token,
            "customers",
            "Open thread",
            "Anyone may read this.",
        )
        .await;
    let hidden = app
        .start_discussion(&ann.token, "customers", "Hidden thread", "Under review.")
        .await;
    let gone = app
        .start_discussion(&ann.token, "customers", "Deleted thread", "Taken back.")
        .await;
    let kept = app.comment(&bob.token, open, "A kept reply", None).await;
    let flagged = app.comment(&bob.token, open, "A hidden reply", None).await;
    let removed = app.comment(&bob.token, open, "A deleted reply", None).await;
    app.comment(&bob.token, hidden, "A reply in a hidden thread", None)
        .await;
    app.set_discussion_hidden(hidden, true).await;
    hide_comment(&app, flagged).await;
    app.delete(&format!("/discussions/{gone}"), ann.auth())
        .await
        .expect_status(204);
    app.delete(&format!("/comments/{removed}"), bob.auth())
        .await
        .expect_status(204);

    let latest = parse(&app.get("/feeds/latest.atom", None).await);
    assert_eq!(titles(&latest), ["Open thread"]);
    let zone = parse(&app.get("/zones/customers/feed.atom", None).await);
    assert_eq!(titles(&zone), ["Open thread"]);
    let thread = parse(
        &app.get(&format!("/discussions/{open}/feed.atom"), None)
            .await,
    );
    let ids: Vec<&str> = thread.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            format!("{BASE}/discussions/{open}#comment-{kept}"),
            format!("{BASE}/discussions/{open}"),
        ]
    );
    for id in [hidden, gone] {
        app.get(&format!("/discussions/{id}/feed.atom"), None)
            .await
            .expect_error(404, "not_found");
    }
    // Bob's feed keeps only the reply anyone can read.
    let bobs = parse(&app.get("/members/bob/feed.atom", None).await);
    let contents: Vec<&str> = bobs
        .entries
        .iter()
        .filter_map(|e| e.content.as_ref()?.value.as_deref())
        .collect();
    assert_eq!(contents, ["<p>A kept reply</p>\n"]);
}
