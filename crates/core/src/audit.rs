//! The audit log: what happened in a tenant, as Auth0's log events (`/api/v2/logs`),
//! with Auth0's event type codes. Part of the [`Store`](crate::Store) boundary
//! ([`AuditLog`]).

use async_trait::async_trait;

use crate::clock::UnixTime;
use crate::ids::TenantId;
use crate::paging::{Page, PageRequest};
use crate::rng::{Rng, random_b64url};
use crate::store::StoreError;

/// Auth0's log event types that Portcullis records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// `s`: Success Login.
    SuccessLogin,
    /// `f`: Failed Login (wrong password, unknown user or blocked user).
    FailedLogin,
    /// `ss`: Success Signup.
    SuccessSignup,
    /// `fs`: Failed Signup.
    FailedSignup,
    /// `slo`: Success Logout.
    SuccessLogout,
    /// `sapi`: Success API Operation (a Management API write).
    SuccessApiOperation,
    /// `fapi`: Failed API Operation.
    FailedApiOperation,
    /// `ferrt`: Failed Exchange, Rotating Refresh Token (reuse detected: the family is
    /// revoked).
    RefreshTokenReuse,
    /// `limit_wc`: an account blocked for too many failed logins from one address.
    BlockedAccount,
    /// `scp`: Success Change Password (a password reset completed).
    SuccessChangePassword,
}

impl EventType {
    pub const ALL: [EventType; 10] = [
        EventType::SuccessLogin,
        EventType::FailedLogin,
        EventType::SuccessSignup,
        EventType::FailedSignup,
        EventType::SuccessLogout,
        EventType::SuccessApiOperation,
        EventType::FailedApiOperation,
        EventType::RefreshTokenReuse,
        EventType::BlockedAccount,
        EventType::SuccessChangePassword,
    ];

    /// Auth0's code.
    pub fn code(self) -> &'static str {
        match self {
            EventType::SuccessLogin => "s",
            EventType::FailedLogin => "f",
            EventType::SuccessSignup => "ss",
            EventType::FailedSignup => "fs",
            EventType::SuccessLogout => "slo",
            EventType::SuccessApiOperation => "sapi",
            EventType::FailedApiOperation => "fapi",
            EventType::RefreshTokenReuse => "ferrt",
            EventType::BlockedAccount => "limit_wc",
            EventType::SuccessChangePassword => "scp",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// One event. Never holds a secret: no passwords, tokens or request bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEvent {
    pub tenant_id: TenantId,
    /// Unique in the tenant; sorts after every earlier event's id ([`LogEvent::new`]).
    pub log_id: String,
    pub date: UnixTime,
    pub event_type: EventType,
    pub description: String,
    pub client_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub user_id: Option<String>,
    /// The email the user gave (for failed logins, what was typed).
    pub user_name: Option<String>,
    /// A JSON object with more about the event.
    pub details: serde_json::Value,
}

impl LogEvent {
    /// An event at `date` with nothing but its type and description; fill in the rest.
    /// The id is the date and `seq` (both zero-padded, so ids sort by date, then by
    /// `seq`: give events of one second increasing numbers) and 72 random bits, which
    /// keep ids of different instances apart.
    pub fn new(
        tenant_id: TenantId,
        date: UnixTime,
        seq: u64,
        event_type: EventType,
        description: impl Into<String>,
        rng: &dyn Rng,
    ) -> Self {
        LogEvent {
            tenant_id,
            log_id: format!("{:012}{:016x}{}", date.0.max(0), seq, random_b64url(rng, 9)),
            date,
            event_type,
            description: description.into(),
            client_id: None,
            ip: None,
            user_agent: None,
            user_id: None,
            user_name: None,
            details: serde_json::Value::Object(serde_json::Map::new()),
        }
    }
}

/// Which events to list: all filters must hold. Newest first unless `oldest_first`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogQuery {
    pub event_type: Option<EventType>,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    pub oldest_first: bool,
}

#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Stores an event. `Conflict` when the tenant has its `log_id` already.
    async fn insert_log_event(&self, event: &LogEvent) -> Result<(), StoreError>;
    /// One page of the tenant's events matching `query`, and how many match.
    async fn log_events(
        &self,
        tenant: &TenantId,
        query: &LogQuery,
        page: PageRequest,
    ) -> Result<Page<LogEvent>, StoreError>;
    /// Up to `take` events after the event `from` (oldest first; Auth0's checkpoint
    /// paging), or the oldest ones when `from` is `None`.
    async fn log_events_after(
        &self,
        tenant: &TenantId,
        from: Option<&str>,
        take: u32,
    ) -> Result<Vec<LogEvent>, StoreError>;
    async fn log_event(
        &self,
        tenant: &TenantId,
        log_id: &str,
    ) -> Result<Option<LogEvent>, StoreError>;
    /// Deletes, in every tenant, the events dated before `before`. Returns how many.
    async fn delete_log_events_before(&self, before: UnixTime) -> Result<u64, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SystemRng;

    #[test]
    fn codes_round_trip_and_ids_sort_by_date() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.code()), Some(t));
        }
        assert_eq!(EventType::parse("x"), None);
        let rng = SystemRng::new();
        let at = |date, seq| {
            LogEvent::new(
                TenantId::default_tenant(),
                UnixTime(date),
                seq,
                EventType::FailedLogin,
                "",
                &rng,
            )
        };
        let (a, b, c) = (at(999, 7), at(1000, 2), at(1000, 3));
        assert!(a.log_id < b.log_id);
        assert!(b.log_id < c.log_id);
        assert_eq!(&a.log_id[..28], "0000000009990000000000000007");
        assert_eq!(a.log_id.len(), 40);
    }
}
