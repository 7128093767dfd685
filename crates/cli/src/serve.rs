//! `portcullis serve`, `migrate` and `check-config`.

use std::time::Instant;

use portcullis_server::config::{self, Config, TlsMode};
use portcullis_server::{Issuer, prepare};

use crate::args::{GlobalArgs, ServeArgs};
use crate::{Failure, admin, logging};

/// Loads and validates the configuration, and starts logging as it says.
pub fn load_config(global: &GlobalArgs, serve: &ServeArgs) -> Result<Config, Failure> {
    let config = config::load(&global.flags(serve))?;
    logging::init(config.log_format, &config.log_level);
    for name in config::unknown_env_vars(std::env::vars().map(|(k, _)| k)) {
        tracing::warn!(variable = %name, "ignoring unknown PORTCULLIS_ environment variable (a typo?)");
    }
    Ok(config)
}

/// The issuer a command outside `serve` works with: the public URL, or the one `serve`
/// would derive from the listen address.
pub fn issuer_of(config: &Config) -> Issuer {
    config
        .public_url
        .clone()
        .unwrap_or_else(|| Issuer::from_listen(config.listen, !matches!(config.tls, TlsMode::Off)))
}

pub async fn run(global: &GlobalArgs, args: &ServeArgs, started: Instant) -> Result<(), Failure> {
    let config = load_config(global, args)?;
    let database = config.database.redacted();
    let prepared = prepare(config).await?;
    if let Some(report) = &prepared.bootstrap {
        admin::print_bootstrap(report, prepared.issuer());
    }
    if let Some(files) = &prepared.self_signed {
        tracing::info!(
            ca = %files.ca.display(),
            "serving https with a local CA; trust it with NODE_EXTRA_CA_CERTS={}",
            files.ca.display()
        );
    }
    tracing::info!(
        address = %prepared.local_addr(),
        issuer = %prepared.issuer(),
        database = %database,
        startup_ms = started.elapsed().as_millis() as u64,
        "Portcullis is listening on {}; discovery at {}",
        prepared.local_addr(),
        prepared.issuer().join(".well-known/openid-configuration"),
    );
    prepared.serve(shutdown_signal()).await;
    tracing::info!("stopped");
    Ok(())
}

pub async fn migrate(global: &GlobalArgs) -> Result<(), Failure> {
    let config = load_config(global, &ServeArgs::default())?;
    portcullis_server::run::create_data_dir(&config.data_dir)?;
    portcullis_store::migrate(&config.database).await?;
    println!(
        "database schema is up to date: {}",
        config.database.redacted()
    );
    Ok(())
}

pub fn check_config(global: &GlobalArgs, args: &ServeArgs) -> Result<(), Failure> {
    let config = load_config(global, args)?;
    if let TlsMode::Files { cert, key } = &config.tls {
        portcullis_server::tls::server_config(cert, key)?;
    }
    match &config.file {
        Some(path) => println!("configuration OK ({})", path.display()),
        None => println!("configuration OK (no config file; flags, environment and defaults)"),
    }
    println!("  listen        {}", config.listen);
    println!("  issuer        {}", issuer_of(&config));
    println!("  database      {}", config.database.redacted());
    println!("  data dir      {}", config.data_dir.display());
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("received SIGINT"),
        () = terminate => tracing::info!("received SIGTERM"),
    }
}
