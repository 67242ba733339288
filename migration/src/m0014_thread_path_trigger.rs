//! A comment's `thread_path` (its parent's path, a dot, its own id in ten digits; see
//! `views::posts::child_path`) is set by the database as the comment is inserted,
//! instead of by a second statement from the application once the id is known: one
//! round trip fewer per reply (issue #15). A path given with the row (an import) is
//! kept.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION comments_thread_path() RETURNS trigger AS $$ \
                     BEGIN \
                       IF NEW.thread_path IS NULL THEN \
                         NEW.thread_path := CASE WHEN NEW.parent_id IS NULL \
                           THEN lpad(NEW.id::text, 10, '0') \
                           ELSE (SELECT p.thread_path FROM comments p WHERE p.id = NEW.parent_id) \
                             || '.' || lpad(NEW.id::text, 10, '0') END; \
                       END IF; \
                       RETURN NEW; \
                     END; $$ LANGUAGE plpgsql",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER comments_thread_path BEFORE INSERT ON comments \
                     FOR EACH ROW EXECUTE FUNCTION comments_thread_path()",
                )
                .await?;
            }
            _ => {
                // SQLite assigns the id after BEFORE triggers: set it just after.
                db.execute_unprepared(
                    "CREATE TRIGGER comments_thread_path AFTER INSERT ON comments \
                     FOR EACH ROW WHEN NEW.thread_path IS NULL BEGIN \
                       UPDATE comments SET thread_path = CASE WHEN NEW.parent_id IS NULL \
                         THEN printf('%010d', NEW.id) \
                         ELSE (SELECT p.thread_path FROM comments p WHERE p.id = NEW.parent_id) \
                           || '.' || printf('%010d', NEW.id) END \
                       WHERE id = NEW.id; \
                     END",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared("DROP TRIGGER comments_thread_path ON comments")
                    .await?;
                db.execute_unprepared("DROP FUNCTION comments_thread_path()")
                    .await?;
            }
            _ => {
                db.execute_unprepared("DROP TRIGGER comments_thread_path")
                    .await?;
            }
        }
        Ok(())
    }
}
