//! One row of Auth0's bulk user import file: a JSON object checked against Auth0's
//! user schema and turned into a [`User`] of the database connection, or the reason it
//! cannot be imported.

use portcullis_core::password::PasswordHash;
use portcullis_core::signup::plausible_email;
use portcullis_core::user::DATABASE_CONNECTION;
use portcullis_core::user_directory::fold_email;
use portcullis_core::{Rng, TenantId, UnixTime, User, UserId};
use serde_json::{Map, Value};

/// Fields of Auth0's schema that Portcullis has no place for: accepted, not stored, and
/// counted in the summary.
pub const IGNORED_FIELDS: &[&str] = &[
    "username",
    "given_name",
    "family_name",
    "phone_number",
    "phone_verified",
    "mfa_factors",
];

/// Fields of Auth0's schema that are imported.
const STORED_FIELDS: &[&str] = &[
    "email",
    "email_verified",
    "user_id",
    "name",
    "nickname",
    "picture",
    "blocked",
    "user_metadata",
    "app_metadata",
    "password_hash",
    "custom_password_hash",
];

/// Keys Auth0 refuses in `app_metadata` (they shadow profile attributes).
const RESERVED_APP_METADATA: &[&str] = &[
    "__tenant",
    "_id",
    "blocked",
    "clientID",
    "created_at",
    "email_verified",
    "email",
    "globalClientID",
    "global_client_id",
    "identities",
    "lastIP",
    "lastLogin",
    "loginsCount",
    "metadata",
    "multifactor_last_modified",
    "multifactor",
    "updated_at",
    "user_id",
];

/// The longest `user_id` accepted, prefix included.
const MAX_USER_ID_LEN: usize = 255;

/// `custom_password_hash.algorithm` values this importer keeps.
pub const SUPPORTED_ALGORITHMS: &str = "bcrypt and argon2";

/// A row that passed every check.
#[derive(Debug)]
pub struct Row {
    pub user: User,
    /// The [`IGNORED_FIELDS`] the row had.
    pub ignored: Vec<&'static str>,
}

/// Why a row is not imported, in words for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject(pub String);

fn reject(reason: impl Into<String>) -> Reject {
    Reject(reason.into())
}

/// The row's `email` as given (for the report), if it is a string.
pub fn email_of(value: &Value) -> Option<&str> {
    value.get("email").and_then(Value::as_str)
}

/// Checks one element of the file's array and builds the user it describes, created
/// at `now`, with a new random id when the row has no `user_id`.
pub fn parse_row(
    value: &Value,
    tenant: &TenantId,
    now: UnixTime,
    rng: &dyn Rng,
) -> Result<Row, Reject> {
    let Value::Object(fields) = value else {
        return Err(reject("not a JSON object"));
    };
    let mut ignored = Vec::new();
    for key in fields.keys() {
        if let Some(known) = IGNORED_FIELDS.iter().find(|f| **f == key.as_str()) {
            ignored.push(*known);
        } else if !STORED_FIELDS.contains(&key.as_str()) {
            return Err(reject(format!(
                "unknown field {key:?} (not in Auth0's bulk import schema)"
            )));
        }
    }

    let email = match string(fields, "email")? {
        Some(raw) => fold_email(raw),
        None => return Err(reject("email is missing (it is required)")),
    };
    if !plausible_email(&email) {
        return Err(reject("not a valid email address"));
    }
    let user_id = match string(fields, "user_id")? {
        Some(id) => parse_user_id(id)?,
        None => UserId::new_database_user(rng),
    };
    let name = string(fields, "name")?.map_or_else(|| email.clone(), str::to_owned);
    let nickname = string(fields, "nickname")?.map_or_else(
        || email.split('@').next().unwrap_or(&email).to_owned(),
        str::to_owned,
    );
    let picture = string(fields, "picture")?.map(str::to_owned);
    let user_metadata = object(fields, "user_metadata")?;
    let app_metadata = object(fields, "app_metadata")?;
    if let Some(key) = app_metadata
        .keys()
        .find(|k| RESERVED_APP_METADATA.contains(&k.as_str()))
    {
        return Err(reject(format!(
            "app_metadata must not contain {key:?} (reserved by Auth0)"
        )));
    }
    let password_hash = password_hash(fields)?;
    Ok(Row {
        user: User {
            tenant_id: tenant.clone(),
            user_id,
            connection: DATABASE_CONNECTION.to_owned(),
            email,
            email_verified: boolean(fields, "email_verified")?,
            name,
            nickname,
            picture,
            password_hash,
            blocked: boolean(fields, "blocked")?,
            user_metadata: Value::Object(user_metadata),
            app_metadata: Value::Object(app_metadata),
            created_at: now,
            updated_at: now,
            last_login: None,
            logins_count: 0,
        },
        ignored,
    })
}

/// Auth0 prefixes the given id with the connection's strategy: `abc` is stored as
/// `auth0|abc`. An id that has the prefix already (as Auth0's user export writes it) is
/// kept as is, so users moving from Auth0 keep their `sub`.
fn parse_user_id(raw: &str) -> Result<UserId, Reject> {
    let id = if raw.starts_with(UserId::DATABASE_PREFIX) {
        raw.to_owned()
    } else {
        format!("{}{raw}", UserId::DATABASE_PREFIX)
    };
    if id.len() == UserId::DATABASE_PREFIX.len() {
        return Err(reject("user_id is empty"));
    }
    if id.len() > MAX_USER_ID_LEN {
        return Err(reject(format!(
            "user_id is longer than {MAX_USER_ID_LEN} characters"
        )));
    }
    if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(reject("user_id contains whitespace or control characters"));
    }
    Ok(UserId::new(id))
}

/// `password_hash` (bcrypt) or `custom_password_hash` (bcrypt or argon2), not both.
fn password_hash(fields: &Map<String, Value>) -> Result<Option<PasswordHash>, Reject> {
    let plain = string(fields, "password_hash")?;
    let custom = match fields.get("custom_password_hash") {
        None | Some(Value::Null) => None,
        Some(Value::Object(custom)) => Some(custom),
        Some(_) => return Err(reject("custom_password_hash must be a JSON object")),
    };
    match (plain, custom) {
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(reject(
            "password_hash and custom_password_hash are mutually exclusive",
        )),
        (Some(hash), None) => {
            if !is_bcrypt(hash) {
                return Err(reject(
                    "password_hash must be a bcrypt hash ($2a$, $2b$ or $2y$); \
                     give other algorithms in custom_password_hash",
                ));
            }
            parse_bcrypt(hash).map(Some)
        }
        (None, Some(custom)) => custom_hash(custom).map(Some),
    }
}

fn custom_hash(custom: &Map<String, Value>) -> Result<PasswordHash, Reject> {
    let algorithm = match custom.get("algorithm") {
        Some(Value::String(a)) => a.as_str(),
        _ => {
            return Err(reject(
                "custom_password_hash.algorithm is missing or not a string",
            ));
        }
    };
    if algorithm != "bcrypt" && algorithm != "argon2" {
        return Err(reject(format!(
            "custom_password_hash algorithm {algorithm:?} is not supported \
             (supported: {SUPPORTED_ALGORITHMS}); import the user without a hash \
             and let them reset their password"
        )));
    }
    let hash = match custom.get("hash") {
        Some(Value::Object(hash)) => hash,
        _ => return Err(reject("custom_password_hash.hash must be a JSON object")),
    };
    // Auth0: for bcrypt and argon2 the value is the whole encoded hash, in UTF-8, with
    // the salt inside it.
    if hash
        .get("encoding")
        .is_some_and(|e| !e.is_null() && e.as_str() != Some("utf8"))
    {
        return Err(reject(format!(
            "custom_password_hash.hash.encoding must be \"utf8\" for {algorithm}"
        )));
    }
    if hash.get("salt").is_some_and(|s| !s.is_null()) {
        return Err(reject(format!(
            "custom_password_hash.hash.salt is not allowed for {algorithm} \
             (the salt is part of the hash value)"
        )));
    }
    if let Some(password) = custom.get("password")
        && let Some(encoding) = password.get("encoding")
        && encoding.as_str() != Some("utf8")
    {
        return Err(reject(
            "custom_password_hash.password.encoding must be \"utf8\"",
        ));
    }
    let value = match hash.get("value") {
        Some(Value::String(v)) => v.as_str(),
        _ => {
            return Err(reject(
                "custom_password_hash.hash.value is missing or not a string",
            ));
        }
    };
    if algorithm == "bcrypt" {
        if !is_bcrypt(value) {
            return Err(reject(
                "custom_password_hash.hash.value is not a bcrypt hash ($2a$, $2b$ or $2y$)",
            ));
        }
        return parse_bcrypt(value);
    }
    if !["$argon2id$", "$argon2i$", "$argon2d$"]
        .iter()
        .any(|p| value.starts_with(p))
    {
        return Err(reject(
            "custom_password_hash.hash.value is not an Argon2 PHC string \
             ($argon2id$v=19$m=...,t=...,p=...$salt$hash)",
        ));
    }
    PasswordHash::parse(value).ok_or_else(|| {
        reject(
            "custom_password_hash.hash.value is not a complete Argon2 PHC string within \
             the limits (version 19, salt of 8 bytes or more, m at most 262144, t and p at \
             most 16)",
        )
    })
}

fn is_bcrypt(hash: &str) -> bool {
    ["$2a$", "$2b$", "$2y$"].iter().any(|p| hash.starts_with(p))
}

fn parse_bcrypt(hash: &str) -> Result<PasswordHash, Reject> {
    PasswordHash::parse(hash)
        .ok_or_else(|| reject("not a well-formed bcrypt hash with a cost from 4 to 15"))
}

/// An optional string field (`null` counts as absent).
fn string<'a>(fields: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, Reject> {
    match fields.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(reject(format!("{key} must be a string"))),
    }
}

/// An optional boolean field, false when absent.
fn boolean(fields: &Map<String, Value>, key: &str) -> Result<bool, Reject> {
    match fields.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(reject(format!("{key} must be true or false"))),
    }
}

/// An optional object field, empty when absent.
fn object(fields: &Map<String, Value>, key: &str) -> Result<Map<String, Value>, Reject> {
    match fields.get(key) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(reject(format!("{key} must be a JSON object"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_core::SystemRng;
    use serde_json::json;

    const BCRYPT: &str = "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";
    const ARGON2: &str = "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$eXV6VXJ6TnVXZ1dCU2VQd01rbGJLUmJzUm5xaVdyZGg";

    fn parse(v: Value) -> Result<Row, Reject> {
        parse_row(
            &v,
            &TenantId::default_tenant(),
            UnixTime(7),
            &SystemRng::new(),
        )
    }

    fn reason(v: Value) -> String {
        parse(v).unwrap_err().0
    }

    #[test]
    fn a_full_row_becomes_a_database_user() {
        let row = parse(json!({
            "email": " Ada@Example.com ",
            "email_verified": true,
            "user_id": "abc123",
            "given_name": "Ada",
            "family_name": "Lovelace",
            "name": "Ada Lovelace",
            "nickname": "ada",
            "picture": "https://example.com/ada.png",
            "blocked": true,
            "user_metadata": {"theme": "dark"},
            "app_metadata": {"plan": "pro"},
            "password_hash": BCRYPT,
        }))
        .unwrap();
        let u = &row.user;
        assert_eq!(u.user_id.as_str(), "auth0|abc123");
        assert_eq!(u.email, "Ada@Example.com");
        assert_eq!(u.connection, DATABASE_CONNECTION);
        assert!(u.email_verified && u.blocked);
        assert_eq!(
            (u.name.as_str(), u.nickname.as_str()),
            ("Ada Lovelace", "ada")
        );
        assert_eq!(u.picture.as_deref(), Some("https://example.com/ada.png"));
        assert_eq!(u.user_metadata, json!({"theme": "dark"}));
        assert_eq!(u.app_metadata, json!({"plan": "pro"}));
        assert_eq!(u.password_hash.as_ref().unwrap().as_str(), BCRYPT);
        assert_eq!((u.created_at, u.updated_at), (UnixTime(7), UnixTime(7)));
        let mut ignored = row.ignored.clone();
        ignored.sort_unstable();
        assert_eq!(ignored, ["family_name", "given_name"]);
    }

    #[test]
    fn a_minimal_row_gets_defaults() {
        let row = parse(json!({"email": "grace@example.com"})).unwrap();
        let u = &row.user;
        assert!(u.user_id.as_str().starts_with("auth0|"));
        assert_eq!(u.user_id.as_str().len(), "auth0|".len() + 24);
        assert_eq!(
            (u.name.as_str(), u.nickname.as_str()),
            ("grace@example.com", "grace")
        );
        assert!(!u.email_verified && !u.blocked);
        assert_eq!(u.password_hash, None);
        assert_eq!(
            (u.user_metadata.clone(), u.app_metadata.clone()),
            (json!({}), json!({}))
        );
        assert!(row.ignored.is_empty());
    }

    #[test]
    fn prefixed_ids_are_kept() {
        let row = parse(json!({"email": "a@b.co", "user_id": "auth0|5f7c8ec7"})).unwrap();
        assert_eq!(row.user.user_id.as_str(), "auth0|5f7c8ec7");
        assert_eq!(
            reason(json!({"email": "a@b.co", "user_id": ""})),
            "user_id is empty"
        );
        assert_eq!(
            reason(json!({"email": "a@b.co", "user_id": "a b"})),
            "user_id contains whitespace or control characters"
        );
    }

    #[test]
    fn argon2_variants_are_accepted() {
        for variant in ["argon2id", "argon2i", "argon2d"] {
            let value = ARGON2.replacen("argon2id", variant, 1);
            let row = parse(json!({
                "email": "a@b.co",
                "custom_password_hash": {"algorithm": "argon2", "hash": {"value": value, "encoding": "utf8"}},
            }))
            .unwrap();
            assert_eq!(row.user.password_hash.unwrap().as_str(), value);
        }
        let row = parse(json!({
            "email": "a@b.co",
            "custom_password_hash": {"algorithm": "bcrypt", "hash": {"value": BCRYPT}},
        }))
        .unwrap();
        assert_eq!(row.user.password_hash.unwrap().as_str(), BCRYPT);
    }

    #[test]
    fn bad_rows_say_why() {
        assert_eq!(reason(json!([1])), "not a JSON object");
        assert_eq!(
            reason(json!({"name": "x"})),
            "email is missing (it is required)"
        );
        assert_eq!(reason(json!({"email": 3})), "email must be a string");
        assert_eq!(
            reason(json!({"email": "nope"})),
            "not a valid email address"
        );
        assert_eq!(
            reason(json!({"email": "a@b.co", "emial_verified": true})),
            "unknown field \"emial_verified\" (not in Auth0's bulk import schema)"
        );
        assert_eq!(
            reason(json!({"email": "a@b.co", "blocked": "yes"})),
            "blocked must be true or false"
        );
        assert_eq!(
            reason(json!({"email": "a@b.co", "user_metadata": [1]})),
            "user_metadata must be a JSON object"
        );
        assert_eq!(
            reason(json!({"email": "a@b.co", "app_metadata": {"email": "x"}})),
            "app_metadata must not contain \"email\" (reserved by Auth0)"
        );
        assert_eq!(
            reason(
                json!({"email": "a@b.co", "custom_password_hash": {"algorithm": "md5", "hash": {"value": "x", "encoding": "hex"}}})
            ),
            "custom_password_hash algorithm \"md5\" is not supported (supported: bcrypt \
             and argon2); import the user without a hash and let them reset their password"
        );
        assert_eq!(
            reason(json!({"email": "a@b.co", "password_hash": ARGON2})),
            "password_hash must be a bcrypt hash ($2a$, $2b$ or $2y$); give other \
             algorithms in custom_password_hash"
        );
        assert_eq!(
            reason(json!({"email": "a@b.co", "password_hash": "$2b$10$short"})),
            "not a well-formed bcrypt hash with a cost from 4 to 15"
        );
        assert_eq!(
            reason(
                json!({"email": "a@b.co", "password_hash": BCRYPT, "custom_password_hash": {"algorithm": "bcrypt", "hash": {"value": BCRYPT}}})
            ),
            "password_hash and custom_password_hash are mutually exclusive"
        );
        assert_eq!(
            reason(
                json!({"email": "a@b.co", "custom_password_hash": {"algorithm": "argon2", "hash": {"value": ARGON2, "salt": {"value": "x"}}}})
            ),
            "custom_password_hash.hash.salt is not allowed for argon2 (the salt is part \
             of the hash value)"
        );
        assert_eq!(
            reason(
                json!({"email": "a@b.co", "custom_password_hash": {"algorithm": "argon2", "hash": {"value": ARGON2.replacen("m=1024", "m=4194304", 1)}}})
            ),
            "custom_password_hash.hash.value is not a complete Argon2 PHC string within \
             the limits (version 19, salt of 8 bytes or more, m at most 262144, t and p at \
             most 16)"
        );
        assert_eq!(
            reason(
                json!({"email": "a@b.co", "custom_password_hash": {"algorithm": "argon2", "hash": {"value": BCRYPT}}})
            ),
            "custom_password_hash.hash.value is not an Argon2 PHC string \
             ($argon2id$v=19$m=...,t=...,p=...$salt$hash)"
        );
        assert_eq!(
            reason(
                json!({"email": "a@b.co", "custom_password_hash": {"algorithm": "bcrypt", "hash": {"value": BCRYPT}, "password": {"encoding": "latin1"}}})
            ),
            "custom_password_hash.password.encoding must be \"utf8\""
        );
    }
}
