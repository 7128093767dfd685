//! Client grants. The queries are written once in [`grant_queries`] and instantiated for
//! each database.

/// The columns of a [`ClientGrantRow`](crate::rows::ClientGrantRow).
const GRANT_COLUMNS: &str =
    "tenant_id, id, client_id, audience, CAST(scope AS TEXT) AS scope, created_at";

/// Grant queries for the database `$db`: `$json` follows a placeholder holding a JSON
/// document (a cast on PostgreSQL), `$seq` is the column that orders rows created in the
/// same second.
macro_rules! grant_queries {
    ($db:ty, json = $json:literal, seq = $seq:literal) => {
        use portcullis_core::config_admin::GrantFilter;
        use portcullis_core::{ClientGrant, GrantId, Page, PageRequest, StoreError, TenantId};
        use sqlx::Pool;

        use super::GRANT_COLUMNS;
        use crate::admin::{offset, to_total};
        use crate::errors::db_error;
        use crate::rows::{CLIENT_GRANTS, ClientGrantRow, to_json};

        /// `$2` and `$3` are the optional audience and client id.
        const FILTER: &str = "tenant_id = $1 AND ($2 IS NULL OR audience = $2) \
             AND ($3 IS NULL OR client_id = $3)";

        pub(crate) async fn list(
            pool: &Pool<$db>,
            tenant: &TenantId,
            filter: &GrantFilter,
            page: PageRequest,
        ) -> Result<Page<ClientGrant>, StoreError> {
            let t = CLIENT_GRANTS;
            let audience = filter.audience.as_deref();
            let client_id = filter.client_id.as_ref().map(|c| c.as_str());
            let rows: Vec<ClientGrantRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {GRANT_COLUMNS} FROM client_grants WHERE {FILTER} \
                 ORDER BY created_at, {} LIMIT $4 OFFSET $5",
                $seq
            )))
            .bind(tenant.as_str())
            .bind(audience)
            .bind(client_id)
            .bind(i64::from(page.per_page))
            .bind(offset(page))
            .fetch_all(pool)
            .await
            .map_err(|e| db_error(t, e))?;
            let (total,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM client_grants WHERE {FILTER}"
            )))
            .bind(tenant.as_str())
            .bind(audience)
            .bind(client_id)
            .fetch_one(pool)
            .await
            .map_err(|e| db_error(t, e))?;
            Ok(Page {
                items: rows
                    .into_iter()
                    .map(ClientGrant::try_from)
                    .collect::<Result<_, _>>()?,
                total: to_total(total),
            })
        }

        pub(crate) async fn find(
            pool: &Pool<$db>,
            tenant: &TenantId,
            id: &GrantId,
        ) -> Result<Option<ClientGrant>, StoreError> {
            let row: Option<ClientGrantRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {GRANT_COLUMNS} FROM client_grants WHERE tenant_id = $1 AND id = $2"
            )))
            .bind(tenant.as_str())
            .bind(id.as_str())
            .fetch_optional(pool)
            .await
            .map_err(|e| db_error(CLIENT_GRANTS, e))?;
            row.map(ClientGrant::try_from).transpose()
        }

        pub(crate) async fn update_scope(
            pool: &Pool<$db>,
            tenant: &TenantId,
            id: &GrantId,
            scope: &[String],
        ) -> Result<Option<ClientGrant>, StoreError> {
            let t = CLIENT_GRANTS;
            let row: Option<ClientGrantRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE client_grants SET scope = $3{} WHERE tenant_id = $1 AND id = $2 \
                 RETURNING {GRANT_COLUMNS}",
                $json
            )))
            .bind(tenant.as_str())
            .bind(id.as_str())
            .bind(to_json(t, "scope", scope)?)
            .fetch_optional(pool)
            .await
            .map_err(|e| db_error(t, e))?;
            row.map(ClientGrant::try_from).transpose()
        }

        pub(crate) async fn delete(
            pool: &Pool<$db>,
            tenant: &TenantId,
            id: &GrantId,
        ) -> Result<bool, StoreError> {
            let done = sqlx::query("DELETE FROM client_grants WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.as_str())
                .bind(id.as_str())
                .execute(pool)
                .await
                .map_err(|e| db_error(CLIENT_GRANTS, e))?;
            Ok(done.rows_affected() == 1)
        }
    };
}

pub(crate) mod sqlite {
    grant_queries!(sqlx::Sqlite, json = "", seq = "rowid");
}

pub(crate) mod postgres {
    grant_queries!(sqlx::Postgres, json = "::jsonb", seq = "seq");
}
