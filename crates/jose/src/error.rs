//! The crate's one error type.

use crate::Algorithm;

/// Everything that can go wrong making, loading or using keys.
///
/// No variant carries key material or the text of a rejected secret.
#[derive(Debug, thiserror::Error)]
pub enum JoseError {
    /// The system could not generate a key (random source or library failure).
    #[error("cannot generate a {0} key")]
    KeyGeneration(Algorithm),
    /// The bytes are not an acceptable private key for the requested algorithm.
    #[error("invalid {alg} private key: {reason}")]
    InvalidKey { alg: Algorithm, reason: String },
    /// The bytes are a valid private key, but for another algorithm.
    #[error("the private key is a {found} key, expected {expected}")]
    WrongAlgorithm {
        expected: Algorithm,
        found: Algorithm,
    },
    /// The signature could not be computed.
    #[error("cannot sign with the {0} key")]
    Sign(Algorithm),
    /// Sealing with the master key failed (random source or library failure).
    #[error("cannot encrypt with the master key")]
    Encrypt,
    /// Opening a sealed value failed; which check failed is deliberately not said.
    #[error("cannot decrypt: wrong master key or corrupted data")]
    Decrypt,
    /// HKDF could not derive a key (not expected for 32-byte outputs).
    #[error("cannot derive a key from the master key")]
    KeyDerivation,
    /// A master key in configuration could not be read. Never contains the input.
    #[error("invalid master key: {0}")]
    InvalidMasterKey(String),
    /// The claims could not be serialized to JSON.
    #[error("cannot serialize JWT claims: {0}")]
    Json(#[from] serde_json::Error),
}
