//! The tenant configuration document: what `admin export` writes and `admin apply`
//! reads. Keys come out in the order the fields are declared here, so two exports of
//! one tenant are byte for byte the same.
//!
//! A field left out of an object takes its default (the value a new object gets); an
//! unknown field is an error. Nothing here is secret: client secrets are never part of
//! the document.

use serde::{Deserialize, Serialize};

use crate::app_registration::NewApplication;
use crate::application::{AppType, TokenEndpointAuthMethod};
use crate::tenant::TenantSettings;

/// The whole document. A section left out (or `null`) is not managed: `apply` neither
/// reads nor changes that part of the tenant, even with `--prune`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<SettingsDoc>,
    /// APIs (resource servers) other than the system Management API, by identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apis: Option<Vec<ApiDoc>>,
    /// Applications, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applications: Option<Vec<AppDoc>>,
    /// Roles, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<RoleDoc>>,
    /// Client grants, by application name and audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_grants: Option<Vec<GrantDoc>>,
}

/// The tenant settings ([`TenantSettings`], same names and meanings), with the default
/// roles named by role name instead of role id, so a file fits any tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SettingsDoc {
    pub friendly_name: String,
    pub picture_url: Option<String>,
    pub session_lifetime: u32,
    pub idle_session_lifetime: u32,
    pub id_token_lifetime: u32,
    /// Role names.
    pub default_roles: Vec<String>,
    pub refresh_token_reuse_window: u32,
    pub refresh_token_lifetime: u32,
    pub refresh_token_idle_lifetime: u32,
    pub signup_requires_verification: bool,
}

impl Default for SettingsDoc {
    fn default() -> Self {
        SettingsDoc::from_settings(TenantSettings::default(), Vec::new())
    }
}

impl SettingsDoc {
    /// `settings` with its default roles replaced by `default_role_names`.
    pub fn from_settings(settings: TenantSettings, default_role_names: Vec<String>) -> Self {
        // No `..`: a setting added to TenantSettings must be added here too.
        let TenantSettings {
            friendly_name,
            picture_url,
            session_lifetime,
            idle_session_lifetime,
            id_token_lifetime,
            default_roles: _,
            refresh_token_reuse_window,
            refresh_token_lifetime,
            refresh_token_idle_lifetime,
            signup_requires_verification,
        } = settings;
        SettingsDoc {
            friendly_name,
            picture_url,
            session_lifetime,
            idle_session_lifetime,
            id_token_lifetime,
            default_roles: default_role_names,
            refresh_token_reuse_window,
            refresh_token_lifetime,
            refresh_token_idle_lifetime,
            signup_requires_verification,
        }
    }

    /// The settings, with `default_role_ids` (the ids of [`Self::default_roles`]).
    pub fn to_settings(&self, default_role_ids: Vec<String>) -> TenantSettings {
        let SettingsDoc {
            friendly_name,
            picture_url,
            session_lifetime,
            idle_session_lifetime,
            id_token_lifetime,
            default_roles: _,
            refresh_token_reuse_window,
            refresh_token_lifetime,
            refresh_token_idle_lifetime,
            signup_requires_verification,
        } = self.clone();
        TenantSettings {
            friendly_name,
            picture_url,
            session_lifetime,
            idle_session_lifetime,
            id_token_lifetime,
            default_roles: default_role_ids,
            refresh_token_reuse_window,
            refresh_token_lifetime,
            refresh_token_idle_lifetime,
            signup_requires_verification,
        }
    }
}

/// An API (resource server), identified by its `identifier` (the audience).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiDoc {
    pub identifier: String,
    pub name: String,
    #[serde(default)]
    pub scopes: Vec<ScopeDoc>,
    /// Only `RS256`: access tokens are signed with the tenant's keys.
    #[serde(default = "default_signing_alg")]
    pub signing_alg: String,
    /// Access token lifetime, seconds.
    #[serde(default = "default_token_lifetime")]
    pub token_lifetime: u32,
    #[serde(default)]
    pub allow_offline_access: bool,
    /// RBAC: users get only the scopes their roles give.
    #[serde(default)]
    pub enforce_policies: bool,
    /// `access_token`, or `access_token_authz` (adds the `permissions` claim; needs
    /// `enforce_policies`).
    #[serde(default = "default_token_dialect")]
    pub token_dialect: String,
}

pub(crate) fn default_signing_alg() -> String {
    "RS256".to_owned()
}

pub(crate) fn default_token_lifetime() -> u32 {
    86_400
}

pub(crate) fn default_token_dialect() -> String {
    "access_token".to_owned()
}

/// A scope (permission) an API defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeDoc {
    pub value: String,
    #[serde(default)]
    pub description: String,
}

/// An application, identified by its name (as Auth0's Deploy CLI does): names must be
/// unique in the file and in the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppDoc {
    pub name: String,
    pub app_type: AppType,
    #[serde(default)]
    pub callbacks: Vec<String>,
    #[serde(default)]
    pub allowed_logout_urls: Vec<String>,
    #[serde(default)]
    pub web_origins: Vec<String>,
    /// `None` (left out): the type's defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types: Option<Vec<String>>,
    /// `None` (left out): the type's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<TokenEndpointAuthMethod>,
    #[serde(default)]
    pub description: String,
}

impl AppDoc {
    /// What registering it takes ([`crate::Application::register`] fills in the type's
    /// defaults and checks the URLs).
    pub fn new_application(&self) -> NewApplication {
        NewApplication {
            name: self.name.clone(),
            app_type: self.app_type,
            callbacks: self.callbacks.clone(),
            allowed_logout_urls: self.allowed_logout_urls.clone(),
            web_origins: self.web_origins.clone(),
            token_endpoint_auth_method: self.token_endpoint_auth_method,
        }
    }
}

/// A role, identified by its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleDoc {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub permissions: Vec<PermissionDoc>,
}

/// A permission: a scope of an API, named by the API's identifier and the scope value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionDoc {
    pub resource_server_identifier: String,
    pub permission_name: String,
}

/// A client grant: the application named `client` may get tokens for the API
/// `audience` with `scope` (client credentials).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantDoc {
    /// The application's name.
    pub client: String,
    pub audience: String,
    #[serde(default)]
    pub scope: Vec<String>,
}

impl TenantConfig {
    /// Reads a document, refusing unknown fields (serde names the first one, with its
    /// line and column).
    pub fn from_json(text: &str) -> Result<TenantConfig, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The document, pretty-printed, ending in a newline.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let mut out = serde_json::to_string_pretty(self)?;
        out.push('\n');
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_doc_has_every_tenant_setting() {
        // The same keys, in the same order, as the stored settings.
        let stored = serde_json::to_value(TenantSettings::default()).unwrap();
        let doc = serde_json::to_value(SettingsDoc::default()).unwrap();
        let keys = |v: &serde_json::Value| -> Vec<String> {
            v.as_object().unwrap().keys().cloned().collect()
        };
        assert_eq!(keys(&stored), keys(&doc));
        assert_eq!(stored, doc);
        let back = SettingsDoc::default().to_settings(vec!["rol_1".to_owned()]);
        assert_eq!(
            back,
            TenantSettings {
                default_roles: vec!["rol_1".to_owned()],
                ..TenantSettings::default()
            }
        );
    }

    #[test]
    fn left_out_fields_take_defaults_and_unknown_ones_are_refused() {
        let doc = TenantConfig::from_json(
            r#"{"apis":[{"identifier":"urn:a","name":"A"}],
                "applications":[{"name":"W","app_type":"spa"}],
                "roles":[{"name":"R"}],
                "client_grants":[{"client":"M","audience":"urn:a"}],
                "settings":{"friendly_name":"Acme"}}"#,
        )
        .unwrap();
        let api = &doc.apis.as_ref().unwrap()[0];
        assert_eq!(
            (
                api.signing_alg.as_str(),
                api.token_lifetime,
                api.token_dialect.as_str(),
                api.scopes.len()
            ),
            ("RS256", 86_400, "access_token", 0)
        );
        let app = &doc.applications.as_ref().unwrap()[0];
        assert_eq!(
            (app.grant_types.as_ref(), app.token_endpoint_auth_method),
            (None, None)
        );
        assert_eq!(
            doc.settings.as_ref().unwrap(),
            &SettingsDoc {
                friendly_name: "Acme".to_owned(),
                ..SettingsDoc::default()
            }
        );
        assert_eq!(
            TenantConfig::from_json("{}").unwrap(),
            TenantConfig::default()
        );

        for (text, field) in [
            (r#"{"tenant":{}}"#, "tenant"),
            (
                r#"{"apis":[{"identifier":"a","name":"A","colour":1}]}"#,
                "colour",
            ),
            (r#"{"settings":{"flags":{}}}"#, "flags"),
            (
                r#"{"applications":[{"name":"W","app_type":"spa","client_secret":"x"}]}"#,
                "client_secret",
            ),
            (r#"{"roles":[{"name":"R","permissions":[{"x":1}]}]}"#, "x"),
        ] {
            let err = TenantConfig::from_json(text).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("unknown field `{field}`")),
                "{err}"
            );
        }
    }

    #[test]
    fn json_is_pretty_in_declaration_order_and_ends_in_a_newline() {
        let doc = TenantConfig {
            roles: Some(vec![RoleDoc {
                name: "R".to_owned(),
                description: String::new(),
                permissions: Vec::new(),
            }]),
            settings: Some(SettingsDoc::default()),
            ..TenantConfig::default()
        };
        let text = doc.to_json().unwrap();
        assert!(text.ends_with("}\n"));
        assert!(text.starts_with("{\n  \"settings\": {\n    \"friendly_name\": \"Portcullis\","));
        let roles_at = text.find("\"roles\"").unwrap();
        assert!(text.find("\"signup_requires_verification\"").unwrap() < roles_at);
        assert_eq!(TenantConfig::from_json(&text).unwrap(), doc);
    }
}
