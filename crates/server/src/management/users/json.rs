//! A user as the Management API shows it (Auth0's user object), and Auth0's `fields` /
//! `include_fields` selection of its members.

use portcullis_core::User;
use portcullis_core::user::rfc3339;
use serde_json::{Map, Value, json};

use crate::management::error::ApiError;
use crate::management::input::Query;

/// Auth0's user object. `identities` holds the one identity a Portcullis user has (its
/// connection); `last_login` appears once the user has logged in, `blocked` only when
/// the user is blocked (as Auth0 omits it for users never blocked). Never the password
/// hash.
pub(crate) fn user_json(u: &User) -> Value {
    let id = u.user_id.as_str();
    let (provider, local_id) = id.split_once('|').unwrap_or(("auth0", id));
    let mut m = Map::new();
    m.insert("user_id".into(), id.into());
    m.insert("email".into(), u.email.clone().into());
    m.insert("email_verified".into(), u.email_verified.into());
    m.insert("name".into(), u.name.clone().into());
    m.insert("nickname".into(), u.nickname.clone().into());
    if let Some(p) = &u.picture {
        m.insert("picture".into(), p.clone().into());
    }
    m.insert("created_at".into(), rfc3339(u.created_at.0).into());
    m.insert("updated_at".into(), rfc3339(u.updated_at.0).into());
    m.insert(
        "identities".into(),
        json!([{
            "connection": u.connection,
            "user_id": local_id,
            "provider": provider,
            "isSocial": false,
        }]),
    );
    m.insert("user_metadata".into(), u.user_metadata.clone());
    m.insert("app_metadata".into(), u.app_metadata.clone());
    if let Some(at) = u.last_login {
        m.insert("last_login".into(), rfc3339(at.0).into());
    }
    m.insert("logins_count".into(), u.logins_count.into());
    if u.blocked {
        m.insert("blocked".into(), true.into());
    }
    Value::Object(m)
}

/// `fields` (a comma-separated list of member names) and `include_fields` (default
/// true: keep only those members; false: drop them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fields {
    names: Vec<String>,
    include: bool,
}

impl Fields {
    /// Takes `fields` and `include_fields` from the query; `None` when there is no
    /// selection (no or an empty `fields`).
    pub(crate) fn take(query: &mut Query) -> Result<Option<Fields>, ApiError> {
        let fields = query.take("fields")?;
        let include = query.take_bool("include_fields")?.unwrap_or(true);
        let names: Vec<String> = fields
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect();
        Ok((!names.is_empty()).then_some(Fields { names, include }))
    }

    pub(crate) fn apply(&self, value: Value) -> Value {
        match value {
            Value::Object(m) => Value::Object(
                m.into_iter()
                    .filter(|(k, _)| self.names.iter().any(|n| n == k) == self.include)
                    .collect(),
            ),
            other => other,
        }
    }
}

/// [`user_json`] with the selection applied.
pub(crate) fn shown(u: &User, fields: Option<&Fields>) -> Value {
    let v = user_json(u);
    match fields {
        Some(f) => f.apply(v),
        None => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_select_or_drop_members() {
        let v = json!({"user_id": "auth0|1", "email": "a@b.co", "name": "A"});
        let mut q = Query::parse(Some("fields=email,%20user_id"));
        let f = Fields::take(&mut q).ok().flatten();
        assert_eq!(
            f.as_ref().map(|f| f.apply(v.clone())),
            Some(json!({"user_id": "auth0|1", "email": "a@b.co"}))
        );
        let mut q = Query::parse(Some("fields=email&include_fields=false"));
        let f = Fields::take(&mut q).ok().flatten();
        assert_eq!(
            f.map(|f| f.apply(v)),
            Some(json!({"user_id": "auth0|1", "name": "A"}))
        );
        assert_eq!(
            Fields::take(&mut Query::parse(Some("fields="))).ok(),
            Some(None)
        );
        assert!(Fields::take(&mut Query::parse(Some("include_fields=maybe"))).is_err());
    }
}
