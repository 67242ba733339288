//! The instance's settings an admin changes at run time (`GET`/`PUT /admin/settings`):
//! the moderation thresholds and the limits on new members. The defaults live here; the
//! `site_settings` table holds only what an admin changed, so every instance reads the
//! same values.

use entity::site_setting;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppResult;

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
    /// The company's headcount, for the share of staff registered in insights; 0 when
    /// not set (the default).
    pub headcount: i32,
}

impl Default for SiteSettings {
    fn default() -> Self {
        Self {
            flags_to_hide: 3,
            flag_min_reputation: 50,
            max_mentions: 10,
            new_member_reputation: 10,
            mails_per_hour: 20,
            headcount: 0,
        }
    }
}

/// A change: any subset of the settings.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteSettingsChange {
    #[schema(minimum = 1, maximum = 100)]
    pub flags_to_hide: Option<i32>,
    #[schema(minimum = 0, maximum = 1000000)]
    pub flag_min_reputation: Option<i32>,
    #[schema(minimum = 0, maximum = 100)]
    pub max_mentions: Option<i32>,
    #[schema(minimum = 0, maximum = 1000000)]
    pub new_member_reputation: Option<i32>,
    #[schema(minimum = 1, maximum = 1000)]
    pub mails_per_hour: Option<i32>,
    #[schema(minimum = 0, maximum = 10000000)]
    pub headcount: Option<i32>,
}

impl SiteSettings {
    pub fn pairs(&self) -> [(&'static str, i32); 6] {
        [
            ("flags_to_hide", self.flags_to_hide),
            ("flag_min_reputation", self.flag_min_reputation),
            ("max_mentions", self.max_mentions),
            ("new_member_reputation", self.new_member_reputation),
            ("mails_per_hour", self.mails_per_hour),
            ("headcount", self.headcount),
        ]
    }

    pub fn set(&mut self, key: &str, value: i32) {
        match key {
            "flags_to_hide" => self.flags_to_hide = value,
            "flag_min_reputation" => self.flag_min_reputation = value,
            "max_mentions" => self.max_mentions = value,
            "new_member_reputation" => self.new_member_reputation = value,
            "mails_per_hour" => self.mails_per_hour = value,
            "headcount" => self.headcount = value,
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
pub const RANGES: &[(&str, i32, i32)] = &[
    ("flags_to_hide", 1, 100),
    ("flag_min_reputation", 0, 1_000_000),
    ("max_mentions", 0, 100),
    ("new_member_reputation", 0, 1_000_000),
    ("mails_per_hour", 1, 1000),
    ("headcount", 0, 10_000_000),
];

/// New members (below `new_member_reputation`) may mention at most 2 members and put
/// at most 2 links and no image in a post, so a fresh account cannot spam. Moderators
/// are exempt.
pub async fn check_new_member(
    db: &impl ConnectionTrait,
    actor: &super::Actor,
    body: &str,
) -> AppResult<()> {
    if actor.role.can_moderate() {
        return Ok(());
    }
    // Most posts hold nothing a new member may not post: then nothing need be read.
    let census = crate::markdown::census(body);
    if census.images == 0 && census.links <= 2 && census.mentions <= 2 {
        return Ok(());
    }
    let settings = get(db).await?;
    let reputation = entity::member::Entity::find_by_id(actor.id)
        .one(db)
        .await?
        .map_or(0, |m| m.reputation);
    if reputation >= settings.new_member_reputation {
        return Ok(());
    }
    let problem = if census.images > 0 {
        Some("may not hold pictures until you have some reputation")
    } else if census.links > 2 {
        Some("may hold at most 2 links until you have some reputation")
    } else if census.mentions > 2 {
        Some("may mention at most 2 members until you have some reputation")
    } else {
        None
    };
    match problem {
        Some(p) => Err(crate::error::AppError::validation(
            "body",
            format!("{p} ({} points)", settings.new_member_reputation),
        )),
        None => Ok(()),
    }
}
