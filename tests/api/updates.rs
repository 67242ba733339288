//! Leadership updates (issue #18): leaders post short updates; members vote, reply and
//! answer an anonymous pulse; followers hear of them; they are searchable and have a
//! feed; their zone stays out of the zone lists.

use atom_syndication::Feed;
use quorum::domain::Role;
use reqwest::Method;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, TestUser, chars, spawn_app};
use crate::search::{discussion_hit, search_until};

async fn leader(app: &TestApp, name: &str) -> TestUser {
    let user = app.register(name).await;
    app.set_role(name, Role::Leader).await;
    user
}

async fn post_update(app: &TestApp, who: &TestUser, body: &Value) -> Value {
    app.post_json("/updates", who.auth(), body)
        .await
        .expect(201)
}

fn counts(pulse: &Value) -> Vec<Value> {
    pulse["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["count"].clone())
        .collect()
}

#[tokio::test]
async fn leaders_post_updates_that_members_vote_on_reply_to_and_answer_anonymously() {
    let app = spawn_app().await;
    let lea = leader(&app, "lea").await;
    let ann = app.register("ann").await;
    let bob = app.register("bob").await;
    let linked = app
        .start_discussion(&ann.token, "customers", "Shorter hold times", "Call-backs.")
        .await;

    // Members do not post updates.
    app.post_json("/updates", ann.auth(), &json!({"body": "Hello"}))
        .await
        .expect_error(403, "forbidden");
    app.post_json("/updates", None, &json!({"body": "Hello"}))
        .await
        .expect_error(401, "not_signed_in");

    // What is wrong is named, field by field, and nothing is written.
    app.post_json("/updates", lea.auth(), &json!({"body": chars(501)}))
        .await
        .expect_field_error(400, "validation_failed", "body");
    app.post_json(
        "/updates",
        lea.auth(),
        &json!({"body": "Hi", "discussion_id": 99999}),
    )
    .await
    .expect_field_error(400, "validation_failed", "discussion_id");
    app.post_json(
        "/updates",
        lea.auth(),
        &json!({"body": "Hi", "pulse": {"question": "Clear?", "scale": "seven"}}),
    )
    .await
    .expect_field_error(400, "validation_failed", "pulse.scale");
    let none = app.get("/updates", None).await.expect(200);
    assert_eq!(none["total"], 0);

    let update = post_update(
        &app,
        &lea,
        &json!({
            "body": "**Q3 results** are in: thank you all.\n\nDetails at the town hall.",
            "discussion_id": linked,
            "pulse": {"question": "Was the town hall useful?", "scale": "agree"},
        }),
    )
    .await;
    let id = update["id"].as_i64().unwrap();
    assert_eq!(update["author"]["username"], "lea");
    assert_eq!(update["author"]["role"], "leader");
    assert!(
        update["body_html"]
            .as_str()
            .unwrap()
            .contains("<strong>Q3 results</strong>"),
        "{update}"
    );
    assert_eq!(update["discussion_id"], linked);
    assert_eq!(update["links"].as_array().unwrap().len(), 1);
    assert_eq!(update["links"][0]["kind"], "discussion");
    assert_eq!(update["links"][0]["title"], "Shorter hold times");
    assert_eq!(
        update["links"][0]["url"],
        format!("/discussions/{linked}/shorter-hold-times")
    );
    assert_eq!(
        update["url"],
        format!("/discussions/{id}/q3-results-are-in-thank-you-all")
    );
    // Nobody sees results before five have answered, the author included.
    let pulse = &update["pulse"];
    assert_eq!(pulse["question"], "Was the town hall useful?");
    assert_eq!(pulse["scale"], "agree");
    assert_eq!(pulse["responses"], Value::Null);
    assert_eq!(pulse["results_from"], 5);
    assert_eq!(pulse["answered"], false);
    let answers: Vec<&str> = pulse["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["answer"].as_str().unwrap())
        .collect();
    assert_eq!(answers, ["agree", "neutral", "disagree"]);

    // A visitor sees the update, not the results.
    let list = app.get("/updates", None).await.expect(200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["updates"][0]["id"], id);
    assert_eq!(list["updates"][0]["pulse"]["responses"], Value::Null);
    assert_eq!(
        counts(&list["updates"][0]["pulse"]),
        [Value::Null, Value::Null, Value::Null]
    );

    // Votes and replies are the thread's own.
    let vote = app
        .post_json(
            &format!("/updates/{id}/vote"),
            ann.auth(),
            &json!({"value": 1}),
        )
        .await
        .expect(200);
    assert_eq!(vote["score"], 1);
    app.post_json(
        &format!("/updates/{id}/vote"),
        lea.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect_error(403, "self_vote");
    let reply = app
        .post_json(
            &format!("/updates/{id}/comments"),
            bob.auth(),
            &json!({"body": "Congratulations to the team."}),
        )
        .await
        .expect(201);
    let nested = app
        .post_json(
            &format!("/updates/{id}/comments"),
            ann.auth(),
            &json!({"body": "Seconded.", "parent_id": reply["id"]}),
        )
        .await
        .expect(201);
    assert_eq!(nested["parent_id"], reply["id"]);
    let seen = app
        .get(&format!("/updates/{id}"), ann.auth())
        .await
        .expect(200);
    assert_eq!(seen["score"], 1);
    assert_eq!(seen["my_vote"], 1);
    assert_eq!(seen["comment_count"], 2);
    let thread = app.discussion(id, None).await;
    assert_eq!(thread["comments"].as_array().unwrap().len(), 2);
    // The leader hears of the replies, as an author does.
    let notes = app.get("/notifications", lea.auth()).await.expect(200);
    assert!(
        notes["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "reply" && n["discussion_id"] == id),
        "{notes:#}"
    );

    // The pulse: once each, results after answering (once five have), never who said
    // what.
    let answer = |who: &TestUser, answer: &str| {
        let app = &app;
        let token = who.token.clone();
        let body = json!({ "answer": answer });
        async move {
            app.post_json(&format!("/updates/{id}/pulse"), Some(&token), &body)
                .await
        }
    };
    let answered = answer(&ann, "agree").await.expect(200);
    assert_eq!(answered["answered"], true);
    assert_eq!(
        answered["responses"],
        Value::Null,
        "one answer: no results yet"
    );
    assert_eq!(counts(&answered), [Value::Null, Value::Null, Value::Null]);
    answer(&ann, "disagree")
        .await
        .expect_error(409, "already_answered");
    answer(&bob, "5")
        .await
        .expect_field_error(400, "validation_failed", "answer");
    answer(&bob, "disagree").await.expect(200);
    for (name, said) in [("cat", "agree"), ("dan", "neutral"), ("eve", "agree")] {
        let member = app.register(name).await;
        answer(&member, said).await.expect(200);
    }
    let as_ann = app
        .get(&format!("/updates/{id}"), ann.auth())
        .await
        .expect(200);
    assert_eq!(as_ann["pulse"]["responses"], 5);
    assert_eq!(counts(&as_ann["pulse"]), [json!(3), json!(1), json!(1)]);
    let as_leader = app
        .get(&format!("/updates/{id}"), lea.auth())
        .await
        .expect(200);
    assert_eq!(as_leader["pulse"]["responses"], 5);
    assert_eq!(as_leader["pulse"]["answered"], false);
    let text = as_leader["pulse"].to_string();
    assert!(!text.contains("ann") && !text.contains("bob"), "{text}");
    // A member who has not answered still sees no results.
    let fay = app.register("fay").await;
    let as_fay = app
        .get(&format!("/updates/{id}"), fay.auth())
        .await
        .expect(200);
    assert_eq!(as_fay["pulse"]["responses"], Value::Null);
    // Nothing stored ties a member to an answer.
    let db = app.db().await;
    let responses = entity::pulse_response::Entity::find()
        .all(&db)
        .await
        .unwrap();
    assert_eq!(responses.len(), 5);

    // An update is no idea.
    app.send(
        Method::PUT,
        &format!("/api/v1/discussions/{id}/idea"),
        lea.auth(),
        Some(&json!({"status": "planned"})),
    )
    .await
    .expect_error(403, "forbidden");

    // A hidden update is gone for others, votes and replies included.
    app.set_discussion_hidden(id, true).await;
    app.get(&format!("/updates/{id}"), fay.auth())
        .await
        .expect_error(404, "not_found");
    app.post_json(
        &format!("/updates/{id}/vote"),
        fay.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect_error(404, "not_found");
    app.post_json(
        &format!("/updates/{id}/comments"),
        fay.auth(),
        &json!({"body": "Hello?"}),
    )
    .await
    .expect_error(404, "not_found");
    app.get(&format!("/updates/{id}"), lea.auth())
        .await
        .expect(200);
    app.set_discussion_hidden(id, false).await;

    // Only updates answer as updates.
    app.post_json(
        &format!("/updates/{linked}/vote"),
        bob.auth(),
        &json!({"value": 1}),
    )
    .await
    .expect_error(404, "not_found");
    app.get(&format!("/updates/{linked}"), None)
        .await
        .expect_error(404, "not_found");
    let plain = post_update(&app, &lea, &json!({"body": "No pulse here."})).await;
    app.post_json(
        &format!("/updates/{}/pulse", plain["id"]),
        ann.auth(),
        &json!({"answer": "agree"}),
    )
    .await
    .expect_error(404, "not_found");

    // By author.
    let by_lea = app.get("/updates?author=lea", None).await.expect(200);
    assert_eq!(by_lea["total"], 2);
    assert_eq!(by_lea["updates"][0]["id"], plain["id"], "newest first");
    let by_ann = app.get("/updates?author=ann", None).await.expect(200);
    assert_eq!(by_ann["total"], 0);
    app.get("/updates?author=nobody", None)
        .await
        .expect_error(404, "not_found");

    // An edit keeps to 500 characters, and the title follows the body.
    app.patch_json(
        &format!("/discussions/{id}"),
        lea.auth(),
        &json!({"body": chars(501)}),
    )
    .await
    .expect_field_error(400, "validation_failed", "body");
    let edited = app
        .patch_json(
            &format!("/discussions/{id}"),
            lea.auth(),
            &json!({"title": "Ignored", "body": "Q3 results, corrected"}),
        )
        .await
        .expect(200);
    assert_eq!(edited["title"], "Q3 results, corrected");

    // A locked update takes no more answers.
    let moderator = app.register_moderator("moe").await;
    let third = post_update(
        &app,
        &lea,
        &json!({"body": "Rate the offsite", "pulse": {"question": "How was it?", "scale": "five"}}),
    )
    .await;
    assert_eq!(counts(&third["pulse"]).len(), 5);
    app.post_json(
        &format!("/discussions/{}/lock", third["id"]),
        moderator.auth(),
        &json!({"locked": true}),
    )
    .await
    .expect(200);
    app.post_json(
        &format!("/updates/{}/pulse", third["id"]),
        ann.auth(),
        &json!({"answer": "4"}),
    )
    .await
    .expect_error(403, "discussion_locked");
}

#[tokio::test]
async fn the_updates_zone_stays_out_of_zone_lists_and_cross_zone_listings() {
    let app = spawn_app().await;
    let lea = leader(&app, "lea").await;
    let ann = app.register("ann").await;
    app.start_discussion(&ann.token, "people", "Quiet rooms", "One per floor.")
        .await;
    let update = post_update(&app, &lea, &json!({"body": "Town hall on Friday"})).await;
    let slug = app.discussion(update["id"].as_i64().unwrap(), None).await["discussion"]["zone"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(slug, "updates");

    let zones = app.get("/zones", None).await.expect(200);
    let slugs: Vec<&str> = zones["zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["customers", "people", "stakeholders"]);
    app.get("/zones/updates/discussions", None)
        .await
        .expect_error(404, "not_found");
    app.post_json(
        "/zones/updates/discussions",
        lea.auth(),
        &json!({"title": "Sneaking in", "body": "Through the side door."}),
    )
    .await
    .expect_error(404, "not_found");

    // The latest discussions' feed leaves updates out; their own feed has them.
    let latest: Feed = app
        .get_page("/feeds/latest.atom")
        .await
        .text
        .parse()
        .unwrap();
    let titles: Vec<&str> = latest
        .entries
        .iter()
        .map(|e| e.title.value.as_str())
        .collect();
    assert_eq!(titles, ["Quiet rooms"]);
    for path in ["/updates/feed.atom", "/api/v1/updates/feed.atom"] {
        let answer = app.get_page(path).await;
        answer.expect_status(200);
        let feed: Feed = answer.text.parse().unwrap();
        let titles: Vec<&str> = feed
            .entries
            .iter()
            .map(|e| e.title.value.as_str())
            .collect();
        assert_eq!(titles, ["Town hall on Friday"], "{path}");
        assert!(
            feed.entries[0].links[0]
                .href
                .ends_with(update["url"].as_str().unwrap())
        );
    }
}

#[tokio::test]
async fn followers_hear_of_a_leaders_updates_and_search_finds_them() {
    let app = spawn_app().await;
    let lea = leader(&app, "lea").await;
    let ann = app.register("ann").await;
    app.send(Method::PUT, "/api/v1/members/lea/follow", ann.auth(), None)
        .await
        .expect(200);
    let update = post_update(
        &app,
        &lea,
        &json!({"body": "Our new mentoring programme starts in March."}),
    )
    .await;
    let id = update["id"].as_i64().unwrap();

    let notes = app.get("/notifications", ann.auth()).await.expect(200);
    let followed: Vec<&Value> = notes["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "followed_update")
        .collect();
    assert_eq!(followed.len(), 1, "{notes:#}");
    assert_eq!(followed[0]["discussion_id"], id);
    assert_eq!(followed[0]["actor"]["username"], "lea");
    let feed = app.get("/feed", ann.auth()).await.expect(200);
    assert_eq!(feed["discussions"][0]["id"], id);

    let found = search_until(&app, &[("q", "mentoring")], |b| {
        discussion_hit(b, id).is_some()
    })
    .await;
    let hit = discussion_hit(&found, id).unwrap();
    assert_eq!(hit["zone"], "updates");
    assert_eq!(hit["author"], "lea");
    let narrowed = search_until(&app, &[("q", "mentoring"), ("zone", "updates")], |b| {
        discussion_hit(b, id).is_some()
    })
    .await;
    assert_eq!(narrowed["total"], 1);
}

#[tokio::test]
async fn the_updates_pages_work_without_javascript() {
    let app = spawn_app().await;
    leader(&app, "lea").await;
    app.register("ann").await;

    // A member sees no form; a leader posts through it, with a pulse.
    let member = app.browser();
    member.sign_in("ann", PASSWORD).await.expect_see_other();
    let page = member.get("/updates").await;
    assert!(!page.expect_html(200).contains("Post an update"));
    let lead = app.browser();
    lead.sign_in("lea", PASSWORD).await.expect_see_other();
    assert!(
        lead.get("/updates")
            .await
            .expect_html(200)
            .contains("Post an update")
    );
    let refused = lead
        .submit(
            "/updates",
            "/updates",
            &[("body", &chars(501)), ("pulse_question", "")],
        )
        .await;
    assert!(
        refused.expect_html(400).contains("at most 500 characters"),
        "{}",
        refused.text
    );
    let posted = lead
        .submit(
            "/updates",
            "/updates",
            &[
                ("body", "Canteen **opens** on Fridays"),
                ("discussion_id", ""),
                ("session_id", ""),
                ("pulse_question", "Will you come?"),
                ("pulse_scale", "agree"),
            ],
        )
        .await;
    assert_eq!(posted.expect_see_other(), "/updates");
    let list = app.get("/updates", None).await.expect(200);
    let id = list["updates"][0]["id"].as_i64().unwrap();
    assert_eq!(list["updates"][0]["pulse"]["question"], "Will you come?");

    // The home page's strip; /updates/{id} leads to the thread.
    let home = app.get_page("/").await;
    assert!(
        home.expect_html(200)
            .contains("Canteen <strong>opens</strong> on Fridays")
    );
    let to = app
        .get_page(&format!("/updates/{id}"))
        .await
        .expect_see_other();
    assert_eq!(to, list["updates"][0]["url"]);

    // The pulse's form answers once and comes back to the list.
    let answered = member
        .submit(
            "/updates",
            &format!("/updates/{id}/pulse"),
            &[("answer", "agree"), ("back", "list")],
        )
        .await;
    assert_eq!(answered.expect_see_other(), format!("/updates#update-{id}"));
    let page = member.get("/updates").await;
    assert!(page.expect_html(200).contains("You have answered"));

    // A discussion's edit form has its title (the form's address is no slug); an
    // update's has none; deleting an update leads back to /updates.
    let lea_token = app.login("lea", PASSWORD).await.expect(200)["token"]
        .as_str()
        .unwrap()
        .to_string();
    let plain = app
        .start_discussion(&lea_token, "people", "Quiet rooms", "One per floor.")
        .await;
    let plain_edit = lead.get(&format!("/discussions/{plain}/edit")).await;
    assert!(plain_edit.expect_html(200).contains("id=\"title\""));
    let edit = lead.get(&format!("/discussions/{id}/edit")).await;
    let html = edit.expect_html(200);
    assert!(
        html.contains("Edit update") && !html.contains("id=\"title\""),
        "{html}"
    );
    let saved = lead
        .submit(
            &format!("/discussions/{id}/edit"),
            &format!("/discussions/{id}/edit"),
            &[
                ("title", "Canteen opens on Fridays"),
                ("body", "Canteen opens on **Saturdays**"),
            ],
        )
        .await;
    saved.expect_see_other();
    let after = app.get(&format!("/updates/{id}"), None).await.expect(200);
    assert_eq!(after["body"], "Canteen opens on **Saturdays**");
    let gone = lead
        .submit(
            &format!("/discussions/{id}/edit"),
            &format!("/discussions/{id}/delete"),
            &[],
        )
        .await;
    assert_eq!(gone.expect_see_other(), "/updates");
    app.get(&format!("/updates/{id}"), None)
        .await
        .expect_error(404, "not_found");
}
