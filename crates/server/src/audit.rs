//! Writing the audit log (portcullis_core::audit) from request handlers. A failure to
//! write an event is logged and never fails the request it describes.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderMap, header};
use portcullis_core::{EventType, LogEvent};

use crate::state::AppState;
use crate::throttle::ClientIp;

/// Longest user agent kept, in bytes (the rest is cut at a character boundary).
const MAX_USER_AGENT: usize = 512;

/// Where a request came from, for the log.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Origin {
    pub fn of(ip: ClientIp, headers: &HeaderMap) -> Self {
        let user_agent = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| truncate(ua, MAX_USER_AGENT).to_owned());
        Origin {
            // Unspecified (`::`) when the request came in-process (`portcullis admin`).
            ip: (!ip.0.is_unspecified()).then(|| ip.0.to_string()),
            user_agent,
        }
    }
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The last sequence number this process gave an event.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// A new event of this tenant, now, from `origin`. Its sequence number is the time in
/// nanoseconds, raised where needed to stay above the previous one, so events sort in
/// the order they happened within a second: in one process always, and across
/// processes (each `portcullis admin` command, other instances) as far as their clocks
/// agree.
pub fn event(state: &AppState, kind: EventType, description: &str, origin: &Origin) -> LogEvent {
    let nanos = state.clock.now_nanos();
    let previous = SEQUENCE
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| {
            Some(nanos.max(last.saturating_add(1)))
        })
        .unwrap_or_else(|last| last);
    let seq = nanos.max(previous.saturating_add(1));
    let mut e = LogEvent::new(
        state.tenant.clone(),
        state.clock.now(),
        seq,
        kind,
        description,
        state.rng.as_ref(),
    );
    e.ip.clone_from(&origin.ip);
    e.user_agent.clone_from(&origin.user_agent);
    e
}

/// Stores the event; a failure is logged, not returned.
pub async fn record(state: &AppState, event: LogEvent) {
    if let Err(e) = state.store.insert_log_event(&event).await {
        tracing::error!(error = %e, event = event.event_type.code(), "could not write the audit log");
    }
}

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn truncation_keeps_whole_characters() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("aé", 2), "a");
        assert_eq!(truncate("aéb", 3), "aé");
    }
}
