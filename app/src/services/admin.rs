//! Admins change the instance's settings (`site::SiteSettings`); each change, before
//! and after, goes into the audit log.

use chrono::Utc;
use entity::site_setting;
use sea_orm::sea_query::OnConflict;
use sea_orm::{DatabaseConnection, EntityTrait, Set};

use super::Actor;
use super::audit::{self, Action, Target};
use super::effects::{self, Effect};
use super::site::{RANGES, SiteSettings, SiteSettingsChange, get};
use crate::domain::Role;
use crate::error::{AppError, AppResult, FieldErrors};

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
        ("headcount", change.headcount),
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
