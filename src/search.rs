//! Searching: query text → ranked passage [`Hit`]s with highlight ranges.

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::Value;
use tantivy::{DocAddress, IndexReader, ReloadPolicy, TantivyDocument};

use crate::Index;
use crate::query::{self, DEFAULT_TITLE_BOOST, QueryError};
use crate::rank::KindStats;
use crate::schema::{Fields, kind};

/// Default number of hits.
pub const DEFAULT_LIMIT: usize = 10;

/// How many hits to return, and from where.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchOptions {
    /// Maximum number of hits.
    pub limit: usize,
    /// Hits to skip first (for paging).
    pub offset: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

/// The article a passage belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleRef {
    pub id: String,
    pub title: String,
    pub url: Option<String>,
    pub path: Option<String>,
    pub date: Option<String>,
    pub source: Option<String>,
}

/// A passage as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassageRef {
    /// 0-based position within the article.
    pub ordinal: u64,
    /// Byte range within the article body.
    pub start: u64,
    pub end: u64,
    /// The passage text (`body[start..end]`).
    pub text: String,
}

/// One ranked passage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// 1-based rank (offset included).
    pub rank: usize,
    /// BM25 score.
    pub score: f32,
    pub article: ArticleRef,
    pub passage: PassageRef,
    /// `[start, end)` UTF-8 byte ranges in `passage.text` of matched words.
    pub highlights: Vec<[usize; 2]>,
}

/// The outcome of one search.
#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    /// How the query was read, when it was not as typed.
    pub warnings: Vec<String>,
}

/// Runs queries against an index. Cheap to clone-free reuse: create once,
/// search many times; it follows new commits on its own.
///
/// ```
/// # fn main() -> anyhow::Result<()> {
/// let dir = tempfile::tempdir()?;
/// let mut index = passim::Index::create(dir.path(), passim::PassageConfig::default())?;
/// let mut writer = passim::Writer::new(&index, 64)?;
/// writer.add_article(&passim::Article::new("a1", "Gangs", "Police arrested a member of the gang."))?;
/// writer.commit(&mut index)?;
///
/// let searcher = passim::Searcher::new(&index)?;
/// let results = searcher.search("gangs", &passim::SearchOptions::default())?;
/// let hit = &results.hits[0];
/// let [start, end] = hit.highlights[0];
/// assert_eq!(&hit.passage.text[start..end], "gang");
/// # Ok(()) }
/// ```
pub struct Searcher {
    reader: IndexReader,
    parser: QueryParser,
    fields: Fields,
}

impl Searcher {
    /// A searcher over the index's last commit that reloads when new
    /// commits land.
    pub fn new(index: &Index) -> tantivy::Result<Searcher> {
        let fields = *index.fields();
        let reader = index
            .tantivy()
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        let mut parser = QueryParser::for_index(index.tantivy(), vec![fields.text, fields.title]);
        parser.set_field_boost(fields.title, DEFAULT_TITLE_BOOST);
        Ok(Searcher {
            reader,
            parser,
            fields,
        })
    }

    /// Picks up commits made since the searcher was created, now.
    pub fn reload(&self) -> tantivy::Result<()> {
        self.reader.reload()
    }

    /// Runs `query` and returns ranked passages with highlights.
    pub fn search(&self, query: &str, opts: &SearchOptions) -> Result<SearchResults, SearchError> {
        let parsed = query::parse(&self.parser, query)?;
        let searcher = self.reader.searcher();
        // Passage statistics count passages only, not article documents.
        let stats = KindStats::new(&searcher, &self.fields, kind::PASSAGE)?;
        let top = searcher.search_with_statistics_provider(
            &parsed.query,
            &TopDocs::with_limit(opts.limit.max(1))
                .and_offset(opts.offset)
                .order_by_score(),
            &stats,
        )?;
        let mut hits = Vec::with_capacity(top.len());
        for (i, (score, addr)) in top.into_iter().enumerate().take(opts.limit) {
            let mut hit = self.load(&searcher, addr)?;
            hit.rank = opts.offset + i + 1;
            hit.score = score;
            hit.highlights = parsed.highlight.ranges(&hit.passage.text);
            hits.push(hit);
        }
        Ok(SearchResults {
            hits,
            warnings: parsed.warnings,
        })
    }

    fn load(&self, searcher: &tantivy::Searcher, addr: DocAddress) -> tantivy::Result<Hit> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let f = &self.fields;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let num = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
        Ok(Hit {
            rank: 0,
            score: 0.0,
            article: ArticleRef {
                id: text(f.article_id).unwrap_or_default(),
                title: text(f.title).unwrap_or_default(),
                url: text(f.url),
                path: text(f.path),
                date: text(f.date),
                source: text(f.source),
            },
            passage: PassageRef {
                ordinal: num(f.ordinal),
                start: num(f.start),
                end: num(f.end),
                text: text(f.text).unwrap_or_default(),
            },
            highlights: Vec::new(),
        })
    }
}

/// Why a search failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query itself is unusable; the message says why.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The index could not be read.
    #[error("cannot read the index: {0}")]
    Index(#[from] tantivy::TantivyError),
}
