//! Configuration: `portcullis.toml` + `PORTCULLIS_*` environment + flags, parsed into a
//! validated [`Config`]. Precedence: flag, then environment, then file, then default.

mod email;
mod raw;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use portcullis_jose::{Algorithm, MasterKey};
use portcullis_store::DatabaseUrl;

use crate::issuer::Issuer;
pub use email::{DEFAULT_FROM, EmailConfig, SmtpSettings, SmtpTls};
pub use raw::{ENV_VARS, Flags, RawConfig, Source, unknown_env_vars};

pub const DEFAULT_LISTEN: &str = "127.0.0.1:4000";
pub const DEFAULT_DATA_DIR: &str = "./portcullis-data";
pub const DEFAULT_CONFIG_FILE: &str = "portcullis.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: {detail}", path.display())]
    File { path: PathBuf, detail: String },
    #[error("invalid {key} (from {from}): {reason}")]
    Invalid {
        key: String,
        from: Source,
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone)]
pub enum TlsMode {
    Off,
    Files {
        cert: PathBuf,
        key: PathBuf,
    },
    /// A local CA and a localhost certificate, made under the data dir on first use.
    SelfSigned,
}

/// Where the key that seals signing keys at rest comes from.
#[derive(Debug)]
pub enum MasterKeySource {
    Given(MasterKey),
    /// Read from this file; generated there (mode 0600) when it does not exist and
    /// `generate` is true.
    File {
        path: PathBuf,
        generate: bool,
    },
}

#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub body_limit: usize,
    pub header_read_timeout: Duration,
    pub request_timeout: Duration,
    pub shutdown_timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct KeysConfig {
    pub algorithm: Algorithm,
    /// `Cache-Control: max-age` of the JWKS, seconds.
    pub jwks_max_age: u32,
    /// How often an instance re-reads signing keys from the database.
    pub refresh_interval: Duration,
}

#[derive(Debug)]
pub struct Config {
    pub listen: SocketAddr,
    /// `None`: derived from the bound address once listening.
    pub public_url: Option<Issuer>,
    pub data_dir: PathBuf,
    pub database: DatabaseUrl,
    pub master_key: MasterKeySource,
    pub tls: TlsMode,
    pub log_format: LogFormat,
    pub log_level: String,
    pub http: HttpConfig,
    pub keys: KeysConfig,
    /// Where mail goes: an SMTP relay, or the log and `<data dir>/outbox/`.
    pub email: EmailConfig,
    /// Days the audit log (`/api/v2/logs`) keeps an event (default 30).
    pub log_retention_days: u32,
    /// The config file that was read, if any.
    pub file: Option<PathBuf>,
}

/// Loads the configuration from the process environment and the given flags.
pub fn load(flags: &Flags) -> Result<Config, ConfigError> {
    load_with(flags, &|name| std::env::var(name).ok())
}

/// Loads the configuration with an injected environment.
pub fn load_with(
    flags: &Flags,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ConfigError> {
    let env_layer = raw::read_env(env)?;
    let (file_path, explicit) = match (&flags.config, &env_layer.config) {
        (Some(p), _) | (None, Some(p)) => (p.clone(), true),
        (None, None) => (PathBuf::from(DEFAULT_CONFIG_FILE), false),
    };
    let file = raw::read_file(&file_path, explicit)?;
    let file_source = Source::File(file_path.clone());
    let layers = Layers {
        flags,
        env: &env_layer.raw,
        file: file.as_ref(),
        file_source: &file_source,
    };
    let mut config = layers.validate()?;
    config.file = file.is_some().then_some(file_path);
    Ok(config)
}

struct Layers<'a> {
    flags: &'a Flags,
    env: &'a RawConfig,
    file: Option<&'a RawConfig>,
    file_source: &'a Source,
}

/// The first value present, flag over environment over file.
fn pick<T: Clone>(
    flag: Option<(&T, &'static str)>,
    env: Option<(&T, &'static str)>,
    file: Option<&T>,
    file_source: &Source,
) -> Option<(T, Source)> {
    if let Some((v, name)) = flag {
        return Some((v.clone(), Source::Flag(name)));
    }
    if let Some((v, name)) = env {
        return Some((v.clone(), Source::Env(name)));
    }
    file.map(|v| (v.clone(), file_source.clone()))
}

fn invalid(key: &str, from: Source, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        from,
        reason: reason.into(),
    }
}

impl Layers<'_> {
    fn file<T>(&self, f: impl Fn(&RawConfig) -> Option<&T>) -> Option<&T> {
        self.file.and_then(f)
    }

    fn validate(&self) -> Result<Config, ConfigError> {
        let fl = self.flags;
        let env = self.env;
        let fs = self.file_source;

        let listen = match pick(
            fl.listen.as_ref().map(|v| (v, "--listen")),
            env.listen.as_ref().map(|v| (v, "PORTCULLIS_LISTEN")),
            self.file(|r| r.listen.as_ref()),
            fs,
        ) {
            None => (DEFAULT_LISTEN.to_owned(), Source::Default),
            Some(v) => v,
        };
        let listen_addr: SocketAddr = listen.0.trim().parse().map_err(|_| {
            invalid(
                "listen address",
                listen.1.clone(),
                format!("`{}` is not HOST:PORT, e.g. 127.0.0.1:4000", listen.0),
            )
        })?;

        let tls_self_signed = if fl.tls_self_signed {
            Some((true, Source::Flag("--tls-self-signed")))
        } else {
            pick(
                None,
                env.tls
                    .self_signed
                    .as_ref()
                    .map(|v| (v, "PORTCULLIS_TLS_SELF_SIGNED")),
                self.file(|r| r.tls.self_signed.as_ref()),
                fs,
            )
        };
        let cert = pick(
            fl.tls_cert.as_ref().map(|v| (v, "--tls-cert")),
            env.tls.cert.as_ref().map(|v| (v, "PORTCULLIS_TLS_CERT")),
            self.file(|r| r.tls.cert.as_ref()),
            fs,
        );
        let key = pick(
            fl.tls_key.as_ref().map(|v| (v, "--tls-key")),
            env.tls.key.as_ref().map(|v| (v, "PORTCULLIS_TLS_KEY")),
            self.file(|r| r.tls.key.as_ref()),
            fs,
        );
        let tls = match (cert, key, tls_self_signed) {
            (Some((c, cs)), _, Some((true, ss))) => {
                return Err(invalid(
                    "TLS settings",
                    cs,
                    format!(
                        "a certificate `{}` and {ss} exclude each other",
                        c.display()
                    ),
                ));
            }
            (Some((cert, _)), Some((key, _)), _) => TlsMode::Files { cert, key },
            (Some((_, s)), None, _) => {
                return Err(invalid(
                    "TLS settings",
                    s,
                    "a certificate needs a key (--tls-key)",
                ));
            }
            (None, Some((_, s)), _) => {
                return Err(invalid(
                    "TLS settings",
                    s,
                    "a key needs a certificate (--tls-cert)",
                ));
            }
            (None, None, Some((true, _))) => TlsMode::SelfSigned,
            (None, None, _) => TlsMode::Off,
        };

        let public_url = pick(
            fl.public_url.as_ref().map(|v| (v, "--public-url")),
            env.public_url
                .as_ref()
                .map(|v| (v, "PORTCULLIS_PUBLIC_URL")),
            self.file(|r| r.public_url.as_ref()),
            fs,
        )
        .map(|(v, s)| Issuer::parse(&v).map_err(|reason| invalid("public URL", s, reason)))
        .transpose()?;

        let data_dir = pick(
            fl.data_dir.as_ref().map(|v| (v, "--data-dir")),
            env.data_dir.as_ref().map(|v| (v, "PORTCULLIS_DATA_DIR")),
            self.file(|r| r.data_dir.as_ref()),
            fs,
        )
        .map_or_else(|| PathBuf::from(DEFAULT_DATA_DIR), |(v, _)| v);

        let database = match pick(
            fl.database_url.as_ref().map(|v| (v, "--database-url")),
            env.database_url
                .as_ref()
                .map(|v| (v, "PORTCULLIS_DATABASE_URL")),
            self.file(|r| r.database_url.as_ref()),
            fs,
        ) {
            None => DatabaseUrl::sqlite_file(&data_dir.join("portcullis.db")),
            Some((v, s)) => {
                DatabaseUrl::parse(&v).map_err(|e| invalid("database URL", s, e.to_string()))?
            }
        };

        let master_key = self.master_key(&data_dir)?;

        let log_format = match pick(
            fl.log_format.as_ref().map(|v| (v, "--log-format")),
            env.log_format
                .as_ref()
                .map(|v| (v, "PORTCULLIS_LOG_FORMAT")),
            self.file(|r| r.log_format.as_ref()),
            fs,
        ) {
            None => LogFormat::Pretty,
            Some((v, s)) => match v.as_str() {
                "pretty" => LogFormat::Pretty,
                "json" => LogFormat::Json,
                other => {
                    return Err(invalid(
                        "log format",
                        s,
                        format!("`{other}` is not one of: pretty, json"),
                    ));
                }
            },
        };
        let log_level = pick(
            None,
            env.log_level.as_ref().map(|v| (v, "PORTCULLIS_LOG_LEVEL")),
            self.file(|r| r.log_level.as_ref()),
            fs,
        )
        .map_or_else(|| "info".to_owned(), |(v, _)| v);

        let http = HttpConfig {
            body_limit: self.number(
                "http.body_limit",
                env.http.body_limit,
                "PORTCULLIS_HTTP_BODY_LIMIT",
                |r| r.http.body_limit,
                64 * 1024,
                1024..=64 * 1024 * 1024,
            )? as usize,
            header_read_timeout: Duration::from_secs(self.number(
                "http.header_read_timeout",
                env.http.header_read_timeout,
                "PORTCULLIS_HTTP_HEADER_READ_TIMEOUT",
                |r| r.http.header_read_timeout,
                10,
                1..=300,
            )?),
            request_timeout: Duration::from_secs(self.number(
                "http.request_timeout",
                env.http.request_timeout,
                "PORTCULLIS_HTTP_REQUEST_TIMEOUT",
                |r| r.http.request_timeout,
                30,
                1..=3600,
            )?),
            shutdown_timeout: Duration::from_secs(self.number(
                "http.shutdown_timeout",
                env.http.shutdown_timeout,
                "PORTCULLIS_HTTP_SHUTDOWN_TIMEOUT",
                |r| r.http.shutdown_timeout,
                20,
                0..=3600,
            )?),
        };

        let algorithm = match pick(
            None,
            env.keys
                .algorithm
                .as_ref()
                .map(|v| (v, "PORTCULLIS_KEYS_ALGORITHM")),
            self.file(|r| r.keys.algorithm.as_ref()),
            fs,
        ) {
            None => Algorithm::Rs256,
            Some((v, s)) => Algorithm::parse(&v).ok_or_else(|| {
                invalid(
                    "signing algorithm",
                    s,
                    format!("`{v}` is not one of: RS256, ES256, EdDSA"),
                )
            })?,
        };
        let keys = KeysConfig {
            algorithm,
            jwks_max_age: self.number(
                "keys.jwks_max_age",
                env.keys.jwks_max_age,
                "PORTCULLIS_KEYS_JWKS_MAX_AGE",
                |r| r.keys.jwks_max_age,
                300,
                0..=86_400,
            )? as u32,
            refresh_interval: Duration::from_secs(self.number(
                "keys.refresh_interval",
                env.keys.refresh_interval,
                "PORTCULLIS_KEYS_REFRESH_INTERVAL",
                |r| r.keys.refresh_interval,
                30,
                1..=3600,
            )?),
        };

        let email = email::validate(env, self.file, fs)?;
        let log_retention_days = self.number(
            "logs.retention_days",
            env.logs.retention_days,
            "PORTCULLIS_LOGS_RETENTION_DAYS",
            |r| r.logs.retention_days,
            30,
            1..=3650,
        )? as u32;

        Ok(Config {
            listen: listen_addr,
            public_url,
            data_dir,
            database,
            master_key,
            tls,
            log_format,
            log_level,
            http,
            keys,
            email,
            log_retention_days,
            file: None,
        })
    }

    fn master_key(&self, data_dir: &Path) -> Result<MasterKeySource, ConfigError> {
        let env = self.env;
        let fs = self.file_source;
        if let Some((text, s)) = pick(
            None,
            env.master_key
                .as_ref()
                .map(|v| (v, "PORTCULLIS_MASTER_KEY")),
            self.file(|r| r.master_key.as_ref()),
            fs,
        ) {
            // The error never repeats the value: it is a secret.
            return MasterKey::parse(&text)
                .map(MasterKeySource::Given)
                .map_err(|e| invalid("master key", s, e.to_string()));
        }
        Ok(
            match pick(
                None,
                env.master_key_file
                    .as_ref()
                    .map(|v| (v, "PORTCULLIS_MASTER_KEY_FILE")),
                self.file(|r| r.master_key_file.as_ref()),
                fs,
            ) {
                Some((path, _)) => MasterKeySource::File {
                    path,
                    generate: false,
                },
                None => MasterKeySource::File {
                    path: data_dir.join("master.key"),
                    generate: true,
                },
            },
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn number(
        &self,
        key: &'static str,
        env: Option<u64>,
        env_name: &'static str,
        file: impl Fn(&RawConfig) -> Option<u64>,
        default: u64,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<u64, ConfigError> {
        let (value, source) = match (env, self.file.and_then(&file)) {
            (Some(v), _) => (v, Source::Env(env_name)),
            (None, Some(v)) => (v, self.file_source.clone()),
            (None, None) => return Ok(default),
        };
        if range.contains(&value) {
            Ok(value)
        } else {
            Err(invalid(
                key,
                source,
                format!(
                    "{value} is out of range {}..={}",
                    range.start(),
                    range.end()
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests;
