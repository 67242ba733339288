//! Indexes the load benchmark's query plans asked for (issue #8, docs/benchmarks.md),
//! checked with EXPLAIN on SQLite and PostgreSQL at 100,000 discussions and 1,000,000
//! comments. Each one makes a query that visits many rows read only the index instead of
//! looking every row up in the table (on PostgreSQL once the visibility map is set, i.e.
//! after a VACUUM, which autovacuum does on its own):
//!
//! - discussions (zone_id, deleted_at, id): the per-zone discussion counts in the
//!   navigation of every page (`COUNT(id) … GROUP BY zone_id`), and the total of a zone
//!   listing. Before, every counted row was looked up in the table to check `deleted_at`
//!   (SQLite), or the whole table was scanned (PostgreSQL). `id` makes the index covering
//!   on PostgreSQL; SQLite has the rowid in every index anyway.
//! - reputation_events (zone_id, member_id, points): a zone's experts (the all-time
//!   leaderboard of one zone, on every zone page), grouped by member in index order.
//! - reputation_events (member_id, points): a member's total, summed again after every
//!   vote (and by `recompute-reputation`), and the all-time leaderboard.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Discussions {
    Table,
    Id,
    ZoneId,
    DeletedAt,
}

#[derive(DeriveIden)]
enum ReputationEvents {
    Table,
    ZoneId,
    MemberId,
    Points,
}

fn indexes() -> Vec<(&'static str, DynIden, Vec<DynIden>)> {
    vec![
        (
            "idx_discussions_zone_deleted",
            Discussions::Table.into_iden(),
            vec![
                Discussions::ZoneId.into_iden(),
                Discussions::DeletedAt.into_iden(),
                Discussions::Id.into_iden(),
            ],
        ),
        (
            "idx_rep_zone_member_points",
            ReputationEvents::Table.into_iden(),
            vec![
                ReputationEvents::ZoneId.into_iden(),
                ReputationEvents::MemberId.into_iden(),
                ReputationEvents::Points.into_iden(),
            ],
        ),
        (
            "idx_rep_member_points",
            ReputationEvents::Table.into_iden(),
            vec![
                ReputationEvents::MemberId.into_iden(),
                ReputationEvents::Points.into_iden(),
            ],
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, cols) in indexes() {
            let mut stmt = Index::create();
            stmt.name(name).table(table);
            for col in cols {
                stmt.col(col);
            }
            manager.create_index(stmt.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in indexes() {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
