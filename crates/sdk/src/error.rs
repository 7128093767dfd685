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
    /// A setting has a value a browser or provider would reject.
    #[error("invalid {name}: {why}")]
    InvalidSetting { name: &'static str, why: String },
    /// A session to write is not what the format holds.
    #[error("invalid session: {0}")]
    InvalidSession(&'static str),
    /// A secret or key could not be used.
    #[error(transparent)]
    Jose(#[from] JoseError),
}
