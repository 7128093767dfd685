//! A mailer that keeps what it is given, for tests. Sends nothing anywhere.

use std::sync::Mutex;

use super::{Email, MailError, Mailer};

#[derive(Debug, Default)]
pub struct RecordingMailer {
    sent: Mutex<Vec<Email>>,
}

impl RecordingMailer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every message sent so far, oldest first.
    pub fn sent(&self) -> Vec<Email> {
        self.sent.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Every message sent so far, forgetting them.
    pub fn take(&self) -> Vec<Email> {
        self.sent
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default()
    }
}

#[async_trait::async_trait]
impl Mailer for RecordingMailer {
    async fn send(&self, email: Email) -> Result<(), MailError> {
        if let Ok(mut sent) = self.sent.lock() {
            sent.push(email);
        }
        Ok(())
    }
}
