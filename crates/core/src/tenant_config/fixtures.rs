//! A small tenant for the tests of this module.

use crate::application::{AppType, Application, TokenEndpointAuthMethod};
use crate::clock::UnixTime;
use crate::config_admin::ManagedClient;
use crate::grant::ClientGrant;
use crate::ids::{ClientId, GrantId, ResourceServerId, RoleId, TenantId};
use crate::rbac_admin::PermissionRef;
use crate::resource_server::{ResourceServer, ResourceServerScope};
use crate::role::Role;
use crate::tenant::TenantSettings;

use super::{CurrentRole, CurrentState, PermissionDoc};

pub const MANAGEMENT: &str = "https://id.example/api/v2/";
pub const ORDERS: &str = "https://orders.example/";

pub fn perm(api: &str, name: &str) -> PermissionDoc {
    PermissionDoc {
        resource_server_identifier: api.to_owned(),
        permission_name: name.to_owned(),
    }
}

pub fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

pub fn api(identifier: &str, scopes: &[&str], is_system: bool) -> ResourceServer {
    ResourceServer {
        tenant_id: TenantId::default_tenant(),
        id: ResourceServerId::new(format!("rs_{identifier}")),
        name: format!("API {identifier}"),
        identifier: identifier.to_owned(),
        scopes: scopes
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
        is_system,
        created_at: UnixTime(1),
    }
}

pub fn app(client_id: &str, name: &str, app_type: AppType) -> ManagedClient {
    let m2m = app_type == AppType::NonInteractive;
    let public = !app_type.is_confidential();
    let web = |s: &str| if m2m { Vec::new() } else { vec![s.to_owned()] };
    ManagedClient {
        application: Application {
            tenant_id: TenantId::default_tenant(),
            client_id: ClientId::new(client_id),
            name: name.to_owned(),
            app_type,
            client_secret_hash: None,
            token_endpoint_auth_method: if public {
                TokenEndpointAuthMethod::None
            } else {
                TokenEndpointAuthMethod::ClientSecretPost
            },
            callbacks: web("http://localhost:3000/callback"),
            allowed_logout_urls: web("http://localhost:3000"),
            web_origins: web("http://localhost:3000"),
            grant_types: if m2m {
                strings(&["client_credentials"])
            } else {
                strings(&["authorization_code", "implicit", "refresh_token"])
            },
            created_at: UnixTime(1),
        },
        description: String::new(),
    }
}

pub fn role(id: &str, name: &str, perms: &[(&str, &str)]) -> CurrentRole {
    CurrentRole {
        role: Role {
            tenant_id: TenantId::default_tenant(),
            id: RoleId::new(id),
            name: name.to_owned(),
            description: String::new(),
            created_at: UnixTime(1),
        },
        permissions: perms
            .iter()
            .map(|(a, p)| PermissionRef {
                resource_server_identifier: (*a).to_owned(),
                permission_name: (*p).to_owned(),
            })
            .collect(),
    }
}

pub fn grant(id: &str, client_id: &str, audience: &str, scope: &[&str]) -> ClientGrant {
    ClientGrant {
        tenant_id: TenantId::default_tenant(),
        id: GrantId::new(id),
        client_id: ClientId::new(client_id),
        audience: audience.to_owned(),
        scope: strings(scope),
        created_at: UnixTime(1),
    }
}

/// The Management API, an orders API and an empty one; a web app and a
/// machine-to-machine app with grants for both real APIs; a Reader role (the default
/// role) with two permissions, stored out of order.
pub fn bootstrapped() -> CurrentState {
    CurrentState {
        settings: TenantSettings {
            default_roles: strings(&["rol_reader"]),
            ..TenantSettings::default()
        },
        apis: vec![
            api(MANAGEMENT, &["read:users", "create:users"], true),
            api(ORDERS, &["read:orders", "write:orders"], false),
            api("https://a.example/", &[], false),
        ],
        applications: vec![
            app("web0000", "Default App", AppType::RegularWeb),
            app("m2m0000", "Management M2M", AppType::NonInteractive),
        ],
        roles: vec![role(
            "rol_reader",
            "Reader",
            &[(ORDERS, "write:orders"), (ORDERS, "read:orders")],
        )],
        grants: vec![
            grant("cgr_orders", "m2m0000", ORDERS, &["read:orders"]),
            grant("cgr_mgmt", "m2m0000", MANAGEMENT, &["read:users"]),
        ],
    }
}
