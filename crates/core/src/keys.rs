//! Signing keys per tenant: stored sealed, published in the JWKS, rotated with overlap.
//!
//! A key's state is derived from its timestamps and the clock, never stored, so every
//! instance sharing a database agrees on it without coordination:
//! - **next**: `activates_at` is in the future. Published, not yet signing.
//! - **current**: the newest unrevoked key whose `activates_at` has passed. Signs.
//! - **previous**: superseded by a newer current key less than `retention` ago. Still
//!   published, so tokens it signed keep verifying until they expire.
//! - **retired**: superseded longer ago than `retention`. Not published.
//! - **revoked**: withdrawn by an operator. Not published, never signs.

use std::sync::Arc;

use portcullis_jose::{Algorithm, MasterKey, SigningKey};
use portcullis_proto::{Jwk, JwkSet};

use crate::clock::{Clock, UnixTime};
use crate::error::CoreError;
use crate::ids::TenantId;
use crate::rng::{Rng, random_b64url};
use crate::store::Store;

/// A signing key as stored: public part in clear, private part sealed with the master key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    pub tenant_id: TenantId,
    pub kid: String,
    pub alg: Algorithm,
    pub public_jwk: Jwk,
    /// PKCS#8 DER sealed by [`MasterKey::seal`] with the kid as associated data.
    pub sealed_private_key: Vec<u8>,
    pub created_at: UnixTime,
    pub activates_at: UnixTime,
    pub revoked_at: Option<UnixTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    Next,
    Current,
    Previous,
    Retired,
    Revoked,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyState::Next => "next",
            KeyState::Current => "current",
            KeyState::Previous => "previous",
            KeyState::Retired => "retired",
            KeyState::Revoked => "revoked",
        }
    }

    pub fn is_published(self) -> bool {
        matches!(
            self,
            KeyState::Next | KeyState::Current | KeyState::Previous
        )
    }
}

/// The state of each key at `now`, in the order given (which the store returns sorted
/// by `activates_at`, then `created_at`). `retention` is how long a superseded key stays
/// published: at least the longest lifetime of a token it may have signed.
pub fn key_states(keys: &[StoredKey], now: UnixTime, retention_secs: i64) -> Vec<KeyState> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by_key(|&i| (keys[i].activates_at, keys[i].created_at));
    let live: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| keys[i].revoked_at.is_none())
        .collect();
    let mut states = vec![KeyState::Revoked; keys.len()];
    for (pos, &i) in live.iter().enumerate() {
        let key = &keys[i];
        states[i] = if key.activates_at > now {
            KeyState::Next
        } else {
            // Superseded when the next live key became active, if it has.
            match live.get(pos + 1).map(|&j| keys[j].activates_at) {
                Some(at) if at <= now => {
                    if at.plus_secs(retention_secs) > now {
                        KeyState::Previous
                    } else {
                        KeyState::Retired
                    }
                }
                _ => KeyState::Current,
            }
        };
    }
    states
}

/// The keys an instance signs and publishes with, private keys opened once and kept
/// parsed in memory (re-parsing per signature makes RS256 2.5x slower).
#[derive(Debug, Clone)]
pub struct KeyRing {
    /// Unrevoked, unretired keys, ordered by activation, with their activation time.
    keys: Vec<(UnixTime, Arc<SigningKey>)>,
    jwks: Arc<JwkSet>,
    /// The earliest future moment at which the ring's answer changes without a database
    /// change (a next key activating, a previous key retiring).
    changes_at: Option<UnixTime>,
}

impl KeyRing {
    /// Opens the published keys of `stored`. Fails if any cannot be opened with `master`
    /// (the wrong master key), naming the kid.
    pub fn open(
        stored: &[StoredKey],
        master: &MasterKey,
        now: UnixTime,
        retention_secs: i64,
    ) -> Result<Self, CoreError> {
        let states = key_states(stored, now, retention_secs);
        let mut order: Vec<usize> = (0..stored.len()).collect();
        order.sort_by_key(|&i| (stored[i].activates_at, stored[i].created_at));
        let mut keys = Vec::new();
        let mut jwks = JwkSet::default();
        let mut changes_at: Option<UnixTime> = None;
        let mut note = |t: UnixTime| {
            if t > now {
                changes_at = Some(changes_at.map_or(t, |c| c.min(t)));
            }
        };
        for (pos, &i) in order.iter().enumerate() {
            let key = &stored[i];
            if !states[i].is_published() {
                continue;
            }
            let der = master
                .open(&key.sealed_private_key, key.kid.as_bytes())
                .map_err(|source| CoreError::Key {
                    kid: key.kid.clone(),
                    source,
                })?;
            let opened =
                SigningKey::from_pkcs8(key.alg, key.kid.clone(), &der).map_err(|source| {
                    CoreError::Key {
                        kid: key.kid.clone(),
                        source,
                    }
                })?;
            note(key.activates_at);
            if states[i] == KeyState::Previous {
                let superseded = order[pos + 1..]
                    .iter()
                    .map(|&j| &stored[j])
                    .find(|k| k.revoked_at.is_none())
                    .map(|k| k.activates_at);
                if let Some(at) = superseded {
                    note(at.plus_secs(retention_secs));
                }
            }
            jwks.keys.push(key.public_jwk.clone());
            keys.push((key.activates_at, Arc::new(opened)));
        }
        Ok(KeyRing {
            keys,
            jwks: Arc::new(jwks),
            changes_at,
        })
    }

    /// The key that signs at `now`: the newest whose activation time has passed.
    pub fn signing_key(&self, now: UnixTime) -> Option<&Arc<SigningKey>> {
        self.keys
            .iter()
            .rev()
            .find(|(at, _)| *at <= now)
            .map(|(_, k)| k)
    }

    /// The public key set, as served at `/.well-known/jwks.json`.
    pub fn jwks(&self) -> &Arc<JwkSet> {
        &self.jwks
    }

    /// When this ring should be rebuilt even if the database has not changed.
    pub fn changes_at(&self) -> Option<UnixTime> {
        self.changes_at
    }
}

/// How long a superseded key stays published: the longest token lifetime it may have
/// signed, plus a minute for clock skew.
pub fn retention_secs(id_token_lifetime: u32, access_token_lifetimes: &[u32]) -> i64 {
    let longest = access_token_lifetimes
        .iter()
        .copied()
        .chain(std::iter::once(id_token_lifetime))
        .max()
        .unwrap_or(0);
    i64::from(longest) + 60
}

/// [`retention_secs`] for a tenant as stored: its ID token lifetime and its APIs'
/// access token lifetimes.
pub async fn tenant_retention_secs(store: &dyn Store, tenant: &TenantId) -> Result<i64, CoreError> {
    let t = store
        .tenant(tenant)
        .await?
        .ok_or_else(|| CoreError::NoTenant(tenant.to_string()))?;
    let lifetimes: Vec<u32> = store
        .resource_servers(tenant)
        .await?
        .iter()
        .map(|rs| rs.token_lifetime)
        .collect();
    Ok(retention_secs(t.settings.id_token_lifetime, &lifetimes))
}

/// Generates a key and seals its private part. `activates_at` is when it starts signing.
pub fn new_stored_key(
    tenant: &TenantId,
    alg: Algorithm,
    master: &MasterKey,
    rng: &dyn Rng,
    now: UnixTime,
    activates_at: UnixTime,
) -> Result<StoredKey, CoreError> {
    let kid = random_b64url(rng, 16);
    let key = SigningKey::generate(alg, kid.clone())?;
    let der = key.to_pkcs8();
    let sealed_private_key = master.seal(&der, kid.as_bytes())?;
    Ok(StoredKey {
        tenant_id: tenant.clone(),
        public_jwk: key.public_jwk(),
        kid,
        alg,
        sealed_private_key,
        created_at: now,
        activates_at,
        revoked_at: None,
    })
}

/// The key operations of `portcullis keys` and the Management API.
pub struct KeyManager<'a> {
    pub store: &'a dyn Store,
    pub clock: &'a dyn Clock,
    pub rng: &'a dyn Rng,
    pub master: &'a MasterKey,
}

impl KeyManager<'_> {
    /// Publishes a new key now, which starts signing `activate_after_secs` later. Until
    /// then verifiers that cached the key set have time to fetch the new one.
    pub async fn rotate(
        &self,
        tenant: &TenantId,
        alg: Algorithm,
        activate_after_secs: i64,
    ) -> Result<StoredKey, CoreError> {
        self.require_tenant(tenant).await?;
        let now = self.clock.now();
        let key = new_stored_key(
            tenant,
            alg,
            self.master,
            self.rng,
            now,
            now.plus_secs(activate_after_secs.max(0)),
        )?;
        self.store.insert_signing_key(&key).await?;
        Ok(key)
    }

    /// Withdraws a key from the key set at once. When it was the key signing now and no
    /// other key is active, a replacement of the same algorithm is created and activated
    /// immediately, so the tenant can always sign; that key is returned.
    pub async fn revoke(
        &self,
        tenant: &TenantId,
        kid: &str,
        retention_secs: i64,
    ) -> Result<Option<StoredKey>, CoreError> {
        let now = self.clock.now();
        let keys = self.store.signing_keys(tenant).await?;
        let states = key_states(&keys, now, retention_secs);
        let Some(pos) = keys
            .iter()
            .position(|k| k.kid == kid && k.revoked_at.is_none())
        else {
            return Err(CoreError::NoSuchKey(kid.to_owned()));
        };
        if !self.store.revoke_signing_key(tenant, kid, now).await? {
            return Err(CoreError::NoSuchKey(kid.to_owned()));
        }
        if states[pos] != KeyState::Current {
            return Ok(None);
        }
        // Falling back to the previous key would revive an older key; a fresh one is
        // the safe answer to a key withdrawn because it may be compromised.
        let replacement = new_stored_key(tenant, keys[pos].alg, self.master, self.rng, now, now)?;
        self.store.insert_signing_key(&replacement).await?;
        Ok(Some(replacement))
    }

    async fn require_tenant(&self, tenant: &TenantId) -> Result<(), CoreError> {
        match self.store.tenant(tenant).await? {
            Some(_) => Ok(()),
            None => Err(CoreError::NoTenant(tenant.to_string())),
        }
    }
}
