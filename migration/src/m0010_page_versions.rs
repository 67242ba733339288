//! A version on every discussion, so that a page built once can be served again until
//! something it shows changes (issue #15's page cache).
//!
//! Triggers bump `discussions.version` in the writing transaction itself whenever a
//! discussion, one of its comments, quizzes or polls changes in a way its page shows.
//! A trigger rather than application code, because no write path (a vote, an edit, a
//! moderator's decision, an import, an admin's SQL) can then forget it, and every
//! instance sharing the database sees the new version the moment the write commits.
//! View counts (flushed in batches) and `thread_path` (set while the comment is being
//! inserted) are left out: they do not change what a cached page says.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Discussions {
    Table,
    Version,
}

/// Columns of `discussions` whose change the page shows (m0015 adds the idea's).
pub(crate) const DISCUSSION_COLUMNS: &str = "zone_id, author_id, title, body, body_html, score, \
    comment_count, recognized, locked, pinned, edited_at, deleted_at, hidden, \
    edited_by_moderator";
/// Columns of `comments` whose change the page shows.
const COMMENT_COLUMNS: &str = "discussion_id, parent_id, author_id, body, body_html, score, \
    recognized, edited_at, deleted_at, hidden, edited_by_moderator";
/// Columns of `quizzes` the page shows (its links).
const QUIZ_COLUMNS: &str = "discussion_id, title";
/// A poll is read per request (its results are the reader's own); the copy only knows
/// whether there is one, and on which discussion.
const POLL_COLUMNS: &str = "discussion_id";

/// The trigger that bumps a discussion's version when one of `columns` changes (the
/// PostgreSQL one calls `discussions_bump_version()`, made below).
pub(crate) fn discussion_trigger(backend: DbBackend, columns: &str) -> String {
    match backend {
        DbBackend::Postgres => format!(
            "CREATE TRIGGER discussions_version_on_update BEFORE UPDATE OF \
             {columns} ON discussions FOR EACH ROW \
             EXECUTE FUNCTION discussions_bump_version()"
        ),
        _ => format!(
            "CREATE TRIGGER discussions_version_on_update AFTER UPDATE OF \
             {columns} ON discussions FOR EACH ROW BEGIN \
             UPDATE discussions SET version = version + 1 WHERE id = NEW.id; END"
        ),
    }
}

const SQLITE_TRIGGERS: &[&str] = &[
    "discussions_version_on_update",
    "comments_version_on_insert",
    "comments_version_on_update",
    "comments_version_on_delete",
    "quizzes_version_on_insert",
    "quizzes_version_on_update",
    "quizzes_version_on_delete",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Discussions::Table)
                    .add_column(
                        ColumnDef::new(Discussions::Version)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let bump = |row: &str, column: &str| {
            format!("UPDATE discussions SET version = version + 1 WHERE id = {row}.{column}")
        };
        match db.get_database_backend() {
            DbBackend::Postgres => {
                // On the row itself: set the new version before it is written.
                db.execute_unprepared(
                    "CREATE FUNCTION discussions_bump_version() RETURNS trigger AS $$ \
                     BEGIN NEW.version := OLD.version + 1; RETURN NEW; END; \
                     $$ LANGUAGE plpgsql",
                )
                .await?;
                db.execute_unprepared(&discussion_trigger(DbBackend::Postgres, DISCUSSION_COLUMNS))
                    .await?;
                for (table, columns) in [
                    ("comments", COMMENT_COLUMNS),
                    ("quizzes", QUIZ_COLUMNS),
                    ("polls", POLL_COLUMNS),
                ] {
                    db.execute_unprepared(&format!(
                        "CREATE FUNCTION {table}_bump_version() RETURNS trigger AS $$ \
                         BEGIN \
                           IF TG_OP <> 'INSERT' AND OLD.discussion_id IS NOT NULL THEN {}; END IF; \
                           IF TG_OP <> 'DELETE' AND NEW.discussion_id IS NOT NULL \
                              AND (TG_OP = 'INSERT' OR NEW.discussion_id IS DISTINCT FROM OLD.discussion_id) \
                              THEN {}; END IF; \
                           RETURN NULL; \
                         END; $$ LANGUAGE plpgsql",
                        bump("OLD", "discussion_id"),
                        bump("NEW", "discussion_id"),
                    ))
                    .await?;
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_version AFTER INSERT OR DELETE OR UPDATE OF \
                         {columns} ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_bump_version()"
                    ))
                    .await?;
                }
            }
            _ => {
                db.execute_unprepared(&discussion_trigger(DbBackend::Sqlite, DISCUSSION_COLUMNS))
                    .await?;
                for (table, columns) in [
                    ("comments", COMMENT_COLUMNS),
                    ("quizzes", QUIZ_COLUMNS),
                    ("polls", POLL_COLUMNS),
                ] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_version_on_insert AFTER INSERT ON {table} \
                         FOR EACH ROW BEGIN {}; END",
                        bump("NEW", "discussion_id")
                    ))
                    .await?;
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_version_on_update AFTER UPDATE OF {columns} \
                         ON {table} FOR EACH ROW BEGIN {}; {}; END",
                        bump("OLD", "discussion_id"),
                        bump("NEW", "discussion_id")
                    ))
                    .await?;
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_version_on_delete AFTER DELETE ON {table} \
                         FOR EACH ROW BEGIN {}; END",
                        bump("OLD", "discussion_id")
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
                for statement in [
                    "DROP TRIGGER discussions_version_on_update ON discussions",
                    "DROP TRIGGER comments_version ON comments",
                    "DROP TRIGGER quizzes_version ON quizzes",
                    "DROP TRIGGER polls_version ON polls",
                    "DROP FUNCTION discussions_bump_version()",
                    "DROP FUNCTION comments_bump_version()",
                    "DROP FUNCTION quizzes_bump_version()",
                    "DROP FUNCTION polls_bump_version()",
                ] {
                    db.execute_unprepared(statement).await?;
                }
            }
            _ => {
                for name in SQLITE_TRIGGERS {
                    db.execute_unprepared(&format!("DROP TRIGGER {name}"))
                        .await?;
                }
            }
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Discussions::Table)
                    .drop_column(Discussions::Version)
                    .to_owned(),
            )
            .await
    }
}
