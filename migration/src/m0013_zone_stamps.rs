//! A stamp per zone that rises with every write a zone's page shows (issue #15), so the
//! page a visitor gets can be rendered once and served again until it changes, as a
//! discussion's page is (m0010). Triggers raise it in the writing transaction: a
//! discussion listed, changed in what its row shows, moved or removed; a quiz or live
//! session of the zone; a live question (the zone page lists the unanswered ones); a
//! member's points in the zone (its experts); a follow of the zone (its follower count). Members' names, pictures and reputation
//! are not stamped: a copy lives at most 30 seconds (`thread_cache::MAX_AGE`).
//!
//! The stamp is the sum of eight rows per zone rather than one counter, so that
//! PostgreSQL does not make every write in a zone wait on one row's lock until its
//! transaction commits; each shard only rises, so the sum read before a page is built
//! changes after any later write. A transaction always raises the same shard of a zone
//! (its transaction id modulo 8): a vote raises its zone's stamp twice (the
//! discussion's score, the author's points), and shards chosen per row could be locked
//! in opposite orders by two votes, a deadlock. SQLite has one writer: one shard.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ZoneStamps {
    Table,
    ZoneId,
    Shard,
    Stamp,
}

/// Columns of `discussions` a zone's listing shows or sorts by (m0015 adds the idea's
/// status).
pub(crate) const LISTED: &str = "zone_id, author_id, title, score, comment_count, recognized, locked, \
    pinned, deleted_at, hidden, last_activity_at, created_at";

/// Each stamped table: its name, what of a row `R` (OLD or NEW) gives the zone, and the
/// columns whose update raises the stamp (None: any).
const STAMPED: &[(&str, &str, Option<&str>)] = &[
    ("discussions", DISCUSSION_ZONE, Some(LISTED)),
    ("quizzes", "R.zone_id", None),
    ("qa_sessions", "R.zone_id", None),
    (
        "qa_questions",
        "(SELECT zone_id FROM qa_sessions WHERE id = R.session_id)",
        None,
    ),
    ("zone_points", "R.zone_id", None),
    ("follows", "R.zone_id", None),
];

/// Raises the stamp of row `r`'s zone, in the shard `shard`.
fn raise(zone: &str, shard: &str, r: &str) -> String {
    let zone = zone.replace("R.", &format!("{r}."));
    format!(
        "INSERT INTO zone_stamps (zone_id, shard, stamp) SELECT z, {shard}, 1 FROM \
         (SELECT {zone} AS z) AS raised WHERE z IS NOT NULL \
         ON CONFLICT (zone_id, shard) DO UPDATE SET stamp = zone_stamps.stamp + 1"
    )
}

fn sqlite_trigger(table: &str, op: &str) -> String {
    format!("{table}_zone_stamp_on_{}", op.to_lowercase())
}

fn shard(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "CAST(txid_current() % 8 AS INTEGER)",
        _ => "0",
    }
}

/// The trigger that raises the stamp when a row of `table` changes in `columns` (any
/// column: None). On PostgreSQL it also covers inserts and deletes and calls
/// `{table}_zone_stamp()`, made below; SQLite has a trigger per operation.
pub(crate) fn update_trigger(
    backend: DbBackend,
    table: &str,
    zone: &str,
    columns: Option<&str>,
) -> String {
    let of = columns.map(|c| format!(" OF {c}")).unwrap_or_default();
    match backend {
        DbBackend::Postgres => format!(
            "CREATE TRIGGER {table}_zone_stamp AFTER INSERT OR DELETE OR \
             UPDATE{of} ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_zone_stamp()"
        ),
        _ => format!(
            "CREATE TRIGGER {} AFTER UPDATE{of} ON {table} FOR EACH ROW BEGIN {}; {}; END",
            sqlite_trigger(table, "UPDATE"),
            raise(zone, shard(backend), "OLD"),
            raise(zone, shard(backend), "NEW"),
        ),
    }
}

/// The zone of a discussions row (for `update_trigger`).
pub(crate) const DISCUSSION_ZONE: &str = "R.zone_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ZoneStamps::Table)
                    .col(ColumnDef::new(ZoneStamps::ZoneId).integer().not_null())
                    .col(ColumnDef::new(ZoneStamps::Shard).integer().not_null())
                    .col(
                        ColumnDef::new(ZoneStamps::Stamp)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .primary_key(
                        Index::create()
                            .col(ZoneStamps::ZoneId)
                            .col(ZoneStamps::Shard),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let shard = shard(backend);
        for &(table, zone, columns) in STAMPED {
            match backend {
                DbBackend::Postgres => {
                    db.execute_unprepared(&format!(
                        "CREATE FUNCTION {table}_zone_stamp() RETURNS trigger AS $$ \
                         BEGIN \
                           IF TG_OP <> 'INSERT' THEN {}; END IF; \
                           IF TG_OP <> 'DELETE' THEN {}; END IF; \
                           RETURN NULL; \
                         END; $$ LANGUAGE plpgsql",
                        raise(zone, shard, "OLD"),
                        raise(zone, shard, "NEW"),
                    ))
                    .await?;
                    db.execute_unprepared(&update_trigger(backend, table, zone, columns))
                        .await?;
                }
                _ => {
                    for (op, body) in [
                        ("INSERT", raise(zone, shard, "NEW")),
                        ("DELETE", raise(zone, shard, "OLD")),
                    ] {
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER {} AFTER {op} ON {table} FOR EACH ROW \
                             BEGIN {body}; END",
                            sqlite_trigger(table, op)
                        ))
                        .await?;
                    }
                    db.execute_unprepared(&update_trigger(backend, table, zone, columns))
                        .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for &(table, ..) in STAMPED {
            if db.get_database_backend() == DbBackend::Postgres {
                db.execute_unprepared(&format!("DROP TRIGGER {table}_zone_stamp ON {table}"))
                    .await?;
                db.execute_unprepared(&format!("DROP FUNCTION {table}_zone_stamp()"))
                    .await?;
            } else {
                for op in ["INSERT", "DELETE", "UPDATE"] {
                    db.execute_unprepared(&format!("DROP TRIGGER {}", sqlite_trigger(table, op)))
                        .await?;
                }
            }
        }
        manager
            .drop_table(Table::drop().table(ZoneStamps::Table).to_owned())
            .await
    }
}
