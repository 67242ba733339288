//! Quiz pages: take a quiz (a plain form), see the score and explanations, the author's
//! results per question, and writing a quiz in a small text format.

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde::Deserialize;

use super::render::{base_context, redirect, render, render_status, zone_context};
use crate::auth::{CsrfForm, CsrfPairs, CurrentMember, HasCsrf, MaybeMember};
use crate::error::{AppError, AppResult, Code};
use crate::services::quizzes::{self, NewQuestion, NewQuiz};
use crate::services::zones;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct QuizForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    pass_percent: String,
    #[serde(default)]
    discussion_id: String,
    #[serde(default)]
    questions: String,
}

impl HasCsrf for QuizForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// The authoring format, one line each:
/// `? question`, `* right choice`, `- wrong choice`, `> explanation`.
pub fn parse_questions(text: &str) -> Vec<NewQuestion> {
    let mut questions: Vec<NewQuestion> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let (mark, rest) = match line.char_indices().next() {
            Some((_, c)) => (c, line[c.len_utf8()..].trim()),
            None => continue,
        };
        match mark {
            '?' => questions.push(NewQuestion {
                prompt: rest.to_string(),
                explanation: String::new(),
                choices: Vec::new(),
            }),
            '*' | '-' | '>' => {
                let Some(q) = questions.last_mut() else {
                    continue;
                };
                match mark {
                    '*' => q.choices.push((rest.to_string(), true)),
                    '-' => q.choices.push((rest.to_string(), false)),
                    _ => {
                        if !q.explanation.is_empty() {
                            q.explanation.push('\n');
                        }
                        q.explanation.push_str(rest);
                    }
                }
            }
            // Anything else continues the previous question's prompt.
            _ => {
                if let Some(q) = questions.last_mut() {
                    q.prompt.push(' ');
                    q.prompt.push_str(line);
                }
            }
        }
    }
    questions
}

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i32>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let actor = viewer.actor();
    let quiz = quizzes::show(&state.db, *id, actor.as_ref()).await?;
    let mut ctx = base_context(&state, &req, &viewer, &quiz.quiz.title).await?;
    let is_author = actor
        .as_ref()
        .is_some_and(|a| a.username == quiz.quiz.author.username);
    ctx.insert("is_author", &is_author);
    ctx.insert("quiz", &quiz);
    render(&state, "quizzes/show.html", &ctx)
}

pub async fn take(
    state: web::Data<AppState>,
    id: web::Path<i32>,
    me: CurrentMember,
    form: CsrfPairs,
) -> AppResult<HttpResponse> {
    // Fields `q{question id}`, once per chosen choice.
    let mut answers: Vec<(i64, Vec<i64>)> = Vec::new();
    for (name, value) in &form.0 {
        let Some(question) = name.strip_prefix('q').and_then(|q| q.parse::<i64>().ok()) else {
            continue;
        };
        let choice = value
            .parse::<i64>()
            .map_err(|_| AppError::validation("answers", "must be choice ids"))?;
        match answers.iter_mut().find(|(q, _)| *q == question) {
            Some((_, choices)) => choices.push(choice),
            None => answers.push((question, vec![choice])),
        }
    }
    quizzes::take(&state.db, *id, &me.actor, &answers).await?;
    Ok(redirect(&format!("{}#result", quizzes::quiz_path(*id))))
}

pub async fn results(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i32>,
    viewer: MaybeMember,
    me: CurrentMember,
) -> AppResult<HttpResponse> {
    let results = quizzes::results(&state.db, *id, &me.actor).await?;
    let quiz = quizzes::show(&state.db, *id, Some(&me.actor)).await?;
    let mut ctx = base_context(&state, &req, &viewer, "Quiz results").await?;
    ctx.insert("quiz", &quiz);
    ctx.insert("results", &results);
    render(&state, "quizzes/results.html", &ctx)
}

pub async fn new_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let zone = zones::find(&state.db, &slug).await?;
    let mut ctx = zone_context(&state, &req, &viewer, &zone, "Write a quiz").await?;
    ctx.insert("form", &serde_json::json!({"pass_percent": "80"}));
    render(&state, "quizzes/new.html", &ctx)
}

pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    viewer: MaybeMember,
    me: CurrentMember,
    CsrfForm(form): CsrfForm<QuizForm>,
) -> AppResult<HttpResponse> {
    let zone = zones::find(&state.db, &slug).await?;
    let outcome = async {
        let pass = match form.pass_percent.trim() {
            "" => None,
            raw => Some(
                raw.parse::<i64>()
                    .map_err(|_| AppError::validation("pass_percent", "must be from 1 to 100"))?,
            ),
        };
        let discussion = match form.discussion_id.trim() {
            "" => None,
            raw => Some(raw.parse::<i32>().map_err(|_| {
                AppError::validation("discussion_id", "is not a discussion in this zone")
            })?),
        };
        let new = NewQuiz::parse(
            &form.title,
            Some(&form.description),
            discussion,
            pass,
            parse_questions(&form.questions),
        )?;
        quizzes::create(&state.db, &zone.slug, &me.actor, new).await
    }
    .await;
    match outcome {
        Ok(quiz) => Ok(redirect(&quiz.quiz.url)),
        Err(err) if err.code() == Code::ValidationFailed => {
            let mut ctx = zone_context(&state, &req, &viewer, &zone, "Write a quiz").await?;
            ctx.insert(
                "form",
                &serde_json::json!({"title": form.title, "description": form.description,
                    "pass_percent": form.pass_percent, "discussion_id": form.discussion_id,
                    "questions": form.questions}),
            );
            // Problems of single questions read as one list under the text box.
            let problems: Vec<String> = err
                .fields()
                .map(|f| {
                    f.iter()
                        .filter(|(k, _)| k.starts_with("questions"))
                        .map(|(k, v)| format!("{k} {v}"))
                        .collect()
                })
                .unwrap_or_default();
            ctx.insert("errors", &err.fields());
            ctx.insert("question_problems", &problems);
            render_status(&state, "quizzes/new.html", &ctx, err.status_code())
        }
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_questions;

    #[test]
    fn the_text_format_reads_questions_choices_and_explanations() {
        let text = "? What does WCAG stand for?\n* Web Content Accessibility Guidelines\n- World Wide Accessibility Group\n> The W3C's guidelines.\n\n? Pick the colours with AA contrast\n* black on white\n* white on navy\n- grey on silver\n> 4.5:1 for body text.";
        let q = parse_questions(text);
        assert_eq!(q.len(), 2);
        assert_eq!(q[0].prompt, "What does WCAG stand for?");
        assert_eq!(q[0].choices.len(), 2);
        assert!(q[0].choices[0].1 && !q[0].choices[1].1);
        assert_eq!(q[0].explanation, "The W3C's guidelines.");
        assert_eq!(q[1].choices.iter().filter(|c| c.1).count(), 2);
    }

    #[test]
    fn lines_before_any_question_are_ignored() {
        assert!(parse_questions("* orphan\n- orphan").is_empty());
    }
}
