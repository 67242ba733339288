//! `members.points`: the sum of a member's ledger events, kept beside the reputation it
//! gives (1 + points, never below 1), so a vote settles a member's total with one
//! statement instead of summing their whole ledger (issue #15). `quorum
//! recompute-reputation` still rebuilds both from the ledger.
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
