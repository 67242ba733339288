//! Vote and recognition forms, the leaderboard, badges and notifications pages.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use super::{base_context, redirect, render};
use crate::auth::{CsrfForm, CurrentMember, HasCsrf, MaybeMember};
use crate::error::AppResult;
use crate::routes::api::reputation::all_badges;
use crate::services::leaderboard::{self, Period};
use crate::services::notifications;
use crate::services::reputation::{self, Target, VoteValue};
use crate::services::{comments, discussions, zones};
use crate::state::AppState;
use crate::views::discussion_path;

#[derive(Deserialize)]
pub struct VoteForm {
    #[serde(default)]
    csrf_token: String,
    value: i64,
}

impl HasCsrf for VoteForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Deserialize)]
pub struct RecognizeForm {
    #[serde(default)]
    csrf_token: String,
    /// "on" to recognise, "off" to withdraw.
    state: String,
}

impl HasCsrf for RecognizeForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// Where to go back to after acting on an item.
async fn back_to(state: &AppState, target: Target) -> AppResult<String> {
    match target {
        Target::Discussion(id) => {
            let d = discussions::find(&state.db, id).await?;
            Ok(format!(
                "{}#discussion-{id}",
                discussion_path(d.id, &d.title)
            ))
        }
        Target::Comment(id) => {
            let (_, d) = comments::find_with_discussion(&state.db, id).await?;
            Ok(format!("{}#comment-{id}", discussion_path(d.id, &d.title)))
        }
    }
}

async fn vote(
    state: &AppState,
    me: &CurrentMember,
    target: Target,
    value: i64,
) -> AppResult<HttpResponse> {
    reputation::vote(
        &state.db,
        &me.actor,
        target,
        VoteValue::parse(value)?,
        Utc::now(),
    )
    .await?;
    Ok(redirect(&back_to(state, target).await?))
}

pub async fn vote_discussion(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<VoteForm>,
) -> AppResult<HttpResponse> {
    vote(&state, &me, Target::Discussion(*id), form.value).await
}

pub async fn vote_comment(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<VoteForm>,
) -> AppResult<HttpResponse> {
    vote(&state, &me, Target::Comment(*id), form.value).await
}

async fn recognize(
    state: &AppState,
    me: &CurrentMember,
    target: Target,
    form: &RecognizeForm,
) -> AppResult<HttpResponse> {
    let on = super::on_off(&form.state)?;
    reputation::recognize(&state.db, &me.actor, target, on, Utc::now()).await?;
    Ok(redirect(&back_to(state, target).await?))
}

pub async fn recognize_discussion(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<RecognizeForm>,
) -> AppResult<HttpResponse> {
    recognize(&state, &me, Target::Discussion(*id), &form).await
}

pub async fn recognize_comment(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<RecognizeForm>,
) -> AppResult<HttpResponse> {
    recognize(&state, &me, Target::Comment(*id), &form).await
}

pub async fn leaderboard(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let period = Period::parse(query.get("period").map(String::as_str))?;
    let zone = match query
        .get("zone")
        .map(|z| z.trim())
        .filter(|z| !z.is_empty())
    {
        Some(slug) => Some(zones::find(&state.db, slug).await?),
        None => None,
    };
    let entries = leaderboard::top(
        &state.db,
        period,
        zone.as_ref().map(|z| z.id),
        50,
        Utc::now(),
    )
    .await?;
    let mut ctx = base_context(&state, &req, &viewer, "Leaderboard").await?;
    ctx.insert("entries", &entries);
    ctx.insert("period", period.as_str());
    ctx.insert(
        "zone_slug",
        &zone.as_ref().map(|z| z.slug.clone()).unwrap_or_default(),
    );
    render(&state, "reputation/leaderboard.html", &ctx)
}

pub async fn badges(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let list = all_badges(&state).await?;
    let mut ctx = base_context(&state, &req, &viewer, "Badges").await?;
    ctx.insert("badges", &list.badges);
    render(&state, "reputation/badges.html", &ctx)
}

pub async fn notifications_page(
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
    let titles: HashMap<i32, (String, String)> = entity::discussion::Entity::find()
        .filter(entity::discussion::Column::Id.is_in(ids))
        .all(&state.db)
        .await?
        .into_iter()
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

pub async fn mark_all_read(
    state: web::Data<AppState>,
    me: CurrentMember,
    CsrfForm(_form): CsrfForm<ReadForm>,
) -> AppResult<HttpResponse> {
    notifications::mark_read(&state.db, me.actor.id, None).await?;
    Ok(redirect("/notifications"))
}

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
