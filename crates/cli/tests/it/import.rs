//! `admin import users` against the real binary, on SQLite and on PostgreSQL: Auth0's
//! bulk import file with bcrypt and Argon2 users, a user without a password and bad
//! rows; the exact summary; a second run that finds everyone there; and the imported
//! users logging in through the real server with their old passwords, which are then
//! rehashed.

use std::path::Path;

use portcullis_core::user_directory::{UserFilter, UserOrder};
use portcullis_core::{PageRequest, TenantId, User};
use portcullis_store::{DatabaseUrl, OpenOptions};

use crate::forms::{enc, env_value, hidden, set_cookie};
use crate::{Running, data_dir, http, run, run_with_input};

/// bcrypt (cost 4) of `BCRYPT_PASSWORD`.
const BCRYPT: &str = "$2b$04$ZpyMg55JzbdSBkcSWRTuWuJlEbHXqw31z2.Msn9qTAUyLF764oOMW";
const BCRYPT_PASSWORD: &str = "bcrypt password 1";
/// Argon2id (m=1024, t=1, p=1, salt "0123456789abcdef") of `ARGON2_PASSWORD`.
const ARGON2: &str = "$argon2id$v=19$m=1024,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$POdi+yQc3OnX69b02d2WbhQuAGNyRDyurJcjrAZDeHE";
const ARGON2_PASSWORD: &str = "argon2 password 2";
const CALLBACK: &str = "http://localhost:3000/callback";

fn users_file() -> String {
    serde_json::json!([
        {"email": "bcrypt@example.com", "user_id": "b1", "email_verified": true,
         "given_name": "Bea", "family_name": "Crypt", "name": "Bea Crypt",
         "password_hash": BCRYPT},
        {"email": "argon@example.com", "app_metadata": {"plan": "pro"},
         "user_metadata": {"theme": "dark"},
         "custom_password_hash": {"algorithm": "argon2",
                                  "hash": {"value": ARGON2, "encoding": "utf8"}}},
        {"email": "plain@example.com", "nickname": "plainly", "blocked": false},
        {"email": "not-an-email"},
        {"email": "md5@example.com",
         "custom_password_hash": {"algorithm": "md5",
                                  "hash": {"value": "5f4dcc3b5aa765d61d8327deb882cf99",
                                           "encoding": "hex"}}},
        {"email": "BCRYPT@example.com"},
        {"email": "taken@example.com"}
    ])
    .to_string()
}

const FIRST_RUN: &str = "\
imported 3, rejected 4
ignored fields (accepted, not stored): family_name in 1 row, given_name in 1 row
row 4 (not-an-email): not a valid email address
row 5 (md5@example.com): custom_password_hash algorithm \"md5\" is not supported \
(supported: bcrypt and argon2); import the user without a hash and let them reset their \
password
row 6 (BCRYPT@example.com): already exists: the email is used by row 1 of this file
row 7 (taken@example.com): already exists: a user has this email
";

const SECOND_RUN: &str = "\
imported 0, rejected 7
row 1 (bcrypt@example.com): already exists: a user has the id auth0|b1
row 2 (argon@example.com): already exists: a user has this email
row 3 (plain@example.com): already exists: a user has this email
row 4 (not-an-email): not a valid email address
row 5 (md5@example.com): custom_password_hash algorithm \"md5\" is not supported \
(supported: bcrypt and argon2); import the user without a hash and let them reset their \
password
row 6 (BCRYPT@example.com): already exists: the email is used by row 1 of this file
row 7 (taken@example.com): already exists: a user has this email
";

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn stored_user(url: &DatabaseUrl, email: &str) -> User {
    block_on(async {
        let opts = OpenOptions {
            migrate: false,
            ..OpenOptions::default()
        };
        let store = portcullis_store::open(url, &opts).await.unwrap();
        let filter = UserFilter {
            email: Some(email.to_owned()),
            connection: None,
        };
        let page = store
            .list_users(
                &TenantId::default_tenant(),
                &filter,
                UserOrder::CreatedAscending,
                PageRequest {
                    page: 0,
                    per_page: 10,
                },
            )
            .await
            .unwrap();
        assert_eq!(page.items.len(), 1, "{email}");
        page.items.into_iter().next().unwrap()
    })
}

fn stdout_ok(out: &std::process::Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Posts the login form for `email`; the status (303 logged in, 400 refused).
fn login(srv: &Running, client_id: &str, email: &str, password: &str) -> u16 {
    let authorize = format!(
        "/authorize?client_id={client_id}&redirect_uri={}&response_type=code&scope=openid&state=s&nonce=n",
        enc(CALLBACK)
    );
    let res = http(srv.addr, "GET", &authorize, &[], b"");
    assert_eq!(res.status, 302);
    let page = http(srv.addr, "GET", res.header("location").unwrap(), &[], b"");
    assert_eq!(page.status, 200);
    let csrf_cookie = set_cookie(&page, "portcullis_csrf");
    let html = page.text();
    let body = format!(
        "csrf={}&state={}&email={}&password={}",
        enc(&hidden(&html, "csrf")),
        enc(&hidden(&html, "state")),
        enc(email),
        enc(password)
    );
    let origin = srv.issuer.trim_end_matches('/').to_owned();
    http(
        srv.addr,
        "POST",
        "/u/login",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &format!("portcullis_csrf={csrf_cookie}")),
            ("Origin", &origin),
        ],
        body.as_bytes(),
    )
    .status
}

fn import_flow(cwd: &Path, data: &Path, url: &DatabaseUrl, extra: &[&str], env: &[(&str, &str)]) {
    let d = data.to_str().unwrap();
    let with = |args: &[&str]| -> Vec<String> {
        let mut all: Vec<&str> = args.to_vec();
        all.extend_from_slice(&["--data-dir", d]);
        all.extend_from_slice(extra);
        all.into_iter().map(str::to_owned).collect()
    };
    fn args(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    let boot = stdout_ok(&run(cwd, &args(&with(&["admin", "bootstrap"])), env));
    let client_id = env_value(&boot, "CLIENT_ID");
    stdout_ok(&run_with_input(
        cwd,
        &args(&with(&[
            "admin",
            "users",
            "create",
            "--email",
            "taken@example.com",
        ])),
        env,
        "a long enough password\n",
    ));
    let file = cwd.join("users.json");
    std::fs::write(&file, users_file()).unwrap();
    let f = file.to_str().unwrap();

    let first = run(cwd, &args(&with(&["admin", "import", "users", f])), env);
    assert_eq!(stdout_ok(&first), FIRST_RUN);

    // What was stored.
    let bcrypt = stored_user(url, "bcrypt@example.com");
    assert_eq!(bcrypt.user_id.as_str(), "auth0|b1");
    assert_eq!(bcrypt.connection, "Username-Password-Authentication");
    assert_eq!(
        (bcrypt.name.as_str(), bcrypt.nickname.as_str()),
        ("Bea Crypt", "bcrypt")
    );
    assert!(bcrypt.email_verified);
    assert_eq!(bcrypt.password_hash.as_ref().unwrap().as_str(), BCRYPT);
    let argon = stored_user(url, "argon@example.com");
    assert!(argon.user_id.as_str().starts_with("auth0|"));
    assert_eq!(argon.password_hash.as_ref().unwrap().as_str(), ARGON2);
    assert_eq!(argon.app_metadata, serde_json::json!({"plan": "pro"}));
    assert_eq!(argon.user_metadata, serde_json::json!({"theme": "dark"}));
    assert!(!argon.email_verified);
    let plain = stored_user(url, "plain@example.com");
    assert_eq!(plain.password_hash, None);
    assert_eq!(
        (plain.name.as_str(), plain.nickname.as_str()),
        ("plain@example.com", "plainly")
    );

    // Again: everyone is there already (by id for the bcrypt user, by email otherwise).
    let second = run(cwd, &args(&with(&["admin", "import", "users", f])), env);
    assert_eq!(stdout_ok(&second), SECOND_RUN);

    // --report: the rejected rows as JSON lines.
    let report = cwd.join("rejected.jsonl");
    let third = run(
        cwd,
        &args(&with(&[
            "admin",
            "import",
            "users",
            f,
            "--report",
            report.to_str().unwrap(),
        ])),
        env,
    );
    assert_eq!(
        stdout_ok(&third),
        format!(
            "imported 0, rejected 7\nrejected rows written to {}\n",
            report.display()
        )
    );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&report)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 7);
    assert_eq!(
        lines[3],
        serde_json::json!({"row": 4, "email": "not-an-email", "reason": "not a valid email address"})
    );

    // The imported users log in with their old passwords, which are then rehashed.
    let srv = Running::start(data, extra, env);
    assert_eq!(
        login(&srv, &client_id, "bcrypt@example.com", "wrong password"),
        400
    );
    assert_eq!(
        login(&srv, &client_id, "bcrypt@example.com", BCRYPT_PASSWORD),
        303
    );
    assert_eq!(
        login(&srv, &client_id, "argon@example.com", BCRYPT_PASSWORD),
        400
    );
    assert_eq!(
        login(&srv, &client_id, "argon@example.com", ARGON2_PASSWORD),
        303
    );
    assert_eq!(login(&srv, &client_id, "plain@example.com", ""), 400);
    srv.stop();
    for (email, old) in [
        ("bcrypt@example.com", BCRYPT),
        ("argon@example.com", ARGON2),
    ] {
        let hash = stored_user(url, email).password_hash.unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$"), "{email}");
        assert_ne!(hash.as_str(), old, "{email} was not rehashed");
    }
}

#[test]
fn import_users_on_sqlite() {
    let (tmp, data) = data_dir();
    let url = DatabaseUrl::sqlite_file(&data.join("portcullis.db"));
    import_flow(tmp.path(), &data, &url, &[], &[]);
}

#[test]
fn import_users_on_postgres() {
    let Some(db) = block_on(portcullis_store::testing::fresh_postgres()) else {
        return;
    };
    let (tmp, data) = data_dir();
    let url = db.url.clone();
    let env = [(
        "PORTCULLIS_MASTER_KEY",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    )];
    import_flow(
        tmp.path(),
        &data,
        &db.database_url(),
        &["--database-url", &url],
        &env,
    );
    block_on(db.drop_database()).unwrap();
}

#[test]
fn a_file_that_is_not_a_json_array_is_an_error_naming_it() {
    let (tmp, data) = data_dir();
    let cwd = tmp.path();
    let d = data.to_str().unwrap();
    stdout_ok(&run(cwd, &["admin", "bootstrap", "--data-dir", d], &[]));
    let file = cwd.join("broken.json");
    let f = file.to_str().unwrap();
    let import = |extra: &[&str]| {
        let mut args = vec!["admin", "import", "users", f, "--data-dir", d];
        args.extend_from_slice(extra);
        run(cwd, &args, &[])
    };

    std::fs::write(
        &file,
        "[\n  {\"email\": \"a@example.com\"},\n  {\"email\": }\n]",
    )
    .unwrap();
    let out = import(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("error: {f}: not valid JSON at line 3, column 13: expected value\n")
    );

    std::fs::write(&file, "{\"users\": []}").unwrap();
    let out = import(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "error: {f}: expected a JSON array of users (Auth0's bulk import format), found an object\n"
        )
    );

    let missing = cwd.join("missing.json");
    let out = run(
        cwd,
        &[
            "admin",
            "import",
            "users",
            missing.to_str().unwrap(),
            "--data-dir",
            d,
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with(&format!("error: cannot read {}: ", missing.display())),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Another connection: refused before anything is read or stored.
    std::fs::write(&file, "[{\"email\": \"a@example.com\"}]").unwrap();
    let out = import(&["--connection", "google-oauth2"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: no connection named google-oauth2: users can only be imported into \
         Username-Password-Authentication\n"
    );
    let out = import(&[]);
    assert_eq!(stdout_ok(&out), "imported 1, rejected 0\n");
}
