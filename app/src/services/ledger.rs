//! The reputation ledger: every change of reputation is a row in `reputation_events`;
//! rows are never updated, reversals are new rows. A member's `reputation` column is a
//! cache of `max(1, 1 + sum(points))`, refreshed in the same transaction as the events,
//! with the member rows locked first (PostgreSQL) so concurrent writes cannot lose an
//! update. Votes, recognition and quizzes write here through a `Ledger`.

use chrono::{DateTime, Duration, Utc};
use entity::{member, reputation_event, vote};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, Set,
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
    /// A member's idea adopted by a leader (taken back if it leaves "adopted").
    pub idea_adopted: i32,
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
    idea_adopted: 50,
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
    pub const IDEA_ADOPTED: &str = "idea_adopted";
    pub const IDEA_ADOPTION_WITHDRAWN: &str = "idea_adoption_withdrawn";
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
    /// Points recorded per member, to add to their total at `settle`.
    deltas: std::collections::BTreeMap<i32, i64>,
    /// Events recorded and not yet written: they go in one INSERT, at `settle` or
    /// before the ledger is read.
    pending: Vec<reputation_event::ActiveModel>,
    /// Daily-cap counters to set at `settle` (`None`: forget it, so the next vote reads
    /// the day from the ledger).
    caps: std::collections::BTreeMap<i32, Option<(String, i64)>>,
}

impl<'t, C: ConnectionTrait> Ledger<'t, C> {
    /// The member rows the events will touch must be locked first: the `Locks` stage
    /// proves it.
    pub fn new<'l>(_locked: &Locks<'l, C, MembersLocked>, txn: &'t C, now: DateTime<Utc>) -> Self {
        Self {
            txn,
            now,
            deltas: Default::default(),
            pending: Vec::new(),
            caps: Default::default(),
        }
    }

    /// Points recorded for a member so far in this transaction.
    pub fn delta(&self, member_id: i32) -> i64 {
        self.deltas.get(&member_id).copied().unwrap_or(0)
    }

    /// Sets a member's daily-cap counter at `settle`: `points` for the UTC day of `now`.
    pub fn set_cap(&mut self, member_id: i32, points: i64) {
        self.caps
            .insert(member_id, Some((cap_day(self.now), points)));
    }

    /// Forgets a member's daily-cap counter at `settle`: the next vote for them sums the
    /// day from the ledger (after a write that changes it other than a vote does).
    pub fn forget_cap(&mut self, member_id: i32) {
        self.caps.insert(member_id, None);
    }

    /// Writes the events recorded so far, in one statement.
    async fn flush(&mut self) -> AppResult<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.pending);
        reputation_event::Entity::insert_many(rows)
            .exec_without_returning(self.txn)
            .await?;
        Ok(())
    }

    /// Writes one event about an item.
    pub async fn record(&mut self, item: &Item, event: NewEvent<'_>) -> AppResult<()> {
        // Events on a voter's own ledger (the cost of a downvote, and its reversal) name
        // no item: the ledger is public, and downvoters stay anonymous.
        let private = event.vote_id.is_some() && event.member_id != item.author_id;
        self.pending.push(reputation_event::ActiveModel {
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
        });
        *self.deltas.entry(event.member_id).or_default() += i64::from(event.points);
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
        self.pending.push(reputation_event::ActiveModel {
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
        });
        *self.deltas.entry(member_id).or_default() += i64::from(points);
        Ok(())
    }

    /// Adds, for each member, an event that cancels what a vote still gives them.
    pub async fn reverse_vote(&mut self, item: &Item, vote_id: i32, kind: &str) -> AppResult<()> {
        self.flush().await?;
        let nets = reputation_event::Entity::find()
            .select_only()
            .column(reputation_event::Column::MemberId)
            .column_as(reputation_event::Column::Points.sum(), "total")
            .filter(reputation_event::Column::VoteId.eq(vote_id))
            .group_by(reputation_event::Column::MemberId)
            .into_model::<MemberSum>()
            .all(self.txn)
            .await?;
        let nets: Vec<(i32, i64)> = nets
            .into_iter()
            .map(|n| (n.member_id, n.total.unwrap_or(0)))
            .collect();
        self.reverse_known(item, vote_id, kind, &nets).await
    }

    /// `reverse_vote` for a vote whose nets per member were read already (with the post).
    pub async fn reverse_known(
        &mut self,
        item: &Item,
        vote_id: i32,
        kind: &str,
        nets: &[(i32, i64)],
    ) -> AppResult<()> {
        for &(member_id, net) in nets {
            let total = i32::try_from(net).unwrap_or(0);
            if total != 0 {
                self.record(
                    item,
                    NewEvent {
                        member_id,
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
        counts: VoteCounts,
    ) -> AppResult<()> {
        // What this vote gives the author (earlier events of a changed vote were reversed).
        let given = if vote.value > 0 {
            let cap = i64::from(RULES.daily_vote_cap);
            let cap_left = (cap - counts.cap_used).clamp(0, cap) as i32;
            let points = Ord::min(RULES.upvote_received, cap_left);
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
            points
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
            RULES.downvote_received
        };
        // Serial voting: past the limit, what this vote gives the author is taken back.
        if counts.recent > RULES.serial_vote_limit && given != 0 {
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
        Ok(())
    }

    /// What recognition gave an item's author and has not been withdrawn yet.
    pub async fn recognition_given(&mut self, item: &Item) -> AppResult<i32> {
        self.given(item, &[kind::RECOGNIZED, kind::RECOGNITION_WITHDRAWN])
            .await
    }

    /// What the idea's adoption gave its author so far, with its withdrawals.
    pub async fn adoption_given(&mut self, item: &Item) -> AppResult<i32> {
        self.given(item, &[kind::IDEA_ADOPTED, kind::IDEA_ADOPTION_WITHDRAWN])
            .await
    }

    /// The sum of the author's events of `kinds` about the item.
    async fn given(&mut self, item: &Item, kinds: &[&str]) -> AppResult<i32> {
        self.flush().await?;
        let mut cond = sea_orm::Condition::all()
            .add(reputation_event::Column::MemberId.eq(item.author_id))
            .add(reputation_event::Column::Kind.is_in(kinds.iter().copied()))
            .add(reputation_event::Column::DiscussionId.eq(item.discussion_id));
        cond = match item.comment_id {
            Some(c) => cond.add(reputation_event::Column::CommentId.eq(c)),
            None => cond.add(reputation_event::Column::CommentId.is_null()),
        };
        Ok(i32::try_from(sum_points(self.txn, cond).await?).unwrap_or(0))
    }

    /// Writes the events and adds them to the totals of the members touched, in one
    /// statement for up to `SETTLE_CHUNK` members (a vote touches two), whatever the size
    /// of their ledgers; returns the members with their new reputation.
    pub async fn settle(mut self) -> AppResult<Totals> {
        self.flush().await?;
        for &member in self.caps.keys() {
            self.deltas.entry(member).or_default();
        }
        let members: Vec<(i32, i64)> = self.deltas.iter().map(|(&m, &d)| (m, d)).collect();
        let mut totals = Totals::new();
        for chunk in members.chunks(SETTLE_CHUNK) {
            self.settle_some(chunk, &mut totals).await?;
        }
        Ok(totals)
    }

    /// One UPDATE … RETURNING for some members' points, reputation and daily caps.
    async fn settle_some(&self, members: &[(i32, i64)], totals: &mut Totals) -> AppResult<()> {
        let backend = self.txn.get_database_backend();
        let mut values: Vec<sea_orm::Value> = Vec::new();
        let mut param = |v: sea_orm::Value| {
            values.push(v);
            format!("${}", values.len())
        };
        let mut delta = String::from("(CASE id");
        let mut ids = Vec::new();
        for &(id, d) in members {
            let (id_p, d_p) = (param(id.into()), param(d.into()));
            delta.push_str(&format!(" WHEN {id_p} THEN CAST({d_p} AS BIGINT)"));
            ids.push(id_p);
        }
        delta.push_str(" ELSE 0 END)");
        let least = match backend {
            sea_orm::DbBackend::Postgres => "LEAST",
            _ => "MIN",
        };
        let mut sql = format!(
            "UPDATE members SET points = points + {delta}, reputation = CASE WHEN points + \
             {delta} < 0 THEN 1 ELSE {least}(1 + points + {delta}, 2147483647) END"
        );
        let caps: Vec<_> = members
            .iter()
            .filter_map(|(id, _)| self.caps.get(id).map(|cap| (*id, cap)))
            .collect();
        if !caps.is_empty() {
            let (mut day, mut points) = (String::from("CASE id"), String::from("CASE id"));
            for (id, cap) in caps {
                let id_p = param(id.into());
                match cap {
                    // A counter already kept for a later day (a vote whose clock read
                    // just before midnight, committed after one of the next day) stays.
                    Some((d, p)) => {
                        let (d_p, p_p) = (param(d.clone().into()), param((*p).into()));
                        day.push_str(&format!(
                            " WHEN {id_p} THEN CASE WHEN cap_day > {d_p} THEN cap_day \
                             ELSE {d_p} END"
                        ));
                        points.push_str(&format!(
                            " WHEN {id_p} THEN CASE WHEN cap_day > {d_p} THEN cap_points \
                             ELSE CAST({p_p} AS INTEGER) END"
                        ));
                    }
                    None => {
                        day.push_str(&format!(" WHEN {id_p} THEN NULL"));
                        points.push_str(&format!(" WHEN {id_p} THEN 0"));
                    }
                }
            }
            sql.push_str(&format!(
                ", cap_day = {day} ELSE cap_day END, cap_points = {points} ELSE cap_points END"
            ));
        }
        sql.push_str(&format!(
            " WHERE id IN ({}) RETURNING id, reputation",
            ids.join(", ")
        ));
        let rows = self
            .txn
            .query_all_raw(crate::db::numbered(backend, &sql, values))
            .await?;
        for row in rows {
            totals.insert(row.try_get("", "id")?, row.try_get("", "reputation")?);
        }
        Ok(())
    }
}

/// Members one settling UPDATE names at most (a deleted post's voters come in several).
const SETTLE_CHUNK: usize = 200;

/// Members whose points a write moved, with their reputation after it.
pub type Totals = std::collections::BTreeMap<i32, i32>;

/// The UTC day a daily-cap counter is kept for, as `members.cap_day` holds it.
pub fn cap_day(now: DateTime<Utc>) -> String {
    now.format("%Y-%m-%d").to_string()
}

/// Takes back what an item's votes gave, when the item is deleted. Runs inside the
/// deleting transaction, after the item's row was locked; returns the members touched.
pub async fn item_deleted<'t, C: ConnectionTrait, S: BeforeMembers>(
    locks: Locks<'t, C, S>,
    txn: &'t C,
    item: &Item,
    now: DateTime<Utc>,
) -> AppResult<Totals> {
    let votes = vote::Entity::find()
        .filter(vote::Column::TargetKind.eq(item.post.kind().as_str()))
        .filter(vote::Column::TargetId.eq(item.post.id()))
        .all(txn)
        .await?;
    let members = votes.iter().map(|v| v.member_id).chain([item.author_id]);
    let locked = locks.members(members).await?;
    let mut ledger = Ledger::new(&locked, txn, now);
    let any = !votes.is_empty();
    for v in votes {
        ledger.reverse_vote(item, v.id, kind::ITEM_DELETED).await?;
    }
    if any {
        // Upvotes taken back today give the author's daily cap back: read it again.
        ledger.forget_cap(item.author_id);
    }
    ledger.settle().await
}

/// What casting a vote needs to know (`votes` reads it with the post, in one query):
/// the upvote points the author has gained today (UTC: the net of what today's upvotes
/// still give, so an upvote undone gives its share of the budget back and nobody can
/// burn another member's cap by toggling a vote), and the voter's votes on the author
/// in the serial-voting window (this one included).
#[derive(Debug, Clone, Copy)]
pub struct VoteCounts {
    pub cap_used: i64,
    pub recent: u64,
}

/// The start of the UTC day of `now`, and of the next one.
pub fn day_bounds(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or(now);
    (start, start + Duration::days(1))
}

/// The start of the serial-voting window that ends at `now`.
pub fn serial_window_start(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::hours(RULES.serial_window_hours)
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
        if ledger != m.reputation || sum != m.points {
            if ledger != m.reputation {
                drift.push(Drift {
                    username: m.username.clone(),
                    stored: m.reputation,
                    ledger,
                });
            }
            member::Entity::update_many()
                .col_expr(member::Column::Reputation, Expr::value(ledger))
                .col_expr(member::Column::Points, Expr::value(sum))
                .filter(member::Column::Id.eq(m.id))
                .exec(&txn)
                .await?;
        }
    }
    // Daily-cap counters are read from the ledger again by each member's next vote.
    txn.execute_unprepared("UPDATE members SET cap_day = NULL WHERE cap_day IS NOT NULL")
        .await?;
    // Points per zone (the zones' experts) are rebuilt whole.
    txn.execute_unprepared("DELETE FROM zone_points").await?;
    txn.execute_unprepared(migration::m0012_zone_points::FILL)
        .await?;
    txn.commit().await?;
    Ok(drift)
}
