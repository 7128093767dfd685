//! The API quickstart as a library, so its test drives the very router `main` serves:
//! `GET /orders` needs `read:orders`, `POST /orders` needs `write:orders`, `/` is public.

use std::sync::Arc;

use axum::handler::Handler as _;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use portcullis_sdk::api::{Claims, JwtAuthLayer, JwtValidator, require_scope};
use serde_json::{Value, json};

pub fn app(validator: Arc<JwtValidator>) -> Router {
    let orders = Router::new()
        .route(
            "/orders",
            get(list.layer(require_scope(&["read:orders"])))
                .post(create.layer(require_scope(&["write:orders"]))),
        )
        .layer(JwtAuthLayer::new(validator));
    Router::new()
        .route(
            "/",
            get(|| async { "The orders API. GET /orders needs a token." }),
        )
        .merge(orders)
}

async fn list(claims: Claims) -> Json<Value> {
    Json(json!({
        "orders": [{"id": 1, "item": "a portcullis"}],
        "for": claims.sub,
    }))
}

async fn create(claims: Claims) -> (StatusCode, Json<Value>) {
    (
        StatusCode::CREATED,
        Json(json!({"id": 2, "created_by": claims.sub})),
    )
}
