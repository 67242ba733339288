//! End-to-end tests in a real browser: headless Chromium driven through ChromeDriver
//! (fantoccini), against the real application on its own fresh database. Every flow runs
//! twice, with JavaScript on and with it off, and the main pages are checked with
//! axe-core and saved as screenshots (desktop and phone widths) under
//! target/screenshots/.
//!
//! Needs /usr/bin/chromium and /usr/bin/chromedriver (Debian: `chromium chromium-driver`)
//! and axe-core (`npm install axe-core`; set `QUORUM_AXE_JS` to its axe.min.js, or
//! leave it where .ci/run puts it). Without them the tests say so and pass, except in CI
//! (`CI` set), where a missing browser is a failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

mod browser;
mod flows;
mod moderation;
mod pages;
mod sso;
