//! Brute-force throttling: failed token requests per client address, failed passwords
//! per account and address (Auth0's brute-force protection) and per address overall.
//!
//! - `/oauth/token` ([`Throttle::check_token`], [`Throttle::token_failed`]): each
//!   `invalid_client` / `invalid_grant` spends from a per-address budget
//!   ([`Limits::token`], by default 30 at once, then one more every 2 s: 30 a minute).
//!   A spent budget answers 429 before the body is parsed or anything is looked up.
//!   A success costs one lookup in a sharded map and changes nothing. Outcomes are
//!   counted when known, so requests already in flight when the budget runs out still
//!   finish: the overshoot is bounded by the concurrency of one client, and every
//!   secret is ≥ 128 random bits.
//! - Passwords ([`Throttle::begin_password`]): every password path (today `/u/login`;
//!   a password grant later) reserves its attempt **before** the Argon2 verify, as a
//!   failure, so parallel guesses all count (Keycloak #31726). A success gives the
//!   reservation back and resets the account's streak from that address. Ten
//!   consecutive failures for one account from one address block that pair for 15
//!   minutes ([`Limits::login_account`]); other addresses are not affected, so an
//!   attacker cannot lock the real user out. Per address, 100 failures at once, then
//!   one more every 36 s, across all accounts ([`Limits::login_ip`]).
//!
//! Time comes from the injected [`Clock`]. The counters live in this process's memory:
//! several instances each count on their own (a client that spreads its attempts over
//! N instances gets N times the budget). Each table holds at most
//! [`Limits::max_entries`] entries: when full it drops idle entries, then partial
//! counts, keeping blocks; a key that still finds no room is not tracked (fails open)
//! until the next second's sweep. The hash keys come from the OS (`RandomState`), not
//! the injected `Rng`: they only decide placement, never an outcome.

mod client_ip;
mod table;

use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::Clock;
use portcullis_core::user::normalize_email;

pub use client_ip::ClientIp;
use table::{Budget, Streak, Table};
pub use table::{Lockout, Rate};

/// The limits; [`Limits::default`] is what the server runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `/oauth/token`: failed client authentications and grants per client address.
    pub token: Rate,
    /// Passwords: consecutive failures for one account from one address.
    pub login_account: Lockout,
    /// Passwords: failures from one address, whatever the account.
    pub login_ip: Rate,
    /// Entries each of the three tables keeps at most (about 50 bytes each).
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            token: Rate {
                burst: 30,
                interval_secs: 2,
            },
            login_account: Lockout {
                max_failures: 10,
                block_secs: 15 * 60,
                forget_after_secs: 60 * 60,
            },
            login_ip: Rate {
                burst: 100,
                interval_secs: 36,
            },
            max_entries: 50_000,
        }
    }
}

/// Why an attempt was refused, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub reason: Reason,
    /// Seconds until an attempt may be allowed again (at least 1): `Retry-After`.
    pub retry_after: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Too many failed token requests from this address.
    Token,
    /// Too many consecutive failed passwords for this account from this address.
    Account,
    /// Too many failed passwords from this address.
    Address,
}

impl Refused {
    fn new(reason: Reason, retry_after: u64) -> Self {
        Refused {
            reason,
            retry_after: retry_after.max(1),
        }
    }

    /// The `Retry-After` header value.
    pub fn retry_after_header(&self) -> (header::HeaderName, HeaderValue) {
        (header::RETRY_AFTER, HeaderValue::from(self.retry_after))
    }
}

/// The limiter every throttled path shares; one per server (in [`crate::state`]).
pub struct Throttle {
    clock: Arc<dyn Clock>,
    token: Table<Budget>,
    login_ip: Table<Budget>,
    login_account: Table<Streak>,
    /// Two independent keyed hashes make the 128-bit key of an (address, account)
    /// pair, so a long email address costs no memory.
    account_keys: (RandomState, RandomState),
}

impl Throttle {
    pub fn new(clock: Arc<dyn Clock>, limits: Limits) -> Self {
        Throttle {
            clock,
            token: Table::new(limits.token, limits.max_entries),
            login_ip: Table::new(limits.login_ip, limits.max_entries),
            login_account: Table::new(limits.login_account, limits.max_entries),
            account_keys: (RandomState::new(), RandomState::new()),
        }
    }

    fn now(&self) -> i64 {
        self.clock.now().0
    }

    /// Whether `/oauth/token` may serve a request from `ip`. One map lookup, no
    /// allocation.
    pub fn check_token(&self, ip: ClientIp) -> Result<(), Refused> {
        let now = self.now();
        let rate = &self.token.policy;
        match self
            .token
            .existing(ip.key(), now, |b| b.refused_for(rate, now))
        {
            Some(Some(wait)) => Err(Refused::new(Reason::Token, wait)),
            _ => Ok(()),
        }
    }

    /// Counts a failed token request (`invalid_client`, `invalid_grant`) from `ip`.
    pub fn token_failed(&self, ip: ClientIp) {
        let now = self.now();
        let rate = &self.token.policy;
        let started = self.token.upsert(
            ip.key(),
            now,
            || Budget::new(now),
            |b| {
                b.spend(rate, now);
                b.refused_for(rate, now).is_some()
            },
        );
        if started == Some(true) {
            tracing::warn!(event = "api_limit", ip = %ip.0, "token endpoint: too many failures from this address");
        }
    }

    /// Reserves one password attempt for `email` (normalized here) from `ip`, counted
    /// as a failure until [`PasswordAttempt::succeeded`]. Refused when the address or
    /// the (account, address) pair is blocked; a refused attempt is not counted.
    /// The answer does not depend on whether the account exists.
    pub fn begin_password(
        &self,
        ip: ClientIp,
        email: &str,
    ) -> Result<PasswordAttempt<'_>, Refused> {
        let now = self.now();
        let ip_key = ip.key();
        let account = self.account_key(ip_key, &normalize_email(email));
        let rate = &self.login_ip.policy;
        let by_ip = self.login_ip.upsert(
            ip_key,
            now,
            || Budget::new(now),
            |b| match b.refused_for(rate, now) {
                Some(wait) => Err(wait),
                None => {
                    b.spend(rate, now);
                    Ok(b.refused_for(rate, now).is_some())
                }
            },
        );
        let ip_counted = match by_ip {
            Some(Err(wait)) => return Err(Refused::new(Reason::Address, wait)),
            Some(Ok(started)) => {
                if started {
                    tracing::warn!(event = "limit_mu", ip = %ip.0, "login: too many failed passwords from this address");
                }
                true
            }
            None => false,
        };
        let lockout = &self.login_account.policy;
        let by_account = self
            .login_account
            .upsert(account, now, Streak::default, |s| s.try_fail(lockout, now));
        match by_account {
            Some(Err(wait)) => {
                if ip_counted {
                    self.refund_ip(ip_key, now);
                }
                Err(Refused::new(Reason::Account, wait))
            }
            Some(Ok(started)) => {
                if started {
                    tracing::warn!(event = "limit_wc", ip = %ip.0, "login: account blocked from this address after consecutive failures");
                }
                Ok(PasswordAttempt {
                    throttle: self,
                    ip_key: ip_counted.then_some(ip_key),
                    account,
                })
            }
            None => Ok(PasswordAttempt {
                throttle: self,
                ip_key: ip_counted.then_some(ip_key),
                account,
            }),
        }
    }

    fn refund_ip(&self, ip_key: u128, now: i64) {
        let rate = &self.login_ip.policy;
        self.login_ip.existing(ip_key, now, |b| b.refund(rate));
    }

    fn account_key(&self, ip_key: u128, email: &str) -> u128 {
        let (a, b) = &self.account_keys;
        let high = a.hash_one((ip_key, email));
        let low = b.hash_one((ip_key, email));
        (u128::from(high) << 64) | u128::from(low)
    }

    /// Entries held by the three tables, for tests and metrics.
    pub fn entries(&self) -> usize {
        self.token.len() + self.login_ip.len() + self.login_account.len()
    }
}

/// A password attempt reserved as a failure. Dropping it (a wrong password, an error,
/// a client that went away mid-verify) leaves it counted.
#[must_use = "call succeeded() when the password matched"]
pub struct PasswordAttempt<'a> {
    throttle: &'a Throttle,
    ip_key: Option<u128>,
    account: u128,
}

impl PasswordAttempt<'_> {
    /// The password matched: the account's streak from this address starts over, and
    /// the reservation is given back to the address.
    pub fn succeeded(self) {
        self.throttle.login_account.remove(self.account);
        if let Some(ip_key) = self.ip_key {
            self.throttle.refund_ip(ip_key, self.throttle.now());
        }
    }
}

/// The token endpoint's 429: Auth0's error shape, `Retry-After`, never cached.
pub fn too_many_requests(refused: &Refused) -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [
            refused.retry_after_header(),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::PRAGMA, HeaderValue::from_static("no-cache")),
        ],
        Json(serde_json::json!({
            "error": "too_many_requests",
            "error_description": TOKEN_THROTTLED,
        })),
    )
        .into_response()
}

/// The description of the token endpoint's 429.
pub const TOKEN_THROTTLED: &str = "Too many failed requests from this address. Try again later.";

#[cfg(test)]
mod tests;
