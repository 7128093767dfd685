//! `require_scope`, `require_permissions` and `require_any`: route layers behind
//! [`JwtAuthLayer`](super::JwtAuthLayer) that answer 403 `insufficient_scope` when the
//! token lacks what the route needs.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::Response;
use tower::{Layer, Service, ServiceExt as _};

use super::Claims;
use super::errors::{insufficient_scope, unauthorized};

#[derive(Debug, PartialEq, Eq)]
enum Rule {
    /// Every one of these in `scope`.
    AllScopes,
    /// Every one of these in `permissions`.
    AllPermissions,
    /// At least one of these, in `scope` or `permissions`.
    Any,
}

/// What a route needs of the token.
#[derive(Clone, Debug)]
pub struct RequireLayer {
    rule: Arc<(Rule, Vec<String>)>,
}

/// Every scope in `scopes` (space-separated `scope` claim).
pub fn require_scope(scopes: &[&str]) -> RequireLayer {
    RequireLayer::new(Rule::AllScopes, scopes)
}

/// Every permission in `permissions` (Auth0's `permissions` claim, from RBAC).
pub fn require_permissions(permissions: &[&str]) -> RequireLayer {
    RequireLayer::new(Rule::AllPermissions, permissions)
}

/// At least one of `any`, as a scope or a permission.
pub fn require_any(any: &[&str]) -> RequireLayer {
    RequireLayer::new(Rule::Any, any)
}

impl RequireLayer {
    fn new(rule: Rule, names: &[&str]) -> RequireLayer {
        RequireLayer {
            rule: Arc::new((rule, names.iter().map(|s| (*s).to_owned()).collect())),
        }
    }

    fn allows(&self, claims: &Claims) -> bool {
        let (rule, names) = &*self.rule;
        match rule {
            Rule::AllScopes => names.iter().all(|n| claims.has_scope(n)),
            Rule::AllPermissions => names.iter().all(|n| claims.has_permission(n)),
            Rule::Any => names
                .iter()
                .any(|n| claims.has_scope(n) || claims.has_permission(n)),
        }
    }
}

impl<S> Layer<S> for RequireLayer {
    type Service = Require<S>;

    fn layer(&self, inner: S) -> Require<S> {
        Require {
            layer: self.clone(),
            inner,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Require<S> {
    layer: RequireLayer,
    inner: S,
}

impl<S> Service<Request> for Require<S>
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

    fn call(&mut self, request: Request) -> Self::Future {
        let allowed = match request.extensions().get::<Claims>() {
            None => {
                tracing::error!("a require_* layer ran without JwtAuthLayer before it");
                return Box::pin(async { Ok(unauthorized(None)) });
            }
            Some(claims) => self.layer.allows(claims),
        };
        if !allowed {
            let needed = self.layer.rule.1.clone();
            return Box::pin(async move { Ok(insufficient_scope(&needed)) });
        }
        let ready = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, ready);
        Box::pin(inner.oneshot(request))
    }
}
