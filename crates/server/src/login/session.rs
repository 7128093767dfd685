//! The SSO session at the authorization server: found from its cookie, checked against
//! the tenant's absolute and idle lifetimes, created (with a fresh id) at login.

use axum::http::{HeaderMap, HeaderValue};
use portcullis_core::authorization_code::token_hash;
use portcullis_core::rng::random_b64url;
use portcullis_core::sso_session::SsoSession;
use portcullis_core::user::User;
use portcullis_core::{StoreError, TenantSettings};

use super::cookies::SESSION;
use crate::state::AppState;

/// The live session of this browser and its user, if any. A session of a blocked or
/// deleted user, an expired or revoked one, counts as none.
pub async fn current(
    state: &AppState,
    headers: &HeaderMap,
    settings: &TenantSettings,
) -> Result<Option<(SsoSession, User)>, StoreError> {
    let Some(cookie) = state.cookies.get(headers, SESSION) else {
        return Ok(None);
    };
    let id_hash = token_hash(&cookie);
    let now = state.clock.now();
    let Some(session) = state.store.session(&state.tenant, &id_hash).await? else {
        return Ok(None);
    };
    let idle = i64::from(settings.idle_session_lifetime) * 3600;
    if !session.is_active(now, idle) {
        return Ok(None);
    }
    let Some(user) = state.store.user(&state.tenant, &session.user_id).await? else {
        return Ok(None);
    };
    if user.blocked {
        return Ok(None);
    }
    state
        .store
        .touch_session(&state.tenant, &id_hash, now)
        .await?;
    Ok(Some((session, user)))
}

/// Starts a session for `user`, ending the one this browser had (a new id at every
/// login: no fixation). Returns the session and its `Set-Cookie`.
pub async fn start(
    state: &AppState,
    headers: &HeaderMap,
    settings: &TenantSettings,
    user: &User,
) -> Result<(SsoSession, Option<HeaderValue>), StoreError> {
    let now = state.clock.now();
    if let Some(old) = state.cookies.get(headers, SESSION) {
        state
            .store
            .revoke_session(&state.tenant, &token_hash(&old), now)
            .await?;
    }
    let value = random_b64url(state.rng.as_ref(), 32);
    let lifetime = i64::from(settings.session_lifetime) * 3600;
    let session = SsoSession {
        tenant_id: state.tenant.clone(),
        id_hash: token_hash(&value),
        sid: random_b64url(state.rng.as_ref(), 16),
        user_id: user.user_id.clone(),
        auth_time: now,
        created_at: now,
        last_active_at: now,
        expires_at: now.plus_secs(lifetime),
        revoked_at: None,
    };
    state.store.insert_session(&session).await?;
    Ok((session, state.cookies.set(SESSION, &value, lifetime)))
}
