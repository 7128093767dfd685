//! The session of a logged-in user, in nextjs-auth0 v4's `SessionData` shape, so a
//! Next.js app and a Rust service that share the cookie secret read the same session.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A session: the user's claims, the tokens, the SDK's bookkeeping, and the app's own
/// fields (kept as they are, next to the three of nextjs-auth0).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionData {
    /// The user's claims from the ID token ([`USER_CLAIMS`]).
    pub user: Map<String, Value>,
    #[serde(rename = "tokenSet")]
    pub token_set: TokenSet,
    pub internal: Internal,
    /// The app's own fields ([`crate::web::Auth0Client::update_session`]).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// nextjs-auth0 v4's `TokenSet`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenSet {
    pub access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// When the access token expires, seconds since the epoch.
    pub expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
}

/// nextjs-auth0 v4's `internal`: the provider's session id and when the session began.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Internal {
    /// The ID token's `sid`, for back-channel logout (nextjs-auth0 writes `""` without one).
    pub sid: String,
    /// Seconds since the epoch; the absolute lifetime counts from here.
    pub created_at: i64,
}

/// The ID token claims a session keeps as `user`: nextjs-auth0 v4's
/// `DEFAULT_ID_TOKEN_CLAIMS`, so both SDKs store the same user.
pub const USER_CLAIMS: [&str; 11] = [
    "sub",
    "name",
    "nickname",
    "given_name",
    "family_name",
    "picture",
    "email",
    "email_verified",
    "org_id",
    "act",
    "urn:auth0:my_org_current_user_permissions",
];

impl SessionData {
    /// The user part of a session from validated ID token claims ([`USER_CLAIMS`]).
    pub fn user_from_claims(claims: &Map<String, Value>) -> Map<String, Value> {
        claims
            .iter()
            .filter(|(k, _)| USER_CLAIMS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The user's `sub`.
    pub fn sub(&self) -> Option<&str> {
        self.user.get("sub").and_then(Value::as_str)
    }

    /// The provider's session id, if the ID token had one.
    pub fn sid(&self) -> Option<&str> {
        Some(self.internal.sid.as_str()).filter(|s| !s.is_empty())
    }

    /// Parses a v4 cookie payload or stored session; `exp` (the cookie's) is dropped.
    pub fn from_value(mut value: Value) -> Option<SessionData> {
        if let Value::Object(fields) = &mut value {
            fields.remove("exp");
        }
        serde_json::from_value(value).ok()
    }

    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// A nextjs-auth0 v4 stateless cookie payload: the session plus the JWT times, read in
/// one pass (no intermediate `serde_json::Value` of the whole payload).
pub(crate) struct V4Payload {
    pub exp: i64,
    pub nbf: Option<i64>,
    pub data: SessionData,
}

impl<'de> Deserialize<'de> for V4Payload {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(V4Visitor)
    }
}

struct V4Visitor;

impl<'de> serde::de::Visitor<'de> for V4Visitor {
    type Value = V4Payload;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a nextjs-auth0 v4 session payload")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<V4Payload, A::Error> {
        use serde::de::Error as _;
        let (mut user, mut token_set, mut internal) = (None, None, None);
        let (mut exp, mut nbf) = (None, None);
        let mut extra = Map::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "user" => user = Some(map.next_value()?),
                "tokenSet" => token_set = Some(map.next_value()?),
                "internal" => internal = Some(map.next_value()?),
                "exp" => exp = Some(map.next_value::<i64>()?),
                "nbf" => nbf = Some(map.next_value::<i64>()?),
                // Checked to be an integer, as the Value reader does; not kept.
                "iat" => {
                    map.next_value::<i64>()?;
                }
                _ => {
                    extra.insert(key.into_owned(), map.next_value()?);
                }
            }
        }
        Ok(V4Payload {
            exp: exp.ok_or_else(|| A::Error::missing_field("exp"))?,
            nbf,
            data: SessionData {
                user: user.ok_or_else(|| A::Error::missing_field("user"))?,
                token_set: token_set.ok_or_else(|| A::Error::missing_field("tokenSet"))?,
                internal: internal.ok_or_else(|| A::Error::missing_field("internal"))?,
                extra,
            },
        })
    }
}

impl std::fmt::Debug for SessionData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionData")
            .field("sub", &self.sub())
            .field("token_set", &self.token_set)
            .field("internal", &self.internal)
            .field("extra", &format_args!("<{} fields>", self.extra.len()))
            .finish()
    }
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_the_v4_shape_with_app_fields() {
        let v = json!({
            "user": {"sub": "auth0|1", "email": "a@example.com"},
            "tokenSet": {"accessToken": "at", "idToken": "it", "refreshToken": "rt",
                          "expiresAt": 1_800_000_000, "scope": "openid"},
            "internal": {"sid": "s1", "createdAt": 1_799_000_000},
            "theme": "dark",
            "exp": 1_800_000_100
        });
        let s = SessionData::from_value(v.clone()).unwrap();
        assert_eq!(s.sub(), Some("auth0|1"));
        assert_eq!(s.sid(), Some("s1"));
        assert_eq!(s.extra.get("theme"), Some(&json!("dark")));
        let mut expected = v;
        expected.as_object_mut().unwrap().remove("exp");
        assert_eq!(s.to_value(), expected);
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("rt\"") && !shown.contains("\"at\""),
            "{shown}"
        );
    }

    #[test]
    fn the_one_pass_reader_agrees_with_the_value_reader() {
        let v = json!({
            "user": {"sub": "auth0|1"},
            "tokenSet": {"accessToken": "at", "expiresAt": 5},
            "internal": {"sid": "", "createdAt": 1},
            "cart": [1, 2],
            "exp": 100, "iat": 1, "nbf": 2
        });
        let typed: V4Payload = serde_json::from_value(v.clone()).unwrap();
        assert_eq!((typed.exp, typed.nbf), (100, Some(2)));
        let mut without_times = v.clone();
        for k in ["iat", "nbf"] {
            without_times.as_object_mut().unwrap().remove(k);
        }
        assert_eq!(Some(typed.data), SessionData::from_value(without_times));
        for bad in [
            json!({"exp": "100"}),
            json!({"exp": 1.5}),
            json!({"iat": "x"}),
            json!({"user": 1}),
        ] {
            let mut broken = v.clone();
            for (k, x) in bad.as_object().unwrap() {
                broken[k] = x.clone();
            }
            assert!(
                serde_json::from_value::<V4Payload>(broken).is_err(),
                "{bad}"
            );
        }
        let mut no_exp = v;
        no_exp.as_object_mut().unwrap().remove("exp");
        assert!(serde_json::from_value::<V4Payload>(no_exp).is_err());
    }

    #[test]
    fn user_keeps_the_nextjs_auth0_claims_only() {
        let claims = json!({"sub": "u", "iss": "i", "aud": "a", "nonce": "n", "sid": "s",
                            "name": "N", "email": "e", "exp": 1, "iat": 1});
        let user = SessionData::user_from_claims(claims.as_object().unwrap());
        assert_eq!(
            Value::Object(user),
            json!({"sub": "u", "name": "N", "email": "e"})
        );
    }
}
