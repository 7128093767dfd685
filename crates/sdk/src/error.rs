//! The crate's one error type.

use portcullis_jose::JoseError;

/// Everything that can go wrong configuring the SDK.
///
/// Reading a request never fails with an error: a cookie that can't be read is no session.
#[derive(Debug, thiserror::Error)]
pub enum SdkError {
    /// A cookie name is empty or has characters a cookie name can't have (RFC 6265 token).
    #[error("invalid cookie name {0:?}")]
    InvalidCookieName(String),
    /// A secret or key could not be used.
    #[error(transparent)]
    Jose(#[from] JoseError),
}
