//! `portcullis admin apps create | grant`, through the Management API (`POST /clients`,
//! `POST /client-grants`), so they work on the local database and, with `--url`, on a
//! running server, and are audited; `apps list` is in `listing`.

use axum::http::Method;
use clap::ValueEnum;
use serde_json::{Value, json};

use crate::Failure;
use crate::args::{AppsCommand, GlobalArgs, RemoteArgs};
use crate::mgmt_client::{Client, encode};
use crate::roles::{text, usage};

pub async fn run(global: &GlobalArgs, cmd: AppsCommand) -> Result<(), Failure> {
    match cmd {
        AppsCommand::Create {
            name,
            app_type,
            callbacks,
            logout_urls,
            web_origins,
            auth_method,
            remote,
        } => {
            let mut body = json!({
                "name": name,
                "app_type": value_name(app_type),
                "callbacks": callbacks,
                "allowed_logout_urls": logout_urls,
                "web_origins": web_origins,
            });
            if let Some(method) = auth_method {
                body["token_endpoint_auth_method"] = value_name(method).into();
            }
            let client = Client::connect(global, &remote).await?;
            let app = client
                .send(Method::POST, "/clients", Some(body))
                .await?
                .map_err(|r| r.of_command())?;
            println!(
                "created {} ({}, {})",
                text(&app["client_id"]),
                text(&app["name"]),
                text(&app["app_type"])
            );
            if let Some(secret) = app["client_secret"].as_str() {
                println!("client secret (shown once; only its hash is stored): {secret}");
            }
            Ok(())
        }
        // Read through the Management API, so it works with --url too.
        AppsCommand::List(list) => crate::listing::apps_list(global, list).await,
        AppsCommand::Grant {
            app,
            audience,
            scopes,
            remote,
        } => grant(global, &remote, &app, &audience, scopes).await,
    }
}

/// The name clap shows for a value (`regular_web`, `client_secret_post`), which is
/// Auth0's.
fn value_name(v: impl ValueEnum) -> String {
    v.to_possible_value()
        .map(|p| p.get_name().to_owned())
        .unwrap_or_default()
}

async fn grant(
    global: &GlobalArgs,
    remote: &RemoteArgs,
    app: &str,
    audience: &str,
    scopes: Vec<String>,
) -> Result<(), Failure> {
    let client = Client::connect(global, remote).await?;
    let body = json!({ "client_id": app, "audience": audience, "scope": scopes });
    let grant = match client
        .send(Method::POST, "/client-grants", Some(body))
        .await?
    {
        Ok(grant) => grant,
        Err(r) if r.error_code.as_deref() == Some("inexistent_client") => {
            return Err(usage(format!("no application with client id {app}")));
        }
        Err(r) if r.not_found() => {
            return Err(usage(format!("no API with identifier {audience}")));
        }
        Err(r) if r.conflict() => {
            // Name the grant there is, so it can be changed or deleted.
            let query = format!(
                "/client-grants?client_id={}&audience={}",
                encode(app),
                encode(audience)
            );
            let existing = client.call(Method::GET, &query, None).await?;
            return Err(usage(format!(
                "{app} has a grant for {audience} already ({})",
                text(&existing[0]["id"])
            )));
        }
        Err(r) => return Err(r.of_command()),
    };
    let granted: Vec<&str> = grant["scope"]
        .as_array()
        .map(|s| s.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    println!(
        "created {} ({app} may get tokens for {audience} with scope: {})",
        text(&grant["id"]),
        if granted.is_empty() {
            "none".to_owned()
        } else {
            granted.join(" ")
        }
    );
    Ok(())
}
