//! The `authorization_code` grant: a single-use code, bound to its client, redirect URI
//! and PKCE challenge, exchanged for an access token (and an ID token with `openid`).
//! A replayed code fails and revokes what its first exchange issued (RFC 6749 §4.1.2).

use portcullis_proto::ErrorCode;

use crate::application::Application;
use crate::authorization_code::{CodeConsumption, token_hash};
use crate::catalog::Catalog;
use crate::client_credentials::GrantError;
use crate::id_token::{self, IdTokenSpec, claims_for_scope};
use crate::ids::UserId;
use crate::oauth_error::OAuthError;
use crate::pkce::{self, CodeChallenge, CodeVerifier};
use crate::refresh_grant::{self, OFFLINE_ACCESS};
use crate::refresh_token::RefreshToken;
use crate::resource_server::ResourceServer;
use crate::revocation;
use crate::rng::random_b64url;
use crate::store::{Store, StoreError};
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
    /// With `offline_access`, for an API that allows offline access: generation 0 of a
    /// new refresh-token family.
    pub refresh_token: Option<String>,
}

fn invalid_code() -> GrantError {
    OAuthError::new(ErrorCode::InvalidGrant, "Invalid authorization code").into()
}

pub async fn exchange(
    catalog: &Catalog,
    issuance: &Issuance<'_>,
    settings: &TenantSettings,
    app: &Application,
    request: &CodeRequest,
) -> Result<CodeTokens, GrantError> {
    let store = catalog.store();
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
            revocation::revoke(store, &app.tenant_id, &code_hash, now).await?;
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

    let requested = scope_list(&stored.scope);
    let openid = requested.iter().any(|s| s == "openid");
    let api = match stored.audience.as_deref() {
        None => None,
        Some(audience) => {
            let Some(api) = catalog.resource_server(&app.tenant_id, audience).await? else {
                return Err(
                    OAuthError::access_denied(format!("Service not found: {audience}")).into(),
                );
            };
            Some(api)
        }
    };
    // Auth0: a refresh token only with `offline_access`, for an API that allows offline
    // access, to an application that may use the refresh_token grant.
    let offline = requested.iter().any(|s| s == OFFLINE_ACCESS)
        && api.as_ref().is_some_and(|a| a.allow_offline_access)
        && app
            .grant_types
            .iter()
            .any(|g| g == refresh_grant::GRANT_TYPE);
    let spec = user_access(
        store,
        issuance.issuer,
        app,
        &user.user_id,
        &requested,
        api.as_deref(),
        offline,
    )
    .await?;
    let spec = AccessTokenSpec {
        grant: Some(revocation::grant_id(&code_hash)),
        ..spec
    };
    let granted_scope = spec.scope.clone().unwrap_or_default();
    let access = issuance.access_token(spec)?;
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
    let refresh_token = if offline {
        let (token, hash) = refresh_grant::new_token(issuance.rng);
        let expires_at = now.plus_secs(i64::from(settings.refresh_token_lifetime));
        store
            .insert_refresh_token(&RefreshToken {
                tenant_id: app.tenant_id.clone(),
                token_hash: hash,
                family_id: random_b64url(issuance.rng, 16),
                generation: 0,
                client_id: app.client_id.clone(),
                user_id: user.user_id.clone(),
                scope: granted_scope,
                audience: stored.audience.clone(),
                sid: Some(stored.sid.clone()),
                code_hash: Some(code_hash),
                auth_time: stored.auth_time,
                created_at: now,
                expires_at,
                idle_expires_at: now
                    .plus_secs(i64::from(settings.refresh_token_idle_lifetime))
                    .min(expires_at),
                consumed_at: None,
                revoked_at: None,
            })
            .await?;
        Some(token)
    } else {
        None
    };
    Ok(CodeTokens {
        access,
        id_token,
        refresh_token,
    })
}

/// The scopes of a space-separated scope string, in order, without empty entries or
/// repeats.
pub(crate) fn scope_list(scope: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in scope.split(' ').filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    out
}

/// The access token of a user for the `requested` scopes and the API `api` (`None`: a
/// token for `/userinfo` only), decided from the API and the user's permissions as they
/// are now. Granted, in this order: the OpenID Connect scopes asked for,
/// `offline_access` when asked for and `offline`, then the API's scopes asked for that
/// the API defines and (with RBAC) the user's roles give.
pub(crate) async fn user_access(
    store: &dyn Store,
    issuer: &str,
    app: &Application,
    user_id: &UserId,
    requested: &[String],
    api: Option<&ResourceServer>,
    offline: bool,
) -> Result<AccessTokenSpec, StoreError> {
    let openid = requested.iter().any(|s| s == "openid");
    let mut granted: Vec<String> = requested
        .iter()
        .filter(|s| OIDC_SCOPES.contains(&s.as_str()))
        .cloned()
        .collect();
    if offline && requested.iter().any(|s| s == OFFLINE_ACCESS) {
        granted.push(OFFLINE_ACCESS.to_owned());
    }
    let userinfo = format!("{issuer}userinfo");
    let (aud, permissions, lifetime) = match api {
        None => (Audience::One(userinfo), None, USERINFO_TOKEN_LIFETIME),
        Some(api) => {
            let user_permissions = if api.enforce_policies {
                Some(
                    store
                        .user_permissions(&app.tenant_id, user_id, &api.identifier)
                        .await?,
                )
            } else {
                None
            };
            for s in requested {
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
    Ok(AccessTokenSpec {
        sub: user_id.to_string(),
        azp: app.client_id.to_string(),
        aud,
        scope: (!granted.is_empty()).then(|| granted.join(" ")),
        gty: None,
        permissions,
        lifetime,
        grant: None,
    })
}
