//! Quizzes: `/api/v1/zones/{slug}/quizzes` and `/api/v1/quizzes/{id}`.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::auth::{CurrentMember, MaybeMember};
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::services::quizzes::{
    self, AttemptResult, NewQuestion, NewQuiz, QuizResults, QuizSummary, QuizView,
};
use crate::services::zones;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct NewChoice {
    #[schema(min_length = 1, max_length = 300, pattern = r"[^\s\x00-\x1f\x7f-\x9f]")]
    pub label: String,
    #[serde(default)]
    pub correct: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct NewQuizQuestion {
    #[schema(
        min_length = 1,
        max_length = 1000,
        pattern = r"[^\s\x00-\x1f\x7f-\x9f]"
    )]
    pub prompt: String,
    /// Shown with the right answers once a member has taken the quiz.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = r"[^\s\x00-\x1f\x7f-\x9f]"
    )]
    pub explanation: String,
    /// 2–10 choices, at least one of them right.
    #[schema(schema_with = choices_schema)]
    pub choices: Vec<NewChoice>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewQuizRequest {
    #[schema(
        min_length = 3,
        max_length = 200,
        pattern = r"^[^\s\x00-\x1f\x7f-\x9f](?:[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f])?$"
    )]
    pub title: String,
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    /// A discussion of the same zone the quiz belongs to.
    pub discussion_id: Option<i32>,
    /// The share of right answers that passes, 1–100 (default 80).
    #[schema(minimum = 1, maximum = 100)]
    pub pass_percent: Option<i64>,
    /// 1–50 questions.
    #[schema(min_items = 1, max_items = 50)]
    pub questions: Vec<NewQuizQuestion>,
}

#[derive(Deserialize, ToSchema)]
pub struct Answer {
    #[serde(deserialize_with = "crate::extract::whole_number")]
    pub question_id: i64,
    /// The chosen choice ids (all the right ones, for a question with several).
    #[serde(deserialize_with = "crate::extract::whole_numbers")]
    pub choices: Vec<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct AttemptRequest {
    /// Unanswered questions count as wrong.
    pub answers: Vec<Answer>,
}

#[derive(Serialize, ToSchema)]
pub struct QuizList {
    pub quizzes: Vec<QuizSummary>,
}

/// Write a quiz (leaders, moderators, admins).
#[utoipa::path(post, path = "/api/v1/zones/{slug}/quizzes", tag = "quizzes", params(("slug" = String, Path)),
    request_body = NewQuizRequest,
    responses((status = 201, body = QuizView), (status = 400, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    me: CurrentMember,
    ApiJson(body): ApiJson<NewQuizRequest>,
) -> AppResult<HttpResponse> {
    let questions = body
        .questions
        .into_iter()
        .map(|q| NewQuestion {
            prompt: q.prompt,
            explanation: q.explanation,
            choices: q
                .choices
                .into_iter()
                .map(|c| (c.label, c.correct))
                .collect(),
        })
        .collect();
    let new = NewQuiz::parse(
        &body.title,
        body.description.as_deref(),
        body.discussion_id,
        body.pass_percent,
        questions,
    )?;
    Ok(HttpResponse::Created().json(quizzes::create(&state.db, &slug, &me.actor, new).await?))
}

#[utoipa::path(get, path = "/api/v1/zones/{slug}/quizzes", tag = "quizzes", params(("slug" = String, Path)),
    responses((status = 200, body = QuizList), (status = 404, body = ErrorResponse)))]
pub async fn of_zone(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let zone = zones::find(&state.db, &slug).await?;
    Ok(HttpResponse::Ok().json(QuizList {
        quizzes: quizzes::list(&state.db, Some(zone.id), None).await?,
    }))
}

/// A quiz. The right answers and explanations show once the member has taken it.
#[utoipa::path(get, path = "/api/v1/quizzes/{id}", tag = "quizzes", params(("id" = i32, Path)),
    responses((status = 200, body = QuizView), (status = 404, body = ErrorResponse)))]
pub async fn show(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let actor = viewer.actor();
    Ok(HttpResponse::Ok().json(quizzes::show(&state.db, *id, actor.as_ref()).await?))
}

/// Take a quiz, once. A pass earns +5 reputation (`quiz_passed`) and the Learner badge.
#[utoipa::path(post, path = "/api/v1/quizzes/{id}/attempts", tag = "quizzes", params(("id" = i32, Path)),
    request_body = AttemptRequest,
    responses((status = 201, body = AttemptResult),
        (status = 400, description = "`invalid_answer`: a question or choice not of this quiz", body = ErrorResponse),
        (status = 403, description = "`own_quiz`", body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, description = "`already_taken`", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn take(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    ApiJson(body): ApiJson<AttemptRequest>,
) -> AppResult<HttpResponse> {
    let answers: Vec<(i64, Vec<i64>)> = body
        .answers
        .into_iter()
        .map(|a| (a.question_id, a.choices))
        .collect();
    Ok(HttpResponse::Created().json(quizzes::take(&state.db, *id, &me.actor, &answers).await?))
}

/// Results per question (the quiz's author and moderators).
#[utoipa::path(get, path = "/api/v1/quizzes/{id}/results", tag = "quizzes", params(("id" = i32, Path)),
    responses((status = 200, body = QuizResults), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn results(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(quizzes::results(&state.db, *id, &me.actor).await?))
}

/// 2–10 choices (at least one of them right: see `document_right_choice`).
fn choices_schema() -> utoipa::openapi::Array {
    use utoipa::PartialSchema;
    utoipa::openapi::ArrayBuilder::new()
        .items(NewChoice::schema())
        .min_items(Some(2))
        .max_items(Some(10))
        .build()
}

/// Adds to the served document that each question's choices contain a right one
/// (JSON Schema's `contains`, which utoipa 5 cannot write).
pub fn document_right_choice(document: &mut serde_json::Value) {
    let choices = document
        .pointer_mut("/components/schemas/NewQuizQuestion/properties/choices")
        .and_then(serde_json::Value::as_object_mut);
    if let Some(choices) = choices {
        choices.insert(
            "contains".into(),
            serde_json::json!({
                "type": "object",
                "required": ["correct"],
                "properties": {"correct": {"const": true}}
            }),
        );
    }
}
