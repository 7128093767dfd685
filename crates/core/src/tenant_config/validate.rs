//! Checking a document against the tenant before anything is written: every problem
//! found is reported at once, and a document with any problem changes nothing.
//!
//! The checks are those of the Management API (and `admin apps create`, `admin apis
//! create`): application URLs pass [`Application::register`], API fields Auth0's limits,
//! settings their ranges. On top, what a document adds: keys (identifier, name) are
//! unique, a grant or permission names an API and application that exist once the
//! document is applied, with scopes that API defines, and default roles name roles.
//!
//! Checking also normalises: names are trimmed, repeated values in lists dropped,
//! permissions sorted, and an application's left-out grant types and token endpoint
//! auth method filled with its type's defaults; the [`Plan`](super::Plan) compares the
//! tenant with this normalised document.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::application::{Application, TokenEndpointAuthMethod};
use crate::resource_server::{NewApi, ResourceServer};
use crate::rng::Rng;

use super::CurrentState;
use super::document::{ApiDoc, AppDoc, GrantDoc, RoleDoc, SettingsDoc, TenantConfig};
use crate::limits::{
    GRANT_TYPES, MAX_API_IDENTIFIER as MAX_IDENTIFIER, MAX_API_NAME,
    MAX_API_TOKEN_LIFETIME as MAX_TOKEN_LIFETIME, MAX_CLIENT_DESCRIPTION as MAX_DESCRIPTION,
    MAX_FRIENDLY_NAME, MAX_ID_TOKEN_LIFETIME, MAX_PICTURE_URL, MAX_REFRESH_LIFETIME,
    MAX_REUSE_WINDOW, MAX_SCOPE_DESCRIPTION, MAX_SCOPE_VALUE, MAX_SESSION_HOURS, TOKEN_DIALECTS,
};

/// A document that passed [`check`], normalised. Only a checked document can be planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked(TenantConfig);

impl Checked {
    pub fn config(&self) -> &TenantConfig {
        &self.0
    }
}

/// Everything wrong with a document, one sentence each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<String>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [one] => f.write_str(one),
            many => write!(f, "{} problems: {}", many.len(), many.join("; ")),
        }
    }
}

impl std::error::Error for Problems {}

/// Checks `doc` against the tenant `current` and normalises it. `rng` is only used by
/// the checks [`Application::register`] and [`ResourceServer::create`] do (they make
/// ids, and a secret); nothing they make is kept.
pub fn check(
    doc: TenantConfig,
    current: &CurrentState,
    rng: &dyn Rng,
) -> Result<Checked, Problems> {
    let mut p = Vec::new();
    let apis = doc.apis.map(|list| check_apis(list, current, rng, &mut p));
    let applications = doc
        .applications
        .map(|list| check_apps(list, current, rng, &mut p));
    let known = Known::new(current, apis.as_deref(), applications.as_deref());
    let roles = doc.roles.map(|list| check_roles(list, &known, &mut p));
    let role_names: BTreeSet<&str> = match &roles {
        Some(list) => list.iter().map(|r| r.name.as_str()).collect(),
        None => current.roles.iter().map(|r| r.role.name.as_str()).collect(),
    };
    let settings = doc.settings.map(|s| check_settings(s, &role_names, &mut p));
    let client_grants = doc
        .client_grants
        .map(|list| check_grants(list, &known, &mut p));
    if !p.is_empty() {
        return Err(Problems(p));
    }
    Ok(Checked(TenantConfig {
        settings,
        apis,
        applications,
        roles,
        client_grants,
    }))
}

/// The APIs and applications there will be once the document is applied: a section of
/// the document, or (left out) the tenant's.
struct Known<'a> {
    /// Scope values by API identifier; system APIs always come from the tenant.
    apis: BTreeMap<&'a str, Vec<&'a str>>,
    /// Grant types of each application name, once per application with that name
    /// (`None`: unknown, as the application has a problem of its own).
    apps: BTreeMap<&'a str, Vec<Option<&'a [String]>>>,
}

impl<'a> Known<'a> {
    fn new(
        current: &'a CurrentState,
        apis: Option<&'a [ApiDoc]>,
        apps: Option<&'a [AppDoc]>,
    ) -> Known<'a> {
        let mut known_apis: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for a in &current.apis {
            if a.is_system || apis.is_none() {
                known_apis.insert(
                    &a.identifier,
                    a.scopes.iter().map(|s| s.value.as_str()).collect(),
                );
            }
        }
        for a in apis.unwrap_or_default() {
            known_apis
                .entry(&a.identifier)
                .or_insert_with(|| a.scopes.iter().map(|s| s.value.as_str()).collect());
        }
        let mut known_apps: BTreeMap<&str, Vec<Option<&[String]>>> = BTreeMap::new();
        match apps {
            Some(list) => {
                for a in list {
                    known_apps
                        .entry(&a.name)
                        .or_default()
                        .push(a.grant_types.as_deref());
                }
            }
            None => {
                for c in &current.applications {
                    known_apps
                        .entry(&c.application.name)
                        .or_default()
                        .push(Some(&c.application.grant_types));
                }
            }
        }
        Known {
            apis: known_apis,
            apps: known_apps,
        }
    }

    /// The API's scope values, or why it cannot be named.
    fn api(&self, identifier: &str) -> Result<&[&'a str], String> {
        self.apis
            .get(identifier)
            .map(Vec::as_slice)
            .ok_or_else(|| format!("there is no API with identifier {identifier:?}"))
    }
}

fn check_apis(
    list: Vec<ApiDoc>,
    current: &CurrentState,
    rng: &dyn Rng,
    p: &mut Vec<String>,
) -> Vec<ApiDoc> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(list.len());
    for api in list {
        let at = format!("api {:?}", api.identifier);
        if !seen.insert(api.identifier.clone()) {
            p.push(format!("{at} is in the file more than once"));
            continue;
        }
        if current
            .apis
            .iter()
            .any(|a| a.is_system && a.identifier == api.identifier)
        {
            p.push(format!(
                "{at} is the system Management API, which Portcullis manages: leave it out"
            ));
            continue;
        }
        if api.identifier.len() > MAX_IDENTIFIER {
            p.push(format!(
                "{at}: the identifier is longer than {MAX_IDENTIFIER} characters"
            ));
        }
        if api.name.contains(['<', '>']) || api.name.chars().count() > MAX_API_NAME {
            p.push(format!(
                "{at}: the name must be 1 to {MAX_API_NAME} characters, without '<' or '>'"
            ));
        }
        let mut values = BTreeSet::new();
        for s in &api.scopes {
            if !values.insert(s.value.as_str()) {
                p.push(format!(
                    "{at}: scope {:?} is listed more than once",
                    s.value
                ));
            }
            if s.value.len() > MAX_SCOPE_VALUE {
                p.push(format!(
                    "{at}: scope {:?} is longer than {MAX_SCOPE_VALUE} characters",
                    s.value
                ));
            }
            if s.description.chars().count() > MAX_SCOPE_DESCRIPTION {
                p.push(format!(
                    "{at}: the description of scope {:?} is longer than \
                     {MAX_SCOPE_DESCRIPTION} characters",
                    s.value
                ));
            }
        }
        if api.signing_alg != "RS256" {
            p.push(format!(
                "{at}: signing_alg {:?} is not supported: access tokens are signed with the \
                 tenant's signing keys; use RS256",
                api.signing_alg
            ));
        }
        if api.token_lifetime > MAX_TOKEN_LIFETIME {
            p.push(format!(
                "{at}: token_lifetime must be at most {MAX_TOKEN_LIFETIME} seconds"
            ));
        }
        if !TOKEN_DIALECTS.contains(&api.token_dialect.as_str()) {
            p.push(format!(
                "{at}: token_dialect {:?} is not supported: use access_token or \
                 access_token_authz",
                api.token_dialect
            ));
        } else if let Err(e) = ResourceServer::create(
            &crate::ids::TenantId::default_tenant(),
            NewApi {
                name: api.name.clone(),
                identifier: api.identifier.clone(),
                scopes: api.scopes.iter().map(|s| s.value.clone()).collect(),
                allow_offline_access: api.allow_offline_access,
                rbac: api.enforce_policies,
                permissions_in_token: api.token_dialect == "access_token_authz",
            },
            rng,
            crate::clock::UnixTime(0),
        ) {
            p.push(format!("{at}: {e}"));
        }
        // Kept even with a problem, so that what names it is not reported as well.
        out.push(api);
    }
    out
}

fn check_apps(
    list: Vec<AppDoc>,
    current: &CurrentState,
    rng: &dyn Rng,
    p: &mut Vec<String>,
) -> Vec<AppDoc> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(list.len());
    for doc in list {
        let name = doc.name.trim().to_owned();
        if !seen.insert(name.clone()) {
            p.push(format!(
                "application {name:?} is in the file more than once: applications are \
                 matched by name"
            ));
            continue;
        }
        match check_app(&doc, &name, current, rng) {
            Ok(app) => out.push(app),
            Err(e) => {
                p.push(format!("application {name:?}: {e}"));
                // Kept, with unknown grant types, so that what names it is not
                // reported as well.
                out.push(AppDoc {
                    name,
                    grant_types: None,
                    ..doc
                });
            }
        }
    }
    out
}

/// The application normalised, or its problem.
fn check_app(
    doc: &AppDoc,
    name: &str,
    current: &CurrentState,
    rng: &dyn Rng,
) -> Result<AppDoc, String> {
    let namesakes = current
        .applications
        .iter()
        .filter(|c| c.application.name == name)
        .count();
    if namesakes > 1 {
        return Err(format!(
            "the tenant has {namesakes} applications with this name, and applications \
             are matched by name: rename all but one first"
        ));
    }
    if doc.description.chars().count() > MAX_DESCRIPTION
        || doc.description.chars().any(|c| c.is_control() && c != '\n')
    {
        return Err(format!(
            "the description must be at most {MAX_DESCRIPTION} characters"
        ));
    }
    let (app, _) = Application::register(
        &crate::ids::TenantId::default_tenant(),
        doc.new_application(),
        rng,
        crate::clock::UnixTime(0),
    )
    .map_err(|e| e.to_string())?;
    let grant_types = match &doc.grant_types {
        None => app.grant_types,
        Some(list) => {
            grant_types(list.clone(), app.token_endpoint_auth_method).map_err(|e| e.to_string())?
        }
    };
    Ok(AppDoc {
        name: app.name,
        app_type: app.app_type,
        callbacks: app.callbacks,
        allowed_logout_urls: app.allowed_logout_urls,
        web_origins: app.web_origins,
        grant_types: Some(grant_types),
        token_endpoint_auth_method: Some(app.token_endpoint_auth_method),
        description: doc.description.clone(),
    })
}

/// Known grant types only, repeats dropped; `client_credentials` only for a confidential
/// application (it authenticates with its secret). As `PATCH /api/v2/clients`.
fn grant_types(list: Vec<String>, method: TokenEndpointAuthMethod) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for g in list {
        if !GRANT_TYPES.contains(&g.as_str()) {
            return Err(format!(
                "grant type {g:?} is not supported: use {}",
                GRANT_TYPES.join(", ")
            ));
        }
        if g == "client_credentials" && method == TokenEndpointAuthMethod::None {
            return Err(
                "client_credentials needs a confidential application (one with a secret)"
                    .to_owned(),
            );
        }
        if !out.contains(&g) {
            out.push(g);
        }
    }
    Ok(out)
}

fn check_roles(list: Vec<RoleDoc>, known: &Known<'_>, p: &mut Vec<String>) -> Vec<RoleDoc> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(list.len());
    for mut role in list {
        role.name = role.name.trim().to_owned();
        let at = format!("role {:?}", role.name);
        if role.name.is_empty() {
            p.push("a role has an empty name".to_owned());
            continue;
        }
        if !seen.insert(role.name.clone()) {
            p.push(format!(
                "{at} is in the file more than once: roles are matched by name"
            ));
            continue;
        }
        for perm in &role.permissions {
            match known.api(&perm.resource_server_identifier) {
                Err(e) => p.push(format!("{at}: permission {:?}: {e}", perm.permission_name)),
                Ok(scopes) if !scopes.contains(&perm.permission_name.as_str()) => {
                    p.push(format!(
                        "{at}: permission {:?} is not a scope of {} (its scopes: {})",
                        perm.permission_name,
                        perm.resource_server_identifier,
                        list_or_none(scopes)
                    ));
                }
                Ok(_) => {}
            }
        }
        // Kept even with a problem, so that default roles naming it are not reported.
        role.permissions.sort();
        role.permissions.dedup();
        out.push(role);
    }
    out
}

fn check_settings(mut s: SettingsDoc, roles: &BTreeSet<&str>, p: &mut Vec<String>) -> SettingsDoc {
    s.friendly_name = s.friendly_name.trim().to_owned();
    if s.friendly_name.is_empty()
        || s.friendly_name.chars().count() > MAX_FRIENDLY_NAME
        || s.friendly_name.chars().any(char::is_control)
    {
        p.push(format!(
            "settings: friendly_name must be 1 to {MAX_FRIENDLY_NAME} characters, without \
             control characters"
        ));
    }
    if let Some(url) = &s.picture_url {
        let scheme_ok = ["https://", "http://"].iter().any(|scheme| {
            url.get(..scheme.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
                && url.len() > scheme.len()
        });
        if !scheme_ok
            || url.len() > MAX_PICTURE_URL
            || url.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            p.push(format!(
                "settings: picture_url must be an absolute http or https URL of at most \
                 {MAX_PICTURE_URL} bytes"
            ));
        }
    }
    for (name, value, min, max, why) in [
        (
            "session_lifetime",
            s.session_lifetime,
            1,
            MAX_SESSION_HOURS,
            "",
        ),
        (
            "idle_session_lifetime",
            s.idle_session_lifetime,
            1,
            s.session_lifetime,
            " (at most session_lifetime)",
        ),
        (
            "id_token_lifetime",
            s.id_token_lifetime,
            1,
            MAX_ID_TOKEN_LIFETIME,
            "",
        ),
        (
            "refresh_token_lifetime",
            s.refresh_token_lifetime,
            1,
            MAX_REFRESH_LIFETIME,
            "",
        ),
        (
            "refresh_token_idle_lifetime",
            s.refresh_token_idle_lifetime,
            1,
            s.refresh_token_lifetime,
            " (at most refresh_token_lifetime)",
        ),
        (
            "refresh_token_reuse_window",
            s.refresh_token_reuse_window,
            0,
            MAX_REUSE_WINDOW,
            "",
        ),
    ] {
        if !(min..=max).contains(&value) {
            p.push(format!(
                "settings: {name} must be between {min} and {max}{why}; it is {value}"
            ));
        }
    }
    let mut seen = BTreeSet::new();
    for r in &s.default_roles {
        if !seen.insert(r.as_str()) {
            p.push(format!(
                "settings: default role {r:?} is listed more than once"
            ));
        } else if !roles.contains(r.as_str()) {
            p.push(format!(
                "settings: default role {r:?}: there is no role with this name"
            ));
        }
    }
    s
}

fn check_grants(list: Vec<GrantDoc>, known: &Known<'_>, p: &mut Vec<String>) -> Vec<GrantDoc> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(list.len());
    for mut grant in list {
        grant.client = grant.client.trim().to_owned();
        let at = format!("client grant {:?} -> {}", grant.client, grant.audience);
        if !seen.insert((grant.client.clone(), grant.audience.clone())) {
            p.push(format!("{at} is in the file more than once"));
            continue;
        }
        let before = p.len();
        match known.apps.get(grant.client.as_str()).map(Vec::as_slice) {
            None | Some([]) => p.push(format!(
                "{at}: there is no application named {:?}",
                grant.client
            )),
            Some([None]) => {}
            Some([Some(grant_types)]) => {
                if !grant_types.iter().any(|g| g == "client_credentials") {
                    p.push(format!(
                        "{at}: only machine-to-machine applications (with the \
                         client_credentials grant type) get client grants"
                    ));
                }
            }
            Some(many) => p.push(format!(
                "{at}: the tenant has {} applications with this name, and applications \
                 are matched by name: rename all but one first",
                many.len()
            )),
        }
        match known.api(&grant.audience) {
            Err(e) => p.push(format!("{at}: {e}")),
            Ok(scopes) => {
                let unknown: Vec<&str> = grant
                    .scope
                    .iter()
                    .map(String::as_str)
                    .filter(|s| !scopes.contains(s))
                    .collect();
                if !unknown.is_empty() {
                    p.push(format!(
                        "{at}: {} has no scope named {} (its scopes: {})",
                        grant.audience,
                        unknown.join(", "),
                        list_or_none(scopes)
                    ));
                }
            }
        }
        if p.len() == before {
            let mut scope: Vec<String> = Vec::with_capacity(grant.scope.len());
            for s in grant.scope {
                if !scope.contains(&s) {
                    scope.push(s);
                }
            }
            grant.scope = scope;
            out.push(grant);
        }
    }
    out
}

fn list_or_none(values: &[&str]) -> String {
    if values.is_empty() {
        "none".to_owned()
    } else {
        values.join(", ")
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
