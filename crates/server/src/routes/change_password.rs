//! `POST /dbconnections/change_password`: Auth0's "send a change password email"
//! (auth0.js `changePassword`, node-auth0 `database.changePassword`, Auth0.Android
//! `resetPassword`).
//!
//! Body: JSON or form, `email` and `connection` required, `client_id` optional (as
//! Auth0's documentation now says) but refused when given and unknown. Whether or not the
//! address has an account, the answer is the same 200 with Auth0's plain-text body
//! (security case E.37); a known address gets a reset link at the address on file.
//!
//! Auth0's bodies: the 200 body is its documented sample, sent as text as Auth0 does
//! (node-auth0 v5 reads it as a `TextApiResponse`; go-auth0 #227 "returns a string
//! rather than a JSON object"). Auth0's 400 bodies for this endpoint are not documented;
//! these are RFC 6749-style `{"error":"invalid_request","error_description":...}`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::user::DATABASE_CONNECTION;
use portcullis_core::{ClientId, OAuthError};
use serde_json::Value;

use crate::oauth_response::{internal_error, token_error};
use crate::routes::password_reset::{LinkMail, mail_reset_link};
use crate::state::AppState;

/// Auth0's answer, for every address.
pub const SENT: &str = "We've just sent you an email to reset your password.";

#[derive(Debug, Default, PartialEq, Eq)]
struct Params {
    client_id: Option<String>,
    email: Option<String>,
    connection: Option<String>,
}

pub async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = match parse(&headers, &body) {
        Ok(p) => p,
        Err(why) => return bad_request(why),
    };
    let Some(email) = params
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    else {
        return bad_request("Missing required parameter: email".to_owned());
    };
    match params.connection.as_deref() {
        None | Some("") => {
            return bad_request("Missing required parameter: connection".to_owned());
        }
        Some(DATABASE_CONNECTION) => {}
        Some(_) => return bad_request("connection not found".to_owned()),
    }
    if let Some(id) = params.client_id.as_deref().filter(|c| !c.is_empty()) {
        match state
            .catalog
            .application(&state.tenant, &ClientId::new(id))
            .await
        {
            Ok(Some(_)) => {}
            Ok(None) => return bad_request("Unknown client".to_owned()),
            Err(e) => return internal_error(&e),
        }
    }
    let tenant = match state.tenant().await {
        Ok(t) => t,
        Err(e) => return internal_error(&e),
    };
    if let Err(e) = mail_reset_link(&state, &tenant, email, LinkMail::Reset).await {
        return internal_error(&e);
    }
    sent()
}

/// The one success answer: status, headers and body never depend on the address.
fn sent() -> Response {
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        SENT,
    )
        .into_response()
}

fn bad_request(description: String) -> Response {
    token_error(OAuthError::invalid_request(description), false)
}

/// The parameters of a JSON or form body. A parameter given twice, or a JSON value that
/// is not a string, is an error (security case G.43).
fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Params, String> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let mut params = Params::default();
    match media.as_str() {
        "application/json" => {
            let doc: serde_json::Map<String, Value> = serde_json::from_slice(body)
                .map_err(|_| "The body is not a JSON object".to_owned())?;
            for (name, slot) in [
                ("client_id", &mut params.client_id),
                ("email", &mut params.email),
                ("connection", &mut params.connection),
            ] {
                *slot = match doc.get(name) {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(_) => return Err(format!("{name} must be a string")),
                };
            }
        }
        "application/x-www-form-urlencoded" => {
            for (k, v) in url::form_urlencoded::parse(body) {
                let slot = match k.as_ref() {
                    "client_id" => &mut params.client_id,
                    "email" => &mut params.email,
                    "connection" => &mut params.connection,
                    _ => continue,
                };
                if slot.is_some() {
                    return Err(format!("Duplicate parameter: {k}"));
                }
                *slot = Some(v.into_owned());
            }
        }
        _ => {
            return Err(
                "Content-Type must be application/json or application/x-www-form-urlencoded"
                    .to_owned(),
            );
        }
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(content_type: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, content_type.parse().unwrap());
        h
    }

    #[test]
    fn json_and_form_bodies() {
        let want = Params {
            client_id: Some("c1".into()),
            email: Some("a@b.co".into()),
            connection: Some(DATABASE_CONNECTION.into()),
        };
        let json = br#"{"client_id":"c1","email":"a@b.co","connection":"Username-Password-Authentication","organization":"org_1"}"#;
        assert_eq!(parse(&headers("application/json"), json), Ok(want));
        let form = b"email=a%40b.co&connection=Username-Password-Authentication&x=1";
        assert_eq!(
            parse(
                &headers("application/x-www-form-urlencoded; charset=UTF-8"),
                form
            ),
            Ok(Params {
                client_id: None,
                email: Some("a@b.co".into()),
                connection: Some(DATABASE_CONNECTION.into()),
            })
        );
    }

    #[test]
    fn bad_bodies() {
        assert_eq!(
            parse(&headers("application/json"), b"[1]"),
            Err("The body is not a JSON object".into())
        );
        assert_eq!(
            parse(&headers("application/json"), br#"{"email":["a@b.co"]}"#),
            Err("email must be a string".into())
        );
        assert_eq!(
            parse(
                &headers("application/x-www-form-urlencoded"),
                b"email=a%40b.co&email=c%40d.co"
            ),
            Err("Duplicate parameter: email".into())
        );
        assert!(parse(&headers("text/plain"), b"email=a").is_err());
        assert!(parse(&HeaderMap::new(), b"{}").is_err());
    }
}
