//! `members.points`: the sum of a member's ledger events, kept beside the reputation it
//! gives (1 + points, never below 1), so a vote settles a member's total with one
//! statement instead of summing their whole ledger (issue #15). `quorum
//! recompute-reputation` still rebuilds both from the ledger.
//!
//! Each zone counts its discussions (`zones.live_discussions`, and `hidden_discussions`
//! for what only moderators list), kept by triggers in every writing transaction, as
//! `discussions.version` is (m0010): a listing's total and the home page's counts are
//! read, not counted over a zone's every row.
//!
//! And two indexes the listings lost when hidden posts came (m0009): a zone's count of
//! live discussions reads `(zone_id, deleted_at, hidden)` alone instead of every row, and
//! the home page's latest activity walks `(last_activity_at, id)` instead of sorting
//! the whole table.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Members {
    Table,
    Points,
}

#[derive(DeriveIden)]
enum Discussions {
    Table,
    ZoneId,
    DeletedAt,
    Hidden,
    LastActivityAt,
    Id,
}

#[derive(DeriveIden)]
enum Zones {
    Table,
    LiveDiscussions,
    HiddenDiscussions,
}

/// 1 when the row `r` (NEW or OLD) is a live, visible discussion, else 0; and the same
/// for a live hidden one.
fn live(r: &str) -> String {
    format!("CASE WHEN {r}.deleted_at IS NULL AND NOT {r}.hidden THEN 1 ELSE 0 END")
}
fn hidden(r: &str) -> String {
    format!("CASE WHEN {r}.deleted_at IS NULL AND {r}.hidden THEN 1 ELSE 0 END")
}
/// Adds (`sign` "+") or takes away ("-") row `r` from its zone's counts.
fn count(r: &str, sign: &str) -> String {
    format!(
        "UPDATE zones SET live_discussions = live_discussions {sign} {}, \
         hidden_discussions = hidden_discussions {sign} {} WHERE id = {r}.zone_id",
        live(r),
        hidden(r)
    )
}

const SQLITE_TRIGGERS: &[&str] = &[
    "discussions_count_on_insert",
    "discussions_count_on_update",
    "discussions_count_on_delete",
];

const ZONE_LIVE: &str = "idx_discussions_zone_live";
const ACTIVITY: &str = "idx_discussions_activity";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Members::Table)
                    .add_column(
                        ColumnDef::new(Members::Points)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE members SET points = COALESCE((SELECT SUM(points) FROM \
                 reputation_events WHERE reputation_events.member_id = members.id), 0)",
            )
            .await?;
        for column in [Zones::LiveDiscussions, Zones::HiddenDiscussions] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Zones::Table)
                        .add_column(ColumnDef::new(column).integer().not_null().default(0))
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "UPDATE zones SET live_discussions = (SELECT COALESCE(SUM({}), 0) FROM discussions d \
             WHERE d.zone_id = zones.id), hidden_discussions = (SELECT COALESCE(SUM({}), 0) \
             FROM discussions d WHERE d.zone_id = zones.id)",
            live("d"),
            hidden("d")
        ))
        .await?;
        match db.get_database_backend() {
            sea_orm_migration::sea_orm::DbBackend::Postgres => {
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION discussions_count() RETURNS trigger AS $$ \
                     BEGIN \
                       IF TG_OP <> 'INSERT' THEN {}; END IF; \
                       IF TG_OP <> 'DELETE' THEN {}; END IF; \
                       RETURN NULL; \
                     END; $$ LANGUAGE plpgsql",
                    count("OLD", "-"),
                    count("NEW", "+")
                ))
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER discussions_count AFTER INSERT OR DELETE OR UPDATE OF \
                     zone_id, deleted_at, hidden ON discussions FOR EACH ROW \
                     EXECUTE FUNCTION discussions_count()",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER discussions_count_on_insert AFTER INSERT ON discussions \
                     FOR EACH ROW BEGIN {}; END",
                    count("NEW", "+")
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER discussions_count_on_update AFTER UPDATE OF zone_id, \
                     deleted_at, hidden ON discussions FOR EACH ROW BEGIN {}; {}; END",
                    count("OLD", "-"),
                    count("NEW", "+")
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER discussions_count_on_delete AFTER DELETE ON discussions \
                     FOR EACH ROW BEGIN {}; END",
                    count("OLD", "-")
                ))
                .await?;
            }
        }
        manager
            .create_index(
                Index::create()
                    .name(ZONE_LIVE)
                    .table(Discussions::Table)
                    .col(Discussions::ZoneId)
                    .col(Discussions::DeletedAt)
                    .col(Discussions::Hidden)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(ACTIVITY)
                    .table(Discussions::Table)
                    .col(Discussions::LastActivityAt)
                    .col(Discussions::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match db.get_database_backend() {
            sea_orm_migration::sea_orm::DbBackend::Postgres => {
                db.execute_unprepared("DROP TRIGGER discussions_count ON discussions")
                    .await?;
                db.execute_unprepared("DROP FUNCTION discussions_count()")
                    .await?;
            }
            _ => {
                for name in SQLITE_TRIGGERS {
                    db.execute_unprepared(&format!("DROP TRIGGER {name}"))
                        .await?;
                }
            }
        }
        for column in [Zones::LiveDiscussions, Zones::HiddenDiscussions] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Zones::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for name in [ZONE_LIVE, ACTIVITY] {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(Discussions::Table)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Members::Table)
                    .drop_column(Members::Points)
                    .to_owned(),
            )
            .await
    }
}
