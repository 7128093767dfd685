//! Users, roles, codes, refresh tokens and SSO sessions: one pass through every method,
//! asserting exact values, run on SQLite and on PostgreSQL. The refresh-token chapter is
//! in `story_refresh.rs`.

use portcullis_core::password::PasswordHash;
use portcullis_core::{
    AuthorizationCode, ClientId, CodeConsumption, Role, RoleId, SsoSession, Store, SystemRng,
    TenantId, TenantSettings, UnixTime, User, UserId, token_hash,
};
use portcullis_store::{DatabaseUrl, OpenOptions, open};
use serde_json::json;

use crate::fixtures::{API, BILLING, DAY, T0, code, is_conflict, seed_tenant, user};
use crate::story_refresh::refresh_tokens;

const ARGON_1: &str = "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$eXV6VXJ6TnVXZ1dCU2VQd01rbGJLUmJzUm5xaVdyZGg";
const ARGON_2: &str = "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE";

async fn story(url: DatabaseUrl) {
    let store = open(&url, &OpenOptions::default()).await.unwrap();
    let store = &*store;
    let rng = SystemRng::new();
    let acme = TenantId::new("acme");
    let other = TenantId::new("other");
    let reader_id = RoleId::generate(&rng);

    // Tenant settings: the new fields round-trip, and default when not set.
    let settings = TenantSettings {
        default_roles: vec![reader_id.as_str().to_owned()],
        refresh_token_reuse_window: 30,
        ..TenantSettings::default()
    };
    seed_tenant(store, &acme, settings.clone()).await;
    seed_tenant(store, &other, TenantSettings::default()).await;
    assert_eq!(
        store.tenant(&acme).await.unwrap().unwrap().settings,
        settings
    );
    let defaults = store.tenant(&other).await.unwrap().unwrap().settings;
    assert_eq!(defaults.default_roles, Vec::<String>::new());
    assert_eq!(defaults.refresh_token_reuse_window, 0);

    users(store, &acme, &other).await;
    let alice = store
        .user_by_email(&acme, "alice@example.com")
        .await
        .unwrap()
        .unwrap()
        .user_id;
    let bob = store
        .user_by_email(&acme, "bob@example.com")
        .await
        .unwrap()
        .unwrap()
        .user_id;
    roles(store, &acme, &other, &alice, &bob, reader_id).await;
    let (first_code, second_code) = codes(store, &acme, &other, &alice).await;
    refresh_tokens(store, &acme, &other, &alice, &bob, &first_code).await;
    sessions(store, &acme, &other, &alice, &bob).await;
    sweep(store, &acme, &first_code, &second_code, &alice, &bob).await;
}

async fn users(store: &dyn Store, acme: &TenantId, other: &TenantId) {
    let rng = SystemRng::new();
    let alice = User {
        email: "Alice@Example.COM".to_owned(),
        email_verified: true,
        name: "Alice Liddell".to_owned(),
        nickname: "alice".to_owned(),
        picture: Some("https://img.acme.test/alice.png".to_owned()),
        password_hash: Some(PasswordHash::parse(ARGON_1).unwrap()),
        user_metadata: json!({"theme": "dark", "langs": ["en", "fr"], "n": 1.5}),
        app_metadata: json!({"plan": "pro", "flags": {"beta": true}}),
        updated_at: T0.plus_secs(1),
        last_login: Some(T0.plus_secs(-10)),
        logins_count: 3,
        ..user(acme, UserId::new_database_user(&rng), "Alice@Example.COM")
    };
    let bob = User {
        blocked: true,
        ..user(acme, UserId::new_database_user(&rng), "bob@example.com")
    };
    store.insert_user(&alice).await.unwrap();
    store.insert_user(&bob).await.unwrap();
    assert_eq!(
        store.user(acme, &alice.user_id).await.unwrap().as_ref(),
        Some(&alice)
    );
    assert_eq!(
        store.user(acme, &bob.user_id).await.unwrap().as_ref(),
        Some(&bob)
    );
    for email in [
        "alice@example.com",
        "  ALICE@example.com\t",
        "Alice@Example.COM",
    ] {
        assert_eq!(
            store.user_by_email(acme, email).await.unwrap().as_ref(),
            Some(&alice)
        );
    }
    assert_eq!(
        store.user_by_email(acme, "alice@example.co").await.unwrap(),
        None
    );
    assert_eq!(
        store
            .user_by_email(other, "alice@example.com")
            .await
            .unwrap(),
        None
    );
    assert_eq!(store.user(other, &alice.user_id).await.unwrap(), None);
    assert_eq!(
        store
            .user(acme, &UserId::new("auth0|000000000000000000000000"))
            .await
            .unwrap(),
        None
    );

    // One email per tenant, compared case-insensitively; the same id twice; no tenant.
    let dup = user(acme, UserId::new_database_user(&rng), " alice@EXAMPLE.com ");
    assert!(is_conflict(store.insert_user(&dup).await));
    let same_id = user(acme, alice.user_id.clone(), "carol@example.com");
    assert!(is_conflict(store.insert_user(&same_id).await));
    let nowhere = user(
        &TenantId::new("nowhere"),
        UserId::new_database_user(&rng),
        "d@x.test",
    );
    assert!(is_conflict(store.insert_user(&nowhere).await));
    // Another tenant may have the same email (and even the same id).
    let elsewhere = user(other, alice.user_id.clone(), "alice@example.com");
    store.insert_user(&elsewhere).await.unwrap();
    assert_eq!(
        store.user(other, &alice.user_id).await.unwrap(),
        Some(elsewhere)
    );
    // Unicode lowercase.
    let elodie = user(acme, UserId::new_database_user(&rng), "ÉLODIE@Exemple.fr");
    store.insert_user(&elodie).await.unwrap();
    assert_eq!(
        store
            .user_by_email(acme, "élodie@exemple.fr")
            .await
            .unwrap(),
        Some(elodie.clone())
    );
    let shouting = user(acme, UserId::new_database_user(&rng), "élodie@EXEMPLE.FR");
    assert!(is_conflict(store.insert_user(&shouting).await));

    // A new password hash, and logins counted.
    let second = PasswordHash::parse(ARGON_2).unwrap();
    let at = T0.plus_secs(100);
    assert!(
        store
            .set_password_hash(acme, &alice.user_id, &second, at)
            .await
            .unwrap()
    );
    assert!(
        !store
            .set_password_hash(other, &bob.user_id, &second, at)
            .await
            .unwrap()
    );
    assert!(
        store
            .record_login(acme, &alice.user_id, T0.plus_secs(200))
            .await
            .unwrap()
    );
    assert!(
        store
            .record_login(acme, &alice.user_id, T0.plus_secs(201))
            .await
            .unwrap()
    );
    assert!(
        !store
            .record_login(acme, &UserId::new("auth0|x"), T0)
            .await
            .unwrap()
    );
    let expected = User {
        password_hash: Some(second),
        updated_at: at,
        last_login: Some(T0.plus_secs(201)),
        logins_count: 5,
        ..alice
    };
    assert_eq!(
        store.user(acme, &expected.user_id).await.unwrap(),
        Some(expected)
    );
    assert_eq!(store.user(acme, &bob.user_id).await.unwrap(), Some(bob));
}

async fn roles(
    store: &dyn Store,
    acme: &TenantId,
    other: &TenantId,
    alice: &UserId,
    bob: &UserId,
    reader_id: RoleId,
) {
    let rng = SystemRng::new();
    let role = |id: RoleId, name: &str| Role {
        tenant_id: acme.clone(),
        id,
        name: name.to_owned(),
        description: format!("The {name}s"),
        created_at: T0.plus_secs(5),
    };
    let reader = role(reader_id, "reader");
    let writer = role(RoleId::generate(&rng), "writer");
    store.insert_role(&reader).await.unwrap();
    store.insert_role(&writer).await.unwrap();
    assert_eq!(
        store.role(acme, &reader.id).await.unwrap().as_ref(),
        Some(&reader)
    );
    assert_eq!(
        store.role(acme, &writer.id).await.unwrap().as_ref(),
        Some(&writer)
    );
    assert_eq!(store.role(other, &reader.id).await.unwrap(), None);
    assert!(is_conflict(
        store
            .insert_role(&role(RoleId::generate(&rng), "reader"))
            .await
    ));
    assert!(is_conflict(
        store
            .insert_role(&role(reader.id.clone(), "other name"))
            .await
    ));
    let elsewhere = Role {
        tenant_id: other.clone(),
        ..role(RoleId::generate(&rng), "reader")
    };
    store.insert_role(&elsewhere).await.unwrap();

    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(a, p)| ((*a).to_owned(), (*p).to_owned()))
            .collect()
    };
    let reads = pairs(&[(API, "read:messages"), (API, "read:profile")]);
    store
        .add_role_permissions(acme, &reader.id, &reads)
        .await
        .unwrap();
    store
        .add_role_permissions(acme, &reader.id, &reads)
        .await
        .unwrap();
    store
        .add_role_permissions(acme, &reader.id, &[])
        .await
        .unwrap();
    let writes = pairs(&[
        (API, "write:messages"),
        (API, "read:messages"),
        (BILLING, "pay:invoices"),
    ]);
    store
        .add_role_permissions(acme, &writer.id, &writes)
        .await
        .unwrap();
    // Unknown API or role: nothing is added.
    let bad = pairs(&[(API, "delete:messages"), ("https://nope.test/", "x")]);
    assert!(is_conflict(
        store.add_role_permissions(acme, &writer.id, &bad).await
    ));
    let unknown_role = RoleId::generate(&rng);
    assert!(is_conflict(
        store
            .add_role_permissions(acme, &unknown_role, &reads)
            .await
    ));
    store
        .add_role_permissions(other, &elsewhere.id, &pairs(&[(API, "admin:all")]))
        .await
        .unwrap();

    store
        .assign_user_roles(acme, alice, &[reader.id.clone(), writer.id.clone()])
        .await
        .unwrap();
    store
        .assign_user_roles(acme, alice, std::slice::from_ref(&writer.id))
        .await
        .unwrap();
    store
        .assign_user_roles(acme, bob, std::slice::from_ref(&reader.id))
        .await
        .unwrap();
    store.assign_user_roles(acme, bob, &[]).await.unwrap();
    assert!(is_conflict(
        store
            .assign_user_roles(acme, bob, &[writer.id.clone(), unknown_role])
            .await
    ));
    assert!(is_conflict(
        store
            .assign_user_roles(
                acme,
                &UserId::new("auth0|x"),
                std::slice::from_ref(&reader.id)
            )
            .await
    ));
    // A role of another tenant is not a role here.
    assert!(is_conflict(
        store
            .assign_user_roles(acme, bob, std::slice::from_ref(&elsewhere.id))
            .await
    ));

    let perms = |u: &UserId, aud: &'static str| {
        let u = u.clone();
        async move { store.user_permissions(acme, &u, aud).await.unwrap() }
    };
    assert_eq!(
        perms(alice, API).await,
        ["read:messages", "read:profile", "write:messages"]
    );
    assert_eq!(perms(alice, BILLING).await, ["pay:invoices"]);
    assert_eq!(perms(bob, API).await, ["read:messages", "read:profile"]);
    assert_eq!(perms(bob, BILLING).await, Vec::<String>::new());
    assert_eq!(
        perms(alice, "https://nope.test/").await,
        Vec::<String>::new()
    );
    assert_eq!(
        store.user_permissions(other, alice, API).await.unwrap(),
        Vec::<String>::new()
    );
}

async fn codes(
    store: &dyn Store,
    acme: &TenantId,
    other: &TenantId,
    alice: &UserId,
) -> (AuthorizationCode, AuthorizationCode) {
    let issued = T0.plus_secs(300);
    let first = code(acme, alice, "code-one", issued);
    store.insert_code(&first).await.unwrap();
    assert!(is_conflict(store.insert_code(&first).await));
    let foreign_client = AuthorizationCode {
        code_hash: token_hash("code-x"),
        client_id: ClientId::new("no-such-client"),
        ..first.clone()
    };
    assert!(is_conflict(store.insert_code(&foreign_client).await));
    let foreign_user = AuthorizationCode {
        code_hash: token_hash("code-y"),
        user_id: UserId::new("auth0|nobody"),
        ..first.clone()
    };
    assert!(is_conflict(store.insert_code(&foreign_user).await));

    let second = AuthorizationCode {
        code_hash: token_hash("code-two"),
        audience: None,
        nonce: None,
        code_challenge: None,
        ..code(acme, alice, "code-two", issued.plus_secs(1))
    };
    store.insert_code(&second).await.unwrap();

    let at = issued.plus_secs(10);
    assert_eq!(
        store
            .consume_code(other, &first.code_hash, at)
            .await
            .unwrap(),
        CodeConsumption::NotFound
    );
    assert_eq!(
        store
            .consume_code(acme, &token_hash("nope"), at)
            .await
            .unwrap(),
        CodeConsumption::NotFound
    );
    let consumed = AuthorizationCode {
        consumed_at: Some(at),
        ..first.clone()
    };
    assert_eq!(
        store
            .consume_code(acme, &first.code_hash, at)
            .await
            .unwrap(),
        CodeConsumption::Consumed(consumed.clone())
    );
    assert_eq!(
        store
            .consume_code(acme, &first.code_hash, at.plus_secs(5))
            .await
            .unwrap(),
        CodeConsumption::AlreadyConsumed(consumed.clone())
    );
    let consumed_second = AuthorizationCode {
        consumed_at: Some(at),
        ..second
    };
    assert_eq!(
        store
            .consume_code(acme, &consumed_second.code_hash, at)
            .await
            .unwrap(),
        CodeConsumption::Consumed(consumed_second.clone())
    );
    (consumed, consumed_second)
}

fn session(
    tenant: &TenantId,
    user_id: &UserId,
    cookie: &str,
    sid: &str,
    at: UnixTime,
) -> SsoSession {
    SsoSession {
        tenant_id: tenant.clone(),
        id_hash: token_hash(cookie),
        sid: sid.to_owned(),
        user_id: user_id.clone(),
        auth_time: at.plus_secs(-5),
        created_at: at,
        last_active_at: at,
        expires_at: at.plus_secs(7 * DAY),
        revoked_at: None,
    }
}

async fn sessions(
    store: &dyn Store,
    acme: &TenantId,
    other: &TenantId,
    alice: &UserId,
    bob: &UserId,
) {
    let s = session(acme, alice, "cookie-1", "sid-alice-1", T0.plus_secs(300));
    store.insert_session(&s).await.unwrap();
    assert_eq!(
        store.session(acme, &s.id_hash).await.unwrap().as_ref(),
        Some(&s)
    );
    assert_eq!(store.session(other, &s.id_hash).await.unwrap(), None);
    assert_eq!(
        store.session(acme, &token_hash("cookie-x")).await.unwrap(),
        None
    );
    assert!(is_conflict(store.insert_session(&s).await));
    let same_sid = session(acme, alice, "cookie-2", "sid-alice-1", T0);
    assert!(is_conflict(store.insert_session(&same_sid).await));
    let nobody = session(acme, &UserId::new("auth0|nobody"), "cookie-3", "sid-3", T0);
    assert!(is_conflict(store.insert_session(&nobody).await));

    // Activity moves forward only.
    assert!(
        store
            .touch_session(acme, &s.id_hash, T0.plus_secs(400))
            .await
            .unwrap()
    );
    assert!(
        store
            .touch_session(acme, &s.id_hash, T0.plus_secs(350))
            .await
            .unwrap()
    );
    assert!(
        !store
            .touch_session(other, &s.id_hash, T0.plus_secs(450))
            .await
            .unwrap()
    );
    assert!(
        !store
            .touch_session(acme, &token_hash("cookie-x"), T0)
            .await
            .unwrap()
    );
    let touched = SsoSession {
        last_active_at: T0.plus_secs(400),
        ..s.clone()
    };
    assert_eq!(
        store.session(acme, &s.id_hash).await.unwrap().as_ref(),
        Some(&touched)
    );

    // Revoked once; a revoked session is not touched.
    let r = T0.plus_secs(500);
    assert!(!store.revoke_session(other, &s.id_hash, r).await.unwrap());
    assert!(store.revoke_session(acme, &s.id_hash, r).await.unwrap());
    assert!(
        !store
            .revoke_session(acme, &s.id_hash, r.plus_secs(1))
            .await
            .unwrap()
    );
    assert!(
        !store
            .touch_session(acme, &s.id_hash, r.plus_secs(2))
            .await
            .unwrap()
    );
    let revoked = SsoSession {
        revoked_at: Some(r),
        ..touched
    };
    assert_eq!(
        store.session(acme, &s.id_hash).await.unwrap(),
        Some(revoked)
    );

    // Every session of a user.
    let s2 = session(acme, alice, "cookie-4", "sid-alice-2", T0.plus_secs(310));
    let s3 = session(acme, alice, "cookie-5", "sid-alice-3", T0.plus_secs(320));
    let b = session(acme, bob, "cookie-6", "sid-bob-1", T0.plus_secs(330));
    for x in [&s2, &s3, &b] {
        store.insert_session(x).await.unwrap();
    }
    let u = T0.plus_secs(600);
    assert_eq!(
        store.revoke_user_sessions(other, alice, u).await.unwrap(),
        0
    );
    assert_eq!(store.revoke_user_sessions(acme, alice, u).await.unwrap(), 2);
    assert_eq!(store.revoke_user_sessions(acme, alice, u).await.unwrap(), 0);
    assert_eq!(
        store.session(acme, &s3.id_hash).await.unwrap(),
        Some(SsoSession {
            revoked_at: Some(u),
            ..s3
        })
    );
    assert_eq!(store.session(acme, &b.id_hash).await.unwrap(), Some(b));
}

/// What is left after the story: codes (expire T0+360, T0+361); refresh families 1-3
/// (revoked by T0+2002), 4 and 4b (expired at T0+3000), 5 (revoked T0+4000), 6 (T0+4100),
/// 7 (T0+4200), 8 (bob's, live); alice's 3 sessions (revoked by T0+600), bob's (live,
/// expires T0+330+7d), plus the `other` tenant's nothing.
async fn sweep(
    store: &dyn Store,
    acme: &TenantId,
    first_code: &AuthorizationCode,
    second_code: &AuthorizationCode,
    alice: &UserId,
    bob: &UserId,
) {
    assert_eq!(store.sweep_expired(T0.plus_secs(350), 0).await.unwrap(), 0);
    // Nothing is dead for more than the grace yet.
    assert_eq!(
        store
            .sweep_expired(T0.plus_secs(10_000), 9_700)
            .await
            .unwrap(),
        0
    );
    // Cutoff T0+4000: both codes; families 1 (3 tokens), 2 (4), 3 (3), 4 (1), 4b (1);
    // alice's 3 sessions. Family 5, revoked exactly at the cutoff, stays.
    assert_eq!(
        store
            .sweep_expired(T0.plus_secs(10_000), 6_000)
            .await
            .unwrap(),
        2 + 12 + 3
    );
    assert_eq!(
        store
            .consume_code(acme, &first_code.code_hash, T0)
            .await
            .unwrap(),
        CodeConsumption::NotFound
    );
    assert_eq!(
        store
            .consume_code(acme, &second_code.code_hash, T0)
            .await
            .unwrap(),
        CodeConsumption::NotFound
    );
    for gone in ["r0", "r2", "s2", "u1", "v0", "w0"] {
        assert_eq!(
            store.refresh_token(acme, &token_hash(gone)).await.unwrap(),
            None,
            "{gone}"
        );
    }
    // "s2-bis" was stored as generation 3; it went with its family too.
    assert_eq!(
        store
            .refresh_token(acme, &token_hash("s2-bis"))
            .await
            .unwrap(),
        None
    );
    for kept in ["x0", "x1", "y0", "z0", "z1", "b0"] {
        assert!(
            store
                .refresh_token(acme, &token_hash(kept))
                .await
                .unwrap()
                .is_some(),
            "{kept}"
        );
    }
    assert_eq!(
        store.session(acme, &token_hash("cookie-1")).await.unwrap(),
        None
    );
    assert!(
        store
            .session(acme, &token_hash("cookie-6"))
            .await
            .unwrap()
            .is_some()
    );
    // Users and roles are never swept.
    assert!(store.user(acme, alice).await.unwrap().is_some());
    assert!(store.user(acme, bob).await.unwrap().is_some());

    // 100 days on, everything left has expired: families 5 (2), 6 (1), 7 (2), 8 (1) and
    // bob's session.
    assert_eq!(
        store
            .sweep_expired(T0.plus_secs(100 * DAY), 0)
            .await
            .unwrap(),
        7
    );
    assert_eq!(
        store
            .sweep_expired(T0.plus_secs(100 * DAY), 0)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn users_and_grants_story_sqlite() {
    let (_dir, url) = crate::fresh_sqlite();
    story(url).await;
}

#[tokio::test]
async fn users_and_grants_story_postgres() {
    let Some((db, url)) = crate::fresh_pg().await else {
        return;
    };
    story(url).await;
    db.drop_database().await.unwrap();
}
