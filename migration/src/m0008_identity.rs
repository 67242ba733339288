//! Who is who: verified addresses, single sign-on links, erased (former) members,
//! one-time account links (verification, password reset, address change), what a member
//! sees of their sessions, and the audit table.
//!
//! Members who exist before this migration are marked verified: they signed up when the
//! forum did not ask, and locking them out of posting would be a surprise.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Members {
    Table,
    EmailVerified,
    OidcSubject,
    DeletedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    LastUsedAt,
    UserAgent,
    IpPrefix,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    TokenId,
}

#[derive(DeriveIden)]
enum AccountTokens {
    Table,
    Id,
    MemberId,
    Purpose,
    NewEmail,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    ActorId,
    Action,
    TargetMemberId,
    Details,
    CreatedAt,
}

fn add(table: impl IntoIden, column: ColumnDef) -> TableAlterStatement {
    // SQLite takes one column per ALTER TABLE.
    Table::alter().table(table).add_column(column).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for statement in [
            add(
                Members::Table,
                ColumnDef::new(Members::EmailVerified)
                    .boolean()
                    .not_null()
                    .default(true)
                    .to_owned(),
            ),
            add(
                Members::Table,
                ColumnDef::new(Members::OidcSubject)
                    .string()
                    .null()
                    .to_owned(),
            ),
            add(
                Members::Table,
                ColumnDef::new(Members::DeletedAt)
                    .timestamp_with_time_zone()
                    .null()
                    .to_owned(),
            ),
            add(
                Sessions::Table,
                ColumnDef::new(Sessions::LastUsedAt)
                    .timestamp_with_time_zone()
                    .null()
                    .to_owned(),
            ),
            add(
                Sessions::Table,
                ColumnDef::new(Sessions::UserAgent)
                    .string()
                    .null()
                    .to_owned(),
            ),
            add(
                Sessions::Table,
                ColumnDef::new(Sessions::IpPrefix)
                    .string()
                    .null()
                    .to_owned(),
            ),
            add(
                Outbox::Table,
                ColumnDef::new(Outbox::TokenId).integer().null().to_owned(),
            ),
        ] {
            manager.alter_table(statement).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_members_oidc_subject")
                    .table(Members::Table)
                    .col(Members::OidcSubject)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccountTokens::Table)
                    .col(pk_auto(AccountTokens::Id))
                    .col(integer(AccountTokens::MemberId))
                    .col(string(AccountTokens::Purpose))
                    .col(string_null(AccountTokens::NewEmail))
                    .col(timestamp_with_time_zone(AccountTokens::CreatedAt))
                    .col(timestamp_with_time_zone(AccountTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AccountTokens::UsedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_account_tokens_member")
                    .table(AccountTokens::Table)
                    .col(AccountTokens::MemberId)
                    .col(AccountTokens::Purpose)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(pk_auto(AuditLog::Id))
                    .col(integer_null(AuditLog::ActorId))
                    .col(string(AuditLog::Action))
                    .col(integer_null(AuditLog::TargetMemberId))
                    .col(text(AuditLog::Details))
                    .col(timestamp_with_time_zone(AuditLog::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_log_target")
                    .table(AuditLog::Table)
                    .col(AuditLog::TargetMemberId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AccountTokens::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_members_oidc_subject")
                    .table(Members::Table)
                    .to_owned(),
            )
            .await?;
        for (table, column) in [
            (
                Members::Table.into_iden(),
                Members::EmailVerified.into_iden(),
            ),
            (Members::Table.into_iden(), Members::OidcSubject.into_iden()),
            (Members::Table.into_iden(), Members::DeletedAt.into_iden()),
            (
                Sessions::Table.into_iden(),
                Sessions::LastUsedAt.into_iden(),
            ),
            (Sessions::Table.into_iden(), Sessions::UserAgent.into_iden()),
            (Sessions::Table.into_iden(), Sessions::IpPrefix.into_iden()),
            (Outbox::Table.into_iden(), Outbox::TokenId.into_iden()),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
