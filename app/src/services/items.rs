//! Posts as the rules see them, and the row locks every write takes.
//!
//! Any writer that touches a post loads it here (`load`, `discussion`, `comment`) and
//! locks rows through one `Locks` value, whose methods can only be called in the one
//! order that cannot deadlock on PostgreSQL: the discussion, then the comment, then
//! members in ascending id order. SQLite takes its write lock at `BEGIN IMMEDIATE`, so
//! there the locks cost nothing.

use std::collections::{BTreeSet, HashMap};
use std::marker::PhantomData;

use entity::{comment, discussion, member};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement};

use crate::domain::{Post, Username};
use crate::error::{AppError, AppResult};
use crate::views::discussion_path;

/// The live post behind a `Post`, with what the ledger records about it.
#[derive(Debug, Clone)]
pub struct Item {
    pub post: Post,
    pub author_id: i32,
    pub discussion_id: i32,
    pub comment_id: Option<i32>,
    pub zone_id: i32,
    pub score: i32,
    pub recognized: bool,
    /// The discussion is locked (frozen: no votes, edits or replies from members).
    pub locked: bool,
}

impl Item {
    /// A discussion row already read, as the ledger sees it.
    pub fn of_discussion(d: &discussion::Model) -> Self {
        Item {
            post: Post::Discussion(d.id),
            author_id: d.author_id,
            discussion_id: d.id,
            comment_id: None,
            zone_id: d.zone_id,
            score: d.score,
            recognized: d.recognized,
            locked: d.locked,
        }
    }
}

/// A live (not deleted) discussion row.
pub async fn discussion(db: &impl ConnectionTrait, id: i32) -> AppResult<discussion::Model> {
    discussion::Entity::find_by_id(id)
        .filter(discussion::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Discussion"))
}

/// A live comment and its (live) discussion.
pub async fn comment(
    db: &impl ConnectionTrait,
    id: i32,
) -> AppResult<(comment::Model, discussion::Model)> {
    // The comment and its discussion in one query; a comment of a deleted discussion is
    // gone with it.
    let found = comment::Entity::find_by_id(id)
        .filter(comment::Column::DeletedAt.is_null())
        .find_also_related(discussion::Entity)
        .one(db)
        .await?;
    match found {
        Some((row, Some(discussion))) if discussion.deleted_at.is_none() => Ok((row, discussion)),
        _ => Err(AppError::not_found("Comment")),
    }
}

/// The live post behind `post`.
pub async fn load(db: &impl ConnectionTrait, post: Post) -> AppResult<Item> {
    match post {
        Post::Discussion(id) => Ok(Item::of_discussion(&discussion(db, id).await?)),
        Post::Comment(id) => {
            let (c, d) = comment(db, id).await?;
            Ok(Item {
                post,
                author_id: c.author_id,
                discussion_id: d.id,
                comment_id: Some(c.id),
                zone_id: d.zone_id,
                score: c.score,
                recognized: c.recognized,
                locked: d.locked,
            })
        }
    }
}

/// Where a post is seen: its discussion's page, at the post.
pub async fn url(db: &impl ConnectionTrait, post: Post) -> AppResult<String> {
    Ok(match post {
        Post::Discussion(id) => {
            let d = discussion(db, id).await?;
            format!("{}#discussion-{id}", discussion_path(d.id, &d.title))
        }
        Post::Comment(id) => {
            let (_, d) = comment(db, id).await?;
            format!("{}#comment-{id}", discussion_path(d.id, &d.title))
        }
    })
}

/// Loads the members behind a set of ids in one query (no N+1 on listing pages).
pub async fn members_by_id(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i32>,
) -> AppResult<HashMap<i32, member::Model>> {
    let mut ids: Vec<i32> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = member::Entity::find()
        .filter(member::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|m| (m.id, m)).collect())
}

/// A member (not a former one) by username; 404 for anything else.
pub async fn member_by_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> AppResult<member::Model> {
    // Only a valid username can name a member; anything else (a NUL byte, say, which
    // PostgreSQL refuses in text) is simply not found.
    let Ok(username) = Username::parse(username) else {
        return Err(AppError::not_found("Member"));
    };
    member::Entity::find()
        .filter(member::Column::Username.eq(username.as_ref()))
        .filter(member::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Member"))
}

/// Nothing locked yet.
pub struct Start;
/// The discussion is locked: a comment or members may follow.
pub struct DiscussionLocked;
/// A comment (or a post) is locked: members may follow.
pub struct CommentLocked;
/// Members are locked: nothing may follow.
pub struct MembersLocked;

/// The stages after which a comment may still be locked.
pub trait BeforeComment {}
impl BeforeComment for Start {}
impl BeforeComment for DiscussionLocked {}

/// The stages after which members may still be locked.
pub trait BeforeMembers {}
impl BeforeMembers for Start {}
impl BeforeMembers for DiscussionLocked {}
impl BeforeMembers for CommentLocked {}

/// The row locks of one write transaction. Each method consumes the value and returns
/// the next stage, so the documented order (discussion → comment → members) is the
/// only one that compiles; concurrent writers therefore never wait on each other in a
/// cycle.
pub struct Locks<'t, C, S> {
    txn: &'t C,
    stage: PhantomData<S>,
}

impl<'t, C: ConnectionTrait> Locks<'t, C, Start> {
    pub fn new(txn: &'t C) -> Self {
        Locks {
            txn,
            stage: PhantomData,
        }
    }

    /// Locks the discussion's row.
    pub async fn discussion(self, id: i32) -> AppResult<Locks<'t, C, DiscussionLocked>> {
        row_lock(self.txn, "discussions", id).await?;
        Ok(self.next())
    }

    /// Locks one post's row: the discussion's, or the comment's.
    pub async fn post(self, post: Post) -> AppResult<Locks<'t, C, CommentLocked>> {
        match post {
            Post::Discussion(id) => row_lock(self.txn, "discussions", id).await?,
            Post::Comment(id) => row_lock(self.txn, "comments", id).await?,
        }
        Ok(self.next())
    }
}

impl<'t, C: ConnectionTrait, S: BeforeComment> Locks<'t, C, S> {
    /// Locks a comment's row.
    pub async fn comment(self, id: i32) -> AppResult<Locks<'t, C, CommentLocked>> {
        row_lock(self.txn, "comments", id).await?;
        Ok(self.next())
    }
}

impl<'t, C: ConnectionTrait, S: BeforeMembers> Locks<'t, C, S> {
    /// Locks member rows, in ascending id order, so that one member's concurrent
    /// requests (and two votes between the same members) take turns.
    pub async fn members(
        self,
        ids: impl IntoIterator<Item = i32>,
    ) -> AppResult<Locks<'t, C, MembersLocked>> {
        let ids: BTreeSet<i32> = ids.into_iter().collect();
        for id in ids {
            row_lock(self.txn, "members", id).await?;
        }
        Ok(self.next())
    }
}

impl<'t, C, S> Locks<'t, C, S> {
    fn next<T>(self) -> Locks<'t, C, T> {
        Locks {
            txn: self.txn,
            stage: PhantomData,
        }
    }
}

/// `SELECT … FOR UPDATE` on PostgreSQL; nothing on SQLite (one writer at a time).
async fn row_lock(txn: &impl ConnectionTrait, table: &'static str, id: i32) -> AppResult<()> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    txn.query_one_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        format!("SELECT id FROM {table} WHERE id = $1 FOR UPDATE"),
        [id.into()],
    ))
    .await?;
    Ok(())
}
