//! "Great Idea" recognition forms.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use super::render::redirect;
use crate::auth::{CsrfForm, CurrentMember, HasCsrf};
use crate::domain::Post;
use crate::error::AppResult;
use crate::services::{items, recognition};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct RecognizeForm {
    #[serde(default)]
    csrf_token: String,
    /// "on" to recognise, "off" to withdraw.
    state: String,
}

impl HasCsrf for RecognizeForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

async fn recognize(
    state: &AppState,
    me: &CurrentMember,
    target: Post,
    form: &RecognizeForm,
) -> AppResult<HttpResponse> {
    let on = super::render::on_off(&form.state)?;
    recognition::recognize(&state.db, &me.actor, target, on, Utc::now()).await?;
    Ok(redirect(&items::url(&state.db, target).await?))
}

pub async fn recognize_discussion(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<RecognizeForm>,
) -> AppResult<HttpResponse> {
    recognize(&state, &me, Post::Discussion(*id), &form).await
}

pub async fn recognize_comment(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<RecognizeForm>,
) -> AppResult<HttpResponse> {
    recognize(&state, &me, Post::Comment(*id), &form).await
}
