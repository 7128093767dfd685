//! `GET /api/v2/openapi.json`: TODO(helper).

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
