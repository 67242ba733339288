use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reputation_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Whose reputation changes.
    pub member_id: i32,
    pub kind: String,
    pub points: i32,
    pub discussion_id: Option<i32>,
    pub comment_id: Option<i32>,
    pub vote_id: Option<i32>,
    /// Who caused it, where that is not private (downvoters stay anonymous).
    pub actor_id: Option<i32>,
    pub zone_id: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
