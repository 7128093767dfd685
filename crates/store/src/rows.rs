//! Rows as both backends return them, and their conversion to and from domain types.
//!
//! JSON columns are read as text (PostgreSQL selects `col::text`), booleans as `bool`,
//! times as `i64` Unix seconds. A row that does not convert back is
//! [`StoreError::Corrupt`], never a panic.

use portcullis_core::keys::StoredKey;
use portcullis_core::password::PasswordHash;
use portcullis_core::{
    AppType, Application, AuthorizationCode, ClientGrant, ClientId, GrantId, RefreshToken,
    ResourceServer, ResourceServerId, ResourceServerScope, Role, RoleId, SecretHash, SsoSession,
    StoreError, Tenant, TenantId, TenantSettings, TokenEndpointAuthMethod, UnixTime, User, UserId,
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
pub(crate) const USERS: &str = "users";
pub(crate) const ROLES: &str = "roles";
pub(crate) const ROLE_PERMISSIONS: &str = "role_permissions";
pub(crate) const USER_ROLES: &str = "user_roles";
pub(crate) const CODES: &str = "authorization_codes";
pub(crate) const REFRESH_TOKENS: &str = "refresh_tokens";
pub(crate) const SESSIONS: &str = "sso_sessions";

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

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct UserRow {
    tenant_id: String,
    user_id: String,
    connection: String,
    email: String,
    email_verified: bool,
    name: String,
    nickname: String,
    picture: Option<String>,
    password_hash: Option<String>,
    blocked: bool,
    user_metadata: String,
    app_metadata: String,
    created_at: i64,
    updated_at: i64,
    last_login: Option<i64>,
    logins_count: i64,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(row: UserRow) -> Result<Self, StoreError> {
        let t = USERS;
        let password_hash = match row.password_hash {
            None => None,
            Some(stored) => Some(
                PasswordHash::parse(&stored)
                    .ok_or_else(|| corrupt(t, "password_hash: not in a known format".to_owned()))?,
            ),
        };
        Ok(User {
            tenant_id: TenantId::new(row.tenant_id),
            user_id: UserId::new(row.user_id),
            connection: row.connection,
            email: row.email,
            email_verified: row.email_verified,
            name: row.name,
            nickname: row.nickname,
            picture: row.picture,
            password_hash,
            blocked: row.blocked,
            user_metadata: from_json(t, "user_metadata", &row.user_metadata)?,
            app_metadata: from_json(t, "app_metadata", &row.app_metadata)?,
            created_at: UnixTime(row.created_at),
            updated_at: UnixTime(row.updated_at),
            last_login: row.last_login.map(UnixTime),
            logins_count: to_u32(t, "logins_count", row.logins_count)?,
        })
    }
}

/// The JSON columns of a user, encoded once for either backend.
pub(crate) struct UserJson {
    pub user_metadata: String,
    pub app_metadata: String,
}

impl UserJson {
    pub(crate) fn of(user: &User) -> Result<Self, StoreError> {
        Ok(UserJson {
            user_metadata: to_json(USERS, "user_metadata", &user.user_metadata)?,
            app_metadata: to_json(USERS, "app_metadata", &user.app_metadata)?,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RoleRow {
    tenant_id: String,
    id: String,
    name: String,
    description: String,
    created_at: i64,
}

impl From<RoleRow> for Role {
    fn from(row: RoleRow) -> Self {
        Role {
            tenant_id: TenantId::new(row.tenant_id),
            id: RoleId::new(row.id),
            name: row.name,
            description: row.description,
            created_at: UnixTime(row.created_at),
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct CodeRow {
    tenant_id: String,
    code_hash: String,
    client_id: String,
    redirect_uri: String,
    user_id: String,
    scope: String,
    audience: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    sid: String,
    auth_time: i64,
    created_at: i64,
    expires_at: i64,
    consumed_at: Option<i64>,
}

impl From<CodeRow> for AuthorizationCode {
    fn from(row: CodeRow) -> Self {
        AuthorizationCode {
            tenant_id: TenantId::new(row.tenant_id),
            code_hash: row.code_hash,
            client_id: ClientId::new(row.client_id),
            redirect_uri: row.redirect_uri,
            user_id: UserId::new(row.user_id),
            scope: row.scope,
            audience: row.audience,
            nonce: row.nonce,
            code_challenge: row.code_challenge,
            sid: row.sid,
            auth_time: UnixTime(row.auth_time),
            created_at: UnixTime(row.created_at),
            expires_at: UnixTime(row.expires_at),
            consumed_at: row.consumed_at.map(UnixTime),
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RefreshTokenRow {
    tenant_id: String,
    token_hash: String,
    family_id: String,
    generation: i64,
    client_id: String,
    user_id: String,
    scope: String,
    audience: Option<String>,
    sid: Option<String>,
    code_hash: Option<String>,
    auth_time: i64,
    created_at: i64,
    expires_at: i64,
    idle_expires_at: i64,
    consumed_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl TryFrom<RefreshTokenRow> for RefreshToken {
    type Error = StoreError;
    fn try_from(row: RefreshTokenRow) -> Result<Self, StoreError> {
        Ok(RefreshToken {
            tenant_id: TenantId::new(row.tenant_id),
            token_hash: row.token_hash,
            family_id: row.family_id,
            generation: to_u32(REFRESH_TOKENS, "generation", row.generation)?,
            client_id: ClientId::new(row.client_id),
            user_id: UserId::new(row.user_id),
            scope: row.scope,
            audience: row.audience,
            sid: row.sid,
            code_hash: row.code_hash,
            auth_time: UnixTime(row.auth_time),
            created_at: UnixTime(row.created_at),
            expires_at: UnixTime(row.expires_at),
            idle_expires_at: UnixTime(row.idle_expires_at),
            consumed_at: row.consumed_at.map(UnixTime),
            revoked_at: row.revoked_at.map(UnixTime),
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SessionRow {
    tenant_id: String,
    id_hash: String,
    sid: String,
    user_id: String,
    auth_time: i64,
    created_at: i64,
    last_active_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
}

impl From<SessionRow> for SsoSession {
    fn from(row: SessionRow) -> Self {
        SsoSession {
            tenant_id: TenantId::new(row.tenant_id),
            id_hash: row.id_hash,
            sid: row.sid,
            user_id: UserId::new(row.user_id),
            auth_time: UnixTime(row.auth_time),
            created_at: UnixTime(row.created_at),
            last_active_at: UnixTime(row.last_active_at),
            expires_at: UnixTime(row.expires_at),
            revoked_at: row.revoked_at.map(UnixTime),
        }
    }
}

fn to_u32(table: &'static str, column: &str, value: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| corrupt(table, format!("{column}: out of range: {value}")))
}

/// The columns of [`RefreshTokenRow`], for both backends.
pub(crate) const REFRESH_TOKEN_COLUMNS: &str = "tenant_id, token_hash, family_id, generation, \
     client_id, user_id, scope, audience, sid, code_hash, auth_time, created_at, expires_at, \
     idle_expires_at, consumed_at, revoked_at";

/// The columns of [`CodeRow`], for both backends.
pub(crate) const CODE_COLUMNS: &str = "tenant_id, code_hash, client_id, redirect_uri, user_id, \
     scope, audience, nonce, code_challenge, sid, auth_time, created_at, expires_at, consumed_at";

/// The columns of [`SessionRow`], for both backends.
pub(crate) const SESSION_COLUMNS: &str = "tenant_id, id_hash, sid, user_id, auth_time, \
     created_at, last_active_at, expires_at, revoked_at";

/// What [`Store::sweep_expired`](portcullis_core::Store::sweep_expired) deletes, one
/// statement per table, each binding the cutoff (`at - grace`) as `$1`. The same SQL on
/// both backends.
pub(crate) const SWEEPS: &[(&str, &str)] = &[
    (
        CODES,
        "DELETE FROM authorization_codes WHERE expires_at < $1",
    ),
    (
        // Whole families, once none of their tokens can be used: past the absolute
        // expiry, past the newest idle expiry, or every token revoked.
        REFRESH_TOKENS,
        "DELETE FROM refresh_tokens WHERE (tenant_id, family_id) IN \
         (SELECT tenant_id, family_id FROM refresh_tokens GROUP BY tenant_id, family_id \
          HAVING MAX(expires_at) < $1 OR MAX(idle_expires_at) < $1 \
          OR (COUNT(revoked_at) = COUNT(*) AND MAX(revoked_at) < $1))",
    ),
    (
        SESSIONS,
        "DELETE FROM sso_sessions WHERE expires_at < $1 OR revoked_at < $1",
    ),
    (
        crate::reset_rows::PASSWORD_RESETS,
        "DELETE FROM password_resets WHERE expires_at < $1 OR consumed_at < $1",
    ),
    (
        crate::reset_rows::EMAIL_VERIFICATIONS,
        "DELETE FROM email_verifications WHERE expires_at < $1 OR consumed_at < $1",
    ),
    (
        crate::portable::REVOKED_GRANTS,
        "DELETE FROM revoked_grants WHERE expires_at < $1",
    ),
];

/// The refresh token that continues `old`, checked before it is stored: same tenant,
/// family, client and user, next generation.
pub(crate) fn check_successor(old: &RefreshToken, next: &RefreshToken) -> Result<(), StoreError> {
    let continues = next.tenant_id == old.tenant_id
        && next.family_id == old.family_id
        && next.client_id == old.client_id
        && next.user_id == old.user_id
        && old.generation.checked_add(1) == Some(next.generation);
    if continues {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!(
            "{REFRESH_TOKENS}: the next token must continue the family of the presented one \
             with generation {}",
            u64::from(old.generation) + 1
        )))
    }
}

/// Single-column rows as a sorted (bytewise, the same on both backends whatever the
/// database's collation), deduplicated list.
pub(crate) fn sorted_distinct(rows: Vec<(String,)>) -> Vec<String> {
    let mut out: Vec<String> = rows.into_iter().map(|(s,)| s).collect();
    out.sort_unstable();
    out.dedup();
    out
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
