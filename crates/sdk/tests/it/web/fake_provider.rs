//! A minimal OpenID provider for what a real one won't do on demand: ID tokens with a
//! wrong claim, logout tokens, slow refreshes. It serves discovery, a JWKS with one
//! ES256 key, and a token endpoint whose answers the test sets; it signs with
//! jsonwebtoken.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use axum::extract::{Form, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{Map, Value, json};

pub const CLIENT_ID: &str = "fake-client";
pub const SUBJECT: &str = "user-1";

pub struct Signer {
    key: EncodingKey,
    pub jwk: Value,
}

impl Signer {
    pub fn new(kid: &str) -> Signer {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
        let point = pair.public_key().as_ref();
        let jwk = json!({
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
        });
        Signer {
            key: EncodingKey::from_ec_der(pkcs8.as_ref()),
            jwk,
        }
    }

    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(jsonwebtoken::Algorithm::ES256);
        header.kid = self.jwk["kid"].as_str().map(str::to_owned);
        self.sign_with(header, claims)
    }

    /// Signs with this key under the given header (its `alg` must be ES256).
    pub fn sign_with(&self, header: Header, claims: &Value) -> String {
        jsonwebtoken::encode(&header, claims, &self.key).unwrap()
    }
}

#[derive(Default)]
pub struct Answers {
    /// code → the token response to give for it (once).
    pub codes: HashMap<String, Value>,
    /// How long a refresh takes.
    pub refresh_delay: Duration,
    /// Refuse every refresh (a revoked grant).
    pub refuse_refresh: bool,
    /// Leave end_session_endpoint out of discovery (an Auth0 tenant without
    /// RP-initiated logout discovery).
    pub hide_end_session: bool,
}

pub struct FakeProvider {
    pub issuer: String,
    pub signer: Signer,
    /// More public keys to publish (rotation), as JWKs.
    pub extra_keys: Mutex<Vec<Value>>,
    /// The JWKS endpoint answers 503 (the provider is down).
    pub jwks_down: std::sync::atomic::AtomicBool,
    /// `Cache-Control` of the JWKS response, if any.
    pub jwks_cache_control: Mutex<Option<String>>,
    pub jwks_hits: AtomicUsize,
    pub answers: Mutex<Answers>,
    pub refreshes: AtomicUsize,
    /// Refresh tokens already used: using one again is refused (rotation).
    pub used_refresh_tokens: Mutex<Vec<String>>,
}

impl FakeProvider {
    pub async fn start() -> Arc<FakeProvider> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let provider = Arc::new(FakeProvider {
            issuer,
            signer: Signer::new("k1"),
            extra_keys: Mutex::new(Vec::new()),
            jwks_down: std::sync::atomic::AtomicBool::new(false),
            jwks_cache_control: Mutex::new(None),
            jwks_hits: AtomicUsize::new(0),
            answers: Mutex::new(Answers::default()),
            refreshes: AtomicUsize::new(0),
            used_refresh_tokens: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .with_state(provider.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        provider
    }

    /// ID token claims that pass every check, for `nonce` at `now`.
    pub fn good_claims(&self, nonce: &str, now: i64) -> Map<String, Value> {
        json!({
            "iss": self.issuer, "aud": CLIENT_ID, "sub": SUBJECT, "nonce": nonce,
            "iat": now, "exp": now + 600, "sid": "sid-1", "email": "ada@example.com",
            "name": "Ada",
        })
        .as_object()
        .unwrap()
        .clone()
    }

    /// Makes `code` answer with this ID token and a refresh token.
    pub fn give(&self, code: &str, id_token: String) {
        self.answers.lock().unwrap().codes.insert(
            code.to_owned(),
            json!({
                "access_token": "at-0", "token_type": "Bearer", "expires_in": 60,
                "refresh_token": format!("rt-{code}"), "id_token": id_token, "scope": "openid offline_access",
            }),
        );
    }
}

async fn discovery(State(p): State<Arc<FakeProvider>>) -> Json<Value> {
    let mut doc = json!({
        "issuer": p.issuer,
        "authorization_endpoint": format!("{}/authorize", p.issuer),
        "token_endpoint": format!("{}/token", p.issuer),
        "jwks_uri": format!("{}/jwks", p.issuer),
        "end_session_endpoint": format!("{}/session/end", p.issuer),
        "id_token_signing_alg_values_supported": ["ES256"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
        "backchannel_logout_supported": true,
    });
    if p.answers.lock().unwrap().hide_end_session {
        doc.as_object_mut().unwrap().remove("end_session_endpoint");
    }
    Json(doc)
}

async fn jwks(State(p): State<Arc<FakeProvider>>) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    p.jwks_hits.fetch_add(1, Ordering::SeqCst);
    if p.jwks_down.load(Ordering::SeqCst) {
        return axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let mut keys = vec![p.signer.jwk.clone()];
    keys.extend(p.extra_keys.lock().unwrap().iter().cloned());
    let mut response = Json(json!({ "keys": keys })).into_response();
    if let Some(cc) = p.jwks_cache_control.lock().unwrap().clone() {
        response
            .headers_mut()
            .insert("cache-control", cc.parse().unwrap());
    }
    response
}

async fn token(
    State(p): State<Arc<FakeProvider>>,
    Form(form): Form<HashMap<String, String>>,
) -> (axum::http::StatusCode, Json<Value>) {
    let bad = || {
        (
            axum::http::StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant", "error_description": "no"})),
        )
    };
    if form.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return bad();
    }
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let code = form.get("code").cloned().unwrap_or_default();
            match p.answers.lock().unwrap().codes.remove(&code) {
                Some(answer) => (axum::http::StatusCode::OK, Json(answer)),
                None => bad(),
            }
        }
        Some("refresh_token") => {
            let rt = form.get("refresh_token").cloned().unwrap_or_default();
            if p.answers.lock().unwrap().refuse_refresh {
                return bad();
            }
            {
                let mut used = p.used_refresh_tokens.lock().unwrap();
                if used.contains(&rt) {
                    return bad();
                }
                used.push(rt);
            }
            let delay = p.answers.lock().unwrap().refresh_delay;
            tokio::time::sleep(delay).await;
            let n = p.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
            (
                axum::http::StatusCode::OK,
                Json(json!({
                    "access_token": format!("at-{n}"), "token_type": "Bearer",
                    "expires_in": 60, "refresh_token": format!("rt-{n}"),
                })),
            )
        }
        _ => bad(),
    }
}

/// Logs `browser` in at the fake provider with ID token claims changed by `tweak`
/// (from [`FakeProvider::good_claims`] at `now`); returns the callback's reply.
pub async fn login(
    app: &Router,
    browser: &mut super::Browser,
    fake: &FakeProvider,
    now: i64,
    tweak: impl FnOnce(&mut Map<String, Value>),
) -> super::Reply {
    let start = browser.get(app, "/auth/login").await;
    let authorize = start.location().to_owned();
    let state = super::param(&authorize, "state").unwrap();
    let nonce = super::param(&authorize, "nonce").unwrap();
    let mut claims = fake.good_claims(&nonce, now);
    tweak(&mut claims);
    let code = format!("code-{state}");
    fake.give(&code, fake.signer.sign(&Value::Object(claims)));
    let iss: String = url::form_urlencoded::byte_serialize(fake.issuer.as_bytes()).collect();
    browser
        .get(
            app,
            &format!("/auth/callback?code={code}&state={state}&iss={iss}"),
        )
        .await
}

/// The SDK's settings for the fake provider.
pub fn fake_config(fake: &FakeProvider) -> portcullis_sdk::web::Auth0ConfigBuilder {
    super::config(&fake.issuer, CLIENT_ID, "fake-secret")
}

/// The fake provider and the test app on it (stateless sessions) with `clock`.
pub async fn started(clock: Arc<dyn portcullis_sdk::Clock>) -> (Arc<FakeProvider>, Router) {
    let fake = FakeProvider::start().await;
    let app = app_on(fake_config(&fake), clock, None).await;
    (fake, app)
}

/// The test app with these settings, clock and (for stateful sessions) store.
pub async fn app_on(
    settings: portcullis_sdk::web::Auth0ConfigBuilder,
    clock: Arc<dyn portcullis_sdk::Clock>,
    store: Option<Arc<dyn portcullis_sdk::SessionStore>>,
) -> Router {
    let mut builder =
        portcullis_sdk::web::Auth0Client::builder(settings.build().unwrap()).clock(clock);
    if let Some(store) = store {
        builder = builder.session_store(store);
    }
    super::app(&builder.build().await.unwrap())
}
