use sea_orm::entity::prelude::*;

/// An outgoing webhook an admin configured.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhooks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub url: String,
    /// Comma list of event names (`discussion.created`, `comment.created`…).
    pub events: String,
    /// Signs every request (`X-Quorum-Signature`); shown once, when the hook is made.
    pub secret: String,
    /// Off when an admin turned it off or its deliveries kept failing.
    pub active: bool,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub disabled_at: Option<DateTimeUtc>,
    pub disabled_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
