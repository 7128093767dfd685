//! The tenant's `signup_requires_verification` setting, and email-verification tickets:
//! stored by hash, consumed once together with `email_verified = true`, refused when
//! expired, swept when dead. Run on SQLite and on PostgreSQL, with a race of parallel
//! uses of one ticket on two pools (two instances).

use std::sync::Arc;

use portcullis_core::email_verification::VerificationTicket;
use portcullis_core::{Store, TenantId, TenantSettings, UnixTime, UserId, token_hash};
use portcullis_store::{DatabaseUrl, OpenOptions, open};
use tokio::sync::Barrier;

use crate::fixtures::{DAY, T0, is_conflict, seed_tenant, user};

fn ticket(
    tenant: &TenantId,
    user_id: &UserId,
    clear: &str,
    at: UnixTime,
    login_state: Option<&str>,
) -> VerificationTicket {
    VerificationTicket {
        tenant_id: tenant.clone(),
        ticket_hash: token_hash(clear),
        user_id: user_id.clone(),
        login_state: login_state.map(str::to_owned),
        created_at: at,
        expires_at: at.plus_secs(DAY),
        consumed_at: None,
    }
}

async fn setting_story(url: DatabaseUrl) {
    let store = open(&url, &OpenOptions::default()).await.unwrap();
    let store = &*store;
    let acme = TenantId::new("acme");
    let other = TenantId::new("other");
    let settings = TenantSettings {
        friendly_name: "Acme".to_owned(),
        default_roles: vec!["rol_x".to_owned()],
        refresh_token_reuse_window: 7,
        ..TenantSettings::default()
    };
    seed_tenant(store, &acme, settings.clone()).await;
    seed_tenant(store, &other, TenantSettings::default()).await;
    let settings_of = |t: &TenantId| {
        let t = t.clone();
        async move { store.tenant(&t).await.unwrap().unwrap().settings }
    };
    // Off by default (Auth0's behaviour).
    assert!(!settings_of(&acme).await.signup_requires_verification);

    // On: only that setting changes, only in that tenant.
    assert!(
        store
            .set_signup_requires_verification(&acme, true)
            .await
            .unwrap()
    );
    assert_eq!(
        settings_of(&acme).await,
        TenantSettings {
            signup_requires_verification: true,
            ..settings.clone()
        }
    );
    assert_eq!(settings_of(&other).await, TenantSettings::default());
    // Setting it again changes nothing.
    assert!(
        store
            .set_signup_requires_verification(&acme, true)
            .await
            .unwrap()
    );
    assert!(settings_of(&acme).await.signup_requires_verification);

    // Off again.
    assert!(
        store
            .set_signup_requires_verification(&acme, false)
            .await
            .unwrap()
    );
    assert_eq!(settings_of(&acme).await, settings);

    // No such tenant.
    assert!(
        !store
            .set_signup_requires_verification(&TenantId::new("nowhere"), true)
            .await
            .unwrap()
    );
}

async fn ticket_story(url: DatabaseUrl) {
    let store = open(&url, &OpenOptions::default()).await.unwrap();
    let store = &*store;
    let acme = TenantId::new("acme");
    let other = TenantId::new("other");
    seed_tenant(store, &acme, TenantSettings::default()).await;
    seed_tenant(store, &other, TenantSettings::default()).await;
    let alice = user(
        &acme,
        UserId::new("auth0|aaaaaaaaaaaaaaaaaaaaaaaa"),
        "alice@example.com",
    );
    let bob = user(
        &acme,
        UserId::new("auth0|bbbbbbbbbbbbbbbbbbbbbbbb"),
        "bob@example.com",
    );
    for u in [&alice, &bob] {
        assert!(!u.email_verified);
        store.insert_user(u).await.unwrap();
    }
    let verified = |id: &UserId| {
        let id = id.clone();
        let acme = acme.clone();
        async move { store.user(&acme, &id).await.unwrap().unwrap() }
    };

    let a = ticket(&acme, &alice.user_id, "alice-ticket", T0, Some("sealed-tx"));
    let b = ticket(&acme, &bob.user_id, "bob-ticket", T0, None);
    store.insert_email_verification(&a).await.unwrap();
    store.insert_email_verification(&b).await.unwrap();
    // The same hash again, or a user that does not exist: refused.
    assert!(is_conflict(store.insert_email_verification(&a).await));
    assert!(is_conflict(
        store
            .insert_email_verification(&ticket(
                &acme,
                &UserId::new("auth0|nobody"),
                "nobody-ticket",
                T0,
                None
            ))
            .await
    ));

    // Another tenant, or an unknown hash: nothing.
    assert_eq!(
        store
            .consume_email_verification(&other, &a.ticket_hash, T0.plus_secs(1))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .consume_email_verification(&acme, &token_hash("unknown"), T0.plus_secs(1))
            .await
            .unwrap(),
        None
    );
    assert!(!verified(&alice.user_id).await.email_verified);

    // Used once: the address is verified, in the same transaction.
    let at = T0.plus_secs(60);
    assert_eq!(
        store
            .consume_email_verification(&acme, &a.ticket_hash, at)
            .await
            .unwrap(),
        Some(VerificationTicket {
            consumed_at: Some(at),
            ..a.clone()
        })
    );
    let now_alice = verified(&alice.user_id).await;
    assert!(now_alice.email_verified);
    assert_eq!(now_alice.updated_at, at);
    assert_eq!(
        store
            .consume_email_verification(&acme, &a.ticket_hash, at.plus_secs(1))
            .await
            .unwrap(),
        None,
        "a second use"
    );
    // Bob's ticket is untouched by Alice's use, and refused once expired (at its
    // expiry exactly): Bob stays unverified.
    assert!(!verified(&bob.user_id).await.email_verified);
    assert_eq!(
        store
            .consume_email_verification(&acme, &b.ticket_hash, b.expires_at)
            .await
            .unwrap(),
        None
    );
    assert!(!verified(&bob.user_id).await.email_verified);

    // The sweep: the consumed ticket once consumed for longer than the grace, the
    // expired one once expired for longer than it. Users stay.
    assert_eq!(store.sweep_expired(at, 0).await.unwrap(), 0);
    assert_eq!(store.sweep_expired(at.plus_secs(1), 0).await.unwrap(), 1);
    assert_eq!(store.sweep_expired(b.expires_at, 0).await.unwrap(), 0);
    assert_eq!(
        store
            .sweep_expired(b.expires_at.plus_secs(1), 0)
            .await
            .unwrap(),
        1
    );
    // Swept: the ticket's hash may be stored again.
    store.insert_email_verification(&a).await.unwrap();
    assert!(
        verified(&bob.user_id).await.user_id == bob.user_id,
        "users stay"
    );
}

const RACERS: usize = 8;
const ROUNDS: usize = 10;

/// `RACERS` uses of one ticket at once, on two pools: exactly one wins, each round.
async fn race(url: DatabaseUrl) {
    portcullis_store::migrate(&url).await.unwrap();
    let a = open(&url, &OpenOptions::default()).await.unwrap();
    let b = open(&url, &OpenOptions::default()).await.unwrap();
    let tenant = TenantId::new("acme");
    seed_tenant(&*a, &tenant, TenantSettings::default()).await;
    let alice = user(
        &tenant,
        UserId::new("auth0|cccccccccccccccccccccccc"),
        "alice@example.com",
    );
    a.insert_user(&alice).await.unwrap();
    let stores: Vec<Arc<dyn Store>> = vec![a, b];
    for round in 0..ROUNDS {
        let t = ticket(&tenant, &alice.user_id, &format!("race-{round}"), T0, None);
        stores[0].insert_email_verification(&t).await.unwrap();
        let barrier = Arc::new(Barrier::new(RACERS));
        let mut tasks = Vec::new();
        for i in 0..RACERS {
            let store = Arc::clone(&stores[i % 2]);
            let barrier = Arc::clone(&barrier);
            let (tenant, ticket_hash) = (tenant.clone(), t.ticket_hash.clone());
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                store
                    .consume_email_verification(&tenant, &ticket_hash, T0.plus_secs(1))
                    .await
                    .unwrap()
            }));
        }
        let mut wins = 0;
        for task in tasks {
            wins += usize::from(task.await.unwrap().is_some());
        }
        assert_eq!(wins, 1, "round {round}: exactly one use wins");
    }
}

#[tokio::test]
async fn signup_verification_setting_sqlite() {
    let (_dir, url) = crate::fresh_sqlite();
    setting_story(url).await;
}

#[tokio::test]
async fn signup_verification_setting_postgres() {
    let Some((db, url)) = crate::fresh_pg().await else {
        return;
    };
    setting_story(url).await;
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn email_verification_story_sqlite() {
    let (_dir, url) = crate::fresh_sqlite();
    ticket_story(url).await;
}

#[tokio::test]
async fn email_verification_story_postgres() {
    let Some((db, url)) = crate::fresh_pg().await else {
        return;
    };
    ticket_story(url).await;
    db.drop_database().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn email_verification_race_sqlite() {
    let (_dir, url) = crate::fresh_sqlite();
    race(url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn email_verification_race_postgres() {
    let Some((db, url)) = crate::fresh_pg().await else {
        return;
    };
    race(url).await;
    db.drop_database().await.unwrap();
}
