//! The mailer of a server without an SMTP relay: every message is logged (info, with its
//! link) and written as a `.eml` file to the outbox directory (0700, files 0600: the
//! links in them are live credentials), so a developer can follow a reset link.

use std::path::PathBuf;
use std::sync::Arc;

use portcullis_core::{Clock, Rng};

use super::{Email, MailError, Mailer};

pub struct OutboxMailer {
    dir: PathBuf,
    from: String,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Rng>,
}

impl OutboxMailer {
    pub fn new(dir: PathBuf, from: String, clock: Arc<dyn Clock>, rng: Arc<dyn Rng>) -> Self {
        OutboxMailer {
            dir,
            from,
            clock,
            rng,
        }
    }

    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// The message as an RFC 5322 text: headers (control characters removed, so no
    /// value can add a header) and the body with CRLF line ends.
    fn render(&self, email: &Email) -> String {
        let date = time::OffsetDateTime::from_unix_timestamp(self.clock.now().0)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc2822)
                    .ok()
            })
            .unwrap_or_default();
        let mut out = String::new();
        for (name, value) in [
            ("From", self.from.as_str()),
            ("To", email.to.as_str()),
            ("Subject", email.subject.as_str()),
            ("Date", date.as_str()),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "8bit"),
        ] {
            out.push_str(name);
            out.push_str(": ");
            out.extend(value.chars().filter(|c| !c.is_control()));
            out.push_str("\r\n");
        }
        out.push_str("\r\n");
        for line in email.text.lines() {
            out.push_str(line);
            out.push_str("\r\n");
        }
        out
    }

    async fn write(&self, email: &Email) -> Result<PathBuf, std::io::Error> {
        let mut suffix = [0u8; 6];
        self.rng.fill(&mut suffix);
        let hex: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
        let dir = self.dir.clone();
        let path = dir.join(format!("{}-{hex}.eml", self.clock.now().0));
        let text = self.render(email);
        tokio::task::spawn_blocking(move || {
            use std::io::Write;
            let mut dirs = std::fs::DirBuilder::new();
            dirs.recursive(true);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
                dirs.mode(0o700);
                options.mode(0o600);
            }
            dirs.create(&dir)?;
            let mut file = options.open(&path)?;
            file.write_all(text.as_bytes())?;
            Ok(path)
        })
        .await
        .map_err(std::io::Error::other)?
    }
}

#[async_trait::async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, email: Email) -> Result<(), MailError> {
        let written = self.write(&email).await;
        let file = written
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        tracing::info!(
            to = %email.to,
            subject = %email.subject,
            link = email.link.as_deref().unwrap_or(""),
            file = %file,
            "mail (no SMTP relay configured; see the outbox)"
        );
        written
            .map(|_| ())
            .map_err(|e| MailError::Outbox(format!("{}: {e}", self.dir.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_core::{ManualClock, SystemRng, UnixTime};

    fn mailer(dir: PathBuf) -> OutboxMailer {
        OutboxMailer::new(
            dir,
            "Acme <no-reply@acme.test>".into(),
            Arc::new(ManualClock::new(UnixTime(1_700_000_000))),
            Arc::new(SystemRng::new()),
        )
    }

    #[tokio::test]
    async fn writes_one_private_eml_file_per_message() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("outbox");
        let m = mailer(dir.clone());
        let email = Email {
            to: "alice@example.com\r\nBcc: evil@example.com".into(),
            subject: "Reset your password".into(),
            text: "Hello\nhttps://id.example/u/reset-password?ticket=abc\n".into(),
            link: Some("https://id.example/u/reset-password?ticket=abc".into()),
        };
        m.send(email.clone()).await.unwrap();
        m.send(email).await.unwrap();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert_eq!(files.len(), 2);
        let name = files[0].file_name().unwrap().to_str().unwrap().to_owned();
        assert!(
            name.starts_with("1700000000-") && name.ends_with(".eml"),
            "{name}"
        );
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert_eq!(
            text,
            "From: Acme <no-reply@acme.test>\r\n\
             To: alice@example.comBcc: evil@example.com\r\n\
             Subject: Reset your password\r\n\
             Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: 8bit\r\n\
             \r\n\
             Hello\r\n\
             https://id.example/u/reset-password?ticket=abc\r\n"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }

    #[tokio::test]
    async fn an_unwritable_outbox_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("not-a-dir");
        std::fs::write(&file, b"x").unwrap();
        let m = mailer(file.join("outbox"));
        let email = Email {
            to: "a@b.co".into(),
            subject: "s".into(),
            text: "t".into(),
            link: None,
        };
        assert!(matches!(m.send(email).await, Err(MailError::Outbox(_))));
    }
}
