//! The session of one request, and the layer that reads it before the handler and saves
//! it after: rolling sessions are extended on every response, changes made by the
//! handler (an update, a refreshed token) are written back, and every response that sets
//! the session cookie carries `Cache-Control: no-store` and `Vary: Cookie`.
//!
//! A session store that does not answer makes the request fail with 503 and
//! `Retry-After`, the cookie left as it was: never "logged out", never someone else.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::{Mutex, MutexGuard};
use tower::{Layer, Service, ServiceExt as _};

use super::client::{Auth0Client, cookie_header};
use super::sessions::Loaded;
use super::{AccessTokenError, SessionData, TokenSet, WebError};
use crate::auth0_cookie::RequestCookies;

/// The session of the current request, shared by the layer, the extractors and the
/// routes. Extract it with [`CurrentSession`](super::CurrentSession).
pub struct RequestSession {
    pub(crate) client: Auth0Client,
    cookie_header: String,
    slot: Mutex<Slot>,
}

#[derive(Default)]
struct Slot {
    session: Option<Loaded>,
    /// The handler changed the session: it must be saved.
    dirty: bool,
    /// `Set-Cookie` values decided during the request (a logout's deletions).
    set_cookies: Vec<String>,
}

/// Marks a response whose cookies are already written, so the layer leaves it alone.
#[derive(Clone, Copy)]
pub(crate) struct SessionHandled;

impl RequestSession {
    /// Reads the request's session (only when it carries a session cookie).
    pub(crate) async fn load(
        client: &Auth0Client,
        headers: &axum::http::HeaderMap,
    ) -> Result<Arc<RequestSession>, WebError> {
        let cookie_header = cookie_header(headers);
        let cookies = RequestCookies::parse(&cookie_header);
        let sessions = &client.0.sessions;
        let session = if sessions.has_cookie(&cookies) {
            sessions.load(&cookies, client.0.clock.now()).await?
        } else {
            None
        };
        Ok(Arc::new(RequestSession {
            client: client.clone(),
            slot: Mutex::new(Slot {
                session,
                ..Slot::default()
            }),
            cookie_header,
        }))
    }

    /// The session, if the request has a live one.
    pub async fn get(&self) -> Option<SessionData> {
        self.slot
            .lock()
            .await
            .session
            .as_ref()
            .map(|s| s.data.clone())
    }

    /// Replaces the session's data (the app's own fields, or the user); saved when the
    /// response goes out. Refused when there is no session.
    pub async fn update(&self, data: SessionData) -> Result<(), NoSession> {
        let mut slot = self.slot.lock().await;
        let session = slot.session.as_mut().ok_or(NoSession)?;
        session.data = data;
        slot.dirty = true;
        Ok(())
    }

    /// The session's token set with a live access token, refreshed if needed (see
    /// [`Auth0Client`]); the refreshed session is saved when the response goes out.
    pub async fn access_token(&self) -> Result<TokenSet, AccessTokenError> {
        let mut slot = self.slot.lock().await;
        let session = slot
            .session
            .as_mut()
            .ok_or(AccessTokenError::MissingSession)?;
        let changed = self.client.access_token(session).await?;
        let tokens = session.data.token_set.clone();
        slot.dirty |= changed;
        Ok(tokens)
    }

    /// Starts a new session (login): the old one is deleted from the store and the new
    /// one gets a new id (no session fixation).
    pub(crate) async fn replace(&self, data: SessionData) -> Result<(), WebError> {
        let mut slot = self.slot.lock().await;
        self.end(&mut slot).await?;
        slot.session = Some(Loaded { data, id: None });
        slot.dirty = true;
        Ok(())
    }

    /// Ends the session (logout); returns it as it was.
    pub(crate) async fn destroy(&self) -> Result<Option<SessionData>, WebError> {
        let mut slot = self.slot.lock().await;
        let ended = slot.session.as_ref().map(|s| s.data.clone());
        self.end(&mut slot).await?;
        let cookies = RequestCookies::parse(&self.cookie_header);
        slot.set_cookies = self.client.0.sessions.cookies.delete(&cookies);
        Ok(ended)
    }

    async fn end(&self, slot: &mut MutexGuard<'_, Slot>) -> Result<(), WebError> {
        if let Some(old) = slot.session.take() {
            let cookies = RequestCookies::parse(&self.cookie_header);
            self.client.0.sessions.destroy(Some(&old), &cookies).await?;
        }
        slot.dirty = false;
        Ok(())
    }

    /// Writes what the request changed into `response`: the saved (or extended)
    /// session's cookies, or the deletions of a logout. A save that fails turns the
    /// response into a 503 when the handler's change would be lost; a failed extension
    /// of an unchanged session only logs.
    pub(crate) async fn finish(&self, response: &mut Response) {
        let mut slot = self.slot.lock().await;
        let mut set_cookies = std::mem::take(&mut slot.set_cookies);
        let rolling = self.client.0.config.lifetime.rolling;
        let dirty = slot.dirty;
        if let Some(session) = slot.session.as_mut()
            && (dirty || rolling)
        {
            let cookies = RequestCookies::parse(&self.cookie_header);
            let now = self.client.0.clock.now();
            match self
                .client
                .0
                .sessions
                .save(session, &cookies, now, self.client.0.random.as_ref())
                .await
            {
                Ok(written) => set_cookies.extend(written),
                Err(e) if dirty => {
                    *response = unavailable(&e);
                    return;
                }
                Err(e) => tracing::warn!(error = %e, "could not extend the session"),
            }
            slot.dirty = false;
        }
        if set_cookies.is_empty() {
            return;
        }
        let headers = response.headers_mut();
        for value in set_cookies {
            if let Ok(value) = HeaderValue::try_from(value) {
                headers.append(header::SET_COOKIE, value);
            }
        }
        no_store(headers);
    }
}

/// `Cache-Control: no-store` and `Vary: Cookie`: a shared cache must never keep a
/// response that sets a session cookie or depends on one (nextjs-auth0 CVE-2025-48947).
pub(crate) fn no_store(headers: &mut axum::http::HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let varies = headers.get_all(header::VARY).iter().any(|v| {
        v.to_str()
            .is_ok_and(|v| v.to_ascii_lowercase().contains("cookie"))
    });
    if !varies {
        headers.append(header::VARY, HeaderValue::from_static("Cookie"));
    }
}

/// No session to update.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the user is not authenticated")]
pub struct NoSession;

/// The answer when the session store is down: 503, retry in a second; no cookie change.
pub(crate) fn unavailable(error: &WebError) -> Response {
    tracing::error!(error = %error, "session unavailable; answering 503");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::RETRY_AFTER, "1"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        "The session service is unavailable. Try again in a moment.",
    )
        .into_response()
}

/// The tower layer of [`Auth0Client::layer`].
#[derive(Clone)]
pub struct Auth0Layer {
    client: Auth0Client,
}

impl Auth0Client {
    /// The layer that reads the session before handlers run and saves it after (see the
    /// module docs). Apply it outside the routes that use the session, and outside
    /// [`Auth0Client::router`].
    pub fn layer(&self) -> Auth0Layer {
        Auth0Layer {
            client: self.clone(),
        }
    }
}

impl<S> Layer<S> for Auth0Layer {
    type Service = Auth0Service<S>;

    fn layer(&self, inner: S) -> Auth0Service<S> {
        Auth0Service {
            client: self.client.clone(),
            inner,
        }
    }
}

#[derive(Clone)]
pub struct Auth0Service<S> {
    client: Auth0Client,
    inner: S,
}

impl<S> Service<Request> for Auth0Service<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        let client = self.client.clone();
        // The clone that was polled ready serves this request.
        let ready = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, ready);
        Box::pin(async move {
            let session = match RequestSession::load(&client, request.headers()).await {
                Ok(session) => session,
                Err(e) => return Ok(unavailable(&e)),
            };
            request.extensions_mut().insert(session.clone());
            let mut response = inner.oneshot(request).await?;
            if response.extensions().get::<SessionHandled>().is_none() {
                session.finish(&mut response).await;
            }
            Ok(response)
        })
    }
}
