//! The `authorization_code` grant: a single-use code, bound to its client, redirect URI
//! and PKCE challenge, exchanged for an access token (and an ID token with `openid`).
//! A replayed code fails and revokes what its first exchange issued (RFC 6749 §4.1.2).

use portcullis_proto::ErrorCode;

use crate::application::Application;
use crate::authorization_code::{CodeConsumption, token_hash};
use crate::client_credentials::GrantError;
use crate::id_token::{self, IdTokenSpec, claims_for_scope};
use crate::oauth_error::OAuthError;
use crate::pkce::{self, CodeChallenge, CodeVerifier};
use crate::store::Store;
use crate::tenant::TenantSettings;
use crate::token::{AccessTokenSpec, Audience, Issuance, IssuedAccessToken};

pub const GRANT_TYPE: &str = "authorization_code";

/// Scopes of OpenID Connect itself, granted whatever the API.
const OIDC_SCOPES: &[&str] = &["openid", "profile", "email"];

/// Lifetime of an access token good for `/userinfo` only (no audience asked).
const USERINFO_TOKEN_LIFETIME: u32 = 86_400;

#[derive(Debug, Clone, Default)]
pub struct CodeRequest {
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CodeTokens {
    pub access: IssuedAccessToken,
    pub id_token: Option<String>,
}

fn invalid_code() -> GrantError {
    OAuthError::new(ErrorCode::InvalidGrant, "Invalid authorization code").into()
}

pub async fn exchange(
    store: &dyn Store,
    issuance: &Issuance<'_>,
    settings: &TenantSettings,
    app: &Application,
    request: &CodeRequest,
) -> Result<CodeTokens, GrantError> {
    if !app.grant_types.iter().any(|g| g == GRANT_TYPE) {
        return Err(OAuthError::unauthorized_client(format!(
            "Grant type '{GRANT_TYPE}' not allowed for the client."
        ))
        .into());
    }
    let Some(code) = request.code.as_deref() else {
        return Err(OAuthError::invalid_request("Missing required parameter: code").into());
    };
    let verifier = request
        .code_verifier
        .as_deref()
        .map(CodeVerifier::parse)
        .transpose()
        .map_err(|e| OAuthError::new(e.oauth_error(), e.to_string()))?;
    let now = issuance.now;
    let code_hash = token_hash(code);
    let stored = match store.consume_code(&app.tenant_id, &code_hash, now).await? {
        CodeConsumption::Consumed(c) => c,
        CodeConsumption::AlreadyConsumed(_) => {
            // A replay: whatever the first exchange issued that can be revoked is.
            store
                .revoke_refresh_by_code(&app.tenant_id, &code_hash, now)
                .await?;
            return Err(invalid_code());
        }
        CodeConsumption::NotFound => return Err(invalid_code()),
    };
    // From here the code is spent whatever happens: a wrong verifier burns it.
    if stored.client_id != app.client_id || stored.is_expired(now) {
        return Err(invalid_code());
    }
    if request
        .redirect_uri
        .as_deref()
        .is_some_and(|r| r != stored.redirect_uri)
    {
        return Err(OAuthError::new(
            ErrorCode::InvalidGrant,
            "redirect_uri does not match the one of the authorization request",
        )
        .into());
    }
    let challenge = stored
        .code_challenge
        .as_deref()
        .map(CodeChallenge::from_stored)
        .transpose()
        .map_err(|_| invalid_code())?;
    pkce::verify(challenge.as_ref(), verifier.as_ref())
        .map_err(|e| OAuthError::new(e.oauth_error(), e.to_string()))?;
    let Some(user) = store.user(&app.tenant_id, &stored.user_id).await? else {
        return Err(invalid_code());
    };
    if user.blocked {
        return Err(OAuthError::new(ErrorCode::InvalidGrant, "user is blocked").into());
    }

    let requested: Vec<String> = stored
        .scope
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let openid = requested.iter().any(|s| s == "openid");
    let mut granted: Vec<String> = requested
        .iter()
        .filter(|s| OIDC_SCOPES.contains(&s.as_str()))
        .cloned()
        .collect();
    let userinfo = format!("{}userinfo", issuance.issuer);
    let (aud, permissions, lifetime) = match stored.audience.as_deref() {
        None => (Audience::One(userinfo), None, USERINFO_TOKEN_LIFETIME),
        Some(audience) => {
            let Some(api) = store
                .resource_server_by_identifier(&app.tenant_id, audience)
                .await?
            else {
                return Err(
                    OAuthError::access_denied(format!("Service not found: {audience}")).into(),
                );
            };
            let user_permissions = if api.enforce_policies {
                Some(
                    store
                        .user_permissions(&app.tenant_id, &user.user_id, audience)
                        .await?,
                )
            } else {
                None
            };
            for s in &requested {
                let defined = api.scopes.iter().any(|d| &d.value == s);
                let allowed = user_permissions.as_ref().is_none_or(|p| p.contains(s));
                if defined && allowed && !granted.contains(s) {
                    granted.push(s.clone());
                }
            }
            let permissions = (api.enforce_policies && api.token_dialect == "access_token_authz")
                .then(|| user_permissions.unwrap_or_default());
            let aud = if openid {
                Audience::Many(vec![api.identifier.clone(), userinfo])
            } else {
                Audience::One(api.identifier.clone())
            };
            (aud, permissions, api.token_lifetime)
        }
    };
    let access = issuance.access_token(AccessTokenSpec {
        sub: user.user_id.to_string(),
        azp: app.client_id.to_string(),
        aud,
        scope: (!granted.is_empty()).then(|| granted.join(" ")),
        gty: None,
        permissions,
        lifetime,
    })?;
    let id_token = if openid {
        Some(id_token::sign(
            issuance.signer,
            issuance.issuer,
            now,
            IdTokenSpec {
                sub: user.user_id.to_string(),
                client_id: app.client_id.to_string(),
                nonce: stored.nonce.clone(),
                sid: Some(stored.sid.clone()),
                auth_time: stored.auth_time,
                code: None,
                profile: claims_for_scope(&requested, &user.profile_claims()),
                lifetime: settings.id_token_lifetime,
            },
        )?)
    } else {
        None
    };
    Ok(CodeTokens { access, id_token })
}
