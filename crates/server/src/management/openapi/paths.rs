//! `paths`: every operation of the Management API, as its handler in
//! `crate::management` serves it, grouped by tag.

use serde_json::{Map, Value, json};

use super::op::{Op, listing, op, paging, query, query_typed, required, shared};
use super::schemas::schema_ref;
use crate::management::paging::{DEFAULT_PER_PAGE, MAX_PER_PAGE};

const USER_ID: &str = "The user's id, URL-encoded (`auth0%7C...`).";
const ROLE_ID: &str = "The role's id.";
const API_ID: &str = "The API's id, or its identifier URL-encoded.";
const CLIENT_ID: &str = "The application's client_id.";
const GRANT_ID: &str = "The client grant's id.";
const KID: &str = "The key's kid.";
const LOG_ID: &str = "The event's log_id.";

/// The tags, in the order a reader meets them.
pub(super) fn tags() -> Value {
    json!([
        { "name": "users", "description": "Users of the database connection." },
        { "name": "roles", "description": "Roles, their permissions and members; the roles and permissions of users." },
        { "name": "resource-servers", "description": "APIs: the audiences tokens are issued for, and their scopes." },
        { "name": "clients", "description": "Applications." },
        { "name": "client-grants", "description": "Which machine-to-machine application may get tokens for which API." },
        { "name": "tenants", "description": "The tenant's settings." },
        { "name": "keys", "description": "The tenant's signing keys." },
        { "name": "logs", "description": "The audit log." },
        { "name": "openapi", "description": "This document." },
    ])
}

/// The parameters several operations take.
pub(super) fn shared_parameters() -> Value {
    json!({
        "page": query_typed("page", "The page, from 0.",
            json!({ "type": "integer", "minimum": 0, "default": 0 })),
        "per_page": query_typed("per_page", "Items per page.",
            json!({ "type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE })),
        "include_totals": query_typed("include_totals",
            "Whether to wrap the items with start, limit, length and total.",
            json!({ "type": "boolean", "default": false })),
        "fields": query("fields",
            "Members to keep (or drop, with include_fields=false), comma-separated."),
        "include_fields": query_typed("include_fields",
            "Whether `fields` lists the members to keep (true) or to drop (false).",
            json!({ "type": "boolean", "default": true })),
    })
}

/// `{path: {method: operation}}`.
pub(super) fn paths() -> Value {
    let mut paths = Map::new();
    for o in operations() {
        let (path, method) = (o.path, o.method);
        let item = paths
            .entry(path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(item) = item {
            item.insert(method.to_owned(), o.into_value());
        }
    }
    Value::Object(paths)
}

fn operations() -> Vec<Op> {
    let mut ops = users();
    ops.extend(roles());
    ops.extend(apis_and_clients());
    ops.extend(tenant_keys_logs());
    ops
}

fn fields() -> Vec<Value> {
    vec![shared("fields"), shared("include_fields")]
}

fn users() -> Vec<Op> {
    let user = || Some(schema_ref("User"));
    let role_members_read: &[&[&str]] = &[&["read:users", "read:roles"], &["read:role_members"]];
    vec![
        op("get", "/users", "get_users", "users", "List users")
            .describe(
                "In `created_at` order. `q` searches by email only: `email:\"address\"` (or \
                 `email:address`); other Lucene queries are refused. Only the first 1000 \
                 users of a listing can be paged through.",
            )
            .any_of(&["read:users"])
            .params(paging())
            .params(fields())
            .params(vec![
                query("q", "`email:\"address\"`: the user with that address."),
                query_typed(
                    "sort",
                    "Order by creation: ascending (default) or descending.",
                    json!({ "type": "string", "enum": ["created_at:1", "created_at:-1"] }),
                ),
                query("connection", "Only users of this connection."),
                query(
                    "search_engine",
                    "Accepted for compatibility; there is one engine.",
                ),
            ])
            .ok(200, "The users.", Some(listing("User", "UsersPage")))
            .errors(&[400]),
        op("post", "/users", "post_users", "users", "Create a user")
            .any_of(&["create:users"])
            .body("CreateUser")
            .ok(201, "The user.", user())
            .errors(&[400, 409]),
        op(
            "get",
            "/users-by-email",
            "get_users_by_email",
            "users",
            "Find users by email",
        )
        .any_of(&["read:users"])
        .params(fields())
        .params(vec![required(query_typed(
            "email",
            "The address, compared as signup compares addresses.",
            json!({ "type": "string", "minLength": 1 }),
        ))])
        .ok(
            200,
            "The user with that address: an array of 0 or 1 user.",
            Some(json!({ "type": "array", "items": schema_ref("User"), "maxItems": 1 })),
        )
        .errors(&[400]),
        op(
            "get",
            "/users/{id}",
            "get_users_by_id",
            "users",
            "Get a user",
        )
        .any_of(&["read:users"])
        .path_param(USER_ID)
        .params(fields())
        .ok(200, "The user.", user())
        .errors(&[400, 404]),
        op(
            "patch",
            "/users/{id}",
            "patch_users_by_id",
            "users",
            "Update a user",
        )
        .any_of(&["update:users"])
        .path_param(USER_ID)
        .body("UpdateUser")
        .ok(200, "The user.", user())
        .errors(&[400, 404, 409]),
        op(
            "delete",
            "/users/{id}",
            "delete_users_by_id",
            "users",
            "Delete a user",
        )
        .describe(
            "Its refresh tokens, sessions and roles go with it. 204 for an unknown id \
                 too, as Auth0 answers.",
        )
        .any_of(&["delete:users"])
        .path_param(USER_ID)
        .ok(204, "Deleted (or never existed).", None),
        op(
            "get",
            "/users/{id}/roles",
            "get_user_roles",
            "roles",
            "List a user's roles",
        )
        .alternatives(role_members_read)
        .path_param(USER_ID)
        .params(paging())
        .ok(200, "The roles.", Some(listing("Role", "RolesPage")))
        .errors(&[400, 404]),
        op(
            "post",
            "/users/{id}/roles",
            "post_user_roles",
            "roles",
            "Assign roles to a user",
        )
        .describe("If a role does not exist (400), the user gets none of them.")
        .any_of(&["update:users", "create:role_members"])
        .grants_permissions()
        .path_param(USER_ID)
        .body("RolesRequest")
        .ok(204, "Assigned.", None)
        .errors(&[400, 404]),
        op(
            "delete",
            "/users/{id}/roles",
            "delete_user_roles",
            "roles",
            "Remove roles from a user",
        )
        .describe("Roles the user lacks are ignored.")
        .any_of(&["update:users", "delete:role_members"])
        .path_param(USER_ID)
        .body("RolesRequest")
        .ok(204, "Removed.", None)
        .errors(&[400, 404]),
        op(
            "get",
            "/users/{id}/permissions",
            "get_permissions",
            "roles",
            "List a user's permissions",
        )
        .describe("Given directly or through roles, with their sources.")
        .any_of(&["read:users"])
        .path_param(USER_ID)
        .params(paging())
        .ok(
            200,
            "The permissions.",
            Some(listing("UserPermission", "UserPermissionsPage")),
        )
        .errors(&[400, 404]),
        op(
            "post",
            "/users/{id}/permissions",
            "post_permissions",
            "roles",
            "Give a user permissions",
        )
        .any_of(&["update:users"])
        .grants_permissions()
        .path_param(USER_ID)
        .body("PermissionsRequest")
        .ok(201, "Given.", None)
        .errors(&[400, 404]),
        op(
            "delete",
            "/users/{id}/permissions",
            "delete_permissions",
            "roles",
            "Take permissions from a user",
        )
        .describe("Only direct permissions go; those held through roles stay.")
        .any_of(&["update:users"])
        .path_param(USER_ID)
        .body("PermissionsRequest")
        .ok(204, "Removed.", None)
        .errors(&[400, 404]),
        op(
            "get",
            "/users/{id}/logs",
            "get_logs_by_user",
            "logs",
            "List a user's log events",
        )
        .describe("Newest first unless sort=date:1.")
        .alternatives(&[&["read:logs", "read:logs_users"]])
        .path_param(USER_ID)
        .params(paging())
        .params(vec![sort_by_date()])
        .ok(
            200,
            "The events.",
            Some(listing("LogEvent", "LogEventsPage")),
        )
        .errors(&[400]),
    ]
}

fn roles() -> Vec<Op> {
    let role = || Some(schema_ref("Role"));
    vec![
        op("get", "/roles", "get_roles", "roles", "List roles")
            .any_of(&["read:roles"])
            .params(paging())
            .params(vec![query(
                "name_filter",
                "Only roles whose name contains this.",
            )])
            .ok(200, "The roles.", Some(listing("Role", "RolesPage")))
            .errors(&[400]),
        op("post", "/roles", "post_roles", "roles", "Create a role")
            .describe("200, as Auth0 answers.")
            .any_of(&["create:roles"])
            .body("CreateRole")
            .ok(200, "The role.", role())
            .errors(&[400, 409]),
        op(
            "get",
            "/roles/{id}",
            "get_roles_by_id",
            "roles",
            "Get a role",
        )
        .any_of(&["read:roles"])
        .path_param(ROLE_ID)
        .ok(200, "The role.", role())
        .errors(&[404]),
        op(
            "patch",
            "/roles/{id}",
            "patch_roles_by_id",
            "roles",
            "Update a role",
        )
        .any_of(&["update:roles"])
        .path_param(ROLE_ID)
        .body("UpdateRole")
        .ok(200, "The role.", role())
        .errors(&[400, 404, 409]),
        op(
            "delete",
            "/roles/{id}",
            "delete_roles_by_id",
            "roles",
            "Delete a role",
        )
        .describe("Its users lose it; it leaves the tenant's default_roles. 200, as Auth0 answers.")
        .any_of(&["delete:roles"])
        .path_param(ROLE_ID)
        .ok(200, "Deleted.", None)
        .errors(&[404]),
        op(
            "get",
            "/roles/{id}/permissions",
            "get_role_permission",
            "roles",
            "List a role's permissions",
        )
        .any_of(&["read:roles"])
        .path_param(ROLE_ID)
        .params(paging())
        .ok(
            200,
            "The permissions.",
            Some(listing("Permission", "PermissionsPage")),
        )
        .errors(&[400, 404]),
        op(
            "post",
            "/roles/{id}/permissions",
            "post_role_permission_assignment",
            "roles",
            "Add permissions to a role",
        )
        .any_of(&["update:roles"])
        .grants_permissions()
        .path_param(ROLE_ID)
        .body("PermissionsRequest")
        .ok(201, "Added.", None)
        .errors(&[400, 404]),
        op(
            "delete",
            "/roles/{id}/permissions",
            "delete_role_permission_assignment",
            "roles",
            "Remove permissions from a role",
        )
        .describe("Permissions the role lacks are ignored. 200, as Auth0 answers.")
        .any_of(&["update:roles"])
        .path_param(ROLE_ID)
        .body("PermissionsRequest")
        .ok(200, "Removed.", None)
        .errors(&[400, 404]),
        op(
            "get",
            "/roles/{id}/users",
            "get_role_user",
            "roles",
            "List a role's users",
        )
        .describe("Offset paging only: Auth0's `from`/`take` checkpoints are not supported.")
        .alternatives(&[&["read:users", "read:roles"], &["read:role_members"]])
        .path_param(ROLE_ID)
        .params(paging())
        .ok(
            200,
            "The users.",
            Some(listing("RoleMember", "RoleMembersPage")),
        )
        .errors(&[400, 404]),
        op(
            "post",
            "/roles/{id}/users",
            "post_role_users",
            "roles",
            "Give a role to users",
        )
        .describe("If a user does not exist (404), nobody gets the role. 200, as Auth0 answers.")
        .any_of(&["update:roles", "create:role_members"])
        .grants_permissions()
        .path_param(ROLE_ID)
        .body("UsersRequest")
        .ok(200, "Given.", None)
        .errors(&[400, 404]),
    ]
}

fn apis_and_clients() -> Vec<Op> {
    let api = || Some(schema_ref("ResourceServer"));
    let client = || Some(schema_ref("Client"));
    let grant = || Some(schema_ref("ClientGrant"));
    const READ_CLIENTS: &[&str] = &["read:clients", "read:client_keys"];
    vec![
        op("get", "/resource-servers", "get_resource_servers", "resource-servers", "List APIs")
            .any_of(&["read:resource_servers"])
            .params(paging())
            .ok(200, "The APIs.", Some(listing("ResourceServer", "ResourceServersPage")))
            .errors(&[400]),
        op("post", "/resource-servers", "post_resource_servers", "resource-servers", "Create an API")
            .any_of(&["create:resource_servers"])
            .body("CreateResourceServer")
            .ok(201, "The API.", api())
            .errors(&[400, 409]),
        op("get", "/resource-servers/{id}", "get_resource_servers_by_id", "resource-servers", "Get an API")
            .any_of(&["read:resource_servers"])
            .path_param(API_ID)
            .ok(200, "The API.", api())
            .errors(&[404]),
        op("patch", "/resource-servers/{id}", "patch_resource_servers_by_id", "resource-servers", "Update an API")
            .describe("201, as Auth0 answers. The Management API itself (is_system) cannot be changed (400).")
            .any_of(&["update:resource_servers"])
            .path_param(API_ID)
            .body("UpdateResourceServer")
            .ok(201, "The API.", api())
            .errors(&[400, 404]),
        op("delete", "/resource-servers/{id}", "delete_resource_servers_by_id", "resource-servers", "Delete an API")
            .describe(
                "Its client grants, and the permissions roles and users held on it, go too. \
                 The Management API itself (is_system) cannot be deleted (400).",
            )
            .any_of(&["delete:resource_servers"])
            .path_param(API_ID)
            .ok(204, "Deleted.", None)
            .errors(&[400, 404]),
        op("get", "/clients", "get_clients", "clients", "List applications")
            .describe(
                "Oldest first. `is_global=true` and `is_first_party=false` match nothing: \
                 every application is first party and none is global.",
            )
            .any_of(READ_CLIENTS)
            .params(paging())
            .params(fields())
            .params(vec![
                query("app_type", "Only these types, comma-separated: regular_web, spa, native, non_interactive."),
                query_typed("is_global", "Only global applications (none is).", json!({ "type": "boolean" })),
                query_typed("is_first_party", "Only first-party applications (all are).", json!({ "type": "boolean" })),
            ])
            .ok(200, "The applications, without secrets.", Some(listing("Client", "ClientsPage")))
            .errors(&[400]),
        op("post", "/clients", "post_clients", "clients", "Create an application")
            .describe("A confidential application's `client_secret` is in this answer only.")
            .any_of(&["create:clients"])
            .body("CreateClient")
            .ok(201, "The application.", client())
            .errors(&[400, 409]),
        op("get", "/clients/{id}", "get_clients_by_id", "clients", "Get an application")
            .describe("Never with `client_secret`, even with read:client_keys.")
            .any_of(READ_CLIENTS)
            .path_param(CLIENT_ID)
            .params(fields())
            .ok(200, "The application.", client())
            .errors(&[400, 404]),
        op("patch", "/clients/{id}", "patch_clients_by_id", "clients", "Update an application")
            .any_of(&["update:clients", "update:client_keys"])
            .path_param(CLIENT_ID)
            .body("UpdateClient")
            .ok(200, "The application.", client())
            .errors(&[400, 404]),
        op("delete", "/clients/{id}", "delete_clients_by_id", "clients", "Delete an application")
            .describe("Its client grants, codes and refresh tokens go with it.")
            .any_of(&["delete:clients"])
            .path_param(CLIENT_ID)
            .ok(204, "Deleted.", None)
            .errors(&[404]),
        op("post", "/clients/{id}/rotate-secret", "post_rotate_secret", "clients", "Rotate an application's secret")
            .describe("The old secret stops working at once. A public application (spa, native) has no secret: 400.")
            .any_of(&["update:client_keys"])
            .path_param(CLIENT_ID)
            .ok(200, "The application with its new client_secret.", client())
            .errors(&[400, 404]),
        op("get", "/client-grants", "get_client_grants", "client-grants", "List client grants")
            .describe("Oldest first.")
            .any_of(&["read:client_grants"])
            .params(paging())
            .params(vec![
                query("audience", "Only grants for this API identifier."),
                query("client_id", "Only grants of this application."),
            ])
            .ok(200, "The grants.", Some(listing("ClientGrant", "ClientGrantsPage")))
            .errors(&[400]),
        op("post", "/client-grants", "post_client_grants", "client-grants", "Create a client grant")
            .describe(
                "404 for an unknown application or API; 400 for a scope the API does not \
                 define or an application that cannot use client credentials; 409 when the \
                 application has a grant for the API already.",
            )
            .any_of(&["create:client_grants"])
            .grants_permissions()
            .body("CreateClientGrant")
            .ok(201, "The grant.", grant())
            .errors(&[400, 404, 409]),
        op("get", "/client-grants/{id}", "get_client_grants_by_id", "client-grants", "Get a client grant")
            .any_of(&["read:client_grants"])
            .path_param(GRANT_ID)
            .ok(200, "The grant.", grant())
            .errors(&[404]),
        op("patch", "/client-grants/{id}", "patch_client_grants_by_id", "client-grants", "Update a client grant")
            .any_of(&["update:client_grants"])
            .grants_permissions()
            .path_param(GRANT_ID)
            .body("UpdateClientGrant")
            .ok(200, "The grant.", grant())
            .errors(&[400, 404]),
        op("delete", "/client-grants/{id}", "delete_client_grants_by_id", "client-grants", "Delete a client grant")
            .describe("The application can no longer get tokens for the API.")
            .any_of(&["delete:client_grants"])
            .path_param(GRANT_ID)
            .ok(204, "Deleted.", None)
            .errors(&[404]),
    ]
}

fn sort_by_date() -> Value {
    query_typed(
        "sort",
        "Newest first (date:-1, the default) or oldest first (date:1).",
        json!({ "type": "string", "enum": ["date:-1", "date:1"] }),
    )
}

fn tenant_keys_logs() -> Vec<Op> {
    let settings = || Some(schema_ref("TenantSettings"));
    let key_id = || Some(schema_ref("SigningKeyId"));
    vec![
        op("get", "/tenants/settings", "get_settings", "tenants", "Get the tenant's settings")
            .any_of(&["read:tenant_settings"])
            .ok(200, "The settings.", settings()),
        op("patch", "/tenants/settings", "patch_settings", "tenants", "Update the tenant's settings")
            .any_of(&["update:tenant_settings"])
            .body("UpdateTenantSettings")
            .ok(200, "Every setting.", settings())
            .errors(&[400]),
        op("get", "/keys/signing", "get_signing_keys", "keys", "List signing keys")
            .describe("Every key, revoked ones included, in activation order.")
            .any_of(&["read:signing_keys"])
            .ok(200, "The keys.", Some(json!({ "type": "array", "items": schema_ref("SigningKey") }))),
        op("post", "/keys/signing/rotate", "post_signing_keys", "keys", "Rotate the signing key")
            .describe(
                "A new key of the current key's algorithm signs from now on; the key it \
                 replaces stays published as `previous` until the tokens it signed expire.",
            )
            .any_of(&["create:signing_keys"])
            .ok(201, "The new key.", key_id()),
        op("get", "/keys/signing/{kid}", "get_signing_key", "keys", "Get a signing key")
            .any_of(&["read:signing_keys"])
            .path_param(KID)
            .ok(200, "The key.", Some(schema_ref("SigningKey")))
            .errors(&[404]),
        op("put", "/keys/signing/{kid}/revoke", "put_signing_keys", "keys", "Revoke a signing key")
            .describe(
                "Withdraws the key from the key set. The key signing now cannot be revoked, \
                 nor a key revoked already (400): rotate first.",
            )
            .any_of(&["update:signing_keys"])
            .path_param(KID)
            .ok(200, "The revoked key.", key_id())
            .errors(&[400, 404]),
        op("get", "/logs", "get_logs", "logs", "Search log events")
            .describe(
                "Newest first unless sort=date:1. `q` takes `type:`, `user_id:` and \
                 `client_id:` terms joined by ` AND `. With `from` or `take`, the events after \
                 the checkpoint `from` (a log_id), oldest first, `take` of them (1 to 100, \
                 default 50), as log streaming clients read them; `from`/`take` cannot be \
                 combined with the other parameters.",
            )
            .any_of(&["read:logs"])
            .params(paging())
            .params(vec![
                query("q", "`type:\"f\" AND user_id:\"auth0|...\"`: type, user_id and client_id terms."),
                sort_by_date(),
                query("from", "A log_id: the events after it."),
                query_typed("take", "How many events after `from`.",
                    json!({ "type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 50 })),
            ])
            .ok(200, "The events.", Some(listing("LogEvent", "LogEventsPage")))
            .errors(&[400]),
        op("get", "/logs/{id}", "get_logs_by_id", "logs", "Get a log event")
            .any_of(&["read:logs"])
            .path_param(LOG_ID)
            .ok(200, "The event.", Some(schema_ref("LogEvent")))
            .errors(&[404]),
        op("get", "/openapi.json", "get_openapi", "openapi", "This document")
            .describe("Public: no token needed. Cacheable for an hour.")
            .ok(200, "The OpenAPI document.", Some(json!({ "type": "object" }))),
    ]
}
