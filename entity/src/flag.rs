use sea_orm::entity::prelude::*;

/// One member's flag on a post; one per member and post.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "flags")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub review_id: i32,
    pub member_id: i32,
    /// `off_topic`, `inappropriate`, `spam` or `other`.
    pub reason: String,
    pub note: Option<String>,
    /// `pending`, `agreed` or `disagreed`.
    pub status: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
