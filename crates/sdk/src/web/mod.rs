//! Login for axum web apps, as nextjs-auth0 v4 and express-openid-connect give it to
//! Node apps: a few lines of setup, and the user is logged in with a session, tokens
//! that refresh themselves, and protected routes. It works with any OpenID provider
//! (Portcullis, Auth0, panva's oidc-provider).
//!
//! - [`Auth0Config`]: settings from code or from the Auth0 environment variables.
//! - [`Auth0Client`]: discovery at start; [`Auth0Client::router`] gives `/auth/login`,
//!   `/auth/callback`, `/auth/logout`, `/auth/profile`, `/auth/access-token` and
//!   `/auth/backchannel-logout`; [`Auth0Client::layer`] reads and saves the session.
//! - [`Session`], [`User`] and [`CurrentSession`] extract the session in handlers;
//!   [`require_auth`] protects routes.
//! - Sessions are nextjs-auth0 v4's: in the `__session` cookie (stateless, shared with a
//!   Next.js app that has the same secret) or in a
//!   [`SessionStore`](crate::session_store::SessionStore) (stateful).
//!
//! ```no_run
//! use axum::{Router, middleware, routing::get};
//! use portcullis_sdk::web::{Auth0Client, Auth0Config, User, require_auth};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let auth = Auth0Client::new(Auth0Config::from_env()?).await?;
//! let app = Router::new()
//!     .route("/profile", get(|User(user): User| async move { axum::Json(user) }))
//!     .route_layer(middleware::from_fn(require_auth))
//!     .route("/", get(|| async { "public" }))
//!     .merge(auth.router())
//!     .layer(auth.layer());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```

mod client;
mod config;
mod error;
mod extract;
mod id_token;
mod provider;
mod refresh;
mod request_session;
mod routes;
mod session_data;
mod sessions;
mod token_endpoint;
mod transaction;

pub use client::{Auth0Client, Auth0ClientBuilder};
pub use config::{Auth0Config, Auth0ConfigBuilder, DEFAULT_SCOPE, MIN_SECRET_LEN};
pub use error::{AccessTokenError, WebError};
pub use extract::{CurrentSession, Session, SessionRejection, User, require_auth};
pub use id_token::{BACKCHANNEL_LOGOUT_EVENT, LogoutTarget};
pub use provider::ProviderMetadata;
pub use refresh::REFRESH_GRACE_SECS;
pub use request_session::{Auth0Layer, Auth0Service, NoSession, RequestSession};
pub(crate) use session_data::V4Payload;
pub use session_data::{Internal, SessionData, TokenSet, USER_CLAIMS};
pub use transaction::TRANSACTION_MAX_AGE;
/// The URL type of the settings ([`Auth0Config::app_base_url`]).
pub use url::Url;
