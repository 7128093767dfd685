//! First start: the default tenant, its first signing key, the Management API, an admin
//! machine-to-machine application and a sample web application.

use portcullis_jose::{Algorithm, MasterKey};

use crate::application::{AppType, Application, TokenEndpointAuthMethod};
use crate::clock::Clock;
use crate::error::CoreError;
use crate::grant::ClientGrant;
use crate::ids::{ClientId, GrantId, ResourceServerId, TenantId};
use crate::keys::{StoredKey, new_stored_key};
use crate::resource_server::{ResourceServer, ResourceServerScope};
use crate::rng::{Rng, random_alphanumeric};
use crate::secret::ClientSecret;
use crate::store::Store;
use crate::tenant::{Tenant, TenantSettings};

/// Everything a new tenant starts with, written in one transaction by [`Store::bootstrap`].
#[derive(Debug, Clone)]
pub struct TenantSeed {
    pub tenant: Tenant,
    pub key: StoredKey,
    pub resource_servers: Vec<ResourceServer>,
    pub applications: Vec<Application>,
    pub grants: Vec<ClientGrant>,
}

/// What was created, with the secrets in clear: shown once, never stored in clear.
#[derive(Debug, Clone)]
pub struct BootstrapReport {
    pub kid: String,
    pub management_audience: String,
    pub web_client_id: ClientId,
    pub web_client_secret: ClientSecret,
    pub m2m_client_id: ClientId,
    pub m2m_client_secret: ClientSecret,
}

/// The scopes of the Management API, with Auth0's names.
pub const MANAGEMENT_SCOPES: &[&str] = &[
    "read:users",
    "create:users",
    "update:users",
    "delete:users",
    "read:users_app_metadata",
    "update:users_app_metadata",
    "create:users_app_metadata",
    "delete:users_app_metadata",
    "read:roles",
    "create:roles",
    "update:roles",
    "delete:roles",
    "read:role_members",
    "create:role_members",
    "delete:role_members",
    "read:clients",
    "create:clients",
    "update:clients",
    "delete:clients",
    "read:client_keys",
    "update:client_keys",
    "read:client_grants",
    "create:client_grants",
    "update:client_grants",
    "delete:client_grants",
    "read:resource_servers",
    "create:resource_servers",
    "update:resource_servers",
    "delete:resource_servers",
    "read:tenant_settings",
    "update:tenant_settings",
    "read:logs",
    "read:logs_users",
    "read:signing_keys",
    "create:signing_keys",
    "update:signing_keys",
];

/// The quickstart values of Auth0's sample Regular Web Application: the callback of
/// express-openid-connect, and of nextjs-auth0 v4 and the Rust SDK.
pub const SAMPLE_CALLBACK: &str = "http://localhost:3000/callback";
pub const SAMPLE_SDK_CALLBACK: &str = "http://localhost:3000/auth/callback";
pub const SAMPLE_ORIGIN: &str = "http://localhost:3000";

/// Creates the tenant if it does not exist. Returns `None` when it already existed
/// (including when another instance created it first).
pub async fn bootstrap(
    store: &dyn Store,
    clock: &dyn Clock,
    rng: &dyn Rng,
    master: &MasterKey,
    tenant_id: &TenantId,
    issuer: &str,
) -> Result<Option<BootstrapReport>, CoreError> {
    if store.tenant(tenant_id).await?.is_some() {
        return Ok(None);
    }
    let (seed, report) = seed(clock, rng, master, tenant_id, issuer)?;
    Ok(store.bootstrap(&seed).await?.then_some(report))
}

fn seed(
    clock: &dyn Clock,
    rng: &dyn Rng,
    master: &MasterKey,
    tenant_id: &TenantId,
    issuer: &str,
) -> Result<(TenantSeed, BootstrapReport), CoreError> {
    let now = clock.now();
    let key = new_stored_key(tenant_id, Algorithm::Rs256, master, rng, now, now)?;
    let management_audience = format!("{issuer}api/v2/");
    let management_api = ResourceServer {
        tenant_id: tenant_id.clone(),
        id: ResourceServerId::generate(rng),
        name: "Portcullis Management API".to_owned(),
        identifier: management_audience.clone(),
        scopes: MANAGEMENT_SCOPES
            .iter()
            .map(|s| ResourceServerScope {
                value: (*s).to_owned(),
                description: String::new(),
            })
            .collect(),
        signing_alg: "RS256".to_owned(),
        token_lifetime: 86_400,
        allow_offline_access: false,
        enforce_policies: false,
        token_dialect: "access_token".to_owned(),
        is_system: true,
        created_at: now,
    };
    let web_secret = ClientSecret::generate(rng);
    let web = Application {
        tenant_id: tenant_id.clone(),
        client_id: ClientId::new(random_alphanumeric(rng, 32)),
        name: "Default App".to_owned(),
        app_type: AppType::RegularWeb,
        client_secret_hash: Some(web_secret.hash()),
        token_endpoint_auth_method: TokenEndpointAuthMethod::ClientSecretPost,
        callbacks: vec![SAMPLE_CALLBACK.to_owned(), SAMPLE_SDK_CALLBACK.to_owned()],
        allowed_logout_urls: vec![SAMPLE_ORIGIN.to_owned()],
        web_origins: vec![SAMPLE_ORIGIN.to_owned()],
        grant_types: vec![
            "authorization_code".to_owned(),
            "implicit".to_owned(),
            "refresh_token".to_owned(),
        ],
        created_at: now,
    };
    let m2m_secret = ClientSecret::generate(rng);
    let m2m = Application {
        tenant_id: tenant_id.clone(),
        client_id: ClientId::new(random_alphanumeric(rng, 32)),
        name: "Portcullis Admin (machine to machine)".to_owned(),
        app_type: AppType::NonInteractive,
        client_secret_hash: Some(m2m_secret.hash()),
        token_endpoint_auth_method: TokenEndpointAuthMethod::ClientSecretPost,
        callbacks: Vec::new(),
        allowed_logout_urls: Vec::new(),
        web_origins: Vec::new(),
        grant_types: vec!["client_credentials".to_owned()],
        created_at: now,
    };
    let grant = ClientGrant {
        tenant_id: tenant_id.clone(),
        id: GrantId::new(format!("cgr_{}", random_alphanumeric(rng, 16))),
        client_id: m2m.client_id.clone(),
        audience: management_audience.clone(),
        scope: MANAGEMENT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        created_at: now,
    };
    let report = BootstrapReport {
        kid: key.kid.clone(),
        management_audience,
        web_client_id: web.client_id.clone(),
        web_client_secret: web_secret,
        m2m_client_id: m2m.client_id.clone(),
        m2m_client_secret: m2m_secret,
    };
    let seed = TenantSeed {
        tenant: Tenant {
            id: tenant_id.clone(),
            settings: TenantSettings::default(),
            created_at: now,
        },
        key,
        resource_servers: vec![management_api],
        applications: vec![web, m2m],
        grants: vec![grant],
    };
    Ok((seed, report))
}
