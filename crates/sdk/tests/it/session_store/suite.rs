//! The session store suite, written once: `session_store_suite!(setup)` expands to one
//! test per case for a backend whose `setup()` gives a fresh [`Fixture`] (or `None` to
//! skip). Every case uses fresh random ids on a fresh namespace, so the tests of all
//! backends run in parallel without seeing each other.

use std::collections::HashSet;

use portcullis_sdk::session_store::StoredSession;

use super::support::{Fixture, START, random_id, session};

macro_rules! session_store_suite {
    ($setup:expr) => {
        session_store_suite!(@cases $setup;
            round_trip_returns_the_exact_session,
            set_replaces_what_was_stored,
            delete_removes_one_session,
            expiry_is_enforced_on_read,
            logout_by_sid_deletes_exactly_that_sid,
            logout_by_sub_deletes_exactly_that_user,
            logout_ignores_stale_index_entries,
            fresh_ids_are_distinct_and_unknown,
        );

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn namespaces_are_isolated() {
            let (Some(a), Some(b)) = ($setup.await, $setup.await) else {
                return;
            };
            $crate::session_store::suite::namespaces_are_isolated(&a, &b).await;
        }
    };
    (@cases $setup:expr; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let Some(fixture) = $setup.await else {
                    return;
                };
                $crate::session_store::suite::$case(&fixture).await;
            }
        )+
    };
}

pub async fn round_trip_returns_the_exact_session(f: &Fixture) {
    let id = random_id();
    assert_eq!(f.store.get(&id).await.unwrap(), None, "unknown id");
    let stored = session(Some("sid-1"), Some("auth0|user-1"), START + 3600);
    f.store.set(&id, &stored).await.unwrap();
    assert_eq!(f.store.get(&id).await.unwrap(), Some(stored.clone()));

    // No sid, no sub, and data that is not an object.
    let bare = StoredSession {
        data: serde_json::json!("just a string"),
        sid: None,
        sub: None,
        expires_at: START + 60,
    };
    let other = random_id();
    f.store.set(&other, &bare).await.unwrap();
    assert_eq!(f.store.get(&other).await.unwrap(), Some(bare));
    assert_eq!(f.store.get(&id).await.unwrap(), Some(stored));
}

pub async fn set_replaces_what_was_stored(f: &Fixture) {
    let id = random_id();
    f.store
        .set(&id, &session(Some("sid-a"), Some("user-a"), START + 100))
        .await
        .unwrap();
    let replacement = session(Some("sid-b"), Some("user-b"), START + 200);
    f.store.set(&id, &replacement).await.unwrap();
    assert_eq!(f.store.get(&id).await.unwrap(), Some(replacement));
}

pub async fn delete_removes_one_session(f: &Fixture) {
    let (gone, kept) = (random_id(), random_id());
    let kept_session = session(Some("sid"), Some("user"), START + 100);
    f.store
        .set(&gone, &session(Some("sid"), Some("user"), START + 100))
        .await
        .unwrap();
    f.store.set(&kept, &kept_session).await.unwrap();
    f.store.delete(&gone).await.unwrap();
    assert_eq!(f.store.get(&gone).await.unwrap(), None);
    assert_eq!(f.store.get(&kept).await.unwrap(), Some(kept_session));
    // Deleting what is not there is not an error.
    f.store.delete(&gone).await.unwrap();
    f.store.delete(&random_id()).await.unwrap();
}

pub async fn expiry_is_enforced_on_read(f: &Fixture) {
    let t = START + 30;
    let id = random_id();
    let stored = session(None, Some("user"), t);
    f.store.set(&id, &stored).await.unwrap();
    f.clock.set(t - 1);
    assert_eq!(f.store.get(&id).await.unwrap(), Some(stored), "at t-1");
    f.clock.set(t);
    assert_eq!(f.store.get(&id).await.unwrap(), None, "at t");
    f.clock.set(t + 1_000_000);
    assert_eq!(f.store.get(&id).await.unwrap(), None, "long after");

    // Already expired when stored: never returned.
    let late = random_id();
    f.store.set(&late, &session(None, None, t)).await.unwrap();
    assert_eq!(f.store.get(&late).await.unwrap(), None);

    // A sweep never removes a live session.
    let live = random_id();
    let live_session = session(None, None, t + 2_000_000);
    f.store.set(&live, &live_session).await.unwrap();
    f.store.sweep().await.unwrap();
    assert_eq!(f.store.get(&live).await.unwrap(), Some(live_session));
    assert_eq!(f.store.get(&id).await.unwrap(), None);
}

/// Four sessions: two share sid A (user U), one has sid B (user U), one sid C (user V),
/// and one has neither.
async fn four_sessions(f: &Fixture) -> [(portcullis_sdk::SessionId, StoredSession); 5] {
    let sessions = [
        (
            random_id(),
            session(Some("sid-A"), Some("user-U"), START + 100),
        ),
        (
            random_id(),
            session(Some("sid-A"), Some("user-U"), START + 200),
        ),
        (
            random_id(),
            session(Some("sid-B"), Some("user-U"), START + 300),
        ),
        (
            random_id(),
            session(Some("sid-C"), Some("user-V"), START + 400),
        ),
        (random_id(), session(None, None, START + 500)),
    ];
    for (id, s) in &sessions {
        f.store.set(id, s).await.unwrap();
    }
    sessions
}

async fn present(
    f: &Fixture,
    sessions: &[(portcullis_sdk::SessionId, StoredSession)],
) -> Vec<bool> {
    let mut out = Vec::new();
    for (id, s) in sessions {
        let got = f.store.get(id).await.unwrap();
        assert!(got.is_none() || got.as_ref() == Some(s));
        out.push(got.is_some());
    }
    out
}

pub async fn logout_by_sid_deletes_exactly_that_sid(f: &Fixture) {
    let sessions = four_sessions(f).await;
    // With both, sid decides (the logout token names one IdP session).
    assert_eq!(
        f.store
            .delete_by_logout(Some("sid-A"), Some("user-U"))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        present(f, &sessions).await,
        [false, false, true, true, true]
    );
    assert_eq!(
        f.store.delete_by_logout(Some("sid-A"), None).await.unwrap(),
        0
    );
    assert_eq!(
        f.store.delete_by_logout(Some("sid-Z"), None).await.unwrap(),
        0
    );
    assert_eq!(
        f.store.delete_by_logout(Some("sid-C"), None).await.unwrap(),
        1
    );
    assert_eq!(
        present(f, &sessions).await,
        [false, false, true, false, true]
    );
}

pub async fn logout_by_sub_deletes_exactly_that_user(f: &Fixture) {
    let sessions = four_sessions(f).await;
    assert_eq!(f.store.delete_by_logout(None, None).await.unwrap(), 0);
    assert_eq!(present(f, &sessions).await, [true; 5]);
    assert_eq!(
        f.store
            .delete_by_logout(None, Some("user-U"))
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        present(f, &sessions).await,
        [false, false, false, true, true]
    );
    assert_eq!(
        f.store
            .delete_by_logout(None, Some("user-U"))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        f.store
            .delete_by_logout(None, Some("user-u"))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        present(f, &sessions).await,
        [false, false, false, true, true]
    );
}

/// A session re-stored under another sid, or deleted, is not logged out by the old one.
pub async fn logout_ignores_stale_index_entries(f: &Fixture) {
    let (moved, deleted) = (random_id(), random_id());
    f.store
        .set(
            &moved,
            &session(Some("sid-old"), Some("user-old"), START + 100),
        )
        .await
        .unwrap();
    f.store
        .set(
            &deleted,
            &session(Some("sid-old"), Some("user-old"), START + 100),
        )
        .await
        .unwrap();
    let now = session(Some("sid-new"), Some("user-new"), START + 100);
    f.store.set(&moved, &now).await.unwrap();
    f.store.delete(&deleted).await.unwrap();
    assert_eq!(
        f.store
            .delete_by_logout(Some("sid-old"), None)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        f.store
            .delete_by_logout(None, Some("user-old"))
            .await
            .unwrap(),
        0
    );
    assert_eq!(f.store.get(&moved).await.unwrap(), Some(now));
    assert_eq!(
        f.store
            .delete_by_logout(Some("sid-new"), None)
            .await
            .unwrap(),
        1
    );
    assert_eq!(f.store.get(&moved).await.unwrap(), None);
}

pub async fn fresh_ids_are_distinct_and_unknown(f: &Fixture) {
    let ids: Vec<_> = (0..50).map(|_| random_id()).collect();
    let distinct: HashSet<&str> = ids.iter().map(|id| id.as_str()).collect();
    assert_eq!(distinct.len(), ids.len());
    for id in &ids {
        assert_eq!(f.store.get(id).await.unwrap(), None);
    }
}

pub async fn namespaces_are_isolated(a: &Fixture, b: &Fixture) {
    let id = random_id();
    let stored = session(Some("sid-shared"), Some("user-shared"), START + 100);
    a.store.set(&id, &stored).await.unwrap();
    assert_eq!(b.store.get(&id).await.unwrap(), None);
    b.store
        .set(&id, &session(None, None, START + 100))
        .await
        .unwrap();
    assert_eq!(
        b.store
            .delete_by_logout(Some("sid-shared"), None)
            .await
            .unwrap(),
        0
    );
    assert_eq!(a.store.get(&id).await.unwrap(), Some(stored));
}
