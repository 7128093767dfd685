//! The embedded backend: one SQLite file in WAL mode.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use portcullis_core::bootstrap::TenantSeed;
use portcullis_core::keys::StoredKey;
use portcullis_core::password::PasswordHash;
use portcullis_core::{
    Application, AuthorizationCode, ClientGrant, ClientId, CodeConsumption, RefreshToken,
    ResourceServer, Role, RoleId, Rotation, SsoSession, Store, StoreError, Tenant, TenantId,
    UnixTime, User, UserId,
};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, Transaction};

use crate::OpenOptions;
use crate::database_url::DatabaseUrl;
use crate::errors::{SCHEMA_BEHIND, connect_error, db_error, migrate_error};
use crate::rows::{
    APPLICATIONS, ApplicationJson, ApplicationRow, CLIENT_GRANTS, ClientGrantRow, RESOURCE_SERVERS,
    ResourceServerRow, SIGNING_KEYS, SigningKeyRow, TENANTS, TenantRow, convert_all, to_json,
};

mod accounts;
mod apps;
mod grants;
mod resets;

/// Puts the database in WAL mode unless it is already (reading the mode needs no
/// exclusive lock; changing it does, so that is retried for a while).
async fn use_wal(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(pool)
        .await?;
    if mode.eq_ignore_ascii_case("wal") {
        return Ok(());
    }
    let mut attempts = 0;
    loop {
        match sqlx::query("PRAGMA journal_mode = WAL").execute(pool).await {
            Ok(_) => return Ok(()),
            Err(_) if attempts < 50 => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

pub(crate) static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// Writers queue behind SQLite's single write lock; a few connections serve the readers.
const MAX_SQLITE_CONNECTIONS: u32 = 4;

/// [`Store`] on an SQLite file (or a private in-memory database).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `path`, then migrates it or checks
    /// that it is migrated, as `opts` says. `:memory:` opens a private in-memory database.
    pub async fn open(path: &Path, opts: &OpenOptions) -> Result<Self, StoreError> {
        let store = Self::connect(path, opts).await?;
        if opts.migrate {
            store.migrate().await?;
        } else {
            store.check_schema().await?;
        }
        Ok(store)
    }

    /// Opens the database without touching its schema.
    pub async fn connect(path: &Path, opts: &OpenOptions) -> Result<Self, StoreError> {
        let redacted = DatabaseUrl::sqlite_file(path).redacted();
        let memory = DatabaseUrl::is_sqlite_memory(path);
        let base = if memory {
            SqliteConnectOptions::from_str("sqlite::memory:")
                .map_err(|e| connect_error(&redacted, None, &e))?
        } else {
            // No journal_mode here: sqlx would set it on every new connection, and
            // switching modes takes an exclusive lock that busy_timeout cannot wait for,
            // so a CLI command opening the file while a server runs could fail at once
            // with "database is locked". WAL is set once below and persists in the file.
            SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
        };
        // synchronous=NORMAL, SQLite's advice for WAL: a commit is not fsynced (the WAL is,
        // at checkpoints), so a crash of the process loses nothing and the file never
        // corrupts, but a power cut may lose the last commits (a rotation, a login). FULL
        // made every refresh-token rotation wait for the disk (p99 over 100 ms). Several
        // instances, or that last guarantee: PostgreSQL.
        let connect = base
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            .synchronous(SqliteSynchronous::Normal);
        let pool_options = if memory {
            // Every connection to `:memory:` is its own database: keep exactly one, forever.
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            SqlitePoolOptions::new()
                .max_connections(opts.max_connections.clamp(1, MAX_SQLITE_CONNECTIONS))
        };
        let pool = pool_options
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(connect)
            .await
            .map_err(|e| connect_error(&redacted, None, &e))?;
        if !memory {
            use_wal(&pool)
                .await
                .map_err(|e| connect_error(&redacted, None, &e))?;
        }
        Ok(SqliteStore { pool })
    }

    /// Applies the migrations this version knows and the database lacks.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await.map_err(migrate_error)
    }

    /// `Err(Migration)` unless every migration this version knows has been applied.
    pub async fn check_schema(&self) -> Result<(), StoreError> {
        let (tables,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(|e| db_error("_sqlx_migrations", e))?;
        if tables == 0 {
            return Err(StoreError::Migration(SCHEMA_BEHIND.to_owned()));
        }
        let applied: Vec<(i64,)> =
            sqlx::query_as("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&self.pool)
                .await
                .map_err(|e| db_error("_sqlx_migrations", e))?;
        crate::require_applied(&MIGRATOR, applied.into_iter().map(|(v,)| v))
    }

    /// The connection pool, for other SQLite-backed stores sharing the file.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Closes every connection, waiting for them to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn write_seed(
        tx: &mut Transaction<'static, Sqlite>,
        seed: &TenantSeed,
    ) -> Result<(), StoreError> {
        insert_key(&mut **tx, &seed.key).await?;
        for rs in &seed.resource_servers {
            insert_api(&mut **tx, rs).await?;
        }
        for app in &seed.applications {
            let json = ApplicationJson::of(app)?;
            sqlx::query(
                "INSERT INTO applications (tenant_id, client_id, name, app_type, \
                 client_secret_hash, token_endpoint_auth_method, callbacks, \
                 allowed_logout_urls, web_origins, grant_types, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(app.tenant_id.as_str())
            .bind(app.client_id.as_str())
            .bind(app.name.as_str())
            .bind(app.app_type.as_str())
            .bind(app.client_secret_hash.as_ref().map(|h| h.as_str()))
            .bind(app.token_endpoint_auth_method.as_str())
            .bind(json.callbacks)
            .bind(json.allowed_logout_urls)
            .bind(json.web_origins)
            .bind(json.grant_types)
            .bind(app.created_at.0)
            .execute(&mut **tx)
            .await
            .map_err(|e| db_error(APPLICATIONS, e))?;
        }
        for grant in &seed.grants {
            sqlx::query(
                "INSERT INTO client_grants (tenant_id, id, client_id, audience, scope, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(grant.tenant_id.as_str())
            .bind(grant.id.as_str())
            .bind(grant.client_id.as_str())
            .bind(grant.audience.as_str())
            .bind(to_json(CLIENT_GRANTS, "scope", &grant.scope)?)
            .bind(grant.created_at.0)
            .execute(&mut **tx)
            .await
            .map_err(|e| db_error(CLIENT_GRANTS, e))?;
        }
        Ok(())
    }
}

async fn insert_api<'e, E>(executor: E, rs: &ResourceServer) -> Result<(), StoreError>
where
    E: sqlx::Executor<'e, Database = Sqlite>,
{
    sqlx::query(
        "INSERT INTO resource_servers (tenant_id, id, name, identifier, scopes, \
         signing_alg, token_lifetime, allow_offline_access, enforce_policies, \
         token_dialect, is_system, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(rs.tenant_id.as_str())
    .bind(rs.id.as_str())
    .bind(rs.name.as_str())
    .bind(rs.identifier.as_str())
    .bind(to_json(RESOURCE_SERVERS, "scopes", &rs.scopes)?)
    .bind(rs.signing_alg.as_str())
    .bind(i64::from(rs.token_lifetime))
    .bind(rs.allow_offline_access)
    .bind(rs.enforce_policies)
    .bind(rs.token_dialect.as_str())
    .bind(rs.is_system)
    .bind(rs.created_at.0)
    .execute(executor)
    .await
    .map_err(|e| db_error(RESOURCE_SERVERS, e))?;
    Ok(())
}

async fn insert_key<'e, E>(executor: E, key: &StoredKey) -> Result<(), StoreError>
where
    E: sqlx::Executor<'e, Database = Sqlite>,
{
    sqlx::query(
        "INSERT INTO signing_keys (tenant_id, kid, alg, public_jwk, sealed_private_key, \
         created_at, activates_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(key.tenant_id.as_str())
    .bind(key.kid.as_str())
    .bind(key.alg.as_str())
    .bind(to_json(SIGNING_KEYS, "public_jwk", &key.public_jwk)?)
    .bind(key.sealed_private_key.as_slice())
    .bind(key.created_at.0)
    .bind(key.activates_at.0)
    .bind(key.revoked_at.map(|t| t.0))
    .execute(executor)
    .await
    .map_err(|e| db_error(SIGNING_KEYS, e))?;
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(|e| db_error("ping", e))?;
        Ok(())
    }

    async fn bootstrap(&self, seed: &TenantSeed) -> Result<bool, StoreError> {
        // IMMEDIATE takes the write lock up front, so racing instances queue on the
        // busy timeout instead of failing a lock upgrade.
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| db_error(TENANTS, e))?;
        let inserted = sqlx::query(
            "INSERT INTO tenants (id, settings, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(seed.tenant.id.as_str())
        .bind(to_json(TENANTS, "settings", &seed.tenant.settings)?)
        .bind(seed.tenant.created_at.0)
        .execute(&mut *tx)
        .await
        .map_err(|e| db_error(TENANTS, e))?
        .rows_affected();
        if inserted == 0 {
            tx.rollback().await.map_err(|e| db_error(TENANTS, e))?;
            return Ok(false);
        }
        // On error `tx` is dropped, which rolls it back.
        Self::write_seed(&mut tx, seed).await?;
        tx.commit().await.map_err(|e| db_error(TENANTS, e))?;
        Ok(true)
    }

    async fn tenant(&self, id: &TenantId) -> Result<Option<Tenant>, StoreError> {
        let row: Option<TenantRow> =
            sqlx::query_as("SELECT id, settings, created_at FROM tenants WHERE id = $1")
                .bind(id.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(|e| db_error(TENANTS, e))?;
        row.map(Tenant::try_from).transpose()
    }

    async fn application(
        &self,
        tenant: &TenantId,
        client_id: &ClientId,
    ) -> Result<Option<Application>, StoreError> {
        let row: Option<ApplicationRow> = sqlx::query_as(
            "SELECT tenant_id, client_id, name, app_type, client_secret_hash, \
             token_endpoint_auth_method, callbacks, allowed_logout_urls, web_origins, \
             grant_types, created_at \
             FROM applications WHERE tenant_id = $1 AND client_id = $2",
        )
        .bind(tenant.as_str())
        .bind(client_id.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| db_error(APPLICATIONS, e))?;
        row.map(Application::try_from).transpose()
    }

    async fn applications(&self, tenant: &TenantId) -> Result<Vec<Application>, StoreError> {
        let rows: Vec<ApplicationRow> = sqlx::query_as(
            "SELECT tenant_id, client_id, name, app_type, client_secret_hash, \
             token_endpoint_auth_method, callbacks, allowed_logout_urls, web_origins, \
             grant_types, created_at \
             FROM applications WHERE tenant_id = $1 ORDER BY created_at, rowid",
        )
        .bind(tenant.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(|e| db_error(APPLICATIONS, e))?;
        convert_all(rows)
    }

    async fn insert_application(&self, app: &Application) -> Result<(), StoreError> {
        apps::insert_application(&self.pool, app).await
    }

    async fn insert_client_grant(&self, grant: &ClientGrant) -> Result<(), StoreError> {
        apps::insert_client_grant(&self.pool, grant).await
    }

    async fn set_default_roles(
        &self,
        tenant: &TenantId,
        roles: &[RoleId],
    ) -> Result<bool, StoreError> {
        apps::set_default_roles(&self.pool, tenant, roles).await
    }

    async fn set_signup_requires_verification(
        &self,
        tenant: &TenantId,
        on: bool,
    ) -> Result<bool, StoreError> {
        apps::set_signup_requires_verification(&self.pool, tenant, on).await
    }

    async fn resource_servers(&self, tenant: &TenantId) -> Result<Vec<ResourceServer>, StoreError> {
        let rows: Vec<ResourceServerRow> = sqlx::query_as(
            "SELECT tenant_id, id, name, identifier, scopes, signing_alg, token_lifetime, \
             allow_offline_access, enforce_policies, token_dialect, is_system, created_at \
             FROM resource_servers WHERE tenant_id = $1 ORDER BY created_at, rowid",
        )
        .bind(tenant.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(|e| db_error(RESOURCE_SERVERS, e))?;
        convert_all(rows)
    }

    async fn client_grants(&self, tenant: &TenantId) -> Result<Vec<ClientGrant>, StoreError> {
        let rows: Vec<ClientGrantRow> = sqlx::query_as(
            "SELECT tenant_id, id, client_id, audience, scope, created_at \
             FROM client_grants WHERE tenant_id = $1 ORDER BY created_at, rowid",
        )
        .bind(tenant.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(|e| db_error(CLIENT_GRANTS, e))?;
        convert_all(rows)
    }

    async fn insert_resource_server(&self, api: &ResourceServer) -> Result<(), StoreError> {
        insert_api(&self.pool, api).await
    }

    async fn resource_server_by_identifier(
        &self,
        tenant: &TenantId,
        identifier: &str,
    ) -> Result<Option<ResourceServer>, StoreError> {
        let row: Option<ResourceServerRow> = sqlx::query_as(
            "SELECT tenant_id, id, name, identifier, scopes, signing_alg, token_lifetime, \
             allow_offline_access, enforce_policies, token_dialect, is_system, created_at \
             FROM resource_servers WHERE tenant_id = $1 AND identifier = $2",
        )
        .bind(tenant.as_str())
        .bind(identifier)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| db_error(RESOURCE_SERVERS, e))?;
        row.map(ResourceServer::try_from).transpose()
    }

    async fn client_grant(
        &self,
        tenant: &TenantId,
        client_id: &ClientId,
        audience: &str,
    ) -> Result<Option<ClientGrant>, StoreError> {
        let row: Option<ClientGrantRow> = sqlx::query_as(
            "SELECT tenant_id, id, client_id, audience, scope, created_at \
             FROM client_grants WHERE tenant_id = $1 AND client_id = $2 AND audience = $3",
        )
        .bind(tenant.as_str())
        .bind(client_id.as_str())
        .bind(audience)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| db_error(CLIENT_GRANTS, e))?;
        row.map(ClientGrant::try_from).transpose()
    }

    async fn signing_keys(&self, tenant: &TenantId) -> Result<Vec<StoredKey>, StoreError> {
        let rows: Vec<SigningKeyRow> = sqlx::query_as(
            "SELECT tenant_id, kid, alg, public_jwk, sealed_private_key, created_at, \
             activates_at, revoked_at \
             FROM signing_keys WHERE tenant_id = $1 \
             ORDER BY activates_at, created_at, rowid",
        )
        .bind(tenant.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(|e| db_error(SIGNING_KEYS, e))?;
        convert_all(rows)
    }

    async fn insert_signing_key(&self, key: &StoredKey) -> Result<(), StoreError> {
        insert_key(&self.pool, key).await
    }

    async fn revoke_signing_key(
        &self,
        tenant: &TenantId,
        kid: &str,
        at: UnixTime,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE signing_keys SET revoked_at = $1 \
             WHERE tenant_id = $2 AND kid = $3 AND revoked_at IS NULL",
        )
        .bind(at.0)
        .bind(tenant.as_str())
        .bind(kid)
        .execute(&self.pool)
        .await
        .map_err(|e| db_error(SIGNING_KEYS, e))?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_user(&self, user: &User) -> Result<(), StoreError> {
        accounts::insert_user(&self.pool, user).await
    }

    async fn user(&self, tenant: &TenantId, user_id: &UserId) -> Result<Option<User>, StoreError> {
        accounts::user(&self.pool, tenant, user_id).await
    }

    async fn user_by_email(
        &self,
        tenant: &TenantId,
        email: &str,
    ) -> Result<Option<User>, StoreError> {
        accounts::user_by_email(&self.pool, tenant, email).await
    }

    async fn set_password_hash(
        &self,
        tenant: &TenantId,
        user_id: &UserId,
        hash: &PasswordHash,
        at: UnixTime,
    ) -> Result<bool, StoreError> {
        accounts::set_password_hash(&self.pool, tenant, user_id, hash, at).await
    }

    async fn record_login(
        &self,
        tenant: &TenantId,
        user_id: &UserId,
        at: UnixTime,
    ) -> Result<bool, StoreError> {
        accounts::record_login(&self.pool, tenant, user_id, at).await
    }

    async fn insert_role(&self, role: &Role) -> Result<(), StoreError> {
        accounts::insert_role(&self.pool, role).await
    }

    async fn role(&self, tenant: &TenantId, id: &RoleId) -> Result<Option<Role>, StoreError> {
        accounts::role(&self.pool, tenant, id).await
    }

    async fn add_role_permissions(
        &self,
        tenant: &TenantId,
        role: &RoleId,
        permissions: &[(String, String)],
    ) -> Result<(), StoreError> {
        accounts::add_role_permissions(&self.pool, tenant, role, permissions).await
    }

    async fn assign_user_roles(
        &self,
        tenant: &TenantId,
        user_id: &UserId,
        roles: &[RoleId],
    ) -> Result<(), StoreError> {
        accounts::assign_user_roles(&self.pool, tenant, user_id, roles).await
    }

    async fn user_permissions(
        &self,
        tenant: &TenantId,
        user_id: &UserId,
        audience: &str,
    ) -> Result<Vec<String>, StoreError> {
        accounts::user_permissions(&self.pool, tenant, user_id, audience).await
    }

    async fn insert_code(&self, code: &AuthorizationCode) -> Result<(), StoreError> {
        grants::insert_code(&self.pool, code).await
    }

    async fn consume_code(
        &self,
        tenant: &TenantId,
        code_hash: &str,
        at: UnixTime,
    ) -> Result<CodeConsumption, StoreError> {
        grants::consume_code(&self.pool, tenant, code_hash, at).await
    }

    async fn insert_refresh_token(&self, token: &RefreshToken) -> Result<(), StoreError> {
        grants::insert_refresh_token(&self.pool, token).await
    }

    async fn rotate_refresh_token(
        &self,
        tenant: &TenantId,
        presented_hash: &str,
        next: &RefreshToken,
        at: UnixTime,
        reuse_window_secs: i64,
    ) -> Result<Rotation, StoreError> {
        grants::rotate_refresh_token(
            &self.pool,
            tenant,
            presented_hash,
            next,
            at,
            reuse_window_secs,
        )
        .await
    }

    async fn revoke_refresh_family(
        &self,
        tenant: &TenantId,
        family_id: &str,
        at: UnixTime,
    ) -> Result<u64, StoreError> {
        grants::revoke_refresh_family(&self.pool, tenant, family_id, at).await
    }

    async fn revoke_refresh_by_code(
        &self,
        tenant: &TenantId,
        code_hash: &str,
        at: UnixTime,
    ) -> Result<u64, StoreError> {
        grants::revoke_refresh_by_code(&self.pool, tenant, code_hash, at).await
    }

    async fn revoke_user_refresh_tokens(
        &self,
        tenant: &TenantId,
        user_id: &UserId,
        at: UnixTime,
    ) -> Result<u64, StoreError> {
        grants::revoke_user_refresh_tokens(&self.pool, tenant, user_id, at).await
    }

    async fn refresh_token(
        &self,
        tenant: &TenantId,
        token_hash: &str,
    ) -> Result<Option<RefreshToken>, StoreError> {
        grants::refresh_token(&self.pool, tenant, token_hash).await
    }

    async fn insert_session(&self, session: &SsoSession) -> Result<(), StoreError> {
        grants::insert_session(&self.pool, session).await
    }

    async fn session(
        &self,
        tenant: &TenantId,
        id_hash: &str,
    ) -> Result<Option<SsoSession>, StoreError> {
        grants::session(&self.pool, tenant, id_hash).await
    }

    async fn touch_session(
        &self,
        tenant: &TenantId,
        id_hash: &str,
        at: UnixTime,
    ) -> Result<bool, StoreError> {
        crate::portable::touch_session(&self.pool, tenant, id_hash, at).await
    }

    async fn revoke_session(
        &self,
        tenant: &TenantId,
        id_hash: &str,
        at: UnixTime,
    ) -> Result<bool, StoreError> {
        crate::portable::revoke_session(&self.pool, tenant, id_hash, at).await
    }

    async fn revoke_user_sessions(
        &self,
        tenant: &TenantId,
        user_id: &UserId,
        at: UnixTime,
    ) -> Result<u64, StoreError> {
        crate::portable::revoke_user_sessions(&self.pool, tenant, user_id, at).await
    }

    async fn insert_password_reset(
        &self,
        ticket: &portcullis_core::password_reset::ResetTicket,
    ) -> Result<(), StoreError> {
        resets::insert_password_reset(&self.pool, ticket).await
    }

    async fn password_reset(
        &self,
        tenant: &TenantId,
        ticket_hash: &str,
    ) -> Result<Option<portcullis_core::password_reset::ResetTicket>, StoreError> {
        resets::password_reset(&self.pool, tenant, ticket_hash).await
    }

    async fn count_password_resets_since(
        &self,
        tenant: &TenantId,
        user_id: &UserId,
        since: UnixTime,
    ) -> Result<u64, StoreError> {
        resets::count_password_resets_since(&self.pool, tenant, user_id, since).await
    }

    async fn consume_password_reset(
        &self,
        tenant: &TenantId,
        ticket_hash: &str,
        hash: &PasswordHash,
        at: UnixTime,
    ) -> Result<Option<portcullis_core::password_reset::ResetTicket>, StoreError> {
        resets::consume_password_reset(&self.pool, tenant, ticket_hash, hash, at).await
    }

    async fn insert_email_verification(
        &self,
        ticket: &portcullis_core::email_verification::VerificationTicket,
    ) -> Result<(), StoreError> {
        resets::insert_email_verification(&self.pool, ticket).await
    }

    async fn consume_email_verification(
        &self,
        tenant: &TenantId,
        ticket_hash: &str,
        at: UnixTime,
    ) -> Result<Option<portcullis_core::email_verification::VerificationTicket>, StoreError> {
        resets::consume_email_verification(&self.pool, tenant, ticket_hash, at).await
    }

    async fn revoke_grant(
        &self,
        tenant: &TenantId,
        grant_id: &str,
        at: UnixTime,
        until: UnixTime,
    ) -> Result<(), StoreError> {
        crate::portable::revoke_grant(&self.pool, tenant, grant_id, at, until).await
    }

    async fn grant_revoked(&self, tenant: &TenantId, grant_id: &str) -> Result<bool, StoreError> {
        crate::portable::grant_revoked(&self.pool, tenant, grant_id).await
    }

    async fn sweep_expired(&self, at: UnixTime, grace_secs: i64) -> Result<u64, StoreError> {
        crate::portable::sweep_expired(&self.pool, at, grace_secs).await
    }
}
