//! `members.unread_notifications`: how many of a member's notifications are unread,
//! kept by a trigger on `notifications` in every writing transaction, so that a
//! signed-in page reads it with the member (one query fewer on every page) instead of
//! counting the member's notifications per request (issue #15).

use sea_orm_migration::prelude::*;

use crate::row_trigger::RowTrigger;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Members {
    Table,
    UnreadNotifications,
}

/// Adds (`sign` "+") or takes away ("-") row `r` of `notifications` from its member's
/// count, if it is unread.
fn count(r: &str, sign: &str) -> String {
    format!(
        "UPDATE members SET unread_notifications = unread_notifications {sign} \
         (CASE WHEN {r}.read_at IS NULL THEN 1 ELSE 0 END) WHERE id = {r}.member_id"
    )
}

fn trigger() -> RowTrigger<'static> {
    RowTrigger {
        name: "notifications_unread",
        table: "notifications",
        update_of: "member_id, read_at",
        old: count("OLD", "-"),
        new: count("NEW", "+"),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Members::Table)
                    .add_column(
                        ColumnDef::new(Members::UnreadNotifications)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE members SET unread_notifications = (SELECT COUNT(*) FROM notifications n \
             WHERE n.member_id = members.id AND n.read_at IS NULL)",
        )
        .await?;
        trigger().create(db).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        trigger().drop(manager.get_connection()).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Members::Table)
                    .drop_column(Members::UnreadNotifications)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
