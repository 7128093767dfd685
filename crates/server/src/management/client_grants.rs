//! `/api/v2/client-grants`: which machine-to-machine application may get tokens for
//! which API (client credentials), with which scopes. Status codes are Auth0's: create
//! 201, update 200, delete 204.
//!
//! Scopes: `read:client_grants`, `create:client_grants`, `update:client_grants`,
//! `delete:client_grants`.
//!
//! Where Portcullis differs: only applications allowed the `client_credentials` grant
//! (machine-to-machine ones) can have client grants (400 otherwise); the organization
//! fields (`organization_usage`, `allow_any_organization`) are not supported (400, as
//! any unknown field). A grant's changes apply to the next token request: tokens
//! already issued keep their scopes until they expire, as with Auth0.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use portcullis_core::app_registration::ClientGrantError;
use portcullis_core::config_admin::GrantFilter;
use portcullis_core::{ClientGrant, ClientId, GrantId, ResourceServer, StoreError};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::auth;
use super::error::ApiError;
use super::input::{self, Query};
use super::paging::Paging;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/client-grants", get(list).post(create))
        .route(
            "/client-grants/{id}",
            get(get_one).patch(update).delete(delete),
        )
}

fn grant_json(g: &ClientGrant) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), g.id.as_str().into());
    o.insert("client_id".into(), g.client_id.as_str().into());
    o.insert("audience".into(), g.audience.clone().into());
    o.insert("scope".into(), Value::from(g.scope.clone()));
    Value::Object(o)
}

fn not_found() -> ApiError {
    ApiError::not_found(
        "The client grant does not exist.",
        "inexistent_client_grant",
    )
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(message, Some("invalid_body"))
}

/// `GET /client-grants`: paged, oldest first, filtered by `audience` and `client_id`.
async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["read:client_grants"])?;
    let mut query = Query::parse(uri.query());
    let paging = Paging::take(&mut query)?;
    let filter = GrantFilter {
        audience: query.take("audience")?,
        client_id: query.take("client_id")?.map(ClientId::new),
    };
    query.finish()?;
    let page = state
        .store
        .list_client_grants(&state.tenant, &filter, paging.request)
        .await?;
    Ok(paging.respond("client_grants", page.map(|g| grant_json(&g))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateGrant {
    client_id: String,
    audience: String,
    #[serde(default)]
    scope: Option<Vec<String>>,
}

async fn api_of(state: &AppState, audience: &str) -> Result<ResourceServer, ApiError> {
    state
        .store
        .resource_server_by_identifier(&state.tenant, audience)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(
                format!("No resource with identifier {audience}"),
                "inexistent_resource_server",
            )
        })
}

/// `POST /client-grants`: 201 with the grant. 404 for an unknown client or API, 400 for
/// a scope the API does not define or an application that cannot use client
/// credentials, 409 when the application has a grant for the API already.
async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let caller = auth::require(&state, &headers, &["create:client_grants"])?;
    let body: CreateGrant = input::json_body(&headers, &body)?;
    let app = state
        .store
        .application(&state.tenant, &ClientId::new(body.client_id))
        .await?
        .ok_or_else(|| ApiError::not_found("The client does not exist", "inexistent_client"))?;
    let api = api_of(&state, &body.audience).await?;
    let grant = ClientGrant::create(
        &app,
        &api,
        body.scope.unwrap_or_default(),
        state.rng.as_ref(),
        state.clock.now(),
    )
    .map_err(|e| invalid(e.to_string()))?;
    caller.may_grant(
        &state,
        grant
            .scope
            .iter()
            .map(|s| (api.identifier.as_str(), s.as_str())),
    )?;
    match state.store.insert_client_grant(&grant).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::conflict(
                "A resource server grant already exists for that client.",
                "conflict",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    state.catalog.invalidate();
    Ok((StatusCode::CREATED, Json(grant_json(&grant))).into_response())
}

/// `GET /client-grants/{id}`.
async fn get_one(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["read:client_grants"])?;
    let grant = state
        .store
        .client_grant_by_id(&state.tenant, &GrantId::new(id))
        .await?
        .ok_or_else(not_found)?;
    Ok(Json(grant_json(&grant)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchGrant {
    #[serde(default)]
    scope: Option<Vec<String>>,
}

/// The scopes, repeats dropped, each one the API defines (400 naming the others).
fn checked_scopes(api: &ResourceServer, scopes: Vec<String>) -> Result<Vec<String>, ApiError> {
    let mut out: Vec<String> = Vec::with_capacity(scopes.len());
    for s in scopes {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    let unknown: Vec<String> = out
        .iter()
        .filter(|s| !api.scopes.iter().any(|d| &d.value == *s))
        .cloned()
        .collect();
    if unknown.is_empty() {
        return Ok(out);
    }
    let defined: Vec<&str> = api.scopes.iter().map(|d| d.value.as_str()).collect();
    Err(invalid(
        ClientGrantError::UnknownScopes {
            audience: api.identifier.clone(),
            unknown,
            defined: if defined.is_empty() {
                "none".to_owned()
            } else {
                defined.join(", ")
            },
        }
        .to_string(),
    ))
}

/// `PATCH /client-grants/{id}`: 200 with the grant; `scope` replaces its scopes.
async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let caller = auth::require(&state, &headers, &["update:client_grants"])?;
    let body: PatchGrant = input::json_body(&headers, &body)?;
    let id = GrantId::new(id);
    let grant = state
        .store
        .client_grant_by_id(&state.tenant, &id)
        .await?
        .ok_or_else(not_found)?;
    let Some(scope) = body.scope else {
        return Ok(Json(grant_json(&grant)).into_response());
    };
    let api = api_of(&state, &grant.audience).await?;
    let scope = checked_scopes(&api, scope)?;
    caller.may_grant(
        &state,
        scope.iter().map(|s| (api.identifier.as_str(), s.as_str())),
    )?;
    let updated = state
        .store
        .update_client_grant_scope(&state.tenant, &id, &scope)
        .await?
        .ok_or_else(not_found)?;
    state.catalog.invalidate();
    Ok(Json(grant_json(&updated)).into_response())
}

/// `DELETE /client-grants/{id}`: 204; the application can no longer get tokens for the
/// API.
async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["delete:client_grants"])?;
    if !state
        .store
        .delete_client_grant(&state.tenant, &GrantId::new(id))
        .await?
    {
        return Err(not_found());
    }
    state.catalog.invalidate();
    Ok(StatusCode::NO_CONTENT.into_response())
}
