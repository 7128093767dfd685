//! `run::management_app`: the Management API driven in-process as the local operator
//! (what `portcullis admin` uses on a local database).

use axum::body::Body;
use axum::http::Request;
use portcullis_server::config::{Flags, load_with};
use portcullis_server::run::{LOCAL_OPERATOR, management_app};
use serde_json::{Value, json};

use crate::{send, server};

#[tokio::test]
async fn the_local_operator_needs_no_token_and_is_audited() {
    let (srv, dir) = server(&[]).await;
    let data = dir.path().to_str().unwrap().to_owned();
    let config = load_with(&Flags::default(), &|k| {
        (k == "PORTCULLIS_DATA_DIR").then(|| data.clone())
    })
    .unwrap();
    let app = management_app(&config, srv.issuer().clone()).await.unwrap();

    let req = Request::post("/roles")
        .header("content-type", "application/json")
        .body(Body::from(json!({"name": "ops"}).to_string()))
        .unwrap();
    let (res, body) = send(&app, req).await;
    assert_eq!(res.status(), 200, "{}", String::from_utf8_lossy(&body));

    let (res, body) = send(&app, Request::get("/logs").body(Body::empty()).unwrap()).await;
    assert_eq!(res.status(), 200);
    let logs: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(logs[0]["type"], "sapi");
    assert_eq!(logs[0]["client_id"], LOCAL_OPERATOR);
    assert_eq!(logs[0]["description"], "Create roles");

    // Reads go through the same routes.
    let (_, body) = send(&app, Request::get("/roles").body(Body::empty()).unwrap()).await;
    let roles: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(roles.as_array().map(|r| r.len()), Some(1));
}

#[tokio::test]
async fn a_database_without_a_tenant_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_owned();
    let config = load_with(&Flags::default(), &|k| {
        (k == "PORTCULLIS_DATA_DIR").then(|| data.clone())
    })
    .unwrap();
    portcullis_server::run::create_data_dir(&config.data_dir).unwrap();
    let issuer = portcullis_server::Issuer::parse("http://127.0.0.1:4000/").unwrap();
    let err = management_app(&config, issuer).await.err().unwrap();
    assert_eq!(
        err.to_string(),
        "tenant default does not exist (run `portcullis admin bootstrap` or start the server once)"
    );
}
