//! ID tokens (OpenID Connect Core §2), with Auth0's claims: profile claims by scope,
//! `sid`, `auth_time`, `nonce`, and `c_hash` in the hybrid flow.

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis_jose::{Algorithm, SigningKey};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::clock::UnixTime;
use crate::error::CoreError;

/// The standard claims of an ID token; profile claims are flattened in beside them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub c_hash: Option<String>,
    #[serde(flatten)]
    pub profile: Map<String, Value>,
}

/// The profile claims a scope releases (OIDC Core §5.4), picked from all of a user's.
pub fn claims_for_scope(scope: &[String], all: &Map<String, Value>) -> Map<String, Value> {
    const PROFILE: &[&str] = &[
        "name",
        "nickname",
        "picture",
        "updated_at",
        "given_name",
        "family_name",
    ];
    const EMAIL: &[&str] = &["email", "email_verified"];
    let mut out = Map::new();
    for (scope_name, names) in [("profile", PROFILE), ("email", EMAIL)] {
        if scope.iter().any(|s| s == scope_name) {
            for name in names {
                if let Some(v) = all.get(*name) {
                    out.insert((*name).to_owned(), v.clone());
                }
            }
        }
    }
    out
}

/// `c_hash` / `at_hash`: the left half of the hash of the value, base64url, with the
/// hash of the signing algorithm (SHA-256 for RS256 and ES256, SHA-512 for Ed25519).
pub fn half_hash(alg: Algorithm, value: &str) -> String {
    let algorithm = match alg {
        Algorithm::Rs256 | Algorithm::Es256 => &digest::SHA256,
        Algorithm::EdDsa => &digest::SHA512,
    };
    let d = digest::digest(algorithm, value.as_bytes());
    let bytes = d.as_ref();
    URL_SAFE_NO_PAD.encode(&bytes[..bytes.len() / 2])
}

/// What a particular ID token says, besides issuer and times.
#[derive(Debug, Clone)]
pub struct IdTokenSpec {
    pub sub: String,
    pub client_id: String,
    pub nonce: Option<String>,
    pub sid: Option<String>,
    pub auth_time: UnixTime,
    /// The code issued alongside (hybrid flow), for `c_hash`.
    pub code: Option<String>,
    pub profile: Map<String, Value>,
    /// Seconds.
    pub lifetime: u32,
}

/// Signs an ID token. ID tokens carry `typ: JWT`, never `at+jwt`.
pub fn sign(
    signer: &SigningKey,
    issuer: &str,
    now: UnixTime,
    spec: IdTokenSpec,
) -> Result<String, CoreError> {
    let claims = IdTokenClaims {
        iss: issuer.to_owned(),
        sub: spec.sub,
        aud: spec.client_id,
        iat: now.0,
        exp: now.plus_secs(i64::from(spec.lifetime)).0,
        nonce: spec.nonce,
        sid: spec.sid,
        auth_time: spec.auth_time.0,
        c_hash: spec.code.map(|c| half_hash(signer.alg(), &c)),
        profile: spec.profile,
    };
    Ok(signer.sign_jwt(Some("JWT"), &claims)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn c_hash_matches_the_oidc_core_example() {
        // OpenID Connect Core, Appendix A.4 (code "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk").
        assert_eq!(
            half_hash(
                Algorithm::Rs256,
                "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk"
            ),
            "LDktKdoQak3Pk0cnXxCltA"
        );
    }

    #[test]
    fn scopes_release_their_claims_only() {
        let all = json!({
            "name": "Ada", "nickname": "ada", "picture": "https://p/a.png",
            "updated_at": "2026-01-01T00:00:00.000Z", "email": "ada@example.com",
            "email_verified": true
        });
        let all = all.as_object().unwrap();
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        assert!(claims_for_scope(&s(&["openid"]), all).is_empty());
        let email = claims_for_scope(&s(&["openid", "email"]), all);
        assert_eq!(
            Value::Object(email),
            json!({"email": "ada@example.com", "email_verified": true})
        );
        let profile = claims_for_scope(&s(&["openid", "profile"]), all);
        assert_eq!(profile.len(), 4);
        assert!(profile.get("email").is_none());
    }

    #[test]
    fn signed_token_has_the_claims() {
        let key = SigningKey::generate(Algorithm::Es256, "k1".into()).unwrap();
        let mut profile = Map::new();
        profile.insert("name".into(), json!("Ada"));
        let jwt = sign(
            &key,
            "https://id.example/",
            UnixTime(1_000),
            IdTokenSpec {
                sub: "auth0|abc".into(),
                client_id: "c1".into(),
                nonce: Some("n1".into()),
                sid: Some("s1".into()),
                auth_time: UnixTime(900),
                code: Some("the-code".into()),
                profile,
                lifetime: 36_000,
            },
        )
        .unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header, json!({"alg": "ES256", "typ": "JWT", "kid": "k1"}));
        let claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(
            claims,
            json!({
                "iss": "https://id.example/", "sub": "auth0|abc", "aud": "c1",
                "iat": 1000, "exp": 37000, "nonce": "n1", "sid": "s1", "auth_time": 900,
                "c_hash": half_hash(Algorithm::Es256, "the-code"), "name": "Ada"
            })
        );
    }
}
