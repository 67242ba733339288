//! Outgoing webhooks: admins name a URL and the events it wants; every event becomes one
//! delivery row per hook, written by the effects dispatcher in the writer's transaction
//! (so an event is never lost, nor sent for a write that rolled back), and every
//! instance's worker sends the rows (`run_worker`), claiming each under a lease
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so a delivery goes out from one instance.
//!
//! A request is `POST URL` with the JSON body fixed when the event happened and
//! `X-Quorum-Event`, `X-Quorum-Delivery` (unique per delivery, the same on its retries)
//! and `X-Quorum-Signature: t=UNIX,v1=HEX(HMAC-SHA256(secret, "t.body"))`. Any 2xx is
//! success. Anything else (an error status, a timeout, a refused connection) is retried
//! after 10 s, 30 s, 2 min, 10 min, 1 h, 6 h and 24 h; when the last retry fails the
//! delivery is given up and the hook turned off, its other waiting deliveries with it.
//! An admin turns it on again.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use entity::{webhook, webhook_delivery};

use hmac::{Hmac, Mac};
use rand::Rng;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tokio::sync::watch;
use utoipa::ToSchema;

use super::Actor;
use super::audit::{Action, By, Target};
use super::effects::{self, Effect};
use super::webhook_events::EVENTS;
use crate::domain::Role;
use crate::error::{AppError, AppResult, FieldErrors};

/// The waits before each retry; a delivery is given up after the last.
pub const RETRIES: [StdDuration; 7] = [
    StdDuration::from_secs(10),
    StdDuration::from_secs(30),
    StdDuration::from_secs(120),
    StdDuration::from_secs(600),
    StdDuration::from_secs(3600),
    StdDuration::from_secs(6 * 3600),
    StdDuration::from_secs(24 * 3600),
];

/// A request that takes longer than this has failed.
const TIMEOUT: StdDuration = StdDuration::from_secs(10);
/// How much of an answer's body the log keeps.
const RESPONSE_KEPT: usize = 1000;
/// How many deliveries each hook lists.
const LOG_LENGTH: u64 = 10;

/// A hook as admins see it (never its secret, which is shown once, at creation).
#[derive(Debug, Serialize, ToSchema)]
pub struct HookView {
    pub id: i32,
    pub url: String,
    pub events: Vec<String>,
    /// False when an admin turned it off or its deliveries kept failing.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
    /// Why it was turned off.
    pub disabled_reason: Option<String>,
    /// The newest deliveries first, at most ten.
    pub deliveries: Vec<DeliveryView>,
}

/// A hook just made, with its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedHook {
    #[serde(flatten)]
    pub hook: HookView,
    /// Signs every request; keep it, it is not shown again.
    pub secret: String,
}

/// One event sent (or being sent) to one hook.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// The `X-Quorum-Delivery` header.
    pub delivery: String,
    pub event: String,
    /// `pending`, `delivered` or `failed` (every attempt failed).
    pub status: String,
    pub attempts: i32,
    /// The HTTP status of the last answer, if one came.
    pub last_status: Option<i32>,
    /// Why the last attempt failed when no answer came.
    pub last_error: Option<String>,
    /// The start of the last answer's body.
    pub last_response: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When it was delivered or given up.
    pub finished_at: Option<DateTime<Utc>>,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
}

impl DeliveryView {
    fn of(row: webhook_delivery::Model) -> Self {
        let pending = row.status == "pending";
        Self {
            delivery: row.delivery,
            event: row.event,
            status: row.status,
            attempts: row.attempts,
            last_status: row.last_status,
            last_error: row.last_error,
            last_response: row.last_response,
            created_at: row.created_at,
            finished_at: row.finished_at,
            next_attempt_at: pending.then_some(row.run_at),
        }
    }
}

/// What a hook's URL may be, for the document and the server alike: `http` or `https`,
/// a host name whose last label starts with a letter or an IPv4 address, a port, a
/// path and a query of URL characters. Every URL it matches is one the HTTP client
/// can send to.
pub const URL_PATTERN: &str = concat!(
    r"^https?://",
    r"(([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?",
    r"|((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))",
    r"(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?",
    r"(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?",
    r"(\?[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?$",
);

/// A secret: 16–200 characters, none of them a control character.
const SECRET_PATTERN: &str = r"^[^\x00-\x1f\x7f-\x9f]{16,200}$";

/// `POST /admin/webhooks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HookRequest {
    /// `http://` or `https://` (see the pattern), at most 2000 characters.
    #[schema(schema_with = url_schema)]
    pub url: String,
    /// The events to send: at least one.
    #[schema(value_type = Vec<WebhookEvent>, min_items = 1)]
    pub events: Vec<String>,
    /// 16–200 characters; a random one is made when it is left out.
    #[schema(schema_with = secret_schema)]
    pub secret: Option<String>,
}

/// An event a hook may ask for.
#[derive(ToSchema)]
#[allow(dead_code)]
pub enum WebhookEvent {
    #[schema(rename = "discussion.created")]
    DiscussionCreated,
    #[schema(rename = "comment.created")]
    CommentCreated,
    #[schema(rename = "idea.status_changed")]
    IdeaStatusChanged,
    #[schema(rename = "session.question_answered")]
    QuestionAnswered,
}

fn url_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .pattern(Some(URL_PATTERN))
        .max_length(Some(2000))
        .examples(["https://chat.example.com/hooks/quorum"])
        .build()
}

fn secret_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::Type::String,
            utoipa::openapi::Type::Null,
        ]))
        .pattern(Some(SECRET_PATTERN))
        .build()
}

fn url_allowed(url: &str) -> bool {
    use std::sync::LazyLock;
    static PATTERN: LazyLock<Option<regex::Regex>> =
        LazyLock::new(|| regex::Regex::new(URL_PATTERN).ok());
    url.len() <= 2000
        && PATTERN.as_ref().is_some_and(|p| p.is_match(url))
        && url::Url::parse(url).is_ok()
}

/// `PATCH /admin/webhooks/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HookChange {
    /// True turns a hook back on (after failures too); false turns it off.
    pub active: bool,
}

/// A valid hook: a URL, known events, a secret.
pub struct NewHook {
    url: String,
    events: Vec<String>,
    secret: String,
}

impl NewHook {
    pub fn parse(request: HookRequest) -> AppResult<Self> {
        let mut fields = FieldErrors::new();
        let url = request.url;
        if !url_allowed(&url) {
            fields.insert(
                "url".into(),
                "must be an http:// or https:// URL with a host name or IPv4 address, at most 2000 characters".into(),
            );
        }
        let mut events: Vec<String> = Vec::new();
        for event in &request.events {
            if !EVENTS.contains(&event.as_str()) {
                fields.insert(
                    "events".into(),
                    format!("must each be one of {}", EVENTS.join(", ")),
                );
            } else if !events.contains(event) {
                events.push(event.clone());
            }
        }
        if request.events.is_empty() {
            fields.insert("events".into(), "must name at least one event".into());
        }
        let secret = match request.secret {
            Some(s) => {
                let n = s.chars().count();
                // `char::is_control` is the pattern's class: C0, DEL and C1.
                if !(16..=200).contains(&n) || s.chars().any(char::is_control) {
                    fields.insert(
                        "secret".into(),
                        "must be 16–200 characters, none of them control characters".into(),
                    );
                }
                s
            }
            None => random_secret(),
        };
        if !fields.is_empty() {
            return Err(AppError::from_fields(fields));
        }
        Ok(Self {
            url,
            events,
            secret,
        })
    }
}

fn random_secret() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    crate::keys::hex(&bytes)
}

fn admins_only(actor: &Actor) -> AppResult<()> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::forbidden("Only admins manage webhooks"))
    }
}

fn events_of(hook: &webhook::Model) -> Vec<String> {
    hook.events
        .split(',')
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect()
}

fn view(hook: webhook::Model, deliveries: Vec<DeliveryView>) -> HookView {
    HookView {
        id: hook.id,
        events: events_of(&hook),
        url: hook.url,
        active: hook.active,
        created_at: hook.created_at,
        disabled_at: hook.disabled_at,
        disabled_reason: hook.disabled_reason,
        deliveries,
    }
}

/// Makes a hook (admins); the answer carries its secret, once.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewHook,
    now: DateTime<Utc>,
) -> AppResult<CreatedHook> {
    admins_only(actor)?;
    let txn = crate::db::begin_write(db).await?;
    let hook = webhook::ActiveModel {
        url: Set(new.url.clone()),
        events: Set(new.events.join(",")),
        secret: Set(new.secret.clone()),
        active: Set(true),
        created_by: Set(actor.id),
        created_at: Set(now),
        disabled_at: Set(None),
        disabled_reason: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let audited = Effect::Audited {
        by: By::actor(actor),
        action: Action::WebhookCreated {
            url: new.url,
            events: new.events,
        },
        target: Target::Webhook(hook.id),
    };
    effects::record(&txn, audited, now).await?;
    txn.commit().await?;
    Ok(CreatedHook {
        hook: view(hook, Vec::new()),
        secret: new.secret,
    })
}

/// Every hook with its newest deliveries (admins).
pub async fn list(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<HookView>> {
    admins_only(actor)?;
    let hooks = webhook::Entity::find()
        .order_by_asc(webhook::Column::Id)
        .all(db)
        .await?;
    let mut views = Vec::with_capacity(hooks.len());
    for hook in hooks {
        let deliveries = newest_deliveries(db, hook.id).await?;
        views.push(view(hook, deliveries));
    }
    Ok(views)
}

/// A hook's log: its newest `LOG_LENGTH` deliveries.
async fn newest_deliveries(db: &DatabaseConnection, hook: i32) -> AppResult<Vec<DeliveryView>> {
    Ok(webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::WebhookId.eq(hook))
        .order_by_desc(webhook_delivery::Column::Id)
        .limit(LOG_LENGTH)
        .all(db)
        .await?
        .into_iter()
        .map(DeliveryView::of)
        .collect())
}

async fn find(db: &impl ConnectionTrait, id: i32) -> AppResult<webhook::Model> {
    webhook::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Webhook"))
}

/// Turns a hook on (clearing why it was turned off) or off (admins).
pub async fn set_active(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    active: bool,
    now: DateTime<Utc>,
) -> AppResult<HookView> {
    admins_only(actor)?;
    let txn = crate::db::begin_write(db).await?;
    let hook = find(&txn, id).await?;
    let before = hook.active;
    let mut row: webhook::ActiveModel = hook.into();
    row.active = Set(active);
    if active {
        row.disabled_at = Set(None);
        row.disabled_reason = Set(None);
    } else if before {
        row.disabled_at = Set(Some(now));
        row.disabled_reason = Set(Some("turned off by an admin".into()));
    }
    let hook = row.update(&txn).await?;
    if before != active {
        let audited = Effect::Audited {
            by: By::actor(actor),
            action: Action::WebhookChanged { active },
            target: Target::Webhook(id),
        };
        effects::record(&txn, audited, now).await?;
    }
    txn.commit().await?;
    Ok(view(hook, newest_deliveries(db, id).await?))
}

/// Deletes a hook and its deliveries (admins).
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    now: DateTime<Utc>,
) -> AppResult<()> {
    admins_only(actor)?;
    let txn = crate::db::begin_write(db).await?;
    let hook = find(&txn, id).await?;
    webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::WebhookId.eq(id))
        .exec(&txn)
        .await?;
    webhook::Entity::delete_by_id(id).exec(&txn).await?;
    let audited = Effect::Audited {
        by: By::actor(actor),
        action: Action::WebhookDeleted { url: hook.url },
        target: Target::Webhook(id),
    };
    effects::record(&txn, audited, now).await?;
    txn.commit().await?;
    Ok(())
}

/// `t=UNIX,v1=HEX(HMAC-SHA256(secret, "t.body"))`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!(
        "t={timestamp},v1={}",
        crate::keys::hex(&mac.finalize().into_bytes())
    )
}

/// What the delivery worker needs.
#[derive(Clone)]
pub struct Sender {
    pub db: DatabaseConnection,
    pub client: reqwest::Client,
    /// `RETRIES`, or shorter waits in tests.
    pub retries: Vec<StdDuration>,
}

impl Sender {
    pub fn new(db: DatabaseConnection, retries: Option<Vec<StdDuration>>) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            // A hook's answer is read, never followed elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Quorum-Webhooks/1")
            .build()?;
        Ok(Self {
            db,
            client,
            retries: retries.unwrap_or_else(|| RETRIES.to_vec()),
        })
    }
}

/// Claims due deliveries under a lease that covers one attempt.
async fn claim(db: &DatabaseConnection, limit: u64) -> AppResult<Vec<webhook_delivery::Model>> {
    let now = Utc::now();
    let due = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Status.eq("pending"))
        .filter(webhook_delivery::Column::RunAt.lte(now))
        .filter(crate::jobs::lease_free(
            webhook_delivery::Column::LockedUntil,
            now,
        ))
        .order_by_asc(webhook_delivery::Column::Id)
        .limit(limit);
    if !crate::jobs::any_due(db, &due).await? {
        return Ok(Vec::new());
    }
    let txn = crate::db::begin_write(db).await?;
    let rows = crate::jobs::skip_locked(due, txn.get_database_backend())
        .all(&txn)
        .await?;
    if !rows.is_empty() {
        use sea_orm::sea_query::ExprTrait;
        webhook_delivery::Entity::update_many()
            .col_expr(
                webhook_delivery::Column::LockedUntil,
                Expr::value(now + Duration::seconds(60)),
            )
            .col_expr(
                webhook_delivery::Column::Attempts,
                Expr::col(webhook_delivery::Column::Attempts).add(1),
            )
            .filter(
                webhook_delivery::Column::Id.is_in(rows.iter().map(|r| r.id).collect::<Vec<_>>()),
            )
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(rows)
}

/// How one attempt went.
enum Outcome {
    Delivered { status: i32, response: String },
    Refused { status: i32, response: String },
    Failed(String),
}

async fn attempt(sender: &Sender, hook: &webhook::Model, row: &webhook_delivery::Model) -> Outcome {
    let timestamp = Utc::now().timestamp();
    let request = sender
        .client
        .post(&hook.url)
        .header("Content-Type", "application/json")
        .header("X-Quorum-Event", &row.event)
        .header("X-Quorum-Delivery", &row.delivery)
        .header(
            "X-Quorum-Signature",
            signature(&hook.secret, timestamp, &row.body),
        )
        .body(row.body.clone());
    match request.send().await {
        Ok(mut answer) => {
            let status = i32::from(answer.status().as_u16());
            let ok = answer.status().is_success();
            // Only the start of the answer is read (and kept), however much is sent.
            let mut start: Vec<u8> = Vec::new();
            while start.len() < 4 * RESPONSE_KEPT {
                match answer.chunk().await {
                    Ok(Some(chunk)) => start.extend_from_slice(&chunk),
                    _ => break,
                }
            }
            let response: String = String::from_utf8_lossy(&start)
                .chars()
                .take(RESPONSE_KEPT)
                .collect();
            if ok {
                Outcome::Delivered { status, response }
            } else {
                Outcome::Refused { status, response }
            }
        }
        // The error names the URL and what went wrong; never a secret.
        Err(e) => Outcome::Failed(if e.is_timeout() {
            "no answer within 10 s".to_string()
        } else if e.is_connect() {
            "could not connect".to_string()
        } else {
            "the request failed".to_string()
        }),
    }
}

/// Records an attempt's outcome, through the write lane like every other writer.
async fn save(db: &DatabaseConnection, row: webhook_delivery::ActiveModel) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    row.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}

async fn deliver(sender: &Sender, row: webhook_delivery::Model) -> AppResult<()> {
    let now = Utc::now();
    let hook = webhook::Entity::find_by_id(row.webhook_id)
        .one(&sender.db)
        .await?;
    let mut active: webhook_delivery::ActiveModel = row.clone().into();
    active.locked_until = Set(None);
    let Some(hook) = hook.filter(|h| h.active) else {
        active.status = Set("failed".into());
        active.last_error = Set(Some("the hook was turned off".into()));
        active.finished_at = Set(Some(now));
        return save(&sender.db, active).await;
    };
    // A post hidden or deleted since the event is not sent.
    if !super::webhook_events::still_public(&sender.db, &row.body).await? {
        active.status = Set("failed".into());
        active.last_error = Set(Some("the post was hidden or deleted since".into()));
        active.finished_at = Set(Some(now));
        return save(&sender.db, active).await;
    }
    let attempts = row.attempts + 1;
    let (status, response, error, delivered) = match attempt(sender, &hook, &row).await {
        Outcome::Delivered { status, response } => (Some(status), Some(response), None, true),
        Outcome::Refused { status, response } => (Some(status), Some(response), None, false),
        Outcome::Failed(e) => (None, None, Some(e), false),
    };
    let finished = Utc::now();
    active.last_status = Set(status);
    active.last_response = Set(response);
    active.last_error = Set(error);
    if delivered {
        active.status = Set("delivered".into());
        active.finished_at = Set(Some(finished));
        return save(&sender.db, active).await;
    }
    let retry = usize::try_from(attempts - 1)
        .ok()
        .and_then(|i| sender.retries.get(i));
    if let Some(wait) = retry {
        active.status = Set("pending".into());
        active.run_at =
            Set(finished + Duration::from_std(*wait).unwrap_or_else(|_| Duration::days(1)));
        return save(&sender.db, active).await;
    }
    // Every attempt failed: the delivery is given up and the hook turned off, with
    // the deliveries still waiting for it.
    tracing::warn!(webhook = hook.id, delivery = %row.delivery, attempts, "a webhook kept failing and was turned off");
    let txn = crate::db::begin_write(&sender.db).await?;
    active.status = Set("failed".into());
    active.finished_at = Set(Some(finished));
    active.update(&txn).await?;
    let mut off: webhook::ActiveModel = hook.into();
    off.active = Set(false);
    off.disabled_at = Set(Some(finished));
    off.disabled_reason = Set(Some(format!(
        "turned off after {attempts} failed attempts to deliver {}",
        row.delivery
    )));
    off.update(&txn).await?;
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::Status, Expr::value("failed"))
        .col_expr(
            webhook_delivery::Column::LastError,
            Expr::value("the hook was turned off"),
        )
        .col_expr(webhook_delivery::Column::FinishedAt, Expr::value(finished))
        .filter(webhook_delivery::Column::WebhookId.eq(row.webhook_id))
        .filter(webhook_delivery::Column::Status.eq("pending"))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Sends due deliveries until told to stop; a request in flight is finished first.
pub async fn run_worker(sender: Sender, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            return;
        }
        let rows = match claim(&sender.db, 8).await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "could not claim webhook deliveries");
                Vec::new()
            }
        };
        let idle = rows.is_empty();
        let sends = rows.into_iter().map(|row| {
            let sender = &sender;
            async move {
                let id = row.id;
                if let Err(e) = deliver(sender, row).await {
                    tracing::warn!(error = %e, delivery = id, "could not record a webhook delivery");
                }
            }
        });
        futures_util::future::join_all(sends).await;
        if idle {
            tokio::select! {
                _ = tokio::time::sleep(StdDuration::from_millis(250)) => {}
                _ = stop.changed() => {}
            }
        }
    }
}
