//! Private signing keys, parsed once and kept in memory, and compact JWS signing.

use std::fmt;

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::error::KeyRejected;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
};
use portcullis_proto::Jwk;
use serde::Serialize;
use zeroize::Zeroizing;

use crate::b64::url_encode_into;
use crate::{Algorithm, JoseError, jwk};

/// Smallest accepted RSA modulus, in bytes (2048 bits).
const MIN_RSA_MODULUS_LEN: usize = 256;

/// A parsed key pair; the variant is the algorithm.
enum KeyPair {
    Rsa(RsaKeyPair),
    Es256(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// A private key ready to sign, with its key id.
///
/// The key pair is parsed once, when the key is made or loaded, and reused for every
/// signature. The PKCS#8 form is kept (zeroized on drop) so the key can be sealed and
/// stored. `Debug` shows only the kid and algorithm.
pub struct SigningKey {
    kid: String,
    pair: KeyPair,
    pkcs8: Zeroizing<Vec<u8>>,
    public_jwk: Jwk,
}

/// The JWS protected header; field order is the serialized order.
#[derive(Serialize)]
struct Header<'a> {
    alg: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    typ: Option<&'a str>,
    kid: &'a str,
}

impl SigningKey {
    /// Generates a new key: RSA 2048-bit, P-256 or Ed25519.
    pub fn generate(alg: Algorithm, kid: String) -> Result<SigningKey, JoseError> {
        let failed = |_| JoseError::KeyGeneration(alg);
        let (pair, pkcs8) = match alg {
            Algorithm::Rs256 => {
                let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(failed)?;
                let der = pair.as_der().map_err(failed)?;
                let pkcs8 = Zeroizing::new(der.as_ref().to_vec());
                (KeyPair::Rsa(pair), pkcs8)
            }
            Algorithm::Es256 => {
                let pair =
                    EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).map_err(failed)?;
                let der = pair.to_pkcs8v1().map_err(failed)?;
                let pkcs8 = Zeroizing::new(der.as_ref().to_vec());
                (KeyPair::Es256(pair), pkcs8)
            }
            Algorithm::EdDsa => {
                let pair = Ed25519KeyPair::generate().map_err(failed)?;
                let der = pair.to_pkcs8().map_err(failed)?;
                let pkcs8 = Zeroizing::new(der.as_ref().to_vec());
                (KeyPair::Ed25519(pair), pkcs8)
            }
        };
        SigningKey::new(kid, pair, pkcs8)
    }

    /// Loads an unencrypted PKCS#8 private key for `alg`.
    ///
    /// Fails with [`JoseError::WrongAlgorithm`] when the key is valid but of another type,
    /// and with [`JoseError::InvalidKey`] when it is not an acceptable key at all (including
    /// RSA keys under 2048 bits and EC keys on other curves).
    pub fn from_pkcs8(alg: Algorithm, kid: String, der: &[u8]) -> Result<SigningKey, JoseError> {
        let pair = parse_pkcs8(alg, der).map_err(|rejected| {
            match Algorithm::ALL
                .into_iter()
                .find(|&other| other != alg && parse_pkcs8(other, der).is_ok())
            {
                Some(found) => JoseError::WrongAlgorithm {
                    expected: alg,
                    found,
                },
                None => JoseError::InvalidKey {
                    alg,
                    reason: rejected.to_string(),
                },
            }
        })?;
        if let KeyPair::Rsa(rsa) = &pair
            && rsa.public_modulus_len() < MIN_RSA_MODULUS_LEN
        {
            return Err(JoseError::InvalidKey {
                alg,
                reason: "RSA keys must be at least 2048 bits".to_owned(),
            });
        }
        SigningKey::new(kid, pair, Zeroizing::new(der.to_vec()))
    }

    fn new(kid: String, pair: KeyPair, pkcs8: Zeroizing<Vec<u8>>) -> Result<SigningKey, JoseError> {
        let public_jwk = match &pair {
            KeyPair::Rsa(rsa) => jwk::rsa(&kid, rsa),
            KeyPair::Es256(ec) => jwk::p256(&kid, ec)?,
            KeyPair::Ed25519(ed) => jwk::ed25519(&kid, ed),
        };
        Ok(SigningKey {
            kid,
            pair,
            pkcs8,
            public_jwk,
        })
    }

    /// The unencrypted PKCS#8 DER of the private key, for sealing with a
    /// [`MasterKey`](crate::MasterKey).
    pub fn to_pkcs8(&self) -> Zeroizing<Vec<u8>> {
        self.pkcs8.clone()
    }

    /// The key id, published as `kid` in the JWKS and in every JWS header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The algorithm this key signs with.
    pub fn alg(&self) -> Algorithm {
        match self.pair {
            KeyPair::Rsa(_) => Algorithm::Rs256,
            KeyPair::Es256(_) => Algorithm::Es256,
            KeyPair::Ed25519(_) => Algorithm::EdDsa,
        }
    }

    /// The public half as a JWK with `use: sig`, `alg` and `kid` set.
    pub fn public_jwk(&self) -> Jwk {
        self.public_jwk.clone()
    }

    /// Signs `message` as JWS does: RSASSA-PKCS1-v1_5 SHA-256, ECDSA P-256 as the fixed
    /// 64-byte `r || s`, or Ed25519.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, JoseError> {
        let failed = |_| JoseError::Sign(self.alg());
        match &self.pair {
            KeyPair::Rsa(rsa) => {
                let mut signature = vec![0; rsa.public_modulus_len()];
                rsa.sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    message,
                    &mut signature,
                )
                .map_err(failed)?;
                Ok(signature)
            }
            KeyPair::Es256(ec) => {
                let signature = ec.sign(&SystemRandom::new(), message).map_err(failed)?;
                Ok(signature.as_ref().to_vec())
            }
            KeyPair::Ed25519(ed) => Ok(ed.sign(message).as_ref().to_vec()),
        }
    }

    /// Signs `claims` as a compact JWS (a JWT).
    ///
    /// The protected header is `{"alg","typ","kid"}` in that order (`typ` left out when
    /// `None`); the payload is the JSON of `claims`.
    pub fn sign_jwt<T: Serialize + ?Sized>(
        &self,
        typ: Option<&str>,
        claims: &T,
    ) -> Result<String, JoseError> {
        let header = serde_json::to_vec(&Header {
            alg: self.alg().as_str(),
            typ,
            kid: &self.kid,
        })?;
        let payload = serde_json::to_vec(claims)?;
        // Room for both segments, the signature (512 bytes covers RSA 4096) and the dots.
        let mut jwt = String::with_capacity((header.len() + payload.len() + 512) * 4 / 3 + 8);
        url_encode_into(&header, &mut jwt);
        jwt.push('.');
        url_encode_into(&payload, &mut jwt);
        let signature = self.sign(jwt.as_bytes())?;
        jwt.push('.');
        url_encode_into(&signature, &mut jwt);
        Ok(jwt)
    }
}

fn parse_pkcs8(alg: Algorithm, der: &[u8]) -> Result<KeyPair, KeyRejected> {
    Ok(match alg {
        Algorithm::Rs256 => KeyPair::Rsa(RsaKeyPair::from_pkcs8(der)?),
        Algorithm::Es256 => KeyPair::Es256(EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            der,
        )?),
        Algorithm::EdDsa => KeyPair::Ed25519(Ed25519KeyPair::from_pkcs8(der)?),
    })
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{DecodingKey, Validation};
    use serde::{Deserialize, Serialize};

    use super::*;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Claims {
        iss: String,
        sub: String,
        aud: String,
        iat: u64,
        exp: u64,
        scope: String,
        permissions: Vec<String>,
    }

    fn claims() -> Claims {
        Claims {
            iss: "https://tenant.example.com/".into(),
            sub: "auth0|5f7c8ec7c33c6c004bbafe82".into(),
            aud: "https://api.example.com".into(),
            iat: 1_700_000_000,
            // Far in the future: jsonwebtoken checks exp against the real clock.
            exp: 4_000_000_000,
            scope: "openid profile read:messages".into(),
            permissions: vec!["read:messages".into(), "write:messages \"quoted\"".into()],
        }
    }

    fn decoding_key(jwk: &Jwk) -> DecodingKey {
        match jwk.kty.as_str() {
            "RSA" => DecodingKey::from_rsa_components(
                jwk.n.as_deref().unwrap(),
                jwk.e.as_deref().unwrap(),
            )
            .unwrap(),
            "EC" => DecodingKey::from_ec_components(
                jwk.x.as_deref().unwrap(),
                jwk.y.as_deref().unwrap(),
            )
            .unwrap(),
            "OKP" => DecodingKey::from_ed_components(jwk.x.as_deref().unwrap()).unwrap(),
            other => panic!("unexpected kty {other}"),
        }
    }

    fn jwt_alg(alg: Algorithm) -> jsonwebtoken::Algorithm {
        match alg {
            Algorithm::Rs256 => jsonwebtoken::Algorithm::RS256,
            Algorithm::Es256 => jsonwebtoken::Algorithm::ES256,
            Algorithm::EdDsa => jsonwebtoken::Algorithm::EdDSA,
        }
    }

    fn verify(key: &SigningKey, token: &str) -> jsonwebtoken::errors::Result<Claims> {
        let mut validation = Validation::new(jwt_alg(key.alg()));
        validation.set_audience(&["https://api.example.com"]);
        validation.set_issuer(&["https://tenant.example.com/"]);
        jsonwebtoken::decode::<Claims>(token, &decoding_key(&key.public_jwk()), &validation)
            .map(|data| data.claims)
    }

    /// Flips one bit in the first byte of the signature segment's decoded bytes.
    fn tamper_signature(token: &str) -> String {
        use base64::Engine as _;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let (signed, signature) = token.rsplit_once('.').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
        bytes[0] ^= 0x01;
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    #[test]
    fn every_algorithm_verifies_with_jsonwebtoken() {
        for alg in Algorithm::ALL {
            let kid = format!("kid-{alg}");
            let key = SigningKey::generate(alg, kid.clone()).unwrap();
            assert_eq!(key.alg(), alg);
            assert_eq!(key.kid(), kid);

            let token = key.sign_jwt(Some("at+jwt"), &claims()).unwrap();
            let header = jsonwebtoken::decode_header(&token).unwrap();
            assert_eq!(header.alg, jwt_alg(alg));
            assert_eq!(header.typ.as_deref(), Some("at+jwt"));
            assert_eq!(header.kid.as_deref(), Some(kid.as_str()));
            assert_eq!(verify(&key, &token).unwrap(), claims(), "{alg}");

            let tampered = tamper_signature(&token);
            assert_ne!(tampered, token);
            let err = verify(&key, &tampered).unwrap_err();
            assert_eq!(
                err.kind(),
                &jsonwebtoken::errors::ErrorKind::InvalidSignature,
                "{alg}"
            );
        }
    }

    #[test]
    fn header_members_are_in_order() {
        use base64::Engine as _;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let key = SigningKey::generate(Algorithm::EdDsa, "k\"1".into()).unwrap();
        let header_of = |token: &str| {
            let segment = token.split('.').next().unwrap();
            String::from_utf8(URL_SAFE_NO_PAD.decode(segment).unwrap()).unwrap()
        };
        let with_typ = key.sign_jwt(Some("JWT"), &claims()).unwrap();
        assert_eq!(
            header_of(&with_typ),
            r#"{"alg":"EdDSA","typ":"JWT","kid":"k\"1"}"#
        );
        let without_typ = key.sign_jwt(None, &claims()).unwrap();
        assert_eq!(header_of(&without_typ), r#"{"alg":"EdDSA","kid":"k\"1"}"#);
        assert_eq!(without_typ.split('.').count(), 3);
        assert!(!without_typ.contains('='));
    }

    #[test]
    fn signature_lengths() {
        let message = b"header.payload";
        let rsa = SigningKey::generate(Algorithm::Rs256, "r".into()).unwrap();
        assert_eq!(rsa.sign(message).unwrap().len(), 256);
        let ec = SigningKey::generate(Algorithm::Es256, "e".into()).unwrap();
        assert_eq!(ec.sign(message).unwrap().len(), 64);
        let ed = SigningKey::generate(Algorithm::EdDsa, "d".into()).unwrap();
        assert_eq!(ed.sign(message).unwrap().len(), 64);
        // Ed25519 and RSA PKCS#1 v1.5 are deterministic.
        assert_eq!(ed.sign(message).unwrap(), ed.sign(message).unwrap());
        assert_eq!(rsa.sign(message).unwrap(), rsa.sign(message).unwrap());
    }

    #[test]
    fn pkcs8_round_trip_keeps_the_public_key() {
        for alg in Algorithm::ALL {
            let key = SigningKey::generate(alg, "a".into()).unwrap();
            let der = key.to_pkcs8();
            let loaded = SigningKey::from_pkcs8(alg, "a".into(), &der).unwrap();
            assert_eq!(loaded.public_jwk(), key.public_jwk(), "{alg}");
            assert_eq!(loaded.alg(), alg);
            assert_eq!(*loaded.to_pkcs8(), *der);
            // A token from the loaded key verifies against the original's JWK.
            let token = loaded.sign_jwt(Some("JWT"), &claims()).unwrap();
            assert_eq!(verify(&key, &token).unwrap(), claims());
        }
    }

    #[test]
    fn from_pkcs8_rejects_another_algorithms_key() {
        for alg in Algorithm::ALL {
            let der = SigningKey::generate(alg, "a".into()).unwrap().to_pkcs8();
            for expected in Algorithm::ALL.into_iter().filter(|&other| other != alg) {
                match SigningKey::from_pkcs8(expected, "a".into(), &der) {
                    Err(JoseError::WrongAlgorithm { expected: e, found }) => {
                        assert_eq!((e, found), (expected, alg));
                    }
                    other => panic!("{expected} from a {alg} key: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn from_pkcs8_rejects_garbage() {
        let mut truncated = SigningKey::generate(Algorithm::Es256, "a".into())
            .unwrap()
            .to_pkcs8();
        let half = truncated.len() / 2;
        truncated.truncate(half);
        for der in [
            &b""[..],
            b"not a key",
            &[0x30, 0x03, 0x02, 0x01, 0x00],
            &truncated,
        ] {
            for alg in Algorithm::ALL {
                let err = SigningKey::from_pkcs8(alg, "a".into(), der).unwrap_err();
                assert!(
                    matches!(err, JoseError::InvalidKey { alg: a, .. } if a == alg),
                    "{err:?}"
                );
            }
        }
    }

    /// A throwaway 1024-bit RSA key (`openssl genpkey -algorithm RSA
    /// -pkeyopt rsa_keygen_bits:1024 -outform DER | base64`); aws-lc-rs cannot make one.
    const RSA_1024_PKCS8: &str = "\
         MIICWwIBAAKBgQDRVFHE171eUL4su3Kci1/KpE0vPEkVMBQ68ISu1e5DJHl75PVfTFV/8UYx13SCBBZ9\
         4IQu8vGnWGu6mOS7d2ZiF7FmcV+r3rQ2Wj4oCGFjXsWypJNzXN9+SPe6t8ePDIAHcK9e9GLltkCLq3bR\
         LqenM4Qpav9m/TnUHgCFe+gPZQIDAQABAoGAO3hkHrNYJoJz9QtwHU9vcIfLMd9DuBRHuxL37x/yJ/sl\
         1HAQ0flC1S17zs8yV3nH1g1CIIB+7Rcuy/2CBkx+tl3lDU7sjMNM5shz4+6dvHGbCb7SHDBjk0KgPHsZ\
         Btpy9hfgJYVqmntzneeFbNjaR6zIm0oCBnfRlCxTuov9fUECQQDzvv4HYw54g4LRPbJ5nLm2VAbGIAog\
         4cbz6D5SAfNmauokoX1bNrSt3KD15mR1ASWvJKLSkv8krUOWTahYE4v1AkEA29pih5PSPXue4PKKHqyI\
         HlamIywbSDs1ULHyg5Zdoee75gtN/abIVJMH908qPjhoQjGE7+EJBLmppsmUXkc/sQJADPj9TCdZfdCC\
         BeDivtY4jBuswJ6z60wY6qJRrsuryKeoDosJwPEIbLhxWKUKc6+78bZhdBOewLT4A+feLdHcgQJACcB/\
         HFpvOfDw1DON8txeUVIwnmDHeQW/UKwEANg7oQHhcMvRks3CFxZKhSrKyeXAoicGKYnG16HQp6hLX38z\
         kQJAD2e1k77kFI/lCPwu7OhMzubUCBdVDuBavWy7SsO5+s0Ho70n/4rzxb+akZz/vpCCMGH6xO2k1L4V\
         79OmdNGOpw==";

    #[test]
    fn from_pkcs8_rejects_small_rsa_and_other_curves() {
        use base64::Engine as _;
        use base64::engine::general_purpose::STANDARD;
        let small = STANDARD.decode(RSA_1024_PKCS8).unwrap();
        let err = SigningKey::from_pkcs8(Algorithm::Rs256, "a".into(), &small).unwrap_err();
        assert!(
            matches!(
                err,
                JoseError::InvalidKey {
                    alg: Algorithm::Rs256,
                    ..
                }
            ),
            "{err:?}"
        );

        let p384 = EcdsaKeyPair::generate(&aws_lc_rs::signature::ECDSA_P384_SHA384_FIXED_SIGNING)
            .unwrap()
            .to_pkcs8v1()
            .unwrap();
        let err = SigningKey::from_pkcs8(Algorithm::Es256, "a".into(), p384.as_ref()).unwrap_err();
        assert!(
            matches!(
                err,
                JoseError::InvalidKey {
                    alg: Algorithm::Es256,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn debug_shows_no_key_material() {
        let key = SigningKey::generate(Algorithm::Es256, "my-kid".into()).unwrap();
        let debug = format!("{key:?}");
        assert_eq!(debug, r#"SigningKey { kid: "my-kid", alg: Es256, .. }"#);
    }

    #[test]
    fn signing_key_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SigningKey>();
    }
}
