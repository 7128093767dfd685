//! `/api/v2/resource-servers`: the tenant's APIs, as Auth0's Management API has them.
//! `{id}` is the API's id or its identifier (URL-encoded), as Auth0 accepts both.
//! Status codes are Auth0's: create 201, update 201, delete 204.
//!
//! Where Portcullis differs: access tokens are signed with the tenant's signing keys, so
//! `signing_alg` can only be `RS256` (`HS256` and its `signing_secret` are refused);
//! `token_dialect` is `access_token` or `access_token_authz` (the RFC 9068 profiles are
//! refused); `skip_consent_for_verifiable_first_party_clients` is accepted and ignored
//! (there is no consent screen) and not returned.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use portcullis_core::resource_server::{NewApi, NewApiError, is_scope_token};
use portcullis_core::{ResourceServer, ResourceServerScope, StoreError};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::auth;
use super::error::ApiError;
use super::input::{self, Query};
use super::paging::Paging;
use crate::state::AppState;
use portcullis_core::limits::{
    API_SIGNING_ALGS as SIGNING_ALGS, MAX_API_IDENTIFIER as MAX_IDENTIFIER,
    MAX_API_NAME as MAX_NAME, MAX_SCOPE_DESCRIPTION, MAX_SCOPE_VALUE, TOKEN_DIALECTS,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/resource-servers", get(list).post(create))
        .route(
            "/resource-servers/{id}",
            get(get_one).patch(update).delete(delete),
        )
}

/// `token_lifetime` as the body gives it (an integer of any sign).
const MAX_TOKEN_LIFETIME: i64 = portcullis_core::limits::MAX_API_TOKEN_LIFETIME as i64;

fn api_json(api: &ResourceServer) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), api.id.as_str().into());
    o.insert("name".into(), api.name.clone().into());
    if api.is_system {
        o.insert("is_system".into(), true.into());
    }
    o.insert("identifier".into(), api.identifier.clone().into());
    let scopes: Vec<Value> = api
        .scopes
        .iter()
        .map(|s| {
            let mut m = Map::new();
            m.insert("value".into(), s.value.clone().into());
            if !s.description.is_empty() {
                m.insert("description".into(), s.description.clone().into());
            }
            Value::Object(m)
        })
        .collect();
    o.insert("scopes".into(), Value::Array(scopes));
    o.insert("signing_alg".into(), api.signing_alg.clone().into());
    o.insert("token_lifetime".into(), api.token_lifetime.into());
    o.insert(
        "allow_offline_access".into(),
        api.allow_offline_access.into(),
    );
    o.insert("enforce_policies".into(), api.enforce_policies.into());
    o.insert("token_dialect".into(), api.token_dialect.clone().into());
    Value::Object(o)
}

fn not_found() -> ApiError {
    ApiError::not_found(
        "The resource server does not exist.",
        "inexistent_resource_server",
    )
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(message, Some("invalid_body"))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopeIn {
    value: String,
    #[serde(default)]
    description: Option<String>,
}

fn scopes_from(input: Vec<ScopeIn>) -> Result<Vec<ResourceServerScope>, ApiError> {
    let mut scopes: Vec<ResourceServerScope> = Vec::with_capacity(input.len());
    for s in input {
        if s.value.len() > MAX_SCOPE_VALUE || !is_scope_token(&s.value) {
            return Err(invalid(format!(
                "Invalid scope value {:?}: a scope is 1 to {MAX_SCOPE_VALUE} printable ASCII \
                 characters without spaces, quotes or backslashes.",
                s.value
            )));
        }
        let description = s.description.unwrap_or_default();
        if description.chars().count() > MAX_SCOPE_DESCRIPTION {
            return Err(invalid(format!(
                "The description of scope {} is longer than {MAX_SCOPE_DESCRIPTION} characters.",
                s.value
            )));
        }
        if !scopes.iter().any(|d| d.value == s.value) {
            scopes.push(ResourceServerScope {
                value: s.value,
                description,
            });
        }
    }
    Ok(scopes)
}

fn check_name(name: &str) -> Result<(), ApiError> {
    if name.trim().is_empty() || name.contains(['<', '>']) || name.chars().count() > MAX_NAME {
        return Err(invalid(format!(
            "Invalid name: 1 to {MAX_NAME} characters, without '<' or '>'."
        )));
    }
    Ok(())
}

fn check_signing_alg(alg: &str) -> Result<(), ApiError> {
    if SIGNING_ALGS.contains(&alg) {
        return Ok(());
    }
    Err(invalid(format!(
        "signing_alg {alg:?} is not supported: access tokens are signed with the tenant's \
         signing keys; use RS256."
    )))
}

fn check_token_lifetime(secs: i64) -> Result<u32, ApiError> {
    if (0..=MAX_TOKEN_LIFETIME).contains(&secs) {
        u32::try_from(secs).map_err(|_| invalid("Invalid token_lifetime."))
    } else {
        Err(invalid(format!(
            "token_lifetime must be between 0 and {MAX_TOKEN_LIFETIME} seconds."
        )))
    }
}

fn check_token_dialect(dialect: &str) -> Result<(), ApiError> {
    if TOKEN_DIALECTS.contains(&dialect) {
        return Ok(());
    }
    Err(invalid(format!(
        "token_dialect {dialect:?} is not supported: use access_token or access_token_authz."
    )))
}

/// The rule of [`NewApiError::PermissionsWithoutRbac`], for updates too.
fn check_dialect_needs_rbac(api: &ResourceServer) -> Result<(), ApiError> {
    if api.token_dialect == "access_token_authz" && !api.enforce_policies {
        return Err(invalid(
            NewApiError::PermissionsWithoutRbac.to_string() + " (enforce_policies)",
        ));
    }
    Ok(())
}

async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["read:resource_servers"])?;
    let mut query = Query::parse(uri.query());
    let paging = Paging::take(&mut query)?;
    query.finish()?;
    let page = state
        .store
        .list_resource_servers(&state.tenant, paging.request)
        .await?;
    Ok(paging.respond("resource_servers", page.map(|a| api_json(&a))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateApi {
    #[serde(default)]
    name: Option<String>,
    identifier: String,
    #[serde(default)]
    scopes: Option<Vec<ScopeIn>>,
    #[serde(default)]
    signing_alg: Option<String>,
    #[serde(default)]
    token_lifetime: Option<i64>,
    #[serde(default)]
    allow_offline_access: Option<bool>,
    #[serde(default)]
    enforce_policies: Option<bool>,
    #[serde(default)]
    token_dialect: Option<String>,
    /// Accepted for compatibility; Portcullis has no consent screen.
    #[serde(default)]
    #[allow(dead_code)]
    skip_consent_for_verifiable_first_party_clients: Option<bool>,
}

/// `POST /resource-servers`: 201 with the API; 409 when the identifier is taken.
async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["create:resource_servers"])?;
    let body: CreateApi = input::json_body(&headers, &body)?;
    if body.identifier.len() > MAX_IDENTIFIER {
        return Err(invalid(format!(
            "The identifier is longer than {MAX_IDENTIFIER} characters."
        )));
    }
    // Auth0 names an unnamed API after its identifier.
    let name = body.name.unwrap_or_else(|| body.identifier.clone());
    check_name(&name)?;
    let scopes = scopes_from(body.scopes.unwrap_or_default())?;
    let dialect = body
        .token_dialect
        .unwrap_or_else(|| "access_token".to_owned());
    check_token_dialect(&dialect)?;
    let new = NewApi {
        name,
        identifier: body.identifier,
        scopes: scopes.iter().map(|s| s.value.clone()).collect(),
        allow_offline_access: body.allow_offline_access.unwrap_or(false),
        rbac: body.enforce_policies.unwrap_or(false),
        permissions_in_token: dialect == "access_token_authz",
    };
    let mut api = ResourceServer::create(&state.tenant, new, state.rng.as_ref(), state.clock.now())
        .map_err(|e| invalid(e.to_string()))?;
    api.scopes = scopes;
    if let Some(alg) = body.signing_alg {
        check_signing_alg(&alg)?;
        api.signing_alg = alg;
    }
    if let Some(secs) = body.token_lifetime {
        api.token_lifetime = check_token_lifetime(secs)?;
    }
    match state.store.insert_resource_server(&api).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "A resource server with the same identifier already exists.",
                None,
            ));
        }
        Err(e) => return Err(e.into()),
    }
    state.catalog.invalidate();
    Ok((StatusCode::CREATED, Json(api_json(&api))).into_response())
}

async fn existing(state: &AppState, id: &str) -> Result<ResourceServer, ApiError> {
    state
        .store
        .find_resource_server(&state.tenant, id)
        .await?
        .ok_or_else(not_found)
}

async fn get_one(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["read:resource_servers"])?;
    let api = existing(&state, &id).await?;
    Ok(Json(api_json(&api)).into_response())
}

/// What PATCH may change. `identifier` is not here, so sending it is a 400 naming it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchApi {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    scopes: Option<Vec<ScopeIn>>,
    #[serde(default)]
    signing_alg: Option<String>,
    #[serde(default)]
    token_lifetime: Option<i64>,
    #[serde(default)]
    allow_offline_access: Option<bool>,
    #[serde(default)]
    enforce_policies: Option<bool>,
    #[serde(default)]
    token_dialect: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    skip_consent_for_verifiable_first_party_clients: Option<bool>,
}

/// `PATCH /resource-servers/{id}`: 201 with the API (Auth0's code). Scopes the new list
/// drops are taken from every role and user that held them, in the same transaction.
async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["update:resource_servers"])?;
    let patch: PatchApi = input::json_body(&headers, &body)?;
    let mut api = existing(&state, &id).await?;
    if api.is_system {
        return Err(invalid("System resource servers cannot be patched."));
    }
    if let Some(name) = patch.name {
        check_name(&name)?;
        api.name = name;
    }
    if let Some(scopes) = patch.scopes {
        api.scopes = scopes_from(scopes)?;
    }
    if let Some(alg) = patch.signing_alg {
        check_signing_alg(&alg)?;
        api.signing_alg = alg;
    }
    if let Some(secs) = patch.token_lifetime {
        api.token_lifetime = check_token_lifetime(secs)?;
    }
    if let Some(b) = patch.allow_offline_access {
        api.allow_offline_access = b;
    }
    if let Some(b) = patch.enforce_policies {
        api.enforce_policies = b;
    }
    if let Some(dialect) = patch.token_dialect {
        check_token_dialect(&dialect)?;
        api.token_dialect = dialect;
    }
    check_dialect_needs_rbac(&api)?;
    if !state.store.update_resource_server(&api).await? {
        // Deleted meanwhile.
        return Err(not_found());
    }
    state.catalog.invalidate();
    Ok((StatusCode::CREATED, Json(api_json(&api))).into_response())
}

/// `DELETE /resource-servers/{id}`: 204; its client grants and the permissions roles
/// and users held on it go too.
async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["delete:resource_servers"])?;
    let api = existing(&state, &id).await?;
    if api.is_system {
        return Err(invalid("System resource servers cannot be deleted."));
    }
    if !state
        .store
        .delete_resource_server(&state.tenant, &api.id)
        .await?
    {
        return Err(not_found());
    }
    state.catalog.invalidate();
    Ok(StatusCode::NO_CONTENT.into_response())
}
