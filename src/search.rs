//! Searching: query text → ranked passage [`Hit`]s, or ranked
//! [`ArticleHit`]s with their best passages, each with highlight ranges.
//!
//! A [`Searcher`] is meant to live as long as the program: it opens the
//! index's readers once and follows new commits by itself, so a server or a
//! batch job pays for nothing per query beyond the search.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::PathBuf;

use rustc_hash::FxHashMap;
use serde::Serialize;
use tantivy::collector::{Collector, DocSetCollector, SegmentCollector, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocId, IndexReader, ReloadPolicy, Score, SegmentReader, TantivyDocument, Term,
};

use crate::Index;
use crate::highlight::{HighlightPlan, Matcher};
use crate::query::{self, PrefixTerm, QueryError};
use crate::rank::{self, KindStats, QueryTerm, RankParams};
use crate::schema::{Fields, kind, names};

/// Default number of hits.
pub const DEFAULT_LIMIT: usize = 10;

/// Passages shown per article by [`Searcher::search_articles`] when
/// [`SearchOptions::per_article`] is not set.
pub const DEFAULT_PASSAGES_PER_ARTICLE: usize = 3;

/// How many hits to return, and from where.
///
/// ```
/// let opts = passim::SearchOptions { limit: 5, per_article: Some(1), ..Default::default() };
/// assert_eq!(opts.offset, 0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SearchOptions {
    /// Maximum number of hits (passages, or articles for
    /// [`Searcher::search_articles`]).
    pub limit: usize,
    /// Hits to skip first (for paging).
    pub offset: usize,
    /// With [`Searcher::search`]: at most this many passages of one article
    /// (`None`: no cap). With [`Searcher::search_articles`]: the passages
    /// shown per article (`None`: [`DEFAULT_PASSAGES_PER_ARTICLE`]). `Some(0)`
    /// counts as 1.
    pub per_article: Option<usize>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: DEFAULT_LIMIT,
            offset: 0,
            per_article: None,
        }
    }
}

/// The article a passage belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleRef {
    /// Stable article id (a file's relative path, or a JSON Lines `id`).
    pub id: String,
    /// Headline (`""` when none).
    pub title: String,
    /// Where the article was published, when known.
    pub url: Option<String>,
    /// The file it was read from, when known.
    pub path: Option<String>,
    /// Publication date as found in the source, when known.
    pub date: Option<String>,
    /// Publisher or masthead, when known.
    pub source: Option<String>,
    /// Subject tags, in the order the source gave them (empty when none).
    pub tags: Vec<String>,
}

/// A passage as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassageRef {
    /// 0-based position within the article.
    pub ordinal: u64,
    /// Start of the passage: UTF-8 byte offset in the article body.
    pub start: u64,
    /// End of the passage (exclusive): UTF-8 byte offset in the article body.
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
    /// The article the passage belongs to.
    pub article: ArticleRef,
    /// The passage.
    pub passage: PassageRef,
    /// `[start, end)` UTF-8 byte ranges in `passage.text` of matched words.
    pub highlights: Vec<[usize; 2]>,
}

/// The outcome of one search.
#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    /// Ranked passages, best first.
    pub hits: Vec<Hit>,
    /// How the query was read, when it was not as typed.
    pub warnings: Vec<String>,
}

/// A passage of an [`ArticleHit`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassageHit {
    /// The passage's own BM25 score.
    pub score: f32,
    /// The passage.
    pub passage: PassageRef,
    /// `[start, end)` UTF-8 byte ranges in `passage.text` of matched words.
    pub highlights: Vec<[usize; 2]>,
}

/// One ranked article with its best passages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleHit {
    /// 1-based rank among articles (offset included).
    pub rank: usize,
    /// The article's score (see [`article_score`]).
    pub score: f32,
    /// The article.
    pub article: ArticleRef,
    /// Its best-scoring passages, best first.
    pub passages: Vec<PassageHit>,
}

/// The outcome of one article search.
#[derive(Debug, Clone, Default)]
pub struct ArticleResults {
    /// Ranked articles, best first.
    pub hits: Vec<ArticleHit>,
    /// How the query was read, when it was not as typed.
    pub warnings: Vec<String>,
}

/// One ranked article id, from [`Searcher::rank_articles`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankedArticle {
    /// 1-based rank among articles (offset included).
    pub rank: usize,
    /// The article's score (see [`article_score`]).
    pub score: f32,
    /// The article id.
    pub id: String,
}

/// The outcome of [`Searcher::rank_articles`].
#[derive(Debug, Clone, Default)]
pub struct ArticleRanking {
    /// Ranked article ids, best first.
    pub hits: Vec<RankedArticle>,
    /// How the query was read, when it was not as typed.
    pub warnings: Vec<String>,
}

/// An article as stored: its metadata and every passage, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredArticle {
    /// The article.
    pub article: ArticleRef,
    /// Its passages by ordinal.
    pub passages: Vec<PassageRef>,
}

/// What a query marks, from [`Searcher::highlights`].
#[derive(Debug, Clone, Default)]
pub struct QueryHighlights {
    /// Matches in passage text, as search hits' `highlights`.
    pub passage: HighlightPlan,
    /// Matches in a headline.
    pub title: HighlightPlan,
    /// How the query was read, when it was not as typed.
    pub warnings: Vec<String>,
}

/// How an article ranks when the query has no words for the passage text
/// (`title:MEK`): as good as its best matching passage (scores best first,
/// never empty). Other queries rank with [`crate::rank`].
///
/// ```
/// assert_eq!(passim::search::article_score(&[2.5, 1.0]), 2.5);
/// ```
pub fn article_score(passage_scores: &[Score]) -> Score {
    passage_scores.first().copied().unwrap_or(0.0)
}

/// Runs queries against an index. Create it once and search many times:
/// the index readers are opened once, and the searcher follows new
/// commits on its own (tantivy's `ReloadPolicy::OnCommitWithDelay`: a
/// commit by another process or thread is seen within about a second), so
/// long-running programs such as `passim serve` need no restart.
/// [`Searcher::reload`] makes a commit visible at once. A `Searcher` is
/// `Send + Sync`; share it between threads behind an `Arc`.
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
///
/// // Commits made later are picked up; reload() does it without waiting.
/// writer.add_article(&passim::Article::new("a2", "More gangs", "Another gang."))?;
/// writer.commit(&mut index)?;
/// searcher.reload()?;
/// assert_eq!(searcher.search("gangs", &Default::default())?.hits.len(), 2);
/// # Ok(()) }
/// ```
pub struct Searcher {
    reader: IndexReader,
    parser: QueryParser,
    fields: Fields,
    dir: PathBuf,
}

impl Searcher {
    /// A searcher over the index's last commit that reloads when new
    /// commits land.
    pub fn new(index: &Index) -> tantivy::Result<Searcher> {
        Self::with_policy(index, ReloadPolicy::OnCommitWithDelay)
    }

    /// A searcher over the index's last commit that never reloads by
    /// itself (only [`Searcher::reload`] moves it on). One-shot programs such
    /// as `passim search` use it: it starts no file watcher thread, which
    /// is a noticeable part of a short run.
    pub fn snapshot(index: &Index) -> tantivy::Result<Searcher> {
        Self::with_policy(index, ReloadPolicy::Manual)
    }

    fn with_policy(index: &Index, policy: ReloadPolicy) -> tantivy::Result<Searcher> {
        let fields = *index.fields();
        let reader = index
            .tantivy()
            .reader_builder()
            .reload_policy(policy)
            .try_into()?;
        let parser = query::parser(index.tantivy(), &fields);
        Ok(Searcher {
            reader,
            parser,
            fields,
            dir: index.dir().to_path_buf(),
        })
    }

    /// Picks up commits made since the searcher was created, now.
    pub fn reload(&self) -> tantivy::Result<()> {
        self.reader.reload()
    }

    /// The index folder this searcher reads.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// A snapshot of the index as this searcher sees it now (see [`crate::stats`]).
    pub fn stats(&self) -> tantivy::Result<crate::stats::Stats> {
        crate::stats::of_searcher(&self.reader.searcher(), &self.fields, &self.dir)
    }

    /// Runs `query` and returns ranked passages with highlights. With
    /// [`SearchOptions::per_article`], passages beyond that many from one
    /// article are left out (the rest move up). Passages with equal scores
    /// come in an order fixed by their articles (content hash, then place
    /// in the article), so rebuilding the index from the same articles
    /// gives the same results in the same order.
    pub fn search(&self, query: &str, opts: &SearchOptions) -> Result<SearchResults, SearchError> {
        let mut parsed = query::parse(&self.parser, query)?;
        let flat = drop_stop_words(flatten_unions(parsed.query.as_ref()), &mut parsed);
        let searcher = self.reader.searcher();
        let words = expand_prefixes(&parsed.prefixes, &searcher, &self.fields)?;
        let flat = with_prefix_scores(flat, &words);
        let wanted = opts.offset.saturating_add(opts.limit).max(1);
        // Passage statistics count passages only, not article documents.
        let stats = KindStats::new(&searcher, &self.fields, kind::PASSAGE)?;
        let candidates: Vec<Scored> = match opts.per_article {
            None => {
                // One more than wanted shows whether passages tied with the
                // last one wanted were left out; if so, fetch them all.
                let top = searcher.search_with_statistics_provider(
                    flat.as_ref(),
                    &TopDocs::with_limit(wanted.saturating_add(1)).order_by_score(),
                    &stats,
                )?;
                if top.len() > wanted && top[wanted].0 == top[wanted - 1].0 {
                    scoring_at_least(&searcher, flat.as_ref(), &stats, top[wanted - 1].0)?
                } else {
                    top
                }
            }
            Some(cap) => {
                let groups = searcher.search_with_statistics_provider(
                    flat.as_ref(),
                    &ByArticle::new(cap),
                    &stats,
                )?;
                groups.into_values().flatten().collect()
            }
        };
        let scored = best_passages(&searcher, candidates, wanted)?;
        let scored = scored.into_iter().skip(opts.offset);
        let mut hits = Vec::with_capacity(scored.len().min(opts.limit));
        for (i, (score, addr)) in scored.into_iter().enumerate().take(opts.limit) {
            let (article, passage) = self.load(&searcher, addr)?;
            hits.push(Hit {
                rank: opts.offset + i + 1,
                score,
                highlights: parsed.highlight.ranges(&passage.text),
                article,
                passage,
            });
        }
        Ok(SearchResults {
            hits,
            warnings: parsed.warnings,
        })
    }

    /// Runs `query` and returns ranked articles, one hit per article, each
    /// with up to [`SearchOptions::per_article`] of its best passages.
    /// Articles rank by [`crate::rank`]'s combination of whole-article and
    /// passage BM25; ties go to the smaller id, so the order is stable.
    ///
    /// ```
    /// # fn main() -> anyhow::Result<()> {
    /// # let dir = tempfile::tempdir()?;
    /// # let mut index = passim::Index::create(dir.path(), passim::PassageConfig::new(5))?;
    /// # let mut writer = passim::Writer::new(&index, 64)?;
    /// writer.add_article(&passim::Article::new(
    ///     "a1", "",
    ///     "The gang met at dawn by the river. Later the gang split up and ran. Nobody saw them again after that night.",
    /// ))?;
    /// # writer.commit(&mut index)?;
    /// let searcher = passim::Searcher::new(&index)?;
    /// let results = searcher.search_articles("gang", &passim::SearchOptions::default())?;
    /// assert_eq!(results.hits.len(), 1);
    /// assert_eq!(results.hits[0].passages.len(), 2);
    /// assert!(results.hits[0].passages[0].score >= results.hits[0].passages[1].score);
    /// # Ok(()) }
    /// ```
    pub fn search_articles(
        &self,
        query: &str,
        opts: &SearchOptions,
    ) -> Result<ArticleResults, SearchError> {
        let parsed = query::parse(&self.parser, query)?;
        let searcher = self.reader.searcher();
        let shown = passages_shown(opts);
        let needed = opts.offset.saturating_add(opts.limit);
        let mut hits = Vec::new();
        for (i, group) in self
            .rank(&searcher, &parsed, shown, needed)?
            .into_iter()
            .skip(opts.offset)
            .take(opts.limit)
            .enumerate()
        {
            hits.push(self.article_hit(
                &searcher,
                opts.offset + i + 1,
                group.score,
                &group.passages,
                &parsed.highlight,
            )?);
        }
        Ok(ArticleResults {
            hits,
            warnings: parsed.warnings,
        })
    }

    /// The article ranking of [`Searcher::search_articles`] (same order,
    /// same scores) without loading or highlighting any passage: ids and
    /// scores only, for evaluation runs that go a thousand deep.
    ///
    /// ```
    /// # fn main() -> anyhow::Result<()> {
    /// # let dir = tempfile::tempdir()?;
    /// # let mut index = passim::Index::create(dir.path(), passim::PassageConfig::default())?;
    /// # let mut writer = passim::Writer::new(&index, 64)?;
    /// # writer.add_article(&passim::Article::new("a1", "", "A gang story."))?;
    /// # writer.add_article(&passim::Article::new("a2", "", "A gang gang gang story."))?;
    /// # writer.commit(&mut index)?;
    /// let searcher = passim::Searcher::new(&index)?;
    /// let opts = passim::SearchOptions::default();
    /// let ranking = searcher.rank_articles("gang", &opts)?;
    /// let full = searcher.search_articles("gang", &opts)?;
    /// assert_eq!(ranking.hits[0].id, full.hits[0].article.id);
    /// assert_eq!(ranking.hits[0].score, full.hits[0].score);
    /// # Ok(()) }
    /// ```
    pub fn rank_articles(
        &self,
        query: &str,
        opts: &SearchOptions,
    ) -> Result<ArticleRanking, SearchError> {
        let parsed = query::parse(&self.parser, query)?;
        let searcher = self.reader.searcher();
        let needed = opts.offset.saturating_add(opts.limit);
        let hits = self
            .rank(&searcher, &parsed, passages_shown(opts), needed)?
            .into_iter()
            .skip(opts.offset)
            .take(opts.limit)
            .enumerate()
            .map(|(i, group)| RankedArticle {
                rank: opts.offset + i + 1,
                score: group.score,
                id: group.id,
            })
            .collect();
        Ok(ArticleRanking {
            hits,
            warnings: parsed.warnings,
        })
    }

    /// The `needed` best matching articles with their `keep` best passages,
    /// ranked by [`crate::rank`]'s combination of whole-article and passage
    /// BM25 over the query's words (ties by id). The query itself decides
    /// which articles match: those with a passage that satisfies it
    /// (phrases, required and excluded words apply passage by passage). A
    /// query with no words for the passage text (`title:MEK`) ranks by
    /// [`article_score`]. Articles are told apart by their article
    /// documents; ids are read only for the articles returned.
    fn rank(
        &self,
        searcher: &tantivy::Searcher,
        parsed: &query::ParsedQuery,
        keep: usize,
        needed: usize,
    ) -> tantivy::Result<Vec<ArticleGroup>> {
        let stats = KindStats::new(searcher, &self.fields, kind::PASSAGE)?;
        let words = expand_prefixes(&parsed.prefixes, searcher, &self.fields)?;
        let query = with_prefix_scores(parsed.query.box_clone(), &words);
        let groups =
            searcher.search_with_statistics_provider(&*query, &ByArticle::new(keep), &stats)?;
        let params = RankParams::default();
        // The words prefixes stand for in the text weigh like typed words.
        let expanded: Vec<String> = words
            .iter()
            .filter(|(term, _)| term.field() == self.fields.text)
            .filter_map(|(term, _)| term.value().as_str().map(str::to_string))
            .collect();
        let terms = ranking_terms(&parsed.highlight, &expanded, &params);
        let combined: FxHashMap<DocAddress, Score> = if terms.is_empty() {
            FxHashMap::default()
        } else {
            let allowed = groups.keys().copied().collect();
            rank::score_articles(searcher, &self.fields, &terms, Some(&allowed), &params)?
                .into_iter()
                .map(|a| (a.article, a.score))
                .collect()
        };
        let scored: Vec<(Score, DocAddress, Vec<Scored>)> = groups
            .into_iter()
            .map(|(article, mut passages)| {
                passages.sort_by(by_score_then_address);
                let scores: Vec<Score> = passages.iter().map(|p| p.0).collect();
                let score = combined
                    .get(&article)
                    .copied()
                    .unwrap_or_else(|| article_score(&scores));
                (score, article, passages)
            })
            .collect();
        Ok(
            rank::best_by_score_then_id(searcher, scored, |g| g.0, |g| g.1, needed)?
                .into_iter()
                .map(|(id, (score, _, passages))| ArticleGroup {
                    score,
                    id,
                    passages,
                })
                .collect(),
        )
    }

    fn article_hit(
        &self,
        searcher: &tantivy::Searcher,
        rank: usize,
        score: Score,
        passages: &[Scored],
        plan: &HighlightPlan,
    ) -> tantivy::Result<ArticleHit> {
        let mut article = None;
        let mut out = Vec::with_capacity(passages.len());
        for &(score, addr) in passages {
            let (a, passage) = self.load(searcher, addr)?;
            article.get_or_insert(a);
            out.push(PassageHit {
                score,
                highlights: plan.ranges(&passage.text),
                passage,
            });
        }
        Ok(ArticleHit {
            rank,
            score,
            article: article.expect("an article hit has a passage"),
            passages: out,
        })
    }

    /// The stored article with this id, its passages in order; `None` when
    /// the index has no such article.
    pub fn article(&self, id: &str) -> tantivy::Result<Option<StoredArticle>> {
        let searcher = self.reader.searcher();
        let term = Term::from_field_text(self.fields.article_id, id);
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        let docs = searcher.search(&query, &DocSetCollector)?;
        let mut article = None;
        let mut passages = Vec::with_capacity(docs.len());
        for addr in docs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            if doc.get_first(self.fields.text).is_none() {
                continue; // the article-level document
            }
            let (a, p) = self.load(&searcher, addr)?;
            article.get_or_insert(a);
            passages.push(p);
        }
        passages.sort_by_key(|p| p.ordinal);
        Ok(article.map(|article| StoredArticle { article, passages }))
    }

    /// What [`Searcher::search`] would mark for `query`, to mark it in
    /// text that was not found by searching (`passim show --highlight`):
    /// the passage plan is exactly the one passage search uses (stop words
    /// beside other words left out), the title plan the same for words on
    /// the default fields or `title:`.
    ///
    /// ```
    /// # fn main() -> anyhow::Result<()> {
    /// # let dir = tempfile::tempdir()?;
    /// # let mut index = passim::Index::create(dir.path(), passim::PassageConfig::default())?;
    /// let searcher = passim::Searcher::new(&index)?;
    /// let marks = searcher.highlights("the gangs title:police")?;
    /// let text = "The gang and the police.";
    /// assert_eq!(marks.passage.ranges(text), [[4, 8]]);
    /// assert_eq!(marks.title.ranges(text), [[4, 8], [17, 23]]);
    /// # Ok(()) }
    /// ```
    pub fn highlights(&self, query: &str) -> Result<QueryHighlights, SearchError> {
        let mut parsed = query::parse(&self.parser, query)?;
        drop_stop_words(flatten_unions(parsed.query.as_ref()), &mut parsed);
        Ok(QueryHighlights {
            passage: parsed.highlight,
            title: parsed.title_highlight,
            warnings: parsed.warnings,
        })
    }

    fn load(
        &self,
        searcher: &tantivy::Searcher,
        addr: DocAddress,
    ) -> tantivy::Result<(ArticleRef, PassageRef)> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let f = &self.fields;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let num = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
        Ok((
            ArticleRef {
                id: text(f.article_id).unwrap_or_default(),
                title: text(f.title).unwrap_or_default(),
                url: text(f.url),
                path: text(f.path),
                date: text(f.date),
                source: text(f.source),
                tags: doc
                    .get_all(f.tags)
                    .filter_map(|v| v.as_str())
                    .map(str::to_string)
                    .collect(),
            },
            PassageRef {
                ordinal: num(f.ordinal),
                start: num(f.start),
                end: num(f.end),
                text: text(f.text).unwrap_or_default(),
            },
        ))
    }
}

/// The words an article ranking weighs: the query's positive words for the
/// passage text, phrase words included, each once per mention, and the
/// words its prefixes stand for.
fn ranking_terms(plan: &HighlightPlan, expanded: &[String], params: &RankParams) -> Vec<QueryTerm> {
    use crate::highlight::Matcher;
    let mut words: Vec<&str> = plan
        .matchers
        .iter()
        .flat_map(|m| match m {
            Matcher::Term(t) => vec![t.as_str()],
            // A prefix's words come in `expanded` (a phrase's last word
            // is left out: it only counts inside its phrase).
            Matcher::Phrase { terms, prefix, .. } => {
                let exact = terms.len() - usize::from(*prefix);
                terms[..exact].iter().map(String::as_str).collect()
            }
            Matcher::Prefix(_) => Vec::new(),
        })
        .collect();
    words.extend(expanded.iter().map(String::as_str));
    rank::weigh_terms(words, params)
}

/// How many words one prefix stands for at most when ranking: the
/// commonest (tantivy's phrase prefixes also stop at 50).
const PREFIX_EXPANSIONS: usize = 50;

/// The words (indexed terms) a query's prefixes stand for: for each
/// prefix, the [`PREFIX_EXPANSIONS`] commonest terms of its field that
/// start with it, with the field's boost.
fn expand_prefixes(
    prefixes: &[PrefixTerm],
    searcher: &tantivy::Searcher,
    fields: &Fields,
) -> tantivy::Result<Vec<(Term, Score)>> {
    let mut words = Vec::new();
    for p in prefixes {
        let field = if p.field == names::TITLE {
            fields.title
        } else {
            fields.text
        };
        let mut doc_freq: HashMap<Vec<u8>, u64> = HashMap::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted
                .terms()
                .range()
                .ge(p.prefix.as_bytes())
                .into_stream()?;
            while stream.advance() && stream.key().starts_with(p.prefix.as_bytes()) {
                *doc_freq.entry(stream.key().to_vec()).or_default() +=
                    u64::from(stream.value().doc_freq);
            }
        }
        let mut terms: Vec<(Vec<u8>, u64)> = doc_freq.into_iter().collect();
        terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        terms.truncate(PREFIX_EXPANSIONS);
        for (bytes, _) in terms {
            if let Ok(text) = std::str::from_utf8(&bytes) {
                words.push((Term::from_field_text(field, text), p.boost));
            }
        }
    }
    Ok(words)
}

/// `query`, with the BM25 of `words` (a query's prefixes expanded) added
/// to the score of what it matches. The prefix's regex decides what
/// matches and scores every match alike; without this, `assass*` alone
/// would list its passages in index order.
fn with_prefix_scores(query: Box<dyn Query>, words: &[(Term, Score)]) -> Box<dyn Query> {
    if words.is_empty() {
        return query;
    }
    let words: Vec<(Occur, Box<dyn Query>)> = words
        .iter()
        .map(|(term, boost)| {
            let term = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
            let boosted: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(term), *boost));
            (Occur::Should, boosted)
        })
        .collect();
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, query),
        (Occur::Should, Box::new(BooleanQuery::new(words))),
    ]))
}

/// The same query with nested unions spliced into their parent union.
///
/// The parser turns `oil prices` into `(text:oil title:oil^2) (text:price
/// title:price^2)`: a union of unions. tantivy ranks a union of plain term
/// queries with block-max WAND, skipping blocks that cannot reach the top
/// hits, but scores a union of unions document by document; flat, ORed
/// queries run several times faster (3x on news-all title queries) with the
/// same scores (sums of the same terms). A union with a minimum number of
/// matching clauses above one is left as it is, as is every other query.
fn flatten_unions(query: &dyn Query) -> Box<dyn Query> {
    let Some(boolean) = query.downcast_ref::<BooleanQuery>() else {
        return query.box_clone();
    };
    let minimum = boolean.get_minimum_number_should_match();
    if minimum > 1 {
        return query.box_clone();
    }
    let mut clauses = Vec::with_capacity(boolean.clauses().len());
    for (occur, sub) in boolean.clauses() {
        let sub = flatten_unions(sub.as_ref());
        match sub.downcast_ref::<BooleanQuery>() {
            Some(inner) if *occur == Occur::Should && is_plain_union(inner) => clauses.extend(
                inner
                    .clauses()
                    .iter()
                    .map(|(occur, q)| (*occur, q.box_clone())),
            ),
            _ => clauses.push((*occur, sub)),
        }
    }
    let mut flat = BooleanQuery::new(clauses);
    flat.set_minimum_number_should_match(minimum);
    Box::new(flat)
}

/// Drops the optional single-word clauses of stop words ("the", "of") from
/// a union that has other words to look for, as article ranking does:
/// they add almost nothing to a passage's score, yet match nearly every
/// passage, and scoring them was about a quarter of the time of a long
/// query. Required words, phrases and queries made only of stop words are
/// left alone. The dropped words are not highlighted either.
fn drop_stop_words(query: Box<dyn Query>, parsed: &mut query::ParsedQuery) -> Box<dyn Query> {
    let Some(boolean) = query.downcast_ref::<BooleanQuery>() else {
        return query;
    };
    let stop_word_of = |occur: &Occur, q: &dyn Query| -> Option<String> {
        if *occur != Occur::Should {
            return None;
        }
        let mut terms = Vec::new();
        q.query_terms(&mut |term, positions| terms.push((term.clone(), positions)));
        match terms.as_slice() {
            [(term, false)] => term
                .value()
                .as_str()
                .filter(|t| rank::is_stop_term(t))
                .map(str::to_string),
            _ => None,
        }
    };
    let stops: Vec<Option<String>> = boolean
        .clauses()
        .iter()
        .map(|(occur, q)| stop_word_of(occur, q.as_ref()))
        .collect();
    let positive = boolean
        .clauses()
        .iter()
        .zip(&stops)
        .any(|((occur, _), stop)| *occur != Occur::MustNot && stop.is_none());
    if !positive || stops.iter().all(Option::is_none) {
        return query;
    }
    let kept: Vec<(Occur, Box<dyn Query>)> = boolean
        .clauses()
        .iter()
        .zip(&stops)
        .filter(|(_, stop)| stop.is_none())
        .map(|((occur, q), _)| (*occur, q.box_clone()))
        .collect();
    let dropped: Vec<&String> = stops.iter().flatten().collect();
    for plan in [&mut parsed.highlight, &mut parsed.title_highlight] {
        plan.matchers
            .retain(|m| !matches!(m, Matcher::Term(t) if dropped.contains(&t)));
    }
    let mut pruned = BooleanQuery::new(kept);
    pruned.set_minimum_number_should_match(boolean.get_minimum_number_should_match());
    Box::new(pruned)
}

/// A non-empty union: it matches when any clause does, scoring their sum,
/// just as its clauses would inside a parent union.
fn is_plain_union(query: &BooleanQuery) -> bool {
    query.get_minimum_number_should_match() <= 1
        && !query.clauses().is_empty()
        && query
            .clauses()
            .iter()
            .all(|(occur, _)| *occur == Occur::Should)
}

/// Passages shown per article in an article search (at least one).
fn passages_shown(opts: &SearchOptions) -> usize {
    opts.per_article
        .unwrap_or(DEFAULT_PASSAGES_PER_ARTICLE)
        .max(1)
}

/// An article with its best matching passages, best first.
struct ArticleGroup {
    score: Score,
    id: String,
    passages: Vec<Scored>,
}

/// A matching passage: its score and where it is.
type Scored = (Score, DocAddress);

/// Best score first; equal scores in index order, so results are stable.
fn by_score_then_address(a: &Scored, b: &Scored) -> Ordering {
    b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1))
}

/// The `wanted` best of `candidates` (which must hold every passage scoring
/// at least the `wanted`-th best score), ties in [`TieKeys`] order.
/// Addresses alone would order ties by whichever indexing thread took an
/// article, which differs from one build to the next.
fn best_passages(
    searcher: &tantivy::Searcher,
    mut candidates: Vec<Scored>,
    wanted: usize,
) -> tantivy::Result<Vec<Scored>> {
    candidates.sort_by(by_score_then_address);
    let mut ties = TieKeys::new(searcher);
    let mut best = Vec::with_capacity(wanted.min(candidates.len()));
    let mut rest = &candidates[..];
    while best.len() < wanted && !rest.is_empty() {
        let tied = rest.iter().take_while(|c| c.0 == rest[0].0).count();
        let (run, tail) = rest.split_at(tied);
        if tied == 1 {
            best.extend_from_slice(run);
        } else {
            best.extend(ties.first(run, wanted - best.len())?);
        }
        rest = tail;
    }
    Ok(best)
}

/// What orders passages with equal scores: their article's content hash
/// (a fast field of its article document, see [`crate::indexer::content_hash`]),
/// then their place in the article. Both depend only on the articles, not
/// on how the index was built; the hash is a number every segment can
/// compare, where ids would have to be read from each segment's compressed
/// id dictionary (a third more time for short queries, many of which tie).
struct TieKeys<'s> {
    searcher: &'s tantivy::Searcher,
    segments: Vec<Option<(rank::ArticleOf, Option<tantivy::columnar::Column<u64>>)>>,
}

impl<'s> TieKeys<'s> {
    fn new(searcher: &'s tantivy::Searcher) -> Self {
        TieKeys {
            searcher,
            segments: (0..searcher.segment_readers().len())
                .map(|_| None)
                .collect(),
        }
    }

    /// The article hash of a passage (0 for a document without one).
    fn hash(&mut self, at: DocAddress) -> tantivy::Result<u64> {
        let slot = &mut self.segments[at.segment_ord as usize];
        if slot.is_none() {
            let reader = &self.searcher.segment_readers()[at.segment_ord as usize];
            let hashes = reader.fast_fields().column_opt(names::HASH)?;
            *slot = Some((rank::ArticleOf::new(reader)?, hashes));
        }
        let Some((article_of, Some(hashes))) = slot else {
            return Ok(0);
        };
        Ok(hashes.first(article_of.get(at.doc_id)).unwrap_or(0))
    }

    /// The first `count` passages of `run` (equal scores) in tie order. An
    /// article's passages sit in one segment in order (see
    /// [`crate::schema`]): among the same article, addresses give that order.
    fn first(&mut self, run: &[Scored], count: usize) -> tantivy::Result<Vec<Scored>> {
        let mut keyed = Vec::with_capacity(run.len());
        for &scored in run {
            keyed.push((self.hash(scored.1)?, scored.1, scored));
        }
        if keyed.len() > count {
            keyed.select_nth_unstable_by_key(count, |k| (k.0, k.1));
            keyed.truncate(count);
        }
        keyed.sort_unstable_by_key(|k| (k.0, k.1));
        Ok(keyed.into_iter().map(|k| k.2).collect())
    }
}

/// Every passage matching `query` with a score of at least `floor`:
/// block-max WAND skips the rest, as it does for a top-k search.
fn scoring_at_least(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    stats: &KindStats,
    floor: Score,
) -> tantivy::Result<Vec<Scored>> {
    let scoring = tantivy::query::EnableScoring::enabled_from_statistics_provider(stats, searcher);
    let weight = query.weight(scoring)?;
    // The callback sees scores above the threshold it returns.
    let below = floor.next_down();
    let mut out = Vec::new();
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        let alive = reader.alive_bitset();
        weight.for_each_pruning(below, reader, &mut |doc, score| {
            if alive.is_none_or(|alive| alive.is_alive(doc)) {
                out.push((score, DocAddress::new(segment as u32, doc)));
            }
            below
        })?;
    }
    Ok(out)
}

/// Collects every matching passage grouped by article, keeping each
/// article's `keep` best. An article is known by its article document,
/// found from a passage's ordinal (see [`crate::schema`]): no document and
/// no id is read, and an article's documents all sit in one segment.
struct ByArticle {
    keep: usize,
}

impl ByArticle {
    fn new(keep: usize) -> ByArticle {
        ByArticle { keep: keep.max(1) }
    }
}

type Grouped = FxHashMap<DocAddress, Vec<Scored>>;

/// Pushes `item` into `best`, keeping the `keep` highest scores.
fn keep_best(best: &mut Vec<Scored>, item: Scored, keep: usize) {
    if best.len() < keep {
        best.push(item);
        return;
    }
    let (worst, _) = best
        .iter()
        .enumerate()
        .min_by(|a, b| by_score_then_address(b.1, a.1))
        .expect("keep >= 1");
    if by_score_then_address(&item, &best[worst]) == Ordering::Less {
        best[worst] = item;
    }
}

impl Collector for ByArticle {
    type Fruit = Grouped;
    type Child = ByArticleSegment;

    fn for_segment(&self, segment: u32, reader: &SegmentReader) -> tantivy::Result<Self::Child> {
        Ok(ByArticleSegment {
            segment,
            keep: self.keep,
            article_of: rank::ArticleOf::new(reader)?,
            groups: FxHashMap::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Grouped>) -> tantivy::Result<Grouped> {
        // Segments hold different articles: nothing to merge.
        Ok(fruits.into_iter().flatten().collect())
    }
}

struct ByArticleSegment {
    segment: u32,
    keep: usize,
    article_of: rank::ArticleOf,
    groups: FxHashMap<DocId, Vec<Scored>>,
}

impl SegmentCollector for ByArticleSegment {
    type Fruit = Grouped;

    fn collect(&mut self, doc: DocId, score: Score) {
        let item = (score, DocAddress::new(self.segment, doc));
        let group = self.groups.entry(self.article_of.get(doc)).or_default();
        keep_best(group, item, self.keep);
    }

    fn harvest(self) -> Grouped {
        let segment = self.segment;
        self.groups
            .into_iter()
            .map(|(article, passages)| (DocAddress::new(segment, article), passages))
            .collect()
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

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::{Article, PassageConfig, Writer};

    fn index_with(dir: &std::path::Path, articles: &[Article]) -> Index {
        let mut index = Index::create(dir, PassageConfig::new(5)).unwrap();
        let mut writer = Writer::new(&index, 64).unwrap();
        for a in articles {
            writer.add_article(a).unwrap();
        }
        writer.commit(&mut index).unwrap();
        index
    }

    fn gangs() -> Vec<Article> {
        vec![
            Article::new(
                "many",
                "",
                "The gang met at dawn by the river. Later the gang split up and ran. \
                 The gang was never seen again after that night. One gang member wrote.",
            ),
            Article::new("one", "", "A gang gang gang story in one short passage."),
            Article::new("none", "", "Nothing to see here at all."),
        ]
    }

    #[test]
    fn per_article_caps_passages_and_keeps_the_best() {
        let dir = tempfile::tempdir().unwrap();
        let index = index_with(dir.path(), &gangs());
        let s = Searcher::new(&index).unwrap();
        let all = s.search("gang", &SearchOptions::default()).unwrap().hits;
        assert!(all.iter().filter(|h| h.article.id == "many").count() > 2);
        let capped = s
            .search(
                "gang",
                &SearchOptions {
                    per_article: Some(1),
                    ..Default::default()
                },
            )
            .unwrap()
            .hits;
        let ids: Vec<&str> = capped.iter().map(|h| h.article.id.as_str()).collect();
        assert_eq!(ids.len(), 2, "{ids:?}");
        assert!(ids.contains(&"many") && ids.contains(&"one"));
        // The kept passage of each article is its best one in the uncapped list.
        for h in &capped {
            let best = all.iter().find(|a| a.article.id == h.article.id).unwrap();
            assert_eq!(best.passage, h.passage);
            assert_eq!(best.score, h.score);
        }
        assert_eq!(capped[0].rank, 1);
        assert_eq!(capped[1].rank, 2);
    }

    #[test]
    fn article_search_ranks_articles_and_pages() {
        let dir = tempfile::tempdir().unwrap();
        let index = index_with(dir.path(), &gangs());
        let s = Searcher::new(&index).unwrap();
        let passages = s.search("gang", &SearchOptions::default()).unwrap().hits;
        let articles = s
            .search_articles("gang", &SearchOptions::default())
            .unwrap()
            .hits;
        assert_eq!(articles.len(), 2);
        // Combined article scores, best first; each article's passages are
        // its best matching passages.
        assert!(articles[0].score >= articles[1].score);
        let ids: std::collections::HashSet<&str> =
            passages.iter().map(|p| p.article.id.as_str()).collect();
        assert!(articles.iter().all(|a| ids.contains(a.article.id.as_str())));
        for a in &articles {
            assert!(!a.passages.is_empty() && a.passages.len() <= DEFAULT_PASSAGES_PER_ARTICLE);
            assert!(a.passages.windows(2).all(|w| w[0].score >= w[1].score));
            for p in &a.passages {
                assert!(!p.highlights.is_empty());
            }
        }
        let second = s
            .search_articles(
                "gang",
                &SearchOptions {
                    limit: 1,
                    offset: 1,
                    per_article: Some(1),
                },
            )
            .unwrap()
            .hits;
        assert_eq!(second.len(), 1);
        assert_eq!(second[0].rank, 2);
        assert_eq!(second[0].article.id, articles[1].article.id);
        assert_eq!(second[0].passages.len(), 1);
    }

    #[test]
    fn stored_article_lists_passages_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let index = index_with(dir.path(), &gangs());
        let s = Searcher::new(&index).unwrap();
        let a = s.article("many").unwrap().unwrap();
        assert!(a.passages.len() > 2);
        let ordinals: Vec<u64> = a.passages.iter().map(|p| p.ordinal).collect();
        assert_eq!(ordinals, (0..a.passages.len() as u64).collect::<Vec<_>>());
        assert!(s.article("missing").unwrap().is_none());
    }

    #[test]
    fn a_searcher_sees_later_commits_without_reload() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = index_with(dir.path(), &gangs());
        let s = Searcher::new(&index).unwrap();
        assert!(
            s.search("zebra", &SearchOptions::default())
                .unwrap()
                .hits
                .is_empty()
        );
        let mut writer = Writer::new(&index, 64).unwrap();
        writer
            .add_article(&Article::new("z", "", "A zebra crossed."))
            .unwrap();
        writer.commit(&mut index).unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if !s
                .search("zebra", &SearchOptions::default())
                .unwrap()
                .hits
                .is_empty()
            {
                break;
            }
            assert!(Instant::now() < deadline, "the commit was never seen");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
