//! CORS for the endpoints a browser app calls directly (`/oauth/token`, `/userinfo`,
//! `/oauth/revoke`): an `Origin` equal, byte for byte, to one of the "Allowed Web
//! Origins" (`web_origins`) of any application of the tenant gets
//! `Access-Control-Allow-Origin: <origin>`, on the preflight and on the response. Any
//! other origin gets no CORS header at all, and its preflight goes on to the route (a
//! 405), so the browser refuses. No credentials: these calls carry tokens, not cookies.
//!
//! Apply with `MethodRouter::layer` (not `route_layer`), so `OPTIONS` reaches it.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// What a preflight may ask for: `Auth0-Client` is sent by auth0-spa-js.
const ALLOW_HEADERS: &str = "Authorization, Content-Type, Auth0-Client";
const ALLOW_METHODS: &str = "GET, POST";
const MAX_AGE_SECS: &str = "86400";

pub async fn cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(origin) = single_origin(req.headers()) else {
        return with_vary(next.run(req).await);
    };
    let allowed = match state.catalog.web_origins(&state.tenant).await {
        Ok(origins) => origin.to_str().is_ok_and(|o| origins.contains(o)),
        Err(e) => {
            tracing::error!(error = %e, "reading web origins failed");
            return with_vary(StatusCode::SERVICE_UNAVAILABLE.into_response());
        }
    };
    if !allowed {
        return with_vary(next.run(req).await);
    }
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = if preflight {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOW_METHODS),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(MAX_AGE_SECS),
        );
        r
    } else {
        next.run(req).await
    };
    response
        .headers_mut()
        .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    with_vary(response)
}

/// The request's `Origin`, when sent exactly once and not `null`.
fn single_origin(headers: &HeaderMap) -> Option<HeaderValue> {
    let mut values = headers.get_all(header::ORIGIN).iter();
    match (values.next(), values.next()) {
        (Some(v), None) if !v.is_empty() && v.as_bytes() != b"null" => Some(v.clone()),
        _ => None,
    }
}

/// The answer depends on `Origin`, so shared caches must keep them apart.
fn with_vary(mut response: Response) -> Response {
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("Origin"));
    response
}
