//! Logs go to stderr; stdout is kept for what a command prints for the user.

use std::io::IsTerminal;

use portcullis_server::config::LogFormat;
use tracing_subscriber::EnvFilter;

/// PostgreSQL's notices that sqlx logs at INFO (`relation "_sqlx_migrations" already
/// exists, skipping` at every start and every `admin` command) say nothing to an operator.
const QUIET: &str = "sqlx::postgres::notice=warn";

/// `RUST_LOG` wins over the configured level.
pub fn init(format: LogFormat, level: &str) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(format!("{level},{QUIET}")))
        .unwrap_or_else(|_| EnvFilter::new(format!("info,{QUIET}")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    // A second init (tests) is harmless: keep the first subscriber.
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}
