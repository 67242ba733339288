//! Templates (tera 1.x) and assets, embedded in the binary so the release binary runs
//! from any working directory.
//!
//! We use tera 1.20 rather than the 2.x rewrite: its API and filters are stable and
//! documented, and nothing here needs 2.x.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_embed::RustEmbed;
use tera::{Tera, Value};

#[derive(RustEmbed)]
#[folder = "../templates"]
struct TemplateFiles;

#[derive(RustEmbed)]
#[folder = "../assets"]
pub struct Assets;

pub fn load() -> anyhow::Result<Tera> {
    let mut tera = Tera::default();
    let mut files = Vec::new();
    for name in TemplateFiles::iter() {
        if let Some(file) = TemplateFiles::get(&name) {
            let text = String::from_utf8(file.data.into_owned())?;
            files.push((name.to_string(), text));
        }
    }
    tera.add_raw_templates(files)?;
    // Plain-text mail (`.txt`) is not HTML-escaped; everything else is.
    tera.autoescape_on(vec![".html", ".svg", ".xml"]);
    tera.register_filter("timeago", timeago);
    tera.register_filter("exacttime", exacttime);
    Ok(tera)
}

fn parse_time(value: &Value) -> Option<DateTime<Utc>> {
    value
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// "3 hours ago", "just now", or a date for anything older than a month.
pub fn relative(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - t).num_seconds().max(0);
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit} ago")
        } else {
            format!("{n} {unit}s ago")
        }
    };
    match secs {
        0..=44 => "just now".into(),
        45..=3599 => plural((secs / 60).max(1), "minute"),
        3600..=86_399 => plural(secs / 3600, "hour"),
        86_400..=2_591_999 => plural(secs / 86_400, "day"),
        _ => t.format("%-d %b %Y").to_string(),
    }
}

fn timeago(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(
        parse_time(value)
            .map(|t| relative(t, Utc::now()))
            .unwrap_or_default(),
    ))
}

fn exacttime(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(
        parse_time(value)
            .map(|t| t.format("%-d %B %Y, %H:%M UTC").to_string())
            .unwrap_or_default(),
    ))
}
