//! Imports (issue #18, `quorum import discourse`): which row here each imported row
//! became, so a second run of the same export changes nothing and a later export adds
//! only what is new.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ImportLinks {
    Table,
    /// `discourse`.
    Source,
    /// `category`, `user`, `topic`, `post`, `like`, `solution`.
    Kind,
    SourceId,
    /// The zone, member, discussion, comment or vote it became.
    LocalId,
    /// For posts: a digest of the text imported, so a changed post is updated.
    Digest,
    ImportedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ImportLinks::Table)
                    .col(string(ImportLinks::Source))
                    .col(string(ImportLinks::Kind))
                    .col(big_integer(ImportLinks::SourceId))
                    .col(integer(ImportLinks::LocalId))
                    .col(string_null(ImportLinks::Digest))
                    .col(timestamp_with_time_zone(ImportLinks::ImportedAt))
                    .primary_key(
                        Index::create()
                            .col(ImportLinks::Source)
                            .col(ImportLinks::Kind)
                            .col(ImportLinks::SourceId),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ImportLinks::Table).to_owned())
            .await
    }
}
