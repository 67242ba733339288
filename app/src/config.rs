//! Settings: compiled defaults, overridden by the environment (and by flags that mirror
//! it). The names are the public contract in shared/api.md.

use std::path::PathBuf;

use clap::Args;

/// Every knob Quorum reads. Flags mirror the environment variables of the same meaning.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to listen on.
    #[arg(
        long = "bind",
        env = "QUORUM_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,
    /// Where the embedded defaults (SQLite, search index, mail) keep their files.
    #[arg(
        long = "data-dir",
        env = "QUORUM_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; defaults to a SQLite file in the data dir.
    #[arg(long = "database-url", env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// When set, search uses Meilisearch at this address.
    #[arg(long = "meili-url", env = "MEILI_URL", global = true)]
    pub meili_url: Option<String>,
    /// Meilisearch API key.
    #[arg(
        long = "meili-api-key",
        env = "MEILI_API_KEY",
        global = true,
        hide_env_values = true
    )]
    pub meili_api_key: Option<String>,
    /// e.g. `smtp://127.0.0.1:2525`; when unset mail is written as .eml files.
    #[arg(
        long = "smtp-url",
        env = "SMTP_URL",
        global = true,
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,
    /// Sender of every message.
    #[arg(
        long = "mail-from",
        env = "QUORUM_MAIL_FROM",
        default_value = "Quorum <quorum@localhost>",
        global = true
    )]
    pub mail_from: String,
    /// Absolute links in e-mails and feeds; defaults to `http://$QUORUM_BIND`.
    #[arg(long = "base-url", env = "QUORUM_BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// Comma list of e-mail domains allowed to register; empty allows any.
    #[arg(
        long = "allowed-email-domains",
        env = "QUORUM_ALLOWED_EMAIL_DOMAINS",
        default_value = "",
        global = true
    )]
    pub allowed_email_domains: String,
    /// `off` turns every rate limit off (load tests, trusted networks).
    #[arg(
        long = "rate-limit",
        env = "QUORUM_RATE_LIMIT",
        default_value = "on",
        global = true
    )]
    pub rate_limit: RateLimitSwitch,
    /// `on` when Quorum runs behind a load balancer or reverse proxy that sets
    /// `X-Forwarded-For` (or `Forwarded`): rate limits then count per client address
    /// rather than per proxy. Leave `off` when clients reach Quorum directly, or they
    /// could pick their own address.
    #[arg(
        long = "trust-proxy",
        env = "QUORUM_TRUST_PROXY",
        default_value = "off",
        global = true
    )]
    pub trust_proxy: RateLimitSwitch,
    /// Counts the SQL statements the app runs (tests that guard against N+1 queries set
    /// it; there is no flag or variable for it).
    #[arg(skip)]
    pub statement_counter: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RateLimitSwitch {
    On,
    Off,
}

impl Settings {
    /// Settings for a data dir with every other value at its default, as a fresh install
    /// has them. Used by tests and tools that build settings in code.
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            data_dir: data_dir.into(),
            database_url: None,
            meili_url: None,
            meili_api_key: None,
            smtp_url: None,
            mail_from: "Quorum <quorum@localhost>".into(),
            base_url: None,
            allowed_email_domains: String::new(),
            rate_limit: RateLimitSwitch::On,
            trust_proxy: RateLimitSwitch::Off,
            statement_counter: None,
        }
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => url.clone(),
            _ => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("quorum.db").display()
            ),
        }
    }

    pub fn base_url(&self) -> String {
        match &self.base_url {
            Some(url) if !url.trim().is_empty() => url.trim_end_matches('/').to_string(),
            _ => format!("http://{}", self.bind),
        }
    }

    pub fn allowed_domains(&self) -> Vec<String> {
        self.allowed_email_domains
            .split(',')
            .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
            .filter(|d| !d.is_empty())
            .collect()
    }

    pub fn rate_limits_on(&self) -> bool {
        self.rate_limit == RateLimitSwitch::On
    }

    /// Cookies get the `Secure` flag when the site is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.base_url().starts_with("https://")
    }
}
