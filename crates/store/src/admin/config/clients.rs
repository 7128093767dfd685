//! Applications, with the fields only the Management API reads. The queries are written
//! once in [`client_queries`] and instantiated for each database.

use portcullis_core::config_admin::ManagedClient;
use portcullis_core::{AppType, Application, StoreError};

use crate::rows::ApplicationRow;

/// The columns of a [`ClientRow`]; JSON read as text on both databases.
pub(crate) const CLIENT_COLUMNS: &str = "tenant_id, client_id, name, app_type, \
     client_secret_hash, token_endpoint_auth_method, CAST(callbacks AS TEXT) AS callbacks, \
     CAST(allowed_logout_urls AS TEXT) AS allowed_logout_urls, \
     CAST(web_origins AS TEXT) AS web_origins, CAST(grant_types AS TEXT) AS grant_types, \
     created_at, description";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ClientRow {
    #[sqlx(flatten)]
    app: ApplicationRow,
    description: String,
}

impl TryFrom<ClientRow> for ManagedClient {
    type Error = StoreError;
    fn try_from(row: ClientRow) -> Result<Self, StoreError> {
        Ok(ManagedClient {
            application: Application::try_from(row.app)?,
            description: row.description,
        })
    }
}

/// `AND app_type IN ('spa', ...)` for a non-empty list, else nothing. The values are
/// the types' fixed names, never input text, so they are written into the SQL.
pub(crate) fn app_type_clause(app_types: &[AppType]) -> String {
    if app_types.is_empty() {
        return String::new();
    }
    let names: Vec<String> = app_types
        .iter()
        .map(|t| format!("'{}'", t.as_str()))
        .collect();
    format!(" AND app_type IN ({})", names.join(", "))
}

/// Client queries for the database `$db`: `$json` follows a placeholder holding a JSON
/// document (a cast on PostgreSQL), `$seq` is the column that orders rows created in the
/// same second.
macro_rules! client_queries {
    ($db:ty, json = $json:literal, seq = $seq:literal) => {
        use portcullis_core::config_admin::{ManagedClient, SecretUpdate};
        use portcullis_core::{
            AppType, ClientId, Page, PageRequest, SecretHash, StoreError, TenantId,
        };
        use sqlx::Pool;

        use super::{CLIENT_COLUMNS, ClientRow, app_type_clause};
        use crate::admin::{offset, to_total};
        use crate::errors::db_error;
        use crate::rows::{APPLICATIONS, ApplicationJson};

        pub(crate) async fn list(
            pool: &Pool<$db>,
            tenant: &TenantId,
            app_types: &[AppType],
            page: PageRequest,
        ) -> Result<Page<ManagedClient>, StoreError> {
            let t = APPLICATIONS;
            let types = app_type_clause(app_types);
            let rows: Vec<ClientRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {CLIENT_COLUMNS} FROM applications WHERE tenant_id = $1{types} \
                 ORDER BY created_at, {} LIMIT $2 OFFSET $3",
                $seq
            )))
            .bind(tenant.as_str())
            .bind(i64::from(page.per_page))
            .bind(offset(page))
            .fetch_all(pool)
            .await
            .map_err(|e| db_error(t, e))?;
            let (total,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM applications WHERE tenant_id = $1{types}"
            )))
            .bind(tenant.as_str())
            .fetch_one(pool)
            .await
            .map_err(|e| db_error(t, e))?;
            Ok(Page {
                items: rows
                    .into_iter()
                    .map(ManagedClient::try_from)
                    .collect::<Result<_, _>>()?,
                total: to_total(total),
            })
        }

        pub(crate) async fn find(
            pool: &Pool<$db>,
            tenant: &TenantId,
            client_id: &ClientId,
        ) -> Result<Option<ManagedClient>, StoreError> {
            let row: Option<ClientRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {CLIENT_COLUMNS} FROM applications \
                 WHERE tenant_id = $1 AND client_id = $2"
            )))
            .bind(tenant.as_str())
            .bind(client_id.as_str())
            .fetch_optional(pool)
            .await
            .map_err(|e| db_error(APPLICATIONS, e))?;
            row.map(ManagedClient::try_from).transpose()
        }

        pub(crate) async fn insert(
            pool: &Pool<$db>,
            client: &ManagedClient,
        ) -> Result<(), StoreError> {
            let app = &client.application;
            let json = ApplicationJson::of(app)?;
            sqlx::query(concat!(
                "INSERT INTO applications (tenant_id, client_id, name, app_type, \
                 client_secret_hash, token_endpoint_auth_method, callbacks, \
                 allowed_logout_urls, web_origins, grant_types, created_at, description) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7",
                $json,
                ", $8",
                $json,
                ", $9",
                $json,
                ", $10",
                $json,
                ", $11, $12)"
            ))
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
            .bind(client.description.as_str())
            .execute(pool)
            .await
            .map_err(|e| db_error(APPLICATIONS, e))?;
            Ok(())
        }

        pub(crate) async fn update(
            pool: &Pool<$db>,
            client: &ManagedClient,
            secret: &SecretUpdate,
        ) -> Result<bool, StoreError> {
            let app = &client.application;
            let json = ApplicationJson::of(app)?;
            let sql = match secret {
                SecretUpdate::Keep => concat!(
                    "UPDATE applications SET name = $3, description = $4, app_type = $5, \
                     token_endpoint_auth_method = $6, callbacks = $7",
                    $json,
                    ", allowed_logout_urls = $8",
                    $json,
                    ", web_origins = $9",
                    $json,
                    ", grant_types = $10",
                    $json,
                    " WHERE tenant_id = $1 AND client_id = $2"
                ),
                SecretUpdate::Set(_) | SecretUpdate::Remove => concat!(
                    "UPDATE applications SET name = $3, description = $4, app_type = $5, \
                     token_endpoint_auth_method = $6, callbacks = $7",
                    $json,
                    ", allowed_logout_urls = $8",
                    $json,
                    ", web_origins = $9",
                    $json,
                    ", grant_types = $10",
                    $json,
                    ", client_secret_hash = $11 WHERE tenant_id = $1 AND client_id = $2"
                ),
            };
            let mut query = sqlx::query(sql)
                .bind(app.tenant_id.as_str())
                .bind(app.client_id.as_str())
                .bind(app.name.as_str())
                .bind(client.description.as_str())
                .bind(app.app_type.as_str())
                .bind(app.token_endpoint_auth_method.as_str())
                .bind(json.callbacks)
                .bind(json.allowed_logout_urls)
                .bind(json.web_origins)
                .bind(json.grant_types);
            match secret {
                SecretUpdate::Keep => {}
                SecretUpdate::Set(hash) => query = query.bind(hash.as_str().to_owned()),
                SecretUpdate::Remove => query = query.bind(None::<String>),
            }
            let done = query
                .execute(pool)
                .await
                .map_err(|e| db_error(APPLICATIONS, e))?;
            Ok(done.rows_affected() == 1)
        }

        pub(crate) async fn rotate_secret(
            pool: &Pool<$db>,
            tenant: &TenantId,
            client_id: &ClientId,
            hash: &SecretHash,
        ) -> Result<bool, StoreError> {
            let done = sqlx::query(
                "UPDATE applications SET client_secret_hash = $3 \
                 WHERE tenant_id = $1 AND client_id = $2 AND client_secret_hash IS NOT NULL",
            )
            .bind(tenant.as_str())
            .bind(client_id.as_str())
            .bind(hash.as_str())
            .execute(pool)
            .await
            .map_err(|e| db_error(APPLICATIONS, e))?;
            Ok(done.rows_affected() == 1)
        }

        pub(crate) async fn delete(
            pool: &Pool<$db>,
            tenant: &TenantId,
            client_id: &ClientId,
        ) -> Result<bool, StoreError> {
            // Client grants, codes and refresh tokens go by cascade.
            let done =
                sqlx::query("DELETE FROM applications WHERE tenant_id = $1 AND client_id = $2")
                    .bind(tenant.as_str())
                    .bind(client_id.as_str())
                    .execute(pool)
                    .await
                    .map_err(|e| db_error(APPLICATIONS, e))?;
            Ok(done.rows_affected() == 1)
        }
    };
}

pub(crate) mod sqlite {
    client_queries!(sqlx::Sqlite, json = "", seq = "rowid");
}

pub(crate) mod postgres {
    client_queries!(sqlx::Postgres, json = "::jsonb", seq = "seq");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_type_clause_names_fixed_values_only() {
        assert_eq!(app_type_clause(&[]), "");
        assert_eq!(
            app_type_clause(&[AppType::Spa, AppType::NonInteractive]),
            " AND app_type IN ('spa', 'non_interactive')"
        );
    }
}
