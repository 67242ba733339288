//! Who is calling, as far as the connection tells: the client's address and browser.

use std::net::IpAddr;

use actix_web::{HttpRequest, web};

use crate::config::Switch;
use crate::services::sessions::Origin;
use crate::state::AppState;

/// The caller's address, for rate limits and the session list: the peer address, or
/// (with `QUORUM_TRUST_PROXY=on`, when the peer is a trusted proxy) the right-most
/// `X-Forwarded-For` hop that is not a trusted proxy. The left-most hops are whatever
/// the client wrote, so they are never believed. `Forwarded` is not read.
pub fn client_ip(req: &HttpRequest) -> String {
    let peer = req.peer_addr().map(|a| a.ip());
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return show(peer);
    };
    if state.settings.trust_proxy != Switch::On {
        return show(peer);
    }
    let proxies = state.settings.trusted_proxies();
    let trusted = |ip: IpAddr| {
        if proxies.is_empty() {
            // Only the load balancer that connects to us is trusted.
            false
        } else {
            proxies.iter().any(|p| p.contains(ip))
        }
    };
    let Some(peer_ip) = peer else {
        return show(peer);
    };
    if !proxies.is_empty() && !trusted(peer_ip) {
        // Not from our proxy: whatever it forwarded is the client's own claim.
        return show(peer);
    }
    let hops: Vec<IpAddr> = req
        .headers()
        .get_all("X-Forwarded-For")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(parse_hop)
        .collect();
    for hop in hops.iter().rev() {
        if !trusted(*hop) {
            return hop.to_string();
        }
    }
    // Every hop is one of ours: the left-most is the closest we know to the client.
    hops.first()
        .map(IpAddr::to_string)
        .unwrap_or_else(|| show(peer))
}

fn show(ip: Option<IpAddr>) -> String {
    ip.map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// One `X-Forwarded-For` entry: an address, perhaps with a port or in brackets.
fn parse_hop(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim();
    if let Ok(ip) = raw.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(addr) = raw.parse::<std::net::SocketAddr>() {
        return Some(addr.ip());
    }
    raw.trim_start_matches('[')
        .split(']')
        .next()
        .and_then(|s| s.parse().ok())
}

/// Where a request comes from, for the session it may start.
pub fn origin(req: &HttpRequest) -> Origin {
    Origin {
        ip: client_ip(req),
        user_agent: req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    }
}
