//! `portcullis proxy`: the browser app's files, the SDK's login routes and the /api
//! forwarding in one process, configured by the Auth0 variables (the forwarding itself
//! is tested in the SDK's tests/it/bff.rs).

use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::forms::env_value;
use crate::listing::{bootstrapped_server, free_port};
use crate::{command, data_dir, http, http_get, refused, run};

#[test]
fn serves_files_logs_in_and_guards_the_api() {
    let (tmp, data) = data_dir();
    let cwd = tmp.path();
    let (boot, listen, _server) = bootstrapped_server(cwd, &data);
    let site = cwd.join("site");
    std::fs::create_dir(&site).unwrap();
    std::fs::write(site.join("index.html"), "<h1>the app</h1>").unwrap();
    let proxy_addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let issuer = format!("http://{listen}/");
    let env = [
        ("AUTH0_DOMAIN", issuer.as_str()),
        ("AUTH0_CLIENT_ID", &env_value(&boot, "AUTH0_CLIENT_ID")),
        (
            "AUTH0_CLIENT_SECRET",
            &env_value(&boot, "AUTH0_CLIENT_SECRET"),
        ),
        ("AUTH0_SECRET", "a proxy cookie secret of 32+ characters"),
        ("APP_BASE_URL", "http://localhost:3000"),
    ];
    let mut child = command(
        cwd,
        &[
            "proxy",
            "--listen",
            &proxy_addr.to_string(),
            "--route",
            "/api/orders=http://127.0.0.1:9/",
            "--static",
            site.to_str().unwrap(),
        ],
        &env,
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    let started = Instant::now();
    while TcpStream::connect(proxy_addr).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the proxy did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let home = http_get(proxy_addr, "/");
    assert_eq!(home.status, 200);
    assert_eq!(home.text(), "<h1>the app</h1>");
    let api = http_get(proxy_addr, "/api/orders/1");
    assert_eq!(api.status, 401);
    assert_eq!(api.json()["error"], "not_authenticated");
    let write = http(proxy_addr, "POST", "/api/orders", &[], b"{}");
    assert_eq!(write.status, 401);
    assert_eq!(write.json()["error"], "csrf");
    let login = http_get(proxy_addr, "/auth/login");
    assert_eq!(login.status, 303);
    assert!(
        login
            .header("location")
            .unwrap()
            .starts_with(&format!("{issuer}authorize?")),
        "{:?}",
        login.header("location")
    );
    // Tokens never reach the browser: no /auth/access-token here (the static files
    // answer 404 for it).
    assert_eq!(http_get(proxy_addr, "/auth/access-token").status, 404);
    child.kill().unwrap();
    child.wait().unwrap();

    // Mistakes are one line and exit 2.
    assert_eq!(
        refused(run(cwd, &["proxy", "--route", "api=http://x/"], &env)),
        "error: --route \"api=http://x/\": the prefix must be a path like /api/orders"
    );
    assert_eq!(
        refused(run(cwd, &["proxy"], &env)),
        "error: nothing to serve: give --route PREFIX=URL (repeatable) and/or --static DIR"
    );
}
