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
    /// An Auth0 SDK cookie secret was unusable (empty, or an empty key ring).
    #[error("invalid cookie secret: {0}")]
    InvalidCookieSecret(&'static str),
    /// A cookie JWE is longer than [`crate::cookie_jwe::MAX_COMPACT_LEN`]; nothing else was read.
    #[error("the encrypted cookie is too large ({len} bytes, at most {max})")]
    JweTooLarge { len: usize, max: usize },
    /// Not a compact JWE: five base64url parts, an empty encrypted key, a 12-byte IV and a
    /// 16-byte tag.
    #[error("malformed JWE: {0}")]
    JweMalformed(&'static str),
    /// The protected header is not `alg: dir`, `enc: A256GCM` (or has `zip`, `crit`, a
    /// duplicate member, or is not a JSON object).
    #[error("unsupported JWE protected header: {0}")]
    JweUnsupportedHeader(&'static str),
    /// No key opened the JWE: wrong secret, or altered header, IV, ciphertext or tag.
    #[error("cannot decrypt the JWE with any key")]
    JweDecrypt,
    /// Encrypting a cookie failed (random source or library failure).
    #[error("cannot encrypt the cookie")]
    JweEncrypt,
    /// The claims could not be serialized to JSON.
    #[error("cannot serialize JWT claims: {0}")]
    Json(#[from] serde_json::Error),
}
