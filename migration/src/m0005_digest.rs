//! What each member has read (for digests of what they have not), and when their last
//! digest went out.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{integer, pk_auto, timestamp_with_time_zone};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DiscussionReads {
    Table,
    Id,
    MemberId,
    DiscussionId,
    ReadAt,
}

#[derive(DeriveIden)]
enum Members {
    Table,
    LastDigestAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DiscussionReads::Table)
                    .col(pk_auto(DiscussionReads::Id))
                    .col(integer(DiscussionReads::MemberId))
                    .col(integer(DiscussionReads::DiscussionId))
                    .col(timestamp_with_time_zone(DiscussionReads::ReadAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reads_unique")
                    .table(DiscussionReads::Table)
                    .col(DiscussionReads::MemberId)
                    .col(DiscussionReads::DiscussionId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Members::Table)
                    .add_column(
                        ColumnDef::new(Members::LastDigestAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DiscussionReads::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Members::Table)
                    .drop_column(Members::LastDigestAt)
                    .to_owned(),
            )
            .await
    }
}
