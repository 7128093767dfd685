//! `portcullis admin users create`, through the Management API (`POST /users`), so it
//! works on the local database and, with `--url`, on a running server, and is audited;
//! the user gets the tenant's default roles, as at signup.

use axum::http::Method;
use portcullis_core::user::DATABASE_CONNECTION;
use serde_json::json;

use crate::Failure;
use crate::args::GlobalArgs;
use crate::args::RemoteArgs;
use crate::mgmt_client::Client;
use crate::roles::{text, usage};

/// Creates the user; the password is the first line of standard input.
pub async fn create(
    global: &GlobalArgs,
    remote: &RemoteArgs,
    email: &str,
    name: Option<String>,
    email_verified: bool,
) -> Result<(), Failure> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| Failure {
        code: 1,
        message: format!("reading the password from standard input: {e}"),
    })?;
    let password = line.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        return Err(usage(
            "no password: give it on the first line of standard input, e.g. \
             `echo 'a long password' | portcullis admin users create --email ...`"
                .to_owned(),
        ));
    }
    let mut body = json!({
        "connection": DATABASE_CONNECTION,
        "email": email,
        "password": password,
        "email_verified": email_verified,
    });
    if let Some(name) = name {
        body["name"] = name.into();
    }
    let client = Client::connect(global, remote).await?;
    let user = match client.send(Method::POST, "/users", Some(body)).await? {
        Ok(user) => user,
        Err(r) if r.conflict() => {
            return Err(usage(format!("a user with email {email} exists already")));
        }
        Err(r) => return Err(r.of_command()),
    };
    println!(
        "created {} ({})",
        text(&user["user_id"]),
        text(&user["email"])
    );
    Ok(())
}
