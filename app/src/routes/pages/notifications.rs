//! The notifications page.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::render::{base_context, redirect, render};
use crate::auth::{CsrfForm, CurrentMember, HasCsrf, MaybeMember};
use crate::error::AppResult;
use crate::services::notifications;
use crate::state::AppState;
use crate::views::discussion_path;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    let list = notifications::list(&state.db, me.actor.id).await?;
    let ids: Vec<i32> = list
        .notifications
        .iter()
        .filter_map(|n| n.discussion_id)
        .collect();
    // Deleted discussions lose their titles here; hidden ones too, but to their author.
    let titles: HashMap<i32, (String, String)> = entity::discussion::Entity::find()
        .filter(entity::discussion::Column::Id.is_in(ids))
        .filter(entity::discussion::Column::DeletedAt.is_null())
        .all(&state.db)
        .await?
        .into_iter()
        .filter(|d| !d.hidden || d.author_id == me.actor.id || me.actor.role.can_moderate())
        .map(|d| (d.id, (d.title.clone(), discussion_path(d.id, &d.title))))
        .collect();
    let rows: Vec<serde_json::Value> = list
        .notifications
        .iter()
        .map(|n| {
            let (title, url) = n.discussion_id.and_then(|id| titles.get(&id).cloned()).unzip();
            let badge = n.badge.as_deref().and_then(crate::services::badges::find).map(|b| b.name);
            serde_json::json!({
                "n": n, "title": title, "url": url.map(|u| match n.comment_id { Some(c) => format!("{u}#comment-{c}"), None => u }),
                "badge_name": badge,
                "idea_label": n.idea_status.as_deref().and_then(crate::domain::IdeaStatus::parse).map(|s| s.label()),
            })
        })
        .collect();
    let mut ctx = base_context(&state, &req, &viewer, "Notifications").await?;
    ctx.insert("rows", &rows);
    render(&state, "reputation/notifications.html", &ctx)
}

#[derive(Deserialize)]
pub struct ReadForm {
    #[serde(default)]
    csrf_token: String,
}

impl HasCsrf for ReadForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

pub async fn mark_read(
    state: web::Data<AppState>,
    me: CurrentMember,
    CsrfForm(_form): CsrfForm<ReadForm>,
) -> AppResult<HttpResponse> {
    notifications::mark_read(&state.db, me.actor.id, None).await?;
    Ok(redirect("/notifications"))
}
