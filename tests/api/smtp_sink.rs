//! A real SMTP server for the mail tests: a small tokio listener on 127.0.0.1 that speaks
//! enough SMTP for lettre's client (no STARTTLS, no AUTH), records every message it is
//! handed, and can answer a temporary failure (`451 4.3.0 try later`) to the first N
//! messages. It can also be started later on a port picked beforehand, to play a server
//! that is down at first.
//!
//! `Mail` reads a received message (or an `.eml` file) the way a mail client would:
//! unfolded headers, RFC 2047 words, multipart parts, quoted-printable and base64.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Where in the conversation the sink refuses a message it was told to refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refuse {
    /// `451` to `MAIL FROM`: the message is never transmitted.
    AtMailFrom,
    /// `354` to `DATA`, then `451` once the message was transmitted: the sink saw it
    /// (recorded with `accepted: false`) but did not take responsibility for it.
    AfterData,
}

/// One message handed to the sink (or refused by it).
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    /// The envelope's recipients (`RCPT TO`), not the `To` header.
    pub recipients: Vec<String>,
    /// The message as transmitted (dot-stuffing undone); empty when refused at MAIL FROM.
    pub data: String,
    /// `250` after the data; false when the sink answered `451`.
    pub accepted: bool,
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    refusals_left: AtomicUsize,
    /// How long the sink takes to answer after a message's data (a slow server).
    delay: Duration,
}

pub struct SmtpSink {
    port: u16,
    shared: Arc<Shared>,
    acceptor: JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}

impl SmtpSink {
    /// A sink on a free port that accepts everything.
    pub async fn start() -> Self {
        Self::start_on(0, Refuse::AtMailFrom, 0).await
    }

    /// A sink on a free port that refuses the first `count` messages at `stage`.
    pub async fn refusing(stage: Refuse, count: usize) -> Self {
        Self::start_on(0, stage, count).await
    }

    /// A sink that accepts everything, but takes `delay` to answer each message's data
    /// (it records the message first): a slow server, to catch a send in flight.
    pub async fn slow(delay: Duration) -> Self {
        Self::start_with(0, Refuse::AtMailFrom, 0, delay).await
    }

    /// A port nothing listens on (yet): bound to port 0, then released.
    pub fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("picking a free port")
            .port()
    }

    /// A sink on `port` (0: any free port) refusing the first `count` messages at `stage`.
    pub async fn start_on(port: u16, stage: Refuse, count: usize) -> Self {
        Self::start_with(port, stage, count, Duration::ZERO).await
    }

    async fn start_with(port: u16, stage: Refuse, count: usize, delay: Duration) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("binding the SMTP sink");
        let port = listener.local_addr().expect("the sink's address").port();
        let shared = Arc::new(Shared {
            received: Mutex::default(),
            refusals_left: AtomicUsize::new(count),
            delay,
        });
        let for_sessions = shared.clone();
        let acceptor = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = for_sessions.clone();
                tokio::spawn(async move {
                    let _ = session(stream, &shared, stage).await;
                });
            }
        });
        Self {
            port,
            shared,
            acceptor,
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The plain, unencrypted SMTP URL of a port, as `SMTP_URL` takes it.
    pub fn url_for(port: u16) -> String {
        format!("smtp://127.0.0.1:{port}")
    }

    /// Everything handed to the sink so far, refused attempts included.
    pub fn attempts(&self) -> Vec<Received> {
        self.shared
            .received
            .lock()
            .expect("the sink's record")
            .clone()
    }

    /// The messages the sink accepted so far, parsed.
    pub fn messages(&self) -> Vec<Mail> {
        self.attempts()
            .into_iter()
            .filter(|r| r.accepted)
            .map(|r| Mail::parse(&r.data).with_recipients(r.recipients))
            .collect()
    }

    /// Waits (up to 10 s) until the sink accepted at least `n` messages; returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Mail> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            assert!(
                Instant::now() < deadline,
                "the SMTP sink accepted {} message(s) in 10 s, expected {n}: {:#?}",
                messages.len(),
                self.attempts()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits (up to 10 s) until the sink saw at least `n` attempts, refused or not.
    pub async fn wait_for_attempts(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let attempts = self.attempts();
            if attempts.len() >= n {
                return attempts;
            }
            assert!(
                Instant::now() < deadline,
                "the SMTP sink saw {} attempt(s) in 10 s, expected {n}",
                attempts.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn take_refusal(shared: &Shared) -> bool {
    shared
        .refusals_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

fn record(shared: &Shared, received: Received) {
    shared
        .received
        .lock()
        .expect("the sink's record")
        .push(received);
}

/// The address inside `<…>` after `MAIL FROM:` / `RCPT TO:`.
fn angle_address(line: &str) -> String {
    match (line.find('<'), line.rfind('>')) {
        (Some(start), Some(end)) if start < end => line[start + 1..end].to_string(),
        _ => line
            .split_once(':')
            .map(|(_, rest)| rest.trim().to_string())
            .unwrap_or_default(),
    }
}

async fn session(stream: TcpStream, shared: &Shared, stage: Refuse) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut from: Option<String> = None;
    let mut recipients: Vec<String> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if read.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line).trim_end().to_string();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &str = match verb.as_str() {
            "EHLO" => "250-sink.test greets you\r\n250 SIZE 10485760\r\n",
            "HELO" => "250 sink.test\r\n",
            "MAIL" => {
                recipients.clear();
                if stage == Refuse::AtMailFrom && take_refusal(shared) {
                    from = None;
                    record(
                        shared,
                        Received {
                            from: angle_address(&command),
                            recipients: Vec::new(),
                            data: String::new(),
                            accepted: false,
                        },
                    );
                    "451 4.3.0 try later\r\n"
                } else {
                    from = Some(angle_address(&command));
                    "250 2.1.0 OK\r\n"
                }
            }
            "RCPT" => {
                if from.is_none() {
                    "503 5.5.1 MAIL first\r\n"
                } else {
                    recipients.push(angle_address(&command));
                    "250 2.1.5 OK\r\n"
                }
            }
            "DATA" => {
                if from.is_none() || recipients.is_empty() {
                    "503 5.5.1 RCPT first\r\n"
                } else {
                    write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                    let data = read_data(&mut read).await?;
                    let accepted = !(stage == Refuse::AfterData && take_refusal(shared));
                    record(
                        shared,
                        Received {
                            from: from.take().unwrap_or_default(),
                            recipients: std::mem::take(&mut recipients),
                            data,
                            accepted,
                        },
                    );
                    tokio::time::sleep(shared.delay).await;
                    if accepted {
                        "250 2.0.0 queued\r\n"
                    } else {
                        "451 4.3.0 try later\r\n"
                    }
                }
            }
            "RSET" => {
                from = None;
                recipients.clear();
                "250 2.0.0 OK\r\n"
            }
            "NOOP" => "250 2.0.0 OK\r\n",
            "QUIT" => {
                write.write_all(b"221 2.0.0 bye\r\n").await?;
                return Ok(());
            }
            _ => "502 5.5.2 not implemented\r\n",
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

/// The message after `DATA`, up to the lone `.` line, with dot-stuffing undone.
async fn read_data(
    read: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<String> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if read.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(String::from_utf8_lossy(&data).into_owned());
        }
        let unstuffed = if line.starts_with(b"..") {
            &line[1..]
        } else {
            &line[..]
        };
        data.extend_from_slice(unstuffed);
    }
}

/// A message as a mail client reads it.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The envelope's recipients when it came through the sink.
    pub recipients: Vec<String>,
    pub raw: String,
    headers: Vec<(String, String)>,
    parts: Vec<Part>,
}

#[derive(Debug, Clone)]
pub struct Part {
    /// `text/plain`, `text/html`, … (lower case, without parameters).
    pub mime: String,
    /// The decoded body.
    pub body: String,
}

impl Mail {
    pub fn parse(raw: &str) -> Self {
        let normalized = raw.replace("\r\n", "\n");
        let (headers, body) = split_entity(&normalized);
        let mut parts = Vec::new();
        collect_parts(&headers, body, &mut parts);
        Self {
            recipients: Vec::new(),
            raw: raw.to_string(),
            headers,
            parts,
        }
    }

    fn with_recipients(mut self, recipients: Vec<String>) -> Self {
        self.recipients = recipients;
        self
    }

    /// A header's (unfolded, decoded) value; the first if repeated.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A header that must be there.
    #[track_caller]
    pub fn must(&self, name: &str) -> &str {
        self.header(name)
            .unwrap_or_else(|| panic!("no {name} header in:\n{}", self.raw))
    }

    pub fn subject(&self) -> &str {
        self.must("Subject")
    }

    pub fn message_id(&self) -> &str {
        self.must("Message-ID")
    }

    /// The bare address of the `To` header.
    pub fn to(&self) -> String {
        angle_address_or_all(self.must("To"))
    }

    /// The decoded body of the first part of this type (`text/plain`, `text/html`).
    #[track_caller]
    pub fn part(&self, mime: &str) -> &str {
        self.parts
            .iter()
            .find(|p| p.mime == mime)
            .map(|p| p.body.as_str())
            .unwrap_or_else(|| panic!("no {mime} part in:\n{}", self.raw))
    }

    pub fn text(&self) -> &str {
        self.part("text/plain")
    }

    pub fn html(&self) -> &str {
        self.part("text/html")
    }

    /// The URL inside `List-Unsubscribe: <…>`.
    #[track_caller]
    pub fn unsubscribe_url(&self) -> String {
        let value = self.must("List-Unsubscribe");
        value
            .split(',')
            .map(str::trim)
            .filter_map(|v| v.strip_prefix('<').and_then(|v| v.strip_suffix('>')))
            .find(|v| v.starts_with("http"))
            .unwrap_or_else(|| panic!("no http(s) link in List-Unsubscribe: {value}"))
            .to_string()
    }
}

fn angle_address_or_all(value: &str) -> String {
    match (value.find('<'), value.rfind('>')) {
        (Some(start), Some(end)) if start < end => value[start + 1..end].to_string(),
        _ => value.trim().to_string(),
    }
}

/// Headers (unfolded, RFC 2047 decoded) and the body of an entity (LF line ends).
fn split_entity(entity: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = if let Some(rest) = entity.strip_prefix('\n') {
        ("", rest)
    } else {
        entity.split_once("\n\n").unwrap_or((entity, ""))
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    for (_, value) in &mut headers {
        *value = decode_words(value.trim());
    }
    (headers, body)
}

fn header_of<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A parameter (`boundary`, `charset`) of a structured header value.
fn parameter(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|param| {
        let (key, val) = param.trim().split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| val.trim().trim_matches('"').to_string())
    })
}

fn collect_parts(headers: &[(String, String)], body: &str, out: &mut Vec<Part>) {
    let content_type = header_of(headers, "Content-Type").unwrap_or("text/plain");
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime.starts_with("multipart/") {
        let Some(boundary) = parameter(content_type, "boundary") else {
            return;
        };
        let delimiter = format!("--{boundary}");
        for chunk in body.split(&delimiter).skip(1) {
            if chunk.starts_with("--") {
                break;
            }
            let chunk = chunk.strip_prefix('\n').unwrap_or(chunk);
            let chunk = chunk.strip_suffix('\n').unwrap_or(chunk);
            let (part_headers, part_body) = split_entity(chunk);
            collect_parts(&part_headers, part_body, out);
        }
    } else {
        let encoding = header_of(headers, "Content-Transfer-Encoding")
            .unwrap_or("7bit")
            .to_ascii_lowercase();
        let body = match encoding.as_str() {
            "quoted-printable" => decode_quoted_printable(body),
            "base64" => decode_base64(body),
            _ => body.to_string(),
        };
        out.push(Part { mime, body });
    }
}

fn decode_base64(text: &str) -> String {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .unwrap_or_else(|e| panic!("a base64 part does not decode ({e}):\n{text}"));
    String::from_utf8_lossy(&bytes).into_owned()
}

fn decode_quoted_printable(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            if bytes.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            if let Some(hex) = text.get(i + 1..i + 3)
                && let Ok(byte) = u8::from_str_radix(hex, 16)
            {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) in a header value.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, after) = rest.split_at(start);
        let decoded = after[2..].split_once('?').and_then(|(_charset, tail)| {
            let (kind, tail) = tail.split_once('?')?;
            let (text, tail) = tail.split_once("?=")?;
            let bytes = match kind.to_ascii_lowercase().as_str() {
                "b" => base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .ok()?,
                "q" => decode_quoted_printable(&text.replace('_', " ")).into_bytes(),
                _ => return None,
            };
            Some((String::from_utf8_lossy(&bytes).into_owned(), tail))
        });
        match decoded {
            Some((word, tail)) => {
                // Whitespace between two encoded words is not part of the text.
                if !(last_was_word && before.trim().is_empty()) {
                    out.push_str(before);
                }
                out.push_str(&word);
                rest = tail;
                last_was_word = true;
            }
            None => {
                out.push_str(before);
                out.push_str("=?");
                rest = &after[2..];
                last_was_word = false;
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn mail_parser_reads_folded_encoded_multipart_messages() {
    let raw = "Subject: =?utf-8?b?W1F1b3J1bV0gUmU6IENhZsOp?=\r\n =?utf-8?q?_time?=\r\n\
               To: Bob <bob@example.com>\r\nList-Unsubscribe:\r\n <https://x/unsubscribe/1.2.abc>\r\n\
               Content-Type: multipart/alternative;\r\n boundary=\"B1\"\r\n\r\n\
               --B1\r\nContent-Type: text/plain; charset=utf-8\r\n\
               Content-Transfer-Encoding: quoted-printable\r\n\r\n> caf=C3=A9 and a lo=\r\nng line\r\n\
               --B1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\
               PHA+aGk8L3A+\r\n--B1--\r\n";
    let mail = Mail::parse(raw);
    assert_eq!(mail.subject(), "[Quorum] Re: Café time");
    assert_eq!(mail.to(), "bob@example.com");
    assert_eq!(mail.unsubscribe_url(), "https://x/unsubscribe/1.2.abc");
    assert_eq!(mail.text(), "> café and a long line");
    assert_eq!(mail.html(), "<p>hi</p>");
}
