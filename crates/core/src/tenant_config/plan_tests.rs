use super::*;
use crate::application::AppType;
use crate::rng::SystemRng;
use crate::tenant_config::fixtures::*;
use crate::tenant_config::{ScopeDoc, TenantConfig, check, export};

fn plan(doc: TenantConfig, current: &CurrentState, prune: bool) -> Plan {
    let checked = check(doc, current, &SystemRng::new()).unwrap();
    Plan::compute(&checked, current, prune)
}

fn headlines(p: &Plan) -> Vec<String> {
    p.changes.iter().map(Change::headline).collect()
}

fn m2m(name: &str) -> AppDoc {
    AppDoc {
        name: name.to_owned(),
        app_type: AppType::NonInteractive,
        callbacks: Vec::new(),
        allowed_logout_urls: Vec::new(),
        web_origins: Vec::new(),
        grant_types: None,
        token_endpoint_auth_method: None,
        description: String::new(),
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
fn the_tenants_own_export_plans_nothing() {
    let current = bootstrapped();
    let doc = export(&current).unwrap();
    for prune in [false, true] {
        let p = plan(doc.clone(), &current, prune);
        assert!(p.is_empty(), "{p}");
        assert_eq!(p.to_string(), "no changes\n");
    }
    // An empty document manages nothing, so even --prune deletes nothing.
    assert!(plan(TenantConfig::default(), &current, true).is_empty());
}

/// A document changing every section, planned against the tenant.
fn edited() -> TenantConfig {
    let mut doc = export(&bootstrapped()).unwrap();
    let apis = doc.apis.as_mut().unwrap();
    // https://a.example/ is left out; orders gets a scope; a new API.
    apis.retain(|a| a.identifier == ORDERS);
    apis[0].scopes.push(ScopeDoc {
        value: "ship:orders".to_owned(),
        description: "Ship".to_owned(),
    });
    apis.push(ApiDoc {
        identifier: "https://billing.example/".to_owned(),
        name: "Billing".to_owned(),
        ..apis[0].clone()
    });
    let apps = doc.applications.as_mut().unwrap();
    // The web app changes its callbacks and description; a new M2M app; the
    // management app is left out.
    apps.retain(|a| a.name == "Default App");
    apps[0].callbacks.push("https://shop.example/cb".to_owned());
    apps[0].description = "The shop".to_owned();
    apps.push(m2m("Batch"));
    let roles = doc.roles.as_mut().unwrap();
    roles[0].permissions = vec![perm(ORDERS, "read:orders"), perm(ORDERS, "ship:orders")];
    roles.push(RoleDoc {
        name: "Biller".to_owned(),
        description: "Bills".to_owned(),
        permissions: vec![perm("https://billing.example/", "read:orders")],
    });
    doc.client_grants = Some(vec![grant_doc(
        "Batch",
        "https://billing.example/",
        &["read:orders"],
    )]);
    let settings = doc.settings.as_mut().unwrap();
    settings.friendly_name = "Acme".to_owned();
    settings.default_roles = strings(&["Biller"]);
    doc
}

#[test]
fn changes_come_in_an_order_that_can_be_carried_out() {
    let current = bootstrapped();
    let p = plan(edited(), &current, true);
    assert_eq!(
        headlines(&p),
        [
            "- delete client grant \"Management M2M\" -> https://id.example/api/v2/",
            "- delete client grant \"Management M2M\" -> https://orders.example/",
            "+ create api https://billing.example/",
            "~ update api https://orders.example/ (scopes)",
            "+ create application \"Batch\" (non_interactive)",
            "~ update application \"Default App\" (callbacks, description)",
            "+ create role \"Biller\" (1 permission)",
            "~ update role \"Reader\" (permissions)",
            "+ create client grant \"Batch\" -> https://billing.example/ (scope: read:orders)",
            "~ update settings (default_roles, friendly_name)",
            "- delete application \"Management M2M\"",
            "- delete api https://a.example/",
        ]
    );
    assert_eq!(p.counts(), (4, 4, 4));
    let text = p.to_string();
    assert!(
        text.contains(
            "~ update role \"Reader\" (permissions)\n    + permission ship:orders on https://orders.example/\n    - permission write:orders on https://orders.example/\n"
        ),
        "{text}"
    );
    assert!(text.ends_with("plan: 4 to create, 4 to update, 4 to delete\n"));
    match &p.changes[5] {
        Change::UpdateApp {
            current, desired, ..
        } => {
            assert_eq!(current.application.client_id.as_str(), "web0000");
            assert_eq!(desired.description, "The shop");
        }
        other => panic!("{other:?}"),
    }
    match &p.changes[7] {
        Change::UpdateRole {
            id,
            description,
            add,
            remove,
            ..
        } => {
            assert_eq!(id.as_str(), "rol_reader");
            assert_eq!(description, &None);
            assert_eq!(add, &[perm(ORDERS, "ship:orders")]);
            assert_eq!(remove, &[perm(ORDERS, "write:orders")]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn without_prune_nothing_is_deleted() {
    let p = plan(edited(), &bootstrapped(), false);
    assert!(p.changes.iter().all(|c| c.kind() != Kind::Delete), "{p}");
    assert_eq!(p.counts(), (4, 4, 0));
}

#[test]
fn prune_deletes_only_in_sections_the_file_has() {
    let current = bootstrapped();
    let doc = TenantConfig {
        roles: Some(Vec::new()),
        ..TenantConfig::default()
    };
    assert_eq!(
        headlines(&plan(doc, &current, true)),
        ["- delete role \"Reader\""]
    );
}

#[test]
fn grant_scopes_and_role_descriptions_update_in_place() {
    let current = bootstrapped();
    let mut doc = export(&current).unwrap();
    doc.client_grants.as_mut().unwrap()[1].scope = strings(&["write:orders", "read:orders"]);
    doc.roles.as_mut().unwrap()[0].description = "Reads".to_owned();
    let p = plan(doc, &current, true);
    assert_eq!(
        headlines(&p),
        [
            "~ update role \"Reader\" (description)",
            "~ update client grant \"Management M2M\" -> https://orders.example/ (scope: write:orders read:orders)",
        ]
    );
    assert_eq!(
        p.changes[1],
        Change::UpdateGrant {
            id: crate::ids::GrantId::new("cgr_orders"),
            grant: grant_doc("Management M2M", ORDERS, &["write:orders", "read:orders"]),
        }
    );
}

#[test]
fn an_application_changing_type_is_an_update_with_the_new_defaults() {
    let current = bootstrapped();
    let mut doc = export(&current).unwrap();
    let web = &mut doc.applications.as_mut().unwrap()[0];
    web.app_type = AppType::Spa;
    web.grant_types = None;
    web.token_endpoint_auth_method = None;
    let p = plan(doc, &current, false);
    assert_eq!(
        headlines(&p),
        ["~ update application \"Default App\" (app_type, token_endpoint_auth_method)"]
    );
}

#[test]
fn grants_of_applications_sharing_a_name_can_only_be_pruned() {
    let mut current = bootstrapped();
    current
        .applications
        .push(app("m2m0001", "Management M2M", AppType::NonInteractive));
    current
        .grants
        .push(grant("cgr_twin", "m2m0001", ORDERS, &[]));
    let doc = TenantConfig {
        client_grants: Some(Vec::new()),
        ..TenantConfig::default()
    };
    let p = plan(doc, &current, true);
    assert_eq!(p.counts(), (0, 0, 3));
    let ids: Vec<&str> = p
        .changes
        .iter()
        .map(|c| match c {
            Change::DeleteGrant { id, .. } => id.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, ["cgr_mgmt", "cgr_orders", "cgr_twin"]);
}

#[test]
fn changed_fields_are_named_by_their_keys() {
    let a = ScopeDoc {
        value: "a".to_owned(),
        description: String::new(),
    };
    let b = ScopeDoc {
        value: "b".to_owned(),
        description: "x".to_owned(),
    };
    assert_eq!(changed_fields(&a, &a), Vec::<String>::new());
    assert_eq!(changed_fields(&a, &b), ["description", "value"]);
}
