//! Middleware, one file each.

pub mod cors;
pub mod header_limit;
pub mod metrics;
pub mod security_headers;
