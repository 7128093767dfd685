//! Reading the tenant as a [`CurrentState`], through the Management API.
//!
//! The API's answers are parsed into the domain types the plan compares; what the API
//! does not show is left at a neutral value the plan never reads (creation dates, and
//! client secret hashes: updates go through `PATCH /clients`, which keeps the secret).

use axum::http::Method;
use portcullis_core::config_admin::ManagedClient;
use portcullis_core::rbac_admin::PermissionRef;
use portcullis_core::tenant_config::{CurrentRole, CurrentState};
use portcullis_core::{
    AppType, Application, ClientGrant, ClientId, GrantId, ResourceServer, ResourceServerId,
    ResourceServerScope, Role, RoleId, TenantId, TenantSettings, TokenEndpointAuthMethod, UnixTime,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::Failure;
use crate::mgmt_client::{Client, encode};

pub async fn read(client: &Client) -> Result<CurrentState, Failure> {
    let tenant = TenantId::default_tenant();
    let settings: TenantSettings = parse(
        "/tenants/settings",
        client.call(Method::GET, "/tenants/settings", None).await?,
    )?;
    let apis = all::<ApiJson>(client, "/resource-servers")
        .await?
        .into_iter()
        .map(|a| a.into_domain(&tenant))
        .collect();
    let mut applications = Vec::new();
    for c in all::<ClientJson>(client, "/clients").await? {
        applications.push(c.into_domain(&tenant)?);
    }
    let mut roles = Vec::new();
    for r in all::<RoleJson>(client, "/roles").await? {
        let path = format!("/roles/{}/permissions", encode(&r.id));
        let permissions = all::<PermissionJson>(client, &path)
            .await?
            .into_iter()
            .map(|p| PermissionRef {
                resource_server_identifier: p.resource_server_identifier,
                permission_name: p.permission_name,
            })
            .collect();
        roles.push(CurrentRole {
            role: Role {
                tenant_id: tenant.clone(),
                id: RoleId::new(r.id),
                name: r.name,
                description: r.description,
                created_at: UnixTime(0),
            },
            permissions,
        });
    }
    let grants = all::<GrantJson>(client, "/client-grants")
        .await?
        .into_iter()
        .map(|g| ClientGrant {
            tenant_id: tenant.clone(),
            id: GrantId::new(g.id),
            client_id: ClientId::new(g.client_id),
            audience: g.audience,
            scope: g.scope,
            created_at: UnixTime(0),
        })
        .collect();
    Ok(CurrentState {
        settings,
        apis,
        applications,
        roles,
        grants,
    })
}

/// Every item of a listing, parsed.
async fn all<T: DeserializeOwned>(client: &Client, path: &str) -> Result<Vec<T>, Failure> {
    client
        .list_all(path, "")
        .await?
        .into_iter()
        .map(|v| parse(path, v))
        .collect()
}

fn parse<T: DeserializeOwned>(path: &str, v: Value) -> Result<T, Failure> {
    serde_json::from_value(v).map_err(|e| Failure {
        code: 1,
        message: format!("GET {path} answered something unexpected: {e}"),
    })
}

#[derive(Deserialize)]
struct ApiJson {
    id: String,
    name: String,
    identifier: String,
    #[serde(default)]
    scopes: Vec<ScopeJson>,
    signing_alg: String,
    token_lifetime: u32,
    #[serde(default)]
    allow_offline_access: bool,
    #[serde(default)]
    enforce_policies: bool,
    token_dialect: String,
    #[serde(default)]
    is_system: bool,
}

#[derive(Deserialize)]
struct ScopeJson {
    value: String,
    #[serde(default)]
    description: String,
}

impl ApiJson {
    fn into_domain(self, tenant: &TenantId) -> ResourceServer {
        ResourceServer {
            tenant_id: tenant.clone(),
            id: ResourceServerId::new(self.id),
            name: self.name,
            identifier: self.identifier,
            scopes: self
                .scopes
                .into_iter()
                .map(|s| ResourceServerScope {
                    value: s.value,
                    description: s.description,
                })
                .collect(),
            signing_alg: self.signing_alg,
            token_lifetime: self.token_lifetime,
            allow_offline_access: self.allow_offline_access,
            enforce_policies: self.enforce_policies,
            token_dialect: self.token_dialect,
            is_system: self.is_system,
            created_at: UnixTime(0),
        }
    }
}

#[derive(Deserialize)]
struct ClientJson {
    client_id: String,
    name: String,
    #[serde(default)]
    description: String,
    app_type: String,
    token_endpoint_auth_method: String,
    #[serde(default)]
    callbacks: Vec<String>,
    #[serde(default)]
    allowed_logout_urls: Vec<String>,
    #[serde(default)]
    web_origins: Vec<String>,
    #[serde(default)]
    grant_types: Vec<String>,
}

impl ClientJson {
    fn into_domain(self, tenant: &TenantId) -> Result<ManagedClient, Failure> {
        let unknown = |what: &str, value: &str| Failure {
            code: 1,
            message: format!("GET /clients answered an unknown {what} {value:?}"),
        };
        let app_type =
            AppType::parse(&self.app_type).ok_or_else(|| unknown("app_type", &self.app_type))?;
        let method =
            TokenEndpointAuthMethod::parse(&self.token_endpoint_auth_method).ok_or_else(|| {
                unknown(
                    "token_endpoint_auth_method",
                    &self.token_endpoint_auth_method,
                )
            })?;
        Ok(ManagedClient {
            application: Application {
                tenant_id: tenant.clone(),
                client_id: ClientId::new(self.client_id),
                name: self.name,
                app_type,
                client_secret_hash: None,
                token_endpoint_auth_method: method,
                callbacks: self.callbacks,
                allowed_logout_urls: self.allowed_logout_urls,
                web_origins: self.web_origins,
                grant_types: self.grant_types,
                created_at: UnixTime(0),
            },
            description: self.description,
        })
    }
}

#[derive(Deserialize)]
struct RoleJson {
    id: String,
    name: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
struct PermissionJson {
    resource_server_identifier: String,
    permission_name: String,
}

#[derive(Deserialize)]
struct GrantJson {
    id: String,
    client_id: String,
    audience: String,
    #[serde(default)]
    scope: Vec<String>,
}
