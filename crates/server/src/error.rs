//! Errors of the server, and the one place they become HTTP.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portcullis_core::{CoreError, StoreError};
use serde_json::json;

use crate::config::ConfigError;

/// Why the server could not start or keep running.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(
        "cannot listen on {addr}: the address is already in use (choose another with --listen)"
    )]
    AddrInUse { addr: SocketAddr },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("TLS: {0}")]
    Tls(String),
    #[error("master key {}: {detail}", path.display())]
    MasterKeyFile { path: PathBuf, detail: String },
    #[error("{0} (all instances sharing a database must use the same PORTCULLIS_MASTER_KEY)")]
    WrongMasterKey(CoreError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Core(CoreError),
    #[error("data directory {}: {detail}", path.display())]
    DataDir { path: PathBuf, detail: String },
    /// A fault of Portcullis itself, not of the configuration or the database.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServerError {
    /// 2 for what the operator must fix in the configuration, 1 for the rest.
    pub fn exit_code(&self) -> u8 {
        match self {
            ServerError::Config(_)
            | ServerError::AddrInUse { .. }
            | ServerError::Bind { .. }
            | ServerError::Tls(_)
            | ServerError::MasterKeyFile { .. }
            | ServerError::WrongMasterKey(_)
            | ServerError::DataDir { .. }
            | ServerError::Store(StoreError::InvalidUrl(_)) => 2,
            ServerError::Store(_) | ServerError::Core(_) | ServerError::Internal(_) => 1,
        }
    }
}

impl From<CoreError> for ServerError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Store(s) => ServerError::Store(s),
            e @ CoreError::Key { .. } => ServerError::WrongMasterKey(e),
            e => ServerError::Core(e),
        }
    }
}

/// Auth0's error body for non-OAuth endpoints:
/// `{"statusCode":404,"error":"Not Found","message":"..."}`.
pub fn json_error(status: StatusCode, error: &str, message: &str) -> Response {
    (
        status,
        Json(json!({
            "statusCode": status.as_u16(),
            "error": error,
            "message": message,
        })),
    )
        .into_response()
}
