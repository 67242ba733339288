//! Row triggers written once for both engines: on PostgreSQL a PL/pgSQL function and
//! one trigger for every operation; on SQLite, which has neither functions nor
//! multi-operation triggers, one trigger per operation.
//!
//! A trigger here is two statements: what a row takes away when it goes (`old`, run
//! with `OLD` on update and delete) and what it adds when it comes (`new`, run with
//! `NEW` on insert and update). Counters kept this way stay exact through every write
//! path: an update is taking the old row away and adding the new one.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct RowTrigger<'a> {
    /// The function's and triggers' name (SQLite's get `_on_insert` and so on).
    pub name: &'a str,
    pub table: &'a str,
    /// The columns whose update fires it, comma-separated.
    pub update_of: &'a str,
    /// A statement that takes `OLD` away.
    pub old: String,
    /// A statement that adds `NEW`.
    pub new: String,
}

impl RowTrigger<'_> {
    pub async fn create(&self, db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
        let (name, table, of) = (self.name, self.table, self.update_of);
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION {name}() RETURNS trigger AS $$ \
                     BEGIN \
                       IF TG_OP <> 'INSERT' THEN {}; END IF; \
                       IF TG_OP <> 'DELETE' THEN {}; END IF; \
                       RETURN NULL; \
                     END; $$ LANGUAGE plpgsql",
                    self.old, self.new
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {name} AFTER INSERT OR DELETE OR UPDATE OF {of} ON {table} \
                     FOR EACH ROW EXECUTE FUNCTION {name}()"
                ))
                .await?;
            }
            _ => {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {name}_on_insert AFTER INSERT ON {table} \
                     FOR EACH ROW BEGIN {}; END",
                    self.new
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {name}_on_update AFTER UPDATE OF {of} ON {table} \
                     FOR EACH ROW BEGIN {}; {}; END",
                    self.old, self.new
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {name}_on_delete AFTER DELETE ON {table} \
                     FOR EACH ROW BEGIN {}; END",
                    self.old
                ))
                .await?;
            }
        }
        Ok(())
    }

    pub async fn drop(&self, db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
        let (name, table) = (self.name, self.table);
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(&format!("DROP TRIGGER {name} ON {table}"))
                    .await?;
                db.execute_unprepared(&format!("DROP FUNCTION {name}()"))
                    .await?;
            }
            _ => {
                for op in ["insert", "update", "delete"] {
                    db.execute_unprepared(&format!("DROP TRIGGER {name}_on_{op}"))
                        .await?;
                }
            }
        }
        Ok(())
    }
}
