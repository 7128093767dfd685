//! Reading, changing and deleting users for the Management API (`/api/v2/users`).
//! Part of the [`Store`](crate::Store) boundary.

use async_trait::async_trait;

#[async_trait]
pub trait UserDirectory: Send + Sync {}
