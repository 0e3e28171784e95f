//! Indexing: articles → passages → tantivy documents.
//!
//! Files are read, parsed and cut into passages on a thread pool while
//! tantivy's own indexing threads build segments, so both cores stay busy.
//! Adding an article first deletes any passages stored under its id, so
//! re-indexing a file replaces it rather than duplicating it.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::Serialize;
use tantivy::{IndexWriter, TantivyDocument, Term};

use crate::passage::{self, PassageConfig};
use crate::read::{self, Problem};
use crate::schema::{Fields, kind};
use crate::{Article, Index};

/// Default writer memory budget in MB, shared by the indexing threads.
pub const DEFAULT_MEMORY_MB: usize = 128;

/// Writes articles into an index. Nothing is visible to searches until
/// [`Writer::commit`].
///
/// ```
/// # fn main() -> anyhow::Result<()> {
/// let dir = tempfile::tempdir()?;
/// let mut index = passim::Index::create(dir.path(), passim::PassageConfig::default())?;
/// let mut writer = passim::Writer::new(&index, passim::indexer::DEFAULT_MEMORY_MB)?;
/// let passages = writer.add_article(&passim::Article::new("a1", "Title", "One sentence. Two."))?;
/// assert_eq!(passages, 1);
/// writer.commit(&mut index)?;
/// # Ok(()) }
/// ```
pub struct Writer {
    inner: IndexWriter,
    fields: Fields,
    passage: PassageConfig,
}

impl Writer {
    /// Opens the index for writing with a memory budget in MB. Fails at
    /// once, naming the lock, when another process is writing.
    pub fn new(index: &Index, memory_mb: usize) -> Result<Writer> {
        let budget = memory_mb.max(32) * 1_000_000;
        let inner = index.tantivy().writer(budget).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => anyhow::anyhow!(
                "another passim process is writing to {} (lock file {}); wait for it to finish",
                index.dir().display(),
                index.dir().join(".tantivy-writer.lock").display()
            ),
            e => {
                anyhow::Error::new(e).context(format!("cannot write to {}", index.dir().display()))
            }
        })?;
        Ok(Writer {
            inner,
            fields: *index.fields(),
            passage: index.meta().passage,
        })
    }

    /// Adds (or replaces) an article. Returns the number of passages stored.
    pub fn add_article(&self, article: &Article) -> Result<usize> {
        let f = &self.fields;
        self.delete_article(&article.id);
        let spans = passage::cut(&article.body, &self.passage);
        self.inner
            .add_document(self.article_doc(article, spans.len()))?;
        for span in &spans {
            let mut doc = TantivyDocument::default();
            doc.add_text(f.kind, kind::PASSAGE);
            doc.add_text(f.text, &article.body[span.start..span.end]);
            doc.add_text(f.title, &article.title);
            doc.add_text(f.article_id, &article.id);
            doc.add_u64(f.ordinal, span.ordinal as u64);
            doc.add_u64(f.start, span.start as u64);
            doc.add_u64(f.end, span.end as u64);
            for (field, value) in [
                (f.url, &article.url),
                (f.date, &article.date),
                (f.path, &article.path),
                (f.source, &article.source),
            ] {
                if let Some(v) = value {
                    doc.add_text(field, v);
                }
            }
            self.inner.add_document(doc)?;
        }
        Ok(spans.len())
    }

    /// The article-level document: whole text for article ranking, plus
    /// the metadata and content hash.
    fn article_doc(&self, article: &Article, passages: usize) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.kind, kind::ARTICLE);
        doc.add_text(f.article_id, &article.id);
        doc.add_text(f.article_title, &article.title);
        doc.add_text(f.article_text, &article.body);
        doc.add_u64(f.passages, passages as u64);
        doc.add_u64(f.hash, content_hash(article));
        for (field, value) in [
            (f.url, &article.url),
            (f.date, &article.date),
            (f.path, &article.path),
            (f.source, &article.source),
        ] {
            if let Some(v) = value {
                doc.add_text(field, v);
            }
        }
        doc
    }

    /// Deletes every passage of the article with this id.
    pub fn delete_article(&self, id: &str) {
        self.inner
            .delete_term(Term::from_field_text(self.fields.article_id, id));
    }

    /// Removes every article (takes effect at commit).
    pub fn delete_all(&mut self) -> Result<()> {
        self.inner.delete_all_documents()?;
        Ok(())
    }

    /// Makes everything added so far visible, durably, and records the
    /// commit in the index metadata.
    pub fn commit(&mut self, index: &mut Index) -> Result<()> {
        self.inner.commit().context("commit failed")?;
        index.touch()?;
        Ok(())
    }
}

/// A stable hash of everything indexed about an article (not its path):
/// equal hashes mean re-indexing would store the same thing.
pub fn content_hash(article: &Article) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for part in [
        Some(&article.id),
        Some(&article.title),
        Some(&article.body),
        article.url.as_ref(),
        article.date.as_ref(),
        article.source.as_ref(),
    ] {
        match part {
            Some(s) => {
                h.update(&(s.len() as u64).to_le_bytes());
                h.update(s.as_bytes());
            }
            None => h.update(&u64::MAX.to_le_bytes()),
        }
    }
    h.digest()
}

/// What an indexing run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Files read.
    pub files: u64,
    /// Articles indexed.
    pub articles: u64,
    /// Passages stored.
    pub passages: u64,
    /// Bytes of input read.
    pub bytes: u64,
    /// Files, lines or articles skipped, with why.
    pub problems: Vec<Problem>,
    /// Wall time in seconds.
    pub seconds: f64,
}

impl Summary {
    /// Number of inputs skipped.
    pub fn skipped(&self) -> usize {
        self.problems.len()
    }
}

/// Options for [`index_paths`].
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Writer memory budget in MB.
    pub memory_mb: usize,
    /// Remove every article before indexing.
    pub rebuild: bool,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            memory_mb: DEFAULT_MEMORY_MB,
            rebuild: false,
        }
    }
}

/// Indexes every article found under `paths` and commits.
///
/// An article id seen twice in one run is indexed once and the repeat is
/// reported: within a file the first line wins; across files read in
/// parallel, whichever file reaches it first.
pub fn index_paths(index: &mut Index, paths: &[PathBuf], opts: &IndexOptions) -> Result<Summary> {
    let started = Instant::now();
    let mut problems = Vec::new();
    let sources = read::find_sources(paths, &mut problems);
    let mut writer = Writer::new(index, opts.memory_mb)?;
    if opts.rebuild {
        writer.delete_all()?;
    }

    let articles = AtomicU64::new(0);
    let passages = AtomicU64::new(0);
    let bytes = AtomicU64::new(0);
    let seen: Mutex<HashSet<String>> = Mutex::new(HashSet::new());
    let first_error: Mutex<Option<anyhow::Error>> = Mutex::new(None);

    let per_file: Vec<Vec<Problem>> = sources
        .par_iter()
        .map(|src| {
            let mut file_problems = Vec::new();
            let mut duplicates = Vec::new();
            let n = read::read_source(
                src,
                &mut |article: Article, line: Option<usize>| {
                    if !seen.lock().expect("id set").insert(article.id.clone()) {
                        duplicates.push(Problem::new(
                            &src.path,
                            line,
                            format!(
                                "duplicate article id {:?}; the first was kept, this one skipped",
                                article.id
                            ),
                        ));
                        return;
                    }
                    match writer.add_article(&article) {
                        Ok(n) => {
                            articles.fetch_add(1, Ordering::Relaxed);
                            passages.fetch_add(n as u64, Ordering::Relaxed);
                        }
                        Err(e) => {
                            first_error.lock().expect("error slot").get_or_insert(e);
                        }
                    }
                },
                &mut file_problems,
            );
            bytes.fetch_add(n, Ordering::Relaxed);
            file_problems.extend(duplicates);
            file_problems
        })
        .collect();
    if let Some(e) = first_error.into_inner().expect("error lock") {
        return Err(e.context("indexing failed; nothing was committed"));
    }
    problems.extend(per_file.into_iter().flatten());
    writer.commit(index)?;
    Ok(Summary {
        files: sources.len() as u64,
        articles: articles.into_inner(),
        passages: passages.into_inner(),
        bytes: bytes.into_inner(),
        problems,
        seconds: started.elapsed().as_secs_f64(),
    })
}
