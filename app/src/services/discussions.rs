//! Discussions: start, list, read, edit, delete, lock and pin.

use chrono::Utc;
use entity::{comment, discussion};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::Actor;
use super::audit::{Action, By, Target};
use super::effects::{self, Effect};
use super::items::{self, BeforeMembers, Locks};
use super::ledger;
use super::polls::{self, PollView};
use super::revisions;
use super::zones::merge;
use crate::domain::{Body, Paging, Post, SortOrder, Title};
use crate::error::{AppError, AppResult, Code, FieldErrors};
use crate::markdown;
use crate::views::{CommentView, DiscussionView, posts};

pub struct NewDiscussion {
    pub title: Title,
    pub body: Body,
    /// A poll to start it with.
    pub poll: Option<super::polls::NewPoll>,
}

impl NewDiscussion {
    pub fn parse(title: &str, body: &str) -> AppResult<Self> {
        let mut fields = FieldErrors::new();
        let title = Title::parse(title).map_err(|e| merge(&mut fields, e)).ok();
        let body = Body::parse(body).map_err(|e| merge(&mut fields, e)).ok();
        match (title, body) {
            (Some(title), Some(body)) => Ok(Self {
                title,
                body,
                poll: None,
            }),
            _ => Err(AppError::from_fields(fields)),
        }
    }
}

/// An edit: each part optional (neither changes nothing).
pub struct DiscussionEdit {
    pub title: Option<Title>,
    pub body: Option<Body>,
}

impl DiscussionEdit {
    pub fn parse(title: Option<&str>, body: Option<&str>) -> AppResult<Self> {
        let mut fields = FieldErrors::new();
        let title = title.and_then(|t| Title::parse(t).map_err(|e| merge(&mut fields, e)).ok());
        let body = body.and_then(|b| Body::parse(b).map_err(|e| merge(&mut fields, e)).ok());
        if !fields.is_empty() {
            return Err(AppError::from_fields(fields));
        }
        Ok(Self { title, body })
    }
}

pub async fn create(
    db: &DatabaseConnection,
    zone_slug: &str,
    actor: &Actor,
    new: NewDiscussion,
) -> AppResult<DiscussionView> {
    let zone = super::zones::find(db, zone_slug).await?;
    super::site::check_new_member(db, actor, new.body.as_ref()).await?;
    let now = Utc::now();
    let body_html = markdown::render(new.body.as_ref());
    let txn = crate::db::begin_write(db).await?;
    let poll = new.poll;
    let opening = Opening {
        zone_id: zone.id,
        author_id: actor.id,
        title: new.title.into_inner(),
        body: new.body.into_inner(),
        body_html,
    };
    let row = insert(&txn, opening, now).await?;
    if let Some(poll) = poll {
        polls::insert(&txn, row.id, poll, now).await?;
    }
    effects::record(&txn, Effect::DiscussionStarted { discussion: &row }, now).await?;
    txn.commit().await?;
    posts::discussion(db, row, Some(actor)).await
}

/// The opening post of a new thread: a discussion's, or an update's.
pub struct Opening {
    pub zone_id: i32,
    pub author_id: i32,
    pub title: String,
    pub body: String,
    pub body_html: String,
}

/// Inserts a new thread's row, in the writer's transaction.
pub async fn insert(
    txn: &impl ConnectionTrait,
    new: Opening,
    now: chrono::DateTime<Utc>,
) -> AppResult<discussion::Model> {
    Ok(discussion::ActiveModel {
        zone_id: Set(new.zone_id),
        author_id: Set(new.author_id),
        title: Set(new.title),
        body: Set(new.body),
        body_html: Set(new.body_html),
        score: Set(0),
        comment_count: Set(0),
        view_count: Set(0),
        recognized: Set(false),
        locked: Set(false),
        pinned: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        edited_at: Set(None),
        last_activity_at: Set(now),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}

pub async fn list(
    db: &impl ConnectionTrait,
    zone_slug: &str,
    sort: SortOrder,
    paging: Paging,
    viewer: Option<&Actor>,
) -> AppResult<(Vec<DiscussionView>, u64)> {
    let zone = super::zones::find(db, zone_slug).await?;
    list_in(db, &zone, sort, paging, viewer).await
}

/// `list`, for a zone already read.
pub async fn list_in(
    db: &impl ConnectionTrait,
    zone: &entity::zone::Model,
    sort: SortOrder,
    paging: Paging,
    viewer: Option<&Actor>,
) -> AppResult<(Vec<DiscussionView>, u64)> {
    let mut base = discussion::Entity::find()
        .filter(discussion::Column::ZoneId.eq(zone.id))
        .filter(discussion::Column::DeletedAt.is_null());
    // Hidden discussions stay out of listings, but for moderators. The zone's counts are
    // kept by triggers (m0011): the total is read, not counted.
    let mut total = i64::from(zone.live_discussions);
    if viewer.is_some_and(|a| a.role.can_moderate()) {
        total += i64::from(zone.hidden_discussions);
    } else {
        base = base.filter(discussion::Column::Hidden.eq(false));
    }
    let total = u64::try_from(total).unwrap_or(0);
    // Pinned discussions stay on top whatever the order.
    let ordered = base.order_by_desc(discussion::Column::Pinned);
    let ordered = match sort {
        SortOrder::Latest => ordered.order_by_desc(discussion::Column::CreatedAt),
        SortOrder::Top => ordered
            .order_by_desc(discussion::Column::Score)
            .order_by_desc(discussion::Column::CreatedAt),
        SortOrder::Active => ordered.order_by_desc(discussion::Column::LastActivityAt),
    };
    let rows = ordered
        .order_by_desc(discussion::Column::Id)
        .offset(paging.offset())
        .limit(paging.per_page)
        .all(db)
        .await?;
    Ok((
        posts::discussions_of(db, rows, viewer, Some(zone)).await?,
        total,
    ))
}

/// The newest discussions across every zone, for the home page.
pub async fn latest(db: &impl ConnectionTrait, limit: u64) -> AppResult<Vec<DiscussionView>> {
    let rows = discussion::Entity::find()
        .filter(discussion::Column::ZoneId.in_subquery(super::zones::open_zone_ids()))
        .filter(discussion::Column::DeletedAt.is_null())
        .filter(discussion::Column::Hidden.eq(false))
        .order_by_desc(discussion::Column::LastActivityAt)
        .order_by_desc(discussion::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    posts::discussions(db, rows, None).await
}

/// Discussions a member started: newest first, or (`best_first`) highest score first.
pub async fn by_author(
    db: &impl ConnectionTrait,
    author_id: i32,
    best_first: bool,
    limit: u64,
) -> AppResult<Vec<DiscussionView>> {
    let mut query = discussion::Entity::find()
        .filter(discussion::Column::AuthorId.eq(author_id))
        .filter(discussion::Column::DeletedAt.is_null())
        .filter(discussion::Column::Hidden.eq(false));
    if best_first {
        query = query.order_by_desc(discussion::Column::Score);
    }
    let rows = query
        .order_by_desc(discussion::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?;
    posts::discussions(db, rows, None).await
}

pub async fn update(
    db: &DatabaseConnection,
    id: i32,
    actor: &Actor,
    edit: DiscussionEdit,
) -> AppResult<DiscussionView> {
    let txn = crate::db::begin_write(db).await?;
    Locks::new(&txn).discussion(id).await?;
    let row = items::discussion(&txn, id).await?;
    if !actor.may_change(row.author_id) {
        return Err(AppError::forbidden(
            "Only the author or a moderator may edit this discussion",
        ));
    }
    if row.locked && !actor.role.can_moderate() {
        return Err(locked());
    }
    if let Some(body) = &edit.body {
        super::site::check_new_member(&txn, actor, body.as_ref()).await?;
    }
    let edit = for_update(&txn, &row, edit).await?;
    let title_changed = edit.title.as_ref().is_some_and(|t| t.as_ref() != row.title);
    let body_changed = edit.body.as_ref().is_some_and(|b| b.as_ref() != row.body);
    if !title_changed && !body_changed {
        // Nothing to change: the discussion as it is, not marked edited.
        txn.commit().await?;
        return posts::discussion(db, row, Some(actor)).await;
    }
    let now = Utc::now();
    let by_moderator = revisions::by_moderator(actor, row.author_id);
    let before = revisions::Version {
        title: Some(row.title.clone()),
        body: row.body.clone(),
        editor_id: row.author_id,
        by_moderator: row.edited_by_moderator,
        at: row.edited_at.unwrap_or(row.created_at),
    };
    let mut active: discussion::ActiveModel = row.into();
    if let Some(title) = edit.title {
        active.title = Set(title.into_inner());
    }
    if let Some(body) = edit.body {
        active.body_html = Set(markdown::render(body.as_ref()));
        active.body = Set(body.into_inner());
    }
    active.updated_at = Set(now);
    active.edited_at = Set(Some(now));
    active.edited_by_moderator = Set(by_moderator);
    let row = active.update(&txn).await?;
    let after = revisions::Version {
        title: Some(row.title.clone()),
        body: row.body.clone(),
        editor_id: actor.id,
        by_moderator,
        at: now,
    };
    revisions::record_edit(&txn, Post::Discussion(id), before, after).await?;
    let edited = Effect::DiscussionEdited {
        id: row.id,
        title_changed,
    };
    effects::record(&txn, edited, now).await?;
    if by_moderator {
        audited(&txn, actor, Action::PostEdited, Target::Discussion(id), now).await?;
    }
    txn.commit().await?;
    posts::discussion(db, row, Some(actor)).await
}

/// An edit of a leadership update keeps to its 500 characters, and its title follows
/// its body; any other edit as it is.
async fn for_update(
    txn: &impl ConnectionTrait,
    row: &discussion::Model,
    edit: DiscussionEdit,
) -> AppResult<DiscussionEdit> {
    let zone = super::zones::find_by_id(txn, row.zone_id).await?;
    if zone.kind != super::zones::UPDATES {
        return Ok(edit);
    }
    let Some(body) = edit.body else {
        return Ok(DiscussionEdit {
            title: None,
            body: None,
        });
    };
    if body.as_ref().chars().count() > crate::domain::UPDATE_BODY_MAX {
        return Err(AppError::validation(
            "body",
            format!(
                "must be at most {} characters long",
                crate::domain::UPDATE_BODY_MAX
            ),
        ));
    }
    let author = super::items::members_by_id(txn, [row.author_id]).await?;
    let name = author
        .get(&row.author_id)
        .map_or("", |m| m.username.as_str());
    let title = Title::parse(&crate::domain::update_title(body.as_ref(), name)).ok();
    Ok(DiscussionEdit {
        title,
        body: Some(body),
    })
}

/// 403 `discussion_locked`.
pub fn locked() -> AppError {
    AppError::coded(
        Code::DiscussionLocked,
        "This discussion is locked: no new comments, edits, votes or ballots",
    )
}

/// One audit row for a moderator's action, through the dispatcher.
async fn audited(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    action: Action,
    target: Target,
    now: chrono::DateTime<Utc>,
) -> AppResult<()> {
    let effect = Effect::Audited {
        by: By::actor(actor),
        action,
        target,
    };
    effects::record(txn, effect, now).await?;
    Ok(())
}

/// Deletes a discussion. Its author may not once others have replied (a moderator may).
pub async fn delete(db: &DatabaseConnection, id: i32, actor: &Actor) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    let locks = Locks::new(&txn).discussion(id).await?;
    let row = items::discussion(&txn, id).await?;
    if !actor.may_change(row.author_id) {
        return Err(AppError::forbidden(
            "Only the author or a moderator may delete this discussion",
        ));
    }
    if !actor.role.can_moderate() {
        let others = comment::Entity::find()
            .filter(comment::Column::DiscussionId.eq(id))
            .filter(comment::Column::DeletedAt.is_null())
            .filter(comment::Column::AuthorId.ne(actor.id))
            .count(&txn)
            .await?;
        if others > 0 {
            return Err(AppError::coded(
                Code::HasReplies,
                "Others have replied to this discussion, so it stays: edit it, or ask a moderator to remove it",
            ));
        }
    }
    remove(locks, &txn, id, actor, Utc::now()).await?;
    txn.commit().await?;
    Ok(())
}

/// Soft-deletes a discussion whose row `locks` holds: its votes' reputation is given
/// back, and a moderator's deletion of another's discussion is audited.
pub async fn remove<'t, C: ConnectionTrait, S: BeforeMembers>(
    locks: Locks<'t, C, S>,
    txn: &'t C,
    id: i32,
    actor: &Actor,
    now: chrono::DateTime<Utc>,
) -> AppResult<()> {
    let item = items::load(txn, Post::Discussion(id)).await?;
    discussion::Entity::update_many()
        .col_expr(discussion::Column::DeletedAt, Expr::value(now))
        .filter(discussion::Column::Id.eq(id))
        .exec(txn)
        .await?;
    let reputation_changed = ledger::item_deleted(locks, txn, &item, now).await?;
    let deleted = Effect::PostDeleted {
        post: item.post,
        reputation_changed,
    };
    effects::record(txn, deleted, now).await?;
    if actor.id != item.author_id {
        audited(txn, actor, Action::PostDeleted, Target::Discussion(id), now).await?;
    }
    Ok(())
}

/// Moderators lock (no new comments) and pin (stays on top of its zone).
pub async fn moderate(
    db: &DatabaseConnection,
    id: i32,
    actor: &Actor,
    locked: Option<bool>,
    pinned: Option<bool>,
) -> AppResult<DiscussionView> {
    if !actor.role.can_moderate() {
        return Err(AppError::forbidden(
            "Only moderators may lock or pin discussions",
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    Locks::new(&txn).discussion(id).await?;
    let row = items::discussion(&txn, id).await?;
    let before = (row.locked, row.pinned);
    let mut active: discussion::ActiveModel = row.into();
    if let Some(locked) = locked {
        active.locked = Set(locked);
    }
    if let Some(pinned) = pinned {
        active.pinned = Set(pinned);
    }
    let row = active.update(&txn).await?;
    let now = Utc::now();
    if before.0 != row.locked {
        let action = Action::Locked {
            before: before.0,
            after: row.locked,
        };
        audited(&txn, actor, action, Target::Discussion(id), now).await?;
    }
    if before.1 != row.pinned {
        let action = Action::Pinned {
            before: before.1,
            after: row.pinned,
        };
        audited(&txn, actor, action, Target::Discussion(id), now).await?;
    }
    txn.commit().await?;
    posts::discussion(db, row, Some(actor)).await
}

/// A discussion as its page and the API show it: the discussion, its thread, its poll,
/// and what the viewer may do. Reading counts a view and marks the discussion read for
/// the viewer's digest.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DiscussionWithComments {
    pub discussion: DiscussionView,
    /// In thread order: each after its parent, siblings oldest first. At most 200: the
    /// first, or (with `?after=COMMENT_ID`) those after that comment.
    pub comments: Vec<CommentView>,
    /// More comments follow: ask again with `after` = the last comment's id.
    pub more_comments: bool,
    /// The discussion's poll, if it has one.
    pub poll: Option<PollView>,
    /// Whether the viewer may edit or delete the discussion.
    #[serde(skip)]
    pub can_change: bool,
    /// Whether the viewer may reply (signed in, and the discussion open or the viewer a
    /// moderator).
    #[serde(skip)]
    pub can_reply: bool,
    /// For each comment (same order): whether the viewer may edit or delete it.
    #[serde(skip)]
    pub can_change_comment: Vec<bool>,
}

/// What reading a discussion needs: the database, the search engine (related
/// discussions), the page cache and the buffer of views.
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    pub db: &'a DatabaseConnection,
    pub search: &'a crate::search::Search,
    pub threads: &'a super::thread_cache::ThreadCache,
    pub reads: &'a super::reads::ReadBuffer,
}

/// A page of a discussion as the viewer sees it (the API's answer). The part every reader
/// sees alike comes from the page cache (one query checks its version); the viewer's
/// votes, what they may do and the poll are laid over it. Counts a view and marks the
/// discussion read, in memory (written in batches).
pub async fn page(
    r: Reader<'_>,
    id: i32,
    viewer: Option<&Actor>,
    after: Option<i32>,
) -> AppResult<(
    DiscussionWithComments,
    std::sync::Arc<super::thread_cache::Snapshot>,
)> {
    let (page, snapshot, _) = read_page(r, id, viewer, after, false).await?;
    Ok((page, snapshot))
}

/// `page`, and (`subscription`) whether the viewer has e-mail on for the discussion.
async fn read_page(
    r: Reader<'_>,
    id: i32,
    viewer: Option<&Actor>,
    after: Option<i32>,
    subscription: bool,
) -> AppResult<(
    DiscussionWithComments,
    std::sync::Arc<super::thread_cache::Snapshot>,
    bool,
)> {
    let subscriber = viewer.filter(|_| subscription).map(|a| a.id);
    let (current, unwritten) = count_view(r, id, viewer, subscriber).await?;
    let (page, snap) = build_page(r, &current, unwritten, viewer, after).await?;
    Ok((page, snap, current.subscribed))
}

/// Reads the discussion's version, stored view count and (for `subscriber`) the
/// subscription, and counts this view in memory; with the views not yet written.
async fn count_view(
    r: Reader<'_>,
    id: i32,
    viewer: Option<&Actor>,
    subscriber: Option<i32>,
) -> AppResult<(super::thread_cache::Current, i32)> {
    let _reading = r.reads.reading().await;
    let current = super::thread_cache::current(r.db, id, subscriber).await?;
    let unwritten = r.reads.viewed(id, viewer.map(|a| a.id), Utc::now());
    Ok((current, unwritten))
}

/// The page for a view already counted.
async fn build_page(
    r: Reader<'_>,
    current: &super::thread_cache::Current,
    unwritten: i32,
    viewer: Option<&Actor>,
    after: Option<i32>,
) -> AppResult<(
    DiscussionWithComments,
    std::sync::Arc<super::thread_cache::Snapshot>,
)> {
    let id = current.id;
    let snap = r.threads.snapshot(r.db, r.search, current, after).await?;
    let comment_ids: Vec<i32> = snap.comments.iter().map(|c| c.id).collect();
    let (my_vote, my_votes) = posts::my_votes_on_thread(r.db, viewer, id, &comment_ids).await?;
    let mut row = snap.discussion.clone();
    row.view_count = current.view_count.saturating_add(unwritten);
    let reveal = viewer.is_some_and(|a| a.may_change(row.author_id));
    let discussion =
        DiscussionView::build(row, snap.zone_slug.clone(), &snap.authors, my_vote, reveal)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("discussion {id} has no author")))?;
    let comments: Vec<CommentView> = snap
        .comments
        .iter()
        .map(|c| {
            let author = snap
                .authors
                .get(&c.author_id)
                .map(crate::views::MemberRef::from_model);
            let vote = my_votes.get(&c.id).copied().unwrap_or(0);
            let reveal = viewer.is_some_and(|a| a.may_change(c.author_id));
            CommentView::build(c.clone(), author, vote, reveal)
        })
        .collect();
    let poll = if snap.has_poll {
        polls::view(r.db, id, discussion.locked, viewer).await?
    } else {
        None
    };
    let may_change = |author: Option<&str>| {
        viewer.is_some_and(|a| {
            a.role.can_moderate() || author.is_some_and(|name| a.may_change_named(name))
        })
    };
    let page = DiscussionWithComments {
        can_change: may_change(Some(&discussion.author.username)),
        can_reply: viewer.is_some_and(|a| a.may_reply(discussion.locked)),
        can_change_comment: comments
            .iter()
            .map(|c| !c.deleted && may_change(c.author.as_ref().map(|a| a.username.as_str())))
            .collect(),
        discussion,
        comments,
        more_comments: snap.more_comments,
        poll,
    };
    Ok((page, snap))
}

/// A stand-in for the view count in a visitor's kept JSON page: no real count is this.
const VIEWS_SLOT: &str = "\"view_count\":-2147483648";

/// A visitor's JSON page of a discussion (the API's answer): the same for every
/// visitor but for the view count, so it is serialised once per version of the thread
/// and kept with a stand-in for the count, which each answer puts in. A discussion with
/// a poll is built each time (poll results are not versioned).
pub async fn visitor_json(r: Reader<'_>, id: i32, after: Option<i32>) -> AppResult<bytes::Bytes> {
    let (current, unwritten) = count_view(r, id, None, None).await?;
    let views = current.view_count.saturating_add(unwritten);
    let key = format!("json:{id}:{after:?}");
    if let Some(kept) = r.threads.page(&key, current.version) {
        return Ok(with_views(&kept, views));
    }
    let (mut page, _) = build_page(r, &current, unwritten, None, after).await?;
    if page.poll.is_some() {
        return Ok(serde_json::to_vec(&page)
            .map_err(anyhow::Error::from)?
            .into());
    }
    page.discussion.view_count = i32::MIN;
    let kept = bytes::Bytes::from(serde_json::to_vec(&page).map_err(anyhow::Error::from)?);
    r.threads.keep_page(key, current.version, kept.clone());
    Ok(with_views(&kept, views))
}

/// The kept JSON with the view count in place of its stand-in.
fn with_views(kept: &[u8], views: i32) -> bytes::Bytes {
    let text = String::from_utf8_lossy(kept);
    match text.split_once(VIEWS_SLOT) {
        Some((head, tail)) => {
            let mut out = String::with_capacity(text.len() + 8);
            out.push_str(head);
            out.push_str("\"view_count\":");
            out.push_str(&views.to_string());
            out.push_str(tail);
            out.into()
        }
        None => bytes::Bytes::copy_from_slice(kept),
    }
}

/// The discussion's HTML page: `page`, with the viewer's subscription.
pub async fn full_page(
    r: Reader<'_>,
    id: i32,
    viewer: Option<&Actor>,
    after: Option<i32>,
) -> AppResult<FullPage> {
    let (page, snapshot, subscribed) = read_page(r, id, viewer, after, true).await?;
    Ok(FullPage {
        page,
        snapshot,
        subscribed,
    })
}

/// What the discussion's page shows besides the discussion itself: the copy it was
/// built from (its version, zone name, quizzes and related discussions) and the
/// viewer's subscription.
#[derive(Debug)]
pub struct FullPage {
    pub page: DiscussionWithComments,
    pub snapshot: std::sync::Arc<super::thread_cache::Snapshot>,
    pub subscribed: bool,
}
