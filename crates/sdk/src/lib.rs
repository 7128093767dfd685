//! The Portcullis SDK for apps and APIs.
//!
//! Empty for now: the web-app session layer arrives with issue 5 and the JWT validation
//! layer with issue 6. The crate exists so the workspace has its final shape and an app
//! can depend on it without pulling in the server or sqlx.
