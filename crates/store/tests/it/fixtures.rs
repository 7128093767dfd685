//! Builders shared by the users-and-grants story and the races: a seeded tenant, users,
//! codes and refresh tokens with fixed values.

use portcullis_core::bootstrap::TenantSeed;
use portcullis_core::keys::new_stored_key;
use portcullis_core::user::DATABASE_CONNECTION;
use portcullis_core::{
    AppType, Application, AuthorizationCode, ClientId, RefreshToken, ResourceServer,
    ResourceServerId, Store, StoreError, SystemRng, Tenant, TenantId, TenantSettings,
    TokenEndpointAuthMethod, UnixTime, User, UserId, token_hash,
};
use portcullis_jose::{Algorithm, MasterKey};
use serde_json::json;

pub const T0: UnixTime = UnixTime(1_700_000_000);
pub const API: &str = "https://api.acme.test/";
pub const BILLING: &str = "https://billing.acme.test/";
pub const CALLBACK: &str = "https://app.acme.test/callback";
pub const DAY: i64 = 86_400;

pub fn web_client() -> ClientId {
    ClientId::new("AcmeWebAppClient0000000000000000")
}

/// A tenant with two APIs and one web application, written through `Store::bootstrap`.
pub async fn seed_tenant(store: &dyn Store, tenant: &TenantId, settings: TenantSettings) {
    let rng = SystemRng::new();
    let master = MasterKey::generate().unwrap();
    let api = |id: &str, identifier: &str| ResourceServer {
        tenant_id: tenant.clone(),
        id: ResourceServerId::new(id),
        name: identifier.to_owned(),
        identifier: identifier.to_owned(),
        scopes: Vec::new(),
        signing_alg: "RS256".to_owned(),
        token_lifetime: 86_400,
        allow_offline_access: true,
        enforce_policies: true,
        token_dialect: "access_token_authz".to_owned(),
        is_system: false,
        created_at: T0,
    };
    let seed = TenantSeed {
        tenant: Tenant {
            id: tenant.clone(),
            settings,
            created_at: T0,
        },
        key: new_stored_key(tenant, Algorithm::Rs256, &master, &rng, T0, T0).unwrap(),
        resource_servers: vec![api("api0", API), api("api1", BILLING)],
        applications: vec![Application {
            tenant_id: tenant.clone(),
            client_id: web_client(),
            name: "Acme Web".to_owned(),
            app_type: AppType::Spa,
            client_secret_hash: None,
            token_endpoint_auth_method: TokenEndpointAuthMethod::None,
            callbacks: vec![CALLBACK.to_owned()],
            allowed_logout_urls: Vec::new(),
            web_origins: Vec::new(),
            grant_types: vec!["authorization_code".to_owned(), "refresh_token".to_owned()],
            created_at: T0,
        }],
        grants: Vec::new(),
    };
    assert!(store.bootstrap(&seed).await.unwrap());
}

/// A database user with only the required fields set.
pub fn user(tenant: &TenantId, user_id: UserId, email: &str) -> User {
    User {
        tenant_id: tenant.clone(),
        user_id,
        connection: DATABASE_CONNECTION.to_owned(),
        email: email.to_owned(),
        email_verified: false,
        name: email.to_owned(),
        nickname: email.split('@').next().unwrap().to_owned(),
        picture: None,
        password_hash: None,
        blocked: false,
        user_metadata: json!({}),
        app_metadata: json!({}),
        created_at: T0,
        updated_at: T0,
        last_login: None,
        logins_count: 0,
    }
}

pub fn code(tenant: &TenantId, user_id: &UserId, code: &str, at: UnixTime) -> AuthorizationCode {
    AuthorizationCode {
        tenant_id: tenant.clone(),
        code_hash: token_hash(code),
        client_id: web_client(),
        redirect_uri: CALLBACK.to_owned(),
        user_id: user_id.clone(),
        scope: "openid profile email offline_access".to_owned(),
        audience: Some(API.to_owned()),
        nonce: Some("n-0S6_WzA2Mj".to_owned()),
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".to_owned()),
        sid: "sid-alice-1".to_owned(),
        auth_time: at,
        created_at: at,
        expires_at: at.plus_secs(60),
        consumed_at: None,
    }
}

/// A refresh token of `family` for `user_id`, issued at `at`: the family expires 30 days
/// after T0, the token after 15 idle days.
pub fn refresh(
    tenant: &TenantId,
    user_id: &UserId,
    token: &str,
    family: &str,
    generation: u32,
    at: UnixTime,
) -> RefreshToken {
    RefreshToken {
        tenant_id: tenant.clone(),
        token_hash: token_hash(token),
        family_id: family.to_owned(),
        generation,
        client_id: web_client(),
        user_id: user_id.clone(),
        scope: "openid offline_access".to_owned(),
        audience: Some(API.to_owned()),
        sid: Some("sid-alice-1".to_owned()),
        code_hash: None,
        auth_time: at,
        created_at: at,
        expires_at: T0.plus_secs(30 * DAY),
        idle_expires_at: at.plus_secs(15 * DAY),
        consumed_at: None,
        revoked_at: None,
    }
}

pub fn is_conflict<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::Conflict(_)))
}

/// Every token of `family` among `tokens`, as stored now.
pub async fn stored(
    store: &dyn Store,
    tenant: &TenantId,
    tokens: &[&RefreshToken],
) -> Vec<RefreshToken> {
    let mut out = Vec::new();
    for t in tokens {
        out.push(
            store
                .refresh_token(tenant, &t.token_hash)
                .await
                .unwrap()
                .unwrap(),
        );
    }
    out
}
