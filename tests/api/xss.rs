//! Members write Markdown; what reaches a browser can never run.

use serde_json::json;

use crate::helpers::spawn_app;

const PAYLOAD: &str = "Hello <script>alert('s')</script>\n\n<img src=x onerror=alert(1)>\n\n[click me](javascript:alert(2))\n\n<a href=\"javascript:alert(3)\">raw link</a> <iframe src=\"https://evil.example\"></iframe>";

const TITLE: &str = "<script>alert('t')</script> Title";

#[track_caller]
fn assert_harmless(html: &str) {
    let lower = html.to_lowercase();
    for bad in ["<script", "onerror", "javascript:", "<iframe"] {
        assert!(!lower.contains(bad), "{bad:?} survived in:\n{html}");
    }
}

#[tokio::test]
async fn body_html_is_safe_and_body_is_kept_as_written() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let d = app
        .post_json(
            "/zones/people/discussions",
            alice.auth(),
            &json!({"title": TITLE, "body": PAYLOAD}),
        )
        .await
        .expect(201);
    let id = d["id"].as_i64().expect("id");
    let c = app
        .post_json(
            &format!("/discussions/{id}/comments"),
            alice.auth(),
            &json!({"body": PAYLOAD}),
        )
        .await
        .expect(201);

    for item in [&d, &c] {
        assert_eq!(item["body"], PAYLOAD, "body keeps the Markdown as written");
        let html = item["body_html"].as_str().expect("body_html");
        assert_harmless(html);
        assert!(html.contains("Hello"), "the harmless text stays: {html}");
        assert!(html.contains("click me"), "the link text stays: {html}");
    }
    // The title is plain text: kept as written, for the page to escape.
    assert_eq!(d["title"], TITLE);
    let read = app.discussion(id, None).await;
    assert_harmless(read["discussion"]["body_html"].as_str().expect("body_html"));
    assert_harmless(
        read["comments"][0]["body_html"]
            .as_str()
            .expect("body_html"),
    );
}

#[tokio::test]
async fn edits_are_cleaned_too() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let id = app
        .start_discussion(&alice.token, "people", "Innocent", "Innocent body")
        .await;
    let c = app
        .comment(&alice.token, id, "Innocent comment", None)
        .await;

    let d = app
        .patch_json(
            &format!("/discussions/{id}"),
            alice.auth(),
            &json!({"body": PAYLOAD}),
        )
        .await
        .expect(200);
    let c = app
        .patch_json(
            &format!("/comments/{c}"),
            alice.auth(),
            &json!({"body": PAYLOAD}),
        )
        .await
        .expect(200);

    assert_harmless(d["body_html"].as_str().expect("body_html"));
    assert_harmless(c["body_html"].as_str().expect("body_html"));
}

#[tokio::test]
async fn the_discussion_page_does_not_carry_the_payload() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let d = app
        .post_json(
            "/zones/people/discussions",
            alice.auth(),
            &json!({"title": TITLE, "body": PAYLOAD}),
        )
        .await
        .expect(201);
    let id = d["id"].as_i64().expect("id");
    app.comment(&alice.token, id, PAYLOAD, None).await;

    let pages = [
        app.get_page(&format!("/discussions/{id}")).await,
        app.get_page("/zones/people").await,
        app.get_page("/").await,
    ];

    for answer in &pages {
        let page = answer.expect_html(200);
        // The page may have its own scripts; none of the member's markup may appear as markup.
        for bad in [
            "<script>alert",
            "<img src=x onerror",
            "<img src=\"x\" onerror",
            "href=\"javascript:",
            "href='javascript:",
            "<iframe",
        ] {
            assert!(
                !page.contains(bad),
                "{bad:?} appears unescaped in the page:\n{page}"
            );
        }
    }
    // The title is shown, escaped.
    let page = pages[0].expect_html(200);
    assert!(
        page.contains("&lt;script&gt;"),
        "the title should be shown escaped:\n{page}"
    );
}
