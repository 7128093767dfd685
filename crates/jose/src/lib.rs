//! Keys and signatures for Portcullis, made and used with aws-lc-rs.
//!
//! - [`Algorithm`]: the JWS algorithms Portcullis signs with: `RS256` (Auth0's default,
//!   2048-bit RSA), `ES256` (P-256) and `EdDSA` (Ed25519).
//! - [`SigningKey`]: a private key parsed once and kept in memory, with its `kid`. It signs
//!   compact JWS tokens ([`SigningKey::sign_jwt`]), publishes its public half as a
//!   [`Jwk`](portcullis_proto::Jwk), and exports PKCS#8 for storage.
//! - [`MasterKey`]: the 32-byte key from configuration that seals private keys at rest with
//!   AES-256-GCM.
//! - [`CookieKey`] / [`CookieKeyRing`]: the Auth0 SDKs' session-cookie encryption (compact
//!   JWE, `dir` + `A256GCM`, key from HKDF over the app secret), see [`cookie_jwe`].
//! - [`JoseError`]: the crate's one error type.
//!
//! ```
//! use portcullis_jose::{Algorithm, MasterKey, SigningKey};
//!
//! let key = SigningKey::generate(Algorithm::Es256, "2024-01".to_owned())?;
//! let jwt = key.sign_jwt(Some("at+jwt"), &serde_json::json!({"sub": "auth0|123"}))?;
//! assert_eq!(jwt.split('.').count(), 3);
//!
//! let master = MasterKey::generate()?;
//! let sealed = master.seal(&key.to_pkcs8(), key.kid().as_bytes())?;
//! let der = master.open(&sealed, key.kid().as_bytes())?;
//! let loaded = SigningKey::from_pkcs8(Algorithm::Es256, "2024-01".to_owned(), &der)?;
//! assert_eq!(loaded.public_jwk(), key.public_jwk());
//! # Ok::<(), portcullis_jose::JoseError>(())
//! ```

mod algorithm;
mod b64;
pub mod cookie_jwe;
mod error;
mod jwk;
mod master_key;
mod signing_key;

pub use algorithm::Algorithm;
pub use cookie_jwe::{CookieKey, CookieKeyRing, DecryptedCookie, IvSource, SystemIvSource};
pub use error::JoseError;
pub use master_key::MasterKey;
pub use signing_key::SigningKey;
