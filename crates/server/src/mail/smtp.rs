//! Mail through an SMTP relay (lettre, rustls with aws-lc-rs and the system's trust
//! store). [`Mailer::send`] only checks and queues the message; one background task
//! hands queued messages to the relay in order, so a request never waits for SMTP.
//! A message the relay refuses is logged and dropped (no retry queue).

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::mpsc;

use super::{Email, MailError, Mailer};
use crate::config::{SmtpSettings, SmtpTls};

/// Messages waiting for the relay; past this, new ones are refused (and logged).
const QUEUE: usize = 1024;
/// Connect and command timeout.
const TIMEOUT: Duration = Duration::from_secs(15);

pub struct SmtpMailer {
    from: Mailbox,
    queue: mpsc::Sender<Message>,
}

impl SmtpMailer {
    /// Builds the transport and starts the task that sends. Needs a Tokio runtime.
    pub fn start(settings: &SmtpSettings, from: &str) -> Result<SmtpMailer, MailError> {
        let from: Mailbox = from.parse().map_err(|_| MailError::From(from.to_owned()))?;
        let transport = transport(settings).map_err(|e| MailError::Smtp(e.to_string()))?;
        let (queue, mut rx) = mpsc::channel::<Message>(QUEUE);
        tokio::spawn(async move {
            while let Some(message) = rx.recv().await {
                match transport.send(message).await {
                    Ok(response) => {
                        tracing::info!(code = %response.code(), "mail handed to the SMTP relay");
                    }
                    Err(e) => tracing::warn!(error = %e, "the SMTP relay refused a mail"),
                }
            }
        });
        Ok(SmtpMailer { from, queue })
    }
}

fn transport(
    s: &SmtpSettings,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, lettre::transport::smtp::Error> {
    let tls = |host: &str| TlsParameters::new(host.to_owned());
    let tls = match s.tls {
        SmtpTls::Wrapper => Tls::Wrapper(tls(&s.host)?),
        SmtpTls::Required => Tls::Required(tls(&s.host)?),
        SmtpTls::Opportunistic => Tls::Opportunistic(tls(&s.host)?),
        SmtpTls::None => Tls::None,
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(s.host.as_str())
        .port(s.port)
        .tls(tls)
        .timeout(Some(TIMEOUT));
    if let Some(user) = &s.username {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            s.password.clone().unwrap_or_default(),
        ));
    }
    Ok(builder.build())
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: Email) -> Result<(), MailError> {
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|_| MailError::Address(email.to.clone()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(email.text)
            .map_err(|e| MailError::Smtp(e.to_string()))?;
        self.queue
            .try_send(message)
            .map_err(|_| MailError::QueueFull)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    use super::*;

    /// A one-connection SMTP server on loopback that accepts one message and returns the
    /// commands and the data it got.
    async fn fake_relay() -> (u16, tokio::task::JoinHandle<(Vec<String>, String)>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
            let (mut commands, mut data) = (Vec::new(), String::new());
            while let Some(line) = lines.next_line().await.unwrap() {
                let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
                commands.push(verb.clone());
                let reply: &[u8] = match verb.as_str() {
                    "EHLO" => b"250-fake\r\n250 8BITMIME\r\n",
                    "DATA" => {
                        write.write_all(b"354 go on\r\n").await.unwrap();
                        while let Some(l) = lines.next_line().await.unwrap() {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        b"250 queued\r\n"
                    }
                    "QUIT" => {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    }
                    _ => b"250 ok\r\n",
                };
                write.write_all(reply).await.unwrap();
            }
            (commands, data)
        });
        (port, task)
    }

    #[tokio::test]
    async fn hands_a_queued_message_to_the_relay() {
        let (port, relay) = fake_relay().await;
        let settings = SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            tls: SmtpTls::None,
            username: None,
            password: None,
        };
        let mailer = SmtpMailer::start(&settings, "Acme <no-reply@acme.test>").unwrap();
        mailer
            .send(Email {
                to: "alice@example.com".into(),
                subject: "Reset your Acme password".into(),
                text: "https://id.acme.test/u/reset-password?ticket=abc\n".into(),
                link: None,
            })
            .await
            .unwrap();
        let (commands, data) = tokio::time::timeout(Duration::from_secs(10), relay)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(commands, ["EHLO", "MAIL", "RCPT", "DATA", "QUIT"]);
        assert!(data.contains("From: Acme <no-reply@acme.test>"), "{data}");
        assert!(data.contains("To: alice@example.com"), "{data}");
        assert!(data.contains("Subject: Reset your Acme password"), "{data}");
        assert!(
            data.contains("https://id.acme.test/u/reset-password?ticket=abc"),
            "{data}"
        );
    }

    #[tokio::test]
    async fn refuses_an_address_that_is_not_one() {
        let settings = SmtpSettings {
            host: "127.0.0.1".into(),
            port: 9,
            tls: SmtpTls::Required,
            username: Some("u".into()),
            password: Some("p".into()),
        };
        let mailer = SmtpMailer::start(&settings, "no-reply@acme.test").unwrap();
        let email = Email {
            to: "not an address".into(),
            subject: "s".into(),
            text: "t".into(),
            link: None,
        };
        assert!(matches!(
            mailer.send(email).await,
            Err(MailError::Address(_))
        ));
    }
}
