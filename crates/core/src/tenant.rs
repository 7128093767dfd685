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
    /// Roles (their [`RoleId`](crate::ids::RoleId) strings) given to every new user.
    pub default_roles: Vec<String>,
    /// Refresh-token rotation overlap period, seconds (Auth0 `leeway`; default 0): how long
    /// after its rotation the previous refresh token may be presented again without
    /// counting as reuse. 0 turns the overlap off.
    pub refresh_token_reuse_window: u32,
    /// Absolute lifetime of a refresh-token family, seconds (Auth0 `token_lifetime` of the
    /// refresh token rotation settings; default 2592000 = 30 days): rotation never
    /// extends it.
    pub refresh_token_lifetime: u32,
    /// Inactivity lifetime of a refresh token, seconds (Auth0 `idle_token_lifetime`;
    /// default 1296000 = 15 days): each rotation starts it again, up to the absolute
    /// lifetime.
    pub refresh_token_idle_lifetime: u32,
    /// Whether a signup must verify its address before it can log in (not an Auth0
    /// setting; default false, Auth0's behaviour: a signup is logged in at once). When
    /// on, a new address is mailed a verification link instead of being logged in, and
    /// a taken one gets the very same answer (its owner is mailed a notice), so signup
    /// no longer tells which addresses have accounts: this closes security case E.37
    /// for signup.
    pub signup_requires_verification: bool,
}

impl Default for TenantSettings {
    fn default() -> Self {
        TenantSettings {
            friendly_name: "Portcullis".to_owned(),
            picture_url: None,
            session_lifetime: 7 * 24,
            idle_session_lifetime: 3 * 24,
            id_token_lifetime: 36_000,
            default_roles: Vec::new(),
            refresh_token_reuse_window: 0,
            refresh_token_lifetime: 2_592_000,
            refresh_token_idle_lifetime: 1_296_000,
            signup_requires_verification: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_stored_before_a_field_existed_read_with_its_default() {
        let old: Result<TenantSettings, _> = serde_json::from_str(
            r#"{"friendly_name":"Acme","picture_url":null,"session_lifetime":1,"idle_session_lifetime":2,"id_token_lifetime":3}"#,
        );
        let old = old.ok();
        assert_eq!(
            old.as_ref().map(|s| (
                s.default_roles.len(),
                s.refresh_token_reuse_window,
                s.refresh_token_lifetime,
                s.refresh_token_idle_lifetime,
                s.signup_requires_verification
            )),
            Some((0, 0, 2_592_000, 1_296_000, false))
        );
        assert_eq!(old.map(|s| s.friendly_name), Some("Acme".to_owned()));
    }
}
