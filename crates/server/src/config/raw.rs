//! The raw layers of configuration: the TOML file, `PORTCULLIS_*` environment variables
//! and command-line flags, before validation. Every value remembers where it came from,
//! so an error can name it.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ConfigError;

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    File(PathBuf),
    Env(&'static str),
    Flag(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File(p) => write!(f, "{}", p.display()),
            Source::Env(name) => f.write_str(name),
            Source::Flag(name) => f.write_str(name),
        }
    }
}

/// The settings of the file, which is also the shape of every other layer.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub listen: Option<String>,
    pub public_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub master_key: Option<String>,
    pub master_key_file: Option<PathBuf>,
    pub log_format: Option<String>,
    pub log_level: Option<String>,
    #[serde(default)]
    pub tls: RawTls,
    #[serde(default)]
    pub http: RawHttp,
    #[serde(default)]
    pub keys: RawKeys,
    #[serde(default)]
    pub email: RawEmail,
    #[serde(default)]
    pub logs: RawLogs,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTls {
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub self_signed: Option<bool>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHttp {
    /// Bytes.
    pub body_limit: Option<u64>,
    /// Seconds.
    pub header_read_timeout: Option<u64>,
    pub request_timeout: Option<u64>,
    pub shutdown_timeout: Option<u64>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKeys {
    pub algorithm: Option<String>,
    /// Seconds.
    pub jwks_max_age: Option<u64>,
    pub refresh_interval: Option<u64>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmail {
    pub smtp_url: Option<String>,
    pub from: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLogs {
    /// Days the audit log keeps an event.
    pub retention_days: Option<u64>,
}

/// Values given on the command line (`None` when a flag was not given).
#[derive(Debug, Default, Clone)]
pub struct Flags {
    pub config: Option<PathBuf>,
    pub listen: Option<String>,
    pub public_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub tls_self_signed: bool,
    pub log_format: Option<String>,
}

/// Environment variables read, with the setting each one fills.
pub const ENV_VARS: &[&str] = &[
    "PORTCULLIS_CONFIG",
    "PORTCULLIS_LISTEN",
    "PORTCULLIS_PUBLIC_URL",
    "PORTCULLIS_DATA_DIR",
    "PORTCULLIS_DATABASE_URL",
    "PORTCULLIS_MASTER_KEY",
    "PORTCULLIS_MASTER_KEY_FILE",
    "PORTCULLIS_LOG_FORMAT",
    "PORTCULLIS_LOG_LEVEL",
    "PORTCULLIS_TLS_CERT",
    "PORTCULLIS_TLS_KEY",
    "PORTCULLIS_TLS_SELF_SIGNED",
    "PORTCULLIS_HTTP_BODY_LIMIT",
    "PORTCULLIS_HTTP_HEADER_READ_TIMEOUT",
    "PORTCULLIS_HTTP_REQUEST_TIMEOUT",
    "PORTCULLIS_HTTP_SHUTDOWN_TIMEOUT",
    "PORTCULLIS_KEYS_ALGORITHM",
    "PORTCULLIS_KEYS_JWKS_MAX_AGE",
    "PORTCULLIS_KEYS_REFRESH_INTERVAL",
    "PORTCULLIS_EMAIL_SMTP_URL",
    "PORTCULLIS_EMAIL_FROM",
    "PORTCULLIS_LOGS_RETENTION_DAYS",
    // Read by `portcullis admin ... --url` (remote administration), not by the server.
    "PORTCULLIS_ADMIN_URL",
    "PORTCULLIS_ADMIN_CLIENT_ID",
    "PORTCULLIS_ADMIN_CLIENT_SECRET",
];

/// The file layer. `explicit` is true when the path was asked for (a missing file is
/// then an error); the default `./portcullis.toml` is read only if it exists.
pub fn read_file(path: &Path, explicit: bool) -> Result<Option<RawConfig>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => return Ok(None),
        Err(e) => {
            return Err(ConfigError::File {
                path: path.to_owned(),
                detail: e.to_string(),
            });
        }
    };
    parse_toml(&text, path).map(Some)
}

pub fn parse_toml(text: &str, path: &Path) -> Result<RawConfig, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let message = e.message().trim().replace('\n', " ");
        ConfigError::File {
            path: path.to_owned(),
            detail: match line {
                Some(l) => format!("line {l}: {message}"),
                None => message,
            },
        }
    })
}

/// The environment layer, read through `get` so tests can give their own environment.
pub fn read_env(get: &dyn Fn(&str) -> Option<String>) -> Result<EnvLayer, ConfigError> {
    let s = |name: &str| get(name).filter(|v| !v.is_empty());
    let num = |name: &'static str, key: &str| -> Result<Option<u64>, ConfigError> {
        s(name)
            .map(|v| {
                v.trim().parse::<u64>().map_err(|_| ConfigError::Invalid {
                    key: key.to_owned(),
                    from: Source::Env(name),
                    reason: format!("`{v}` is not a whole number"),
                })
            })
            .transpose()
    };
    let self_signed = match s("PORTCULLIS_TLS_SELF_SIGNED").as_deref().map(str::trim) {
        None => None,
        Some("1" | "true" | "yes" | "on") => Some(true),
        Some("0" | "false" | "no" | "off") => Some(false),
        Some(other) => {
            return Err(ConfigError::Invalid {
                key: "tls.self_signed".to_owned(),
                from: Source::Env("PORTCULLIS_TLS_SELF_SIGNED"),
                reason: format!("`{other}` is not true or false"),
            });
        }
    };
    Ok(EnvLayer {
        config: s("PORTCULLIS_CONFIG").map(PathBuf::from),
        raw: RawConfig {
            listen: s("PORTCULLIS_LISTEN"),
            public_url: s("PORTCULLIS_PUBLIC_URL"),
            data_dir: s("PORTCULLIS_DATA_DIR").map(PathBuf::from),
            database_url: s("PORTCULLIS_DATABASE_URL"),
            master_key: s("PORTCULLIS_MASTER_KEY"),
            master_key_file: s("PORTCULLIS_MASTER_KEY_FILE").map(PathBuf::from),
            log_format: s("PORTCULLIS_LOG_FORMAT"),
            log_level: s("PORTCULLIS_LOG_LEVEL"),
            tls: RawTls {
                cert: s("PORTCULLIS_TLS_CERT").map(PathBuf::from),
                key: s("PORTCULLIS_TLS_KEY").map(PathBuf::from),
                self_signed,
            },
            http: RawHttp {
                body_limit: num("PORTCULLIS_HTTP_BODY_LIMIT", "http.body_limit")?,
                header_read_timeout: num(
                    "PORTCULLIS_HTTP_HEADER_READ_TIMEOUT",
                    "http.header_read_timeout",
                )?,
                request_timeout: num("PORTCULLIS_HTTP_REQUEST_TIMEOUT", "http.request_timeout")?,
                shutdown_timeout: num("PORTCULLIS_HTTP_SHUTDOWN_TIMEOUT", "http.shutdown_timeout")?,
            },
            keys: RawKeys {
                algorithm: s("PORTCULLIS_KEYS_ALGORITHM"),
                jwks_max_age: num("PORTCULLIS_KEYS_JWKS_MAX_AGE", "keys.jwks_max_age")?,
                refresh_interval: num("PORTCULLIS_KEYS_REFRESH_INTERVAL", "keys.refresh_interval")?,
            },
            email: RawEmail {
                smtp_url: s("PORTCULLIS_EMAIL_SMTP_URL"),
                from: s("PORTCULLIS_EMAIL_FROM"),
            },
            logs: RawLogs {
                retention_days: num("PORTCULLIS_LOGS_RETENTION_DAYS", "logs.retention_days")?,
            },
        },
    })
}

pub struct EnvLayer {
    pub config: Option<PathBuf>,
    pub raw: RawConfig,
}

/// `PORTCULLIS_*` variables that mean nothing to Portcullis (likely typos). Variables of
/// the test suite (`PORTCULLIS_TEST_*`) are not reported.
pub fn unknown_env_vars(vars: impl Iterator<Item = String>) -> Vec<String> {
    let mut unknown: Vec<String> = vars
        .filter(|k| k.starts_with("PORTCULLIS_") && !k.starts_with("PORTCULLIS_TEST_"))
        .filter(|k| !ENV_VARS.contains(&k.as_str()))
        .collect();
    unknown.sort();
    unknown
}
