//! Leadership updates: `/updates` lists them (with a form for leaders), an update's
//! page is its thread's (`/updates/{id}` leads there), and the pulse's form. The same
//! service calls as `/api/v1/updates` and its siblings.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use super::render::{base_context, redirect, render, render_status};
use crate::auth::{CsrfForm, CurrentMember, MaybeMember};
use crate::domain::Paging;
use crate::error::{AppError, AppResult, Code};
use crate::services::{rate_limit, updates};
use crate::state::AppState;

csrf_form!(UpdateForm {
    body,
    discussion_id,
    session_id,
    pulse_question,
    pulse_scale,
});

/// The list, with the form (and what was wrong with it, when it came back).
async fn page(
    state: &AppState,
    req: &HttpRequest,
    viewer: &MaybeMember,
    query: &HashMap<String, String>,
    form: Option<(&UpdateForm, &AppError)>,
) -> AppResult<HttpResponse> {
    let paging = Paging::parse(query.get("page").map(String::as_str), None)?;
    let author = query.get("author").map(String::as_str);
    let actor = viewer.actor();
    let (items, total) = updates::list(&state.db, author, paging, actor.as_ref()).await?;
    let mut ctx = base_context(state, req, viewer, "Leadership updates").await?;
    ctx.insert("updates", &items);
    ctx.insert("page", &paging.page);
    ctx.insert("author", &author);
    ctx.insert(
        "has_more",
        &(paging.page.saturating_mul(paging.per_page) < total),
    );
    ctx.insert("body_max", &updates::BODY_MAX);
    match form {
        Some((form, err)) => {
            ctx.insert("errors", &err.fields());
            ctx.insert("error", &err.to_string());
            ctx.insert(
                "form",
                &serde_json::json!({"body": form.body, "discussion_id": form.discussion_id,
                    "session_id": form.session_id, "pulse_question": form.pulse_question,
                    "pulse_scale": form.pulse_scale}),
            );
            render_status(state, "updates/list.html", &ctx, err.status_code())
        }
        None => render(state, "updates/list.html", &ctx),
    }
}

pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    page(&state, &req, &viewer, &query, None).await
}

/// A number from a form field; blank is none.
fn optional_id(raw: &str, field: &str) -> AppResult<Option<i64>> {
    let raw = raw.trim().trim_start_matches('#');
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<i64>()
        .map(Some)
        .map_err(|_| AppError::validation(field, "must be a number"))
}

pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeMember,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<UpdateForm>,
) -> AppResult<HttpResponse> {
    let outcome = async {
        let pulse = Some((form.pulse_question.as_str(), form.pulse_scale.as_str()))
            .filter(|(q, _)| !q.trim().is_empty());
        let new = updates::NewUpdate::parse(
            &form.body,
            optional_id(&form.discussion_id, "discussion_id")?,
            optional_id(&form.session_id, "session_id")?,
            pulse,
        )?;
        rate_limit::posting(&state.db, state.settings.rate_limits_on(), &me.actor).await?;
        updates::create(&state.db, &me.actor, new).await
    }
    .await;
    match outcome {
        Ok(_) => Ok(redirect("/updates")),
        Err(err) if err.code() == Code::ValidationFailed => {
            page(&state, &req, &viewer, &HashMap::new(), Some((&form, &err))).await
        }
        Err(err) => Err(err),
    }
}

/// An update's page is its thread's.
pub async fn show(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let actor = viewer.actor();
    let update = updates::show(&state.db, *id, actor.as_ref()).await?;
    Ok(HttpResponse::build(StatusCode::SEE_OTHER)
        .insert_header((actix_web::http::header::LOCATION, update.url))
        .finish())
}

csrf_form!(PulseForm { answer, back });

/// An answer from the pulse's form, back to where it was given.
pub async fn pulse(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<PulseForm>,
) -> AppResult<HttpResponse> {
    updates::answer(&state.db, *id, &me.actor, &form.answer).await?;
    let update = updates::show(&state.db, *id, Some(&me.actor)).await?;
    // Back to the list when answered there (`back=list`), else to the update's page.
    let to = if form.back == "list" {
        format!("/updates#update-{}", update.id)
    } else {
        format!("{}#pulse", update.url)
    };
    Ok(redirect(&to))
}
