//! The HTTP surface.

pub mod authorize;
pub mod change_password;
mod client_endpoint;
pub mod discovery;
pub mod health;
pub mod introspect;
pub mod jwks;
pub mod logout;
pub mod password_reset;
pub mod revoke;
pub mod token;
mod token_request;
pub mod universal_login;
pub mod universal_signup;
pub mod userinfo;

use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::config::HttpConfig;
use crate::error::json_error;
use crate::middleware::{cors, header_limit, metrics, security_headers};
use crate::state::AppState;

/// The application: every route, with limits, metrics and security headers.
pub fn router(state: AppState, http: &HttpConfig) -> Router {
    let https = state.issuer.is_https();
    let cors_layer = axum::middleware::from_fn_with_state(state.clone(), cors::cors);
    let routes = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route("/.well-known/jwks.json", get(jwks::jwks))
        .route("/authorize", get(authorize::authorize))
        .route("/authorize/resume", get(authorize::resume))
        .route(
            "/u/login",
            get(universal_login::show).post(universal_login::submit),
        )
        .route(
            "/u/signup",
            get(universal_signup::show).post(universal_signup::submit),
        )
        .route(universal_signup::VERIFY_PATH, get(universal_signup::verify))
        .route(
            "/u/reset-password",
            get(password_reset::show_reset).post(password_reset::submit_reset),
        )
        .route(
            password_reset::REQUEST_PATH,
            get(password_reset::show_request).post(password_reset::submit_request),
        )
        .route(password_reset::DONE_PATH, get(password_reset::done))
        .route(
            "/dbconnections/change_password",
            post(change_password::change_password).layer(cors_layer.clone()),
        )
        .route("/oauth/token", post(token::token).layer(cors_layer.clone()))
        .route(
            "/userinfo",
            get(userinfo::userinfo)
                .post(userinfo::userinfo)
                .layer(cors_layer.clone()),
        )
        .route(
            "/oauth/revoke",
            post(revoke::revoke).layer(cors_layer.clone()),
        )
        .route("/oauth/introspect", post(introspect::introspect))
        .route("/v2/logout", get(logout::v2_logout))
        .route(
            "/oidc/logout",
            get(logout::oidc_logout_get).post(logout::oidc_logout_post),
        )
        .nest(crate::management::PREFIX, crate::management::routes(&state))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .fallback(not_found)
        .with_state(state)
        .layer(axum::middleware::from_fn(header_limit::limit))
        .layer(DefaultBodyLimit::max(http.body_limit))
        .layer(RequestBodyLimitLayer::new(http.body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            http.request_timeout,
        ))
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(|req: &Request| {
                // The path only: query strings carry codes and tokens.
                tracing::debug_span!("request", method = %req.method(), path = %req.uri().path())
            }),
        );
    security_headers::apply(routes, https)
}

async fn not_found(State(state): State<AppState>, req: Request) -> Response {
    let start = Instant::now();
    let response = json_error(StatusCode::NOT_FOUND, "Not Found", "Not Found").into_response();
    state.metrics.record(
        req.method().as_str(),
        "unmatched",
        404,
        start.elapsed().as_secs_f64(),
    );
    response
}
