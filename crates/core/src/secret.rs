//! Client secrets: shown once, stored as a hash, compared in constant time.

use std::fmt;

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

use crate::rng::{Rng, random_b64url};

/// A client secret in clear. Its `Debug` never prints it.
#[derive(Clone)]
pub struct ClientSecret(String);

impl ClientSecret {
    /// 48 random bytes (384 bits), base64url: 64 characters, as long as Auth0's.
    pub fn generate(rng: &dyn Rng) -> Self {
        ClientSecret(random_b64url(rng, 48))
    }
    pub fn from_presented(value: impl Into<String>) -> Self {
        ClientSecret(value.into())
    }
    /// The clear value, for the one time it is shown.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn hash(&self) -> SecretHash {
        SecretHash::of(self.0.as_bytes())
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(<redacted>)")
    }
}

/// SHA-256 of a high-entropy secret, stored as `sha256:<base64url>`.
///
/// A fast hash is right here: the secrets are 384 random bits, not passwords, so there
/// is nothing for a slow hash to protect against and every token request pays for it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretHash(String);

impl SecretHash {
    const PREFIX: &'static str = "sha256:";

    fn of(bytes: &[u8]) -> Self {
        let d = digest::digest(&digest::SHA256, bytes);
        SecretHash(format!(
            "{}{}",
            Self::PREFIX,
            URL_SAFE_NO_PAD.encode(d.as_ref())
        ))
    }

    /// Reads a stored hash; `None` if it is not in a format this version knows.
    pub fn parse(stored: &str) -> Option<Self> {
        let rest = stored.strip_prefix(Self::PREFIX)?;
        let raw = URL_SAFE_NO_PAD.decode(rest).ok()?;
        (raw.len() == 32).then(|| SecretHash(stored.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Constant-time comparison of a presented secret with this hash.
    pub fn verify(&self, presented: &ClientSecret) -> bool {
        let other = presented.hash();
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretHash(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SystemRng;

    #[test]
    fn verify_accepts_the_secret_and_rejects_others() {
        let rng = SystemRng::new();
        let s = ClientSecret::generate(&rng);
        let h = s.hash();
        assert!(h.verify(&s));
        assert!(!h.verify(&ClientSecret::from_presented(format!("{}x", s.expose()))));
        assert!(!h.verify(&ClientSecret::from_presented("")));
    }

    #[test]
    fn parse_round_trips_and_rejects_garbage() {
        let h = ClientSecret::from_presented("abc").hash();
        assert_eq!(SecretHash::parse(h.as_str()), Some(h.clone()));
        assert_eq!(SecretHash::parse("abc"), None);
        assert_eq!(SecretHash::parse("sha256:AAAA"), None);
    }

    #[test]
    fn debug_is_redacted() {
        let s = ClientSecret::from_presented("hunter2");
        assert_eq!(format!("{s:?}"), "ClientSecret(<redacted>)");
        assert_eq!(format!("{:?}", s.hash()), "SecretHash(<redacted>)");
    }
}
