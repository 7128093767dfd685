//! Refreshing a session's access token, one refresh at a time per session.
//!
//! A page that fires several requests at once sends the same expired session with each.
//! With rotating refresh tokens, a second refresh with the same token would look like
//! theft to the provider and revoke the whole family. So concurrent refreshes of one
//! session share one call, and for a short grace period afterwards a request still
//! carrying the old cookie gets the same new tokens instead of refreshing again.
//!
//! A flight is keyed by a hash of the session's identity (`sub`, `sid`, creation time)
//! together with its refresh token: only a request holding that very session can join
//! it, so a token of one session is never handed to another.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

use super::TokenSet;

/// How long a finished refresh is shared with requests still carrying the old cookie.
pub const REFRESH_GRACE_SECS: i64 = 30;

type Outcome = Result<TokenSet, Arc<super::WebError>>;

struct Flight {
    result: Arc<OnceCell<Outcome>>,
    started_at: i64,
}

/// The refreshes in flight (and recently finished), by session.
#[derive(Default)]
pub(crate) struct Refreshes {
    flights: Mutex<HashMap<[u8; 32], Flight>>,
}

impl Refreshes {
    /// Runs `refresh` for this session, unless a refresh of it is in flight or finished
    /// within the grace period: then its outcome is shared.
    pub async fn run<F, Fut>(&self, key: [u8; 32], now: i64, refresh: F) -> Outcome
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Outcome>,
    {
        let cell = {
            let mut flights = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
            flights
                .retain(|_, f| f.result.get().is_none() || now - f.started_at < REFRESH_GRACE_SECS);
            flights
                .entry(key)
                .or_insert_with(|| Flight {
                    result: Arc::new(OnceCell::new()),
                    started_at: now,
                })
                .result
                .clone()
        };
        let outcome = cell.get_or_init(refresh).await.clone();
        if outcome.is_err() {
            // A failure is not shared beyond the requests that waited for it: the next
            // request may try again (the provider may be back).
            let mut flights = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
            if flights
                .get(&key)
                .is_some_and(|f| Arc::ptr_eq(&f.result, &cell))
            {
                flights.remove(&key);
            }
        }
        outcome
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.flights.lock().map(|f| f.len()).unwrap_or(0)
    }
}

/// The flight key of a session with this refresh token.
pub(crate) fn flight_key(sub: &str, sid: &str, created_at: i64, refresh_token: &str) -> [u8; 32] {
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    for part in [
        sub.as_bytes(),
        sid.as_bytes(),
        &created_at.to_be_bytes(),
        refresh_token.as_bytes(),
    ] {
        ctx.update(&(part.len() as u64).to_be_bytes());
        ctx.update(part);
    }
    let mut key = [0u8; 32];
    key.copy_from_slice(ctx.finish().as_ref());
    key
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn tokens(at: &str) -> TokenSet {
        TokenSet {
            access_token: at.to_owned(),
            id_token: None,
            scope: None,
            refresh_token: Some("rt2".into()),
            expires_at: 100,
            audience: None,
            token_type: None,
        }
    }

    #[tokio::test]
    async fn concurrent_refreshes_of_one_session_make_one_call() {
        let refreshes = Arc::new(Refreshes::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let key = flight_key("u", "s", 1, "rt1");
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (refreshes, calls) = (refreshes.clone(), calls.clone());
            tasks.push(tokio::spawn(async move {
                refreshes
                    .run(key, 10, || async move {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        Ok(tokens("at2"))
                    })
                    .await
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap().access_token, "at2");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // Within the grace period the old token still gets the shared result...
        let again = refreshes
            .run(key, 10 + REFRESH_GRACE_SECS - 1, || async {
                Ok(tokens("other"))
            })
            .await;
        assert_eq!(again.unwrap().access_token, "at2");
        // ...and after it, a new refresh runs.
        let later = refreshes
            .run(key, 10 + REFRESH_GRACE_SECS, || async { Ok(tokens("at3")) })
            .await;
        assert_eq!(later.unwrap().access_token, "at3");
    }

    #[tokio::test]
    async fn other_sessions_never_share_and_failures_are_retried() {
        let refreshes = Refreshes::default();
        let a = flight_key("u", "s", 1, "rt");
        let b = flight_key("v", "s", 1, "rt");
        assert_ne!(a, b);
        let ra = refreshes.run(a, 0, || async { Ok(tokens("for-a")) }).await;
        let rb = refreshes.run(b, 0, || async { Ok(tokens("for-b")) }).await;
        assert_eq!(ra.unwrap().access_token, "for-a");
        assert_eq!(rb.unwrap().access_token, "for-b");
        let c = flight_key("w", "s", 1, "rt");
        let failed = refreshes
            .run(c, 0, || async {
                Err(Arc::new(super::super::WebError::Provider("down".into())))
            })
            .await;
        assert!(failed.is_err());
        assert_eq!(refreshes.len(), 2, "the failure is forgotten");
        let retried = refreshes.run(c, 0, || async { Ok(tokens("for-c")) }).await;
        assert_eq!(retried.unwrap().access_token, "for-c");
    }
}
