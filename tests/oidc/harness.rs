//! The test OpenID provider (`tests/oidc/provider.mjs`, see README.md next to it) from
//! Rust: shared by the `api` and `browser` test binaries, which include this file with
//! `#[path = "../oidc/harness.rs"] mod oidc_harness;`.
//!
//! Each test starts its own provider on a free port and its own application: the
//! provider must know Quorum's redirect URI, and Quorum the provider's issuer, so the
//! app's port is chosen first (`free_port`), then the provider starts, then the app
//! binds the chosen port (`configure`).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use quorum::config::Settings;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// The one client the provider knows.
pub const CLIENT_ID: &str = "quorum-test";
pub const CLIENT_SECRET: &str = "quorum-test-secret";
/// What Quorum calls the provider ("Sign in with …").
pub const PROVIDER_NAME: &str = "Example ID";
/// How long the provider may take to print `READY` (node's start, a 2048-bit RSA key).
const READY_WITHIN: Duration = Duration::from_secs(30);

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Where `oidc-provider` is installed: `QUORUM_OIDC_NODE_MODULES`, else (outside CI)
/// `$HOME/.cache/quorum-oidc/node_modules`. Without it, or without `node`, the test is
/// skipped with a note outside CI and fails in CI.
pub fn node_modules(test: &str) -> Option<PathBuf> {
    let node = std::process::Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let configured = std::env::var("QUORUM_OIDC_NODE_MODULES")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(PathBuf::from);
    if in_ci() {
        assert!(
            node,
            "CI needs node for the OpenID provider (tests/oidc/README.md)"
        );
        let dir = configured.unwrap_or_else(|| {
            panic!("CI needs QUORUM_OIDC_NODE_MODULES: see tests/oidc/README.md")
        });
        return Some(dir);
    }
    let dir = configured.or_else(|| {
        let home = std::env::var("HOME").ok()?;
        let default = Path::new(&home).join(".cache/quorum-oidc/node_modules");
        default.join("oidc-provider").exists().then_some(default)
    });
    match dir {
        Some(dir) if node => Some(dir),
        _ => {
            eprintln!(
                "skipped {test}: no node or no oidc-provider (set QUORUM_OIDC_NODE_MODULES, \
                 see tests/oidc/README.md)"
            );
            None
        }
    }
}

/// A free port on 127.0.0.1 (the listener is closed again at once).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("picking a free port")
        .port()
}

/// `http://127.0.0.1:{port}`: the base URL of an app that will bind `port`.
pub fn base_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

/// Quorum's redirect URI for an app at `base`.
pub fn redirect_uri(base: &str) -> String {
    format!("{base}/auth/sso/callback")
}

/// Points the app's settings at `provider`, to be served on `port`.
pub fn configure(settings: &mut Settings, port: u16, provider: &OidcProvider) {
    settings.bind = format!("127.0.0.1:{port}");
    settings.base_url = Some(base_url(port));
    settings.oidc_issuer = Some(provider.issuer.clone());
    settings.oidc_client_id = Some(CLIENT_ID.into());
    settings.oidc_client_secret = Some(CLIENT_SECRET.into());
    settings.oidc_name = PROVIDER_NAME.into();
}

/// What a provider is started with, beyond its redirect URI.
#[derive(Default, Clone)]
pub struct ProviderOptions {
    /// `ID_TOKEN_TTL`, in seconds (the provider's default is 600).
    pub id_token_ttl: Option<u32>,
    /// `ACCOUNTS`: merged over alice, bob and mallory.
    pub extra_accounts: Option<Value>,
    /// Runs the provider's clock this many seconds behind the real one (every time it
    /// writes, `iat` and `exp` included), so its tokens arrive already old.
    pub clock_behind_secs: Option<u32>,
}

/// A running `provider.mjs`; stopped when dropped.
pub struct OidcProvider {
    /// `http://127.0.0.1:<port>`, as the provider printed it.
    pub issuer: String,
    child: Child,
    /// The provider exits when this pipe closes.
    stdin: Option<ChildStdin>,
    _stdout: Lines<BufReader<ChildStdout>>,
    /// The provider's diagnostics, shown when a test fails.
    log: tempfile::NamedTempFile,
}

impl OidcProvider {
    /// Starts a provider whose one client redirects to `redirect_uri`.
    pub async fn start(
        node_modules: &Path,
        redirect_uri: &str,
        id_token_ttl: Option<u32>,
        extra_accounts: Option<Value>,
    ) -> OidcProvider {
        Self::start_with(
            node_modules,
            redirect_uri,
            ProviderOptions {
                id_token_ttl,
                extra_accounts,
                clock_behind_secs: None,
            },
        )
        .await
    }

    pub async fn start_with(
        node_modules: &Path,
        redirect_uri: &str,
        options: ProviderOptions,
    ) -> OidcProvider {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/oidc/provider.mjs");
        let log = tempfile::NamedTempFile::new().expect("creating the provider's log file");
        let mut command = Command::new("node");
        if let Some(secs) = options.clock_behind_secs {
            command.arg(format!(
                "--import=data:text/javascript,const real=Date.now;Date.now=()=>real()-{};",
                u64::from(secs) * 1000
            ));
        }
        command
            .arg(&script)
            .env("QUORUM_OIDC_NODE_MODULES", node_modules)
            .env("PORT", "0")
            .env("CLIENT_ID", CLIENT_ID)
            .env("CLIENT_SECRET", CLIENT_SECRET)
            .env("REDIRECT_URI", redirect_uri)
            .env_remove("ID_TOKEN_TTL")
            .env_remove("ACCOUNTS")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(
                log.reopen().expect("opening the provider's log file"),
            ))
            .kill_on_drop(true);
        if let Some(ttl) = options.id_token_ttl {
            command.env("ID_TOKEN_TTL", ttl.to_string());
        }
        if let Some(accounts) = &options.extra_accounts {
            command.env("ACCOUNTS", accounts.to_string());
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("starting node {}: {e}", script.display()));
        let stdin = child.stdin.take().expect("the provider's stdin");
        let stdout = child.stdout.take().expect("the provider's stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(READY_WITHIN, lines.next_line()).await;
        let issuer = match first {
            Ok(Ok(Some(ref line))) => line.strip_prefix("READY ").map(str::to_string),
            _ => None,
        };
        let Some(issuer) = issuer else {
            let _ = child.start_kill();
            let status = child.try_wait().ok().flatten();
            panic!(
                "the OpenID provider did not print READY within {READY_WITHIN:?} \
                 (first stdout line: {first:?}, exit: {status:?}); its stderr:\n{}",
                std::fs::read_to_string(log.path()).unwrap_or_default()
            );
        };
        OidcProvider {
            issuer,
            child,
            stdin: Some(stdin),
            _stdout: lines,
            log,
        }
    }

    /// What the provider wrote to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("the OpenID provider's stderr:\n{}", self.log());
        }
        // Closing stdin alone would stop it; the kill makes sure.
        drop(self.stdin.take());
        let _ = self.child.start_kill();
    }
}
