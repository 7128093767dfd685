//! The audit log: events stored and read back whole, filtered, paged newest first,
//! checkpoint paging, and deletion past retention across tenants. On SQLite and
//! PostgreSQL.

use portcullis_core::{
    EventType, LogEvent, LogQuery, PageRequest, SystemRng, TenantId, TenantSettings, UnixTime,
};
use portcullis_store::{DatabaseUrl, OpenOptions, open};
use serde_json::json;

use crate::fixtures::{T0, is_conflict, seed_tenant};

fn event(tenant: &TenantId, at: i64, kind: EventType, user: Option<&str>) -> LogEvent {
    let mut e = LogEvent::new(
        tenant.clone(),
        UnixTime(at),
        0,
        kind,
        "d",
        &SystemRng::new(),
    );
    e.user_id = user.map(str::to_owned);
    e
}

async fn story(url: DatabaseUrl) {
    let store = open(&url, &OpenOptions::default()).await.unwrap();
    let acme = TenantId::new("acme");
    let other = TenantId::new("other");
    seed_tenant(&*store, &acme, TenantSettings::default()).await;
    seed_tenant(&*store, &other, TenantSettings::default()).await;

    let mut full = event(&acme, T0.0, EventType::FailedLogin, Some("auth0|1"));
    full.client_id = Some("c1".into());
    full.ip = Some("127.0.0.1".into());
    full.user_agent = Some("ua".into());
    full.user_name = Some("ada@example.com".into());
    full.details = json!({"why": ["a", 1]});
    store.insert_log_event(&full).await.unwrap();
    assert!(is_conflict(store.insert_log_event(&full).await));
    assert_eq!(
        store.log_event(&acme, &full.log_id).await.unwrap(),
        Some(full.clone())
    );
    assert_eq!(store.log_event(&other, &full.log_id).await.unwrap(), None);

    let later = [
        event(&acme, T0.0 + 10, EventType::SuccessLogin, Some("auth0|1")),
        event(&acme, T0.0 + 20, EventType::SuccessLogin, Some("auth0|2")),
        event(&acme, T0.0 + 30, EventType::SuccessApiOperation, None),
    ];
    for e in &later {
        store.insert_log_event(e).await.unwrap();
    }
    store
        .insert_log_event(&event(
            &other,
            T0.0 + 40,
            EventType::SuccessLogin,
            Some("auth0|1"),
        ))
        .await
        .unwrap();

    let page = |page, per_page| PageRequest { page, per_page };
    let all = store
        .log_events(&acme, &LogQuery::default(), page(0, 10))
        .await
        .unwrap();
    assert_eq!(all.total, 4);
    let ids: Vec<&str> = all.items.iter().map(|e| e.log_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            &later[2].log_id,
            &later[1].log_id,
            &later[0].log_id,
            &full.log_id
        ]
        .map(String::as_str)
    );

    let logins_of_1 = LogQuery {
        event_type: Some(EventType::SuccessLogin),
        user_id: Some("auth0|1".into()),
        ..LogQuery::default()
    };
    let found = store
        .log_events(&acme, &logins_of_1, page(0, 10))
        .await
        .unwrap();
    assert_eq!((found.total, found.items), (1, vec![later[0].clone()]));

    let oldest = LogQuery {
        oldest_first: true,
        ..LogQuery::default()
    };
    let second = store.log_events(&acme, &oldest, page(1, 2)).await.unwrap();
    assert_eq!(
        (second.total, second.items),
        (4, vec![later[1].clone(), later[2].clone()])
    );

    let after = store
        .log_events_after(&acme, Some(&later[0].log_id), 10)
        .await
        .unwrap();
    assert_eq!(after, vec![later[1].clone(), later[2].clone()]);
    let head = store.log_events_after(&acme, None, 1).await.unwrap();
    assert_eq!(head, vec![full.clone()]);

    // Retention: everything dated before T0.0 + 20, in every tenant.
    assert_eq!(
        store
            .delete_log_events_before(UnixTime(T0.0 + 20))
            .await
            .unwrap(),
        2
    );
    let left = store
        .log_events(&acme, &LogQuery::default(), page(0, 10))
        .await
        .unwrap();
    assert_eq!(left.total, 2);
    assert_eq!(
        store
            .log_events(&other, &LogQuery::default(), page(0, 10))
            .await
            .unwrap()
            .total,
        1
    );
}

#[tokio::test]
async fn audit_log_sqlite() {
    let (_dir, url) = crate::fresh_sqlite();
    story(url).await;
}

#[tokio::test]
async fn audit_log_postgres() {
    let Some((db, url)) = crate::fresh_pg().await else {
        return;
    };
    story(url).await;
    db.drop_database().await.unwrap();
}
