//! `portcullis`: the one binary. Serve, migrate, check the configuration, manage keys,
//! administer the tenant, read and write session cookies.

mod admin;
mod apis;
mod apps;
mod args;
mod cookie;
mod import;
mod keys;
mod listing;
mod logging;
mod mgmt_client;
mod proxy;
mod roles;
mod serve;
mod tenant;
mod tenant_config;
mod token;
mod users;

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use args::{Cli, Command};

fn main() -> ExitCode {
    let started = Instant::now();
    quiet_broken_pipe();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::run(&cli.global, &args, started).await,
            Command::Migrate => serve::migrate(&cli.global).await,
            Command::CheckConfig(args) => serve::check_config(&cli.global, &args),
            Command::Keys(cmd) => keys::run(&cli.global, cmd).await,
            Command::Admin(cmd) => admin::run(&cli.global, cmd).await,
            Command::Cookie(cmd) => cookie::run(cmd),
            Command::Token(cmd) => token::run(cmd).await,
            Command::Proxy(args) => proxy::run(&cli.global, args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// `portcullis admin users list | head`: when the reader goes away, stop quietly as other
/// Unix tools do (exit 141, as if killed by SIGPIPE), instead of the panic that Rust's
/// `print!` raises on a closed pipe.
fn quiet_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

/// A failed command: one line for the operator and the exit code (2: fix the
/// configuration or the command line; 1: anything else).
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl From<portcullis_server::ServerError> for Failure {
    fn from(e: portcullis_server::ServerError) -> Self {
        Failure {
            code: e.exit_code(),
            message: one_line(&e),
        }
    }
}

impl From<portcullis_server::ConfigError> for Failure {
    fn from(e: portcullis_server::ConfigError) -> Self {
        Failure {
            code: 2,
            message: one_line(&e),
        }
    }
}

impl From<portcullis_core::StoreError> for Failure {
    fn from(e: portcullis_core::StoreError) -> Self {
        portcullis_server::ServerError::from(e).into()
    }
}

impl From<portcullis_core::CoreError> for Failure {
    fn from(e: portcullis_core::CoreError) -> Self {
        portcullis_server::ServerError::from(e).into()
    }
}

/// The error and its causes on one line.
fn one_line(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out.replace('\n', " ")
}
