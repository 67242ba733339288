//! Outgoing webhooks (issue #18): the hooks admins configure, and one delivery row per
//! event and hook, written by the effects dispatcher in the writer's transaction (an
//! outbox) and sent by every instance's delivery worker, with retries.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Webhooks {
    Table,
    Id,
    Url,
    /// Comma list of event names.
    Events,
    Secret,
    Active,
    CreatedBy,
    CreatedAt,
    DisabledAt,
    DisabledReason,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    WebhookId,
    /// The `X-Quorum-Delivery` value: unique per delivery, the same on its retries.
    Delivery,
    Event,
    Body,
    /// `pending`, `delivered` or `failed` (given up).
    Status,
    Attempts,
    RunAt,
    LockedUntil,
    LastStatus,
    LastError,
    LastResponse,
    CreatedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Webhooks::Table)
                    .col(pk_auto(Webhooks::Id))
                    .col(string(Webhooks::Url))
                    .col(string(Webhooks::Events))
                    .col(string(Webhooks::Secret))
                    .col(boolean(Webhooks::Active).default(true))
                    .col(integer(Webhooks::CreatedBy))
                    .col(timestamp_with_time_zone(Webhooks::CreatedAt))
                    .col(timestamp_with_time_zone_null(Webhooks::DisabledAt))
                    .col(string_null(Webhooks::DisabledReason))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(pk_auto(WebhookDeliveries::Id))
                    .col(integer(WebhookDeliveries::WebhookId))
                    .col(string_uniq(WebhookDeliveries::Delivery))
                    .col(string(WebhookDeliveries::Event))
                    .col(text(WebhookDeliveries::Body))
                    .col(string(WebhookDeliveries::Status))
                    .col(integer(WebhookDeliveries::Attempts).default(0))
                    .col(timestamp_with_time_zone(WebhookDeliveries::RunAt))
                    .col(timestamp_with_time_zone_null(
                        WebhookDeliveries::LockedUntil,
                    ))
                    .col(integer_null(WebhookDeliveries::LastStatus))
                    .col(string_null(WebhookDeliveries::LastError))
                    .col(text_null(WebhookDeliveries::LastResponse))
                    .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                    .col(timestamp_with_time_zone_null(WebhookDeliveries::FinishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookDeliveries::Table, WebhookDeliveries::WebhookId)
                            .to(Webhooks::Table, Webhooks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_deliveries_due")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::Status)
                    .col(WebhookDeliveries::RunAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_deliveries_hook")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::WebhookId)
                    .col(WebhookDeliveries::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WebhookDeliveries::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Webhooks::Table).to_owned())
            .await
    }
}
