//! `admin users list | show`, `roles list | permissions`, `apis list`, `apps list`,
//! `grants list`, `tenant show`, `logs` and `admin api`: read through the Management API
//! on the local database (SQLite and PostgreSQL) and on a running server with `--url`,
//! which print the same; bad credentials and plain http to another host are one line.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Output};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::forms::env_value;
use crate::{command, created_id, data_dir, http_get, ok, run, run_with_input};

const ORDERS: &str = "https://orders.example/";
const EMAIL: &str = "ada@example.com";

/// Asserts the exit code and nothing on stdout, and returns the last line on stderr
/// (the error; local commands may log warnings before it).
fn failed(out: Output, code: i32) -> String {
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "expected one error line, got: {stderr}");
    assert_eq!(stderr.lines().last(), Some(errors[0]));
    errors[0].to_owned()
}

fn json_of(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap()
}

/// A tenant's data dir and database, and how to run `portcullis admin` on it.
struct Tenant<'a> {
    cwd: &'a Path,
    data: PathBuf,
    extra: Vec<String>,
    env: Vec<(String, String)>,
}

impl Tenant<'_> {
    fn args<'s>(&'s self, args: &[&'s str]) -> Vec<&'s str> {
        let mut all = vec!["admin"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--data-dir", self.data.to_str().unwrap()]);
        all.extend(self.extra.iter().map(String::as_str));
        all
    }

    fn env(&self) -> Vec<(&str, &str)> {
        self.env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    fn admin(&self, args: &[&str]) -> Output {
        run(self.cwd, &self.args(args), &self.env())
    }

    fn admin_with_input(&self, args: &[&str], input: &str) -> Output {
        run_with_input(self.cwd, &self.args(args), &self.env(), input)
    }

    /// Bootstraps, then adds a user, a role and an API with a permission on it; returns
    /// the bootstrap output and the user's and role's ids.
    fn populate(&self, bootstrap: &[&str]) -> (String, String, String) {
        let mut args = vec!["bootstrap"];
        args.extend_from_slice(bootstrap);
        let boot = ok(self.admin(&args));
        let user_id = created_id(&ok(self.admin_with_input(
            &["users", "create", "--email", EMAIL, "--name", "Ada"],
            "a long enough password\n",
        )));
        let role_id = created_id(&ok(self.admin(&[
            "roles",
            "create",
            "--name",
            "Reader",
            "--description",
            "Reads orders",
        ])));
        ok(self.admin(&[
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
        ]));
        ok(self.admin(&[
            "roles",
            "add-permission",
            &role_id,
            "--api",
            ORDERS,
            "--permission",
            "read:orders",
        ]));
        (boot, user_id, role_id)
    }
}

/// Every listing on a populated tenant, on whichever database `extra` names.
fn local_listings(t: &Tenant) {
    let (boot, user_id, role_id) = t.populate(&[]);
    let m2m = env_value(&boot, "PORTCULLIS_M2M_CLIENT_ID");
    let management = env_value(&boot, "PORTCULLIS_M2M_AUDIENCE");

    // Tables: exact.
    let w = user_id.len();
    assert_eq!(
        ok(t.admin(&["users", "list"])),
        format!(
            "{:<w$}  EMAIL            NAME  LOGINS  BLOCKED\n\
             {user_id:<w$}  ada@example.com  Ada   0\n",
            "USER_ID"
        )
    );
    assert_eq!(
        ok(t.admin(&["users", "list", "--email", "ADA@example.com"])),
        ok(t.admin(&["users", "list"]))
    );
    assert_eq!(
        ok(t.admin(&["users", "list", "--email", "bob@example.com"])),
        "no users\n"
    );
    assert_eq!(ok(t.admin(&["users", "list", "--page", "1"])), "no users\n");
    assert_eq!(
        ok(t.admin(&["roles", "list"])),
        format!(
            "{:<20}  NAME    DESCRIPTION\n{role_id:<20}  Reader  Reads orders\n",
            "ID"
        )
    );
    assert_eq!(
        ok(t.admin(&["roles", "permissions", &role_id])),
        format!("{:<23}  PERMISSION\n{ORDERS}  read:orders\n", "API")
    );
    let apis = json_of(&ok(t.admin(&["apis", "list", "--json"])));
    let (mgmt_id, orders_id) = (
        apis[0]["id"].as_str().unwrap(),
        apis[1]["id"].as_str().unwrap(),
    );
    let iw = management.len();
    assert_eq!(
        ok(t.admin(&["apis", "list"])),
        format!(
            "{:<24}  {:<iw$}  NAME                       SCOPES  DIALECT\n\
             {mgmt_id:<24}  {management}  Portcullis Management API  36      access_token\n\
             {orders_id:<24}  {ORDERS:<iw$}  Orders                     2       access_token\n",
            "ID", "IDENTIFIER"
        )
    );

    // JSON: the API's, exact.
    assert_eq!(
        json_of(&ok(t.admin(&["roles", "list", "--json"]))),
        json!([{"id": role_id, "name": "Reader", "description": "Reads orders"}])
    );
    assert_eq!(
        json_of(&ok(t.admin(&["roles", "permissions", &role_id, "--json"]))),
        json!([{
            "permission_name": "read:orders",
            "description": "",
            "resource_server_name": "Orders",
            "resource_server_identifier": ORDERS,
        }])
    );
    let user = json_of(&ok(t.admin(&["users", "show", &user_id, "--json"])));
    assert_eq!(
        (
            &user["user_id"],
            &user["email"],
            &user["name"],
            &user["logins_count"]
        ),
        (&json!(user_id), &json!(EMAIL), &json!("Ada"), &json!(0))
    );
    let shown = ok(t.admin(&["users", "show", &user_id]));
    assert!(shown.starts_with("FIELD "), "{shown}");
    assert!(
        shown
            .lines()
            .any(|l| l == format!("email           {EMAIL}")),
        "{shown}"
    );
    let identifiers: Vec<&str> = apis
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["identifier"].as_str().unwrap())
        .collect();
    assert_eq!(identifiers, [management.as_str(), ORDERS]);
    assert_eq!(apis[1]["scopes"].as_array().unwrap().len(), 2);

    // Grants: the bootstrap one, filtered by application and API.
    let grants = json_of(&ok(t.admin(&["grants", "list", "--json"])));
    assert_eq!(grants.as_array().unwrap().len(), 1);
    assert_eq!(
        (&grants[0]["client_id"], &grants[0]["audience"]),
        (&json!(m2m), &json!(management))
    );
    assert_eq!(
        json_of(&ok(t.admin(&["grants", "list", "--json", "--app", &m2m]))),
        grants
    );
    assert_eq!(
        ok(t.admin(&["grants", "list", "--audience", ORDERS])),
        "no client grants\n"
    );
    let table = ok(t.admin(&["grants", "list"]));
    let id = grants[0]["id"].as_str().unwrap();
    assert!(
        table.starts_with(&format!("{:<w$}  CLIENT_ID", "ID", w = id.len())),
        "{table}"
    );
    assert!(
        table
            .lines()
            .nth(1)
            .unwrap()
            .starts_with(&format!("{id}  {m2m}  {management}  read:users ")),
        "{table}"
    );

    // Tenant settings: a row per field of the API's answer.
    let settings = json_of(&ok(t.admin(&["tenant", "show", "--json"])));
    assert_eq!(settings["friendly_name"], "Portcullis");
    let table = ok(t.admin(&["tenant", "show"]));
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(
        rows.len(),
        settings.as_object().unwrap().len() + 1,
        "{table}"
    );
    assert!(rows[0].starts_with("SETTING ") && rows[0].ends_with(" VALUE"));
    assert!(
        rows.iter()
            .any(|r| r.starts_with("friendly_name ") && r.ends_with(" Portcullis"))
    );

    // Management writes are logged: populate's four (the named commands write through
    // the API), then one through `admin api`, newest first.
    let paths = |events: &Value| -> Vec<String> {
        events
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["details"]["request"]["path"].as_str().unwrap().to_owned())
            .collect()
    };
    let before = json_of(&ok(t.admin(&["logs", "--type", "sapi", "--json"])));
    assert_eq!(
        paths(&before),
        [
            format!("/api/v2/roles/{role_id}/permissions"),
            "/api/v2/resource-servers".to_owned(),
            "/api/v2/roles".to_owned(),
            "/api/v2/users".to_owned(),
        ]
    );
    let writer = json_of(&ok(t.admin(&[
        "api",
        "POST",
        "/roles",
        "--data",
        r#"{"name":"Writer","description":"Writes orders"}"#,
    ])));
    let writer_id = writer["id"].as_str().unwrap().to_owned();
    assert_eq!(
        writer,
        json!({"id": writer_id, "name": "Writer", "description": "Writes orders"})
    );
    let events = json_of(&ok(t.admin(&["logs", "--type", "sapi", "--json"])));
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 5, "{events:?}");
    assert_eq!(events[1..], before.as_array().unwrap()[..]);
    let e = &events[0];
    assert_eq!(
        (
            &e["type"],
            &e["description"],
            &e["client_id"],
            &e["details"]["request"]["path"]
        ),
        (
            &json!("sapi"),
            &json!("Create roles"),
            &json!("portcullis-cli"),
            &json!("/api/v2/roles")
        )
    );
    let (date, ip) = (e["date"].as_str().unwrap(), e["ip"].as_str().unwrap_or(""));
    let user = e["user_name"]
        .as_str()
        .or(e["user_id"].as_str())
        .unwrap_or("");
    let uw = user.len().max(4);
    assert_eq!(
        ok(t.admin(&["logs", "--type", "sapi", "--take", "1"])),
        format!(
            "{:<dw$}  TYPE  DESCRIPTION   {:<uw$}  CLIENT_ID       IP\n\
             {}\n",
            "DATE",
            "USER",
            format!("{date}  sapi  Create roles  {user:<uw$}  portcullis-cli  {ip}").trim_end(),
            dw = date.len(),
        )
    );
    assert_eq!(
        ok(t.admin(&["logs", "--user", &user_id])),
        "no log events\n"
    );

    // `admin api`: the new role is listed; deleted, it is gone, and reading it is a 404.
    let roles = json_of(&ok(t.admin(&["api", "GET", "/api/v2/roles"])));
    assert_eq!(roles.as_array().unwrap().len(), 2);
    assert_eq!(roles[1]["id"], json!(writer_id));
    assert_eq!(
        ok(t.admin(&["api", "delete", &format!("/roles/{writer_id}")])),
        ""
    );
    assert_eq!(
        failed(t.admin(&["api", "GET", &format!("/roles/{writer_id}")]), 1),
        "error: 404 Not Found: The role does not exist."
    );
    assert_eq!(
        failed(t.admin(&["users", "show", "auth0|nobody"]), 1),
        "error: 404 Not Found: The user does not exist."
    );
    // A body from a file; the API's own validation, one line.
    let body = t.cwd.join("role.json");
    std::fs::write(&body, r#"{"name":"Auditor"}"#).unwrap();
    let auditor = json_of(&ok(t.admin(&[
        "api",
        "POST",
        "/roles",
        "--data",
        &format!("@{}", body.display()),
    ])));
    assert_eq!(auditor["name"], "Auditor");
    let line = failed(t.admin(&["api", "POST", "/roles", "--data", "{}"]), 1);
    assert!(line.starts_with("error: 400 Bad Request: "), "{line}");
    assert_eq!(
        failed(t.admin(&["api", "POST", "/roles", "--data", "{"]), 2),
        "error: --data is not JSON: EOF while parsing an object at line 1 column 1"
    );
    assert_eq!(
        failed(t.admin(&["api", "FETCH", "/roles"]), 2),
        "error: FETCH is not a Management API method: use GET, POST, PATCH, PUT or DELETE"
    );
}

#[test]
fn local_listings_on_sqlite() {
    let (tmp, data) = data_dir();
    local_listings(&Tenant {
        cwd: tmp.path(),
        data,
        extra: Vec::new(),
        env: Vec::new(),
    });
}

#[tokio::test]
async fn local_listings_on_postgres() {
    let Some(db) = portcullis_store::testing::fresh_postgres().await else {
        return;
    };
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        let (tmp, data) = data_dir();
        local_listings(&Tenant {
            cwd: tmp.path(),
            data,
            extra: vec!["--database-url".into(), url],
            env: vec![(
                "PORTCULLIS_MASTER_KEY".into(),
                "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".into(),
            )],
        });
    })
    .await
    .unwrap();
    db.drop_database().await.unwrap();
}

/// `portcullis serve` on a fixed free port, so the issuer (and the Management API's
/// audience) bootstrap wrote is the one it serves; killed on drop.
pub struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A bootstrapped tenant served on a free port: what the bootstrap printed (its
/// secrets), the address, and the server (stopped when dropped).
pub fn bootstrapped_server(cwd: &Path, data: &Path) -> (String, String, Server) {
    let listen = format!("127.0.0.1:{}", free_port());
    let boot = crate::ok(crate::run(
        cwd,
        &[
            "admin",
            "bootstrap",
            "--listen",
            &listen,
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &[],
    ));
    let server = serve(cwd, data, &listen, &[]);
    (boot, listen, server)
}

/// Starts `serve --listen <listen> <extra>` and waits until it accepts connections
/// (and, over plain http, until it is ready).
pub fn serve(cwd: &Path, data: &Path, listen: &str, extra: &[&str]) -> Server {
    let mut args = vec![
        "serve",
        "--listen",
        listen,
        "--data-dir",
        data.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let child = command(cwd, &args, &[])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child);
    let addr: SocketAddr = listen.parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let tls = extra.contains(&"--tls-self-signed");
    while TcpStream::connect(addr).is_err() || (!tls && http_get(addr, "/readyz").status != 200) {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

#[test]
fn remote_listings_match_local_ones() {
    let (tmp, data) = data_dir();
    let t = Tenant {
        cwd: tmp.path(),
        data: data.clone(),
        extra: Vec::new(),
        env: Vec::new(),
    };
    let listen = format!("127.0.0.1:{}", free_port());
    let (boot, user_id, role_id) = t.populate(&["--listen", &listen]);
    let id = env_value(&boot, "PORTCULLIS_M2M_CLIENT_ID");
    let secret = env_value(&boot, "PORTCULLIS_M2M_CLIENT_SECRET");
    let _server = serve(tmp.path(), &data, &listen, &[]);
    let url = format!("http://{listen}/");

    // Flags for the URL and the id, the secret from the environment.
    let remote = |args: &[&str]| {
        let mut all = vec!["admin"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--url", &url, "--client-id", &id]);
        run(
            tmp.path(),
            &all,
            &[("PORTCULLIS_ADMIN_CLIENT_SECRET", secret.as_str())],
        )
    };
    let commands: [&[&str]; 13] = [
        &[
            "api",
            "GET",
            "/users?q=email:\"ada@example.com\"&fields=user_id",
        ],
        &["users", "list"],
        &["users", "list", "--json"],
        &["users", "show", &user_id],
        &["roles", "list"],
        &["roles", "permissions", &role_id, "--json"],
        &["apis", "list"],
        &["apis", "list", "--json"],
        &["apps", "list"],
        &["apps", "list", "--json"],
        &["grants", "list"],
        &["tenant", "show"],
        &["tenant", "show", "--json"],
    ];
    let found = json_of(&ok(t.admin(commands[0])));
    assert_eq!(found, json!([{"user_id": user_id}]));
    for args in commands {
        let there = ok(remote(args));
        assert_eq!(there, ok(t.admin(args)), "{args:?}");
        assert!(!there.is_empty());
    }

    // Everything from the environment; a write through the server is logged there.
    let env = [
        ("PORTCULLIS_ADMIN_URL", url.as_str()),
        ("PORTCULLIS_ADMIN_CLIENT_ID", id.as_str()),
        ("PORTCULLIS_ADMIN_CLIENT_SECRET", secret.as_str()),
    ];
    let made = json_of(&ok(run(
        tmp.path(),
        &[
            "admin",
            "api",
            "POST",
            "/roles",
            "--data",
            r#"{"name":"Remote"}"#,
        ],
        &env,
    )));
    let events = json_of(&ok(run(
        tmp.path(),
        &["admin", "logs", "--type", "sapi", "--json"],
        &env,
    )));
    assert_eq!(events[0]["client_id"], json!(id));
    assert_eq!(events[0]["details"]["request"]["path"], "/api/v2/roles");
    let roles = json_of(&ok(t.admin(&["roles", "list", "--json"])));
    assert_eq!(roles[1], made);

    // A wrong secret: exit 1, one line, the secret not echoed.
    let out = run(
        tmp.path(),
        &["admin", "roles", "list", "--url", &url, "--client-id", &id],
        &[("PORTCULLIS_ADMIN_CLIENT_SECRET", "not-the-secret")],
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert_eq!(
        stderr,
        format!(
            "error: cannot get a Management API token from {url}oauth/token: 401 Unauthorized: \
             Client authentication failed\n"
        )
    );
    assert!(!stderr.contains("not-the-secret"));

    // No server there: the URL is named.
    let closed = format!("http://127.0.0.1:{}/", free_port());
    let out = run(
        tmp.path(),
        &[
            "admin",
            "users",
            "list",
            "--url",
            &closed,
            "--client-id",
            &id,
        ],
        &[("PORTCULLIS_ADMIN_CLIENT_SECRET", secret.as_str())],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("error: cannot reach {closed}oauth/token: ")),
        "{stderr}"
    );
}

#[test]
fn credentials_never_go_over_plain_http_to_another_host() {
    let tmp = tempfile::tempdir().unwrap();
    for url in ["http://id.example.com/", "http://10.1.2.3:4000/"] {
        let out = run(
            tmp.path(),
            &["admin", "users", "list", "--url", url, "--client-id", "abc"],
            &[("PORTCULLIS_ADMIN_CLIENT_SECRET", "s3cret")],
        );
        assert_eq!(
            failed(out, 2),
            format!(
                "error: --url {url}: refusing to send credentials over plain http to another \
                 machine; use https (http is allowed for localhost, 127.0.0.1 and ::1 only)"
            )
        );
    }
    // --url without credentials.
    let out = run(
        tmp.path(),
        &["admin", "apps", "list", "--url", "https://id.example.com/"],
        &[],
    );
    assert!(failed(out, 2).starts_with("error: --url needs --client-id and --client-secret"));
}

#[test]
fn remote_over_https_trusts_the_ca_given() {
    let (tmp, data) = data_dir();
    let d = data.to_str().unwrap();
    let listen = format!("127.0.0.1:{}", free_port());
    let boot = ok(run(
        tmp.path(),
        &[
            "admin",
            "bootstrap",
            "--data-dir",
            d,
            "--listen",
            &listen,
            "--tls-self-signed",
        ],
        &[],
    ));
    let id = env_value(&boot, "PORTCULLIS_M2M_CLIENT_ID");
    let secret = env_value(&boot, "PORTCULLIS_M2M_CLIENT_SECRET");
    let _server = serve(tmp.path(), &data, &listen, &["--tls-self-signed"]);
    let url = format!("https://{listen}/");
    let ca = data.join("tls").join("ca.pem");
    let env = [
        ("PORTCULLIS_ADMIN_URL", url.as_str()),
        ("PORTCULLIS_ADMIN_CLIENT_ID", id.as_str()),
        ("PORTCULLIS_ADMIN_CLIENT_SECRET", secret.as_str()),
    ];
    let ca_arg = ca.to_str().unwrap();
    // The server creates its CA at start: wait for it to answer over TLS.
    let deadline = Instant::now() + Duration::from_secs(30);
    let listed = loop {
        let out = run(
            tmp.path(),
            &["admin", "apps", "list", "--json", "--ca-cert", ca_arg],
            &env,
        );
        if out.status.success() || Instant::now() > deadline {
            break ok(out);
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let apps = json_of(&listed);
    assert_eq!(apps.as_array().unwrap().len(), 2);
    assert_eq!(apps[1]["client_id"], json!(id));

    // Without the CA, the certificate is not trusted: one line naming the URL.
    let out = run(tmp.path(), &["admin", "apps", "list"], &env);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("error: cannot reach {url}oauth/token: "))
            && stderr.contains("invalid peer certificate"),
        "{stderr}"
    );
    // A file without a certificate.
    let out = run(tmp.path(), &["admin", "apps", "list", "--ca-cert", d], &env);
    assert_eq!(out.status.code(), Some(2));
}
