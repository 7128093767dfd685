//! Applications, client grants and tenant settings, for the Management API.
//! Part of the [`Store`](crate::Store) boundary.

use async_trait::async_trait;

#[async_trait]
pub trait ConfigAdmin: Send + Sync {}
