//! Follow buttons (plain forms) and the Following feed page.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};

use super::render::on_off;
use super::render::{base_context, redirect, render};
use crate::auth::{CsrfForm, CurrentMember, MaybeMember};
use crate::domain::Paging;
use crate::error::AppResult;
use crate::services::follows::{self, Followed};
use crate::services::{accounts, zones};
use crate::state::AppState;

// `state`: `on` to follow, `off` to stop.
csrf_form!(FollowForm { state });

pub async fn member(
    state: web::Data<AppState>,
    username: web::Path<String>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<FollowForm>,
) -> AppResult<HttpResponse> {
    let on = on_off(&form.state)?;
    let target = accounts::find_by_username(&state.db, &username).await?;
    follows::set(&state.db, &me.actor, Followed::Member(target.id), on).await?;
    Ok(redirect(&format!("/members/{}", target.username)))
}

pub async fn zone(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<FollowForm>,
) -> AppResult<HttpResponse> {
    let on = on_off(&form.state)?;
    let zone = zones::find(&state.db, &slug).await?;
    follows::set(&state.db, &me.actor, Followed::Zone(zone.id), on).await?;
    Ok(redirect(&format!("/zones/{}", zone.slug)))
}

pub async fn feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<HashMap<String, String>>,
    viewer: MaybeMember,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    let paging = Paging::parse(query.get("page").map(String::as_str), None)?;
    let (items, total) = follows::feed(&state.db, &me.actor, paging).await?;
    let mut ctx = base_context(&state, &req, &viewer, "Following").await?;
    ctx.insert("discussions", &items);
    ctx.insert(
        "following",
        &follows::following(&state.db, &me.actor).await?,
    );
    ctx.insert("page", &paging.page);
    ctx.insert("pages", &total.div_ceil(paging.per_page).max(1));
    render(&state, "following.html", &ctx)
}
