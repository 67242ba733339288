//! Building and running the server. The listener is bound first, so port 0 works in tests.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, DefaultHeaders, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use tracing_actix_web::TracingLogger;

use crate::config::Settings;
use crate::state::AppState;
use crate::{auth, db, routes, services, templates};

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    /// Reply by e-mail's SMTP listener, bound when `QUORUM_INBOUND_SMTP_BIND` is set.
    inbound: Option<std::net::TcpListener>,
}

impl Application {
    /// Connects to and migrates the database, loads the templates, binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("creating the data dir {}", settings.data_dir.display()))?;
        let mut db = db::connect(&settings.database_url()).await?;
        if let Some(counter) = settings.statement_counter.clone() {
            // The background workers' polling (jobs, outbox) is not what a page costs;
            // the rows a write queues there are.
            db.set_metric_callback(move |info| {
                let sql = &info.statement.sql;
                let queue = sql.contains("\"jobs\"") || sql.contains("\"outbox\"");
                if !queue || sql.starts_with("INSERT") {
                    if std::env::var_os("QUORUM_PRINT_STATEMENTS").is_some() {
                        eprintln!("SQL: {sql}");
                    }
                    counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
        db::migrate(&db).await?;
        if let Err(e) = db::optimize(&db).await {
            tracing::warn!(error = %e, "analysing the database failed");
        }
        let search = open_search(&settings, true).await?;
        let keys = Arc::new(crate::keys::Keys::load(&db).await?);
        let db_backend = sea_orm::ConnectionTrait::get_database_backend(&db);
        let state = AppState {
            db,
            templates: Arc::new(templates::load()?),
            settings: Arc::new(settings.clone()),
            search,
            mailer: Arc::new(crate::mail::Mailer::from_settings(&settings)?),
            keys,
            hasher: services::passwords::Hasher::new(services::passwords::pool_size()),
            live: crate::live::LiveHub::new(db_backend),
            threads: Arc::default(),
            reads: Arc::default(),
        };
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("binding {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let server = run(listener, state.clone())?;
        let inbound = match settings.inbound_smtp_bind.as_deref().map(str::trim) {
            Some(bind) if !bind.is_empty() => {
                let socket = TcpListener::bind(bind)
                    .with_context(|| format!("binding {bind} (QUORUM_INBOUND_SMTP_BIND)"))?;
                socket.set_nonblocking(true)?;
                Some(socket)
            }
            _ => None,
        };
        Ok(Self {
            port,
            server,
            state,
            inbound,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server from elsewhere: `handle.stop(true).await` finishes requests in
    /// flight, then `run_until_stopped` returns and releases everything it held.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until stopped (SIGINT/SIGTERM stop gracefully), with housekeeping beside it.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let db = self.state.db.clone();
        let housekeeping = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(600));
            loop {
                tick.tick().await;
                if let Err(e) = db::optimize(&db).await {
                    tracing::warn!(error = %e, "analysing the database failed");
                }
                if let Err(e) = services::rate_limit::sweep(&db).await {
                    tracing::warn!(error = %e, "sweeping rate-limit counters failed");
                }
                if let Err(e) = services::live::events::prune_events(&db, chrono::Utc::now()).await
                {
                    tracing::warn!(error = %e, "pruning old live events failed");
                }
            }
        });
        let indexer = tokio::spawn(crate::jobs::search::run_worker(
            self.state.db.clone(),
            self.state.search.clone(),
        ));
        let digest_db = self.state.db.clone();
        let digests = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                let now = chrono::Utc::now();
                if let Err(e) = services::digest::queue_due(&digest_db, now).await {
                    tracing::warn!(error = %e, "queueing digests failed");
                }
                // The participation rollup follows what happened, minute by minute.
                if let Err(e) = services::insights::fold_recent(&digest_db, now).await {
                    tracing::warn!(error = %e, "folding activity for insights failed");
                }
                if let Err(e) = services::insights::queue_weekly_mail(&digest_db, now).await {
                    tracing::warn!(error = %e, "queueing the weekly insights mail failed");
                }
            }
        });
        let listener = tokio::spawn(
            self.state
                .live
                .clone()
                .listen(self.state.db.clone(), self.state.settings.database_url()),
        );
        let (stop_mail, stop) = tokio::sync::watch::channel(false);
        let worker = crate::mail::MailWorker {
            db: self.state.db.clone(),
            mailer: self.state.mailer.clone(),
            templates: self.state.templates.clone(),
            keys: self.state.keys.clone(),
            base_url: self.state.settings.base_url(),
            mail_from: self.state.settings.mail_from.clone(),
            reply_domain: self.state.settings.reply_domain().map(str::to_string),
        };
        let mailer = tokio::spawn(crate::mail::run_worker(worker, stop.clone()));
        let hooks = match services::webhooks::Sender::new(
            self.state.db.clone(),
            self.state.settings.webhook_retries.clone(),
        ) {
            Ok(sender) => Some(tokio::spawn(services::webhooks::run_worker(sender, stop))),
            Err(e) => {
                tracing::error!(error = %e, "webhooks cannot be sent: no HTTP client");
                None
            }
        };
        let inbound = match self.inbound.map(tokio::net::TcpListener::from_std) {
            Some(Ok(socket)) => {
                let listener = std::sync::Arc::new(crate::mail::smtp_in::Listener {
                    db: self.state.db.clone(),
                    key: self.state.keys.replies.clone(),
                    domain: self.state.settings.reply_domain().map(str::to_string),
                    rate_limits: self.state.settings.rate_limits_on(),
                    verification: self.state.settings.email_verification_on(),
                });
                Some(tokio::spawn(crate::mail::smtp_in::serve(
                    socket,
                    listener,
                    stop_mail.subscribe(),
                )))
            }
            Some(Err(e)) => {
                tracing::error!(error = %e, "the SMTP listener for replies could not start");
                None
            }
            None => None,
        };
        let reads = tokio::spawn(services::reads::run_flusher(
            self.state.reads.clone(),
            self.state.db.clone(),
        ));
        let result = self.server.await;
        reads.abort();
        // The views counted since the last batch.
        if let Err(e) = self.state.reads.flush(&self.state.db).await {
            tracing::warn!(error = %e, "writing the last view counts failed");
        }
        housekeeping.abort();
        indexer.abort();
        digests.abort();
        listener.abort();
        // Graceful: the message in flight is finished before the process ends.
        let _ = stop_mail.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(30), mailer).await;
        if let Some(inbound) = inbound {
            inbound.abort();
        }
        if let Some(hooks) = hooks {
            let _ = tokio::time::timeout(Duration::from_secs(15), hooks).await;
        }
        // Wait for the worker to stop so the index is released (a restart in the same
        // process can then open it again).
        let _ = indexer.await;
        result
    }
}

/// Opens the search engine. The embedded index admits one writer: a previous process
/// that is still shutting down holds it for a moment, so wait a little for it.
pub async fn open_search(
    settings: &Settings,
    patient: bool,
) -> anyhow::Result<crate::search::Search> {
    let mut tries = if patient { 0 } else { 20 };
    loop {
        match crate::search::open(
            &settings.data_dir,
            settings
                .meili_url
                .as_deref()
                .filter(|u| !u.trim().is_empty()),
            settings.meili_api_key.as_deref(),
            &settings.meili_index,
        )
        .await
        {
            Ok(search) => return Ok(search),
            Err(err) if tries < 20 => {
                tries += 1;
                tracing::info!(error = %err, "the search index is busy; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(err) => return Err(err.context("opening the search index")),
        }
    }
}

fn run(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            // Forms carry up to a 50,000-character body, URL-encoded.
            .app_data(web::FormConfig::default().limit(crate::extract::JSON_LIMIT))
            .app_data(web::PathConfig::default().error_handler(|_, _| {
                crate::error::AppError::coded(crate::error::Code::NotFound, "Not found").into()
            }))
            .app_data(web::QueryConfig::default().error_handler(|err, _| {
                crate::error::AppError::coded(crate::error::Code::InvalidQuery, format!("The query string could not be read: {err}"))
                .into()
            }))
            .configure(routes::configure)
            .wrap(from_fn(routes::limits::limit_routes))
            .wrap(from_fn(auth::ensure_csrf_cookie))
            .wrap(from_fn(routes::errors::shape_errors))
            .wrap(Compress::default())
            .wrap(
                DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("X-Frame-Options", "DENY"))
                    .add(("Referrer-Policy", "same-origin"))
                    .add((
                        "Content-Security-Policy",
                        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
                    )),
            )
            .wrap(from_fn(crate::telemetry::log_request))
            .wrap(TracingLogger::<crate::telemetry::PathOnly>::new())
    })
    // A compressed answer goes out as a header and a chunked body in two writes: without
    // this, Nagle's algorithm holds the body until the client's delayed ACK (~40 ms on
    // every reused connection).
    .tcp_nodelay(true)
    .listen(listener)?
    .shutdown_timeout(10)
    .run();
    Ok(server)
}
