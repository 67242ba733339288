//! `zone_points`: each member's points earned in each zone, the sum of their ledger
//! events there, kept by a trigger on `reputation_events` in the writing transaction
//! (the ledger is only ever appended to). A zone page shows the zone's experts, its
//! all-time leaderboard; that was a `GROUP BY` over every event of the zone on every
//! view, and now reads the top rows of an index (issue #15). `quorum
//! recompute-reputation` rebuilds the table from the ledger.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ZonePoints {
    Table,
    ZoneId,
    MemberId,
    Points,
}

const TOP: &str = "idx_zone_points_top";

/// Adds a new ledger event's points to its member's total in its zone.
const UPSERT: &str = "INSERT INTO zone_points (zone_id, member_id, points) \
     VALUES (NEW.zone_id, NEW.member_id, NEW.points) \
     ON CONFLICT (zone_id, member_id) DO UPDATE SET points = zone_points.points + excluded.points";

/// The table filled from the ledger (also what `recompute-reputation` runs).
pub const FILL: &str = "INSERT INTO zone_points (zone_id, member_id, points) \
     SELECT zone_id, member_id, SUM(points) FROM reputation_events \
     WHERE zone_id IS NOT NULL GROUP BY zone_id, member_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ZonePoints::Table)
                    .col(ColumnDef::new(ZonePoints::ZoneId).integer().not_null())
                    .col(ColumnDef::new(ZonePoints::MemberId).integer().not_null())
                    .col(
                        ColumnDef::new(ZonePoints::Points)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .primary_key(
                        Index::create()
                            .col(ZonePoints::ZoneId)
                            .col(ZonePoints::MemberId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(TOP)
                    .table(ZonePoints::Table)
                    .col(ZonePoints::ZoneId)
                    .col((ZonePoints::Points, IndexOrder::Desc))
                    .col(ZonePoints::MemberId)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(FILL).await?;
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION zone_points_add() RETURNS trigger AS $$ \
                     BEGIN {UPSERT}; RETURN NULL; END; $$ LANGUAGE plpgsql"
                ))
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER zone_points_add AFTER INSERT ON reputation_events \
                     FOR EACH ROW WHEN (NEW.zone_id IS NOT NULL) \
                     EXECUTE FUNCTION zone_points_add()",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER zone_points_add AFTER INSERT ON reputation_events \
                     FOR EACH ROW WHEN NEW.zone_id IS NOT NULL BEGIN {UPSERT}; END"
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("DROP TRIGGER zone_points_add ON reputation_events")
                .await?;
            db.execute_unprepared("DROP FUNCTION zone_points_add()")
                .await?;
        } else {
            db.execute_unprepared("DROP TRIGGER zone_points_add")
                .await?;
        }
        manager
            .drop_table(Table::drop().table(ZonePoints::Table).to_owned())
            .await
    }
}
