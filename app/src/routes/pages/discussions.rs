//! Discussion pages and their forms: start, read, reply, edit, delete, moderate.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde::Deserialize;

use super::render::{
    CsrfOnly, base_context, html_page, redirect, render, render_status, zone_context,
};
use crate::auth::{CsrfForm, CurrentMember, HasCsrf, MaybeMember};
use crate::error::{AppError, AppResult, Code};
use crate::services::discussions::{self, DiscussionEdit, NewDiscussion};
use crate::services::items;
use crate::services::polls::NewPoll;
use crate::services::zones;
use crate::state::AppState;

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
            // One option a line; blank lines are only spacing.
            let options: Vec<String> = form
                .poll_options
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect();
            new.poll = Some(NewPoll::parse(
                &form.poll_question,
                &options,
                form.poll_multiple == "on",
                None,
                chrono::Utc::now(),
            )?);
        }
        crate::services::rate_limit::posting(&state.db, state.settings.rate_limits_on(), &me.actor)
            .await?;
        discussions::create(&state.db, &zone.slug, &me.actor, new).await
    }
    .await;
    match outcome {
        Ok(view) => Ok(redirect(&view.url)),
        Err(err) if err.code() == Code::ValidationFailed => {
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
    let query =
        web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .map(web::Query::into_inner)
            .unwrap_or_default();
    let after = crate::domain::parse_after(query.get("after").map(String::as_str))?;
    let full = discussions::full_page(state.reader(), id, actor.as_ref(), after).await?;
    // A visitor's page is the same for every visitor: rendered once per version.
    // Kept under what it shows (not the raw path and query, which anyone can vary).
    // Not an update's: what it links to may be hidden since, unversioned.
    let visitor_key =
        (viewer.member.is_none() && full.page.poll.is_none() && full.snapshot.update.is_none())
            .then(|| format!("discussion:{id}:{after:?}"));
    if let Some(key) = &visitor_key
        && let Some(body) = state.threads.page(key, full.snapshot.version)
    {
        return Ok(html_page(StatusCode::OK, body));
    }
    let page = full.page;
    let mut ctx = base_context(state, req, viewer, &page.discussion.title).await?;
    ctx.insert("more_comments", &page.more_comments);
    ctx.insert("after", &after);
    ctx.insert("last_comment_id", &page.comments.last().map(|c| c.id));
    let related: Vec<serde_json::Value> = full
        .snapshot
        .related
        .iter()
        .map(|h| super::search::hit_row(h, ""))
        .collect();
    ctx.insert("poll", &page.poll);
    if let Some(update) = &full.snapshot.update {
        let author = full.snapshot.discussion.author_id;
        let part = crate::services::updates::part(&state.db, update, author, actor.as_ref());
        ctx.insert("update", &part.await?);
    }
    ctx.insert("quizzes", &full.snapshot.quizzes);
    ctx.insert(
        "idea_history",
        &crate::services::ideas::change_views(&full.snapshot.idea_history, &full.snapshot.authors),
    );
    ctx.insert("idea_statuses", &super::ideas::statuses());
    ctx.insert("can_change", &page.can_change);
    ctx.insert("can_reply", &page.can_reply);
    // The replies go in after the page is rendered, in place of a stand-in: through
    // Tera, 200 KB would be copied and (where tested) escaped again.
    ctx.insert("has_replies", &!page.comments.is_empty());
    let replies = replies_html(state, &ctx, &page, &full.snapshot, after, actor.as_ref())?;
    ctx.insert("thread_html", state.threads.thread_slot());
    ctx.insert(
        "zone",
        &serde_json::json!({"slug": page.discussion.zone, "name": full.snapshot.zone_name}),
    );
    ctx.insert("discussion", &page.discussion);
    ctx.insert("related", &related);
    ctx.insert("subscribed", &full.subscribed);
    let html = assemble(
        state,
        &state.templates.render("discussions/show.html", &ctx)?,
        &replies,
        &crate::auth::CsrfToken::of(req),
    );
    let html = actix_web::web::Bytes::from(html);
    if let Some(key) = visitor_key {
        state
            .threads
            .keep_page(key, full.snapshot.version, html.clone());
    }
    Ok(html_page(StatusCode::OK, html))
}

/// The page's replies as HTML, each with a stand-in for the CSRF token. A reply the
/// reader neither wrote nor voted on looks the same to every reader of their kind
/// (`ReaderKind`), so it is rendered once per version of the thread and kept; the
/// reader's own replies and those they voted on are rendered for them.
fn replies_html(
    state: &AppState,
    ctx: &tera::Context,
    page: &discussions::DiscussionWithComments,
    snapshot: &crate::services::thread_cache::Snapshot,
    after: Option<i32>,
    actor: Option<&crate::services::Actor>,
) -> AppResult<Vec<std::sync::Arc<str>>> {
    use crate::services::thread_cache::ReaderKind;
    let reader = ReaderKind {
        signed_in: actor.is_some(),
        leader: actor.is_some_and(|a| a.role >= crate::domain::Role::Leader),
        moderator: actor.is_some_and(|a| a.role.can_moderate()),
        can_reply: page.can_reply,
    };
    let kept = state
        .threads
        .fragments(page.discussion.id, after, reader, snapshot);
    let slot = state.threads.csrf_slot();
    let mut one = tera::Context::new();
    for name in ["me", "can_reply"] {
        if let Some(value) = ctx.get(name) {
            one.insert(name, value);
        }
    }
    one.insert("csrf_token", slot);
    one.insert(
        "discussion",
        &serde_json::json!({ "id": page.discussion.id }),
    );
    let me = actor.map(|a| a.username.as_str());
    let mut html = Vec::with_capacity(page.comments.len());
    for (c, &can_change) in page.comments.iter().zip(&page.can_change_comment) {
        let alike = c.my_vote == 0 && c.author.as_ref().map(|a| a.username.as_str()) != me;
        if alike && let Some(kept) = kept.get(c.id) {
            html.push(kept);
            continue;
        }
        let mut row = serde_json::to_value(c).unwrap_or_default();
        if let Some(obj) = row.as_object_mut() {
            obj.insert("can_change".into(), can_change.into());
            obj.insert("indent".into(), c.depth.min(8).into());
        }
        one.insert("c", &row);
        let rendered: std::sync::Arc<str> = state
            .templates
            .render("partials/comment.html", &one)?
            .into();
        if alike {
            kept.keep(c.id, rendered.clone());
        }
        html.push(rendered);
    }
    Ok(html)
}

/// The page as sent: the rendered page with the replies in place of their stand-in,
/// and the reader's CSRF token in place of its stand-in in each, in one copy.
fn assemble(state: &AppState, page: &str, replies: &[std::sync::Arc<str>], token: &str) -> String {
    let (head, tail) = page
        .split_once(state.threads.thread_slot())
        .unwrap_or((page, ""));
    let token = tera::escape_html(token);
    let slot = state.threads.csrf_slot();
    let mut out = String::with_capacity(
        head.len() + tail.len() + replies.iter().map(|r| r.len()).sum::<usize>(),
    );
    out.push_str(head);
    for reply in replies {
        let mut parts = reply.split(slot);
        if let Some(first) = parts.next() {
            out.push_str(first);
        }
        for part in parts {
            out.push_str(&token);
            out.push_str(part);
        }
    }
    out.push_str(tail);
    out
}

pub async fn edit_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i32>,
    viewer: MaybeMember,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    let discussion = items::discussion(&state.db, *id).await?;
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
    ctx.insert("is_update", &is_update(&state, &discussion).await?);
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
        Err(err) if err.code() == Code::ValidationFailed => {
            let mut ctx = base_context(&state, &req, &viewer, "Edit discussion").await?;
            ctx.insert("errors", &err.fields());
            ctx.insert(
                "form",
                &serde_json::json!({"title": form.title, "body": form.body,
                    "poll_question": form.poll_question, "poll_options": form.poll_options,
                    "poll_multiple": form.poll_multiple == "on"}),
            );
            ctx.insert("discussion_id", &*id);
            let discussion = items::discussion(&state.db, *id).await?;
            ctx.insert("is_update", &is_update(&state, &discussion).await?);
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
    let discussion = items::discussion(&state.db, *id).await?;
    discussions::delete(&state.db, *id, &me.actor).await?;
    if is_update(&state, &discussion).await? {
        return Ok(redirect("/updates"));
    }
    let zone = crate::services::zones::find_by_id(&state.db, discussion.zone_id).await?;
    Ok(redirect(&format!("/zones/{}", zone.slug)))
}

/// Whether the thread is a leadership update's (its edit form has no title, and its
/// list is `/updates`).
async fn is_update(state: &AppState, discussion: &entity::discussion::Model) -> AppResult<bool> {
    let zone = zones::find_by_id(&state.db, discussion.zone_id).await?;
    Ok(zone.kind == zones::UPDATES)
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

/// "Start a discussion" from the header: first, which zone it belongs in.
pub async fn choose_zone(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let ctx = base_context(&state, &req, &viewer, "Start a discussion").await?;
    render(&state, "discussions/choose_zone.html", &ctx)
}
