//! The Management API v2 under `/api/v2`: Auth0's paths, bodies, status codes and error
//! shapes, so node-auth0's `ManagementClient`, the Deploy CLI and scripts written for
//! Auth0 work unchanged.
//!
//! Every route authenticates with [`auth::require`] first, reads its input with
//! [`input`], pages with [`paging`], and answers errors as [`ApiError`]. Writes that
//! change configuration the token endpoint caches call `state.catalog.invalidate()`.

pub mod auth;
pub mod error;
pub mod input;
pub mod paging;

mod client_grants;
mod clients;
mod resource_servers;
mod roles;
mod signing_keys;
mod tenant_settings;
mod user_roles;
mod users;

use axum::Router;
use axum::http::StatusCode;

pub use error::ApiError;

use crate::state::AppState;

/// Where the Management API is mounted.
pub const PREFIX: &str = "/api/v2";

/// Every Management API route, relative to [`PREFIX`].
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(users::routes())
        .merge(user_roles::routes())
        .merge(roles::routes())
        .merge(resource_servers::routes())
        .merge(clients::routes())
        .merge(client_grants::routes())
        .merge(tenant_settings::routes())
        .merge(signing_keys::routes())
        .method_not_allowed_fallback(method_not_allowed)
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed", None)
}
