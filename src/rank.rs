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

use std::collections::HashMap;

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
    let stops = if params.stop_words {
        stop_terms()
    } else {
        Vec::new()
    };
    let content: Vec<&str> = all
        .iter()
        .copied()
        .filter(|t| !stops.iter().any(|s| s == t))
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

/// Adds `boost ×` BM25 of `terms` in `field` to `acc`, for every live
/// document containing them.
fn bm25_field(
    searcher: &Searcher,
    stats: &KindStats,
    field: Field,
    terms: &[QueryTerm],
    params: &RankParams,
    boost: f32,
    acc: &mut HashMap<DocAddress, Score>,
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
            let mut doc: DocId = postings.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    let tf = postings.term_freq() as f32;
                    let dl = norms.fieldnorm(doc) as f32;
                    let norm = params.k1 * (1.0 - params.b + params.b * dl / avgdl);
                    *acc.entry(DocAddress::new(ord as u32, doc)).or_default() +=
                        weight * tf / (tf + norm);
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
    acc: &mut HashMap<DocAddress, Score>,
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
            *acc.entry(addr).or_default() += params.proximity * score;
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

/// Reads the `article_id` fast field of documents.
struct ArticleIds {
    columns: Vec<StrColumn>,
}

impl ArticleIds {
    fn new(searcher: &Searcher) -> tantivy::Result<ArticleIds> {
        let mut columns = Vec::new();
        for segment in searcher.segment_readers() {
            let col = segment
                .fast_fields()
                .str(names::ARTICLE_ID)?
                .ok_or_else(|| {
                    tantivy::TantivyError::SchemaError("article_id is not a fast field".into())
                })?;
            columns.push(col);
        }
        Ok(ArticleIds { columns })
    }

    fn get(&self, addr: DocAddress, buf: &mut String) -> bool {
        let col = &self.columns[addr.segment_ord as usize];
        buf.clear();
        match col.term_ords(addr.doc_id).next() {
            Some(ord) => col.ord_to_str(ord, buf).unwrap_or(false),
            None => false,
        }
    }
}

fn entry<'a>(
    by_article: &'a mut HashMap<String, RankedArticle>,
    allowed: Option<&std::collections::HashSet<String>>,
    id: &str,
) -> Option<&'a mut RankedArticle> {
    if allowed.is_some_and(|a| !a.contains(id)) {
        return None;
    }
    Some(
        by_article
            .entry(id.to_string())
            .or_insert_with(|| RankedArticle {
                article_id: id.to_string(),
                score: 0.0,
                article_score: 0.0,
                passage_score: 0.0,
                best_passages: Vec::new(),
            }),
    )
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
    let ids = ArticleIds::new(searcher)?;
    let mut buf = String::new();

    let article_stats = KindStats::new(searcher, fields, kind::ARTICLE)?;
    let mut article_scores = HashMap::new();
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
    let mut passage_scores = HashMap::new();
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

    let mut by_article: HashMap<String, RankedArticle> = HashMap::new();
    for (addr, score) in article_scores {
        if ids.get(addr, &mut buf)
            && let Some(a) = entry(&mut by_article, allowed, &buf)
        {
            a.article_score = score;
        }
    }
    for (addr, score) in passage_scores {
        if ids.get(addr, &mut buf)
            && let Some(a) = entry(&mut by_article, allowed, &buf)
        {
            a.best_passages.push((addr, score));
        }
    }
    let mut ranked: Vec<RankedArticle> = by_article
        .into_values()
        .map(|mut a| {
            a.best_passages
                .sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
            a.passage_score = a
                .best_passages
                .iter()
                .take(params.passage_top)
                .map(|p| p.1)
                .sum();
            a.best_passages.truncate(3);
            a.score =
                params.article_weight * a.article_score + params.passage_weight * a.passage_score;
            a
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
