//! Member profiles and their generated avatars.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{base_context, render};
use crate::auth::MaybeMember;
use crate::error::AppResult;
use crate::services::{accounts, badges, discussions};
use crate::state::AppState;
use crate::views::MemberView;

pub async fn profile(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let member = accounts::find_by_username(&state.db, &path).await?;
    let started = discussions::by_author(&state.db, member.id, 20).await?;
    let mut ctx = base_context(&state, &req, &viewer, &member.display_name).await?;
    let badges = badges::of_member(&state.db, member.id).await?;
    ctx.insert("member", &MemberView::new(&member, badges));
    ctx.insert("started", &started);
    render(&state, "members/profile.html", &ctx)
}

/// A generated avatar: the member's initials on a colour picked from their username.
pub async fn avatar(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let member = accounts::find_by_username(&state.db, &path).await?;
    let initials: String = member
        .display_name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    let hue = member
        .username
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 360;
    let mut ctx = tera::Context::new();
    ctx.insert("initials", &initials);
    ctx.insert("hue", &hue);
    let svg = state.templates.render("avatar.svg", &ctx)?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(svg))
}
