//! `portcullis admin tenant default-roles | signup-verification`, through the Management
//! API (`GET` and `PATCH /tenants/settings`), so they work on the local database and,
//! with `--url`, on a running server, and are audited; `tenant show` is in `listing`.

use axum::http::Method;
use serde_json::{Value, json};

use crate::Failure;
use crate::args::{GlobalArgs, OnOff, TenantCommand};
use crate::mgmt_client::{Client, encode};
use crate::roles::text;

pub async fn run(global: &GlobalArgs, cmd: TenantCommand) -> Result<(), Failure> {
    match cmd {
        TenantCommand::DefaultRoles {
            roles,
            clear,
            remote,
        } => {
            let client = Client::connect(global, &remote).await?;
            // Neither --role nor --clear: show the list.
            let settings = if roles.is_empty() && !clear {
                client.call(Method::GET, "/tenants/settings", None).await?
            } else {
                let body = json!({ "default_roles": roles });
                client
                    .send(Method::PATCH, "/tenants/settings", Some(body))
                    .await?
                    .map_err(|r| r.of_command())?
            };
            let ids: Vec<&str> = settings["default_roles"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            println!("default roles: {}", describe(&client, &ids).await?);
            Ok(())
        }
        TenantCommand::SignupVerification { state, remote } => {
            let client = Client::connect(global, &remote).await?;
            let settings = match state {
                Some(state) => {
                    let body = json!({ "signup_requires_verification": state == OnOff::On });
                    client
                        .send(Method::PATCH, "/tenants/settings", Some(body))
                        .await?
                        .map_err(|r| r.of_command())?
                }
                None => client.call(Method::GET, "/tenants/settings", None).await?,
            };
            let on = settings["signup_requires_verification"].as_bool() == Some(true);
            println!("signup verification: {}", if on { "on" } else { "off" });
            Ok(())
        }
    }
}

/// `rol_1 (Reader), rol_2 (Writer)`, or `none`.
async fn describe(client: &Client, roles: &[&str]) -> Result<String, Failure> {
    if roles.is_empty() {
        return Ok("none".to_owned());
    }
    let mut parts = Vec::with_capacity(roles.len());
    for id in roles {
        let path = format!("/roles/{}", encode(id));
        let name = match client.send(Method::GET, &path, None).await? {
            Ok(role) => text(&role["name"]).to_owned(),
            Err(r) if r.not_found() => "no longer exists".to_owned(),
            Err(r) => return Err(r.into()),
        };
        parts.push(format!("{id} ({name})"));
    }
    Ok(parts.join(", "))
}
