//! `JwtAuthLayer`: every request needs a valid `Authorization: Bearer` access token;
//! its [`Claims`] go into the request for handlers and the `require_*` layers.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::header;
use axum::response::Response;
use tower::{Layer, Service, ServiceExt as _};

use super::JwtValidator;
use super::errors::unauthorized;

/// The tower layer; cheap to clone.
#[derive(Clone, Debug)]
pub struct JwtAuthLayer {
    validator: Arc<JwtValidator>,
}

impl JwtAuthLayer {
    pub fn new(validator: Arc<JwtValidator>) -> JwtAuthLayer {
        JwtAuthLayer { validator }
    }
}

impl<S> Layer<S> for JwtAuthLayer {
    type Service = JwtAuth<S>;

    fn layer(&self, inner: S) -> JwtAuth<S> {
        JwtAuth {
            validator: self.validator.clone(),
            inner,
        }
    }
}

#[derive(Clone, Debug)]
pub struct JwtAuth<S> {
    validator: Arc<JwtValidator>,
    inner: S,
}

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive); `None`
/// without one.
fn bearer(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl<S> Service<Request> for JwtAuth<S>
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

    fn call(&mut self, mut request: Request) -> Self::Future {
        let validator = self.validator.clone();
        let ready = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, ready);
        Box::pin(async move {
            let Some(token) = bearer(&request).map(str::to_owned) else {
                return Ok(unauthorized(None));
            };
            match validator.validate(&token).await {
                Ok(claims) => {
                    request.extensions_mut().insert(claims);
                    inner.oneshot(request).await
                }
                Err(e) => {
                    tracing::debug!(reason = %e, "bearer token refused");
                    Ok(unauthorized(Some(&e)))
                }
            }
        })
    }
}
