//! The daily upvote cap read from a per-member counter (issue #15): `members.cap_day`
//! (the UTC day, `YYYY-MM-DD`) and `members.cap_points` (the net points that day's
//! upvotes still give the member). A vote reads them with the post it is cast on and
//! writes them with the member's points, so a vote no longer sums the author's day of
//! ledger rows, which grew with every vote a popular author received.
//!
//! A NULL `cap_day` means "not known": the next vote for the member reads the day from
//! the ledger, as before, and sets the counter. Existing rows start that way, and a
//! deleted post or `recompute-reputation` sets it back to NULL.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Members {
    Table,
    CapDay,
    CapPoints,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Members::Table)
                    .add_column(string_null(Members::CapDay))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Members::Table)
                    .add_column(integer(Members::CapPoints).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Members::CapDay, Members::CapPoints] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Members::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
