//! Auth0's pagination: `page` (from 0), `per_page` (default 50, at most 100) and
//! `include_totals`, which wraps the items as `{start, limit, length, total, <items>}`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use portcullis_core::{Page, PageRequest};
use serde_json::{Map, Value};

use super::error::ApiError;
use super::input::Query;

pub const DEFAULT_PER_PAGE: u32 = 50;
pub const MAX_PER_PAGE: u32 = 100;

/// The page a listing asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub request: PageRequest,
    pub include_totals: bool,
}

impl Paging {
    /// Takes `page`, `per_page` and `include_totals` from the query.
    pub fn take(query: &mut Query) -> Result<Paging, ApiError> {
        let page = query.take_u32("page")?.unwrap_or(0);
        let per_page = query.take_u32("per_page")?.unwrap_or(DEFAULT_PER_PAGE);
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(ApiError::invalid_query(format!(
                "per_page must be between 1 and {MAX_PER_PAGE}"
            )));
        }
        let include_totals = query.take_bool("include_totals")?.unwrap_or(false);
        Ok(Paging {
            request: PageRequest { page, per_page },
            include_totals,
        })
    }

    /// The answer: the bare array, or with `include_totals` the items under `key`
    /// (`"users"`, `"roles"`...) with `start`, `limit`, `length` and `total`.
    pub fn respond(&self, key: &str, page: Page<Value>) -> Response {
        if !self.include_totals {
            return Json(Value::Array(page.items)).into_response();
        }
        let mut body = Map::new();
        body.insert("start".into(), self.request.offset().into());
        body.insert("limit".into(), self.request.per_page.into());
        body.insert("length".into(), page.items.len().into());
        body.insert("total".into(), page.total.into());
        body.insert(key.into(), Value::Array(page.items));
        Json(Value::Object(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        let p = Paging::take(&mut Query::parse(None)).ok();
        assert_eq!(
            p,
            Some(Paging {
                request: PageRequest {
                    page: 0,
                    per_page: 50
                },
                include_totals: false
            })
        );
        assert!(Paging::take(&mut Query::parse(Some("per_page=101"))).is_err());
        assert!(Paging::take(&mut Query::parse(Some("per_page=0"))).is_err());
        assert!(Paging::take(&mut Query::parse(Some("include_totals=yes"))).is_err());
        let p = Paging::take(&mut Query::parse(Some(
            "page=3&per_page=100&include_totals=true",
        )))
        .ok();
        assert_eq!(
            p.map(|p| (p.request.offset(), p.include_totals)),
            Some((300, true))
        );
    }
}
