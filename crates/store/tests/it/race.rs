//! Instances starting together on one empty database: exactly one creates the tenant.

use std::sync::Arc;

use portcullis_core::bootstrap::bootstrap;
use portcullis_core::{ManualClock, Store, SystemRng, TenantId, UnixTime};
use portcullis_jose::MasterKey;
use portcullis_store::{DatabaseUrl, OpenOptions, open};

const RACERS: usize = 8;

/// Each racer opens its own store, as separate instances would, then bootstraps.
async fn race(url: DatabaseUrl) {
    // Migrate first: instances race on bootstrap, not on creating the schema.
    portcullis_store::migrate(&url).await.unwrap();
    let master = Arc::new(MasterKey::generate().unwrap());
    let mut tasks = Vec::new();
    for _ in 0..RACERS {
        let store: Arc<dyn Store> = open(&url, &OpenOptions::default()).await.unwrap();
        let master = Arc::clone(&master);
        tasks.push(tokio::spawn(async move {
            let clock = ManualClock::new(UnixTime(1_700_000_000));
            let report = bootstrap(
                &*store,
                &clock,
                &SystemRng::new(),
                &master,
                &TenantId::default_tenant(),
                "https://auth.example.com/",
            )
            .await
            .unwrap();
            (report, store)
        }));
    }
    let mut created = 0;
    let mut stores = Vec::new();
    for task in tasks {
        let (report, store) = task.await.unwrap();
        created += usize::from(report.is_some());
        stores.push(store);
    }
    assert_eq!(created, 1, "exactly one racer creates the tenant");
    // And what it created is there once, whole.
    let tenant = TenantId::default_tenant();
    let store = &stores[0];
    assert_eq!(store.applications(&tenant).await.unwrap().len(), 2);
    assert_eq!(store.resource_servers(&tenant).await.unwrap().len(), 1);
    assert_eq!(store.client_grants(&tenant).await.unwrap().len(), 1);
    assert_eq!(store.signing_keys(&tenant).await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bootstrap_race_sqlite() {
    let (_dir, url) = crate::fresh_sqlite();
    race(url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bootstrap_race_postgres() {
    let Some((db, url)) = crate::fresh_pg().await else {
        return;
    };
    race(url).await;
    db.drop_database().await.unwrap();
}
