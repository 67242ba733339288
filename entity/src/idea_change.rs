use sea_orm::entity::prelude::*;

/// One change of an idea's status (or of its note), as the discussion's page lists them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idea_changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub discussion_id: i32,
    pub status: String,
    pub note: Option<String>,
    pub changed_by: i32,
    pub changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
