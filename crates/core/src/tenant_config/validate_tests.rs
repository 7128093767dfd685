use super::*;
use crate::application::AppType;
use crate::rng::SystemRng;
use crate::tenant_config::fixtures::*;
use crate::tenant_config::{GrantDoc, PermissionDoc, ScopeDoc, export};

fn run(doc: TenantConfig) -> Result<Checked, Problems> {
    check(doc, &bootstrapped(), &SystemRng::new())
}

fn problems(doc: TenantConfig) -> Vec<String> {
    run(doc).unwrap_err().0
}

fn exported() -> TenantConfig {
    export(&bootstrapped()).unwrap()
}

fn spa(name: &str) -> AppDoc {
    AppDoc {
        name: name.to_owned(),
        app_type: AppType::Spa,
        callbacks: Vec::new(),
        allowed_logout_urls: Vec::new(),
        web_origins: Vec::new(),
        grant_types: None,
        token_endpoint_auth_method: None,
        description: String::new(),
    }
}

fn new_api(identifier: &str, scopes: &[&str]) -> ApiDoc {
    ApiDoc {
        identifier: identifier.to_owned(),
        name: "New".to_owned(),
        scopes: scopes
            .iter()
            .map(|s| ScopeDoc {
                value: (*s).to_owned(),
                description: String::new(),
            })
            .collect(),
        signing_alg: "RS256".to_owned(),
        token_lifetime: 86_400,
        allow_offline_access: false,
        enforce_policies: false,
        token_dialect: "access_token".to_owned(),
    }
}

fn grant_doc(client: &str, audience: &str, scope: &[&str]) -> GrantDoc {
    GrantDoc {
        client: client.to_owned(),
        audience: audience.to_owned(),
        scope: strings(scope),
    }
}

#[test]
fn an_export_checks_unchanged() {
    let doc = exported();
    assert_eq!(run(doc.clone()).unwrap().config(), &doc);
    assert_eq!(
        run(TenantConfig::default()).unwrap().config(),
        &TenantConfig::default()
    );
}

#[test]
fn checking_normalises_names_lists_and_type_defaults() {
    let doc = TenantConfig {
        applications: Some(vec![
            AppDoc {
                name: "  Shop  ".to_owned(),
                callbacks: strings(&["https://shop.example/cb", "https://shop.example/cb"]),
                ..spa("x")
            },
            AppDoc {
                app_type: AppType::NonInteractive,
                ..spa("Batch")
            },
        ]),
        roles: Some(vec![RoleDoc {
            name: " Writer ".to_owned(),
            description: String::new(),
            permissions: vec![
                perm(ORDERS, "write:orders"),
                perm(ORDERS, "read:orders"),
                perm(ORDERS, "write:orders"),
            ],
        }]),
        client_grants: Some(vec![grant_doc(
            " Batch",
            ORDERS,
            &["write:orders", "read:orders", "write:orders"],
        )]),
        ..TenantConfig::default()
    };
    let checked = run(doc).unwrap();
    let c = checked.config();
    let app = &c.applications.as_ref().unwrap()[0];
    assert_eq!(app.name, "Shop");
    assert_eq!(app.callbacks, ["https://shop.example/cb"]);
    assert_eq!(
        app.grant_types.as_deref(),
        Some(&strings(&["authorization_code", "implicit", "refresh_token"])[..])
    );
    assert_eq!(
        app.token_endpoint_auth_method,
        Some(TokenEndpointAuthMethod::None)
    );
    let role = &c.roles.as_ref().unwrap()[0];
    assert_eq!(role.name, "Writer");
    assert_eq!(
        role.permissions,
        [perm(ORDERS, "read:orders"), perm(ORDERS, "write:orders")]
    );
    let grant = &c.client_grants.as_ref().unwrap()[0];
    assert_eq!(grant.client, "Batch");
    assert_eq!(grant.scope, ["write:orders", "read:orders"]);
}

#[test]
fn keys_must_be_unique_in_the_file() {
    let mut doc = exported();
    doc.applications.as_mut().unwrap().push(spa("Default App "));
    doc.roles.as_mut().unwrap().push(RoleDoc {
        name: "Reader".to_owned(),
        description: String::new(),
        permissions: Vec::new(),
    });
    doc.apis.as_mut().unwrap().push(new_api(ORDERS, &[]));
    doc.client_grants
        .as_mut()
        .unwrap()
        .push(grant_doc("Management M2M", ORDERS, &[]));
    doc.settings.as_mut().unwrap().default_roles = strings(&["Reader", "Reader"]);
    assert_eq!(
        problems(doc),
        [
            "api \"https://orders.example/\" is in the file more than once",
            "application \"Default App\" is in the file more than once: applications are matched by name",
            "role \"Reader\" is in the file more than once: roles are matched by name",
            "settings: default role \"Reader\" is listed more than once",
            "client grant \"Management M2M\" -> https://orders.example/ is in the file more than once",
        ]
    );
}

#[test]
fn references_must_name_what_will_exist() {
    let mut doc = exported();
    // The orders API is left out of the file: the Reader role and the grant on it now
    // name an API that will not exist.
    doc.apis = Some(vec![new_api("https://new.example/", &["a"])]);
    doc.roles.as_mut().unwrap().push(RoleDoc {
        name: "Bad".to_owned(),
        description: String::new(),
        permissions: vec![perm("https://new.example/", "b")],
    });
    doc.client_grants = Some(vec![
        grant_doc("Management M2M", ORDERS, &["read:orders"]),
        grant_doc("Nobody", "https://new.example/", &[]),
        grant_doc("Default App", "https://new.example/", &["a"]),
        grant_doc(
            "Management M2M",
            MANAGEMENT,
            &["read:users", "delete:everything"],
        ),
    ]);
    doc.settings.as_mut().unwrap().default_roles = strings(&["Ghost"]);
    assert_eq!(
        problems(doc),
        [
            "role \"Reader\": permission \"read:orders\": there is no API with identifier \"https://orders.example/\"",
            "role \"Reader\": permission \"write:orders\": there is no API with identifier \"https://orders.example/\"",
            "role \"Bad\": permission \"b\" is not a scope of https://new.example/ (its scopes: a)",
            "settings: default role \"Ghost\": there is no role with this name",
            "client grant \"Management M2M\" -> https://orders.example/: there is no API with identifier \"https://orders.example/\"",
            "client grant \"Nobody\" -> https://new.example/: there is no application named \"Nobody\"",
            "client grant \"Default App\" -> https://new.example/: only machine-to-machine applications (with the client_credentials grant type) get client grants",
            "client grant \"Management M2M\" -> https://id.example/api/v2/: https://id.example/api/v2/ has no scope named delete:everything (its scopes: read:users, create:users)",
        ]
    );
}

#[test]
fn a_left_out_section_is_read_from_the_tenant() {
    // Only grants and roles: the applications and APIs they name are the tenant's.
    let doc = TenantConfig {
        roles: Some(vec![RoleDoc {
            name: "Admin".to_owned(),
            description: String::new(),
            permissions: vec![perm(MANAGEMENT, "read:users"), perm(ORDERS, "write:orders")],
        }]),
        client_grants: Some(vec![grant_doc("Management M2M", ORDERS, &["write:orders"])]),
        ..TenantConfig::default()
    };
    assert!(run(doc).is_ok());
    let doc = TenantConfig {
        client_grants: Some(vec![grant_doc(
            "Management M2M",
            ORDERS,
            &["delete:orders"],
        )]),
        ..TenantConfig::default()
    };
    assert_eq!(
        problems(doc),
        [
            "client grant \"Management M2M\" -> https://orders.example/: https://orders.example/ has no scope named delete:orders (its scopes: read:orders, write:orders)"
        ]
    );
}

#[test]
fn the_system_api_is_managed_by_portcullis() {
    let doc = TenantConfig {
        apis: Some(vec![new_api(MANAGEMENT, &[])]),
        ..TenantConfig::default()
    };
    assert_eq!(
        problems(doc),
        [
            "api \"https://id.example/api/v2/\" is the system Management API, which Portcullis manages: leave it out"
        ]
    );
}

#[test]
fn fields_pass_the_management_api_checks() {
    let mut settings = SettingsDoc {
        idle_session_lifetime: 1000,
        refresh_token_reuse_window: 3601,
        picture_url: Some("javascript:alert(1)".to_owned()),
        friendly_name: " ".to_owned(),
        ..SettingsDoc::default()
    };
    settings.default_roles = Vec::new();
    let doc = TenantConfig {
        apis: Some(vec![
            ApiDoc {
                signing_alg: "HS256".to_owned(),
                ..new_api("https://hs.example/", &[])
            },
            ApiDoc {
                token_dialect: "access_token_authz".to_owned(),
                ..new_api("https://authz.example/", &[])
            },
            new_api("https://scopes.example/", &["a", "a", "b c"]),
            ApiDoc {
                token_lifetime: 2_592_001,
                ..new_api("https://long.example/", &[])
            },
        ]),
        applications: Some(vec![
            AppDoc {
                callbacks: strings(&["javascript:alert(1)"]),
                ..spa("Evil")
            },
            AppDoc {
                grant_types: Some(strings(&["client_credentials"])),
                ..spa("Public M2M")
            },
            AppDoc {
                grant_types: Some(strings(&["password"])),
                ..spa("Password")
            },
            AppDoc {
                token_endpoint_auth_method: Some(TokenEndpointAuthMethod::ClientSecretPost),
                ..spa("Secret SPA")
            },
        ]),
        settings: Some(settings),
        ..TenantConfig::default()
    };
    assert_eq!(
        problems(doc),
        [
            "api \"https://hs.example/\": signing_alg \"HS256\" is not supported: access tokens are signed with the tenant's signing keys; use RS256",
            "api \"https://authz.example/\": permissions can be added to the access token only with RBAC enabled",
            "api \"https://scopes.example/\": scope \"a\" is listed more than once",
            "api \"https://scopes.example/\": invalid scope \"b c\": a scope is printable ASCII without spaces, quotes or backslashes",
            "api \"https://long.example/\": token_lifetime must be at most 2592000 seconds",
            "application \"Evil\": callback URL \"javascript:alert(1)\" uses the forbidden scheme `javascript:`",
            "application \"Public M2M\": client_credentials needs a confidential application (one with a secret)",
            "application \"Password\": grant type \"password\" is not supported: use authorization_code, implicit, refresh_token, client_credentials",
            "application \"Secret SPA\": a spa application is public: its token endpoint auth method can only be none",
            "settings: friendly_name must be 1 to 255 characters, without control characters",
            "settings: picture_url must be an absolute http or https URL of at most 2048 bytes",
            "settings: idle_session_lifetime must be between 1 and 168 (at most session_lifetime); it is 1000",
            "settings: refresh_token_reuse_window must be between 0 and 3600; it is 3601",
        ]
    );
}

#[test]
fn an_application_name_the_tenant_has_twice_cannot_be_matched() {
    let mut current = bootstrapped();
    current
        .applications
        .push(app("web0001", "Default App", AppType::Spa));
    let doc = TenantConfig {
        applications: Some(vec![AppDoc {
            app_type: AppType::RegularWeb,
            ..spa("Default App")
        }]),
        ..TenantConfig::default()
    };
    let err = check(doc, &current, &SystemRng::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "application \"Default App\": the tenant has 2 applications with this name, and applications are matched by name: rename all but one first"
    );
}

#[test]
fn problems_print_on_one_line() {
    let one = Problems(strings(&["a"]));
    assert_eq!(one.to_string(), "a");
    let two = Problems(strings(&["a", "b"]));
    assert_eq!(two.to_string(), "2 problems: a; b");
}

#[test]
fn permission_docs_sort_by_api_then_name() {
    let mut list = [perm("b", "a"), perm("a", "z"), perm("a", "b")];
    list.sort();
    assert_eq!(
        list,
        [perm("a", "b"), perm("a", "z"), perm("b", "a")] as [PermissionDoc; 3]
    );
}

#[test]
fn an_object_with_a_problem_is_still_known_to_what_names_it() {
    // One problem each, not a second one for each reference to the bad object.
    let mut doc = exported();
    doc.apis.as_mut().unwrap()[1].signing_alg = "HS256".to_owned();
    doc.applications.as_mut().unwrap()[1].callbacks = strings(&["https://m2m.example/cb"]);
    doc.roles.as_mut().unwrap()[0]
        .permissions
        .push(perm(ORDERS, "delete:orders"));
    assert_eq!(
        problems(doc),
        [
            "api \"https://orders.example/\": signing_alg \"HS256\" is not supported: access tokens are signed with the tenant's signing keys; use RS256",
            "application \"Management M2M\": a non_interactive (machine to machine) application has no callback URLs: it never logs users in",
            "role \"Reader\": permission \"delete:orders\" is not a scope of https://orders.example/ (its scopes: read:orders, write:orders)",
        ]
    );
}
