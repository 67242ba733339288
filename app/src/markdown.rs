//! Markdown to safe HTML: pulldown-cmark renders, ammonia removes anything that could run
//! (scripts, event handlers, `javascript:` and other non-web links, styles, iframes).

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Options, Parser, html};

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer nofollow ugc"))
        .add_generic_attributes(["title"])
        .add_allowed_classes("code", LANGUAGE_CLASSES.iter().copied());
    builder
});

/// Classes pulldown-cmark puts on fenced code blocks that we keep for highlighting.
const LANGUAGE_CLASSES: &[&str] = &[
    "language-rust",
    "language-sql",
    "language-python",
    "language-js",
    "language-javascript",
    "language-typescript",
    "language-bash",
    "language-sh",
    "language-json",
    "language-yaml",
    "language-toml",
    "language-html",
    "language-css",
    "language-java",
    "language-go",
    "language-text",
];

/// Renders a member's Markdown into HTML that is safe to put in a page.
pub fn render(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let parser = Parser::new_ext(markdown, options);
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, parser);
    CLEANER.clean(&unsafe_html).to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn renders_markdown() {
        let html = render("**bold** and [link](https://example.com)");
        assert!(html.contains("<strong>bold</strong>"));
        assert!(html.contains(r#"href="https://example.com""#));
        assert!(html.contains("nofollow"));
    }

    #[test]
    fn strips_scripts_handlers_and_javascript_links() {
        let html = render(
            "<script>alert(1)</script><img src=x onerror=alert(2)>\n\n[x](javascript:alert(3)) <a href=\"javascript:alert(4)\">y</a>\n\n<iframe src=\"https://evil\"></iframe>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains(">x</a>"), "the link text stays: {html}");
        assert!(!html.contains("<iframe"), "{html}");
    }
}

/// The words of a member's Markdown, without markup: what search indexes.
pub fn to_text(markdown: &str) -> String {
    use pulldown_cmark::Event;
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
