//! Edit history: every edit of a discussion or a comment keeps the version before it.
//! The first edit also stores the original, so the list is every version, oldest first;
//! an edit by a moderator (of someone else's post) says so. Search indexes only the
//! current text (the posts' own rows).

use chrono::{DateTime, Utc};
use entity::revision;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::Actor;
use super::items::{self, members_by_id};
use crate::domain::Post;
use crate::error::{AppError, AppResult};
use crate::views::MemberRef;

/// One version of a post.
pub struct Version {
    pub title: Option<String>,
    pub body: String,
    pub editor_id: i32,
    pub by_moderator: bool,
    pub at: DateTime<Utc>,
}

/// Records an edit: the original (on the first edit) and the new version.
pub async fn record_edit(
    txn: &impl ConnectionTrait,
    post: Post,
    before: Version,
    after: Version,
) -> AppResult<()> {
    let existing = revision::Entity::find()
        .filter(revision::Column::TargetKind.eq(post.kind().as_str()))
        .filter(revision::Column::TargetId.eq(post.id()))
        .count(txn)
        .await?;
    let versions = if existing == 0 {
        vec![before, after]
    } else {
        vec![after]
    };
    for v in versions {
        revision::ActiveModel {
            target_kind: Set(post.kind().as_str().to_string()),
            target_id: Set(post.id()),
            title: Set(v.title),
            body: Set(v.body),
            editor_id: Set(v.editor_id),
            by_moderator: Set(v.by_moderator),
            created_at: Set(v.at),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// Whether `editor` edits `author_id`'s post as a moderator.
pub fn by_moderator(editor: &Actor, author_id: i32) -> bool {
    editor.id != author_id && editor.role.can_moderate()
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionView {
    /// Discussions only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub body: String,
    /// Who wrote this version; null for a former member.
    pub editor: Option<MemberRef>,
    /// A moderator edited someone else's post.
    pub by_moderator: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionList {
    /// Oldest first; the last is the current text. A post never edited has one.
    pub revisions: Vec<RevisionView>,
}

/// The versions of a post the viewer can see (a hidden post's only to its author and
/// moderators; a deleted one's to nobody).
pub async fn list(
    db: &impl ConnectionTrait,
    post: Post,
    viewer: Option<&Actor>,
) -> AppResult<RevisionList> {
    let item = items::load(db, post).await?;
    let (title, body, created_at, hidden) = match post {
        Post::Discussion(id) => {
            let d = items::discussion(db, id).await?;
            (Some(d.title), d.body, d.created_at, d.hidden)
        }
        Post::Comment(id) => {
            let (c, _) = items::comment(db, id).await?;
            (None, c.body, c.created_at, c.hidden)
        }
    };
    if hidden && !viewer.is_some_and(|a| a.may_change(item.author_id)) {
        return Err(AppError::not_found(match post {
            Post::Discussion(_) => "Discussion",
            Post::Comment(_) => "Comment",
        }));
    }
    let rows = revision::Entity::find()
        .filter(revision::Column::TargetKind.eq(post.kind().as_str()))
        .filter(revision::Column::TargetId.eq(post.id()))
        .order_by_asc(revision::Column::Id)
        .all(db)
        .await?;
    let editors =
        members_by_id(db, rows.iter().map(|r| r.editor_id).chain([item.author_id])).await?;
    let editor = |id: i32| {
        editors
            .get(&id)
            .filter(|m| m.deleted_at.is_none())
            .map(MemberRef::from_model)
    };
    let revisions = if rows.is_empty() {
        vec![RevisionView {
            title,
            body,
            editor: editor(item.author_id),
            by_moderator: false,
            created_at,
        }]
    } else {
        rows.into_iter()
            .map(|r| RevisionView {
                title: r.title,
                body: r.body,
                editor: editor(r.editor_id),
                by_moderator: r.by_moderator,
                created_at: r.created_at,
            })
            .collect()
    };
    Ok(RevisionList { revisions })
}

/// One run of a word-level diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffPart {
    /// `same`, `added` or `removed`.
    pub change: &'static str,
    pub text: String,
}

/// Beyond this many word pairs the diff is "all removed, all added" (the table would
/// cost too much memory).
const DIFF_CELLS: usize = 4_000_000;

/// A word-level diff of `old` to `new` (whitespace kept with the word before it).
pub fn diff_words(old: &str, new: &str) -> Vec<DiffPart> {
    let a = words(old);
    let b = words(new);
    let mut parts: Vec<DiffPart> = Vec::new();
    let mut push = |change: &'static str, text: &str| match parts.last_mut() {
        Some(last) if last.change == change => last.text.push_str(text),
        _ => parts.push(DiffPart {
            change,
            text: text.to_string(),
        }),
    };
    if a.len().saturating_mul(b.len()) > DIFF_CELLS {
        push("removed", old);
        push("added", new);
        return parts;
    }
    // lcs[i][j]: the longest common run of a[i..] and b[j..].
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[at(i, j)] = if a[i].trim_end() == b[j].trim_end() {
                lcs[at(i + 1, j + 1)] + 1
            } else {
                lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i].trim_end() == b[j].trim_end() {
            push("same", b[j]);
            i += 1;
            j += 1;
        } else if lcs[at(i + 1, j)] >= lcs[at(i, j + 1)] {
            push("removed", a[i]);
            i += 1;
        } else {
            push("added", b[j]);
            j += 1;
        }
    }
    for w in &a[i..] {
        push("removed", w);
    }
    for w in &b[j..] {
        push("added", w);
    }
    parts
}

/// Words with the whitespace after each.
fn words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_space = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            in_space = true;
        } else if in_space {
            out.push(&text[start..i]);
            start = i;
            in_space = false;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn show(parts: &[DiffPart]) -> String {
        parts
            .iter()
            .map(|p| match p.change {
                "added" => format!("[+{}]", p.text),
                "removed" => format!("[-{}]", p.text),
                _ => p.text.clone(),
            })
            .collect()
    }

    #[test]
    fn marks_changed_words_and_keeps_the_rest() {
        let parts = diff_words("we should ship on Friday", "we could ship on Monday please");
        assert_eq!(
            show(&parts),
            "we [-should ][+could ]ship on [-Friday][+Monday please]"
        );
    }

    #[test]
    fn identical_text_is_one_same_run() {
        let parts = diff_words("a b c", "a b c");
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].change, "same");
    }
}
