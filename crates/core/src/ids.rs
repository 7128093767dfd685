//! Identifiers as newtypes, so a client id can never be passed where a tenant id goes.

use std::fmt;

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

impl TenantId {
    pub fn default_tenant() -> Self {
        TenantId::new("default")
    }
}
