//! Quizzes for learning: a leader or moderator writes multiple-choice questions with the
//! right answers and an explanation each; members take a quiz once, see their score and
//! the explanations; a pass earns reputation (once) and the Learner badge; the author
//! sees how each question went.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use entity::{discussion, quiz, quiz_attempt, quiz_choice, quiz_question, quiz_response};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::Actor;
use super::effects::{self, Effect};
use super::items::Locks;
use super::items::members_by_id;
use super::ledger::{Ledger, RULES, kind};
use crate::domain::{Role, Title};
use crate::error::{AppError, AppResult, Code, FieldErrors};
use crate::views::MemberRef;

pub const QUESTIONS_MAX: usize = 50;
pub const CHOICES_MIN: usize = 2;
pub const CHOICES_MAX: usize = 10;
pub const DEFAULT_PASS_PERCENT: i32 = 80;

/// One question as written.
#[derive(Debug, Clone)]
pub struct NewQuestion {
    pub prompt: String,
    pub explanation: String,
    /// (label, correct)
    pub choices: Vec<(String, bool)>,
}

/// A quiz, parsed.
#[derive(Debug, Clone)]
pub struct NewQuiz {
    pub title: Title,
    pub description: String,
    pub discussion_id: Option<i32>,
    pub pass_percent: i32,
    pub questions: Vec<NewQuestion>,
}

fn clean(raw: &str) -> String {
    raw.replace('\0', "").trim().to_string()
}

fn check_len(fields: &mut FieldErrors, field: String, text: &str, max: usize, required: bool) {
    if required && text.is_empty() {
        fields.insert(field, "must not be empty".into());
    } else if text.chars().count() > max {
        fields.insert(field, format!("must be at most {max} characters long"));
    }
}

impl NewQuiz {
    pub fn parse(
        title: &str,
        description: Option<&str>,
        discussion_id: Option<i32>,
        pass_percent: Option<i64>,
        questions: Vec<NewQuestion>,
    ) -> AppResult<Self> {
        let mut fields = FieldErrors::new();
        let title = Title::parse(title)
            .map_err(|e| super::zones::merge(&mut fields, e))
            .ok();
        let description = clean(description.unwrap_or(""));
        check_len(
            &mut fields,
            "description".into(),
            &description,
            5_000,
            false,
        );
        let pass_percent = match pass_percent {
            None => DEFAULT_PASS_PERCENT,
            Some(p @ 1..=100) => i32::try_from(p).unwrap_or(DEFAULT_PASS_PERCENT),
            Some(_) => {
                fields.insert("pass_percent".into(), "must be from 1 to 100".into());
                DEFAULT_PASS_PERCENT
            }
        };
        if questions.is_empty() || questions.len() > QUESTIONS_MAX {
            fields.insert(
                "questions".into(),
                format!("must have 1 to {QUESTIONS_MAX} questions"),
            );
        }
        let mut parsed = Vec::new();
        for (i, q) in questions.into_iter().enumerate() {
            let at = |part: &str| format!("questions[{i}].{part}");
            let prompt = clean(&q.prompt);
            check_len(&mut fields, at("prompt"), &prompt, 1_000, true);
            let explanation = clean(&q.explanation);
            check_len(&mut fields, at("explanation"), &explanation, 2_000, true);
            let choices: Vec<(String, bool)> =
                q.choices.iter().map(|(l, c)| (clean(l), *c)).collect();
            if choices.len() < CHOICES_MIN || choices.len() > CHOICES_MAX {
                fields.insert(
                    at("choices"),
                    format!("must have {CHOICES_MIN} to {CHOICES_MAX} choices"),
                );
            } else if choices
                .iter()
                .any(|(l, _)| l.is_empty() || l.chars().count() > 300)
            {
                fields.insert(
                    at("choices"),
                    "must each have a label of 1 to 300 characters".into(),
                );
            } else if !choices.iter().any(|(_, c)| *c) {
                fields.insert(
                    at("choices"),
                    "must include at least one right answer".into(),
                );
            }
            parsed.push(NewQuestion {
                prompt,
                explanation,
                choices,
            });
        }
        match title {
            Some(title) if fields.is_empty() => Ok(Self {
                title,
                description,
                discussion_id,
                pass_percent,
                questions: parsed,
            }),
            _ => Err(AppError::from_fields(fields)),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChoiceView {
    pub id: i32,
    pub label: String,
    /// Whether it is a right answer: shown once the member has taken the quiz (and to
    /// its author and moderators); null before.
    pub correct: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuizQuestionView {
    pub id: i32,
    pub prompt: String,
    /// More than one choice is right: choose all of them.
    pub multiple: bool,
    pub choices: Vec<ChoiceView>,
    /// Shown with the right answers.
    pub explanation: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuizSummary {
    pub id: i32,
    /// The zone's slug.
    pub zone: String,
    pub discussion_id: Option<i32>,
    pub title: String,
    pub description: String,
    pub author: MemberRef,
    pub pass_percent: i32,
    pub question_count: usize,
    pub created_at: DateTime<Utc>,
    pub url: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuizView {
    #[serde(flatten)]
    pub quiz: QuizSummary,
    pub questions: Vec<QuizQuestionView>,
    /// The signed-in member's result, once they have taken it.
    pub my_attempt: Option<AttemptResult>,
    /// The author and moderators may see the results per question.
    pub can_see_results: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionOutcome {
    pub question_id: i32,
    pub correct: bool,
    pub your_choices: Vec<i32>,
    pub right_choices: Vec<i32>,
    pub explanation: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttemptResult {
    pub quiz_id: i32,
    /// Questions answered right.
    pub correct: i32,
    pub total: i32,
    /// Rounded down.
    pub percent: i32,
    pub passed: bool,
    /// Reputation this attempt earned (`quiz_passed`).
    pub reputation_awarded: i32,
    pub questions: Vec<QuestionOutcome>,
    pub taken_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChoiceStats {
    pub id: i32,
    pub label: String,
    pub correct: bool,
    /// How many members chose it.
    pub chosen: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionStats {
    pub question_id: i32,
    pub prompt: String,
    pub answered: u64,
    pub answered_right: u64,
    pub choices: Vec<ChoiceStats>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuizResults {
    pub quiz_id: i32,
    pub attempts: u64,
    pub passed: u64,
    pub questions: Vec<QuestionStats>,
}

/// Everything a quiz is made of, loaded in four queries.
struct Loaded {
    quiz: quiz::Model,
    questions: Vec<quiz_question::Model>,
    choices: Vec<quiz_choice::Model>,
}

impl Loaded {
    fn choices_of(&self, question_id: i32) -> impl Iterator<Item = &quiz_choice::Model> {
        self.choices
            .iter()
            .filter(move |c| c.question_id == question_id)
    }

    fn right(&self, question_id: i32) -> BTreeSet<i32> {
        self.choices_of(question_id)
            .filter(|c| c.correct)
            .map(|c| c.id)
            .collect()
    }
}

pub fn quiz_path(id: i32) -> String {
    format!("/quizzes/{id}")
}

async fn load(db: &impl ConnectionTrait, id: i32) -> AppResult<Loaded> {
    let quiz = quiz::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Quiz"))?;
    let questions = quiz_question::Entity::find()
        .filter(quiz_question::Column::QuizId.eq(id))
        .order_by_asc(quiz_question::Column::Position)
        .all(db)
        .await?;
    let ids: Vec<i32> = questions.iter().map(|q| q.id).collect();
    let choices = if ids.is_empty() {
        Vec::new()
    } else {
        quiz_choice::Entity::find()
            .filter(quiz_choice::Column::QuestionId.is_in(ids))
            .order_by_asc(quiz_choice::Column::Position)
            .all(db)
            .await?
    };
    Ok(Loaded {
        quiz,
        questions,
        choices,
    })
}

pub async fn create(
    db: &DatabaseConnection,
    zone_slug: &str,
    actor: &Actor,
    new: NewQuiz,
) -> AppResult<QuizView> {
    if actor.role < Role::Leader {
        return Err(AppError::forbidden(
            "Only leaders and moderators may write quizzes",
        ));
    }
    let zone = super::zones::find(db, zone_slug).await?;
    if let Some(d) = new.discussion_id {
        let found = discussion::Entity::find_by_id(d)
            .filter(discussion::Column::DeletedAt.is_null())
            .filter(discussion::Column::ZoneId.eq(zone.id))
            .one(db)
            .await?;
        if found.is_none() {
            return Err(AppError::validation(
                "discussion_id",
                "is not a discussion in this zone",
            ));
        }
    }
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    let row = quiz::ActiveModel {
        zone_id: Set(zone.id),
        discussion_id: Set(new.discussion_id),
        author_id: Set(actor.id),
        title: Set(new.title.into_inner()),
        description: Set(new.description),
        pass_percent: Set(new.pass_percent),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for (position, q) in new.questions.into_iter().enumerate() {
        let question = quiz_question::ActiveModel {
            quiz_id: Set(row.id),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            prompt: Set(q.prompt),
            explanation: Set(q.explanation),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        for (position, (label, correct)) in q.choices.into_iter().enumerate() {
            quiz_choice::ActiveModel {
                question_id: Set(question.id),
                position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
                label: Set(label),
                correct: Set(correct),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    show(db, row.id, Some(actor)).await
}

async fn summaries(
    db: &impl ConnectionTrait,
    rows: Vec<quiz::Model>,
    counts: &HashMap<i32, usize>,
) -> AppResult<Vec<QuizSummary>> {
    let authors = members_by_id(db, rows.iter().map(|q| q.author_id)).await?;
    let zones = super::zones::by_ids(db, rows.iter().map(|q| q.zone_id)).await?;
    rows.into_iter()
        .map(|q| {
            let author = authors.get(&q.author_id).ok_or_else(|| {
                AppError::internal(anyhow::anyhow!("quiz {} has no author", q.id))
            })?;
            Ok(QuizSummary {
                zone: zones.get(&q.zone_id).cloned().unwrap_or_default(),
                discussion_id: q.discussion_id,
                author: MemberRef::from_model(author),
                pass_percent: q.pass_percent,
                question_count: counts.get(&q.id).copied().unwrap_or(0),
                created_at: q.created_at,
                url: quiz_path(q.id),
                id: q.id,
                title: q.title,
                description: q.description,
            })
        })
        .collect()
}

fn may_see_results(quiz: &quiz::Model, actor: Option<&Actor>) -> bool {
    actor.is_some_and(|a| a.id == quiz.author_id || a.role.can_moderate())
}

async fn attempt_of(
    db: &impl ConnectionTrait,
    loaded: &Loaded,
    member_id: i32,
) -> AppResult<Option<AttemptResult>> {
    let Some(attempt) = quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::QuizId.eq(loaded.quiz.id))
        .filter(quiz_attempt::Column::MemberId.eq(member_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let responses = quiz_response::Entity::find()
        .filter(quiz_response::Column::AttemptId.eq(attempt.id))
        .all(db)
        .await?;
    let awarded = if attempt.passed { RULES.quiz_passed } else { 0 };
    Ok(Some(result(loaded, &attempt, &responses, awarded)))
}

fn parse_ids(raw: &str) -> Vec<i32> {
    raw.split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

fn result(
    loaded: &Loaded,
    attempt: &quiz_attempt::Model,
    responses: &[quiz_response::Model],
    awarded: i32,
) -> AttemptResult {
    let questions = loaded
        .questions
        .iter()
        .map(|q| {
            let response = responses.iter().find(|r| r.question_id == q.id);
            QuestionOutcome {
                question_id: q.id,
                correct: response.is_some_and(|r| r.correct),
                your_choices: response
                    .map(|r| parse_ids(&r.choice_ids))
                    .unwrap_or_default(),
                right_choices: loaded.right(q.id).into_iter().collect(),
                explanation: q.explanation.clone(),
            }
        })
        .collect();
    AttemptResult {
        quiz_id: loaded.quiz.id,
        correct: attempt.correct,
        total: attempt.total,
        percent: percent(attempt.correct, attempt.total),
        passed: attempt.passed,
        reputation_awarded: awarded,
        questions,
        taken_at: attempt.created_at,
    }
}

fn percent(correct: i32, total: i32) -> i32 {
    if total <= 0 { 0 } else { correct * 100 / total }
}

pub async fn show(
    db: &impl ConnectionTrait,
    id: i32,
    actor: Option<&Actor>,
) -> AppResult<QuizView> {
    let loaded = load(db, id).await?;
    let my_attempt = match actor {
        Some(a) => attempt_of(db, &loaded, a.id).await?,
        None => None,
    };
    let can_see_results = may_see_results(&loaded.quiz, actor);
    // The answers show to those who took it, and to its author.
    let is_author = actor.is_some_and(|a| a.id == loaded.quiz.author_id);
    let reveal = my_attempt.is_some() || is_author;
    let questions = loaded
        .questions
        .iter()
        .map(|q| QuizQuestionView {
            id: q.id,
            prompt: q.prompt.clone(),
            multiple: loaded.right(q.id).len() > 1,
            choices: loaded
                .choices_of(q.id)
                .map(|c| ChoiceView {
                    id: c.id,
                    label: c.label.clone(),
                    correct: reveal.then_some(c.correct),
                })
                .collect(),
            explanation: reveal.then(|| q.explanation.clone()),
        })
        .collect();
    let counts = HashMap::from([(loaded.quiz.id, loaded.questions.len())]);
    let quiz = summaries(db, vec![loaded.quiz.clone()], &counts)
        .await?
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a quiz view went missing")))?;
    Ok(QuizView {
        quiz,
        questions,
        my_attempt,
        can_see_results,
    })
}

/// A zone's quizzes (or one discussion's), newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    zone_id: Option<i32>,
    discussion_id: Option<i32>,
) -> AppResult<Vec<QuizSummary>> {
    let mut query = quiz::Entity::find().order_by_desc(quiz::Column::Id);
    if let Some(z) = zone_id {
        query = query.filter(quiz::Column::ZoneId.eq(z));
    }
    if let Some(d) = discussion_id {
        query = query.filter(quiz::Column::DiscussionId.eq(d));
    }
    let rows = query.all(db).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = rows.iter().map(|q| q.id).collect();
    let question_rows = quiz_question::Entity::find()
        .filter(quiz_question::Column::QuizId.is_in(ids))
        .all(db)
        .await?;
    let mut counts: HashMap<i32, usize> = HashMap::new();
    for q in question_rows {
        *counts.entry(q.quiz_id).or_default() += 1;
    }
    summaries(db, rows, &counts).await
}

/// Takes a quiz: `answers` maps question ids to the chosen choice ids. Once per member.
pub async fn take(
    db: &DatabaseConnection,
    id: i32,
    actor: &Actor,
    answers: &[(i64, Vec<i64>)],
) -> AppResult<AttemptResult> {
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    let loaded = load(&txn, id).await?;
    // Those who can see the right answers (its author, and moderators through the
    // results) cannot score with them.
    if may_see_results(&loaded.quiz, Some(actor)) {
        return Err(AppError::coded(
            Code::OwnQuiz,
            "You can see this quiz's answers, so you cannot take it",
        ));
    }
    // Every answer must name a question of this quiz and choices of that question.
    let mut chosen: HashMap<i32, BTreeSet<i32>> = HashMap::new();
    for (question, choices) in answers {
        let invalid = |message: String| {
            let mut fields = FieldErrors::new();
            fields.insert("answers".into(), message.clone());
            AppError::coded(Code::InvalidAnswer, message).with_fields(fields)
        };
        let q = i32::try_from(*question)
            .ok()
            .filter(|q| loaded.questions.iter().any(|x| x.id == *q))
            .ok_or_else(|| invalid(format!("{question} is not a question of this quiz")))?;
        let set = chosen.entry(q).or_default();
        for c in choices {
            let c = i32::try_from(*c)
                .ok()
                .filter(|c| loaded.choices_of(q).any(|x| x.id == *c))
                .ok_or_else(|| invalid(format!("{c} is not a choice of question {q}")))?;
            set.insert(c);
        }
    }
    let total = i32::try_from(loaded.questions.len()).unwrap_or(i32::MAX);
    let mut correct = 0;
    let mut responses = Vec::new();
    for q in &loaded.questions {
        let mine = chosen.remove(&q.id).unwrap_or_default();
        let right = !mine.is_empty() && mine == loaded.right(q.id);
        if right {
            correct += 1;
        }
        responses.push((q.id, mine, right));
    }
    let passed = percent(correct, total) >= loaded.quiz.pass_percent;
    let inserted = quiz_attempt::Entity::insert(quiz_attempt::ActiveModel {
        quiz_id: Set(id),
        member_id: Set(actor.id),
        correct: Set(correct),
        total: Set(total),
        passed: Set(passed),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([quiz_attempt::Column::QuizId, quiz_attempt::Column::MemberId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    if inserted == 0 {
        return Err(AppError::coded(
            Code::AlreadyTaken,
            "You have already taken this quiz",
        ));
    }
    let attempt = quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::QuizId.eq(id))
        .filter(quiz_attempt::Column::MemberId.eq(actor.id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a new attempt went missing")))?;
    let mut rows = Vec::new();
    for (question_id, mine, right) in responses {
        let ids: Vec<String> = mine.iter().map(i32::to_string).collect();
        rows.push(
            quiz_response::ActiveModel {
                attempt_id: Set(attempt.id),
                question_id: Set(question_id),
                choice_ids: Set(ids.join(",")),
                correct: Set(right),
                ..Default::default()
            }
            .insert(&txn)
            .await?,
        );
    }
    let mut awarded = 0;
    if passed {
        awarded = RULES.quiz_passed;
        let locked = Locks::new(&txn).members([actor.id]).await?;
        let mut ledger = Ledger::new(&locked, &txn, now);
        let zone = Some(loaded.quiz.zone_id);
        ledger
            .grant(actor.id, kind::QUIZ_PASSED, awarded, zone)
            .await?;
        let reputation_changed = ledger.settle().await?;
        let passed = Effect::QuizPassed {
            member: actor.id,
            reputation_changed,
        };
        effects::record(&txn, passed, now).await?;
    }
    txn.commit().await?;
    Ok(result(&loaded, &attempt, &rows, awarded))
}

/// How each question went, for the quiz's author and moderators.
pub async fn results(db: &impl ConnectionTrait, id: i32, actor: &Actor) -> AppResult<QuizResults> {
    let loaded = load(db, id).await?;
    if !may_see_results(&loaded.quiz, Some(actor)) {
        return Err(AppError::forbidden(
            "Only the quiz's author and moderators see its results",
        ));
    }
    let attempts = quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::QuizId.eq(id))
        .all(db)
        .await?;
    let passed = attempts.iter().filter(|a| a.passed).count() as u64;
    let attempt_ids: Vec<i32> = attempts.iter().map(|a| a.id).collect();
    let responses = if attempt_ids.is_empty() {
        Vec::new()
    } else {
        quiz_response::Entity::find()
            .filter(quiz_response::Column::AttemptId.is_in(attempt_ids))
            .all(db)
            .await?
    };
    let questions = loaded
        .questions
        .iter()
        .map(|q| {
            let mine: Vec<&quiz_response::Model> =
                responses.iter().filter(|r| r.question_id == q.id).collect();
            let mut chosen: HashMap<i32, u64> = HashMap::new();
            for r in &mine {
                for c in parse_ids(&r.choice_ids) {
                    *chosen.entry(c).or_default() += 1;
                }
            }
            QuestionStats {
                question_id: q.id,
                prompt: q.prompt.clone(),
                answered: mine.iter().filter(|r| !r.choice_ids.is_empty()).count() as u64,
                answered_right: mine.iter().filter(|r| r.correct).count() as u64,
                choices: loaded
                    .choices_of(q.id)
                    .map(|c| ChoiceStats {
                        id: c.id,
                        label: c.label.clone(),
                        correct: c.correct,
                        chosen: chosen.get(&c.id).copied().unwrap_or(0),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(QuizResults {
        quiz_id: id,
        attempts: attempts.len() as u64,
        passed,
        questions,
    })
}
