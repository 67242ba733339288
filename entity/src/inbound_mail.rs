use sea_orm::entity::prelude::*;

/// A message that came in by e-mail (reply by e-mail), once per Message-ID.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inbound_mails")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub message_id: String,
    pub from_address: String,
    pub member_id: Option<i32>,
    pub discussion_id: Option<i32>,
    /// The comment it became.
    pub comment_id: Option<i32>,
    /// `posted`, `bounced` or `ignored`.
    pub outcome: String,
    /// Why it bounced or was ignored.
    pub reason: Option<String>,
    /// Attachments left out, one name per line.
    pub attachments: Option<String>,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
