//! Wire types: what Portcullis sends and receives, as serde types and nothing else.

pub mod discovery;
pub mod jwk;
pub mod oauth;

pub use discovery::OpenIdConfiguration;
pub use jwk::{Jwk, JwkSet};
pub use oauth::{ErrorBody, ErrorCode, TokenResponse};
