use sea_orm::entity::prelude::*;

/// One flagged post waiting for (or past) a moderator's decision.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reviews")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// `discussion`, `comment` or `question`.
    pub target_kind: String,
    pub target_id: i32,
    pub author_id: i32,
    /// `pending`, `agreed`, `disagreed` or `deferred`.
    pub status: String,
    pub flag_count: i32,
    /// Hidden by flags (pending review) or by the decision.
    pub hidden: bool,
    /// What an agreeing moderator did: `hide` or `delete`.
    pub action: Option<String>,
    pub decided_by: Option<i32>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub last_flagged_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
