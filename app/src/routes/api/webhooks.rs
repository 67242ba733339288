//! Outgoing webhooks (admins): `/api/v1/admin/webhooks`.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::auth::CurrentMember;
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::services::webhooks::{self, CreatedHook, HookChange, HookRequest, HookView, NewHook};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Webhooks {
    /// Oldest first, each with its newest deliveries.
    pub webhooks: Vec<HookView>,
}

#[utoipa::path(post, path = "/api/v1/admin/webhooks", tag = "admin",
    request_body = HookRequest,
    responses((status = 201, description = "The hook, with its secret (shown only now)", body = CreatedHook),
        (status = 400, body = ErrorResponse), (status = 403, description = "admins only", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    me: CurrentMember,
    ApiJson(body): ApiJson<HookRequest>,
) -> AppResult<HttpResponse> {
    let new = NewHook::parse(body)?;
    let hook = webhooks::create(&state.db, &me.actor, new, Utc::now()).await?;
    Ok(HttpResponse::Created().json(hook))
}

#[utoipa::path(get, path = "/api/v1/admin/webhooks", tag = "admin",
    responses((status = 200, body = Webhooks), (status = 403, description = "admins only", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn list(state: web::Data<AppState>, me: CurrentMember) -> AppResult<HttpResponse> {
    let webhooks = webhooks::list(&state.db, &me.actor).await?;
    Ok(HttpResponse::Ok().json(Webhooks { webhooks }))
}

#[utoipa::path(patch, path = "/api/v1/admin/webhooks/{id}", tag = "admin",
    params(("id" = i32, Path)),
    request_body = HookChange,
    responses((status = 200, description = "The hook, turned on or off", body = HookView),
        (status = 400, body = ErrorResponse), (status = 403, description = "admins only", body = ErrorResponse),
        (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn change(
    state: web::Data<AppState>,
    me: CurrentMember,
    id: web::Path<i32>,
    ApiJson(body): ApiJson<HookChange>,
) -> AppResult<HttpResponse> {
    let hook = webhooks::set_active(&state.db, &me.actor, *id, body.active, Utc::now()).await?;
    Ok(HttpResponse::Ok().json(hook))
}

#[utoipa::path(delete, path = "/api/v1/admin/webhooks/{id}", tag = "admin",
    params(("id" = i32, Path)),
    responses((status = 204, description = "The hook and its deliveries are gone"),
        (status = 403, description = "admins only", body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    me: CurrentMember,
    id: web::Path<i32>,
) -> AppResult<HttpResponse> {
    webhooks::delete(&state.db, &me.actor, *id, Utc::now()).await?;
    Ok(HttpResponse::NoContent().finish())
}
