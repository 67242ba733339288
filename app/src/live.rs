//! Live updates for open pages (Server-Sent Events).
//!
//! Every change a live page shows is written as a row of `live_events` in the same
//! transaction as the change itself, so an event exists exactly when its change does, and
//! a client that reconnects with `Last-Event-ID` is replayed what it missed.
//!
//! Delivery to the streams open on each app instance:
//! - PostgreSQL: the writer's transaction also runs `pg_notify('quorum_live', id)`. Postgres
//!   delivers a notification only when (and if) its transaction commits, to every
//!   instance's listener, which loads the row and hands it to its own streams.
//! - SQLite (one machine, one process): after the commit, the writer hands the row to the
//!   in-process channel itself.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::live_event;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Set, Statement,
};
use tokio::sync::broadcast;

use crate::error::AppResult;

/// The PostgreSQL channel every instance listens on.
pub const CHANNEL: &str = "quorum_live";

/// The event that asks a page to reload what it shows.
pub const RESYNC: &str = "resync";

/// How many events a slow stream may fall behind before it is told to resynchronise.
const BACKLOG: usize = 1024;

#[derive(Clone)]
pub struct LiveHub {
    sender: broadcast::Sender<Arc<live_event::Model>>,
    backend: DbBackend,
}

impl LiveHub {
    pub fn new(backend: DbBackend) -> Self {
        let (sender, _) = broadcast::channel(BACKLOG);
        Self { sender, backend }
    }

    /// Events as they are committed, from this instance and (on PostgreSQL) every other.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<live_event::Model>> {
        self.sender.subscribe()
    }

    /// Call after the transaction that recorded `events` committed.
    pub fn committed(&self, events: Vec<live_event::Model>) {
        if self.backend != DbBackend::Postgres {
            for event in events {
                // No receiver (no page open) is not an error.
                let _ = self.sender.send(Arc::new(event));
            }
        }
    }

    /// On PostgreSQL: listens for every instance's events until aborted, reconnecting
    /// after a lost connection. Does nothing on SQLite.
    pub async fn listen(self, db: DatabaseConnection, url: String) {
        if self.backend != DbBackend::Postgres {
            return;
        }
        use sea_orm::sqlx::postgres::PgListener;
        loop {
            match PgListener::connect(&url).await {
                Ok(mut listener) => match listener.listen(CHANNEL).await {
                    Ok(()) => loop {
                        match listener.try_recv().await {
                            Ok(Some(note)) => self.forward(&db, note.payload()).await,
                            // The connection dropped (the next call reconnects): whatever
                            // was sent meanwhile is lost, so every stream must reload.
                            Ok(None) => self.resync(),
                            Err(e) => {
                                tracing::warn!(error = %e, "the live-event listener lost its connection");
                                self.resync();
                                break;
                            }
                        }
                    },
                    Err(e) => tracing::warn!(error = %e, "LISTEN failed"),
                },
                Err(e) => tracing::warn!(error = %e, "connecting the live-event listener failed"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Tells every open stream that it may have missed events (id 0: no real event).
    pub fn resync(&self) {
        let _ = self.sender.send(Arc::new(live_event::Model {
            id: 0,
            session_id: 0,
            question_id: None,
            kind: RESYNC.into(),
            payload: "{}".into(),
            created_at: Utc::now(),
        }));
    }

    async fn forward(&self, db: &DatabaseConnection, payload: &str) {
        let Ok(id) = payload.parse::<i32>() else {
            return;
        };
        match live_event::Entity::find_by_id(id).one(db).await {
            Ok(Some(event)) => {
                let _ = self.sender.send(Arc::new(event));
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "loading a live event failed"),
        }
    }
}

/// Records a live event inside the writer's transaction (through the effects
/// dispatcher); on PostgreSQL the transaction also notifies every instance at commit.
pub async fn record(
    txn: &impl ConnectionTrait,
    session_id: i32,
    question_id: Option<i32>,
    kind: &str,
    payload: String,
    now: DateTime<Utc>,
) -> AppResult<live_event::Model> {
    let row = live_event::ActiveModel {
        session_id: Set(session_id),
        question_id: Set(question_id),
        kind: Set(kind.to_string()),
        payload: Set(payload),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let backend = txn.get_database_backend();
    if backend == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), row.id.to_string().into()],
        ))
        .await?;
    }
    Ok(row)
}
