//! The embedded engine: a tantivy index on local disk.
//!
//! One `IndexWriter` lives behind a mutex; every `index`/`remove`/`clear` commits and
//! reloads the reader before returning, so changes are searchable when the call returns.
//! All tantivy work runs on the blocking thread pool.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use anyhow::Context as _;
use async_trait::async_trait;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value as _,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
    TokenStream as _,
};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader,
    TantivyDocument, Term,
};

use super::engine::{SearchDoc, SearchEngine, SearchHit, SearchQuery, SearchResults, elapsed_ms};
use super::text::{self, QueryWord, Token};

/// Bump when the schema or the analyzer changes: an index written by another version is
/// wiped and recreated (the app reindexes).
const SCHEMA_VERSION: &str = "quorum-search-1";
const VERSION_FILE: &str = "quorum-search.version";
const ANALYZER: &str = "quorum";
const WRITER_HEAP_BYTES: usize = 50_000_000;

/// Score given to each query word found in the title (fuzzily or not). It dwarfs any BM25
/// score so that title matches always rank above body-only matches.
const TITLE_WORD_BONUS: Score = 1000.0;
/// Weight of the BM25 score of an exact title word (relative to a body word).
const TITLE_EXACT_BOOST: Score = 3.0;
/// Score given to each query word found (fuzzily or not) in the body.
const BODY_WORD_SCORE: Score = 1.0;

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    kind: Field,
    zone: Field,
    author: Field,
    title: Field,
    body: Field,
    created_at: Field,
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
        doc: b.add_text_field("doc", STORED),
    };
    (b.build(), fields)
}

/// Splits on non-alphanumeric characters, lower-cases and folds accents to ASCII.
fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Filter values are compared case-insensitively, as Meilisearch does.
fn filter_key(value: &str) -> String {
    value.trim().to_lowercase()
}

struct Inner {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

impl Inner {
    fn writer(&self) -> MutexGuard<'_, IndexWriter> {
        // A panic while holding the lock leaves nothing half-done that a rollback or the
        // next commit would not handle, so a poisoned lock is still usable.
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn tokens(&self, text: &str) -> Vec<Token> {
        let mut analyzer = self
            .index
            .tokenizers()
            .get(ANALYZER)
            .unwrap_or_else(analyzer);
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push(Token {
                text: t.text.clone(),
                from: t.offset_from,
                to: t.offset_to,
            });
        }
        out
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
        d.add_text(f.title, &doc.title);
        d.add_text(f.body, &doc.body);
        d.add_i64(f.created_at, doc.created_at.timestamp_micros());
        d.add_text(f.doc, serde_json::to_string(doc)?);
        Ok(d)
    }

    fn index(&self, docs: &[SearchDoc]) -> anyhow::Result<()> {
        let mut writer = self.writer();
        for doc in docs {
            let document = self.to_document(doc)?;
            writer.delete_term(Term::from_field_text(self.fields.id, &doc.id()));
            writer.add_document(document)?;
        }
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

    /// One clause per query word, all required; each word may match the title or the body,
    /// exactly or within its typo budget (as a prefix for the last word).
    fn text_query(&self, words: &[QueryWord]) -> BooleanQuery {
        let f = self.fields;
        let clauses = words
            .iter()
            .map(|w| {
                let fuzzy = |field: Field| -> Box<dyn Query> {
                    let term = Term::from_field_text(field, &w.text);
                    if w.prefix {
                        Box::new(FuzzyTermQuery::new_prefix(term, w.typos, true))
                    } else {
                        Box::new(FuzzyTermQuery::new(term, w.typos, true))
                    }
                };
                let exact = |field: Field| -> Box<dyn Query> {
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, &w.text),
                        IndexRecordOption::WithFreqs,
                    ))
                };
                let per_word: Vec<(Occur, Box<dyn Query>)> = vec![
                    (
                        Occur::Should,
                        Box::new(BoostQuery::new(fuzzy(f.title), TITLE_WORD_BONUS)),
                    ),
                    (
                        Occur::Should,
                        Box::new(BoostQuery::new(exact(f.title), TITLE_EXACT_BOOST)),
                    ),
                    (
                        Occur::Should,
                        Box::new(BoostQuery::new(fuzzy(f.body), BODY_WORD_SCORE)),
                    ),
                    (Occur::Should, exact(f.body)),
                ];
                (
                    Occur::Must,
                    Box::new(BooleanQuery::new(per_word)) as Box<dyn Query>,
                )
            })
            .collect();
        BooleanQuery::new(clauses)
    }

    fn search(&self, q: &SearchQuery) -> anyhow::Result<SearchResults> {
        let start = Instant::now();
        let words = text::query_words(&q.q, self.tokens(&q.q));
        if words.is_empty() {
            return Ok(SearchResults {
                hits: Vec::new(),
                total: 0,
                took_ms: elapsed_ms(start),
            });
        }
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(self.text_query(&words)))];
        let mut filter = |field: Field, value: &str| {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(field, value),
                    IndexRecordOption::Basic,
                )),
            ));
        };
        if let Some(zone) = &q.zone {
            filter(f.zone, &filter_key(zone));
        }
        if let Some(author) = &q.author {
            filter(f.author, &filter_key(author));
        }
        if let Some(kind) = q.kind {
            filter(f.kind, kind.as_str());
        }
        let query = BooleanQuery::new(clauses);

        let searcher = self.reader.searcher();
        let num_docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        let per_page = usize::try_from(q.per_page()).unwrap_or(1);
        let offset = usize::try_from((q.page() - 1).saturating_mul(q.per_page()))
            .unwrap_or(usize::MAX)
            .min(num_docs);
        // Relevance first, then newest first.
        let top = TopDocs::with_limit(per_page)
            .and_offset(offset)
            .tweak_score(move |segment: &SegmentReader| {
                let created = segment
                    .fast_fields()
                    .column_first_or_default::<i64>("created_at")
                    .ok();
                move |doc: DocId, score: Score| {
                    (score, created.as_ref().map_or(0, |c| c.get_val(doc)))
                }
            });
        let (top, total) = searcher.search(&query, &(top, Count))?;

        let mut hits = Vec::with_capacity(top.len());
        for (_, address) in top {
            hits.push(self.hit(&searcher, address, &words)?);
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
    ) -> anyhow::Result<SearchHit> {
        let stored: TantivyDocument = searcher.doc(address)?;
        let json = stored
            .get_first(self.fields.doc)
            .and_then(|v| v.as_str())
            .context("search document without its stored JSON")?;
        let doc: SearchDoc = serde_json::from_str(json).context("stored search document")?;
        let snippet = text::snippet(&doc.body, &self.tokens(&doc.body), words);
        Ok(SearchHit {
            kind: doc.kind,
            discussion_id: doc.discussion_id,
            comment_id: doc.comment_id,
            title: doc.title,
            snippet,
            zone: doc.zone,
            author: doc.author,
            created_at: doc.created_at,
            score: doc.score,
        })
    }
}

/// The tantivy-backed engine.
#[derive(Clone)]
pub struct EmbeddedEngine {
    inner: Arc<Inner>,
}

impl EmbeddedEngine {
    /// Opens the index in `dir` (created if missing). An index this version cannot read
    /// (other schema or version, or unreadable) is wiped and recreated empty.
    pub async fn open(dir: &Path) -> anyhow::Result<Self> {
        let dir = dir.to_path_buf();
        tokio::task::spawn_blocking(move || Self::open_blocking(dir)).await?
    }

    fn open_blocking(dir: PathBuf) -> anyhow::Result<Self> {
        let (schema, fields) = build_schema();
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating the search directory {}", dir.display()))?;
        let index = match open_existing(&dir, &schema) {
            Some(index) => index,
            None => {
                if std::fs::read_dir(&dir)?.next().is_some() {
                    tracing::warn!(
                        dir = %dir.display(),
                        "search index has another schema or is unreadable; recreating it \
                         empty, a reindex is needed"
                    );
                    std::fs::remove_dir_all(&dir)?;
                    std::fs::create_dir_all(&dir)?;
                }
                let index = Index::create_in_dir(&dir, schema)
                    .with_context(|| format!("creating the search index in {}", dir.display()))?;
                std::fs::write(dir.join(VERSION_FILE), SCHEMA_VERSION)?;
                index
            }
        };
        index.tokenizers().register(ANALYZER, analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .context("opening the search index reader")?;
        let writer = index
            .writer_with_num_threads(1, WRITER_HEAP_BYTES)
            .context("opening the search index writer (is another process using it?)")?;
        Ok(Self {
            inner: Arc::new(Inner {
                index,
                reader,
                writer: Mutex::new(writer),
                fields,
            }),
        })
    }

    async fn blocking<T, F>(&self, f: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> anyhow::Result<T> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || f(&inner)).await?
    }
}

/// The index in `dir` if it exists, has our version and our schema.
fn open_existing(dir: &Path, schema: &Schema) -> Option<Index> {
    let version = std::fs::read_to_string(dir.join(VERSION_FILE)).ok()?;
    if version.trim() != SCHEMA_VERSION {
        return None;
    }
    let index = Index::open_in_dir(dir).ok()?;
    (index.schema() == *schema).then_some(index)
}

#[async_trait]
impl SearchEngine for EmbeddedEngine {
    fn name(&self) -> &'static str {
        "embedded"
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
