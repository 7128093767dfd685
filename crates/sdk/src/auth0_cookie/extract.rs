//! The axum side of [`read_session`](super::read_session): a service that authenticates
//! users by the session cookie a Next.js or Express app wrote puts a [`CookieReader`] in
//! its state and takes [`Auth0AppSession`] in handlers.
//!
//! ```
//! use axum::{Router, routing::get};
//! use portcullis_sdk::auth0_cookie::{Auth0AppSession, CookieReader, ReaderConfig};
//!
//! let reader = CookieReader::new(ReaderConfig::from_secrets(&["the app's AUTH0_SECRET"])?);
//! let app: Router = Router::new()
//!     .route("/me", get(|Auth0AppSession(s): Auth0AppSession| async move {
//!         s.data().and_then(|d| d.sub()).unwrap_or_default()
//!     }))
//!     .with_state(reader);
//! # Ok::<(), portcullis_sdk::SdkError>(())
//! ```

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{Auth0Session, ReaderConfig, RequestCookies, read_session_from};
use crate::{Clock, SystemClock};

/// A [`ReaderConfig`] and a clock, cheap to clone into app state.
#[derive(Clone)]
pub struct CookieReader(Arc<(ReaderConfig, Arc<dyn Clock>)>);

impl CookieReader {
    pub fn new(config: ReaderConfig) -> CookieReader {
        CookieReader::with_clock(config, Arc::new(SystemClock))
    }

    pub fn with_clock(config: ReaderConfig, clock: Arc<dyn Clock>) -> CookieReader {
        CookieReader(Arc::new((config, clock)))
    }

    /// The session in a request's `Cookie` headers, if any.
    pub fn read(&self, headers: &HeaderMap) -> Option<Auth0Session> {
        let values = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>();
        let cookies = RequestCookies::parse_all(values);
        read_session_from(&cookies, &self.0.0, self.0.1.now())
    }
}

/// The session an Auth0 SDK app wrote; 401 without a readable one.
/// `Option<Auth0AppSession>` never rejects.
#[derive(Debug)]
pub struct Auth0AppSession(pub Auth0Session);

impl<S> FromRequestParts<S> for Auth0AppSession
where
    CookieReader: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        CookieReader::from_ref(state)
            .read(&parts.headers)
            .map(Auth0AppSession)
            .ok_or_else(|| StatusCode::UNAUTHORIZED.into_response())
    }
}

impl<S> OptionalFromRequestParts<S> for Auth0AppSession
where
    CookieReader: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(CookieReader::from_ref(state)
            .read(&parts.headers)
            .map(Auth0AppSession))
    }
}
