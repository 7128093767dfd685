//! `admin apps create | list | grant` and `admin tenant default-roles |
//! signup-verification`: exact outputs,
//! secrets shown once and stored hashed, every refusal one line on stderr with exit code
//! 2 and nothing changed; a client grant made here lets the app get a token from the
//! running server; a default role reaches new users.

use std::path::Path;
use std::process::Output;

use portcullis_core::{
    AppType, Application, ClientId, ClientSecret, ResourceServer, TenantId,
    TokenEndpointAuthMethod, UserId,
};
use portcullis_store::{DatabaseUrl, OpenOptions};

use crate::forms::enc;
use crate::{Running, created_id, data_dir, http, ok, refused, run, run_with_input};

const ORDERS: &str = "https://orders.example/";

/// Runs `portcullis admin <args> --data-dir <data>` in `cwd`.
fn admin(cwd: &Path, data: &Path, args: &[&str]) -> Output {
    let mut all = vec!["admin"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--data-dir", data.to_str().unwrap()]);
    run(cwd, &all, &[])
}

/// Runs `f` on the data dir's database.
fn with_store<T>(data: &Path, f: impl AsyncFnOnce(&dyn portcullis_core::Store) -> T) -> T {
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
            f(store.as_ref()).await
        })
}

fn stored_apps(data: &Path) -> Vec<Application> {
    with_store(data, async |s| {
        s.applications(&TenantId::default_tenant()).await.unwrap()
    })
}

fn stored_api(data: &Path, identifier: &str) -> ResourceServer {
    let identifier = identifier.to_owned();
    with_store(data, async move |s| {
        s.resource_server_by_identifier(&TenantId::default_tenant(), &identifier)
            .await
            .unwrap()
            .unwrap()
    })
}

#[test]
fn apps_are_registered_with_auth0s_defaults_and_their_secrets_shown_once() {
    let (tmp, data) = data_dir();
    let cwd = tmp.path();
    let admin = |args: &[&str]| admin(cwd, &data, args);
    ok(admin(&["bootstrap"]));
    let seeded = stored_apps(&data);
    assert_eq!(seeded.len(), 2);

    // A single page application: public, one line.
    let out = ok(admin(&[
        "apps",
        "create",
        "--name",
        "Orders SPA",
        "--type",
        "spa",
        "--callback",
        "http://localhost:5173/callback",
        "--callback",
        "https://orders.example.com/callback",
        "--logout-url",
        "http://localhost:5173",
        "--web-origin",
        "http://localhost:5173",
        "--web-origin",
        "https://orders.example.com",
    ]));
    let spa_id = created_id(&out);
    assert_eq!(out, format!("created {spa_id} (Orders SPA, spa)\n"));
    assert_eq!(spa_id.len(), 32);

    // A regular web application: the secret, once, on a second line.
    let out = ok(admin(&[
        "apps",
        "create",
        "--name",
        "Orders web",
        "--type",
        "regular_web",
        "--callback",
        "https://orders.example.com/auth/callback",
    ]));
    let web_id = created_id(&out);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(
        lines[0],
        format!("created {web_id} (Orders web, regular_web)")
    );
    let web_secret = lines[1]
        .strip_prefix("client secret (shown once; only its hash is stored): ")
        .unwrap()
        .to_owned();
    assert_eq!(web_secret.len(), 64);

    // Machine to machine, with HTTP Basic.
    let out = ok(admin(&[
        "apps",
        "create",
        "--name",
        "Billing worker",
        "--type",
        "non_interactive",
        "--auth-method",
        "client_secret_basic",
    ]));
    let m2m_id = created_id(&out);
    assert!(out.contains("client secret (shown once"), "{out}");

    // Native, with a custom scheme.
    let native_id = created_id(&ok(admin(&[
        "apps",
        "create",
        "--name",
        "Orders iOS",
        "--type",
        "native",
        "--callback",
        "com.example.orders:/callback",
    ])));

    let apps = stored_apps(&data);
    assert_eq!(apps.len(), 6);
    assert_eq!(apps[..2], seeded[..]);
    let (spa, web, m2m, native) = (&apps[2], &apps[3], &apps[4], &apps[5]);
    assert_eq!(
        (
            spa.client_id.as_str(),
            spa.name.as_str(),
            spa.app_type,
            spa.token_endpoint_auth_method,
            spa.client_secret_hash.is_none()
        ),
        (
            spa_id.as_str(),
            "Orders SPA",
            AppType::Spa,
            TokenEndpointAuthMethod::None,
            true
        )
    );
    assert_eq!(
        spa.callbacks,
        [
            "http://localhost:5173/callback",
            "https://orders.example.com/callback"
        ]
    );
    assert_eq!(spa.allowed_logout_urls, ["http://localhost:5173"]);
    assert_eq!(
        spa.web_origins,
        ["http://localhost:5173", "https://orders.example.com"]
    );
    assert_eq!(
        spa.grant_types,
        ["authorization_code", "implicit", "refresh_token"]
    );

    assert_eq!(web.client_id, ClientId::new(&web_id));
    assert_eq!(web.app_type, AppType::RegularWeb);
    assert_eq!(
        web.token_endpoint_auth_method,
        TokenEndpointAuthMethod::ClientSecretPost
    );
    assert_eq!(
        web.grant_types,
        ["authorization_code", "implicit", "refresh_token"]
    );
    let hash = web.client_secret_hash.as_ref().unwrap();
    assert!(hash.verify(&ClientSecret::from_presented(web_secret.clone())));
    assert!(!hash.as_str().contains(&web_secret));

    assert_eq!(m2m.client_id, ClientId::new(&m2m_id));
    assert_eq!(
        (m2m.app_type, m2m.token_endpoint_auth_method),
        (
            AppType::NonInteractive,
            TokenEndpointAuthMethod::ClientSecretBasic
        )
    );
    assert_eq!(m2m.grant_types, ["client_credentials"]);
    assert_eq!(native.client_id, ClientId::new(&native_id));
    assert_eq!(native.callbacks, ["com.example.orders:/callback"]);
    assert!(native.client_secret_hash.is_none());

    // The list: every app, never a secret.
    let out = ok(admin(&["apps", "list"]));
    let mut want = format!(
        "{:<32} {:<15} {:<19} NAME\n",
        "CLIENT_ID", "TYPE", "AUTH METHOD"
    );
    for a in &apps {
        want.push_str(&format!(
            "{:<32} {:<15} {:<19} {}\n",
            a.client_id,
            a.app_type.as_str(),
            a.token_endpoint_auth_method.as_str(),
            a.name
        ));
    }
    assert_eq!(out, want);
    assert!(out.contains(&format!(
        "{spa_id} spa             none                Orders SPA"
    )));
    let json: serde_json::Value =
        serde_json::from_str(&ok(admin(&["apps", "list", "--json"]))).unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 6);
    assert_eq!(
        rows[2],
        serde_json::json!({
            "client_id": spa_id,
            "name": "Orders SPA",
            "app_type": "spa",
            "token_endpoint_auth_method": "none",
            "callbacks": ["http://localhost:5173/callback", "https://orders.example.com/callback"],
            "allowed_logout_urls": ["http://localhost:5173"],
            "web_origins": ["http://localhost:5173", "https://orders.example.com"],
            "grant_types": ["authorization_code", "implicit", "refresh_token"],
        })
    );
    let text = json.to_string();
    assert!(!text.contains("secret\":"), "{text}");
    assert!(!text.contains(&web_secret));
    assert!(!text.contains("sha256:"));
}

#[test]
fn dangerous_or_inconsistent_apps_are_refused_and_nothing_is_stored() {
    let (tmp, data) = data_dir();
    let cwd = tmp.path();
    let admin = |args: &[&str]| admin(cwd, &data, args);
    ok(admin(&["bootstrap"]));
    let create = |app_type: &str, extra: &[&str]| {
        let mut args = vec!["apps", "create", "--name", "Evil", "--type", app_type];
        args.extend_from_slice(extra);
        refused(admin(&args))
    };
    // Case B.16, in each list.
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "regular_web",
            &["--callback", "javascript:alert(1)"],
            "error: callback URL \"javascript:alert(1)\" uses the forbidden scheme `javascript:`",
        ),
        (
            "spa",
            &["--callback", "JaVaScRiPt:alert(1)"],
            "error: callback URL \"JaVaScRiPt:alert(1)\" uses the forbidden scheme `JaVaScRiPt:`",
        ),
        (
            "spa",
            &[
                "--callback",
                "https://ok.example/cb",
                "--callback",
                "data:text/html,<script>alert(1)</script>",
            ],
            "error: callback URL \"data:text/html,<script>alert(1)</script>\" uses the forbidden scheme `data:`",
        ),
        (
            "spa",
            &["--callback", "https://*.example.com/callback"],
            "error: callback URL \"https://*.example.com/callback\" must not contain a wildcard (*): URLs are matched exactly",
        ),
        (
            "regular_web",
            &["--callback", "https://app.example.com/cb#x"],
            "error: callback URL \"https://app.example.com/cb#x\" must not contain a fragment (#)",
        ),
        (
            "spa",
            &["--logout-url", "javascript:alert(1)"],
            "error: logout URL \"javascript:alert(1)\" uses the forbidden scheme `javascript:`",
        ),
        (
            "spa",
            &["--logout-url", "https://app.example.com/*"],
            "error: logout URL \"https://app.example.com/*\" must not contain a wildcard (*): URLs are matched exactly",
        ),
        (
            "spa",
            &["--logout-url", "https://app.example.com/#bye"],
            "error: logout URL \"https://app.example.com/#bye\" must not contain a fragment (#)",
        ),
        (
            "spa",
            &["--web-origin", "data:text/html,hi"],
            "error: web origin \"data:text/html,hi\" uses the forbidden scheme `data:`",
        ),
        (
            "spa",
            &["--web-origin", "https://*.example.com"],
            "error: web origin \"https://*.example.com\" must not contain a wildcard (*): URLs are matched exactly",
        ),
        (
            "spa",
            &["--web-origin", "https://app.example.com#x"],
            "error: web origin \"https://app.example.com#x\" must not contain a fragment (#)",
        ),
        (
            "spa",
            &["--web-origin", "https://app.example.com/"],
            "error: web origin \"https://app.example.com/\" must be an origin only (scheme, host and port), without a path: browsers send e.g. https://app.example.com",
        ),
        (
            "spa",
            &["--web-origin", "http://app.example.com"],
            "error: web origin \"http://app.example.com\" must use https (http is allowed only for localhost, 127.0.0.1 and [::1])",
        ),
        (
            "regular_web",
            &["--callback", "myapp://callback"],
            "error: callback URL \"myapp://callback\" must use https, or http on localhost (custom schemes are for native applications)",
        ),
        (
            "spa",
            &["--auth-method", "client_secret_post"],
            "error: a spa application is public: its token endpoint auth method can only be none",
        ),
        (
            "regular_web",
            &["--auth-method", "none"],
            "error: a regular_web application is confidential: its token endpoint auth method must be client_secret_basic or client_secret_post",
        ),
        (
            "non_interactive",
            &["--callback", "https://app.example.com/cb"],
            "error: a non_interactive (machine to machine) application has no callback URLs: it never logs users in",
        ),
    ];
    for (app_type, extra, want) in cases {
        assert_eq!(create(app_type, extra), *want, "{extra:?}");
    }
    let line = refused(admin(&["apps", "create", "--name", " ", "--type", "spa"]));
    assert_eq!(line, "error: the name must not be empty");
    // Not bootstrapped: exit code 2, one line.
    let (tmp2, empty) = data_dir();
    let out = crate::run(
        tmp2.path(),
        &[
            "admin",
            "apps",
            "list",
            "--data-dir",
            empty.to_str().unwrap(),
        ],
        &[],
    );
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);

    assert_eq!(stored_apps(&data).len(), 2, "a refused app was stored");
}

#[test]
fn a_client_grant_lets_a_machine_to_machine_app_get_a_token() {
    let (tmp, data) = data_dir();
    let cwd = tmp.path();
    let admin = |args: &[&str]| admin(cwd, &data, args);
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
    let out = ok(admin(&[
        "apps",
        "create",
        "--name",
        "Worker",
        "--type",
        "non_interactive",
    ]));
    let client = created_id(&out);
    let secret = out
        .lines()
        .nth(1)
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned();
    let spa = created_id(&ok(admin(&[
        "apps", "create", "--name", "SPA", "--type", "spa",
    ])));

    let out = ok(admin(&[
        "apps",
        "grant",
        "--app",
        &client,
        "--audience",
        ORDERS,
        "--scope",
        "read:orders",
        "--scope",
        "read:orders",
    ]));
    let grant = created_id(&out);
    assert!(grant.starts_with("cgr_"), "{out}");
    assert_eq!(
        out,
        format!("created {grant} ({client} may get tokens for {ORDERS} with scope: read:orders)\n")
    );

    // Mistakes.
    let grant_args = |client: &str, audience: &str, scope: &str| {
        admin(&[
            "apps",
            "grant",
            "--app",
            client,
            "--audience",
            audience,
            "--scope",
            scope,
        ])
    };
    assert_eq!(
        refused(grant_args(&client, ORDERS, "write:orders")),
        format!("error: {client} has a grant for {ORDERS} already ({grant})")
    );
    assert_eq!(
        refused(grant_args("NoSuchClient", ORDERS, "read:orders")),
        "error: no application with client id NoSuchClient"
    );
    assert_eq!(
        refused(grant_args(
            &client,
            "https://nowhere.example/",
            "read:orders"
        )),
        "error: no API with identifier https://nowhere.example/"
    );
    assert_eq!(
        refused(grant_args(&spa, ORDERS, "read:orders")),
        format!(
            "error: {spa} is a spa application: only non_interactive (machine to machine) applications get client grants"
        )
    );
    let out = ok(admin(&[
        "apps",
        "create",
        "--name",
        "Billing",
        "--type",
        "non_interactive",
    ]));
    let billing = created_id(&out);
    let billing_secret = out
        .lines()
        .nth(1)
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        refused(grant_args(&billing, ORDERS, "delete:orders")),
        format!(
            "error: {ORDERS} has no scope named delete:orders (its scopes: read:orders, write:orders)"
        )
    );

    // The running server honours the grant: a token with the granted scope only.
    let srv = Running::start(&data, &[], &[]);
    let body = format!(
        "grant_type=client_credentials&client_id={client}&client_secret={}&audience={}",
        enc(&secret),
        enc(ORDERS)
    );
    let res = http(
        srv.addr,
        "POST",
        "/oauth/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    );
    assert_eq!(res.status, 200, "{}", res.text());
    let token = res.json();
    assert_eq!(token["scope"], "read:orders");
    assert_eq!(token["token_type"], "Bearer");
    // The other app has no grant.
    let body = format!(
        "grant_type=client_credentials&client_id={billing}&client_secret={}&audience={}",
        enc(&billing_secret),
        enc(ORDERS)
    );
    let res = http(
        srv.addr,
        "POST",
        "/oauth/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    );
    assert_eq!(res.status, 403, "{}", res.text());
    assert_eq!(res.json()["error"], "access_denied");
}

#[test]
fn default_roles_are_set_shown_cleared_and_given_to_new_users() {
    let (tmp, data) = data_dir();
    let cwd = tmp.path();
    let admin = |args: &[&str]| admin(cwd, &data, args);
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
        "--rbac",
        "--add-permissions-in-token",
    ]));
    let api = stored_api(&data, ORDERS);
    assert_eq!(
        (api.enforce_policies, api.token_dialect.as_str()),
        (true, "access_token_authz")
    );
    let reader = created_id(&ok(admin(&["roles", "create", "--name", "Reader"])));
    let writer = created_id(&ok(admin(&["roles", "create", "--name", "Writer"])));
    ok(admin(&[
        "roles",
        "add-permission",
        &reader,
        "--api",
        ORDERS,
        "--permission",
        "read:orders",
    ]));
    ok(admin(&[
        "roles",
        "add-permission",
        &writer,
        "--api",
        ORDERS,
        "--permission",
        "write:orders",
    ]));

    assert_eq!(
        ok(admin(&["tenant", "default-roles"])),
        "default roles: none\n"
    );
    assert_eq!(
        ok(admin(&[
            "tenant",
            "default-roles",
            "--role",
            &reader,
            "--role",
            &writer,
            "--role",
            &reader
        ])),
        format!("default roles: {reader} (Reader), {writer} (Writer)\n")
    );
    // Replaced, not added to.
    assert_eq!(
        ok(admin(&["tenant", "default-roles", "--role", &reader])),
        format!("default roles: {reader} (Reader)\n")
    );
    assert_eq!(
        ok(admin(&["tenant", "default-roles"])),
        format!("default roles: {reader} (Reader)\n")
    );

    // An unknown role: refused, nothing changed.
    assert_eq!(
        refused(admin(&[
            "tenant",
            "default-roles",
            "--role",
            &writer,
            "--role",
            "rol_doesnotexist0000"
        ])),
        "error: default_roles: no role with id rol_doesnotexist0000."
    );
    assert_eq!(
        ok(admin(&["tenant", "default-roles"])),
        format!("default roles: {reader} (Reader)\n")
    );

    // A new user gets the default role's permissions.
    let d = data.to_str().unwrap();
    let user = created_id(&ok(run_with_input(
        cwd,
        &[
            "admin",
            "users",
            "create",
            "--email",
            "new@example.com",
            "--data-dir",
            d,
        ],
        &[],
        "a long enough password\n",
    )));
    assert_eq!(permissions(&data, &user), ["read:orders"]);

    // Cleared: the next user gets nothing.
    assert_eq!(
        ok(admin(&["tenant", "default-roles", "--clear"])),
        "default roles: none\n"
    );
    let later = created_id(&ok(run_with_input(
        cwd,
        &[
            "admin",
            "users",
            "create",
            "--email",
            "later@example.com",
            "--data-dir",
            d,
        ],
        &[],
        "a long enough password\n",
    )));
    assert!(permissions(&data, &later).is_empty());
    assert_eq!(permissions(&data, &user), ["read:orders"]);
}

#[test]
fn signup_verification_is_shown_and_turned_on_and_off() {
    let (tmp, data) = data_dir();
    let cwd = tmp.path();
    let admin = |args: &[&str]| admin(cwd, &data, args);
    ok(admin(&["bootstrap"]));
    let stored = || {
        with_store(&data, async |s| {
            s.tenant(&TenantId::default_tenant())
                .await
                .unwrap()
                .unwrap()
                .settings
        })
    };
    let before = stored();
    assert!(!before.signup_requires_verification, "off by default");
    assert_eq!(
        ok(admin(&["tenant", "signup-verification"])),
        "signup verification: off\n"
    );
    assert_eq!(
        ok(admin(&["tenant", "signup-verification", "on"])),
        "signup verification: on\n"
    );
    assert_eq!(
        ok(admin(&["tenant", "signup-verification"])),
        "signup verification: on\n"
    );
    // Only that setting changed.
    let on = stored();
    assert!(on.signup_requires_verification);
    assert_eq!(
        portcullis_core::TenantSettings {
            signup_requires_verification: false,
            ..on
        },
        before
    );
    assert_eq!(
        ok(admin(&["tenant", "signup-verification", "off"])),
        "signup verification: off\n"
    );
    assert_eq!(stored(), before);
    // Neither on nor off: a usage error, nothing changed.
    let out = admin(&["tenant", "signup-verification", "maybe"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert_eq!(stored(), before);
}

fn permissions(data: &Path, user: &str) -> Vec<String> {
    let user = UserId::new(user);
    with_store(data, async move |s| {
        s.user_permissions(&TenantId::default_tenant(), &user, ORDERS)
            .await
            .unwrap()
    })
}
