//! `quorum import discourse EXPORT`: a Discourse backup's PostgreSQL dump (the backup's
//! `.tar.gz`, its `dump.sql.gz`, or a plain `dump.sql`) brought in as zones, members,
//! discussions, threaded replies, upvotes and recognised answers.
//!
//! - Categories become zones (a zone with the same slug is used as it is); categories
//!   with restricted reading, and their topics, stay out: everything in Quorum is
//!   open to every member.
//! - Users become members without a password and with the address unconfirmed: they
//!   get in through a password reset or single sign-on. A member with the same address
//!   is used as they are. Roles are not brought over; admins give them in Quorum.
//! - Regular topics become discussions (post 1 is the body; closed is locked, pinned
//!   is pinned, unlisted is hidden, views are kept); regular posts become replies under
//!   the post they answered; likes become upvotes with their reputation; a solved
//!   topic's answer is recognised. Private messages, whispers, small actions and
//!   deleted posts stay out.
//! - Times are kept. Nothing is mailed, notified or sent to webhooks: this is history.
//! - `import_links` records what each row became, so a second run changes nothing,
//!   a later export adds only what is new, and a post whose text changed is updated.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use super::seed_bench::bar;
use anyhow::Context;
use chrono::{DateTime, NaiveDateTime, Utc};
use entity::{comment, discussion, import_link, member, reputation_event, vote, zone};
use sea_orm::ExprTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use sha2::{Digest, Sha256};

use crate::config::Settings;
use crate::db;
use crate::domain::{BODY_MAX, TITLE_MAX};
use crate::markdown;
use crate::services::ledger::{RULES, kind};

const SOURCE: &str = "discourse";
/// Discourse's like.
const LIKE: &str = "2";
/// Discourse's regular post type.
const REGULAR: &str = "1";

/// One table of a dump: its columns and rows (None: SQL NULL).
#[derive(Debug, Default)]
pub struct Table {
    columns: Vec<String>,
    rows: Vec<Vec<Option<String>>>,
}

impl Table {
    fn col(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// Each row as a lookup by column name.
    fn records(&self) -> impl Iterator<Item = Record<'_>> {
        self.rows.iter().map(move |row| Record { table: self, row })
    }
}

#[derive(Clone, Copy)]
struct Record<'a> {
    table: &'a Table,
    row: &'a [Option<String>],
}

impl Record<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        let i = self.table.col(name)?;
        self.row.get(i)?.as_deref()
    }

    fn id(&self, name: &str) -> Option<i64> {
        self.get(name)?.parse().ok()
    }

    fn flag(&self, name: &str) -> bool {
        self.get(name) == Some("t")
    }

    fn time(&self, name: &str) -> Option<DateTime<Utc>> {
        let raw = self.get(name)?;
        DateTime::parse_from_rfc3339(raw)
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .or_else(|| {
                NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S%.f")
                    .ok()
                    .map(|t| t.and_utc())
            })
    }
}

/// The tables of a pg_dump's `COPY … FROM stdin;` blocks, for the named tables.
pub fn parse_dump(text: &str, wanted: &[&str]) -> HashMap<String, Table> {
    let mut tables: HashMap<String, Table> = HashMap::new();
    let mut current: Option<(String, Table)> = None;
    for line in text.lines() {
        if let Some((name, table)) = current.as_mut() {
            if line == "\\." {
                if let Some((name, table)) = current.take() {
                    tables.insert(name, table);
                }
                continue;
            }
            // The rows of a table that is not wanted are passed over, not kept.
            if !name.is_empty() {
                table.rows.push(line.split('\t').map(copy_field).collect());
            }
            continue;
        }
        let Some(rest) = line.strip_prefix("COPY ") else {
            continue;
        };
        let Some((name, rest)) = rest.split_once(' ') else {
            continue;
        };
        let name = name.rsplit('.').next().unwrap_or(name).trim_matches('"');
        if !wanted.contains(&name) {
            // Its rows are passed over (an empty name).
            current = Some((String::new(), Table::default()));
            continue;
        }
        let columns = rest
            .split_once('(')
            .and_then(|(_, r)| r.split_once(')'))
            .map(|(cols, _)| {
                cols.split(',')
                    .map(|c| c.trim().trim_matches('"').to_string())
                    .collect()
            })
            .unwrap_or_default();
        current = Some((
            name.to_string(),
            Table {
                columns,
                rows: Vec::new(),
            },
        ));
    }
    tables.remove("");
    tables
}

/// One field of COPY's text format: `\N` is NULL, backslash escapes are undone.
fn copy_field(raw: &str) -> Option<String> {
    if raw == "\\N" {
        return None;
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some('\\') => out.push('\\'),
            Some(d @ '0'..='7') => {
                let mut n = d.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(v) => {
                            n = n * 8 + v;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(n).unwrap_or('\u{fffd}'));
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    Some(out)
}

/// The dump's text: from a backup archive (`.tar.gz` holding `dump.sql.gz`), a gzipped
/// dump, or a plain one.
pub fn read_export(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let bytes = gunzip_if_needed(bytes)?;
    // A tar archive says `ustar` at byte 257 of its first header.
    if bytes.len() > 262 && &bytes[257..262] == b"ustar" {
        let mut archive = tar::Archive::new(&bytes[..]);
        for entry in archive.entries()? {
            let mut entry = entry?;
            let name = entry.path()?.to_string_lossy().to_string();
            if name.ends_with("dump.sql.gz") || name.ends_with("dump.sql") {
                let mut inner = Vec::new();
                entry.read_to_end(&mut inner)?;
                let inner = gunzip_if_needed(inner)?;
                return String::from_utf8(inner).context("the dump is not UTF-8");
            }
        }
        anyhow::bail!(
            "{} holds no dump.sql.gz: is it a Discourse backup?",
            path.display()
        );
    }
    String::from_utf8(bytes).context("the dump is not UTF-8")
}

fn gunzip_if_needed(bytes: Vec<u8>) -> anyhow::Result<Vec<u8>> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .context("decompressing")?;
        Ok(out)
    } else {
        Ok(bytes)
    }
}

/// What a run did, per kind of row.
#[derive(Debug, Default)]
pub struct Summary {
    counts: BTreeMap<&'static str, [usize; 3]>,
}

const CREATED: usize = 0;
const SKIPPED: usize = 1;
const UPDATED: usize = 2;

impl Summary {
    fn add(&mut self, what: &'static str, outcome: usize) {
        self.counts.entry(what).or_default()[outcome] += 1;
    }

    pub fn created(&self, what: &str) -> usize {
        self.counts.get(what).map_or(0, |c| c[CREATED])
    }

    pub fn print(&self) {
        println!(
            "{:<12} {:>8} {:>8} {:>8}",
            "", "created", "skipped", "updated"
        );
        for (what, c) in &self.counts {
            println!(
                "{what:<12} {:>8} {:>8} {:>8}",
                c[CREATED], c[SKIPPED], c[UPDATED]
            );
        }
    }
}

/// The import links of one kind: source id → (local id, digest).
type Links = HashMap<i64, (i32, Option<String>)>;

async fn links(db: &DatabaseConnection) -> anyhow::Result<HashMap<String, Links>> {
    let mut all: HashMap<String, Links> = HashMap::new();
    for l in import_link::Entity::find()
        .filter(import_link::Column::Source.eq(SOURCE))
        .all(db)
        .await?
    {
        all.entry(l.kind)
            .or_default()
            .insert(l.source_id, (l.local_id, l.digest));
    }
    Ok(all)
}

async fn link(
    db: &impl ConnectionTrait,
    kind: &str,
    source_id: i64,
    local_id: i32,
    digest: Option<String>,
) -> anyhow::Result<()> {
    import_link::ActiveModel {
        source: Set(SOURCE.into()),
        kind: Set(kind.into()),
        source_id: Set(source_id),
        local_id: Set(local_id),
        digest: Set(digest),
        imported_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A ledger event an imported like or solution earned.
struct Earned {
    member: i32,
    kind: &'static str,
    points: i32,
    discussion: i32,
    comment: Option<i32>,
    vote: Option<i32>,
    actor: Option<i32>,
    at: DateTime<Utc>,
}

impl Earned {
    /// Writes the event, in its discussion's zone (the zone's points follow by trigger).
    async fn record(self, db: &impl ConnectionTrait) -> anyhow::Result<()> {
        let zone_id = discussion::Entity::find_by_id(self.discussion)
            .one(db)
            .await?
            .map(|d| d.zone_id);
        reputation_event::ActiveModel {
            member_id: Set(self.member),
            kind: Set(self.kind.into()),
            points: Set(self.points),
            discussion_id: Set(Some(self.discussion)),
            comment_id: Set(self.comment),
            vote_id: Set(self.vote),
            actor_id: Set(self.actor),
            zone_id: Set(zone_id),
            created_at: Set(self.at),
            ..Default::default()
        }
        .insert(db)
        .await?;
        Ok(())
    }
}

/// Hides an imported discussion or comment; `UPDATED` when it was shown until now.
async fn hide(db: &DatabaseConnection, what: &str, id: i32) -> anyhow::Result<usize> {
    let changed = if what == "discussion" {
        discussion::Entity::update_many()
            .col_expr(discussion::Column::Hidden, Expr::value(true))
            .filter(discussion::Column::Id.eq(id))
            .filter(discussion::Column::Hidden.eq(false))
            .exec(db)
            .await?
            .rows_affected
    } else {
        comment::Entity::update_many()
            .col_expr(comment::Column::Hidden, Expr::value(true))
            .filter(comment::Column::Id.eq(id))
            .filter(comment::Column::Hidden.eq(false))
            .exec(db)
            .await?
            .rows_affected
    };
    Ok(if changed > 0 { UPDATED } else { SKIPPED })
}

/// A post's link remembers the text now imported.
async fn relink(db: &impl ConnectionTrait, post_id: i64, body: &str) -> anyhow::Result<()> {
    import_link::Entity::update_many()
        .col_expr(import_link::Column::Digest, Expr::value(digest(body)))
        .filter(import_link::Column::Source.eq(SOURCE))
        .filter(import_link::Column::Kind.eq("post"))
        .filter(import_link::Column::SourceId.eq(post_id))
        .exec(db)
        .await?;
    Ok(())
}

fn digest(text: &str) -> String {
    crate::keys::hex(&Sha256::digest(text.as_bytes())[..16])
}

/// `a-z 0-9 _ -`, 3 to 30 characters.
fn username_of(raw: &str) -> String {
    let mut name: String = raw
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(30)
        .collect();
    while name.chars().count() < 3 {
        name.push('_');
    }
    name
}

fn zone_slug_of(raw: &str) -> String {
    let slug = crate::views::slugify(raw);
    let slug: String = slug.chars().take(40).collect();
    slug.trim_matches('-').to_string()
}

/// Text cut to `max` characters.
fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Imports the export at `path`; prints and returns what it did.
pub async fn run(settings: Settings, path: &Path) -> anyhow::Result<Summary> {
    let text = read_export(path)?;
    let dump = parse_dump(
        &text,
        &[
            "categories",
            "users",
            "user_emails",
            "topics",
            "posts",
            "post_actions",
            "topic_custom_fields",
        ],
    );
    for needed in ["categories", "users", "topics", "posts"] {
        if !dump.contains_key(needed) {
            anyhow::bail!(
                "{} has no `{needed}` table: is it a Discourse backup's dump?",
                path.display()
            );
        }
    }
    let conn = db::connect(&settings.database_url()).await?;
    db::migrate(&conn).await?;
    let summary = import(&conn, &dump).await?;
    summary.print();
    Ok(summary)
}

async fn import(db: &DatabaseConnection, dump: &HashMap<String, Table>) -> anyhow::Result<Summary> {
    let empty = Table::default();
    let table = |name: &str| dump.get(name).unwrap_or(&empty);
    let mut summary = Summary::default();
    let mut known = links(db).await?;
    let now = Utc::now();

    // Categories → zones.
    let mut zone_of: HashMap<i64, i32> = known
        .remove("category")
        .unwrap_or_default()
        .into_iter()
        .map(|(k, (v, _))| (k, v))
        .collect();
    let mut closed_categories: HashSet<i64> = HashSet::new();
    let zones = zone::Entity::find().all(db).await?;
    let mut slugs: HashMap<String, i32> = zones
        .iter()
        .filter(|z| z.kind == crate::services::zones::DISCUSSIONS)
        .map(|z| (z.slug.clone(), z.id))
        .collect();
    // A category named like the updates' zone gets a slug of its own.
    let taken: HashSet<String> = zones
        .iter()
        .filter(|z| z.kind != crate::services::zones::DISCUSSIONS)
        .map(|z| z.slug.clone())
        .collect();
    let mut position = zones.len() as i32;
    for c in table("categories").records() {
        let Some(id) = c.id("id") else { continue };
        if c.flag("read_restricted") {
            closed_categories.insert(id);
            summary.add("categories", SKIPPED);
            continue;
        }
        if zone_of.contains_key(&id) {
            summary.add("categories", SKIPPED);
            continue;
        }
        let name = c.get("name").unwrap_or("Imported");
        let mut slug = zone_slug_of(c.get("slug").filter(|s| !s.is_empty()).unwrap_or(name));
        if slug.chars().count() < 2 || taken.contains(&slug) {
            slug = format!("zone-{id}");
        }
        let txn = db::begin_write(db).await?;
        let zone_id = match slugs.get(&slug) {
            Some(&existing) => existing,
            None => {
                let row = zone::ActiveModel {
                    slug: Set(slug.clone()),
                    name: Set(cut(name, 80)),
                    description: Set(cut(c.get("description").unwrap_or(""), 500)),
                    position: Set(position),
                    created_at: Set(c.time("created_at").unwrap_or(now)),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                position += 1;
                slugs.insert(slug, row.id);
                row.id
            }
        };
        link(&txn, "category", id, zone_id, None).await?;
        txn.commit().await?;
        zone_of.insert(id, zone_id);
        summary.add("categories", CREATED);
    }

    // Users → members.
    let mut emails: HashMap<i64, String> = HashMap::new();
    for e in table("user_emails").records() {
        if let (Some(user), Some(email)) = (e.id("user_id"), e.get("email"))
            && (e.flag("primary") || !emails.contains_key(&user))
        {
            emails.insert(user, email.trim().to_lowercase());
        }
    }
    let mut member_of: HashMap<i64, i32> = known
        .remove("user")
        .unwrap_or_default()
        .into_iter()
        .map(|(k, (v, _))| (k, v))
        .collect();
    let users = table("users");
    let progress = bar(users.rows.len() as u64, "users")?;
    for u in users.records() {
        progress.inc(1);
        // Negative ids are Discourse's own robots (system, discobot).
        let Some(id) = u.id("id").filter(|&id| id > 0) else {
            continue;
        };
        if member_of.contains_key(&id) {
            summary.add("users", SKIPPED);
            continue;
        }
        let raw_name = u.get("username").unwrap_or("member");
        let email = emails
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("discourse-{id}@import.invalid"));
        let txn = db::begin_write(db).await?;
        let existing = member::Entity::find()
            .filter(member::Column::Email.eq(email.clone()))
            .one(&txn)
            .await?;
        let member_id = match existing {
            Some(m) => m.id,
            None => {
                let base = username_of(raw_name);
                let mut username = base.clone();
                let mut n = 1;
                while member::Entity::find()
                    .filter(member::Column::Username.eq(username.clone()))
                    .one(&txn)
                    .await?
                    .is_some()
                {
                    n += 1;
                    let suffix = format!("-{n}");
                    username = format!("{}{suffix}", cut(&base, 30 - suffix.len()));
                }
                let display = u
                    .get("name")
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or(raw_name);
                member::ActiveModel {
                    username: Set(username),
                    email: Set(email),
                    display_name: Set(cut(display.trim(), 80)),
                    password_hash: Set(String::new()),
                    role: Set("member".into()),
                    reputation: Set(1),
                    created_at: Set(u.time("created_at").unwrap_or(now)),
                    email_on_discussion_reply: Set(true),
                    email_on_comment_reply: Set(true),
                    email_on_mention: Set(true),
                    digest: Set("never".into()),
                    email_verified: Set(false),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
                .id
            }
        };
        link(&txn, "user", id, member_id, None).await?;
        txn.commit().await?;
        member_of.insert(id, member_id);
        summary.add("users", CREATED);
    }
    progress.finish_and_clear();

    // Topics and posts → discussions and replies, one transaction per topic.
    let mut posts_of: HashMap<i64, Vec<Record<'_>>> = HashMap::new();
    for p in table("posts").records() {
        if let Some(topic) = p.id("topic_id") {
            posts_of.entry(topic).or_default().push(p);
        }
    }
    for posts in posts_of.values_mut() {
        posts.sort_by_key(|p| p.id("post_number").unwrap_or(0));
    }
    let mut discussion_of: HashMap<i64, i32> = known
        .remove("topic")
        .unwrap_or_default()
        .into_iter()
        .map(|(k, (v, _))| (k, v))
        .collect();
    let mut post_links: Links = known.remove("post").unwrap_or_default();
    // Post id → (discussion, comment or None for post 1, author).
    let mut target_of: HashMap<i64, (i32, Option<i32>, i32)> = HashMap::new();
    let mut touched: HashSet<i32> = HashSet::new();
    let topics = table("topics");
    let progress = bar(topics.rows.len() as u64, "topics")?;
    for t in topics.records() {
        progress.inc(1);
        let Some(topic_id) = t.id("id") else { continue };
        let regular = t.get("archetype").is_none_or(|a| a == "regular");
        let category = t.id("category_id").unwrap_or(0);
        let zone_id = zone_of.get(&category).copied();
        let gone =
            !regular || t.get("deleted_at").is_some() || closed_categories.contains(&category);
        if gone {
            // Brought in before, deleted, made private or restricted since: hidden here.
            let outcome = match discussion_of.get(&topic_id) {
                Some(&id) => hide(db, "discussion", id).await?,
                None => SKIPPED,
            };
            summary.add("topics", outcome);
            continue;
        }
        let Some(zone_id) = zone_id else {
            summary.add("topics", SKIPPED);
            continue;
        };
        // Replies brought in before and deleted since: hidden here.
        for p in posts_of.get(&topic_id).into_iter().flatten() {
            if p.get("deleted_at").is_some()
                && p.id("post_number") != Some(1)
                && let Some(&(comment_id, _)) = p.id("id").and_then(|id| post_links.get(&id))
            {
                let outcome = hide(db, "comment", comment_id).await?;
                if outcome == UPDATED {
                    touched.insert(discussion_of.get(&topic_id).copied().unwrap_or(0));
                    summary.add("posts", UPDATED);
                }
            }
        }
        let posts: Vec<Record<'_>> = posts_of
            .get(&topic_id)
            .map(|p| {
                p.iter()
                    .copied()
                    .filter(|p| p.get("post_type").is_none_or(|k| k == REGULAR))
                    .filter(|p| p.get("deleted_at").is_none())
                    .collect()
            })
            .unwrap_or_default();
        let Some(first) = posts
            .iter()
            .find(|p| p.id("post_number") == Some(1))
            .copied()
        else {
            summary.add("topics", SKIPPED);
            continue;
        };
        let txn = db::begin_write(db).await?;
        // Post number → comment id, for the replies' parents.
        let mut comment_at: HashMap<i64, i32> = HashMap::new();
        let discussion_id = match discussion_of.get(&topic_id) {
            Some(&id) => {
                // The opening post's text may have changed since the last run.
                let body = cut(first.get("raw").unwrap_or(""), BODY_MAX);
                let changed = first
                    .id("id")
                    .and_then(|p| post_links.get(&p))
                    .is_some_and(|(_, old)| old.as_deref() != Some(digest(&body).as_str()));
                if changed && crate::domain::has_visible_char(&body) {
                    discussion::Entity::update_many()
                        .col_expr(discussion::Column::Body, Expr::value(body.clone()))
                        .col_expr(
                            discussion::Column::BodyHtml,
                            Expr::value(markdown::render(&body)),
                        )
                        .filter(discussion::Column::Id.eq(id))
                        .exec(&txn)
                        .await?;
                    relink(&txn, first.id("id").unwrap_or(0), &body).await?;
                    summary.add("topics", UPDATED);
                } else {
                    summary.add("topics", SKIPPED);
                }
                id
            }
            None => {
                let Some(&author) = first.id("user_id").and_then(|u| member_of.get(&u)) else {
                    summary.add("topics", SKIPPED);
                    continue;
                };
                let mut body = cut(first.get("raw").unwrap_or(""), BODY_MAX);
                if !crate::domain::has_visible_char(&body) {
                    body = t.get("title").unwrap_or("Imported discussion").to_string();
                }
                let mut title = cut(
                    t.get("title").unwrap_or("Imported discussion").trim(),
                    TITLE_MAX,
                );
                while title.chars().count() < 3 {
                    title.push('.');
                }
                let created = t
                    .time("created_at")
                    .or(first.time("created_at"))
                    .unwrap_or(now);
                let row = discussion::ActiveModel {
                    zone_id: Set(zone_id),
                    author_id: Set(author),
                    title: Set(title),
                    body_html: Set(markdown::render(&body)),
                    body: Set(body.clone()),
                    score: Set(0),
                    comment_count: Set(0),
                    view_count: Set(t
                        .id("views")
                        .and_then(|v| i32::try_from(v).ok())
                        .unwrap_or(0)),
                    recognized: Set(false),
                    locked: Set(t.flag("closed")),
                    pinned: Set(t.get("pinned_at").is_some()),
                    created_at: Set(created),
                    updated_at: Set(first.time("updated_at").unwrap_or(created)),
                    last_activity_at: Set(created),
                    hidden: Set(t.get("visible") == Some("f")),
                    edited_by_moderator: Set(false),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                link(&txn, "topic", topic_id, row.id, None).await?;
                if let Some(post_id) = first.id("id") {
                    link(&txn, "post", post_id, row.id, Some(digest(&body))).await?;
                    post_links.insert(post_id, (row.id, Some(digest(&body))));
                }
                discussion_of.insert(topic_id, row.id);
                summary.add("topics", CREATED);
                row.id
            }
        };
        touched.insert(discussion_id);
        if let (Some(post_id), Some(&author)) = (
            first.id("id"),
            first.id("user_id").and_then(|u| member_of.get(&u)),
        ) {
            target_of.insert(post_id, (discussion_id, None, author));
        }
        for p in posts.iter().filter(|p| p.id("post_number") != Some(1)) {
            let (Some(post_id), Some(number)) = (p.id("id"), p.id("post_number")) else {
                continue;
            };
            let Some(&author) = p.id("user_id").and_then(|u| member_of.get(&u)) else {
                summary.add("posts", SKIPPED);
                continue;
            };
            let body = cut(p.get("raw").unwrap_or(""), BODY_MAX);
            if let Some((comment_id, old)) = post_links.get(&post_id).cloned() {
                comment_at.insert(number, comment_id);
                target_of.insert(post_id, (discussion_id, Some(comment_id), author));
                if old.as_deref() != Some(digest(&body).as_str())
                    && crate::domain::has_visible_char(&body)
                {
                    comment::Entity::update_many()
                        .col_expr(comment::Column::Body, Expr::value(body.clone()))
                        .col_expr(
                            comment::Column::BodyHtml,
                            Expr::value(markdown::render(&body)),
                        )
                        .filter(comment::Column::Id.eq(comment_id))
                        .exec(&txn)
                        .await?;
                    relink(&txn, post_id, &body).await?;
                    summary.add("posts", UPDATED);
                } else {
                    summary.add("posts", SKIPPED);
                }
                continue;
            }
            if !crate::domain::has_visible_char(&body) {
                summary.add("posts", SKIPPED);
                continue;
            }
            let parent = p
                .id("reply_to_post_number")
                .and_then(|n| comment_at.get(&n).copied());
            let created = p.time("created_at").unwrap_or(now);
            let row = comment::ActiveModel {
                discussion_id: Set(discussion_id),
                parent_id: Set(parent),
                author_id: Set(author),
                depth: Set(0),
                body_html: Set(markdown::render(&body)),
                body: Set(body.clone()),
                score: Set(0),
                recognized: Set(false),
                created_at: Set(created),
                updated_at: Set(p.time("updated_at").unwrap_or(created)),
                hidden: Set(p.flag("hidden")),
                edited_by_moderator: Set(false),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            // The depth follows the parent's, as a reply written here would have it.
            if let Some(parent) = parent {
                let depth = comment::Entity::find_by_id(parent)
                    .one(&txn)
                    .await?
                    .map_or(0, |p| p.depth + 1);
                comment::Entity::update_many()
                    .col_expr(comment::Column::Depth, Expr::value(depth))
                    .filter(comment::Column::Id.eq(row.id))
                    .exec(&txn)
                    .await?;
            }
            link(&txn, "post", post_id, row.id, Some(digest(&body))).await?;
            comment_at.insert(number, row.id);
            target_of.insert(post_id, (discussion_id, Some(row.id), author));
            summary.add("posts", CREATED);
        }
        txn.commit().await?;
    }
    progress.finish_and_clear();

    // Likes → upvotes, each with the reputation it gives.
    let mut like_links: Links = known.remove("like").unwrap_or_default();
    let txn = db::begin_write(db).await?;
    for a in table("post_actions").records() {
        if a.get("post_action_type_id") != Some(LIKE) || a.get("deleted_at").is_some() {
            continue;
        }
        let Some(action_id) = a.id("id") else {
            continue;
        };
        if like_links.contains_key(&action_id) {
            summary.add("likes", SKIPPED);
            continue;
        }
        let (Some(&(discussion_id, comment_id, author)), Some(&voter)) = (
            a.id("post_id").and_then(|p| target_of.get(&p)),
            a.id("user_id").and_then(|u| member_of.get(&u)),
        ) else {
            summary.add("likes", SKIPPED);
            continue;
        };
        if voter == author {
            summary.add("likes", SKIPPED);
            continue;
        }
        let (target_kind, target_id) = match comment_id {
            Some(c) => ("comment", c),
            None => ("discussion", discussion_id),
        };
        // One vote per member and post: a second like of the same post is skipped.
        let exists = vote::Entity::find()
            .filter(vote::Column::MemberId.eq(voter))
            .filter(vote::Column::TargetKind.eq(target_kind))
            .filter(vote::Column::TargetId.eq(target_id))
            .one(&txn)
            .await?;
        if exists.is_some() {
            summary.add("likes", SKIPPED);
            continue;
        }
        let at = a.time("created_at").unwrap_or(now);
        let v = vote::ActiveModel {
            member_id: Set(voter),
            target_kind: Set(target_kind.into()),
            target_id: Set(target_id),
            author_id: Set(author),
            value: Set(1),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let earned = Earned {
            member: author,
            kind: kind::UPVOTE_RECEIVED,
            points: RULES.upvote_received,
            discussion: discussion_id,
            comment: comment_id,
            vote: Some(v.id),
            actor: Some(voter),
            at,
        };
        earned.record(&txn).await?;
        link(&txn, "like", action_id, v.id, None).await?;
        like_links.insert(action_id, (v.id, None));
        touched.insert(discussion_id);
        summary.add("likes", CREATED);
    }
    txn.commit().await?;

    // Solved topics → the answer recognised.
    let solution_links: Links = known.remove("solution").unwrap_or_default();
    let txn = db::begin_write(db).await?;
    for f in table("topic_custom_fields").records() {
        if f.get("name") != Some("accepted_answer_post_id") {
            continue;
        }
        let Some(topic_id) = f.id("topic_id") else {
            continue;
        };
        if solution_links.contains_key(&topic_id) {
            summary.add("solutions", SKIPPED);
            continue;
        }
        let Some(&(discussion_id, Some(comment_id), author)) = f
            .get("value")
            .and_then(|v| v.trim().parse::<i64>().ok())
            .and_then(|p| target_of.get(&p))
        else {
            summary.add("solutions", SKIPPED);
            continue;
        };
        comment::Entity::update_many()
            .col_expr(comment::Column::Recognized, Expr::value(true))
            .filter(comment::Column::Id.eq(comment_id))
            .exec(&txn)
            .await?;
        let earned = Earned {
            member: author,
            kind: kind::RECOGNIZED,
            points: RULES.recognized,
            discussion: discussion_id,
            comment: Some(comment_id),
            vote: None,
            actor: None,
            at: now,
        };
        earned.record(&txn).await?;
        link(&txn, "solution", topic_id, comment_id, None).await?;
        touched.insert(discussion_id);
        summary.add("solutions", CREATED);
    }
    txn.commit().await?;

    // Counts and scores of what changed, the ledger's totals, search and insights.
    let txn = db::begin_write(db).await?;
    for &id in &touched {
        recount(&txn, id).await?;
    }
    txn.commit().await?;
    crate::services::ledger::recompute(db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let txn = db::begin_write(db).await?;
    for &id in &touched {
        crate::jobs::search::enqueue(&txn, crate::jobs::search::SearchJob::Thread { id })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    txn.commit().await?;
    crate::services::insights::reset_folds(db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(summary)
}

/// A discussion's reply count, last activity and scores, from its rows.
async fn recount(db: &impl ConnectionTrait, id: i32) -> anyhow::Result<()> {
    let replies = comment::Entity::find()
        .filter(comment::Column::DiscussionId.eq(id))
        .filter(comment::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let votes = vote::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(
                    vote::Column::TargetKind
                        .eq("discussion")
                        .and(vote::Column::TargetId.eq(id)),
                )
                .add(vote::Column::TargetKind.eq("comment").and(
                    vote::Column::TargetId.is_in(replies.iter().map(|c| c.id).collect::<Vec<_>>()),
                )),
        )
        .all(db)
        .await?;
    let score_of = |kind_: &str, target: i32| -> i32 {
        votes
            .iter()
            .filter(|v| v.target_kind == kind_ && v.target_id == target)
            .map(|v| v.value)
            .sum()
    };
    for c in &replies {
        let score = score_of("comment", c.id);
        if score != c.score {
            comment::Entity::update_many()
                .col_expr(comment::Column::Score, Expr::value(score))
                .filter(comment::Column::Id.eq(c.id))
                .exec(db)
                .await?;
        }
    }
    let Some(d) = discussion::Entity::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    let last = replies
        .iter()
        .map(|c| c.created_at)
        .max()
        .unwrap_or(d.created_at);
    discussion::Entity::update_many()
        .col_expr(
            discussion::Column::CommentCount,
            Expr::value(replies.len() as i32),
        )
        .col_expr(
            discussion::Column::Score,
            Expr::value(score_of("discussion", id)),
        )
        .col_expr(
            discussion::Column::LastActivityAt,
            Expr::value(std::cmp::max(last, d.created_at)),
        )
        .filter(discussion::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
