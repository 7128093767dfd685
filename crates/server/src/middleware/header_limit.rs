//! Request heads over 32 KiB get 431. hyper bounds the read buffer only roughly (it
//! checks the size when a parse is incomplete, and reads grow), so the exact limit is
//! enforced here, before any handler runs.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use crate::error::json_error;

pub const MAX_HEAD_BYTES: usize = 32 * 1024;

pub async fn limit(req: Request, next: Next) -> Response {
    let line = req.method().as_str().len() + req.uri().to_string().len() + 12;
    let headers: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if line + headers > MAX_HEAD_BYTES {
        return json_error(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "Request Header Fields Too Large",
            "The request head is larger than 32 KiB.",
        );
    }
    next.run(req).await
}
