//! What reading records, kept out of the read itself: view counts and "read" marks (for
//! the digest) are gathered in memory and written in batches, every second and at
//! shutdown, so a page view takes no write lock. A crash loses at most a second of view
//! counts, never a post.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use entity::{discussion, discussion_read};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use crate::error::AppResult;

/// How often the buffer is written out.
pub const FLUSH_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// Read marks written per statement.
const MARKS_PER_INSERT: usize = 200;

#[derive(Default)]
struct Pending {
    views: HashMap<i32, i32>,
    marks: HashMap<(i32, i32), DateTime<Utc>>,
}

/// The buffer; one per instance, in `AppState`.
#[derive(Default)]
pub struct ReadBuffer {
    pending: Mutex<Pending>,
    /// Readers hold it shared while they read the stored count and add their view; a
    /// batch holds it alone while it is written. So a reader never sees the stored count
    /// from before a batch together with the memory from after it, and a count shown
    /// never goes backwards.
    gate: tokio::sync::RwLock<()>,
}

impl std::fmt::Debug for ReadBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadBuffer").finish_non_exhaustive()
    }
}

impl ReadBuffer {
    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        // A panic while holding the lock leaves plain counters behind: keep using them.
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts one view of a discussion, and marks it read for a signed-in reader.
    /// Returns the views of it this instance has not written yet (this one included),
    /// to add to the stored count.
    pub fn viewed(&self, discussion_id: i32, reader: Option<i32>, now: DateTime<Utc>) -> i32 {
        let mut pending = self.lock();
        if let Some(member_id) = reader {
            pending.marks.insert((member_id, discussion_id), now);
        }
        let views = pending.views.entry(discussion_id).or_insert(0);
        *views = views.saturating_add(1);
        *views
    }

    /// Held while reading the stored count and counting a view (see `gate`).
    pub async fn reading(&self) -> tokio::sync::RwLockReadGuard<'_, ()> {
        self.gate.read().await
    }

    /// Writes what was gathered, in one transaction. On failure the view counts are kept
    /// for the next try; the read marks are dropped (a mark that cannot be written, say
    /// for a member deleted meanwhile, must not block the counts for ever).
    pub async fn flush(&self, db: &DatabaseConnection) -> AppResult<()> {
        let _alone = self.gate.write().await;
        let taken = std::mem::take(&mut *self.lock());
        if taken.views.is_empty() && taken.marks.is_empty() {
            return Ok(());
        }
        match write(db, &taken).await {
            Ok(()) => Ok(()),
            Err(e) => {
                let mut pending = self.lock();
                for (id, n) in taken.views {
                    let views = pending.views.entry(id).or_insert(0);
                    *views = views.saturating_add(n);
                }
                Err(e)
            }
        }
    }
}

async fn write(db: &DatabaseConnection, pending: &Pending) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    let mut views: Vec<(i32, i32)> = pending.views.iter().map(|(k, v)| (*k, *v)).collect();
    // The same order in every instance, so two flushes cannot deadlock on PostgreSQL.
    views.sort_unstable();
    for (id, n) in views {
        discussion::Entity::update_many()
            .col_expr(
                discussion::Column::ViewCount,
                Expr::col(discussion::Column::ViewCount).add(n),
            )
            .filter(discussion::Column::Id.eq(id))
            .exec(&txn)
            .await?;
    }
    let mut marks: Vec<((i32, i32), DateTime<Utc>)> =
        pending.marks.iter().map(|(k, v)| (*k, *v)).collect();
    marks.sort_unstable_by_key(|(k, _)| *k);
    for chunk in marks.chunks(MARKS_PER_INSERT) {
        let rows =
            chunk.iter().map(
                |((member_id, discussion_id), at)| discussion_read::ActiveModel {
                    member_id: Set(*member_id),
                    discussion_id: Set(*discussion_id),
                    read_at: Set(*at),
                    ..Default::default()
                },
            );
        discussion_read::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([
                    discussion_read::Column::MemberId,
                    discussion_read::Column::DiscussionId,
                ])
                .update_column(discussion_read::Column::ReadAt)
                .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Writes the buffer every `FLUSH_EVERY` until the task is dropped.
pub async fn run_flusher(buffer: std::sync::Arc<ReadBuffer>, db: DatabaseConnection) {
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = buffer.flush(&db).await {
            tracing::warn!(error = %e, "writing view counts failed; they are kept for the next try");
        }
    }
}
