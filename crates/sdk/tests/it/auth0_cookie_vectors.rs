//! Every Auth0 SDK vector read back, and every reproduction vector re-made byte for byte.

use portcullis_jose::{CookieKey, CookieKeyRing};
use portcullis_sdk::auth0_cookie::{
    Auth0Session, ReaderConfig, RequestCookies, SessionFormat, read_session,
};
use serde_json::{Value, json};

use crate::{cookie_header, generated_at, sdk_vectors, secret, vector, vectors};

fn config() -> ReaderConfig {
    ReaderConfig::from_secrets(&[secret()]).unwrap()
}

fn format_of(id: &str) -> SessionFormat {
    match id.split('_').next().unwrap() {
        "v4" => SessionFormat::NextjsV4,
        "v3" => SessionFormat::NextjsV3,
        "eoc" => SessionFormat::ExpressOpenidConnect,
        other => panic!("unknown vector family {other}"),
    }
}

/// Vectors of session cookies whose whole session is in the cookie.
fn stateless_ids() -> Vec<&'static str> {
    sdk_vectors()
        .map(|(_, v)| v["id"].as_str().unwrap())
        .filter(|id| {
            id.contains("stateless")
                || id.starts_with("eoc_cookie_store")
                || *id == "v4_encrypt_direct_exp_2100"
        })
        .collect()
}

#[test]
fn every_stateless_sdk_vector_reads_to_its_recorded_payload() {
    let ids = stateless_ids();
    assert_eq!(ids.len(), 10, "{ids:?}");
    let config = config();
    for id in ids {
        let v = vector(id);
        let header = cookie_header(v);
        let session = read_session(&header, &config, generated_at(v))
            .unwrap_or_else(|| panic!("{id}: no session"));
        let Auth0Session::Stateless(data) = &session else {
            panic!("{id}: not stateless")
        };
        assert_eq!(data.format(), format_of(id), "{id}");
        assert_eq!(data.payload(), &v["expected_payload"], "{id}");
        assert_eq!(
            &Value::Object(data.header().clone()),
            &v["expected_protected_header"],
            "{id}"
        );
        assert!(!session.read_with_previous_secret(), "{id}");
        // Chunked or not, the joined value is the recorded JWE.
        let joined: String = v["cookies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["value"].as_str().unwrap())
            .collect();
        assert_eq!(joined, v["jwe_joined"].as_str().unwrap(), "{id}");
    }
}

#[test]
fn accessors_find_the_user_and_tokens_in_each_format() {
    let config = config();
    let read = |id: &str| {
        let v = vector(id);
        read_session(&cookie_header(v), &config, generated_at(v)).unwrap()
    };
    let v4 = read("v4_stateless_small_longlived");
    let data = v4.data().unwrap();
    assert_eq!(
        data.sub().as_deref(),
        Some("auth0|64b7f0c0e4b0a1b2c3d4e5f6")
    );
    assert_eq!(
        data.access_token(),
        Some("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.at-placeholder.sig")
    );
    assert_eq!(data.refresh_token(), Some("v1.rt-placeholder"));
    assert_eq!(data.access_token_expires_at(), Some(4_102_444_800));

    let v3 = read("v3_stateless_longlived");
    let data = v3.data().unwrap();
    assert_eq!(
        data.sub().as_deref(),
        Some("auth0|64b7f0c0e4b0a1b2c3d4e5f6")
    );
    assert_eq!(
        data.access_token(),
        Some("eyJhbGciOiJSUzI1NiJ9.at-placeholder.sig")
    );
    assert_eq!(
        data.id_token(),
        Some("eyJhbGciOiJSUzI1NiJ9.idt-placeholder.sig")
    );
    assert_eq!(data.access_token_expires_at(), Some(4_102_444_800));

    let eoc = read("eoc_cookie_store_longlived");
    let data = eoc.data().unwrap();
    assert_eq!(
        data.access_token(),
        Some("eyJhbGciOiJSUzI1NiJ9.at-placeholder.sig")
    );
    assert_eq!(data.refresh_token(), Some("v1.rt-placeholder"));
    // The vector's ID token is a placeholder, not a decodable JWT: no `sub`.
    assert_eq!(data.sub(), None);
    // Debug output never carries the tokens.
    assert!(!format!("{eoc:?}").contains("at-placeholder"));
}

#[test]
fn chunked_and_unchunked_cookies_read_the_same() {
    let config = config();
    for id in [
        "v4_stateless_chunked_longlived",
        "v3_stateless_chunked_longlived",
        "eoc_cookie_store_chunked_longlived",
    ] {
        let v = vector(id);
        let now = generated_at(v);
        assert!(
            v["cookies"].as_array().unwrap().len() > 1,
            "{id} is chunked"
        );
        let name = if id.starts_with("v4") {
            "__session"
        } else {
            "appSession"
        };
        let whole = format!("{name}={}", v["jwe_joined"].as_str().unwrap());
        let chunked = read_session(&cookie_header(v), &config, now).unwrap();
        let unchunked = read_session(&whole, &config, now).unwrap();
        assert_eq!(
            chunked.data().unwrap().payload(),
            unchunked.data().unwrap().payload(),
            "{id}"
        );
        // Chunks in any order in the header.
        let mut cookies: Vec<&str> = v["cookies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        cookies.reverse();
        let reversed: Vec<String> = cookies
            .iter()
            .map(|n| {
                let c = v["cookies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["name"] == *n)
                    .unwrap();
                format!("{n}={}", c["value"].as_str().unwrap())
            })
            .collect();
        let reversed = read_session(&reversed.join("; "), &config, now).unwrap();
        assert_eq!(
            reversed.data().unwrap().payload(),
            unchunked.data().unwrap().payload(),
            "{id}"
        );
    }
}

#[test]
fn v4_stateful_cookie_reads_as_the_store_key() {
    let v = vector("v4_stateful_cookie");
    let session = read_session(&cookie_header(v), &config(), generated_at(v)).unwrap();
    let Auth0Session::Stateful(reference) = session else {
        panic!("not stateful")
    };
    assert_eq!(reference.id(), v["store_record_key"].as_str().unwrap());
    assert_eq!(
        reference.exp(),
        v["expected_payload"]["exp"].as_i64().unwrap()
    );
}

#[test]
fn v4_transaction_cookie_decrypts_but_is_not_a_session() {
    let v = vector("v4_transaction_cookie");
    let header = cookie_header(v);
    assert!(header.contains("%3A"), "the wire value is percent-encoded");
    let cookies = RequestCookies::parse(&header);
    let value = cookies.get("__txn_st4te-abc123").unwrap();
    // `${timestamp}:${jwe}` once percent-decoded.
    let (timestamp, jwe) = value.split_once(':').unwrap();
    assert_eq!(timestamp, "1795336298");
    let ring = CookieKeyRing::from_secrets(&[secret()]).unwrap();
    let decrypted = ring.decrypt(jwe).unwrap();
    let payload: Value = serde_json::from_slice(&decrypted.plaintext).unwrap();
    assert_eq!(payload, v["expected_payload"]);
    assert_eq!(
        Value::Object(decrypted.header),
        v["expected_protected_header"]
    );
    // Put where a session belongs, a transaction is still no session (it has no `user`).
    let misplaced = format!("__session={jwe}");
    assert!(read_session(&misplaced, &config(), generated_at(v)).is_none());
}

/// Signed (not encrypted) cookies: session ids for a server-side store and transaction
/// cookies. They are not sessions this reader can open, and must never read as one.
#[test]
fn signed_cookie_vectors_are_not_sessions() {
    let signed: Vec<&Value> = sdk_vectors()
        .map(|(_, v)| v)
        .filter(|v| v.get("expected_value").is_some() || v.get("expected_session_id").is_some())
        .collect();
    assert_eq!(signed.len(), 5);
    for v in signed {
        assert!(
            read_session(&cookie_header(v), &config(), generated_at(v)).is_none(),
            "{}",
            v["id"]
        );
    }
    let repro = &vectors()["reproduction"]["vectors"][3];
    assert_eq!(repro["id"], "repro_signed_session_id");
    let header = format!("appSession={}", repro["cookie_value"].as_str().unwrap());
    assert!(read_session(&header, &config(), 1_800_000_000).is_none());
}

fn fixed_iv(iv: &mut [u8; 12]) {
    *iv = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
}

#[test]
fn reproduction_vectors_are_made_byte_for_byte() {
    let repro = &vectors()["reproduction"];
    assert_eq!(repro["iv_hex"], "000102030405060708090a0b");
    let key = CookieKey::derive(repro["secret"].as_str().unwrap()).unwrap();
    let config = config();
    let mut made = 0;
    for v in repro["vectors"].as_array().unwrap() {
        let Some(header_json) = v["header_json"].as_str() else {
            continue;
        };
        let payload_json = v["payload_json"].as_str().unwrap();
        let expected = v["cookie_value"].as_str().unwrap();
        let jwe = key
            .encrypt_with_header_json(header_json, payload_json.as_bytes(), &fixed_iv)
            .unwrap();
        assert_eq!(jwe, expected, "{}", v["id"]);
        made += 1;

        // And they read back as sessions of the right format.
        let cookie = format!("{}={jwe}", v["cookie_name"].as_str().unwrap());
        let session = read_session(&cookie, &config, 1_700_000_001).unwrap();
        let data = session.data().unwrap();
        let payload: Value = serde_json::from_str(payload_json).unwrap();
        assert_eq!(data.payload(), &payload, "{}", v["id"]);
        let expected_format = match v["id"].as_str().unwrap() {
            "repro_v4_session" => SessionFormat::NextjsV4,
            "repro_v3_appSession" => SessionFormat::NextjsV3,
            _ => SessionFormat::ExpressOpenidConnect,
        };
        assert_eq!(data.format(), expected_format);
        assert_eq!(data.access_token(), Some("at"));
    }
    assert_eq!(made, 3);
}

#[test]
fn header_map_encryption_reads_back_like_the_sdks_cookies() {
    // What a Portcullis writer would emit for express-openid-connect: alg, enc, then the
    // times (not byte-identical to the SDK, whose member order differs, but equivalent).
    let ring = CookieKeyRing::from_secrets(&[secret()]).unwrap();
    let header = json!({"exp": 4_102_444_800_i64, "iat": 1_700_000_000, "uat": 1_700_000_000});
    let payload = br#"{"access_token":"at","id_token":"idt"}"#;
    let jwe = ring
        .encrypt(header.as_object().unwrap(), payload, &fixed_iv)
        .unwrap();
    let session = read_session(&format!("appSession={jwe}"), &config(), 1_700_000_001).unwrap();
    assert_eq!(
        session.data().unwrap().format(),
        SessionFormat::ExpressOpenidConnect
    );
}

#[test]
fn defaults_vectors_expire_as_the_sdks_would() {
    let config = config();
    // nextjs-auth0 v4: payload exp, 15 s tolerance.
    let v = vector("v4_stateless_defaults_3d_abs_1d_inactivity");
    let exp = v["expected_payload"]["exp"].as_i64().unwrap();
    let header = cookie_header(v);
    assert!(read_session(&header, &config, exp + 14).is_some());
    assert!(read_session(&header, &config, exp + 15).is_none());

    // nextjs-auth0 v3 and express-openid-connect: header exp, strictly in the future.
    for id in [
        "v3_stateless_defaults_rolling1d_abs7d",
        "eoc_cookie_store_defaults_rolling1d_abs7d",
    ] {
        let v = vector(id);
        let exp = v["expected_protected_header"]["exp"].as_i64().unwrap();
        let header = cookie_header(v);
        assert!(read_session(&header, &config, exp - 1).is_some(), "{id}");
        assert!(read_session(&header, &config, exp).is_none(), "{id}");
    }

    // Long-lived appSession cookies still obey the reader's rolling and absolute rules.
    let v = vector("eoc_cookie_store_longlived");
    let uat = v["expected_protected_header"]["uat"].as_i64().unwrap();
    let header = cookie_header(v);
    assert!(read_session(&header, &config, uat + 86_399).is_some());
    assert!(read_session(&header, &config, uat + 86_400).is_none());
    let no_rolling = ReaderConfig::from_secrets(&[secret()])
        .unwrap()
        .with_rolling_duration(None);
    assert!(read_session(&header, &no_rolling, uat + 86_400).is_some());
    assert!(read_session(&header, &no_rolling, uat + 604_800).is_none());
    let neither = no_rolling.with_absolute_duration(None);
    assert!(read_session(&header, &neither, uat + 10 * 604_800).is_some());
}
