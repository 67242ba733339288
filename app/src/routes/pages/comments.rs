//! Comment forms: reply, edit, delete.

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde::Deserialize;

use super::render::{CsrfOnly, base_context, redirect, render, render_status};
use crate::auth::{CsrfForm, CurrentMember, HasCsrf, MaybeMember};
use crate::domain::Body;
use crate::error::{AppError, AppResult, Code};
use crate::services::{comments, items};
use crate::state::AppState;
use crate::views::discussion_path;

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

pub async fn create(
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
    crate::services::rate_limit::posting(&state.db, state.settings.rate_limits_on(), &me.actor)
        .await?;
    let comment = comments::create(&state.db, *id, &me.actor, body, parent_id).await?;
    let discussion = items::discussion(&state.db, *id).await?;
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
    let (comment, _) = items::comment(&state.db, *id).await?;
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

pub async fn edit(
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
            let discussion = items::discussion(&state.db, view.discussion_id).await?;
            Ok(redirect(&format!(
                "{}#comment-{}",
                discussion_path(discussion.id, &discussion.title),
                view.id
            )))
        }
        Err(err) if err.code() == Code::ValidationFailed => {
            let (comment, _) = items::comment(&state.db, *id).await?;
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

pub async fn delete(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(_form): CsrfForm<CsrfOnly>,
) -> AppResult<HttpResponse> {
    let discussion_id = comments::delete(&state.db, *id, &me.actor).await?;
    let discussion = items::discussion(&state.db, discussion_id).await?;
    Ok(redirect(&format!(
        "{}#comment-{}",
        discussion_path(discussion.id, &discussion.title),
        *id
    )))
}
