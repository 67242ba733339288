use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "votes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The voter.
    pub member_id: i32,
    /// `discussion` or `comment`.
    pub target_kind: String,
    pub target_id: i32,
    /// The item's author, kept for serial-voting checks.
    pub author_id: i32,
    /// 1 or -1.
    pub value: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
