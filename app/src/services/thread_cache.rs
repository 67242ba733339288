//! The discussion page without re-reading it: what every reader of a discussion sees
//! alike (the discussion, a page of its thread, the authors, its zone, its quizzes and
//! the related discussions) is built once and kept in memory, keyed by the
//! discussion's `version`. Database triggers bump that version in the transaction of
//! every write the page shows (m0010), so one small query per request tells whether the
//! copy is current, and an instance never serves a page older than a write it can see,
//! whichever instance made it. What differs per reader (their votes, what they may do,
//! their subscription, the poll) is laid over the copy per request.
//!
//! Members' names and pictures and zone names are not versioned: a copy lives at most
//! `MAX_AGE`, so such a change shows within that time. The anonymous page, rendered, is
//! kept beside it under the same rule.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use entity::{comment, discussion, member, poll, subscription};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QuerySelect,
};

use crate::error::{AppError, AppResult};

/// The longest a copy is used, whatever its version says (for what is not versioned).
pub const MAX_AGE: Duration = Duration::from_secs(30);
/// Copies kept per instance (threads, and rendered anonymous pages each).
const CAPACITY: usize = 512;

/// What every reader of one page of a discussion sees alike.
#[derive(Debug)]
pub struct Snapshot {
    pub version: i64,
    built: Instant,
    pub discussion: discussion::Model,
    pub zone_slug: String,
    pub zone_name: String,
    /// Authors of the discussion and of the comments, and who changed its idea status, by
    /// id.
    pub authors: HashMap<i32, member::Model>,
    /// The page of the thread, in thread order.
    pub comments: Vec<comment::Model>,
    pub more_comments: bool,
    pub has_poll: bool,
    /// What a leadership update adds to the thread it opens, when it is one.
    pub update: Option<entity::update::Model>,
    pub quizzes: Vec<super::quizzes::QuizSummary>,
    pub related: Vec<crate::search::SearchHit>,
    /// Every change of the discussion's idea status, oldest first (empty unless it is an
    /// idea); who made each is among `authors`.
    pub idea_history: Vec<entity::idea_change::Model>,
}

/// Copies of threads by (discussion, the comment the page starts after).
type Threads = HashMap<(i32, Option<i32>), Arc<Snapshot>>;

/// A rendered page for visitors.
#[derive(Debug)]
struct Rendered {
    version: i64,
    built: Instant,
    body: bytes::Bytes,
}

/// Sets of rendered replies kept: each is one page of a thread for one kind of reader,
/// up to a few hundred kilobytes.
const FRAGMENT_SETS: usize = 64;

/// Who a rendered reply was rendered for, besides the reply itself: signed in or not,
/// leader, moderator, and whether the reader may reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReaderKind {
    pub signed_in: bool,
    pub leader: bool,
    pub moderator: bool,
    pub can_reply: bool,
}

/// The replies of one page of a thread, rendered for one kind of reader who neither
/// wrote nor voted on them (what every such reader sees alike), by comment id. Their
/// CSRF fields hold `ThreadCache::csrf_slot`, which each request fills in.
#[derive(Debug)]
pub struct Fragments {
    version: i64,
    built: Instant,
    html: Mutex<HashMap<i32, Arc<str>>>,
}

impl Fragments {
    pub fn get(&self, comment_id: i32) -> Option<Arc<str>> {
        self.lock().get(&comment_id).cloned()
    }

    pub fn keep(&self, comment_id: i32, html: Arc<str>) {
        self.lock().insert(comment_id, html);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i32, Arc<str>>> {
        self.html.lock().unwrap_or_else(|e| e.into_inner())
    }
}

type FragmentKey = (i32, Option<i32>, ReaderKind);

/// The copies; one per instance, in `AppState`.
pub struct ThreadCache {
    /// The zones every page's navigation lists (zones are only ever added): read at most
    /// every `MAX_AGE`, and forgotten by an instance when it adds one.
    nav: Mutex<Option<(Instant, Arc<Vec<super::zones::NavZone>>)>>,
    threads: Mutex<Threads>,
    pages: Mutex<HashMap<String, Arc<Rendered>>>,
    fragments: Mutex<HashMap<FragmentKey, Arc<Fragments>>>,
    /// What stands for the reader's CSRF token in rendered replies: random per instance,
    /// so no one can write it into a post to have another reader's token put there.
    csrf_slot: String,
    /// What stands for a discussion's replies in its rendered page until they are put in.
    thread_slot: String,
}

impl Default for ThreadCache {
    fn default() -> Self {
        Self {
            nav: Mutex::default(),
            threads: Mutex::default(),
            pages: Mutex::default(),
            fragments: Mutex::default(),
            csrf_slot: format!("csrf{}", crate::keys::random_token(24)),
            thread_slot: format!("thread{}", crate::keys::random_token(24)),
        }
    }
}

impl std::fmt::Debug for ThreadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThreadCache").finish_non_exhaustive()
    }
}

fn fresh(version: i64, built: Instant, current: i64) -> bool {
    version == current && built.elapsed() < MAX_AGE
}

/// Keeps a map within `capacity`: copies that are too old go first, then the oldest.
fn make_room<V>(
    map: &mut HashMap<impl Clone + Eq + std::hash::Hash, V>,
    capacity: usize,
    built: impl Fn(&V) -> Instant,
) {
    if map.len() < capacity {
        return;
    }
    map.retain(|_, v| built(v).elapsed() < MAX_AGE);
    while map.len() >= capacity {
        let Some(oldest) = map
            .iter()
            .min_by_key(|(_, v)| built(v))
            .map(|(k, _)| k.clone())
        else {
            break;
        };
        map.remove(&oldest);
    }
}

impl ThreadCache {
    /// The current copy of a page of a discussion, built if there is none.
    pub async fn snapshot(
        &self,
        db: &impl ConnectionTrait,
        search: &crate::search::Search,
        current: &Current,
        after: Option<i32>,
    ) -> AppResult<Arc<Snapshot>> {
        let key = (current.id, after);
        let cached = self.lock_threads().get(&key).cloned();
        if let Some(s) = cached
            && fresh(s.version, s.built, current.version)
        {
            return Ok(s);
        }
        let built = Arc::new(build(db, search, current, after).await?);
        let mut threads = self.lock_threads();
        make_room(&mut threads, CAPACITY, |s: &Arc<Snapshot>| s.built);
        threads.insert(key, built.clone());
        Ok(built)
    }

    /// The rendered visitor's page at `key` (its path and query), if current.
    pub fn page(&self, key: &str, current: i64) -> Option<bytes::Bytes> {
        let pages = self.lock_pages();
        let page = pages.get(key)?;
        fresh(page.version, page.built, current).then(|| page.body.clone())
    }

    /// Keeps a rendered visitor's page of the given version.
    pub fn keep_page(&self, key: String, version: i64, body: bytes::Bytes) {
        let mut pages = self.lock_pages();
        make_room(&mut pages, CAPACITY, |p: &Arc<Rendered>| p.built);
        pages.insert(
            key,
            Arc::new(Rendered {
                version,
                built: Instant::now(),
                body,
            }),
        );
    }

    /// The rendered replies of a page of a discussion at `version` for one kind of
    /// reader: those kept, or an empty set that the caller fills.
    pub fn fragments(
        &self,
        id: i32,
        after: Option<i32>,
        reader: ReaderKind,
        snapshot: &Snapshot,
    ) -> Arc<Fragments> {
        let mut sets = self.fragments.lock().unwrap_or_else(|e| e.into_inner());
        let key = (id, after, reader);
        // A set is as old as the copy it was rendered from (names and pictures are not
        // versioned), so it is dropped with it.
        if let Some(set) = sets.get(&key)
            && set.version == snapshot.version
            && set.built == snapshot.built
            && fresh(set.version, set.built, snapshot.version)
        {
            return set.clone();
        }
        make_room(&mut sets, FRAGMENT_SETS, |f: &Arc<Fragments>| f.built);
        let set = Arc::new(Fragments {
            version: snapshot.version,
            built: snapshot.built,
            html: Mutex::default(),
        });
        sets.insert(key, set.clone());
        set
    }

    /// The zones for every page's navigation.
    pub async fn nav(
        &self,
        db: &impl ConnectionTrait,
    ) -> AppResult<Arc<Vec<super::zones::NavZone>>> {
        let kept = self.lock_nav().clone();
        if let Some((built, zones)) = kept
            && built.elapsed() < MAX_AGE
        {
            return Ok(zones);
        }
        let zones = Arc::new(super::zones::nav(db).await?);
        *self.lock_nav() = Some((Instant::now(), zones.clone()));
        Ok(zones)
    }

    /// Drops the navigation's zones (a zone was added).
    pub fn forget_nav(&self) {
        *self.lock_nav() = None;
    }

    fn lock_nav(
        &self,
    ) -> std::sync::MutexGuard<'_, Option<(Instant, Arc<Vec<super::zones::NavZone>>)>> {
        self.nav.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What rendered replies hold in place of the reader's CSRF token.
    pub fn csrf_slot(&self) -> &str {
        &self.csrf_slot
    }

    /// What a rendered discussion page holds in place of its replies.
    pub fn thread_slot(&self) -> &str {
        &self.thread_slot
    }

    fn lock_threads(&self) -> std::sync::MutexGuard<'_, Threads> {
        self.threads.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_pages(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Rendered>>> {
        self.pages.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A live discussion's version and stored view count, and whether the reader (if asked)
/// has e-mail on for it: one small query per request.
#[derive(Debug, Clone, Copy, FromQueryResult)]
pub struct Current {
    pub id: i32,
    pub version: i64,
    pub view_count: i32,
    pub subscribed: bool,
}

/// The version and view count of a live discussion, and `subscriber`'s subscription to
/// it; 404 for anything else.
pub async fn current(
    db: &impl ConnectionTrait,
    id: i32,
    subscriber: Option<i32>,
) -> AppResult<Current> {
    let subscribed = match subscriber {
        Some(member_id) => Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(subscription::Entity)
                .and_where(subscription::Column::MemberId.eq(member_id))
                .and_where(
                    Expr::col((subscription::Entity, subscription::Column::DiscussionId))
                        .equals((discussion::Entity, discussion::Column::Id)),
                )
                .and_where(subscription::Column::Email.eq(true))
                .to_owned(),
        ),
        None => Expr::cust("1 = 0"),
    };
    discussion::Entity::find_by_id(id)
        .select_only()
        .column(discussion::Column::Id)
        .column(discussion::Column::Version)
        .column(discussion::Column::ViewCount)
        .column_as(subscribed, "subscribed")
        .filter(discussion::Column::DeletedAt.is_null())
        .into_model::<Current>()
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Discussion"))
}

async fn build(
    db: &impl ConnectionTrait,
    search: &crate::search::Search,
    current: &Current,
    after: Option<i32>,
) -> AppResult<Snapshot> {
    let discussion = super::items::discussion(db, current.id).await?;
    let (comments, more_comments) = crate::views::posts::thread_rows(db, current.id, after).await?;
    let idea_history = if discussion.idea_status.is_some() {
        super::ideas::history(db, current.id).await?
    } else {
        Vec::new()
    };
    let authors = super::items::members_by_id(
        db,
        comments
            .iter()
            .filter(|c| c.deleted_at.is_none())
            .map(|c| c.author_id)
            .chain([discussion.author_id])
            .chain(idea_history.iter().map(|c| c.changed_by)),
    )
    .await?;
    let zone = entity::zone::Entity::find_by_id(discussion.zone_id)
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("discussion {} has no zone", discussion.id))
        })?;
    let has_poll = poll::Entity::find()
        .filter(poll::Column::DiscussionId.eq(current.id))
        .count(db)
        .await?
        > 0;
    let update = if zone.kind == super::zones::UPDATES {
        entity::update::Entity::find_by_id(current.id)
            .one(db)
            .await?
    } else {
        None
    };
    let quizzes = super::quizzes::list(db, None, Some(current.id)).await?;
    let related = super::search::similar(search, &discussion.title, Some(current.id), 5).await;
    Ok(Snapshot {
        // The version read with the rows may be newer than `current`'s: keep the older,
        // so the next request rebuilds rather than trusts rows it cannot date.
        version: current.version,
        built: Instant::now(),
        discussion,
        zone_slug: zone.slug,
        zone_name: zone.name,
        authors,
        comments,
        more_comments,
        has_poll,
        update,
        quizzes,
        related,
        idea_history,
    })
}
