//! The Management API's storage areas, on both databases.

mod config;
mod rbac;
mod users;
