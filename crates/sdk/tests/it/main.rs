//! The SDK's integration tests, one module per area.
//!
//! Shared backends run when their variable is set, and are skipped (with a note) when it
//! is not; set but unreachable, their tests fail:
//! - `PORTCULLIS_TEST_DATABASE_URL` (e.g. `postgres://postgres@127.0.0.1:5432/postgres`)
//! - `PORTCULLIS_TEST_REDIS_URL` (e.g. `redis://127.0.0.1:6379/`)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod auth0_cookie_extractor;
mod auth0_cookie_hostile;
mod auth0_cookie_vectors;
mod bff;
mod session_store;
mod web;

use std::sync::OnceLock;

use serde_json::Value;

/// The Auth0 SDK vectors checked in under `tests/vectors/` (see its README).
pub fn vectors() -> &'static Value {
    static VECTORS: OnceLock<Value> = OnceLock::new();
    VECTORS.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/auth0-session-cookies.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
}

/// One SDK-generated vector by id.
pub fn vector(id: &str) -> &'static Value {
    sdk_vectors()
        .find(|(_, v)| v["id"] == id)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no vector {id}"))
}

/// Every SDK-generated vector with the name of its section.
pub fn sdk_vectors() -> impl Iterator<Item = (&'static str, &'static Value)> {
    vectors()["sdk_generated"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(section, s)| {
            s["vectors"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |v| (section.as_str(), v))
        })
}

/// The secret all vectors were made with.
pub fn secret() -> &'static str {
    vectors()["reproduction"]["secret"].as_str().unwrap()
}

/// The `Cookie` header a browser sends back for a vector: each cookie as it was on the
/// wire (from `Set-Cookie` when recorded, so still percent-encoded).
pub fn cookie_header(vector: &Value) -> String {
    let wire: Vec<String> = match vector["set_cookie_headers"].as_array() {
        Some(headers) => headers
            .iter()
            .map(|h| h.as_str().unwrap().split(';').next().unwrap().to_owned())
            .collect(),
        None => vector["cookies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let value = c.get("raw_wire_value").unwrap_or(&c["value"]);
                format!(
                    "{}={}",
                    c["name"].as_str().unwrap(),
                    value.as_str().unwrap()
                )
            })
            .collect(),
    };
    wire.join("; ")
}

/// The clock at which a vector was made; the other vectors of its section for the two
/// that do not record it (both expire in 2100 or later).
pub fn generated_at(vector: &Value) -> i64 {
    vector["generated_at_epoch"]
        .as_i64()
        .unwrap_or(1_795_336_298)
}
