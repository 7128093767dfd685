//! [`UserDirectory`] on SQLite and PostgreSQL. The statements are written once, generic
//! over the sqlx database; what differs (how JSON columns are read and written, how a
//! transaction takes the write lock) is a [`Dialect`].

use std::collections::HashSet;

use async_trait::async_trait;
use portcullis_core::password::PasswordHash;
use portcullis_core::user_directory::{ImportOutcome, UserFilter, UserOrder, UserPatch};
use portcullis_core::{
    Page, PageRequest, RoleId, StoreError, TenantId, UnixTime, User, UserDirectory, UserId,
    normalize_email,
};
// Every SQL text built here joins constants and numbered placeholders; values are bound.
use sqlx::{AssertSqlSafe, Database, Encode, Executor, FromRow, IntoArguments, Pool, Type};

use crate::errors::db_error;
use crate::portable::RowsAffected;
use crate::rows::{REFRESH_TOKENS, SESSIONS, USER_ROLES, USERS, UserJson, UserRow};
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
    // What the old password or an unblocked user held ends with the change.
    let revoke = |table: &'static str| {
        AssertSqlSafe(format!(
            "UPDATE {table} SET revoked_at = $1 \
             WHERE tenant_id = $2 AND user_id = $3 AND revoked_at IS NULL"
        ))
    };
    let mut ends = Vec::new();
    if patch.password_hash.is_some() || patch.blocked == Some(true) {
        ends.push(REFRESH_TOKENS);
    }
    if patch.blocked == Some(true) {
        ends.push(SESSIONS);
    }
    for table in ends {
        sqlx::query::<DB>(revoke(table))
            .bind(at.0)
            .bind(tenant.as_str())
            .bind(user_id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| db_error(table, e))?;
    }
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

/// Rows per multi-row `INSERT` of [`import_users`]: 17 parameters each, well under
/// SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const IMPORT_ROWS_PER_STATEMENT: usize = 500;

/// The user columns an `INSERT` writes, in the order they are bound.
const INSERT_COLUMNS: &str = "tenant_id, user_id, connection, email, email_normalized, \
     email_verified, name, nickname, picture, password_hash, blocked, user_metadata, \
     app_metadata, created_at, updated_at, last_login, logins_count";

/// How an import statement spells its parameters. SQLite finds a numbered parameter
/// (`$7`) by a linear search of the statement's parameter names, which makes binding a
/// 500-row `INSERT` quadratic (it was 80% of an import's time); anonymous `?`
/// parameters are bound by position.
trait ImportParams {
    /// The placeholder of parameter `n` (from 1), bound in order.
    fn param(n: usize) -> String;
}

impl ImportParams for SqliteStore {
    fn param(_: usize) -> String {
        "?".to_owned()
    }
}

impl ImportParams for PgStore {
    fn param(n: usize) -> String {
        format!("${n}")
    }
}

async fn import_users<DB>(
    d: &Dialect,
    param: fn(usize) -> String,
    pool: &Pool<DB>,
    users: &[User],
) -> Result<Vec<ImportOutcome>, StoreError>
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
    (String, String): for<'r> FromRow<'r, DB::Row>,
    (i64,): for<'r> FromRow<'r, DB::Row>,
{
    let mut outcomes = vec![ImportOutcome::Imported; users.len()];
    // Conflicts inside `users` are settled here (the first one wins), so every row sent
    // is distinct and a row missing from RETURNING conflicts with a stored user.
    let emails: Vec<String> = users.iter().map(|u| normalize_email(&u.email)).collect();
    let mut ids = HashSet::new();
    let mut addresses = HashSet::new();
    let mut sent = Vec::with_capacity(users.len());
    for (i, (user, email)) in users.iter().zip(&emails).enumerate() {
        let id = (user.tenant_id.as_str(), user.user_id.as_str());
        let address = (user.tenant_id.as_str(), email.as_str());
        if ids.contains(&id) {
            outcomes[i] = ImportOutcome::IdExists;
        } else if addresses.contains(&address) {
            outcomes[i] = ImportOutcome::EmailExists;
        } else {
            ids.insert(id);
            addresses.insert(address);
            sent.push(i);
        }
    }
    if sent.is_empty() {
        return Ok(outcomes);
    }
    let json = users
        .iter()
        .map(UserJson::of)
        .collect::<Result<Vec<_>, _>>()?;
    let mut tx = pool
        .begin_with(d.begin)
        .await
        .map_err(|e| db_error(USERS, e))?;
    let j = d.json;
    for chunk in sent.chunks(IMPORT_ROWS_PER_STATEMENT) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| {
                let n = r * 17;
                let p = |k: usize| param(n + k);
                format!(
                    "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}{j}, {}{j}, {}, {}, {}, {})",
                    p(1),
                    p(2),
                    p(3),
                    p(4),
                    p(5),
                    p(6),
                    p(7),
                    p(8),
                    p(9),
                    p(10),
                    p(11),
                    p(12),
                    p(13),
                    p(14),
                    p(15),
                    p(16),
                    p(17)
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO users ({INSERT_COLUMNS}) VALUES {} ON CONFLICT DO NOTHING \
             RETURNING tenant_id, user_id",
            rows.join(", ")
        );
        let mut query = sqlx::query_as::<DB, (String, String)>(AssertSqlSafe(sql));
        for &i in chunk {
            let (user, json) = (&users[i], &json[i]);
            query = query
                .bind(user.tenant_id.as_str())
                .bind(user.user_id.as_str())
                .bind(user.connection.as_str())
                .bind(user.email.as_str())
                .bind(emails[i].as_str())
                .bind(user.email_verified)
                .bind(user.name.as_str())
                .bind(user.nickname.as_str())
                .bind(user.picture.as_deref())
                .bind(user.password_hash.as_ref().map(PasswordHash::as_str))
                .bind(user.blocked)
                .bind(json.user_metadata.as_str())
                .bind(json.app_metadata.as_str())
                .bind(user.created_at.0)
                .bind(user.updated_at.0)
                .bind(user.last_login.map(|t| t.0))
                .bind(i64::from(user.logins_count));
        }
        let stored: HashSet<(String, String)> = query
            .fetch_all(&mut *tx)
            .await
            .map_err(|e| db_error(USERS, e))?
            .into_iter()
            .collect();
        for &i in chunk {
            let user = &users[i];
            let key = (
                user.tenant_id.as_str().to_owned(),
                user.user_id.as_str().to_owned(),
            );
            if stored.contains(&key) {
                continue;
            }
            // Skipped by ON CONFLICT: the id or the address is taken (rare; one lookup).
            let (taken,) = sqlx::query_as::<DB, (i64,)>(
                "SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(user.tenant_id.as_str())
            .bind(user.user_id.as_str())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| db_error(USERS, e))?;
            outcomes[i] = if taken > 0 {
                ImportOutcome::IdExists
            } else {
                ImportOutcome::EmailExists
            };
        }
    }
    tx.commit().await.map_err(|e| db_error(USERS, e))?;
    Ok(outcomes)
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

            async fn import_users(&self, users: &[User]) -> Result<Vec<ImportOutcome>, StoreError> {
                import_users(
                    &$dialect,
                    <$store as ImportParams>::param,
                    self.pool(),
                    users,
                )
                .await
            }
        }
    };
}

user_directory!(SqliteStore, SQLITE);
user_directory!(PgStore, POSTGRES);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use portcullis_core::bootstrap::bootstrap;
    use portcullis_core::user::DATABASE_CONNECTION;
    use portcullis_core::{Store, SystemClock, SystemRng};
    use portcullis_jose::MasterKey;
    use serde_json::json;

    use super::*;
    use crate::{DatabaseUrl, OpenOptions};
    use ImportOutcome::{EmailExists, IdExists, Imported};

    fn user(tenant: &TenantId, id: &str, email: &str) -> User {
        User {
            tenant_id: tenant.clone(),
            user_id: UserId::new(id),
            connection: DATABASE_CONNECTION.to_owned(),
            email: email.to_owned(),
            email_verified: false,
            name: email.to_owned(),
            nickname: "n".to_owned(),
            picture: None,
            password_hash: None,
            blocked: false,
            user_metadata: json!({}),
            app_metadata: json!({}),
            created_at: UnixTime(1_700_000_000),
            updated_at: UnixTime(1_700_000_000),
            last_login: None,
            logins_count: 0,
        }
    }

    async fn stored(store: &dyn Store, tenant: &TenantId, email: &str) -> Option<User> {
        let filter = UserFilter {
            email: Some(email.to_owned()),
            connection: None,
        };
        let page = PageRequest {
            page: 0,
            per_page: 10,
        };
        let found = store
            .list_users(tenant, &filter, UserOrder::CreatedAscending, page)
            .await
            .unwrap();
        found.items.into_iter().next()
    }

    async fn import_reports_each_conflict(url: DatabaseUrl) {
        let store = crate::open(&url, &OpenOptions::default()).await.unwrap();
        let store = store.as_ref();
        let t = TenantId::new("acme");
        let master = MasterKey::generate().unwrap();
        bootstrap(
            store,
            &SystemClock,
            &SystemRng::new(),
            &master,
            &t,
            "https://a.test/",
        )
        .await
        .unwrap()
        .unwrap();
        store
            .create_user(&user(&t, "auth0|old", "Old@Example.com"), &[])
            .await
            .unwrap();

        // Every column lands where it belongs.
        let mut rich = user(&t, "auth0|a", "a@example.com");
        rich.email_verified = true;
        rich.name = "Ada".to_owned();
        rich.nickname = "ada".to_owned();
        rich.picture = Some("https://a.test/ada.png".to_owned());
        rich.password_hash = PasswordHash::parse(
            "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$eXV6VXJ6TnVXZ1dCU2VQd01rbGJLUmJzUm5xaVdyZGg",
        );
        rich.blocked = true;
        rich.user_metadata = json!({"theme": "dark"});
        rich.app_metadata = json!({"plan": "pro"});
        rich.updated_at = UnixTime(1_700_000_001);
        rich.last_login = Some(UnixTime(1_600_000_000));
        rich.logins_count = 7;
        let batch = [
            rich.clone(),
            user(&t, "auth0|old", "new@example.com"),
            user(&t, "auth0|b", "OLD@example.com"),
            user(&t, "auth0|a", "c@example.com"),
            user(&t, "auth0|d", "A@Example.com"),
            user(&t, "auth0|e", "e@example.com"),
        ];
        assert_eq!(
            store.import_users(&batch).await.unwrap(),
            [
                Imported,
                IdExists,
                EmailExists,
                IdExists,
                EmailExists,
                Imported
            ]
        );
        assert_eq!(stored(store, &t, "a@example.com").await, Some(rich));
        assert_eq!(stored(store, &t, "new@example.com").await, None);
        assert_eq!(stored(store, &t, "c@example.com").await, None);
        assert_eq!(
            stored(store, &t, "old@example.com")
                .await
                .unwrap()
                .user_id
                .as_str(),
            "auth0|old"
        );

        // More rows than one statement takes: all stored, in order.
        let many: Vec<User> = (0..1_201)
            .map(|i| user(&t, &format!("auth0|m{i}"), &format!("m{i}@example.com")))
            .collect();
        let outcomes = store.import_users(&many).await.unwrap();
        assert_eq!(outcomes, vec![Imported; 1_201]);
        assert!(stored(store, &t, "m1200@example.com").await.is_some());
        assert_eq!(store.import_users(&[]).await.unwrap(), []);

        // A tenant that does not exist: an error, and nothing of the call is stored.
        let ghost = TenantId::new("ghost");
        let result = store
            .import_users(&[
                user(&t, "auth0|z", "z@example.com"),
                user(&ghost, "auth0|y", "y@example.com"),
            ])
            .await;
        assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
        assert_eq!(stored(store, &t, "z@example.com").await, None);
    }

    #[tokio::test]
    async fn import_reports_each_conflict_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        import_reports_each_conflict(DatabaseUrl::sqlite_file(&dir.path().join("p.db"))).await;
    }

    #[tokio::test]
    async fn import_reports_each_conflict_on_postgres() {
        let Some(db) = crate::testing::fresh_postgres().await else {
            return;
        };
        import_reports_each_conflict(db.database_url()).await;
        db.drop_database().await.unwrap();
    }
}
