//! The guard in front of every page and API call: the Host header must name this server
//! (against DNS rebinding), an Origin header must be ours (against cross-site requests),
//! and the per-start token must come with the request, first in the address, then in a
//! session cookie.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// What the guard needs to know about this server.
#[derive(Debug, Clone)]
pub(crate) struct Guard {
    pub token: String,
    pub port: u16,
}

impl Guard {
    /// The cookie carries the port in its name: cookies are shared between ports of one
    /// host, and two commis servers must not overwrite each other's session.
    pub fn cookie_name(&self) -> String {
        format!("commis_{}", self.port)
    }

    fn host_is_ours(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        host == format!("127.0.0.1:{}", self.port) || host == format!("localhost:{}", self.port)
    }

    fn origin_is_ours(&self, origin: &str) -> bool {
        let origin = origin.to_ascii_lowercase();
        origin == format!("http://127.0.0.1:{}", self.port)
            || origin == format!("http://localhost:{}", self.port)
    }

    fn token_matches(&self, candidate: &str) -> bool {
        constant_time_eq(candidate.as_bytes(), self.token.as_bytes())
    }

    fn session_cookie(&self) -> String {
        format!(
            "{}={}; HttpOnly; SameSite=Strict; Path=/",
            self.cookie_name(),
            self.token
        )
    }

    fn cookie_token<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        let name = self.cookie_name();
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }
}

/// Compares two secrets in time that does not depend on where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token given in the query string, if any.
fn query_token(query: Option<&str>) -> Option<&str> {
    query?
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == "token")
        .map(|(_, v)| v)
}

/// The query string without its `token` parameter, for the clean address we redirect to.
fn query_without_token(query: Option<&str>) -> String {
    let rest: Vec<&str> = query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("token="))
        .collect();
    if rest.is_empty() {
        String::new()
    } else {
        format!("?{}", rest.join("&"))
    }
}

fn refusal(status: StatusCode, message: String, wants_html: bool) -> Response {
    let mut response = if wants_html {
        let body = format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>commis</title></head>\
             <body>\
             <h1>commis</h1><p>{}</p></body></html>",
            html_escape(&message)
        );
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response()
    } else {
        (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The middleware: refuses foreign hosts and origins, then checks the token.
pub(crate) async fn guard(
    State(state): State<Arc<AppState>>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let guard = &state.guard;
    let headers = request.headers();
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));

    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !guard.host_is_ours(host) {
        return refusal(
            StatusCode::FORBIDDEN,
            format!(
                "commis refused this request: the Host header `{host}` is not this server. \
                 Open http://127.0.0.1:{}/ as printed by `commis serve` \
                 (other names are refused to prevent DNS rebinding). \
                 / commis a refusé cette requête : l'en-tête Host ne désigne pas ce serveur.",
                guard.port
            ),
            wants_html,
        );
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if !guard.origin_is_ours(origin) {
            return refusal(
                StatusCode::FORBIDDEN,
                format!(
                    "commis refused this request: it comes from another site (Origin `{origin}`). \
                     Only pages served by commis itself may call it. \
                     / commis a refusé cette requête : elle vient d'un autre site."
                ),
                wants_html,
            );
        }
    }

    // Browsers say where a request comes from even when they send no Origin (a <script>
    // or <img> from another port of 127.0.0.1 is "same-site" and would carry the cookie).
    let fetch_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let navigation = headers
        .get("sec-fetch-mode")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|m| m == "navigate");
    if matches!(fetch_site, "cross-site" | "same-site") && !navigation {
        return refusal(
            StatusCode::FORBIDDEN,
            format!(
                "commis refused this request: it comes from another site (Sec-Fetch-Site `{fetch_site}`). \
                 Only pages served by commis itself may call it. \
                 / commis a refusé cette requête : elle vient d'un autre site."
            ),
            wants_html,
        );
    }

    let from_cookie = guard
        .cookie_token(headers)
        .is_some_and(|t| guard.token_matches(t));
    let query = request.uri().query();
    let from_query = query_token(query).is_some_and(|t| guard.token_matches(t));
    if !from_cookie && !from_query {
        let message = if query_token(query).is_some() || guard.cookie_token(headers).is_some() {
            "commis refused this request: the access token is wrong or from an earlier start. \
             Open the address printed by the running `commis serve` (…/?token=…). \
             / Le jeton d'accès est faux ou périmé : ouvrez l'adresse affichée par `commis serve`."
                .to_string()
        } else {
            format!(
                "commis needs its access token: open the address printed by `commis serve` \
                 (http://127.0.0.1:{}/?token=…). \
                 / commis a besoin de son jeton d'accès : ouvrez l'adresse affichée par `commis serve`.",
                guard.port
            )
        };
        return refusal(StatusCode::UNAUTHORIZED, message, wants_html);
    }

    if from_query && !from_cookie {
        // A page opened with the token: set the session and drop the token from the
        // address bar (and from the history) with a redirect.
        let path = request.uri().path();
        let is_page = request.method() == axum::http::Method::GET && !path.starts_with("/api/");
        if is_page {
            let location = format!("{path}{}", query_without_token(query));
            let mut response = StatusCode::SEE_OTHER.into_response();
            if let Ok(v) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, v);
            }
            if let Ok(v) = HeaderValue::from_str(&guard.session_cookie()) {
                response.headers_mut().insert(header::SET_COOKIE, v);
            }
            return response;
        }
        let mut response = next.run(request).await;
        if let Ok(v) = HeaderValue::from_str(&guard.session_cookie()) {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
        return response;
    }
    next.run(request).await
}

/// Headers every response carries: no framing, no sniffing, no referrer, own scripts only.
pub(crate) async fn security_headers(request: Request<Body>, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> Guard {
        Guard {
            token: "abc".into(),
            port: 4000,
        }
    }

    #[test]
    fn only_loopback_names_with_our_port_are_our_host() {
        let g = guard();
        assert!(g.host_is_ours("127.0.0.1:4000"));
        assert!(g.host_is_ours("LOCALHOST:4000"));
        assert!(!g.host_is_ours("127.0.0.1:4001"));
        assert!(!g.host_is_ours("evil.example:4000"));
        assert!(!g.host_is_ours("127.0.0.1"));
        assert!(!g.host_is_ours(""));
    }

    #[test]
    fn origins_must_be_our_http_address() {
        let g = guard();
        assert!(g.origin_is_ours("http://127.0.0.1:4000"));
        assert!(g.origin_is_ours("http://localhost:4000"));
        assert!(!g.origin_is_ours("https://127.0.0.1:4000"));
        assert!(!g.origin_is_ours("null"));
        assert!(!g.origin_is_ours("http://evil.example"));
    }

    #[test]
    fn the_token_is_read_from_the_query_and_dropped_from_the_redirect() {
        assert_eq!(query_token(Some("a=1&token=xyz")), Some("xyz"));
        assert_eq!(query_token(Some("a=1")), None);
        assert_eq!(query_without_token(Some("token=xyz")), "");
        assert_eq!(query_without_token(Some("lang=fr&token=xyz")), "?lang=fr");
    }

    #[test]
    fn the_session_cookie_is_http_only_and_strict() {
        let c = guard().session_cookie();
        assert!(c.starts_with("commis_4000=abc;"));
        assert!(c.contains("HttpOnly"));
        assert!(c.contains("SameSite=Strict"));
        assert!(c.contains("Path=/"));
    }

    #[test]
    fn secrets_compare_equal_only_when_identical() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
