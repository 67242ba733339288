//! Votes on posts: cast, change or clear, with exact scores under concurrency.

use chrono::{DateTime, Utc};
use entity::{comment, discussion, vote};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};

use super::Actor;
use super::badges;
use super::effects::{self, Effect};
use super::items::{Item, Locks};
use super::ledger::{self, Ledger, RULES, VoteCounts, kind};
use crate::domain::Post;
use crate::error::{AppError, AppResult, Code};

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

/// The outcome of a vote.
#[derive(Debug, Clone, Copy, serde::Serialize, utoipa::ToSchema)]
pub struct VoteOutcome {
    pub score: i32,
    /// -1, 0 or 1.
    pub my_vote: i32,
}

/// Casts, changes or clears a vote.
///
/// On SQLite a first upvote is six statements: the session, the ballot (the post, the
/// voter's vote on it, what that vote gave, the author's daily cap and the serial-voting
/// count, the voter's reputation and vote badges, in one query), the vote row, the
/// ledger rows (one INSERT), the score and the members' points (one UPDATE for both);
/// plus the search job's row. PostgreSQL locks the post and the members first.
pub async fn vote(
    db: &DatabaseConnection,
    voter: &Actor,
    post: Post,
    value: VoteValue,
    now: DateTime<Utc>,
) -> AppResult<VoteOutcome> {
    let txn = crate::db::begin_write(db).await?;
    let locks = Locks::new(&txn).post(post).await?;
    let new = value.get();
    let mut ballot = ballot(&txn, post, voter.id, new >= 0, now).await?;
    let item = ballot.item.clone();
    if item.locked {
        return Err(super::discussions::locked());
    }
    if item.author_id == voter.id {
        return Err(AppError::coded(
            Code::SelfVote,
            "You cannot vote on your own post",
        ));
    }
    let locked = locks.members([voter.id, item.author_id]).await?;
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Another vote for the same author may have moved the daily cap since the
        // ballot was read; now that the author's row is locked, read it again. (SQLite
        // has one writer: there the ballot is current.)
        (ballot.cap_used, ballot.recent, ballot.voter_reputation) =
            counts(&txn, item.author_id, voter.id, now).await?;
    }
    let item = &item;
    if new < 0
        && !voter.role.can_moderate()
        && ballot.voter_reputation < RULES.downvote_min_reputation
    {
        return Err(AppError::coded(
            Code::InsufficientReputation,
            format!(
                "Downvoting needs {} reputation",
                RULES.downvote_min_reputation
            ),
        ));
    }
    let old = ballot.existing.as_ref().map(|v| v.value).unwrap_or(0);
    if old == new {
        txn.commit().await?;
        return Ok(VoteOutcome {
            score: item.score,
            my_vote: new,
        });
    }
    let mut ledger = Ledger::new(&locked, &txn, now);
    if let Some(v) = &ballot.existing {
        let nets = [(item.author_id, v.author_net), (voter.id, v.voter_net)];
        ledger
            .reverse_known(item, v.id, kind::VOTE_REVERSED, &nets)
            .await?;
    }
    // The author's events on this vote count towards today's cap once the vote holds
    // an upvote received today (it did before, or this makes it so).
    let capped_before = ballot.existing.as_ref().is_some_and(|v| v.capped_today);
    let prior_net = ballot.existing.as_ref().map_or(0, |v| v.author_net);
    let was_new = ballot.existing.is_none();
    let saved = match (ballot.existing, new) {
        (Some(v), 0) => {
            vote::Entity::delete_by_id(v.id).exec(&txn).await?;
            None
        }
        (Some(v), _) => {
            vote::Entity::update_many()
                .col_expr(vote::Column::Value, Expr::value(new))
                .col_expr(vote::Column::UpdatedAt, Expr::value(now))
                .filter(vote::Column::Id.eq(v.id))
                .exec(&txn)
                .await?;
            Some(vote::Model {
                id: v.id,
                member_id: voter.id,
                target_kind: post.kind().as_str().to_string(),
                target_id: post.id(),
                author_id: item.author_id,
                value: new,
                created_at: v.created_at,
                updated_at: now,
            })
        }
        (None, _) => Some(
            vote::ActiveModel {
                member_id: Set(voter.id),
                target_kind: Set(post.kind().as_str().to_string()),
                target_id: Set(post.id()),
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
        let reversed = if capped_before {
            ledger.delta(item.author_id)
        } else {
            0
        };
        let counts = VoteCounts {
            cap_used: ballot.cap_used + reversed,
            // The serial-voting count includes this vote; a new one was not there yet.
            recent: ballot.recent + u64::from(was_new),
        };
        ledger.vote_cast(item, voter.id, v, counts).await?;
    }
    if capped_before || new > 0 {
        // Every event of the author's on this vote counts now: those before this write
        // too, when it is today's upvote that makes them count.
        let earlier = if capped_before { 0 } else { prior_net };
        let used = ballot.cap_used + earlier + ledger.delta(item.author_id);
        ledger.set_cap(item.author_id, used);
    }
    let score = bump_score(&txn, post, new - old).await?;
    let reputation_changed = ledger.settle().await?;
    effects::record(
        &txn,
        Effect::VoteChanged {
            post,
            voter: voter.id,
            value: new,
            voter_badges_held: ballot.voter_badges_held,
            author: item.author_id,
            score,
            score_badges_held: ballot.score_badges_held,
            reputation_badges_held: [
                (item.author_id, ballot.author_badges),
                (voter.id, ballot.voter_badges),
            ]
            .into(),
            reputation_changed,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(VoteOutcome {
        score,
        my_vote: new,
    })
}

/// The author's (`p.author_id`) daily-cap counter for today: `$3` the upvote kind, `$4`
/// and `$6` the day's bounds, `$5` the day; read from the ledger when it is not kept for
/// that day (not known yet, or kept for another).
const CAP_USED: &str = "(SELECT CASE WHEN m.cap_day = $5 THEN CAST(m.cap_points AS BIGINT) \
     ELSE (SELECT COALESCE(SUM(g.points), 0) \
      FROM reputation_events g WHERE g.member_id = m.id AND g.vote_id IN \
      (SELECT u.vote_id FROM reputation_events u WHERE u.member_id = m.id \
       AND u.kind = $3 AND u.created_at >= $4 AND u.created_at < $6)) \
     END FROM members m WHERE m.id = p.author_id)";

/// The voter's (`$2`) votes on the author's posts since `$7`.
const RECENT: &str = "(SELECT COUNT(*) FROM votes r WHERE r.member_id = $2 \
     AND r.author_id = p.author_id AND r.created_at >= $7)";

/// The statement's values, in the order of the `$n` in the queries above and below.
fn ballot_values(post: Post, voter: i32, now: DateTime<Utc>) -> Vec<sea_orm::Value> {
    let (day_start, day_end) = ledger::day_bounds(now);
    vec![
        post.id().into(),
        voter.into(),
        kind::UPVOTE_RECEIVED.into(),
        day_start.into(),
        ledger::cap_day(now).into(),
        day_end.into(),
        ledger::serial_window_start(now).into(),
        post.kind().as_str().into(),
        post.key().into(),
    ]
}

/// Runs one of the queries above on either database.
async fn query_one(
    txn: &impl ConnectionTrait,
    sql: String,
    values: Vec<sea_orm::Value>,
) -> AppResult<Option<sea_orm::QueryResult>> {
    let statement = crate::db::numbered(txn.get_database_backend(), &sql, values);
    Ok(txn.query_one_raw(statement).await?)
}

/// The daily cap, the serial-voting count and the voter's reputation alone, read again
/// under the members' locks (PostgreSQL).
async fn counts(
    txn: &impl ConnectionTrait,
    author: i32,
    voter: i32,
    now: DateTime<Utc>,
) -> AppResult<(i64, u64, i32)> {
    // `p` stands for a post of the author's, as in the ballot.
    let sql = format!(
        "SELECT {CAP_USED} AS cap_used, {RECENT} AS recent, \
         {VOTER_REPUTATION} AS voter_reputation \
         FROM (SELECT CAST($1 AS INTEGER) AS author_id) p"
    );
    let mut values = ballot_values(Post::Discussion(author), voter, now);
    values.truncate(7);
    values[0] = author.into();
    let row = query_one(txn, sql, values)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("counting votes returned nothing")))?;
    Ok((
        row.try_get::<Option<i64>>("", "cap_used")?.unwrap_or(0),
        count(&row, "recent")?,
        row.try_get::<Option<i32>>("", "voter_reputation")?
            .ok_or_else(AppError::not_signed_in)?,
    ))
}

/// The voter's (`$2`) reputation.
const VOTER_REPUTATION: &str = "(SELECT w.reputation FROM members w WHERE w.id = $2)";

/// How many badges of `measure` the member `who` (an SQL expression) holds: for the post
/// (`$9`, its key) when they are score badges, else badges of no item.
fn badges_held(who: &str, measure: badges::Measure) -> String {
    let item = match measure {
        badges::Measure::ItemScore => "$9",
        _ => "''",
    };
    format!(
        "(SELECT COUNT(*) FROM member_badges b WHERE b.member_id = {who} \
         AND b.item_key = {item} AND b.slug IN ({}))",
        badges::slug_list(measure)
    )
}

/// A COUNT(*) column.
fn count(row: &sea_orm::QueryResult, column: &str) -> AppResult<u64> {
    Ok(u64::try_from(row.try_get::<i64>("", column)?).unwrap_or(0))
}

/// Everything a vote reads, from one statement.
struct Ballot {
    item: Item,
    existing: Option<Existing>,
    /// The author's daily-cap counter for today (read from the ledger when unknown).
    cap_used: i64,
    /// The voter's votes on the author's posts in the serial-voting window.
    recent: u64,
    voter_reputation: i32,
    /// The voter holds every badge for votes of the sign being cast.
    voter_badges_held: bool,
    /// The post's score badges its author holds.
    score_badges_held: u64,
    /// The reputation badges the author and the voter hold.
    author_badges: u64,
    voter_badges: u64,
}

/// The voter's standing vote on the post, and what it gives.
struct Existing {
    id: i32,
    value: i32,
    created_at: DateTime<Utc>,
    author_net: i64,
    voter_net: i64,
    /// The author received an upvote through this vote today (UTC).
    capped_today: bool,
}

/// Reads the post (live, with its discussion), the voter's vote on it and what it gave,
/// the author's daily cap and serial-voting count, and the voter's reputation and vote
/// badges, in one statement.
async fn ballot(
    txn: &impl ConnectionTrait,
    post: Post,
    voter: i32,
    up: bool,
    now: DateTime<Utc>,
) -> AppResult<Ballot> {
    let (source, discussion, comment_id, not_found) = match post {
        Post::Discussion(_) => ("discussions p", "p", "CAST(NULL AS INTEGER)", "Discussion"),
        Post::Comment(_) => (
            "comments p JOIN discussions d ON d.id = p.discussion_id \
             AND d.deleted_at IS NULL",
            "d",
            "p.id",
            "Comment",
        ),
    };
    let cast = if up {
        badges::Measure::UpvotesCast
    } else {
        badges::Measure::DownvotesCast
    };
    let vote_badges = badges_held("$2", cast);
    let score_badges = badges_held("p.author_id", badges::Measure::ItemScore);
    let author_badges = badges_held("p.author_id", badges::Measure::Reputation);
    let voter_badges = badges_held("$2", badges::Measure::Reputation);
    let sql = format!(
        "SELECT p.author_id AS author_id, {discussion}.id AS discussion_id, \
         {comment_id} AS comment_id, {discussion}.zone_id AS zone_id, p.score AS score, \
         p.recognized AS recognized, {discussion}.locked AS locked, \
         v.id AS vote_id, v.value AS vote_value, v.created_at AS vote_created_at, \
         (SELECT COALESCE(SUM(e.points), 0) FROM reputation_events e \
          WHERE e.vote_id = v.id AND e.member_id = p.author_id) AS author_net, \
         (SELECT COALESCE(SUM(e.points), 0) FROM reputation_events e \
          WHERE e.vote_id = v.id AND e.member_id = $2) AS voter_net, \
         (SELECT COUNT(*) FROM reputation_events e WHERE e.vote_id = v.id \
          AND e.member_id = p.author_id AND e.kind = $3 AND e.created_at >= $4) AS capped_today, \
         {CAP_USED} AS cap_used, {RECENT} AS recent, \
         {VOTER_REPUTATION} AS voter_reputation, {vote_badges} AS vote_badges, \
         {score_badges} AS score_badges, {author_badges} AS author_badges, \
         {voter_badges} AS voter_badges \
         FROM {source} \
         LEFT JOIN votes v ON v.member_id = $2 AND v.target_kind = $8 AND v.target_id = p.id \
         WHERE p.id = $1 AND p.deleted_at IS NULL"
    );
    let row = query_one(txn, sql, ballot_values(post, voter, now))
        .await?
        .ok_or_else(|| AppError::not_found(not_found))?;
    let item = Item {
        post,
        author_id: row.try_get("", "author_id")?,
        discussion_id: row.try_get("", "discussion_id")?,
        comment_id: row.try_get("", "comment_id")?,
        zone_id: row.try_get("", "zone_id")?,
        score: row.try_get("", "score")?,
        recognized: row.try_get("", "recognized")?,
        locked: row.try_get("", "locked")?,
    };
    let vote_id: Option<i32> = row.try_get("", "vote_id")?;
    let existing = match vote_id {
        Some(id) => Some(Existing {
            id,
            value: row.try_get("", "vote_value")?,
            created_at: row.try_get("", "vote_created_at")?,
            author_net: row.try_get("", "author_net")?,
            voter_net: row.try_get("", "voter_net")?,
            capped_today: row.try_get::<i64>("", "capped_today")? > 0,
        }),
        None => None,
    };
    Ok(Ballot {
        item,
        existing,
        cap_used: row.try_get::<Option<i64>>("", "cap_used")?.unwrap_or(0),
        recent: count(&row, "recent")?,
        voter_reputation: row
            .try_get::<Option<i32>>("", "voter_reputation")?
            .ok_or_else(AppError::not_signed_in)?,
        voter_badges_held: count(&row, "vote_badges")? >= badges::reached(cast, i64::MAX),
        score_badges_held: count(&row, "score_badges")?,
        author_badges: count(&row, "author_badges")?,
        voter_badges: count(&row, "voter_badges")?,
    })
}

/// Moves a post's score atomically and returns the new score, in one statement.
async fn bump_score(txn: &impl ConnectionTrait, post: Post, delta: i32) -> AppResult<i32> {
    match post {
        Post::Discussion(id) => Ok(discussion::Entity::update_many()
            .col_expr(
                discussion::Column::Score,
                Expr::col(discussion::Column::Score).add(delta),
            )
            .filter(discussion::Column::Id.eq(id))
            .exec_with_returning(txn)
            .await?
            .first()
            .map(|d| d.score)
            .unwrap_or(0)),
        Post::Comment(id) => Ok(comment::Entity::update_many()
            .col_expr(
                comment::Column::Score,
                Expr::col(comment::Column::Score).add(delta),
            )
            .filter(comment::Column::Id.eq(id))
            .exec_with_returning(txn)
            .await?
            .first()
            .map(|c| c.score)
            .unwrap_or(0)),
    }
}
