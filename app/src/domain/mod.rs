//! Parse, don't validate: each type here can only hold a valid value, and `parse` is the
//! only way in. Handlers turn requests into these in one step; services trust them.
//!
//! Limits (documented in docs/api.md): usernames 3–30 of `a-z 0-9 _ -` (input is
//! lower-cased, so uniqueness ignores case); passwords 10–1024 characters; display names
//! 1–60; titles 3–200; bodies 1–50,000; zone slugs 2–40 of `a-z 0-9 -`; zone names 2–80;
//! zone descriptions up to 500.

use std::fmt;

use crate::error::AppError;

/// A time written as RFC 3339, in UTC; otherwise the problem to name beside its field.
pub fn parse_time(raw: &str) -> Result<chrono::DateTime<chrono::Utc>, &'static str> {
    chrono::DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| "must be an RFC 3339 time, e.g. 2026-12-01T15:00:00Z")
}

pub const TITLE_MIN: usize = 3;
pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 50_000;
pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 1024;

fn char_len(s: &str) -> usize {
    s.chars().count()
}

macro_rules! string_newtype {
    ($name:ident) => {
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl $name {
            pub fn into_inner(self) -> String {
                self.0
            }
        }
    };
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);
string_newtype!(Username);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let name = raw.trim().to_lowercase();
        let len = char_len(&name);
        if len == 0 {
            return Err(AppError::validation("username", "must not be empty"));
        }
        if !(3..=30).contains(&len) {
            return Err(AppError::validation(
                "username",
                "must be 3 to 30 characters long",
            ));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        {
            return Err(AppError::validation(
                "username",
                "may only contain letters a-z, digits, _ and -",
            ));
        }
        Ok(Self(name))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);
string_newtype!(Email);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(AppError::validation("email", "must not be empty"));
        }
        let invalid = || AppError::validation("email", "is not a valid e-mail address");
        if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
        if local.is_empty()
            || local.contains('@')
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
            || !domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
        {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }
}

/// A password as typed. Never logged: `Debug` hides it.
#[derive(Clone)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let len = char_len(raw);
        if len < PASSWORD_MIN {
            return Err(AppError::validation(
                "password",
                format!("must be at least {PASSWORD_MIN} characters long"),
            ));
        }
        if len > PASSWORD_MAX {
            return Err(AppError::validation(
                "password",
                format!("must be at most {PASSWORD_MAX} characters long"),
            ));
        }
        Ok(Self(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);
string_newtype!(DisplayName);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(AppError::validation("display_name", "must not be empty"));
        }
        if char_len(name) > 60 {
            return Err(AppError::validation(
                "display_name",
                "must be at most 60 characters long",
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(AppError::validation(
                "display_name",
                "must not contain control characters",
            ));
        }
        Ok(Self(name.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);
string_newtype!(Title);

impl Title {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let title = raw.trim();
        if title.is_empty() {
            return Err(AppError::validation("title", "must not be empty"));
        }
        let len = char_len(title);
        if len < TITLE_MIN {
            return Err(AppError::validation(
                "title",
                format!("must be at least {TITLE_MIN} characters long"),
            ));
        }
        if len > TITLE_MAX {
            return Err(AppError::validation(
                "title",
                format!("must be at most {TITLE_MAX} characters long"),
            ));
        }
        if title.chars().any(char::is_control) {
            return Err(AppError::validation(
                "title",
                "must not contain control characters",
            ));
        }
        Ok(Self(title.to_string()))
    }
}

/// Markdown as the member wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body(String);
string_newtype!(Body);

/// Whether text has a character that is neither white space (as JSON Schema's `\s` has
/// it, so with U+FEFF) nor a control character: what the schemas' "not empty" patterns
/// ask for.
pub fn has_visible_char(text: &str) -> bool {
    text.chars()
        .any(|c| !c.is_whitespace() && !c.is_control() && c != '\u{feff}')
}

impl Body {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let raw = raw.replace('\0', "");
        if !has_visible_char(&raw) {
            return Err(AppError::validation("body", "must not be empty"));
        }
        if char_len(&raw) > BODY_MAX {
            return Err(AppError::validation(
                "body",
                format!("must be at most {BODY_MAX} characters long"),
            ));
        }
        Ok(Self(raw.trim_end().to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneSlug(String);
string_newtype!(ZoneSlug);

impl ZoneSlug {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let slug = raw.trim().to_lowercase();
        if slug.is_empty() {
            return Err(AppError::validation("slug", "must not be empty"));
        }
        if !(2..=40).contains(&char_len(&slug)) {
            return Err(AppError::validation(
                "slug",
                "must be 2 to 40 characters long",
            ));
        }
        if !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            || slug.starts_with('-')
            || slug.ends_with('-')
        {
            return Err(AppError::validation(
                "slug",
                "may only contain letters a-z, digits and inner hyphens",
            ));
        }
        Ok(Self(slug))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneName(String);
string_newtype!(ZoneName);

impl ZoneName {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(AppError::validation("name", "must not be empty"));
        }
        if !(2..=80).contains(&char_len(name)) {
            return Err(AppError::validation(
                "name",
                "must be 2 to 80 characters long",
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(AppError::validation(
                "name",
                "must not contain control characters",
            ));
        }
        Ok(Self(name.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneDescription(String);
string_newtype!(ZoneDescription);

impl ZoneDescription {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let text = raw.trim();
        if char_len(text) > 500 {
            return Err(AppError::validation(
                "description",
                "must be at most 500 characters long",
            ));
        }
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(AppError::validation(
                "description",
                "must not contain control characters",
            ));
        }
        Ok(Self(text.to_string()))
    }
}

/// What a member may do grows with the role: member < leader < moderator < admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Member,
    Leader,
    Moderator,
    Admin,
}

impl Role {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        match raw.trim().to_lowercase().as_str() {
            "member" => Ok(Role::Member),
            "leader" => Ok(Role::Leader),
            "moderator" => Ok(Role::Moderator),
            "admin" => Ok(Role::Admin),
            _ => Err(AppError::validation(
                "role",
                "must be one of member, leader, moderator, admin",
            )),
        }
    }

    /// Rows hold the role as text; anything unknown is treated as the least privilege.
    pub fn from_db(raw: &str) -> Self {
        Self::parse(raw).unwrap_or(Role::Member)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Leader => "leader",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    pub fn can_moderate(self) -> bool {
        self >= Role::Moderator
    }
}

/// Where an idea stands: proposed (by its author or a leader), then moved by leaders.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IdeaStatus {
    Proposed,
    UnderReview,
    Planned,
    Adopted,
    Declined,
}

impl IdeaStatus {
    pub const ALL: [IdeaStatus; 5] = [
        IdeaStatus::Proposed,
        IdeaStatus::UnderReview,
        IdeaStatus::Planned,
        IdeaStatus::Adopted,
        IdeaStatus::Declined,
    ];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw.trim())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IdeaStatus::Proposed => "proposed",
            IdeaStatus::UnderReview => "under_review",
            IdeaStatus::Planned => "planned",
            IdeaStatus::Adopted => "adopted",
            IdeaStatus::Declined => "declined",
        }
    }

    /// As people read it.
    pub fn label(self) -> &'static str {
        match self {
            IdeaStatus::Proposed => "Proposed",
            IdeaStatus::UnderReview => "Under review",
            IdeaStatus::Planned => "Planned",
            IdeaStatus::Adopted => "Adopted",
            IdeaStatus::Declined => "Declined",
        }
    }

    /// The field error for a value that is not a status.
    pub fn invalid(field: &str) -> AppError {
        AppError::validation(
            field,
            "must be one of proposed, under_review, planned, adopted, declined",
        )
    }
}

/// Listing order of a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    #[default]
    Latest,
    Top,
    Active,
}

impl SortOrder {
    pub fn parse(raw: Option<&str>) -> Result<Self, AppError> {
        match raw.map(str::trim) {
            None | Some("") | Some("latest") => Ok(SortOrder::Latest),
            Some("top") => Ok(SortOrder::Top),
            Some("active") => Ok(SortOrder::Active),
            Some(_) => Err(AppError::validation(
                "sort",
                "must be one of latest, top, active",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Latest => "latest",
            SortOrder::Top => "top",
            SortOrder::Active => "active",
        }
    }
}

/// A page of a listing: page from 1, per_page 1–100 (default 20).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u64,
    pub per_page: u64,
}

impl Paging {
    pub const DEFAULT_PER_PAGE: u64 = 20;
    pub const MAX_PER_PAGE: u64 = 100;

    pub fn parse(page: Option<&str>, per_page: Option<&str>) -> Result<Self, AppError> {
        // Absent: the first page. Present, it must be a number (`page=` is not one).
        let page = match page.map(str::trim) {
            None => 1,
            Some(raw) => match raw.parse::<u64>() {
                Ok(n) if (1..=1_000_000).contains(&n) => n,
                _ => {
                    return Err(AppError::validation(
                        "page",
                        "must be a whole number from 1",
                    ));
                }
            },
        };
        let per_page = match per_page.map(str::trim) {
            None => Self::DEFAULT_PER_PAGE,
            Some(raw) => match raw.parse::<u64>() {
                Ok(n) if (1..=Self::MAX_PER_PAGE).contains(&n) => n,
                _ => {
                    return Err(AppError::validation(
                        "per_page",
                        format!("must be a whole number from 1 to {}", Self::MAX_PER_PAGE),
                    ));
                }
            },
        };
        Ok(Self { page, per_page })
    }

    pub fn offset(self) -> u64 {
        (self.page - 1) * self.per_page
    }
}

/// The longest leadership update, in characters of Markdown.
pub const UPDATE_BODY_MAX: usize = 500;
/// The longest title made from an update's first line.
const UPDATE_TITLE_MAX: usize = 80;

/// A title for the update's thread (search results, feeds, notifications): its first
/// line without Markdown's marks, cut at a word near 80 characters.
pub fn update_title(body: &str, author: &str) -> String {
    let first = body
        .lines()
        .map(|l| {
            l.trim()
                .trim_start_matches(['#', '>', '-', '*', '+', ' '])
                .replace(['*', '_', '`', '[', ']'], "")
        })
        .find(|l| crate::domain::has_visible_char(l))
        .unwrap_or_default();
    let words: Vec<&str> = first.split_whitespace().collect();
    let mut title = String::new();
    for word in words {
        if title.chars().count() + word.chars().count() + 1 > UPDATE_TITLE_MAX {
            if title.is_empty() {
                title = word.chars().take(UPDATE_TITLE_MAX).collect();
            }
            title.push('…');
            break;
        }
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(word);
    }
    if title.chars().count() < 3 {
        format!("An update from {author}")
    } else {
        title
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_cased_and_checked() {
        assert_eq!(
            Username::parse(" Alice ").map(|u| u.into_inner()).ok(),
            Some("alice".into())
        );
        assert!(Username::parse("al").is_err());
        assert!(Username::parse("a".repeat(31).as_str()).is_err());
        assert!(Username::parse("bad name").is_err());
        assert!(Username::parse("émile").is_err());
        assert!(Username::parse("ok_name-1").is_ok());
    }

    #[test]
    fn emails_need_a_domain_with_a_dot() {
        assert!(Email::parse("a@b.co").is_ok());
        assert!(Email::parse("nope").is_err());
        assert!(Email::parse("a@b").is_err());
        assert!(Email::parse("a b@c.de").is_err());
        assert_eq!(
            Email::parse("A@Example.COM")
                .map(|e| e.domain().to_string())
                .ok(),
            Some("example.com".into())
        );
    }

    #[test]
    fn titles_and_bodies_have_limits() {
        assert!(Title::parse("  ").is_err());
        assert!(Title::parse("ab").is_err());
        assert!(Title::parse(&"x".repeat(201)).is_err());
        assert!(Body::parse(&"x".repeat(50_001)).is_err());
        assert!(Body::parse("hi").is_ok());
    }

    #[test]
    fn paging_rejects_nonsense() {
        assert!(Paging::parse(Some("0"), None).is_err());
        assert!(Paging::parse(None, Some("101")).is_err());
        assert!(Paging::parse(Some("x"), None).is_err());
        assert_eq!(
            Paging::parse(Some("3"), Some("10"))
                .map(|p| p.offset())
                .ok(),
            Some(20)
        );
    }

    #[test]
    fn roles_order_by_privilege() {
        assert!(Role::Admin.can_moderate());
        assert!(Role::Moderator.can_moderate());
        assert!(!Role::Leader.can_moderate());
        assert!(Role::parse("owner").is_err());
    }
}

/// The two kinds of post: a discussion's opening post, or a comment. The serialised and
/// stored form (`discussion`, `comment`) is what votes, search documents and the API use.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum PostKind {
    Discussion,
    Comment,
}

impl PostKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PostKind::Discussion => "discussion",
            PostKind::Comment => "comment",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "discussion" => Some(PostKind::Discussion),
            "comment" => Some(PostKind::Comment),
            _ => None,
        }
    }
}

/// One post: what a vote, a recognition, a badge or a search document is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Post {
    Discussion(i32),
    Comment(i32),
}

impl Post {
    pub fn new(kind: PostKind, id: i32) -> Self {
        match kind {
            PostKind::Discussion => Post::Discussion(id),
            PostKind::Comment => Post::Comment(id),
        }
    }

    pub fn kind(self) -> PostKind {
        match self {
            Post::Discussion(_) => PostKind::Discussion,
            Post::Comment(_) => PostKind::Comment,
        }
    }

    pub fn id(self) -> i32 {
        match self {
            Post::Discussion(id) | Post::Comment(id) => id,
        }
    }

    /// The one key per post across kinds (search documents, per-item badges):
    /// `d-{id}` or `c-{id}`.
    pub fn key(self) -> String {
        match self {
            Post::Discussion(id) => format!("d-{id}"),
            Post::Comment(id) => format!("c-{id}"),
        }
    }
}

#[cfg(test)]
mod post_tests {
    use super::{Post, PostKind};

    #[test]
    fn keys_and_kinds_round_trip() {
        assert_eq!(Post::Discussion(7).key(), "d-7");
        assert_eq!(Post::Comment(9).key(), "c-9");
        for post in [Post::Discussion(3), Post::Comment(4)] {
            let kind = PostKind::parse(post.kind().as_str());
            assert_eq!(kind.map(|k| Post::new(k, post.id())), Some(post));
        }
    }
}

/// `?after=COMMENT_ID` of a thread's page: None when absent or empty.
pub fn parse_after(raw: Option<&str>) -> Result<Option<i32>, AppError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(raw) => raw
            .parse::<i32>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| AppError::validation("after", "must be a comment's id")),
    }
}

#[cfg(test)]
mod update_title_tests {
    use super::update_title;

    #[test]
    fn titles_come_from_the_first_line() {
        assert_eq!(
            update_title("## Q3 results are **in**\n\nMore later.", "ann"),
            "Q3 results are in"
        );
        let long = "word ".repeat(40);
        let t = update_title(&long, "ann");
        assert!(t.ends_with('…') && t.chars().count() <= 81, "{t}");
        assert_eq!(update_title("  \n ok", "ann"), "An update from ann");
    }
}
