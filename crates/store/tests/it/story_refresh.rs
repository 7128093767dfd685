//! The refresh-token chapter of the users-and-grants story: rotation chains, reuse
//! inside and outside the overlap window, expiry, and revocation by family, code and user.

use portcullis_core::{
    AuthorizationCode, ClientId, RefreshToken, Rotation, Store, TenantId, UnixTime, UserId,
    token_hash,
};

use crate::fixtures::{T0, is_conflict, refresh, stored};

pub async fn refresh_tokens(
    store: &dyn Store,
    acme: &TenantId,
    other: &TenantId,
    alice: &UserId,
    bob: &UserId,
    from_code: &AuthorizationCode,
) {
    let t = |token: &str, family: &str, generation: u32, at: UnixTime| RefreshToken {
        code_hash: Some(from_code.code_hash.clone()),
        ..refresh(acme, alice, token, family, generation, at)
    };
    let with = |token: &RefreshToken, consumed: Option<UnixTime>, revoked: Option<UnixTime>| {
        RefreshToken {
            consumed_at: consumed,
            revoked_at: revoked,
            ..token.clone()
        }
    };

    // Family 1: a chain 0 -> 1 -> 2, then gen 0 presented long after: the family dies.
    let r0 = t("r0", "fam-1", 0, T0.plus_secs(400));
    store.insert_refresh_token(&r0).await.unwrap();
    assert_eq!(
        store
            .refresh_token(acme, &r0.token_hash)
            .await
            .unwrap()
            .as_ref(),
        Some(&r0)
    );
    assert_eq!(
        store.refresh_token(other, &r0.token_hash).await.unwrap(),
        None
    );
    assert!(is_conflict(store.insert_refresh_token(&r0).await));
    assert!(is_conflict(
        store
            .insert_refresh_token(&t("r0-bis", "fam-1", 0, T0))
            .await
    ));
    let foreign = RefreshToken {
        user_id: UserId::new("auth0|nobody"),
        ..t("r-x", "fam-x", 0, T0)
    };
    assert!(is_conflict(store.insert_refresh_token(&foreign).await));

    let r1 = t("r1", "fam-1", 1, T0.plus_secs(500));
    let at1 = T0.plus_secs(500);
    assert_eq!(
        store
            .rotate_refresh_token(acme, &r0.token_hash, &r1, at1, 30)
            .await
            .unwrap(),
        Rotation::Rotated(with(&r0, Some(at1), None))
    );
    let r2 = t("r2", "fam-1", 2, T0.plus_secs(600));
    // A `next` that does not continue the presented token changes nothing.
    for bad in [
        RefreshToken {
            generation: 3,
            ..r2.clone()
        },
        RefreshToken {
            family_id: "fam-9".to_owned(),
            ..r2.clone()
        },
        RefreshToken {
            client_id: ClientId::new("other-client"),
            ..r2.clone()
        },
        RefreshToken {
            user_id: bob.clone(),
            ..r2.clone()
        },
    ] {
        assert!(is_conflict(
            store
                .rotate_refresh_token(acme, &r1.token_hash, &bad, r2.created_at, 30)
                .await
        ));
    }
    assert_eq!(
        store.refresh_token(acme, &r1.token_hash).await.unwrap(),
        Some(r1.clone())
    );
    assert_eq!(
        store.refresh_token(acme, &r2.token_hash).await.unwrap(),
        None
    );
    let at2 = T0.plus_secs(600);
    assert_eq!(
        store
            .rotate_refresh_token(acme, &r1.token_hash, &r2, at2, 30)
            .await
            .unwrap(),
        Rotation::Rotated(with(&r1, Some(at2), None))
    );
    // Gen 0, 200 s after its rotation, window 30: reuse. Every token of the family dies.
    let at3 = T0.plus_secs(700);
    let r3 = t("r3", "fam-1", 1, at3);
    assert_eq!(
        store
            .rotate_refresh_token(acme, &r0.token_hash, &r3, at3, 30)
            .await
            .unwrap(),
        Rotation::Reused {
            family_id: "fam-1".to_owned()
        }
    );
    assert_eq!(
        stored(store, acme, &[&r0, &r1, &r2]).await,
        [
            with(&r0, Some(at1), Some(at3)),
            with(&r1, Some(at2), Some(at3)),
            with(&r2, None, Some(at3))
        ]
    );
    assert_eq!(
        store.refresh_token(acme, &r3.token_hash).await.unwrap(),
        None
    );
    let r3b = t("r3", "fam-1", 3, at3);
    assert_eq!(
        store
            .rotate_refresh_token(acme, &r2.token_hash, &r3b, at3.plus_secs(1), 30)
            .await
            .unwrap(),
        Rotation::Revoked
    );
    assert_eq!(
        store
            .rotate_refresh_token(acme, &token_hash("nope"), &r3b, at3, 30)
            .await
            .unwrap(),
        Rotation::NotFound
    );
    assert_eq!(
        store
            .rotate_refresh_token(other, &r2.token_hash, &r3b, at3, 30)
            .await
            .unwrap(),
        Rotation::NotFound
    );

    // Family 2: within a 30 s window, the immediate predecessor of the newest token may
    // be presented once more; its replacement takes the newest's place.
    let s0 = t("s0", "fam-2", 0, T0.plus_secs(1000));
    store.insert_refresh_token(&s0).await.unwrap();
    let s1 = t("s1", "fam-2", 1, T0.plus_secs(1000));
    let s2 = t("s2", "fam-2", 2, T0.plus_secs(1005));
    let (a1, a2) = (T0.plus_secs(1000), T0.plus_secs(1005));
    assert_eq!(
        store
            .rotate_refresh_token(acme, &s0.token_hash, &s1, a1, 30)
            .await
            .unwrap(),
        Rotation::Rotated(with(&s0, Some(a1), None))
    );
    assert_eq!(
        store
            .rotate_refresh_token(acme, &s1.token_hash, &s2, a2, 30)
            .await
            .unwrap(),
        Rotation::Rotated(with(&s1, Some(a2), None))
    );
    let a3 = T0.plus_secs(1008);
    let s2bis = t("s2-bis", "fam-2", 2, a3);
    assert_eq!(
        store
            .rotate_refresh_token(acme, &s1.token_hash, &s2bis, a3, 30)
            .await
            .unwrap(),
        Rotation::ReusedInWindow(with(&s1, Some(a2), None))
    );
    // Stored after the newest (generation 3), which is revoked: one live token.
    let s3 = RefreshToken {
        generation: 3,
        ..s2bis.clone()
    };
    assert_eq!(
        stored(store, acme, &[&s0, &s1, &s2, &s3]).await,
        [
            with(&s0, Some(a1), None),
            with(&s1, Some(a2), None),
            with(&s2, None, Some(a3)),
            s3.clone()
        ]
    );
    // The superseded token is just revoked; the family lives on.
    let a4 = T0.plus_secs(1009);
    let s4 = t("s4", "fam-2", 3, a4);
    assert_eq!(
        store
            .rotate_refresh_token(acme, &s2.token_hash, &s4, a4, 30)
            .await
            .unwrap(),
        Rotation::Revoked
    );
    assert_eq!(
        store.refresh_token(acme, &s3.token_hash).await.unwrap(),
        Some(s3.clone())
    );
    // The same predecessor a second time: reuse, the whole family dies.
    let s2ter = t("s2-ter", "fam-2", 2, a4);
    assert_eq!(
        store
            .rotate_refresh_token(acme, &s1.token_hash, &s2ter, a4, 30)
            .await
            .unwrap(),
        Rotation::Reused {
            family_id: "fam-2".to_owned()
        }
    );
    assert_eq!(
        stored(store, acme, &[&s0, &s1, &s2, &s3]).await,
        [
            with(&s0, Some(a1), Some(a4)),
            with(&s1, Some(a2), Some(a4)),
            with(&s2, None, Some(a3)),
            with(&s3, None, Some(a4)),
        ]
    );
    assert_eq!(
        store.refresh_token(acme, &s2ter.token_hash).await.unwrap(),
        None
    );

    // Family 3: gen 0 presented within the window while gen 2 exists: reuse.
    let u0 = t("u0", "fam-3", 0, T0.plus_secs(2000));
    let u1 = t("u1", "fam-3", 1, T0.plus_secs(2000));
    let u2 = t("u2", "fam-3", 2, T0.plus_secs(2001));
    store.insert_refresh_token(&u0).await.unwrap();
    let (b1, b2, b3) = (T0.plus_secs(2000), T0.plus_secs(2001), T0.plus_secs(2002));
    assert!(matches!(
        store
            .rotate_refresh_token(acme, &u0.token_hash, &u1, b1, 30)
            .await
            .unwrap(),
        Rotation::Rotated(_)
    ));
    assert!(matches!(
        store
            .rotate_refresh_token(acme, &u1.token_hash, &u2, b2, 30)
            .await
            .unwrap(),
        Rotation::Rotated(_)
    ));
    assert_eq!(
        store
            .rotate_refresh_token(acme, &u0.token_hash, &t("u1-bis", "fam-3", 1, b3), b3, 30)
            .await
            .unwrap(),
        Rotation::Reused {
            family_id: "fam-3".to_owned()
        }
    );
    assert_eq!(
        stored(store, acme, &[&u0, &u1, &u2]).await,
        [
            with(&u0, Some(b1), Some(b3)),
            with(&u1, Some(b2), Some(b3)),
            with(&u2, None, Some(b3))
        ]
    );

    // Expired, by inactivity and absolutely: nothing changes, nothing is issued.
    let idle = RefreshToken {
        idle_expires_at: T0.plus_secs(3000),
        ..t("v0", "fam-4", 0, T0.plus_secs(2500))
    };
    let absolute = RefreshToken {
        expires_at: T0.plus_secs(3000),
        ..t("w0", "fam-4b", 0, T0.plus_secs(2500))
    };
    for old in [&idle, &absolute] {
        store.insert_refresh_token(old).await.unwrap();
        let next = RefreshToken {
            token_hash: token_hash(&format!("{}-next", old.family_id)),
            generation: 1,
            ..old.clone()
        };
        let at = T0.plus_secs(3000);
        assert_eq!(
            store
                .rotate_refresh_token(acme, &old.token_hash, &next, at, 30)
                .await
                .unwrap(),
            Rotation::Expired
        );
        assert_eq!(
            store
                .refresh_token(acme, &old.token_hash)
                .await
                .unwrap()
                .as_ref(),
            Some(old)
        );
        assert_eq!(
            store.refresh_token(acme, &next.token_hash).await.unwrap(),
            None
        );
    }

    // The replayed-code rule: every family from the code is revoked.
    let x0 = t("x0", "fam-5", 0, T0.plus_secs(3500));
    let x1 = t("x1", "fam-5", 1, T0.plus_secs(3600));
    store.insert_refresh_token(&x0).await.unwrap();
    assert!(matches!(
        store
            .rotate_refresh_token(acme, &x0.token_hash, &x1, T0.plus_secs(3600), 0)
            .await
            .unwrap(),
        Rotation::Rotated(_)
    ));
    let other_code = RefreshToken {
        code_hash: Some(token_hash("code-two")),
        ..t("y0", "fam-6", 0, T0.plus_secs(3500))
    };
    store.insert_refresh_token(&other_code).await.unwrap();
    let c = T0.plus_secs(4000);
    assert_eq!(
        store
            .revoke_refresh_by_code(other, &from_code.code_hash, c)
            .await
            .unwrap(),
        0
    );
    // Families 1-3 were revoked already; fam-4/4b came from the same code (2 tokens) and
    // fam-5 has 2.
    assert_eq!(
        store
            .revoke_refresh_by_code(acme, &from_code.code_hash, c)
            .await
            .unwrap(),
        4
    );
    assert_eq!(
        store
            .revoke_refresh_by_code(acme, &from_code.code_hash, c)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        stored(store, acme, &[&x0, &x1, &other_code, &r0]).await,
        [
            with(&x0, Some(T0.plus_secs(3600)), Some(c)),
            with(&x1, None, Some(c)),
            other_code.clone(),
            with(&r0, Some(at1), Some(at3)),
        ]
    );

    // One family, by id.
    let f = T0.plus_secs(4100);
    assert_eq!(
        store.revoke_refresh_family(acme, "fam-6", f).await.unwrap(),
        1
    );
    assert_eq!(
        store.revoke_refresh_family(acme, "fam-6", f).await.unwrap(),
        0
    );
    assert_eq!(
        store
            .revoke_refresh_family(acme, "no-such-family", f)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .refresh_token(acme, &other_code.token_hash)
            .await
            .unwrap(),
        Some(with(&other_code, None, Some(f)))
    );

    // Every token of a user.
    let z0 = t("z0", "fam-7", 0, T0.plus_secs(4100));
    let z1 = t("z1", "fam-7", 1, T0.plus_secs(4150));
    let bobs = refresh(acme, bob, "b0", "fam-8", 0, T0.plus_secs(4100));
    store.insert_refresh_token(&z0).await.unwrap();
    store.insert_refresh_token(&bobs).await.unwrap();
    assert!(matches!(
        store
            .rotate_refresh_token(acme, &z0.token_hash, &z1, T0.plus_secs(4150), 0)
            .await
            .unwrap(),
        Rotation::Rotated(_)
    ));
    let u = T0.plus_secs(4200);
    assert_eq!(
        store
            .revoke_user_refresh_tokens(other, alice, u)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .revoke_user_refresh_tokens(acme, alice, u)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .revoke_user_refresh_tokens(acme, alice, u)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        stored(store, acme, &[&z0, &z1, &bobs]).await,
        [
            with(&z0, Some(T0.plus_secs(4150)), Some(u)),
            with(&z1, None, Some(u)),
            bobs.clone()
        ]
    );
}
