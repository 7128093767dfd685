//! The login flow of the authorization server: login transactions, the SSO session,
//! and the authorization response.

pub mod cookies;
pub mod respond;
pub mod session;
pub mod transaction;
