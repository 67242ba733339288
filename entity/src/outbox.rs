use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub member_id: i32,
    pub to_address: String,
    /// `reply`.
    pub kind: String,
    /// Why the member gets it: `subscribed`, `comment_reply` or `mention`.
    pub reason: String,
    pub discussion_id: Option<i32>,
    pub comment_id: Option<i32>,
    #[sea_orm(unique)]
    pub message_id: String,
    /// `pending`, `sending`, `sent`, `failed` or `cancelled`.
    pub status: String,
    pub attempts: i32,
    pub run_at: DateTimeUtc,
    pub locked_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    /// For account mails (`verify_email`, `password_reset`, `email_change`): the
    /// one-time link's row; the link itself is signed when the mail is written, so no
    /// secret is stored.
    pub token_id: Option<i32>,
    /// An idea status mail's change (`idea_changes`).
    pub idea_change_id: Option<i32>,
    /// A bounce's message (`inbound_mails`): the reply by e-mail it answers.
    pub inbound_mail_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
