//! Configuration as code: a tenant's applications, APIs, roles, client grants and
//! settings as one JSON document ([`TenantConfig`]), and the changes that make a tenant
//! match one ([`Plan`]).
//!
//! `portcullis admin export` reads the tenant ([`CurrentState`]) and writes
//! [`export`]'s document; `portcullis admin apply` reads a document, [`check`]s it
//! against the tenant (nothing is written when it has a problem), computes the
//! [`Plan`] and carries it out. Everything here is pure: the CLI does the reading and
//! writing.
//!
//! Objects are matched by a key that is the same in every tenant: APIs by identifier,
//! applications and roles by name (as Auth0's Deploy CLI does), client grants by
//! application name and audience, default roles by role name. Client ids, role ids and
//! secrets are never in the document, so one file can configure several tenants (say,
//! staging and production). The system Management API is left out: Portcullis manages
//! it; grants and permissions on it are in the document like any other.

mod document;
mod plan;
mod validate;

use std::collections::BTreeMap;

pub use document::{
    ApiDoc, AppDoc, GrantDoc, PermissionDoc, RoleDoc, ScopeDoc, SettingsDoc, TenantConfig,
};
pub use plan::{Change, Kind, Plan};
pub use validate::{Checked, Problems, check};

use crate::config_admin::ManagedClient;
use crate::grant::ClientGrant;
use crate::rbac_admin::PermissionRef;
use crate::resource_server::ResourceServer;
use crate::role::Role;
use crate::tenant::TenantSettings;

/// A tenant as the store has it: what [`export`] writes and a [`Plan`] starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentState {
    pub settings: TenantSettings,
    /// Every API, the system Management API included.
    pub apis: Vec<ResourceServer>,
    pub applications: Vec<ManagedClient>,
    pub roles: Vec<CurrentRole>,
    pub grants: Vec<ClientGrant>,
}

/// A role and its permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentRole {
    pub role: Role,
    pub permissions: Vec<PermissionRef>,
}

/// Why a tenant cannot be exported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// Applications are matched by name, so a name must be unique.
    #[error(
        "{count} applications are named {name:?}: applications are matched by name, so \
         rename all but one (PATCH /api/v2/clients/{{id}}) before exporting"
    )]
    DuplicateApplicationName { name: String, count: usize },
}

/// The tenant as a document: every section present, each sorted by its key.
pub fn export(current: &CurrentState) -> Result<TenantConfig, ExportError> {
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &current.applications {
        *names.entry(c.application.name.as_str()).or_default() += 1;
    }
    if let Some((name, count)) = names.iter().find(|(_, n)| **n > 1) {
        return Err(ExportError::DuplicateApplicationName {
            name: (*name).to_owned(),
            count: *count,
        });
    }
    let mut apis: Vec<ApiDoc> = current
        .apis
        .iter()
        .filter(|a| !a.is_system)
        .map(api_doc)
        .collect();
    apis.sort_by(|a, b| a.identifier.cmp(&b.identifier));
    let mut applications: Vec<AppDoc> = current.applications.iter().map(app_doc).collect();
    applications.sort_by(|a, b| a.name.cmp(&b.name));
    let mut roles: Vec<RoleDoc> = current.roles.iter().map(role_doc).collect();
    roles.sort_by(|a, b| a.name.cmp(&b.name));
    let mut client_grants: Vec<GrantDoc> = current
        .grants
        .iter()
        .map(|g| grant_doc(current, g))
        .collect();
    client_grants.sort_by(|a, b| (&a.client, &a.audience).cmp(&(&b.client, &b.audience)));
    Ok(TenantConfig {
        settings: Some(settings_doc(current)),
        apis: Some(apis),
        applications: Some(applications),
        roles: Some(roles),
        client_grants: Some(client_grants),
    })
}

/// The settings with default roles by name; a role id the tenant does not have (which
/// the store does not allow) stays as it is, so it shows as a change.
pub(crate) fn settings_doc(current: &CurrentState) -> SettingsDoc {
    let names = current
        .settings
        .default_roles
        .iter()
        .map(|id| {
            current
                .roles
                .iter()
                .find(|r| r.role.id.as_str() == id)
                .map_or_else(|| id.clone(), |r| r.role.name.clone())
        })
        .collect();
    SettingsDoc::from_settings(current.settings.clone(), names)
}

pub(crate) fn api_doc(api: &ResourceServer) -> ApiDoc {
    ApiDoc {
        identifier: api.identifier.clone(),
        name: api.name.clone(),
        scopes: api
            .scopes
            .iter()
            .map(|s| ScopeDoc {
                value: s.value.clone(),
                description: s.description.clone(),
            })
            .collect(),
        signing_alg: api.signing_alg.clone(),
        token_lifetime: api.token_lifetime,
        allow_offline_access: api.allow_offline_access,
        enforce_policies: api.enforce_policies,
        token_dialect: api.token_dialect.clone(),
    }
}

pub(crate) fn app_doc(client: &ManagedClient) -> AppDoc {
    let app = &client.application;
    AppDoc {
        name: app.name.clone(),
        app_type: app.app_type,
        callbacks: app.callbacks.clone(),
        allowed_logout_urls: app.allowed_logout_urls.clone(),
        web_origins: app.web_origins.clone(),
        grant_types: Some(app.grant_types.clone()),
        token_endpoint_auth_method: Some(app.token_endpoint_auth_method),
        description: client.description.clone(),
    }
}

pub(crate) fn role_doc(current: &CurrentRole) -> RoleDoc {
    let mut permissions: Vec<PermissionDoc> = current
        .permissions
        .iter()
        .map(|p| PermissionDoc {
            resource_server_identifier: p.resource_server_identifier.clone(),
            permission_name: p.permission_name.clone(),
        })
        .collect();
    permissions.sort();
    permissions.dedup();
    RoleDoc {
        name: current.role.name.clone(),
        description: current.role.description.clone(),
        permissions,
    }
}

/// The grant with its application's name (its client id when the application is gone,
/// which the store does not allow).
pub(crate) fn grant_doc(current: &CurrentState, grant: &ClientGrant) -> GrantDoc {
    GrantDoc {
        client: client_name(current, grant),
        audience: grant.audience.clone(),
        scope: grant.scope.clone(),
    }
}

pub(crate) fn client_name(current: &CurrentState, grant: &ClientGrant) -> String {
    current
        .applications
        .iter()
        .find(|c| c.application.client_id == grant.client_id)
        .map_or_else(
            || grant.client_id.to_string(),
            |c| c.application.name.clone(),
        )
}

#[cfg(test)]
pub(crate) mod fixtures;

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[test]
    fn export_sorts_by_key_leaves_out_the_system_api_and_names_roles() {
        let current = bootstrapped();
        let doc = export(&current).unwrap();
        let apis = doc.apis.as_ref().unwrap();
        assert_eq!(
            apis.iter()
                .map(|a| a.identifier.as_str())
                .collect::<Vec<_>>(),
            ["https://a.example/", "https://orders.example/"]
        );
        let apps = doc.applications.as_ref().unwrap();
        assert_eq!(
            apps.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
            ["Default App", "Management M2M"]
        );
        assert_eq!(
            doc.settings.as_ref().unwrap().default_roles,
            ["Reader".to_owned()]
        );
        let grants = doc.client_grants.as_ref().unwrap();
        assert_eq!(
            grants
                .iter()
                .map(|g| (g.client.as_str(), g.audience.as_str()))
                .collect::<Vec<_>>(),
            [
                ("Management M2M", MANAGEMENT),
                ("Management M2M", "https://orders.example/")
            ]
        );
        let reader = &doc.roles.as_ref().unwrap()[0];
        assert_eq!(
            reader.permissions,
            [
                perm("https://orders.example/", "read:orders"),
                perm("https://orders.example/", "write:orders")
            ]
        );
        // Nothing secret, nothing tenant-specific.
        let text = doc.to_json().unwrap();
        for absent in [
            "\"client_secret\"",
            "client_id",
            "rol_",
            "cgr_",
            "is_system",
        ] {
            assert!(!text.contains(absent), "{absent} in {text}");
        }
        assert_eq!(export(&current).unwrap().to_json().unwrap(), text);
    }

    #[test]
    fn export_refuses_applications_sharing_a_name() {
        let mut current = bootstrapped();
        let mut twin = current.applications[0].clone();
        twin.application.client_id = crate::ids::ClientId::new("twin");
        current.applications.push(twin);
        assert_eq!(
            export(&current),
            Err(ExportError::DuplicateApplicationName {
                name: "Default App".to_owned(),
                count: 2
            })
        );
    }
}
