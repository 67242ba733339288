//! The ceiling for the load benchmark (issue #8, docs/benchmarks.md): the smallest useful
//! dynamic page with Quorum's stack, in the shape of TechEmpower's "Fortunes" test.
//!
//! Each request reads every row of a 12-row SQLite table (through sea-orm and the same
//! connection settings as Quorum: WAL, a pool of 8), adds one fortune at request time,
//! sorts them by message and renders an HTML table with tera (autoescaped, so the
//! `<script>` fortune comes out escaped). Same framework defaults as the app: actix-web
//! with one worker per core.
//!
//! ```text
//! cargo run --release -p quorum --example fortunes -- --bind 127.0.0.1:8099 --db /tmp/fortunes.db
//! curl http://127.0.0.1:8099/fortunes
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use actix_web::{App, HttpResponse, HttpServer, web};
use clap::Parser;
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult, Statement};

/// Serves GET /fortunes (and GET /healthz) from a 12-row SQLite table.
#[derive(Parser, Debug)]
#[command(name = "fortunes")]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8099")]
    bind: String,
    /// The SQLite file (created and filled when missing).
    #[arg(long, default_value = "fortunes.db")]
    db: PathBuf,
}

#[derive(Debug, FromQueryResult, serde::Serialize)]
struct Fortune {
    id: i32,
    message: String,
}

const FORTUNES: [&str; 12] = [
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    "<script>alert(\"This should not be displayed in a browser alert box.\");</script>",
    "フレームワークのベンチマーク",
];

const TEMPLATE: &str = r#"<!DOCTYPE html>
<html><head><title>Fortunes</title></head><body>
<table>
<tr><th>id</th><th>message</th></tr>
{% for f in fortunes %}<tr><td>{{ f.id }}</td><td>{{ f.message }}</td></tr>
{% endfor %}</table>
</body></html>
"#;

struct State {
    db: DatabaseConnection,
    tera: tera::Tera,
}

async fn fortunes(state: web::Data<State>) -> HttpResponse {
    let rows = Fortune::find_by_statement(Statement::from_string(
        state.db.get_database_backend(),
        "SELECT id, message FROM fortune",
    ))
    .all(&state.db)
    .await;
    let mut rows = match rows {
        Ok(rows) => rows,
        Err(e) => return HttpResponse::InternalServerError().body(e.to_string()),
    };
    rows.push(Fortune {
        id: 0,
        message: "Additional fortune added at request time.".into(),
    });
    rows.sort_by(|a, b| a.message.cmp(&b.message));
    let mut ctx = tera::Context::new();
    ctx.insert("fortunes", &rows);
    match state.tera.render("fortunes.html", &ctx) {
        Ok(html) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let url = format!("sqlite://{}?mode=rwc", args.db.display());
    let db = quorum::db::connect(&url).await?;
    db.execute_unprepared(
        "CREATE TABLE IF NOT EXISTS fortune (id INTEGER PRIMARY KEY, message TEXT NOT NULL)",
    )
    .await?;
    db.execute_unprepared("DELETE FROM fortune").await?;
    for (i, message) in FORTUNES.iter().enumerate() {
        db.execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "INSERT INTO fortune (id, message) VALUES (?, ?)",
            [((i + 1) as i32).into(), (*message).into()],
        ))
        .await?;
    }
    let mut tera = tera::Tera::default();
    tera.add_raw_template("fortunes.html", TEMPLATE)?;
    tera.autoescape_on(vec![".html"]);
    let state = web::Data::new(State { db, tera });
    println!("fortunes: serving http://{}/fortunes", args.bind);
    HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/fortunes", web::get().to(fortunes))
            .route("/healthz", web::get().to(HttpResponse::Ok))
    })
    .bind(&args.bind)?
    .run()
    .await?;
    Ok(())
}
