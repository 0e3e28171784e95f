//! What an index holds: article and passage counts, distinct terms,
//! segments, size on disk and the settings it was built with.
//! `passim stats` prints this and `passim serve` answers `GET /stats` with it.
//!
//! ```
//! # fn main() -> anyhow::Result<()> {
//! let dir = tempfile::tempdir()?;
//! let mut index = passim::Index::create(dir.path(), passim::PassageConfig::default())?;
//! let mut writer = passim::Writer::new(&index, 64)?;
//! writer.add_article(&passim::Article::new("a1", "One", "First article."))?;
//! writer.add_article(&passim::Article::new("a2", "Two", "Second article."))?;
//! writer.commit(&mut index)?;
//!
//! let stats = passim::stats::stats(&index)?;
//! assert_eq!((stats.articles, stats.passages), (2, 2));
//! // "first", "second", "article": the analyzed words of the bodies.
//! assert_eq!(stats.distinct_terms, 3);
//! assert_eq!(stats.meta.format_version, passim::index::FORMAT_VERSION);
//! let lines = stats.summary().lines();
//! assert_eq!(lines[0], "articles: 2");
//! # Ok(()) }
//! ```

use std::path::Path;

use serde::Serialize;
use serde_json::Value;
use tantivy::ReloadPolicy;
use tantivy::schema::IndexRecordOption;
use tantivy::termdict::TermMerger;
use tantivy::{DocSet, SegmentReader, TERMINATED, Term};

use crate::Index;
use crate::index::{IndexMeta, META_FILE};
use crate::passage::PassageConfig;
use crate::schema::{Fields, kind};

/// A snapshot of an index.
///
/// Serialized (as `GET /stats` does) it has the keys of [`Summary`] and,
/// for clients written before those, `bytes` and `meta`.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    /// Distinct articles.
    pub articles: u64,
    /// Passages (one tantivy document each), deleted ones excluded.
    pub passages: u64,
    /// Distinct terms of the analyzed article text across every segment,
    /// counting only terms that a live (not deleted) article holds.
    pub distinct_terms: u64,
    /// Tantivy segments.
    pub segments: usize,
    /// Bytes of the files in the index folder.
    pub bytes: u64,
    /// `passim.json` as it is on disk now.
    pub meta: IndexMeta,
}

/// What `passim stats` prints: the figures of [`Stats`] under the names the
/// text output, `--json` and `GET /stats` share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub articles: u64,
    pub passages: u64,
    pub distinct_terms: u64,
    pub segments: usize,
    /// Bytes on disk of the index folder.
    pub size_bytes: u64,
    pub format_version: u32,
    /// The passim version that last wrote the index.
    pub passim_version: String,
    /// The passage settings every article was cut with.
    pub passage: PassageConfig,
    /// Seconds since the Unix epoch (UTC) of the index's creation, as stored.
    pub created: u64,
    /// Seconds since the Unix epoch (UTC) of the last commit, as stored.
    pub last_update: u64,
}

#[derive(Serialize)]
struct Wire<'a> {
    #[serde(flatten)]
    summary: Summary,
    bytes: u64,
    meta: &'a IndexMeta,
}

impl Serialize for Stats {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Wire {
            summary: self.summary(),
            bytes: self.bytes,
            meta: &self.meta,
        }
        .serialize(s)
    }
}

impl Stats {
    /// The figures under their public names.
    pub fn summary(&self) -> Summary {
        Summary {
            articles: self.articles,
            passages: self.passages,
            distinct_terms: self.distinct_terms,
            segments: self.segments,
            size_bytes: self.bytes,
            format_version: self.meta.format_version,
            passim_version: self.meta.passim_version.clone(),
            passage: self.meta.passage,
            created: self.meta.created,
            last_update: self.meta.updated,
        }
    }
}

impl Summary {
    /// One `name: value` line per figure, names as in the JSON: nested
    /// settings get dotted names (`passage.target_words`), and times are
    /// followed by their RFC 3339 form for people.
    pub fn lines(&self) -> Vec<String> {
        let value = serde_json::to_value(self).expect("stats serialize");
        let mut lines = Vec::new();
        flatten_lines("", &value, &mut lines);
        lines
    }
}

fn flatten_lines(prefix: &str, value: &Value, lines: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten_lines(&name, v, lines);
            }
        }
        Value::String(s) => lines.push(format!("{prefix}: {s}")),
        Value::Number(n) if prefix == "created" || prefix == "last_update" => {
            let secs = n.as_u64().unwrap_or(0);
            lines.push(format!("{prefix}: {secs} ({})", rfc3339(secs)));
        }
        other => lines.push(format!("{prefix}: {other}")),
    }
}

/// `secs` since the Unix epoch as an RFC 3339 UTC time.
///
/// ```
/// assert_eq!(passim::stats::rfc3339(0), "1970-01-01T00:00:00Z");
/// assert_eq!(passim::stats::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
/// assert_eq!(passim::stats::rfc3339(1_796_153_118), "2026-12-01T19:25:18Z");
/// ```
pub fn rfc3339(secs: u64) -> String {
    use time::format_description::well_known::Rfc3339;
    i64::try_from(secs)
        .ok()
        .and_then(|secs| time::OffsetDateTime::from_unix_timestamp(secs).ok())
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| "beyond year 9999".to_string())
}

/// Counts what `index` holds at its last commit.
pub fn stats(index: &Index) -> tantivy::Result<Stats> {
    // A manual reader: a one-off count needs no commit watcher.
    let reader = index
        .tantivy()
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    let mut stats = of_searcher(&reader.searcher(), index.fields(), index.dir())?;
    if stats.meta.updated < index.meta().updated {
        stats.meta = index.meta().clone();
    }
    Ok(stats)
}

/// Counts what `searcher` sees; the metadata is read from `dir` afresh, so a
/// long-running reader reports the last commit's times.
pub(crate) fn of_searcher(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    dir: &Path,
) -> tantivy::Result<Stats> {
    // Every article has one article-level document (kind:a); every other
    // live document is a passage.
    let mut articles = 0u64;
    let mut docs = 0u64;
    let term = Term::from_field_text(fields.kind, kind::ARTICLE);
    for segment in searcher.segment_readers() {
        docs += u64::from(segment.num_docs());
        let inverted = segment.inverted_index(fields.kind)?;
        if let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)? {
            articles += live_docs(&mut postings, segment);
        }
    }
    let passages = docs - articles;
    let meta = read_meta(dir).map_err(|e| {
        tantivy::TantivyError::InternalError(format!(
            "cannot read {}: {e}",
            dir.join(META_FILE).display()
        ))
    })?;
    Ok(Stats {
        articles,
        passages,
        distinct_terms: distinct_terms(searcher.segment_readers(), fields.text)?,
        segments: searcher.segment_readers().len(),
        bytes: folder_bytes(dir),
        meta,
    })
}

/// The documents of a posting list that are not deleted.
fn live_docs(postings: &mut impl DocSet, segment: &SegmentReader) -> u64 {
    let alive = segment.alive_bitset();
    let mut n = 0;
    let mut doc = postings.doc();
    while doc != TERMINATED {
        if alive.is_none_or(|a| a.is_alive(doc)) {
            n += 1;
        }
        doc = postings.advance();
    }
    n
}

/// Distinct terms of `field` over all segments: the segments' sorted term
/// dictionaries merged, so a term in several segments counts once. In a
/// segment with deletions a term counts only if a live document holds it:
/// deleted documents stay in the dictionaries until segments merge.
fn distinct_terms(
    segments: &[SegmentReader],
    field: tantivy::schema::Field,
) -> tantivy::Result<u64> {
    let inverted = segments
        .iter()
        .map(|s| s.inverted_index(field))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let streams = inverted
        .iter()
        .map(|i| i.terms().stream())
        .collect::<std::io::Result<Vec<_>>>()?;
    let mut merger = TermMerger::new(streams);
    let mut count = 0u64;
    while merger.advance() {
        let mut live = false;
        for (ord, info) in merger.current_segment_ords_and_term_infos() {
            let segment = &segments[ord];
            live = match segment.alive_bitset() {
                None => true,
                Some(alive) => {
                    let mut postings = inverted[ord]
                        .read_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
                    let mut doc = postings.doc();
                    while doc != TERMINATED && !alive.is_alive(doc) {
                        doc = postings.advance();
                    }
                    doc != TERMINATED
                }
            };
            if live {
                break;
            }
        }
        count += u64::from(live);
    }
    Ok(count)
}

fn read_meta(dir: &Path) -> anyhow::Result<IndexMeta> {
    let raw = std::fs::read_to_string(dir.join(META_FILE))?;
    Ok(serde_json::from_str(&raw)?)
}

/// Sum of the sizes of the files directly in `dir` (tantivy keeps a flat folder).
fn folder_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Article, PassageConfig, Writer};

    #[test]
    fn replaced_and_multi_passage_articles_count_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = Index::create(dir.path(), PassageConfig::new(5)).unwrap();
        let mut writer = Writer::new(&index, 64).unwrap();
        let long =
            "One two three four five. Six seven eight nine ten. Eleven twelve thirteen fourteen.";
        writer.add_article(&Article::new("a", "", long)).unwrap();
        writer
            .add_article(&Article::new("b", "", "Short."))
            .unwrap();
        writer.commit(&mut index).unwrap();
        // Re-indexing "a" deletes its old passages.
        writer.add_article(&Article::new("a", "", long)).unwrap();
        writer.commit(&mut index).unwrap();
        let s = stats(&index).unwrap();
        assert_eq!(s.articles, 2);
        assert_eq!(s.passages, 4);
        assert!(s.bytes > 0);
    }

    #[test]
    fn distinct_terms_merge_segments_and_skip_deleted_articles() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = Index::create(dir.path(), PassageConfig::default()).unwrap();
        let mut writer = Writer::new(&index, 64).unwrap();
        writer
            .add_article(&Article::new("a", "", "Gravel quarry."))
            .unwrap();
        writer.commit(&mut index).unwrap();
        // A second segment sharing "quarry" and adding "marble".
        writer
            .add_article(&Article::new("b", "", "Marble quarry."))
            .unwrap();
        writer.commit(&mut index).unwrap();
        let s = stats(&index).unwrap();
        // Each commit wrote at least one segment of its own.
        assert!(s.segments >= 2, "{}", s.segments);
        assert_eq!(s.distinct_terms, 3);
        // "gravel" only lived in the deleted article.
        writer.delete_article("a");
        writer.commit(&mut index).unwrap();
        let s = stats(&index).unwrap();
        assert_eq!((s.articles, s.distinct_terms), (1, 2));
    }

    #[test]
    fn serializes_new_and_old_keys() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::create(dir.path(), PassageConfig::new(40)).unwrap();
        let s = stats(&index).unwrap();
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["size_bytes"], v["bytes"]);
        assert_eq!(v["passage"]["target_words"], 40);
        assert_eq!(v["last_update"], v["meta"]["updated"]);
        let lines = s.summary().lines();
        assert!(lines.contains(&"passage.target_words: 40".to_string()));
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("created: ") && l.ends_with("Z)"))
        );
    }
}
