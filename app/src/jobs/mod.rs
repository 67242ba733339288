//! The table-backed job queue. Writers enqueue a job in the same transaction as the
//! change it follows from, so nothing is lost if the process dies; workers claim jobs
//! with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several app instances never
//! claim the same row; SQLite has one writer at a time), run them, and delete them. A
//! failed job is retried later with exponential backoff and jitter.

use chrono::{DateTime, Duration, Utc};
use entity::job;
use rand::Rng;
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set,
};
use serde::Serialize;

use crate::error::AppResult;

pub mod search;

pub const SEARCH_QUEUE: &str = "search";

/// Adds a job to a queue, to run at once.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    queue: &str,
    payload: &impl Serialize,
) -> AppResult<()> {
    let now = Utc::now();
    let payload = serde_json::to_string(payload)
        .map_err(|e| crate::error::AppError::internal(anyhow::Error::new(e)))?;
    job::ActiveModel {
        queue: Set(queue.to_string()),
        payload: Set(payload),
        run_at: Set(now),
        attempts: Set(0),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Claims up to `limit` due jobs of a queue for `lease`.
pub async fn claim(
    db: &DatabaseConnection,
    queue: &str,
    limit: u64,
    lease: Duration,
) -> AppResult<Vec<job::Model>> {
    let now = Utc::now();
    let due = job::Entity::find()
        .filter(job::Column::Queue.eq(queue))
        .filter(job::Column::RunAt.lte(now))
        .filter(lease_free(job::Column::LockedUntil, now))
        .order_by_asc(job::Column::Id)
        .limit(limit);
    if !any_due(db, &due).await? {
        return Ok(Vec::new());
    }
    let txn = crate::db::begin_write(db).await?;
    let select = skip_locked(due, txn.get_database_backend());
    let jobs = select.all(&txn).await?;
    if !jobs.is_empty() {
        use sea_orm::sea_query::ExprTrait;
        job::Entity::update_many()
            .col_expr(job::Column::LockedUntil, Expr::value(now + lease))
            .col_expr(
                job::Column::Attempts,
                Expr::col(job::Column::Attempts).add(1),
            )
            .filter(job::Column::Id.is_in(jobs.iter().map(|j| j.id).collect::<Vec<_>>()))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(jobs)
}

/// Rows whose lease is free: never claimed, or claimed by a worker that has since died.
pub fn lease_free(locked_until: impl ColumnTrait, now: DateTime<Utc>) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(locked_until.is_null())
        .add(locked_until.lt(now))
}

/// A cheap read before the write transaction, so idle polling (several times a second,
/// on every instance) never takes SQLite's write lock.
pub async fn any_due<E: EntityTrait>(db: &DatabaseConnection, due: &Select<E>) -> AppResult<bool> {
    Ok(due.clone().one(db).await?.is_some())
}

/// On PostgreSQL, rows another instance is claiming right now are skipped, not waited for.
pub fn skip_locked<E: EntityTrait>(select: Select<E>, backend: DbBackend) -> Select<E> {
    if backend == DbBackend::Postgres {
        select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
    } else {
        select
    }
}

/// Deletes finished jobs.
pub async fn complete(db: &DatabaseConnection, ids: &[i32]) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    // Through the write lane like every other writer: on SQLite a write outside it
    // holds the lock while the lane's writer sleeps in the busy handler.
    let txn = crate::db::begin_write(db).await?;
    job::Entity::delete_many()
        .filter(job::Column::Id.is_in(ids.to_vec()))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// When to try again after `attempts` failures: 1 min, 5 min, 30 min, 2 h, 6 h, then
/// daily, each with up to 20% jitter so a fleet does not retry in lockstep.
pub fn backoff(attempts: i32, now: DateTime<Utc>) -> DateTime<Utc> {
    let base_secs: i64 = match attempts {
        ..=1 => 60,
        2 => 300,
        3 => 1800,
        4 => 7200,
        5 => 21_600,
        _ => 86_400,
    };
    let jitter = rand::rng().random_range(0..=base_secs / 5);
    now + Duration::seconds(base_secs + jitter)
}

/// Puts failed jobs back with a later run time and the error that stopped them.
pub async fn retry_later(
    db: &DatabaseConnection,
    jobs: &[job::Model],
    error: &str,
) -> AppResult<()> {
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    for j in jobs {
        let mut active: job::ActiveModel = j.clone().into();
        active.run_at = Set(backoff(j.attempts + 1, now));
        active.locked_until = Set(None);
        active.attempts = Set(j.attempts + 1);
        active.last_error = Set(Some(error.chars().take(2000).collect()));
        active.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}
