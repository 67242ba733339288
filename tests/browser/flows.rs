//! What a member does, in the browser: join, start a discussion, reply to a reply, vote,
//! delete a reply, search, switch the e-mail subscription, see the notification count
//! change — once with JavaScript (in place, no reload) and once without (plain forms).

use fantoccini::key::Key;
use serde_json::Value;

use crate::browser::{self, Browser};
use crate::helpers::{PASSWORD, TestApp, spawn_app, spawn_app_with};

const TITLE: &str = "Quarterly planning in the open";

async fn comment_ids(app: &TestApp, discussion: i64) -> Vec<(i64, String, bool)> {
    app.discussion(discussion, None).await["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_i64().unwrap(),
                c["author"]["username"].as_str().unwrap_or("").to_string(),
                c["deleted"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

async fn unread(app: &TestApp, token: &str) -> u64 {
    app.get("/notifications", Some(token)).await.expect(200)["unread"]
        .as_u64()
        .unwrap()
}

async fn shown_count(b: &Browser) -> u64 {
    match b
        .client
        .find(fantoccini::Locator::Css("#notif-link .count"))
        .await
    {
        Ok(el) => el.text().await.unwrap().trim().parse().unwrap_or(0),
        Err(_) => 0,
    }
}

async fn member_flow(js: bool) {
    // As a fresh install: new members confirm their address.
    let app = spawn_app_with(|s| s.email_verification = quorum::config::Switch::On).await;
    let b = Browser::start(&app.address, js).await;

    // Join.
    b.goto("/join").await;
    b.fill("#username", "alice").await;
    b.fill("#display_name", "Alice Ames").await;
    b.fill("#email", "alice@example.com").await;
    b.fill("#password", PASSWORD).await;
    b.click("form[action='/join'] button[type=submit]").await;
    b.wait_text(".member-menu", "alice").await;

    // Until the address is confirmed, every page says so; the mailed link confirms it.
    b.wait_text(".notice.unverified", "Confirm your e-mail address")
        .await;
    let link = app.mailed_link("alice@example.com", "/verify-email").await;
    b.goto(&link).await;
    b.click("form[action='/verify-email'] button[type=submit]")
        .await;
    b.wait_text("main", "alice@example.com is confirmed").await;
    b.goto("/").await;
    assert!(
        !b.source().await.contains("notice unverified"),
        "the banner is gone once confirmed"
    );
    let alice = app.login("alice", PASSWORD).await.expect(200)["token"]
        .as_str()
        .unwrap()
        .to_string();

    // Start a discussion from the header: choose the zone, then write.
    b.goto("/").await;
    b.click(".member-menu a[href='/new']").await;
    b.click("a[href='/zones/people/new']").await;
    b.fill("#title", TITLE).await;
    b.fill("#body", "Let us plan **together**, in the open.")
        .await;
    if js {
        // The editor previews the Markdown as it will show.
        b.click("button.preview-toggle").await;
        let preview = b.find("#body-preview").await;
        b.wait_text("#body-preview", "together").await;
        assert!(
            preview
                .html(true)
                .await
                .unwrap()
                .contains("<strong>together</strong>")
        );
    }
    b.click("form[action='/zones/people/discussions'] button[type=submit]:not([formaction])")
        .await;
    b.wait_text("h1", TITLE).await;
    let path = b.path().await;
    let id: i64 = path.split('/').nth(2).unwrap().parse().unwrap();
    assert!(b.source().await.contains("<strong>together</strong>"));

    // Bob replies (through the API); Alice replies to his reply in the page.
    let bob = app.register("bob").await;
    let bobs = app
        .comment(&bob.token, id, "I can host the planning session.", None)
        .await;
    b.goto(&path).await;
    b.mark_page().await;
    b.click(&format!("#comment-{bobs} details.reply-box summary"))
        .await;
    b.fill(&format!("#reply-{bobs}"), "Thanks Bob, booked.")
        .await;
    b.click(&format!(
        "#comment-{bobs} details.reply-box button[type=submit]"
    ))
    .await;
    b.wait_text("#comments", "Thanks Bob, booked.").await;
    let ids = comment_ids(&app, id).await;
    let (reply, _, _) = ids
        .iter()
        .find(|(_, who, _)| who == "alice")
        .unwrap()
        .clone();
    let nested = b.find(&format!("#comment-{reply}")).await;
    assert!(
        nested
            .attr("class")
            .await
            .unwrap()
            .unwrap_or_default()
            .contains("depth-1"),
        "the reply to a reply is indented under it"
    );
    if js {
        assert!(
            b.page_was_kept().await,
            "with JavaScript the reply posts in place"
        );
    }

    // Vote Bob's reply up.
    b.mark_page().await;
    b.click(&format!("#votes-comment-{bobs} button.vote.up"))
        .await;
    b.wait_text(&format!("#votes-comment-{bobs} .score"), "1")
        .await;
    let pressed = b
        .find(&format!("#votes-comment-{bobs} button.vote.up"))
        .await
        .attr("aria-pressed")
        .await
        .unwrap();
    assert_eq!(pressed.as_deref(), Some("true"));
    if js {
        assert!(
            b.page_was_kept().await,
            "with JavaScript the vote counts in place"
        );
    }
    let shown = app.discussion(id, None).await;
    let score = shown["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == bobs)
        .unwrap()["score"]
        .clone();
    assert_eq!(score, Value::from(1));

    // Delete her own reply: the thread keeps its place.
    b.mark_page().await;
    b.click(&format!("#comment-{reply} form[action$='/delete'] button"))
        .await;
    b.wait_text(&format!("#comment-{reply}"), "This reply was deleted.")
        .await;
    assert!(
        comment_ids(&app, id)
            .await
            .iter()
            .any(|(c, _, deleted)| *c == reply && *deleted)
    );
    if js {
        assert!(b.page_was_kept().await);
    }

    // The e-mail switch: on by default for the author; off, in place or by reload.
    b.wait_text("#subscription", "on").await;
    b.click("#subscription button").await;
    b.wait_text("#subscription", "off").await;
    let sub = app
        .get(&format!("/discussions/{id}/subscription"), Some(&alice))
        .await
        .expect(200);
    assert_eq!(sub["email"], false);

    // The notification count changes when Bob writes again.
    b.goto(&path).await;
    let before = shown_count(&b).await;
    assert_eq!(before, unread(&app, &alice).await);
    app.comment(&bob.token, id, "One more thing: bring the numbers.", None)
        .await;
    let after = unread(&app, &alice).await;
    assert_eq!(after, before + 1);
    if js {
        // The page asks for the count itself (here: when it becomes visible again).
        b.mark_page().await;
        b.client
            .execute(
                "document.dispatchEvent(new Event('visibilitychange'));",
                vec![],
            )
            .await
            .unwrap();
        b.wait_text("#notif-link", &after.to_string()).await;
        assert!(b.page_was_kept().await);
    } else {
        b.goto("/").await;
    }
    assert_eq!(shown_count(&b).await, after);

    // Search for it from the header, as typed.
    let mut found = false;
    for _ in 0..20 {
        b.goto("/").await;
        b.fill("#header-q", "quarterly").await;
        b.find("#header-q")
            .await
            .send_keys(&Key::Enter.to_string())
            .await
            .unwrap();
        b.find("main").await;
        // The title's matched word is marked, so look for the hit's link.
        if b.source()
            .await
            .contains(&format!("href=\"/discussions/{id}"))
            && b.path().await == "/search"
        {
            found = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert!(found, "the search page never listed the discussion");
    b.click(&format!("main a[href^='/discussions/{id}']")).await;
    b.wait_text("h1", TITLE).await;

    // Follow Bob from his profile.
    b.goto("/members/bob").await;
    b.mark_page().await;
    b.click("#follow button").await;
    b.wait_text("#follow", "Following").await;
    b.wait_text("#follow", "1 follower").await;
    if js {
        assert!(
            b.page_was_kept().await,
            "with JavaScript the follow happens in place"
        );
    }
    let following = app.get("/me/following", Some(&alice)).await.expect(200);
    assert_eq!(following["members"][0]["username"], "bob");

    // Keyboard: the first Tab reaches the skip link.
    b.goto("/").await;
    b.find("body")
        .await
        .send_keys(&Key::Tab.to_string())
        .await
        .unwrap();
    let focused = b.client.active_element().await.unwrap();
    assert_eq!(focused.text().await.unwrap(), "Skip to content");

    b.quit().await;
}

#[tokio::test]
async fn a_member_joins_posts_replies_votes_deletes_searches_and_subscribes_with_javascript() {
    if browser::available("with JavaScript") {
        member_flow(true).await;
    }
}

#[tokio::test]
async fn the_same_works_with_javascript_off() {
    if browser::available("without JavaScript") {
        member_flow(false).await;
    }
}

/// A live Q&A page open in the browser shows a question asked elsewhere, and then its
/// answer, without being reloaded (Server-Sent Events and assets/js/live.js).
#[tokio::test]
async fn an_open_live_session_page_updates_itself() {
    if !browser::available("live session") {
        return;
    }
    let app = spawn_app().await;
    let host = app.register("hana").await;
    app.set_role("hana", quorum::domain::Role::Leader).await;
    let ana = app.register("ana").await;
    let now = chrono::Utc::now();
    let session = app
        .post_json(
            "/zones/people/sessions",
            host.auth(),
            &serde_json::json!({"title": "Live with the CEO",
                "starts_at": (now - chrono::Duration::minutes(1)).to_rfc3339(),
                "ends_at": (now + chrono::Duration::hours(1)).to_rfc3339()}),
        )
        .await
        .expect(201);
    let sid = session["id"].as_i64().unwrap();
    let b = Browser::start(&app.address, true).await;
    b.goto(&format!("/sessions/{sid}")).await;
    b.wait_text("#questions", "No questions yet").await;
    b.mark_page().await;
    let q = app
        .post_json(
            &format!("/sessions/{sid}/questions"),
            ana.auth(),
            &serde_json::json!({"body": "Will we open an office in Lisbon?"}),
        )
        .await
        .expect(201);
    b.wait_text("#questions", "Will we open an office in Lisbon?")
        .await;
    app.post_json(
        &format!("/questions/{}/answer", q["id"]),
        host.auth(),
        &serde_json::json!({"body": "Next spring."}),
    )
    .await
    .expect(200);
    b.wait_text("#questions", "Next spring.").await;
    assert!(b.page_was_kept().await, "the page updated in place");
    b.quit().await;
}

/// A leader posts an update with a pulse from /updates; a member finds it on the home
/// page, answers the pulse and sees the results, with JavaScript off (plain forms).
#[tokio::test]
async fn a_leader_posts_an_update_and_a_member_answers_its_pulse() {
    if !browser::available("leadership updates") {
        return;
    }
    let app = spawn_app().await;
    app.register("lena").await;
    app.set_role("lena", quorum::domain::Role::Leader).await;
    app.register("ana").await;
    let leader = Browser::start(&app.address, false).await;
    leader.sign_in("lena").await;
    leader.goto("/updates").await;
    leader
        .fill("#update-body", "We move to the new office on **1 March**.")
        .await;
    leader
        .click(".update-form details:nth-of-type(2) summary")
        .await;
    leader
        .fill("#pulse-question", "Are you ready for the move?")
        .await;
    leader.click(".update-form button[type=submit]").await;
    leader.wait_text(".update-list", "new office").await;
    leader
        .wait_text(".update-list .pulse", "once 5 people have")
        .await;
    leader.quit().await;

    // Four colleagues answered already (through the API); the fifth answer shows results.
    let update = app.get("/updates", None).await.expect(200)["updates"][0]["id"].clone();
    for (name, said) in [
        ("bo", "agree"),
        ("cy", "neutral"),
        ("di", "agree"),
        ("ed", "disagree"),
    ] {
        let colleague = app.register(&format!("{name}{name}{name}")).await;
        app.post_json(
            &format!("/updates/{update}/pulse"),
            colleague.auth(),
            &serde_json::json!({ "answer": said }),
        )
        .await
        .expect(200);
    }
    let member = Browser::start(&app.address, false).await;
    member.sign_in("ana").await;
    member.goto("/").await;
    let strip = member.wait_text(".update-strip", "new office").await;
    assert!(strip.contains("Are you ready for the move?"), "{strip}");
    member.goto("/updates").await;
    member.click(".pulse input[value=agree]").await;
    member.click(".pulse button[type=submit]").await;
    let pulse = member.wait_text(".pulse", "You have answered").await;
    assert!(pulse.contains("5 answers."), "{pulse}");
    assert!(pulse.contains("3 · 60"), "three of five agree: {pulse}");
    assert_eq!(member.path().await, "/updates");
    // Its page is its thread: a reply there.
    member.click(".update-card footer a").await;
    member.wait_text("h1", "An update from").await;
    member.fill("#reply-body", "Ready, boxes packed.").await;
    member.click("#reply button[type=submit]").await;
    member.wait_text(".thread", "boxes packed").await;
    member.quit().await;
}

/// "Forgot your password?" from the sign-in page to signed in with the new one, through
/// the mailed link, with JavaScript off (the forms work without it).
#[tokio::test]
async fn a_forgotten_password_is_reset_through_the_mailed_link() {
    if !browser::available("password reset") {
        return;
    }
    let app = spawn_app().await;
    app.register("rosa").await;
    let b = Browser::start(&app.address, false).await;
    b.goto("/signin").await;
    b.click("a[href='/forgot-password']").await;
    b.fill("#email", "rosa@example.com").await;
    b.click("form[action='/forgot-password'] button[type=submit]")
        .await;
    b.wait_text("main", "If that address belongs to a member")
        .await;

    let link = app.mailed_link("rosa@example.com", "/reset-password").await;
    b.goto(&link).await;
    b.fill("#password", "a brand new passphrase").await;
    b.click("form[action='/reset-password'] button[type=submit]")
        .await;
    b.wait_text("main", "Your new password is set").await;

    b.goto("/signin").await;
    b.fill("#login", "rosa").await;
    b.fill("#password", "a brand new passphrase").await;
    b.click("form[action='/signin'] button[type=submit]").await;
    b.wait_text(".member-menu", "rosa").await;
    b.quit().await;
}
