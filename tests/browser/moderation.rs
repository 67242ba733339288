//! Trust and safety in the browser: a member flags a reply, a moderator decides on it in
//! the review queue, silences a member from their profile and lifts it again, authors
//! and moderators edit replies (with the edit history and its word diff), and an admin
//! reads the audit log and changes the community settings. Every page is checked with
//! axe-core (no serious or critical violations) and saved as screenshots.

use chrono::Utc;
use fantoccini::Locator;
use quorum::domain::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

use crate::browser::{self, Browser};
use crate::helpers::{TestApp, spawn_app};

/// A day `days` from today, as a date input holds it (YYYY-MM-DD).
fn in_days(days: i64) -> String {
    (Utc::now() + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// Sets a member's reputation straight in the database.
async fn set_reputation(app: &TestApp, username: &str, reputation: i32) {
    let db = app.db().await;
    entity::member::Entity::update_many()
        .col_expr(entity::member::Column::Reputation, Expr::value(reputation))
        .filter(entity::member::Column::Username.eq(username))
        .exec(&db)
        .await
        .expect("setting a reputation");
    db.close().await.expect("closing a connection");
}

/// Signs out with the header's button, as a member would.
async fn sign_out(b: &Browser) {
    // Sign out sits in the account menu: open it first.
    b.click(".account-menu summary").await;
    b.click("form[action='/signout'] button[type=submit]").await;
    b.wait_text(".member-menu", "Sign in").await;
}

/// How many elements match right now (no waiting).
async fn count(b: &Browser, css: &str) -> usize {
    b.client.find_all(Locator::Css(css)).await.unwrap().len()
}

/// Gives a date input a value. Typing into one depends on the browser's locale; setting
/// the value is what a date picker does.
async fn set_date(b: &Browser, css: &str, ymd: &str) {
    let field = b.find(css).await;
    let arg = serde_json::to_value(&field).unwrap();
    b.client
        .execute(
            "arguments[0].value = arguments[1];",
            vec![arg, Value::from(ymd)],
        )
        .await
        .unwrap();
    assert_eq!(
        field.prop("value").await.unwrap().as_deref(),
        Some(ymd),
        "{css} did not take the date"
    );
}

/// The current page: titled, axe-clean (problems collected), saved as screenshots.
async fn check(b: &Browser, name: &str, axe: Option<&str>, problems: &mut Vec<String>) {
    b.find("main").await;
    let title = b.client.title().await.unwrap();
    if !title.contains("Quorum") {
        problems.push(format!(
            "{name}: the title {title:?} does not name the site"
        ));
    }
    // axe-core runs in the page: with JavaScript off it cannot, and the JavaScript-on
    // run of the same flow checks those pages.
    if let (Some(script), true) = (axe, b.js) {
        for v in b.axe(script).await {
            problems.push(format!(
                "{name} ({}): {} ({}) {}: {}",
                b.path().await,
                v["id"],
                v["impact"],
                v["help"],
                v["nodes"]
            ));
        }
    }
    b.screenshot(name).await;
}

fn no_problems(problems: &[String]) {
    assert!(
        problems.is_empty(),
        "pages with problems:\n{}",
        problems.join("\n")
    );
}

/// The comment as `viewer` reads it through the API.
async fn comment_as(app: &TestApp, discussion: i64, comment: i64, viewer: &str) -> Value {
    let thread = app.discussion(discussion, Some(viewer)).await;
    thread["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == comment)
        .unwrap_or_else(|| panic!("comment {comment} is not in {thread}"))
        .clone()
}

const ADVERT: &str = "Cheap watches at watches.example, best prices";

/// A member flags a reply from the discussion page, a moderator agrees in the review
/// queue and hides it, and another member then sees the hidden note in its place and not
/// its text.
#[tokio::test]
async fn a_flagged_reply_is_hidden_by_a_moderator_from_the_review_queue() {
    if browser::available("flag and review") {
        flag_and_review(true).await;
    }
}

/// The same with JavaScript off: plain forms all the way.
#[tokio::test]
async fn flagging_and_review_work_with_javascript_off() {
    if browser::available("flag and review without JavaScript") {
        flag_and_review(false).await;
    }
}

async fn flag_and_review(js: bool) {
    let app = spawn_app().await;
    let ana = app.register("ana").await;
    let ben = app.register("ben").await;
    let cara = app.register("cara").await;
    app.register_moderator("mona").await;
    let id = app
        .start_discussion(
            &ana.token,
            "people",
            "Team offsite ideas",
            "Where shall we go?",
        )
        .await;
    let advert = app.comment(&ben.token, id, ADVERT, None).await;
    let own = app
        .comment(&ana.token, id, "The lake house again?", None)
        .await;
    let axe = browser::axe_script();
    let mut problems = Vec::new();
    let b = Browser::start(&app.address, js).await;

    // Ana sees a Flag link on Ben's reply only: not on her discussion or her own reply.
    b.sign_in("ana").await;
    b.goto(&format!("/discussions/{id}")).await;
    let link = b.find(&format!("#comment-{advert} a.flag-link")).await;
    assert_eq!(
        link.attr("href").await.unwrap().as_deref(),
        Some(format!("/comments/{advert}/flag").as_str())
    );
    assert_eq!(link.text().await.unwrap().trim(), "Flag");
    assert_eq!(count(&b, &format!("#comment-{own} a.flag-link")).await, 0);
    assert_eq!(count(&b, "article.discussion a.flag-link").await, 0);

    // The flag page: four reasons, a note, a Flag button.
    link.click().await.unwrap();
    b.wait_text("h1", "Flag this reply").await;
    assert_eq!(b.path().await, format!("/comments/{advert}/flag"));
    let mut reasons = Vec::new();
    for radio in b
        .client
        .find_all(Locator::Css("input[type=radio][name=reason]"))
        .await
        .unwrap()
    {
        reasons.push(radio.attr("value").await.unwrap().unwrap_or_default());
    }
    assert_eq!(reasons, ["off_topic", "inappropriate", "spam", "other"]);
    check(&b, "moderation-flag-form", axe.as_deref(), &mut problems).await;
    b.click("input[name=reason][value=spam]").await;
    b.fill("#note", "An advert, twice this week").await;
    let submit = b.find("form[action$='/flag'] button[type=submit]").await;
    assert_eq!(submit.text().await.unwrap().trim(), "Flag");
    submit.click().await.unwrap();
    b.wait_text("h1", "Thank you").await;
    b.wait_text("main", "The moderators will look at it").await;
    check(&b, "moderation-flag-thanks", axe.as_deref(), &mut problems).await;
    // One flag from a newcomer hides nothing by itself.
    assert_eq!(
        comment_as(&app, id, advert, &cara.token).await["hidden"],
        false
    );
    sign_out(&b).await;

    // Mona, a moderator, reaches the queue from the header.
    b.sign_in("mona").await;
    let review = b.find(".member-menu a[href='/review']").await;
    assert_eq!(review.text().await.unwrap().trim(), "Review");
    review.click().await.unwrap();
    b.wait_text("h1", "Review queue").await;
    assert_eq!(b.path().await, "/review");
    let item = b.wait_text("li.review-item", ADVERT).await;
    assert!(item.contains("spam"), "the flag's reason is listed: {item}");
    assert!(
        item.contains("An advert, twice this week"),
        "the flag's note is listed: {item}"
    );
    assert!(item.contains("ben"), "the author is named: {item}");
    assert_eq!(count(&b, "li.review-item").await, 1);
    // The decision form: hide or delete, suspension fields folded away, three buttons.
    let mut actions = Vec::new();
    for o in b
        .client
        .find_all(Locator::Css("li.review-item select[name=action] option"))
        .await
        .unwrap()
    {
        actions.push(o.attr("value").await.unwrap().unwrap_or_default());
    }
    assert_eq!(actions, ["hide", "delete"]);
    for field in [
        "details select[name=suspend_kind]",
        "details input[type=date][name=suspend_until]",
        "details input[name=suspend_reason]",
        "button[name=decision][value=agree]",
        "button[name=decision][value=disagree]",
        "button[name=decision][value=defer]",
    ] {
        assert_eq!(
            count(&b, &format!("li.review-item form.review-decision {field}")).await,
            1,
            "the decision form has no {field}"
        );
    }
    check(&b, "moderation-review-queue", axe.as_deref(), &mut problems).await;
    // Opened, the suspension fields must hold up too.
    b.click("li.review-item details summary").await;
    assert!(
        b.find("li.review-item select[name=suspend_kind]")
            .await
            .is_displayed()
            .await
            .unwrap()
    );
    check(
        &b,
        "moderation-review-suspension-open",
        axe.as_deref(),
        &mut problems,
    )
    .await;

    // Agree, and hide it.
    b.find("li.review-item select[name=action]")
        .await
        .select_by_value("hide")
        .await
        .unwrap();
    b.click("li.review-item button[name=decision][value=agree]")
        .await;
    b.wait_text("main", "Nothing to review").await;
    assert_eq!(b.path().await, "/review");
    b.goto("/review?status=agreed").await;
    let decided = b.wait_text("li.review-item", "Decided").await;
    assert!(decided.contains("mona"), "{decided}");
    assert!(decided.contains("hide"), "{decided}");
    assert!(
        decided.contains("hidden"),
        "the item is tagged hidden: {decided}"
    );
    assert_eq!(count(&b, "li.review-item form.review-decision").await, 0);
    check(
        &b,
        "moderation-review-decided",
        axe.as_deref(),
        &mut problems,
    )
    .await;
    sign_out(&b).await;

    // Cara, another member, sees the note in its place and not the advert.
    b.sign_in("cara").await;
    b.goto(&format!("/discussions/{id}")).await;
    let note = b
        .wait_text(
            &format!("#comment-{advert} p.hidden-note"),
            "This reply is hidden while moderators look at it.",
        )
        .await;
    assert_eq!(
        note.trim(),
        "This reply is hidden while moderators look at it."
    );
    assert_eq!(count(&b, &format!("#comment-{advert} .body")).await, 0);
    assert!(
        !b.source().await.contains("watches.example"),
        "the hidden reply's text is not in the page"
    );
    // Her other neighbours are untouched.
    b.wait_text(&format!("#comment-{own} .body"), "The lake house again?")
        .await;
    assert_eq!(count(&b, &format!("#comment-{own} p.hidden-note")).await, 0);
    check(
        &b,
        "moderation-discussion-hidden-reply",
        axe.as_deref(),
        &mut problems,
    )
    .await;
    let seen = comment_as(&app, id, advert, &cara.token).await;
    assert_eq!(seen["hidden"], true, "{seen}");
    assert_eq!(seen["body"], Value::Null, "{seen}");
    b.quit().await;
    no_problems(&problems);
}

/// A moderator silences a member from their profile; the member reads a banner on every
/// page and cannot reply (an error page says why, with JavaScript on or off); lifting the
/// silence ends both.
#[tokio::test]
async fn a_moderator_silences_a_member_from_the_profile_and_lifts_it() {
    if !browser::available("silence") {
        return;
    }
    let app = spawn_app().await;
    let ana = app.register("ana").await;
    let sam = app.register("sam").await;
    app.register_moderator("mona").await;
    let id = app
        .start_discussion(&ana.token, "people", "Office plants", "Who waters them?")
        .await;
    const REASON: &str = "Cool off after the thread about desks";
    let axe = browser::axe_script();
    let mut problems = Vec::new();
    let moderator = Browser::start(&app.address, true).await;
    let member = Browser::start(&app.address, true).await;

    // A member does not see the box on someone else's profile.
    member.sign_in("sam").await;
    member.goto("/members/ana").await;
    member.wait_text("h1", "ana").await;
    assert_eq!(count(&member, "details.suspend-box").await, 0);

    moderator.sign_in("mona").await;
    moderator.goto("/members/sam").await;
    let summary = moderator.find("details.suspend-box summary").await;
    assert!(
        summary
            .text()
            .await
            .unwrap()
            .starts_with("Silence or suspend"),
        "{:?}",
        summary.text().await
    );
    assert_eq!(count(&moderator, "p.suspension").await, 0);
    check(
        &moderator,
        "moderation-profile-suspend-closed",
        axe.as_deref(),
        &mut problems,
    )
    .await;
    summary.click().await.unwrap();
    let form = "details.suspend-box form[action='/members/sam/suspension']";
    moderator
        .find(&format!("{form} select[name=kind]"))
        .await
        .select_by_value("silence")
        .await
        .unwrap();
    set_date(
        &moderator,
        &format!("{form} input[type=date][name=until]"),
        &in_days(7),
    )
    .await;
    moderator
        .fill(&format!("{form} input[name=reason]"), REASON)
        .await;
    check(
        &moderator,
        "moderation-profile-suspend-open",
        axe.as_deref(),
        &mut problems,
    )
    .await;
    let apply = moderator.find(&format!("{form} button[type=submit]")).await;
    assert_eq!(apply.text().await.unwrap().trim(), "Apply");
    apply.click().await.unwrap();

    let shown = moderator
        .wait_text("p.suspension", "Silenced (read-only)")
        .await;
    assert!(shown.contains(REASON), "{shown}");
    assert_eq!(moderator.path().await, "/members/sam");
    assert_eq!(count(&moderator, "details.suspend-box").await, 0);
    check(
        &moderator,
        "moderation-profile-silenced",
        axe.as_deref(),
        &mut problems,
    )
    .await;

    // Sam reads a banner on every page, with the reason.
    for (name, path) in [
        ("moderation-silenced-home", "/".to_string()),
        (
            "moderation-silenced-discussion",
            format!("/discussions/{id}"),
        ),
        (
            "moderation-silenced-own-profile",
            "/members/sam".to_string(),
        ),
        ("moderation-silenced-settings", "/settings".to_string()),
    ] {
        member.goto(&path).await;
        let banner = member.wait_text("div.notice.silenced", REASON).await;
        assert!(banner.contains("read-only"), "{path}: {banner}");
        check(&member, name, axe.as_deref(), &mut problems).await;
    }
    // Replying fails with a page that says why.
    member.goto(&format!("/discussions/{id}")).await;
    member
        .fill("#reply-body", "Plants need less water than you think.")
        .await;
    member.click("form#reply button[type=submit]").await;
    let error = member.wait_text("section.error-page", "read-only").await;
    assert!(
        error.contains("403"),
        "the error page gives the status: {error}"
    );
    assert!(error.contains(REASON), "{error}");
    check(
        &member,
        "moderation-silenced-reply-refused",
        axe.as_deref(),
        &mut problems,
    )
    .await;
    // The same as a plain form, with JavaScript off.
    let plain = Browser::start(&app.address, false).await;
    plain.sign_in("sam").await;
    plain.goto(&format!("/discussions/{id}")).await;
    plain.wait_text("div.notice.silenced", REASON).await;
    plain
        .fill("#reply-body", "Plants need less water than you think.")
        .await;
    plain.click("form#reply button[type=submit]").await;
    let error = plain.wait_text("section.error-page", "read-only").await;
    assert!(error.contains("403"), "{error}");
    plain.screenshot("moderation-silenced-reply-refused").await;
    plain.quit().await;
    let thread = app.discussion(id, None).await;
    assert_eq!(
        thread["comments"].as_array().unwrap().len(),
        0,
        "the silenced reply was saved: {thread}"
    );

    // The moderator lifts it.
    let lift = moderator
        .find("form[action='/members/sam/suspension/lift'] button[type=submit]")
        .await;
    assert_eq!(lift.text().await.unwrap().trim(), "Lift the silence");
    lift.click().await.unwrap();
    moderator.find("details.suspend-box").await;
    assert_eq!(count(&moderator, "p.suspension").await, 0);
    assert_eq!(moderator.path().await, "/members/sam");

    // Sam's banner is gone and he can reply again.
    member.goto(&format!("/discussions/{id}")).await;
    member.find("form#reply").await;
    assert_eq!(count(&member, "div.notice.silenced").await, 0);
    member
        .fill("#reply-body", "Plants need less water than you think.")
        .await;
    member.click("form#reply button[type=submit]").await;
    member
        .wait_text(
            "#comments ol.thread",
            "Plants need less water than you think.",
        )
        .await;
    let thread = app.discussion(id, Some(&sam.token)).await;
    assert_eq!(thread["comments"].as_array().unwrap().len(), 1, "{thread}");

    moderator.quit().await;
    member.quit().await;
    no_problems(&problems);
}

/// The author edits a reply, then a moderator does: the reply says "edited" (then "edited
/// by a moderator"), linking to the edit history, where changed words are marked.
#[tokio::test]
async fn edits_leave_a_history_with_marked_words_and_name_a_moderators_edit() {
    if !browser::available("revisions") {
        return;
    }
    let app = spawn_app().await;
    let ana = app.register("ana").await;
    let ben = app.register("ben").await;
    app.register_moderator("mona").await;
    let id = app
        .start_discussion(
            &ana.token,
            "people",
            "Lunch and learn",
            "Topics for Thursdays",
        )
        .await;
    let reply = app
        .comment(&ben.token, id, "Let us meet on Tuesday at noon", None)
        .await;
    let axe = browser::axe_script();
    let mut problems = Vec::new();
    let b = Browser::start(&app.address, true).await;

    b.sign_in("ben").await;
    b.goto(&format!("/discussions/{id}")).await;
    b.find(&format!("#comment-{reply} .body")).await;
    assert_eq!(count(&b, &format!("#comment-{reply} a.edited")).await, 0);
    b.click(&format!(
        "#comment-{reply} a[href='/comments/{reply}/edit']"
    ))
    .await;
    b.wait_text("h1", "Edit reply").await;
    check(&b, "moderation-edit-reply", axe.as_deref(), &mut problems).await;
    b.fill("#body", "Let us meet on Thursday at noon").await;
    b.click(&format!(
        "form[action='/comments/{reply}/edit'] button[type=submit]"
    ))
    .await;
    b.wait_text(&format!("#comment-{reply} .body"), "Thursday")
        .await;
    let edited = b.find(&format!("#comment-{reply} .meta a.edited")).await;
    assert_eq!(edited.text().await.unwrap().trim(), "edited");
    assert_eq!(
        edited.attr("href").await.unwrap().as_deref(),
        Some(format!("/comments/{reply}/revisions").as_str())
    );

    edited.click().await.unwrap();
    b.wait_text("h1", "Edit history").await;
    assert_eq!(b.path().await, format!("/comments/{reply}/revisions"));
    assert_eq!(count(&b, "li.revision").await, 2);
    let newest = b.find("li.revision").await;
    assert_eq!(
        newest.attr("id").await.unwrap().as_deref(),
        Some("revision-2")
    );
    let ins = newest.find(Locator::Css(".diff ins")).await.unwrap();
    let del = newest.find(Locator::Css(".diff del")).await.unwrap();
    assert_eq!(ins.text().await.unwrap().trim(), "Thursday");
    assert_eq!(del.text().await.unwrap().trim(), "Tuesday");
    let marked = newest
        .find_all(Locator::Css(".diff ins, .diff del"))
        .await
        .unwrap();
    assert_eq!(marked.len(), 2, "only the changed word is marked");
    let first = b.find("li.revision#revision-1").await;
    assert_eq!(
        first
            .find_all(Locator::Css("ins, del"))
            .await
            .unwrap()
            .len(),
        0,
        "the first version is shown as written"
    );
    assert!(
        first
            .text()
            .await
            .unwrap()
            .contains("Let us meet on Tuesday at noon")
    );
    assert!(!b.source().await.contains("edited by a moderator"));
    check(&b, "moderation-revisions", axe.as_deref(), &mut problems).await;
    sign_out(&b).await;

    // Mona, a moderator, tidies it.
    b.sign_in("mona").await;
    b.goto(&format!("/discussions/{id}")).await;
    b.click(&format!(
        "#comment-{reply} a[href='/comments/{reply}/edit']"
    ))
    .await;
    b.wait_text("h1", "Edit reply").await;
    b.fill("#body", "Let us meet on Thursday at one").await;
    b.click(&format!(
        "form[action='/comments/{reply}/edit'] button[type=submit]"
    ))
    .await;
    b.wait_text(&format!("#comment-{reply} .body"), "at one")
        .await;
    let edited = b
        .wait_text(&format!("#comment-{reply} .meta a.edited"), "edited")
        .await;
    assert_eq!(edited.trim(), "edited by a moderator");
    b.click(&format!("#comment-{reply} .meta a.edited")).await;
    b.wait_text("h1", "Edit history").await;
    assert_eq!(count(&b, "li.revision").await, 3);
    let newest = b.find("li.revision").await;
    assert_eq!(
        newest.attr("id").await.unwrap().as_deref(),
        Some("revision-3")
    );
    let text = newest.text().await.unwrap();
    assert!(text.contains("edited by a moderator"), "{text}");
    assert!(text.contains("mona"), "{text}");
    assert_eq!(
        newest
            .find(Locator::Css(".diff ins"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .trim(),
        "one"
    );
    assert_eq!(
        newest
            .find(Locator::Css(".diff del"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .trim(),
        "noon"
    );
    let authors = b.find("li.revision#revision-2").await.text().await.unwrap();
    assert!(
        !authors.contains("edited by a moderator"),
        "the author's own edit is not a moderator's: {authors}"
    );
    check(
        &b,
        "moderation-revisions-moderator",
        axe.as_deref(),
        &mut problems,
    )
    .await;
    b.quit().await;
    no_problems(&problems);
}

/// After a moderator decides a flag and silences a member, an admin finds both in the
/// audit log (with its filters), and changes the flags needed to hide a post on the
/// settings page: from then on one trusted member's flag hides a reply at once.
#[tokio::test]
async fn an_admin_reads_the_audit_log_and_changes_the_settings() {
    if !browser::available("audit and settings") {
        return;
    }
    let app = spawn_app().await;
    let ana = app.register("ana").await;
    let ben = app.register("ben").await;
    let mona = app.register_moderator("mona").await;
    let ada = app.register("ada").await;
    app.set_role("ada", Role::Admin).await;
    app.register("tess").await;
    set_reputation(&app, "tess", 60).await;
    let id = app
        .start_discussion(&ana.token, "people", "Parking spaces", "Fair shares?")
        .await;
    let rude = app
        .comment(&ben.token, id, "Whoever parks in bay 3 is a menace", None)
        .await;

    // The moderator's part, through the API: decide a flag, silence Ben.
    app.post_json(
        &format!("/comments/{rude}/flags"),
        ana.auth(),
        &serde_json::json!({"reason": "inappropriate"}),
    )
    .await
    .expect(201);
    let queue = app.get("/review", mona.auth()).await.expect(200);
    let item = queue["items"][0]["id"].as_i64().expect("a review item");
    app.post_json(
        &format!("/review/{item}"),
        mona.auth(),
        &serde_json::json!({"decision": "agree", "action": "hide"}),
    )
    .await
    .expect(200);
    app.post_json(
        "/members/ben/suspension",
        mona.auth(),
        &serde_json::json!({"kind": "silence", "until": in_days(3), "reason": "Name-calling"}),
    )
    .await
    .expect(200);

    let axe = browser::axe_script();
    let mut problems = Vec::new();
    let b = Browser::start(&app.address, true).await;

    // A moderator has no Audit link and may not open the log.
    b.sign_in("mona").await;
    assert_eq!(count(&b, ".member-menu a[href='/review']").await, 1);
    assert_eq!(count(&b, ".member-menu a[href='/admin/audit']").await, 0);
    b.goto("/admin/audit").await;
    b.wait_text("section.error-page", "403").await;
    assert_eq!(count(&b, "table.audit").await, 0);
    b.goto("/admin/settings").await;
    b.wait_text("section.error-page", "403").await;
    sign_out(&b).await;

    b.sign_in("ada").await;
    // The audit log is in the account menu.
    b.click(".account-menu summary").await;
    let audit = b.find(".member-menu a[href='/admin/audit']").await;
    assert_eq!(audit.text().await.unwrap().trim(), "Audit");
    audit.click().await.unwrap();
    b.wait_text("h1", "Audit log").await;
    let table = b.wait_text("table.audit", "member suspended").await;
    assert!(table.contains("flag decided"), "{table}");
    let rows = audit_rows(&b).await;
    assert!(
        rows.iter()
            .any(|(who, action)| who == "mona" && action == "member suspended"),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|(who, action)| who == "mona" && action == "flag decided"),
        "{rows:?}"
    );
    check(&b, "moderation-audit-log", axe.as_deref(), &mut problems).await;

    // Filtered by action.
    b.find("select#action")
        .await
        .select_by_value("member_suspended")
        .await
        .unwrap();
    b.click("form[action='/admin/audit'] button[type=submit]")
        .await;
    b.wait_text("table.audit", "member suspended").await;
    let rows = audit_rows(&b).await;
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|(_, action)| action == "member suspended"),
        "{rows:?}"
    );
    assert_eq!(
        b.find("select#action")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("member_suspended"),
        "the filter stays chosen"
    );
    // By actor, any action.
    b.find("select#action")
        .await
        .select_by_value("")
        .await
        .unwrap();
    b.fill("#actor", "mona").await;
    b.click("form[action='/admin/audit'] button[type=submit]")
        .await;
    b.wait_text("table.audit", "flag decided").await;
    let rows = audit_rows(&b).await;
    assert!(rows.len() >= 2, "{rows:?}");
    assert!(rows.iter().all(|(who, _)| who == "mona"), "{rows:?}");
    check(
        &b,
        "moderation-audit-log-filtered",
        axe.as_deref(),
        &mut problems,
    )
    .await;
    // Since tomorrow: nothing yet.
    b.fill("#actor", "").await;
    set_date(&b, "#since", &in_days(1)).await;
    b.click("form[action='/admin/audit'] button[type=submit]")
        .await;
    b.wait_text("main", "No entries match.").await;
    assert_eq!(count(&b, "table.audit").await, 0);

    // The settings page, from the log's link.
    b.goto("/admin/audit").await;
    b.click("main a[href='/admin/settings']").await;
    b.wait_text("h1", "Community settings").await;
    for (name, value) in [
        ("flags_to_hide", "3"),
        ("flag_min_reputation", "50"),
        ("max_mentions", "10"),
        ("new_member_reputation", "10"),
        ("mails_per_hour", "20"),
    ] {
        let input = b.find(&format!("input[type=number][name={name}]")).await;
        assert_eq!(
            input.prop("value").await.unwrap().as_deref(),
            Some(value),
            "{name}"
        );
    }
    check(
        &b,
        "moderation-admin-settings",
        axe.as_deref(),
        &mut problems,
    )
    .await;
    b.fill("#flags_to_hide", "1").await;
    let save = b
        .find("form[action='/admin/settings'] button[type=submit]")
        .await;
    assert_eq!(save.text().await.unwrap().trim(), "Save");
    save.click().await.unwrap();
    for _ in 0..50 {
        // The page may be replaced between finding the field and reading it: then
        // look again.
        if b.path().await == "/admin/settings"
            && b.find("#flags_to_hide")
                .await
                .prop("value")
                .await
                .ok()
                .flatten()
                .as_deref()
                == Some("1")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        b.find("#flags_to_hide")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("1"),
        "the saved value is shown"
    );
    let saved = app.get("/admin/settings", ada.auth()).await.expect(200);
    assert_eq!(saved["flags_to_hide"], 1, "{saved}");
    b.goto("/admin/audit?action=settings_changed").await;
    let changed = b.wait_text("table.audit", "settings changed").await;
    assert!(changed.contains("ada"), "{changed}");
    sign_out(&b).await;

    // The new setting at work: one flag from a trusted member hides a reply at once.
    let other = app
        .comment(&ana.token, id, "Bay 3 is mine by right", None)
        .await;
    assert_eq!(
        comment_as(&app, id, other, &ben.token).await["hidden"],
        false
    );
    b.sign_in("tess").await;
    b.goto(&format!("/discussions/{id}")).await;
    b.click(&format!("#comment-{other} a.flag-link")).await;
    b.click("input[name=reason][value=off_topic]").await;
    b.click("form[action$='/flag'] button[type=submit]").await;
    b.wait_text("h1", "Thank you").await;
    assert_eq!(
        comment_as(&app, id, other, &ben.token).await["hidden"],
        true,
        "with flags_to_hide 1 one flag hides"
    );
    b.goto(&format!("/discussions/{id}")).await;
    b.wait_text(
        &format!("#comment-{other} p.hidden-note"),
        "This reply is hidden while moderators look at it.",
    )
    .await;
    b.quit().await;
    no_problems(&problems);
}

/// The audit table's rows as (who, action).
async fn audit_rows(b: &Browser) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    for row in b
        .client
        .find_all(Locator::Css("table.audit tbody tr"))
        .await
        .unwrap()
    {
        let cells = row.find_all(Locator::Css("td")).await.unwrap();
        rows.push((
            cells[1].text().await.unwrap().trim().to_string(),
            cells[2].text().await.unwrap().trim().to_string(),
        ));
    }
    rows
}

#[tokio::test]
async fn an_admin_manages_webhooks_on_a_page() {
    if !browser::available("webhooks page") {
        return;
    }
    let app = spawn_app().await;
    let ada = app.register("ada").await;
    app.set_role(&ada.username, Role::Admin).await;
    app.register("mona").await;
    let axe = browser::axe_script();
    let mut problems = Vec::new();
    for js in [true, false] {
        let b = Browser::start(&app.address, js).await;
        // Members neither see the link nor open the page.
        b.sign_in("mona").await;
        assert_eq!(count(&b, ".member-menu a[href='/admin/webhooks']").await, 0);
        b.goto("/admin/webhooks").await;
        b.wait_text("section.error-page", "403").await;
        sign_out(&b).await;

        b.sign_in("ada").await;
        assert_eq!(count(&b, ".member-menu a[href='/admin/webhooks']").await, 1);
        b.goto("/admin/webhooks").await;
        b.wait_text("h1", "Webhooks").await;
        // A URL without events is refused, with the reason on the page.
        let url = format!("https://chat.example.com/hooks/{js}");
        b.fill("#url", &url).await;
        b.click("form[action='/admin/webhooks'] button[type=submit]")
            .await;
        b.wait_text("[role=alert]", "Events must name at least one event")
            .await;
        // With events: made, and its secret shown once.
        b.fill("#url", &url).await;
        b.click("input[name=event_comment_created]").await;
        b.click("input[name=event_discussion_created]").await;
        b.click("form[action='/admin/webhooks'] button[type=submit]")
            .await;
        let made = b.wait_text("[role=status]", "copy it now").await;
        let secret = b.find("code.secret").await.text().await.unwrap();
        assert_eq!(secret.trim().len(), 64, "{made}");
        let listed = b.wait_text("article.webhook", &url).await;
        assert!(
            listed.contains("discussion.created, comment.created"),
            "{listed}"
        );
        check(
            &b,
            &format!("webhooks (js {js})"),
            axe.as_deref(),
            &mut problems,
        )
        .await;
        // Shown once: the page again has no secret.
        b.goto("/admin/webhooks").await;
        assert_eq!(count(&b, "code.secret").await, 0);
        // Off, then deleted.
        b.click("article.webhook form[action$='/active'] button")
            .await;
        b.wait_text("article.webhook .meta", "Off: turned off by an admin")
            .await;
        b.click("article.webhook form[action$='/delete'] button")
            .await;
        b.wait_text("main", "No webhooks yet.").await;
        b.quit().await;
    }
    let log = app.get("/admin/audit", ada.auth()).await.expect(200);
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions.iter().filter(|a| a.starts_with("webhook_")).count(),
        6,
        "{actions:?}"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
