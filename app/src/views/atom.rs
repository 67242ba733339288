//! A feed (`services::feeds::Feed`) written as Atom 1.0 with absolute links.

use atom_syndication as atom;
use chrono::{DateTime, FixedOffset, Utc};

use crate::error::{AppError, AppResult};
use crate::services::feeds::Feed;

/// The media type of every feed.
pub const CONTENT_TYPE: &str = "application/atom+xml; charset=utf-8";

fn time(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.fixed_offset()
}

fn link(href: String, rel: &str, mime_type: &str) -> atom::Link {
    atom::Link {
        href,
        rel: rel.into(),
        mime_type: Some(mime_type.into()),
        ..Default::default()
    }
}

/// The XML document; `base` is the site's base URL without a trailing slash.
pub fn render(feed: Feed, base: &str) -> AppResult<String> {
    let entries = feed
        .entries
        .into_iter()
        .map(|e| atom::Entry {
            title: atom::Text::plain(e.title),
            id: format!("{base}{}", e.id),
            updated: time(e.updated),
            published: Some(time(e.published)),
            authors: vec![atom::Person {
                name: e.author,
                uri: Some(format!("{base}/members/{}", e.author_username)),
                ..Default::default()
            }],
            links: vec![link(format!("{base}{}", e.page), "alternate", "text/html")],
            categories: e
                .zone
                .map(|term| atom::Category {
                    term,
                    ..Default::default()
                })
                .into_iter()
                .collect(),
            content: Some(atom::Content {
                value: Some(e.html),
                content_type: Some("html".into()),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();
    let document = atom::Feed {
        title: atom::Text::plain(feed.title),
        subtitle: feed.subtitle.map(atom::Text::plain),
        id: format!("{base}{}", feed.path),
        updated: time(feed.updated),
        // Relative links inside the posts (mentions, pictures) resolve against the site.
        base: Some(format!("{base}/")),
        links: vec![
            link(
                format!("{base}{}", feed.path),
                "self",
                "application/atom+xml",
            ),
            link(format!("{base}{}", feed.page), "alternate", "text/html"),
        ],
        generator: Some(atom::Generator {
            value: "Quorum".into(),
            ..Default::default()
        }),
        entries,
        ..Default::default()
    };
    let bytes = document
        .write_to(Vec::new())
        .map_err(|e| AppError::internal(anyhow::anyhow!("writing a feed failed: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|e| AppError::internal(anyhow::anyhow!("a feed is not UTF-8: {e}")))
}
