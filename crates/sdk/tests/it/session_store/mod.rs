//! Session stores: one suite ([`suite`]) run against every backend, plus outage tests.

mod support;
#[macro_use]
mod suite;

mod memory;
#[cfg(any(feature = "postgres", feature = "redis"))]
mod outage;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "sqlite")]
mod sqlite;
