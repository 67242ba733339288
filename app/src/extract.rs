//! Request extractors that answer bad input in the contract's error shape.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{AppError, Code, FieldErrors};

/// Largest JSON body accepted: a 50,000-character body in any script, escaped, fits.
pub const JSON_LIMIT: usize = 512 * 1024;

/// Like `web::Json`, but: malformed JSON is 400 `invalid_json`; a field of the wrong type
/// or a missing field is 400 `validation_failed` naming the field; too large is 413.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req
            .headers()
            .get("Content-Type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let declared_len = req
            .headers()
            .get("Content-Length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if declared_len.is_some_and(|n| n > JSON_LIMIT) {
                return Err(AppError::payload_too_large());
            }
            let mime = content_type
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            if mime != "application/json" && !mime.ends_with("+json") {
                return Err(AppError::coded(
                    Code::InvalidJson,
                    "Send the body as JSON with Content-Type: application/json",
                ));
            }
            let mut body = Vec::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|_| {
                    AppError::coded(Code::InvalidBody, "The request body could not be read")
                })?;
                if body.len() + chunk.len() > JSON_LIMIT {
                    return Err(AppError::payload_too_large());
                }
                body.extend_from_slice(&chunk);
            }
            parse_json(&body).map(ApiJson)
        })
    }
}

/// Turns numbers with no fraction (`5.0`, `-2e3`) into integers, everywhere in a value.
fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f >= i64::MIN as f64
                && f < i64::MAX as f64
            {
                *value = serde_json::Value::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        serde_json::Value::Object(map) => map.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    // Read as a JSON value first, so that a whole number written as `5.0` (the same
    // integer to JSON Schema) fits an integer field; then into the request type, naming
    // the field that does not fit.
    let mut value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        let text = e.to_string();
        let text = text.split(" at line ").next().unwrap_or(&text).to_string();
        AppError::coded(
            Code::InvalidJson,
            format!("The body is not valid JSON: {text}"),
        )
    })?;
    // Every request body of the API is an object; serde would also read a struct from
    // an array of its fields in order, which no client means.
    if !value.is_object() {
        return Err(AppError::coded(
            Code::InvalidJson,
            "The body must be a JSON object",
        ));
    }
    whole_numbers_as_integers(&mut value);
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(value) => Ok(value),
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            if inner.is_data() {
                let text = inner.to_string();
                let text = text.split(" at line ").next().unwrap_or(&text).to_string();
                let (field, problem) = match text.strip_prefix("missing field `") {
                    Some(rest) => {
                        let name = rest.split('`').next().unwrap_or("").to_string();
                        let name = if path == "." || path.is_empty() {
                            name
                        } else {
                            format!("{path}.{name}")
                        };
                        (name, "is required".to_string())
                    }
                    None => (if path.is_empty() { ".".into() } else { path }, text),
                };
                let mut fields = FieldErrors::new();
                fields.insert(field, problem);
                Err(AppError::from_fields(fields))
            } else {
                Err(AppError::coded(
                    Code::InvalidJson,
                    format!("The body is not valid JSON: {inner}"),
                ))
            }
        }
    }
}

/// A JSON integer, also when written as a number with a zero fraction (`5.0`): JSON
/// Schema's `integer` admits it, so clients (and generators) may send it.
pub fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = <serde_json::Number as serde::Deserialize>::deserialize(d)?;
    as_whole(&n).ok_or_else(|| serde::de::Error::custom(format!("{n} is not a whole number")))
}

/// A list of `whole_number`s.
pub fn whole_numbers<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    let raw = <Vec<serde_json::Number> as serde::Deserialize>::deserialize(d)?;
    raw.iter()
        .map(|n| {
            as_whole(n)
                .ok_or_else(|| serde::de::Error::custom(format!("{n} is not a whole number")))
        })
        .collect()
}

fn as_whole(n: &serde_json::Number) -> Option<i64> {
    // Past 2^51 a parsed float carries no real fraction (serde_json's float parsing
    // may leave `x.5` where the text said `x.0`): round it.
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| (f.fract() == 0.0 || f.abs() >= 2f64.powi(51)) && f.abs() < 9.0e18)
            .map(|f| f.round() as i64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct T {
        #[allow(dead_code)]
        title: String,
    }

    #[test]
    fn names_the_field() {
        let err = parse_json::<T>(br#"{"title": 5}"#).err();
        let fields = err
            .as_ref()
            .and_then(|e| e.fields())
            .cloned()
            .unwrap_or_default();
        assert!(fields.contains_key("title"), "{fields:?}");
        let err = parse_json::<T>(br#"{}"#).err();
        let fields = err
            .as_ref()
            .and_then(|e| e.fields())
            .cloned()
            .unwrap_or_default();
        assert_eq!(fields.get("title").map(String::as_str), Some("is required"));
        let err = parse_json::<T>(br#"["a title"]"#).err();
        assert_eq!(err.map(|e| e.code().as_str()), Some("invalid_json"));
        let err = parse_json::<T>(br#"{"title": "#).err();
        assert_eq!(err.map(|e| e.code().as_str()), Some("invalid_json"));
    }

    #[derive(serde::Deserialize, Debug)]
    struct Ids {
        ids: Vec<i32>,
        value: i64,
    }

    #[test]
    fn whole_numbers_fit_integer_fields() {
        let ok = parse_json::<Ids>(br#"{"ids": [1.0, 2, -3e0], "value": 5.0}"#);
        assert_eq!(ok.map(|v| (v.ids, v.value)).ok(), Some((vec![1, 2, -3], 5)));
        let err = parse_json::<Ids>(br#"{"ids": [1.5], "value": 1}"#).err();
        let fields = err.and_then(|e| e.fields().cloned()).unwrap_or_default();
        assert!(fields.contains_key("ids[0]"), "{fields:?}");
    }
}
