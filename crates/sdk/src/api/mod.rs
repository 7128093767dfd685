//! Protecting APIs: validate `Authorization: Bearer` access tokens locally (no call to
//! the provider per request), then check scopes and permissions.
//!
//! ```no_run
//! use std::sync::Arc;
//! use axum::{Router, routing::get};
//! use portcullis_sdk::api::{
//!     Claims, DiscoveryOptions, JwtAuthLayer, JwtValidator, Requirements, require_scope,
//! };
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let validator = JwtValidator::discover(
//!     Requirements::new("https://tenant.example.com/", "https://api.example.com/"),
//!     DiscoveryOptions::default(),
//! )
//! .await?;
//! let app: Router = Router::new()
//!     .route("/orders", get(|claims: Claims| async move { format!("{:?}", claims.sub) }))
//!     .route_layer(require_scope(&["read:orders"]))
//!     .layer(JwtAuthLayer::new(Arc::new(validator)));
//! # Ok(()) }
//! ```
//!
//! Answers follow RFC 6750: 401 with `WWW-Authenticate: Bearer` without a token, 401
//! `error="invalid_token"` with the reason for a refused one, 403
//! `error="insufficient_scope"` naming the scope a route needs.

mod claims;
mod discover;
mod errors;
mod layer;
mod require;
mod validator;

pub use claims::Claims;
pub use discover::DiscoveryOptions;
pub use layer::{JwtAuth, JwtAuthLayer};
pub use require::{Require, RequireLayer, require_any, require_permissions, require_scope};
pub use validator::{JwtError, JwtValidator, MAX_CACHED_TOKENS, MAX_TOKEN_LEN, Requirements};
