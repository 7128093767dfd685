//! `/api/v2/users` and `/api/v2/users-by-email`: Auth0's user routes (roles and
//! permissions of a user live in `user_roles`).
//!
//! - `GET /users` (`read:users`): pages in `created_at` order; `q` searches by email
//!   only (see [`search`]); `fields` / `include_fields`.
//! - `GET /users-by-email?email=` (`read:users`): an array of 0 or 1 user.
//! - `POST /users` (`create:users`): a user of the database connection, given the
//!   tenant's default roles as signup gives them. 201.
//! - `GET /users/{id}` (`read:users`), `PATCH /users/{id}` (`update:users`): metadata
//!   merged at the top level as Auth0 merges it. A new password, or blocking, revokes the
//!   user's refresh tokens; blocking also ends the user's SSO sessions.
//! - `DELETE /users/{id}` (`delete:users`): 204, also for an unknown id (Auth0 answers
//!   204 alike); everything of the user goes with it (refresh tokens, sessions, roles).

mod body;
mod json;
mod search;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use portcullis_core::user::DATABASE_CONNECTION;
use portcullis_core::user_directory::{UserFilter, UserOrder, UserPatch};
use portcullis_core::{PageRequest, RoleId, StoreError, User, UserId};
use serde_json::Value;

use self::body::{CreateBody, PatchBody};
pub(crate) use self::json::user_json;
use self::json::{Fields, shown};
use super::auth;
use super::error::ApiError;
use super::input::{self, Query};
use super::paging::Paging;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users-by-email", get(by_email))
        .route("/users/{id}", get(read).patch(update).delete(remove))
}

fn inexistent_user() -> ApiError {
    ApiError::not_found("The user does not exist.", "inexistent_user")
}

/// How deep `GET /users` pages, as in Auth0: the first 1000 users of a listing. Deeper
/// pages would cost the database a scan of everything before them.
const MAX_LISTED: u64 = 1000;

async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["read:users"])?;
    let mut query = Query::parse(uri.query());
    let paging = Paging::take(&mut query)?;
    let fields = Fields::take(&mut query)?;
    let (filter, order) = search::take(&mut query)?;
    query.finish()?;
    if paging.request.offset() + paging.request.limit() > MAX_LISTED {
        return Err(ApiError::bad_request(
            "You can only page through the first 1000 records. Narrow the search with q.",
            Some("invalid_paging"),
        ));
    }
    let page = state
        .store
        .list_users(&state.tenant, &filter, order, paging.request)
        .await?;
    Ok(paging.respond("users", page.map(|u| shown(&u, fields.as_ref()))))
}

async fn by_email(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["read:users"])?;
    let mut query = Query::parse(uri.query());
    let fields = Fields::take(&mut query)?;
    let email = query
        .take("email")?
        .filter(|e| !e.trim().is_empty())
        .ok_or_else(|| ApiError::invalid_query("Missing required property: email"))?;
    query.finish()?;
    let filter = UserFilter {
        email: Some(email),
        connection: None,
    };
    let page = state
        .store
        .list_users(
            &state.tenant,
            &filter,
            UserOrder::CreatedAscending,
            PageRequest {
                page: 0,
                per_page: 1,
            },
        )
        .await?;
    let users: Vec<Value> = page
        .items
        .iter()
        .map(|u| shown(u, fields.as_ref()))
        .collect();
    Ok(axum::Json(Value::Array(users)).into_response())
}

async fn read(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["read:users"])?;
    let mut query = Query::parse(uri.query());
    let fields = Fields::take(&mut query)?;
    query.finish()?;
    let user = state
        .store
        .user(&state.tenant, &UserId::new(id))
        .await?
        .ok_or_else(inexistent_user)?;
    Ok(axum::Json(shown(&user, fields.as_ref())).into_response())
}

async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["create:users"])?;
    let b: CreateBody = input::json_body(&headers, &raw)?;
    body::check_connection(&b.connection.ok_or_else(|| body::missing("connection"))?)?;
    let email = body::check_email(&b.email.ok_or_else(|| body::missing("email"))?)?;
    let password = body::check_password(b.password.ok_or_else(|| body::missing("password"))?)?;
    for (property, value) in [("name", &b.name), ("nickname", &b.nickname)] {
        if let Some(v) = value {
            body::check_name(property, v)?;
        }
    }
    if let Some(p) = &b.picture {
        body::check_picture(p)?;
    }
    let user_id = match &b.user_id {
        Some(raw) => UserId::new(body::check_user_id(raw)?),
        None => UserId::new_database_user(state.rng.as_ref()),
    };
    let tenant = state
        .tenant()
        .await
        .map_err(|e| ApiError::internal("reading the tenant", &e))?;
    let hash = state
        .hasher
        .hash(&password)
        .await
        .map_err(|e| ApiError::internal("hashing a password", &e))?;
    let now = state.clock.now();
    // The defaults signup gives: the address as name, its local part as nickname.
    let nickname = email.split('@').next().unwrap_or(&email).to_owned();
    let user = User {
        tenant_id: state.tenant.clone(),
        user_id,
        connection: DATABASE_CONNECTION.to_owned(),
        name: b.name.unwrap_or_else(|| email.clone()),
        nickname: b.nickname.unwrap_or(nickname),
        email,
        email_verified: b.email_verified.unwrap_or(false),
        picture: b.picture,
        password_hash: Some(hash),
        blocked: b.blocked.unwrap_or(false),
        user_metadata: Value::Object(b.user_metadata.unwrap_or_default()),
        app_metadata: Value::Object(b.app_metadata.unwrap_or_default()),
        created_at: now,
        updated_at: now,
        last_login: None,
        logins_count: 0,
    };
    let roles: Vec<RoleId> = tenant
        .settings
        .default_roles
        .iter()
        .map(RoleId::new)
        .collect();
    match state.store.create_user(&user, &roles).await {
        Ok(()) => Ok((StatusCode::CREATED, axum::Json(user_json(&user))).into_response()),
        Err(StoreError::Conflict(_)) => Err(ApiError::conflict(
            "The user already exists.",
            "auth0_idp_error",
        )),
        Err(e) => Err(e.into()),
    }
}

async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["update:users"])?;
    let b: PatchBody = input::json_body(&headers, &raw)?;
    let patch = patch_of(&state, b).await?;
    let user_id = UserId::new(id);
    let now = state.clock.now();
    let user = match state
        .store
        .update_user(&state.tenant, &user_id, &patch, now)
        .await
    {
        Ok(Some(user)) => user,
        Ok(None) => return Err(inexistent_user()),
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::conflict(
                "The specified new email already exists",
                "auth0_idp_error",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(axum::Json(user_json(&user)).into_response())
}

/// The checked change; the password is hashed here.
async fn patch_of(state: &AppState, b: PatchBody) -> Result<UserPatch, ApiError> {
    let given = [
        b.connection.is_some(),
        b.email.is_some(),
        b.email_verified.is_some(),
        b.name.is_some(),
        b.nickname.is_some(),
        b.picture.is_some(),
        b.password.is_some(),
        b.blocked.is_some(),
        b.user_metadata.is_some(),
        b.app_metadata.is_some(),
        b.verify_email.is_some(),
    ];
    if !given.contains(&true) {
        return Err(ApiError::invalid_body(
            "Too few properties defined (0), minimum 1",
        ));
    }
    if let Some(c) = &b.connection {
        body::check_connection(c)?;
    }
    let email = b.email.as_deref().map(body::check_email).transpose()?;
    for (property, value) in [("name", &b.name), ("nickname", &b.nickname)] {
        if let Some(v) = value {
            body::check_name(property, v)?;
        }
    }
    if let Some(p) = &b.picture {
        body::check_picture(p)?;
    }
    let password_hash = match b.password {
        None => None,
        Some(raw) => {
            let password = body::check_password(raw)?;
            Some(
                state
                    .hasher
                    .hash(&password)
                    .await
                    .map_err(|e| ApiError::internal("hashing a password", &e))?,
            )
        }
    };
    Ok(UserPatch {
        email,
        email_verified: b.email_verified,
        name: b.name,
        nickname: b.nickname,
        picture: b.picture,
        password_hash,
        blocked: b.blocked,
        user_metadata: b.user_metadata,
        app_metadata: b.app_metadata,
    })
}

async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["delete:users"])?;
    state
        .store
        .delete_user(&state.tenant, &UserId::new(id))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
