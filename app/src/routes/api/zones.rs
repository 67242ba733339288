//! `/api/v1/zones` and a zone's discussions.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{CurrentMember, MaybeMember};
use crate::domain::{Paging, SortOrder};
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;
use crate::routes::api::ErrorResponse;
use crate::services::discussions::{self, NewDiscussion};
use crate::services::rate_limit;
use crate::services::zones::{self, NewZone};
use crate::state::AppState;
use crate::views::{DiscussionView, ZoneView};

#[derive(Serialize, ToSchema)]
pub struct ZoneList {
    pub zones: Vec<ZoneView>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewZoneRequest {
    /// 2–40 of `a-z 0-9 -`.
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Serialize, ToSchema)]
pub struct DiscussionPage {
    pub discussions: Vec<DiscussionView>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

#[derive(Deserialize, ToSchema)]
pub struct NewDiscussionRequest {
    /// 3–200 characters.
    pub title: String,
    /// Markdown, up to 50,000 characters.
    pub body: String,
    /// A poll to start the discussion with.
    pub poll: Option<crate::routes::api::polls::NewPollRequest>,
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
    if me.actor.role != crate::domain::Role::Admin {
        return Err(AppError::forbidden("Only admins may create zones"));
    }
    let new = NewZone::parse(&body.slug, &body.name, &body.description)?;
    Ok(HttpResponse::Created().json(zones::create(&state.db, new).await?))
}

#[utoipa::path(get, path = "/api/v1/zones/{slug}/discussions", tag = "discussions",
    params(("slug" = String, Path), ("sort" = Option<String>, Query, description = "latest, top or active"),
        ("page" = Option<u64>, Query), ("per_page" = Option<u64>, Query, description = "1–100, default 20")),
    responses((status = 200, body = DiscussionPage), (status = 400, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn discussions(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let sort = SortOrder::parse(query.get("sort").map(String::as_str))?;
    let paging = Paging::parse(
        query.get("page").map(String::as_str),
        query.get("per_page").map(String::as_str),
    )?;
    let actor = viewer.actor();
    let (items, total) = discussions::list(&state.db, &path, sort, paging, actor.as_ref()).await?;
    Ok(HttpResponse::Ok().json(DiscussionPage {
        discussions: items,
        page: paging.page,
        per_page: paging.per_page,
        total,
    }))
}

#[utoipa::path(post, path = "/api/v1/zones/{slug}/discussions", tag = "discussions",
    params(("slug" = String, Path)), request_body = NewDiscussionRequest,
    responses((status = 201, body = DiscussionView), (status = 400, body = ErrorResponse),
        (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 429, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn start_discussion(
    state: web::Data<AppState>,
    path: web::Path<String>,
    me: CurrentMember,
    ApiJson(body): ApiJson<NewDiscussionRequest>,
) -> AppResult<HttpResponse> {
    let mut new = NewDiscussion::parse(&body.title, &body.body)?;
    if let Some(poll) = &body.poll {
        new.poll = Some(poll.parse()?);
    }
    limit_posting(&state, &me).await?;
    let view = discussions::create(&state.db, &path, &me.actor, new).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Posting (discussions and comments) is limited per member.
pub async fn limit_posting(state: &AppState, me: &CurrentMember) -> AppResult<()> {
    if state.settings.rate_limits_on() && !me.actor.role.can_moderate() {
        rate_limit::hit(
            &state.db,
            rate_limit::POSTS_PER_MEMBER,
            &me.actor.id.to_string(),
        )
        .await?;
    }
    Ok(())
}
