//! Ideas, from proposed to adopted (issue #17): a discussion can be marked as an idea,
//! and leaders move it through proposed, under review, planned, adopted or declined,
//! each change with a note.
//!
//! The current status lives on the discussion's row (`idea_status`, `idea_note`,
//! `idea_changed_by`, `idea_changed_at`, and `idea_since`, when the status itself last
//! changed), so a listing, the ideas board and search read it with the discussion and
//! no join; `idea_changes` keeps every change for the discussion's page. The page
//! cache's version (m0010) and the zone stamp (m0013) follow the new columns: their
//! triggers are made again with them. `outbox.idea_change_id` names the change a
//! status mail tells of, `notifications.idea_status` the status a notification does.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::m0010_page_versions::{DISCUSSION_COLUMNS, discussion_trigger};
use crate::m0013_zone_stamps::{DISCUSSION_ZONE, LISTED, update_trigger};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdeaChanges {
    Table,
    Id,
    DiscussionId,
    Status,
    Note,
    ChangedBy,
    ChangedAt,
}

/// The idea's columns a discussion's page shows.
const PAGE_COLUMNS: &str = "idea_status, idea_note, idea_changed_by, idea_changed_at";
/// The idea's column a zone's listing shows.
const LISTED_COLUMNS: &str = "idea_status";

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

/// Makes the discussions triggers of m0010 and m0013 again with the given columns: the
/// old ones dropped and the new ones made in one batch on one connection (statements
/// sent one by one may each go to another pooled connection, and SQLite then refused
/// the new trigger as one that "already exists").
async fn remake_triggers(
    db: &impl ConnectionTrait,
    page_columns: &str,
    listed_columns: &str,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let drops: &[&str] = match backend {
        DbBackend::Postgres => &[
            "DROP TRIGGER discussions_version_on_update ON discussions",
            "DROP TRIGGER discussions_zone_stamp ON discussions",
        ],
        _ => &[
            "DROP TRIGGER discussions_version_on_update",
            "DROP TRIGGER discussions_zone_stamp_on_update",
        ],
    };
    let mut batch: Vec<String> = drops.iter().map(|s| String::from(*s)).collect();
    batch.push(discussion_trigger(backend, page_columns));
    batch.push(update_trigger(
        backend,
        "discussions",
        DISCUSSION_ZONE,
        Some(listed_columns),
    ));
    db.execute_unprepared(&batch.join(";\n")).await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for def in [
            col("idea_status").string().null().to_owned(),
            col("idea_note").text().null().to_owned(),
            col("idea_changed_by").integer().null().to_owned(),
            col("idea_changed_at")
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            col("idea_since")
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ] {
            manager.alter_table(add("discussions", def)).await?;
        }
        manager
            .alter_table(add(
                "outbox",
                col("idea_change_id").integer().null().to_owned(),
            ))
            .await?;
        manager
            .alter_table(add(
                "notifications",
                col("idea_status").string().null().to_owned(),
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IdeaChanges::Table)
                    .col(pk_auto(IdeaChanges::Id))
                    .col(integer(IdeaChanges::DiscussionId))
                    .col(string(IdeaChanges::Status))
                    .col(text_null(IdeaChanges::Note))
                    .col(integer(IdeaChanges::ChangedBy))
                    .col(timestamp_with_time_zone(IdeaChanges::ChangedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_idea_changes_discussion")
                    .table(IdeaChanges::Table)
                    .col(IdeaChanges::DiscussionId)
                    .col(IdeaChanges::Id)
                    .to_owned(),
            )
            .await?;
        // The ideas board: by status, then by how long each has waited in it.
        manager
            .create_index(
                Index::create()
                    .name("idx_discussions_idea")
                    .table(Alias::new("discussions"))
                    .col(Alias::new("idea_status"))
                    .col(Alias::new("idea_since"))
                    .to_owned(),
            )
            .await?;
        remake_triggers(
            manager.get_connection(),
            &format!("{DISCUSSION_COLUMNS}, {PAGE_COLUMNS}"),
            &format!("{LISTED}, {LISTED_COLUMNS}"),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        remake_triggers(manager.get_connection(), DISCUSSION_COLUMNS, LISTED).await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_discussions_idea")
                    .table(Alias::new("discussions"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(IdeaChanges::Table).to_owned())
            .await?;
        for (table, column) in [
            ("outbox", "idea_change_id"),
            ("notifications", "idea_status"),
            ("discussions", "idea_since"),
            ("discussions", "idea_changed_at"),
            ("discussions", "idea_changed_by"),
            ("discussions", "idea_note"),
            ("discussions", "idea_status"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
