//! `admin roles`: a role with a permission on an API, assigned to a user, gives the user
//! that permission; mistakes are one line on stderr and exit code 2.

use std::path::Path;

use portcullis_core::{TenantId, UserId};
use portcullis_store::{DatabaseUrl, OpenOptions};

use crate::{created_id, data_dir, ok, refused, run, run_with_input};

const ORDERS: &str = "https://orders.example/";
const EMAIL: &str = "ada@example.com";

/// What the user's roles give on `audience`, read from the data dir's database.
fn permissions(data: &Path, user: &str, audience: &str) -> Vec<String> {
    let url = DatabaseUrl::sqlite_file(&data.join("portcullis.db"));
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let store = portcullis_store::open(
                &url,
                &OpenOptions {
                    migrate: false,
                    ..OpenOptions::default()
                },
            )
            .await
            .unwrap();
            store
                .user_permissions(&TenantId::default_tenant(), &UserId::new(user), audience)
                .await
                .unwrap()
        })
}

#[test]
fn a_role_gives_its_permissions_to_the_users_it_is_assigned_to() {
    let (tmp, data) = data_dir();
    let cwd = tmp.path();
    let d = data.to_str().unwrap();
    let admin = |args: &[&str]| {
        let mut all = vec!["admin"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--data-dir", d]);
        run(cwd, &all, &[])
    };

    ok(admin(&["bootstrap"]));
    ok(admin(&[
        "apis",
        "create",
        "--identifier",
        ORDERS,
        "--name",
        "Orders",
        "--scope",
        "read:orders",
        "--scope",
        "write:orders",
    ]));
    let user = created_id(&ok(run_with_input(
        cwd,
        &[
            "admin",
            "users",
            "create",
            "--email",
            EMAIL,
            "--data-dir",
            d,
        ],
        &[],
        "a long enough password\n",
    )));

    let out = ok(admin(&[
        "roles",
        "create",
        "--name",
        "Order reader",
        "--description",
        "Reads orders",
    ]));
    let role = created_id(&out);
    assert!(role.starts_with("rol_"), "{out}");
    assert_eq!(out, format!("created {role} (Order reader)\n"));

    let out = ok(admin(&[
        "roles",
        "add-permission",
        &role,
        "--api",
        ORDERS,
        "--permission",
        "read:orders",
    ]));
    assert_eq!(
        out,
        format!("role {role}: added 1 permission(s) on {ORDERS}\n")
    );
    assert!(permissions(&data, &user, ORDERS).is_empty());

    let out = ok(admin(&["roles", "assign", &role, "--user", EMAIL]));
    assert_eq!(out, format!("assigned {role} to {user}\n"));
    assert_eq!(permissions(&data, &user, ORDERS), ["read:orders"]);

    // Again: nothing changes, nothing fails.
    ok(admin(&[
        "roles",
        "add-permission",
        &role,
        "--api",
        ORDERS,
        "--permission",
        "read:orders",
    ]));
    ok(admin(&[
        "roles",
        "assign",
        &role,
        "--user",
        "ADA@example.com",
    ]));
    assert_eq!(permissions(&data, &user, ORDERS), ["read:orders"]);

    // Mistakes.
    let line = refused(admin(&["roles", "create", "--name", "Order reader"]));
    assert_eq!(line, "error: a role named Order reader exists already");

    let line = refused(admin(&[
        "roles",
        "add-permission",
        &role,
        "--api",
        ORDERS,
        "--permission",
        "read:orders",
        "--permission",
        "delete:orders",
    ]));
    assert!(line.contains("delete:orders"), "{line}");
    assert!(!line.contains("no permission named read:orders"), "{line}");

    let line = refused(admin(&[
        "roles",
        "add-permission",
        &role,
        "--api",
        "https://nowhere.example/",
        "--permission",
        "read:orders",
    ]));
    assert_eq!(
        line,
        "error: no API with identifier https://nowhere.example/"
    );

    let line = refused(admin(&[
        "roles",
        "add-permission",
        "rol_doesnotexist0000",
        "--api",
        ORDERS,
        "--permission",
        "read:orders",
    ]));
    assert_eq!(line, "error: no role with id rol_doesnotexist0000");

    let line = refused(admin(&[
        "roles",
        "assign",
        "rol_doesnotexist0000",
        "--user",
        EMAIL,
    ]));
    assert_eq!(line, "error: no role with id rol_doesnotexist0000");

    let line = refused(admin(&[
        "roles",
        "assign",
        &role,
        "--user",
        "nobody@example.com",
    ]));
    assert_eq!(line, "error: no user with email nobody@example.com");

    // None of that changed anything.
    assert_eq!(permissions(&data, &user, ORDERS), ["read:orders"]);
}
