//! Article ranking from passage and whole-article evidence.
//!
//! An article's score combines
//! - **article evidence**: BM25 over the whole article (body, plus the
//!   headline weighted by `title_boost`), computed with article-level
//!   statistics (article count, average article length), and
//! - **passage evidence**: the sum of the `passage_top` best passage BM25
//!   scores (passage text only, passage-level statistics), weighted by
//!   `passage_weight`.
//!
//! Scores are computed term-at-a-time from tantivy's postings so that BM25's
//! k1 and b are parameters (tantivy fixes them at 1.2 and 0.75), and so that
//! both kinds of document get statistics of their own kind only.

use rustc_hash::FxHashMap;

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::columnar::StrColumn;
use tantivy::postings::Postings;
use tantivy::query::{Bm25StatisticsProvider, PhraseQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, TERMINATED, Term};

use crate::schema::{Fields, kind, names};

/// Ranking parameters. Defaults were chosen by measurement (README,
/// "Ranking"), not fitted per collection.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RankParams {
    /// BM25 term-frequency saturation.
    pub k1: f32,
    /// BM25 length normalisation.
    pub b: f32,
    /// Weight of headline matches relative to body matches.
    pub title_boost: f32,
    /// Weight of the whole-article evidence (0 ranks by passages alone).
    pub article_weight: f32,
    /// Weight of the passage evidence (0 ranks by whole articles alone).
    pub passage_weight: f32,
    /// How many of an article's best passages are summed.
    pub passage_top: usize,
    /// Drop English stop words from queries.
    pub stop_words: bool,
    /// Weight of the proximity bonus: BM25 of each pair of consecutive
    /// query words found within `proximity_slop` words of each other in a
    /// passage, added to that passage's score (0 turns it off).
    pub proximity: f32,
    /// Extra words allowed between the two words of a pair.
    pub proximity_slop: u32,
}

impl Default for RankParams {
    fn default() -> Self {
        RankParams {
            k1: 1.2,
            b: 0.75,
            title_boost: 1.0,
            article_weight: 1.0,
            passage_weight: 0.5,
            passage_top: 1,
            stop_words: true,
            proximity: 0.25,
            proximity_slop: 3,
        }
    }
}

/// A weighted query term (analyzed form).
#[derive(Debug, Clone, PartialEq)]
pub struct QueryTerm {
    pub term: String,
    pub weight: f32,
}

/// Turns natural-language text into weighted terms: every word counts (a
/// word repeated counts more), nothing is parsed as syntax.
pub fn bag_of_words(text: &str, params: &RankParams) -> Vec<QueryTerm> {
    let terms = crate::analysis::terms(text);
    weigh_terms(terms.iter().map(String::as_str), params)
}

/// Weighs analyzed terms: a term repeated counts more; stop words are
/// dropped when `params.stop_words` is set, unless nothing else is left.
pub fn weigh_terms<'a>(
    terms: impl IntoIterator<Item = &'a str>,
    params: &RankParams,
) -> Vec<QueryTerm> {
    let all: Vec<&str> = terms.into_iter().collect();
    let content: Vec<&str> = all
        .iter()
        .copied()
        .filter(|t| !(params.stop_words && is_stop_term(t)))
        .collect();
    let kept = if content.is_empty() { all } else { content };
    let mut out: Vec<QueryTerm> = Vec::new();
    for t in kept {
        match out.iter_mut().find(|q| q.term == t) {
            Some(q) => q.weight += 1.0,
            None => out.push(QueryTerm {
                term: t.to_string(),
                weight: 1.0,
            }),
        }
    }
    out
}

/// True for the analyzed form of a common English stop word ("the", "of").
pub fn is_stop_term(term: &str) -> bool {
    static STOP_TERMS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(stop_terms);
    STOP_TERMS.iter().any(|s| s == term)
}

/// Analyzed forms of a common English stop word list.
fn stop_terms() -> Vec<String> {
    const WORDS: &str = "a an and are as at be but by for if in into is it no not of on or such \
        that the their then there these they this to was will with what which who whom how when \
        where why do does did have has had can could would should may must been being were from \
        its than so";
    crate::analysis::terms(WORDS)
}

/// BM25 statistics counting only documents of one kind, so passage scores
/// are not diluted by article documents and vice versa.
pub struct KindStats<'a> {
    searcher: &'a Searcher,
    docs: u64,
}

impl<'a> KindStats<'a> {
    /// Statistics over documents whose `kind` is `kind_value`.
    pub fn new(searcher: &'a Searcher, fields: &Fields, kind_value: &str) -> tantivy::Result<Self> {
        let docs = searcher.doc_freq(&Term::from_field_text(fields.kind, kind_value))?;
        Ok(KindStats {
            searcher,
            docs: docs.max(1),
        })
    }

    /// Number of documents of the kind (deleted ones included until merged,
    /// as in tantivy's own statistics).
    pub fn docs(&self) -> u64 {
        self.docs
    }
}

impl Bm25StatisticsProvider for KindStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.searcher.total_num_tokens(field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.docs)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        // A term of a field both kinds share (none is queried today) would
        // count documents of the other kind too; above the kind's document
        // count, tantivy's BM25 would panic.
        Ok(self.searcher.doc_freq(term)?.min(self.docs))
    }
}

/// Scores accumulated term-at-a-time, one dense array per segment indexed
/// by doc id: a query touches tens of thousands of postings, and array
/// slots cost far less than hashing each document address.
struct Scores {
    segments: Vec<SegmentScores>,
}

struct SegmentScores {
    score: Vec<Score>,
    /// Docs whose score was touched, possibly repeated.
    touched: Vec<DocId>,
}

impl Scores {
    fn new(searcher: &Searcher) -> Scores {
        Scores {
            segments: searcher
                .segment_readers()
                .iter()
                .map(|s| SegmentScores {
                    score: vec![0.0; s.max_doc() as usize],
                    touched: Vec::new(),
                })
                .collect(),
        }
    }

    fn add(&mut self, addr: DocAddress, value: Score) {
        let seg = &mut self.segments[addr.segment_ord as usize];
        let slot = &mut seg.score[addr.doc_id as usize];
        if *slot == 0.0 {
            seg.touched.push(addr.doc_id);
        }
        *slot += value;
    }
}

/// Adds `boost ×` BM25 of `terms` in `field` to `acc`, for every live
/// document containing them.
fn bm25_field(
    searcher: &Searcher,
    stats: &KindStats,
    field: Field,
    terms: &[QueryTerm],
    params: &RankParams,
    boost: f32,
    acc: &mut Scores,
) -> tantivy::Result<()> {
    let n = stats.docs() as f32;
    let avgdl = (stats.total_num_tokens(field)? as f32 / n).max(1.0);
    for qt in terms {
        let term = Term::from_field_text(field, &qt.term);
        let df = searcher.doc_freq(&term)? as f32;
        if df == 0.0 {
            continue;
        }
        let idf = (1.0 + (n - df + 0.5).max(0.0) / (df + 0.5)).ln();
        let weight = boost * qt.weight * idf * (params.k1 + 1.0);
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let inverted = segment.inverted_index(field)?;
            let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::WithFreqs)?
            else {
                continue;
            };
            let norms = segment.get_fieldnorms_reader(field)?;
            let alive = segment.alive_bitset();
            let seg = &mut acc.segments[ord];
            let mut doc: DocId = postings.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    let tf = postings.term_freq() as f32;
                    let dl = norms.fieldnorm(doc) as f32;
                    let norm = params.k1 * (1.0 - params.b + params.b * dl / avgdl);
                    let slot = &mut seg.score[doc as usize];
                    if *slot == 0.0 {
                        seg.touched.push(doc);
                    }
                    *slot += weight * tf / (tf + norm);
                }
                doc = postings.advance();
            }
        }
    }
    Ok(())
}

/// Adds the proximity bonus of consecutive query word pairs to passage scores.
fn proximity_bonus(
    searcher: &Searcher,
    stats: &KindStats,
    fields: &Fields,
    terms: &[QueryTerm],
    params: &RankParams,
    acc: &mut Scores,
) -> tantivy::Result<()> {
    /// Pairs are rare enough that this bounds only pathological queries.
    const MAX_PAIR_MATCHES: usize = 10_000;
    for pair in terms.windows(2) {
        let mut phrase = PhraseQuery::new(vec![
            Term::from_field_text(fields.text, &pair[0].term),
            Term::from_field_text(fields.text, &pair[1].term),
        ]);
        phrase.set_slop(params.proximity_slop);
        let hits = searcher.search_with_statistics_provider(
            &phrase,
            &TopDocs::with_limit(MAX_PAIR_MATCHES).order_by_score(),
            stats,
        )?;
        for (score, addr) in hits {
            acc.add(addr, params.proximity * score);
        }
    }
    Ok(())
}

/// An article ranked by [`rank_articles`].
#[derive(Debug, Clone, PartialEq)]
pub struct RankedArticle {
    pub article_id: String,
    /// Combined score.
    pub score: Score,
    /// BM25 of the whole article.
    pub article_score: Score,
    /// Sum of the best passages' BM25.
    pub passage_score: Score,
    /// The article's best passages, best first (at most 3).
    pub best_passages: Vec<(DocAddress, Score)>,
}

/// One article's evidence found in one segment.
#[derive(Default)]
struct Partial {
    article_score: Option<Score>,
    passages: Vec<(DocAddress, Score)>,
}

/// Groups the scored documents of every segment by article id. Ids are read
/// from the `article_id` fast field as term ordinals and turned into strings
/// once per article, in ordinal order (one pass over the id dictionary
/// rather than one dictionary lookup per document).
fn group_by_article(
    searcher: &Searcher,
    article_scores: &Scores,
    passage_scores: &Scores,
) -> tantivy::Result<FxHashMap<String, Partial>> {
    let mut by_article: FxHashMap<String, Partial> = FxHashMap::default();
    for (seg_ord, segment) in searcher.segment_readers().iter().enumerate() {
        let column: StrColumn = segment
            .fast_fields()
            .str(names::ARTICLE_ID)?
            .ok_or_else(|| {
                tantivy::TantivyError::SchemaError("article_id is not a fast field".into())
            })?;
        let mut partials: FxHashMap<u64, Partial> = FxHashMap::default();
        let article_id_ord = |doc: DocId| column.term_ords(doc).next();
        let a = &article_scores.segments[seg_ord];
        for &doc in &a.touched {
            if let Some(ord) = article_id_ord(doc) {
                partials.entry(ord).or_default().article_score = Some(a.score[doc as usize]);
            }
        }
        let p = &passage_scores.segments[seg_ord];
        let mut touched = p.touched.clone();
        touched.sort_unstable();
        touched.dedup();
        for doc in touched {
            if let Some(ord) = article_id_ord(doc) {
                partials
                    .entry(ord)
                    .or_default()
                    .passages
                    .push((DocAddress::new(seg_ord as u32, doc), p.score[doc as usize]));
            }
        }
        let mut ords: Vec<u64> = partials.keys().copied().collect();
        ords.sort_unstable();
        let mut ords_iter = ords.iter();
        column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
            let ord = ords_iter.next().expect("one callback per ordinal");
            let partial = partials.remove(ord).expect("ordinal collected above");
            let id = String::from_utf8_lossy(bytes).into_owned();
            let merged = by_article.entry(id).or_default();
            if partial.article_score.is_some() {
                merged.article_score = partial.article_score;
            }
            merged.passages.extend(partial.passages);
        })?;
    }
    Ok(by_article)
}

/// Ranks articles for `terms`, best first, at most `limit`. When `allowed`
/// is given, only those article ids are ranked (the articles whose
/// passages satisfy a query's phrases, required and excluded words).
pub fn rank_articles(
    searcher: &Searcher,
    fields: &Fields,
    terms: &[QueryTerm],
    allowed: Option<&std::collections::HashSet<String>>,
    params: &RankParams,
    limit: usize,
) -> tantivy::Result<Vec<RankedArticle>> {
    let article_stats = KindStats::new(searcher, fields, kind::ARTICLE)?;
    let mut article_scores = Scores::new(searcher);
    if params.article_weight > 0.0 {
        bm25_field(
            searcher,
            &article_stats,
            fields.article_text,
            terms,
            params,
            1.0,
            &mut article_scores,
        )?;
        if params.title_boost > 0.0 {
            bm25_field(
                searcher,
                &article_stats,
                fields.article_title,
                terms,
                params,
                params.title_boost,
                &mut article_scores,
            )?;
        }
    }

    let passage_stats = KindStats::new(searcher, fields, kind::PASSAGE)?;
    let mut passage_scores = Scores::new(searcher);
    bm25_field(
        searcher,
        &passage_stats,
        fields.text,
        terms,
        params,
        1.0,
        &mut passage_scores,
    )?;

    if params.proximity > 0.0 {
        proximity_bonus(
            searcher,
            &passage_stats,
            fields,
            terms,
            params,
            &mut passage_scores,
        )?;
    }

    let by_article = group_by_article(searcher, &article_scores, &passage_scores)?;
    let mut ranked: Vec<RankedArticle> = by_article
        .into_iter()
        .filter(|(id, _)| allowed.is_none_or(|a| a.contains(id)))
        .map(|(article_id, partial)| {
            let mut best_passages = partial.passages;
            best_passages.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
            let passage_score = best_passages
                .iter()
                .take(params.passage_top)
                .map(|p| p.1)
                .sum();
            best_passages.truncate(3);
            let article_score = partial.article_score.unwrap_or(0.0);
            RankedArticle {
                article_id,
                score: params.article_weight * article_score
                    + params.passage_weight * passage_score,
                article_score,
                passage_score,
                best_passages,
            }
        })
        .collect();
    ranked.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then_with(|| x.article_id.cmp(&y.article_id))
    });
    ranked.truncate(limit);
    Ok(ranked)
}
