//! The business rules, over `&impl ConnectionTrait` so they compose inside one
//! transaction. No actix types here.

use std::collections::HashMap;

use entity::member;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::domain::Role;
use crate::error::AppResult;

pub mod accounts;
pub mod avatars;
pub mod badges;
pub mod comments;
pub mod digest;
pub mod discussions;
pub mod follows;
pub mod leaderboard;
pub mod notifications;
pub mod polls;
pub mod qa;
pub mod quizzes;
pub mod rate_limit;
pub mod reputation;
pub mod subscriptions;
pub mod zones;

/// The signed-in member doing something, with what the rules need to know.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: i32,
    pub username: String,
    pub role: Role,
}

impl Actor {
    pub fn from_model(m: &member::Model) -> Self {
        Self {
            id: m.id,
            username: m.username.clone(),
            role: Role::from_db(&m.role),
        }
    }

    /// Authors may change their own items; moderators and admins anyone's.
    pub fn may_change(&self, author_id: i32) -> bool {
        self.id == author_id || self.role.can_moderate()
    }
}

/// Locks a member's row until the transaction ends (PostgreSQL; SQLite's write
/// transactions are serial already), so one member's concurrent requests take turns.
pub async fn lock_member(txn: &impl ConnectionTrait, id: i32) -> AppResult<()> {
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        txn.query_one_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT id FROM members WHERE id = $1 FOR UPDATE",
            [id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Loads the members behind a set of ids in one query (no N+1 on listing pages).
pub async fn members_by_id(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i32>,
) -> AppResult<HashMap<i32, member::Model>> {
    let mut ids: Vec<i32> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = member::Entity::find()
        .filter(member::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|m| (m.id, m)).collect())
}
