//! The embedded engine: a tantivy index on local disk.
//!
//! The index lives in a generation directory under the engine's root (`g…`), named by
//! the root's `current` file. One `IndexWriter` lives behind a mutex; every
//! `index`/`remove`/`clear` commits and reloads the reader before returning, so changes
//! are searchable when the call returns. A rebuild writes a new generation beside the
//! live one and switches `current` when it is complete. All tantivy work runs on the
//! blocking thread pool.
//!
//! Ranking follows Meilisearch's rules with constant scores that cannot overlap: each
//! query word found without a typo is worth [`TYPO_FREE`] (with one typo
//! [`ONE_TYPO`]); the words found together as a phrase, tighter and tighter, earn
//! [`PROXIMITY`] per tier; each word in the title [`TITLE`]; each word found exactly
//! (not as a prefix or with a typo) [`EXACT`]. Ties go to the post's votes, then
//! recognition, then the newest.

use std::collections::HashMap;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Instant;

use anyhow::Context as _;
use async_trait::async_trait;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::ColumnValues;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value as _,
};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentOrdinal,
    SegmentReader, TantivyDocument, Term,
};

use super::engine::{
    Grouping, Rebuild, SearchDoc, SearchEngine, SearchHit, SearchKind, SearchQuery, SearchResults,
    SortOrder, elapsed_ms,
};
use super::text::{self, QueryWord};

/// Bump when the schema or the analyzer changes: an index written by another version is
/// wiped and recreated (and the server rebuilds it).
const SCHEMA_VERSION: &str = "quorum-search-4";
const VERSION_FILE: &str = "quorum-search.version";
/// The file in the root that names the live generation.
const CURRENT_FILE: &str = "current";
/// Written into a generation when a rebuild has filled it from the database: one
/// without it (new, or a rebuild cut short by a restart) is rebuilt at start.
const COMPLETE_FILE: &str = "complete";
const ANALYZER: &str = "quorum";
/// The fast field grouped results are grouped by.
const THREAD: &str = "thread";
const WRITER_HEAP_BYTES: usize = 50_000_000;

/// Each query word found without a typo.
const TYPO_FREE: Score = 10_000.0;
/// Each query word found with one typo (two typos earn nothing).
const ONE_TYPO: Score = 5_000.0;
/// Each proximity tier the query's words meet as a phrase: adjacent, within 2, within 6.
const PROXIMITY: Score = 2_000.0;
const PROXIMITY_SLOPS: [u32; 3] = [0, 2, 6];
/// Each query word found in the title.
const TITLE: Score = 100.0;
/// Each query word found exactly as typed.
const EXACT: Score = 1.0;

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    kind: Field,
    zone: Field,
    author: Field,
    /// A discussion's title; a reply's or question's document leaves it empty (the
    /// title counts toward the discussion, not toward each reply).
    title: Field,
    body: Field,
    created_at: Field,
    /// The discussion, or the live session negated ([`super::Thread::key`]): what grouped
    /// results are grouped by.
    thread: Field,
    votes: Field,
    /// 1 when recognised as a Great Idea.
    recognized: Field,
    /// The status of the idea the post belongs to; empty when none.
    idea: Field,
    /// The whole `SearchDoc` as JSON (stored only).
    doc: Field,
}

fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        kind: b.add_text_field("kind", STRING),
        zone: b.add_text_field("zone", STRING),
        author: b.add_text_field("author", STRING),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text),
        created_at: b.add_i64_field("created_at", INDEXED | FAST),
        thread: b.add_i64_field(THREAD, INDEXED | FAST),
        votes: b.add_i64_field("votes", FAST),
        recognized: b.add_i64_field("recognized", INDEXED | FAST),
        idea: b.add_text_field("idea", STRING),
        doc: b.add_text_field("doc", STORED),
    };
    (b.build(), fields)
}

/// Filter values are compared case-insensitively, as Meilisearch does.
fn filter_key(value: &str) -> String {
    value.trim().to_lowercase()
}

/// One generation of the index, with its writer.
struct Inner {
    dir: PathBuf,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

impl Inner {
    /// Creates an empty index in `dir` (which must be empty or missing).
    fn create(dir: &Path) -> anyhow::Result<Self> {
        let (schema, _) = build_schema();
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the search directory {}", dir.display()))?;
        let index = Index::create_in_dir(dir, schema)
            .with_context(|| format!("creating the search index in {}", dir.display()))?;
        std::fs::write(dir.join(VERSION_FILE), SCHEMA_VERSION)?;
        Self::with_index(dir, index)
    }

    /// The index in `dir` if it exists, has our version and our schema.
    fn open(dir: &Path) -> Option<anyhow::Result<Self>> {
        let (schema, _) = build_schema();
        let version = std::fs::read_to_string(dir.join(VERSION_FILE)).ok()?;
        if version.trim() != SCHEMA_VERSION {
            return None;
        }
        let index = Index::open_in_dir(dir).ok()?;
        if index.schema() != schema {
            return None;
        }
        Some(Self::with_index(dir, index))
    }

    fn with_index(dir: &Path, index: Index) -> anyhow::Result<Self> {
        let (_, fields) = build_schema();
        index.tokenizers().register(ANALYZER, text::analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .context("opening the search index reader")?;
        let writer = index
            .writer_with_num_threads(1, WRITER_HEAP_BYTES)
            .context("opening the search index writer (is another process using it?)")?;
        Ok(Self {
            dir: dir.to_path_buf(),
            reader,
            writer: Mutex::new(writer),
            fields,
        })
    }

    fn writer(&self) -> MutexGuard<'_, IndexWriter> {
        // A panic while holding the lock leaves nothing half-done that a rollback or the
        // next commit would not handle, so a poisoned lock is still usable.
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Commits pending operations and makes them visible; rolls back on failure.
    fn commit(&self, writer: &mut IndexWriter) -> anyhow::Result<()> {
        if let Err(e) = writer.commit() {
            if let Err(rollback) = writer.rollback() {
                tracing::error!(error = %rollback, "search index rollback failed");
            }
            return Err(e).context("committing the search index");
        }
        self.reader
            .reload()
            .context("reloading the search index reader")
    }

    fn to_document(&self, doc: &SearchDoc) -> anyhow::Result<TantivyDocument> {
        let f = self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.id, doc.id());
        d.add_text(f.kind, doc.kind.as_str());
        d.add_text(f.zone, filter_key(&doc.zone));
        d.add_text(f.author, filter_key(&doc.author));
        if doc.kind == SearchKind::Discussion {
            d.add_text(f.title, &doc.title);
        }
        d.add_text(f.body, &doc.body);
        d.add_i64(f.created_at, doc.created_at.timestamp_micros());
        d.add_i64(f.thread, doc.thread().key());
        d.add_i64(f.votes, i64::from(doc.score));
        d.add_i64(f.recognized, i64::from(doc.recognized));
        d.add_text(f.idea, doc.idea.map_or("", |s| s.as_str()));
        d.add_text(f.doc, serde_json::to_string(doc)?);
        Ok(d)
    }

    /// Adds (replacing by id) without committing.
    fn add(&self, writer: &IndexWriter, docs: &[SearchDoc]) -> anyhow::Result<()> {
        for doc in docs {
            let document = self.to_document(doc)?;
            writer.delete_term(Term::from_field_text(self.fields.id, &doc.id()));
            writer.add_document(document)?;
        }
        Ok(())
    }

    fn index(&self, docs: &[SearchDoc]) -> anyhow::Result<()> {
        let mut writer = self.writer();
        self.add(&writer, docs)?;
        self.commit(&mut writer)
    }

    fn remove(&self, ids: &[String]) -> anyhow::Result<()> {
        let mut writer = self.writer();
        for id in ids {
            writer.delete_term(Term::from_field_text(self.fields.id, id));
        }
        self.commit(&mut writer)
    }

    fn clear(&self) -> anyhow::Result<()> {
        let mut writer = self.writer();
        writer.delete_all_documents()?;
        self.commit(&mut writer)
    }

    /// One required clause per query word (in the title or the body, within its typo
    /// budget, as a prefix for the last word), plus the constant scores of the ranking
    /// rules (see the module's documentation).
    fn text_query(&self, words: &[QueryWord]) -> BooleanQuery {
        let f = self.fields;
        let either = |make: &dyn Fn(Field) -> Box<dyn Query>| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, make(f.title)),
                (Occur::Should, make(f.body)),
            ]))
        };
        let constant = |query: Box<dyn Query>, score: Score| -> Box<dyn Query> {
            Box::new(ConstScoreQuery::new(query, score))
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for w in words {
            let within = |typos: u8| {
                move |field: Field| -> Box<dyn Query> {
                    let term = Term::from_field_text(field, &w.text);
                    if w.prefix {
                        Box::new(FuzzyTermQuery::new_prefix(term, typos, true))
                    } else if typos == 0 {
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic))
                    } else {
                        Box::new(FuzzyTermQuery::new(term, typos, true))
                    }
                }
            };
            let exact = |field: Field| -> Box<dyn Query> {
                Box::new(TermQuery::new(
                    Term::from_field_text(field, &w.text),
                    IndexRecordOption::Basic,
                ))
            };
            if w.typos > 0 {
                clauses.push((Occur::Must, constant(either(&within(w.typos)), 0.0)));
                let mut tiers = vec![constant(either(&within(0)), TYPO_FREE)];
                if w.typos > 1 {
                    tiers.push(constant(either(&within(1)), ONE_TYPO));
                }
                clauses.push((Occur::Should, Box::new(DisjunctionMaxQuery::new(tiers))));
                clauses.push((Occur::Should, constant(either(&exact), EXACT)));
            } else if w.prefix {
                // No typo allowed: every match is typo-free, so the required clause
                // carries that score itself (one automaton fewer for short words).
                clauses.push((Occur::Must, constant(either(&within(0)), TYPO_FREE)));
                clauses.push((Occur::Should, constant(either(&exact), EXACT)));
            } else {
                // And not a prefix: every match is exact too.
                clauses.push((Occur::Must, constant(either(&exact), TYPO_FREE + EXACT)));
            }
            clauses.push((Occur::Should, constant(within(w.typos)(f.title), TITLE)));
        }
        if words.len() >= 2 {
            for slop in PROXIMITY_SLOPS {
                let phrase = |field: Field| -> Box<dyn Query> {
                    let terms = words
                        .iter()
                        .map(|w| Term::from_field_text(field, &w.text))
                        .collect();
                    let mut query = PhraseQuery::new(terms);
                    query.set_slop(slop);
                    Box::new(query)
                };
                clauses.push((
                    Occur::Should,
                    constant(
                        Box::new(DisjunctionMaxQuery::new(vec![
                            phrase(f.title),
                            phrase(f.body),
                        ])),
                        PROXIMITY,
                    ),
                ));
            }
        }
        BooleanQuery::new(clauses)
    }

    fn query(&self, words: &[QueryWord], q: &SearchQuery) -> BooleanQuery {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(self.text_query(words)))];
        let mut filter = |term: Term| {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            ));
        };
        if let Some(zone) = &q.zone {
            filter(Term::from_field_text(f.zone, &filter_key(zone)));
        }
        if let Some(author) = &q.author {
            filter(Term::from_field_text(f.author, &filter_key(author)));
        }
        if let Some(kind) = q.kind {
            filter(Term::from_field_text(f.kind, kind.as_str()));
        }
        for key in q.within().into_iter().flatten() {
            filter(Term::from_field_i64(f.thread, key));
        }
        if q.recognized {
            filter(Term::from_field_i64(f.recognized, 1));
        }
        if let Some(status) = q.idea {
            filter(Term::from_field_text(f.idea, status.as_str()));
        }
        if q.from.is_some() || q.to.is_some() {
            let at = |t: chrono::DateTime<chrono::Utc>| {
                Term::from_field_i64(f.created_at, t.timestamp_micros())
            };
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    q.from.map_or(Bound::Unbounded, |t| Bound::Included(at(t))),
                    q.to.map_or(Bound::Unbounded, |t| Bound::Excluded(at(t))),
                )),
            ));
        }
        BooleanQuery::new(clauses)
    }

    fn search(&self, q: &SearchQuery) -> anyhow::Result<SearchResults> {
        let start = Instant::now();
        let words = text::words_of(&q.q);
        if words.is_empty() {
            return Ok(SearchResults {
                hits: Vec::new(),
                total: 0,
                took_ms: elapsed_ms(start),
            });
        }
        let query = self.query(&words, q);
        let searcher = self.reader.searcher();
        let per_page = usize::try_from(q.per_page()).unwrap_or(1);
        let offset =
            usize::try_from((q.page() - 1).saturating_mul(q.per_page())).unwrap_or(usize::MAX);
        let sort = q.sort;
        let (page, total): (Vec<(DocAddress, u64)>, usize) = match q.group {
            Grouping::None => {
                let num_docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
                let top = TopDocs::with_limit(per_page)
                    .and_offset(offset.min(num_docs))
                    .tweak_score(move |segment: &SegmentReader| {
                        let keys = Keys::new(segment, sort);
                        move |doc: DocId, score: Score| keys.key(doc, score)
                    });
                let (top, total) = searcher.search(&query, &(top, Count))?;
                (top.into_iter().map(|(_, a)| (a, 1)).collect(), total)
            }
            Grouping::Discussion => {
                let mut groups = searcher.search(&query, &Groups { sort })?;
                groups.sort_by_key(|g| std::cmp::Reverse(g.key));
                let total = groups.len();
                (
                    groups
                        .into_iter()
                        .skip(offset)
                        .take(per_page)
                        .map(|g| (g.best, g.count))
                        .collect(),
                    total,
                )
            }
        };
        let mut hits = Vec::with_capacity(page.len());
        for (address, matches) in page {
            hits.push(self.hit(&searcher, address, &words, matches)?);
        }
        Ok(SearchResults {
            hits,
            total: u64::try_from(total).unwrap_or(u64::MAX),
            took_ms: elapsed_ms(start),
        })
    }

    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
        words: &[QueryWord],
        matches: u64,
    ) -> anyhow::Result<SearchHit> {
        let stored: TantivyDocument = searcher.doc(address)?;
        let json = stored
            .get_first(self.fields.doc)
            .and_then(|v| v.as_str())
            .context("search document without its stored JSON")?;
        let doc: SearchDoc = serde_json::from_str(json).context("stored search document")?;
        let snippet = text::snippet(&doc.body, &text::tokens(&doc.body), words);
        let title_html = text::mark_all(&doc.title, words);
        Ok(SearchHit::of(doc, title_html, snippet, matches))
    }
}

/// A document's place in the order asked for, largest first.
type Key = [i64; 4];

/// The fast fields a segment's sort keys are read from.
struct Keys {
    sort: SortOrder,
    created_at: Option<Arc<dyn ColumnValues<i64>>>,
    votes: Option<Arc<dyn ColumnValues<i64>>>,
    recognized: Option<Arc<dyn ColumnValues<i64>>>,
}

impl Keys {
    fn new(segment: &SegmentReader, sort: SortOrder) -> Self {
        let column = |name: &str| {
            segment
                .fast_fields()
                .column_first_or_default::<i64>(name)
                .ok()
        };
        Self {
            sort,
            created_at: column("created_at"),
            votes: column("votes"),
            recognized: column("recognized"),
        }
    }

    fn key(&self, doc: DocId, score: Score) -> Key {
        let get = |c: &Option<Arc<dyn ColumnValues<i64>>>| c.as_ref().map_or(0, |c| c.get_val(doc));
        // The scores are sums of whole constants, exact in an f32.
        let relevance = score.round() as i64;
        let (created, votes, recognized) = (
            get(&self.created_at),
            get(&self.votes),
            get(&self.recognized),
        );
        match self.sort {
            SortOrder::Relevance => [relevance, votes, recognized, created],
            SortOrder::Newest => [created, relevance, votes, recognized],
            SortOrder::Votes => [votes, relevance, recognized, created],
        }
    }
}

/// A hasher for the group map's thread keys: one multiplication per id instead of
/// SipHash, which showed in common words' queries (every match is grouped).
#[derive(Default, Clone, Copy)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 =
                (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_i64(&mut self, id: i64) {
        self.0 = (id as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type IdMap<V> = HashMap<i64, V, std::hash::BuildHasherDefault<IdHasher>>;

/// Collects one group per discussion or session: its best post by the sort key, and how
/// many of its posts match.
struct Groups {
    sort: SortOrder,
}

struct Group {
    key: Key,
    best: DocAddress,
    count: u64,
}

struct SegmentGroups {
    segment: SegmentOrdinal,
    keys: Keys,
    thread: Option<Arc<dyn ColumnValues<i64>>>,
    groups: IdMap<(Key, DocId, u64)>,
}

impl Collector for Groups {
    type Fruit = Vec<Group>;
    type Child = SegmentGroups;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentGroups> {
        Ok(SegmentGroups {
            segment,
            keys: Keys::new(reader, self.sort),
            thread: reader
                .fast_fields()
                .column_first_or_default::<i64>(THREAD)
                .ok(),
            groups: IdMap::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, segments: Vec<Vec<(i64, Group)>>) -> tantivy::Result<Vec<Group>> {
        let mut merged: IdMap<Group> = IdMap::default();
        for (thread, group) in segments.into_iter().flatten() {
            match merged.get_mut(&thread) {
                Some(known) => {
                    known.count += group.count;
                    if group.key > known.key {
                        known.key = group.key;
                        known.best = group.best;
                    }
                }
                None => {
                    merged.insert(thread, group);
                }
            }
        }
        Ok(merged.into_values().collect())
    }
}

impl SegmentCollector for SegmentGroups {
    type Fruit = Vec<(i64, Group)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let key = self.keys.key(doc, score);
        let thread = self.thread.as_ref().map_or(0, |c| c.get_val(doc));
        let entry = self.groups.entry(thread).or_insert((key, doc, 0));
        entry.2 += 1;
        if key > entry.0 {
            entry.0 = key;
            entry.1 = doc;
        }
    }

    fn harvest(self) -> Vec<(i64, Group)> {
        let segment = self.segment;
        self.groups
            .into_iter()
            .map(|(thread, (key, doc, count))| {
                (
                    thread,
                    Group {
                        key,
                        best: DocAddress::new(segment, doc),
                        count,
                    },
                )
            })
            .collect()
    }
}

/// The tantivy-backed engine.
#[derive(Clone)]
pub struct EmbeddedEngine {
    root: PathBuf,
    live: Arc<RwLock<Arc<Inner>>>,
    /// Held by a rebuild in progress: one at a time.
    rebuilding: Arc<tokio::sync::Mutex<()>>,
    /// The live generation was not filled by a finished rebuild (new, of another
    /// version, or a rebuild cut short).
    fresh: bool,
}

impl EmbeddedEngine {
    /// Opens the index under `root` (created if missing). An index this version cannot
    /// read (other schema or version, or unreadable) is wiped and recreated empty.
    pub async fn open(root: &Path) -> anyhow::Result<Self> {
        let root = root.to_path_buf();
        tokio::task::spawn_blocking(move || Self::open_blocking(root)).await?
    }

    fn open_blocking(root: PathBuf) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&root)
            .with_context(|| format!("creating the search directory {}", root.display()))?;
        let current = std::fs::read_to_string(root.join(CURRENT_FILE))
            .ok()
            .map(|name| name.trim().to_string())
            .filter(|name| is_generation(name));
        let opened = match &current {
            Some(name) => Inner::open(&root.join(name)).transpose()?,
            None => None,
        };
        let (inner, fresh) = match opened {
            Some(inner) => {
                let complete = inner.dir.join(COMPLETE_FILE).exists();
                (inner, !complete)
            }
            None => {
                if std::fs::read_dir(&root)?.next().is_some() {
                    tracing::warn!(
                        dir = %root.display(),
                        "search index has another schema or is unreadable; recreating it \
                         empty and rebuilding it"
                    );
                    std::fs::remove_dir_all(&root)?;
                    std::fs::create_dir_all(&root)?;
                }
                let name = new_generation(&root);
                let inner = Inner::create(&root.join(&name))?;
                set_current(&root, &name)?;
                (inner, true)
            }
        };
        // Generations left behind by an interrupted rebuild.
        for entry in std::fs::read_dir(&root)?.flatten() {
            let path = entry.path();
            if path.is_dir()
                && path != inner.dir
                && let Err(e) = std::fs::remove_dir_all(&path)
            {
                tracing::warn!(error = %e, dir = %path.display(), "could not remove an old search index");
            }
        }
        Ok(Self {
            root,
            live: Arc::new(RwLock::new(Arc::new(inner))),
            rebuilding: Arc::default(),
            fresh,
        })
    }

    fn live(&self) -> Arc<Inner> {
        self.live.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    async fn blocking<T, F>(&self, f: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> anyhow::Result<T> + Send + 'static,
    {
        let inner = self.live();
        tokio::task::spawn_blocking(move || f(&inner)).await?
    }
}

fn is_generation(name: &str) -> bool {
    name.len() > 1 && name.starts_with('g') && name[1..].chars().all(|c| c.is_ascii_digit())
}

/// A generation name not yet used under `root`.
fn new_generation(root: &Path) -> String {
    let mut n = chrono::Utc::now().timestamp_micros().max(0);
    loop {
        let name = format!("g{n}");
        if !root.join(&name).exists() {
            return name;
        }
        n += 1;
    }
}

/// Points `current` at a generation, atomically.
fn set_current(root: &Path, name: &str) -> anyhow::Result<()> {
    let temporary = root.join(format!("{CURRENT_FILE}.tmp"));
    std::fs::write(&temporary, name)?;
    std::fs::rename(&temporary, root.join(CURRENT_FILE))?;
    Ok(())
}

/// A generation being built beside the live one.
struct EmbeddedRebuild {
    engine: EmbeddedEngine,
    next: Arc<Inner>,
    name: String,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

#[async_trait]
impl Rebuild for EmbeddedRebuild {
    async fn index(&mut self, docs: Vec<SearchDoc>) -> anyhow::Result<()> {
        let next = Arc::clone(&self.next);
        tokio::task::spawn_blocking(move || {
            let writer = next.writer();
            next.add(&writer, &docs)
        })
        .await?
    }

    async fn finish(self: Box<Self>) -> anyhow::Result<()> {
        let EmbeddedRebuild {
            engine,
            next,
            name,
            _turn,
        } = *self;
        tokio::task::spawn_blocking(move || {
            {
                let mut writer = next.writer();
                next.commit(&mut writer)?;
            }
            std::fs::write(next.dir.join(COMPLETE_FILE), SCHEMA_VERSION)?;
            set_current(&engine.root, &name)?;
            let old = {
                let mut live = engine.live.write().unwrap_or_else(|e| e.into_inner());
                std::mem::replace(&mut *live, next)
            };
            let old_dir = old.dir.clone();
            drop(old);
            if let Err(e) = std::fs::remove_dir_all(&old_dir) {
                tracing::warn!(error = %e, dir = %old_dir.display(), "could not remove the old search index");
            }
            Ok(())
        })
        .await?
    }
}

#[async_trait]
impl SearchEngine for EmbeddedEngine {
    fn name(&self) -> &'static str {
        "embedded"
    }

    fn needs_rebuild(&self) -> bool {
        self.fresh
    }

    async fn index(&self, docs: Vec<SearchDoc>) -> anyhow::Result<()> {
        if docs.is_empty() {
            return Ok(());
        }
        self.blocking(move |inner| inner.index(&docs)).await
    }

    async fn remove(&self, ids: Vec<String>) -> anyhow::Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        self.blocking(move |inner| inner.remove(&ids)).await
    }

    async fn clear(&self) -> anyhow::Result<()> {
        self.blocking(|inner| inner.clear()).await
    }

    async fn rebuild(&self) -> anyhow::Result<Box<dyn Rebuild>> {
        let turn = Arc::clone(&self.rebuilding).lock_owned().await;
        let root = self.root.clone();
        let (next, name) = tokio::task::spawn_blocking(move || {
            let name = new_generation(&root);
            Inner::create(&root.join(&name)).map(|inner| (inner, name))
        })
        .await??;
        Ok(Box::new(EmbeddedRebuild {
            engine: self.clone(),
            next: Arc::new(next),
            name,
            _turn: turn,
        }))
    }

    async fn search(&self, q: &SearchQuery) -> anyhow::Result<SearchResults> {
        if q.is_blank() {
            return Ok(SearchResults::default());
        }
        let q = q.clone();
        self.blocking(move |inner| inner.search(&q)).await
    }

    async fn health(&self) -> anyhow::Result<()> {
        self.blocking(|inner| {
            inner.reader.searcher().num_docs();
            Ok(())
        })
        .await
    }
}
