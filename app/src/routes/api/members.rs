//! `/api/v1/members/{username}`: a member's public profile, and their role (admins).

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::auth::{CurrentMember, MaybeMember};
use crate::domain::Role;
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::services::{accounts, badges};
use crate::state::AppState;
use crate::views::MemberView;

#[derive(Deserialize, ToSchema)]
pub struct RoleChange {
    #[schema(pattern = "^(member|leader|moderator|admin)$")]
    pub role: String,
}

#[utoipa::path(get, path = "/api/v1/members/{username}", tag = "members",
    params(("username" = String, Path)),
    responses((status = 200, body = MemberView), (status = 404, body = ErrorResponse)))]
pub async fn member(
    state: web::Data<AppState>,
    path: web::Path<String>,
    _viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let member = accounts::find_by_username(&state.db, &path).await?;
    let badges = badges::of_member(&state.db, member.id).await?;
    Ok(HttpResponse::Ok().json(MemberView::new(&member, badges)))
}

#[utoipa::path(put, path = "/api/v1/members/{username}/role", tag = "members",
    params(("username" = String, Path)),
    request_body = RoleChange,
    responses((status = 200, description = "The member with their new role; the change is in the audit log", body = MemberView),
        (status = 403, description = "`forbidden` (not an admin) or `own_role`", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn set_role(
    state: web::Data<AppState>,
    me: CurrentMember,
    path: web::Path<String>,
    ApiJson(body): ApiJson<RoleChange>,
) -> AppResult<HttpResponse> {
    let role = Role::parse(&body.role)?;
    let member = accounts::set_role(&state.db, Some(&me.actor), &path, role).await?;
    let badges = badges::of_member(&state.db, member.id).await?;
    Ok(HttpResponse::Ok().json(MemberView::new(&member, badges)))
}
