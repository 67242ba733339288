//! The reputation ledger: every change of reputation is a row in `reputation_events`;
//! rows are never updated, reversals are new rows. A member's `reputation` column is a
//! cache of `max(1, 1 + sum(points))`, refreshed in the same transaction as the events,
//! with the member rows locked first (PostgreSQL) so concurrent writes cannot lose an
//! update. Votes, recognition and quizzes write here through a `Ledger`.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use entity::{member, reputation_event, vote};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::items::{BeforeMembers, Item, Locks, MembersLocked};
use crate::domain::Post;
use crate::error::AppResult;

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

/// One ledger row to write.
pub struct NewEvent<'a> {
    pub member_id: i32,
    pub kind: &'a str,
    pub points: i32,
    pub vote_id: Option<i32>,
    pub actor_id: Option<i32>,
}

#[derive(FromQueryResult)]
struct MemberSum {
    member_id: i32,
    total: Option<i64>,
}

/// The ledger inside one write transaction: it records events and, at `settle`,
/// refreshes the cached totals of every member it touched and names them (badges that
/// watch reputation follow from that, through the effects dispatcher).
pub struct Ledger<'t, C> {
    txn: &'t C,
    now: DateTime<Utc>,
    touched: BTreeSet<i32>,
}

impl<'t, C: ConnectionTrait> Ledger<'t, C> {
    /// The member rows the events will touch must be locked first: the `Locks` stage
    /// proves it.
    pub fn new<'l>(_locked: &Locks<'l, C, MembersLocked>, txn: &'t C, now: DateTime<Utc>) -> Self {
        Self {
            txn,
            now,
            touched: BTreeSet::new(),
        }
    }

    /// Writes one event about an item.
    pub async fn record(&mut self, item: &Item, event: NewEvent<'_>) -> AppResult<()> {
        // Events on a voter's own ledger (the cost of a downvote, and its reversal) name
        // no item: the ledger is public, and downvoters stay anonymous.
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
            created_at: Set(self.now),
            ..Default::default()
        }
        .insert(self.txn)
        .await?;
        self.touched.insert(event.member_id);
        Ok(())
    }

    /// Points for something other than a post (passing a quiz, say).
    pub async fn grant(
        &mut self,
        member_id: i32,
        event_kind: &str,
        points: i32,
        zone_id: Option<i32>,
    ) -> AppResult<()> {
        reputation_event::ActiveModel {
            member_id: Set(member_id),
            kind: Set(event_kind.to_string()),
            points: Set(points),
            discussion_id: Set(None),
            comment_id: Set(None),
            vote_id: Set(None),
            actor_id: Set(None),
            zone_id: Set(zone_id),
            created_at: Set(self.now),
            ..Default::default()
        }
        .insert(self.txn)
        .await?;
        self.touched.insert(member_id);
        Ok(())
    }

    /// Adds, for each member, an event that cancels what a vote still gives them.
    pub async fn reverse_vote(&mut self, item: &Item, vote_id: i32, kind: &str) -> AppResult<()> {
        let nets = reputation_event::Entity::find()
            .select_only()
            .column(reputation_event::Column::MemberId)
            .column_as(reputation_event::Column::Points.sum(), "total")
            .filter(reputation_event::Column::VoteId.eq(vote_id))
            .group_by(reputation_event::Column::MemberId)
            .into_model::<MemberSum>()
            .all(self.txn)
            .await?;
        for net in nets {
            let total = i32::try_from(net.total.unwrap_or(0)).unwrap_or(0);
            if total != 0 {
                self.record(
                    item,
                    NewEvent {
                        member_id: net.member_id,
                        kind,
                        points: -total,
                        vote_id: Some(vote_id),
                        actor_id: None,
                    },
                )
                .await?;
            }
        }
        Ok(())
    }

    /// What a vote cast now gives: points to the author (within the daily cap), the
    /// cost of a downvote on a comment, and the serial-voting correction.
    pub async fn vote_cast(
        &mut self,
        item: &Item,
        voter_id: i32,
        vote: &vote::Model,
    ) -> AppResult<()> {
        let now = self.now;
        if vote.value > 0 {
            let points = Ord::min(
                RULES.upvote_received,
                cap_left(self.txn, item.author_id, now).await?,
            );
            self.record(
                item,
                NewEvent {
                    member_id: item.author_id,
                    kind: kind::UPVOTE_RECEIVED,
                    points,
                    vote_id: Some(vote.id),
                    actor_id: Some(voter_id),
                },
            )
            .await?;
        } else {
            // Downvoters stay anonymous: no actor on these rows.
            self.record(
                item,
                NewEvent {
                    member_id: item.author_id,
                    kind: kind::DOWNVOTE_RECEIVED,
                    points: RULES.downvote_received,
                    vote_id: Some(vote.id),
                    actor_id: None,
                },
            )
            .await?;
            if matches!(item.post, Post::Comment(_)) {
                self.record(
                    item,
                    NewEvent {
                        member_id: voter_id,
                        kind: kind::DOWNVOTE_CAST,
                        points: RULES.downvote_cast_on_comment,
                        vote_id: Some(vote.id),
                        actor_id: None,
                    },
                )
                .await?;
            }
        }
        // Serial voting: past the limit, what this vote gives the author is taken back.
        let recent = vote::Entity::find()
            .filter(vote::Column::MemberId.eq(voter_id))
            .filter(vote::Column::AuthorId.eq(item.author_id))
            .filter(vote::Column::CreatedAt.gte(now - Duration::hours(RULES.serial_window_hours)))
            .count(self.txn)
            .await?;
        if recent > RULES.serial_vote_limit {
            let given = sum_points(
                self.txn,
                sea_orm::Condition::all()
                    .add(reputation_event::Column::VoteId.eq(vote.id))
                    .add(reputation_event::Column::MemberId.eq(item.author_id)),
            )
            .await?;
            let given = i32::try_from(given).unwrap_or(0);
            if given != 0 {
                self.record(
                    item,
                    NewEvent {
                        member_id: item.author_id,
                        kind: kind::VOTING_CORRECTED,
                        points: -given,
                        vote_id: Some(vote.id),
                        actor_id: None,
                    },
                )
                .await?;
            }
        }
        Ok(())
    }

    /// What recognition gave an item's author and has not been withdrawn yet.
    pub async fn recognition_given(&self, item: &Item) -> AppResult<i32> {
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
        Ok(i32::try_from(sum_points(self.txn, cond).await?).unwrap_or(0))
    }

    /// Refreshes the cached totals of the members touched; returns them.
    pub async fn settle(self) -> AppResult<BTreeSet<i32>> {
        for &id in &self.touched {
            let sum = sum_points(
                self.txn,
                sea_orm::Condition::all().add(reputation_event::Column::MemberId.eq(id)),
            )
            .await?;
            member::Entity::update_many()
                .col_expr(
                    member::Column::Reputation,
                    Expr::value(reputation_from_sum(sum)),
                )
                .filter(member::Column::Id.eq(id))
                .exec(self.txn)
                .await?;
        }
        Ok(self.touched)
    }
}

/// Takes back what an item's votes gave, when the item is deleted. Runs inside the
/// deleting transaction, after the item's row was locked; returns the members touched.
pub async fn item_deleted<'t, C: ConnectionTrait, S: BeforeMembers>(
    locks: Locks<'t, C, S>,
    txn: &'t C,
    item: &Item,
    now: DateTime<Utc>,
) -> AppResult<BTreeSet<i32>> {
    let votes = vote::Entity::find()
        .filter(vote::Column::TargetKind.eq(item.post.kind().as_str()))
        .filter(vote::Column::TargetId.eq(item.post.id()))
        .all(txn)
        .await?;
    let members = votes.iter().map(|v| v.member_id).chain([item.author_id]);
    let locked = locks.members(members).await?;
    let mut ledger = Ledger::new(&locked, txn, now);
    for v in votes {
        ledger.reverse_vote(item, v.id, kind::ITEM_DELETED).await?;
    }
    ledger.settle().await
}

/// Upvote points the author may still gain today (UTC): the net of what today's upvotes
/// still give (an upvote undone gives its share of the budget back, so nobody can burn
/// another member's cap by toggling a vote).
async fn cap_left(
    txn: &impl ConnectionTrait,
    member_id: i32,
    now: DateTime<Utc>,
) -> AppResult<i32> {
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

/// A member's events as `viewer` may see them. The voter's side of a downvote (its cost
/// and that cost's reversal) is the voter's alone: shown to anyone else, its time would
/// match the author's `downvote_received` and name the voter.
pub async fn visible_events(
    db: &impl ConnectionTrait,
    member_id: i32,
    viewer: Option<i32>,
    limit: Option<u64>,
) -> AppResult<Vec<reputation_event::Model>> {
    use sea_orm::sea_query::Query;
    if viewer == Some(member_id) {
        return events(db, member_id, limit).await;
    }
    let cast = Query::select()
        .column(reputation_event::Column::VoteId)
        .from(reputation_event::Entity)
        .and_where(reputation_event::Column::MemberId.eq(member_id))
        .and_where(reputation_event::Column::Kind.eq(kind::DOWNVOTE_CAST))
        .to_owned();
    Ok(reputation_event::Entity::find()
        .filter(reputation_event::Column::MemberId.eq(member_id))
        .filter(
            sea_orm::Condition::any()
                .add(reputation_event::Column::VoteId.is_null())
                .add(reputation_event::Column::VoteId.not_in_subquery(cast)),
        )
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
