//! Ideas: the status form on a discussion, and the ideas board.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;

use super::render::{base_context, redirect, render};
use crate::auth::{CsrfForm, CurrentMember, MaybeMember};
use crate::domain::IdeaStatus;
use crate::error::AppResult;
use crate::services::ideas::{self, BoardQuery, IdeaChange};
use crate::state::AppState;

csrf_form!(IdeaForm {
    status,
    note,
    action
});

/// The statuses as the status form lists them.
pub fn statuses() -> Vec<serde_json::Value> {
    IdeaStatus::ALL
        .into_iter()
        .map(|s| serde_json::json!({"value": s.as_str(), "label": s.label()}))
        .collect()
}

/// Marks a discussion as an idea, moves its status, or (`action=unmark`) makes it a
/// plain discussion again; back to the discussion's idea.
pub async fn set(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<IdeaForm>,
) -> AppResult<HttpResponse> {
    let view = if form.action == "unmark" {
        ideas::unmark(&state.db, &me.actor, *id, Utc::now()).await?
    } else {
        let change = IdeaChange::parse(&form.status, Some(&form.note))?;
        ideas::set(&state.db, &me.actor, *id, change, Utc::now()).await?
    };
    Ok(redirect(&format!("{}#idea", view.url)))
}

/// The ideas board: every zone's, or one zone's (`?zone=`).
pub async fn board(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    me: CurrentMember,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let q = BoardQuery::parse(&query)?;
    let board = ideas::board(&state.db, Some(&me.actor), &q, Utc::now()).await?;
    let mut ctx = base_context(&state, &req, &viewer, "Ideas").await?;
    let pages = board.total.div_ceil(board.per_page.max(1));
    ctx.insert("board", &board);
    ctx.insert("pages", &pages);
    ctx.insert("status", &q.status.map(IdeaStatus::as_str).unwrap_or(""));
    ctx.insert("sort", q.sort.as_str());
    ctx.insert("awaiting", &q.awaiting);
    ctx.insert("awaiting_days", &ideas::AWAITING_DAYS);
    ctx.insert("zone_slug", q.zone.as_deref().unwrap_or(""));
    render(&state, "ideas/board.html", &ctx)
}
