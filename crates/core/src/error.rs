//! Errors of the domain layer.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("signing key {kid}: {source}")]
    Key {
        kid: String,
        #[source]
        source: portcullis_jose::JoseError,
    },
    #[error(transparent)]
    Jose(#[from] portcullis_jose::JoseError),
    #[error(
        "tenant {0} does not exist (run `portcullis admin bootstrap` or start the server once)"
    )]
    NoTenant(String),
    #[error("no signing key with kid {0}")]
    NoSuchKey(String),
    #[error("tenant has no active signing key")]
    NoSigningKey,
    #[error("password hashing failed: {0}")]
    Password(String),
}
