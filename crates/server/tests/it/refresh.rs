//! `POST /oauth/token` with refresh tokens: issued by the code exchange with
//! `offline_access`, rotated on every use, reuse revoking the family (security case
//! C.27). The tenant is seeded into an SQLite file before the server starts (two web
//! applications, an application without the refresh_token grant, an API that allows
//! offline access and one that does not, users and roles); codes and tokens are planted
//! through a second handle on that file.

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis_core::bootstrap::TenantSeed;
use portcullis_core::keys::new_stored_key;
use portcullis_core::user::DATABASE_CONNECTION;
use portcullis_core::{
    AppType, Application, AuthorizationCode, ClientId, ClientSecret, Clock, RefreshToken,
    ResourceServer, ResourceServerId, ResourceServerScope, Role, RoleId, Store, SystemClock,
    SystemRng, Tenant, TenantId, TenantSettings, TokenEndpointAuthMethod, UnixTime, User, UserId,
    token_hash,
};
use portcullis_jose::{Algorithm, MasterKey};
use portcullis_store::{DatabaseUrl, OpenOptions};
use serde_json::{Value, json};

use crate::{send, server};

pub(crate) const ORDERS: &str = "https://orders.example/";
const ONLINE: &str = "https://online-only.example/";
const CALLBACK: &str = "https://app.example/callback";
const INVALID: &str = "Unknown or invalid refresh token.";
/// When Alice authenticated, for every planted code.
const AUTH_TIME: UnixTime = UnixTime(1_763_900_000);

pub(crate) struct Client {
    pub(crate) id: String,
    pub(crate) secret: String,
}

pub(crate) struct Env {
    pub(crate) srv: portcullis_server::Prepared,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) web: Client,
    other: Client,
    no_refresh: Client,
    pub(crate) alice: UserId,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

fn now() -> UnixTime {
    SystemClock.now()
}

fn tenant() -> TenantId {
    TenantId::default_tenant()
}

fn app(name: &str, grant_types: &[&str], secret: &ClientSecret) -> Application {
    Application {
        tenant_id: tenant(),
        client_id: ClientId::new(format!("{name:0<32}")),
        name: name.to_owned(),
        app_type: AppType::RegularWeb,
        client_secret_hash: Some(secret.hash()),
        token_endpoint_auth_method: TokenEndpointAuthMethod::ClientSecretPost,
        callbacks: vec![CALLBACK.to_owned()],
        allowed_logout_urls: Vec::new(),
        web_origins: Vec::new(),
        grant_types: grant_types.iter().map(|g| (*g).to_owned()).collect(),
        created_at: now(),
    }
}

fn api(id: &str, identifier: &str, offline: bool) -> ResourceServer {
    ResourceServer {
        tenant_id: tenant(),
        id: ResourceServerId::new(id),
        name: identifier.to_owned(),
        identifier: identifier.to_owned(),
        scopes: ["read:orders", "write:orders"]
            .iter()
            .map(|s| ResourceServerScope {
                value: (*s).to_owned(),
                description: String::new(),
            })
            .collect(),
        signing_alg: "RS256".to_owned(),
        token_lifetime: 600,
        allow_offline_access: offline,
        enforce_policies: true,
        token_dialect: "access_token_authz".to_owned(),
        is_system: false,
        created_at: now(),
    }
}

fn user(id: &str, email: &str, blocked: bool) -> User {
    User {
        tenant_id: tenant(),
        user_id: UserId::new(id),
        connection: DATABASE_CONNECTION.to_owned(),
        email: email.to_owned(),
        email_verified: true,
        name: "Alice Liddell".to_owned(),
        nickname: "alice".to_owned(),
        picture: None,
        password_hash: None,
        blocked,
        user_metadata: json!({}),
        app_metadata: json!({}),
        created_at: now(),
        updated_at: now(),
        last_login: None,
        logins_count: 0,
    }
}

async fn role(store: &dyn Store, id: &str, permission: &str) -> RoleId {
    let role = RoleId::new(id);
    store
        .insert_role(&Role {
            tenant_id: tenant(),
            id: role.clone(),
            name: id.to_owned(),
            description: String::new(),
            created_at: now(),
        })
        .await
        .unwrap();
    store
        .add_role_permissions(
            &tenant(),
            &role,
            &[(ORDERS.to_owned(), permission.to_owned())],
        )
        .await
        .unwrap();
    role
}

/// A server on a tenant seeded with `settings`. Alice may `read:orders`.
pub(crate) async fn env(settings: TenantSettings) -> Env {
    let data = tempfile::tempdir().unwrap();
    let db = data.path().join("seeded.db");
    let store = portcullis_store::open(&DatabaseUrl::sqlite_file(&db), &OpenOptions::default())
        .await
        .unwrap();
    let rng = SystemRng::new();
    let master = MasterKey::generate().unwrap();
    let secrets: Vec<ClientSecret> = (0..3).map(|_| ClientSecret::generate(&rng)).collect();
    let both = ["authorization_code", "refresh_token"];
    let apps = vec![
        app("web", &both, &secrets[0]),
        app("other", &both, &secrets[1]),
        app("norefresh", &["authorization_code"], &secrets[2]),
    ];
    let seed = TenantSeed {
        tenant: Tenant {
            id: tenant(),
            settings,
            created_at: now(),
        },
        key: new_stored_key(&tenant(), Algorithm::Rs256, &master, &rng, now(), now()).unwrap(),
        resource_servers: vec![
            api("rs_orders", ORDERS, true),
            api("rs_online", ONLINE, false),
        ],
        applications: apps.clone(),
        grants: Vec::new(),
    };
    assert!(store.bootstrap(&seed).await.unwrap());
    let alice = UserId::new("auth0|a11ce0000000000000000000");
    store
        .insert_user(&user(alice.as_str(), "alice@example.com", false))
        .await
        .unwrap();
    let reader = role(store.as_ref(), "rol_reader", "read:orders").await;
    store
        .assign_user_roles(&tenant(), &alice, &[reader])
        .await
        .unwrap();
    let (srv, srv_dir) = server(&[
        ("PORTCULLIS_DATABASE_URL", &sqlite_url(&db)),
        ("PORTCULLIS_MASTER_KEY", &master.to_base64()),
    ])
    .await;
    assert!(srv.bootstrap.is_none(), "the seeded tenant is used");
    let client = |i: usize| Client {
        id: apps[i].client_id.to_string(),
        secret: secrets[i].expose().to_owned(),
    };
    Env {
        web: client(0),
        other: client(1),
        no_refresh: client(2),
        srv,
        store,
        alice,
        _dirs: (data, srv_dir),
    }
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite:{}", path.display())
}

impl Env {
    pub(crate) async fn post(&self, pairs: &[(&str, &str)]) -> (StatusCode, Value) {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let req = Request::post("/oauth/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let (res, bytes) = send(&self.srv.router(), req).await;
        assert_eq!(
            res.headers()
                .get("cache-control")
                .unwrap()
                .to_str()
                .unwrap(),
            "no-store"
        );
        (res.status(), serde_json::from_slice(&bytes).unwrap())
    }

    /// A code of the web app for `user`, as `/authorize` would have stored it.
    pub(crate) async fn code(&self, user: &UserId, scope: &str, audience: Option<&str>) -> String {
        let code = format!(
            "code-{}",
            portcullis_core::rng::random_b64url(&SystemRng::new(), 16)
        );
        self.store
            .insert_code(&AuthorizationCode {
                tenant_id: tenant(),
                code_hash: token_hash(&code),
                client_id: ClientId::new(self.web.id.clone()),
                redirect_uri: CALLBACK.to_owned(),
                user_id: user.clone(),
                scope: scope.to_owned(),
                audience: audience.map(str::to_owned),
                nonce: Some("n-1".to_owned()),
                code_challenge: None,
                sid: "sid-alice".to_owned(),
                auth_time: AUTH_TIME,
                created_at: now(),
                expires_at: now().plus_secs(60),
                consumed_at: None,
            })
            .await
            .unwrap();
        code
    }

    pub(crate) async fn exchange(&self, code: &str) -> Value {
        let (status, body) = self
            .post(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("client_id", &self.web.id),
                ("client_secret", &self.web.secret),
            ])
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Alice logs in asking for offline access to the orders API.
    pub(crate) async fn login(&self) -> Value {
        let code = self
            .code(
                &self.alice,
                "openid email offline_access read:orders",
                Some(ORDERS),
            )
            .await;
        self.exchange(&code).await
    }

    pub(crate) async fn refresh_as(
        &self,
        client: &Client,
        token: &str,
        scope: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut pairs = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", token),
            ("client_id", client.id.as_str()),
            ("client_secret", client.secret.as_str()),
        ];
        if let Some(s) = scope {
            pairs.push(("scope", s));
        }
        self.post(&pairs).await
    }

    pub(crate) async fn refresh(&self, token: &str) -> (StatusCode, Value) {
        self.refresh_as(&self.web, token, None).await
    }

    async fn stored(&self, token: &str) -> RefreshToken {
        self.store
            .refresh_token(&tenant(), &token_hash(token))
            .await
            .unwrap()
            .unwrap()
    }
}

fn claims(jwt: &Value) -> Value {
    let payload = jwt.as_str().unwrap().split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

pub(crate) fn rt(body: &Value) -> String {
    body["refresh_token"].as_str().unwrap().to_owned()
}

pub(crate) fn assert_error(
    got: (StatusCode, Value),
    status: StatusCode,
    error: &str,
    description: &str,
) {
    assert_eq!(got.0, status, "{}", got.1);
    assert_eq!(
        got.1,
        json!({"error": error, "error_description": description})
    );
}

pub(crate) fn invalid_grant(got: (StatusCode, Value)) {
    assert_error(got, StatusCode::BAD_REQUEST, "invalid_grant", INVALID);
}

#[tokio::test]
async fn offline_access_gets_a_refresh_token_stored_by_hash_only() {
    let e = env(TenantSettings::default()).await;
    let before = now();
    let code = e
        .code(
            &e.alice,
            "openid email offline_access read:orders write:orders",
            Some(ORDERS),
        )
        .await;
    let body = e.exchange(&code).await;
    // write:orders is not Alice's: not granted.
    assert_eq!(body["scope"], "openid email offline_access read:orders");
    let token = rt(&body);
    assert_eq!(token.len(), 43);
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    let stored = e.stored(&token).await;
    assert_eq!(stored.token_hash, token_hash(&token));
    assert_ne!(stored.token_hash, token);
    assert_eq!(stored.generation, 0);
    assert_eq!(stored.family_id.len(), 22);
    assert_eq!(stored.client_id.as_str(), e.web.id);
    assert_eq!(stored.user_id, e.alice);
    assert_eq!(stored.scope, "openid email offline_access read:orders");
    assert_eq!(stored.audience.as_deref(), Some(ORDERS));
    assert_eq!(stored.sid.as_deref(), Some("sid-alice"));
    assert_eq!(stored.code_hash, Some(token_hash(&code)));
    assert!(stored.created_at >= before && stored.created_at <= now());
    assert_eq!(stored.auth_time, AUTH_TIME);
    assert_eq!(stored.expires_at, stored.created_at.plus_secs(2_592_000));
    assert_eq!(
        stored.idle_expires_at,
        stored.created_at.plus_secs(1_296_000)
    );
    assert_eq!((stored.consumed_at, stored.revoked_at), (None, None));

    // A replayed code revokes the family it started (C.19).
    let (status, _) = e
        .post(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &e.web.id),
            ("client_secret", &e.web.secret),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    invalid_grant(e.refresh(&token).await);
}

#[tokio::test]
async fn no_refresh_token_unless_offline_access_is_asked_and_allowed() {
    let e = env(TenantSettings::default()).await;
    // No offline_access asked.
    let code = e.code(&e.alice, "openid read:orders", Some(ORDERS)).await;
    let body = e.exchange(&code).await;
    assert_eq!(body["scope"], "openid read:orders");
    assert!(body.get("refresh_token").is_none());
    // An API that does not allow offline access: no token, and no offline_access.
    let code = e
        .code(&e.alice, "openid offline_access read:orders", Some(ONLINE))
        .await;
    let body = e.exchange(&code).await;
    assert_eq!(body["scope"], "openid");
    assert!(body.get("refresh_token").is_none());
    // No audience.
    let code = e.code(&e.alice, "openid offline_access", None).await;
    let body = e.exchange(&code).await;
    assert_eq!(body["scope"], "openid");
    assert!(body.get("refresh_token").is_none());
}

#[tokio::test]
async fn refresh_rotates_and_issues_fresh_tokens() {
    let e = env(TenantSettings::default()).await;
    let first = e.login().await;
    let r0 = rt(&first);
    let id0 = claims(&first["id_token"]);
    let s0 = e.stored(&r0).await;

    let (status, body) = e.refresh(&r0).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 600);
    assert_eq!(body["scope"], "openid email offline_access read:orders");
    let r1 = rt(&body);
    assert_ne!(r1, r0);

    let at = claims(&body["access_token"]);
    let issuer = e.srv.issuer().as_str().to_owned();
    assert_eq!(at["iss"], issuer.as_str());
    assert_eq!(at["sub"], e.alice.as_str());
    assert_eq!(at["aud"], json!([ORDERS, format!("{issuer}userinfo")]));
    assert_eq!(at["azp"], e.web.id.as_str());
    assert_eq!(at["scope"], "openid email offline_access read:orders");
    assert_eq!(at["permissions"], json!(["read:orders"]));
    assert_eq!(
        at["exp"].as_i64().unwrap() - at["iat"].as_i64().unwrap(),
        600
    );
    assert!(at.get("gty").is_none());

    // OpenID Connect Core §12.2: same iss, sub, aud, sid and auth_time; no nonce.
    let id1 = claims(&body["id_token"]);
    assert_eq!(id0["nonce"], "n-1");
    assert!(id1.get("nonce").is_none());
    for claim in [
        "iss",
        "sub",
        "aud",
        "sid",
        "auth_time",
        "email",
        "email_verified",
    ] {
        assert_eq!(id1[claim], id0[claim], "{claim}");
    }
    assert_eq!(id1["auth_time"], AUTH_TIME.0);
    assert_eq!(id1["sid"], "sid-alice");
    assert!(id1.get("name").is_none(), "no profile scope");

    // The next token continues the family; the presented one is used up.
    let s1 = e.stored(&r1).await;
    assert_eq!(s1.family_id, s0.family_id);
    assert_eq!(s1.generation, 1);
    assert_eq!(s1.expires_at, s0.expires_at);
    assert_eq!(s1.idle_expires_at, s1.created_at.plus_secs(1_296_000));
    assert_eq!(
        (s1.scope.as_str(), s1.audience.as_deref(), s1.auth_time),
        (s0.scope.as_str(), s0.audience.as_deref(), s0.auth_time)
    );
    assert!(e.stored(&r0).await.consumed_at.is_some());

    // The new access token is good at /userinfo.
    let req = Request::get("/userinfo")
        .header(
            "authorization",
            format!("Bearer {}", body["access_token"].as_str().unwrap()),
        )
        .body(Body::empty())
        .unwrap();
    let (res, info) = send(&e.srv.router(), req).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<Value>(&info).unwrap(),
        json!({"sub": e.alice.as_str(), "email": "alice@example.com", "email_verified": true})
    );

    // And the chain goes on.
    let (status, body) = e.refresh(&r1).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(e.stored(&rt(&body)).await.generation, 2);
}

#[tokio::test]
async fn reuse_revokes_the_whole_family_and_is_logged() {
    let e = env(TenantSettings::default()).await;
    let warnings = capture::Warnings::default();
    let _guard = tracing::subscriber::set_default(warnings.clone());
    let r0 = rt(&e.login().await);
    let family = e.stored(&r0).await.family_id;
    let (status, body) = e.refresh(&r0).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r1 = rt(&body);
    assert!(warnings.take().is_empty());
    // R0 again: reuse. The family is revoked, R1 with it.
    invalid_grant(e.refresh(&r0).await);
    assert!(e.stored(&r1).await.revoked_at.is_some());
    assert_eq!(
        warnings.take(),
        vec![vec![
            (
                "message",
                "refresh token reuse detected: family revoked".to_owned()
            ),
            ("event", "ferrt".to_owned()),
            ("client_id", e.web.id.clone()),
            ("user_id", e.alice.to_string()),
            ("family_id", family),
        ]]
    );
    invalid_grant(e.refresh(&r1).await);
    // Presenting a token of a revoked family is not reuse again.
    invalid_grant(e.refresh(&r0).await);
    assert!(warnings.take().is_empty());
}

/// Records the fields of every warning logged while it is the default subscriber.
mod capture {
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Level, Metadata, Subscriber};

    type Fields = Vec<(&'static str, String)>;

    #[derive(Clone, Default)]
    pub struct Warnings(Arc<Mutex<Vec<Fields>>>);

    impl Warnings {
        pub fn take(&self) -> Vec<Fields> {
            std::mem::take(&mut *self.0.lock().unwrap())
        }
    }

    struct Collect(Fields);

    impl Visit for Collect {
        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.push((field.name(), value.to_owned()));
        }
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            self.0.push((field.name(), format!("{value:?}")));
        }
    }

    impl Subscriber for Warnings {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            if *event.metadata().level() == Level::WARN {
                let mut fields = Collect(Vec::new());
                event.record(&mut fields);
                self.0.lock().unwrap().push(fields.0);
            }
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }
}

#[tokio::test]
async fn two_parallel_refreshes_get_one_success_and_a_dead_family() {
    let e = env(TenantSettings::default()).await;
    let r0 = rt(&e.login().await);
    let (a, b) = tokio::join!(e.refresh(&r0), e.refresh(&r0));
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::BAD_REQUEST]);
    let winner = if a.0 == StatusCode::OK { a.1 } else { b.1 };
    // The loser was reuse (overlap period 0): the winner's new token died with it.
    invalid_grant(e.refresh(&rt(&winner)).await);
}

#[tokio::test]
async fn within_the_overlap_period_the_previous_token_works_once() {
    let e = env(TenantSettings {
        refresh_token_reuse_window: 60,
        ..TenantSettings::default()
    })
    .await;
    let r0 = rt(&e.login().await);
    let (status, body) = e.refresh(&r0).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r1 = rt(&body);
    // The response carrying R1 was lost: R0 again, within the period, replaces R1.
    let (status, body) = e.refresh(&r0).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r2 = rt(&body);
    assert_eq!(e.stored(&r2).await.generation, 2);
    invalid_grant(e.refresh(&r1).await);
    // R0 a third time: reuse, the family dies.
    invalid_grant(e.refresh(&r0).await);
    invalid_grant(e.refresh(&r2).await);
}

#[tokio::test]
async fn scope_narrows_for_one_token_and_never_widens() {
    let e = env(TenantSettings::default()).await;
    let r0 = rt(&e.login().await);
    let (status, body) = e.refresh_as(&e.web, &r0, Some("read:orders")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], "read:orders");
    assert!(body.get("id_token").is_none(), "no openid, no ID token");
    assert_eq!(claims(&body["access_token"])["aud"], ORDERS);
    let r1 = rt(&body);
    // The family keeps its scope.
    assert_eq!(
        e.stored(&r1).await.scope,
        "openid email offline_access read:orders"
    );
    // Wider than the family: refused, and the token is not used up.
    assert_error(
        e.refresh_as(&e.web, &r1, Some("openid write:orders profile"))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_scope",
        "The requested scope exceeds the scope granted: write:orders, profile",
    );
    let (status, body) = e.refresh(&r1).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], "openid email offline_access read:orders");
}

#[tokio::test]
async fn another_client_can_neither_use_nor_burn_a_token() {
    let e = env(TenantSettings::default()).await;
    let r0 = rt(&e.login().await);
    invalid_grant(e.refresh_as(&e.other, &r0, None).await);
    assert_error(
        e.refresh_as(&e.no_refresh, &r0, None).await,
        StatusCode::FORBIDDEN,
        "unauthorized_client",
        "Grant type 'refresh_token' not allowed for the client.",
    );
    let stored = e.stored(&r0).await;
    assert_eq!((stored.consumed_at, stored.revoked_at), (None, None));
    let (status, body) = e.refresh(&r0).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn missing_unknown_expired_and_revoked_tokens() {
    let e = env(TenantSettings::default()).await;
    assert_error(
        e.post(&[
            ("grant_type", "refresh_token"),
            ("client_id", &e.web.id),
            ("client_secret", &e.web.secret),
        ])
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "Missing required parameter: refresh_token",
    );
    invalid_grant(e.refresh("no-such-token").await);

    let plant = |name: &'static str, expires_at: UnixTime, idle: UnixTime, revoked: bool| {
        let token = format!("planted-{name}-{}", "x".repeat(30));
        let t = RefreshToken {
            tenant_id: tenant(),
            token_hash: token_hash(&token),
            family_id: format!("fam-{name}"),
            generation: 0,
            client_id: ClientId::new(e.web.id.clone()),
            user_id: e.alice.clone(),
            scope: "openid offline_access".to_owned(),
            audience: Some(ORDERS.to_owned()),
            sid: None,
            code_hash: None,
            auth_time: now(),
            created_at: now(),
            expires_at,
            idle_expires_at: idle,
            consumed_at: None,
            revoked_at: revoked.then(now),
        };
        (token, t)
    };
    let later = now().plus_secs(3600);
    let past = UnixTime(now().0 - 1);
    for (token, t) in [
        plant("absolute", past, later, false),
        plant("idle", later, past, false),
        plant("revoked", later, later, true),
    ] {
        e.store.insert_refresh_token(&t).await.unwrap();
        invalid_grant(e.refresh(&token).await);
        // Nothing was issued in its place.
        assert_eq!(e.stored(&token).await.consumed_at, None);
    }
    let (token, live) = plant("live", later, later, false);
    e.store.insert_refresh_token(&live).await.unwrap();
    let (status, body) = e.refresh(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], "openid offline_access");
}

#[tokio::test]
async fn a_blocked_user_loses_the_family() {
    let e = env(TenantSettings::default()).await;
    let bob = user("auth0|b0b000000000000000000000", "bob@example.com", true);
    e.store.insert_user(&bob).await.unwrap();
    let token = "bob-refresh-token-000000000000000000000000".to_owned();
    e.store
        .insert_refresh_token(&RefreshToken {
            tenant_id: tenant(),
            token_hash: token_hash(&token),
            family_id: "fam-bob".to_owned(),
            generation: 0,
            client_id: ClientId::new(e.web.id.clone()),
            user_id: bob.user_id.clone(),
            scope: "openid offline_access".to_owned(),
            audience: Some(ORDERS.to_owned()),
            sid: None,
            code_hash: None,
            auth_time: now(),
            created_at: now(),
            expires_at: now().plus_secs(3600),
            idle_expires_at: now().plus_secs(3600),
            consumed_at: None,
            revoked_at: None,
        })
        .await
        .unwrap();
    assert_error(
        e.refresh(&token).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        "user is blocked",
    );
    assert!(e.stored(&token).await.revoked_at.is_some());
}

#[tokio::test]
async fn permissions_are_read_again_on_every_refresh() {
    let e = env(TenantSettings::default()).await;
    let code = e
        .code(
            &e.alice,
            "offline_access read:orders write:orders",
            Some(ORDERS),
        )
        .await;
    let body = e.exchange(&code).await;
    assert_eq!(body["scope"], "offline_access read:orders");
    assert_eq!(
        claims(&body["access_token"])["permissions"],
        json!(["read:orders"])
    );
    // Alice gets write:orders now: the next token lists it among her permissions, but
    // the family's scope does not grow without a new login.
    let writer = role(e.store.as_ref(), "rol_writer", "write:orders").await;
    e.store
        .assign_user_roles(&tenant(), &e.alice, &[writer])
        .await
        .unwrap();
    let (status, body) = e.refresh(&rt(&body)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], "offline_access read:orders");
    assert_eq!(
        claims(&body["access_token"])["permissions"],
        json!(["read:orders", "write:orders"])
    );
    assert!(body.get("id_token").is_none());
}
