//! What a session store can answer instead of a session.

use std::time::Duration;

/// Any error a backend driver reports, kept as the source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A session store failure. None of these means "logged out": a caller that gets one
/// answers 503 (with `Retry-After`) and leaves the session cookie alone.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionStoreError {
    /// The backend is down, refused, timed out, or answered with an error.
    #[error("session store unavailable ({operation})")]
    Unavailable {
        operation: &'static str,
        #[source]
        source: BoxError,
    },
    /// The backend answered with a session that cannot be decoded.
    #[error("session store returned an undecodable session ({operation})")]
    Corrupt {
        operation: &'static str,
        #[source]
        source: BoxError,
    },
    /// The store was configured with an invalid table name, key prefix or URL.
    #[error("invalid session store configuration: {0}")]
    Config(String),
}

// Used by the networked backends, each behind a feature.
#[cfg_attr(
    not(any(feature = "sqlite", feature = "postgres", feature = "redis")),
    allow(dead_code)
)]
impl SessionStoreError {
    pub(crate) fn unavailable(
        operation: &'static str,
        source: impl Into<BoxError>,
    ) -> SessionStoreError {
        SessionStoreError::Unavailable {
            operation,
            source: source.into(),
        }
    }

    pub(crate) fn corrupt(
        operation: &'static str,
        source: impl Into<BoxError>,
    ) -> SessionStoreError {
        SessionStoreError::Corrupt {
            operation,
            source: source.into(),
        }
    }
}

/// The source of [`SessionStoreError::Unavailable`] when the backend did not answer in
/// time.
#[derive(Debug, thiserror::Error)]
#[error("no answer within {0:?}")]
pub struct TimedOut(pub Duration);

/// Runs one backend call under `timeout`: a store that does not answer fails closed and
/// fast, as `Unavailable`, instead of hanging the request.
#[cfg_attr(
    not(any(feature = "sqlite", feature = "postgres", feature = "redis")),
    allow(dead_code)
)]
pub(crate) async fn within<T>(
    timeout: Duration,
    operation: &'static str,
    call: impl Future<Output = Result<T, SessionStoreError>>,
) -> Result<T, SessionStoreError> {
    match tokio::time::timeout(timeout, call).await {
        Ok(answer) => answer,
        Err(_elapsed) => Err(SessionStoreError::unavailable(operation, TimedOut(timeout))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_call_that_never_answers_is_unavailable() {
        let started = std::time::Instant::now();
        let answer: Result<(), _> = within(
            Duration::from_millis(50),
            "get",
            std::future::pending::<Result<(), SessionStoreError>>(),
        )
        .await;
        assert!(matches!(
            answer,
            Err(SessionStoreError::Unavailable {
                operation: "get",
                ..
            })
        ));
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[tokio::test]
    async fn an_answer_in_time_passes_through() {
        let answer = within(Duration::from_secs(1), "get", async { Ok(7) }).await;
        assert_eq!(answer.ok(), Some(7));
    }
}
