//! The `Host:` policy of the dev server, against DNS rebinding: a web page on
//! `evil.example` whose name is re-pointed at 127.0.0.1 can make the browser send requests
//! to `serve`, but they still carry `Host: evil.example:PORT` — and are refused here.
//!
//! Allowed: `localhost`, `*.localhost` (browsers resolve those to loopback themselves),
//! loopback IP literals and the bound address, each with the bound port (no port means
//! 80). Bound to all interfaces (`0.0.0.0`, `::`), the user chose to expose the site, so
//! any `Host:` is answered (the server warns at start).

use axum::extract::{Request, State};
use axum::http::uri::Authority;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};

/// Which `Host:` values the server answers.
#[derive(Debug, Clone)]
pub struct HostPolicy {
    /// The address the listener is bound to (after picking a free port).
    bound: SocketAddr,
    /// The URL printed at start, named in the refusal so the user knows where to go.
    url: String,
}

impl HostPolicy {
    pub fn new(bound: SocketAddr, url: String) -> HostPolicy {
        HostPolicy { bound, url }
    }

    /// Is a request naming this authority (`Host:` value, or the authority of an
    /// absolute-form request target) one this server should answer?
    pub fn allows(&self, authority: &str) -> bool {
        if self.bound.ip().is_unspecified() {
            return true;
        }
        // `Authority` would accept and drop user info; a Host never has any.
        if authority.contains('@') {
            return false;
        }
        let Ok(parsed) = authority.parse::<Authority>() else {
            return false;
        };
        if parsed.port_u16().unwrap_or(80) != self.bound.port() {
            return false;
        }
        let host = parsed.host().to_ascii_lowercase();
        // A fully qualified name may end in a dot (`localhost.`).
        let name = host.strip_suffix('.').unwrap_or(&host);
        if name == "localhost" || name.ends_with(".localhost") {
            return true;
        }
        let literal = name
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(name);
        match literal.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback() || ip == self.bound.ip(),
            Err(_) => false,
        }
    }
}

/// Middleware: answers 403 (plain text) to a request for a host this server does not
/// serve, 400 to one without a usable `Host:`.
pub async fn guard(State(policy): State<HostPolicy>, req: Request, next: Next) -> Response {
    let authority = match req.uri().authority() {
        // RFC 9112 §3.2.2: an absolute-form target's authority wins over `Host:`.
        Some(a) => Some(a.as_str().to_string()),
        None => {
            let mut hosts = req.headers().get_all(header::HOST).iter();
            match (hosts.next(), hosts.next()) {
                (Some(h), None) => h.to_str().ok().map(str::to_string),
                _ => None,
            }
        }
    };
    let Some(authority) = authority else {
        return plain(
            StatusCode::BAD_REQUEST,
            "Bad request: exactly one valid Host header is required.\n".into(),
        );
    };
    if policy.allows(&authority) {
        return next.run(req).await;
    }
    plain(
        StatusCode::FORBIDDEN,
        format!(
            "Blocked request: this cheatgen dev server does not answer to Host {authority:?}. \
             Open {} instead.\n",
            policy.url
        ),
    )
}

fn plain(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(bound: &str) -> HostPolicy {
        HostPolicy::new(bound.parse().unwrap(), String::new())
    }

    #[test]
    fn loopback_bind_allows_loopback_names_on_its_port_only() {
        let p = policy("127.0.0.1:1111");
        for ok in [
            "localhost:1111",
            "LOCALHOST:1111",
            "localhost.:1111",
            "docs.localhost:1111",
            "127.0.0.1:1111",
            "127.0.0.2:1111",
            "[::1]:1111",
        ] {
            assert!(p.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example:1111",
            "localhost.evil.example:1111",
            "localhost:1112",
            "localhost",
            "127.0.0.1",
            "192.168.1.5:1111",
            "user@localhost:1111",
            "",
            "local host:1111",
        ] {
            assert!(!p.allows(bad), "{bad}");
        }
        assert!(policy("127.0.0.1:80").allows("localhost"), "no port is 80");
    }

    #[test]
    fn specific_address_bind_allows_that_address() {
        let p = policy("192.168.1.5:1111");
        assert!(p.allows("192.168.1.5:1111"));
        assert!(!p.allows("192.168.1.6:1111"));
        assert!(!p.allows("evil.example:1111"));
        let p6 = policy("[fe80::1]:1111");
        assert!(p6.allows("[fe80::1]:1111"));
        assert!(!p6.allows("[fe80::2]:1111"));
    }

    #[test]
    fn all_interfaces_allow_any_host() {
        assert!(policy("0.0.0.0:1111").allows("mybox.lan:1111"));
        assert!(policy("[::]:1111").allows("anything"));
    }
}
