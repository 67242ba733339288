//! Flags and the review queue. A verified member flags a post (a discussion, a comment
//! or a live question) once, with a reason. Each flagged post has one review item.
//! When the flags of members with enough reputation, each weighed by how often that
//! member's flags were agreed with, reach the threshold (`site::SiteSettings`), the
//! post is hidden at once, pending review. A moderator agrees (hide or delete, and
//! perhaps suspend the author), disagrees (the flags are cleared, a hidden post shown
//! again) or defers; the flaggers and the author are told (`Effect::FlagsDecided`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{comment, discussion, flag, member, qa_question, review};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::Actor;
use super::audit::By;
use super::effects::{self, Effect, Flagged};
use super::items::{self, Locks, members_by_id};
use super::suspensions::{self, NewSuspension};
use super::{comments, discussions, site};
use crate::domain::Post;
use crate::error::{AppError, AppResult, Code};
use crate::views::{MemberRef, discussion_path};

/// Why a post is flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    OffTopic,
    Inappropriate,
    Spam,
    /// "Needs a moderator's look", with a note.
    Other,
}

impl Reason {
    pub fn parse(raw: &str) -> AppResult<Self> {
        match raw {
            "off_topic" => Ok(Reason::OffTopic),
            "inappropriate" => Ok(Reason::Inappropriate),
            "spam" => Ok(Reason::Spam),
            "other" => Ok(Reason::Other),
            _ => Err(AppError::validation(
                "reason",
                "must be off_topic, inappropriate, spam or other",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::OffTopic => "off_topic",
            Reason::Inappropriate => "inappropriate",
            Reason::Spam => "spam",
            Reason::Other => "other",
        }
    }
}

/// A flag as asked for.
pub struct NewFlag {
    pub reason: Reason,
    pub note: Option<String>,
}

impl NewFlag {
    /// Notes are at most 500 characters (with `other`, they say what to look at).
    pub fn parse(reason: &str, note: Option<&str>) -> AppResult<Self> {
        let reason = Reason::parse(reason)?;
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if let Some(n) = note
            && (n.chars().count() > 500 || n.chars().any(|c| c.is_control() && c != '\n'))
        {
            return Err(AppError::validation(
                "note",
                "must be at most 500 characters of text",
            ));
        }
        Ok(Self {
            reason,
            note: note.map(str::to_string),
        })
    }
}

/// What is flagged, as the caller names it.
#[derive(Debug, Clone, Copy)]
pub enum FlagTarget {
    Discussion(i32),
    Comment(i32),
    Question(i32),
}

/// A flagged post as the rules see it.
struct Target {
    post: Flagged,
    author_id: i32,
    hidden: bool,
}

async fn target(db: &impl ConnectionTrait, target: FlagTarget) -> AppResult<Target> {
    Ok(match target {
        FlagTarget::Discussion(id) => {
            let d = items::discussion(db, id).await?;
            Target {
                post: Flagged::Discussion(id),
                author_id: d.author_id,
                hidden: d.hidden,
            }
        }
        FlagTarget::Comment(id) => {
            let (c, _) = items::comment(db, id).await?;
            Target {
                post: Flagged::Comment {
                    id,
                    discussion_id: c.discussion_id,
                },
                author_id: c.author_id,
                hidden: c.hidden,
            }
        }
        FlagTarget::Question(id) => {
            let q = qa_question::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| AppError::not_found("Question"))?;
            Target {
                post: Flagged::Question {
                    id,
                    session_id: q.session_id,
                },
                author_id: q.author_id,
                hidden: q.hidden,
            }
        }
    })
}

/// Hides (or shows) a post.
async fn set_hidden(txn: &impl ConnectionTrait, post: Flagged, hidden: bool) -> AppResult<()> {
    match post {
        Flagged::Discussion(id) => {
            discussion::Entity::update_many()
                .col_expr(discussion::Column::Hidden, Expr::value(hidden))
                .filter(discussion::Column::Id.eq(id))
                .exec(txn)
                .await?;
        }
        Flagged::Comment { id, .. } => {
            comment::Entity::update_many()
                .col_expr(comment::Column::Hidden, Expr::value(hidden))
                .filter(comment::Column::Id.eq(id))
                .exec(txn)
                .await?;
        }
        Flagged::Question { id, .. } => {
            qa_question::Entity::update_many()
                .col_expr(qa_question::Column::Hidden, Expr::value(hidden))
                .filter(qa_question::Column::Id.eq(id))
                .exec(txn)
                .await?;
        }
    }
    Ok(())
}

/// How much a member's flag weighs: 1 for a newcomer, less as more of their decided
/// flags are disagreed with, back toward 1 as they are agreed with.
pub fn weight(agreed: i32, disagreed: i32) -> f64 {
    let (a, d) = (
        f64::from(Ord::max(agreed, 0)),
        f64::from(Ord::max(disagreed, 0)),
    );
    (a + 2.0) / (a + d + 2.0)
}

/// A flag as its author sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FlagCreated {
    pub id: i32,
    /// `pending`, `agreed` or `disagreed`.
    pub status: String,
}

/// Flags a post. 409 `already_flagged` for a second flag of the same member.
pub async fn flag(
    db: &DatabaseConnection,
    actor: &Actor,
    on: FlagTarget,
    new: NewFlag,
) -> AppResult<FlagCreated> {
    let txn = crate::db::begin_write(db).await?;
    match on {
        FlagTarget::Discussion(id) => {
            Locks::new(&txn).post(Post::Discussion(id)).await?;
        }
        FlagTarget::Comment(id) => {
            Locks::new(&txn).post(Post::Comment(id)).await?;
        }
        FlagTarget::Question(_) => {}
    }
    let t = target(&txn, on).await?;
    if t.author_id == actor.id {
        return Err(AppError::coded(
            Code::SelfFlag,
            "You cannot flag your own post; edit or delete it instead",
        ));
    }
    let now = Utc::now();
    // One review item per post, made by whichever flag comes first.
    review::Entity::insert(review::ActiveModel {
        target_kind: Set(t.post.kind().to_string()),
        target_id: Set(t.post.id()),
        author_id: Set(t.author_id),
        status: Set("pending".into()),
        flag_count: Set(0),
        hidden: Set(false),
        created_at: Set(now),
        last_flagged_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([review::Column::TargetKind, review::Column::TargetId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let item = review::Entity::find()
        .filter(review::Column::TargetKind.eq(t.post.kind()))
        .filter(review::Column::TargetId.eq(t.post.id()))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a review item went missing")))?;
    let already = flag::Entity::find()
        .filter(flag::Column::ReviewId.eq(item.id))
        .filter(flag::Column::MemberId.eq(actor.id))
        .one(&txn)
        .await?;
    if already.is_some() {
        return Err(AppError::coded(
            Code::AlreadyFlagged,
            "You have flagged this post already; the moderators will look at it",
        ));
    }
    let row = flag::ActiveModel {
        review_id: Set(item.id),
        member_id: Set(actor.id),
        reason: Set(new.reason.as_str().to_string()),
        note: Set(new.note),
        status: Set("pending".into()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // New flags after a "disagree" or a "defer" put the post back in the queue.
    let status = if item.status == "agreed" {
        "agreed"
    } else {
        "pending"
    };
    review::Entity::update_many()
        .col_expr(
            review::Column::FlagCount,
            Expr::col(review::Column::FlagCount).add(1),
        )
        .col_expr(review::Column::LastFlaggedAt, Expr::value(now))
        .col_expr(review::Column::Status, Expr::value(status))
        .filter(review::Column::Id.eq(item.id))
        .exec(&txn)
        .await?;
    if status == "pending" && !t.hidden && reached_threshold(&txn, item.id).await? {
        set_hidden(&txn, t.post, true).await?;
        review::Entity::update_many()
            .col_expr(review::Column::Hidden, Expr::value(true))
            .filter(review::Column::Id.eq(item.id))
            .exec(&txn)
            .await?;
        let hidden = Effect::PostHidden {
            post: t.post,
            author: t.author_id,
            hidden: true,
            by_flags: true,
            by: By::default(),
        };
        effects::record(&txn, hidden, now).await?;
    }
    txn.commit().await?;
    Ok(FlagCreated {
        id: row.id,
        status: row.status,
    })
}

/// Whether the pending flags of a review item, from members with enough reputation and
/// weighed by their record, reach the threshold.
async fn reached_threshold(txn: &impl ConnectionTrait, review_id: i32) -> AppResult<bool> {
    let settings = site::get(txn).await?;
    let flaggers: Vec<i32> = flag::Entity::find()
        .filter(flag::Column::ReviewId.eq(review_id))
        .filter(flag::Column::Status.eq("pending"))
        .all(txn)
        .await?
        .into_iter()
        .map(|f| f.member_id)
        .collect();
    let members = members_by_id(txn, flaggers).await?;
    let total: f64 = members
        .values()
        .filter(|m| m.reputation >= settings.flag_min_reputation)
        .map(|m| weight(m.flags_agreed, m.flags_disagreed))
        .sum();
    Ok(total + 1e-9 >= f64::from(settings.flags_to_hide))
}

/// A moderator's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Agree,
    Disagree,
    Defer,
}

impl Decision {
    pub fn parse(raw: &str) -> AppResult<Self> {
        match raw {
            "agree" => Ok(Decision::Agree),
            "disagree" => Ok(Decision::Disagree),
            "defer" => Ok(Decision::Defer),
            _ => Err(AppError::validation(
                "decision",
                "must be agree, disagree or defer",
            )),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Decision::Agree => "agree",
            Decision::Disagree => "disagree",
            Decision::Defer => "defer",
        }
    }
}

/// What an agreeing moderator does to the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    Hide,
    Delete,
}

impl Removal {
    pub fn parse(raw: &str) -> AppResult<Self> {
        match raw {
            "hide" => Ok(Removal::Hide),
            "delete" => Ok(Removal::Delete),
            _ => Err(AppError::validation("action", "must be hide or delete")),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Removal::Hide => "hide",
            Removal::Delete => "delete",
        }
    }
}

/// Decides a review item. Agreeing may also suspend the author (`suspend`); `removal`
/// and `suspend` are ignored unless agreeing.
pub async fn decide(
    db: &DatabaseConnection,
    actor: &Actor,
    review_id: i32,
    decision: Decision,
    removal: Option<Removal>,
    suspend: Option<NewSuspension>,
) -> AppResult<ReviewItem> {
    if !actor.role.can_moderate() {
        return Err(AppError::forbidden("Only moderators review flags"));
    }
    // Only agreeing hides, deletes or suspends; otherwise those parts are ignored.
    let (removal, suspend) = if decision == Decision::Agree {
        (removal, suspend)
    } else {
        (None, None)
    };
    let txn = crate::db::begin_write(db).await?;
    let item = review::Entity::find_by_id(review_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("Review item"))?;
    if item.status == "agreed" || item.status == "disagreed" {
        return Err(AppError::coded(
            Code::AlreadyDecided,
            "Another moderator has decided this one already",
        ));
    }
    let now = Utc::now();
    let on = match item.target_kind.as_str() {
        "discussion" => FlagTarget::Discussion(item.target_id),
        "comment" => FlagTarget::Comment(item.target_id),
        _ => FlagTarget::Question(item.target_id),
    };
    let t = target(&txn, on).await?;
    let pending: Vec<flag::Model> = flag::Entity::find()
        .filter(flag::Column::ReviewId.eq(item.id))
        .filter(flag::Column::Status.eq("pending"))
        .all(&txn)
        .await?;
    let flaggers: Vec<i32> = pending.iter().map(|f| f.member_id).collect();
    let mut hidden = item.hidden;
    let mut restored = false;
    let removal = match decision {
        Decision::Agree => Some(removal.unwrap_or(Removal::Hide)),
        _ => None,
    };
    match removal {
        Some(Removal::Hide) => {
            set_hidden(&txn, t.post, true).await?;
            hidden = true;
        }
        Some(Removal::Delete) => {
            remove(&txn, t.post, actor, now).await?;
        }
        None => {}
    }
    if decision == Decision::Disagree && t.hidden {
        set_hidden(&txn, t.post, false).await?;
        hidden = false;
        restored = true;
    }
    if decision != Decision::Defer {
        let (status, column) = if decision == Decision::Agree {
            ("agreed", member::Column::FlagsAgreed)
        } else {
            ("disagreed", member::Column::FlagsDisagreed)
        };
        flag::Entity::update_many()
            .col_expr(flag::Column::Status, Expr::value(status))
            .filter(flag::Column::ReviewId.eq(item.id))
            .filter(flag::Column::Status.eq("pending"))
            .exec(&txn)
            .await?;
        member::Entity::update_many()
            .col_expr(column, Expr::col(column).add(1))
            .filter(member::Column::Id.is_in(flaggers.clone()))
            .exec(&txn)
            .await?;
    }
    let status = match decision {
        Decision::Agree => "agreed",
        Decision::Disagree => "disagreed",
        Decision::Defer => "deferred",
    };
    let mut row: review::ActiveModel = item.into();
    row.status = Set(status.to_string());
    row.hidden = Set(hidden);
    row.action = Set(removal.map(|r| r.as_str().to_string()));
    row.decided_by = Set(Some(actor.id));
    row.decided_at = Set(Some(now));
    let item = row.update(&txn).await?;
    if let Some(new) = suspend {
        let author = member::Entity::find_by_id(t.author_id)
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::not_found("Member"))?;
        suspensions::suspend_in(&txn, actor, author, new).await?;
    }
    let decided = Effect::FlagsDecided {
        review_id: item.id,
        post: t.post,
        author: t.author_id,
        flaggers,
        decision: decision.as_str(),
        action: removal.map(Removal::as_str),
        restored,
        by: By::actor(actor),
    };
    effects::record(&txn, decided, now).await?;
    txn.commit().await?;
    let mut views = views(db, vec![item]).await?;
    views
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a review view went missing")))
}

/// Deletes a flagged post for a moderator who agreed: discussions and comments as their
/// authors' deletions do (reputation given back); a question is dismissed and hidden.
async fn remove(
    txn: &impl ConnectionTrait,
    post: Flagged,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<()> {
    match post {
        Flagged::Discussion(id) => {
            let locks = Locks::new(txn).discussion(id).await?;
            discussions::remove(locks, txn, id, actor, now).await
        }
        Flagged::Comment { id, discussion_id } => {
            let locks = Locks::new(txn)
                .discussion(discussion_id)
                .await?
                .comment(id)
                .await?;
            comments::remove(locks, txn, id, actor, now).await
        }
        Flagged::Question { id, .. } => {
            qa_question::Entity::update_many()
                .col_expr(qa_question::Column::Hidden, Expr::value(true))
                .col_expr(qa_question::Column::Dismissed, Expr::value(true))
                .filter(qa_question::Column::Id.eq(id))
                .exec(txn)
                .await?;
            Ok(())
        }
    }
}

/// One flag as moderators see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FlagView {
    pub id: i32,
    /// Null for a former member.
    pub member: Option<MemberRef>,
    /// `off_topic`, `inappropriate`, `spam` or `other`.
    pub reason: String,
    pub note: Option<String>,
    /// `pending`, `agreed` or `disagreed`.
    pub status: String,
    /// How much the flag weighs toward hiding the post (the flagger's record).
    pub weight: f64,
    pub created_at: DateTime<Utc>,
}

/// What a review item is about.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewTarget {
    /// `discussion`, `comment` or `question`.
    pub kind: String,
    pub id: i32,
    /// The discussion it is in (null for a live question).
    pub discussion_id: Option<i32>,
    /// The live session, for a question.
    pub session_id: Option<i32>,
    /// Where the post is seen.
    pub url: String,
    /// The discussion's title (the context).
    pub title: Option<String>,
    /// The post's text as written.
    pub body: String,
    pub author: Option<MemberRef>,
    pub created_at: DateTime<Utc>,
    pub deleted: bool,
}

/// The author's record, for the moderator deciding.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorHistory {
    /// Earlier review items about the author's posts that moderators agreed with.
    pub flags_agreed_against: u64,
    /// Every review item about the author's posts.
    pub review_items: u64,
    /// The silence or suspension in force, if any.
    pub suspension: Option<suspensions::SuspensionView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewItem {
    pub id: i32,
    pub target: ReviewTarget,
    pub flags: Vec<FlagView>,
    /// `pending`, `agreed`, `disagreed` or `deferred`.
    pub status: String,
    /// The post is hidden from members (by flags, or by an agreeing moderator).
    pub hidden: bool,
    /// `hide` or `delete`, once agreed.
    pub action: Option<String>,
    pub decided_by: Option<MemberRef>,
    pub decided_at: Option<DateTime<Utc>>,
    pub author_history: AuthorHistory,
    pub created_at: DateTime<Utc>,
    pub last_flagged_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewList {
    pub items: Vec<ReviewItem>,
    /// Items waiting for a decision, whatever the filter.
    pub pending: u64,
}

/// The queue's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueOrder {
    /// Most recently flagged first.
    Newest,
    /// Most flags first.
    MostFlagged,
}

/// Reads the queue's `status` (pending by default; `all`) and `sort` from a query.
pub fn queue_params(
    query: &HashMap<String, String>,
) -> AppResult<(Option<&'static str>, QueueOrder)> {
    let status = query.get("status").map(String::as_str);
    let sort = query.get("sort").map(String::as_str);
    let status = match status.unwrap_or("") {
        "" | "pending" => Some("pending"),
        "all" => None,
        "agreed" => Some("agreed"),
        "disagreed" => Some("disagreed"),
        "deferred" => Some("deferred"),
        _ => {
            return Err(AppError::validation(
                "status",
                "must be pending, agreed, disagreed, deferred or all",
            ));
        }
    };
    let order = match sort.unwrap_or("") {
        "" | "newest" => QueueOrder::Newest,
        "most_flagged" => QueueOrder::MostFlagged,
        _ => {
            return Err(AppError::validation(
                "sort",
                "must be newest or most_flagged",
            ));
        }
    };
    Ok((status, order))
}

/// The review queue (moderators): `status` one of pending, agreed, disagreed, deferred
/// (all when None); at most 100 items.
pub async fn queue(
    db: &impl ConnectionTrait,
    actor: &Actor,
    status: Option<&str>,
    order: QueueOrder,
) -> AppResult<ReviewList> {
    if !actor.role.can_moderate() {
        return Err(AppError::forbidden("Only moderators see the review queue"));
    }
    let mut query = review::Entity::find();
    if let Some(status) = status {
        query = query.filter(review::Column::Status.eq(status));
    }
    if order == QueueOrder::MostFlagged {
        query = query.order_by_desc(review::Column::FlagCount);
    }
    let rows = query
        .order_by_desc(review::Column::LastFlaggedAt)
        .order_by_desc(review::Column::Id)
        .limit(100)
        .all(db)
        .await?;
    let pending = review::Entity::find()
        .filter(review::Column::Status.eq("pending"))
        .count(db)
        .await?;
    Ok(ReviewList {
        items: views(db, rows).await?,
        pending,
    })
}

/// Review items as moderators see them, in a fixed number of queries.
async fn views(db: &impl ConnectionTrait, rows: Vec<review::Model>) -> AppResult<Vec<ReviewItem>> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let flags = flag::Entity::find()
        .filter(flag::Column::ReviewId.is_in(ids))
        .order_by_asc(flag::Column::Id)
        .all(db)
        .await?;
    let of_kind = |kind: &str| -> Vec<i32> {
        rows.iter()
            .filter(|r| r.target_kind == kind)
            .map(|r| r.target_id)
            .collect()
    };
    let comments: HashMap<i32, comment::Model> = comment::Entity::find()
        .filter(comment::Column::Id.is_in(of_kind("comment")))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let questions: HashMap<i32, qa_question::Model> = qa_question::Entity::find()
        .filter(qa_question::Column::Id.is_in(of_kind("question")))
        .all(db)
        .await?
        .into_iter()
        .map(|q| (q.id, q))
        .collect();
    let discussion_ids: Vec<i32> = of_kind("discussion")
        .into_iter()
        .chain(comments.values().map(|c| c.discussion_id))
        .collect();
    let discussions: HashMap<i32, discussion::Model> = discussion::Entity::find()
        .filter(discussion::Column::Id.is_in(discussion_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let authors: Vec<i32> = rows.iter().map(|r| r.author_id).collect();
    let members = members_by_id(
        db,
        flags
            .iter()
            .map(|f| f.member_id)
            .chain(authors.iter().copied())
            .chain(rows.iter().filter_map(|r| r.decided_by)),
    )
    .await?;
    // The authors' records: every review item about them, in one query.
    let history_rows = review::Entity::find()
        .filter(review::Column::AuthorId.is_in(authors))
        .all(db)
        .await?;
    let mref = |id: i32| {
        members
            .get(&id)
            .filter(|m| m.deleted_at.is_none())
            .map(MemberRef::from_model)
    };
    let now = Utc::now();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let target = match r.target_kind.as_str() {
            "discussion" => discussions.get(&r.target_id).map(|d| ReviewTarget {
                kind: r.target_kind.clone(),
                id: d.id,
                discussion_id: Some(d.id),
                session_id: None,
                url: discussion_path(d.id, &d.title),
                title: Some(d.title.clone()),
                body: d.body.clone(),
                author: mref(d.author_id),
                created_at: d.created_at,
                deleted: d.deleted_at.is_some(),
            }),
            "comment" => comments.get(&r.target_id).map(|c| {
                let d = discussions.get(&c.discussion_id);
                ReviewTarget {
                    kind: r.target_kind.clone(),
                    id: c.id,
                    discussion_id: Some(c.discussion_id),
                    session_id: None,
                    url: d.map_or_else(
                        || format!("/discussions/{}", c.discussion_id),
                        |d| format!("{}#comment-{}", discussion_path(d.id, &d.title), c.id),
                    ),
                    title: d.map(|d| d.title.clone()),
                    body: c.body.clone(),
                    author: mref(c.author_id),
                    created_at: c.created_at,
                    deleted: c.deleted_at.is_some() || d.is_none_or(|d| d.deleted_at.is_some()),
                }
            }),
            _ => questions.get(&r.target_id).map(|q| ReviewTarget {
                kind: r.target_kind.clone(),
                id: q.id,
                discussion_id: None,
                session_id: Some(q.session_id),
                url: format!("/sessions/{}#question-{}", q.session_id, q.id),
                title: None,
                body: q.body.clone(),
                author: mref(q.author_id),
                created_at: q.created_at,
                deleted: q.dismissed,
            }),
        };
        let Some(target) = target else { continue };
        let history: Vec<&review::Model> = history_rows
            .iter()
            .filter(|h| h.author_id == r.author_id)
            .collect();
        let author_history = AuthorHistory {
            flags_agreed_against: history
                .iter()
                .filter(|h| h.status == "agreed" && h.id != r.id)
                .count() as u64,
            review_items: history.len() as u64,
            suspension: members
                .get(&r.author_id)
                .and_then(|m| suspensions::active(m, now))
                .map(|(_, s)| s),
        };
        let flags = flags
            .iter()
            .filter(|f| f.review_id == r.id)
            .map(|f| FlagView {
                id: f.id,
                member: mref(f.member_id),
                reason: f.reason.clone(),
                note: f.note.clone(),
                status: f.status.clone(),
                weight: members
                    .get(&f.member_id)
                    .map_or(1.0, |m| weight(m.flags_agreed, m.flags_disagreed)),
                created_at: f.created_at,
            })
            .collect();
        out.push(ReviewItem {
            id: r.id,
            target,
            flags,
            status: r.status,
            hidden: r.hidden,
            action: r.action,
            decided_by: r.decided_by.and_then(mref),
            decided_at: r.decided_at,
            author_history,
            created_at: r.created_at,
            last_flagged_at: r.last_flagged_at,
        });
    }
    Ok(out)
}

/// A member's own flag and its outcome.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyFlag {
    pub id: i32,
    /// `discussion`, `comment` or `question`.
    pub kind: String,
    pub target_id: i32,
    pub reason: String,
    /// `pending`, `agreed` or `disagreed`.
    pub status: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyFlags {
    pub flags: Vec<MyFlag>,
}

/// The member's flags, newest first (at most 100), with their outcomes.
pub async fn mine(db: &impl ConnectionTrait, actor: &Actor) -> AppResult<MyFlags> {
    let rows = flag::Entity::find()
        .filter(flag::Column::MemberId.eq(actor.id))
        .order_by_desc(flag::Column::Id)
        .limit(100)
        .all(db)
        .await?;
    let reviews: HashMap<i32, review::Model> = review::Entity::find()
        .filter(review::Column::Id.is_in(rows.iter().map(|f| f.review_id).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    Ok(MyFlags {
        flags: rows
            .into_iter()
            .filter_map(|f| {
                let r = reviews.get(&f.review_id)?;
                Some(MyFlag {
                    id: f.id,
                    kind: r.target_kind.clone(),
                    target_id: r.target_id,
                    reason: f.reason,
                    status: f.status,
                    created_at: f.created_at,
                })
            })
            .collect(),
    })
}
