//! A JWKS parsed into verification keys, each with the one algorithm it verifies: the
//! key's `alg`, or the usual one for its type. A token's header never chooses it.
//!
//! Each key is parsed into aws-lc-rs once, when the set is fetched: verifying with
//! jsonwebtoken's `DecodingKey` rebuilds the RSA key on every signature.

use std::collections::HashMap;
use std::sync::Arc;

use aws_lc_rs::signature::{self, ParsedPublicKey, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Algorithm;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm};

/// A verification key, parsed, with the algorithm it is for.
#[derive(Clone)]
pub struct VerificationKey {
    pub alg: Algorithm,
    key: Arc<ParsedPublicKey>,
}

impl VerificationKey {
    /// Whether `signature` is this key's over `signing_input` (JWS: `header.payload`).
    pub fn verifies(&self, signing_input: &[u8], signature: &[u8]) -> bool {
        self.key.verify_sig(signing_input, signature).is_ok()
    }
}

impl std::fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerificationKey")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
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
            let Some(key) = parse(jwk, alg) else {
                continue;
            };
            let key = VerificationKey {
                alg,
                key: Arc::new(key),
            };
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

/// The key of `jwk` for `alg`, when the two go together.
fn parse(jwk: &Jwk, alg: Algorithm) -> Option<ParsedPublicKey> {
    let b64 = |s: &str| URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok();
    match &jwk.algorithm {
        AlgorithmParameters::RSA(p) => {
            let params: &'static signature::RsaParameters = match alg {
                Algorithm::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
                Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
                Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
                Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
                Algorithm::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
                Algorithm::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
                _ => return None,
            };
            let (n, e) = (b64(&p.n)?, b64(&p.e)?);
            // aws-lc refuses leading zero octets; RFC 7518 forbids them anyway.
            let trim = |v: &[u8]| {
                v.iter()
                    .position(|b| *b != 0)
                    .map_or(Vec::new(), |i| v[i..].to_vec())
            };
            let components = RsaPublicKeyComponents {
                n: trim(&n),
                e: trim(&e),
            };
            components.to_parsed_public_key(params).ok()
        }
        AlgorithmParameters::EllipticCurve(p) => {
            let verification: &'static signature::EcdsaVerificationAlgorithm = match (alg, &p.curve)
            {
                (Algorithm::ES256, EllipticCurve::P256) => &signature::ECDSA_P256_SHA256_FIXED,
                (Algorithm::ES384, EllipticCurve::P384) => &signature::ECDSA_P384_SHA384_FIXED,
                _ => return None,
            };
            let mut point = vec![0x04];
            point.extend(b64(&p.x)?);
            point.extend(b64(&p.y)?);
            ParsedPublicKey::new(verification, point).ok()
        }
        AlgorithmParameters::OctetKeyPair(p) if alg == Algorithm::EdDSA => (p.curve
            == EllipticCurve::Ed25519)
            .then(|| ParsedPublicKey::new(&signature::ED25519, b64(&p.x)?).ok())
            .flatten(),
        _ => None,
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
