//! The Portcullis HTTP server: OpenID Connect discovery and keys, operations endpoints,
//! configuration, TLS and the serve loop. The only crate that turns errors into HTTP.

pub mod access_token;
pub mod audit;
pub mod config;
pub mod error;
pub mod issuer;
pub mod keyring;
pub mod login;
pub mod mail;
pub mod management;
pub mod master_key;
pub mod middleware;
pub mod oauth_response;
pub mod pages;
pub mod routes;
pub mod run;
pub mod serve;
pub mod state;
pub mod sweeper;
pub mod throttle;
pub mod tls;

pub use config::{Config, ConfigError, Flags};
pub use error::ServerError;
pub use issuer::Issuer;
pub use run::{Injected, Prepared, prepare, prepare_with};
