//! The app's own session in a cookie, as nextjs-auth0 v4 writes it (stateless sessions):
//! a Next.js app and a Rust service that share the secret share the session.
//!
//! The cookie (`__session` by default) is a JWE (`dir` + A256GCM, header
//! `{"enc":"A256GCM","alg":"dir"}`) of the v4 `SessionData` (`user`, `tokenSet`,
//! `internal`, and the app's own fields) plus `exp`. Past 3,500 bytes it is split into
//! `__session__0`, `__session__1`, ...; a write deletes the cookies of the other shape
//! (the whole cookie, or chunks past the new count) that the request still carries.
//!
//! `exp` is when the session ends ([`Lifetime::max_age`]): rolling sessions are extended
//! by the inactivity duration at each write, never past the absolute duration after
//! `internal.createdAt`. Reading enforces it (with nextjs-auth0's 15 s tolerance), so
//! both lifetimes hold on every read.

mod options;
pub(crate) mod set_cookie;
#[cfg(test)]
mod tests;

use portcullis_jose::{CookieKeyRing, IvSource};
use serde_json::Value;

pub use options::{CookieOptions, DEFAULT_ABSOLUTE, DEFAULT_INACTIVITY, Lifetime, SameSite};

use crate::SdkError;
use crate::auth0_cookie::chunks::{self, ChunkStyle};
use crate::auth0_cookie::{
    Auth0Session, ReaderConfig, RequestCookies, SessionFormat, StatefulSessionRef,
};
use crate::web::V4Payload;

/// The largest cookie value before the session is chunked, as nextjs-auth0 v4 splits.
pub const MAX_CHUNK: usize = 3500;
/// The protected header nextjs-auth0 v4 writes, byte for byte.
pub(crate) const V4_HEADER: &str = r#"{"enc":"A256GCM","alg":"dir"}"#;

/// Reads and writes the session cookie.
#[derive(Debug)]
pub struct SessionCookies {
    reader: ReaderConfig,
    options: CookieOptions,
    lifetime: Lifetime,
}

impl SessionCookies {
    /// Encrypts with the first key of `keys` and reads with any of them (secret rotation).
    pub fn new(
        keys: CookieKeyRing,
        options: CookieOptions,
        lifetime: Lifetime,
    ) -> Result<SessionCookies, SdkError> {
        options.validate()?;
        let reader = ReaderConfig::new(keys)
            .with_v4_cookie(Some(options.name.clone()))
            .with_app_session_cookie(None);
        Ok(SessionCookies {
            reader,
            options,
            lifetime,
        })
    }

    pub fn options(&self) -> &CookieOptions {
        &self.options
    }

    pub fn lifetime(&self) -> &Lifetime {
        &self.lifetime
    }

    /// The keys: the first encrypts, all of them read.
    pub fn keys(&self) -> &CookieKeyRing {
        self.reader.keys()
    }

    /// The session in the request's cookies, with its `exp`; `None` when there is none or
    /// it is expired, tampered, truncated or not ours. `now`: seconds since the epoch.
    pub fn read(&self, cookies: &RequestCookies<'_>, now: i64) -> Option<Value> {
        match crate::auth0_cookie::read_session_from(cookies, &self.reader, now)? {
            Auth0Session::Stateless(data) if data.format() == SessionFormat::NextjsV4 => {
                Some(data.payload().clone())
            }
            _ => None,
        }
    }

    /// The `Set-Cookie` values that store `session` (a v4 `SessionData` object; its
    /// `exp`, if any, is replaced) at `now`, replacing what `cookies` (the request's)
    /// hold. A session past its absolute lifetime is deleted instead.
    pub fn write(
        &self,
        session: &Value,
        cookies: &RequestCookies<'_>,
        now: i64,
        iv: &dyn IvSource,
    ) -> Result<Vec<String>, SdkError> {
        let Value::Object(fields) = session else {
            return Err(SdkError::InvalidSession(
                "the session must be a JSON object",
            ));
        };
        let created_at = session["internal"]["createdAt"].as_i64().unwrap_or(now);
        let max_age = self.lifetime.max_age(created_at, now);
        self.write_payload(fields, max_age, cookies, now, iv)
    }

    /// The session in the request's cookies as typed data, read in one pass (the fast
    /// path of [`SessionCookies::read`]): `None` when there is none, or it is expired,
    /// tampered, truncated, not ours, or not a v4 stateless session.
    pub fn read_session(
        &self,
        cookies: &RequestCookies<'_>,
        now: i64,
    ) -> Option<crate::web::SessionData> {
        let name = self.options.name.as_str();
        let value = chunks::assemble(cookies, name, ChunkStyle::DoubleUnderscore)?;
        let decrypted = self.reader.keys.decrypt(&value).ok()?;
        let payload: V4Payload = serde_json::from_slice(&decrypted.plaintext).ok()?;
        let tolerance = crate::auth0_cookie::V4_CLOCK_TOLERANCE_SECS;
        if payload.exp <= now.saturating_sub(tolerance)
            || payload
                .nbf
                .is_some_and(|nbf| nbf > now.saturating_add(tolerance))
        {
            return None;
        }
        Some(payload.data)
    }

    /// The stateful session reference (`{"id", "exp"}`) in the request's cookies;
    /// `None` when there is none, it is expired or tampered, or it is a stateless session.
    pub fn read_reference(
        &self,
        cookies: &RequestCookies<'_>,
        now: i64,
    ) -> Option<StatefulSessionRef> {
        match crate::auth0_cookie::read_session_from(cookies, &self.reader, now)? {
            Auth0Session::Stateful(reference) => Some(reference),
            Auth0Session::Stateless(_) => None,
        }
    }

    /// The `Set-Cookie` values of a stateful session's reference: `{"id", "exp"}` as
    /// nextjs-auth0 v4 writes it, living `max_age` seconds from `now`.
    pub fn write_reference(
        &self,
        id: &str,
        max_age: i64,
        cookies: &RequestCookies<'_>,
        now: i64,
        iv: &dyn IvSource,
    ) -> Result<Vec<String>, SdkError> {
        let mut payload = serde_json::Map::new();
        payload.insert("id".to_owned(), id.into());
        self.write_payload(&payload, max_age, cookies, now, iv)
    }

    /// Encrypts `fields` plus `exp = now + max_age` into the cookie (chunked when large);
    /// `max_age` 0 deletes it instead.
    fn write_payload(
        &self,
        fields: &serde_json::Map<String, Value>,
        max_age: i64,
        cookies: &RequestCookies<'_>,
        now: i64,
        iv: &dyn IvSource,
    ) -> Result<Vec<String>, SdkError> {
        if max_age <= 0 {
            return Ok(self.delete(cookies));
        }
        let mut payload = fields.clone();
        payload.insert("exp".to_owned(), now.saturating_add(max_age).into());
        let plaintext = serde_json::to_vec(&payload).map_err(portcullis_jose::JoseError::from)?;
        let jwe = self
            .reader
            .keys
            .current()
            .encrypt_with_header_json(V4_HEADER, &plaintext, iv)?;
        let cookie_age = (!self.options.transient).then_some(max_age);
        let name = self.options.name.as_str();
        let mut out = Vec::new();
        if jwe.len() <= MAX_CHUNK {
            out.push(set_cookie::set(name, &jwe, &self.options, cookie_age, now));
            out.extend(self.stale_chunks(cookies, 0));
        } else {
            let mut count = 0;
            // The JWE is ASCII (base64url and dots), so any byte offset is a boundary.
            for (i, chunk) in jwe.as_bytes().chunks(MAX_CHUNK).enumerate() {
                let value = std::str::from_utf8(chunk).unwrap_or_default();
                let chunk_name = format!("{name}__{i}");
                out.push(set_cookie::set(
                    &chunk_name,
                    value,
                    &self.options,
                    cookie_age,
                    now,
                ));
                count = i + 1;
            }
            if cookies.get(name).is_some() {
                out.push(set_cookie::delete(name, &self.options));
            }
            out.extend(self.stale_chunks(cookies, count));
        }
        Ok(out)
    }

    /// The `Set-Cookie` values that end the session: the cookie and every chunk the
    /// request carries.
    pub fn delete(&self, cookies: &RequestCookies<'_>) -> Vec<String> {
        let mut out = vec![set_cookie::delete(
            self.options.name.as_str(),
            &self.options,
        )];
        out.extend(self.stale_chunks(cookies, 0));
        out
    }

    /// Deletions of the chunks in `cookies` numbered `from` or more.
    fn stale_chunks(&self, cookies: &RequestCookies<'_>, from: usize) -> Vec<String> {
        let prefix = format!("{}__", self.options.name.as_str());
        let mut stale: Vec<(usize, &str)> = cookies
            .iter()
            .filter_map(|(name, _)| {
                let index = name.strip_prefix(&prefix)?;
                let n: usize = index.parse().ok()?;
                (index.bytes().all(|b| b.is_ascii_digit()) && n >= from).then_some((n, name))
            })
            .collect();
        stale.sort_unstable();
        stale.dedup();
        stale
            .into_iter()
            .map(|(_, name)| set_cookie::delete(name, &self.options))
            .collect()
    }
}
