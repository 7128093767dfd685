//! `/api/v2/roles`: roles, their permissions and their members, as Auth0's Management
//! API has them (status codes from Auth0's OpenAPI description: creating a role answers
//! 200, deleting a role or some of its permissions 200, adding permissions 201, adding
//! members 200).

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use portcullis_core::rbac_admin::{Permission, PermissionRef, RoleMember, RoleUpdate};
use portcullis_core::{PageRequest, Role, RoleId, StoreError, UserId};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::auth::{self, Caller};
use super::error::ApiError;
use super::input::{self, Query};
use super::paging::Paging;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/roles", get(list_roles).post(create_role))
        .route(
            "/roles/{id}",
            get(get_role).patch(update_role).delete(delete_role),
        )
        .route(
            "/roles/{id}/permissions",
            get(list_permissions)
                .post(add_permissions)
                .delete(remove_permissions),
        )
        .route("/roles/{id}/users", get(list_members).post(add_members))
}

// Shapes shared with `user_roles`.

pub(super) fn role_json(role: &Role) -> Value {
    json!({"id": role.id.as_str(), "name": role.name, "description": role.description})
}

pub(super) fn permission_json(p: &Permission) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("permission_name".into(), p.permission_name.clone().into());
    m.insert("description".into(), p.description.clone().into());
    m.insert(
        "resource_server_name".into(),
        p.resource_server_name.clone().into(),
    );
    m.insert(
        "resource_server_identifier".into(),
        p.resource_server_identifier.clone().into(),
    );
    m
}

pub(super) fn role_not_found() -> ApiError {
    ApiError::not_found("The role does not exist.", "inexistent_role")
}

/// `(read:users and read:roles) or read:role_members`, as Auth0 asks to read who has
/// which role.
pub(super) fn require_role_members_read(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Caller, ApiError> {
    let caller = auth::require(
        state,
        headers,
        &["read:users", "read:roles", "read:role_members"],
    )?;
    if caller.has("read:role_members") || (caller.has("read:users") && caller.has("read:roles")) {
        Ok(caller)
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Insufficient scope, expected all of: read:users,read:roles",
            Some("insufficient_scope"),
        ))
    }
}

/// `{"permissions": [{resource_server_identifier, permission_name}, ...]}`, at least one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PermissionsBody {
    permissions: Vec<PermissionItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PermissionItem {
    resource_server_identifier: String,
    permission_name: String,
}

impl PermissionsBody {
    /// The permissions, repeats dropped; 400 when there are none.
    pub(super) fn parse(headers: &HeaderMap, body: &Bytes) -> Result<Vec<PermissionRef>, ApiError> {
        let body: PermissionsBody = input::json_body(headers, body)?;
        if body.permissions.is_empty() {
            return Err(array_too_short("permissions"));
        }
        let mut out: Vec<PermissionRef> = Vec::with_capacity(body.permissions.len());
        for p in body.permissions {
            let p = PermissionRef {
                resource_server_identifier: p.resource_server_identifier,
                permission_name: p.permission_name,
            };
            if !out.contains(&p) {
                out.push(p);
            }
        }
        Ok(out)
    }
}

/// Checks that each permission is a scope its API defines: 404 for an unknown API, 400
/// for a scope the API does not define.
pub(super) async fn check_permissions_exist(
    state: &AppState,
    permissions: &[PermissionRef],
) -> Result<(), ApiError> {
    for p in permissions {
        let api = state
            .store
            .resource_server_by_identifier(&state.tenant, &p.resource_server_identifier)
            .await?
            .ok_or_else(|| {
                ApiError::not_found(
                    format!(
                        "Resource server '{}' does not exist.",
                        p.resource_server_identifier
                    ),
                    "inexistent_resource_server",
                )
            })?;
        if !api.scopes.iter().any(|s| s.value == p.permission_name) {
            return Err(ApiError::bad_request(
                format!(
                    "Permission '{}' does not exist on resource server '{}'.",
                    p.permission_name, p.resource_server_identifier
                ),
                Some("invalid_body"),
            ));
        }
    }
    Ok(())
}

/// Auth0's 400 for an empty array where one item at least is needed.
pub(super) fn array_too_short(property: &str) -> ApiError {
    ApiError::bad_request(
        format!(
            "Payload validation error: 'Array is too short (0), minimum 1' on property {property}."
        ),
        Some("invalid_body"),
    )
}

/// Auth0's 400 for an empty string where one character at least is needed.
pub(super) fn string_too_short(property: &str) -> ApiError {
    ApiError::bad_request(
        format!(
            "Payload validation error: 'String is too short (0 chars), minimum 1' on property {property}."
        ),
        Some("invalid_body"),
    )
}

/// A list of ids in a body (`roles`, `users`): at least one, none empty.
pub(super) fn ids_from(name: &str, ids: Vec<String>) -> Result<Vec<String>, ApiError> {
    if ids.is_empty() {
        return Err(array_too_short(name));
    }
    if ids.iter().any(String::is_empty) {
        return Err(string_too_short(name));
    }
    let mut out: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// Every `(audience, permission)` the roles give, for [`auth::Caller::may_grant`].
pub(super) async fn permissions_of(
    state: &AppState,
    roles: &[RoleId],
) -> Result<Vec<(String, String)>, ApiError> {
    let all = PageRequest {
        page: 0,
        per_page: u32::MAX,
    };
    let mut pairs = Vec::new();
    for role in roles {
        let page = state
            .store
            .role_permissions(&state.tenant, role, all)
            .await?;
        pairs.extend(
            page.items
                .into_iter()
                .map(|p| (p.resource_server_identifier, p.permission_name)),
        );
    }
    Ok(pairs)
}

async fn existing_role(state: &AppState, id: &str) -> Result<Role, ApiError> {
    state
        .store
        .role(&state.tenant, &RoleId::new(id))
        .await?
        .ok_or_else(role_not_found)
}

// Roles.

async fn list_roles(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["read:roles"])?;
    let mut query = Query::parse(uri.query());
    let paging = Paging::take(&mut query)?;
    let name_filter = query.take("name_filter")?;
    query.finish()?;
    let page = state
        .store
        .list_roles(
            &state.tenant,
            name_filter.as_deref().filter(|f| !f.is_empty()),
            paging.request,
        )
        .await?;
    Ok(paging.respond("roles", page.map(|r| role_json(&r))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateRole {
    name: String,
    #[serde(default)]
    description: Option<String>,
}

fn check_name(name: &str) -> Result<(), ApiError> {
    if name.trim().is_empty() {
        return Err(string_too_short("name"));
    }
    Ok(())
}

fn role_exists() -> ApiError {
    ApiError::new(StatusCode::CONFLICT, "The role already exists.", None)
}

/// `POST /roles`: 200 with the role (as Auth0 answers), 409 when the name is taken.
async fn create_role(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["create:roles"])?;
    let body: CreateRole = input::json_body(&headers, &body)?;
    check_name(&body.name)?;
    let role = Role {
        tenant_id: state.tenant.clone(),
        id: RoleId::generate(state.rng.as_ref()),
        name: body.name,
        description: body.description.unwrap_or_default(),
        created_at: state.clock.now(),
    };
    match state.store.insert_role(&role).await {
        Ok(()) => Ok(Json(role_json(&role)).into_response()),
        Err(StoreError::Conflict(_)) => Err(role_exists()),
        Err(e) => Err(e.into()),
    }
}

async fn get_role(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["read:roles"])?;
    let role = existing_role(&state, &id).await?;
    Ok(Json(role_json(&role)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchRole {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

async fn update_role(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["update:roles"])?;
    let body: PatchRole = input::json_body(&headers, &body)?;
    if let Some(name) = &body.name {
        check_name(name)?;
    }
    let update = RoleUpdate {
        name: body.name,
        description: body.description,
    };
    match state
        .store
        .update_role(&state.tenant, &RoleId::new(id), &update)
        .await
    {
        Ok(Some(role)) => Ok(Json(role_json(&role)).into_response()),
        Ok(None) => Err(role_not_found()),
        Err(StoreError::Conflict(_)) => Err(role_exists()),
        Err(e) => Err(e.into()),
    }
}

/// `DELETE /roles/{id}`: 200 with no body (Auth0's code); the role's users lose it.
async fn delete_role(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["delete:roles"])?;
    if state
        .store
        .delete_role(&state.tenant, &RoleId::new(id))
        .await?
    {
        // The tenant's default_roles may have changed.
        state.catalog.invalidate();
        Ok(StatusCode::OK.into_response())
    } else {
        Err(role_not_found())
    }
}

// Permissions of a role.

async fn list_permissions(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["read:roles"])?;
    let mut query = Query::parse(uri.query());
    let paging = Paging::take(&mut query)?;
    query.finish()?;
    let role = existing_role(&state, &id).await?;
    let page = state
        .store
        .role_permissions(&state.tenant, &role.id, paging.request)
        .await?;
    Ok(paging.respond(
        "permissions",
        page.map(|p| Value::Object(permission_json(&p))),
    ))
}

/// `POST /roles/{id}/permissions`: 201 with no body. Every permission must be a scope
/// of an existing API, else nothing is added.
async fn add_permissions(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let caller = auth::require(&state, &headers, &["update:roles"])?;
    let permissions = PermissionsBody::parse(&headers, &body)?;
    let role = existing_role(&state, &id).await?;
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
    let pairs: Vec<(String, String)> = permissions
        .into_iter()
        .map(|p| (p.resource_server_identifier, p.permission_name))
        .collect();
    state
        .store
        .add_role_permissions(&state.tenant, &role.id, &pairs)
        .await?;
    Ok(StatusCode::CREATED.into_response())
}

/// `DELETE /roles/{id}/permissions`: 200 with no body; permissions the role lacks are
/// ignored.
async fn remove_permissions(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["update:roles"])?;
    let permissions = PermissionsBody::parse(&headers, &body)?;
    let role = existing_role(&state, &id).await?;
    state
        .store
        .remove_role_permissions(&state.tenant, &role.id, &permissions)
        .await?;
    Ok(StatusCode::OK.into_response())
}

// Members of a role.

fn member_json(m: &RoleMember) -> Value {
    let mut o = Map::new();
    o.insert("user_id".into(), m.user_id.as_str().into());
    o.insert("email".into(), m.email.clone().into());
    if let Some(p) = &m.picture {
        o.insert("picture".into(), p.clone().into());
    }
    o.insert("name".into(), m.name.clone().into());
    Value::Object(o)
}

/// `GET /roles/{id}/users`: offset paging only (Auth0's `from`/`take` checkpoint paging
/// is not supported).
async fn list_members(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    require_role_members_read(&state, &headers)?;
    let mut query = Query::parse(uri.query());
    let paging = Paging::take(&mut query)?;
    query.finish()?;
    let role = existing_role(&state, &id).await?;
    let page = state
        .store
        .role_members(&state.tenant, &role.id, paging.request)
        .await?;
    Ok(paging.respond("users", page.map(|m| member_json(&m))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersBody {
    users: Vec<String>,
}

/// `POST /roles/{id}/users`: 200 with no body; 404 when a user does not exist, and then
/// nobody gets the role.
async fn add_members(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let caller = auth::require(&state, &headers, &["update:roles", "create:role_members"])?;
    let body: UsersBody = input::json_body(&headers, &body)?;
    let users: Vec<UserId> = ids_from("users", body.users)?
        .into_iter()
        .map(UserId::new)
        .collect();
    let role = existing_role(&state, &id).await?;
    let held = permissions_of(&state, std::slice::from_ref(&role.id)).await?;
    caller.may_grant(&state, held.iter().map(|(a, p)| (a.as_str(), p.as_str())))?;
    if !state
        .store
        .missing_users(&state.tenant, &users)
        .await?
        .is_empty()
    {
        return Err(ApiError::not_found(
            "One or more of the users do not exist.",
            "inexistent_user",
        ));
    }
    match state
        .store
        .add_role_members(&state.tenant, &role.id, &users)
        .await
    {
        Ok(()) => Ok(StatusCode::OK.into_response()),
        // A user or the role was deleted meanwhile.
        Err(StoreError::Conflict(_)) => Err(ApiError::not_found(
            "One or more of the users do not exist.",
            "inexistent_user",
        )),
        Err(e) => Err(e.into()),
    }
}
