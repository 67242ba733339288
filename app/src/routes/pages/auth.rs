//! Join, sign in, sign out.

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde::Deserialize;

use super::render::{CsrfOnly, base_context, redirect, render, render_status};
use crate::auth::{self, CsrfForm, HasCsrf, MaybeMember};
use crate::error::{AppError, AppResult};
use crate::routes::client::origin;
use crate::services::accounts::{self, NewMember};
use crate::services::sessions::{self, SessionKind};
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
    if !state.settings.password_login_on() {
        return Ok(redirect("/signin"));
    }
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
        accounts::register(state.accounts(), new, &origin(&req), SessionKind::Web).await
    }
    .await;
    match outcome {
        Ok(done) => signed_in(&state, done.token, "/"),
        Err(err) if matches!(err.code().status().as_u16(), 400 | 403 | 409) => {
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

/// Hands a new browser session to the browser: the session cookie, and a fresh CSRF
/// cookie (forms are now bound to the session).
pub(super) fn signed_in(state: &AppState, token: String, next: &str) -> AppResult<HttpResponse> {
    let secure = state.settings.secure_cookies();
    let mut res = redirect(next);
    res.add_cookie(&auth::cookie(
        auth::session_cookie_name(secure),
        token,
        secure,
        sessions::SESSION_DAYS,
    ))
    .map_err(|e| AppError::internal(anyhow::anyhow!("setting a cookie: {e}")))?;
    res.add_cookie(&auth::cookie(
        auth::csrf_cookie_name(secure),
        crate::keys::random_token(24),
        secure,
        365,
    ))
    .map_err(|e| AppError::internal(anyhow::anyhow!("setting a cookie: {e}")))?;
    Ok(res)
}

/// Which ways in the sign-in page offers: single sign-on, passwords, or both.
fn ways_in(state: &AppState, ctx: &mut tera::Context) {
    ctx.insert("sso_name", &state.settings.oidc().map(|o| o.name));
    ctx.insert("password_login", &state.settings.password_login_on());
}

pub async fn signin_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    query: web::Query<NextQuery>,
) -> AppResult<HttpResponse> {
    let mut ctx = base_context(&state, &req, &viewer, "Sign in").await?;
    ctx.insert("next", &safe_next(query.next.as_deref().unwrap_or("/")));
    ways_in(&state, &mut ctx);
    render(&state, "account/signin.html", &ctx)
}

pub async fn signin(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    CsrfForm(form): CsrfForm<SigninForm>,
) -> AppResult<HttpResponse> {
    let next = safe_next(&form.next);
    match accounts::signin(
        state.accounts(),
        &origin(&req),
        &form.login,
        &form.password,
        SessionKind::Web,
    )
    .await
    {
        Ok(done) => signed_in(&state, done.token, &next),
        Err(err) if matches!(err.code().status().as_u16(), 401 | 403) => {
            let mut ctx = base_context(&state, &req, &viewer, "Sign in").await?;
            ctx.insert("error", &err.public_message());
            ctx.insert("login", &form.login);
            ctx.insert("next", &next);
            ways_in(&state, &mut ctx);
            render_status(&state, "account/signin.html", &ctx, err.status_code())
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
        sessions::revoke(&state.db, secret).await?;
    }
    let mut res = redirect("/");
    auth::remove_session_cookie(&mut res, &state.settings)?;
    Ok(res)
}

/// A page that says what happened, with a way on.
fn notice(
    state: &AppState,
    mut ctx: tera::Context,
    heading: &str,
    message: &str,
    link: Option<(&str, &str)>,
) -> AppResult<HttpResponse> {
    ctx.insert("page_title", heading);
    ctx.insert("heading", heading);
    ctx.insert("message", message);
    ctx.insert("link", &link.map(|(href, _)| href));
    ctx.insert("link_label", &link.map(|(_, label)| label));
    render(state, "account/notice.html", &ctx)
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

csrf_form!(TokenForm { token });
csrf_form!(EmailForm { email });
csrf_form!(ResetForm { token, password });

/// The mailed link opens this page; its button confirms (so a mail scanner that
/// fetches links does not use it up on its own).
pub async fn verify_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    query: web::Query<TokenQuery>,
) -> AppResult<HttpResponse> {
    let mut ctx = base_context(&state, &req, &viewer, "Confirm your e-mail address").await?;
    ctx.insert("token", &query.token);
    render(&state, "account/verify.html", &ctx)
}

pub async fn verify(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> AppResult<HttpResponse> {
    let member = accounts::verify_email(state.accounts(), &form.token).await?;
    // The banner reads the member as they were when the request came in.
    let mut viewer = viewer;
    if viewer.member.as_ref().is_some_and(|m| m.id == member.id) {
        viewer.member = Some(member.clone());
    }
    let ctx = base_context(&state, &req, &viewer, "Address confirmed").await?;
    notice(
        &state,
        ctx,
        "Address confirmed",
        &format!("{} is confirmed: welcome aboard.", member.email),
        Some(("/", "Go to the discussions")),
    )
}

pub async fn resend(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: crate::auth::CurrentMember,
    viewer: MaybeMember,
    CsrfForm(_form): CsrfForm<CsrfOnly>,
) -> AppResult<HttpResponse> {
    accounts::resend_verification(state.accounts(), &me.member).await?;
    let ctx = base_context(&state, &req, &viewer, "Link sent").await?;
    notice(
        &state,
        ctx,
        "Link sent",
        &format!(
            "A new confirmation link is on its way to {}. It works once, for 24 hours.",
            me.member.email
        ),
        Some(("/account", "Your account")),
    )
}

pub async fn forgot_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let ctx = base_context(&state, &req, &viewer, "Forgot your password?").await?;
    render(&state, "account/forgot.html", &ctx)
}

pub async fn forgot(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> AppResult<HttpResponse> {
    accounts::request_password_reset(state.accounts(), &origin(&req), &form.email).await?;
    let ctx = base_context(&state, &req, &viewer, "Check your inbox").await?;
    notice(
        &state,
        ctx,
        "Check your inbox",
        "If that address belongs to a member, a link to choose a new password is on its way. It works once, for one hour.",
        Some(("/signin", "Back to sign in")),
    )
}

pub async fn reset_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    query: web::Query<TokenQuery>,
) -> AppResult<HttpResponse> {
    let mut ctx = base_context(&state, &req, &viewer, "Choose a new password").await?;
    ctx.insert("token", &query.token);
    render(&state, "account/reset.html", &ctx)
}

pub async fn reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> AppResult<HttpResponse> {
    match accounts::reset_password(state.accounts(), &form.token, &form.password).await {
        Ok(()) => {
            // Every session ended, this browser's too.
            let mut viewer = viewer;
            viewer.member = None;
            let ctx = base_context(&state, &req, &viewer, "Password changed").await?;
            notice(
                &state,
                ctx,
                "Password changed",
                "Your new password is set, and every device that was signed in has been signed out.",
                Some(("/signin", "Sign in")),
            )
        }
        Err(err) if err.code() == crate::error::Code::ValidationFailed => {
            let mut ctx = base_context(&state, &req, &viewer, "Choose a new password").await?;
            ctx.insert("token", &form.token);
            ctx.insert("errors", &err.fields());
            ctx.insert("error", &err.public_message());
            render_status(&state, "account/reset.html", &ctx, err.status_code())
        }
        Err(err) => Err(err),
    }
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    /// Set by the provider when the person cancelled or it refused.
    error: Option<String>,
}

/// "Sign in with …": off to the provider, with the flow in a signed cookie.
pub async fn sso_start(
    state: web::Data<AppState>,
    query: web::Query<NextQuery>,
) -> AppResult<HttpResponse> {
    let next = safe_next(query.next.as_deref().unwrap_or("/"));
    let (url, flow) = crate::services::sso::begin(state.accounts(), &next).await?;
    let secure = state.settings.secure_cookies();
    let mut res = redirect(&url);
    let mut cookie = auth::cookie(crate::services::sso::FLOW_COOKIE, flow, secure, 1);
    cookie.set_max_age(actix_web::cookie::time::Duration::minutes(10));
    res.add_cookie(&cookie)
        .map_err(|e| AppError::internal(anyhow::anyhow!("setting a cookie: {e}")))?;
    Ok(res)
}

/// The provider sends the browser back here with a code.
pub async fn sso_callback(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<CallbackQuery>,
) -> AppResult<HttpResponse> {
    if let Some(error) = &query.error {
        let error: String = error
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(60)
            .collect();
        return Err(AppError::coded(
            crate::error::Code::SsoFailed,
            format!("The sign-in provider did not sign you in ({error})"),
        ));
    }
    let cookie = req.cookie(crate::services::sso::FLOW_COOKIE);
    let done = crate::services::sso::finish(
        state.accounts(),
        cookie.as_ref().map(|c| c.value()),
        &query.code,
        &query.state,
        &origin(&req),
    )
    .await?;
    let mut res = signed_in(&state, done.signed_in.token, &done.next)?;
    let secure = state.settings.secure_cookies();
    res.add_removal_cookie(&auth::removal_cookie(
        crate::services::sso::FLOW_COOKIE,
        secure,
    ))
    .map_err(|e| AppError::internal(anyhow::anyhow!("removing a cookie: {e}")))?;
    Ok(res)
}
