//! Reading the session cookie that an Auth0 SDK app wrote, given its secret.
//!
//! A Rust service next to a Next.js app (nextjs-auth0 v3 or v4) or an Express app
//! (express-openid-connect) on the same site receives that app's session cookie. With the
//! app's secret (`AUTH0_SECRET` / `secret`) it can read the session: the user and tokens.
//!
//! - nextjs-auth0 v4: `__session`, or chunks `__session__0`, `__session__1`, ...; the payload
//!   is the v4 `SessionData` plus `exp` (15 s clock tolerance). A stateful v4 cookie holds
//!   only `{"id", "exp"}`, read as [`Auth0Session::Stateful`].
//! - nextjs-auth0 v3 and express-openid-connect: `appSession`, or chunks `appSession.0`, ...;
//!   `iat`, `uat`, `exp` in the protected header, checked against the rolling and absolute
//!   durations.
//!
//! In axum handlers, [`Auth0AppSession`] extracts it (with a [`CookieReader`] in the
//! app state).
//!
//! Reading is a pure function of the `Cookie` header, the configuration and the time. A
//! missing, tampered, truncated, expired, oversized or undecryptable cookie is simply no
//! session (`None`), never an error and never a panic.
//!
//! ```
//! use portcullis_sdk::auth0_cookie::{read_session, ReaderConfig};
//!
//! let config = ReaderConfig::from_secrets(&["the app's AUTH0_SECRET"])?;
//! let now = 1_800_000_000; // seconds since the epoch, from the app's clock
//! assert!(read_session("theme=dark; __session=not-a-jwe", &config, now).is_none());
//! # Ok::<(), portcullis_sdk::SdkError>(())
//! ```

pub(crate) mod chunks;
mod config;
mod extract;
mod read;
mod request_cookies;
mod session;

pub use config::{
    CookieName, DEFAULT_ABSOLUTE_DURATION, DEFAULT_ROLLING_DURATION, ReaderConfig,
    V4_CLOCK_TOLERANCE_SECS,
};
pub use extract::{Auth0AppSession, CookieReader};
pub use request_cookies::{MAX_COOKIE_HEADER_LEN, MAX_COOKIES, RequestCookies};
pub use session::{Auth0Session, SessionData, SessionFormat, StatefulSessionRef};

use chunks::ChunkStyle;

/// The session in a request's `Cookie` header, if any; `now` is seconds since the epoch.
///
/// The nextjs-auth0 v4 cookie is tried first, then `appSession`.
pub fn read_session(cookie_header: &str, config: &ReaderConfig, now: i64) -> Option<Auth0Session> {
    read_session_from(&RequestCookies::parse(cookie_header), config, now)
}

/// [`read_session`] for cookies already parsed (several `Cookie` headers, or an extractor
/// that also reads other cookies).
pub fn read_session_from(
    cookies: &RequestCookies<'_>,
    config: &ReaderConfig,
    now: i64,
) -> Option<Auth0Session> {
    let v4 = config.v4_cookie.as_ref().and_then(|name| {
        let value = chunks::assemble(cookies, name.as_str(), ChunkStyle::DoubleUnderscore)?;
        read::read_v4(&value, config, now)
    });
    v4.or_else(|| {
        let name = config.app_session_cookie.as_ref()?;
        let value = chunks::assemble(cookies, name.as_str(), ChunkStyle::Dot)?;
        read::read_app_session(&value, config, now)
    })
}
