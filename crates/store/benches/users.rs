//! User lookups of the Management API with 100,000 users in the tenant, on SQLite and
//! (when `PORTCULLIS_TEST_DATABASE_URL` is set) PostgreSQL: search by email (must stay
//! O(log n): the unique index on the normalised address), the first page of the
//! listing, and a page 50,000 users deep.
//!
//! `cargo bench -p portcullis-store --bench users` (seeding takes a few seconds).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use portcullis_core::user_directory::{UserFilter, UserOrder};
use portcullis_core::{PageRequest, Store, TenantId};
use portcullis_store::testing::fresh_postgres;
use portcullis_store::{OpenOptions, PgStore, SqliteStore};
use tokio::runtime::Runtime;

const USERS: i64 = 100_000;

/// Users `user{i}@example.com`, `auth0|{i:024}`, created one second apart. Inserted by
/// the database itself from a series: a row per user, in one statement.
const SEED_SQL: &str = "INSERT INTO users (tenant_id, user_id, connection, email, \
    email_normalized, email_verified, name, nickname, picture, password_hash, blocked, \
    user_metadata, app_metadata, created_at, updated_at, last_login, logins_count) \
    SELECT 'default', 'auth0|' || i, 'Username-Password-Authentication', \
    'User' || i || '@Example.com', 'user' || i || '@example.com', FALSE, 'user' || i, \
    'user' || i, NULL, NULL, FALSE, '{}', '{}', 1700000000 + i, 1700000000 + i, NULL, 0 \
    FROM series";

const TENANT_SQL: &str =
    "INSERT INTO tenants (id, settings, created_at) VALUES ('default', '{}', 0)";

fn bench_store(c: &mut Criterion, rt: &Runtime, name: &str, store: &dyn Store) {
    let tenant = TenantId::default_tenant();
    let mut group = c.benchmark_group(format!("users (100k) on {name}"));
    group.measurement_time(Duration::from_secs(5));
    let by_email = UserFilter {
        email: Some("USER77777@example.COM".to_owned()),
        connection: None,
    };
    group.bench_function("search by email", |b| {
        b.iter(|| {
            let page = rt
                .block_on(store.list_users(
                    &tenant,
                    &by_email,
                    UserOrder::CreatedAscending,
                    PageRequest {
                        page: 0,
                        per_page: 50,
                    },
                ))
                .unwrap();
            assert_eq!(page.items.len(), 1);
        })
    });
    group.bench_function("user_by_email (login)", |b| {
        b.iter(|| {
            rt.block_on(store.user_by_email(&tenant, "user77777@example.com"))
                .unwrap()
                .unwrap()
        })
    });
    for page in [0u32, 1000] {
        group.bench_with_input(
            BenchmarkId::new("list, 50 per page, page", page),
            &page,
            |b, &page| {
                b.iter(|| {
                    let got = rt
                        .block_on(store.list_users(
                            &tenant,
                            &UserFilter::default(),
                            UserOrder::CreatedAscending,
                            PageRequest { page, per_page: 50 },
                        ))
                        .unwrap();
                    assert_eq!(got.items.len(), 50);
                })
            },
        );
    }
    group.finish();
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let sqlite = rt
        .block_on(SqliteStore::open(
            &dir.path().join("bench.db"),
            &OpenOptions::default(),
        ))
        .unwrap();
    rt.block_on(async {
        sqlx::query(TENANT_SQL).execute(sqlite.pool()).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "WITH RECURSIVE series(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM series WHERE i < {USERS}) {SEED_SQL}"
        )))
        .execute(sqlite.pool())
        .await
        .unwrap();
        sqlx::query("ANALYZE").execute(sqlite.pool()).await.unwrap();
    });
    bench_store(c, &rt, "SQLite", &sqlite);

    if let Some(db) = rt.block_on(fresh_postgres()) {
        let pg = rt
            .block_on(PgStore::open(&db.url, &OpenOptions::default()))
            .unwrap();
        rt.block_on(async {
            sqlx::query(TENANT_SQL).execute(pg.pool()).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "WITH series(i) AS (SELECT generate_series(1, {USERS})) {SEED_SQL}"
            )))
            .execute(pg.pool())
            .await
            .unwrap();
            sqlx::query("ANALYZE users")
                .execute(pg.pool())
                .await
                .unwrap();
        });
        bench_store(c, &rt, "PostgreSQL", &pg);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
