//! Who is calling, as far as the connection tells: the client's address.

use actix_web::{HttpRequest, web};

use crate::state::AppState;

/// The caller's address, for rate limits: the peer address, or (with
/// `QUORUM_TRUST_PROXY=on`) the client address the proxy reports.
pub fn client_ip(req: &HttpRequest) -> String {
    let behind_proxy = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.settings.trust_proxy == crate::config::RateLimitSwitch::On);
    if behind_proxy && let Some(ip) = req.connection_info().realip_remote_addr() {
        // Without a forwarding header this is the peer's "ip:port": keep the ip.
        if let Ok(addr) = ip.parse::<std::net::SocketAddr>() {
            return addr.ip().to_string();
        }
        return ip.chars().filter(|c| !c.is_control()).take(64).collect();
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}
