//! The Portcullis SDK for apps and APIs.
//!
//! - [`auth0_cookie`]: read the session cookie that a Next.js (nextjs-auth0) or Express
//!   (express-openid-connect) app wrote, given the shared secret.
//! - [`session_cookie`]: the app's own session in a nextjs-auth0 v4 cookie (stateless
//!   sessions), with lifetimes, chunking and the cookie attributes.
//! - [`session_store`]: where stateful web-app sessions live (memory, and behind the
//!   `sqlite`, `postgres` and `redis` features, shared stores for many instances).
//! - [`web`]: login for axum apps (routes, session layer, extractors, token refresh).
//! - [`api`]: protecting APIs (bearer JWT validation, scopes, permissions).
//! - [`bff`]: a backend-for-frontend forwarding the browser's API calls with the
//!   session's access token.
//! - [`jwks`]: the provider's signing keys, cached.
//! - [`clock`] and [`rng`]: injected time and randomness.
//!
//! The crate never depends on the server, and pulls in sqlx or redis only when a store
//! feature asks for it.

pub mod api;
pub mod auth0_cookie;
pub mod bff;
pub mod clock;
mod error;
pub mod jwks;
pub mod rng;
pub mod session_cookie;
pub mod session_store;
pub mod web;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::SdkError;
pub use rng::{Random, SystemRandom};
pub use session_store::{SessionId, SessionStore, SessionStoreError, StoredSession};
