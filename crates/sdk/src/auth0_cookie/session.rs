//! What a session cookie holds once read: which SDK wrote it, and its data.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

/// The SDK whose cookie format a session was read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionFormat {
    /// nextjs-auth0 v4 (`__session`): the v4 `SessionData` (`user`, `tokenSet`, `internal`)
    /// with `exp` in the payload.
    NextjsV4,
    /// nextjs-auth0 v3 (`appSession`): `user`, `idToken`, `accessToken`, ... in the payload;
    /// `iat`, `uat`, `exp` in the protected header.
    NextjsV3,
    /// express-openid-connect (`appSession`): `id_token`, `access_token`, ... in the payload;
    /// `iat`, `uat`, `exp` in the protected header.
    ExpressOpenidConnect,
}

/// A session read from an Auth0 SDK cookie.
#[derive(Debug)]
pub enum Auth0Session {
    /// The whole session is in the cookie.
    Stateless(SessionData),
    /// nextjs-auth0 v4 stateful sessions: the cookie holds only the id of a record in the
    /// app's session store (`{"id", "exp"}`); look it up there.
    Stateful(StatefulSessionRef),
}

impl Auth0Session {
    /// The session data when it is in the cookie.
    pub fn data(&self) -> Option<&SessionData> {
        match self {
            Auth0Session::Stateless(data) => Some(data),
            Auth0Session::Stateful(_) => None,
        }
    }

    /// True when the cookie was opened with an older secret of the key ring: the app should
    /// re-issue it with the current one.
    pub fn read_with_previous_secret(&self) -> bool {
        match self {
            Auth0Session::Stateless(data) => data.key_index > 0,
            Auth0Session::Stateful(reference) => reference.key_index > 0,
        }
    }
}

/// The data of a stateless session: the decrypted payload (a JSON object), the protected
/// header, and the format.
///
/// `Debug` shows the format, header and `sub`, never the payload (it holds tokens).
pub struct SessionData {
    pub(crate) format: SessionFormat,
    pub(crate) header: Map<String, Value>,
    pub(crate) payload: Value,
    pub(crate) key_index: usize,
}

impl SessionData {
    pub fn format(&self) -> SessionFormat {
        self.format
    }

    /// The JWE protected header (`alg`, `enc`, and for `appSession` cookies `iat`, `uat`,
    /// `exp`).
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// The decrypted payload as the SDK wrote it; always a JSON object.
    pub fn payload(&self) -> &Value {
        &self.payload
    }

    /// The `user` object (nextjs-auth0 v3 and v4; express-openid-connect keeps none: see
    /// [`SessionData::id_token_claims`]).
    pub fn user(&self) -> Option<&Map<String, Value>> {
        self.payload.get("user")?.as_object()
    }

    /// The user's `sub`: from `user`, else (express-openid-connect) from the ID token's
    /// claims, which the SDK checked when it made the session.
    pub fn sub(&self) -> Option<String> {
        if let Some(sub) = self.user().and_then(|u| u.get("sub")?.as_str()) {
            return Some(sub.to_owned());
        }
        let claims = self.id_token_claims()?;
        claims.get("sub")?.as_str().map(str::to_owned)
    }

    /// The access token, if the session holds one.
    pub fn access_token(&self) -> Option<&str> {
        self.token("accessToken", "access_token")
    }

    /// The refresh token, if the session holds one.
    pub fn refresh_token(&self) -> Option<&str> {
        self.token("refreshToken", "refresh_token")
    }

    /// The ID token, if the session holds one.
    pub fn id_token(&self) -> Option<&str> {
        self.token("idToken", "id_token")
    }

    /// When the access token expires, in seconds since the epoch.
    pub fn access_token_expires_at(&self) -> Option<i64> {
        let value = match self.format {
            SessionFormat::NextjsV4 => self.payload.get("tokenSet")?.get("expiresAt")?,
            SessionFormat::NextjsV3 => self.payload.get("accessTokenExpiresAt")?,
            SessionFormat::ExpressOpenidConnect => self.payload.get("expires_at")?,
        };
        value.as_i64()
    }

    /// The claims of the stored ID token, decoded without checking its signature: the SDK
    /// checked it when the session was made, and the cookie's encryption authenticates it
    /// since. `None` when there is no ID token or it is not a decodable JWT.
    pub fn id_token_claims(&self) -> Option<Map<String, Value>> {
        let mut parts = self.id_token()?.split('.');
        let (Some(_), Some(payload), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let json = URL_SAFE_NO_PAD.decode(payload).ok()?;
        serde_json::from_slice(&json).ok()
    }

    /// Position in the key ring of the secret that opened the cookie (0: the current one).
    pub fn key_index(&self) -> usize {
        self.key_index
    }

    fn token(&self, camel: &str, snake: &str) -> Option<&str> {
        let value = match self.format {
            SessionFormat::NextjsV4 => self.payload.get("tokenSet")?.get(camel)?,
            SessionFormat::NextjsV3 => self.payload.get(camel)?,
            SessionFormat::ExpressOpenidConnect => self.payload.get(snake)?,
        };
        value.as_str()
    }
}

impl fmt::Debug for SessionData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionData")
            .field("format", &self.format)
            .field("header", &self.header)
            .field("sub", &self.sub())
            .field("payload", &format_args!("<redacted>"))
            .field("key_index", &self.key_index)
            .finish()
    }
}

/// A nextjs-auth0 v4 stateful session cookie: the id of the session in the app's store.
///
/// `Debug` redacts the id: it is a bearer credential for the stored session.
pub struct StatefulSessionRef {
    pub(crate) id: String,
    pub(crate) exp: i64,
    pub(crate) key_index: usize,
}

impl StatefulSessionRef {
    /// The session store key.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// When the cookie expires, in seconds since the epoch.
    pub fn exp(&self) -> i64 {
        self.exp
    }

    pub fn key_index(&self) -> usize {
        self.key_index
    }
}

impl fmt::Debug for StatefulSessionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatefulSessionRef")
            .field("id", &format_args!("<redacted>"))
            .field("exp", &self.exp)
            .field("key_index", &self.key_index)
            .finish()
    }
}
