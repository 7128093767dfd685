//! The named `admin` write commands (`users create`, `apis create`, `roles create |
//! add-permission | assign`, `apps create | grant`, `tenant default-roles |
//! signup-verification`) against a running server with `--url`: they change that
//! server's tenant, are audited there under the M2M application, and refuse mistakes
//! with one line and exit code 2, changing nothing.

use serde_json::{Value, json};

use crate::forms::{enc, env_value};
use crate::listing::bootstrapped_server;
use crate::{created_id, data_dir, http, ok, refused, run, run_with_input};

const ORDERS: &str = "https://orders.example/";
const EMAIL: &str = "ada@example.com";

#[test]
fn named_writes_change_a_running_server_and_are_audited_there() {
    let (tmp, data) = data_dir();
    let cwd = tmp.path();
    let (boot, listen, server) = bootstrapped_server(cwd, &data);
    let m2m = env_value(&boot, "PORTCULLIS_M2M_CLIENT_ID");
    let secret = env_value(&boot, "PORTCULLIS_M2M_CLIENT_SECRET");
    let url = format!("http://{listen}/");
    // No --data-dir: everything goes to the server named in the environment.
    let env = [
        ("PORTCULLIS_ADMIN_URL", url.as_str()),
        ("PORTCULLIS_ADMIN_CLIENT_ID", m2m.as_str()),
        ("PORTCULLIS_ADMIN_CLIENT_SECRET", secret.as_str()),
    ];
    let admin = |args: &[&str]| {
        let mut all = vec!["admin"];
        all.extend_from_slice(args);
        run(cwd, &all, &env)
    };
    let api_json =
        |path: &str| -> Value { serde_json::from_str(&ok(admin(&["api", "GET", path]))).unwrap() };

    let out = ok(admin(&[
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
        "--rbac",
        "--add-permissions-in-token",
    ]));
    let api_id = created_id(&out);
    assert_eq!(out, format!("created {api_id} ({ORDERS})\n"));
    let api = api_json(&format!("/resource-servers/{api_id}"));
    assert_eq!(
        (
            &api["enforce_policies"],
            &api["token_dialect"],
            &api["allow_offline_access"],
            &api["scopes"]
        ),
        (
            &json!(true),
            &json!("access_token_authz"),
            &json!(false),
            &json!([{"value": "read:orders"}, {"value": "write:orders"}])
        )
    );

    let out = ok(admin(&["roles", "create", "--name", "Reader"]));
    let role = created_id(&out);
    assert_eq!(out, format!("created {role} (Reader)\n"));
    assert_eq!(
        ok(admin(&[
            "roles",
            "add-permission",
            &role,
            "--api",
            ORDERS,
            "--permission",
            "read:orders",
            "--permission",
            "read:orders",
        ])),
        format!("role {role}: added 1 permission(s) on {ORDERS}\n")
    );
    let out = ok(run_with_input(
        cwd,
        &[
            "admin", "users", "create", "--email", EMAIL, "--name", "Ada",
        ],
        &env,
        "a long enough password\n",
    ));
    let user = created_id(&out);
    assert_eq!(out, format!("created {user} ({EMAIL})\n"));
    assert_eq!(
        ok(admin(&[
            "roles",
            "assign",
            &role,
            "--user",
            "ADA@example.com"
        ])),
        format!("assigned {role} to {user}\n")
    );
    assert_eq!(
        api_json(&format!("/users/{}/permissions", enc(&user))),
        json!([{
            "permission_name": "read:orders",
            "description": "",
            "resource_server_name": "Orders",
            "resource_server_identifier": ORDERS,
            "sources": [{"source_id": role, "source_name": "Reader", "source_type": "ROLE"}],
        }])
    );

    let out = ok(admin(&[
        "apps",
        "create",
        "--name",
        "Worker",
        "--type",
        "non_interactive",
    ]));
    let worker = created_id(&out);
    let worker_secret = out.lines().nth(1).unwrap().rsplit(' ').next().unwrap();
    assert_eq!(
        out,
        format!(
            "created {worker} (Worker, non_interactive)\n\
             client secret (shown once; only its hash is stored): {worker_secret}\n"
        )
    );
    let out = ok(admin(&[
        "apps",
        "grant",
        "--app",
        &worker,
        "--audience",
        ORDERS,
        "--scope",
        "read:orders",
    ]));
    let grant = created_id(&out);
    assert_eq!(
        out,
        format!("created {grant} ({worker} may get tokens for {ORDERS} with scope: read:orders)\n")
    );
    // The server honours the grant at once.
    let body = format!(
        "grant_type=client_credentials&client_id={worker}&client_secret={}&audience={}",
        enc(worker_secret),
        enc(ORDERS)
    );
    let addr = listen.parse().unwrap();
    let res = http(
        addr,
        "POST",
        "/oauth/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    );
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["scope"], "read:orders");

    assert_eq!(
        ok(admin(&["tenant", "default-roles", "--role", &role])),
        format!("default roles: {role} (Reader)\n")
    );
    assert_eq!(
        ok(admin(&["tenant", "signup-verification", "on"])),
        "signup verification: on\n"
    );
    let settings = api_json("/tenants/settings");
    assert_eq!(
        (
            &settings["default_roles"],
            &settings["signup_requires_verification"]
        ),
        (&json!([role]), &json!(true))
    );

    // Mistakes: one line, exit code 2, nothing changed.
    assert_eq!(
        refused(admin(&["roles", "create", "--name", "Reader"])),
        "error: a role named Reader exists already"
    );
    assert_eq!(
        refused(admin(&[
            "roles",
            "assign",
            "rol_doesnotexist0000",
            "--user",
            EMAIL
        ])),
        "error: no role with id rol_doesnotexist0000"
    );
    assert_eq!(
        refused(admin(&[
            "apps",
            "grant",
            "--app",
            &worker,
            "--audience",
            ORDERS
        ])),
        format!("error: {worker} has a grant for {ORDERS} already ({grant})")
    );
    let line = refused(run_with_input(
        cwd,
        &["admin", "users", "create", "--email", "bob@example.com"],
        &env,
        "short\n",
    ));
    assert!(
        line.starts_with("error: PasswordStrengthError: Password is too weak."),
        "{line}"
    );
    assert_eq!(
        refused(run_with_input(
            cwd,
            &["admin", "users", "create", "--email", EMAIL],
            &env,
            "another long password\n",
        )),
        format!("error: a user with email {EMAIL} exists already")
    );
    assert_eq!(
        api_json("/roles").as_array().unwrap().len(),
        1,
        "a refused role was made"
    );
    assert_eq!(api_json("/users").as_array().unwrap().len(), 1);

    // Audited on the server, under the M2M application: each write, newest first, and
    // the refused ones as failures.
    let events = api_json("/logs?q=type%3A%22sapi%22");
    let described: Vec<(&str, &str)> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["client_id"], json!(m2m));
            (
                e["details"]["request"]["method"].as_str().unwrap(),
                e["details"]["request"]["path"].as_str().unwrap(),
            )
        })
        .collect();
    let role_path = format!("/api/v2/roles/{role}");
    assert_eq!(
        described,
        [
            ("patch", "/api/v2/tenants/settings"),
            ("patch", "/api/v2/tenants/settings"),
            ("post", "/api/v2/client-grants"),
            ("post", "/api/v2/clients"),
            ("post", &*format!("{role_path}/users")),
            ("post", "/api/v2/users"),
            ("post", &*format!("{role_path}/permissions")),
            ("post", "/api/v2/roles"),
            ("post", "/api/v2/resource-servers"),
        ]
    );
    let failures = api_json("/logs?q=type%3A%22fapi%22");
    assert_eq!(failures.as_array().unwrap().len(), 5, "{failures}");
    drop(server);
}
