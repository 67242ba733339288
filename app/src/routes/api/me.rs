//! `/api/v1/me` and what a member manages of their own account: password, address,
//! sessions and tokens, their data, leaving.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::auth::CurrentMember;
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::services::sessions::{self, SignInSessions};
use crate::services::{accounts, badges, export};
use crate::state::AppState;
use crate::views::MeView;

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    #[schema(max_length = 1024)]
    pub current_password: String,
    /// At least 10 characters.
    #[schema(min_length = 10, max_length = 1024)]
    pub new_password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct EmailChange {
    /// The new address; it takes effect when the link mailed to it is followed.
    #[schema(
        max_length = 254,
        pattern = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$"
    )]
    pub email: String,
    #[schema(max_length = 1024)]
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct UsernameChange {
    /// 3–30 of `a-z 0-9 _ -`, unique regardless of case.
    #[schema(pattern = r"^[A-Za-z0-9_-]{3,30}$")]
    pub username: String,
}

#[derive(Deserialize, ToSchema)]
pub struct DeleteAccount {
    /// The member's password (ignored for members without one, made by single sign-on).
    #[schema(max_length = 1024)]
    pub password: String,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "members",
    responses((status = 200, body = MeView), (status = 401, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn me(state: web::Data<AppState>, me: CurrentMember) -> AppResult<HttpResponse> {
    let badges = badges::of_member(&state.db, me.member.id).await?;
    Ok(HttpResponse::Ok().json(MeView::new(&me.member, badges)))
}

#[utoipa::path(put, path = "/api/v1/me/password", tag = "members",
    request_body = PasswordChange,
    responses((status = 204, description = "Changed; every other session and token of the member has ended"),
        (status = 400, description = "`validation_failed`: `current_password` is wrong, or `new_password` too short", body = ErrorResponse),
        (status = 503, description = "`busy`", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn change_password(
    state: web::Data<AppState>,
    me: CurrentMember,
    ApiJson(body): ApiJson<PasswordChange>,
) -> AppResult<HttpResponse> {
    accounts::change_password(
        state.accounts(),
        &me.member,
        &me.secret,
        &body.current_password,
        &body.new_password,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(put, path = "/api/v1/me/email", tag = "members",
    request_body = EmailChange,
    responses((status = 202, description = "A link to confirm is mailed to the new address and a notice to the old one; the address changes when the link is followed"),
        (status = 400, description = "`validation_failed`: the password is wrong, the address is the same or outside the allowed domains", body = ErrorResponse),
        (status = 409, description = "`email_taken`", body = ErrorResponse),
        (status = 429, body = ErrorResponse),
        (status = 503, description = "`busy`", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn change_email(
    state: web::Data<AppState>,
    me: CurrentMember,
    ApiJson(body): ApiJson<EmailChange>,
) -> AppResult<HttpResponse> {
    accounts::change_email(state.accounts(), &me.member, &body.email, &body.password).await?;
    Ok(HttpResponse::Accepted().finish())
}

#[utoipa::path(put, path = "/api/v1/me/username", tag = "members",
    request_body = UsernameChange,
    responses((status = 200, description = "Renamed (the profile's address changes with it)", body = MeView),
        (status = 409, description = "`username_taken`", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn change_username(
    state: web::Data<AppState>,
    me: CurrentMember,
    ApiJson(body): ApiJson<UsernameChange>,
) -> AppResult<HttpResponse> {
    let member = accounts::change_username(state.accounts(), &me.member, &body.username).await?;
    Ok(HttpResponse::Ok().json(MeView::new(&member, Vec::new())))
}

#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "members",
    responses((status = 200, description = "Browser sessions and API tokens, newest first; `current` marks this one", body = SignInSessions)),
    security(("bearer" = [])))]
pub async fn sessions(state: web::Data<AppState>, me: CurrentMember) -> AppResult<HttpResponse> {
    let list = sessions::list(&state.db, me.member.id, &me.secret).await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "members",
    params(("id" = i32, Path, minimum = 1)),
    responses((status = 204, description = "That session or token stops working"),
        (status = 409, description = "`current_session`: this is the one in use; sign out instead", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn revoke_session(
    state: web::Data<AppState>,
    me: CurrentMember,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    sessions::end_one(&state.db, &me.actor, path.into_inner(), &me.secret).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(delete, path = "/api/v1/me/sessions", tag = "members",
    responses((status = 204, description = "Signed out everywhere else: every other session and token has ended")),
    security(("bearer" = [])))]
pub async fn revoke_other_sessions(
    state: web::Data<AppState>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    sessions::end_others(&state.db, &me.actor, &me.secret).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(get, path = "/api/v1/me/export", tag = "members",
    responses((status = 200, description = "Everything the forum holds about the member, as one JSON document (no secrets)", body = Object)),
    security(("bearer" = [])))]
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

#[utoipa::path(delete, path = "/api/v1/me", tag = "members",
    request_body = DeleteAccount,
    responses((status = 204, description = "The account is gone: personal data erased, every session ended; posts stay, shown as \"Former member\""),
        (status = 400, description = "`validation_failed`: the password is wrong", body = ErrorResponse),
        (status = 503, description = "`busy`", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    me: CurrentMember,
    ApiJson(body): ApiJson<DeleteAccount>,
) -> AppResult<HttpResponse> {
    accounts::delete(state.accounts(), &me.member, &body.password).await?;
    Ok(HttpResponse::NoContent().finish())
}
