//! The `[email]` settings: where mail (password-reset links) goes.
//!
//! - `smtp_url` (`PORTCULLIS_EMAIL_SMTP_URL`): an SMTP relay. TLS unless turned off:
//!   `smtps://user:pass@host[:465]` (TLS from the first byte), `smtp://user:pass@host[:587]`
//!   (STARTTLS, required), `smtp://host[:587]?tls=opportunistic` (STARTTLS when offered),
//!   `smtp://host[:25]?tls=none` (plaintext: a local catcher such as mailpit). User name
//!   and password are percent-decoded. Unset: every message is written to the log and to
//!   `<data dir>/outbox/` instead, for development.
//! - `from` (`PORTCULLIS_EMAIL_FROM`): the sender, `Name <address>` or `address`.
//!   Required with `smtp_url`.
//!
//! No command-line flags: an SMTP URL may hold a password, and flags are visible to every
//! user of the machine (`ps`), as for the master key.

use std::fmt;

use super::raw::{RawConfig, Source};
use super::{ConfigError, invalid, pick};

/// The sender when none is configured (the outbox only).
pub const DEFAULT_FROM: &str = "Portcullis <no-reply@localhost>";

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// TLS from the first byte (`smtps://`, port 465).
    Wrapper,
    /// STARTTLS, and the connection fails without it (`smtp://`, port 587).
    Required,
    /// STARTTLS when the server offers it (`?tls=opportunistic`).
    Opportunistic,
    /// Plaintext (`?tls=none`).
    None,
}

/// A validated SMTP relay. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailConfig {
    /// `None`: log and outbox.
    pub smtp: Option<SmtpSettings>,
    /// The `From` of every message, checked to parse as a mailbox.
    pub from: String,
}

impl SmtpSettings {
    /// Parses an SMTP URL. Errors never repeat the URL (it may hold a password).
    pub fn parse(text: &str) -> Result<SmtpSettings, String> {
        let url = url::Url::parse(text.trim())
            .map_err(|e| format!("not an smtp:// or smtps:// URL ({e})"))?;
        let mut tls_param = None;
        for (k, v) in url.query_pairs() {
            match k.as_ref() {
                "tls" if tls_param.is_none() => tls_param = Some(v.into_owned()),
                "tls" => return Err("`tls` is given twice".to_owned()),
                other => {
                    return Err(format!(
                        "unknown parameter `{other}` (the only one is tls=required|opportunistic|none)"
                    ));
                }
            }
        }
        let (tls, default_port) = match (url.scheme(), tls_param.as_deref()) {
            ("smtps", None) => (SmtpTls::Wrapper, 465),
            ("smtps", Some(_)) => {
                return Err("smtps:// is always TLS: drop the tls parameter".to_owned());
            }
            ("smtp", None | Some("required")) => (SmtpTls::Required, 587),
            ("smtp", Some("opportunistic")) => (SmtpTls::Opportunistic, 587),
            ("smtp", Some("none")) => (SmtpTls::None, 25),
            ("smtp", Some(other)) => {
                return Err(format!(
                    "tls=`{other}` is not one of: required, opportunistic, none"
                ));
            }
            (other, _) => {
                return Err(format!("the scheme `{other}` is not one of: smtp, smtps"));
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| "the URL has no host".to_owned())?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        if url.fragment().is_some() || !matches!(url.path(), "" | "/") {
            return Err("the URL must not have a path or a fragment".to_owned());
        }
        let decode = |s: &str, what: &str| {
            percent_decode(s)
                .ok_or_else(|| format!("the {what} is not valid percent-encoded UTF-8"))
        };
        let username = (!url.username().is_empty())
            .then(|| decode(url.username(), "user name"))
            .transpose()?;
        let password = url.password().map(|p| decode(p, "password")).transpose()?;
        if password.is_some() && username.is_none() {
            return Err("a password needs a user name".to_owned());
        }
        Ok(SmtpSettings {
            host,
            port: url.port().unwrap_or(default_port),
            tls,
            username,
            password,
        })
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `[email]` layer of flags (none), environment and file.
pub(super) fn validate(
    env: &RawConfig,
    file: Option<&RawConfig>,
    file_source: &Source,
) -> Result<EmailConfig, ConfigError> {
    let smtp = match pick(
        None,
        env.email
            .smtp_url
            .as_ref()
            .map(|v| (v, "PORTCULLIS_EMAIL_SMTP_URL")),
        file.and_then(|r| r.email.smtp_url.as_ref()),
        file_source,
    ) {
        None => None,
        Some((v, s)) => match SmtpSettings::parse(&v) {
            Ok(smtp) => Some((smtp, s)),
            // The reason never repeats the value: it may hold a password.
            Err(reason) => return Err(invalid("email.smtp_url", s, reason)),
        },
    };
    let from = pick(
        None,
        env.email
            .from
            .as_ref()
            .map(|v| (v, "PORTCULLIS_EMAIL_FROM")),
        file.and_then(|r| r.email.from.as_ref()),
        file_source,
    );
    let from = match (from, &smtp) {
        (Some((v, s)), _) => {
            let v = v.trim().to_owned();
            v.parse::<lettre::message::Mailbox>().map_err(|e| {
                invalid(
                    "email.from",
                    s,
                    format!("`{v}` is not a mailbox like `Acme <no-reply@acme.example>` ({e})"),
                )
            })?;
            v
        }
        (None, Some((_, s))) => {
            return Err(invalid(
                "email settings",
                s.clone(),
                "email.smtp_url needs email.from (PORTCULLIS_EMAIL_FROM), the sender, e.g. `Acme <no-reply@acme.example>`",
            ));
        }
        (None, None) => DEFAULT_FROM.to_owned(),
    };
    Ok(EmailConfig {
        smtp: smtp.map(|(s, _)| s),
        from,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(url: &str) -> SmtpSettings {
        SmtpSettings::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn schemes_ports_and_tls() {
        let s = ok("smtps://mail.example.com");
        assert_eq!((s.port, s.tls), (465, SmtpTls::Wrapper));
        let s = ok("smtp://mail.example.com");
        assert_eq!((s.port, s.tls), (587, SmtpTls::Required));
        let s = ok("smtp://mail.example.com:2525?tls=required");
        assert_eq!((s.port, s.tls), (2525, SmtpTls::Required));
        let s = ok("smtp://mail.example.com?tls=opportunistic");
        assert_eq!((s.port, s.tls), (587, SmtpTls::Opportunistic));
        let s = ok("smtp://127.0.0.1:1025?tls=none");
        assert_eq!(
            s,
            SmtpSettings {
                host: "127.0.0.1".into(),
                port: 1025,
                tls: SmtpTls::None,
                username: None,
                password: None
            }
        );
        assert_eq!(ok("smtp://[::1]:1025?tls=none").host, "::1");
    }

    #[test]
    fn credentials_are_percent_decoded_and_redacted() {
        let s = ok("smtp://apikey:p%40ss%3Aw0rd@smtp.example.com");
        assert_eq!(s.username.as_deref(), Some("apikey"));
        assert_eq!(s.password.as_deref(), Some("p@ss:w0rd"));
        let debug = format!("{s:?}");
        assert!(debug.contains("<redacted>"), "{debug}");
        assert!(!debug.contains("w0rd"), "{debug}");
    }

    #[test]
    fn bad_urls() {
        for (url, why) in [
            ("mail.example.com", "not an smtp:// or smtps:// URL"),
            ("http://mail.example.com", "the scheme `http` is not one of"),
            ("smtp://mail.example.com?tls=yes", "tls=`yes` is not one of"),
            (
                "smtps://mail.example.com?tls=none",
                "smtps:// is always TLS",
            ),
            ("smtp://mail.example.com?port=1", "unknown parameter `port`"),
            (
                "smtp://mail.example.com?tls=none&tls=required",
                "given twice",
            ),
            ("smtp://mail.example.com/x", "must not have a path"),
            (
                "smtp://:secret@mail.example.com",
                "a password needs a user name",
            ),
        ] {
            let e = SmtpSettings::parse(url).unwrap_err();
            assert!(e.contains(why), "{url}: {e}");
            assert!(!e.contains("secret"), "{url}: {e}");
        }
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    fn load(pairs: &[(&str, &str)]) -> Result<EmailConfig, String> {
        super::super::load_with(&super::super::Flags::default(), &env(pairs))
            .map(|c| c.email)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_to_the_outbox() {
        assert_eq!(
            load(&[]),
            Ok(EmailConfig {
                smtp: None,
                from: DEFAULT_FROM.to_owned()
            })
        );
    }

    #[test]
    fn smtp_from_the_environment_needs_a_sender() {
        let url = (
            "PORTCULLIS_EMAIL_SMTP_URL",
            "smtp://u:secret@mail.example.com",
        );
        assert_eq!(
            load(&[url]).unwrap_err(),
            "invalid email settings (from PORTCULLIS_EMAIL_SMTP_URL): email.smtp_url needs \
             email.from (PORTCULLIS_EMAIL_FROM), the sender, e.g. `Acme <no-reply@acme.example>`"
        );
        let c = load(&[
            url,
            ("PORTCULLIS_EMAIL_FROM", "Acme <no-reply@acme.example>"),
        ])
        .unwrap();
        assert_eq!(c.from, "Acme <no-reply@acme.example>");
        assert_eq!(c.smtp.unwrap().password.as_deref(), Some("secret"));
        let msg = load(&[url, ("PORTCULLIS_EMAIL_FROM", "not a mailbox")]).unwrap_err();
        assert!(
            msg.starts_with("invalid email.from (from PORTCULLIS_EMAIL_FROM): `not a mailbox`"),
            "{msg}"
        );
    }

    #[test]
    fn a_bad_url_is_one_line_without_the_password() {
        let msg = load(&[(
            "PORTCULLIS_EMAIL_SMTP_URL",
            "smtp://u:secret@mail.example.com?tls=yes",
        )])
        .unwrap_err();
        assert_eq!(
            msg,
            "invalid email.smtp_url (from PORTCULLIS_EMAIL_SMTP_URL): tls=`yes` is not one of: \
             required, opportunistic, none"
        );
    }

    #[test]
    fn environment_beats_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(
            &path,
            "[email]\nsmtp_url = \"smtps://file.example.com\"\nfrom = \"file@example.com\"\n",
        )
        .unwrap();
        let flags = super::super::Flags {
            config: Some(path.clone()),
            ..super::super::Flags::default()
        };
        let c = super::super::load_with(&flags, &env(&[])).unwrap().email;
        assert_eq!(
            c.smtp.as_ref().map(|s| s.host.as_str()),
            Some("file.example.com")
        );
        assert_eq!(c.from, "file@example.com");
        let e = env(&[("PORTCULLIS_EMAIL_SMTP_URL", "smtp://env.example.com:2525")]);
        let c = super::super::load_with(&flags, &e).unwrap().email;
        let smtp = c.smtp.unwrap();
        assert_eq!((smtp.host.as_str(), smtp.port), ("env.example.com", 2525));
        assert_eq!(c.from, "file@example.com");
        std::fs::write(&path, "[email]\nsmtp_url = \"ftp://x\"\n").unwrap();
        let msg = super::super::load_with(&flags, &env(&[]))
            .unwrap_err()
            .to_string();
        assert!(
            msg.starts_with("invalid email.smtp_url (from ") && msg.contains("p.toml"),
            "{msg}"
        );
    }
}
