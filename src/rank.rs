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

use rustc_hash::{FxHashMap, FxHashSet};

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
        self.segments[addr.segment_ord as usize].add(addr.doc_id, value);
    }
}

impl SegmentScores {
    fn add(&mut self, doc: DocId, value: Score) {
        let slot = &mut self.score[doc as usize];
        if *slot == 0.0 {
            self.touched.push(doc);
        }
        *slot += value;
    }
}

/// BM25's length normalisation for a document of `dl` words where
/// documents average `avgdl`: a term occurring `tf` times there scores
/// `weight * tf / (tf + norm)`.
fn length_norm(dl: f32, avgdl: f32, params: &RankParams) -> f32 {
    params.k1 * (1.0 - params.b + params.b * dl / avgdl)
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
        let weight = boost * qt.weight * idf(n, df) * (params.k1 + 1.0);
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
                    seg.add(doc, weight * tf / (tf + length_norm(dl, avgdl, params)));
                }
                doc = postings.advance();
            }
        }
    }
    Ok(())
}

/// Adds BM25 of `terms` over passage text to `passages` (passage
/// statistics) and, when `articles` is given, BM25 over whole article
/// bodies to the article documents in it (article statistics).
///
/// An article's passages do not overlap and hold every word of its body,
/// so the body's frequency of a term is the sum of its passages' and its
/// length the sum of their lengths: one pass over the passage postings
/// serves both kinds, and the body is indexed once. A passage's article
/// document is found from its ordinal, by the batch layout
/// [`crate::schema`] describes.
#[allow(clippy::too_many_arguments)]
fn bm25_text(
    searcher: &Searcher,
    fields: &Fields,
    passage_stats: &KindStats,
    article_stats: &KindStats,
    terms: &[QueryTerm],
    params: &RankParams,
    passages: &mut Scores,
    mut articles: Option<&mut Scores>,
) -> tantivy::Result<()> {
    let field = fields.text;
    let tokens = passage_stats.total_num_tokens(field)? as f32;
    let n = passage_stats.docs() as f32;
    let avgdl = (tokens / n).max(1.0);
    let article_n = article_stats.docs() as f32;
    let article_avgdl = (tokens / article_n).max(1.0);
    let segments = searcher.segment_readers();
    // Per segment, the articles holding the term with its frequency in
    // each, in document order.
    let mut found: Vec<Vec<(DocId, u32)>> = vec![Vec::new(); segments.len()];
    for qt in terms {
        let term = Term::from_field_text(field, &qt.term);
        let df = searcher.doc_freq(&term)? as f32;
        if df == 0.0 {
            continue;
        }
        let weight = qt.weight * idf(n, df) * (params.k1 + 1.0);
        for (ord, segment) in segments.iter().enumerate() {
            let Some(mut postings) = segment
                .inverted_index(field)?
                .read_postings(&term, IndexRecordOption::WithFreqs)?
            else {
                continue;
            };
            let norms = segment.get_fieldnorms_reader(field)?;
            let article_of = ArticleOf::new(segment)?;
            let alive = segment.alive_bitset();
            let seg = &mut passages.segments[ord];
            let in_articles = &mut found[ord];
            let mut doc: DocId = postings.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    let freq = postings.term_freq();
                    let (tf, dl) = (freq as f32, norms.fieldnorm(doc) as f32);
                    seg.add(doc, weight * tf / (tf + length_norm(dl, avgdl, params)));
                    if articles.is_some()
                        && let Some(article) = article_of.of(doc)
                    {
                        match in_articles.last_mut() {
                            Some((last, sum)) if *last == article => *sum += freq,
                            _ => in_articles.push((article, freq)),
                        }
                    }
                }
                doc = postings.advance();
            }
        }
        let Some(articles) = articles.as_deref_mut() else {
            continue;
        };
        let article_df = found.iter().map(Vec::len).sum::<usize>() as f32;
        if article_df == 0.0 {
            continue;
        }
        let weight = qt.weight * idf(article_n, article_df) * (params.k1 + 1.0);
        for (ord, segment) in segments.iter().enumerate() {
            if found[ord].is_empty() {
                continue;
            }
            let norms = segment.get_fieldnorms_reader(field)?;
            let counts: Option<tantivy::columnar::Column<u64>> =
                segment.fast_fields().column_opt(names::PASSAGES)?;
            for (article, tf) in found[ord].drain(..) {
                let count = counts.as_ref().and_then(|c| c.first(article)).unwrap_or(0) as DocId;
                let dl: u32 = (article + 1..=article + count)
                    .map(|p| norms.fieldnorm(p))
                    .sum();
                let tf = tf as f32;
                let norm = length_norm(dl as f32, article_avgdl, params);
                articles.add(
                    DocAddress::new(ord as u32, article),
                    weight * tf / (tf + norm),
                );
            }
        }
    }
    Ok(())
}

/// BM25's inverse document frequency of a term in `df` of `n` documents.
fn idf(n: f32, df: f32) -> f32 {
    (1.0 + (n - df + 0.5).max(0.0) / (df + 0.5)).ln()
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
    /// The article's own document.
    pub article: DocAddress,
    /// Combined score.
    pub score: Score,
    /// BM25 of the whole article.
    pub article_score: Score,
    /// Sum of the best passages' BM25.
    pub passage_score: Score,
    /// The article's best passages, best first (at most 3).
    pub best_passages: Vec<(DocAddress, Score)>,
}

/// An article's evidence, found under its article document.
#[derive(Default)]
struct Partial {
    article_score: Option<Score>,
    passages: Vec<(DocAddress, Score)>,
}

/// The article document of each passage of a segment: its ordinal says
/// how far after its article document it sits (see [`crate::schema`]).
pub(crate) struct ArticleOf {
    ordinals: Option<tantivy::columnar::Column<u64>>,
}

impl ArticleOf {
    pub(crate) fn new(segment: &tantivy::SegmentReader) -> tantivy::Result<ArticleOf> {
        Ok(ArticleOf {
            ordinals: segment.fast_fields().column_opt(names::ORDINAL)?,
        })
    }

    /// The article document of passage `doc`; None for a document without
    /// an ordinal (an article document: no passage lacks one).
    pub(crate) fn of(&self, doc: DocId) -> Option<DocId> {
        let ordinal = self.ordinals.as_ref()?.first(doc)?;
        doc.checked_sub(ordinal as DocId + 1)
    }

    /// [`ArticleOf::of`], or `doc` itself for a document without an ordinal.
    pub(crate) fn get(&self, doc: DocId) -> DocId {
        self.of(doc).unwrap_or(doc)
    }
}

/// Groups the scored documents of every segment by article document.
fn group_by_article(
    searcher: &Searcher,
    article_scores: &Scores,
    passage_scores: &Scores,
) -> tantivy::Result<FxHashMap<DocAddress, Partial>> {
    let mut by_article: FxHashMap<DocAddress, Partial> = FxHashMap::default();
    for (seg_ord, segment) in searcher.segment_readers().iter().enumerate() {
        let seg_ord = seg_ord as u32;
        let a = &article_scores.segments[seg_ord as usize];
        for &doc in &a.touched {
            by_article
                .entry(DocAddress::new(seg_ord, doc))
                .or_default()
                .article_score = Some(a.score[doc as usize]);
        }
        let article_of = ArticleOf::new(segment)?;
        let p = &passage_scores.segments[seg_ord as usize];
        let mut touched = p.touched.clone();
        touched.sort_unstable();
        touched.dedup();
        for doc in touched {
            by_article
                .entry(DocAddress::new(seg_ord, article_of.get(doc)))
                .or_default()
                .passages
                .push((DocAddress::new(seg_ord, doc), p.score[doc as usize]));
        }
    }
    Ok(by_article)
}

/// The ids of the articles whose documents are `articles`, in that order,
/// read from the `article_id` fast field: one sorted pass over each
/// segment's id dictionary (looking ids up one by one decodes a dictionary
/// block each time).
pub(crate) fn article_ids(
    searcher: &Searcher,
    articles: &[DocAddress],
) -> tantivy::Result<Vec<String>> {
    let mut ids = vec![String::new(); articles.len()];
    for (seg_ord, segment) in searcher.segment_readers().iter().enumerate() {
        let Some(column): Option<StrColumn> = segment.fast_fields().str(names::ARTICLE_ID)? else {
            continue;
        };
        // (ordinal, where the id goes), sorted by ordinal.
        let mut wanted: Vec<(u64, usize)> = articles
            .iter()
            .enumerate()
            .filter(|(_, a)| a.segment_ord as usize == seg_ord)
            .filter_map(|(i, a)| column.term_ords(a.doc_id).next().map(|ord| (ord, i)))
            .collect();
        if wanted.is_empty() {
            continue;
        }
        wanted.sort_unstable();
        let ords: Vec<u64> = wanted.iter().map(|w| w.0).collect();
        // The callback runs once per ordinal, repeated ones included.
        let mut places = wanted.iter().map(|w| w.1);
        column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
            if let Some(i) = places.next() {
                ids[i] = String::from_utf8_lossy(bytes).into_owned();
            }
        })?;
    }
    Ok(ids)
}

/// The `limit` best of `items` by score, ties by article id (smaller
/// first), each with its id. Ids are read only for the items that can
/// make the cut: the best `limit` and any tied with the last of them.
pub(crate) fn best_by_score_then_id<T>(
    searcher: &Searcher,
    mut items: Vec<T>,
    score: impl Fn(&T) -> Score,
    article: impl Fn(&T) -> DocAddress,
    limit: usize,
) -> tantivy::Result<Vec<(String, T)>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    items.sort_by(|x, y| score(y).total_cmp(&score(x)));
    if items.len() > limit {
        let cut = score(&items[limit - 1]);
        let end = items.partition_point(|x| score(x).total_cmp(&cut).is_ge());
        items.truncate(end);
    }
    let addresses: Vec<DocAddress> = items.iter().map(&article).collect();
    let ids = article_ids(searcher, &addresses)?;
    let mut best: Vec<(String, T)> = ids.into_iter().zip(items).collect();
    best.sort_by(|(x_id, x), (y_id, y)| score(y).total_cmp(&score(x)).then_with(|| x_id.cmp(y_id)));
    best.truncate(limit);
    Ok(best)
}

/// Scores every article that holds a query term, keyed by its article
/// document; with `allowed`, only those articles.
pub(crate) fn score_articles(
    searcher: &Searcher,
    fields: &Fields,
    terms: &[QueryTerm],
    allowed: Option<&FxHashSet<DocAddress>>,
    params: &RankParams,
) -> tantivy::Result<Vec<RankedArticle>> {
    let article_stats = KindStats::new(searcher, fields, kind::ARTICLE)?;
    let passage_stats = KindStats::new(searcher, fields, kind::PASSAGE)?;
    let mut article_scores = Scores::new(searcher);
    let mut passage_scores = Scores::new(searcher);
    let with_articles = params.article_weight > 0.0;
    bm25_text(
        searcher,
        fields,
        &passage_stats,
        &article_stats,
        terms,
        params,
        &mut passage_scores,
        with_articles.then_some(&mut article_scores),
    )?;
    if with_articles && params.title_boost > 0.0 {
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
    Ok(by_article
        .into_iter()
        .filter(|(article, _)| allowed.is_none_or(|a| a.contains(article)))
        .map(|(article, partial)| {
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
                article_id: String::new(),
                article,
                score: params.article_weight * article_score
                    + params.passage_weight * passage_score,
                article_score,
                passage_score,
                best_passages,
            }
        })
        .collect())
}

/// Ranks articles for `terms`, best first, at most `limit`; ties go to the
/// smaller id. When `allowed` is given, only those articles (by article
/// document) are ranked: the articles whose passages satisfy a query's
/// phrases, required and excluded words.
pub fn rank_articles(
    searcher: &Searcher,
    fields: &Fields,
    terms: &[QueryTerm],
    allowed: Option<&FxHashSet<DocAddress>>,
    params: &RankParams,
    limit: usize,
) -> tantivy::Result<Vec<RankedArticle>> {
    let scored = score_articles(searcher, fields, terms, allowed, params)?;
    Ok(
        best_by_score_then_id(searcher, scored, |a| a.score, |a| a.article, limit)?
            .into_iter()
            .map(|(article_id, ranked)| RankedArticle {
                article_id,
                ..ranked
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Article, Index, PassageConfig, Writer};

    /// One term's BM25, from the textbook definition.
    fn bm25(tf: f32, dl: f32, avgdl: f32, n: f32, df: f32, p: &RankParams) -> f32 {
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        idf * tf * (p.k1 + 1.0) / (tf + p.k1 * (1.0 - p.b + p.b * dl / avgdl))
    }

    fn body(gangs: usize, police: usize, filler: usize) -> String {
        let mut sentences = Vec::new();
        sentences.extend((0..gangs).map(|i| format!("Gangs met in town number {i}.")));
        sentences.extend((0..police).map(|_| "The police waited there.".to_string()));
        sentences.extend((0..filler).map(|_| "Rain fell on the river.".to_string()));
        sentences.join(" ")
    }

    /// Whole-article BM25 is read off the passages (frequencies and lengths
    /// summed over an article's passages): it must equal BM25 over the
    /// whole bodies, through several segments, a replaced and a deleted
    /// article, and a merge.
    #[test]
    fn article_bm25_from_passages_matches_bm25_over_whole_bodies() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = Index::create(dir.path(), PassageConfig::new(5)).unwrap();
        let mut articles = vec![
            Article::new("a1", "One", body(3, 1, 4)),
            Article::new("a2", "Two", body(1, 0, 9)),
            Article::new("a3", "Three", body(0, 2, 2)),
            Article::new("a4", "Four", body(5, 5, 0)),
        ];
        let mut writer = Writer::new(&index, 32).unwrap();
        for a in &articles[..2] {
            writer.add_article(a).unwrap();
        }
        writer.commit(&mut index).unwrap();
        for a in &articles[2..] {
            writer.add_article(a).unwrap();
        }
        writer.commit(&mut index).unwrap();
        // Replace a1 (its new documents land after a4's), delete a3.
        articles[0] = Article::new("a1", "One", body(2, 3, 1));
        writer.add_article(&articles[0]).unwrap();
        writer.delete_article("a3");
        articles.remove(2);
        writer.commit(&mut index).unwrap();
        writer.finish().unwrap();

        let params = RankParams {
            article_weight: 1.0,
            passage_weight: 0.0,
            title_boost: 0.0,
            proximity: 0.0,
            ..RankParams::default()
        };
        let terms = [
            QueryTerm {
                term: "gang".into(),
                weight: 1.0,
            },
            QueryTerm {
                term: "polic".into(),
                weight: 1.0,
            },
        ];
        let check = |exact_stats: bool| {
            let reader = index.tantivy().reader().unwrap();
            let searcher = reader.searcher();
            assert!(searcher.segment_readers().len() >= 2 || exact_stats);
            let ranked =
                rank_articles(&searcher, index.fields(), &terms, None, &params, 10).unwrap();
            let tokens: Vec<Vec<String>> = articles
                .iter()
                .map(|a| crate::analysis::terms(&a.body))
                .collect();
            let n = articles.len() as f32;
            let avgdl = tokens.iter().map(Vec::len).sum::<usize>() as f32 / n;
            for (a, toks) in articles.iter().zip(&tokens) {
                let mut expected = 0.0;
                for t in &terms {
                    let tf = toks.iter().filter(|w| **w == t.term).count() as f32;
                    let df = tokens.iter().filter(|ws| ws.contains(&t.term)).count() as f32;
                    if tf > 0.0 {
                        expected += bm25(tf, toks.len() as f32, avgdl, n, df, &params);
                    }
                }
                let got = ranked.iter().find(|r| r.article_id == a.id);
                if expected == 0.0 {
                    assert!(got.is_none(), "{} should not match", a.id);
                    continue;
                }
                let got = got.unwrap_or_else(|| panic!("{} not ranked", a.id));
                if exact_stats {
                    let diff = (got.article_score - expected).abs();
                    assert!(
                        diff < 1e-4 * expected,
                        "{}: {} vs {expected}",
                        a.id,
                        got.article_score
                    );
                }
            }
            assert!(ranked.iter().all(|r| r.article_id != "a3"));
        };
        // Before merging, the statistics still count the deleted article.
        check(false);
        let tantivy = index.tantivy();
        let mut merger: tantivy::IndexWriter<tantivy::TantivyDocument> =
            tantivy.writer_with_num_threads(1, 15_000_000).unwrap();
        let ids = tantivy.searchable_segment_ids().unwrap();
        merger.merge(&ids).wait().unwrap();
        merger.wait_merging_threads().unwrap();
        check(true);
    }
    /// Equal scores rank by id, also where the cut falls among them: the
    /// ids of every article tied with the last one kept are read.
    #[test]
    fn ties_at_the_cut_go_to_the_smaller_ids() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = Index::create(dir.path(), PassageConfig::default()).unwrap();
        let mut writer = Writer::new(&index, 32).unwrap();
        for id in ["d", "b", "e", "a", "c"] {
            writer
                .add_article(&Article::new(id, "", "The gangs met at dawn."))
                .unwrap();
        }
        writer
            .add_article(&Article::new("z", "", "Gangs, gangs and more gangs met."))
            .unwrap();
        writer.commit(&mut index).unwrap();
        writer.finish().unwrap();
        let reader = index.tantivy().reader().unwrap();
        let searcher = reader.searcher();
        let terms = [QueryTerm {
            term: "gang".into(),
            weight: 1.0,
        }];
        let params = RankParams::default();
        let ids = |limit| -> Vec<String> {
            rank_articles(&searcher, index.fields(), &terms, None, &params, limit)
                .unwrap()
                .into_iter()
                .map(|a| a.article_id)
                .collect()
        };
        assert_eq!(ids(3), ["z", "a", "b"]);
        assert_eq!(ids(10), ["z", "a", "b", "c", "d", "e"]);
        assert!(ids(0).is_empty());
    }
}
