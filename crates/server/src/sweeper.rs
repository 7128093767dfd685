//! The background job that keeps the database from growing without bound: expired codes,
//! dead refresh-token families, ended sessions and spent password-reset tickets are
//! deleted a day after they stopped mattering, and audit-log events once they are older
//! than the retention period. Every instance runs it; the deletes are idempotent.

use std::sync::Arc;
use std::time::Duration;

use portcullis_core::{Clock, Store};

/// How often to sweep.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(600);
/// How long a dead row is kept, for audits and replay detection.
pub const GRACE_SECS: i64 = 86_400;

pub fn spawn(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    log_retention_days: u32,
) -> tokio::task::JoinHandle<()> {
    let retention_secs = i64::from(log_retention_days) * 86_400;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SWEEP_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match store.sweep_expired(clock.now(), GRACE_SECS).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(rows = n, "swept expired codes, tokens and sessions"),
                Err(e) => tracing::warn!(error = %e, "sweeping expired rows failed; will retry"),
            }
            let cutoff = portcullis_core::UnixTime(clock.now().0.saturating_sub(retention_secs));
            match store.delete_log_events_before(cutoff).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(events = n, "deleted audit-log events past retention"),
                Err(e) => {
                    tracing::warn!(error = %e, "deleting old audit-log events failed; will retry")
                }
            }
        }
    })
}
