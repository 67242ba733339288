//! Structured logs through tracing: one line per request (tracing-actix-web), filtered by
//! `RUST_LOG` (default `info`). `QUORUM_LOG_FORMAT=json` switches to JSON lines.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,tantivy=warn"));
    let json = std::env::var("QUORUM_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    // Closing a request span prints one line per request with its method, route, status
    // and time (the spans come from tracing-actix-web).
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE);
    // A second init (in tests) is harmless: the first subscriber stays.
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}
