//! `GET /api/v2/openapi.json`: the OpenAPI 3.0 description of the Management API.
//!
//! The document is written here, route by route ([`paths`]) with its shapes
//! ([`schemas`]), from what the handlers of this module's siblings take and answer: their
//! scopes, query parameters, bodies, status codes and errors. It is public (it holds no
//! secret), serialized once, with object members in sorted order so the bytes do not
//! depend on serde_json's features.
//!
//! `docs/management-api.openapi.json` is a copy, compared byte for byte with what this
//! route serves by the server's tests (`mgmt::openapi`), which also check that every
//! documented operation is routed and every route documented. After changing a route:
//! `UPDATE_OPENAPI=1 cargo nextest run -p portcullis-server openapi` rewrites the copy.

mod op;
mod paths;
mod schemas;

use std::sync::LazyLock;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use portcullis_core::bootstrap::MANAGEMENT_SCOPES;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value, json};

use super::error::ApiError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/openapi.json", get(serve))
}

/// The document's bytes, made at the first request: pretty-printed, one trailing newline.
static DOCUMENT: LazyLock<Result<Bytes, String>> = LazyLock::new(|| {
    let mut text = serde_json::to_string_pretty(&Sorted(&document())).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(Bytes::from(text))
});

/// `GET /openapi.json`: 200, no token needed, cacheable for an hour.
async fn serve() -> Response {
    match &*DOCUMENT {
        Ok(bytes) => (
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=3600"),
                ),
            ],
            bytes.clone(),
        )
            .into_response(),
        Err(e) => ApiError::internal("serializing the OpenAPI document", e).into_response(),
    }
}

/// The whole document.
fn document() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Portcullis Management API v2",
            "version": env!("CARGO_PKG_VERSION"),
            "description": DESCRIPTION,
            "license": { "name": env!("CARGO_PKG_LICENSE") },
        },
        "servers": [{ "url": super::PREFIX }],
        "tags": paths::tags(),
        "paths": paths::paths(),
        "components": {
            "securitySchemes": { SCHEME: security_scheme() },
            "schemas": schemas::schemas(),
            "parameters": paths::shared_parameters(),
            "responses": error_responses(),
        },
    })
}

const DESCRIPTION: &str = "Auth0's Management API v2 as Portcullis serves it: Auth0's \
paths, bodies, status codes and error shapes, so Auth0's SDKs and tools work unchanged. \
Where Portcullis differs from Auth0, the operation says so.\n\n\
Every operation but this document's needs an access token for the audience \
`{issuer}api/v2/`, got with the client credentials grant at `/oauth/token` by a \
machine-to-machine application granted the operation's scopes, and sent as \
`Authorization: Bearer <JWT>`. Without a valid token the answer is 401; without the \
scopes, 403 `insufficient_scope`. Tokens issued to users for this audience are refused \
(403): only machine-to-machine applications administer the tenant.\n\n\
Errors are `{statusCode, error, message, errorCode}` (schema `Error`). \
Any operation may also answer 500, or 503 while the database is unavailable.\n\n\
Listings page with `page` (from 0) and `per_page` (1 to 100, default 50); with \
`include_totals=true` the items come wrapped with `start`, `limit`, `length` and `total`. \
An unknown query parameter or body member is a 400 that names it.";

/// The name of the one security scheme.
pub(super) const SCHEME: &str = "oauth2";

/// OAuth 2.0 client credentials at `/oauth/token`, with every Management API scope.
fn security_scheme() -> Value {
    let scopes: Map<String, Value> = MANAGEMENT_SCOPES
        .iter()
        .map(|s| ((*s).to_owned(), scope_description(s).into()))
        .collect();
    json!({
        "type": "oauth2",
        "description": "A JWT access token for the audience `{issuer}api/v2/`, from the \
            client credentials grant (send `audience` in the token request), sent as \
            `Authorization: Bearer <JWT>`.",
        "flows": {
            "clientCredentials": {
                "tokenUrl": "/oauth/token",
                "scopes": scopes,
            }
        },
    })
}

/// `read:role_members` -> "Read role members".
fn scope_description(scope: &str) -> String {
    let (verb, object) = scope.split_once(':').unwrap_or((scope, ""));
    let mut verb = verb.to_owned();
    if let Some(first) = verb.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    format!("{verb} {}", object.replace('_', " "))
        .trim()
        .to_owned()
}

/// The error answers operations share, by status.
fn error_responses() -> Value {
    let error =
        |description: &str, status: u16, reason: &str, message: &str, code: Option<&str>| {
            let mut example = json!({ "statusCode": status, "error": reason, "message": message });
            if let Some(c) = code {
                example["errorCode"] = c.into();
            }
            json!({
                "description": description,
                "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/Error" },
                    "example": example,
                }},
            })
        };
    json!({
        "BadRequest": error(
            "The query string or body is refused: an unknown member, a wrong type, a value out of range.",
            400, "Bad Request",
            "Payload validation error: 'Additional properties not allowed: nmae'.",
            Some("invalid_body"),
        ),
        "Unauthorized": error(
            "No token, or not a valid Management API token.",
            401, "Unauthorized", "Invalid token", Some("invalid_token"),
        ),
        "Forbidden": error(
            "The token lacks the scopes the operation needs, is not a machine-to-machine \
             application's, or the operation would hand out Management API permissions the \
             caller does not hold.",
            403, "Forbidden",
            "Insufficient scope, expected any of: read:users",
            Some("insufficient_scope"),
        ),
        "NotFound": error(
            "The resource (or one the body names) does not exist.",
            404, "Not Found", "The user does not exist.", Some("inexistent_user"),
        ),
        "Conflict": error(
            "The resource exists already.",
            409, "Conflict", "The role already exists.", None,
        ),
        "UnsupportedMediaType": error(
            "The body is not sent as `Content-Type: application/json`.",
            415, "Unsupported Media Type",
            "Unsupported Media Type: send a JSON body with Content-Type: application/json",
            None,
        ),
    })
}

/// A JSON value that serializes with object members in sorted order, whatever map
/// serde_json was built with.
struct Sorted<'a>(&'a Value);

impl Serialize for Sorted<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(map) => {
                let mut members: Vec<(&String, &Value)> = map.iter().collect();
                members.sort_by(|a, b| a.0.cmp(b.0));
                let mut out = serializer.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    out.serialize_entry(k, &Sorted(v))?;
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = serializer.serialize_seq(Some(items.len()))?;
                for v in items {
                    out.serialize_element(&Sorted(v))?;
                }
                out.end()
            }
            other => other.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_descriptions() {
        assert_eq!(scope_description("read:role_members"), "Read role members");
        assert_eq!(
            scope_description("update:client_keys"),
            "Update client keys"
        );
        assert_eq!(scope_description("odd"), "Odd");
    }

    #[test]
    fn members_are_sorted_at_every_depth() {
        let v = json!({"b": 1, "a": [{"z": 1, "y": 2}]});
        assert_eq!(
            serde_json::to_string(&Sorted(&v)).ok().as_deref(),
            Some(r#"{"a":[{"y":2,"z":1}],"b":1}"#)
        );
    }
}
