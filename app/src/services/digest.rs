//! Digests: now and then, the most active discussions in a member's zones that they have
//! not read since they last moved.

use chrono::{DateTime, Duration, Utc};
use entity::{comment, discussion, discussion_read, member};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::error::AppResult;

pub fn period(digest: &str) -> Option<Duration> {
    match digest {
        "daily" => Some(Duration::days(1)),
        "weekly" => Some(Duration::days(7)),
        _ => None,
    }
}

/// The discussions a member's digest lists: active since `since`, in the zones where the
/// member has written (every zone if nowhere yet), not read since their last activity;
/// most replies first.
pub async fn selection(
    db: &impl ConnectionTrait,
    member_id: i32,
    since: DateTime<Utc>,
    limit: u64,
) -> AppResult<Vec<discussion::Model>> {
    let mut zone_ids: Vec<i32> = discussion::Entity::find()
        .select_only()
        .column(discussion::Column::ZoneId)
        .filter(
            sea_orm::Condition::any()
                .add(discussion::Column::AuthorId.eq(member_id))
                .add(
                    discussion::Column::Id.in_subquery(
                        sea_orm::sea_query::Query::select()
                            .column(comment::Column::DiscussionId)
                            .from(comment::Entity)
                            .and_where(Expr::col(comment::Column::AuthorId).eq(member_id))
                            .to_owned(),
                    ),
                ),
        )
        .into_tuple::<i32>()
        .all(db)
        .await?;
    zone_ids.sort_unstable();
    zone_ids.dedup();
    let reads: std::collections::HashMap<i32, DateTime<Utc>> = discussion_read::Entity::find()
        .filter(discussion_read::Column::MemberId.eq(member_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.discussion_id, r.read_at))
        .collect();
    let mut query = discussion::Entity::find()
        .filter(discussion::Column::DeletedAt.is_null())
        .filter(discussion::Column::LastActivityAt.gte(since))
        .order_by_desc(discussion::Column::CommentCount)
        .order_by_desc(discussion::Column::LastActivityAt)
        .limit(limit * 4);
    if !zone_ids.is_empty() {
        query = query.filter(discussion::Column::ZoneId.is_in(zone_ids));
    }
    Ok(query
        .all(db)
        .await?
        .into_iter()
        .filter(|d| {
            reads
                .get(&d.id)
                .is_none_or(|read| *read < d.last_activity_at)
        })
        .take(limit as usize)
        .collect())
}

/// Queues the digests that are due. Several instances may run this at once: each
/// member's turn is claimed by one conditional update, so one digest goes out.
/// Claims a member's turn for a periodic mail: one conditional update sets `column`
/// (when their last one went) to `now` if `due` still holds, inside the caller's
/// transaction. Several instances may look at once; one of them gets the turn.
pub async fn claim_turn(
    txn: &impl ConnectionTrait,
    member_id: i32,
    column: member::Column,
    due: sea_orm::Condition,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let claimed = member::Entity::update_many()
        .col_expr(column, Expr::value(now))
        .filter(member::Column::Id.eq(member_id))
        .filter(due)
        .exec(txn)
        .await?;
    Ok(claimed.rows_affected > 0)
}

pub async fn queue_due(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<u32> {
    let members = member::Entity::find()
        .filter(member::Column::Digest.is_in(["daily", "weekly"]))
        // Mail goes only to confirmed addresses (and never to former members).
        .filter(member::Column::EmailVerified.eq(true))
        .filter(member::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let mut queued = 0;
    for m in members {
        let Some(every) = period(&m.digest) else {
            continue;
        };
        if m.last_digest_at.is_some_and(|last| last > now - every) {
            continue;
        }
        let cutoff = now - every;
        // Claim, select and queue in one transaction: a crash loses nothing.
        let txn = crate::db::begin_write(db).await?;
        let due = sea_orm::Condition::any()
            .add(member::Column::LastDigestAt.is_null())
            .add(member::Column::LastDigestAt.lte(cutoff));
        if !claim_turn(&txn, m.id, member::Column::LastDigestAt, due, now).await? {
            continue;
        }
        let since = m.last_digest_at.unwrap_or(now - every);
        if selection(&txn, m.id, since, 10).await?.is_empty() {
            txn.commit().await?;
            continue;
        }
        super::subscriptions::queue_mail(
            &txn,
            super::subscriptions::Mail {
                member_id: m.id,
                to: &m.email,
                kind: "digest",
                reason: &m.digest,
                discussion_id: None,
                comment_id: None,
                token_id: None,
                idea_change_id: None,
                inbound_mail_id: None,
                tag: &format!("{}.{}", m.id, now.timestamp()),
            },
            now,
        )
        .await?;
        txn.commit().await?;
        queued += 1;
    }
    Ok(queued)
}
