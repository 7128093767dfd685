//! Access token claims, as Auth0 issues them (DESIGN.md "Tokens"), and their signing.

use portcullis_jose::SigningKey;
use serde::Serialize;

use crate::clock::UnixTime;
use crate::error::CoreError;
use crate::revocation;
use crate::rng::Rng;

/// `typ` of access tokens (RFC 9068), so they cannot pass for ID or logout tokens.
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// `aud`: one audience, or several (the API and `{issuer}userinfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: Audience,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// `client-credentials` for machine-to-machine tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gty: Option<&'static str>,
    pub azp: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
}

/// A signed access token and what the token response says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedAccessToken {
    pub jwt: String,
    pub expires_in: u64,
    pub scope: Option<String>,
}

/// What a particular access token says.
#[derive(Debug, Clone)]
pub struct AccessTokenSpec {
    pub sub: String,
    pub azp: String,
    pub aud: Audience,
    pub scope: Option<String>,
    pub gty: Option<&'static str>,
    pub permissions: Option<Vec<String>>,
    /// Seconds.
    pub lifetime: u32,
    /// The grant a user's token comes from, named in its `jti` so it can be revoked
    /// (crate::revocation); `None` for machine-to-machine tokens.
    pub grant: Option<String>,
}

/// What every issued token needs: who issues, when, with which key.
pub struct Issuance<'a> {
    pub issuer: &'a str,
    pub now: UnixTime,
    pub rng: &'a dyn Rng,
    pub signer: &'a SigningKey,
}

impl Issuance<'_> {
    /// Signs an access token.
    pub fn access_token(&self, spec: AccessTokenSpec) -> Result<IssuedAccessToken, CoreError> {
        let claims = AccessTokenClaims {
            iss: self.issuer.to_owned(),
            sub: spec.sub,
            aud: spec.aud,
            iat: self.now.0,
            exp: self.now.plus_secs(i64::from(spec.lifetime)).0,
            jti: revocation::jti(spec.grant.as_deref(), self.rng),
            scope: spec.scope.clone(),
            gty: spec.gty,
            azp: spec.azp,
            permissions: spec.permissions,
        };
        let jwt = self.signer.sign_jwt(Some(ACCESS_TOKEN_TYP), &claims)?;
        Ok(IssuedAccessToken {
            jwt,
            expires_in: u64::from(spec.lifetime),
            scope: spec.scope,
        })
    }
}
