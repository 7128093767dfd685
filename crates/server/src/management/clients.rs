//! `/api/v2/clients`: the tenant's applications, as Auth0's Management API has them.
//! Status codes are Auth0's: create 201, update 200, delete 204, rotate-secret 200.
//!
//! Scopes, as Auth0's: reading takes `read:clients` or `read:client_keys`; creating
//! `create:clients`; updating `update:clients` or `update:client_keys`; deleting
//! `delete:clients`; rotating the secret `update:client_keys`.
//!
//! Where Portcullis differs from Auth0:
//! - Client secrets are stored only as hashes, so `client_secret` is in the answer only
//!   when a secret is made: on create, on rotate-secret, and on an update that makes a
//!   public application confidential. `GET` never returns it, even with
//!   `read:client_keys`. A secret cannot be chosen (`client_secret` in a body is a 400):
//!   Portcullis generates every secret.
//! - Public applications (`spa`, `native`) have no secret at all
//!   (`token_endpoint_auth_method` `none`), so rotating theirs is a 400.
//! - `app_type` is one of `regular_web` (the default), `spa`, `native`,
//!   `non_interactive`; the SSO-integration types are refused.
//! - `is_first_party`, `oidc_conformant` and `jwt_configuration` are fixed (first party,
//!   OIDC conformant, ID tokens signed RS256 with the tenant's keys for the tenant's
//!   `id_token_lifetime`): they are returned, and accepted in a body only with those
//!   values.
//! - `global` is always false and `tenant` is the tenant id.
//! - Callback URLs, logout URLs and web origins pass Portcullis's checks
//!   ([`Application::register`]): no wildcards, no fragments, https (or http on
//!   localhost; custom schemes for native applications), origins as browsers send them.

mod body;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use portcullis_core::app_registration::NewApplication;
use portcullis_core::config_admin::{ManagedClient, SecretUpdate};
use portcullis_core::{AppType, Application, ClientId, ClientSecret, StoreError};
use serde_json::{Map, Value};

use self::body::{ClientBody, check_fixed_fields};
use super::auth;
use super::error::ApiError;
use super::input::{self, Query};
use super::paging::Paging;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/clients", get(list).post(create))
        .route("/clients/{id}", get(get_one).patch(update).delete(delete))
        .route("/clients/{id}/rotate-secret", post(rotate_secret))
}

const READ: &[&str] = &["read:clients", "read:client_keys"];
const UPDATE: &[&str] = &["update:clients", "update:client_keys"];

fn not_found() -> ApiError {
    ApiError::not_found("The client does not exist", "inexistent_client")
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(message, Some("invalid_body"))
}

/// The client as Auth0 writes it; `secret` only when one was just made.
fn client_json(
    state: &AppState,
    client: &ManagedClient,
    id_token_lifetime: u32,
    secret: Option<&ClientSecret>,
) -> Value {
    let app = &client.application;
    let strings = |list: &[String]| Value::from(list.to_vec());
    let mut o = Map::new();
    o.insert("client_id".into(), app.client_id.as_str().into());
    o.insert("tenant".into(), state.tenant.as_str().into());
    o.insert("global".into(), false.into());
    o.insert("name".into(), app.name.clone().into());
    if !client.description.is_empty() {
        o.insert("description".into(), client.description.clone().into());
    }
    o.insert("app_type".into(), app.app_type.as_str().into());
    o.insert("is_first_party".into(), true.into());
    o.insert("oidc_conformant".into(), true.into());
    o.insert("callbacks".into(), strings(&app.callbacks));
    o.insert(
        "allowed_logout_urls".into(),
        strings(&app.allowed_logout_urls),
    );
    o.insert("web_origins".into(), strings(&app.web_origins));
    o.insert("grant_types".into(), strings(&app.grant_types));
    o.insert(
        "token_endpoint_auth_method".into(),
        app.token_endpoint_auth_method.as_str().into(),
    );
    let mut jwt = Map::new();
    jwt.insert("alg".into(), "RS256".into());
    jwt.insert("lifetime_in_seconds".into(), id_token_lifetime.into());
    jwt.insert("secret_encoded".into(), false.into());
    o.insert("jwt_configuration".into(), Value::Object(jwt));
    if let Some(s) = secret {
        o.insert("client_secret".into(), s.expose().into());
    }
    Value::Object(o)
}

/// Auth0's `fields` (comma-separated) and `include_fields` (default true): which
/// properties of each client the answer keeps.
#[derive(Debug, Default)]
struct Fields {
    names: Vec<String>,
    include: bool,
}

impl Fields {
    fn take(query: &mut Query) -> Result<Fields, ApiError> {
        let names = query
            .take("fields")?
            .map(|f| {
                f.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let include = query.take_bool("include_fields")?.unwrap_or(true);
        Ok(Fields { names, include })
    }

    fn apply(&self, value: Value) -> Value {
        match value {
            Value::Object(o) if !self.names.is_empty() => Value::Object(
                o.into_iter()
                    .filter(|(k, _)| self.names.contains(k) == self.include)
                    .collect(),
            ),
            other => other,
        }
    }
}

async fn id_token_lifetime(state: &AppState) -> Result<u32, ApiError> {
    let tenant = state
        .tenant()
        .await
        .map_err(|e| ApiError::internal("reading the tenant", &e))?;
    Ok(tenant.settings.id_token_lifetime)
}

/// `GET /clients`: paged, oldest first; `app_type` filters by a comma-separated list
/// of types; `is_global=true` and `is_first_party=false` match nothing (every client is
/// first party and none is global).
async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, READ)?;
    let mut query = Query::parse(uri.query());
    let paging = Paging::take(&mut query)?;
    let fields = Fields::take(&mut query)?;
    let mut app_types = Vec::new();
    if let Some(list) = query.take("app_type")? {
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let t = AppType::parse(name).ok_or_else(|| {
                ApiError::invalid_query(format!(
                    "app_type {name:?} is not one of regular_web, spa, native, non_interactive"
                ))
            })?;
            if !app_types.contains(&t) {
                app_types.push(t);
            }
        }
    }
    let is_global = query.take_bool("is_global")?;
    let is_first_party = query.take_bool("is_first_party")?;
    query.finish()?;
    let page = if is_global == Some(true) || is_first_party == Some(false) {
        portcullis_core::Page {
            items: Vec::new(),
            total: 0,
        }
    } else {
        state
            .store
            .list_clients(&state.tenant, &app_types, paging.request)
            .await?
    };
    let lifetime = id_token_lifetime(&state).await?;
    Ok(paging.respond(
        "clients",
        page.map(|c| fields.apply(client_json(&state, &c, lifetime, None))),
    ))
}

async fn existing(state: &AppState, id: &str) -> Result<ManagedClient, ApiError> {
    state
        .store
        .client(&state.tenant, &ClientId::new(id))
        .await?
        .ok_or_else(not_found)
}

/// `GET /clients/{id}`, with `fields` and `include_fields`. Never `client_secret`.
async fn get_one(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, READ)?;
    let mut query = Query::parse(uri.query());
    let fields = Fields::take(&mut query)?;
    query.finish()?;
    let client = existing(&state, &id).await?;
    let lifetime = id_token_lifetime(&state).await?;
    Ok(Json(fields.apply(client_json(&state, &client, lifetime, None))).into_response())
}

/// `POST /clients`: 201 with the client and, for a confidential type, its new
/// `client_secret`, shown this once.
async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["create:clients"])?;
    let body: ClientBody = input::json_body(&headers, &body)?;
    let name = body
        .name
        .clone()
        .ok_or_else(|| ApiError::invalid_body("Missing required property: name"))?;
    let lifetime = id_token_lifetime(&state).await?;
    check_fixed_fields(&body.fixed(), lifetime)?;
    let app_type = match &body.app_type {
        Some(t) => body::app_type(t)?,
        None => AppType::RegularWeb,
    };
    let description = body::description(body.description)?;
    let method = body
        .token_endpoint_auth_method
        .as_deref()
        .map(body::auth_method)
        .transpose()?;
    let new = NewApplication {
        name,
        app_type,
        callbacks: body.callbacks.unwrap_or_default(),
        allowed_logout_urls: body.allowed_logout_urls.unwrap_or_default(),
        web_origins: body.web_origins.unwrap_or_default(),
        token_endpoint_auth_method: method,
    };
    let (mut app, secret) =
        Application::register(&state.tenant, new, state.rng.as_ref(), state.clock.now())
            .map_err(|e| invalid(e.to_string()))?;
    if let Some(list) = body.grant_types {
        app.grant_types = body::grant_types(list, &app)?;
    }
    let client = ManagedClient {
        application: app,
        description,
    };
    match state.store.insert_client(&client).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::conflict(
                "A client with the same client_id already exists.",
                "client_conflict",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    state.catalog.invalidate();
    Ok((
        StatusCode::CREATED,
        Json(client_json(&state, &client, lifetime, secret.as_ref())),
    )
        .into_response())
}

/// `PATCH /clients/{id}`: 200 with the client. Changing `app_type` between a public and
/// a confidential type removes the secret, or makes one (returned this once).
async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, UPDATE)?;
    let body: ClientBody = input::json_body(&headers, &body)?;
    let lifetime = id_token_lifetime(&state).await?;
    check_fixed_fields(&body.fixed(), lifetime)?;
    let current = existing(&state, &id).await?;
    let old = &current.application;
    let app_type = match &body.app_type {
        Some(t) => body::app_type(t)?,
        None => old.app_type,
    };
    let same_class = app_type.is_confidential() == old.app_type.is_confidential();
    let method = match &body.token_endpoint_auth_method {
        Some(m) => Some(body::auth_method(m)?),
        None => same_class.then_some(old.token_endpoint_auth_method),
    };
    let description = match body.description {
        Some(d) => body::description(Some(d))?,
        None => current.description.clone(),
    };
    // The same checks as a new application's; its new id (and secret) are only kept
    // when the application becomes confidential.
    let new = NewApplication {
        name: body.name.unwrap_or_else(|| old.name.clone()),
        app_type,
        callbacks: body.callbacks.unwrap_or_else(|| old.callbacks.clone()),
        allowed_logout_urls: body
            .allowed_logout_urls
            .unwrap_or_else(|| old.allowed_logout_urls.clone()),
        web_origins: body.web_origins.unwrap_or_else(|| old.web_origins.clone()),
        token_endpoint_auth_method: method,
    };
    let (checked, fresh_secret) =
        Application::register(&state.tenant, new, state.rng.as_ref(), state.clock.now())
            .map_err(|e| invalid(e.to_string()))?;
    let (secret_update, shown) = match (&old.client_secret_hash, fresh_secret) {
        (Some(_), Some(_)) => (SecretUpdate::Keep, None),
        (Some(_), None) => (SecretUpdate::Remove, None),
        (None, Some(s)) => (SecretUpdate::Set(s.hash()), Some(s)),
        (None, None) => (SecretUpdate::Keep, None),
    };
    let mut app = Application {
        tenant_id: old.tenant_id.clone(),
        client_id: old.client_id.clone(),
        created_at: old.created_at,
        client_secret_hash: match &secret_update {
            SecretUpdate::Keep => old.client_secret_hash.clone(),
            SecretUpdate::Set(h) => Some(h.clone()),
            SecretUpdate::Remove => None,
        },
        ..checked
    };
    app.grant_types = match body.grant_types {
        Some(list) => body::grant_types(list, &app)?,
        None if app_type == old.app_type => old.grant_types.clone(),
        // A new type starts with its defaults (those `register` gave).
        None => app.grant_types,
    };
    let client = ManagedClient {
        application: app,
        description,
    };
    if !state.store.update_client(&client, &secret_update).await? {
        return Err(not_found());
    }
    state.catalog.invalidate();
    Ok(Json(client_json(&state, &client, lifetime, shown.as_ref())).into_response())
}

/// `DELETE /clients/{id}`: 204; its client grants, codes and refresh tokens go with it.
async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["delete:clients"])?;
    if !state
        .store
        .delete_client(&state.tenant, &ClientId::new(id))
        .await?
    {
        return Err(not_found());
    }
    state.catalog.invalidate();
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /clients/{id}/rotate-secret`: 200 with the client and its new `client_secret`;
/// the old secret stops working at once.
async fn rotate_secret(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["update:client_keys"])?;
    let mut client = existing(&state, &id).await?;
    let app = &client.application;
    if app.client_secret_hash.is_none() {
        return Err(ApiError::bad_request(
            format!(
                "A {} application is public (token_endpoint_auth_method none): it has no \
                 secret to rotate.",
                app.app_type.as_str()
            ),
            Some("invalid_body"),
        ));
    }
    let secret = ClientSecret::generate(state.rng.as_ref());
    let hash = secret.hash();
    if !state
        .store
        .rotate_client_secret(&state.tenant, &app.client_id, &hash)
        .await?
    {
        return Err(not_found());
    }
    state.catalog.invalidate();
    client.application.client_secret_hash = Some(hash);
    let lifetime = id_token_lifetime(&state).await?;
    Ok(Json(client_json(&state, &client, lifetime, Some(&secret))).into_response())
}
