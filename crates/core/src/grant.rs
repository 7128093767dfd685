//! Client grants: which machine-to-machine application may get tokens for which API,
//! with which scopes.

use crate::clock::UnixTime;
use crate::ids::{ClientId, GrantId, TenantId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientGrant {
    pub tenant_id: TenantId,
    pub id: GrantId,
    pub client_id: ClientId,
    /// The API identifier.
    pub audience: String,
    pub scope: Vec<String>,
    pub created_at: UnixTime,
}
