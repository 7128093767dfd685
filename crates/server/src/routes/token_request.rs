//! Reading a token request: form or JSON body (Auth0 accepts both), client credentials
//! from the Basic header or the body, repeated parameters refused (RFC 6749 §3.2).

use std::collections::HashMap;

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portcullis_core::client_auth::PresentedClient;
use portcullis_core::{ClientId, ClientSecret, OAuthError, TokenEndpointAuthMethod};

/// The request's parameters, each present at most once, empty values dropped
/// (RFC 6749 §3.1: a parameter without a value is treated as omitted).
#[derive(Debug, Default)]
pub struct Params(HashMap<String, String>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    fn insert(&mut self, name: String, value: String) {
        if !value.is_empty() {
            self.0.insert(name, value);
        }
    }
}

/// Parses the body by its content type.
pub fn parse_body(headers: &HeaderMap, body: &[u8]) -> Result<Params, OAuthError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    let mut params = Params::default();
    match content_type.as_deref() {
        Some("application/x-www-form-urlencoded") => {
            let mut seen = std::collections::HashSet::new();
            for (k, v) in url::form_urlencoded::parse(body) {
                if !seen.insert(k.clone()) {
                    return Err(OAuthError::invalid_request(format!(
                        "Parameter '{k}' is repeated"
                    )));
                }
                params.insert(k.into_owned(), v.into_owned());
            }
        }
        Some("application/json") => {
            // JSON object keys are unique once parsed: a repeated key keeps its last value.
            let value: serde_json::Value = serde_json::from_slice(body)
                .map_err(|_| OAuthError::invalid_request("The body is not valid JSON"))?;
            let serde_json::Value::Object(map) = value else {
                return Err(OAuthError::invalid_request(
                    "The body must be a JSON object",
                ));
            };
            for (k, v) in map {
                match v {
                    serde_json::Value::String(s) => params.insert(k, s),
                    serde_json::Value::Null => {}
                    _ => {
                        return Err(OAuthError::invalid_request(format!(
                            "Parameter '{k}' must be a string"
                        )));
                    }
                }
            }
        }
        _ => {
            return Err(OAuthError::invalid_request(
                "Content-Type must be application/x-www-form-urlencoded or application/json",
            ));
        }
    }
    Ok(params)
}

/// Whether the request carried `Authorization: Basic` (its failures then get a
/// `WWW-Authenticate` challenge, RFC 6749 §5.2).
pub fn uses_basic(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() >= 6 && v[..6].eq_ignore_ascii_case("basic "))
}

/// The client's credentials, from exactly one place.
pub fn presented_client(
    headers: &HeaderMap,
    params: &Params,
) -> Result<PresentedClient, OAuthError> {
    let failed = portcullis_core::client_auth::client_authentication_failed;
    if uses_basic(headers) {
        if params.get("client_secret").is_some() {
            // Two methods at once (RFC 6749 §2.3).
            return Err(failed());
        }
        let (id, secret) = basic_credentials(headers).ok_or_else(failed)?;
        if params.get("client_id").is_some_and(|body_id| body_id != id) {
            return Err(failed());
        }
        return Ok(PresentedClient {
            client_id: ClientId::new(id),
            secret: Some(ClientSecret::from_presented(secret)),
            method: TokenEndpointAuthMethod::ClientSecretBasic,
        });
    }
    let Some(id) = params.get("client_id") else {
        return Err(OAuthError::invalid_request(
            "Missing required parameter: client_id",
        ));
    };
    Ok(match params.get("client_secret") {
        Some(secret) => PresentedClient {
            client_id: ClientId::new(id),
            secret: Some(ClientSecret::from_presented(secret)),
            method: TokenEndpointAuthMethod::ClientSecretPost,
        },
        None => PresentedClient {
            client_id: ClientId::new(id),
            secret: None,
            method: TokenEndpointAuthMethod::None,
        },
    })
}

/// `Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let decoded = STANDARD.decode(value.get(6..)?.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let id = form_unescape(id)?;
    (!id.is_empty()).then_some(())?;
    Some((id, form_unescape(secret)?))
}

/// `application/x-www-form-urlencoded` decoding of one value: `+` is a space, `%XX` a
/// byte; `None` for a broken escape or bytes that are not UTF-8.
fn form_unescape(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_unescape_decodes_and_refuses_broken_escapes() {
        assert_eq!(form_unescape("a%3Ab+c").as_deref(), Some("a:b c"));
        assert_eq!(form_unescape("%E2%9C%93").as_deref(), Some("\u{2713}"));
        assert_eq!(form_unescape("%zz"), None);
        assert_eq!(form_unescape("%4"), None);
        assert_eq!(form_unescape("%FF"), None);
    }

    fn basic(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, value.parse().unwrap());
        h
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let h = basic(&format!("Basic {}", STANDARD.encode("my%3Aid:p%40ss+word")));
        assert_eq!(
            basic_credentials(&h),
            Some(("my:id".to_owned(), "p@ss word".to_owned()))
        );
        for bad in ["Basic !!!", "Basic ", "Basic Zm9v", "Basic OnNlY3JldA=="] {
            assert_eq!(basic_credentials(&basic(bad)), None, "{bad}");
        }
    }
}
