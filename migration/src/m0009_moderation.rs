//! Trust and safety: flags and the review queue, hidden posts, suspensions, edit history,
//! instance settings an admin changes, and an audit log the application cannot rewrite.
//!
//! `audit_log` gets triggers that refuse UPDATE and DELETE (and TRUNCATE on
//! PostgreSQL): the log is append-only whatever the application's code does.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Reviews {
    Table,
    Id,
    TargetKind,
    TargetId,
    AuthorId,
    Status,
    FlagCount,
    Hidden,
    Action,
    DecidedBy,
    DecidedAt,
    CreatedAt,
    LastFlaggedAt,
}

#[derive(DeriveIden)]
enum Flags {
    Table,
    Id,
    ReviewId,
    MemberId,
    Reason,
    Note,
    Status,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Revisions {
    Table,
    Id,
    TargetKind,
    TargetId,
    Title,
    Body,
    EditorId,
    ByModerator,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SiteSettings {
    Table,
    Key,
    Value,
}

fn add(table: &str, column: ColumnDef) -> TableAlterStatement {
    // SQLite takes one column per ALTER TABLE.
    Table::alter()
        .table(Alias::new(table))
        .add_column(column)
        .to_owned()
}

fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).to_owned()
}

/// Columns added to existing tables, as (table, column).
const ADDED: &[(&str, &str)] = &[
    ("discussions", "hidden"),
    ("comments", "hidden"),
    ("qa_questions", "hidden"),
    ("discussions", "edited_by_moderator"),
    ("comments", "edited_by_moderator"),
    ("members", "suspension"),
    ("members", "suspended_until"),
    ("members", "suspension_reason"),
    ("members", "flags_agreed"),
    ("members", "flags_disagreed"),
    ("audit_log", "target"),
    ("audit_log", "ip_prefix"),
    ("comments", "thread_path"),
];

/// Gives every existing comment its thread path (parents have smaller ids, so one
/// pass in id order sees each parent before its replies; a reply whose parent is
/// missing starts its own branch).
async fn backfill_thread_paths(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    use std::collections::HashMap;
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT id, parent_id FROM comments ORDER BY id",
        ))
        .await?;
    let mut paths: HashMap<i32, String> = HashMap::with_capacity(rows.len());
    for row in rows {
        let id: i32 = row.try_get("", "id")?;
        let parent: Option<i32> = row.try_get("", "parent_id")?;
        let path = match parent.and_then(|p| paths.get(&p)) {
            Some(parent_path) => format!("{parent_path}.{id:010}"),
            None => format!("{id:010}"),
        };
        let sql = match backend {
            DbBackend::Postgres => "UPDATE comments SET thread_path = $1 WHERE id = $2",
            _ => "UPDATE comments SET thread_path = ? WHERE id = ?",
        };
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [path.clone().into(), id.into()],
        ))
        .await?;
        paths.insert(id, path);
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in ADDED {
            let def = match *column {
                "hidden" | "edited_by_moderator" => {
                    col(column).boolean().not_null().default(false).to_owned()
                }
                "flags_agreed" | "flags_disagreed" => {
                    col(column).integer().not_null().default(0).to_owned()
                }
                "suspended_until" => col(column).timestamp_with_time_zone().null().to_owned(),
                "suspension_reason" => col(column).text().null().to_owned(),
                _ => col(column).string().null().to_owned(),
            };
            manager.alter_table(add(table, def)).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Reviews::Table)
                    .col(pk_auto(Reviews::Id))
                    .col(string(Reviews::TargetKind))
                    .col(integer(Reviews::TargetId))
                    .col(integer(Reviews::AuthorId))
                    .col(string(Reviews::Status))
                    .col(integer(Reviews::FlagCount).default(0))
                    .col(boolean(Reviews::Hidden).default(false))
                    .col(string_null(Reviews::Action))
                    .col(integer_null(Reviews::DecidedBy))
                    .col(timestamp_with_time_zone_null(Reviews::DecidedAt))
                    .col(timestamp_with_time_zone(Reviews::CreatedAt))
                    .col(timestamp_with_time_zone(Reviews::LastFlaggedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reviews_target")
                    .table(Reviews::Table)
                    .col(Reviews::TargetKind)
                    .col(Reviews::TargetId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reviews_status")
                    .table(Reviews::Table)
                    .col(Reviews::Status)
                    .col(Reviews::LastFlaggedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Flags::Table)
                    .col(pk_auto(Flags::Id))
                    .col(integer(Flags::ReviewId))
                    .col(integer(Flags::MemberId))
                    .col(string(Flags::Reason))
                    .col(text_null(Flags::Note))
                    .col(string(Flags::Status))
                    .col(timestamp_with_time_zone(Flags::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_flags_review_member")
                    .table(Flags::Table)
                    .col(Flags::ReviewId)
                    .col(Flags::MemberId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_flags_member")
                    .table(Flags::Table)
                    .col(Flags::MemberId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Revisions::Table)
                    .col(pk_auto(Revisions::Id))
                    .col(string(Revisions::TargetKind))
                    .col(integer(Revisions::TargetId))
                    .col(string_null(Revisions::Title))
                    .col(text(Revisions::Body))
                    .col(integer(Revisions::EditorId))
                    .col(boolean(Revisions::ByModerator).default(false))
                    .col(timestamp_with_time_zone(Revisions::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_revisions_target")
                    .table(Revisions::Table)
                    .col(Revisions::TargetKind)
                    .col(Revisions::TargetId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SiteSettings::Table)
                    .col(string(SiteSettings::Key).primary_key())
                    .col(text(SiteSettings::Value))
                    .to_owned(),
            )
            .await?;
        for index in [
            ("idx_audit_log_created", "created_at"),
            ("idx_audit_log_actor", "actor_id"),
            ("idx_audit_log_action", "action"),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(index.0)
                        .table(Alias::new("audit_log"))
                        .col(Alias::new(index.1))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_comments_thread_path")
                    .table(Alias::new("comments"))
                    .col(Alias::new("discussion_id"))
                    .col(Alias::new("thread_path"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        backfill_thread_paths(db).await?;
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS \
                     $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log \
                     FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log \
                     FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
                )
                .await?;
            }
            _ => {
                for (name, event) in [
                    ("audit_log_no_update", "UPDATE"),
                    ("audit_log_no_delete", "DELETE"),
                ] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {name} BEFORE {event} ON audit_log \
                         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared("DROP FUNCTION audit_log_append_only() CASCADE")
                    .await?;
            }
            _ => {
                db.execute_unprepared("DROP TRIGGER audit_log_no_update")
                    .await?;
                db.execute_unprepared("DROP TRIGGER audit_log_no_delete")
                    .await?;
            }
        }
        for table in [
            SiteSettings::Table.into_iden(),
            Revisions::Table.into_iden(),
            Flags::Table.into_iden(),
            Reviews::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for index in [
            "idx_audit_log_created",
            "idx_audit_log_actor",
            "idx_audit_log_action",
            "idx_comments_thread_path",
        ] {
            let table = if index.starts_with("idx_comments") {
                "comments"
            } else {
                "audit_log"
            };
            manager
                .drop_index(
                    Index::drop()
                        .name(index)
                        .table(Alias::new(table))
                        .to_owned(),
                )
                .await?;
        }
        for (table, column) in ADDED {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(*table))
                        .drop_column(Alias::new(*column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
