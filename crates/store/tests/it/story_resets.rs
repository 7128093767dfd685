//! Password-reset tickets: stored by hash, counted per user, consumed once together with
//! the new password hash, swept when dead. Run on SQLite and on PostgreSQL, with a race
//! of parallel uses of one ticket on two pools (two instances).

use std::sync::Arc;

use portcullis_core::password::PasswordHash;
use portcullis_core::password_reset::ResetTicket;
use portcullis_core::{Store, TenantId, TenantSettings, UnixTime, User, UserId, token_hash};
use portcullis_store::{DatabaseUrl, OpenOptions, open};
use tokio::sync::Barrier;

use crate::fixtures::{T0, is_conflict, seed_tenant, user};

const OLD_HASH: &str = "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$eXV6VXJ6TnVXZ1dCU2VQd01rbGJLUmJzUm5xaVdyZGg";
const NEW_HASH: &str = "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE";
const HOUR: i64 = 3600;

fn ticket(tenant: &TenantId, user_id: &UserId, clear: &str, at: UnixTime) -> ResetTicket {
    ResetTicket {
        tenant_id: tenant.clone(),
        ticket_hash: token_hash(clear),
        user_id: user_id.clone(),
        created_at: at,
        expires_at: at.plus_secs(HOUR),
        consumed_at: None,
    }
}

async fn seeded(store: &dyn Store, tenant: &TenantId, id: &str, email: &str) -> User {
    let u = User {
        password_hash: Some(PasswordHash::parse(OLD_HASH).unwrap()),
        ..user(tenant, UserId::new(id), email)
    };
    store.insert_user(&u).await.unwrap();
    u
}

async fn story(url: DatabaseUrl) {
    let store = open(&url, &OpenOptions::default()).await.unwrap();
    let store = &*store;
    let acme = TenantId::new("acme");
    let other = TenantId::new("other");
    seed_tenant(store, &acme, TenantSettings::default()).await;
    seed_tenant(store, &other, TenantSettings::default()).await;
    let alice = seeded(
        store,
        &acme,
        "auth0|aaaaaaaaaaaaaaaaaaaaaaaa",
        "alice@example.com",
    )
    .await;
    let bob = seeded(
        store,
        &acme,
        "auth0|bbbbbbbbbbbbbbbbbbbbbbbb",
        "bob@example.com",
    )
    .await;

    // Stored by hash; looked up by hash only, in its own tenant.
    let a1 = ticket(&acme, &alice.user_id, "ticket-a1", T0);
    let a2 = ticket(&acme, &alice.user_id, "ticket-a2", T0.plus_secs(60));
    let b1 = ticket(&acme, &bob.user_id, "ticket-b1", T0);
    for t in [&a1, &a2, &b1] {
        store.insert_password_reset(t).await.unwrap();
    }
    assert_eq!(
        store
            .password_reset(&acme, &token_hash("ticket-a1"))
            .await
            .unwrap(),
        Some(a1.clone())
    );
    assert_eq!(
        store.password_reset(&acme, "ticket-a1").await.unwrap(),
        None,
        "the clear ticket is not a key"
    );
    assert_eq!(
        store.password_reset(&other, &a1.ticket_hash).await.unwrap(),
        None
    );
    // The same hash twice, a user that does not exist, a tenant that does not: refused.
    assert!(is_conflict(store.insert_password_reset(&a1).await));
    let ghost = ticket(&acme, &UserId::new("auth0|nobody"), "ticket-x", T0);
    assert!(is_conflict(store.insert_password_reset(&ghost).await));
    let nowhere = ticket(&TenantId::new("nowhere"), &alice.user_id, "ticket-y", T0);
    assert!(is_conflict(store.insert_password_reset(&nowhere).await));

    // Counted per user, from a time on (inclusive).
    let acme_ref = &acme;
    let count = |user_id: UserId, since: UnixTime| async move {
        store
            .count_password_resets_since(acme_ref, &user_id, since)
            .await
            .unwrap()
    };
    assert_eq!(count(alice.user_id.clone(), T0).await, 2);
    assert_eq!(count(alice.user_id.clone(), T0.plus_secs(60)).await, 1);
    assert_eq!(count(alice.user_id.clone(), T0.plus_secs(61)).await, 0);
    assert_eq!(count(bob.user_id.clone(), T0).await, 1);
    assert_eq!(
        store
            .count_password_resets_since(&other, &alice.user_id, T0)
            .await
            .unwrap(),
        0
    );

    let new_hash = PasswordHash::parse(NEW_HASH).unwrap();
    // Expired (exactly at expires_at): nothing changes.
    assert_eq!(
        store
            .consume_password_reset(&acme, &a1.ticket_hash, &new_hash, a1.expires_at)
            .await
            .unwrap(),
        None
    );
    // Another tenant, an unknown hash: nothing.
    assert_eq!(
        store
            .consume_password_reset(&other, &a1.ticket_hash, &new_hash, T0)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .consume_password_reset(&acme, &token_hash("nope"), &new_hash, T0)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.user(&acme, &alice.user_id).await.unwrap(),
        Some(alice.clone())
    );

    // The first use, one second before expiry: the ticket, the password, the user's
    // other ticket, all at once; bob's ticket untouched.
    let at = a1.expires_at.plus_secs(-1);
    assert_eq!(
        store
            .consume_password_reset(&acme, &a1.ticket_hash, &new_hash, at)
            .await
            .unwrap(),
        Some(ResetTicket {
            consumed_at: Some(at),
            ..a1.clone()
        })
    );
    assert_eq!(
        store.user(&acme, &alice.user_id).await.unwrap(),
        Some(User {
            password_hash: Some(new_hash.clone()),
            updated_at: at,
            ..alice.clone()
        })
    );
    assert_eq!(
        store.password_reset(&acme, &a2.ticket_hash).await.unwrap(),
        Some(ResetTicket {
            consumed_at: Some(at),
            ..a2.clone()
        })
    );
    assert_eq!(
        store.password_reset(&acme, &b1.ticket_hash).await.unwrap(),
        Some(b1.clone())
    );
    // A second use of it, or of the spent sibling: nothing, and nothing changes.
    let other_hash = PasswordHash::parse(OLD_HASH).unwrap();
    for t in [&a1, &a2] {
        assert_eq!(
            store
                .consume_password_reset(&acme, &t.ticket_hash, &other_hash, at)
                .await
                .unwrap(),
            None
        );
    }
    assert_eq!(
        store
            .user(&acme, &alice.user_id)
            .await
            .unwrap()
            .unwrap()
            .password_hash,
        Some(new_hash)
    );

    // The sweep: consumed tickets go once consumed for longer than the grace, unused
    // ones once expired for longer than it.
    assert_eq!(store.sweep_expired(at, 0).await.unwrap(), 0);
    assert_eq!(
        store.sweep_expired(at.plus_secs(1), 0).await.unwrap(),
        2,
        "a1 and a2, consumed at `at`"
    );
    assert_eq!(
        store.password_reset(&acme, &a1.ticket_hash).await.unwrap(),
        None
    );
    assert_eq!(
        store.sweep_expired(b1.expires_at, 0).await.unwrap(),
        0,
        "b1 expires at expires_at and goes after it"
    );
    assert_eq!(
        store
            .sweep_expired(b1.expires_at.plus_secs(10), 10)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .sweep_expired(b1.expires_at.plus_secs(11), 10)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store.password_reset(&acme, &b1.ticket_hash).await.unwrap(),
        None
    );
    // Users are never swept.
    assert!(store.user(&acme, &bob.user_id).await.unwrap().is_some());
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
    let alice = seeded(
        &*a,
        &tenant,
        "auth0|cccccccccccccccccccccccc",
        "alice@example.com",
    )
    .await;
    let stores: Vec<Arc<dyn Store>> = vec![a, b];
    let hash = PasswordHash::parse(NEW_HASH).unwrap();
    for round in 0..ROUNDS {
        let t = ticket(&tenant, &alice.user_id, &format!("race-{round}"), T0);
        stores[0].insert_password_reset(&t).await.unwrap();
        let barrier = Arc::new(Barrier::new(RACERS));
        let mut tasks = Vec::new();
        for i in 0..RACERS {
            let store = Arc::clone(&stores[i % 2]);
            let barrier = Arc::clone(&barrier);
            let (tenant, ticket_hash, hash) = (tenant.clone(), t.ticket_hash.clone(), hash.clone());
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                store
                    .consume_password_reset(&tenant, &ticket_hash, &hash, T0.plus_secs(1))
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
async fn password_reset_story_sqlite() {
    let (_dir, url) = crate::fresh_sqlite();
    story(url).await;
}

#[tokio::test]
async fn password_reset_story_postgres() {
    let Some((db, url)) = crate::fresh_pg().await else {
        return;
    };
    story(url).await;
    db.drop_database().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn password_reset_race_sqlite() {
    let (_dir, url) = crate::fresh_sqlite();
    race(url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn password_reset_race_postgres() {
    let Some((db, url)) = crate::fresh_pg().await else {
        return;
    };
    race(url).await;
    db.drop_database().await.unwrap();
}
