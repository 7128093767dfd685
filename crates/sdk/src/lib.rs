//! The Portcullis SDK for apps and APIs.
//!
//! - [`auth0_cookie`]: read the session cookie that a Next.js (nextjs-auth0) or Express
//!   (express-openid-connect) app wrote, given the shared secret.
//! - [`session_cookie`]: the app's own session in a nextjs-auth0 v4 cookie (stateless
//!   sessions), with lifetimes, chunking and the cookie attributes.
//!
//! The web-app session layer arrives with issue 5 and the JWT validation layer with issue 6.
//! The crate never depends on the server or sqlx, so an app can use it on its own.

pub mod auth0_cookie;
mod error;
pub mod session_cookie;

pub use error::SdkError;
