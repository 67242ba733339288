//! Connecting to the database: SQLite (WAL, foreign keys, a busy timeout so concurrent
//! writers wait instead of failing) or PostgreSQL, chosen by the URL.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, ExecResult, QueryResult, Statement,
};

pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    if let Some(path) = sqlite_path(url)
        && let Some(parent) = std::path::Path::new(&path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let mut options = ConnectOptions::new(url.to_string());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    if url.starts_with("sqlite:") {
        options.max_connections(8).min_connections(1);
        options.map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    } else {
        options.max_connections(16).min_connections(1);
    }
    let db = Database::connect(options)
        .await
        .context("connecting to the database")?;
    Ok(db)
}

/// Applies every pending migration. Safe to run on every start.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("applying migrations")?;
    Ok(())
}

/// Keeps SQLite's query planner informed: without table statistics it may sort a whole
/// table rather than walk an index in order (a zone listing took 100 ms instead of 5 on
/// 100,000 discussions). Analyses what needs it, within a bounded effort; PostgreSQL's
/// autovacuum does this on its own. Run at start and by the housekeeping loop.
pub async fn optimize(db: &DatabaseConnection) -> anyhow::Result<()> {
    use sea_orm::ConnectionTrait;
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA optimize=0x10002")
            .await
            .context("optimizing the database")?;
    }
    Ok(())
}

fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path == ":memory:" {
        None
    } else {
        Some(path.to_string())
    }
}

/// Begins a write transaction. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`): a deferred transaction that reads first and writes later can fail with
/// SQLITE_BUSY when another writer got in between, instead of waiting its turn.
///
/// A raw statement written once for both databases: parameters are numbered `$1`,
/// `$2`, … (PostgreSQL's form) and become `?1`, `?2`, … on SQLite, so a number may be
/// used more than once and in any order. The SQL must hold no other `$`.
pub fn numbered(backend: DbBackend, sql: &str, values: Vec<sea_orm::Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => sql.to_string(),
        _ => sql.replace('$', "?"),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// On SQLite the writers of this process also queue, first come first served, in one
/// lane per database file before they begin. SQLite has one writer at a time anyway,
/// and its busy handler makes the others poll with sleeps of up to 100 ms: under a
/// burst of votes that put p99 near a second while the lock stood idle between sleeps.
/// In the lane a waiting writer wakes the moment the one before it commits. Writers in
/// other processes (a second instance, the command line) still meet the busy timeout.
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTxn, sea_orm::DbErr> {
    use sea_orm::TransactionTrait;
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        let lane = match lane(db) {
            Some(lane) => match tokio::time::timeout(LANE_PATIENCE, lane.lock_owned()).await {
                Ok(turn) => Some(turn),
                Err(_) => {
                    // Never wait forever on the lane: past this, queue in SQLite's own
                    // busy handler as before.
                    tracing::warn!("the write lane was busy for {LANE_PATIENCE:?}");
                    None
                }
            },
            None => None,
        };
        let txn = db
            .begin_with_options(sea_orm::TransactionOptions {
                isolation_level: None,
                access_mode: None,
                sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
            })
            .await?;
        Ok(WriteTxn { txn, _lane: lane })
    } else {
        Ok(WriteTxn {
            txn: db.begin().await?,
            _lane: None,
        })
    }
}

const LANE_PATIENCE: Duration = Duration::from_secs(10);

/// This process's write lane for the SQLite file behind `db`.
fn lane(db: &DatabaseConnection) -> Option<Arc<tokio::sync::Mutex<()>>> {
    static LANES: OnceLock<std::sync::Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> =
        OnceLock::new();
    let options = db.get_sqlite_connection_pool().connect_options();
    let file = options.get_filename();
    let mut lanes = LANES.get_or_init(Default::default).lock().ok()?;
    if let Some(lane) = lanes.get(file) {
        return Some(lane.clone());
    }
    let lane = Arc::new(tokio::sync::Mutex::new(()));
    lanes.insert(file.to_path_buf(), lane.clone());
    Some(lane)
}

/// A write transaction (see `begin_write`), holding this process's turn in the SQLite
/// write lane until it commits, rolls back or is dropped.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _lane: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}
