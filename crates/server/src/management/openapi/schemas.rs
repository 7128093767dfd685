//! `components/schemas`: the shapes the Management API reads and writes, as its
//! handlers build them (`user_json`, `role_json`, `api_json`, `client_json`,
//! `grant_json`, `key_json`, `log_json`, the tenant settings) and the bodies they accept
//! (each `deny_unknown_fields`, hence `additionalProperties: false`).

use portcullis_core::EventType;
use portcullis_core::limits;
use portcullis_core::signup::PASSWORD_POLICY;
use portcullis_core::user::DATABASE_CONNECTION;
use serde_json::{Map, Value, json};

/// `{"$ref": "#/components/schemas/<name>"}`.
pub(super) fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn array_of(name: &str) -> Value {
    json!({ "type": "array", "items": schema_ref(name) })
}

fn strings() -> Value {
    json!({ "type": "array", "items": { "type": "string" } })
}

/// A body: its members, the required ones, no others.
fn body(description: &str, properties: Value, required: &[&str]) -> Value {
    let mut o = json!({
        "type": "object",
        "description": description,
        "properties": properties,
        "additionalProperties": false,
    });
    if !required.is_empty() {
        o["required"] = json!(required);
    }
    o
}

/// An answer's object: every member listed, `required` those always present.
fn shape(description: &str, properties: Value, required: &[&str]) -> Value {
    json!({
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required,
    })
}

/// `{start, limit, length, total, <key>: [<item>]}`: a listing with `include_totals`.
fn paged(key: &str, item: &str) -> Value {
    shape(
        &format!("A page of {key} with its totals (include_totals=true)."),
        json!({
            "start": { "type": "integer", "description": "Offset of the first item: page * per_page." },
            "limit": { "type": "integer", "description": "per_page." },
            "length": { "type": "integer", "description": "Items on this page." },
            "total": { "type": "integer", "description": "Items in the whole listing." },
            key: array_of(item),
        }),
        &["start", "limit", "length", "total", key],
    )
}

/// The pages of every listing that takes `include_totals`: schema name, member, item.
pub(super) const PAGES: &[(&str, &str, &str)] = &[
    ("UsersPage", "users", "User"),
    ("RolesPage", "roles", "Role"),
    ("PermissionsPage", "permissions", "Permission"),
    ("UserPermissionsPage", "permissions", "UserPermission"),
    ("RoleMembersPage", "users", "RoleMember"),
    ("ResourceServersPage", "resource_servers", "ResourceServer"),
    ("ClientsPage", "clients", "Client"),
    ("ClientGrantsPage", "client_grants", "ClientGrant"),
    ("LogEventsPage", "logs", "LogEvent"),
];

pub(super) fn schemas() -> Value {
    let mut s = Map::new();
    s.insert("Error".into(), error());
    for (name, value) in users() {
        s.insert(name.into(), value);
    }
    for (name, value) in rbac() {
        s.insert(name.into(), value);
    }
    for (name, value) in apps() {
        s.insert(name.into(), value);
    }
    for (name, value) in tenant() {
        s.insert(name.into(), value);
    }
    for (name, key, item) in PAGES {
        s.insert((*name).into(), paged(key, item));
    }
    Value::Object(s)
}

fn error() -> Value {
    shape(
        "Every error of the Management API, as Auth0 writes it.",
        json!({
            "statusCode": { "type": "integer", "example": 404 },
            "error": { "type": "string", "description": "The status's reason phrase.", "example": "Not Found" },
            "message": { "type": "string", "example": "The user does not exist." },
            "errorCode": { "type": "string", "description": "Auth0's error code, when there is one.", "example": "inexistent_user" },
        }),
        &["statusCode", "error", "message"],
    )
}

fn users() -> Vec<(&'static str, Value)> {
    let name = |what: &str| {
        json!({ "type": "string", "minLength": 1, "maxLength": 300,
                "description": format!("{what}: 1 to 300 characters, no control characters.") })
    };
    let picture = json!({ "type": "string", "format": "uri", "maxLength": 2048,
                          "description": "An absolute http or https URL." });
    let metadata = json!({ "type": "object", "additionalProperties": true });
    let connection = json!({ "type": "string", "enum": [DATABASE_CONNECTION],
                             "description": "Portcullis has one connection, the username/password database." });
    let password = json!({ "type": "string", "format": "password",
                           "description": format!("The tenant's password policy: {PASSWORD_POLICY}") });
    let user_fields = |create: bool| {
        let mut p = json!({
            "connection": connection,
            "email": { "type": "string", "format": "email" },
            "password": password,
            "name": name("The name"),
            "nickname": name("The nickname"),
            "picture": picture,
            "user_metadata": metadata,
            "app_metadata": metadata,
            "blocked": { "type": "boolean" },
            "email_verified": { "type": "boolean" },
            "verify_email": { "type": "boolean", "description": "Accepted for compatibility: the Management API sends no mail." },
        });
        if create {
            p["user_id"] = json!({ "type": "string", "minLength": 1, "maxLength": 255,
                "description": "A custom id, without spaces or control characters; the user's id becomes `auth0|<user_id>`. Generated when absent." });
        }
        p
    };
    let mut update = body(
        "The members to change (one at least); metadata objects are merged at the top \
         level. A new password, or blocking, revokes the user's refresh tokens; blocking \
         also ends the user's sessions. Auth0 members Portcullis does not keep \
         (`given_name`, `username`, `phone_number`...) are refused by name.",
        user_fields(false),
        &[],
    );
    update["minProperties"] = 1.into();
    vec![
        (
            "User",
            shape(
                "Auth0's user object. With `fields`, only the selected members.",
                json!({
                    "user_id": { "type": "string", "example": "auth0|6f1c2b9e0d3a4c5b" },
                    "email": { "type": "string", "format": "email" },
                    "email_verified": { "type": "boolean" },
                    "name": { "type": "string" },
                    "nickname": { "type": "string" },
                    "picture": { "type": "string", "format": "uri" },
                    "created_at": { "type": "string", "format": "date-time" },
                    "updated_at": { "type": "string", "format": "date-time" },
                    "identities": array_of("UserIdentity"),
                    "user_metadata": metadata,
                    "app_metadata": metadata,
                    "last_login": { "type": "string", "format": "date-time", "description": "Present once the user has logged in." },
                    "logins_count": { "type": "integer" },
                    "blocked": { "type": "boolean", "enum": [true], "description": "Present only when the user is blocked." },
                }),
                &[
                    "user_id",
                    "email",
                    "email_verified",
                    "name",
                    "nickname",
                    "created_at",
                    "updated_at",
                    "identities",
                    "user_metadata",
                    "app_metadata",
                    "logins_count",
                ],
            ),
        ),
        (
            "UserIdentity",
            shape(
                "The one identity of a Portcullis user: its connection.",
                json!({
                    "connection": { "type": "string" },
                    "user_id": { "type": "string", "description": "The user's id without its provider prefix." },
                    "provider": { "type": "string", "example": "auth0" },
                    "isSocial": { "type": "boolean", "enum": [false] },
                }),
                &["connection", "user_id", "provider", "isSocial"],
            ),
        ),
        (
            "CreateUser",
            body(
                "A user of the database connection. It gets the tenant's default roles, as \
                 signup gives them. `name` defaults to the address, `nickname` to its local \
                 part.",
                user_fields(true),
                &["connection", "email", "password"],
            ),
        ),
        ("UpdateUser", update),
    ]
}

fn rbac() -> Vec<(&'static str, Value)> {
    let permission_ref = json!({
        "type": "object",
        "properties": {
            "resource_server_identifier": { "type": "string" },
            "permission_name": { "type": "string", "description": "A scope the API defines." },
        },
        "required": ["resource_server_identifier", "permission_name"],
        "additionalProperties": false,
    });
    let permission_members = json!({
        "permission_name": { "type": "string" },
        "description": { "type": "string" },
        "resource_server_name": { "type": "string" },
        "resource_server_identifier": { "type": "string" },
    });
    let mut user_permission_members = permission_members.clone();
    user_permission_members["sources"] = array_of("PermissionSource");
    let permission_required = [
        "permission_name",
        "description",
        "resource_server_name",
        "resource_server_identifier",
    ];
    let ids = |what: &str| {
        json!({ "type": "array", "minItems": 1,
                "items": { "type": "string", "minLength": 1 },
                "description": format!("{what} ids; repeats are ignored.") })
    };
    vec![
        (
            "Role",
            shape(
                "A role.",
                json!({
                    "id": { "type": "string", "example": "rol_2f9a8c7d6e5b4a39" },
                    "name": { "type": "string" },
                    "description": { "type": "string" },
                }),
                &["id", "name", "description"],
            ),
        ),
        (
            "CreateRole",
            body(
                "A new role; its name must be unused.",
                json!({
                    "name": { "type": "string", "minLength": 1 },
                    "description": { "type": "string" },
                }),
                &["name"],
            ),
        ),
        (
            "UpdateRole",
            body(
                "The members to change.",
                json!({
                    "name": { "type": "string", "minLength": 1 },
                    "description": { "type": "string" },
                }),
                &[],
            ),
        ),
        (
            "Permission",
            shape(
                "A permission: a scope of an API.",
                permission_members,
                &permission_required,
            ),
        ),
        (
            "UserPermission",
            shape(
                "A permission a user holds, and where from: given directly or through roles.",
                user_permission_members,
                &[
                    "permission_name",
                    "description",
                    "resource_server_name",
                    "resource_server_identifier",
                    "sources",
                ],
            ),
        ),
        (
            "PermissionSource",
            shape(
                "Where a user's permission comes from: `DIRECT` (empty id and name) or a `ROLE`.",
                json!({
                    "source_id": { "type": "string" },
                    "source_name": { "type": "string" },
                    "source_type": { "type": "string", "enum": ["DIRECT", "ROLE"] },
                }),
                &["source_id", "source_name", "source_type"],
            ),
        ),
        (
            "PermissionsRequest",
            body(
                "Permissions, one at least; repeats are ignored. Each must be a scope its API \
                 defines, else nothing changes.",
                json!({ "permissions": { "type": "array", "minItems": 1, "items": permission_ref } }),
                &["permissions"],
            ),
        ),
        (
            "RolesRequest",
            body("Roles, by id.", json!({ "roles": ids("Role") }), &["roles"]),
        ),
        (
            "UsersRequest",
            body("Users, by id.", json!({ "users": ids("User") }), &["users"]),
        ),
        (
            "RoleMember",
            shape(
                "A user who has a role.",
                json!({
                    "user_id": { "type": "string" },
                    "email": { "type": "string", "format": "email" },
                    "picture": { "type": "string", "format": "uri" },
                    "name": { "type": "string" },
                }),
                &["user_id", "email", "name"],
            ),
        ),
    ]
}

fn apps() -> Vec<(&'static str, Value)> {
    let scope_out = json!({
        "type": "object",
        "properties": {
            "value": { "type": "string" },
            "description": { "type": "string", "description": "Absent when empty." },
        },
        "required": ["value"],
    });
    let scope_in = json!({
        "type": "object",
        "properties": {
            "value": { "type": "string", "minLength": 1, "maxLength": limits::MAX_SCOPE_VALUE,
                       "description": "Printable ASCII without spaces, quotes or backslashes." },
            "description": { "type": "string", "maxLength": limits::MAX_SCOPE_DESCRIPTION },
        },
        "required": ["value"],
        "additionalProperties": false,
    });
    let api_fields = |create: bool| {
        let mut p = json!({
            "name": { "type": "string", "minLength": 1, "maxLength": limits::MAX_API_NAME,
                      "description": "Without '<' or '>'." },
            "scopes": { "type": "array", "items": scope_in,
                        "description": "The API's scopes; repeats are ignored." },
            "signing_alg": { "type": "string", "enum": ["RS256"],
                             "description": "Access tokens are signed with the tenant's keys: RS256 only (HS256 is refused)." },
            "token_lifetime": { "type": "integer", "minimum": 0, "maximum": limits::MAX_API_TOKEN_LIFETIME,
                                "description": "Access token lifetime, seconds." },
            "allow_offline_access": { "type": "boolean" },
            "enforce_policies": { "type": "boolean", "description": "RBAC: tokens carry only the scopes the user's permissions allow." },
            "token_dialect": { "type": "string", "enum": ["access_token", "access_token_authz"],
                               "description": "`access_token_authz` (permissions in the token) needs enforce_policies." },
            "skip_consent_for_verifiable_first_party_clients": { "type": "boolean",
                "description": "Accepted and ignored: Portcullis has no consent screen." },
        });
        if create {
            p["identifier"] = json!({ "type": "string", "minLength": 1, "maxLength": limits::MAX_API_IDENTIFIER,
                "description": "The audience of the API's tokens; cannot change." });
            p["name"]["description"] = "Without '<' or '>'; the identifier when absent.".into();
        }
        p
    };
    let uris = |what: &str| {
        json!({ "type": "array", "items": { "type": "string" },
                "description": format!("{what}: no wildcards or fragments; https, or http on localhost (custom schemes for native applications).") })
    };
    let app_type = json!({ "type": "string", "enum": ["regular_web", "spa", "native", "non_interactive"],
                           "description": "`regular_web` when absent on create. `spa` and `native` are public (no secret)." });
    let auth_method =
        json!({ "type": "string", "enum": ["none", "client_secret_post", "client_secret_basic"] });
    let jwt_in = json!({
        "type": "object",
        "description": "Fixed: accepted only with Portcullis's values (ID tokens are RS256 with the tenant's keys, for the tenant's id_token_lifetime).",
        "properties": {
            "alg": { "type": "string", "enum": ["RS256"] },
            "lifetime_in_seconds": { "type": "integer", "description": "Must equal the tenant's id_token_lifetime." },
            "secret_encoded": { "type": "boolean", "enum": [false] },
        },
        "additionalProperties": false,
    });
    let client_fields = || {
        json!({
            "name": { "type": "string" },
            "description": { "type": "string", "maxLength": limits::MAX_CLIENT_DESCRIPTION },
            "app_type": app_type,
            "callbacks": uris("Callback URLs"),
            "allowed_logout_urls": uris("Logout URLs"),
            "web_origins": { "type": "array", "items": { "type": "string" },
                             "description": "Origins as browsers send them." },
            "grant_types": { "type": "array",
                "items": { "type": "string", "enum": ["authorization_code", "implicit", "refresh_token", "client_credentials"] },
                "description": "`client_credentials` only for a confidential application." },
            "token_endpoint_auth_method": auth_method,
            "is_first_party": { "type": "boolean", "enum": [true], "description": "Fixed: every application is first party." },
            "oidc_conformant": { "type": "boolean", "enum": [true], "description": "Fixed: every application is OIDC conformant." },
            "jwt_configuration": jwt_in,
        })
    };
    vec![
        (
            "ResourceServer",
            shape(
                "An API: an audience tokens are issued for, with its scopes.",
                json!({
                    "id": { "type": "string" },
                    "name": { "type": "string" },
                    "is_system": { "type": "boolean", "enum": [true], "description": "Present only on the Management API itself." },
                    "identifier": { "type": "string" },
                    "scopes": { "type": "array", "items": scope_out },
                    "signing_alg": { "type": "string", "enum": ["RS256"] },
                    "token_lifetime": { "type": "integer" },
                    "allow_offline_access": { "type": "boolean" },
                    "enforce_policies": { "type": "boolean" },
                    "token_dialect": { "type": "string", "enum": ["access_token", "access_token_authz"] },
                }),
                &[
                    "id",
                    "name",
                    "identifier",
                    "scopes",
                    "signing_alg",
                    "token_lifetime",
                    "allow_offline_access",
                    "enforce_policies",
                    "token_dialect",
                ],
            ),
        ),
        (
            "CreateResourceServer",
            body(
                "A new API; its identifier must be unused.",
                api_fields(true),
                &["identifier"],
            ),
        ),
        (
            "UpdateResourceServer",
            body(
                "The members to change (`identifier` cannot). Scopes the new list drops are \
                 taken from every role and user that held them.",
                api_fields(false),
                &[],
            ),
        ),
        (
            "Client",
            shape(
                "An application. `client_secret` only when one was just made (create, \
                 rotate-secret, an update that makes the application confidential): \
                 Portcullis stores secrets only as hashes. With `fields`, only the \
                 selected members.",
                json!({
                    "client_id": { "type": "string" },
                    "tenant": { "type": "string" },
                    "global": { "type": "boolean", "enum": [false] },
                    "name": { "type": "string" },
                    "description": { "type": "string", "description": "Absent when empty." },
                    "app_type": { "type": "string", "enum": ["regular_web", "spa", "native", "non_interactive"] },
                    "is_first_party": { "type": "boolean", "enum": [true] },
                    "oidc_conformant": { "type": "boolean", "enum": [true] },
                    "callbacks": strings(),
                    "allowed_logout_urls": strings(),
                    "web_origins": strings(),
                    "grant_types": strings(),
                    "token_endpoint_auth_method": auth_method,
                    "jwt_configuration": {
                        "type": "object",
                        "properties": {
                            "alg": { "type": "string", "enum": ["RS256"] },
                            "lifetime_in_seconds": { "type": "integer" },
                            "secret_encoded": { "type": "boolean", "enum": [false] },
                        },
                        "required": ["alg", "lifetime_in_seconds", "secret_encoded"],
                    },
                    "client_secret": { "type": "string", "description": "Shown once, when made." },
                }),
                &[
                    "client_id",
                    "tenant",
                    "global",
                    "name",
                    "app_type",
                    "is_first_party",
                    "oidc_conformant",
                    "callbacks",
                    "allowed_logout_urls",
                    "web_origins",
                    "grant_types",
                    "token_endpoint_auth_method",
                    "jwt_configuration",
                ],
            ),
        ),
        (
            "CreateClient",
            body(
                "A new application. Its secret (confidential types) is generated: \
                 `client_secret` in a body is refused.",
                client_fields(),
                &["name"],
            ),
        ),
        (
            "UpdateClient",
            body(
                "The members to change; absent or null ones stay. Changing `app_type` \
                 between a public and a confidential type removes the secret or makes one.",
                client_fields(),
                &[],
            ),
        ),
        (
            "ClientGrant",
            shape(
                "An application's right to client-credentials tokens for an API.",
                json!({
                    "id": { "type": "string" },
                    "client_id": { "type": "string" },
                    "audience": { "type": "string", "description": "The API's identifier." },
                    "scope": strings(),
                }),
                &["id", "client_id", "audience", "scope"],
            ),
        ),
        (
            "CreateClientGrant",
            body(
                "A grant of a machine-to-machine application (one allowed client_credentials) \
                 for an API; one per application and API.",
                json!({
                    "client_id": { "type": "string" },
                    "audience": { "type": "string", "description": "The API's identifier." },
                    "scope": { "type": "array", "items": { "type": "string" }, "description": "Scopes the API defines." },
                }),
                &["client_id", "audience"],
            ),
        ),
        (
            "UpdateClientGrant",
            body(
                "`scope` replaces the grant's scopes; tokens already issued keep theirs.",
                json!({ "scope": { "type": "array", "items": { "type": "string" }, "description": "Scopes the API defines." } }),
                &[],
            ),
        ),
    ]
}

fn tenant() -> Vec<(&'static str, Value)> {
    let seconds = |description: &str, min: u32, max: u32| json!({ "type": "integer", "minimum": min, "maximum": max, "description": description });
    let settings = |patch: bool| {
        let mut p = json!({
            "friendly_name": { "type": "string", "minLength": 1, "maxLength": limits::MAX_FRIENDLY_NAME },
            "picture_url": { "type": "string", "format": "uri", "maxLength": limits::MAX_PICTURE_URL,
                             "description": "An absolute http or https URL." },
            "session_lifetime": seconds("Absolute SSO session lifetime, hours.", 1, limits::MAX_SESSION_HOURS),
            "idle_session_lifetime": seconds("SSO session inactivity timeout, hours; at most session_lifetime.", 1, limits::MAX_SESSION_HOURS),
            "id_token_lifetime": seconds("ID token lifetime, seconds.", 1, limits::MAX_ID_TOKEN_LIFETIME),
            "default_roles": { "type": "array", "items": { "type": "string" },
                               "description": "Ids of the roles every new user gets (Portcullis's own setting)." },
            "refresh_token_reuse_window": seconds("How long a rotated refresh token may be presented again without counting as reuse, seconds.", 0, limits::MAX_REUSE_WINDOW),
            "refresh_token_lifetime": seconds("Absolute lifetime of a refresh-token family, seconds.", 1, limits::MAX_REFRESH_LIFETIME),
            "refresh_token_idle_lifetime": seconds("Inactivity lifetime of a refresh token, seconds; at most refresh_token_lifetime.", 1, limits::MAX_REFRESH_LIFETIME),
            "signup_requires_verification": { "type": "boolean",
                "description": "Whether a signup must verify its address before it can log in (Portcullis's own setting)." },
        });
        if patch {
            p["picture_url"]["nullable"] = true.into();
            p["picture_url"]["description"] =
                "An absolute http or https URL; null removes it.".into();
        }
        p
    };
    let all = [
        "friendly_name",
        "session_lifetime",
        "idle_session_lifetime",
        "id_token_lifetime",
        "default_roles",
        "refresh_token_reuse_window",
        "refresh_token_lifetime",
        "refresh_token_idle_lifetime",
        "signup_requires_verification",
    ];
    let codes: Vec<&str> = EventType::ALL.iter().map(|t| t.code()).collect();
    vec![
        (
            "TenantSettings",
            shape(
                "The tenant's settings: Auth0's names where Auth0 has the setting, \
                 Portcullis's own otherwise. `picture_url` is absent when unset.",
                settings(false),
                &all,
            ),
        ),
        (
            "UpdateTenantSettings",
            body(
                "The settings to change. All or nothing: any refused member is a 400 and \
                 nothing changes. Auth0 settings Portcullis does not have (`flags`, \
                 `universal_login`...) are refused by name.",
                settings(true),
                &[],
            ),
        ),
        (
            "LogEvent",
            shape(
                "An audit log event, as Auth0's log events.",
                json!({
                    "_id": { "type": "string" },
                    "log_id": { "type": "string", "description": "Sorts after every earlier event's id: the checkpoint of `from`." },
                    "date": { "type": "string", "format": "date-time" },
                    "type": { "type": "string", "enum": codes, "description": "Auth0's event type code." },
                    "description": { "type": "string" },
                    "details": { "type": "object", "additionalProperties": true },
                    "client_id": { "type": "string" },
                    "ip": { "type": "string" },
                    "user_agent": { "type": "string" },
                    "user_id": { "type": "string" },
                    "user_name": { "type": "string" },
                }),
                &["_id", "log_id", "date", "type", "description", "details"],
            ),
        ),
        (
            "SigningKey",
            shape(
                "A signing key. Portcullis keys are raw JWKs: there is no `cert`, `pkcs7` or \
                 certificate `fingerprint`; `thumbprint` is the RFC 7638 JWK thumbprint \
                 (base64url SHA-256).",
                json!({
                    "kid": { "type": "string" },
                    "current": { "type": "boolean", "description": "Signs now." },
                    "next": { "type": "boolean", "description": "Published, signs later." },
                    "previous": { "type": "boolean", "description": "Signed until the last rotation; published until its tokens expire." },
                    "current_since": { "type": "string", "format": "date-time", "description": "When it began signing, if it has." },
                    "current_until": { "type": "string", "format": "date-time", "description": "When it stopped signing, if it has." },
                    "thumbprint": { "type": "string" },
                    "revoked": { "type": "boolean" },
                    "revoked_at": { "type": "string", "format": "date-time" },
                    "alg": { "type": "string", "example": "RS256" },
                    "jwk": schema_ref("Jwk"),
                }),
                &[
                    "kid", "current", "next", "previous", "revoked", "alg", "jwk",
                ],
            ),
        ),
        (
            "Jwk",
            shape(
                "The public key (RFC 7517).",
                json!({
                    "kty": { "type": "string", "enum": ["RSA", "EC", "OKP"] },
                    "kid": { "type": "string" },
                    "alg": { "type": "string" },
                    "use": { "type": "string", "enum": ["sig"] },
                    "n": { "type": "string" },
                    "e": { "type": "string" },
                    "crv": { "type": "string" },
                    "x": { "type": "string" },
                    "y": { "type": "string" },
                }),
                &["kty", "kid", "alg", "use"],
            ),
        ),
        (
            "SigningKeyId",
            shape(
                "The key concerned.",
                json!({ "kid": { "type": "string" } }),
                &["kid"],
            ),
        ),
    ]
}
