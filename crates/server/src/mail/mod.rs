//! Sending mail (password-reset and email-verification links). One [`Mailer`] per server:
//!
//! - [`SmtpMailer`] when `email.smtp_url` is set: messages are queued and a background
//!   task hands them to the relay, so a request never waits for SMTP (and how long it
//!   takes never tells whether a mail was sent: security case E.37);
//! - [`OutboxMailer`] otherwise: each message is logged (with its link) and written to
//!   `<data dir>/outbox/`, so a developer on a fresh machine can follow the link;
//! - [`RecordingMailer`] in tests.

mod messages;
mod outbox;
mod recording;
mod smtp;

use std::path::Path;
use std::sync::Arc;

use portcullis_core::{Clock, Rng};

use crate::config::EmailConfig;
use crate::error::ServerError;

pub use messages::{reset_email, signup_attempt_email, verification_email};
pub use outbox::OutboxMailer;
pub use recording::RecordingMailer;
pub use smtp::SmtpMailer;

/// One message: plain text, to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// The link the message is about (a reset link), for the development log.
    pub link: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("cannot send to `{0}`: not a valid address")]
    Address(String),
    #[error("the sender `{0}` is not a valid mailbox")]
    From(String),
    #[error("writing the outbox failed: {0}")]
    Outbox(String),
    #[error("the mail queue is full; message dropped")]
    QueueFull,
    #[error("SMTP: {0}")]
    Smtp(String),
}

#[async_trait::async_trait]
pub trait Mailer: Send + Sync + 'static {
    /// Sends `email`, or queues it for sending. An `Ok` is not proof of delivery.
    async fn send(&self, email: Email) -> Result<(), MailError>;
}

/// The mailer the configuration asks for: SMTP, or the log and `<data_dir>/outbox/`.
/// Needs a Tokio runtime (the SMTP queue runs as a task).
pub fn from_config(
    config: &EmailConfig,
    data_dir: &Path,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Rng>,
) -> Result<Arc<dyn Mailer>, ServerError> {
    Ok(match &config.smtp {
        Some(smtp) => Arc::new(
            SmtpMailer::start(smtp, &config.from)
                .map_err(|e| ServerError::Tls(format!("SMTP relay {}: {e}", smtp.host)))?,
        ),
        None => Arc::new(OutboxMailer::new(
            data_dir.join("outbox"),
            config.from.clone(),
            clock,
            rng,
        )),
    })
}

/// Tells the operator of a starting server where mail goes.
pub fn announce(config: &EmailConfig, data_dir: &Path) {
    match &config.smtp {
        Some(smtp) => tracing::info!(
            host = %smtp.host,
            port = smtp.port,
            "mail goes to the SMTP relay"
        ),
        None => tracing::warn!(
            outbox = %data_dir.join("outbox").display(),
            "no SMTP relay configured (email.smtp_url): mail, password-reset links \
             included, is written to the log and to the outbox directory"
        ),
    }
}
