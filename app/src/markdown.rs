//! Markdown to safe HTML: pulldown-cmark renders, ammonia removes anything that could run
//! (scripts, event handlers, `javascript:` and other non-web links, styles, iframes).
//! Pictures are never embedded (a remote picture is a tracking pixel for its host):
//! each becomes a link to it, and the Content-Security-Policy allows only our own.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Options, Parser, html};

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer nofollow ugc"))
        .add_generic_attributes(["title"])
        .add_allowed_classes("code", LANGUAGE_CLASSES.iter().copied())
        .add_allowed_classes("a", ["mention"])
        // Pictures from elsewhere are tracking pixels: none are shown (markdown images
        // become links in `render`, raw `<img>` tags go).
        .rm_tags(["img"]);
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
    let mut in_code_or_link = 0usize;
    // Pictures would be tracking pixels for whoever hosts them: each is shown as a link
    // to the picture instead, its alt text the link's text.
    let events = parser.flat_map(|event| {
        use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};
        match &event {
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                in_code_or_link += 1;
                return vec![
                    Event::Start(Tag::Link {
                        link_type: LinkType::Inline,
                        dest_url: dest_url.clone(),
                        title: title.clone(),
                        id: CowStr::from(""),
                    }),
                    Event::Text(CowStr::from("Picture: ")),
                ];
            }
            Event::End(TagEnd::Image) => {
                in_code_or_link = in_code_or_link.saturating_sub(1);
                return vec![Event::End(TagEnd::Link)];
            }
            Event::Start(Tag::CodeBlock(_) | Tag::Link { .. }) => in_code_or_link += 1,
            Event::End(TagEnd::CodeBlock | TagEnd::Link) => {
                in_code_or_link = in_code_or_link.saturating_sub(1)
            }
            Event::Text(text) if in_code_or_link == 0 && text.contains('@') => {
                return link_mentions(text);
            }
            _ => {}
        }
        vec![event]
    });
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events);
    CLEANER.clean(&unsafe_html).to_string()
}

/// What a body holds that new members are limited in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Census {
    /// Links, bare URLs that become links not counted.
    pub links: usize,
    pub images: usize,
    /// `@username` mentions (distinct or not).
    pub mentions: usize,
}

/// Counts the links, images and mentions of a body as it renders.
pub fn census(markdown: &str) -> Census {
    use pulldown_cmark::{Event, Tag};
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let mut census = Census::default();
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(Tag::Link { .. }) => census.links += 1,
            Event::Start(Tag::Image { .. }) => census.images += 1,
            _ => {}
        }
    }
    census.mentions = render(markdown).matches("class=\"mention\"").count();
    census
}

/// Splits a text run so each `@username` becomes a link to that member's profile.
fn link_mentions(text: &str) -> Vec<pulldown_cmark::Event<'static>> {
    use pulldown_cmark::{CowStr, Event};
    let mut out = Vec::new();
    let mut rest = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let boundary = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if chars[i] == '@' && boundary {
            let name: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == '_' || **c == '-')
                .collect();
            let name = name.trim_end_matches(['-', '_']).to_string();
            if (3..=30).contains(&name.len()) {
                if !rest.is_empty() {
                    out.push(Event::Text(CowStr::from(std::mem::take(&mut rest))));
                }
                let lower = name.to_lowercase();
                out.push(Event::InlineHtml(CowStr::from(format!(
                    "<a href=\"/members/{lower}\" class=\"mention\">@{name}</a>"
                ))));
                i += 1 + name.chars().count();
                continue;
            }
        }
        rest.push(chars[i]);
        i += 1;
    }
    if !rest.is_empty() {
        out.push(Event::Text(CowStr::from(rest)));
    }
    out
}

/// The prose of a member's Markdown: text outside code and links (where an `@name`
/// really is a mention).
pub fn prose_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let mut out = String::with_capacity(markdown.len());
    let mut skip = 0usize;
    for event in Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ) {
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::Link { .. }) => skip += 1,
            Event::End(TagEnd::CodeBlock | TagEnd::Link) => skip = skip.saturating_sub(1),
            Event::Text(t) if skip == 0 => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) | Event::Code(_) => out.push(' '),
            _ => {}
        }
    }
    out
}

/// The words of a member's Markdown, without markup: what search indexes.
pub fn to_text(markdown: &str) -> String {
    use pulldown_cmark::Event;
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn links_mentions_but_not_in_code() {
        let html = render("hi @Alice, see `@bob` and me@example.com");
        assert!(html.contains(r#"href="/members/alice""#), "{html}");
        assert!(!html.contains("/members/bob"), "{html}");
        assert!(!html.contains("/members/example"), "{html}");
    }

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
