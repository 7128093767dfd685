//! APIs (resource servers). The queries are written once in [`api_queries`] and
//! instantiated for each database.

/// API queries for the database `$db`: `$begin` starts a writing transaction, `$json`
/// follows a placeholder holding a JSON document (a cast on PostgreSQL), `$seq` is the
/// column that orders rows created in the same second.
macro_rules! api_queries {
    ($db:ty, begin = $begin:literal, json = $json:literal, seq = $seq:literal) => {
        use portcullis_core::{
            Page, PageRequest, ResourceServer, ResourceServerId, StoreError, TenantId,
        };
        use sqlx::Pool;

        use crate::admin::rbac::USER_PERMISSIONS;
        use crate::admin::{offset, to_total};
        use crate::errors::db_error;
        use crate::rows::{RESOURCE_SERVERS, ROLE_PERMISSIONS, ResourceServerRow, to_json};

        const COLUMNS: &str = "tenant_id, id, name, identifier, CAST(scopes AS TEXT) AS scopes, \
             signing_alg, token_lifetime, allow_offline_access, enforce_policies, \
             token_dialect, is_system, created_at";

        pub(crate) async fn list(
            pool: &Pool<$db>,
            tenant: &TenantId,
            page: PageRequest,
        ) -> Result<Page<ResourceServer>, StoreError> {
            let rows: Vec<ResourceServerRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM resource_servers WHERE tenant_id = $1 \
                 ORDER BY created_at, {} LIMIT $2 OFFSET $3",
                $seq
            )))
            .bind(tenant.as_str())
            .bind(i64::from(page.per_page))
            .bind(offset(page))
            .fetch_all(pool)
            .await
            .map_err(|e| db_error(RESOURCE_SERVERS, e))?;
            let (total,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM resource_servers WHERE tenant_id = $1")
                    .bind(tenant.as_str())
                    .fetch_one(pool)
                    .await
                    .map_err(|e| db_error(RESOURCE_SERVERS, e))?;
            Ok(Page {
                items: rows
                    .into_iter()
                    .map(ResourceServer::try_from)
                    .collect::<Result<_, _>>()?,
                total: to_total(total),
            })
        }

        pub(crate) async fn find(
            pool: &Pool<$db>,
            tenant: &TenantId,
            id_or_identifier: &str,
        ) -> Result<Option<ResourceServer>, StoreError> {
            // By id first: an identifier that happens to equal another API's id loses.
            let rows: Vec<ResourceServerRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM resource_servers WHERE tenant_id = $1 \
                 AND (id = $2 OR identifier = $2) ORDER BY CASE WHEN id = $2 THEN 0 ELSE 1 END"
            )))
            .bind(tenant.as_str())
            .bind(id_or_identifier)
            .fetch_all(pool)
            .await
            .map_err(|e| db_error(RESOURCE_SERVERS, e))?;
            rows.into_iter()
                .next()
                .map(ResourceServer::try_from)
                .transpose()
        }

        pub(crate) async fn update(
            pool: &Pool<$db>,
            api: &ResourceServer,
        ) -> Result<bool, StoreError> {
            let t = RESOURCE_SERVERS;
            let mut tx = pool.begin_with($begin).await.map_err(|e| db_error(t, e))?;
            let identifier: Option<(String,)> = sqlx::query_as(
                "SELECT identifier FROM resource_servers \
                 WHERE tenant_id = $1 AND id = $2 AND NOT is_system",
            )
            .bind(api.tenant_id.as_str())
            .bind(api.id.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| db_error(t, e))?;
            let Some((identifier,)) = identifier else {
                return Ok(false);
            };
            sqlx::query(concat!(
                "UPDATE resource_servers SET name = $3, scopes = $4",
                $json,
                ", signing_alg = $5, token_lifetime = $6, allow_offline_access = $7, \
                 enforce_policies = $8, token_dialect = $9 WHERE tenant_id = $1 AND id = $2"
            ))
            .bind(api.tenant_id.as_str())
            .bind(api.id.as_str())
            .bind(api.name.as_str())
            .bind(to_json(t, "scopes", &api.scopes)?)
            .bind(api.signing_alg.as_str())
            .bind(i64::from(api.token_lifetime))
            .bind(api.allow_offline_access)
            .bind(api.enforce_policies)
            .bind(api.token_dialect.as_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| db_error(t, e))?;
            // Permissions on scopes the API no longer defines go from roles and users.
            for table in [ROLE_PERMISSIONS, USER_PERMISSIONS] {
                let held: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT DISTINCT permission_name FROM {table} \
                     WHERE tenant_id = $1 AND resource_server_identifier = $2"
                )))
                .bind(api.tenant_id.as_str())
                .bind(identifier.as_str())
                .fetch_all(&mut *tx)
                .await
                .map_err(|e| db_error(table, e))?;
                for (name,) in held {
                    if api.scopes.iter().any(|s| s.value == name) {
                        continue;
                    }
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DELETE FROM {table} WHERE tenant_id = $1 \
                         AND resource_server_identifier = $2 AND permission_name = $3"
                    )))
                    .bind(api.tenant_id.as_str())
                    .bind(identifier.as_str())
                    .bind(name.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| db_error(table, e))?;
                }
            }
            tx.commit().await.map_err(|e| db_error(t, e))?;
            Ok(true)
        }

        pub(crate) async fn delete(
            pool: &Pool<$db>,
            tenant: &TenantId,
            id: &ResourceServerId,
        ) -> Result<bool, StoreError> {
            // Client grants, role and user permissions on the API go by cascade.
            let done = sqlx::query(
                "DELETE FROM resource_servers WHERE tenant_id = $1 AND id = $2 \
                 AND NOT is_system",
            )
            .bind(tenant.as_str())
            .bind(id.as_str())
            .execute(pool)
            .await
            .map_err(|e| db_error(RESOURCE_SERVERS, e))?;
            Ok(done.rows_affected() == 1)
        }
    };
}

pub(crate) mod sqlite {
    api_queries!(
        sqlx::Sqlite,
        begin = "BEGIN IMMEDIATE",
        json = "",
        seq = "rowid"
    );
}

pub(crate) mod postgres {
    api_queries!(
        sqlx::Postgres,
        begin = "BEGIN",
        json = "::jsonb",
        seq = "seq"
    );
}
