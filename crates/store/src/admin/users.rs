//! [`UserDirectory`] on SQLite and PostgreSQL. The statements are written once, generic
//! over the sqlx database; what differs (how JSON columns are read and written, how a
//! transaction takes the write lock) is a [`Dialect`].

use async_trait::async_trait;
use portcullis_core::password::PasswordHash;
use portcullis_core::user_directory::{UserFilter, UserOrder, UserPatch};
use portcullis_core::{
    Page, PageRequest, RoleId, StoreError, TenantId, UnixTime, User, UserDirectory, UserId,
    normalize_email,
};
// Every SQL text built here joins constants and numbered placeholders; values are bound.
use sqlx::{AssertSqlSafe, Database, Encode, Executor, FromRow, IntoArguments, Pool, Type};

use crate::errors::db_error;
use crate::portable::RowsAffected;
use crate::rows::{USER_ROLES, USERS, UserJson, UserRow};
use crate::{PgStore, SqliteStore};

/// What the two databases spell differently.
struct Dialect {
    /// Starts a transaction that writes: SQLite takes the write lock up front
    /// (`BEGIN IMMEDIATE`) so the read and the write of an update see the same row.
    begin: &'static str,
    /// The user columns as [`UserRow`] reads them (PostgreSQL reads JSONB as text).
    columns: &'static str,
    /// Appended to a JSON parameter (`::jsonb` on PostgreSQL).
    json: &'static str,
    /// Appended to the read of an update (`FOR UPDATE` on PostgreSQL, which locks the
    /// row until the transaction ends; SQLite holds the database write lock already).
    lock: &'static str,
}

const SQLITE: Dialect = Dialect {
    begin: "BEGIN IMMEDIATE",
    columns: "tenant_id, user_id, connection, email, email_verified, name, nickname, \
              picture, password_hash, blocked, user_metadata, app_metadata, created_at, \
              updated_at, last_login, logins_count",
    json: "",
    lock: "",
};

const POSTGRES: Dialect = Dialect {
    begin: "BEGIN",
    columns: "tenant_id, user_id, connection, email, email_verified, name, nickname, \
              picture, password_hash, blocked, user_metadata::text AS user_metadata, \
              app_metadata::text AS app_metadata, created_at, updated_at, last_login, \
              logins_count",
    json: "::jsonb",
    lock: " FOR UPDATE",
};

async fn create_user<DB>(
    d: &Dialect,
    pool: &Pool<DB>,
    user: &User,
    roles: &[RoleId],
) -> Result<(), StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
    bool: for<'q> Encode<'q, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    Option<i64>: for<'q> Encode<'q, DB> + Type<DB>,
    <DB as Database>::Arguments: IntoArguments<DB>,
{
    let json = UserJson::of(user)?;
    let mut tx = pool
        .begin_with(d.begin)
        .await
        .map_err(|e| db_error(USERS, e))?;
    let j = d.json;
    sqlx::query::<DB>(AssertSqlSafe(format!(
        "INSERT INTO users (tenant_id, user_id, connection, email, email_normalized, \
         email_verified, name, nickname, picture, password_hash, blocked, user_metadata, \
         app_metadata, created_at, updated_at, last_login, logins_count) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12{j}, $13{j}, $14, $15, \
         $16, $17)"
    )))
    .bind(user.tenant_id.as_str())
    .bind(user.user_id.as_str())
    .bind(user.connection.as_str())
    .bind(user.email.as_str())
    .bind(normalize_email(&user.email))
    .bind(user.email_verified)
    .bind(user.name.as_str())
    .bind(user.nickname.as_str())
    .bind(user.picture.as_deref())
    .bind(user.password_hash.as_ref().map(PasswordHash::as_str))
    .bind(user.blocked)
    .bind(json.user_metadata)
    .bind(json.app_metadata)
    .bind(user.created_at.0)
    .bind(user.updated_at.0)
    .bind(user.last_login.map(|t| t.0))
    .bind(i64::from(user.logins_count))
    .execute(&mut *tx)
    .await
    .map_err(|e| db_error(USERS, e))?;
    for role in roles {
        // Only roles that exist: a default role may have been deleted since.
        sqlx::query::<DB>(
            "INSERT INTO user_roles (tenant_id, user_id, role_id) \
             SELECT tenant_id, $2, id FROM roles WHERE tenant_id = $1 AND id = $3 \
             ON CONFLICT DO NOTHING",
        )
        .bind(user.tenant_id.as_str())
        .bind(user.user_id.as_str())
        .bind(role.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| db_error(USER_ROLES, e))?;
    }
    tx.commit().await.map_err(|e| db_error(USERS, e))
}

/// `WHERE ...` of a listing, and how many parameters it binds after the tenant ($1).
fn filter_sql(filter: &UserFilter) -> String {
    let mut sql = String::from("WHERE tenant_id = $1");
    let mut n = 1;
    if filter.email.is_some() {
        n += 1;
        sql.push_str(&format!(" AND email_normalized = ${n}"));
    }
    if filter.connection.is_some() {
        n += 1;
        sql.push_str(&format!(" AND connection = ${n}"));
    }
    sql
}

async fn list_users<DB>(
    d: &Dialect,
    pool: &Pool<DB>,
    tenant: &TenantId,
    filter: &UserFilter,
    order: UserOrder,
    page: PageRequest,
) -> Result<Page<User>, StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    <DB as Database>::Arguments: IntoArguments<DB>,
    UserRow: for<'r> FromRow<'r, DB::Row>,
    (i64,): for<'r> FromRow<'r, DB::Row>,
{
    let email = filter.email.as_deref().map(normalize_email);
    let connection = filter.connection.as_deref();
    let filter_sql = filter_sql(filter);
    let direction = match order {
        UserOrder::CreatedAscending => "ASC",
        UserOrder::CreatedDescending => "DESC",
    };
    let bound = 1 + usize::from(email.is_some()) + usize::from(connection.is_some());
    let (limit, offset) = (bound + 1, bound + 2);
    let sql = format!(
        "SELECT {} FROM users {filter_sql} ORDER BY created_at {direction}, user_id {direction} \
         LIMIT ${limit} OFFSET ${offset}",
        d.columns
    );
    let mut query = sqlx::query_as::<DB, UserRow>(AssertSqlSafe(sql)).bind(tenant.as_str());
    if let Some(e) = &email {
        query = query.bind(e.as_str());
    }
    if let Some(c) = connection {
        query = query.bind(c);
    }
    let rows = query
        .bind(i64::try_from(page.limit()).unwrap_or(i64::MAX))
        .bind(crate::admin::offset(page))
        .fetch_all(pool)
        .await
        .map_err(|e| db_error(USERS, e))?;
    let items = rows
        .into_iter()
        .map(User::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    let mut count = sqlx::query_as::<DB, (i64,)>(AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM users {filter_sql}"
    )))
    .bind(tenant.as_str());
    if let Some(e) = &email {
        count = count.bind(e.as_str());
    }
    if let Some(c) = connection {
        count = count.bind(c);
    }
    let (total,) = count
        .fetch_one(pool)
        .await
        .map_err(|e| db_error(USERS, e))?;
    Ok(Page {
        items,
        total: crate::admin::to_total(total),
    })
}

async fn update_user<DB>(
    d: &Dialect,
    pool: &Pool<DB>,
    tenant: &TenantId,
    user_id: &UserId,
    patch: &UserPatch,
    at: UnixTime,
) -> Result<Option<User>, StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
    bool: for<'q> Encode<'q, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    <DB as Database>::Arguments: IntoArguments<DB>,
    UserRow: for<'r> FromRow<'r, DB::Row>,
{
    let mut tx = pool
        .begin_with(d.begin)
        .await
        .map_err(|e| db_error(USERS, e))?;
    let row = sqlx::query_as::<DB, UserRow>(AssertSqlSafe(format!(
        "SELECT {} FROM users WHERE tenant_id = $1 AND user_id = $2{}",
        d.columns, d.lock
    )))
    .bind(tenant.as_str())
    .bind(user_id.as_str())
    .fetch_optional(&mut *tx)
    .await
    .map_err(|e| db_error(USERS, e))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let mut user = User::try_from(row)?;
    patch.apply(&mut user, at);
    let json = UserJson::of(&user)?;
    let j = d.json;
    sqlx::query::<DB>(AssertSqlSafe(format!(
        "UPDATE users SET email = $1, email_normalized = $2, email_verified = $3, name = $4, \
         nickname = $5, picture = $6, password_hash = $7, blocked = $8, \
         user_metadata = $9{j}, app_metadata = $10{j}, updated_at = $11 \
         WHERE tenant_id = $12 AND user_id = $13"
    )))
    .bind(user.email.as_str())
    .bind(normalize_email(&user.email))
    .bind(user.email_verified)
    .bind(user.name.as_str())
    .bind(user.nickname.as_str())
    .bind(user.picture.as_deref())
    .bind(user.password_hash.as_ref().map(PasswordHash::as_str))
    .bind(user.blocked)
    .bind(json.user_metadata)
    .bind(json.app_metadata)
    .bind(user.updated_at.0)
    .bind(tenant.as_str())
    .bind(user_id.as_str())
    .execute(&mut *tx)
    .await
    .map_err(|e| db_error(USERS, e))?;
    tx.commit().await.map_err(|e| db_error(USERS, e))?;
    Ok(Some(user))
}

async fn delete_user<DB>(
    pool: &Pool<DB>,
    tenant: &TenantId,
    user_id: &UserId,
) -> Result<bool, StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    <DB as Database>::Arguments: IntoArguments<DB>,
    DB::QueryResult: RowsAffected,
{
    let done = sqlx::query::<DB>("DELETE FROM users WHERE tenant_id = $1 AND user_id = $2")
        .bind(tenant.as_str())
        .bind(user_id.as_str())
        .execute(pool)
        .await
        .map_err(|e| db_error(USERS, e))?;
    Ok(RowsAffected::rows_affected(&done) == 1)
}

macro_rules! user_directory {
    ($store:ty, $dialect:expr) => {
        #[async_trait]
        impl UserDirectory for $store {
            async fn create_user(&self, user: &User, roles: &[RoleId]) -> Result<(), StoreError> {
                create_user(&$dialect, self.pool(), user, roles).await
            }

            async fn list_users(
                &self,
                tenant: &TenantId,
                filter: &UserFilter,
                order: UserOrder,
                page: PageRequest,
            ) -> Result<Page<User>, StoreError> {
                list_users(&$dialect, self.pool(), tenant, filter, order, page).await
            }

            async fn update_user(
                &self,
                tenant: &TenantId,
                user_id: &UserId,
                patch: &UserPatch,
                at: UnixTime,
            ) -> Result<Option<User>, StoreError> {
                update_user(&$dialect, self.pool(), tenant, user_id, patch, at).await
            }

            async fn delete_user(
                &self,
                tenant: &TenantId,
                user_id: &UserId,
            ) -> Result<bool, StoreError> {
                delete_user(self.pool(), tenant, user_id).await
            }
        }
    };
}

user_directory!(SqliteStore, SQLITE);
user_directory!(PgStore, POSTGRES);
