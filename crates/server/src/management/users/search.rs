//! The search part of `GET /users`: `q`, `sort`, `connection` and `search_engine`.
//!
//! Auth0 accepts the whole Lucene query syntax in `q`. Portcullis answers the searches
//! it can answer from an index and says so for the rest: `email:"address"` (or
//! `email:address`), compared as [`normalize_email`](portcullis_core::normalize_email)
//! compares addresses, and the empty query. `sort` orders by `created_at` only.

use portcullis_core::user_directory::{UserFilter, UserOrder};

use crate::management::error::ApiError;
use crate::management::input::Query;

const SUPPORTED_Q: &str = "Portcullis supports only q=email:\"address\" (or email:address) in q";
const SUPPORTED_SORT: &str =
    "Portcullis sorts only by created_at: sort=created_at:1 or created_at:-1";

/// Takes `q`, `sort`, `connection` and `search_engine` (any value: there is one engine)
/// from the query.
pub(super) fn take(query: &mut Query) -> Result<(UserFilter, UserOrder), ApiError> {
    let _engine = query.take("search_engine")?;
    let email = match query.take("q")? {
        None => None,
        Some(q) => parse_q(&q)?,
    };
    let order = match query.take("sort")?.as_deref().map(str::trim) {
        None | Some("") | Some("created_at:1") => UserOrder::CreatedAscending,
        Some("created_at:-1") => UserOrder::CreatedDescending,
        Some(_) => return Err(ApiError::invalid_query(SUPPORTED_SORT)),
    };
    let connection = query.take("connection")?.filter(|c| !c.is_empty());
    Ok((UserFilter { email, connection }, order))
}

/// The address of an `email:` query; `None` for an empty query.
fn parse_q(q: &str) -> Result<Option<String>, ApiError> {
    let q = q.trim();
    if q.is_empty() {
        return Ok(None);
    }
    let refuse = || ApiError::invalid_query(SUPPORTED_Q);
    let value = q.strip_prefix("email:").ok_or_else(refuse)?.trim();
    let address = match value.strip_prefix('"') {
        Some(rest) => rest.strip_suffix('"').ok_or_else(refuse)?,
        None => value,
    };
    // Lucene operators, wildcards or a second term: not an exact address.
    if address.is_empty()
        || address
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '*' | '?' | '(' | ')' | '\\'))
    {
        return Err(refuse());
    }
    Ok(Some(address.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(raw: &str) -> Result<(UserFilter, UserOrder), String> {
        take(&mut Query::parse(Some(raw))).map_err(|e| e.message)
    }

    #[test]
    fn email_queries_and_sorts() {
        let email = |raw: &str| parsed(raw).map(|(f, _)| f.email);
        assert_eq!(
            email("q=email%3A%22Ada%40Example.com%22&search_engine=v3"),
            Ok(Some("Ada@Example.com".into()))
        );
        assert_eq!(
            email("q=email:ada@example.com"),
            Ok(Some("ada@example.com".into()))
        );
        assert_eq!(email("q="), Ok(None));
        for bad in [
            "q=name:ada",
            "q=email:ada*",
            "q=email:%22a@b.co",
            "q=email:a@b.co%20OR%20email:c@d.co",
            "q=ada",
        ] {
            assert!(
                email(bad).is_err_and(|m| m.contains("supports only")),
                "{bad}"
            );
        }
        assert_eq!(
            parsed("sort=created_at:-1").map(|(_, o)| o),
            Ok(UserOrder::CreatedDescending)
        );
        assert!(parsed("sort=email:1").is_err());
        assert_eq!(
            parsed("connection=Username-Password-Authentication").map(|(f, _)| f.connection),
            Ok(Some("Username-Password-Authentication".into()))
        );
    }
}
