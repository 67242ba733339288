//! Subscriptions, per-member mail settings, the mail outbox and the instance secret.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    boolean, integer, integer_null, pk_auto, string_len, string_len_uniq, text, text_null,
    timestamp_with_time_zone, timestamp_with_time_zone_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Subscriptions {
    Table,
    Id,
    MemberId,
    DiscussionId,
    Email,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    MemberId,
    ToAddress,
    Kind,
    Reason,
    DiscussionId,
    CommentId,
    MessageId,
    Status,
    Attempts,
    RunAt,
    LockedUntil,
    LastError,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum Members {
    Table,
    EmailOnDiscussionReply,
    EmailOnCommentReply,
    EmailOnMention,
    Digest,
}

#[derive(DeriveIden)]
enum InstanceSecrets {
    Table,
    Name,
    Value,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Subscriptions::Table)
                    .col(pk_auto(Subscriptions::Id))
                    .col(integer(Subscriptions::MemberId))
                    .col(integer(Subscriptions::DiscussionId))
                    .col(boolean(Subscriptions::Email).default(true))
                    .col(timestamp_with_time_zone(Subscriptions::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_subscriptions_unique")
                    .table(Subscriptions::Table)
                    .col(Subscriptions::DiscussionId)
                    .col(Subscriptions::MemberId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        // One row per message. `message_id` is fixed when the row is written, so a
        // message retried after a crash carries the same Message-ID.
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(pk_auto(Outbox::Id))
                    .col(integer(Outbox::MemberId))
                    .col(string_len(Outbox::ToAddress, 254))
                    .col(string_len(Outbox::Kind, 24))
                    .col(string_len(Outbox::Reason, 24))
                    .col(integer_null(Outbox::DiscussionId))
                    .col(integer_null(Outbox::CommentId))
                    .col(string_len_uniq(Outbox::MessageId, 200))
                    .col(string_len(Outbox::Status, 12))
                    .col(integer(Outbox::Attempts).default(0))
                    .col(timestamp_with_time_zone(Outbox::RunAt))
                    .col(timestamp_with_time_zone_null(Outbox::LockedUntil))
                    .col(text_null(Outbox::LastError))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    .col(timestamp_with_time_zone_null(Outbox::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_status_run_at")
                    .table(Outbox::Table)
                    .col(Outbox::Status)
                    .col(Outbox::RunAt)
                    .to_owned(),
            )
            .await?;

        // SQLite adds one column per ALTER TABLE.
        for col in [
            ColumnDef::new(Members::EmailOnDiscussionReply)
                .boolean()
                .not_null()
                .default(true)
                .to_owned(),
            ColumnDef::new(Members::EmailOnCommentReply)
                .boolean()
                .not_null()
                .default(true)
                .to_owned(),
            ColumnDef::new(Members::EmailOnMention)
                .boolean()
                .not_null()
                .default(true)
                .to_owned(),
            ColumnDef::new(Members::Digest)
                .string_len(8)
                .not_null()
                .default("never")
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Members::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }

        // Secrets every app instance shares (the key that signs unsubscribe links).
        manager
            .create_table(
                Table::create()
                    .table(InstanceSecrets::Table)
                    .col(string_len(InstanceSecrets::Name, 40).primary_key())
                    .col(text(InstanceSecrets::Value))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            InstanceSecrets::Table.into_iden(),
            Outbox::Table.into_iden(),
            Subscriptions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for col in [
            Members::EmailOnDiscussionReply.into_iden(),
            Members::EmailOnCommentReply.into_iden(),
            Members::EmailOnMention.into_iden(),
            Members::Digest.into_iden(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Members::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
