//! The e-mail subscription switch on a discussion, and one-click unsubscribe.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::render::{base_context, redirect, render};
use crate::auth::{CsrfForm, CurrentMember, HasCsrf, MaybeMember};
use crate::error::{AppError, AppResult, Code};
use crate::services::{items, subscriptions};
use crate::state::AppState;
use crate::views::discussion_path;

#[derive(Deserialize)]
pub struct ToggleForm {
    #[serde(default)]
    csrf_token: String,
    /// "on" or "off".
    email: String,
}

impl HasCsrf for ToggleForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

pub async fn update(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<ToggleForm>,
) -> AppResult<HttpResponse> {
    let d = items::discussion(&state.db, *id).await?;
    let on = match form.email.as_str() {
        "on" => true,
        "off" => false,
        _ => return Err(AppError::validation("email", "must be on or off")),
    };
    subscriptions::set(&state.db, me.actor.id, d.id, on).await?;
    Ok(redirect(&format!(
        "{}#subscription",
        discussion_path(d.id, &d.title)
    )))
}

/// What a link unsubscribes from: one discussion, (discussion 0) the digest, or
/// (discussion -1) the weekly insights mail.
enum Target {
    Discussion(Box<entity::discussion::Model>),
    Digest,
    Insights,
}

async fn target(state: &AppState, token: &str) -> AppResult<(i32, Target)> {
    let key = state.keys.unsubscribe.as_slice();
    let (member_id, discussion_id) = crate::mail::verify_unsubscribe_token(key, token)
        .ok_or_else(|| AppError::coded(Code::NotFound, "This unsubscribe link is not valid"))?;
    if discussion_id == 0 {
        return Ok((member_id, Target::Digest));
    }
    if discussion_id == crate::mail::INSIGHTS_MAIL {
        return Ok((member_id, Target::Insights));
    }
    let d = items::discussion(&state.db, discussion_id).await?;
    Ok((member_id, Target::Discussion(Box::new(d))))
}

fn describe(target: &Target) -> (String, String) {
    match target {
        Target::Discussion(d) => (d.title.clone(), discussion_path(d.id, &d.title)),
        Target::Digest => ("your digest".into(), "/settings".into()),
        Target::Insights => ("the weekly insights mail".into(), "/settings".into()),
    }
}

/// GET shows a confirmation (mail scanners follow links; they must not unsubscribe).
pub async fn unsubscribe_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (_, t) = target(&state, &token).await?;
    let (title, url) = describe(&t);
    let mut ctx = base_context(&state, &req, &viewer, "Unsubscribe").await?;
    ctx.insert("title", &title);
    ctx.insert("url", &url);
    ctx.insert("token", token.as_str());
    ctx.insert("done", &false);
    render(&state, "unsubscribe.html", &ctx)
}

/// RFC 8058 one-click: a POST without sign-in or CSRF token (the signed token is the
/// proof) stops e-mail for that member and that discussion.
pub async fn unsubscribe(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (member_id, t) = target(&state, &token).await?;
    match &t {
        Target::Discussion(d) => {
            subscriptions::set(&state.db, member_id, d.id, false).await?;
        }
        Target::Digest => {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            entity::member::Entity::update_many()
                .col_expr(
                    entity::member::Column::Digest,
                    sea_orm::sea_query::Expr::value("never"),
                )
                .filter(entity::member::Column::Id.eq(member_id))
                .exec(&state.db)
                .await?;
        }
        Target::Insights => {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            entity::member::Entity::update_many()
                .col_expr(
                    entity::member::Column::InsightsMail,
                    sea_orm::sea_query::Expr::value(false),
                )
                .filter(entity::member::Column::Id.eq(member_id))
                .exec(&state.db)
                .await?;
        }
    }
    let (title, url) = describe(&t);
    let mut ctx = base_context(&state, &req, &viewer, "Unsubscribed").await?;
    ctx.insert("title", &title);
    ctx.insert("url", &url);
    ctx.insert("token", token.as_str());
    ctx.insert("done", &true);
    render(&state, "unsubscribe.html", &ctx)
}
