use sea_orm::entity::prelude::*;

/// One version of a discussion or a comment: the first as written, then each edit.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "revisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// `discussion` or `comment`.
    pub target_kind: String,
    pub target_id: i32,
    /// Discussions only.
    pub title: Option<String>,
    pub body: String,
    pub editor_id: i32,
    /// The editor was a moderator editing someone else's post.
    pub by_moderator: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
