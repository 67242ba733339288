//! The instance's settings an admin changes at run time (`GET`/`PUT /admin/settings`):
//! the moderation thresholds and the limits on new members. The defaults live here; the
//! `site_settings` table holds only what an admin changed, so every instance reads the
//! same values.

use chrono::Utc;
use entity::site_setting;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Actor;
use super::audit::{self, Action, Target};
use super::effects::{self, Effect};
use crate::domain::Role;
use crate::error::{AppError, AppResult, FieldErrors};

/// Every setting, with its value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SiteSettings {
    /// Flags (from members with `flag_min_reputation`) that hide a post at once,
    /// pending review. Default 3.
    pub flags_to_hide: i32,
    /// The reputation a flagger needs for their flag to count toward hiding. Default 50.
    pub flag_min_reputation: i32,
    /// At most this many members are notified of mentions in one post. Default 10.
    pub max_mentions: i32,
    /// Below this reputation a member may mention at most 2 members, put at most 2
    /// links and no image in a post. Default 10.
    pub new_member_reputation: i32,
    /// Notification mails per member and hour; the rest wait for the digest. Default 20.
    pub mails_per_hour: i32,
}

impl Default for SiteSettings {
    fn default() -> Self {
        Self {
            flags_to_hide: 3,
            flag_min_reputation: 50,
            max_mentions: 10,
            new_member_reputation: 10,
            mails_per_hour: 20,
        }
    }
}

/// A change: any subset of the settings.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteSettingsChange {
    pub flags_to_hide: Option<i32>,
    pub flag_min_reputation: Option<i32>,
    pub max_mentions: Option<i32>,
    pub new_member_reputation: Option<i32>,
    pub mails_per_hour: Option<i32>,
}

impl SiteSettings {
    fn pairs(&self) -> [(&'static str, i32); 5] {
        [
            ("flags_to_hide", self.flags_to_hide),
            ("flag_min_reputation", self.flag_min_reputation),
            ("max_mentions", self.max_mentions),
            ("new_member_reputation", self.new_member_reputation),
            ("mails_per_hour", self.mails_per_hour),
        ]
    }

    fn set(&mut self, key: &str, value: i32) {
        match key {
            "flags_to_hide" => self.flags_to_hide = value,
            "flag_min_reputation" => self.flag_min_reputation = value,
            "max_mentions" => self.max_mentions = value,
            "new_member_reputation" => self.new_member_reputation = value,
            "mails_per_hour" => self.mails_per_hour = value,
            _ => {}
        }
    }
}

/// The settings in force: the defaults, with what admins changed laid over them.
pub async fn get(db: &impl ConnectionTrait) -> AppResult<SiteSettings> {
    let mut settings = SiteSettings::default();
    for row in site_setting::Entity::find().all(db).await? {
        if let Ok(value) = row.value.parse::<i32>() {
            settings.set(&row.key, value);
        }
    }
    Ok(settings)
}

/// The ranges each setting may take.
const RANGES: &[(&str, i32, i32)] = &[
    ("flags_to_hide", 1, 100),
    ("flag_min_reputation", 0, 1_000_000),
    ("max_mentions", 0, 100),
    ("new_member_reputation", 0, 1_000_000),
    ("mails_per_hour", 1, 1000),
];

/// Admins change settings; the change (before and after) goes into the audit log.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    change: SiteSettingsChange,
) -> AppResult<SiteSettings> {
    if actor.role != Role::Admin {
        return Err(AppError::forbidden("Only admins change the settings"));
    }
    let asked = [
        ("flags_to_hide", change.flags_to_hide),
        ("flag_min_reputation", change.flag_min_reputation),
        ("max_mentions", change.max_mentions),
        ("new_member_reputation", change.new_member_reputation),
        ("mails_per_hour", change.mails_per_hour),
    ];
    let mut fields = FieldErrors::new();
    for (key, value) in asked {
        let Some(value) = value else { continue };
        if let Some((_, min, max)) = RANGES.iter().find(|(k, _, _)| *k == key)
            && !(*min..=*max).contains(&value)
        {
            fields.insert(key.to_string(), format!("must be from {min} to {max}"));
        }
    }
    if !fields.is_empty() {
        return Err(AppError::from_fields(fields));
    }
    let txn = crate::db::begin_write(db).await?;
    let before = get(&txn).await?;
    let mut after = before.clone();
    for (key, value) in asked {
        let Some(value) = value else { continue };
        after.set(key, value);
        site_setting::Entity::insert(site_setting::ActiveModel {
            key: Set(key.to_string()),
            value: Set(value.to_string()),
        })
        .on_conflict(
            OnConflict::column(site_setting::Column::Key)
                .update_column(site_setting::Column::Value)
                .to_owned(),
        )
        .exec(&txn)
        .await?;
    }
    if after != before {
        let changed = |s: &SiteSettings| {
            let other = if std::ptr::eq(s, &before) {
                &after
            } else {
                &before
            };
            serde_json::Value::Object(
                s.pairs()
                    .into_iter()
                    .zip(other.pairs())
                    .filter(|(a, b)| a.1 != b.1)
                    .map(|(a, _)| (a.0.to_string(), a.1.into()))
                    .collect(),
            )
        };
        let audited = Effect::Audited {
            by: audit::By::actor(actor),
            action: Action::SettingsChanged {
                before: changed(&before),
                after: changed(&after),
            },
            target: Target::Settings,
        };
        effects::record(&txn, audited, Utc::now()).await?;
    }
    txn.commit().await?;
    Ok(after)
}
