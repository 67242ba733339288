//! The one error type. Every failure of the JSON API leaves as
//! `{"error": {"code", "message", "fields"?}}` with a fitting status; pages render the
//! same error through templates/errors/error.html (see `routes::pages::render_error`).

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

pub type FieldErrors = BTreeMap<String, String>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400 `validation_failed`: input that parsed but broke a rule; names each field.
    #[error("{message}")]
    Validation {
        message: String,
        fields: FieldErrors,
    },
    /// 400 with its own code, e.g. `invalid_json`.
    #[error("{message}")]
    BadRequest {
        code: &'static str,
        message: String,
        fields: Option<FieldErrors>,
    },
    /// 401: not signed in, or a wrong login (`invalid_credentials`).
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    /// 403: signed in but not allowed (`forbidden`, `csrf_failed`, `discussion_locked`…).
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// 404 `not_found`.
    #[error("{0}")]
    NotFound(String),
    /// 409: the request clashes with what exists (a taken username, say).
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        fields: Option<FieldErrors>,
    },
    /// 413 `payload_too_large`.
    #[error("The request body is too large")]
    PayloadTooLarge,
    /// 429 `rate_limited`, with `Retry-After` in seconds.
    #[error("Too many requests; try again in {retry_after} seconds")]
    RateLimited { retry_after: u64 },
    /// 503 `unavailable`: a dependency does not answer.
    #[error("{0}")]
    Unavailable(String),
    /// 500 `internal_error`. The cause is logged, never sent: it may hold SQL or paths.
    #[error("Something went wrong on our side")]
    Internal(#[from] anyhow::Error),
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a FieldErrors>,
}

impl AppError {
    pub fn validation(field: &str, problem: impl Into<String>) -> Self {
        let problem = problem.into();
        let message = format!("{} {}", capitalise(field), problem);
        let mut fields = FieldErrors::new();
        fields.insert(field.to_string(), problem);
        AppError::Validation { message, fields }
    }

    pub fn from_fields(fields: FieldErrors) -> Self {
        let message = fields
            .iter()
            .next()
            .map(|(f, p)| format!("{} {}", capitalise(f), p))
            .unwrap_or_else(|| "Invalid input".into());
        AppError::Validation { message, fields }
    }

    pub fn not_found(what: &str) -> Self {
        AppError::NotFound(format!("{what} not found"))
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden {
            code: "forbidden",
            message: message.into(),
        }
    }

    pub fn not_signed_in() -> Self {
        AppError::Unauthorized {
            code: "not_signed_in",
            message: "Sign in or join the community to do that".into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation { .. } => "validation_failed",
            AppError::BadRequest { code, .. } => code,
            AppError::Unauthorized { code, .. } => code,
            AppError::Forbidden { code, .. } => code,
            AppError::NotFound(_) => "not_found",
            AppError::Conflict { code, .. } => code,
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal_error",
        }
    }

    pub fn fields(&self) -> Option<&FieldErrors> {
        match self {
            AppError::Validation { fields, .. } => Some(fields),
            AppError::BadRequest { fields, .. } | AppError::Conflict { fields, .. } => {
                fields.as_ref()
            }
            _ => None,
        }
    }

    /// Logs the underlying cause of an error whose public message hides it.
    pub fn with_cause(self, cause: anyhow::Error) -> Self {
        tracing::warn!(error = %cause, code = self.code(), "request failed");
        self
    }

    /// The message a user may see. For 500s it is generic by design.
    pub fn public_message(&self) -> String {
        self.to_string()
    }
}

fn capitalise(field: &str) -> String {
    let words = field.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Validation { .. } | AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(cause) = self {
            tracing::error!(error = ?cause, "internal error");
        }
        let mut builder = HttpResponse::build(self.status_code());
        if let AppError::RateLimited { retry_after } = self {
            builder.insert_header(("Retry-After", retry_after.to_string()));
        }
        builder.json(ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.public_message(),
                fields: self.fields(),
            },
        })
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        AppError::Internal(anyhow::Error::new(err))
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

impl From<tera::Error> for AppError {
    fn from(err: tera::Error) -> Self {
        AppError::Internal(anyhow::Error::new(err))
    }
}

pub type AppResult<T> = Result<T, AppError>;
