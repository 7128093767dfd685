//! Registering applications and client grants, and setting the tenant's default roles:
//! exact values read back, and every refusal, run on SQLite and on PostgreSQL.

use portcullis_core::app_registration::NewApplication;
use portcullis_core::{
    AppType, Application, ClientGrant, ClientId, GrantId, Role, RoleId, Store, SystemRng, TenantId,
    TenantSettings, TokenEndpointAuthMethod,
};
use portcullis_store::{DatabaseUrl, OpenOptions, open};

use crate::fixtures::{API, BILLING, T0, is_conflict, seed_tenant, web_client};

fn new_app(name: &str, app_type: AppType) -> NewApplication {
    NewApplication {
        name: name.to_owned(),
        app_type,
        callbacks: Vec::new(),
        allowed_logout_urls: Vec::new(),
        web_origins: Vec::new(),
        token_endpoint_auth_method: None,
    }
}

async fn story(url: DatabaseUrl) {
    let store = open(&url, &OpenOptions::default()).await.unwrap();
    let store = &*store;
    let acme = TenantId::new("acme");
    let other = TenantId::new("other");
    let settings = TenantSettings {
        friendly_name: "Acme".to_owned(),
        refresh_token_reuse_window: 30,
        ..TenantSettings::default()
    };
    seed_tenant(store, &acme, settings.clone()).await;
    seed_tenant(store, &other, TenantSettings::default()).await;

    let (spa, m2m) = applications(store, &acme, &other).await;
    client_grants(store, &acme, &other, &spa, &m2m).await;
    default_roles(store, &acme, &other, &settings).await;
}

async fn applications(
    store: &dyn Store,
    acme: &TenantId,
    other: &TenantId,
) -> (Application, Application) {
    let rng = SystemRng::new();
    let (spa, secret) = Application::register(
        acme,
        NewApplication {
            callbacks: vec!["http://localhost:5173/callback".to_owned()],
            allowed_logout_urls: vec!["http://localhost:5173".to_owned()],
            web_origins: vec!["http://localhost:5173".to_owned()],
            ..new_app("Acme SPA", AppType::Spa)
        },
        &rng,
        T0.plus_secs(10),
    )
    .unwrap();
    assert!(secret.is_none());
    let (m2m, secret) = Application::register(
        acme,
        NewApplication {
            token_endpoint_auth_method: Some(TokenEndpointAuthMethod::ClientSecretBasic),
            ..new_app("Acme worker", AppType::NonInteractive)
        },
        &rng,
        T0.plus_secs(10),
    )
    .unwrap();
    let secret = secret.unwrap();

    store.insert_application(&spa).await.unwrap();
    store.insert_application(&m2m).await.unwrap();
    assert_eq!(
        store.application(acme, &spa.client_id).await.unwrap(),
        Some(spa.clone())
    );
    let stored = store.application(acme, &m2m.client_id).await.unwrap();
    assert_eq!(stored, Some(m2m.clone()));
    // Only the hash is stored, and it verifies the secret shown once.
    let hash = stored.and_then(|a| a.client_secret_hash).unwrap();
    assert!(hash.verify(&secret));
    assert!(!hash.as_str().contains(secret.expose()));

    // The seeded web app first, then the new ones in the order they were made (the same
    // created_at).
    let ids: Vec<ClientId> = store
        .applications(acme)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.client_id)
        .collect();
    assert_eq!(
        ids,
        [web_client(), spa.client_id.clone(), m2m.client_id.clone()]
    );

    // The same client id again, even with another name; a tenant that does not exist.
    let twin = Application {
        name: "Twin".to_owned(),
        ..spa.clone()
    };
    assert!(is_conflict(store.insert_application(&twin).await));
    let nowhere = Application {
        tenant_id: TenantId::new("nowhere"),
        ..spa.clone()
    };
    assert!(is_conflict(store.insert_application(&nowhere).await));
    // Another tenant may have the same client id; it is its own application.
    let elsewhere = Application {
        tenant_id: other.clone(),
        name: "Other SPA".to_owned(),
        ..spa.clone()
    };
    store.insert_application(&elsewhere).await.unwrap();
    assert_eq!(
        store.application(other, &spa.client_id).await.unwrap(),
        Some(elsewhere)
    );
    assert_eq!(
        store.application(acme, &spa.client_id).await.unwrap(),
        Some(spa.clone())
    );
    (spa, m2m)
}

async fn client_grants(
    store: &dyn Store,
    acme: &TenantId,
    other: &TenantId,
    spa: &Application,
    m2m: &Application,
) {
    let grant = ClientGrant {
        tenant_id: acme.clone(),
        id: GrantId::new("cgr_0000000000000001"),
        client_id: m2m.client_id.clone(),
        audience: API.to_owned(),
        scope: vec!["read:messages".to_owned(), "write:messages".to_owned()],
        created_at: T0.plus_secs(20),
    };
    store.insert_client_grant(&grant).await.unwrap();
    assert_eq!(
        store.client_grant(acme, &m2m.client_id, API).await.unwrap(),
        Some(grant.clone())
    );
    assert_eq!(
        store
            .client_grant(acme, &m2m.client_id, BILLING)
            .await
            .unwrap(),
        None
    );
    let billing = ClientGrant {
        id: GrantId::new("cgr_0000000000000002"),
        audience: BILLING.to_owned(),
        scope: Vec::new(),
        ..grant.clone()
    };
    store.insert_client_grant(&billing).await.unwrap();
    assert_eq!(
        store.client_grants(acme).await.unwrap(),
        [grant.clone(), billing.clone()]
    );

    // One grant per client and API; ids are unique; the client, the API and the tenant
    // must exist, in this tenant.
    let again = ClientGrant {
        id: GrantId::new("cgr_0000000000000003"),
        ..grant.clone()
    };
    assert!(is_conflict(store.insert_client_grant(&again).await));
    let same_id = ClientGrant {
        client_id: spa.client_id.clone(),
        ..grant.clone()
    };
    assert!(is_conflict(store.insert_client_grant(&same_id).await));
    let no_client = ClientGrant {
        id: GrantId::new("cgr_0000000000000004"),
        client_id: ClientId::new("NoSuchClient"),
        ..grant.clone()
    };
    assert!(is_conflict(store.insert_client_grant(&no_client).await));
    let no_api = ClientGrant {
        id: GrantId::new("cgr_0000000000000005"),
        audience: "https://nope.test/".to_owned(),
        ..grant.clone()
    };
    assert!(is_conflict(store.insert_client_grant(&no_api).await));
    let foreign_client = ClientGrant {
        tenant_id: other.clone(),
        id: GrantId::new("cgr_0000000000000006"),
        ..grant.clone()
    };
    assert!(is_conflict(
        store.insert_client_grant(&foreign_client).await
    ));
    let no_tenant = ClientGrant {
        tenant_id: TenantId::new("nowhere"),
        ..grant.clone()
    };
    assert!(is_conflict(store.insert_client_grant(&no_tenant).await));
    assert_eq!(store.client_grants(acme).await.unwrap(), [grant, billing]);
    assert_eq!(store.client_grants(other).await.unwrap(), []);
}

async fn default_roles(
    store: &dyn Store,
    acme: &TenantId,
    other: &TenantId,
    settings: &TenantSettings,
) {
    let rng = SystemRng::new();
    let role = |tenant: &TenantId, name: &str| Role {
        tenant_id: tenant.clone(),
        id: RoleId::generate(&rng),
        name: name.to_owned(),
        description: String::new(),
        created_at: T0,
    };
    let reader = role(acme, "reader");
    let writer = role(acme, "writer");
    let foreign = role(other, "reader");
    for r in [&reader, &writer, &foreign] {
        store.insert_role(r).await.unwrap();
    }
    let settings_of = |t: &TenantId| {
        let t = t.clone();
        async move { store.tenant(&t).await.unwrap().unwrap().settings }
    };
    let with_roles = |roles: &[&RoleId]| TenantSettings {
        default_roles: roles.iter().map(|r| r.as_str().to_owned()).collect(),
        ..settings.clone()
    };

    // Set, with a repeat dropped; the other settings are untouched.
    assert!(
        store
            .set_default_roles(
                acme,
                &[writer.id.clone(), reader.id.clone(), writer.id.clone()]
            )
            .await
            .unwrap()
    );
    assert_eq!(
        settings_of(acme).await,
        with_roles(&[&writer.id, &reader.id])
    );
    // Replaced, not added to.
    assert!(
        store
            .set_default_roles(acme, std::slice::from_ref(&reader.id))
            .await
            .unwrap()
    );
    assert_eq!(settings_of(acme).await, with_roles(&[&reader.id]));

    // An unknown role, or another tenant's: refused, and nothing changes.
    let unknown = RoleId::generate(&rng);
    assert!(is_conflict(
        store
            .set_default_roles(acme, &[writer.id.clone(), unknown])
            .await
    ));
    assert!(is_conflict(
        store
            .set_default_roles(acme, std::slice::from_ref(&foreign.id))
            .await
    ));
    assert_eq!(settings_of(acme).await, with_roles(&[&reader.id]));
    assert_eq!(settings_of(other).await, TenantSettings::default());

    // Cleared.
    assert!(store.set_default_roles(acme, &[]).await.unwrap());
    assert_eq!(settings_of(acme).await, with_roles(&[]));

    // No such tenant: nothing to set.
    assert!(
        !store
            .set_default_roles(&TenantId::new("nowhere"), &[])
            .await
            .unwrap()
    );
    assert!(
        !store
            .set_default_roles(&TenantId::new("nowhere"), std::slice::from_ref(&reader.id))
            .await
            .unwrap()
    );
    assert_eq!(store.tenant(&TenantId::new("nowhere")).await.unwrap(), None);
}

#[tokio::test]
async fn apps_grants_and_default_roles_story_sqlite() {
    let (_dir, url) = crate::fresh_sqlite();
    story(url).await;
}

#[tokio::test]
async fn apps_grants_and_default_roles_story_postgres() {
    let Some((db, url)) = crate::fresh_pg().await else {
        return;
    };
    story(url).await;
    db.drop_database().await.unwrap();
}
