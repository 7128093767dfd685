//! Identifiers as newtypes, so a client id can never be passed where a tenant id goes.

use std::fmt;

use crate::rng::{Rng, random_alphanumeric};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A tenant. A single-tenant install has one, [`TenantId::default_tenant`].
    TenantId
);
id_type!(
    /// An application's `client_id` (32 alphanumerics, as Auth0's).
    ClientId
);
id_type!(
    /// A client grant (`cgr_...`).
    GrantId
);
id_type!(
    /// A resource server (API) id; its `identifier` (the audience) is separate.
    ResourceServerId
);
id_type!(
    /// A user, as Auth0 spells it: `{connection-strategy}|{id}`. Users of the
    /// username/password database are `auth0|<24 lowercase hex>`.
    UserId
);
id_type!(
    /// A role (`rol_<16 alphanumerics>`, as Auth0's).
    RoleId
);

impl TenantId {
    pub fn default_tenant() -> Self {
        TenantId::new("default")
    }
}

impl UserId {
    /// The strategy prefix of users of the username/password database connection.
    pub const DATABASE_PREFIX: &'static str = "auth0|";

    /// A new database user id: `auth0|` and 12 random bytes as 24 lowercase hex digits
    /// (the shape of Auth0's ids, e.g. `auth0|5f7c8ec7c33c6c004bbafe82`).
    pub fn new_database_user(rng: &dyn Rng) -> Self {
        let mut bytes = [0u8; 12];
        rng.fill(&mut bytes);
        let mut id = String::with_capacity(Self::DATABASE_PREFIX.len() + 24);
        id.push_str(Self::DATABASE_PREFIX);
        for b in bytes {
            id.push(char::from(HEX[usize::from(b >> 4)]));
            id.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
        UserId(id)
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl RoleId {
    /// A new role id: `rol_` and 16 random alphanumerics.
    pub fn generate(rng: &dyn Rng) -> Self {
        RoleId(format!("rol_{}", random_alphanumeric(rng, 16)))
    }
}

impl GrantId {
    /// A new client grant id: `cgr_` and 16 random alphanumerics, as Auth0's.
    pub fn generate(rng: &dyn Rng) -> Self {
        GrantId(format!("cgr_{}", random_alphanumeric(rng, 16)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SystemRng;

    #[test]
    fn database_user_ids_look_like_auth0s() {
        let rng = SystemRng::new();
        let a = UserId::new_database_user(&rng);
        let hex = a.as_str().strip_prefix("auth0|").unwrap_or_default();
        assert_eq!(hex.len(), 24);
        assert!(
            hex.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert_ne!(a, UserId::new_database_user(&rng));
    }

    #[test]
    fn role_ids_look_like_auth0s() {
        let id = RoleId::generate(&SystemRng::new());
        let rest = id.as_str().strip_prefix("rol_").unwrap_or_default();
        assert_eq!(rest.len(), 16);
        assert!(rest.bytes().all(|b| b.is_ascii_alphanumeric()));
    }
}
