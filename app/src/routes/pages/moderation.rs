//! Trust and safety pages: flagging a post, the review queue, suspensions, edit
//! history, the audit log and the instance's settings. Plain forms, no JavaScript.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};

use super::render::{base_context, redirect, render};
use crate::auth::{CsrfForm, CurrentMember, MaybeMember};
use crate::domain::{Post, Role};
use crate::error::{AppError, AppResult};
use crate::services::moderation::{self, Decision, FlagTarget, NewFlag, QueueOrder, Removal};
use crate::services::revisions;
use crate::services::site::{self, SiteSettingsChange};
use crate::services::suspensions::{self, NewSuspension};
use crate::services::{audit, items};
use crate::state::AppState;

/// `discussions`, `comments` or `questions` and an id, as the page's path names them.
fn flag_target(kind: &str, id: i32) -> AppResult<FlagTarget> {
    match kind {
        "discussions" => Ok(FlagTarget::Discussion(id)),
        "comments" => Ok(FlagTarget::Comment(id)),
        "questions" => Ok(FlagTarget::Question(id)),
        _ => Err(AppError::not_found("Page")),
    }
}

/// Where to go back to after flagging.
async fn back_to(state: &AppState, target: FlagTarget) -> String {
    match target {
        FlagTarget::Discussion(id) => items::url(&state.db, Post::Discussion(id))
            .await
            .unwrap_or_else(|_| "/".into()),
        FlagTarget::Comment(id) => items::url(&state.db, Post::Comment(id))
            .await
            .unwrap_or_else(|_| "/".into()),
        FlagTarget::Question(id) => {
            match entity::qa_question::Entity::find_by_id(id)
                .one(&state.db)
                .await
            {
                Ok(Some(q)) => format!("/sessions/{}#question-{id}", q.session_id),
                _ => "/".into(),
            }
        }
    }
}

use sea_orm::EntityTrait;

/// The flag form: the reasons, and a note.
pub async fn flag_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i32)>,
    viewer: MaybeMember,
    _me: CurrentMember,
) -> AppResult<HttpResponse> {
    let (kind, id) = path.into_inner();
    let target = flag_target(&kind, id)?;
    let mut ctx = base_context(&state, &req, &viewer, "Flag a post").await?;
    ctx.insert("action", &format!("/{kind}/{id}/flag"));
    ctx.insert("back", &back_to(&state, target).await);
    ctx.insert(
        "what",
        match target {
            FlagTarget::Discussion(_) => "discussion",
            FlagTarget::Comment(_) => "reply",
            FlagTarget::Question(_) => "question",
        },
    );
    render(&state, "moderation/flag.html", &ctx)
}

csrf_form!(FlagForm { reason, note });

pub async fn flag(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i32)>,
    viewer: MaybeMember,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<FlagForm>,
) -> AppResult<HttpResponse> {
    let (kind, id) = path.into_inner();
    let target = flag_target(&kind, id)?;
    let new = NewFlag::parse(&form.reason, Some(&form.note))?;
    moderation::flag(&state.db, &me.actor, target, new).await?;
    let mut ctx = base_context(&state, &req, &viewer, "Thank you").await?;
    ctx.insert("back", &back_to(&state, target).await);
    render(&state, "moderation/flagged.html", &ctx)
}

/// The review queue.
pub async fn review(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    me: CurrentMember,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let (status, order) = moderation::queue_params(&query)?;
    let list = moderation::queue(&state.db, &me.actor, status, order).await?;
    let mut ctx = base_context(&state, &req, &viewer, "Review queue").await?;
    ctx.insert("list", &list);
    ctx.insert("status", status.unwrap_or("all"));
    ctx.insert(
        "sort",
        if order == QueueOrder::MostFlagged {
            "most_flagged"
        } else {
            "newest"
        },
    );
    render(&state, "moderation/review.html", &ctx)
}

csrf_form!(DecisionForm {
    decision,
    action,
    suspend_kind,
    suspend_until,
    suspend_reason
});

pub async fn decide(
    state: web::Data<AppState>,
    path: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> AppResult<HttpResponse> {
    let decision = Decision::parse(&form.decision)?;
    // The form always carries the agree-only fields; `decide` ignores them otherwise.
    let agree = decision == Decision::Agree;
    let removal = match form.action.as_str() {
        "" => None,
        raw => Some(Removal::parse(raw)?),
    };
    let suspend = match form.suspend_kind.as_str() {
        _ if !agree => None,
        "" | "none" => None,
        kind => Some(NewSuspension::parse(
            kind,
            &form.suspend_until,
            &form.suspend_reason,
        )?),
    };
    moderation::decide(&state.db, &me.actor, *path, decision, removal, suspend).await?;
    Ok(redirect("/review"))
}

csrf_form!(SuspensionForm {
    kind,
    until,
    reason
});

/// A moderator silences or suspends a member from their profile.
pub async fn suspend(
    state: web::Data<AppState>,
    path: web::Path<String>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<SuspensionForm>,
) -> AppResult<HttpResponse> {
    let new = NewSuspension::parse(&form.kind, &form.until, &form.reason)?;
    let member = suspensions::suspend(&state.db, &me.actor, &path, new).await?;
    Ok(redirect(&format!("/members/{}", member.username)))
}

pub async fn lift(
    state: web::Data<AppState>,
    path: web::Path<String>,
    me: CurrentMember,
    CsrfForm(_form): CsrfForm<super::render::CsrfOnly>,
) -> AppResult<HttpResponse> {
    let member = suspensions::lift(&state.db, &me.actor, &path).await?;
    Ok(redirect(&format!("/members/{}", member.username)))
}

/// A post's versions, each with a word-level diff from the one before.
pub async fn revisions(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i32)>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let (kind, id) = path.into_inner();
    let post = match kind.as_str() {
        "discussions" => Post::Discussion(id),
        "comments" => Post::Comment(id),
        _ => return Err(AppError::not_found("Page")),
    };
    let list = revisions::list(&state.db, post, viewer.actor().as_ref()).await?;
    let shown: Vec<serde_json::Value> = list
        .revisions
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let before = i.checked_sub(1).and_then(|p| list.revisions.get(p));
            let body = revisions::diff_words(before.map_or("", |b| b.body.as_str()), &r.body);
            let title = match (&r.title, before.and_then(|b| b.title.as_ref())) {
                (Some(t), Some(old)) if t != old => Some(revisions::diff_words(old, t)),
                _ => None,
            };
            serde_json::json!({
                "n": i + 1, "r": r, "body_diff": body, "title_diff": title, "first": i == 0,
            })
        })
        .rev()
        .collect();
    let mut ctx = base_context(&state, &req, &viewer, "Edit history").await?;
    ctx.insert("revisions", &shown);
    ctx.insert("back", &back_to_post(&state, post).await);
    render(&state, "moderation/revisions.html", &ctx)
}

async fn back_to_post(state: &AppState, post: Post) -> String {
    items::url(&state.db, post)
        .await
        .unwrap_or_else(|_| "/".into())
}

fn admins_only(me: &CurrentMember) -> AppResult<()> {
    if me.actor.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::forbidden("Only admins see this page"))
    }
}

/// The audit log, newest first, with filters.
pub async fn audit_log(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    me: CurrentMember,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    admins_only(&me)?;
    let (filter, limit) = audit::Filter::parse(&state.db, &query).await?;
    let entries = audit::list(&state.db, &filter, true, limit).await?;
    let mut ctx = base_context(&state, &req, &viewer, "Audit log").await?;
    ctx.insert("entries", &entries);
    ctx.insert("actions", audit::ACTIONS);
    ctx.insert("query", &*query);
    render(&state, "moderation/audit.html", &ctx)
}

/// The instance's settings.
pub async fn settings(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    admins_only(&me)?;
    let mut ctx = base_context(&state, &req, &viewer, "Community settings").await?;
    ctx.insert("settings", &site::get(&state.db).await?);
    render(&state, "moderation/settings.html", &ctx)
}

csrf_form!(SettingsForm {
    flags_to_hide,
    flag_min_reputation,
    max_mentions,
    new_member_reputation,
    mails_per_hour,
    headcount
});

pub async fn update_settings(
    state: web::Data<AppState>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> AppResult<HttpResponse> {
    let number = |field: &str, raw: &str| -> AppResult<Option<i32>> {
        match raw.trim() {
            "" => Ok(None),
            raw => raw
                .parse()
                .map(Some)
                .map_err(|_| AppError::validation(field, "must be a whole number")),
        }
    };
    let change = SiteSettingsChange {
        flags_to_hide: number("flags_to_hide", &form.flags_to_hide)?,
        flag_min_reputation: number("flag_min_reputation", &form.flag_min_reputation)?,
        max_mentions: number("max_mentions", &form.max_mentions)?,
        new_member_reputation: number("new_member_reputation", &form.new_member_reputation)?,
        mails_per_hour: number("mails_per_hour", &form.mails_per_hour)?,
        headcount: number("headcount", &form.headcount)?,
    };
    crate::services::admin::update(&state.db, &me.actor, change).await?;
    Ok(redirect("/admin/settings"))
}
