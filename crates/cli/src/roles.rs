//! `portcullis admin roles create | add-permission | assign`, through the Management API
//! (`POST /roles`, `POST /roles/{id}/permissions`, `POST /roles/{id}/users`), so they
//! work on the local database and, with `--url`, on a running server, and are audited.

use axum::http::Method;
use serde_json::{Value, json};

use crate::Failure;
use crate::args::{GlobalArgs, RolesCommand};
use crate::mgmt_client::{Client, encode};

pub async fn run(global: &GlobalArgs, cmd: RolesCommand) -> Result<(), Failure> {
    match cmd {
        RolesCommand::Create {
            name,
            description,
            remote,
        } => {
            if name.trim().is_empty() {
                return Err(usage("a role needs a name (--name)".to_owned()));
            }
            let client = Client::connect(global, &remote).await?;
            let body = json!({ "name": name, "description": description });
            let role = match client.send(Method::POST, "/roles", Some(body)).await? {
                Ok(role) => role,
                Err(r) if r.conflict() => {
                    return Err(usage(format!("a role named {name} exists already")));
                }
                Err(r) => return Err(r.of_command()),
            };
            println!("created {} ({})", text(&role["id"]), text(&role["name"]));
            Ok(())
        }
        RolesCommand::AddPermission {
            role_id,
            api,
            permissions,
            remote,
        } => {
            let client = Client::connect(global, &remote).await?;
            let mut wanted: Vec<&str> = Vec::new();
            for p in &permissions {
                if !wanted.contains(&p.as_str()) {
                    wanted.push(p);
                }
            }
            let items: Vec<Value> = wanted
                .iter()
                .map(|p| json!({"resource_server_identifier": api, "permission_name": p}))
                .collect();
            let path = format!("/roles/{}/permissions", encode(&role_id));
            let body = json!({ "permissions": items });
            match client.send(Method::POST, &path, Some(body)).await? {
                Ok(_) => {}
                Err(r) if r.error_code.as_deref() == Some("inexistent_role") => {
                    return Err(no_role(&role_id));
                }
                Err(r) if r.not_found() => {
                    return Err(usage(format!("no API with identifier {api}")));
                }
                Err(r) => return Err(r.of_command()),
            }
            println!(
                "role {role_id}: added {} permission(s) on {api}",
                wanted.len()
            );
            Ok(())
        }
        RolesCommand::Assign {
            role_id,
            user,
            remote,
        } => {
            let client = Client::connect(global, &remote).await?;
            let found = client
                .call(
                    Method::GET,
                    &format!("/users-by-email?email={}&fields=user_id", encode(&user)),
                    None,
                )
                .await?;
            let user_id = found[0]["user_id"]
                .as_str()
                .ok_or_else(|| usage(format!("no user with email {user}")))?;
            let path = format!("/roles/{}/users", encode(&role_id));
            let body = json!({ "users": [user_id] });
            match client.send(Method::POST, &path, Some(body)).await? {
                Ok(_) => {}
                Err(r) if r.error_code.as_deref() == Some("inexistent_role") => {
                    return Err(no_role(&role_id));
                }
                // Deleted since it was found.
                Err(r) if r.not_found() => {
                    return Err(usage(format!("no user with email {user}")));
                }
                Err(r) => return Err(r.of_command()),
            }
            println!("assigned {role_id} to {user_id}");
            Ok(())
        }
    }
}

fn no_role(id: &str) -> Failure {
    usage(format!("no role with id {id}"))
}

/// A string field of an answer, or `?` when the API left it out.
pub(crate) fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("?")
}

/// A mistake on the command line: exit code 2.
pub(crate) fn usage(message: String) -> Failure {
    Failure { code: 2, message }
}
