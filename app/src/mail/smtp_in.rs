//! The SMTP listener of reply by e-mail (`QUORUM_INBOUND_SMTP_BIND`): enough of RFC 5321
//! for a mail system to hand over replies (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP,
//! QUIT; SIZE and 8BITMIME), no relaying and no TLS (it listens on the inside network,
//! behind the company's mail gateway). Only `reply+TOKEN@` recipients are taken; a
//! message over 10 MB is refused (552) before its handling; each message is handled
//! by `services::inbound_mail::ingest` before the listener answers, so a 250 means it
//! is recorded, and a database failure answers 451 so the sender tries again.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

use super::replies;
use crate::services::inbound_mail::{self, Inbox, IngestError, MAX_BYTES};

/// A line longer than this (commands; data lines are cut into pieces) ends the session.
const MAX_LINE: u64 = 64 * 1024;
/// A client silent this long is disconnected.
const IDLE: Duration = Duration::from_secs(300);
const MAX_RECIPIENTS: usize = 50;
/// A whole session (however many messages) ends after this: a slow client cannot keep
/// its slot.
const SESSION: Duration = Duration::from_secs(900);
const MAX_SESSIONS: usize = 64;

/// What the listener needs to hand a message over.
pub struct Listener {
    pub db: sea_orm::DatabaseConnection,
    pub key: Vec<u8>,
    pub domain: Option<String>,
    pub rate_limits: bool,
    pub verification: bool,
}

impl Listener {
    fn inbox(&self) -> Inbox<'_> {
        Inbox {
            db: &self.db,
            key: &self.key,
            domain: self.domain.as_deref(),
            rate_limits: self.rate_limits,
            verification: self.verification,
        }
    }
}

/// Accepts sessions until told to stop.
pub async fn serve(socket: TcpListener, listener: Arc<Listener>, mut stop: watch::Receiver<bool>) {
    let sessions = Arc::new(Semaphore::new(MAX_SESSIONS));
    loop {
        let accepted = tokio::select! {
            accepted = socket.accept() => accepted,
            _ = stop.changed() => return,
        };
        let Ok((stream, _)) = accepted else {
            continue;
        };
        let Ok(permit) = sessions.clone().acquire_owned().await else {
            return;
        };
        let listener = listener.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(SESSION, session(stream, &listener)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::debug!(error = %e, "an SMTP session ended early"),
                Err(_) => tracing::debug!("an SMTP session took too long and was closed"),
            }
            drop(permit);
        });
    }
}

/// Reads one line (at most `MAX_LINE` bytes), without its line ending; None at the end.
async fn line<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let read = tokio::time::timeout(
        IDLE,
        (&mut *reader).take(MAX_LINE).read_until(b'\n', &mut buf),
    )
    .await
    .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle"))??;
    if read == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    } else if read as u64 >= MAX_LINE {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "line too long",
        ));
    }
    Ok(Some(buf))
}

/// `<address>` from `FROM:<address> SIZE=…` or `TO:<address>`.
fn path_of(argument: &str) -> Option<String> {
    let start = argument.find('<')?;
    let end = argument[start..].find('>')? + start;
    Some(argument[start + 1..end].trim().to_string())
}

fn declared_size(argument: &str) -> Option<usize> {
    argument
        .split_whitespace()
        .find_map(|p| {
            p.to_ascii_uppercase()
                .strip_prefix("SIZE=")
                .map(str::to_string)
        })
        .and_then(|n| n.parse().ok())
}

async fn session(stream: TcpStream, listener: &Listener) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write.write_all(b"220 quorum ESMTP ready\r\n").await?;
    let mut from: Option<String> = None;
    let mut recipients: Vec<String> = Vec::new();
    while let Some(raw) = line(&mut reader).await? {
        let text = String::from_utf8_lossy(&raw);
        let (verb, argument) = text.split_once(' ').unwrap_or((&text, ""));
        let answer: String = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => {
                format!("250-quorum\r\n250-SIZE {MAX_BYTES}\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
            }
            "HELO" => "250 quorum\r\n".into(),
            "MAIL" => {
                if declared_size(argument).is_some_and(|n| n > MAX_BYTES) {
                    "552 5.3.4 The message is larger than 10 MB\r\n".into()
                } else {
                    match path_of(argument) {
                        Some(path) => {
                            from = Some(path);
                            recipients.clear();
                            "250 2.1.0 OK\r\n".into()
                        }
                        None => "501 5.5.4 Syntax: MAIL FROM:<address>\r\n".into(),
                    }
                }
            }
            "RCPT" => match (&from, path_of(argument)) {
                (None, _) => "503 5.5.1 MAIL first\r\n".into(),
                (_, None) => "501 5.5.4 Syntax: RCPT TO:<address>\r\n".into(),
                (Some(_), Some(_)) if recipients.len() >= MAX_RECIPIENTS => {
                    "452 4.5.3 Too many recipients\r\n".into()
                }
                (Some(_), Some(to)) => {
                    if replies::token_of(&to, listener.domain.as_deref()).is_some() {
                        recipients.push(to);
                        "250 2.1.5 OK\r\n".into()
                    } else {
                        "550 5.1.1 Not a reply address\r\n".into()
                    }
                }
            },
            "DATA" => {
                if recipients.is_empty() {
                    "503 5.5.1 RCPT first\r\n".into()
                } else {
                    write
                        .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        .await?;
                    let answer = data(&mut reader, listener, &recipients).await?;
                    from = None;
                    recipients.clear();
                    answer.into()
                }
            }
            "RSET" => {
                from = None;
                recipients.clear();
                "250 2.0.0 OK\r\n".into()
            }
            "NOOP" => "250 2.0.0 OK\r\n".into(),
            "VRFY" => "252 2.5.0 Cannot verify\r\n".into(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => "500 5.5.2 Unknown command\r\n".into(),
        };
        write.write_all(answer.as_bytes()).await?;
    }
    Ok(())
}

/// Reads a message up to the lone dot, then hands it over; the answer to DATA.
async fn data<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    listener: &Listener,
    recipients: &[String],
) -> std::io::Result<&'static str> {
    let mut message: Vec<u8> = Vec::new();
    let mut too_large = false;
    // A line longer than `MAX_LINE` comes in pieces; only a line's first piece can be
    // the end or carry a stuffed dot.
    let mut line_start = true;
    loop {
        let mut raw = Vec::new();
        let read = tokio::time::timeout(
            IDLE,
            (&mut *reader).take(MAX_LINE).read_until(b'\n', &mut raw),
        )
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle"))??;
        if read == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the message ended early",
            ));
        }
        let whole = raw.last() == Some(&b'\n');
        if whole {
            raw.pop();
            if raw.last() == Some(&b'\r') {
                raw.pop();
            }
        }
        if line_start && whole && raw == b"." {
            break;
        }
        // Dot-stuffing: a line that starts with a dot was sent with another in front.
        let content = match raw.strip_prefix(b".") {
            Some(rest) if line_start => rest,
            _ => &raw[..],
        };
        if message.len() + content.len() + 2 > MAX_BYTES {
            too_large = true;
            message = Vec::new();
        }
        if !too_large {
            message.extend_from_slice(content);
            if whole {
                message.extend_from_slice(b"\r\n");
            }
        }
        line_start = whole;
    }
    if too_large {
        return Ok("552 5.3.4 The message is larger than 10 MB\r\n");
    }
    let now = chrono::Utc::now();
    Ok(
        match inbound_mail::ingest(&listener.inbox(), &message, recipients, now).await {
            Ok(outcome) => {
                tracing::info!(?outcome, "a reply by e-mail came in");
                "250 2.0.0 OK\r\n"
            }
            Err(IngestError::Unreadable) => "554 5.6.0 The message could not be read\r\n",
            Err(IngestError::Failed(e)) => {
                tracing::warn!(error = %e, "a reply by e-mail could not be handled");
                "451 4.3.0 Try again later\r\n"
            }
        },
    )
}
