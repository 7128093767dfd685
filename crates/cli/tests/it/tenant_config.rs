//! `admin export` and `admin apply`, on SQLite, on PostgreSQL and on a running server
//! (`--url`, where the changes are audited under the M2M application): exports are stable; an
//! edited export applies, and exports back as edited; applying again changes nothing;
//! `--prune` deletes what the file leaves out, and only then; `--dry-run` and invalid
//! files change nothing.

use std::path::{Path, PathBuf};
use std::process::Output;

use portcullis_core::tenant_config::{
    ApiDoc, AppDoc, GrantDoc, PermissionDoc, RoleDoc, ScopeDoc, TenantConfig,
};
use portcullis_core::{AppType, ClientSecret, TenantId, TokenEndpointAuthMethod};
use portcullis_store::{DatabaseUrl, OpenOptions};
use serde_json::{Value, json};

use crate::forms::env_value;
use crate::listing::{free_port, serve};
use crate::{data_dir, ok, refused, run};

const ORDERS: &str = "https://orders.example/";

/// A bootstrapped tenant and how to run `admin` commands against it.
struct Tenant {
    cwd: PathBuf,
    /// `--data-dir`, and `--database-url` on PostgreSQL; `--url` and `--client-id` for
    /// a running server.
    db_args: Vec<String>,
    /// The client secret for `--url`.
    env: Vec<(&'static str, String)>,
    url: DatabaseUrl,
}

impl Tenant {
    fn admin(&self, args: &[&str]) -> Output {
        let mut all = vec!["admin"];
        all.extend_from_slice(args);
        all.extend(self.db_args.iter().map(String::as_str));
        let env: Vec<(&str, &str)> = self.env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        run(&self.cwd, &all, &env)
    }

    fn export(&self) -> String {
        ok(self.admin(&["export"]))
    }

    /// Writes `doc` to `name` in the working directory and applies it with `flags`.
    fn apply(&self, name: &str, doc: &str, flags: &[&str]) -> Output {
        std::fs::write(self.cwd.join(name), doc).unwrap();
        let mut args = vec!["apply", name];
        args.extend_from_slice(flags);
        self.admin(&args)
    }

    /// Whether the application named `name` has the client secret `secret`.
    async fn secret_works(&self, name: &str, secret: &str) -> bool {
        let store = portcullis_store::open(
            &self.url,
            &OpenOptions {
                migrate: false,
                ..OpenOptions::default()
            },
        )
        .await
        .unwrap();
        let apps = store
            .applications(&TenantId::default_tenant())
            .await
            .unwrap();
        let app = apps.iter().find(|a| a.name == name).unwrap();
        app.client_secret_hash
            .as_ref()
            .unwrap()
            .verify(&ClientSecret::from_presented(secret))
    }
}

fn pretty(doc: &Value) -> String {
    serde_json::to_string_pretty(doc).unwrap() + "\n"
}

/// The export with an API, a role with permissions (made a default role), an SPA, a
/// machine-to-machine application with a grant, and a new friendly name: as an export
/// of the result would write it (sections sorted by key, every field present).
fn edited(export: &str) -> String {
    let mut doc = TenantConfig::from_json(export).unwrap();
    let settings = doc.settings.as_mut().unwrap();
    settings.friendly_name = "Acme".to_owned();
    settings.default_roles = vec!["Order reader".to_owned()];
    doc.apis = Some(vec![ApiDoc {
        identifier: ORDERS.to_owned(),
        name: "Orders".to_owned(),
        scopes: vec![
            ScopeDoc {
                value: "read:orders".to_owned(),
                description: "Read orders".to_owned(),
            },
            ScopeDoc {
                value: "write:orders".to_owned(),
                description: String::new(),
            },
        ],
        signing_alg: "RS256".to_owned(),
        token_lifetime: 3600,
        allow_offline_access: true,
        enforce_policies: true,
        token_dialect: "access_token_authz".to_owned(),
    }]);
    let apps = doc.applications.as_mut().unwrap();
    apps.push(AppDoc {
        name: "Batch jobs".to_owned(),
        app_type: AppType::NonInteractive,
        callbacks: Vec::new(),
        allowed_logout_urls: Vec::new(),
        web_origins: Vec::new(),
        grant_types: Some(vec!["client_credentials".to_owned()]),
        token_endpoint_auth_method: Some(TokenEndpointAuthMethod::ClientSecretBasic),
        description: "Nightly exports".to_owned(),
    });
    apps.push(AppDoc {
        name: "Shop".to_owned(),
        app_type: AppType::Spa,
        callbacks: vec!["https://shop.example/callback".to_owned()],
        allowed_logout_urls: vec!["https://shop.example/".to_owned()],
        web_origins: vec!["https://shop.example".to_owned()],
        grant_types: Some(vec![
            "authorization_code".to_owned(),
            "refresh_token".to_owned(),
        ]),
        token_endpoint_auth_method: Some(TokenEndpointAuthMethod::None),
        description: String::new(),
    });
    apps.sort_by(|a, b| a.name.cmp(&b.name));
    doc.roles = Some(vec![RoleDoc {
        name: "Order reader".to_owned(),
        description: "Reads orders".to_owned(),
        permissions: vec![
            PermissionDoc {
                resource_server_identifier: ORDERS.to_owned(),
                permission_name: "read:orders".to_owned(),
            },
            PermissionDoc {
                resource_server_identifier: ORDERS.to_owned(),
                permission_name: "write:orders".to_owned(),
            },
        ],
    }]);
    let grants = doc.client_grants.as_mut().unwrap();
    grants.push(GrantDoc {
        client: "Batch jobs".to_owned(),
        audience: ORDERS.to_owned(),
        scope: vec!["read:orders".to_owned()],
    });
    grants.sort_by(|a, b| a.client.cmp(&b.client));
    doc.to_json().unwrap()
}

async fn story(t: &Tenant) {
    // Two exports of one tenant are the same; applying one changes nothing.
    let first = t.export();
    assert_eq!(t.export(), first);
    let bootstrapped: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(bootstrapped["apis"], json!([]));
    assert_eq!(ok(t.apply("first.json", &first, &[])), "no changes\n");
    for secretish in ["\"client_secret\"", "client_id", "cgr_"] {
        assert!(!first.contains(secretish), "{secretish} in {first}");
    }

    let doc = edited(&first);
    let plan = "\
+ create api https://orders.example/
+ create application \"Batch jobs\" (non_interactive)
+ create application \"Shop\" (spa)
+ create role \"Order reader\" (2 permissions)
+ create client grant \"Batch jobs\" -> https://orders.example/ (scope: read:orders)
~ update settings (default_roles, friendly_name)
plan: 5 to create, 1 to update, 0 to delete
";
    // --dry-run prints the plan and changes nothing.
    assert_eq!(
        ok(t.apply("tenant.json", &doc, &["--dry-run"])),
        format!("{plan}dry run: nothing was changed\n")
    );
    assert_eq!(t.export(), first);

    // Applied: the plan, each new application's client id, the confidential one's
    // secret, once; the tenant now exports as the file.
    let out = ok(t.apply("tenant.json", &doc, &[]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[..7].join("\n") + "\n", plan, "{out}");
    assert!(
        lines[7].starts_with("created application \"Batch jobs\": client id "),
        "{out}"
    );
    let secret = lines[8]
        .strip_prefix("client secret of \"Batch jobs\" (shown once; only its hash is stored): ")
        .unwrap();
    assert_eq!(secret.len(), 64);
    assert!(
        lines[9].starts_with("created application \"Shop\": client id "),
        "{out}"
    );
    assert_eq!(lines[10], "applied: 5 created, 1 updated, 0 deleted");
    assert_eq!(lines.len(), 11, "{out}");
    assert!(t.secret_works("Batch jobs", secret).await);
    assert_eq!(t.export(), doc);

    // Idempotent.
    assert_eq!(ok(t.apply("tenant.json", &doc, &[])), "no changes\n");

    // A field changed in place is an update naming it.
    let mut changed = TenantConfig::from_json(&doc).unwrap();
    changed.applications.as_mut().unwrap()[3].callbacks =
        vec!["https://shop.example/cb2".to_owned()];
    changed.roles.as_mut().unwrap()[0].permissions.pop();
    let changed = changed.to_json().unwrap();
    assert_eq!(
        ok(t.apply("changed.json", &changed, &[])),
        "\
~ update application \"Shop\" (callbacks)
~ update role \"Order reader\" (permissions)
    - permission write:orders on https://orders.example/
plan: 0 to create, 2 to update, 0 to delete
applied: 0 created, 2 updated, 0 deleted
"
    );
    assert_eq!(t.export(), changed);
    ok(t.apply("tenant.json", &doc, &[]));

    // A role the file leaves out stays without --prune, goes with it.
    ok(t.admin(&["roles", "create", "--name", "Old"]));
    assert_eq!(ok(t.apply("tenant.json", &doc, &[])), "no changes\n");
    let with_old = t.export();
    assert!(with_old.contains("\"name\": \"Old\""), "{with_old}");
    let prune_plan = "- delete role \"Old\"\nplan: 0 to create, 0 to update, 1 to delete\n";
    assert_eq!(
        ok(t.apply("tenant.json", &doc, &["--prune", "--dry-run"])),
        format!("{prune_plan}dry run: nothing was changed\n")
    );
    assert_eq!(t.export(), with_old);
    assert_eq!(
        ok(t.apply("tenant.json", &doc, &["--prune"])),
        format!("{prune_plan}applied: 0 created, 0 updated, 1 deleted\n")
    );
    assert_eq!(t.export(), doc);

    // Invalid files: exit 2, one line, nothing changed (the role "Extra" would have
    // been created).
    let base: Value = serde_json::from_str(&doc).unwrap();
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut d = base.clone();
        d["roles"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "Extra"}));
        edit(&mut d);
        pretty(&d)
    };
    let cases: Vec<(String, String)> = vec![
        (
            with(&|d| d["apis"][0]["colour"] = json!("blue")),
            "error: bad.json: unknown field `colour`, expected one of `identifier`, `name`, \
             `scopes`, `signing_alg`, `token_lifetime`, `allow_offline_access`, \
             `enforce_policies`, `token_dialect` at line 5 column 14"
                .to_owned(),
        ),
        (
            with(&|d| {
                d["client_grants"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"client": "Nobody", "audience": ORDERS}));
            }),
            "error: bad.json: client grant \"Nobody\" -> https://orders.example/: there is no \
             application named \"Nobody\"; nothing was changed"
                .to_owned(),
        ),
        (
            with(&|d| {
                d["roles"][0]["permissions"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({
                        "resource_server_identifier": ORDERS,
                        "permission_name": "delete:orders"
                    }));
                let dup = d["applications"][3].clone();
                d["applications"].as_array_mut().unwrap().push(dup);
            }),
            "error: bad.json: 2 problems: application \"Shop\" is in the file more than once: \
             applications are matched by name; role \"Order reader\": permission \
             \"delete:orders\" is not a scope of https://orders.example/ (its scopes: \
             read:orders, write:orders); nothing was changed"
                .to_owned(),
        ),
    ];
    for (bad, message) in cases {
        assert_eq!(refused(t.apply("bad.json", &bad, &["--prune"])), message);
        assert_eq!(t.export(), doc);
    }
    let missing = refused(t.admin(&["apply", "missing.json"]));
    assert!(
        missing.starts_with("error: cannot read missing.json: "),
        "{missing}"
    );
}

fn sqlite_tenant(cwd: &Path, data: &Path) -> Tenant {
    let t = Tenant {
        cwd: cwd.to_owned(),
        db_args: vec!["--data-dir".to_owned(), data.to_str().unwrap().to_owned()],
        env: Vec::new(),
        url: DatabaseUrl::sqlite_file(&data.join("portcullis.db")),
    };
    ok(t.admin(&["bootstrap"]));
    t
}

#[tokio::test]
async fn export_and_apply_on_sqlite() {
    let (tmp, data) = data_dir();
    story(&sqlite_tenant(tmp.path(), &data)).await;
}

#[tokio::test]
async fn export_and_apply_on_postgres() {
    let Some(db) = portcullis_store::testing::fresh_postgres().await else {
        return;
    };
    let (tmp, data) = data_dir();
    let t = Tenant {
        cwd: tmp.path().to_owned(),
        db_args: vec![
            "--data-dir".to_owned(),
            data.to_str().unwrap().to_owned(),
            "--database-url".to_owned(),
            db.url.clone(),
        ],
        env: Vec::new(),
        url: DatabaseUrl::parse(&db.url).unwrap(),
    };
    ok(t.admin(&["bootstrap"]));
    story(&t).await;
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn export_and_apply_on_a_running_server() {
    let (tmp, data) = data_dir();
    let listen = format!("127.0.0.1:{}", free_port());
    let d = data.to_str().unwrap();
    let boot = ok(run(
        tmp.path(),
        &["admin", "bootstrap", "--listen", &listen, "--data-dir", d],
        &[],
    ));
    let m2m = env_value(&boot, "PORTCULLIS_M2M_CLIENT_ID");
    let secret = env_value(&boot, "PORTCULLIS_M2M_CLIENT_SECRET");
    let _server = serve(tmp.path(), &data, &listen, &[]);
    let t = Tenant {
        cwd: tmp.path().to_owned(),
        db_args: vec![
            "--url".to_owned(),
            format!("http://{listen}/"),
            "--client-id".to_owned(),
            m2m.clone(),
        ],
        env: vec![("PORTCULLIS_ADMIN_CLIENT_SECRET", secret)],
        // The server's own database, to check secrets.
        url: DatabaseUrl::sqlite_file(&data.join("portcullis.db")),
    };
    story(&t).await;
    // Every change went through the server's Management API, under the M2M application.
    let events: Value =
        serde_json::from_str(&ok(t.admin(&["logs", "--take", "100", "--json"]))).unwrap();
    let writes: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "sapi")
        .collect();
    // The first apply's 7 calls (an API, two applications, a role and its permissions,
    // a grant, the settings), 2 for the change and 2 to change back, `roles create`,
    // and the pruning.
    assert_eq!(writes.len(), 13, "{events}");
    assert!(
        writes.iter().all(|e| e["client_id"] == json!(m2m)),
        "{events}"
    );
    let local = run(tmp.path(), &["admin", "export", "--data-dir", d], &[]);
    assert_eq!(
        ok(local),
        t.export(),
        "the local database has what the server has"
    );
}
