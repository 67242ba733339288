//! Join, sign in, sign out.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde::Deserialize;

use super::render::{CsrfOnly, base_context, redirect, render, render_status};
use crate::auth::{self, CsrfForm, HasCsrf, MaybeMember};
use crate::error::{AppError, AppResult};
use crate::routes::client::client_ip;
use crate::services::accounts::{self, NewMember, SessionKind};
use crate::services::rate_limit;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct JoinForm {
    #[serde(default)]
    csrf_token: String,
    username: String,
    email: String,
    password: String,
    #[serde(default)]
    display_name: String,
}

impl HasCsrf for JoinForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Deserialize)]
pub struct SigninForm {
    #[serde(default)]
    csrf_token: String,
    login: String,
    password: String,
    #[serde(default)]
    next: String,
}

impl HasCsrf for SigninForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths are followed after sign-in (no open redirects).
fn safe_next(next: &str) -> String {
    let mut chars = next.chars();
    let local = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && next
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_-.#?=&%+~".contains(c));
    if local {
        next.to_string()
    } else {
        "/".to_string()
    }
}

pub async fn join_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let ctx = base_context(&state, &req, &viewer, "Join the community").await?;
    render(&state, "account/join.html", &ctx)
}

pub async fn join(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    CsrfForm(form): CsrfForm<JoinForm>,
) -> AppResult<HttpResponse> {
    let outcome = async {
        let new = NewMember::parse(
            &form.username,
            &form.email,
            &form.password,
            Some(form.display_name.as_str()),
        )?;
        if state.settings.rate_limits_on() {
            rate_limit::hit(&state.db, rate_limit::REGISTER_PER_IP, &client_ip(&req)).await?;
        }
        accounts::register(&state.db, new, &state.settings.allowed_domains()).await
    }
    .await;
    match outcome {
        Ok(member) => signed_in(&state, member.id, "/").await,
        Err(err) if matches!(err.code().status().as_u16(), 400 | 409) => {
            let mut ctx = base_context(&state, &req, &viewer, "Join the community").await?;
            ctx.insert("errors", &err.fields());
            ctx.insert("error", &err.public_message());
            ctx.insert("form", &serde_json::json!({
                "username": form.username, "email": form.email, "display_name": form.display_name,
            }));
            render_status(&state, "account/join.html", &ctx, err.status_code())
        }
        Err(err) => Err(err),
    }
}

/// Starts a browser session: the session cookie, and a fresh CSRF token bound to it.
async fn signed_in(state: &AppState, member_id: i32, next: &str) -> AppResult<HttpResponse> {
    let token = accounts::create_session(&state.db, member_id, SessionKind::Web).await?;
    let secure = state.settings.secure_cookies();
    let mut res = redirect(next);
    res.add_cookie(&auth::cookie(auth::SESSION_COOKIE, token, secure, 30))
        .map_err(|e| AppError::internal(anyhow::anyhow!("setting a cookie: {e}")))?;
    res.add_cookie(&auth::cookie(
        auth::CSRF_COOKIE,
        accounts::random_token(24),
        secure,
        365,
    ))
    .map_err(|e| AppError::internal(anyhow::anyhow!("setting a cookie: {e}")))?;
    Ok(res)
}

pub async fn signin_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    query: web::Query<NextQuery>,
) -> AppResult<HttpResponse> {
    let mut ctx = base_context(&state, &req, &viewer, "Sign in").await?;
    ctx.insert("next", &safe_next(query.next.as_deref().unwrap_or("/")));
    render(&state, "account/signin.html", &ctx)
}

pub async fn signin(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    CsrfForm(form): CsrfForm<SigninForm>,
) -> AppResult<HttpResponse> {
    let next = safe_next(&form.next);
    match crate::services::accounts::signin(
        &state.db,
        state.settings.rate_limits_on(),
        &crate::routes::client::client_ip(&req),
        &form.login,
        &form.password,
    )
    .await
    {
        Ok(member) => signed_in(&state, member.id, &next).await,
        Err(err) if err.code().status().as_u16() == 401 => {
            let mut ctx = base_context(&state, &req, &viewer, "Sign in").await?;
            ctx.insert("error", &err.public_message());
            ctx.insert("login", &form.login);
            ctx.insert("next", &next);
            render_status(
                &state,
                "account/signin.html",
                &ctx,
                StatusCode::UNAUTHORIZED,
            )
        }
        Err(err) => Err(err),
    }
}

pub async fn signout(
    state: web::Data<AppState>,
    viewer: MaybeMember,
    CsrfForm(_form): CsrfForm<CsrfOnly>,
) -> AppResult<HttpResponse> {
    if let (Some(auth::Via::Cookie), Some(secret)) = (viewer.via, viewer.secret.as_deref()) {
        accounts::revoke(&state.db, secret).await?;
    }
    let mut res = redirect("/");
    res.add_removal_cookie(&auth::removal_cookie(auth::SESSION_COOKIE))
        .map_err(|e| AppError::internal(anyhow::anyhow!("removing a cookie: {e}")))?;
    Ok(res)
}
