//! The login transaction: what `/auth/login` must remember until `/auth/callback` (state,
//! nonce, PKCE verifier, where to go after). It lives in its own encrypted cookie,
//! `__txn_{state}` as in nextjs-auth0 v4, so logins started in parallel tabs don't
//! overwrite each other.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis_jose::{CookieKeyRing, IvSource};
use serde::{Deserialize, Serialize};

use crate::auth0_cookie::RequestCookies;
use crate::session_cookie::set_cookie;
use crate::session_cookie::{CookieOptions, V4_HEADER};

/// How long a login may take, as nextjs-auth0's transaction cookie lives: one hour.
pub const TRANSACTION_MAX_AGE: i64 = 3600;
const PREFIX: &str = "__txn_";

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Transaction {
    pub state: String,
    pub nonce: String,
    pub code_verifier: String,
    /// A same-origin path (already checked).
    pub return_to: String,
    /// Seconds since the epoch.
    pub created_at: i64,
}

impl Transaction {
    /// A new transaction; `fill` gives random bytes.
    pub fn new(fill: &dyn Fn(&mut [u8]), return_to: String, now: i64) -> Transaction {
        let random = |len: usize| {
            let mut buf = vec![0u8; len];
            fill(&mut buf);
            URL_SAFE_NO_PAD.encode(buf)
        };
        Transaction {
            state: random(32),
            nonce: random(32),
            code_verifier: random(32),
            return_to,
            created_at: now,
        }
    }

    /// The PKCE `code_challenge` (S256).
    pub fn code_challenge(&self) -> String {
        let digest =
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, self.code_verifier.as_bytes());
        URL_SAFE_NO_PAD.encode(digest.as_ref())
    }

    pub fn cookie_name(state: &str) -> String {
        format!("{PREFIX}{state}")
    }

    /// The `Set-Cookie` of this transaction.
    pub fn set_cookie(
        &self,
        keys: &CookieKeyRing,
        options: &CookieOptions,
        iv: &dyn IvSource,
    ) -> Option<String> {
        let plaintext = serde_json::to_vec(self).ok()?;
        let jwe = keys
            .current()
            .encrypt_with_header_json(V4_HEADER, &plaintext, iv)
            .ok()?;
        Some(set_cookie::set(
            &Self::cookie_name(&self.state),
            &jwe,
            &txn_options(options),
            Some(TRANSACTION_MAX_AGE),
            self.created_at,
        ))
    }

    /// The transaction for `state` in the request's cookies, if it is ours, for that
    /// state, and younger than an hour.
    pub fn read(
        cookies: &RequestCookies<'_>,
        state: &str,
        keys: &CookieKeyRing,
        now: i64,
    ) -> Option<Transaction> {
        // A state is 43 base64url characters; anything else names no cookie of ours.
        if state.is_empty() || state.len() > 64 {
            return None;
        }
        let value = cookies.get(&Self::cookie_name(state))?;
        let decrypted = keys.decrypt(value).ok()?;
        let txn: Transaction = serde_json::from_slice(&decrypted.plaintext).ok()?;
        let fresh = (txn.created_at..txn.created_at + TRANSACTION_MAX_AGE).contains(&now);
        (txn.state == state && fresh).then_some(txn)
    }

    /// Deletes the transaction cookie of `state`.
    pub fn delete_cookie(state: &str, options: &CookieOptions) -> String {
        set_cookie::delete(&Self::cookie_name(state), &txn_options(options))
    }
}

/// The session cookie's options, but always `Path=/` and `SameSite=Lax`: the callback
/// is a top-level navigation from the provider (a `Strict` cookie would not come back).
fn txn_options(options: &CookieOptions) -> CookieOptions {
    CookieOptions {
        path: "/".to_owned(),
        same_site: crate::session_cookie::SameSite::Lax,
        transient: false,
        ..options.clone()
    }
}

/// `return_to` if it is a path on this app (`/...`, not `//host` or `/\host`), else `/`.
pub(crate) fn safe_return_to(return_to: Option<&str>) -> String {
    match return_to {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && path.len() <= 2048
                && !path.chars().any(|c| c.is_control() || c == '\\') =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> CookieKeyRing {
        CookieKeyRing::from_secrets(&["0123456789abcdef0123456789abcdef"]).unwrap()
    }

    #[test]
    fn round_trip_and_refusals() {
        let fill = |b: &mut [u8]| b.fill(1);
        let txn = Transaction::new(&fill, "/profile".into(), 1000);
        let iv = |iv: &mut [u8; 12]| iv.fill(2);
        let set = txn
            .set_cookie(&keys(), &CookieOptions::default(), &iv)
            .unwrap();
        let pair = set.split(';').next().unwrap().to_owned();
        assert!(pair.starts_with(&format!("__txn_{}=", txn.state)));
        assert!(set.contains("Max-Age=3600"));
        let cookies = RequestCookies::parse(&pair);
        let back = Transaction::read(&cookies, &txn.state, &keys(), 1001).unwrap();
        assert_eq!(back.nonce, txn.nonce);
        assert_eq!(back.return_to, "/profile");
        assert!(Transaction::read(&cookies, &txn.state, &keys(), 1000 + 3600).is_none());
        assert!(Transaction::read(&cookies, "other", &keys(), 1001).is_none());
        let other = CookieKeyRing::from_secrets(&["fedcba9876543210fedcba9876543210"]).unwrap();
        assert!(Transaction::read(&cookies, &txn.state, &other, 1001).is_none());
    }

    #[test]
    fn pkce_challenge_is_rfc7636_s256() {
        // RFC 7636 appendix B.
        let txn = Transaction {
            state: String::new(),
            nonce: String::new(),
            code_verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into(),
            return_to: "/".into(),
            created_at: 0,
        };
        assert_eq!(
            txn.code_challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn return_to_stays_on_this_app() {
        assert_eq!(safe_return_to(Some("/a?b=c")), "/a?b=c");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "evil",
            "/a\\b",
            "/a\nb",
            "",
        ] {
            assert_eq!(safe_return_to(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_return_to(None), "/");
    }
}
