use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "zones")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub description: String,
    pub position: i32,
    pub created_at: DateTimeUtc,
    /// Live discussions others see, kept by triggers (m0011).
    pub live_discussions: i32,
    /// Live discussions hidden while moderators look at them.
    pub hidden_discussions: i32,
    /// `discussions` (a zone members see and post in) or `updates` (the one zone whose
    /// discussions are leadership updates, m0020).
    pub kind: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
