//! The Management API's error bodies, as Auth0 writes them:
//! `{"statusCode":403,"error":"Forbidden","message":"...","errorCode":"insufficient_scope"}`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::StoreError;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// Auth0's `errorCode`, when it gives one.
    pub error_code: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>, code: Option<&'static str>) -> Self {
        ApiError {
            status,
            message: message.into(),
            error_code: code,
        }
    }

    /// 400 with Auth0's `invalid_body` code: the JSON body does not fit the route.
    pub fn invalid_body(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            format!("Payload validation error: '{detail}'."),
            Some("invalid_body"),
        )
    }

    /// 400 with Auth0's `invalid_query_string` code.
    pub fn invalid_query(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            format!("Query validation error: '{detail}'."),
            Some("invalid_query_string"),
        )
    }

    /// 400 for a value the route understands but refuses (weak password, bad URL...).
    pub fn bad_request(message: impl Into<String>, code: Option<&'static str>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message, code)
    }

    /// 404, e.g. `not_found("The user does not exist.", "inexistent_user")`.
    pub fn not_found(message: impl Into<String>, code: &'static str) -> Self {
        Self::new(StatusCode::NOT_FOUND, message, Some(code))
    }

    /// 409, e.g. `conflict("The user already exists.", "auth0_idp_error")`.
    pub fn conflict(message: impl Into<String>, code: &'static str) -> Self {
        Self::new(StatusCode::CONFLICT, message, Some(code))
    }

    /// 401 without a token.
    pub fn missing_authentication() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Missing authentication", None)
    }

    /// 401 with a token that is not a valid Management API token.
    pub fn invalid_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Invalid token",
            Some("invalid_token"),
        )
    }

    /// 403 when the token lacks every scope that would allow the route.
    pub fn insufficient_scope(any_of: &[&str]) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            format!("Insufficient scope, expected any of: {}", any_of.join(",")),
            Some("insufficient_scope"),
        )
    }

    /// A failure of ours: logged here, answered with a body that tells nothing.
    pub fn internal(what: &str, error: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %error, "management API: {what} failed");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal error", None)
    }
}

/// A store failure the route did not expect: 503 when the database is away, else 500.
impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => {
                tracing::error!(error = %e, "management API: database unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service temporarily unavailable",
                    None,
                )
            }
            other => Self::internal("store", &other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = Map::new();
        body.insert("statusCode".into(), self.status.as_u16().into());
        body.insert(
            "error".into(),
            self.status.canonical_reason().unwrap_or("Error").into(),
        );
        body.insert("message".into(), self.message.into());
        if let Some(code) = self.error_code {
            body.insert("errorCode".into(), code.into());
        }
        let mut response = (self.status, Json(Value::Object(body))).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"portcullis\""),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn body(e: ApiError) -> (StatusCode, Value) {
        let r = e.into_response();
        let status = r.status();
        let bytes = r.into_body().collect().await.unwrap_or_default().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or_default())
    }

    #[tokio::test]
    async fn insufficient_scope_is_auth0s_body() {
        let (status, json) = body(ApiError::insufficient_scope(&["read:users"])).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(
            json,
            serde_json::json!({
                "statusCode": 403,
                "error": "Forbidden",
                "message": "Insufficient scope, expected any of: read:users",
                "errorCode": "insufficient_scope"
            })
        );
    }

    #[tokio::test]
    async fn missing_authentication_has_no_error_code() {
        let (status, json) = body(ApiError::missing_authentication()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            json,
            serde_json::json!({"statusCode": 401, "error": "Unauthorized", "message": "Missing authentication"})
        );
    }
}
