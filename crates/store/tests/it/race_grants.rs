//! Single use under concurrency: racers on two stores (two pools: two instances) on one
//! database present the same code or refresh token at once.

use std::sync::Arc;

use portcullis_core::{
    CodeConsumption, Rotation, Store, TenantId, TenantSettings, UnixTime, UserId, token_hash,
};
use portcullis_store::{DatabaseUrl, OpenOptions, open};
use tokio::sync::Barrier;

use crate::fixtures::{T0, code, refresh, seed_tenant, user};

const RACERS: usize = 8;
const ROUNDS: usize = 10;

/// Two stores on `url`, with a tenant and a user.
async fn instances(url: &DatabaseUrl) -> (Vec<Arc<dyn Store>>, TenantId, UserId) {
    portcullis_store::migrate(url).await.unwrap();
    let a = open(url, &OpenOptions::default()).await.unwrap();
    let b = open(url, &OpenOptions::default()).await.unwrap();
    let tenant = TenantId::new("acme");
    seed_tenant(&*a, &tenant, TenantSettings::default()).await;
    let alice = UserId::new("auth0|0123456789abcdef01234567");
    a.insert_user(&user(&tenant, alice.clone(), "alice@example.com"))
        .await
        .unwrap();
    (vec![a, b], tenant, alice)
}

/// Runs `RACERS` copies of `f` at once, alternating between the stores, released together.
async fn race<T, F, Fut>(stores: &[Arc<dyn Store>], f: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(Arc<dyn Store>, usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(RACERS));
    let mut tasks = Vec::new();
    for i in 0..RACERS {
        let store = Arc::clone(&stores[i % stores.len()]);
        let barrier = Arc::clone(&barrier);
        let fut = f(store, i);
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            fut.await
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

async fn code_race(url: DatabaseUrl) {
    let (stores, tenant, alice) = instances(&url).await;
    for round in 0..ROUNDS {
        let c = code(&tenant, &alice, &format!("code-{round}"), T0);
        stores[0].insert_code(&c).await.unwrap();
        let at = T0.plus_secs(5);
        let results = race(&stores, |store, _| {
            let tenant = tenant.clone();
            let hash = c.code_hash.clone();
            async move { store.consume_code(&tenant, &hash, at).await.unwrap() }
        })
        .await;
        let consumed = results
            .iter()
            .filter(|r| matches!(r, CodeConsumption::Consumed(_)))
            .count();
        let replayed = results
            .iter()
            .filter(
                |r| matches!(r, CodeConsumption::AlreadyConsumed(x) if x.consumed_at == Some(at)),
            )
            .count();
        assert_eq!((consumed, replayed), (1, RACERS - 1), "round {round}");
    }
}

/// Counts of (Rotated, ReusedInWindow, Reused, Revoked) among the results.
fn tally(results: &[Rotation]) -> (usize, usize, usize, usize) {
    let mut t = (0, 0, 0, 0);
    for r in results {
        match r {
            Rotation::Rotated(_) => t.0 += 1,
            Rotation::ReusedInWindow(_) => t.1 += 1,
            Rotation::Reused { .. } => t.2 += 1,
            Rotation::Revoked => t.3 += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    t
}

async fn refresh_race(url: DatabaseUrl) {
    let (stores, tenant, alice) = instances(&url).await;
    for (round, window) in (0..ROUNDS)
        .map(|r| (r, 0))
        .chain((0..ROUNDS).map(|r| (r + ROUNDS, 30)))
    {
        let family = format!("fam-{round}");
        let t0 = refresh(&tenant, &alice, &format!("t0-{round}"), &family, 0, T0);
        stores[0].insert_refresh_token(&t0).await.unwrap();
        let at = T0.plus_secs(60);
        let results = race(&stores, |store, i| {
            let tenant = tenant.clone();
            let presented = t0.token_hash.clone();
            let next = refresh(&tenant, &alice, &format!("t1-{round}-{i}"), &family, 1, at);
            async move {
                store
                    .rotate_refresh_token(&tenant, &presented, &next, at, window)
                    .await
                    .unwrap()
            }
        })
        .await;
        // Every operation on one family runs alone: the first rotates; with window 0 the
        // second is reuse and revokes the family, so the rest find it revoked. With a
        // window, the second replaces the first's token once, the third is reuse.
        let expected = if window == 0 {
            (1, 0, 1, RACERS - 2)
        } else {
            (1, 1, 1, RACERS - 3)
        };
        assert_eq!(tally(&results), expected, "round {round}, window {window}");
        if window == 0 {
            for r in &results {
                if let Rotation::Reused { family_id } = r {
                    assert_eq!(family_id, &family);
                }
            }
        }

        // Afterwards no token of the family is live, and each successor was stored at
        // most once, with its own generation.
        let mut stored = Vec::new();
        for i in 0..RACERS {
            let hash = token_hash(&format!("t1-{round}-{i}"));
            if let Some(t) = stores[1].refresh_token(&tenant, &hash).await.unwrap() {
                stored.push(t);
            }
        }
        let head = stores[0]
            .refresh_token(&tenant, &t0.token_hash)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(head.consumed_at, Some(at));
        assert!(head.revoked_at.is_some());
        let mut generations: Vec<u32> = stored.iter().map(|t| t.generation).collect();
        generations.sort_unstable();
        let want: &[u32] = if window == 0 { &[1] } else { &[1, 2] };
        assert_eq!(generations, want, "round {round}");
        assert!(
            stored
                .iter()
                .all(|t| t.revoked_at == Some(at) && t.family_id == family),
            "round {round}: {stored:?}"
        );
        // The winner's token is dead too.
        let winner = stored.iter().find(|t| t.generation == 1).unwrap();
        let next = refresh(&tenant, &alice, &format!("t2-{round}"), &family, 2, at);
        assert_eq!(
            stores[0]
                .rotate_refresh_token(
                    &tenant,
                    &winner.token_hash,
                    &next,
                    UnixTime(at.0 + 1),
                    window
                )
                .await
                .unwrap(),
            Rotation::Revoked
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn code_race_sqlite() {
    let (_dir, url) = crate::fresh_sqlite();
    code_race(url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn code_race_postgres() {
    let Some((db, url)) = crate::fresh_pg().await else {
        return;
    };
    code_race(url).await;
    db.drop_database().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refresh_race_sqlite() {
    let (_dir, url) = crate::fresh_sqlite();
    refresh_race(url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refresh_race_postgres() {
    let Some((db, url)) = crate::fresh_pg().await else {
        return;
    };
    refresh_race(url).await;
    db.drop_database().await.unwrap();
}
