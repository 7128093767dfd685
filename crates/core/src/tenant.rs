//! Tenants and their settings.

use serde::{Deserialize, Serialize};

use crate::clock::UnixTime;
use crate::ids::TenantId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    pub settings: TenantSettings,
    pub created_at: UnixTime,
}

/// Tenant settings, with Auth0's names and defaults. Stored as one JSON document so a
/// setting added later needs no migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TenantSettings {
    pub friendly_name: String,
    pub picture_url: Option<String>,
    /// Absolute SSO session lifetime, hours (Auth0 `session_lifetime`; default 7 days).
    pub session_lifetime: u32,
    /// SSO session inactivity timeout, hours (Auth0 `idle_session_lifetime`; default 3 days).
    pub idle_session_lifetime: u32,
    /// ID token lifetime, seconds (Auth0 default 36000).
    pub id_token_lifetime: u32,
}

impl Default for TenantSettings {
    fn default() -> Self {
        TenantSettings {
            friendly_name: "Portcullis".to_owned(),
            picture_url: None,
            session_lifetime: 7 * 24,
            idle_session_lifetime: 3 * 24,
            id_token_lifetime: 36_000,
        }
    }
}
