//! `/account`: what a member manages of their own account (twin of `api/me.rs`):
//! address, password, sessions, their data, leaving.

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use super::render::{CsrfOnly, base_context, redirect, render, render_status};
use crate::auth::{self, CsrfForm, CurrentMember, MaybeMember};
use crate::error::{AppError, AppResult, Code};
use crate::services::{accounts, export, sessions};
use crate::state::AppState;
use crate::views::MeView;

csrf_form!(PasswordForm {
    current_password,
    new_password
});
csrf_form!(EmailForm { email, password });
csrf_form!(DeleteForm { password });
csrf_form!(UsernameForm { username });

#[derive(serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The account page, with `done` (what just happened) or an error from a form.
async fn page(
    state: &AppState,
    req: &HttpRequest,
    viewer: &MaybeMember,
    me: &CurrentMember,
    done: Option<&str>,
    err: Option<&AppError>,
) -> AppResult<HttpResponse> {
    let mut ctx = base_context(state, req, viewer, "Your account").await?;
    ctx.insert("account", &MeView::new(&me.member, Vec::new()));
    let list = sessions::list(&state.db, me.member.id, &me.secret).await?;
    ctx.insert("sessions", &list.sessions);
    ctx.insert(
        "sso_name",
        &state
            .settings
            .oidc()
            .map(|o| o.name)
            .unwrap_or_else(|| "single sign-on".into()),
    );
    let done = match done {
        Some("password") => Some("Your password is changed; your other devices are signed out."),
        Some("email") => Some(
            "We sent a link to your new address; the change happens when you follow it. Your current address was told.",
        ),
        Some("sessions") => Some("Signed out."),
        Some("username") => Some("Your username is changed."),
        _ => None,
    };
    ctx.insert("done", &done);
    match err {
        Some(err) => {
            ctx.insert("errors", &err.fields());
            ctx.insert("error", &err.public_message());
            render_status(state, "account/security.html", &ctx, err.status_code())
        }
        None => render(state, "account/security.html", &ctx),
    }
}

/// Form mistakes are shown on the account page; anything else is the error page.
async fn on_page(
    state: &AppState,
    req: &HttpRequest,
    viewer: &MaybeMember,
    me: &CurrentMember,
    err: AppError,
) -> AppResult<HttpResponse> {
    if shown_on_page(&err) {
        page(state, req, viewer, me, None, Some(&err)).await
    } else {
        Err(err)
    }
}

fn shown_on_page(err: &AppError) -> bool {
    matches!(
        err.code(),
        Code::ValidationFailed
            | Code::EmailTaken
            | Code::UsernameTaken
            | Code::EmailDomainNotAllowed
            | Code::RateLimited
    )
}

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    me: CurrentMember,
    query: web::Query<DoneQuery>,
) -> AppResult<HttpResponse> {
    page(&state, &req, &viewer, &me, query.done.as_deref(), None).await
}

pub async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> AppResult<HttpResponse> {
    match accounts::change_password(
        state.accounts(),
        &me.member,
        &me.secret,
        &form.current_password,
        &form.new_password,
    )
    .await
    {
        Ok(()) => Ok(redirect("/account?done=password")),
        Err(err) => on_page(&state, &req, &viewer, &me, err).await,
    }
}

pub async fn change_email(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> AppResult<HttpResponse> {
    match accounts::change_email(state.accounts(), &me.member, &form.email, &form.password).await {
        Ok(()) => Ok(redirect("/account?done=email")),
        Err(err) => on_page(&state, &req, &viewer, &me, err).await,
    }
}

pub async fn change_username(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<UsernameForm>,
) -> AppResult<HttpResponse> {
    match accounts::change_username(state.accounts(), &me.member, &form.username).await {
        Ok(_) => Ok(redirect("/account?done=username")),
        Err(err) => on_page(&state, &req, &viewer, &me, err).await,
    }
}

pub async fn revoke_session(
    state: web::Data<AppState>,
    me: CurrentMember,
    path: web::Path<String>,
    CsrfForm(_form): CsrfForm<CsrfOnly>,
) -> AppResult<HttpResponse> {
    let id: i32 = path.parse().map_err(|_| AppError::not_found("Session"))?;
    sessions::end_one(&state.db, &me.actor, id, &me.secret).await?;
    Ok(redirect("/account?done=sessions"))
}

pub async fn revoke_other_sessions(
    state: web::Data<AppState>,
    me: CurrentMember,
    CsrfForm(_form): CsrfForm<CsrfOnly>,
) -> AppResult<HttpResponse> {
    sessions::end_others(&state.db, &me.actor, &me.secret).await?;
    Ok(redirect("/account?done=sessions"))
}

pub async fn export(state: web::Data<AppState>, me: CurrentMember) -> AppResult<HttpResponse> {
    let data = export::export(&state.db, &me.member).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            "Content-Disposition",
            format!(
                "attachment; filename=\"quorum-{}.json\"",
                me.member.username
            ),
        ))
        .json(data))
}

pub async fn delete(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<DeleteForm>,
) -> AppResult<HttpResponse> {
    match accounts::delete(state.accounts(), &me.member, &form.password).await {
        Ok(()) => {
            let mut res = redirect("/?left=1");
            auth::remove_session_cookie(&mut res, &state.settings)?;
            Ok(res)
        }
        Err(err) => on_page(&state, &req, &viewer, &me, err).await,
    }
}
