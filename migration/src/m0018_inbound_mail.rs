//! Reply by e-mail (issue #18): every message that came in, once per Message-ID (a mail
//! system that delivers it again changes nothing), with what became of it; a bounce's
//! outbox row names the message it answers (`outbox.inbound_mail_id`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InboundMails {
    Table,
    Id,
    MessageId,
    FromAddress,
    MemberId,
    DiscussionId,
    CommentId,
    /// `posted`, `bounced` or `ignored`.
    Outcome,
    /// Why it bounced, as the bounce says it.
    Reason,
    /// The attachments that were left out, one name per line.
    Attachments,
    ReceivedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InboundMails::Table)
                    .col(pk_auto(InboundMails::Id))
                    .col(string_uniq(InboundMails::MessageId))
                    .col(string(InboundMails::FromAddress))
                    .col(integer_null(InboundMails::MemberId))
                    .col(integer_null(InboundMails::DiscussionId))
                    .col(integer_null(InboundMails::CommentId))
                    .col(string(InboundMails::Outcome))
                    .col(text_null(InboundMails::Reason))
                    .col(text_null(InboundMails::Attachments))
                    .col(timestamp_with_time_zone(InboundMails::ReceivedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("outbox"))
                    .add_column(
                        ColumnDef::new(Alias::new("inbound_mail_id"))
                            .integer()
                            .null()
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("outbox"))
                    .drop_column(Alias::new("inbound_mail_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(InboundMails::Table).to_owned())
            .await
    }
}
