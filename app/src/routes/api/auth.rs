//! `/api/v1/auth/*`: registration, sign-in and -out, confirming an address, resetting a
//! forgotten password.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::auth::CurrentMember;
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::routes::client::origin;
use crate::services::accounts::{self, NewMember};
use crate::services::sessions::{self, SessionKind};
use crate::state::AppState;
use crate::views::MeView;

#[derive(Deserialize, ToSchema)]
pub struct RegisterRequest {
    /// 3–30 of `a-z 0-9 _ -`, unique regardless of case.
    #[schema(pattern = r"^[A-Za-z0-9_-]{3,30}$")]
    pub username: String,
    #[schema(
        max_length = 254,
        pattern = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$"
    )]
    pub email: String,
    /// At least 10 characters.
    #[schema(min_length = 10, max_length = 1024)]
    pub password: String,
    #[schema(
        max_length = 60,
        pattern = r"^(?:[^\s\x00-\x1f\x7f-\x9f](?:[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f])?)?$"
    )]
    pub display_name: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Username or e-mail.
    pub login: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct AuthResponse {
    pub member: MeView,
    /// Send as `Authorization: Bearer TOKEN`.
    pub token: String,
}

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    /// The `token` parameter of the link in the mail.
    #[schema(max_length = 200)]
    pub token: String,
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordResetRequest {
    #[schema(max_length = 254)]
    pub email: String,
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordResetConfirm {
    /// The `token` parameter of the link in the mail.
    #[schema(max_length = 200)]
    pub token: String,
    /// The new password: at least 10 characters.
    #[schema(min_length = 10, max_length = 1024)]
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/auth/register", tag = "members",
    request_body = RegisterRequest,
    responses((status = 201, description = "The member (with `email_verified: false` unless `QUORUM_EMAIL_VERIFICATION=off`; a link to confirm the address is mailed) and a token", body = AuthResponse),
        (status = 400, body = ErrorResponse),
        (status = 403, description = "`password_login_off`: single sign-on only", body = ErrorResponse),
        (status = 409, description = "username_taken or email_taken", body = ErrorResponse),
        (status = 429, body = ErrorResponse),
        (status = 503, description = "`busy`: too many passwords are being hashed; `Retry-After`", body = ErrorResponse)))]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    ApiJson(body): ApiJson<RegisterRequest>,
) -> AppResult<HttpResponse> {
    let new = NewMember::parse(
        &body.username,
        &body.email,
        &body.password,
        body.display_name.as_deref(),
    )?;
    let done = accounts::register(state.accounts(), new, &origin(&req), SessionKind::Api).await?;
    Ok(HttpResponse::Created().json(AuthResponse {
        member: MeView::new(&done.member, done.badges),
        token: done.token,
    }))
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "members",
    request_body = LoginRequest,
    responses((status = 200, body = AuthResponse),
        (status = 401, description = "invalid_credentials for any wrong pair", body = ErrorResponse),
        (status = 403, description = "`password_login_off`: single sign-on only", body = ErrorResponse),
        (status = 429, description = "Too many sign-ins from this address (IPv6: its /64). Repeated tries for one member are not refused but answered more and more slowly", body = ErrorResponse),
        (status = 503, description = "`busy`: too many sign-ins are being checked; `Retry-After`", body = ErrorResponse)))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    ApiJson(body): ApiJson<LoginRequest>,
) -> AppResult<HttpResponse> {
    let done = accounts::signin(
        state.accounts(),
        &origin(&req),
        &body.login,
        &body.password,
        SessionKind::Api,
    )
    .await?;
    Ok(HttpResponse::Ok().json(AuthResponse {
        member: MeView::new(&done.member, done.badges),
        token: done.token,
    }))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "members",
    responses((status = 204, description = "The token stops working"), (status = 401, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn logout(state: web::Data<AppState>, me: CurrentMember) -> AppResult<HttpResponse> {
    sessions::revoke(&state.db, &me.secret).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/v1/auth/verify", tag = "members",
    request_body = TokenRequest,
    responses((status = 200, description = "The address is confirmed (or, for an address change, is now the member's)", body = MeView),
        (status = 400, description = "`invalid_token`: unknown, expired (24 h) or used; `validation_failed` when the address is outside the allowed domains", body = ErrorResponse),
        (status = 409, description = "`email_taken`: another member took the new address meanwhile", body = ErrorResponse)))]
pub async fn verify(
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<TokenRequest>,
) -> AppResult<HttpResponse> {
    let member = accounts::verify_email(state.accounts(), &body.token).await?;
    Ok(HttpResponse::Ok().json(MeView::new(&member, Vec::new())))
}

#[utoipa::path(post, path = "/api/v1/auth/verify/resend", tag = "members",
    responses((status = 204, description = "A new link is on its way (nothing is sent when the address is confirmed already)"),
        (status = 429, description = "Three a hour at most", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn verify_resend(
    state: web::Data<AppState>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    accounts::resend_verification(state.accounts(), &me.member).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "members",
    request_body = PasswordResetRequest,
    responses((status = 202, description = "Whatever the address: when it belongs to a member, a link (valid 1 h, once) is mailed to it"),
        (status = 429, body = ErrorResponse)))]
pub async fn password_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    ApiJson(body): ApiJson<PasswordResetRequest>,
) -> AppResult<HttpResponse> {
    accounts::request_password_reset(state.accounts(), &origin(&req), &body.email).await?;
    Ok(HttpResponse::Accepted().finish())
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "members",
    request_body = PasswordResetConfirm,
    responses((status = 204, description = "The password is changed; every session and token of the member has ended"),
        (status = 400, description = "`invalid_token`, or `validation_failed` for the password", body = ErrorResponse),
        (status = 503, description = "`busy`", body = ErrorResponse)))]
pub async fn password_reset_confirm(
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<PasswordResetConfirm>,
) -> AppResult<HttpResponse> {
    accounts::reset_password(state.accounts(), &body.token, &body.password).await?;
    Ok(HttpResponse::NoContent().finish())
}
