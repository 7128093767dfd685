//! Reading request bodies and query strings of the Management API into types, with
//! Auth0's 400 answers: unknown fields are named, wrong types explained.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// The JSON body as `T` (which should `deny_unknown_fields`). The content type must be
/// JSON (415 otherwise), the body one JSON object (400 otherwise).
pub fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported Media Type: send a JSON body with Content-Type: application/json",
            None,
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| ApiError::bad_request("Invalid request payload JSON format", None))?;
    if !value.is_object() {
        return Err(ApiError::invalid_body(format!(
            "Expected type object but found type {}",
            json_type(&value)
        )));
    }
    serde_json::from_value(value).map_err(|e| ApiError::invalid_body(describe(&e.to_string())))
}

/// Auth0's wording for serde's messages where they differ: an unknown field is an
/// "additional property".
fn describe(serde_message: &str) -> String {
    if let Some(rest) = serde_message.strip_prefix("unknown field `")
        && let Some((name, _)) = rest.split_once('`')
    {
        return format!("Additional properties not allowed: {name}");
    }
    serde_message.to_owned()
}

pub fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// A query string, taken apart parameter by parameter; [`Query::finish`] refuses the
/// parameters no one took.
#[derive(Debug, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Self {
        Query {
            pairs: url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        }
    }

    /// The value of `name`, removed from the query; a repeated parameter is a 400.
    pub fn take(&mut self, name: &str) -> Result<Option<String>, ApiError> {
        let mut found = None;
        let mut repeated = false;
        self.pairs.retain(|(k, v)| {
            if k == name {
                repeated |= found.is_some();
                found = Some(v.clone());
                false
            } else {
                true
            }
        });
        if repeated {
            return Err(ApiError::invalid_query(format!(
                "Expected a single value for {name}"
            )));
        }
        Ok(found)
    }

    pub fn take_u32(&mut self, name: &str) -> Result<Option<u32>, ApiError> {
        match self.take(name)? {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                ApiError::invalid_query(format!(
                    "Expected type integer but found type string on property {name}"
                ))
            }),
        }
    }

    pub fn take_bool(&mut self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.take(name)?.as_deref() {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(_) => Err(ApiError::invalid_query(format!(
                "Expected type boolean but found type string on property {name}"
            ))),
        }
    }

    /// 400 naming the first parameter nobody took.
    pub fn finish(self) -> Result<(), ApiError> {
        match self.pairs.first() {
            None => Ok(()),
            Some((k, _)) => Err(ApiError::invalid_query(format!(
                "Additional properties not allowed: {k}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Body {
        name: String,
    }

    fn json_headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        h
    }

    #[test]
    fn body_errors_read_like_auth0s() {
        let h = json_headers();
        let err = |b: &'static str| {
            json_body::<Body>(&h, &Bytes::from(b))
                .err()
                .map(|e| (e.status.as_u16(), e.message))
        };
        assert_eq!(
            json_body::<Body>(&h, &Bytes::from(r#"{"name":"a"}"#)).ok(),
            Some(Body { name: "a".into() })
        );
        assert_eq!(
            err(r#"{"name":"a","nmae":"b"}"#),
            Some((
                400,
                "Payload validation error: 'Additional properties not allowed: nmae'.".into()
            ))
        );
        assert_eq!(
            err("[1]"),
            Some((
                400,
                "Payload validation error: 'Expected type object but found type array'.".into()
            ))
        );
        assert_eq!(
            err("{"),
            Some((400, "Invalid request payload JSON format".into()))
        );
        assert_eq!(
            json_body::<Body>(&HeaderMap::new(), &Bytes::from(r#"{"name":"a"}"#))
                .err()
                .map(|e| e.status),
            Some(StatusCode::UNSUPPORTED_MEDIA_TYPE)
        );
    }

    #[test]
    fn query_refuses_unknown_and_repeated_parameters() {
        let mut q = Query::parse(Some("page=2&per_page=x&extra=1"));
        assert_eq!(q.take_u32("page").ok(), Some(Some(2)));
        assert_eq!(q.take_u32("per_page").err().map(|e| e.message), Some("Query validation error: 'Expected type integer but found type string on property per_page'.".into()));
        assert_eq!(
            q.finish().err().map(|e| e.message),
            Some("Query validation error: 'Additional properties not allowed: extra'.".into())
        );
        let mut q = Query::parse(Some("q=a&q=b"));
        assert!(q.take("q").is_err());
        assert!(Query::parse(None).finish().is_ok());
    }
}
