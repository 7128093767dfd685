//! Middleware, one file each.

pub mod metrics;
pub mod security_headers;
