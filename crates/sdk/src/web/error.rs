//! The web SDK's errors. Reading a request never fails with one of these: a session that
//! can't be read is no session. They come from setup, from calls to the provider, and
//! from a session store that is down.

use crate::SdkError;
use crate::session_store::SessionStoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    Config(#[from] SdkError),
    #[error(transparent)]
    Key(#[from] portcullis_jose::JoseError),
    /// Discovery or the JWKS could not be read: the URL and why.
    #[error("provider discovery failed at {url}: {why}")]
    Discovery { url: String, why: String },
    /// A call to the provider failed or gave an answer that is not what OAuth says.
    #[error("the provider call failed: {0}")]
    Provider(String),
    /// The session store did not answer (in time).
    #[error(transparent)]
    Store(#[from] SessionStoreError),
}

/// Why [`crate::web::Auth0Client::get_access_token`] has no token, with nextjs-auth0 v4's
/// `AccessTokenErrorCode` codes.
#[derive(Debug, thiserror::Error)]
pub enum AccessTokenError {
    #[error("The user does not have an active session.")]
    MissingSession,
    #[error(
        "The access token has expired and a refresh token was not provided. The user needs to re-authenticate."
    )]
    MissingRefreshToken,
    #[error("The access token has expired and there was an error while trying to refresh it.")]
    FailedToRefresh(#[source] WebError),
}

impl AccessTokenError {
    /// nextjs-auth0 v4's code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            AccessTokenError::MissingSession => "missing_session",
            AccessTokenError::MissingRefreshToken => "missing_refresh_token",
            AccessTokenError::FailedToRefresh(_) => "failed_to_refresh_token",
        }
    }
}
