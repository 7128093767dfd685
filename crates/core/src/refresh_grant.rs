//! The `refresh_token` grant (RFC 6749 §6): a refresh token is exchanged for a new access
//! token, a new ID token (with `openid`) and the next refresh token of its family. Every
//! use rotates the token; a used token presented again revokes the whole family (security
//! case C.27; the rules are in [`refresh_token`](crate::refresh_token)).
//!
//! The access token is decided as the code grant decides it, from the API and the user's
//! permissions as they are now: a role removed since the login is gone from the next
//! token. A family dies (is revoked) when its user is blocked or deleted, or its API is
//! deleted or no longer allows offline access.

use portcullis_proto::ErrorCode;

use crate::application::Application;
use crate::authorization_code::token_hash;
use crate::catalog::Catalog;
use crate::client_credentials::GrantError;
use crate::clock::UnixTime;
use crate::code_grant::{scope_list, user_access};
use crate::error::CoreError;
use crate::id_token::{self, IdTokenSpec, claims_for_scope};
use crate::ids::{ClientId, UserId};
use crate::oauth_error::OAuthError;
use crate::refresh_token::{RefreshToken, Rotation};
use crate::revocation;
use crate::rng::{Rng, random_b64url};
use crate::store::{Store, StoreError};
use crate::tenant::TenantSettings;
use crate::token::{AccessTokenSpec, Issuance, IssuedAccessToken};

pub const GRANT_TYPE: &str = "refresh_token";

/// The scope that asks for a refresh token.
pub const OFFLINE_ACCESS: &str = "offline_access";

/// Random bytes in a refresh token (256 bits).
const TOKEN_BYTES: usize = 32;

/// The parameters of the request besides client authentication.
#[derive(Debug, Clone, Default)]
pub struct RefreshRequest {
    pub refresh_token: Option<String>,
    /// A narrower scope for this access token (and ID token) only; the family keeps its
    /// scope.
    pub scope: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RefreshTokens {
    pub access: IssuedAccessToken,
    pub id_token: Option<String>,
    /// The next token of the family: the presented one is used up.
    pub refresh_token: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error(transparent)]
    Grant(#[from] GrantError),
    /// A used refresh token was presented again outside the overlap period: a sign of
    /// theft, and the whole family has been revoked. The client gets the `invalid_grant`
    /// of [`RefreshError::into_grant_error`]; the server logs it.
    #[error("refresh token reuse: family {family_id} of {client_id} for {user_id} revoked")]
    Reused {
        family_id: String,
        client_id: ClientId,
        user_id: UserId,
    },
}

impl RefreshError {
    /// What the client is told.
    pub fn into_grant_error(self) -> GrantError {
        match self {
            RefreshError::Grant(e) => e,
            RefreshError::Reused { .. } => invalid_token().into(),
        }
    }
}

impl From<OAuthError> for RefreshError {
    fn from(e: OAuthError) -> Self {
        RefreshError::Grant(e.into())
    }
}

impl From<StoreError> for RefreshError {
    fn from(e: StoreError) -> Self {
        RefreshError::Grant(e.into())
    }
}

impl From<CoreError> for RefreshError {
    fn from(e: CoreError) -> Self {
        RefreshError::Grant(e.into())
    }
}

/// A new refresh token and its [`token_hash`], the only form stored.
pub fn new_token(rng: &dyn Rng) -> (String, String) {
    let token = random_b64url(rng, TOKEN_BYTES);
    let hash = token_hash(&token);
    (token, hash)
}

/// Auth0's answer to every refresh token that cannot be used: unknown, revoked, expired,
/// used before, or another client's.
fn invalid_token() -> OAuthError {
    OAuthError::new(ErrorCode::InvalidGrant, "Unknown or invalid refresh token.")
}

/// The scope asked for: the family's when none is given, else a subset of it.
fn narrowed(family: &[String], asked: Option<&str>) -> Result<Vec<String>, OAuthError> {
    let Some(asked) = asked else {
        return Ok(family.to_vec());
    };
    let asked = scope_list(asked);
    let wider: Vec<&str> = asked
        .iter()
        .filter(|s| !family.contains(s))
        .map(String::as_str)
        .collect();
    if wider.is_empty() {
        Ok(asked)
    } else {
        Err(OAuthError::new(
            ErrorCode::InvalidScope,
            format!(
                "The requested scope exceeds the scope granted: {}",
                wider.join(", ")
            ),
        ))
    }
}

/// The token that continues `current` in its family: same absolute expiry, a new
/// inactivity expiry (never past the absolute one).
fn successor(
    current: &RefreshToken,
    token_hash: String,
    settings: &TenantSettings,
    now: UnixTime,
) -> Option<RefreshToken> {
    Some(RefreshToken {
        token_hash,
        generation: current.generation.checked_add(1)?,
        created_at: now,
        idle_expires_at: now
            .plus_secs(i64::from(settings.refresh_token_idle_lifetime))
            .min(current.expires_at),
        consumed_at: None,
        revoked_at: None,
        ..current.clone()
    })
}

/// Revokes the family of `token` and refuses the request with `e`.
async fn kill(
    store: &dyn Store,
    token: &RefreshToken,
    at: UnixTime,
    e: OAuthError,
) -> RefreshError {
    match revoke_family(store, token, at).await {
        Ok(_) => e.into(),
        Err(failure) => failure.into(),
    }
}

/// Revokes the family of `token` and the access tokens of its grant (RFC 7009 revocation,
/// a refusal that kills the family). Returns how many live tokens were revoked.
pub async fn revoke_family(
    store: &dyn Store,
    token: &RefreshToken,
    at: UnixTime,
) -> Result<u64, StoreError> {
    let revoked = store
        .revoke_refresh_family(&token.tenant_id, &token.family_id, at)
        .await?;
    if let Some(code_hash) = &token.code_hash {
        revocation::revoke(store, &token.tenant_id, code_hash, at).await?;
    }
    Ok(revoked)
}

/// Exchanges a refresh token. `app` is already authenticated.
pub async fn refresh(
    catalog: &Catalog,
    issuance: &Issuance<'_>,
    settings: &TenantSettings,
    app: &Application,
    request: &RefreshRequest,
) -> Result<RefreshTokens, RefreshError> {
    let store = catalog.store();
    if !app.grant_types.iter().any(|g| g == GRANT_TYPE) {
        return Err(OAuthError::unauthorized_client(format!(
            "Grant type '{GRANT_TYPE}' not allowed for the client."
        ))
        .into());
    }
    let Some(presented) = request.refresh_token.as_deref() else {
        return Err(
            OAuthError::invalid_request("Missing required parameter: refresh_token").into(),
        );
    };
    let tenant = &app.tenant_id;
    let now = issuance.now;
    let presented_hash = token_hash(presented);
    let Some(current) = store.refresh_token(tenant, &presented_hash).await? else {
        return Err(invalid_token().into());
    };
    // Another client's token is refused before anything changes: a client cannot burn
    // (or trigger reuse detection on) a token it does not own.
    if current.client_id != app.client_id {
        return Err(invalid_token().into());
    }
    let family_scope = scope_list(&current.scope);
    // A wider scope on a live token is the client's mistake: refused before rotating, so
    // the token still works. Any other token goes to rotation first, where reuse is
    // detected (and revoked or expired tokens refused) whatever the scope.
    let early_scope = if current.is_live(now) {
        Some(narrowed(&family_scope, request.scope.as_deref())?)
    } else {
        None
    };
    let (next_token, next_hash) = new_token(issuance.rng);
    let Some(next) = successor(&current, next_hash, settings, now) else {
        return Err(invalid_token().into());
    };
    let rotation = store
        .rotate_refresh_token(
            tenant,
            &presented_hash,
            &next,
            now,
            i64::from(settings.refresh_token_reuse_window),
        )
        .await?;
    let old = match rotation {
        Rotation::Rotated(old) | Rotation::ReusedInWindow(old) => old,
        Rotation::Reused { family_id } => {
            // The store revoked the family; the access tokens of its grant go too.
            if let Some(code_hash) = &current.code_hash {
                revocation::revoke(store, tenant, code_hash, now).await?;
            }
            return Err(RefreshError::Reused {
                family_id,
                client_id: current.client_id,
                user_id: current.user_id,
            });
        }
        Rotation::Revoked | Rotation::Expired | Rotation::NotFound => {
            return Err(invalid_token().into());
        }
    };
    // From here on, a refusal kills the family: the presented token is used up, and the
    // reason (a blocked user, an API gone offline) outlives this request.
    let requested = match early_scope {
        Some(s) => s,
        None => match narrowed(&family_scope, request.scope.as_deref()) {
            Ok(s) => s,
            Err(e) => return Err(kill(store, &old, now, e).await),
        },
    };
    let user = match store.user(tenant, &old.user_id).await? {
        Some(u) if !u.blocked => u,
        Some(_) => {
            let blocked = OAuthError::new(ErrorCode::InvalidGrant, "user is blocked");
            return Err(kill(store, &old, now, blocked).await);
        }
        None => return Err(kill(store, &old, now, invalid_token()).await),
    };
    let api = match old.audience.as_deref() {
        None => None,
        Some(audience) => match catalog.resource_server(tenant, audience).await? {
            Some(api) if api.allow_offline_access => Some(api),
            _ => return Err(kill(store, &old, now, invalid_token()).await),
        },
    };
    let spec = user_access(
        store,
        issuance.issuer,
        app,
        &user.user_id,
        &requested,
        api.as_deref(),
        true,
    )
    .await?;
    let spec = AccessTokenSpec {
        grant: old.code_hash.as_deref().map(revocation::grant_id),
        ..spec
    };
    let access = issuance.access_token(spec)?;
    let id_token = if requested.iter().any(|s| s == "openid") {
        Some(id_token::sign(
            issuance.signer,
            issuance.issuer,
            now,
            IdTokenSpec {
                sub: user.user_id.to_string(),
                client_id: app.client_id.to_string(),
                // OpenID Connect Core §12.2: no nonce on refresh; the original auth_time.
                nonce: None,
                sid: old.sid.clone(),
                auth_time: old.auth_time,
                code: None,
                profile: claims_for_scope(&requested, &user.profile_claims()),
                lifetime: settings.id_token_lifetime,
            },
        )?)
    } else {
        None
    };
    Ok(RefreshTokens {
        access,
        id_token,
        refresh_token: next_token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TenantId;
    use crate::rng::SystemRng;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn scope_may_narrow_but_never_widen() {
        let family = strings(&["openid", "email", "offline_access", "read:orders"]);
        assert_eq!(narrowed(&family, None), Ok(family.clone()));
        assert_eq!(
            narrowed(&family, Some("read:orders  openid read:orders")),
            Ok(strings(&["read:orders", "openid"]))
        );
        assert_eq!(
            narrowed(&family, Some("openid profile write:orders")),
            Err(OAuthError::new(
                ErrorCode::InvalidScope,
                "The requested scope exceeds the scope granted: profile, write:orders"
            ))
        );
    }

    fn token() -> RefreshToken {
        RefreshToken {
            tenant_id: TenantId::default_tenant(),
            token_hash: "h0".to_owned(),
            family_id: "fam".to_owned(),
            generation: 4,
            client_id: ClientId::new("c"),
            user_id: UserId::new("auth0|1"),
            scope: "openid offline_access".to_owned(),
            audience: Some("https://api.example/".to_owned()),
            sid: Some("sid-1".to_owned()),
            code_hash: Some("code".to_owned()),
            auth_time: UnixTime(90),
            created_at: UnixTime(100),
            expires_at: UnixTime(100 + 30 * 86_400),
            idle_expires_at: UnixTime(100 + 15 * 86_400),
            consumed_at: None,
            revoked_at: None,
        }
    }

    #[test]
    fn the_successor_keeps_the_family_and_its_absolute_expiry() {
        let settings = TenantSettings::default();
        let current = token();
        let at = UnixTime(100 + 86_400);
        let next = successor(&current, "h1".to_owned(), &settings, at).unwrap();
        assert_eq!(
            next,
            RefreshToken {
                token_hash: "h1".to_owned(),
                generation: 5,
                created_at: at,
                idle_expires_at: UnixTime(100 + 16 * 86_400),
                ..current.clone()
            }
        );
        // Late in the family's life the idle expiry stops at the absolute one.
        let late = UnixTime(100 + 20 * 86_400);
        let next = successor(&current, "h1".to_owned(), &settings, late).unwrap();
        assert_eq!(next.idle_expires_at, current.expires_at);
        // A family cannot grow past u32 generations.
        let last = RefreshToken {
            generation: u32::MAX,
            ..current
        };
        assert_eq!(successor(&last, "h1".to_owned(), &settings, at), None);
    }

    #[test]
    fn tokens_are_256_bits_and_stored_by_hash() {
        let (token, hash) = new_token(&SystemRng::new());
        assert_eq!(token.len(), 43);
        assert_eq!(hash, token_hash(&token));
        assert_ne!(new_token(&SystemRng::new()).0, token);
    }

    #[test]
    fn reuse_is_told_as_an_invalid_grant() {
        let e = RefreshError::Reused {
            family_id: "fam".to_owned(),
            client_id: ClientId::new("c"),
            user_id: UserId::new("auth0|1"),
        };
        match e.into_grant_error() {
            GrantError::OAuth(e) => assert_eq!(e, invalid_token()),
            GrantError::Internal(e) => panic!("{e}"),
        }
    }
}
