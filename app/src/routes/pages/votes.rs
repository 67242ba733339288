//! Vote forms on discussions and comments.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use super::render::redirect;
use crate::auth::{CsrfForm, CurrentMember, HasCsrf};
use crate::domain::Post;
use crate::error::AppResult;
use crate::services::items;
use crate::services::votes::{self, VoteValue};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct VoteForm {
    #[serde(default)]
    csrf_token: String,
    value: i64,
}

impl HasCsrf for VoteForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// Where to go back to after acting on an item.
async fn vote(
    state: &AppState,
    me: &CurrentMember,
    target: Post,
    value: i64,
) -> AppResult<HttpResponse> {
    votes::vote(
        &state.db,
        &me.actor,
        target,
        VoteValue::parse(value)?,
        Utc::now(),
    )
    .await?;
    Ok(redirect(&items::url(&state.db, target).await?))
}

pub async fn vote_discussion(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<VoteForm>,
) -> AppResult<HttpResponse> {
    vote(&state, &me, Post::Discussion(*id), form.value).await
}

pub async fn vote_comment(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<VoteForm>,
) -> AppResult<HttpResponse> {
    vote(&state, &me, Post::Comment(*id), form.value).await
}
