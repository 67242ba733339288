//! Discussion pages and their forms: start, read, reply, edit, delete, moderate.

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde::Deserialize;

use super::{base_context, redirect, render, render_status, zone_context};
use crate::auth::{CsrfForm, CurrentMember, HasCsrf, MaybeMember};
use crate::domain::Body;
use crate::error::{AppError, AppResult};
use crate::routes::api::zones::limit_posting;
use crate::services::discussions::{self, DiscussionEdit, NewDiscussion};
use crate::services::polls::NewPoll;
use crate::services::{comments, zones};
use crate::state::AppState;
use crate::views::discussion_path;

#[derive(Deserialize)]
pub struct DiscussionForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    /// An optional poll: its question, its options one per line, and "on" for multiple.
    #[serde(default)]
    poll_question: String,
    #[serde(default)]
    poll_options: String,
    #[serde(default)]
    poll_multiple: String,
}

impl HasCsrf for DiscussionForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    parent_id: String,
}

impl HasCsrf for ReplyForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Deserialize)]
pub struct ModerateForm {
    #[serde(default)]
    csrf_token: String,
    action: String,
}

impl HasCsrf for ModerateForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

pub use super::account::CsrfOnly;

#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    title: String,
}

pub async fn new_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    viewer: MaybeMember,
    query: web::Query<NewQuery>,
) -> AppResult<HttpResponse> {
    let zone = zones::find(&state.db, &path).await?;
    let mut ctx = zone_context(&state, &req, &viewer, &zone, "Start a discussion").await?;
    // Without JavaScript, "Check for similar discussions" comes back here with the title.
    let title: String = query
        .title
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    if !title.trim().is_empty() {
        ctx.insert(
            "similar",
            &super::search::similar(&state, &title, None, 5).await?,
        );
        ctx.insert("form", &serde_json::json!({"title": title, "body": ""}));
    }
    render(&state, "discussions/new.html", &ctx)
}

pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    viewer: MaybeMember,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<DiscussionForm>,
) -> AppResult<HttpResponse> {
    let zone = zones::find(&state.db, &path).await?;
    let outcome = async {
        let mut new = NewDiscussion::parse(&form.title, &form.body)?;
        if !form.poll_question.trim().is_empty() || !form.poll_options.trim().is_empty() {
            let options: Vec<String> = form.poll_options.lines().map(str::to_string).collect();
            new.poll = Some(NewPoll::parse(
                &form.poll_question,
                &options,
                form.poll_multiple == "on",
                None,
                chrono::Utc::now(),
            )?);
        }
        limit_posting(&state, &me).await?;
        discussions::create(&state.db, &zone.slug, &me.actor, new).await
    }
    .await;
    match outcome {
        Ok(view) => Ok(redirect(&view.url)),
        Err(err @ AppError::Validation { .. }) => {
            let mut ctx = zone_context(&state, &req, &viewer, &zone, "Start a discussion").await?;
            ctx.insert("errors", &err.fields());
            ctx.insert(
                "form",
                &serde_json::json!({"title": form.title, "body": form.body,
                    "poll_question": form.poll_question, "poll_options": form.poll_options,
                    "poll_multiple": form.poll_multiple == "on"}),
            );
            render_status(&state, "discussions/new.html", &ctx, err.status_code())
        }
        Err(err) => Err(err),
    }
}

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i32>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    page(&state, &req, *id, &viewer).await
}

pub async fn show_slug(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(i32, String)>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    page(&state, &req, path.0, &viewer).await
}

async fn page(
    state: &AppState,
    req: &HttpRequest,
    id: i32,
    viewer: &MaybeMember,
) -> AppResult<HttpResponse> {
    let actor = viewer.actor();
    let discussion = discussions::read(&state.db, id, actor.as_ref(), true).await?;
    let comments = comments::thread(&state.db, id, actor.as_ref()).await?;
    if let Some(a) = &actor {
        crate::services::digest::mark_read(&state.db, a.id, id, chrono::Utc::now()).await?;
    }
    let zone = zones::find(&state.db, &discussion.zone).await?;
    let mut ctx = base_context(state, req, viewer, &discussion.title).await?;
    ctx.insert(
        "poll",
        &crate::services::polls::view(&state.db, id, discussion.locked, actor.as_ref()).await?,
    );
    ctx.insert(
        "quizzes",
        &crate::services::quizzes::list(&state.db, None, Some(id)).await?,
    );
    let can_change = |author: Option<&str>| {
        actor
            .as_ref()
            .is_some_and(|a| a.role.can_moderate() || author.is_some_and(|name| name == a.username))
    };
    let comment_rows: Vec<serde_json::Value> = comments
        .iter()
        .map(|c| {
            let mut row = serde_json::to_value(c).unwrap_or_default();
            if let Some(obj) = row.as_object_mut() {
                let author = c.author.as_ref().map(|a| a.username.as_str());
                obj.insert(
                    "can_change".into(),
                    (!c.deleted && can_change(author)).into(),
                );
                obj.insert("indent".into(), c.depth.min(8).into());
            }
            row
        })
        .collect();
    ctx.insert(
        "can_change",
        &can_change(Some(discussion.author.username.as_str())),
    );
    ctx.insert(
        "can_reply",
        &(actor.is_some()
            && (!discussion.locked || actor.as_ref().is_some_and(|a| a.role.can_moderate()))),
    );
    ctx.insert("discussion", &discussion);
    ctx.insert("comments", &comment_rows);
    ctx.insert(
        "zone",
        &serde_json::json!({"slug": zone.slug, "name": zone.name}),
    );
    let related = super::search::similar(state, &discussion.title, Some(discussion.id), 5)
        .await
        .unwrap_or_default();
    ctx.insert("related", &related);
    let subscribed = match &actor {
        Some(a) => crate::services::subscriptions::get(&state.db, a.id, discussion.id).await?,
        None => false,
    };
    ctx.insert("subscribed", &subscribed);
    render(state, "discussions/show.html", &ctx)
}

pub async fn reply(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> AppResult<HttpResponse> {
    let body = Body::parse(&form.body)?;
    let parent_id = match form.parent_id.trim() {
        "" => None,
        raw => Some(
            raw.parse::<i32>()
                .map_err(|_| AppError::validation("parent_id", "is not an existing comment"))?,
        ),
    };
    limit_posting(&state, &me).await?;
    let comment = comments::create(&state.db, *id, &me.actor, body, parent_id).await?;
    let discussion = discussions::find(&state.db, *id).await?;
    Ok(redirect(&format!(
        "{}#comment-{}",
        discussion_path(discussion.id, &discussion.title),
        comment.id
    )))
}

pub async fn edit_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i32>,
    viewer: MaybeMember,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    let discussion = discussions::find(&state.db, *id).await?;
    if !me.actor.may_change(discussion.author_id) {
        return Err(AppError::forbidden(
            "Only the author or a moderator may edit this discussion",
        ));
    }
    let mut ctx = base_context(&state, &req, &viewer, "Edit discussion").await?;
    ctx.insert(
        "form",
        &serde_json::json!({"title": discussion.title, "body": discussion.body}),
    );
    ctx.insert("discussion_id", &discussion.id);
    render(&state, "discussions/edit.html", &ctx)
}

pub async fn edit(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i32>,
    viewer: MaybeMember,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<DiscussionForm>,
) -> AppResult<HttpResponse> {
    let outcome = async {
        let edit = DiscussionEdit::parse(Some(&form.title), Some(&form.body))?;
        discussions::update(&state.db, *id, &me.actor, edit).await
    }
    .await;
    match outcome {
        Ok(view) => Ok(redirect(&view.url)),
        Err(err @ AppError::Validation { .. }) => {
            let mut ctx = base_context(&state, &req, &viewer, "Edit discussion").await?;
            ctx.insert("errors", &err.fields());
            ctx.insert(
                "form",
                &serde_json::json!({"title": form.title, "body": form.body,
                    "poll_question": form.poll_question, "poll_options": form.poll_options,
                    "poll_multiple": form.poll_multiple == "on"}),
            );
            ctx.insert("discussion_id", &*id);
            render_status(&state, "discussions/edit.html", &ctx, err.status_code())
        }
        Err(err) => Err(err),
    }
}

pub async fn delete(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(_form): CsrfForm<CsrfOnly>,
) -> AppResult<HttpResponse> {
    let discussion = discussions::find(&state.db, *id).await?;
    discussions::delete(&state.db, *id, &me.actor).await?;
    let zone = crate::services::zones::find_by_id(&state.db, discussion.zone_id).await?;
    Ok(redirect(&format!("/zones/{}", zone.slug)))
}

pub async fn moderate(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<ModerateForm>,
) -> AppResult<HttpResponse> {
    let (locked, pinned) = match form.action.as_str() {
        "lock" => (Some(true), None),
        "unlock" => (Some(false), None),
        "pin" => (None, Some(true)),
        "unpin" => (None, Some(false)),
        _ => {
            return Err(AppError::validation(
                "action",
                "must be lock, unlock, pin or unpin",
            ));
        }
    };
    let view = discussions::moderate(&state.db, *id, &me.actor, locked, pinned).await?;
    Ok(redirect(&view.url))
}

pub async fn edit_comment_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i32>,
    viewer: MaybeMember,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    let comment = comments::find(&state.db, *id).await?;
    if !me.actor.may_change(comment.author_id) {
        return Err(AppError::forbidden(
            "Only the author or a moderator may edit this comment",
        ));
    }
    let mut ctx = base_context(&state, &req, &viewer, "Edit reply").await?;
    ctx.insert("form", &serde_json::json!({"body": comment.body}));
    ctx.insert("comment_id", &comment.id);
    ctx.insert("discussion_id", &comment.discussion_id);
    render(&state, "discussions/edit_comment.html", &ctx)
}

pub async fn edit_comment(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i32>,
    viewer: MaybeMember,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> AppResult<HttpResponse> {
    let outcome = async {
        let body = Body::parse(&form.body)?;
        comments::update(&state.db, *id, &me.actor, body).await
    }
    .await;
    match outcome {
        Ok(view) => {
            let discussion = discussions::find(&state.db, view.discussion_id).await?;
            Ok(redirect(&format!(
                "{}#comment-{}",
                discussion_path(discussion.id, &discussion.title),
                view.id
            )))
        }
        Err(err @ AppError::Validation { .. }) => {
            let comment = comments::find(&state.db, *id).await?;
            let mut ctx = base_context(&state, &req, &viewer, "Edit reply").await?;
            ctx.insert("errors", &err.fields());
            ctx.insert("form", &serde_json::json!({"body": form.body}));
            ctx.insert("comment_id", &comment.id);
            ctx.insert("discussion_id", &comment.discussion_id);
            render_status(
                &state,
                "discussions/edit_comment.html",
                &ctx,
                err.status_code(),
            )
        }
        Err(err) => Err(err),
    }
}

pub async fn delete_comment(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(_form): CsrfForm<CsrfOnly>,
) -> AppResult<HttpResponse> {
    let discussion_id = comments::delete(&state.db, *id, &me.actor).await?;
    let discussion = discussions::find(&state.db, discussion_id).await?;
    Ok(redirect(&format!(
        "{}#comment-{}",
        discussion_path(discussion.id, &discussion.title),
        *id
    )))
}

/// A ballot from the poll's form: `option` once per chosen option.
pub async fn poll_vote(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    form: crate::auth::CsrfPairs,
) -> AppResult<HttpResponse> {
    let mut choices = Vec::new();
    for raw in form.all("option") {
        let choice = raw
            .trim()
            .parse::<i64>()
            .map_err(|_| AppError::validation("options", "must be option ids"))?;
        choices.push(choice);
    }
    crate::services::polls::vote(&state.db, *id, &me.actor, &choices).await?;
    let discussion = discussions::find(&state.db, *id).await?;
    Ok(redirect(&format!(
        "{}#poll",
        discussion_path(discussion.id, &discussion.title)
    )))
}

/// "Start a discussion" from the header: first, which zone it belongs in.
pub async fn choose_zone(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let ctx = base_context(&state, &req, &viewer, "Start a discussion").await?;
    render(&state, "discussions/choose_zone.html", &ctx)
}
