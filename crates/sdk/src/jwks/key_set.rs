//! A JWKS parsed into verification keys, each with the one algorithm it verifies: the
//! key's `alg`, or the usual one for its type. A token's header never chooses it.

use std::collections::HashMap;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey};

/// A verification key with the algorithm it is for.
#[derive(Clone)]
pub struct VerificationKey {
    pub key: DecodingKey,
    pub alg: Algorithm,
}

/// The usable signing keys of a JWKS: by `kid`, and those without one.
#[derive(Default, Clone)]
pub(crate) struct KeySet {
    by_kid: HashMap<String, VerificationKey>,
    unnamed: Vec<VerificationKey>,
}

impl KeySet {
    /// Signature keys of `set` that this SDK can verify with; others are skipped.
    pub fn from_jwks(set: &JwkSet) -> KeySet {
        let mut keys = KeySet::default();
        for jwk in &set.keys {
            let for_signing = jwk
                .common
                .public_key_use
                .as_ref()
                .is_none_or(|u| *u == jsonwebtoken::jwk::PublicKeyUse::Signature);
            let Some(alg) = algorithm_of(jwk).filter(|_| for_signing) else {
                continue;
            };
            let Ok(key) = DecodingKey::from_jwk(jwk) else {
                continue;
            };
            let key = VerificationKey { key, alg };
            match &jwk.common.key_id {
                Some(kid) => {
                    keys.by_kid.insert(kid.clone(), key);
                }
                None => keys.unnamed.push(key),
            }
        }
        keys
    }

    pub fn is_empty(&self) -> bool {
        self.by_kid.is_empty() && self.unnamed.is_empty()
    }

    /// The key for a token's `kid`; without one, the set's only key.
    pub fn get(&self, kid: Option<&str>) -> Option<&VerificationKey> {
        match kid {
            Some(kid) => self.by_kid.get(kid),
            None if self.by_kid.len() + self.unnamed.len() == 1 => {
                self.by_kid.values().next().or(self.unnamed.first())
            }
            None => None,
        }
    }
}

/// The JWK's algorithm: its `alg`, or the usual one for its key type. Symmetric keys
/// (`oct`) are never used: a public JWKS has no business holding one.
fn algorithm_of(jwk: &Jwk) -> Option<Algorithm> {
    if let Some(alg) = jwk.common.key_algorithm {
        return match alg {
            KeyAlgorithm::RS256 => Some(Algorithm::RS256),
            KeyAlgorithm::RS384 => Some(Algorithm::RS384),
            KeyAlgorithm::RS512 => Some(Algorithm::RS512),
            KeyAlgorithm::PS256 => Some(Algorithm::PS256),
            KeyAlgorithm::PS384 => Some(Algorithm::PS384),
            KeyAlgorithm::PS512 => Some(Algorithm::PS512),
            KeyAlgorithm::ES256 => Some(Algorithm::ES256),
            KeyAlgorithm::ES384 => Some(Algorithm::ES384),
            KeyAlgorithm::EdDSA => Some(Algorithm::EdDSA),
            _ => None,
        };
    }
    match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Some(Algorithm::RS256),
        AlgorithmParameters::EllipticCurve(p) => match p.curve {
            EllipticCurve::P256 => Some(Algorithm::ES256),
            EllipticCurve::P384 => Some(Algorithm::ES384),
            _ => None,
        },
        AlgorithmParameters::OctetKeyPair(_) => Some(Algorithm::EdDSA),
        AlgorithmParameters::OctetKey(_) => None,
    }
}
