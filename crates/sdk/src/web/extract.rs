//! axum extractors for the session and the user, and `require_auth`. They use the
//! session [`Auth0Client::layer`](super::Auth0Client::layer) read for the request.

use std::sync::Arc;

use axum::extract::{FromRequestParts, OptionalFromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value, json};

use super::SessionData;
use super::request_session::RequestSession;

/// The request's session handle: read it, update it, get a fresh access token.
#[derive(Clone)]
pub struct CurrentSession(pub Arc<RequestSession>);

impl std::ops::Deref for CurrentSession {
    type Target = RequestSession;

    fn deref(&self) -> &RequestSession {
        &self.0
    }
}

/// The logged-in user's session; 401 without one (`Option<Session>` never rejects).
#[derive(Debug, Clone)]
pub struct Session(pub SessionData);

/// The logged-in user's claims (`session.user`); 401 without a session.
#[derive(Debug, Clone)]
pub struct User(pub Map<String, Value>);

/// Why an extractor refused the request.
#[derive(Debug)]
pub enum SessionRejection {
    /// No live session: 401 with the Auth0 SDKs' `not_authenticated` body.
    NotAuthenticated,
    /// The app did not apply `Auth0Client::layer()`: a setup error, 500.
    LayerMissing,
}

impl IntoResponse for SessionRejection {
    fn into_response(self) -> Response {
        match self {
            SessionRejection::NotAuthenticated => not_authenticated(),
            SessionRejection::LayerMissing => {
                tracing::error!(
                    "a session extractor ran without Auth0Client::layer(); apply the layer \
                     outside the routes that use the session"
                );
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The session layer is not installed.",
                )
                    .into_response()
            }
        }
    }
}

fn not_authenticated() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(json!({
            "error": "not_authenticated",
            "description": "The user does not have an active session or is not authenticated"
        })),
    )
        .into_response()
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentSession {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Arc<RequestSession>>()
            .cloned()
            .map(CurrentSession)
            .ok_or(SessionRejection::LayerMissing)
    }
}

async fn session_of(parts: &mut Parts) -> Result<Option<SessionData>, SessionRejection> {
    let current = parts
        .extensions
        .get::<Arc<RequestSession>>()
        .ok_or(SessionRejection::LayerMissing)?;
    Ok(current.get().await)
}

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        session_of(parts)
            .await?
            .map(Session)
            .ok_or(SessionRejection::NotAuthenticated)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Session {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(session_of(parts).await?.map(Session))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        session_of(parts)
            .await?
            .map(|s| User(s.user))
            .ok_or(SessionRejection::NotAuthenticated)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for User {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(session_of(parts).await?.map(|s| User(s.user)))
    }
}

/// Middleware for routes that need a logged-in user: without a session, a page request
/// (GET or HEAD accepting HTML) is sent to `/auth/login?returnTo=<this path>`, anything
/// else gets 401 with the Auth0 SDKs' `not_authenticated` body.
///
/// ```no_run
/// # use axum::{Router, routing::get, middleware};
/// # fn app(auth: portcullis_sdk::web::Auth0Client) -> Router {
/// Router::new()
///     .route("/profile", get(|| async { "members only" }))
///     .route_layer(middleware::from_fn(portcullis_sdk::web::require_auth))
///     .merge(auth.router())
///     .layer(auth.layer())
/// # }
/// ```
pub async fn require_auth(request: Request, next: Next) -> Response {
    let Some(current) = request.extensions().get::<Arc<RequestSession>>().cloned() else {
        return SessionRejection::LayerMissing.into_response();
    };
    if current.get().await.is_some() {
        return next.run(request).await;
    }
    let wants_page = matches!(*request.method(), Method::GET | Method::HEAD)
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
    if !wants_page {
        return not_authenticated();
    }
    let here = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let return_to: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
    let login = current
        .client
        .0
        .config
        .app_url(&format!("/auth/login?returnTo={return_to}"));
    Redirect::to(&login).into_response()
}
