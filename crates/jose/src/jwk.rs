//! Public JWKs (RFC 7517, RFC 8037) built from aws-lc-rs public keys.
//!
//! Only public members are ever produced; [`Jwk`] has no field for private ones.

use aws_lc_rs::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};
use portcullis_proto::Jwk;

use crate::b64::url_encode;
use crate::{Algorithm, JoseError};

/// Length of one P-256 coordinate.
const P256_COORDINATE_LEN: usize = 32;

fn base(kty: &str, kid: &str, alg: Algorithm) -> Jwk {
    Jwk {
        kty: kty.to_owned(),
        kid: kid.to_owned(),
        alg: alg.as_str().to_owned(),
        use_: "sig".to_owned(),
        n: None,
        e: None,
        crv: None,
        x: None,
        y: None,
    }
}

/// `{"kty":"RSA","n","e"}`: big-endian unsigned integers without leading zero bytes.
pub(crate) fn rsa(kid: &str, pair: &RsaKeyPair) -> Jwk {
    let public = pair.public_key();
    Jwk {
        n: Some(url_encode(
            public.modulus().big_endian_without_leading_zero(),
        )),
        e: Some(url_encode(
            public.exponent().big_endian_without_leading_zero(),
        )),
        ..base("RSA", kid, Algorithm::Rs256)
    }
}

/// `{"kty":"EC","crv":"P-256","x","y"}`, each coordinate 32 bytes.
pub(crate) fn p256(kid: &str, pair: &EcdsaKeyPair) -> Result<Jwk, JoseError> {
    // X9.62 uncompressed point: 0x04 || x || y.
    let point = pair.public_key().as_ref();
    let coordinates = match point.split_first() {
        Some((0x04, rest)) if rest.len() == 2 * P256_COORDINATE_LEN => rest,
        _ => {
            return Err(JoseError::InvalidKey {
                alg: Algorithm::Es256,
                reason: "public key is not an uncompressed P-256 point".to_owned(),
            });
        }
    };
    let (x, y) = coordinates.split_at(P256_COORDINATE_LEN);
    Ok(Jwk {
        crv: Some("P-256".to_owned()),
        x: Some(url_encode(x)),
        y: Some(url_encode(y)),
        ..base("EC", kid, Algorithm::Es256)
    })
}

/// `{"kty":"OKP","crv":"Ed25519","x"}`.
pub(crate) fn ed25519(kid: &str, pair: &Ed25519KeyPair) -> Jwk {
    Jwk {
        crv: Some("Ed25519".to_owned()),
        x: Some(url_encode(pair.public_key().as_ref())),
        ..base("OKP", kid, Algorithm::EdDsa)
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use crate::{Algorithm, SigningKey};

    fn decoded(member: Option<&String>) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(member.unwrap()).unwrap()
    }

    fn assert_public_only(jwk: &portcullis_proto::Jwk) {
        let json = serde_json::to_value(jwk).unwrap();
        let members = json.as_object().unwrap();
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(!members.contains_key(private), "{private} in {json}");
        }
        assert_eq!(members["use"], "sig");
    }

    #[test]
    fn rsa_jwk_shape() {
        let key = SigningKey::generate(Algorithm::Rs256, "rsa-1".into()).unwrap();
        let jwk = key.public_jwk();
        assert_eq!(jwk.kty, "RSA");
        assert_eq!(jwk.kid, "rsa-1");
        assert_eq!(jwk.alg, "RS256");
        assert_eq!(jwk.use_, "sig");
        let n = decoded(jwk.n.as_ref());
        assert_eq!(n.len(), 256);
        assert_ne!(n[0], 0);
        assert_eq!(decoded(jwk.e.as_ref()), [1, 0, 1]);
        assert_eq!((jwk.crv, jwk.x.as_ref(), jwk.y), (None, None, None));
        assert_public_only(&key.public_jwk());
    }

    #[test]
    fn ec_jwk_shape() {
        let key = SigningKey::generate(Algorithm::Es256, "ec-1".into()).unwrap();
        let jwk = key.public_jwk();
        assert_eq!(jwk.kty, "EC");
        assert_eq!(jwk.kid, "ec-1");
        assert_eq!(jwk.alg, "ES256");
        assert_eq!(jwk.crv.as_deref(), Some("P-256"));
        assert_eq!(decoded(jwk.x.as_ref()).len(), 32);
        assert_eq!(decoded(jwk.y.as_ref()).len(), 32);
        assert_eq!((jwk.n.as_ref(), jwk.e.as_ref()), (None, None));
        assert_public_only(&jwk);
    }

    #[test]
    fn ed25519_jwk_shape() {
        let key = SigningKey::generate(Algorithm::EdDsa, "ed-1".into()).unwrap();
        let jwk = key.public_jwk();
        assert_eq!(jwk.kty, "OKP");
        assert_eq!(jwk.kid, "ed-1");
        assert_eq!(jwk.alg, "EdDSA");
        assert_eq!(jwk.crv.as_deref(), Some("Ed25519"));
        assert_eq!(decoded(jwk.x.as_ref()).len(), 32);
        assert_eq!(
            (jwk.n.as_ref(), jwk.e.as_ref(), jwk.y.as_ref()),
            (None, None, None)
        );
        assert_public_only(&jwk);
    }
}
