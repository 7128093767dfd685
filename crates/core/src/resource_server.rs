//! APIs (Auth0 "resource servers"): the audiences access tokens are issued for.

use serde::{Deserialize, Serialize};

use crate::clock::UnixTime;
use crate::ids::{ResourceServerId, TenantId};
use crate::rng::Rng;

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

impl ResourceServerId {
    /// 24 random hex characters, the shape of Auth0's resource server ids.
    pub fn generate(rng: &dyn Rng) -> Self {
        let mut buf = [0u8; 12];
        rng.fill(&mut buf);
        ResourceServerId::new(buf.iter().map(|b| format!("{b:02x}")).collect::<String>())
    }
}

/// What an administrator gives to create an API; the rest takes Auth0's defaults
/// (RS256, access tokens for 86400 s).
#[derive(Debug, Clone)]
pub struct NewApi {
    pub name: String,
    pub identifier: String,
    /// Scope values the API defines, e.g. `read:orders`.
    pub scopes: Vec<String>,
    pub allow_offline_access: bool,
    /// Auth0 "Enable RBAC" (`enforce_policies`): a user gets only the API scopes their
    /// roles give.
    pub rbac: bool,
    /// Auth0 "Add Permissions in the Access Token" (`token_dialect`
    /// `access_token_authz`): the `permissions` claim. Needs `rbac`.
    pub permissions_in_token: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NewApiError {
    #[error("permissions can be added to the access token only with RBAC enabled")]
    PermissionsWithoutRbac,
    #[error("the name must not be empty")]
    EmptyName,
    #[error("the identifier must be non-empty printable ASCII without spaces")]
    Identifier,
    #[error(
        "invalid scope {0:?}: a scope is printable ASCII without spaces, quotes or backslashes"
    )]
    Scope(String),
}

/// Whether `s` is a scope token (RFC 6749 §3.3: `%x21 / %x23-5B / %x5D-7E`).
pub fn is_scope_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

impl ResourceServer {
    /// A new API of `tenant`, not a system one. Scopes are kept in order, repeats dropped.
    pub fn create(
        tenant: &TenantId,
        new: NewApi,
        rng: &dyn Rng,
        now: UnixTime,
    ) -> Result<ResourceServer, NewApiError> {
        if new.name.trim().is_empty() {
            return Err(NewApiError::EmptyName);
        }
        // The identifier travels as the `audience` parameter and the `aud` claim.
        if !new.identifier.bytes().all(|b| b.is_ascii_graphic()) || new.identifier.is_empty() {
            return Err(NewApiError::Identifier);
        }
        if new.permissions_in_token && !new.rbac {
            return Err(NewApiError::PermissionsWithoutRbac);
        }
        let mut scopes: Vec<ResourceServerScope> = Vec::new();
        for s in new.scopes {
            if !is_scope_token(&s) {
                return Err(NewApiError::Scope(s));
            }
            if !scopes.iter().any(|d| d.value == s) {
                scopes.push(ResourceServerScope {
                    value: s,
                    description: String::new(),
                });
            }
        }
        Ok(ResourceServer {
            tenant_id: tenant.clone(),
            id: ResourceServerId::generate(rng),
            name: new.name,
            identifier: new.identifier,
            scopes,
            signing_alg: "RS256".to_owned(),
            token_lifetime: 86_400,
            allow_offline_access: new.allow_offline_access,
            enforce_policies: new.rbac,
            token_dialect: if new.permissions_in_token {
                "access_token_authz"
            } else {
                "access_token"
            }
            .to_owned(),
            is_system: false,
            created_at: now,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SystemRng;

    fn new(identifier: &str, scopes: &[&str]) -> NewApi {
        NewApi {
            name: "Orders".to_owned(),
            identifier: identifier.to_owned(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            allow_offline_access: true,
            rbac: false,
            permissions_in_token: false,
        }
    }

    #[test]
    fn created_with_auth0_defaults() {
        let tenant = TenantId::default_tenant();
        let api = ResourceServer::create(
            &tenant,
            new(
                "https://orders.example/",
                &["read:orders", "write:orders", "read:orders"],
            ),
            &SystemRng::new(),
            UnixTime(7),
        )
        .unwrap();
        assert_eq!(api.id.as_str().len(), 24);
        assert!(api.id.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
        let scopes: Vec<&str> = api.scopes.iter().map(|s| s.value.as_str()).collect();
        assert_eq!(scopes, ["read:orders", "write:orders"]);
        assert_eq!(
            (
                api.signing_alg.as_str(),
                api.token_lifetime,
                api.allow_offline_access,
                api.enforce_policies,
                api.token_dialect.as_str(),
                api.is_system,
                api.created_at
            ),
            (
                "RS256",
                86_400,
                true,
                false,
                "access_token",
                false,
                UnixTime(7)
            )
        );
    }

    #[test]
    fn rbac_and_permissions_in_the_token_set_auth0s_fields() {
        let tenant = TenantId::default_tenant();
        let create = |rbac, permissions_in_token| {
            ResourceServer::create(
                &tenant,
                NewApi {
                    rbac,
                    permissions_in_token,
                    ..new("urn:orders", &[])
                },
                &SystemRng::new(),
                UnixTime(0),
            )
            .map(|a| (a.enforce_policies, a.token_dialect))
        };
        assert_eq!(create(false, false), Ok((false, "access_token".to_owned())));
        assert_eq!(create(true, false), Ok((true, "access_token".to_owned())));
        assert_eq!(
            create(true, true),
            Ok((true, "access_token_authz".to_owned()))
        );
        assert_eq!(
            create(false, true),
            Err(NewApiError::PermissionsWithoutRbac)
        );
    }

    #[test]
    fn bad_names_identifiers_and_scopes_are_refused() {
        let tenant = TenantId::default_tenant();
        let create = |n: NewApi| ResourceServer::create(&tenant, n, &SystemRng::new(), UnixTime(0));
        for bad in ["", "https://a b/", "urn:é", "x\n"] {
            assert_eq!(
                create(new(bad, &[])).err(),
                Some(NewApiError::Identifier),
                "{bad:?}"
            );
        }
        for bad in ["", "read orders", "a\"b", "a\\b", "é"] {
            assert_eq!(
                create(new("urn:orders", &[bad])).err(),
                Some(NewApiError::Scope(bad.to_owned()))
            );
        }
        let unnamed = NewApi {
            name: " ".to_owned(),
            ..new("urn:orders", &[])
        };
        assert_eq!(create(unnamed).err(), Some(NewApiError::EmptyName));
    }
}
