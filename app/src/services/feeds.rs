//! Atom feeds of what a visitor may read: the newest discussions, a zone's, one
//! discussion's replies, a member's posts. Hidden and deleted posts, and replies in a
//! hidden or deleted discussion, are never in a feed; a feed is the same for everyone,
//! so it carries nobody's votes or drafts. `views::atom` writes the XML.

use chrono::{DateTime, Utc};
use entity::{comment, discussion, member};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::items::{member_by_username, members_by_id};
use crate::error::{AppError, AppResult};
use crate::views::discussion_path;

/// At most this many entries per feed, newest first.
pub const ENTRIES: u64 = 30;

/// A feed, with paths relative to the site's base URL.
#[derive(Debug)]
pub struct Feed {
    pub title: String,
    pub subtitle: Option<String>,
    /// The HTML page the feed follows.
    pub page: String,
    /// The feed's own address.
    pub path: String,
    /// When the newest entry changed; the container's own time when there is none.
    pub updated: DateTime<Utc>,
    pub entries: Vec<Entry>,
}

/// One discussion or reply.
#[derive(Debug)]
pub struct Entry {
    pub title: String,
    /// The post's page (a reply's with its anchor).
    pub page: String,
    /// The post's address without the title's slug, which an edit may change: its
    /// permanent id.
    pub id: String,
    pub author: String,
    pub author_username: String,
    pub published: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// The sanitised rendering, as the page shows it.
    pub html: String,
    /// The zone's slug, for discussions.
    pub zone: Option<String>,
}

fn visible_discussions() -> sea_orm::Select<discussion::Entity> {
    discussion::Entity::find()
        .filter(discussion::Column::DeletedAt.is_null())
        .filter(discussion::Column::Hidden.eq(false))
}

fn visible_comments() -> sea_orm::Select<comment::Entity> {
    comment::Entity::find()
        .filter(comment::Column::DeletedAt.is_null())
        .filter(comment::Column::Hidden.eq(false))
}

/// Entries for discussions, with their authors and zones read in two queries.
async fn discussion_entries(
    db: &impl ConnectionTrait,
    rows: Vec<discussion::Model>,
) -> AppResult<Vec<Entry>> {
    let people = members_by_id(db, rows.iter().map(|d| d.author_id)).await?;
    let zones = super::zones::by_ids(db, rows.iter().map(|d| d.zone_id)).await?;
    Ok(rows
        .into_iter()
        .filter_map(|d| {
            let author = people.get(&d.author_id)?;
            Some(Entry {
                id: format!("/discussions/{}", d.id),
                page: discussion_path(d.id, &d.title),
                author: author.display_name.clone(),
                author_username: author.username.clone(),
                published: d.created_at,
                updated: d.edited_at.unwrap_or(d.created_at),
                html: d.body_html,
                zone: zones.get(&d.zone_id).cloned(),
                title: d.title,
            })
        })
        .collect())
}

/// Entries for replies whose discussions are in `threads` (others are left out).
async fn comment_entries(
    db: &impl ConnectionTrait,
    rows: Vec<comment::Model>,
    threads: &[discussion::Model],
) -> AppResult<Vec<Entry>> {
    let people = members_by_id(db, rows.iter().map(|c| c.author_id)).await?;
    Ok(rows
        .into_iter()
        .filter_map(|c| {
            let d = threads.iter().find(|d| d.id == c.discussion_id)?;
            let author = people.get(&c.author_id)?;
            Some(Entry {
                title: format!("Re: {}", d.title),
                page: format!("{}#comment-{}", discussion_path(d.id, &d.title), c.id),
                id: format!("/discussions/{}#comment-{}", d.id, c.id),
                author: author.display_name.clone(),
                author_username: author.username.clone(),
                published: c.created_at,
                updated: c.edited_at.unwrap_or(c.created_at),
                html: c.body_html,
                zone: None,
            })
        })
        .collect())
}

fn newest(entries: &[Entry], otherwise: DateTime<Utc>) -> DateTime<Utc> {
    entries.iter().map(|e| e.updated).max().unwrap_or(otherwise)
}

/// The newest discussions, of one zone or of all, as entries.
async fn newest_discussions(db: &impl ConnectionTrait, zone: Option<i32>) -> AppResult<Vec<Entry>> {
    let query = match zone {
        Some(zone) => visible_discussions().filter(discussion::Column::ZoneId.eq(zone)),
        // Updates have their own feed.
        None => visible_discussions()
            .filter(discussion::Column::ZoneId.in_subquery(super::zones::open_zone_ids())),
    };
    let rows = query
        .order_by_desc(discussion::Column::CreatedAt)
        .order_by_desc(discussion::Column::Id)
        .limit(ENTRIES)
        .all(db)
        .await?;
    discussion_entries(db, rows).await
}

/// The newest discussions in every zone.
pub async fn latest(db: &impl ConnectionTrait) -> AppResult<Feed> {
    let entries = newest_discussions(db, None).await?;
    Ok(Feed {
        title: "Quorum: latest discussions".into(),
        subtitle: None,
        page: "/".into(),
        path: "/feeds/latest.atom".into(),
        updated: newest(&entries, DateTime::UNIX_EPOCH),
        entries,
    })
}

/// A zone's newest discussions.
pub async fn zone(db: &impl ConnectionTrait, slug: &str) -> AppResult<Feed> {
    let zone = super::zones::find(db, slug).await?;
    let entries = newest_discussions(db, Some(zone.id)).await?;
    Ok(Feed {
        title: format!("Quorum: {}", zone.name),
        subtitle: Some(zone.description.clone()).filter(|d| !d.trim().is_empty()),
        page: format!("/zones/{}", zone.slug),
        path: format!("/zones/{}/feed.atom", zone.slug),
        updated: newest(&entries, zone.created_at),
        entries,
    })
}

/// The newest leadership updates.
pub async fn updates(db: &impl ConnectionTrait) -> AppResult<Feed> {
    let zone = super::zones::updates_zone(db).await?;
    let entries = newest_discussions(db, Some(zone.id)).await?;
    Ok(Feed {
        title: "Quorum: leadership updates".into(),
        subtitle: Some(zone.description.clone()).filter(|d| !d.trim().is_empty()),
        page: "/updates".into(),
        path: "/updates/feed.atom".into(),
        updated: newest(&entries, zone.created_at),
        entries,
    })
}

/// A discussion's newest replies (at most `ENTRIES`), then the discussion itself.
pub async fn discussion(db: &impl ConnectionTrait, id: i32) -> AppResult<Feed> {
    let d = visible_discussions()
        .filter(discussion::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Discussion"))?;
    let replies = visible_comments()
        .filter(comment::Column::DiscussionId.eq(d.id))
        .order_by_desc(comment::Column::CreatedAt)
        .order_by_desc(comment::Column::Id)
        .limit(ENTRIES)
        .all(db)
        .await?;
    let threads = std::slice::from_ref(&d);
    let mut entries = comment_entries(db, replies, threads).await?;
    entries.extend(discussion_entries(db, vec![d.clone()]).await?);
    let page = discussion_path(d.id, &d.title);
    Ok(Feed {
        title: format!("Quorum: {}", d.title),
        subtitle: None,
        path: format!("/discussions/{}/feed.atom", d.id),
        updated: newest(&entries, d.created_at),
        entries,
        page,
    })
}

/// A member's newest discussions and replies.
pub async fn member(db: &impl ConnectionTrait, username: &str) -> AppResult<Feed> {
    let who: member::Model = member_by_username(db, username).await?;
    let started = visible_discussions()
        .filter(discussion::Column::AuthorId.eq(who.id))
        .order_by_desc(discussion::Column::CreatedAt)
        .limit(ENTRIES)
        .all(db)
        .await?;
    let replies = visible_comments()
        .filter(comment::Column::AuthorId.eq(who.id))
        .order_by_desc(comment::Column::CreatedAt)
        .limit(ENTRIES)
        .all(db)
        .await?;
    let mut ids: Vec<i32> = replies.iter().map(|c| c.discussion_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let threads = if ids.is_empty() {
        Vec::new()
    } else {
        visible_discussions()
            .filter(discussion::Column::Id.is_in(ids))
            .all(db)
            .await?
    };
    let mut entries = discussion_entries(db, started).await?;
    entries.extend(comment_entries(db, replies, &threads).await?);
    entries.sort_by_key(|e| std::cmp::Reverse(e.published));
    entries.truncate(ENTRIES as usize);
    Ok(Feed {
        title: format!("Quorum: posts by {}", who.display_name),
        subtitle: None,
        page: format!("/members/{}", who.username),
        path: format!("/members/{}/feed.atom", who.username),
        updated: newest(&entries, who.created_at),
        entries,
    })
}
