//! Operations endpoints: liveness, readiness, metrics.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::state::AppState;

/// How long `/readyz` waits for the database before calling it unreachable.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// The process is up and serving.
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// The instance can do its work: the database answers and it is not shutting down.
pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.is_shutting_down() {
        return unready("shutting down");
    }
    match tokio::time::timeout(READY_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => (
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({ "status": "ready" })),
        )
            .into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check: database unreachable");
            unready("database unreachable")
        }
        Err(_) => {
            tracing::warn!("readiness check: database did not answer in time");
            unready("database unreachable")
        }
    }
}

fn unready(reason: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({ "status": "unavailable", "reason": reason })),
    )
        .into_response()
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        state.metrics.encode(),
    )
}
