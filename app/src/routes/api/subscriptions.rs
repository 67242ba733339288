//! A member's subscription to a discussion ("E-mail me when people leave comments").

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::auth::CurrentMember;
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::services::{items, subscriptions};
use crate::state::AppState;

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Subscription {
    /// "E-mail me when people leave comments".
    pub email: bool,
}

#[utoipa::path(get, path = "/api/v1/discussions/{id}/subscription", tag = "notifications", params(("id" = i32, Path)),
    responses((status = 200, body = Subscription), (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn show(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    items::discussion(&state.db, *id).await?;
    let email = subscriptions::get(&state.db, me.actor.id, *id).await?;
    Ok(HttpResponse::Ok().json(Subscription { email }))
}

#[utoipa::path(put, path = "/api/v1/discussions/{id}/subscription", tag = "notifications", params(("id" = i32, Path)),
    request_body = Subscription,
    responses((status = 200, body = Subscription), (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<Subscription>,
) -> AppResult<HttpResponse> {
    items::discussion(&state.db, *id).await?;
    let email = subscriptions::set(&state.db, me.actor.id, *id, body.email).await?;
    Ok(HttpResponse::Ok().json(Subscription { email }))
}
