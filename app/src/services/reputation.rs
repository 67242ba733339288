//! Votes, recognition and the reputation ledger.
//!
//! Every change of reputation is a row in `reputation_events`; rows are never updated,
//! reversals are new rows. A member's `reputation` column is a cache of
//! `max(1, 1 + sum(points))`, refreshed in the same transaction as the events, with the
//! member rows locked first (PostgreSQL) so concurrent votes cannot lose an update.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use entity::{comment, discussion, member, reputation_event, vote};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    DbBackend, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, Statement,
};

use super::Actor;
use super::badges::{self, Trigger};
use crate::domain::Role;
use crate::error::{AppError, AppResult};

/// Every number of the reputation system, in one place.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub upvote_received: i32,
    pub downvote_received: i32,
    /// What casting a downvote on a comment costs the voter.
    pub downvote_cast_on_comment: i32,
    pub recognized: i32,
    /// Most points a member gains from upvotes in one UTC day (recognition is not capped).
    pub daily_vote_cap: i32,
    pub downvote_min_reputation: i32,
    /// Votes by one member on another's items within the window before the excess is
    /// reversed as serial voting.
    pub serial_vote_limit: u64,
    pub serial_window_hours: i64,
    /// Passing a quiz, once per quiz.
    pub quiz_passed: i32,
}

pub const RULES: Rules = Rules {
    upvote_received: 10,
    downvote_received: -2,
    downvote_cast_on_comment: -1,
    recognized: 15,
    daily_vote_cap: 200,
    downvote_min_reputation: 125,
    serial_vote_limit: 10,
    serial_window_hours: 24,
    quiz_passed: 5,
};

/// Event kinds in the ledger.
pub mod kind {
    pub const UPVOTE_RECEIVED: &str = "upvote_received";
    pub const DOWNVOTE_RECEIVED: &str = "downvote_received";
    pub const DOWNVOTE_CAST: &str = "downvote_cast";
    pub const VOTE_REVERSED: &str = "vote_reversed";
    pub const VOTING_CORRECTED: &str = "voting_corrected";
    pub const ITEM_DELETED: &str = "item_deleted";
    pub const RECOGNIZED: &str = "recognized";
    pub const RECOGNITION_WITHDRAWN: &str = "recognition_withdrawn";
    pub const QUIZ_PASSED: &str = "quiz_passed";
}

/// What a vote or recognition is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Discussion(i32),
    Comment(i32),
}

impl Target {
    pub fn kind(self) -> &'static str {
        match self {
            Target::Discussion(_) => "discussion",
            Target::Comment(_) => "comment",
        }
    }

    pub fn id(self) -> i32 {
        match self {
            Target::Discussion(id) | Target::Comment(id) => id,
        }
    }
}

/// A vote's value: up, down or cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoteValue(i32);

impl VoteValue {
    pub fn parse(raw: i64) -> AppResult<Self> {
        match raw {
            -1..=1 => Ok(Self(raw as i32)),
            _ => Err(AppError::validation("value", "must be 1, -1 or 0")),
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

/// The live item behind a target, with what the ledger records about it.
#[derive(Debug, Clone)]
pub struct Item {
    pub target: Target,
    pub author_id: i32,
    pub discussion_id: i32,
    pub comment_id: Option<i32>,
    pub zone_id: i32,
    pub score: i32,
    pub recognized: bool,
}

pub async fn load_item(db: &impl ConnectionTrait, target: Target) -> AppResult<Item> {
    match target {
        Target::Discussion(id) => {
            let d = super::discussions::find(db, id).await?;
            Ok(Item {
                target,
                author_id: d.author_id,
                discussion_id: d.id,
                comment_id: None,
                zone_id: d.zone_id,
                score: d.score,
                recognized: d.recognized,
            })
        }
        Target::Comment(id) => {
            let (c, d) = super::comments::find_with_discussion(db, id).await?;
            Ok(Item {
                target,
                author_id: c.author_id,
                discussion_id: d.id,
                comment_id: Some(c.id),
                zone_id: d.zone_id,
                score: c.score,
                recognized: c.recognized,
            })
        }
    }
}

/// Locks an item's row for the rest of the transaction (PostgreSQL), so concurrent
/// votes, recognitions and deletions of one item take turns: each sees what the one
/// before it committed. SQLite's write transactions are already one at a time.
pub async fn lock_item(txn: &DatabaseTransaction, target: Target) -> AppResult<()> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let sql = match target {
        Target::Discussion(_) => "SELECT id FROM discussions WHERE id = $1 FOR UPDATE",
        Target::Comment(_) => "SELECT id FROM comments WHERE id = $1 FOR UPDATE",
    };
    txn.query_one_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        [target.id().into()],
    ))
    .await?;
    Ok(())
}

/// Locks member rows (ascending ids, so two transactions never wait on each other in
/// a cycle). SQLite has one writer at a time already.
async fn lock_members(txn: &DatabaseTransaction, ids: &[i32]) -> AppResult<()> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let ids: BTreeSet<i32> = ids.iter().copied().collect();
    for id in ids {
        txn.query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id FROM members WHERE id = $1 FOR UPDATE",
            [id.into()],
        ))
        .await?;
    }
    Ok(())
}

#[derive(FromQueryResult)]
struct Sum {
    total: Option<i64>,
}

async fn sum_points(db: &impl ConnectionTrait, filter: sea_orm::Condition) -> AppResult<i64> {
    let row = reputation_event::Entity::find()
        .select_only()
        .column_as(reputation_event::Column::Points.sum(), "total")
        .filter(filter)
        .into_model::<Sum>()
        .one(db)
        .await?;
    Ok(row.and_then(|r| r.total).unwrap_or(0))
}

/// 1 + the sum of a member's events, never below 1.
pub fn reputation_from_sum(sum: i64) -> i32 {
    i32::try_from(Ord::max(1 + sum, 1)).unwrap_or(i32::MAX)
}

/// Recomputes the cached total of each member from the ledger.
async fn refresh(txn: &DatabaseTransaction, members: &BTreeSet<i32>) -> AppResult<()> {
    for &id in members {
        let sum = sum_points(
            txn,
            sea_orm::Condition::all().add(reputation_event::Column::MemberId.eq(id)),
        )
        .await?;
        member::Entity::update_many()
            .col_expr(
                member::Column::Reputation,
                Expr::value(reputation_from_sum(sum)),
            )
            .filter(member::Column::Id.eq(id))
            .exec(txn)
            .await?;
    }
    Ok(())
}

struct NewEvent<'a> {
    member_id: i32,
    kind: &'a str,
    points: i32,
    vote_id: Option<i32>,
    actor_id: Option<i32>,
}

async fn record(
    txn: &DatabaseTransaction,
    item: &Item,
    event: NewEvent<'_>,
    now: DateTime<Utc>,
    touched: &mut BTreeSet<i32>,
) -> AppResult<()> {
    // Events on a voter's own ledger (the cost of a downvote, and its reversal) name no
    // item: the ledger is public, and downvoters stay anonymous.
    let private = event.vote_id.is_some() && event.member_id != item.author_id;
    reputation_event::ActiveModel {
        member_id: Set(event.member_id),
        kind: Set(event.kind.to_string()),
        points: Set(event.points),
        discussion_id: Set((!private).then_some(item.discussion_id)),
        comment_id: Set(if private { None } else { item.comment_id }),
        vote_id: Set(event.vote_id),
        actor_id: Set(event.actor_id),
        zone_id: Set(Some(item.zone_id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    touched.insert(event.member_id);
    Ok(())
}

#[derive(FromQueryResult)]
struct MemberSum {
    member_id: i32,
    total: Option<i64>,
}

/// Adds, for each member, an event that cancels what a vote still gives them.
async fn reverse_vote(
    txn: &DatabaseTransaction,
    item: &Item,
    vote_id: i32,
    kind: &str,
    now: DateTime<Utc>,
    touched: &mut BTreeSet<i32>,
) -> AppResult<()> {
    let nets = reputation_event::Entity::find()
        .select_only()
        .column(reputation_event::Column::MemberId)
        .column_as(reputation_event::Column::Points.sum(), "total")
        .filter(reputation_event::Column::VoteId.eq(vote_id))
        .group_by(reputation_event::Column::MemberId)
        .into_model::<MemberSum>()
        .all(txn)
        .await?;
    for net in nets {
        let total = i32::try_from(net.total.unwrap_or(0)).unwrap_or(0);
        if total != 0 {
            record(
                txn,
                item,
                NewEvent {
                    member_id: net.member_id,
                    kind,
                    points: -total,
                    vote_id: Some(vote_id),
                    actor_id: None,
                },
                now,
                touched,
            )
            .await?;
        }
    }
    Ok(())
}

/// Upvote points the author may still gain today (UTC): the net of what today's upvotes
/// still give (an upvote undone gives its share of the budget back, so nobody can burn
/// another member's cap by toggling a vote).
async fn cap_left(txn: &DatabaseTransaction, member_id: i32, now: DateTime<Utc>) -> AppResult<i32> {
    use sea_orm::sea_query::Query;
    let day_start = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or(now);
    let todays_upvotes = Query::select()
        .column(reputation_event::Column::VoteId)
        .from(reputation_event::Entity)
        .and_where(reputation_event::Column::MemberId.eq(member_id))
        .and_where(reputation_event::Column::Kind.eq(kind::UPVOTE_RECEIVED))
        .and_where(reputation_event::Column::CreatedAt.gte(day_start))
        .and_where(reputation_event::Column::CreatedAt.lt(day_start + Duration::days(1)))
        .to_owned();
    let gained = sum_points(
        txn,
        sea_orm::Condition::all()
            .add(reputation_event::Column::MemberId.eq(member_id))
            .add(reputation_event::Column::VoteId.in_subquery(todays_upvotes)),
    )
    .await?;
    Ok((i64::from(RULES.daily_vote_cap) - gained).clamp(0, i64::from(RULES.daily_vote_cap)) as i32)
}

async fn apply_vote(
    txn: &DatabaseTransaction,
    item: &Item,
    voter: &Actor,
    vote: &vote::Model,
    now: DateTime<Utc>,
    touched: &mut BTreeSet<i32>,
) -> AppResult<()> {
    if vote.value > 0 {
        let points = Ord::min(
            RULES.upvote_received,
            cap_left(txn, item.author_id, now).await?,
        );
        record(
            txn,
            item,
            NewEvent {
                member_id: item.author_id,
                kind: kind::UPVOTE_RECEIVED,
                points,
                vote_id: Some(vote.id),
                actor_id: Some(voter.id),
            },
            now,
            touched,
        )
        .await?;
    } else {
        // Downvoters stay anonymous: no actor on these rows.
        record(
            txn,
            item,
            NewEvent {
                member_id: item.author_id,
                kind: kind::DOWNVOTE_RECEIVED,
                points: RULES.downvote_received,
                vote_id: Some(vote.id),
                actor_id: None,
            },
            now,
            touched,
        )
        .await?;
        if matches!(item.target, Target::Comment(_)) {
            record(
                txn,
                item,
                NewEvent {
                    member_id: voter.id,
                    kind: kind::DOWNVOTE_CAST,
                    points: RULES.downvote_cast_on_comment,
                    vote_id: Some(vote.id),
                    actor_id: None,
                },
                now,
                touched,
            )
            .await?;
        }
    }
    // Serial voting: past the limit, what this vote gives the author is taken back.
    let recent = vote::Entity::find()
        .filter(vote::Column::MemberId.eq(voter.id))
        .filter(vote::Column::AuthorId.eq(item.author_id))
        .filter(vote::Column::CreatedAt.gte(now - Duration::hours(RULES.serial_window_hours)))
        .count(txn)
        .await?;
    if recent > RULES.serial_vote_limit {
        let given = sum_points(
            txn,
            sea_orm::Condition::all()
                .add(reputation_event::Column::VoteId.eq(vote.id))
                .add(reputation_event::Column::MemberId.eq(item.author_id)),
        )
        .await?;
        let given = i32::try_from(given).unwrap_or(0);
        if given != 0 {
            record(
                txn,
                item,
                NewEvent {
                    member_id: item.author_id,
                    kind: kind::VOTING_CORRECTED,
                    points: -given,
                    vote_id: Some(vote.id),
                    actor_id: None,
                },
                now,
                touched,
            )
            .await?;
        }
    }
    Ok(())
}

/// The outcome of a vote.
#[derive(Debug, Clone, Copy, serde::Serialize, utoipa::ToSchema)]
pub struct VoteOutcome {
    pub score: i32,
    pub my_vote: i32,
}

/// Casts, changes or clears a vote.
pub async fn vote(
    db: &DatabaseConnection,
    voter: &Actor,
    target: Target,
    value: VoteValue,
    now: DateTime<Utc>,
) -> AppResult<VoteOutcome> {
    let txn = crate::db::begin_write(db).await?;
    lock_item(&txn, target).await?;
    let item = load_item(&txn, target).await?;
    if item.author_id == voter.id {
        return Err(AppError::Forbidden {
            code: "self_vote",
            message: "You cannot vote on your own post".into(),
        });
    }
    lock_members(&txn, &[voter.id, item.author_id]).await?;
    if value.get() < 0 && !voter.role.can_moderate() {
        let me = member::Entity::find_by_id(voter.id)
            .one(&txn)
            .await?
            .ok_or_else(AppError::not_signed_in)?;
        if me.reputation < RULES.downvote_min_reputation {
            return Err(AppError::Forbidden {
                code: "insufficient_reputation",
                message: format!(
                    "Downvoting needs {} reputation",
                    RULES.downvote_min_reputation
                ),
            });
        }
    }
    let existing = vote::Entity::find()
        .filter(vote::Column::MemberId.eq(voter.id))
        .filter(vote::Column::TargetKind.eq(target.kind()))
        .filter(vote::Column::TargetId.eq(target.id()))
        .one(&txn)
        .await?;
    let old = existing.as_ref().map(|v| v.value).unwrap_or(0);
    let new = value.get();
    if old == new {
        txn.commit().await?;
        return Ok(VoteOutcome {
            score: item.score,
            my_vote: new,
        });
    }
    let mut touched = BTreeSet::new();
    if let Some(v) = &existing {
        reverse_vote(&txn, &item, v.id, kind::VOTE_REVERSED, now, &mut touched).await?;
    }
    let saved = match (existing, new) {
        (Some(v), 0) => {
            vote::Entity::delete_by_id(v.id).exec(&txn).await?;
            None
        }
        (Some(v), _) => {
            let mut active: vote::ActiveModel = v.into();
            active.value = Set(new);
            active.updated_at = Set(now);
            Some(active.update(&txn).await?)
        }
        (None, _) => Some(
            vote::ActiveModel {
                member_id: Set(voter.id),
                target_kind: Set(target.kind().to_string()),
                target_id: Set(target.id()),
                author_id: Set(item.author_id),
                value: Set(new),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?,
        ),
    };
    if let Some(v) = &saved {
        apply_vote(&txn, &item, voter, v, now, &mut touched).await?;
    }
    let delta = new - old;
    let score = bump_score(&txn, target, delta).await?;
    // Search results show scores: keep the document current.
    let job = match target {
        Target::Discussion(id) => crate::jobs::search::SearchJob::Discussion { id },
        Target::Comment(id) => crate::jobs::search::SearchJob::Comment { id },
    };
    crate::jobs::search::enqueue(&txn, job).await?;
    refresh(&txn, &touched).await?;
    if let Some(v) = &saved {
        badges::evaluate(
            &txn,
            Trigger::VoteCast {
                voter: voter.id,
                value: v.value,
            },
            now,
        )
        .await?;
    }
    badges::evaluate(
        &txn,
        Trigger::ItemScored {
            author: item.author_id,
            target,
            score,
        },
        now,
    )
    .await?;
    for &m in &touched {
        badges::evaluate(&txn, Trigger::ReputationChanged { member: m }, now).await?;
    }
    txn.commit().await?;
    Ok(VoteOutcome {
        score,
        my_vote: new,
    })
}

/// Moves an item's score atomically and returns the new score.
async fn bump_score(txn: &DatabaseTransaction, target: Target, delta: i32) -> AppResult<i32> {
    use sea_orm::sea_query::ExprTrait;
    match target {
        Target::Discussion(id) => {
            discussion::Entity::update_many()
                .col_expr(
                    discussion::Column::Score,
                    Expr::col(discussion::Column::Score).add(delta),
                )
                .filter(discussion::Column::Id.eq(id))
                .exec(txn)
                .await?;
            Ok(discussion::Entity::find_by_id(id)
                .one(txn)
                .await?
                .map(|d| d.score)
                .unwrap_or(0))
        }
        Target::Comment(id) => {
            comment::Entity::update_many()
                .col_expr(
                    comment::Column::Score,
                    Expr::col(comment::Column::Score).add(delta),
                )
                .filter(comment::Column::Id.eq(id))
                .exec(txn)
                .await?;
            Ok(comment::Entity::find_by_id(id)
                .one(txn)
                .await?
                .map(|c| c.score)
                .unwrap_or(0))
        }
    }
}

/// Takes back what an item's votes gave, when the item is deleted. Runs inside the
/// deleting transaction.
pub async fn item_deleted(
    txn: &DatabaseTransaction,
    item: &Item,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let votes = vote::Entity::find()
        .filter(vote::Column::TargetKind.eq(item.target.kind()))
        .filter(vote::Column::TargetId.eq(item.target.id()))
        .all(txn)
        .await?;
    let mut members: Vec<i32> = votes.iter().map(|v| v.member_id).collect();
    members.push(item.author_id);
    lock_members(txn, &members).await?;
    let mut touched = BTreeSet::new();
    for v in votes {
        reverse_vote(txn, item, v.id, kind::ITEM_DELETED, now, &mut touched).await?;
    }
    refresh(txn, &touched).await
}

/// "Great Idea": a leader, moderator or admin recognises an item (+15 to its author), or
/// withdraws it. Returns the item's author and whether anything changed.
pub async fn recognize(
    db: &DatabaseConnection,
    actor: &Actor,
    target: Target,
    on: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if actor.role < Role::Leader {
        return Err(AppError::forbidden(
            "Only leaders, moderators and admins may recognise great ideas",
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    lock_item(&txn, target).await?;
    let item = load_item(&txn, target).await?;
    if item.author_id == actor.id {
        return Err(AppError::Forbidden {
            code: "self_recognize",
            message: "You cannot recognise your own post".into(),
        });
    }
    if item.recognized == on {
        txn.commit().await?;
        return Ok(());
    }
    lock_members(&txn, &[item.author_id]).await?;
    match target {
        Target::Discussion(id) => {
            discussion::Entity::update_many()
                .col_expr(discussion::Column::Recognized, Expr::value(on))
                .filter(discussion::Column::Id.eq(id))
                .exec(&txn)
                .await?;
        }
        Target::Comment(id) => {
            comment::Entity::update_many()
                .col_expr(comment::Column::Recognized, Expr::value(on))
                .filter(comment::Column::Id.eq(id))
                .exec(&txn)
                .await?;
        }
    }
    let mut touched = BTreeSet::new();
    if on {
        record(
            &txn,
            &item,
            NewEvent {
                member_id: item.author_id,
                kind: kind::RECOGNIZED,
                points: RULES.recognized,
                vote_id: None,
                actor_id: Some(actor.id),
            },
            now,
            &mut touched,
        )
        .await?;
        super::notifications::create(
            &txn,
            super::notifications::New {
                member_id: item.author_id,
                kind: "recognition",
                discussion_id: Some(item.discussion_id),
                comment_id: item.comment_id,
                actor_id: Some(actor.id),
                badge_slug: None,
            },
            now,
        )
        .await?;
    } else {
        let mut cond = sea_orm::Condition::all()
            .add(reputation_event::Column::MemberId.eq(item.author_id))
            .add(
                reputation_event::Column::Kind
                    .is_in([kind::RECOGNIZED, kind::RECOGNITION_WITHDRAWN]),
            )
            .add(reputation_event::Column::DiscussionId.eq(item.discussion_id));
        cond = match item.comment_id {
            Some(c) => cond.add(reputation_event::Column::CommentId.eq(c)),
            None => cond.add(reputation_event::Column::CommentId.is_null()),
        };
        let given = i32::try_from(sum_points(&txn, cond).await?).unwrap_or(0);
        if given != 0 {
            record(
                &txn,
                &item,
                NewEvent {
                    member_id: item.author_id,
                    kind: kind::RECOGNITION_WITHDRAWN,
                    points: -given,
                    vote_id: None,
                    actor_id: Some(actor.id),
                },
                now,
                &mut touched,
            )
            .await?;
        }
    }
    refresh(&txn, &touched).await?;
    if on {
        badges::evaluate(
            &txn,
            Trigger::Recognized {
                author: item.author_id,
            },
            now,
        )
        .await?;
    }
    badges::evaluate(
        &txn,
        Trigger::ReputationChanged {
            member: item.author_id,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A member's vote on each of the given items of one kind, in one query.
pub async fn my_votes(
    db: &impl ConnectionTrait,
    viewer: Option<&Actor>,
    target_kind: &str,
    ids: &[i32],
) -> AppResult<std::collections::HashMap<i32, i32>> {
    let Some(viewer) = viewer else {
        return Ok(Default::default());
    };
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows = vote::Entity::find()
        .filter(vote::Column::MemberId.eq(viewer.id))
        .filter(vote::Column::TargetKind.eq(target_kind))
        .filter(vote::Column::TargetId.is_in(ids.to_vec()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|v| (v.target_id, v.value)).collect())
}

/// A member's ledger, newest first (all of it when `limit` is `None`).
pub async fn events(
    db: &impl ConnectionTrait,
    member_id: i32,
    limit: Option<u64>,
) -> AppResult<Vec<reputation_event::Model>> {
    Ok(reputation_event::Entity::find()
        .filter(reputation_event::Column::MemberId.eq(member_id))
        .order_by_desc(reputation_event::Column::CreatedAt)
        .order_by_desc(reputation_event::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// A difference between a member's cached reputation and their ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub username: String,
    pub stored: i32,
    pub ledger: i32,
}

/// Rebuilds every member's total from the ledger; returns what differed (now fixed).
pub async fn recompute(db: &DatabaseConnection) -> AppResult<Vec<Drift>> {
    let txn = crate::db::begin_write(db).await?;
    let sums = reputation_event::Entity::find()
        .select_only()
        .column(reputation_event::Column::MemberId)
        .column_as(reputation_event::Column::Points.sum(), "total")
        .group_by(reputation_event::Column::MemberId)
        .into_model::<MemberSum>()
        .all(&txn)
        .await?;
    let members = member::Entity::find().all(&txn).await?;
    let mut drift = Vec::new();
    for m in members {
        let sum = sums
            .iter()
            .find(|s| s.member_id == m.id)
            .and_then(|s| s.total)
            .unwrap_or(0);
        let ledger = reputation_from_sum(sum);
        if ledger != m.reputation {
            drift.push(Drift {
                username: m.username.clone(),
                stored: m.reputation,
                ledger,
            });
            member::Entity::update_many()
                .col_expr(member::Column::Reputation, Expr::value(ledger))
                .filter(member::Column::Id.eq(m.id))
                .exec(&txn)
                .await?;
        }
    }
    txn.commit().await?;
    Ok(drift)
}

/// Points for something other than a vote (passing a quiz, say): one ledger row, then
/// the cached total and the badges that watch it, inside the caller's transaction.
pub async fn grant(
    txn: &DatabaseTransaction,
    member_id: i32,
    event_kind: &str,
    points: i32,
    zone_id: Option<i32>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    lock_members(txn, &[member_id]).await?;
    reputation_event::ActiveModel {
        member_id: Set(member_id),
        kind: Set(event_kind.to_string()),
        points: Set(points),
        discussion_id: Set(None),
        comment_id: Set(None),
        vote_id: Set(None),
        actor_id: Set(None),
        zone_id: Set(zone_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    refresh(txn, &BTreeSet::from([member_id])).await?;
    badges::evaluate(txn, Trigger::ReputationChanged { member: member_id }, now).await
}
