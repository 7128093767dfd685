//! Decrypting a session cookie and applying each SDK's lifetime rules.

use serde_json::{Map, Value};

use super::config::{ReaderConfig, V4_CLOCK_TOLERANCE_SECS};
use super::session::{Auth0Session, SessionData, SessionFormat, StatefulSessionRef};

/// A nextjs-auth0 v4 cookie value (`__session`): the payload carries `exp`.
///
/// nextjs-auth0 v4 decrypts with panva `jose`'s `jwtDecrypt` and `clockTolerance: 15`:
/// expired when `exp <= now - 15`, not yet valid when `nbf > now + 15`. Unlike the SDK,
/// a payload without an integer `exp` is refused (the SDK always writes one).
///
/// A payload with a `user` object is a stateless session; `{"id", "exp"}` without `user`
/// is a stateful session's reference; anything else is no session.
pub(crate) fn read_v4(value: &str, config: &ReaderConfig, now: i64) -> Option<Auth0Session> {
    let decrypted = config.keys.decrypt(value).ok()?;
    let payload: Map<String, Value> = serde_json::from_slice(&decrypted.plaintext).ok()?;
    let exp = integer(payload.get("exp")?)?;
    if exp <= now.saturating_sub(V4_CLOCK_TOLERANCE_SECS) {
        return None;
    }
    if let Some(nbf) = payload.get("nbf")
        && integer(nbf)? > now.saturating_add(V4_CLOCK_TOLERANCE_SECS)
    {
        return None;
    }
    if let Some(iat) = payload.get("iat") {
        integer(iat)?;
    }
    match (payload.get("user"), payload.get("id")) {
        (Some(Value::Object(_)), _) => Some(Auth0Session::Stateless(SessionData {
            format: SessionFormat::NextjsV4,
            header: decrypted.header,
            payload: Value::Object(payload),
            key_index: decrypted.key_index,
        })),
        (None, Some(Value::String(id))) if !id.is_empty() => {
            Some(Auth0Session::Stateful(StatefulSessionRef {
                id: id.clone(),
                exp,
                key_index: decrypted.key_index,
            }))
        }
        _ => None,
    }
}

/// A nextjs-auth0 v3 or express-openid-connect cookie value (`appSession`): `iat`, `uat`
/// and `exp` are in the protected header.
///
/// Both SDKs (express-openid-connect `lib/appSession.js`, nextjs-auth0 v3
/// `auth0-session/session/abstract-session.ts`) accept the session only when
/// `exp > now`, `uat + rollingDuration > now` (when rolling) and
/// `iat + absoluteDuration > now` (when set); a missing or non-integer time makes its
/// check fail. The payload must be a non-empty JSON object: with a `user` object it is
/// nextjs-auth0 v3's, otherwise express-openid-connect's.
pub(crate) fn read_app_session(
    value: &str,
    config: &ReaderConfig,
    now: i64,
) -> Option<Auth0Session> {
    let decrypted = config.keys.decrypt(value).ok()?;
    let header = &decrypted.header;
    let exp = integer(header.get("exp")?)?;
    if exp <= now {
        return None;
    }
    if let Some(rolling) = config.rolling_duration {
        let uat = integer(header.get("uat")?)?;
        if uat.saturating_add(rolling) <= now {
            return None;
        }
    }
    if let Some(absolute) = config.absolute_duration {
        let iat = integer(header.get("iat")?)?;
        if iat.saturating_add(absolute) <= now {
            return None;
        }
    }
    let payload: Map<String, Value> = serde_json::from_slice(&decrypted.plaintext).ok()?;
    if payload.is_empty() {
        return None;
    }
    let format = match payload.get("user") {
        Some(Value::Object(_)) => SessionFormat::NextjsV3,
        Some(_) => return None,
        None => SessionFormat::ExpressOpenidConnect,
    };
    Some(Auth0Session::Stateless(SessionData {
        format,
        header: decrypted.header,
        payload: Value::Object(payload),
        key_index: decrypted.key_index,
    }))
}

/// A JSON integer that fits `i64`; strings, floats and booleans are not times.
fn integer(value: &Value) -> Option<i64> {
    value.as_i64()
}

#[cfg(test)]
mod tests {
    use portcullis_jose::SystemIvSource;
    use serde_json::json;

    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn config() -> ReaderConfig {
        ReaderConfig::from_secrets(&["a long enough secret for the tests"]).unwrap()
    }

    fn v4(config: &ReaderConfig, payload: &Value) -> String {
        let header = r#"{"enc":"A256GCM","alg":"dir"}"#;
        let bytes = serde_json::to_vec(payload).unwrap();
        config
            .keys
            .current()
            .encrypt_with_header_json(header, &bytes, &SystemIvSource::new())
            .unwrap()
    }

    fn app(config: &ReaderConfig, header: &Value, payload: &Value) -> String {
        let bytes = serde_json::to_vec(payload).unwrap();
        let extra = header.as_object().unwrap();
        config
            .keys
            .encrypt(extra, &bytes, &SystemIvSource::new())
            .unwrap()
    }

    fn session(exp: Value) -> Value {
        json!({"user": {"sub": "auth0|1"}, "tokenSet": {"accessToken": "at"}, "internal": {"sid": "s", "createdAt": 1}, "exp": exp})
    }

    #[test]
    fn v4_exp_has_fifteen_seconds_of_tolerance() {
        let c = config();
        assert!(read_v4(&v4(&c, &session(json!(NOW - 14))), &c, NOW).is_some());
        assert!(read_v4(&v4(&c, &session(json!(NOW - 15))), &c, NOW).is_none());
        assert!(read_v4(&v4(&c, &session(json!(NOW + 3600))), &c, NOW).is_some());
    }

    #[test]
    fn v4_exp_must_be_an_integer() {
        let c = config();
        for exp in [
            json!(null),
            json!("99999999999"),
            json!(4e9),
            json!(true),
            json!([1]),
        ] {
            assert!(
                read_v4(&v4(&c, &session(exp.clone())), &c, NOW).is_none(),
                "{exp}"
            );
        }
        let mut no_exp = session(json!(0));
        no_exp.as_object_mut().unwrap().remove("exp");
        assert!(read_v4(&v4(&c, &no_exp), &c, NOW).is_none());
    }

    #[test]
    fn v4_nbf_and_iat() {
        let c = config();
        let mut s = session(json!(NOW + 100));
        s["nbf"] = json!(NOW + 15);
        assert!(read_v4(&v4(&c, &s), &c, NOW).is_some());
        s["nbf"] = json!(NOW + 16);
        assert!(read_v4(&v4(&c, &s), &c, NOW).is_none());
        s["nbf"] = json!(NOW);
        s["iat"] = json!("yesterday");
        assert!(read_v4(&v4(&c, &s), &c, NOW).is_none());
    }

    #[test]
    fn v4_shapes() {
        let c = config();
        let stateful = read_v4(&v4(&c, &json!({"id": "abc", "exp": NOW + 10})), &c, NOW).unwrap();
        let Auth0Session::Stateful(reference) = stateful else {
            panic!("not stateful")
        };
        assert_eq!((reference.id(), reference.exp()), ("abc", NOW + 10));
        assert!(!format!("{reference:?}").contains("abc"));
        for payload in [
            json!({"id": "", "exp": NOW + 10}),
            json!({"id": 5, "exp": NOW + 10}),
            json!({"user": "x", "exp": NOW + 10}),
            json!({"state": "s", "nonce": "n", "exp": NOW + 10}),
            json!({"exp": NOW + 10}),
        ] {
            assert!(read_v4(&v4(&c, &payload), &c, NOW).is_none(), "{payload}");
        }
        // Not a JSON object at all.
        let raw = c
            .keys
            .current()
            .encrypt_with_header_json(
                r#"{"enc":"A256GCM","alg":"dir"}"#,
                b"[1]",
                &SystemIvSource::new(),
            )
            .unwrap();
        assert!(read_v4(&raw, &c, NOW).is_none());
    }

    fn eoc_payload() -> Value {
        json!({"id_token": "x.e30.y", "access_token": "at", "token_type": "Bearer"})
    }

    #[test]
    fn app_session_checks_exp_rolling_and_absolute_strictly() {
        let c = config();
        let h = |iat: i64, uat: i64, exp: i64| json!({"iat": iat, "uat": uat, "exp": exp});
        let read = |c: &ReaderConfig, header: Value| {
            read_app_session(&app(c, &header, &eoc_payload()), c, NOW)
        };
        assert!(read(&c, h(NOW - 10, NOW - 10, NOW + 1)).is_some());
        // exp > now
        assert!(read(&c, h(NOW - 10, NOW - 10, NOW)).is_none());
        // uat + 86400 > now
        assert!(read(&c, h(NOW - 10, NOW - 86_399, NOW + 1)).is_some());
        assert!(read(&c, h(NOW - 10, NOW - 86_400, NOW + 1)).is_none());
        // iat + 604800 > now
        assert!(read(&c, h(NOW - 604_799, NOW, NOW + 1)).is_some());
        assert!(read(&c, h(NOW - 604_800, NOW, NOW + 1)).is_none());
        // Turned off, the checks no longer apply, nor need their member.
        let lax = config()
            .with_rolling_duration(None)
            .with_absolute_duration(None);
        assert!(read(&lax, h(0, 0, NOW + 1)).is_some());
        assert!(read(&lax, json!({"exp": NOW + 1})).is_some());
        assert!(read(&c, json!({"exp": NOW + 1})).is_none());
        // Times must be integers.
        assert!(read(&c, json!({"iat": NOW, "uat": NOW, "exp": "99999999999"})).is_none());
        assert!(read(&c, json!({"iat": NOW, "uat": NOW, "exp": 4e9})).is_none());
        assert!(read(&c, json!({"iat": NOW, "uat": null, "exp": NOW + 1})).is_none());
        assert!(read(&c, json!({"iat": NOW, "uat": NOW})).is_none());
    }

    #[test]
    fn app_session_formats_and_empty_payloads() {
        let c = config();
        let header = json!({"iat": NOW, "uat": NOW, "exp": NOW + 1});
        let read = |payload: Value| read_app_session(&app(&c, &header, &payload), &c, NOW);
        let v3 = read(json!({"user": {"sub": "auth0|3"}, "accessToken": "at3"})).unwrap();
        let data = v3.data().unwrap();
        assert_eq!(data.format(), SessionFormat::NextjsV3);
        assert_eq!(data.sub().as_deref(), Some("auth0|3"));
        assert_eq!(data.access_token(), Some("at3"));
        let eoc = read(json!({"id_token": "h.eyJzdWIiOiJhdXRoMHw5In0.s", "access_token": "at9"}))
            .unwrap();
        let data = eoc.data().unwrap();
        assert_eq!(data.format(), SessionFormat::ExpressOpenidConnect);
        assert_eq!(data.sub().as_deref(), Some("auth0|9"));
        assert_eq!(data.access_token(), Some("at9"));
        assert!(!format!("{data:?}").contains("at9"));
        assert!(read(json!({})).is_none());
        assert!(read(json!({"user": "x"})).is_none());
        assert!(read(json!([1])).is_none());
    }
}
