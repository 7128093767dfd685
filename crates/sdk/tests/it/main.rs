//! The SDK's integration tests, one module per area.
//!
//! Shared backends run when their variable is set, and are skipped (with a note) when it
//! is not; set but unreachable, their tests fail:
//! - `PORTCULLIS_TEST_DATABASE_URL` (e.g. `postgres://postgres@127.0.0.1:5432/postgres`)
//! - `PORTCULLIS_TEST_REDIS_URL` (e.g. `redis://127.0.0.1:6379/`)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod session_store;
