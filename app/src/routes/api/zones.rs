//! Zones: the list, and creating one (admins).

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::auth::CurrentMember;
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::services::zones::{self, NewZone};
use crate::state::AppState;
use crate::views::ZoneView;

#[derive(Serialize, ToSchema)]
pub struct ZoneList {
    pub zones: Vec<ZoneView>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewZoneRequest {
    /// 2–40 of `a-z 0-9 -`.
    #[schema(
        min_length = 2,
        max_length = 40,
        pattern = r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"
    )]
    pub slug: String,
    #[schema(
        min_length = 2,
        max_length = 80,
        pattern = r"^[^\s\x00-\x1f\x7f-\x9f](?:[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f])?$"
    )]
    pub name: String,
    #[serde(default)]
    #[schema(
        max_length = 500,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub description: String,
}

#[utoipa::path(get, path = "/api/v1/zones", tag = "zones", responses((status = 200, body = ZoneList)))]
pub async fn list(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(ZoneList {
        zones: zones::list(&state.db).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/zones", tag = "zones", request_body = NewZoneRequest,
    responses((status = 201, body = ZoneView), (status = 400, body = ErrorResponse),
        (status = 403, description = "admins only", body = ErrorResponse), (status = 409, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    me: CurrentMember,
    ApiJson(body): ApiJson<NewZoneRequest>,
) -> AppResult<HttpResponse> {
    let new = NewZone::parse(&body.slug, &body.name, &body.description)?;
    let zone = zones::create(&state.db, &me.actor, new).await?;
    state.threads.forget_nav();
    Ok(HttpResponse::Created().json(zone))
}
