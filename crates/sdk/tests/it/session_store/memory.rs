//! The suite on the in-memory store.

use std::sync::Arc;

use portcullis_sdk::ManualClock;
use portcullis_sdk::session_store::MemorySessionStore;

use super::support::{Fixture, START};

async fn setup() -> Option<Fixture> {
    let clock = Arc::new(ManualClock::new(START));
    let store = Arc::new(MemorySessionStore::new(clock.clone()));
    Some(Fixture::new(store, clock))
}

session_store_suite!(setup());
