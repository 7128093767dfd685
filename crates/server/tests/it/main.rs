//! Handler tests: the router driven with `oneshot`, on a real SQLite database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod change_password;
mod cors;
mod endpoints;
mod limits;
mod logout;
mod mgmt;
mod password_reset;
mod refresh;
mod reset_env;
mod revoke;
mod revoked_grants;
mod signup_verification;
mod throttle;
mod token;
mod world;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response};
use http_body_util::BodyExt;
use portcullis_server::config::{Flags, load_with};
use portcullis_server::{Prepared, prepare};
use tower::ServiceExt;

/// A prepared server on a fresh data dir, port 0, with the given extra environment.
pub async fn server(env: &[(&str, &str)]) -> (Prepared, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_owned();
    let mut vars: Vec<(String, String)> = vec![
        ("PORTCULLIS_DATA_DIR".into(), data),
        ("PORTCULLIS_LISTEN".into(), "127.0.0.1:0".into()),
    ];
    vars.extend(env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let config = load_with(&Flags::default(), &move |k| {
        vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    })
    .unwrap();
    (prepare(config).await.unwrap(), dir)
}

pub async fn send(app: &Router, req: Request<Body>) -> (Response<()>, Vec<u8>) {
    let res = app.clone().oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes().to_vec();
    (Response::from_parts(parts, ()), bytes)
}

pub async fn get(app: &Router, path: &str) -> (Response<()>, Vec<u8>) {
    send(app, Request::get(path).body(Body::empty()).unwrap()).await
}

pub fn header<'a>(res: &'a Response<()>, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}
