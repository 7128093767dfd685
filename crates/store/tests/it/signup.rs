//! Signing up through core::signup on a real store: addresses are compared in their
//! normalized form (E.39), so a fullwidth or differently composed spelling of a taken
//! address is the same account, on SQLite and on PostgreSQL.

use std::sync::Arc;

use portcullis_core::password::{HashParams, Password, PasswordHasher};
use portcullis_core::signup::{NewUser, SignupError, create_database_user};
use portcullis_core::{ManualClock, SystemRng, TenantId, TenantSettings};
use portcullis_store::{DatabaseUrl, OpenOptions, open};

use crate::fixtures::{T0, seed_tenant};
use crate::{fresh_pg, fresh_sqlite};

async fn look_alikes_are_one_account(url: DatabaseUrl) {
    let store = open(&url, &OpenOptions::default()).await.unwrap();
    let tenant = TenantId::new("acme");
    seed_tenant(store.as_ref(), &tenant, TenantSettings::default()).await;
    let rng = SystemRng::new();
    let hasher = PasswordHasher::new(
        HashParams::new(64, 1, 1).unwrap(),
        1,
        Arc::new(SystemRng::new()),
    );
    let clock = ManualClock::new(T0);
    let password = Password::new("a long password".to_owned());
    let signup = |email: &'static str| {
        let (store, hasher, clock, rng, tenant, password) =
            (&store, &hasher, &clock, &rng, &tenant, &password);
        async move {
            create_database_user(
                store.as_ref(),
                hasher,
                clock,
                rng,
                tenant,
                &[],
                NewUser {
                    email,
                    password,
                    name: None,
                    email_verified: false,
                },
            )
            .await
        }
    };
    // Fullwidth letters and `＠`: stored in their plain form.
    let user = signup("ＡＬＩＣＥ＠ｅｘａｍｐｌｅ．ｃｏｍ").await.unwrap();
    assert_eq!(user.email, "ALICE@example.com");
    let found = store
        .user_by_email(&tenant, "alice@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.user_id, user.user_id);
    for taken in [
        "alice@example.com",
        " Alice@Example.COM",
        "ａｌｉｃｅ@example.com",
    ] {
        assert!(
            matches!(signup(taken).await, Err(SignupError::Exists)),
            "{taken}"
        );
    }
    // Composed and decomposed accents are one address too.
    signup("\u{c9}lodie@exemple.fr").await.unwrap();
    assert!(matches!(
        signup("E\u{301}lodie@exemple.fr").await,
        Err(SignupError::Exists)
    ));
}

#[tokio::test]
async fn look_alike_addresses_are_one_account_on_sqlite() {
    let (_dir, url) = fresh_sqlite();
    look_alikes_are_one_account(url).await;
}

#[tokio::test]
async fn look_alike_addresses_are_one_account_on_postgres() {
    let Some((db, url)) = fresh_pg().await else {
        return;
    };
    look_alikes_are_one_account(url).await;
    db.drop_database().await.unwrap();
}
