//! `/auth/backchannel-logout`: the provider ends stored sessions by `sid` or `sub` with a
//! signed logout token; anything else is refused and ends nothing.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use portcullis_sdk::session_store::MemorySessionStore;
use portcullis_sdk::web::BACKCHANNEL_LOGOUT_EVENT;
use portcullis_sdk::{Clock, ManualClock};
use serde_json::{Value, json};

use super::Browser;
use super::fake_provider::{CLIENT_ID, FakeProvider, Signer, app_on, fake_config, login, started};

const NOW: i64 = 1_900_000_000;

fn post_form(body: &str) -> Request<Body> {
    Request::post("/auth/backchannel-logout")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn logout_claims(fake: &FakeProvider) -> serde_json::Map<String, Value> {
    json!({
        "iss": fake.issuer, "aud": CLIENT_ID, "iat": NOW, "exp": NOW + 120, "jti": "j1",
        "sid": "sid-1", "events": {BACKCHANNEL_LOGOUT_EVENT: {}},
    })
    .as_object()
    .unwrap()
    .clone()
}

#[tokio::test]
async fn a_logout_token_ends_the_sessions_it_names() {
    let fake = FakeProvider::start().await;
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(NOW));
    let store = Arc::new(MemorySessionStore::new(clock.clone()));
    let app = app_on(fake_config(&fake), clock, Some(store.clone())).await;
    let mut one = Browser::default();
    login(&app, &mut one, &fake, NOW, |_| {}).await;
    let mut two = Browser::default();
    login(&app, &mut two, &fake, NOW, |c| {
        c.insert("sid".into(), "sid-2".into());
    })
    .await;
    let mut other_user = Browser::default();
    login(&app, &mut other_user, &fake, NOW, |c| {
        c.insert("sid".into(), "sid-3".into());
        c.insert("sub".into(), "user-2".into());
    })
    .await;
    assert_eq!(store.len(), 3);

    // Refused tokens end nothing.
    let other_key = Signer::new("k1");
    let bad: Vec<(&str, String)> = vec![
        ("garbage", "not-a-jwt".into()),
        (
            "forged",
            other_key.sign(&Value::Object(logout_claims(&fake))),
        ),
        ("no event", {
            let mut c = logout_claims(&fake);
            c.remove("events");
            fake.signer.sign(&Value::Object(c))
        }),
        ("with a nonce", {
            let mut c = logout_claims(&fake);
            c.insert("nonce".into(), "n".into());
            fake.signer.sign(&Value::Object(c))
        }),
        ("for another client", {
            let mut c = logout_claims(&fake);
            c.insert("aud".into(), "other".into());
            fake.signer.sign(&Value::Object(c))
        }),
        ("neither sid nor sub", {
            let mut c = logout_claims(&fake);
            c.remove("sid");
            fake.signer.sign(&Value::Object(c))
        }),
        ("expired", {
            let mut c = logout_claims(&fake);
            c.insert("exp".into(), (NOW - 120).into());
            fake.signer.sign(&Value::Object(c))
        }),
    ];
    for (name, token) in bad {
        let reply = Browser::default()
            .send(&app, post_form(&format!("logout_token={token}")))
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{name}");
        assert_eq!(reply.text(), "Invalid logout token.", "{name}");
    }
    let missing = Browser::default().send(&app, post_form("other=1")).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        missing.text(),
        "Missing `logout_token` in the request body."
    );
    let json_body = Request::post("/auth/backchannel-logout")
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(
        Browser::default().send(&app, json_body).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let get = Browser::default()
        .get(&app, "/auth/backchannel-logout")
        .await;
    assert_eq!(get.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(store.len(), 3);

    // By sid: that one session.
    let token = fake.signer.sign(&Value::Object(logout_claims(&fake)));
    let done = Browser::default()
        .send(&app, post_form(&format!("logout_token={token}")))
        .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT);
    assert_eq!(store.len(), 2);
    assert_eq!(one.get(&app, "/").await.text(), "out");
    assert_eq!(two.get(&app, "/").await.text(), "in");

    // By sub alone: every session of that user.
    let mut by_sub = logout_claims(&fake);
    by_sub.remove("sid");
    by_sub.insert("sub".into(), "user-2".into());
    let token = fake.signer.sign(&Value::Object(by_sub));
    let done = Browser::default()
        .send(&app, post_form(&format!("logout_token={token}")))
        .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT);
    assert_eq!(other_user.get(&app, "/").await.text(), "out");
    assert_eq!(two.get(&app, "/").await.text(), "in");
}

#[tokio::test]
async fn stateless_sessions_cannot_be_ended_from_outside() {
    let (fake, app) = started(Arc::new(ManualClock::new(NOW))).await;
    let token = fake.signer.sign(&Value::Object(logout_claims(&fake)));
    let reply = Browser::default()
        .send(&app, post_form(&format!("logout_token={token}")))
        .await;
    assert_eq!(reply.status, StatusCode::NOT_IMPLEMENTED);
    assert_eq!(reply.text(), "A session data store is not configured.");
}
