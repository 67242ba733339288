//! Opening a live Q&A session.

use chrono::Utc;
use entity::qa_session;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};

use super::NewSession;
use super::views::SessionView;
use super::views::show;
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::markdown;
use crate::services::Actor;

pub async fn create(
    db: &DatabaseConnection,
    zone_slug: &str,
    actor: &Actor,
    new: NewSession,
) -> AppResult<SessionView> {
    if actor.role < Role::Leader {
        return Err(AppError::forbidden(
            "Only leaders, moderators and admins may open a live Q&A session",
        ));
    }
    let zone = crate::services::zones::find(db, zone_slug).await?;
    let host_id = match &new.host {
        Some(username) => {
            crate::services::accounts::find_by_username(db, username.as_ref())
                .await
                .map_err(|_| AppError::validation("host", "is not a member's username"))?
                .id
        }
        None => actor.id,
    };
    let now = Utc::now();
    let row = qa_session::ActiveModel {
        zone_id: Set(zone.id),
        title: Set(new.title.into_inner()),
        description_html: Set(markdown::render(&new.description)),
        description: Set(new.description),
        host_id: Set(host_id),
        created_by: Set(actor.id),
        starts_at: Set(new.starts_at),
        ends_at: Set(new.ends_at),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    show(db, row.id, Some(actor)).await
}
