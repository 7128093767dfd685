//! `/api/v2/users/{id}/roles` and `/api/v2/users/{id}/permissions`: the roles of a user
//! and the permissions it holds, through roles or given directly. Status codes are
//! Auth0's: assigning or removing roles 204, giving permissions 201, removing them 204.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use portcullis_core::rbac_admin::{PermissionSource, UserPermission};
use portcullis_core::{RoleId, StoreError, UserId};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth;
use super::error::ApiError;
use super::input::{self, Query};
use super::paging::Paging;
use super::roles::{
    PermissionsBody, check_permissions_exist, ids_from, permission_json, require_role_members_read,
    role_json,
};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/users/{id}/roles",
            get(list_roles).post(assign_roles).delete(remove_roles),
        )
        .route(
            "/users/{id}/permissions",
            get(list_permissions)
                .post(add_permissions)
                .delete(remove_permissions),
        )
}

fn user_not_found() -> ApiError {
    ApiError::not_found("The user does not exist.", "inexistent_user")
}

async fn existing_user(state: &AppState, id: String) -> Result<UserId, ApiError> {
    let id = UserId::new(id);
    match state.store.user(&state.tenant, &id).await? {
        Some(_) => Ok(id),
        None => Err(user_not_found()),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesBody {
    roles: Vec<String>,
}

fn roles_from(headers: &HeaderMap, body: &Bytes) -> Result<Vec<RoleId>, ApiError> {
    let body: RolesBody = input::json_body(headers, body)?;
    Ok(ids_from("roles", body.roles)?
        .into_iter()
        .map(RoleId::new)
        .collect())
}

fn roles_missing() -> ApiError {
    ApiError::bad_request(
        "One or more of the roles do not exist.",
        Some("invalid_body"),
    )
}

async fn list_roles(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    require_role_members_read(&state, &headers)?;
    let mut query = Query::parse(uri.query());
    let paging = Paging::take(&mut query)?;
    query.finish()?;
    let user = existing_user(&state, id).await?;
    let page = state
        .store
        .user_roles(&state.tenant, &user, paging.request)
        .await?;
    Ok(paging.respond("roles", page.map(|r| role_json(&r))))
}

/// `POST /users/{id}/roles`: 204. 400 when a role does not exist, and then the user gets
/// none of them (Auth0 answers 400 "invalid body" here).
async fn assign_roles(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let caller = auth::require(&state, &headers, &["update:users", "create:role_members"])?;
    let roles = roles_from(&headers, &body)?;
    let user = existing_user(&state, id).await?;
    if !state
        .store
        .missing_roles(&state.tenant, &roles)
        .await?
        .is_empty()
    {
        return Err(roles_missing());
    }
    let held = super::roles::permissions_of(&state, &roles).await?;
    caller.may_grant(&state, held.iter().map(|(a, p)| (a.as_str(), p.as_str())))?;
    match state
        .store
        .assign_user_roles(&state.tenant, &user, &roles)
        .await
    {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        // A role or the user was deleted meanwhile.
        Err(StoreError::Conflict(_)) => Err(roles_missing()),
        Err(e) => Err(e.into()),
    }
}

/// `DELETE /users/{id}/roles`: 204; roles the user lacks are ignored. The next token
/// issued for the user carries the permissions it still holds.
async fn remove_roles(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["update:users", "delete:role_members"])?;
    let roles = roles_from(&headers, &body)?;
    let user = existing_user(&state, id).await?;
    state
        .store
        .remove_user_roles(&state.tenant, &user, &roles)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn user_permission_json(p: &UserPermission) -> Value {
    let mut o = permission_json(&p.permission);
    let sources: Vec<Value> = p
        .sources
        .iter()
        .map(|s| match s {
            PermissionSource::Direct => {
                json!({"source_id": "", "source_name": "", "source_type": "DIRECT"})
            }
            PermissionSource::Role { id, name } => {
                json!({"source_id": id.as_str(), "source_name": name, "source_type": "ROLE"})
            }
        })
        .collect();
    o.insert("sources".into(), Value::Array(sources));
    Value::Object(o)
}

async fn list_permissions(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["read:users"])?;
    let mut query = Query::parse(uri.query());
    let paging = Paging::take(&mut query)?;
    query.finish()?;
    let user = existing_user(&state, id).await?;
    let page = state
        .store
        .user_permission_list(&state.tenant, &user, paging.request)
        .await?;
    Ok(paging.respond("permissions", page.map(|p| user_permission_json(&p))))
}

/// `POST /users/{id}/permissions`: 201 with no body. Every permission must be a scope of
/// an existing API, else nothing is given.
async fn add_permissions(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let caller = auth::require(&state, &headers, &["update:users"])?;
    let permissions = PermissionsBody::parse(&headers, &body)?;
    let user = existing_user(&state, id).await?;
    check_permissions_exist(&state, &permissions).await?;
    caller.may_grant(
        &state,
        permissions.iter().map(|p| {
            (
                p.resource_server_identifier.as_str(),
                p.permission_name.as_str(),
            )
        }),
    )?;
    match state
        .store
        .add_user_permissions(&state.tenant, &user, &permissions)
        .await
    {
        Ok(()) => Ok(StatusCode::CREATED.into_response()),
        // The user or an API was deleted meanwhile.
        Err(StoreError::Conflict(_)) => Err(user_not_found()),
        Err(e) => Err(e.into()),
    }
}

/// `DELETE /users/{id}/permissions`: 204. Only direct permissions go; those the user
/// holds through roles stay.
async fn remove_permissions(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["update:users"])?;
    let permissions = PermissionsBody::parse(&headers, &body)?;
    let user = existing_user(&state, id).await?;
    state
        .store
        .remove_user_permissions(&state.tenant, &user, &permissions)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
