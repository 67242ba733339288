//! A member's mail settings: what they are, and changing them (the settings page and
//! `/api/v1/me/settings` both come here).

use entity::member;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};

#[derive(Serialize, ToSchema)]
pub struct MailSettings {
    /// Subscribe me with e-mail on when I start a discussion.
    pub email_on_discussion_reply: bool,
    /// E-mail me when someone replies to my comment.
    pub email_on_comment_reply: bool,
    /// E-mail me when someone @mentions me.
    pub email_on_mention: bool,
    /// `never`, `daily` or `weekly`.
    pub digest: String,
    /// The weekly "state of the community" mail (leaders, moderators and admins).
    pub insights_mail: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct MailSettingsUpdate {
    pub email_on_discussion_reply: Option<bool>,
    pub email_on_comment_reply: Option<bool>,
    pub email_on_mention: Option<bool>,
    #[schema(pattern = r"^(never|daily|weekly)$")]
    pub digest: Option<String>,
    /// Leaders, moderators and admins only (403 for others when true).
    pub insights_mail: Option<bool>,
}

/// The settings as clients see them.
pub fn of(m: &member::Model) -> MailSettings {
    MailSettings {
        email_on_discussion_reply: m.email_on_discussion_reply,
        email_on_comment_reply: m.email_on_comment_reply,
        email_on_mention: m.email_on_mention,
        digest: m.digest.clone(),
        insights_mail: m.insights_mail,
    }
}

/// Changes what is given, leaves the rest.
pub async fn update(
    db: &DatabaseConnection,
    me: &member::Model,
    update: MailSettingsUpdate,
) -> AppResult<member::Model> {
    let mut active: member::ActiveModel = me.clone().into();
    if let Some(v) = update.email_on_discussion_reply {
        active.email_on_discussion_reply = Set(v);
    }
    if let Some(v) = update.email_on_comment_reply {
        active.email_on_comment_reply = Set(v);
    }
    if let Some(v) = update.email_on_mention {
        active.email_on_mention = Set(v);
    }
    if let Some(d) = update.digest {
        // Exactly one of the three words, as the schema says.
        if !["never", "daily", "weekly"].contains(&d.as_str()) {
            return Err(AppError::validation(
                "digest",
                "must be never, daily or weekly",
            ));
        }
        active.digest = Set(d);
    }
    if let Some(v) = update.insights_mail {
        if v && crate::domain::Role::from_db(&me.role) < crate::domain::Role::Leader {
            return Err(AppError::forbidden(
                "The weekly insights mail is for leaders, moderators and admins",
            ));
        }
        active.insights_mail = Set(v);
    }
    Ok(active.update(db).await?)
}
