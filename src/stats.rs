//! What an index holds: article and passage counts, segments, size on disk
//! and the settings it was built with. `passim serve` answers `GET /stats`
//! with this.
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
//! assert_eq!(stats.meta.format_version, passim::index::FORMAT_VERSION);
//! # Ok(()) }
//! ```

use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;
use tantivy::ReloadPolicy;

use crate::Index;
use crate::index::{IndexMeta, META_FILE};
use crate::schema::names;

/// A snapshot of an index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// Distinct articles.
    pub articles: u64,
    /// Passages (one tantivy document each), deleted ones excluded.
    pub passages: u64,
    /// Tantivy segments.
    pub segments: usize,
    /// Bytes of the files in the index folder.
    pub bytes: u64,
    /// `passim.json` as it is on disk now.
    pub meta: IndexMeta,
}

/// Counts what `index` holds at its last commit.
pub fn stats(index: &Index) -> tantivy::Result<Stats> {
    // A manual reader: a one-off count needs no commit watcher.
    let reader = index
        .tantivy()
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    let mut stats = of_searcher(&reader.searcher(), index.dir())?;
    if stats.meta.updated < index.meta().updated {
        stats.meta = index.meta().clone();
    }
    Ok(stats)
}

/// Counts what `searcher` sees; the metadata is read from `dir` afresh, so a
/// long-running reader reports the last commit's times.
pub(crate) fn of_searcher(searcher: &tantivy::Searcher, dir: &Path) -> tantivy::Result<Stats> {
    let mut ids: HashSet<String> = HashSet::new();
    let mut passages = 0u64;
    for segment in searcher.segment_readers() {
        passages += u64::from(segment.num_docs());
        let Some(column) = segment.fast_fields().str(names::ARTICLE_ID)? else {
            continue;
        };
        // Ordinals seen on live documents; deleted passages still have
        // their ids in the segment's dictionary until a merge.
        let mut seen = vec![false; column.num_terms()];
        for doc in segment.doc_ids_alive() {
            if let Some(ord) = column.ords().first(doc) {
                seen[ord as usize] = true;
            }
        }
        let ords: Vec<u64> = (0..seen.len() as u64)
            .filter(|&o| seen[o as usize])
            .collect();
        // One sorted pass over the dictionary rather than a lookup per ordinal.
        column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
            let id = String::from_utf8_lossy(bytes);
            if !ids.contains(id.as_ref()) {
                ids.insert(id.into_owned());
            }
        })?;
    }
    let meta = read_meta(dir).map_err(|e| {
        tantivy::TantivyError::InternalError(format!(
            "cannot read {}: {e}",
            dir.join(META_FILE).display()
        ))
    })?;
    Ok(Stats {
        articles: ids.len() as u64,
        passages,
        segments: searcher.segment_readers().len(),
        bytes: folder_bytes(dir),
        meta,
    })
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
}
