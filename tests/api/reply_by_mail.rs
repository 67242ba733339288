//! Reply by e-mail (issue #18): notification mails carry a signed Reply-To address; a
//! real SMTP client hands replies to the app's SMTP listener, and `quorum ingest-mail`
//! reads one on stdin. A reply becomes a comment in the right thread with the quote and
//! signature cut; anything else gets a polite bounce and never a post.

use lettre::address::Envelope;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, spawn_app_with};
use crate::smtp_sink::{Mail, SmtpSink};

const BASE: &str = "https://forum.example.com";
const DOMAIN: &str = "reply.example.com";

struct Setup {
    app: TestApp,
    sink: SmtpSink,
    inbound: u16,
}

async fn setup() -> Setup {
    let sink = SmtpSink::start().await;
    let inbound = SmtpSink::free_port();
    let port = sink.port();
    let app = spawn_app_with(move |s| {
        s.smtp_url = Some(SmtpSink::url_for(port));
        s.base_url = Some(BASE.into());
        s.reply_domain = Some(DOMAIN.into());
        s.inbound_smtp_bind = Some(format!("127.0.0.1:{inbound}"));
    })
    .await;
    Setup { app, sink, inbound }
}

/// Sends `raw` over SMTP to the app's listener, as a mail system would.
async fn send(inbound: u16, from: &str, to: &str, raw: &str) -> Result<(), String> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(inbound)
        .build();
    let envelope = Envelope::new(Some(from.parse().unwrap()), vec![to.parse().unwrap()]).unwrap();
    transport
        .send_raw(&envelope, raw.as_bytes())
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// A plain-text reply as a mail client writes it.
fn plain(from: &str, to: &str, message_id: &str, text: &str) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: Re: a discussion\r\nMessage-ID: <{message_id}>\r\n\
         Date: Wed, 02 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
    )
}

/// The comments of a discussion, as a visitor reads them.
async fn comments(app: &TestApp, id: i64) -> Vec<Value> {
    app.discussion(id, None).await["comments"]
        .as_array()
        .unwrap()
        .clone()
}

/// Ann's discussion with Bob's reply, and the mail that told Ann of it.
async fn thread(s: &Setup) -> (TestUser, TestUser, i64, i64, Mail) {
    let ann = s.app.register("ann").await;
    let bob = s.app.register("bob").await;
    let id = s
        .app
        .start_discussion(&ann.token, "customers", "Shorter hold times", "Call-backs?")
        .await;
    let bobs = s
        .app
        .comment(&bob.token, id, "What about a call-back button?", None)
        .await;
    let mails = s.sink.wait_for(1).await;
    let mail = mails
        .into_iter()
        .find(|m| m.to().contains(&ann.email))
        .expect("ann is told of bob's reply");
    (ann, bob, id, bobs, mail)
}

fn reply_to(mail: &Mail) -> String {
    let header = mail.must("Reply-To");
    let address = header.trim().trim_matches(['<', '>']).to_string();
    assert!(
        address.starts_with("reply+") && address.ends_with(&format!("@{DOMAIN}")),
        "{header}"
    );
    address
}

#[tokio::test]
async fn a_reply_by_mail_becomes_a_comment_in_the_right_thread() {
    let s = setup().await;
    let (ann, _bob, id, bobs, mail) = thread(&s).await;
    let to = reply_to(&mail);
    assert!(
        mail.text()
            .contains("Reply above this line to post in the discussion"),
        "{}",
        mail.text()
    );

    let reply = plain(
        &ann.email,
        &to,
        "r1@mail.example.com",
        "Yes, **let's** try it in January.\r\n\r\n-- \r\nAnn, Customer Care\r\n\r\n\
         On Wed, 2 Dec 2026 at 09:00, Quorum <quorum@localhost> wrote:\r\n> What about a call-back button?",
    );
    send(s.inbound, &ann.email, &to, &reply).await.unwrap();
    let after = comments(&s.app, id).await;
    assert_eq!(after.len(), 2, "{after:#?}");
    let posted = &after[1];
    assert_eq!(posted["author"]["username"], "ann");
    assert_eq!(posted["body"], "Yes, **let's** try it in January.");
    assert_eq!(
        posted["parent_id"], bobs,
        "it answers the comment the mail quoted"
    );

    // The same message delivered again posts nothing more.
    send(s.inbound, &ann.email, &to, &reply).await.unwrap();
    assert_eq!(comments(&s.app, id).await.len(), 2);

    // HTML only, with an attachment: the text is posted, the attachment named, not kept.
    let boundary = "b-1";
    let html = format!(
        "From: Ann <{from}>\r\nTo: {to}\r\nSubject: Re: a discussion\r\nMessage-ID: <r2@mail.example.com>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n\
         --{boundary}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <html><body><p>Here are the <b>numbers</b>.</p><blockquote>older text</blockquote></body></html>\r\n\
         --{boundary}\r\nContent-Type: application/pdf; name=\"numbers.pdf\"\r\n\
         Content-Disposition: attachment; filename=\"numbers.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         JVBERi0xLjQK\r\n--{boundary}--\r\n",
        from = ann.email
    );
    send(s.inbound, &ann.email, &to, &html).await.unwrap();
    let after = comments(&s.app, id).await;
    assert_eq!(after.len(), 3, "{after:#?}");
    let body = after[2]["body"].as_str().unwrap();
    assert!(body.starts_with("Here are the numbers."), "{body}");
    assert!(
        body.ends_with("*Sent by e-mail; left out: numbers.pdf.*"),
        "{body}"
    );
    assert!(!body.contains("JVBER"), "{body}");
    // Nobody was bounced.
    assert!(
        s.sink
            .messages()
            .iter()
            .all(|m| !m.subject().contains("not posted")),
        "no bounce"
    );
}

/// Waits for the bounce to `to` and returns its text.
async fn bounce_to(sink: &SmtpSink, to: &str, nth: usize) -> String {
    for _ in 0..200 {
        let bounces: Vec<Mail> = sink
            .messages()
            .into_iter()
            .filter(|m| m.to().contains(to) && m.subject() == "[Quorum] Your reply was not posted")
            .collect();
        if bounces.len() > nth {
            let bounce = &bounces[nth];
            assert_eq!(bounce.must("Auto-Submitted"), "auto-replied");
            return bounce.text().to_string();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "no bounce to {to}: {:#?}",
        sink.messages()
            .iter()
            .map(Mail::subject)
            .collect::<Vec<_>>()
    );
}

/// Ann replies `text` to `to`; the `nth` bounce to her address, read.
async fn ann_bounced(
    s: &Setup,
    ann: &TestUser,
    to: &str,
    id: &str,
    text: &str,
    nth: usize,
) -> String {
    let raw = plain(&ann.email, to, &format!("{id}@x"), text);
    send(s.inbound, &ann.email, to, &raw).await.unwrap();
    bounce_to(&s.sink, &ann.email, nth).await
}

#[tokio::test]
async fn what_cannot_be_posted_is_bounced_politely_and_never_posted() {
    let s = setup().await;
    let (ann, bob, id, _bobs, mail) = thread(&s).await;
    let to = reply_to(&mail);

    // From another address than the one the notification went to.
    let other = "ann.private@elsewhere.example";
    send(
        s.inbound,
        other,
        &to,
        &plain(other, &to, "b1@x", "It's me, Ann."),
    )
    .await
    .unwrap();
    // The bounce goes to the member's own address, never to a From that anyone can write.
    let text = bounce_to(&s.sink, &ann.email, 0).await;
    assert!(
        text.contains("Replies must come from the address the notification was sent to."),
        "{text}"
    );
    assert!(text.contains("Nothing was posted."), "{text}");
    assert!(
        text.contains(&format!("{BASE}/discussions/{id}/shorter-hold-times")),
        "{text}"
    );

    // A forged token: one character changed.
    let (local, host) = to.split_once('@').unwrap();
    let last = local.chars().last().unwrap();
    let forged = format!(
        "{}{}@{host}",
        &local[..local.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    send(
        s.inbound,
        &ann.email,
        &forged,
        &plain(&ann.email, &forged, "b2@x", "Forged."),
    )
    .await
    .unwrap();
    let text = bounce_to(&s.sink, &ann.email, 1).await;
    assert!(text.contains("not one Quorum wrote"), "{text}");

    // An empty reply: only the quote.
    let text = ann_bounced(&s, &ann, &to, "b3", "On Tue, Bob wrote:\r\n> old", 2).await;
    assert!(text.contains("no text of yours"), "{text}");

    // A locked discussion.
    let moderator = s.app.register_moderator("mona").await;
    s.app
        .post_json(
            &format!("/discussions/{id}/lock"),
            moderator.auth(),
            &json!({"locked": true}),
        )
        .await
        .expect(200);
    let text = ann_bounced(&s, &ann, &to, "b4", "Still here.", 3).await;
    assert!(text.contains("The discussion is locked"), "{text}");
    s.app
        .post_json(
            &format!("/discussions/{id}/lock"),
            moderator.auth(),
            &json!({"locked": false}),
        )
        .await
        .expect(200);

    // A suspended member.
    s.app
        .post_json(
            "/members/ann/suspension",
            moderator.auth(),
            &json!({"kind": "silence", "until": "2099-01-01", "reason": "Cooling off"}),
        )
        .await
        .expect(200);
    let text = ann_bounced(&s, &ann, &to, "b5", "Let me speak.", 4).await;
    assert!(text.contains("may not post"), "{text}");

    // A forged token from a stranger's address: no bounce to a stranger.
    let stranger = "stranger@elsewhere.example";
    send(
        s.inbound,
        stranger,
        &forged,
        &plain(stranger, &forged, "b5b@x", "Hello?"),
    )
    .await
    .unwrap();

    // An auto-reply is dropped without a bounce (no mail loops).
    let auto = plain(&bob.email, &to, "b6@x", "I am out of office.").replacen(
        "MIME-Version",
        "Auto-Submitted: auto-replied\r\nMIME-Version",
        1,
    );
    send(s.inbound, &bob.email, &to, &auto).await.unwrap();

    // A recipient that is not a reply address is refused at once.
    let refused = send(
        s.inbound,
        &ann.email,
        "ann@forum.example.com",
        &plain(&ann.email, "x@y", "b7@x", "Hi"),
    )
    .await
    .unwrap_err();
    assert!(refused.contains("550"), "{refused}");

    // Over 10 MB: refused before anything is done with it.
    let big = plain(&ann.email, &to, "b8@x", &"0123456789abcdef".repeat(700_000));
    let refused = send(s.inbound, &ann.email, &to, &big).await.unwrap_err();
    assert!(
        refused.contains("552") || refused.contains("larger"),
        "{refused}"
    );

    // Nothing of it was posted; the auto-reply got no bounce.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(comments(&s.app, id).await.len(), 1);
    assert!(
        s.sink
            .messages()
            .iter()
            .all(|m| !m.to().contains(&bob.email) || !m.subject().contains("not posted"))
    );
    assert!(
        s.sink
            .messages()
            .iter()
            .all(|m| !m.to().contains(other) && !m.to().contains(stranger)),
        "nothing is mailed to an address the sender chose"
    );
}

#[tokio::test]
async fn ingest_mail_reads_one_message_on_stdin() {
    let s = setup().await;
    let (ann, _bob, id, _bobs, mail) = thread(&s).await;
    let to = reply_to(&mail);
    let run = |input: String| {
        let app = &s.app;
        async move {
            use tokio::io::AsyncWriteExt;
            let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_quorum"))
                .arg("ingest-mail")
                .env("QUORUM_DATA_DIR", app.data_dir.path())
                .env("DATABASE_URL", app.settings.database_url())
                .env("QUORUM_REPLY_DOMAIN", DOMAIN)
                .env("QUORUM_EMAIL_VERIFICATION", "off")
                .env_remove("SMTP_URL")
                .env_remove("MEILI_URL")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .unwrap();
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(input.as_bytes()).await.unwrap();
            drop(stdin);
            child.wait_with_output().await.unwrap()
        }
    };
    let out = run(plain(&ann.email, &to, "p1@x", "Posted through the pipe.")).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("posted: comment"), "{stdout}");
    let after = comments(&s.app, id).await;
    assert_eq!(after.last().unwrap()["body"], "Posted through the pipe.");

    // A bounce is a success for the MTA too.
    let out = run(plain("someone@else.example", &to, "p2@x", "Hi")).await;
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("bounced:"));

    // Only what cannot be read as e-mail fails.
    let out = run(String::new()).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not be read"));
}
