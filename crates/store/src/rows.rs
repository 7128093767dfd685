//! Rows as both backends return them, and their conversion to and from domain types.
//!
//! JSON columns are read as text (PostgreSQL selects `col::text`), booleans as `bool`,
//! times as `i64` Unix seconds. A row that does not convert back is
//! [`StoreError::Corrupt`], never a panic.

use portcullis_core::keys::StoredKey;
use portcullis_core::{
    AppType, Application, ClientGrant, ClientId, GrantId, ResourceServer, ResourceServerId,
    ResourceServerScope, SecretHash, StoreError, Tenant, TenantId, TenantSettings,
    TokenEndpointAuthMethod, UnixTime,
};
use portcullis_jose::Algorithm;
use portcullis_proto::Jwk;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) const TENANTS: &str = "tenants";
pub(crate) const APPLICATIONS: &str = "applications";
pub(crate) const RESOURCE_SERVERS: &str = "resource_servers";
pub(crate) const CLIENT_GRANTS: &str = "client_grants";
pub(crate) const SIGNING_KEYS: &str = "signing_keys";

/// A value as a JSON document, for a JSON column.
pub(crate) fn to_json<T: Serialize + ?Sized>(
    table: &'static str,
    column: &str,
    value: &T,
) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt {
        table,
        detail: format!("cannot encode {column}: {e}"),
    })
}

fn from_json<T: DeserializeOwned>(
    table: &'static str,
    column: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        table,
        detail: format!("{column}: {e}"),
    })
}

fn corrupt(table: &'static str, detail: String) -> StoreError {
    StoreError::Corrupt { table, detail }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct TenantRow {
    id: String,
    settings: String,
    created_at: i64,
}

impl TryFrom<TenantRow> for Tenant {
    type Error = StoreError;
    fn try_from(row: TenantRow) -> Result<Self, StoreError> {
        Ok(Tenant {
            settings: from_json::<TenantSettings>(TENANTS, "settings", &row.settings)?,
            id: TenantId::new(row.id),
            created_at: UnixTime(row.created_at),
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ApplicationRow {
    tenant_id: String,
    client_id: String,
    name: String,
    app_type: String,
    client_secret_hash: Option<String>,
    token_endpoint_auth_method: String,
    callbacks: String,
    allowed_logout_urls: String,
    web_origins: String,
    grant_types: String,
    created_at: i64,
}

impl TryFrom<ApplicationRow> for Application {
    type Error = StoreError;
    fn try_from(row: ApplicationRow) -> Result<Self, StoreError> {
        let t = APPLICATIONS;
        let app_type = AppType::parse(&row.app_type)
            .ok_or_else(|| corrupt(t, format!("app_type: unknown value {:?}", row.app_type)))?;
        let token_endpoint_auth_method =
            TokenEndpointAuthMethod::parse(&row.token_endpoint_auth_method).ok_or_else(|| {
                corrupt(
                    t,
                    format!(
                        "token_endpoint_auth_method: unknown value {:?}",
                        row.token_endpoint_auth_method
                    ),
                )
            })?;
        let client_secret_hash = match row.client_secret_hash {
            None => None,
            Some(stored) => Some(SecretHash::parse(&stored).ok_or_else(|| {
                corrupt(t, "client_secret_hash: not in a known format".to_owned())
            })?),
        };
        Ok(Application {
            tenant_id: TenantId::new(row.tenant_id),
            client_id: ClientId::new(row.client_id),
            name: row.name,
            app_type,
            client_secret_hash,
            token_endpoint_auth_method,
            callbacks: from_json(t, "callbacks", &row.callbacks)?,
            allowed_logout_urls: from_json(t, "allowed_logout_urls", &row.allowed_logout_urls)?,
            web_origins: from_json(t, "web_origins", &row.web_origins)?,
            grant_types: from_json(t, "grant_types", &row.grant_types)?,
            created_at: UnixTime(row.created_at),
        })
    }
}

/// The JSON columns of an application, encoded once for either backend.
pub(crate) struct ApplicationJson {
    pub callbacks: String,
    pub allowed_logout_urls: String,
    pub web_origins: String,
    pub grant_types: String,
}

impl ApplicationJson {
    pub(crate) fn of(app: &Application) -> Result<Self, StoreError> {
        let t = APPLICATIONS;
        Ok(ApplicationJson {
            callbacks: to_json(t, "callbacks", &app.callbacks)?,
            allowed_logout_urls: to_json(t, "allowed_logout_urls", &app.allowed_logout_urls)?,
            web_origins: to_json(t, "web_origins", &app.web_origins)?,
            grant_types: to_json(t, "grant_types", &app.grant_types)?,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ResourceServerRow {
    tenant_id: String,
    id: String,
    name: String,
    identifier: String,
    scopes: String,
    signing_alg: String,
    token_lifetime: i64,
    allow_offline_access: bool,
    enforce_policies: bool,
    token_dialect: String,
    is_system: bool,
    created_at: i64,
}

impl TryFrom<ResourceServerRow> for ResourceServer {
    type Error = StoreError;
    fn try_from(row: ResourceServerRow) -> Result<Self, StoreError> {
        let t = RESOURCE_SERVERS;
        let token_lifetime = u32::try_from(row.token_lifetime).map_err(|_| {
            corrupt(
                t,
                format!("token_lifetime: out of range: {}", row.token_lifetime),
            )
        })?;
        Ok(ResourceServer {
            tenant_id: TenantId::new(row.tenant_id),
            id: ResourceServerId::new(row.id),
            name: row.name,
            identifier: row.identifier,
            scopes: from_json::<Vec<ResourceServerScope>>(t, "scopes", &row.scopes)?,
            signing_alg: row.signing_alg,
            token_lifetime,
            allow_offline_access: row.allow_offline_access,
            enforce_policies: row.enforce_policies,
            token_dialect: row.token_dialect,
            is_system: row.is_system,
            created_at: UnixTime(row.created_at),
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ClientGrantRow {
    tenant_id: String,
    id: String,
    client_id: String,
    audience: String,
    scope: String,
    created_at: i64,
}

impl TryFrom<ClientGrantRow> for ClientGrant {
    type Error = StoreError;
    fn try_from(row: ClientGrantRow) -> Result<Self, StoreError> {
        Ok(ClientGrant {
            tenant_id: TenantId::new(row.tenant_id),
            id: GrantId::new(row.id),
            client_id: ClientId::new(row.client_id),
            audience: row.audience,
            scope: from_json(CLIENT_GRANTS, "scope", &row.scope)?,
            created_at: UnixTime(row.created_at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SigningKeyRow {
    tenant_id: String,
    kid: String,
    alg: String,
    public_jwk: String,
    sealed_private_key: Vec<u8>,
    created_at: i64,
    activates_at: i64,
    revoked_at: Option<i64>,
}

impl TryFrom<SigningKeyRow> for StoredKey {
    type Error = StoreError;
    fn try_from(row: SigningKeyRow) -> Result<Self, StoreError> {
        let t = SIGNING_KEYS;
        let alg = Algorithm::parse(&row.alg)
            .ok_or_else(|| corrupt(t, format!("alg: unknown algorithm {:?}", row.alg)))?;
        Ok(StoredKey {
            tenant_id: TenantId::new(row.tenant_id),
            kid: row.kid,
            alg,
            public_jwk: from_json::<Jwk>(t, "public_jwk", &row.public_jwk)?,
            sealed_private_key: row.sealed_private_key,
            created_at: UnixTime(row.created_at),
            activates_at: UnixTime(row.activates_at),
            revoked_at: row.revoked_at.map(UnixTime),
        })
    }
}

/// Converts every row, stopping at the first that does not convert.
pub(crate) fn convert_all<R, T>(rows: Vec<R>) -> Result<Vec<T>, StoreError>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app_row() -> ApplicationRow {
        ApplicationRow {
            tenant_id: "default".to_owned(),
            client_id: "abc".to_owned(),
            name: "App".to_owned(),
            app_type: "spa".to_owned(),
            client_secret_hash: None,
            token_endpoint_auth_method: "none".to_owned(),
            callbacks: r#"["https://a/cb"]"#.to_owned(),
            allowed_logout_urls: "[]".to_owned(),
            web_origins: "[]".to_owned(),
            grant_types: r#"["authorization_code"]"#.to_owned(),
            created_at: 7,
        }
    }

    #[test]
    fn a_good_row_converts() {
        let app = Application::try_from(app_row()).ok();
        assert_eq!(
            app.map(|a| (a.app_type, a.callbacks)),
            Some((AppType::Spa, vec!["https://a/cb".to_owned()]))
        );
    }

    #[test]
    fn bad_rows_are_corrupt_not_panics() {
        let cases = [
            ApplicationRow {
                app_type: "robot".to_owned(),
                ..app_row()
            },
            ApplicationRow {
                token_endpoint_auth_method: "magic".to_owned(),
                ..app_row()
            },
            ApplicationRow {
                client_secret_hash: Some("md5:x".to_owned()),
                ..app_row()
            },
            ApplicationRow {
                callbacks: "{".to_owned(),
                ..app_row()
            },
        ];
        for row in cases {
            let err = Application::try_from(row).err();
            assert!(
                matches!(
                    err,
                    Some(StoreError::Corrupt {
                        table: "applications",
                        ..
                    })
                ),
                "{err:?}"
            );
        }
        let rs = ResourceServerRow {
            tenant_id: "default".to_owned(),
            id: "x".to_owned(),
            name: "API".to_owned(),
            identifier: "https://api/".to_owned(),
            scopes: "[]".to_owned(),
            signing_alg: "RS256".to_owned(),
            token_lifetime: -1,
            allow_offline_access: false,
            enforce_policies: false,
            token_dialect: "access_token".to_owned(),
            is_system: false,
            created_at: 0,
        };
        assert!(matches!(
            ResourceServer::try_from(rs),
            Err(StoreError::Corrupt {
                table: "resource_servers",
                ..
            })
        ));
        let key = SigningKeyRow {
            tenant_id: "default".to_owned(),
            kid: "k".to_owned(),
            alg: "HS256".to_owned(),
            public_jwk: "{}".to_owned(),
            sealed_private_key: Vec::new(),
            created_at: 0,
            activates_at: 0,
            revoked_at: None,
        };
        assert!(matches!(
            StoredKey::try_from(key),
            Err(StoreError::Corrupt {
                table: "signing_keys",
                ..
            })
        ));
    }
}
