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
    /// The Meilisearch index name (two installations can share one server).
    #[arg(
        long = "meili-index",
        env = "MEILI_INDEX",
        default_value = crate::search::meili::DEFAULT_INDEX,
        global = true,
        value_parser = parse_index_uid
    )]
    pub meili_index: String,
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
    pub rate_limit: Switch,
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
    pub trust_proxy: Switch,
    /// Comma list of addresses or CIDR ranges (`10.0.0.0/8, fd00::/8`) of the proxies in
    /// front of Quorum. With `QUORUM_TRUST_PROXY=on` the client is the right-most
    /// `X-Forwarded-For` hop that is not one of them; when empty, only the connecting
    /// peer is trusted.
    #[arg(
        long = "trusted-proxies",
        env = "QUORUM_TRUSTED_PROXIES",
        default_value = "",
        global = true
    )]
    pub trusted_proxies: String,
    /// `on`: new members confirm their address before they post, vote or follow. `off`
    /// lets them post at once (trusted networks, load tests).
    #[arg(
        long = "email-verification",
        env = "QUORUM_EMAIL_VERIFICATION",
        default_value = "on",
        global = true
    )]
    pub email_verification: Switch,
    /// `off`: single sign-on is the only way in (no passwords, no registration form).
    #[arg(
        long = "password-login",
        env = "QUORUM_PASSWORD_LOGIN",
        default_value = "on",
        global = true
    )]
    pub password_login: Switch,
    /// OpenID Connect issuer URL (discovery at `/.well-known/openid-configuration`);
    /// single sign-on is on when this and the client id are set.
    #[arg(long = "oidc-issuer", env = "QUORUM_OIDC_ISSUER", global = true)]
    pub oidc_issuer: Option<String>,
    #[arg(long = "oidc-client-id", env = "QUORUM_OIDC_CLIENT_ID", global = true)]
    pub oidc_client_id: Option<String>,
    #[arg(
        long = "oidc-client-secret",
        env = "QUORUM_OIDC_CLIENT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub oidc_client_secret: Option<String>,
    /// Labels the sign-in button ("Sign in with …").
    #[arg(
        long = "oidc-name",
        env = "QUORUM_OIDC_NAME",
        default_value = "single sign-on",
        global = true
    )]
    pub oidc_name: String,
    /// Reply by e-mail: where the app listens for SMTP (`127.0.0.1:2525`); unset, it does
    /// not listen (an MTA can still pipe mail to `quorum ingest-mail`).
    #[arg(
        long = "inbound-smtp-bind",
        env = "QUORUM_INBOUND_SMTP_BIND",
        global = true
    )]
    pub inbound_smtp_bind: Option<String>,
    /// Reply by e-mail: the domain of the `reply+TOKEN@` addresses notification mails
    /// carry in `Reply-To`; unset, mails carry none.
    #[arg(long = "reply-domain", env = "QUORUM_REPLY_DOMAIN", global = true)]
    pub reply_domain: Option<String>,
    /// Counts the SQL statements the app runs (tests that guard against N+1 queries set
    /// it; there is no flag or variable for it).
    #[arg(skip)]
    pub statement_counter: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
    /// The waits before each webhook retry (tests shorten them; there is no flag or
    /// variable for it). None: `services::webhooks::RETRIES`.
    #[arg(skip)]
    pub webhook_retries: Option<Vec<std::time::Duration>>,
}

/// An address range: `10.0.0.0/8`, `fd00::/8`, or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    pub network: std::net::IpAddr,
    pub prefix: u8,
}

impl Cidr {
    pub fn parse(raw: &str) -> Option<Self> {
        let (addr, prefix) = match raw.split_once('/') {
            Some((a, p)) => (a.trim(), Some(p.trim().parse::<u8>().ok()?)),
            None => (raw.trim(), None),
        };
        let network: std::net::IpAddr = addr.parse().ok()?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Self { network, prefix })
    }

    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr::{V4, V6};
        let ip = match ip {
            V6(v6) => v6.to_ipv4_mapped().map(V4).unwrap_or(V6(v6)),
            other => other,
        };
        match (self.network, ip) {
            (V4(net), V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (V6(net), V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The single sign-on provider's settings.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    On,
    Off,
}

/// A Meilisearch index uid: letters, digits, `-` and `_`, at most 400 bytes (the
/// rebuild's `_rebuild` suffix included).
fn parse_index_uid(raw: &str) -> Result<String, String> {
    let ok = !raw.is_empty()
        && raw.len() <= 390
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(raw.to_string())
    } else {
        Err("an index name is 1 to 390 letters, digits, - or _".into())
    }
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
            meili_index: crate::search::meili::DEFAULT_INDEX.into(),
            smtp_url: None,
            mail_from: "Quorum <quorum@localhost>".into(),
            base_url: None,
            allowed_email_domains: String::new(),
            rate_limit: Switch::On,
            trust_proxy: Switch::Off,
            trusted_proxies: String::new(),
            email_verification: Switch::On,
            password_login: Switch::On,
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_client_secret: None,
            oidc_name: "single sign-on".into(),
            inbound_smtp_bind: None,
            reply_domain: None,
            statement_counter: None,
            webhook_retries: None,
        }
    }

    /// `QUORUM_REPLY_DOMAIN`, when set to something.
    pub fn reply_domain(&self) -> Option<&str> {
        self.reply_domain
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
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

    /// Whether an address's domain may join: `None` when it may, else the list of
    /// allowed domains, for the message.
    pub fn refused_domain(&self, domain: &str) -> Option<String> {
        let domains = self.allowed_domains();
        (!domains.is_empty() && !domains.iter().any(|d| d == domain)).then(|| domains.join(" or "))
    }

    pub fn rate_limits_on(&self) -> bool {
        self.rate_limit == Switch::On
    }

    pub fn email_verification_on(&self) -> bool {
        self.email_verification == Switch::On
    }

    pub fn password_login_on(&self) -> bool {
        self.password_login == Switch::On
    }

    /// The single sign-on provider, when one is configured.
    pub fn oidc(&self) -> Option<OidcSettings> {
        let issuer = self
            .oidc_issuer
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())?;
        let client_id = self
            .oidc_client_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())?;
        Some(OidcSettings {
            // As configured: discovery compares the provider's issuer exactly (some end
            // in `/`).
            issuer: issuer.to_string(),
            client_id: client_id.to_string(),
            client_secret: self
                .oidc_client_secret
                .clone()
                .filter(|s| !s.trim().is_empty()),
            name: self.oidc_name.trim().to_string(),
        })
    }

    /// `QUORUM_TRUSTED_PROXIES`, read; entries that do not parse are left out (and
    /// logged at start-up by `check`).
    pub fn trusted_proxies(&self) -> Vec<Cidr> {
        self.trusted_proxies
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .filter_map(Cidr::parse)
            .collect()
    }

    /// Cookies get the `Secure` flag when the site is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.base_url().starts_with("https://")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn ranges_hold_their_addresses() {
        let net = Cidr::parse("10.0.0.0/8").expect("a range");
        assert!(net.contains("10.200.3.4".parse().expect("an address")));
        assert!(net.contains("::ffff:10.1.1.1".parse().expect("an address")));
        assert!(!net.contains("11.0.0.1".parse().expect("an address")));
        let one = Cidr::parse("192.168.1.5").expect("one address");
        assert!(one.contains("192.168.1.5".parse().expect("an address")));
        assert!(!one.contains("192.168.1.6".parse().expect("an address")));
        let v6 = Cidr::parse("fd00::/8").expect("a range");
        assert!(v6.contains("fd12::1".parse().expect("an address")));
        assert!(!v6.contains("fe80::1".parse().expect("an address")));
        assert!(
            Cidr::parse("0.0.0.0/0")
                .expect("all")
                .contains("8.8.8.8".parse().expect("an address"))
        );
        assert_eq!(Cidr::parse("10.0.0.0/33"), None);
        assert_eq!(Cidr::parse("nonsense"), None);
    }
}
