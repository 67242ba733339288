//! What clients see. Built from entities, never the entities themselves, so a password
//! hash or an e-mail cannot leak by accident. The names are the contract's.

use chrono::{DateTime, Utc};
use entity::{comment, discussion, member};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::Role;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberRef {
    pub username: String,
    pub display_name: String,
    /// `member`, `leader`, `moderator` or `admin`.
    pub role: String,
    pub reputation: i32,
    /// The profile picture, 256 px (or the generated default).
    pub avatar_url: String,
    /// The same at 64 px, for lists.
    pub avatar_small_url: String,
}

impl MemberRef {
    pub fn from_model(m: &member::Model) -> Self {
        Self {
            username: m.username.clone(),
            display_name: m.display_name.clone(),
            role: Role::from_db(&m.role).as_str().to_string(),
            reputation: m.reputation,
            avatar_url: avatar_url(m, 256),
            avatar_small_url: avatar_url(m, 64),
        }
    }
}

/// An uploaded picture's address changes with each upload, so it can be cached for good.
pub fn avatar_url(m: &member::Model, size: u32) -> String {
    match m.avatar_version {
        Some(v) if size <= 64 => format!("/members/{}/avatar.png?size=64&v={v}", m.username),
        Some(v) => format!("/members/{}/avatar.png?v={v}", m.username),
        None => format!("/members/{}/avatar.svg", m.username),
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BadgeView {
    pub slug: String,
    pub name: String,
    /// `bronze`, `silver` or `gold`.
    pub tier: String,
    pub awarded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberView {
    #[serde(flatten)]
    pub member: MemberRef,
    pub badges: Vec<BadgeView>,
    pub joined_at: DateTime<Utc>,
}

impl MemberView {
    pub fn new(m: &member::Model, badges: Vec<BadgeView>) -> Self {
        Self {
            member: MemberRef::from_model(m),
            badges,
            joined_at: m.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeView {
    #[serde(flatten)]
    pub member: MemberView,
    pub email: String,
    /// False until the member follows the link mailed to them; until then they may read
    /// and edit their profile but not post, vote or follow.
    pub email_verified: bool,
    /// How the member can sign in: `password` (members made by single sign-on have
    /// none until they set one through a password reset) and `sso` (linked to the
    /// single sign-on provider).
    pub sign_in_with: Vec<String>,
}

impl MeView {
    pub fn new(m: &member::Model, badges: Vec<BadgeView>) -> Self {
        Self {
            member: MemberView::new(m, badges),
            email: m.email.clone(),
            email_verified: m.email_verified,
            sign_in_with: [
                (!m.password_hash.is_empty()).then_some("password"),
                m.oidc_subject.is_some().then_some("sso"),
            ]
            .into_iter()
            .flatten()
            .map(str::to_string)
            .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ZoneView {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub discussion_count: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiscussionView {
    pub id: i32,
    /// The zone's slug.
    pub zone: String,
    pub title: String,
    /// Markdown as written.
    pub body: String,
    /// The Markdown rendered, with anything unsafe removed.
    pub body_html: String,
    pub author: MemberRef,
    pub score: i32,
    /// -1, 0 or 1 for the signed-in member; 0 otherwise.
    pub my_vote: i32,
    pub comment_count: i32,
    pub view_count: i32,
    pub recognized: bool,
    pub locked: bool,
    pub pinned: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub edited: bool,
    /// The last edit was a moderator's.
    pub edited_by_moderator: bool,
    /// Hidden while moderators look at it (or by their decision): `body` and
    /// `body_html` are empty for everyone but the author and moderators.
    pub hidden: bool,
    /// Where the discussion's page is, e.g. `/discussions/7/how-we-onboard`.
    pub url: String,
    /// Null unless the discussion is an idea.
    pub idea: Option<Box<IdeaView>>,
}

/// Where an idea stands, and its last change.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IdeaView {
    pub status: crate::domain::IdeaStatus,
    /// The status as people read it, e.g. "Under review".
    pub label: &'static str,
    /// The note of the last change (required when it was declined).
    pub note: Option<String>,
    /// Who made the last change; null if they have left.
    pub changed_by: Option<MemberRef>,
    pub changed_at: DateTime<Utc>,
    /// Since when the idea has been in this status.
    pub since: DateTime<Utc>,
}

impl IdeaView {
    /// The idea of a discussion row, if it is one; `changer` is who made its last change.
    pub fn of(d: &discussion::Model, changer: Option<MemberRef>) -> Option<Self> {
        let status = crate::domain::IdeaStatus::parse(d.idea_status.as_deref()?)?;
        let changed_at = d.idea_changed_at.unwrap_or(d.created_at);
        Some(Self {
            status,
            label: status.label(),
            note: d.idea_note.clone(),
            changed_by: changer,
            changed_at,
            since: d.idea_since.unwrap_or(changed_at),
        })
    }
}

impl DiscussionView {
    /// `reveal`: whether the viewer sees a hidden discussion's body (its author and
    /// moderators do). `people` holds the author and who last changed its idea status.
    pub fn build(
        d: discussion::Model,
        zone_slug: String,
        people: &std::collections::HashMap<i32, member::Model>,
        my_vote: i32,
        reveal: bool,
    ) -> Option<Self> {
        let author = MemberRef::from_model(people.get(&d.author_id)?);
        let changer = d
            .idea_changed_by
            .and_then(|id| people.get(&id))
            .map(MemberRef::from_model);
        let idea = IdeaView::of(&d, changer).map(Box::new);
        let url = discussion_path(d.id, &d.title);
        let shown = !d.hidden || reveal;
        Some(Self {
            id: d.id,
            zone: zone_slug,
            title: d.title,
            body: if shown { d.body } else { String::new() },
            body_html: if shown { d.body_html } else { String::new() },
            edited_by_moderator: d.edited_by_moderator,
            hidden: d.hidden,
            author,
            score: d.score,
            my_vote,
            comment_count: d.comment_count,
            view_count: d.view_count,
            recognized: d.recognized,
            locked: d.locked,
            pinned: d.pinned,
            created_at: d.created_at,
            updated_at: d.updated_at,
            edited: d.edited_at.is_some(),
            url,
            idea,
        })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentView {
    pub id: i32,
    pub discussion_id: i32,
    pub parent_id: Option<i32>,
    /// 0 for a reply to the discussion, 1 for a reply to such a reply, and so on.
    pub depth: i32,
    /// null once deleted (or while hidden, but to its author and moderators).
    pub body: Option<String>,
    /// null once deleted (or while hidden, but to its author and moderators).
    pub body_html: Option<String>,
    /// null once deleted.
    pub author: Option<MemberRef>,
    pub score: i32,
    pub my_vote: i32,
    pub recognized: bool,
    pub deleted: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub edited: bool,
    /// The last edit was a moderator's.
    pub edited_by_moderator: bool,
    /// Hidden while moderators look at it (or by their decision): `body` and
    /// `body_html` are null for everyone but the author and moderators.
    pub hidden: bool,
}

impl CommentView {
    /// `reveal`: whether the viewer sees a hidden comment's body (its author and
    /// moderators do).
    pub fn build(c: comment::Model, author: Option<MemberRef>, my_vote: i32, reveal: bool) -> Self {
        let deleted = c.deleted_at.is_some();
        let shown = !deleted && (!c.hidden || reveal);
        Self {
            id: c.id,
            discussion_id: c.discussion_id,
            parent_id: c.parent_id,
            depth: c.depth,
            edited_by_moderator: c.edited_by_moderator,
            hidden: c.hidden,
            body: shown.then_some(c.body),
            body_html: shown.then_some(c.body_html),
            author: if deleted { None } else { author },
            score: c.score,
            my_vote,
            recognized: c.recognized,
            deleted,
            created_at: c.created_at,
            updated_at: c.updated_at,
            edited: c.edited_at.is_some(),
        }
    }
}

/// `/discussions/{id}/{slug}`: the slug is decoration, the id is what counts.
pub fn discussion_path(id: i32, title: &str) -> String {
    let slug = slugify(title);
    if slug.is_empty() {
        format!("/discussions/{id}")
    } else {
        format!("/discussions/{id}/{slug}")
    }
}

pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    let mut dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
            dash = false;
        } else if !dash && !slug.is_empty() {
            slug.push('-');
            dash = true;
        }
        if slug.len() >= 60 {
            break;
        }
    }
    slug.trim_end_matches('-').to_string()
}

pub mod atom;
pub mod charts;
pub mod posts;
