//! `/api/v2/keys/signing`.

use axum::http::Method;
use portcullis_core::keys::new_stored_key;
use portcullis_core::user::rfc3339;
use portcullis_core::{Clock, SystemClock, SystemRng, TenantId, UnixTime, token_hash};
use portcullis_jose::{Algorithm, MasterKey};
use serde_json::{Value, json};

use super::Mgmt;
use crate::get;

fn tenant() -> TenantId {
    TenantId::default_tenant()
}

fn now() -> UnixTime {
    SystemClock.now()
}

/// The published key set.
async fn jwks(m: &Mgmt) -> Value {
    let (_, body) = get(&m.app, "/.well-known/jwks.json").await;
    serde_json::from_slice(&body).unwrap()
}

/// RFC 7638, computed independently: serde_json's map sorts its keys.
fn thumbprint(jwk: &Value) -> String {
    let members: &[&str] = match jwk["kty"].as_str().unwrap() {
        "RSA" => &["e", "kty", "n"],
        "EC" => &["crv", "kty", "x", "y"],
        _ => &["crv", "kty", "x"],
    };
    let mut canonical = serde_json::Map::new();
    for k in members {
        canonical.insert((*k).to_owned(), jwk[*k].clone());
    }
    token_hash(&Value::Object(canonical).to_string())
}

/// Stores a key of another master key (the server never opens it: it only lists it)
/// that activates `in_secs` from now; returns its kid.
async fn plant_key(m: &Mgmt, in_secs: i64) -> String {
    let master = MasterKey::generate().unwrap();
    let key = new_stored_key(
        &tenant(),
        Algorithm::Es256,
        &master,
        &SystemRng::new(),
        now(),
        now().plus_secs(in_secs),
    )
    .unwrap();
    m.store.insert_signing_key(&key).await.unwrap();
    key.kid
}

crate::cases! {
    async fn list_shows_the_bootstrapped_key_as_current(m: &Mgmt) {
        let a = m.get("/api/v2/keys/signing").await;
        assert_eq!(a.status, 200, "{:?}", a.body);
        let keys = a.body.as_array().unwrap();
        assert_eq!(keys.len(), 1);
        let published = jwks(m).await["keys"][0].clone();
        let stored = m.store.signing_keys(&tenant()).await.unwrap();
        assert_eq!(
            keys[0],
            json!({
                "kid": published["kid"],
                "current": true,
                "next": false,
                "previous": false,
                "current_since": rfc3339(stored[0].activates_at.0),
                "thumbprint": thumbprint(&published),
                "revoked": false,
                "alg": "RS256",
                "jwk": published,
            })
        );
        let one = m.get(&format!("/api/v2/keys/signing/{}", published["kid"].as_str().unwrap())).await;
        assert_eq!((one.status, &one.body), (200, &keys[0]));
    }

    async fn unknown_kids_are_404(m: &Mgmt) {
        let expected = json!({"statusCode": 404, "error": "Not Found", "message": "The signing key does not exist.", "errorCode": "inexistent_key"});
        let a = m.get("/api/v2/keys/signing/nope").await;
        assert_eq!((a.status, &a.body), (404, &expected));
        let a = m.call(Method::PUT, "/api/v2/keys/signing/nope/revoke", None).await;
        assert_eq!((a.status, &a.body), (404, &expected));
    }

    async fn a_next_key_is_listed_and_can_be_revoked(m: &Mgmt) {
        let next = plant_key(m, 3600).await;
        let a = m.get("/api/v2/keys/signing").await;
        let listed = a.body.as_array().unwrap();
        assert_eq!(listed.len(), 2);
        let n = listed.iter().find(|k| k["kid"] == next.as_str()).unwrap();
        assert_eq!(
            (&n["current"], &n["next"], &n["previous"], &n["revoked"], &n["alg"]),
            (&json!(false), &json!(true), &json!(false), &json!(false), &json!("ES256"))
        );
        // Not yet signing: no current_since.
        assert_eq!(n.get("current_since"), None);
        let r = m.call(Method::PUT, &format!("/api/v2/keys/signing/{next}/revoke"), None).await;
        assert_eq!((r.status, &r.body), (200, &json!({"kid": next})));
        let g = m.get(&format!("/api/v2/keys/signing/{next}")).await;
        assert_eq!((&g.body["revoked"], &g.body["next"]), (&json!(true), &json!(false)));
        assert!(g.body["revoked_at"].as_str().unwrap().ends_with(".000Z"));
        // Revoking it again is refused, and changes nothing.
        let again = m.call(Method::PUT, &format!("/api/v2/keys/signing/{next}/revoke"), None).await;
        assert_eq!(again.status, 400);
        assert_eq!(again.body["message"], "The signing key has been revoked already.");
        assert_eq!(m.get(&format!("/api/v2/keys/signing/{next}")).await.body, g.body);
    }

    async fn a_superseded_key_is_previous_with_its_dates(m: &Mgmt) {
        let old = m.store.signing_keys(&tenant()).await.unwrap()[0].clone();
        // A second later, so the newer key is unambiguously after the bootstrapped one.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let newer = plant_key(m, 0).await;
        let newer_at = m
            .store
            .signing_keys(&tenant())
            .await
            .unwrap()
            .into_iter()
            .find(|k| k.kid == newer)
            .unwrap()
            .activates_at;
        let a = m.get(&format!("/api/v2/keys/signing/{}", old.kid)).await;
        assert_eq!(
            (&a.body["current"], &a.body["previous"], &a.body["current_since"], &a.body["current_until"]),
            (&json!(false), &json!(true), &json!(rfc3339(old.activates_at.0)), &json!(rfc3339(newer_at.0)))
        );
        let b = m.get(&format!("/api/v2/keys/signing/{newer}")).await;
        assert_eq!((&b.body["current"], b.body.get("current_until")), (&json!(true), None));
        // The current key cannot be revoked; the previous one can.
        let refused = m.call(Method::PUT, &format!("/api/v2/keys/signing/{newer}/revoke"), None).await;
        assert_eq!(
            (refused.status, &refused.body),
            (400, &json!({"statusCode": 400, "error": "Bad Request", "message": "The current signing key cannot be revoked: rotate the signing key first."}))
        );
        assert_eq!(m.get(&format!("/api/v2/keys/signing/{newer}")).await.body["revoked"], false);
        let done = m.call(Method::PUT, &format!("/api/v2/keys/signing/{}/revoke", old.kid), None).await;
        assert_eq!(done.status, 200);
        let listed = m.get("/api/v2/keys/signing").await.body;
        let revoked: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| k["revoked"] == true)
            .map(|k| k["kid"].as_str().unwrap())
            .collect();
        assert_eq!(revoked, [old.kid.as_str()]);
    }

    async fn every_route_is_guarded(m: &Mgmt) {
        let next = plant_key(m, 3600).await;
        m.assert_guarded(Method::GET, "/api/v2/keys/signing", None, "read:signing_keys").await;
        m.assert_guarded(Method::GET, &format!("/api/v2/keys/signing/{next}"), None, "read:signing_keys").await;
        m.assert_guarded(Method::POST, "/api/v2/keys/signing/rotate", None, "create:signing_keys").await;
        m.assert_guarded(Method::PUT, &format!("/api/v2/keys/signing/{next}/revoke"), None, "update:signing_keys").await;
        let keys = m.store.signing_keys(&tenant()).await.unwrap();
        assert_eq!(keys.len(), 2);
        assert!(keys.iter().all(|k| k.revoked_at.is_none()));
    }

    async fn rotate_makes_a_new_current_key_published_at_once(m: &Mgmt) {
        let old = jwks(m).await["keys"][0]["kid"].as_str().unwrap().to_owned();
        // A second later, so the new key is unambiguously after the bootstrapped one.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let a = m.call(Method::POST, "/api/v2/keys/signing/rotate", None).await;
        assert_eq!(a.status, 201, "{:?}", a.body);
        let kid = a.body["kid"].as_str().unwrap().to_owned();
        assert_eq!(a.body, json!({"kid": kid}));
        assert_ne!(kid, old);
        // Published at once, the old key kept for the tokens it signed.
        let kids: Vec<String> = jwks(m).await["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(kids, [old.clone(), kid.clone()]);
        let new = m.get(&format!("/api/v2/keys/signing/{kid}")).await;
        assert_eq!((&new.body["current"], &new.body["alg"]), (&json!(true), &json!("RS256")));
        let prev = m.get(&format!("/api/v2/keys/signing/{old}")).await;
        assert_eq!(prev.body["previous"], true);
        // New tokens are signed with the new key, and accepted.
        let token = m.token_with(None).await;
        let header: Value = serde_json::from_slice(
            &base64::Engine::decode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                token.split('.').next().unwrap(),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(header["kid"], kid.as_str());
        let users = m.call_as(Some(&token), Method::GET, "/api/v2/users", None).await;
        assert_eq!(users.status, 200);
        // Now the old key can be revoked, and leaves the key set at once.
        let r = m.call(Method::PUT, &format!("/api/v2/keys/signing/{old}/revoke"), None).await;
        assert_eq!(r.status, 200);
        assert_eq!(jwks(m).await["keys"].as_array().unwrap().len(), 1);
    }
}
