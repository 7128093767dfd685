//! `portcullis token decode | verify`: what is inside a JWT, and whether an API would
//! take it (the SDK's `JwtValidator`, the same code as `JwtAuthLayer`).

use std::io::Read as _;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis_sdk::SystemClock;
use portcullis_sdk::api::{DiscoveryOptions, JwtValidator, Requirements};
use portcullis_sdk::jwks::JwksOptions;
use serde_json::{Value, json};

use crate::Failure;
use crate::args::TokenCommand;

pub async fn run(cmd: TokenCommand) -> Result<(), Failure> {
    match cmd {
        TokenCommand::Decode { token } => {
            let token = token_or_stdin(token)?;
            println!("{}", describe(&token)?);
            Ok(())
        }
        TokenCommand::Verify {
            token,
            issuer,
            audience,
            strict,
            ca_cert,
            allow_http,
        } => {
            let token = token_or_stdin(token)?;
            println!("{}", describe(&token)?);
            let (audiences, audience_note) = if audience.is_empty() {
                (
                    token_audiences(&token),
                    " (audience not checked: no --audience)",
                )
            } else {
                (audience, "")
            };
            let mut requirements = Requirements::new(&issuer, "");
            requirements.audiences = audiences;
            requirements.strict_type = strict;
            let mut http = reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none());
            if let Some(path) = &ca_cert {
                http = crate::mgmt_client::trust_ca(http, path)?;
            }
            let http = http.build().map_err(|e| Failure {
                code: 1,
                message: format!("cannot set up the HTTP client: {}", crate::one_line(&e)),
            })?;
            let options = DiscoveryOptions {
                clock: Arc::new(SystemClock),
                jwks: JwksOptions::default(),
                timeout: std::time::Duration::from_secs(10),
                danger_allow_http: allow_http,
                http: Some(http),
            };
            let validator = JwtValidator::discover(requirements, options)
                .await
                .map_err(|e| Failure {
                    code: 1,
                    message: format!("cannot read the issuer's keys: {e}"),
                })?;
            match validator.validate(&token).await {
                Ok(_) => {
                    println!("valid{audience_note}");
                    Ok(())
                }
                Err(e) => Err(Failure {
                    code: 1,
                    message: format!("invalid: {e}"),
                }),
            }
        }
    }
}

fn token_or_stdin(token: Option<String>) -> Result<String, Failure> {
    let token = match token {
        Some(t) => t,
        None => {
            let mut input = String::new();
            std::io::stdin()
                .take(1 << 20)
                .read_to_string(&mut input)
                .map_err(|e| usage(format!("reading standard input: {e}")))?;
            input
        }
    };
    let token = token.trim();
    let token = token.strip_prefix("Bearer ").unwrap_or(token).trim();
    if token.is_empty() {
        return Err(usage(
            "no token given (as an argument or on standard input)".into(),
        ));
    }
    Ok(token.to_owned())
}

/// The header and claims as JSON, plus when the token was issued and expires.
fn describe(token: &str) -> Result<String, Failure> {
    if token.split('.').count() < 3 {
        return Err(usage(
            "not a JWT: it needs three dot-separated parts (header.payload.signature)".into(),
        ));
    }
    let part = |i: usize, name: &str| -> Result<Value, Failure> {
        let b64 = token.split('.').nth(i).unwrap_or_default();
        let bytes = URL_SAFE_NO_PAD
            .decode(b64.trim_end_matches('='))
            .map_err(|_| usage(format!("not a JWT: the {name} is not base64url")))?;
        serde_json::from_slice(&bytes)
            .map_err(|_| usage(format!("not a JWT: the {name} is not JSON")))
    };
    let header = part(0, "header")?;
    let claims = part(1, "payload")?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let mut times = serde_json::Map::new();
    for name in ["iat", "nbf", "exp"] {
        if let Some(at) = claims.get(name).and_then(Value::as_i64) {
            times.insert(name.to_owned(), json!(when(at, now)));
        }
    }
    serde_json::to_string_pretty(&json!({"header": header, "claims": claims, "times": times}))
        .map_err(|e| usage(format!("printing the token: {e}")))
}

/// `2026-12-02T20:30:00Z (in 3600 s)` or `(... s ago)`.
fn when(at: i64, now: i64) -> String {
    let rfc3339 = time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| at.to_string());
    if at >= now {
        format!("{rfc3339} (in {} s)", at - now)
    } else {
        format!("{rfc3339} ({} s ago)", now - at)
    }
}

/// The token's own `aud` values (unverified), to skip the audience check.
fn token_audiences(token: &str) -> Vec<String> {
    let claims = token
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .unwrap_or(Value::Null);
    match &claims["aud"] {
        Value::String(a) => vec![a.clone()],
        Value::Array(list) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn usage(message: String) -> Failure {
    Failure { code: 2, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_prints_header_claims_and_times() {
        let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let token = format!(
            "{}.{}.sig",
            b64(&json!({"alg": "RS256", "kid": "k"})),
            b64(&json!({"sub": "u", "aud": ["a", "b"], "exp": 0}))
        );
        let out: Value = serde_json::from_str(&describe(&token).unwrap()).unwrap();
        assert_eq!(out["header"]["kid"], "k");
        assert_eq!(out["claims"]["sub"], "u");
        assert!(
            out["times"]["exp"]
                .as_str()
                .unwrap()
                .starts_with("1970-01-01T00:00:00Z (")
        );
        assert_eq!(token_audiences(&token), ["a", "b"]);
        assert_eq!(
            describe("nope").unwrap_err().message,
            "not a JWT: it needs three dot-separated parts (header.payload.signature)"
        );
        assert_eq!(
            describe("e30.%%%.x").unwrap_err().message,
            "not a JWT: the payload is not base64url"
        );
    }
}
