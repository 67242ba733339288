use sea_orm::entity::prelude::*;

/// A leadership update: what it adds to the discussion that holds its body, votes and
/// replies (in the zone of kind `updates`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "updates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub discussion_id: i32,
    /// The discussion the update points to.
    pub linked_discussion_id: Option<i32>,
    /// The live Q&A session the update points to.
    pub session_id: Option<i32>,
    pub pulse_question: Option<String>,
    /// `agree` or `five`.
    pub pulse_scale: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
