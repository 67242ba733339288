//! Member profiles and their generated avatars.

use actix_web::{HttpRequest, HttpResponse, web};

use super::render::{base_context, render};
use crate::auth::MaybeMember;
use crate::error::AppResult;
use crate::services::{accounts, badges, discussions, leaderboard, ledger};
use crate::state::AppState;
use crate::views::MemberView;

pub async fn profile(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let member = accounts::find_by_username(&state.db, &path).await?;
    let started = discussions::by_author(&state.db, member.id, false, 20).await?;
    let mut ctx = base_context(&state, &req, &viewer, &member.display_name).await?;
    let badges = badges::of_member(&state.db, member.id).await?;
    ctx.insert("member", &MemberView::new(&member, badges));
    let me = viewer.member.as_ref().map(|m| m.id);
    let mut events = ledger::visible_events(&state.db, member.id, me, Some(1000)).await?;
    events.reverse();
    ctx.insert("chart", &chart(&events));
    let recent: Vec<serde_json::Value> = events
        .iter()
        .rev()
        .take(20)
        .map(|e| {
            serde_json::json!({
                "kind": e.kind.replace('_', " "), "points": e.points, "created_at": e.created_at,
                "url": e.discussion_id.map(|d| match e.comment_id {
                    Some(c) => format!("/discussions/{d}#comment-{c}"),
                    None => format!("/discussions/{d}"),
                }),
            })
        })
        .collect();
    ctx.insert("events", &recent);
    ctx.insert(
        "strengths",
        &leaderboard::strengths(&state.db, member.id).await?,
    );
    ctx.insert(
        "top",
        &discussions::by_author(&state.db, member.id, true, 5).await?,
    );
    ctx.insert("started", &started);
    let adopted: Vec<serde_json::Value> = crate::services::ideas::adopted_of(&state.db, member.id)
        .await?
        .into_iter()
        .map(|d| {
            serde_json::json!({
                "title": d.title,
                "url": crate::views::discussion_path(d.id, &d.title),
                "since": d.idea_since,
            })
        })
        .collect();
    ctx.insert("adopted", &adopted);
    let actor = viewer.actor();
    // Moderators see (and change) a member's suspension; so does the member.
    let sees_suspension = actor
        .as_ref()
        .is_some_and(|a| a.role.can_moderate() || a.id == member.id);
    if sees_suspension {
        let now = chrono::Utc::now();
        ctx.insert(
            "suspension",
            &crate::services::suspensions::active(&member, now).map(|(_, s)| s),
        );
    }
    let can_suspend = actor.as_ref().is_some_and(|a| {
        let target = crate::domain::Role::from_db(&member.role);
        a.role.can_moderate()
            && a.id != member.id
            && (!target.can_moderate() || a.role == crate::domain::Role::Admin)
    });
    ctx.insert("can_suspend", &can_suspend);
    let follow = crate::services::follows::state(
        &state.db,
        actor.as_ref(),
        crate::services::follows::Followed::Member(member.id),
    )
    .await?;
    ctx.insert("follow", &follow);
    // Nobody follows themselves.
    if actor.as_ref().is_some_and(|a| a.id != member.id) {
        ctx.insert(
            "follow_action",
            &format!("/members/{}/follow", member.username),
        );
    }
    render(&state, "members/profile.html", &ctx)
}

/// Points for a small line chart of reputation over time (600×120, oldest left).
fn chart(events: &[entity::reputation_event::Model]) -> Option<serde_json::Value> {
    if events.len() < 2 {
        return None;
    }
    let mut sum: i64 = 0;
    let series: Vec<i64> = events
        .iter()
        .map(|e| {
            sum += i64::from(e.points);
            i64::from(ledger::reputation_from_sum(sum))
        })
        .collect();
    let max = series.iter().copied().max().unwrap_or(1).max(1) as f64;
    let n = (series.len() - 1) as f64;
    let points: Vec<String> = series
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                10.0 + 580.0 * i as f64 / n,
                110.0 - 100.0 * *v as f64 / max
            )
        })
        .collect();
    Some(
        serde_json::json!({ "points": points.join(" "), "max": max as i64, "from": events.first().map(|e| e.created_at), "to": events.last().map(|e| e.created_at) }),
    )
}

csrf_form!(RoleForm { role });

/// An admin gives a member a role from their profile page.
pub async fn set_role(
    state: web::Data<AppState>,
    me: crate::auth::CurrentMember,
    path: web::Path<String>,
    crate::auth::CsrfForm(form): crate::auth::CsrfForm<RoleForm>,
) -> AppResult<HttpResponse> {
    let role = crate::domain::Role::parse(&form.role)?;
    let member = accounts::set_role(&state.db, Some(&me.actor), &path, role).await?;
    Ok(super::render::redirect(&format!(
        "/members/{}",
        member.username
    )))
}
