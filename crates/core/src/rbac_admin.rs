//! Roles, their permissions and members, the roles of users, and APIs (resource servers), for the Management API.
//! Part of the [`Store`](crate::Store) boundary.

use async_trait::async_trait;

#[async_trait]
pub trait RbacAdmin: Send + Sync {}
