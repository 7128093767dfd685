//! Roles (role-based access control): a role carries permissions on APIs, stored as
//! `(audience, permission)` pairs such as `("https://api.example/", "read:messages")`;
//! users carry roles, and an access token for an API lists the permissions the user's
//! roles give on it.

use crate::clock::UnixTime;
use crate::ids::{RoleId, TenantId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub tenant_id: TenantId,
    pub id: RoleId,
    /// Unique within the tenant.
    pub name: String,
    pub description: String,
    pub created_at: UnixTime,
}
