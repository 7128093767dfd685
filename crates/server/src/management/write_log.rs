//! Every Management API write (POST, PUT, PATCH, DELETE) by an authenticated caller goes
//! to the audit log: `sapi` when it succeeded, `fapi` when it was refused. Requests
//! without a valid token are not logged (they would let anyone fill the log). No request
//! body is logged: bodies carry passwords.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use portcullis_core::EventType;
use serde::Deserialize;
use serde_json::json;

use super::auth::AUDIENCE_PATH;
use crate::access_token;
use crate::audit::{self, Origin};
use crate::state::AppState;
use crate::throttle::ClientIp;

#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    azp: Option<String>,
    sub: String,
}

pub async fn log_writes(
    State(state): State<AppState>,
    ip: ClientIp,
    req: Request,
    next: Next,
) -> Response {
    let method = req.method().clone();
    if matches!(method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let caller = access_token::bearer(req.headers())
        .and_then(|t| access_token::verify::<Claims>(&state, t, &state.issuer.join(AUDIENCE_PATH)));
    let Some(caller) = caller else {
        return next.run(req).await;
    };
    let origin = Origin::of(ip, req.headers());
    let path = format!("{}{}", super::PREFIX, req.uri().path());
    let response = next.run(req).await;
    let status = response.status();
    let kind = if status.is_success() {
        EventType::SuccessApiOperation
    } else {
        EventType::FailedApiOperation
    };
    let mut event = audit::event(&state, kind, &describe(&method, &path), &origin);
    event.client_id = Some(
        caller
            .azp
            .unwrap_or_else(|| caller.sub.trim_end_matches("@clients").to_owned()),
    );
    event.details = json!({
        "request": { "method": method.as_str().to_ascii_lowercase(), "path": path },
        "response": { "statusCode": status.as_u16() },
    });
    audit::record(&state, event).await;
    response
}

/// "Create a role", "Update a user"...: Auth0's phrasing from the method and the path's
/// resource.
fn describe(method: &Method, path: &str) -> String {
    let verb = match *method {
        Method::POST => "Create",
        Method::PATCH | Method::PUT => "Update",
        Method::DELETE => "Delete",
        _ => "Change",
    };
    let resource = path
        .trim_start_matches(super::PREFIX)
        .split('/')
        .find(|s| !s.is_empty())
        .unwrap_or("resource");
    format!("{verb} {resource}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions() {
        assert_eq!(describe(&Method::POST, "/api/v2/roles"), "Create roles");
        assert_eq!(
            describe(&Method::DELETE, "/api/v2/users/auth0|1"),
            "Delete users"
        );
        assert_eq!(describe(&Method::PATCH, "/api/v2/"), "Update resource");
    }
}
