//! `portcullis admin apis create`, through the Management API (`POST
//! /resource-servers`), so it works on the local database and, with `--url`, on a
//! running server, and is audited; `apis list` is in `listing`.

use axum::http::Method;
use serde_json::{Value, json};

use crate::Failure;
use crate::args::{CreateApiArgs, GlobalArgs};
use crate::mgmt_client::Client;
use crate::roles::{text, usage};

pub async fn create(global: &GlobalArgs, api: CreateApiArgs) -> Result<(), Failure> {
    let scopes: Vec<Value> = api.scopes.iter().map(|s| json!({ "value": s })).collect();
    let body = json!({
        "identifier": api.identifier,
        "name": api.name,
        "scopes": scopes,
        "allow_offline_access": api.allow_offline_access,
        "enforce_policies": api.rbac,
        // Auth0's "add permissions in the access token".
        "token_dialect": if api.add_permissions_in_token { "access_token_authz" } else { "access_token" },
    });
    let client = Client::connect(global, &api.remote).await?;
    let made = match client
        .send(Method::POST, "/resource-servers", Some(body))
        .await?
    {
        Ok(made) => made,
        Err(r) if r.conflict() => {
            return Err(usage(format!(
                "an API with identifier {} exists already",
                api.identifier
            )));
        }
        Err(r) => return Err(r.of_command()),
    };
    println!(
        "created {} ({})",
        text(&made["id"]),
        text(&made["identifier"])
    );
    Ok(())
}
