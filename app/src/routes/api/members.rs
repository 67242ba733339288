//! `/api/v1/auth/*`, `/api/v1/me`, `/api/v1/members/{username}`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{CurrentMember, MaybeMember};
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::routes::client::client_ip;
use crate::services::accounts::{self, NewMember, SessionKind};
use crate::services::{badges, rate_limit};
use crate::state::AppState;
use crate::views::{MeView, MemberView};

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

#[utoipa::path(post, path = "/api/v1/auth/register", tag = "members",
    request_body = RegisterRequest,
    responses((status = 201, body = AuthResponse), (status = 400, body = super::doc::ErrorResponse),
        (status = 409, description = "username_taken or email_taken", body = super::doc::ErrorResponse),
        (status = 429, body = super::doc::ErrorResponse)))]
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
    if state.settings.rate_limits_on() {
        rate_limit::hit(&state.db, rate_limit::REGISTER_PER_IP, &client_ip(&req)).await?;
    }
    let member = accounts::register(&state.db, new, &state.settings.allowed_domains()).await?;
    let token = accounts::create_session(&state.db, member.id, SessionKind::Api).await?;
    Ok(HttpResponse::Created().json(AuthResponse {
        member: MeView::new(&member, Vec::new()),
        token,
    }))
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "members",
    request_body = LoginRequest,
    responses((status = 200, body = AuthResponse),
        (status = 401, description = "invalid_credentials for any wrong pair", body = super::doc::ErrorResponse),
        (status = 429, body = super::doc::ErrorResponse)))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    ApiJson(body): ApiJson<LoginRequest>,
) -> AppResult<HttpResponse> {
    let member = accounts::signin(
        &state.db,
        state.settings.rate_limits_on(),
        &client_ip(&req),
        &body.login,
        &body.password,
    )
    .await?;
    let token = accounts::create_session(&state.db, member.id, SessionKind::Api).await?;
    let badges = badges::of_member(&state.db, member.id).await?;
    Ok(HttpResponse::Ok().json(AuthResponse {
        member: MeView::new(&member, badges),
        token,
    }))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "members",
    responses((status = 204, description = "The token stops working"), (status = 401, body = super::doc::ErrorResponse)),
    security(("bearer" = [])))]
pub async fn logout(state: web::Data<AppState>, me: CurrentMember) -> AppResult<HttpResponse> {
    accounts::revoke(&state.db, &me.secret).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(get, path = "/api/v1/me", tag = "members",
    responses((status = 200, body = MeView), (status = 401, body = super::doc::ErrorResponse)),
    security(("bearer" = [])))]
pub async fn me(state: web::Data<AppState>, me: CurrentMember) -> AppResult<HttpResponse> {
    let badges = badges::of_member(&state.db, me.member.id).await?;
    Ok(HttpResponse::Ok().json(MeView::new(&me.member, badges)))
}

#[utoipa::path(get, path = "/api/v1/members/{username}", tag = "members",
    params(("username" = String, Path)),
    responses((status = 200, body = MemberView), (status = 404, body = super::doc::ErrorResponse)))]
pub async fn member(
    state: web::Data<AppState>,
    path: web::Path<String>,
    _viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let member = accounts::find_by_username(&state.db, &path).await?;
    let badges = badges::of_member(&state.db, member.id).await?;
    Ok(HttpResponse::Ok().json(MemberView::new(&member, badges)))
}
