//! A headless Chromium session through its own ChromeDriver process.

use std::path::{Path, PathBuf};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Whether the browser is here; outside CI a missing one skips the test with a note.
pub fn available(test: &str) -> bool {
    let here = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !here {
        assert!(
            !in_ci(),
            "CI needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)"
        );
        eprintln!("skipped {test}: no {CHROMIUM} / {CHROMEDRIVER} on this machine");
    }
    here
}

/// axe-core's script: `QUORUM_AXE_JS`, or where .ci/run installs it.
pub fn axe_script() -> Option<String> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Ok(p) = std::env::var("QUORUM_AXE_JS") {
        candidates.push(p.into());
    }
    if let Ok(home) = std::env::var("HOME") {
        candidates
            .push(Path::new(&home).join(".cache/quorum-npm/node_modules/axe-core/axe.min.js"));
    }
    let found = candidates
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok());
    if found.is_none() {
        assert!(
            !in_ci(),
            "CI needs axe-core: npm install --prefix ~/.cache/quorum-npm axe-core"
        );
        eprintln!("axe-core not found (set QUORUM_AXE_JS): accessibility checks skipped");
    }
    found
}

pub struct Browser {
    pub client: Client,
    pub base: String,
    pub js: bool,
    pub dark: bool,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start(base: &str, js: bool) -> Browser {
        Self::start_with(base, js, false).await
    }

    /// `dark`: the system asks for dark colours (`prefers-color-scheme: dark`).
    pub async fn start_with(base: &str, js: bool, dark: bool) -> Browser {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("starting chromedriver");
        let profile = tempfile::tempdir().unwrap();
        let mut options = json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1280,900", "--lang=en-GB",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        });
        if dark {
            options["args"]
                .as_array_mut()
                .unwrap()
                .push(json!("--force-dark-mode"));
        }
        if !js {
            options["prefs"] = json!({"profile.managed_default_content_settings.javascript": 2});
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..100 {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Browser {
                        client,
                        base: base.to_string(),
                        js,
                        dark,
                        driver,
                        _profile: profile,
                    };
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not start: {last:?}");
    }

    pub async fn quit(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill().await;
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        url.path().to_string()
    }

    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} on {}: {e}", self.base))
    }

    /// Types into a field as a person would (works with JavaScript off).
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap();
    }

    /// Signs in through the form with the test password; waits for the header to name
    /// the member.
    pub async fn sign_in(&self, username: &str) {
        self.goto("/signin").await;
        self.fill("#login", username).await;
        self.fill("#password", crate::helpers::PASSWORD).await;
        self.click("form[action^='/signin'] button[type=submit]")
            .await;
        self.wait_text(".member-menu", username).await;
    }

    /// Waits until the element's text contains `needle`; returns the text.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let mut last = String::new();
        for _ in 0..100 {
            if let Ok(el) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = el.text().await
            {
                if text.contains(needle) {
                    return text;
                }
                last = text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} never contained {needle:?}; last text: {last:?}");
    }

    pub async fn source(&self) -> String {
        self.client.source().await.unwrap()
    }

    /// A marker in the page's window: it survives in-place updates, not navigation.
    pub async fn mark_page(&self) {
        if self.js {
            self.client
                .execute("window.__quorumMark = 'kept';", vec![])
                .await
                .unwrap();
        }
    }

    pub async fn page_was_kept(&self) -> bool {
        self.client
            .execute("return window.__quorumMark === 'kept';", vec![])
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    pub async fn screenshot(&self, name: &str) {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let mode = match (self.js, self.dark) {
            (_, true) => "-dark",
            (true, false) => "",
            (false, false) => "-nojs",
        };
        for (width, height, label) in [(1280, 900, "desktop"), (360, 740, "phone")] {
            self.client.set_window_size(width, height).await.unwrap();
            tokio::time::sleep(Duration::from_millis(150)).await;
            let png = self.client.screenshot().await.unwrap();
            std::fs::write(dir.join(format!("{name}-{label}{mode}.png")), png).unwrap();
        }
        self.client.set_window_size(1280, 900).await.unwrap();
    }

    /// Runs axe-core on the current page; returns its serious and critical violations.
    pub async fn axe(&self, script: &str) -> Vec<Value> {
        self.client.execute(script, vec![]).await.unwrap();
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {resultTypes: ['violations']})
                    .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.html)}))))
                    .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e)}]));",
                vec![],
            )
            .await
            .unwrap();
        result
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect()
    }
}

impl Drop for Browser {
    /// A test that fails midway never reaches `quit`: make sure its Chromium goes too
    /// (killing ChromeDriver alone leaves the browser running).
    fn drop(&mut self) {
        let profile = format!("--user-data-dir={}", self._profile.path().display());
        let _ = std::process::Command::new("pkill")
            .args(["-f", "--", &profile])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// `<workspace>/target/screenshots`.
pub fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target")
        .join("screenshots")
}
