//! The Management API's storage areas, on both databases.

mod config;
mod logs;
mod rbac;
mod users;

use portcullis_core::PageRequest;

/// The `OFFSET` of a page, as the databases take it.
pub(crate) fn offset(page: PageRequest) -> i64 {
    i64::try_from(page.offset()).unwrap_or(i64::MAX)
}

/// A `COUNT(*)` as a total.
pub(crate) fn to_total(count: i64) -> u64 {
    u64::try_from(count).unwrap_or(0)
}
