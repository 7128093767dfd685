//! One pass through everything the store keeps, asserting exact values.

use portcullis_core::bootstrap::{
    MANAGEMENT_SCOPES, SAMPLE_CALLBACK, SAMPLE_ORIGIN, SAMPLE_SDK_CALLBACK, bootstrap,
};
use portcullis_core::keys::{KeyRing, new_stored_key};
use portcullis_core::{
    AppType, ClientId, Clock, ManualClock, ResourceServer, ResourceServerId, ResourceServerScope,
    StoreError, SystemRng, TenantId, TenantSettings, TokenEndpointAuthMethod, UnixTime,
};
use portcullis_jose::{Algorithm, MasterKey};
use portcullis_store::{DatabaseUrl, OpenOptions, open};

const ISSUER: &str = "http://127.0.0.1:4000/";
const T0: UnixTime = UnixTime(1_700_000_000);

async fn story(url: DatabaseUrl) {
    let clock = ManualClock::new(T0);
    let rng = SystemRng::new();
    let master = MasterKey::generate().unwrap();
    let tenant = TenantId::default_tenant();

    let store = open(&url, &OpenOptions::default()).await.unwrap();
    store.ping().await.unwrap();
    assert_eq!(store.tenant(&tenant).await.unwrap(), None);

    // First start creates the tenant; the second finds it.
    let report = bootstrap(&*store, &clock, &rng, &master, &tenant, ISSUER)
        .await
        .unwrap()
        .expect("first bootstrap creates the tenant");
    assert!(
        bootstrap(&*store, &clock, &rng, &master, &tenant, ISSUER)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(report.management_audience, "http://127.0.0.1:4000/api/v2/");

    let t = store.tenant(&tenant).await.unwrap().unwrap();
    assert_eq!(t.id, tenant);
    assert_eq!(t.settings, TenantSettings::default());
    assert_eq!(t.created_at, clock.now());
    assert_eq!(store.tenant(&TenantId::new("other")).await.unwrap(), None);

    // Applications: the sample web app, then the admin machine-to-machine app.
    let apps = store.applications(&tenant).await.unwrap();
    assert_eq!(apps.len(), 2);
    let web = &apps[0];
    assert_eq!(web.tenant_id, tenant);
    assert_eq!(web.client_id, report.web_client_id);
    assert_eq!(web.name, "Default App");
    assert_eq!(web.app_type, AppType::RegularWeb);
    assert!(
        web.client_secret_hash
            .as_ref()
            .unwrap()
            .verify(&report.web_client_secret)
    );
    assert!(
        !web.client_secret_hash
            .as_ref()
            .unwrap()
            .verify(&report.m2m_client_secret)
    );
    assert_eq!(
        web.token_endpoint_auth_method,
        TokenEndpointAuthMethod::ClientSecretPost
    );
    assert_eq!(
        web.callbacks,
        vec![SAMPLE_CALLBACK.to_owned(), SAMPLE_SDK_CALLBACK.to_owned()]
    );
    assert_eq!(
        web.callbacks,
        [
            "http://localhost:3000/callback",
            "http://localhost:3000/auth/callback"
        ]
    );
    assert_eq!(web.allowed_logout_urls, vec![SAMPLE_ORIGIN.to_owned()]);
    assert_eq!(web.web_origins, vec![SAMPLE_ORIGIN.to_owned()]);
    assert_eq!(
        web.grant_types,
        vec!["authorization_code", "implicit", "refresh_token"]
    );
    assert_eq!(web.created_at, T0);
    let m2m = &apps[1];
    assert_eq!(m2m.client_id, report.m2m_client_id);
    assert_eq!(m2m.name, "Portcullis Admin (machine to machine)");
    assert_eq!(m2m.app_type, AppType::NonInteractive);
    assert!(
        m2m.client_secret_hash
            .as_ref()
            .unwrap()
            .verify(&report.m2m_client_secret)
    );
    assert_eq!(
        m2m.token_endpoint_auth_method,
        TokenEndpointAuthMethod::ClientSecretPost
    );
    assert!(m2m.callbacks.is_empty());
    assert!(m2m.allowed_logout_urls.is_empty());
    assert!(m2m.web_origins.is_empty());
    assert_eq!(m2m.grant_types, vec!["client_credentials"]);
    assert_eq!(m2m.created_at, T0);

    assert_eq!(
        store
            .application(&tenant, &report.web_client_id)
            .await
            .unwrap()
            .as_ref(),
        Some(web)
    );
    assert_eq!(
        store
            .application(&tenant, &report.m2m_client_id)
            .await
            .unwrap()
            .as_ref(),
        Some(m2m)
    );
    assert_eq!(
        store
            .application(&tenant, &ClientId::new("no-such-client"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .application(&TenantId::new("other"), &report.web_client_id)
            .await
            .unwrap(),
        None
    );

    // The Management API.
    let apis = store.resource_servers(&tenant).await.unwrap();
    assert_eq!(apis.len(), 1);
    let api = &apis[0];
    assert_eq!(api.tenant_id, tenant);
    assert_eq!(api.id.as_str().len(), 24);
    assert_eq!(api.name, "Portcullis Management API");
    assert_eq!(api.identifier, "http://127.0.0.1:4000/api/v2/");
    let scopes: Vec<&str> = api.scopes.iter().map(|s| s.value.as_str()).collect();
    assert_eq!(scopes, MANAGEMENT_SCOPES);
    assert!(api.scopes.iter().all(|s| s.description.is_empty()));
    assert_eq!(api.signing_alg, "RS256");
    assert_eq!(api.token_lifetime, 86_400);
    assert!(!api.allow_offline_access);
    assert!(!api.enforce_policies);
    assert_eq!(api.token_dialect, "access_token");
    assert!(api.is_system);
    assert_eq!(api.created_at, T0);
    assert_eq!(
        store
            .resource_server_by_identifier(&tenant, "http://127.0.0.1:4000/api/v2/")
            .await
            .unwrap()
            .as_ref(),
        Some(api)
    );
    for other in [
        "http://127.0.0.1:4000/api/v2",
        "HTTP://127.0.0.1:4000/api/v2/",
        "",
    ] {
        assert_eq!(
            store
                .resource_server_by_identifier(&tenant, other)
                .await
                .unwrap(),
            None
        );
    }

    // An API added later: listed after the Management API, unique per tenant by id and
    // by identifier, and only in a tenant that exists.
    let orders = ResourceServer {
        tenant_id: tenant.clone(),
        id: ResourceServerId::new("66a1f0c2d4e5f60718293a4b"),
        name: "Orders".to_owned(),
        identifier: "https://orders.example/".to_owned(),
        scopes: vec![ResourceServerScope {
            value: "read:orders".to_owned(),
            description: "Read orders".to_owned(),
        }],
        signing_alg: "RS256".to_owned(),
        token_lifetime: 7200,
        allow_offline_access: true,
        enforce_policies: true,
        token_dialect: "access_token_authz".to_owned(),
        is_system: false,
        created_at: T0.plus_secs(1),
    };
    store.insert_resource_server(&orders).await.unwrap();
    assert_eq!(
        store.resource_servers(&tenant).await.unwrap(),
        vec![api.clone(), orders.clone()]
    );
    assert_eq!(
        store
            .resource_server_by_identifier(&tenant, "https://orders.example/")
            .await
            .unwrap(),
        Some(orders.clone())
    );
    for duplicate in [
        ResourceServer {
            id: ResourceServerId::new("66a1f0c2d4e5f60718293a4c"),
            ..orders.clone()
        },
        ResourceServer {
            identifier: "https://orders.example/v2/".to_owned(),
            ..orders.clone()
        },
        ResourceServer {
            tenant_id: TenantId::new("other"),
            ..orders.clone()
        },
    ] {
        assert!(
            matches!(
                store.insert_resource_server(&duplicate).await,
                Err(StoreError::Conflict(_))
            ),
            "{duplicate:?}"
        );
    }
    assert_eq!(store.resource_servers(&tenant).await.unwrap().len(), 2);

    // The m2m app may call it with every scope.
    let grants = store.client_grants(&tenant).await.unwrap();
    assert_eq!(grants.len(), 1);
    let grant = &grants[0];
    assert_eq!(grant.tenant_id, tenant);
    assert!(grant.id.as_str().starts_with("cgr_"));
    assert_eq!(grant.client_id, report.m2m_client_id);
    assert_eq!(grant.audience, "http://127.0.0.1:4000/api/v2/");
    assert_eq!(grant.scope, MANAGEMENT_SCOPES);
    assert_eq!(grant.created_at, T0);
    assert_eq!(
        store
            .client_grant(&tenant, &report.m2m_client_id, &grant.audience)
            .await
            .unwrap()
            .as_ref(),
        Some(grant)
    );
    assert_eq!(
        store
            .client_grant(&tenant, &report.web_client_id, &grant.audience)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .client_grant(&tenant, &report.m2m_client_id, "https://other/")
            .await
            .unwrap(),
        None
    );

    // The first signing key opens with the master key, and only with it.
    let keys = store.signing_keys(&tenant).await.unwrap();
    assert_eq!(keys.len(), 1);
    let first = &keys[0];
    assert_eq!(first.kid, report.kid);
    assert_eq!(first.tenant_id, tenant);
    assert_eq!(first.alg, Algorithm::Rs256);
    assert_eq!(first.public_jwk.kid, report.kid);
    assert_eq!(first.public_jwk.alg, "RS256");
    assert_eq!(
        (first.created_at, first.activates_at, first.revoked_at),
        (T0, T0, None)
    );
    let ring = KeyRing::open(&keys, &master, clock.now(), 86_460).unwrap();
    assert_eq!(ring.jwks().keys.len(), 1);
    assert_eq!(ring.signing_key(clock.now()).unwrap().kid(), report.kid);
    assert!(KeyRing::open(&keys, &MasterKey::generate().unwrap(), clock.now(), 86_460).is_err());

    // A second key, published now and signing in an hour, comes after the first.
    clock.advance(60);
    let next = new_stored_key(
        &tenant,
        Algorithm::Es256,
        &master,
        &rng,
        clock.now(),
        clock.now().plus_secs(3600),
    )
    .unwrap();
    store.insert_signing_key(&next).await.unwrap();
    let keys = store.signing_keys(&tenant).await.unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], *first);
    assert_eq!(keys[1], next);
    // The same kid again is a conflict.
    assert!(matches!(
        store.insert_signing_key(&next).await,
        Err(portcullis_core::StoreError::Conflict(_))
    ));

    // Revocation happens once.
    let at = clock.now();
    assert!(
        store
            .revoke_signing_key(&tenant, &next.kid, at)
            .await
            .unwrap()
    );
    assert!(
        !store
            .revoke_signing_key(&tenant, &next.kid, at)
            .await
            .unwrap()
    );
    assert!(
        !store
            .revoke_signing_key(&tenant, "no-such-kid", at)
            .await
            .unwrap()
    );
    assert!(
        !store
            .revoke_signing_key(&TenantId::new("other"), &first.kid, at)
            .await
            .unwrap()
    );
    let keys = store.signing_keys(&tenant).await.unwrap();
    assert_eq!(keys[0].revoked_at, None);
    assert_eq!(keys[1].revoked_at, Some(at));

    // A restart keeps tenants, applications and keys.
    let before = (
        store.tenant(&tenant).await.unwrap(),
        store.applications(&tenant).await.unwrap(),
        store.resource_servers(&tenant).await.unwrap(),
        store.client_grants(&tenant).await.unwrap(),
        store.signing_keys(&tenant).await.unwrap(),
    );
    drop(store);
    let store = open(
        &url,
        &OpenOptions {
            migrate: false,
            ..OpenOptions::default()
        },
    )
    .await
    .unwrap();
    let after = (
        store.tenant(&tenant).await.unwrap(),
        store.applications(&tenant).await.unwrap(),
        store.resource_servers(&tenant).await.unwrap(),
        store.client_grants(&tenant).await.unwrap(),
        store.signing_keys(&tenant).await.unwrap(),
    );
    assert_eq!(before, after);
    assert!(
        bootstrap(&*store, &clock, &rng, &master, &tenant, ISSUER)
            .await
            .unwrap()
            .is_none()
    );
    // Migrating an up-to-date database is a no-op.
    portcullis_store::migrate(&url).await.unwrap();
    store.ping().await.unwrap();
}

#[tokio::test]
async fn story_sqlite() {
    let (_dir, url) = crate::fresh_sqlite();
    story(url).await;
}

#[tokio::test]
async fn story_sqlite_in_memory() {
    // One connection holds the in-memory database, so writes are seen by later reads.
    // (A restart would start empty, so the full story does not apply.)
    let url = DatabaseUrl::parse("sqlite::memory:").unwrap();
    let store = open(&url, &OpenOptions::default()).await.unwrap();
    let clock = ManualClock::new(T0);
    let report = bootstrap(
        &*store,
        &clock,
        &SystemRng::new(),
        &MasterKey::generate().unwrap(),
        &TenantId::default_tenant(),
        ISSUER,
    )
    .await
    .unwrap();
    assert!(report.is_some());
    assert_eq!(
        store
            .applications(&TenantId::default_tenant())
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn story_postgres() {
    let Some((db, url)) = crate::fresh_pg().await else {
        return;
    };
    story(url).await;
    db.drop_database().await.unwrap();
}
