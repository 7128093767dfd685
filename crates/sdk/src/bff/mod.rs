//! A backend-for-frontend: the browser app talks to `/api/...` on its own origin with its
//! session cookie; the BFF forwards each call to an allow-listed upstream API with the
//! session's access token as `Authorization: Bearer` (refreshed when needed). Tokens
//! never reach the browser's JavaScript.
//!
//! - Calls other than GET, HEAD and OPTIONS need `X-CSRF: 1` (a header a cross-site
//!   form can't send): without it, 401.
//! - The browser's `Cookie` and `Authorization` headers never go upstream, nor hop-by-hop
//!   headers; the upstream's `Set-Cookie` never comes back.
//! - Only the configured upstream of a route is ever called: a path that tries to name
//!   another host or climb out (`//`, `://`, `..`, `\`) is 404 here.
//! - Bodies stream both ways; responses are `Cache-Control: no-store`.
//! - No session: 401, unless the route allows anonymous calls (then no token is sent).
//!   An upstream 401 becomes a clear 401 of the BFF; an upstream that does not start
//!   answering within the route's timeout, 504.
//!
//! Mount [`proxy_router`] and [`Auth0Client::login_router`](crate::web::Auth0Client::login_router)
//! (the login routes without `/auth/access-token`) under
//! [`Auth0Client::layer`](crate::web::Auth0Client::layer).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::json;
use url::Url;

use crate::web::{AccessTokenError, CurrentSession};

/// One forwarded prefix.
#[derive(Debug, Clone)]
pub struct ProxyRoute {
    /// Where the browser calls, e.g. `/api/orders` (no trailing slash).
    pub prefix: String,
    /// Where the calls go, e.g. `http://127.0.0.1:3001/` (the rest of the path is
    /// appended to its path).
    pub upstream: Url,
    /// Forward calls without a session too (without a token).
    pub anonymous: bool,
    /// How long the upstream may take to start answering (the body then streams
    /// without a limit); past it, 504. [`DEFAULT_ANSWER_TIMEOUT`] unless set.
    pub answer_timeout: Duration,
}

/// How long an upstream may take to start answering, unless a route says otherwise.
pub const DEFAULT_ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

impl ProxyRoute {
    /// A route to `upstream` under `prefix`, with a session required and the default
    /// answer timeout.
    pub fn new(prefix: &str, upstream: Url) -> ProxyRoute {
        ProxyRoute {
            prefix: prefix.trim_end_matches('/').to_owned(),
            upstream,
            anonymous: false,
            answer_timeout: DEFAULT_ANSWER_TIMEOUT,
        }
    }
}

/// Headers never forwarded in either direction (RFC 9110 7.6.1), plus the browser's
/// credentials and the upstream's cookies.
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
];

struct Shared {
    route: ProxyRoute,
    http: reqwest::Client,
}

/// The routes that forward; `http` should follow no redirects.
pub fn proxy_router<S: Clone + Send + Sync + 'static>(
    routes: &[ProxyRoute],
    http: reqwest::Client,
) -> Router<S> {
    let mut router = Router::new();
    for route in routes {
        let shared = Arc::new(Shared {
            route: route.clone(),
            http: http.clone(),
        });
        let prefix = route.prefix.trim_end_matches('/');
        router = router
            .route(prefix, any(forward).with_state(shared.clone()))
            .route(
                &format!("{prefix}/{{*rest}}"),
                any(forward).with_state(shared),
            );
    }
    router
}

fn error(status: StatusCode, code: &str, description: &str) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(json!({"error": code, "error_description": description})),
    )
        .into_response()
}

/// The upstream URL for this request, or `None` when the path tries to leave it.
fn upstream_url(route: &ProxyRoute, path: &str, query: Option<&str>) -> Option<Url> {
    let rest = path
        .strip_prefix(route.prefix.trim_end_matches('/'))
        .unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .ok()?;
    let escapes = decoded.contains("//")
        || decoded.contains("://")
        || decoded.contains('\\')
        || decoded
            .split('/')
            .any(|segment| segment == ".." || segment == ".");
    if escapes || (!rest.is_empty() && !rest.starts_with('/')) {
        return None;
    }
    let mut url = route.upstream.clone();
    let base = url.path().trim_end_matches('/').to_owned();
    url.set_path(&format!("{base}{rest}"));
    url.set_query(query);
    // The host, port and scheme are the upstream's, whatever the path said.
    (url.host_str() == route.upstream.host_str() && url.port() == route.upstream.port())
        .then_some(url)
}

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let route = &shared.route;
    let (parts, body) = request.into_parts();
    let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && parts.headers.get("x-csrf").and_then(|v| v.to_str().ok()) != Some("1") {
        return error(
            StatusCode::UNAUTHORIZED,
            "csrf",
            "API calls other than GET need the header X-CSRF: 1",
        );
    }
    let Some(url) = upstream_url(route, parts.uri.path(), parts.uri.query()) else {
        return error(StatusCode::NOT_FOUND, "not_found", "no such API path");
    };
    let Some(session) = parts
        .extensions
        .get::<Arc<crate::web::RequestSession>>()
        .cloned()
    else {
        tracing::error!("the BFF routes ran without Auth0Client::layer()");
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "the session layer is not installed",
        );
    };
    let session = CurrentSession(session);
    let token = match session.access_token().await {
        Ok(tokens) => Some(tokens.access_token),
        Err(AccessTokenError::MissingSession) if route.anonymous => None,
        Err(AccessTokenError::MissingSession) => {
            return error(
                StatusCode::UNAUTHORIZED,
                "not_authenticated",
                "log in first (/auth/login)",
            );
        }
        Err(e) => {
            tracing::warn!(error = %e, "no access token for the API call");
            return error(StatusCode::UNAUTHORIZED, e.code(), &e.to_string());
        }
    };
    let mut outgoing = shared
        .http
        .request(parts.method.clone(), url.as_str())
        .headers(forwarded_headers(&parts.headers))
        .body(reqwest::Body::wrap_stream(body.into_data_stream()));
    if let Some(token) = token {
        outgoing = outgoing.bearer_auth(token);
    }
    let answer = match tokio::time::timeout(route.answer_timeout, outgoing.send()).await {
        Ok(Ok(answer)) => answer,
        Err(_elapsed) => {
            tracing::warn!(upstream = %route.upstream, "the upstream API did not answer in time");
            return error(
                StatusCode::GATEWAY_TIMEOUT,
                "gateway_timeout",
                "the API did not answer in time",
            );
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, upstream = %route.upstream, "the upstream API did not answer");
            return error(
                StatusCode::BAD_GATEWAY,
                "bad_gateway",
                "the API did not answer",
            );
        }
    };
    if answer.status() == StatusCode::UNAUTHORIZED {
        return error(
            StatusCode::UNAUTHORIZED,
            "upstream_unauthorized",
            "the API refused the session's access token",
        );
    }
    let mut response = Response::builder().status(answer.status());
    if let Some(headers) = response.headers_mut() {
        for (name, value) in answer.headers() {
            if !HOP_BY_HOP.contains(&name.as_str()) && name != header::SET_COOKIE {
                headers.append(name.clone(), value.clone());
            }
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
        .body(Body::from_stream(answer.bytes_stream()))
        .unwrap_or_else(|_| {
            error(
                StatusCode::BAD_GATEWAY,
                "bad_gateway",
                "bad upstream answer",
            )
        })
}

/// The request's headers minus hop-by-hop ones, the browser's credentials and the
/// length (the body is streamed).
fn forwarded_headers(incoming: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::new();
    for (name, value) in incoming {
        let dropped = HOP_BY_HOP.contains(&name.as_str())
            || *name == header::COOKIE
            || *name == header::AUTHORIZATION
            || *name == header::CONTENT_LENGTH
            || *name == HeaderName::from_static("x-csrf");
        if !dropped {
            out.append(name.clone(), value.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route() -> ProxyRoute {
        ProxyRoute::new(
            "/api/orders/",
            Url::parse("http://127.0.0.1:3001/v1/").unwrap(),
        )
    }

    #[test]
    fn paths_stay_on_the_upstream() {
        let r = route();
        let url = |p: &str, q: Option<&str>| upstream_url(&r, p, q).map(|u| u.to_string());
        assert_eq!(
            url("/api/orders", None).as_deref(),
            Some("http://127.0.0.1:3001/v1")
        );
        assert_eq!(
            url("/api/orders/7/items", Some("a=1")).as_deref(),
            Some("http://127.0.0.1:3001/v1/7/items?a=1")
        );
        for bad in [
            "/api/orders/http://169.254.169.254/latest",
            "/api/orders//evil.example/x",
            "/api/orders/../admin",
            "/api/orders/%2e%2e/admin",
            "/api/orders/a/./b",
            "/api/orders/a\\\\b",
            "/api/ordersX",
        ] {
            assert_eq!(url(bad, None), None, "{bad}");
        }
    }

    #[test]
    fn credentials_and_hop_by_hop_headers_stay_behind() {
        let mut h = HeaderMap::new();
        for (k, v) in [
            ("cookie", "__session=x"),
            ("authorization", "Bearer browser"),
            ("connection", "keep-alive"),
            ("x-csrf", "1"),
            ("content-length", "5"),
            ("accept", "application/json"),
            ("x-request-id", "r1"),
        ] {
            h.insert(HeaderName::from_static(k), HeaderValue::from_static(v));
        }
        let out = forwarded_headers(&h);
        let names: Vec<&str> = out.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, ["accept", "x-request-id"]);
    }
}
