//! APIs (Auth0 "resource servers"): the audiences access tokens are issued for.

use serde::{Deserialize, Serialize};

use crate::clock::UnixTime;
use crate::ids::{ResourceServerId, TenantId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceServerScope {
    pub value: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceServer {
    pub tenant_id: TenantId,
    pub id: ResourceServerId,
    pub name: String,
    /// The audience (`aud`) of its access tokens, e.g. `https://api.example.com/`.
    pub identifier: String,
    pub scopes: Vec<ResourceServerScope>,
    /// `RS256` unless set otherwise.
    pub signing_alg: String,
    /// Access token lifetime, seconds (Auth0 default 86400).
    pub token_lifetime: u32,
    pub allow_offline_access: bool,
    /// Auth0 `enforce_policies` (RBAC).
    pub enforce_policies: bool,
    /// Auth0 `token_dialect`: `access_token` or `access_token_authz` (adds `permissions`).
    pub token_dialect: String,
    /// The Management API: created by bootstrap, not deletable.
    pub is_system: bool,
    pub created_at: UnixTime,
}
