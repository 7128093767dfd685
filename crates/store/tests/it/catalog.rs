//! The configuration cache over a real store: rows are kept for `ttl` seconds of the
//! injected clock, rows that do not exist are never kept, and `invalidate` forgets all.
//! Rows are changed behind the cache's back with plain SQL, as another instance would.

use std::sync::Arc;

use portcullis_core::{Catalog, ClientId, ManualClock, Store, TenantId, TenantSettings};
use portcullis_store::{OpenOptions, open};
use sqlx::sqlite::SqlitePool;

use crate::fixtures::{API, BILLING, T0, seed_tenant, web_client};
use crate::fresh_sqlite;

struct Setup {
    _dir: tempfile::TempDir,
    clock: Arc<ManualClock>,
    store: Arc<dyn Store>,
    /// A second connection, playing another instance.
    other: SqlitePool,
    tenant: TenantId,
}

async fn setup() -> Setup {
    let (dir, url) = fresh_sqlite();
    let store = open(&url, &OpenOptions::default()).await.unwrap();
    let tenant = TenantId::new("acme");
    seed_tenant(store.as_ref(), &tenant, TenantSettings::default()).await;
    let path = dir.path().join("portcullis.db");
    let other = SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    Setup {
        _dir: dir,
        clock: Arc::new(ManualClock::new(T0)),
        store,
        other,
        tenant,
    }
}

async fn delete_api(pool: &SqlitePool, identifier: &str) {
    let done = sqlx::query("DELETE FROM resource_servers WHERE identifier = ?")
        .bind(identifier)
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(done.rows_affected(), 1);
}

#[tokio::test]
async fn a_row_is_kept_for_the_ttl_then_read_again() {
    let s = setup().await;
    let catalog = Catalog::new(s.store.clone(), s.clock.clone(), 5);
    let api = catalog.resource_server(&s.tenant, API).await.unwrap();
    assert_eq!(api.unwrap().identifier, API);

    delete_api(&s.other, API).await;
    s.clock.advance(4);
    let cached = catalog.resource_server(&s.tenant, API).await.unwrap();
    assert_eq!(cached.map(|a| a.identifier.clone()).as_deref(), Some(API));

    s.clock.advance(1);
    assert!(
        catalog
            .resource_server(&s.tenant, API)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn invalidate_forgets_everything() {
    let s = setup().await;
    let catalog = Catalog::new(s.store.clone(), s.clock.clone(), 60);
    assert!(
        catalog
            .resource_server(&s.tenant, BILLING)
            .await
            .unwrap()
            .is_some()
    );
    let app = catalog.application(&s.tenant, &web_client()).await.unwrap();
    assert_eq!(app.unwrap().client_id, web_client());

    delete_api(&s.other, BILLING).await;
    assert!(
        catalog
            .resource_server(&s.tenant, BILLING)
            .await
            .unwrap()
            .is_some()
    );
    catalog.invalidate();
    assert!(
        catalog
            .resource_server(&s.tenant, BILLING)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn missing_rows_are_not_kept() {
    let s = setup().await;
    let catalog = Catalog::new(s.store.clone(), s.clock.clone(), 60);
    let unknown = ClientId::new("not-yet-there");
    assert!(
        catalog
            .application(&s.tenant, &unknown)
            .await
            .unwrap()
            .is_none()
    );
    sqlx::query(
        "INSERT INTO applications (tenant_id, client_id, name, app_type, client_secret_hash,
         token_endpoint_auth_method, callbacks, allowed_logout_urls, web_origins, grant_types,
         created_at)
         SELECT tenant_id, ?, name, app_type, client_secret_hash, token_endpoint_auth_method,
         callbacks, allowed_logout_urls, web_origins, grant_types, created_at
         FROM applications WHERE client_id = ?",
    )
    .bind(unknown.as_str())
    .bind(web_client().as_str())
    .execute(&s.other)
    .await
    .unwrap();
    let found = catalog.application(&s.tenant, &unknown).await.unwrap();
    assert_eq!(found.unwrap().client_id, unknown);
}

#[tokio::test]
async fn with_a_ttl_of_zero_every_lookup_reads_the_store() {
    let s = setup().await;
    let catalog = Catalog::new(s.store.clone(), s.clock.clone(), 0);
    assert!(
        catalog
            .resource_server(&s.tenant, API)
            .await
            .unwrap()
            .is_some()
    );
    delete_api(&s.other, API).await;
    assert!(
        catalog
            .resource_server(&s.tenant, API)
            .await
            .unwrap()
            .is_none()
    );
}

async fn set_web_origins(pool: &SqlitePool, origins: &str) {
    sqlx::query("UPDATE applications SET web_origins = ?")
        .bind(origins)
        .execute(pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn web_origins_are_those_of_all_applications_kept_for_the_ttl() {
    let s = setup().await;
    let catalog = Catalog::new(s.store.clone(), s.clock.clone(), 5);
    set_web_origins(&s.other, r#"["https://a.test", "https://b.test"]"#).await;
    let origins = catalog.web_origins(&s.tenant).await.unwrap();
    let mut got: Vec<&str> = origins.iter().map(String::as_str).collect();
    got.sort_unstable();
    assert_eq!(got, ["https://a.test", "https://b.test"]);

    set_web_origins(&s.other, r#"["https://c.test"]"#).await;
    s.clock.advance(4);
    assert!(
        catalog
            .web_origins(&s.tenant)
            .await
            .unwrap()
            .contains("https://a.test")
    );
    s.clock.advance(1);
    let origins = catalog.web_origins(&s.tenant).await.unwrap();
    assert_eq!(origins.iter().collect::<Vec<_>>(), ["https://c.test"]);
}
