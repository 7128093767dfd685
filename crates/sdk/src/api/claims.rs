//! The claims of a validated access token, with the authorization parts parsed.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::errors::unauthorized;

/// A validated access token's claims: `sub`, the `scope` list, Auth0's `permissions`,
/// and every claim as sent (custom ones included). In handlers behind
/// [`JwtAuthLayer`](super::JwtAuthLayer), extract it directly.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    pub sub: Option<String>,
    pub scopes: Vec<String>,
    pub permissions: Vec<String>,
    pub all: Map<String, Value>,
}

impl Claims {
    pub(crate) fn from_map(all: Map<String, Value>) -> Claims {
        let sub = all.get("sub").and_then(Value::as_str).map(str::to_owned);
        let scopes = all
            .get("scope")
            .and_then(Value::as_str)
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        let permissions = all
            .get("permissions")
            .and_then(Value::as_array)
            .map(|p| {
                p.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Claims {
            sub,
            scopes,
            permissions,
            all,
        }
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    pub fn has_permission(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == permission)
    }

    /// A claim by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.all.get(name)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Claims {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        parts.extensions.get::<Claims>().cloned().ok_or_else(|| {
            tracing::error!("Claims extracted on a route without JwtAuthLayer");
            unauthorized(None).into_response()
        })
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Claims {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Claims>().cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scope_and_permissions_are_parsed() {
        let c = Claims::from_map(
            json!({"sub": "u", "scope": "read:orders  write:orders", "permissions": ["a", 1, "b"]})
                .as_object()
                .unwrap()
                .clone(),
        );
        assert_eq!(c.sub.as_deref(), Some("u"));
        assert_eq!(c.scopes, ["read:orders", "write:orders"]);
        assert_eq!(c.permissions, ["a", "b"]);
        assert!(c.has_scope("write:orders") && !c.has_scope("read"));
        assert!(c.has_permission("b"));
    }
}
