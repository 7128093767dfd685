//! Carrying out a [`Plan`], change by change, in its order, through the Management API
//! (so each change gets the API's checks and is audited).

use std::collections::BTreeMap;

use axum::http::Method;
use portcullis_core::tenant_config::{ApiDoc, AppDoc, Change, CurrentState, Plan, RoleDoc};
use portcullis_core::{Application, Clock, SystemClock, SystemRng, TenantId};
use serde_json::{Value, json};

use crate::Failure;
use crate::mgmt_client::{Client, encode};

/// The ids of objects named in the document: the tenant's, then those made on the way.
struct Ids {
    apps: BTreeMap<String, String>,
    roles: BTreeMap<String, String>,
}

/// Makes each change of `plan`, printing the client secret of each new confidential
/// application. A failure names the change and how many were made before it.
pub async fn run(client: &Client, current: &CurrentState, plan: &Plan) -> Result<(), Failure> {
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &current.applications {
        *names.entry(c.application.name.as_str()).or_default() += 1;
    }
    let mut ids = Ids {
        apps: current
            .applications
            .iter()
            .filter(|c| names.get(c.application.name.as_str()) == Some(&1))
            .map(|c| {
                (
                    c.application.name.clone(),
                    c.application.client_id.to_string(),
                )
            })
            .collect(),
        roles: current
            .roles
            .iter()
            .map(|r| (r.role.name.clone(), r.role.id.to_string()))
            .collect(),
    };
    for (done, change) in plan.changes.iter().enumerate() {
        apply(client, change, &mut ids)
            .await
            .map_err(|message| Failure {
                code: 1,
                message: format!(
                    "{}: {message} ({done} of {} changes were made before this one)",
                    change.headline(),
                    plan.changes.len()
                ),
            })?;
    }
    Ok(())
}

/// One call; the API's refusal or a transport failure as the message of the change.
async fn call(
    client: &Client,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    match client.send(method, path, body).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(refusal)) if refusal.not_found() => Err(format!(
            "{} (changed by someone else meanwhile?)",
            refusal.message
        )),
        Ok(Err(refusal)) => Err(refusal.message),
        Err(failure) => Err(failure.message),
    }
}

/// A DELETE, where already gone is as good as deleted.
async fn delete(client: &Client, path: &str) -> Result<(), String> {
    match client.send(Method::DELETE, path, None).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(refusal)) if refusal.not_found() => Ok(()),
        Ok(Err(refusal)) => Err(refusal.message),
        Err(failure) => Err(failure.message),
    }
}

async fn apply(client: &Client, change: &Change, ids: &mut Ids) -> Result<(), String> {
    match change {
        Change::DeleteGrant { id, .. } => {
            delete(client, &format!("/client-grants/{}", encode(id.as_str()))).await?;
        }
        Change::CreateApi(doc) => {
            let mut body = api_body(doc);
            body["identifier"] = doc.identifier.clone().into();
            call(client, Method::POST, "/resource-servers", Some(body)).await?;
        }
        Change::UpdateApi {
            current, desired, ..
        } => {
            let path = format!("/resource-servers/{}", encode(current.id.as_str()));
            call(client, Method::PATCH, &path, Some(api_body(desired))).await?;
        }
        Change::CreateApp(doc) => {
            let made = call(client, Method::POST, "/clients", Some(app_body(doc)?)).await?;
            let client_id = made["client_id"]
                .as_str()
                .ok_or("POST /clients answered without a client_id")?
                .to_owned();
            println!("created application {:?}: client id {client_id}", doc.name);
            print_secret(doc, &made);
            ids.apps.insert(doc.name.clone(), client_id);
        }
        Change::UpdateApp {
            current, desired, ..
        } => {
            // PATCH keeps the secret, removes it (now public) or makes one (now
            // confidential), which is shown this once.
            let path = format!(
                "/clients/{}",
                encode(current.application.client_id.as_str())
            );
            let made = call(client, Method::PATCH, &path, Some(app_body(desired)?)).await?;
            print_secret(desired, &made);
        }
        Change::CreateRole(doc) => {
            let id = create_role(client, doc).await?;
            ids.roles.insert(doc.name.clone(), id);
        }
        Change::UpdateRole {
            id,
            description,
            add,
            remove,
            ..
        } => {
            let path = format!("/roles/{}", encode(id.as_str()));
            if let Some(description) = description {
                let body = json!({ "description": description });
                call(client, Method::PATCH, &path, Some(body)).await?;
            }
            let path = format!("{path}/permissions");
            if !add.is_empty() {
                let body = json!({ "permissions": add });
                call(client, Method::POST, &path, Some(body)).await?;
            }
            if !remove.is_empty() {
                let body = json!({ "permissions": remove });
                call(client, Method::DELETE, &path, Some(body)).await?;
            }
        }
        Change::CreateGrant(doc) => {
            let client_id = ids
                .apps
                .get(&doc.client)
                .ok_or_else(|| format!("there is no application named {:?}", doc.client))?;
            let body = json!({
                "client_id": client_id,
                "audience": doc.audience,
                "scope": doc.scope,
            });
            call(client, Method::POST, "/client-grants", Some(body)).await?;
        }
        Change::UpdateGrant { id, grant } => {
            let path = format!("/client-grants/{}", encode(id.as_str()));
            let body = json!({ "scope": grant.scope });
            call(client, Method::PATCH, &path, Some(body)).await?;
        }
        Change::UpdateSettings { desired, .. } => {
            let mut role_ids = Vec::with_capacity(desired.default_roles.len());
            for name in &desired.default_roles {
                let id = ids
                    .roles
                    .get(name)
                    .ok_or_else(|| format!("there is no role named {name:?}"))?;
                role_ids.push(id.clone());
            }
            // Every setting, so the tenant ends as the file says (`null` removes the
            // picture).
            let body = serde_json::to_value(desired.to_settings(role_ids))
                .map_err(|e| format!("encoding the settings: {e}"))?;
            call(client, Method::PATCH, "/tenants/settings", Some(body)).await?;
        }
        Change::DeleteRole { id, .. } => {
            delete(client, &format!("/roles/{}", encode(id.as_str()))).await?;
        }
        Change::DeleteApp { client_id, .. } => {
            delete(client, &format!("/clients/{}", encode(client_id.as_str()))).await?;
        }
        Change::DeleteApi { id, .. } => {
            delete(
                client,
                &format!("/resource-servers/{}", encode(id.as_str())),
            )
            .await?;
        }
    }
    Ok(())
}

/// The fields of an API that `POST` and `PATCH /resource-servers` both take.
fn api_body(doc: &ApiDoc) -> Value {
    json!({
        "name": doc.name,
        "scopes": doc.scopes,
        "signing_alg": doc.signing_alg,
        "token_lifetime": doc.token_lifetime,
        "allow_offline_access": doc.allow_offline_access,
        "enforce_policies": doc.enforce_policies,
        "token_dialect": doc.token_dialect,
    })
}

/// The application as the file wants it, every field explicit: what the file leaves
/// out takes the defaults of its type, which `PATCH` alone would not do (it keeps what
/// is there).
fn app_body(doc: &AppDoc) -> Result<Value, String> {
    // Only for the defaults: the id and secret made here are thrown away.
    let (app, _) = Application::register(
        &TenantId::default_tenant(),
        doc.new_application(),
        &SystemRng::new(),
        SystemClock.now(),
    )
    .map_err(|e| e.to_string())?;
    Ok(json!({
        "name": app.name,
        "description": doc.description,
        "app_type": app.app_type.as_str(),
        "callbacks": app.callbacks,
        "allowed_logout_urls": app.allowed_logout_urls,
        "web_origins": app.web_origins,
        "grant_types": doc.grant_types.as_ref().unwrap_or(&app.grant_types),
        "token_endpoint_auth_method": app.token_endpoint_auth_method.as_str(),
    }))
}

fn print_secret(doc: &AppDoc, answer: &Value) {
    if let Some(secret) = answer["client_secret"].as_str() {
        println!(
            "client secret of {:?} (shown once; only its hash is stored): {secret}",
            doc.name
        );
    }
}

async fn create_role(client: &Client, doc: &RoleDoc) -> Result<String, String> {
    let body = json!({ "name": doc.name, "description": doc.description });
    let made = call(client, Method::POST, "/roles", Some(body)).await?;
    let id = made["id"]
        .as_str()
        .ok_or("POST /roles answered without an id")?
        .to_owned();
    if !doc.permissions.is_empty() {
        let path = format!("/roles/{}/permissions", encode(&id));
        let body = json!({ "permissions": doc.permissions });
        call(client, Method::POST, &path, Some(body)).await?;
    }
    Ok(id)
}
