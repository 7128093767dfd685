//! Where a web session lives: in the cookie itself (stateless, nextjs-auth0 v4's
//! `__session`), or in a [`SessionStore`] with only an encrypted `{"id", "exp"}` in the
//! cookie (stateful). Both enforce the lifetimes on every read.

use std::sync::Arc;

use crate::auth0_cookie::RequestCookies;
use crate::rng::{IvFrom, Random};
use crate::session_cookie::SessionCookies;
use crate::session_store::{SessionId, SessionStore, SessionStoreError, StoredSession};

use super::{SessionData, WebError};

/// A session read from a request.
#[derive(Clone, Debug)]
pub(crate) struct Loaded {
    pub data: SessionData,
    /// The store's id (stateful sessions).
    pub id: Option<SessionId>,
}

pub(crate) struct Sessions {
    pub cookies: SessionCookies,
    pub store: Option<Arc<dyn SessionStore>>,
}

impl Sessions {
    /// Whether the request carries a session cookie at all (whole or chunked).
    /// Runs on every request: no allocation.
    pub fn has_cookie(&self, cookies: &RequestCookies<'_>) -> bool {
        let name = self.cookies.options().name.as_str();
        cookies.iter().any(|(n, _)| {
            n.strip_prefix(name)
                .is_some_and(|rest| rest.is_empty() || rest == "__0")
        })
    }

    /// The live session of the request, if any. Only a store failure is an error.
    pub async fn load(
        &self,
        cookies: &RequestCookies<'_>,
        now: i64,
    ) -> Result<Option<Loaded>, SessionStoreError> {
        let Some(store) = &self.store else {
            let data = self.cookies.read_session(cookies, now);
            return Ok(data.map(|data| Loaded { data, id: None }));
        };
        let Some(reference) = self.cookies.read_reference(cookies, now) else {
            return Ok(None);
        };
        let Ok(id) = SessionId::parse(reference.id()) else {
            return Ok(None);
        };
        let Some(stored) = store.get(&id).await? else {
            return Ok(None);
        };
        if !stored.is_live(now) {
            return Ok(None);
        }
        let Some(data) = SessionData::from_value(stored.data) else {
            return Ok(None);
        };
        if self
            .cookies
            .lifetime()
            .max_age(data.internal.created_at, now)
            == 0
        {
            return Ok(None);
        }
        Ok(Some(Loaded { data, id: Some(id) }))
    }

    /// Saves `session` (extending a rolling one) and returns the `Set-Cookie` values.
    /// A stateful session without an id gets a new one.
    pub async fn save(
        &self,
        session: &mut Loaded,
        cookies: &RequestCookies<'_>,
        now: i64,
        random: &dyn Random,
    ) -> Result<Vec<String>, WebError> {
        let iv = IvFrom(random);
        let Some(store) = &self.store else {
            return Ok(self
                .cookies
                .write(&session.data.to_value(), cookies, now, &iv)?);
        };
        let max_age = self
            .cookies
            .lifetime()
            .max_age(session.data.internal.created_at, now);
        if max_age == 0 {
            return self.destroy(Some(session), cookies).await;
        }
        let id = session
            .id
            .get_or_insert_with(|| SessionId::generate(&|b| random.fill(b)))
            .clone();
        let stored = StoredSession {
            data: session.data.to_value(),
            sid: session.data.sid().map(str::to_owned),
            sub: session.data.sub().map(str::to_owned),
            expires_at: now.saturating_add(max_age),
        };
        store.set(&id, &stored).await?;
        Ok(self
            .cookies
            .write_reference(id.as_str(), max_age, cookies, now, &iv)?)
    }

    /// Ends the session: deletes it from the store and returns the cookie deletions.
    pub async fn destroy(
        &self,
        session: Option<&Loaded>,
        cookies: &RequestCookies<'_>,
    ) -> Result<Vec<String>, WebError> {
        if let (Some(store), Some(id)) = (&self.store, session.and_then(|s| s.id.as_ref())) {
            store.delete(id).await?;
        }
        Ok(self.cookies.delete(cookies))
    }
}
