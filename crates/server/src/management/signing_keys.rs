//! `/api/v2/keys/signing`: the tenant's signing keys, as Auth0's Keys API shows them.
//!
//! - `GET /keys/signing` (`read:signing_keys`): every key, revoked ones included, in
//!   activation order.
//! - `GET /keys/signing/{kid}` (`read:signing_keys`): one key, or 404.
//! - `POST /keys/signing/rotate` (`create:signing_keys`): a new key of the current key's
//!   algorithm that signs from now on; the key it replaces stays published as
//!   `previous` until the tokens it signed expire. 201 `{kid}`.
//! - `PUT /keys/signing/{kid}/revoke` (`update:signing_keys`): withdraws a key from the
//!   key set. As in Auth0, the key signing now cannot be revoked (400): rotate first.
//!   200 `{kid}`.
//!
//! What differs from Auth0: Portcullis keys are raw JWKs, not X.509 certificates, so
//! there is no `cert`, `pkcs7` or certificate `fingerprint`. `thumbprint` is the
//! RFC 7638 JWK thumbprint (base64url SHA-256), not a certificate's SHA-1; the public
//! key itself is given as `jwk`, with its `alg`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use portcullis_core::keys::{KeyState, StoredKey, key_states, tenant_retention_secs};
use portcullis_core::user::rfc3339;
use portcullis_core::{CoreError, UnixTime, token_hash};
use portcullis_jose::Algorithm;
use portcullis_proto::Jwk;
use serde_json::{Map, Value, json};

use super::auth;
use super::error::ApiError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/keys/signing", get(list))
        .route("/keys/signing/rotate", post(rotate))
        .route("/keys/signing/{kid}", get(read))
        .route("/keys/signing/{kid}/revoke", put(revoke))
}

fn inexistent_key() -> ApiError {
    ApiError::not_found("The signing key does not exist.", "inexistent_key")
}

fn core_error(e: CoreError) -> ApiError {
    match e {
        CoreError::Store(s) => s.into(),
        other => ApiError::internal("signing keys", &other),
    }
}

/// The tenant's keys with their states and the moment each stopped signing.
struct Keys {
    keys: Vec<StoredKey>,
    states: Vec<KeyState>,
    superseded_at: Vec<Option<UnixTime>>,
}

async fn load(state: &AppState) -> Result<Keys, ApiError> {
    let now = state.clock.now();
    let retention = tenant_retention_secs(state.store.as_ref(), &state.tenant)
        .await
        .map_err(core_error)?;
    let keys = state.store.signing_keys(&state.tenant).await?;
    let states = key_states(&keys, now, retention);
    Ok(Keys {
        superseded_at: superseded_at(&keys, now),
        keys,
        states,
    })
}

/// For each key, when the next unrevoked key (in activation order) began signing, if it
/// has: the end of the key's time as the current key.
fn superseded_at(keys: &[StoredKey], now: UnixTime) -> Vec<Option<UnixTime>> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by_key(|&i| (keys[i].activates_at, keys[i].created_at));
    let live: Vec<usize> = order
        .into_iter()
        .filter(|&i| keys[i].revoked_at.is_none())
        .collect();
    let mut out = vec![None; keys.len()];
    for pair in live.windows(2) {
        if let [this, next] = *pair {
            let at = keys[next].activates_at;
            if at <= now {
                out[this] = Some(at);
            }
        }
    }
    out
}

/// RFC 7638: SHA-256 of the required members in lexicographic order, base64url.
fn thumbprint(jwk: &Jwk) -> Option<String> {
    let s = |v: &Option<String>| v.as_deref().map(|x| Value::from(x).to_string());
    let kty = Value::from(jwk.kty.as_str()).to_string();
    let canonical = match jwk.kty.as_str() {
        "RSA" => format!(r#"{{"e":{},"kty":{kty},"n":{}}}"#, s(&jwk.e)?, s(&jwk.n)?),
        "EC" => format!(
            r#"{{"crv":{},"kty":{kty},"x":{},"y":{}}}"#,
            s(&jwk.crv)?,
            s(&jwk.x)?,
            s(&jwk.y)?
        ),
        "OKP" => format!(
            r#"{{"crv":{},"kty":{kty},"x":{}}}"#,
            s(&jwk.crv)?,
            s(&jwk.x)?
        ),
        _ => return None,
    };
    Some(token_hash(&canonical))
}

fn key_json(
    key: &StoredKey,
    state: KeyState,
    superseded_at: Option<UnixTime>,
    now: UnixTime,
) -> Value {
    let mut m = Map::new();
    m.insert("kid".into(), key.kid.clone().into());
    m.insert("current".into(), (state == KeyState::Current).into());
    m.insert("next".into(), (state == KeyState::Next).into());
    m.insert("previous".into(), (state == KeyState::Previous).into());
    // A key signed from its activation until a newer key took over (or its revocation).
    let until = match (superseded_at, key.revoked_at) {
        (Some(a), Some(r)) => Some(a.min(r)),
        (a, r) => a.or(r),
    };
    let signed = key.activates_at <= now && until.is_none_or(|u| key.activates_at < u);
    if signed {
        m.insert("current_since".into(), rfc3339(key.activates_at.0).into());
        if let Some(u) = until {
            m.insert("current_until".into(), rfc3339(u.0).into());
        }
    }
    if let Some(t) = thumbprint(&key.public_jwk) {
        m.insert("thumbprint".into(), t.into());
    }
    m.insert("revoked".into(), key.revoked_at.is_some().into());
    if let Some(at) = key.revoked_at {
        m.insert("revoked_at".into(), rfc3339(at.0).into());
    }
    m.insert("alg".into(), key.alg.as_str().into());
    m.insert(
        "jwk".into(),
        serde_json::to_value(&key.public_jwk).unwrap_or(Value::Null),
    );
    Value::Object(m)
}

async fn list(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["read:signing_keys"])?;
    let k = load(&state).await?;
    let now = state.clock.now();
    let items: Vec<Value> = (0..k.keys.len())
        .map(|i| key_json(&k.keys[i], k.states[i], k.superseded_at[i], now))
        .collect();
    Ok(axum::Json(Value::Array(items)).into_response())
}

async fn read(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(kid): Path<String>,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["read:signing_keys"])?;
    let k = load(&state).await?;
    let i = k
        .keys
        .iter()
        .position(|key| key.kid == kid)
        .ok_or_else(inexistent_key)?;
    let now = state.clock.now();
    Ok(axum::Json(key_json(&k.keys[i], k.states[i], k.superseded_at[i], now)).into_response())
}

async fn rotate(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["create:signing_keys"])?;
    let k = load(&state).await?;
    let alg = k
        .keys
        .iter()
        .zip(&k.states)
        .find(|(_, s)| **s == KeyState::Current)
        .map_or(Algorithm::Rs256, |(key, _)| key.alg);
    let key = rotation::rotate(&state, alg).await?;
    Ok((StatusCode::CREATED, axum::Json(json!({ "kid": key.kid }))).into_response())
}

async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(kid): Path<String>,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["update:signing_keys"])?;
    let k = load(&state).await?;
    let i = k
        .keys
        .iter()
        .position(|key| key.kid == kid)
        .ok_or_else(inexistent_key)?;
    match k.states[i] {
        KeyState::Revoked => {
            return Err(ApiError::bad_request(
                "The signing key has been revoked already.",
                None,
            ));
        }
        KeyState::Current => {
            return Err(ApiError::bad_request(
                "The current signing key cannot be revoked: rotate the signing key first.",
                None,
            ));
        }
        KeyState::Next | KeyState::Previous | KeyState::Retired => {}
    }
    let now = state.clock.now();
    if !state
        .store
        .revoke_signing_key(&state.tenant, &kid, now)
        .await?
    {
        // Revoked by someone else between the read and the write.
        return Err(ApiError::bad_request(
            "The signing key has been revoked already.",
            None,
        ));
    }
    rotation::reload(&state).await;
    Ok(axum::Json(json!({ "kid": kid })).into_response())
}

/// What needs the master key (which seals new private keys and opens the key ring).
mod rotation {
    use portcullis_core::keys::{KeyManager, StoredKey};
    use portcullis_jose::Algorithm;

    use super::ApiError;
    use crate::state::AppState;

    /// A new key that signs from now on; the key ring is reloaded at once.
    pub(super) async fn rotate(state: &AppState, alg: Algorithm) -> Result<StoredKey, ApiError> {
        let manager = KeyManager {
            store: state.store.as_ref(),
            clock: state.clock.as_ref(),
            rng: state.rng.as_ref(),
            master: &state.master,
        };
        let key = manager
            .rotate(&state.tenant, alg, 0)
            .await
            .map_err(super::core_error)?;
        reload(state).await;
        Ok(key)
    }

    /// Re-reads the key ring at once, so `/.well-known/jwks.json` and token verification
    /// follow the change without waiting for `keys.refresh_interval`. A failure is
    /// logged: the refresh task tries again.
    pub(super) async fn reload(state: &AppState) {
        if let Err(e) = state
            .keys
            .reload(
                state.store.as_ref(),
                &state.tenant,
                &state.master,
                state.clock.as_ref(),
            )
            .await
        {
            tracing::warn!(error = %e, "reloading signing keys after a change failed; the refresh task will retry");
        }
    }
}
