//! The Portcullis SDK for apps and APIs.
//!
//! - [`session_store`]: where stateful web-app sessions live (memory, and behind the
//!   `sqlite`, `postgres` and `redis` features, shared stores for many instances).
//! - [`clock`]: injected time.
//!
//! The rest of the web-app session layer arrives with issue 5 and the JWT validation
//! layer with issue 6. The crate never depends on the server, and pulls in sqlx or redis
//! only when a store feature asks for it.

pub mod clock;
pub mod session_store;

pub use clock::{Clock, ManualClock, SystemClock};
pub use session_store::{SessionId, SessionStore, SessionStoreError, StoredSession};
