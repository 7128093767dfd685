//! The JWS algorithms Portcullis signs with.

use std::fmt;

/// A JWS `alg` (RFC 7518 / RFC 8037) that a [`SigningKey`](crate::SigningKey) can sign with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256, 2048-bit (or larger) keys. Auth0's default.
    Rs256,
    /// ECDSA on P-256 with SHA-256; the signature is the 64-byte `r || s`.
    Es256,
    /// EdDSA on Ed25519.
    EdDsa,
}

impl Algorithm {
    /// Every algorithm, in order of preference.
    pub const ALL: [Algorithm; 3] = [Algorithm::Rs256, Algorithm::Es256, Algorithm::EdDsa];

    /// The JOSE name: `RS256`, `ES256` or `EdDSA`.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Rs256 => "RS256",
            Algorithm::Es256 => "ES256",
            Algorithm::EdDsa => "EdDSA",
        }
    }

    /// Reads a JOSE name back; exact and case-sensitive, as JOSE names are.
    pub fn parse(s: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|alg| alg.as_str() == s)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for alg in Algorithm::ALL {
            assert_eq!(Algorithm::parse(alg.as_str()), Some(alg));
            assert_eq!(alg.to_string(), alg.as_str());
        }
        assert_eq!(Algorithm::Rs256.as_str(), "RS256");
        assert_eq!(Algorithm::Es256.as_str(), "ES256");
        assert_eq!(Algorithm::EdDsa.as_str(), "EdDSA");
    }

    #[test]
    fn parse_is_exact() {
        for bad in [
            "rs256", "Rs256", "EDDSA", "eddsa", " RS256", "RS256 ", "HS256", "none", "",
        ] {
            assert_eq!(Algorithm::parse(bad), None, "{bad:?}");
        }
    }
}
