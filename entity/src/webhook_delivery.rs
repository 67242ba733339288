use sea_orm::entity::prelude::*;

/// One event for one hook: the outbox row the delivery worker sends, and its log.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub webhook_id: i32,
    /// `X-Quorum-Delivery`: unique per delivery, the same on every retry.
    #[sea_orm(unique)]
    pub delivery: String,
    pub event: String,
    /// The JSON body, fixed when the event happened.
    pub body: String,
    /// `pending`, `delivered` or `failed` (every attempt failed).
    pub status: String,
    pub attempts: i32,
    pub run_at: DateTimeUtc,
    pub locked_until: Option<DateTimeUtc>,
    /// The HTTP status of the last answer, if one came.
    pub last_status: Option<i32>,
    /// Why the last attempt failed, when no answer came (a timeout, a refused connection).
    pub last_error: Option<String>,
    /// The start of the last answer's body.
    pub last_response: Option<String>,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
