//! The Management API v2 under `/api/v2`: Auth0's paths, bodies, status codes and error
//! shapes, so node-auth0's `ManagementClient`, the Deploy CLI and scripts written for
//! Auth0 work unchanged.
//!
//! Every route authenticates with [`auth::require`] first, reads its input with
//! [`input`], pages with [`paging`], and answers errors as [`ApiError`]. Writes that
//! change configuration the token endpoint caches call `state.catalog.invalidate()`.
//! Writes are logged to the audit log by [`write_log`], for every route at once.

pub mod auth;
pub mod error;
pub mod input;
pub mod paging;

mod client_grants;
mod clients;
mod logs;
mod openapi;
mod resource_servers;
mod roles;
mod signing_keys;
mod tenant_settings;
mod user_roles;
mod users;
mod write_log;

use axum::Router;
use axum::http::StatusCode;

pub use error::ApiError;

use crate::state::AppState;

/// Where the Management API is mounted.
pub const PREFIX: &str = "/api/v2";

/// Every Management API route, relative to [`PREFIX`].
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(users::routes())
        .merge(user_roles::routes())
        .merge(roles::routes())
        .merge(resource_servers::routes())
        .merge(clients::routes())
        .merge(client_grants::routes())
        .merge(tenant_settings::routes())
        .merge(signing_keys::routes())
        .merge(logs::routes())
        .merge(openapi::routes())
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            write_log::log_writes,
        ))
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed", None)
}
