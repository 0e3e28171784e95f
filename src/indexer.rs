//! Indexing: articles → passages → tantivy documents, incrementally.
//!
//! The pipeline keeps every core busy and memory flat, however big the
//! input: one thread walks the sources, reading JSON Lines (decompressing
//! gzip) into blocks of whole lines and handing them, or the names of
//! single-article files, through a bounded channel to worker threads; the
//! workers read files, parse them, cut passages and hand documents to
//! tantivy's own indexing threads, which build segments within the
//! writer's memory budget. A single huge JSON Lines file is thus parsed on
//! all cores too, with at most a few blocks in flight.
//!
//! **Incremental runs.** The index keeps a [`FileTable`] (size, time, hash
//! and article ids of every file read). A run first compares each file
//! found with it: a file of the same size and time is passed over unread,
//! and so is one whose time changed but whose bytes hash the same. Files
//! that are read are parsed, and each article's [`content_hash`] is
//! compared with the one stored in the index: only new and changed
//! articles are written. Articles of files gone from an indexed folder,
//! and articles gone from a file that was read again, are deleted. A run
//! that changes nothing commits nothing, so the index folder is left
//! byte for byte as it was.
//!
//! Everything a run does becomes visible in one commit, together with the
//! new file table, so a run killed at any moment leaves the previous commit.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, BufRead, BufReader, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use crossbeam_channel::{Receiver, Sender};
use flate2::read::MultiGzDecoder;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;
use tantivy::columnar::Column;
use tantivy::directory::error::LockError;
use tantivy::indexer::UserOperation;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, IndexWriter, ReloadPolicy, TERMINATED, TantivyDocument, Term};
use xxhash_rust::xxh3::Xxh3;

use crate::index::{FileEntry, FileTable, StoredProblem};
use crate::passage::{self, PassageConfig, PassageSpan};
use crate::read::{self, Format, Problem, ReadOptions, Severity, SourceFile};
use crate::schema::{Fields, kind, names};
use crate::{Article, Index};

/// Default writer memory budget in MB, shared by the indexing threads.
///
/// A bigger budget means fewer, bigger segments and less merging: at 256
/// a 225 MB corpus indexes in 12.4 s instead of 17.3 s (peak resident
/// 330 MB instead of 230 MB), and 56 MB in 2.9 s either way.
pub const DEFAULT_MEMORY_MB: usize = 256;

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
/// writer.finish()?;
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
        let tantivy_index = index
            .for_writing()
            .with_context(|| format!("cannot open {} for writing", index.dir().display()))?;
        let inner = tantivy_index.writer(budget).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(LockError::IoError(e), _) => anyhow::anyhow!(
                "cannot write to {}: cannot create the lock file {}: {e}",
                index.dir().display(),
                index.dir().join(".tantivy-writer.lock").display()
            ),
            tantivy::TantivyError::LockFailure(..) => anyhow::anyhow!(
                "another passim process is writing to {} (lock file {}); wait for it to finish",
                index.dir().display(),
                index.dir().join(".tantivy-writer.lock").display()
            ),
            e => {
                anyhow::Error::new(e).context(format!("cannot write to {}", index.dir().display()))
            }
        })?;
        // Segment files of a run that was killed or failed (a full disk)
        // are not part of any commit: remove them before adding more.
        let _ = inner.garbage_collect_files().wait();
        Ok(Writer {
            inner,
            fields: *index.fields(),
            passage: index.meta().passage,
        })
    }

    /// Adds (or replaces) an article. Returns the number of passages stored.
    pub fn add_article(&self, article: &Article) -> Result<usize> {
        self.delete_article(&article.id);
        let spans = passage::cut(&article.body, &self.passage);
        self.add_passages(article, &spans)?;
        Ok(spans.len())
    }

    /// The passage settings articles are cut with.
    pub fn passage_config(&self) -> &PassageConfig {
        &self.passage
    }

    /// Adds an article already cut with [`Writer::passage_config`]: its
    /// article-level document and its passages, without deleting an
    /// earlier version.
    ///
    /// They go to tantivy as one batch, which lands in one segment in
    /// order: the article document, then the passages by ordinal (the
    /// layout [`crate::schema`] describes and article ranking relies on).
    pub fn add_passages(&self, article: &Article, spans: &[PassageSpan]) -> Result<()> {
        self.add_hashed(article, spans, content_hash(article))
    }

    /// [`Writer::add_passages`] for an article whose [`content_hash`] the
    /// caller has already computed (an indexing run compares it with the
    /// stored one first).
    fn add_hashed(&self, article: &Article, spans: &[PassageSpan], hash: u64) -> Result<()> {
        let f = &self.fields;
        let mut batch = Vec::with_capacity(1 + spans.len());
        batch.push(UserOperation::Add(self.article_doc(
            article,
            spans.len(),
            hash,
        )));
        for span in spans {
            let mut doc = TantivyDocument::default();
            doc.add_text(f.kind, kind::PASSAGE);
            doc.add_text(f.text, &article.body[span.start..span.end]);
            doc.add_text(f.title, &article.title);
            doc.add_text(f.article_id, &article.id);
            doc.add_u64(f.ordinal, span.ordinal as u64);
            doc.add_u64(f.start, span.start as u64);
            doc.add_u64(f.end, span.end as u64);
            add_metadata(f, article, f.tags, &mut doc);
            batch.push(UserOperation::Add(doc));
        }
        self.inner.run(batch)?;
        Ok(())
    }

    /// The article-level document: headline, metadata, passage count and
    /// content hash.
    fn article_doc(&self, article: &Article, passages: usize, hash: u64) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.kind, kind::ARTICLE);
        doc.add_text(f.article_id, &article.id);
        doc.add_text(f.article_title, &article.title);
        doc.add_u64(f.passages, passages as u64);
        doc.add_u64(f.hash, hash);
        add_metadata(f, article, f.article_tags, &mut doc);
        doc
    }

    /// Deletes the article with this id: its article-level document and
    /// every passage (they all carry the id).
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
    /// commit in the index metadata. The file table of the previous commit
    /// stays in force.
    pub fn commit(&mut self, index: &mut Index) -> Result<()> {
        let payload = index.committed_payload()?;
        self.commit_with(index, None, payload)
    }

    /// Commits, recording `files` as the file table of the new commit
    /// (written before the commit, which names it in its payload).
    pub fn commit_with_files(&mut self, index: &mut Index, files: &FileTable) -> Result<()> {
        self.commit_with(index, Some(files), None)
    }

    fn commit_with(
        &mut self,
        index: &mut Index,
        files: Option<&FileTable>,
        carried: Option<String>,
    ) -> Result<()> {
        let mut prepared = match self.inner.prepare_commit() {
            Ok(prepared) => prepared,
            Err(e) => {
                self.discard();
                return Err(anyhow::Error::new(e).context("cannot write the new segments"));
            }
        };
        let payload = match files {
            Some(table) => match index.write_files(table, prepared.opstamp()) {
                Ok(payload) => Some(payload),
                Err(e) => {
                    let _ = prepared.abort();
                    self.discard();
                    return Err(anyhow::Error::new(e).context("cannot write the file table"));
                }
            },
            None => carried,
        };
        if let Some(payload) = &payload {
            prepared.set_payload(payload);
        }
        if let Err(e) = prepared.commit() {
            self.discard();
            return Err(anyhow::Error::new(e).context("commit failed"));
        }
        let tidy = if files.is_some() {
            index.remove_stale_files()
        } else {
            Ok(())
        };
        tidy.and_then(|()| index.touch())
            .context("the commit is done, but the index metadata could not be updated")?;
        Ok(())
    }

    /// After a failed commit: drops what was added and removes the files
    /// written for it, so that a full disk gets its space back (the last
    /// commit stays as it was).
    fn discard(&mut self) {
        let _ = self.inner.rollback();
        let _ = self.inner.garbage_collect_files().wait();
    }

    /// Drops everything added or deleted since the last commit.
    pub fn rollback(&mut self) -> Result<()> {
        self.inner.rollback().context("rollback failed")?;
        Ok(())
    }

    /// Waits for segment merges started by the last commit to finish, then
    /// releases the index. Dropping a writer instead abandons them, so
    /// that every run would leave one more small segment behind.
    pub fn finish(self) -> Result<()> {
        self.inner
            .wait_merging_threads()
            .context("merging segments failed (the commit itself is intact)")
    }
}

/// A stable hash of everything stored about an article (id, headline,
/// body, url, date, source, path, tags): equal hashes mean re-indexing would
/// store the same thing.
///
/// ```
/// use passim::{Article, indexer::content_hash};
/// let a = Article::new("a1", "Title", "Body.");
/// let mut b = a.clone();
/// assert_eq!(content_hash(&a), content_hash(&b));
/// b.body.push_str(" More.");
/// assert_ne!(content_hash(&a), content_hash(&b));
/// ```
pub fn content_hash(article: &Article) -> u64 {
    let mut h = Xxh3::new();
    for part in [
        Some(&article.id),
        Some(&article.title),
        Some(&article.body),
        article.url.as_ref(),
        article.date.as_ref(),
        article.source.as_ref(),
        article.path.as_ref(),
    ] {
        match part {
            Some(s) => {
                h.update(&(s.len() as u64).to_le_bytes());
                h.update(s.as_bytes());
            }
            None => h.update(&u64::MAX.to_le_bytes()),
        }
    }
    h.update(&(article.tags.len() as u64).to_le_bytes());
    for tag in &article.tags {
        h.update(&(tag.len() as u64).to_le_bytes());
        h.update(tag.as_bytes());
    }
    h.digest()
}

/// The articles of an index's last commit, looked up by id.
///
/// ```
/// # fn main() -> anyhow::Result<()> {
/// use passim::indexer::{StoredArticles, content_hash};
/// let dir = tempfile::tempdir()?;
/// let mut index = passim::Index::create(dir.path(), passim::PassageConfig::default())?;
/// let mut writer = passim::Writer::new(&index, 64)?;
/// let article = passim::Article::new("a1", "Title", "Body text.");
/// writer.add_article(&article)?;
/// writer.commit(&mut index)?;
/// let stored = StoredArticles::open(&index)?;
/// assert_eq!(stored.hash("a1")?, Some(content_hash(&article)));
/// assert_eq!(stored.hash("a2")?, None);
/// # Ok(()) }
/// ```
pub struct StoredArticles {
    searcher: tantivy::Searcher,
    article_id: Field,
    /// Per segment, the `hash` column (only article documents have one).
    hashes: Vec<Option<Column<u64>>>,
}

impl StoredArticles {
    /// Reads the last commit of `index`.
    pub fn open(index: &Index) -> Result<StoredArticles> {
        let reader: tantivy::IndexReader = index
            .tantivy()
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .context("cannot read the index")?;
        let searcher = reader.searcher();
        let hashes = searcher
            .segment_readers()
            .iter()
            .map(|s| s.fast_fields().column_opt::<u64>(names::HASH))
            .collect::<tantivy::Result<_>>()
            .context("cannot read the index")?;
        Ok(StoredArticles {
            searcher,
            article_id: index.fields().article_id,
            hashes,
        })
    }

    /// Documents (articles and passages) in the commit.
    pub fn num_docs(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// The content hash of the article with this id, or None when there is
    /// no such article.
    pub fn hash(&self, id: &str) -> Result<Option<u64>> {
        let term = Term::from_field_text(self.article_id, id);
        for (segment, hashes) in self.searcher.segment_readers().iter().zip(&self.hashes) {
            let Some(hashes) = hashes else { continue };
            let postings = segment
                .inverted_index(self.article_id)
                .and_then(|inv| Ok(inv.read_postings(&term, IndexRecordOption::Basic)?))
                .context("cannot read the index")?;
            let Some(mut postings) = postings else {
                continue;
            };
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if !segment.is_deleted(doc)
                    && let Some(h) = hashes.first(doc)
                {
                    return Ok(Some(h));
                }
                doc = postings.advance();
            }
        }
        Ok(None)
    }
}

/// What an indexing run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Files (and standard input) found, read or passed over as unchanged.
    pub files: u64,
    /// Articles written: added plus updated.
    pub articles: u64,
    /// Passages written.
    pub passages: u64,
    /// Bytes of input read, after decompression.
    pub bytes: u64,
    /// Articles new to the index.
    pub added: u64,
    /// Articles whose content changed, rewritten.
    pub updated: u64,
    /// Articles deleted because their file is gone or no longer holds them.
    pub removed: u64,
    /// Articles found unchanged (in unread files or by their hash), not written.
    pub unchanged: u64,
    /// What was removed, file by file.
    pub removals: Vec<Removal>,
    /// Inputs indexed with a warning, skipped, or broken, with why, in input
    /// order (repeated for unchanged files that had them).
    pub problems: Vec<Problem>,
    /// Trouble after the commit, which the commit survived (a failed merge).
    pub notes: Vec<String>,
    /// Wall time in seconds.
    pub seconds: f64,
    /// False when `--strict` met a problem and nothing was committed.
    pub committed: bool,
}

/// Articles removed from the index because of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removal {
    /// The file (its canonical path when it is gone).
    pub path: String,
    /// True when the file itself is gone, false when it was read and no
    /// longer holds these articles.
    pub gone: bool,
    /// The removed article ids.
    pub ids: Vec<String>,
}

impl Summary {
    fn count(&self, severity: Severity) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == severity)
            .count()
    }

    /// Inputs that held nothing to index (empty, binary, no body, duplicate ids).
    pub fn skipped(&self) -> usize {
        self.count(Severity::Skipped)
    }

    /// Inputs that were broken or unreadable (malformed JSON, I/O errors).
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    /// Inputs indexed with a warning (decoded from Windows-1252, unreadable front matter).
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    /// Input megabytes (10^6 bytes) per second of wall time.
    pub fn mb_per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.bytes as f64 / 1e6 / self.seconds
        } else {
            0.0
        }
    }
}

/// Options for [`index_paths`].
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Writer memory budget in MB.
    pub memory_mb: usize,
    /// Remove every article before indexing.
    pub rebuild: bool,
    /// How to find and read the input.
    pub read: ReadOptions,
    /// Any problem in the input fails the run and nothing is committed.
    pub strict: bool,
    /// Draw a progress bar on stderr (only when it is a terminal).
    pub progress: bool,
    /// Parsing threads; 0 means one per core.
    pub threads: usize,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            memory_mb: DEFAULT_MEMORY_MB,
            rebuild: false,
            read: ReadOptions::default(),
            strict: false,
            progress: false,
            threads: 0,
        }
    }
}

/// Blocks of JSON Lines handed to workers are about this big, so a worker
/// has a few thousand short articles or one long one at a time.
const BLOCK_BYTES: usize = 256 * 1024;

/// Gzip's magic bytes: gzip is recognised by content, whatever the name.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Where an article or problem is in the input: source number, then line
/// (0 for whole-file formats, and for articles of unread files). Input
/// order is the order of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Pos {
    source: usize,
    line: usize,
}

enum Job {
    /// A single-article source; its bytes when already read (standard input).
    Whole {
        source: usize,
        data: Option<Vec<u8>>,
    },
    /// Whole lines of a JSON Lines source, the first being `first_line`.
    Lines {
        source: usize,
        first_line: usize,
        data: Vec<u8>,
    },
}

/// What became of an article id in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// In an unchanged file that was not read: stays as stored.
    Kept,
    /// Read, and the same as stored.
    Unchanged,
    /// Read, and new to the index.
    Added,
    /// Read, and different from what is stored.
    Updated,
}

#[derive(Debug, Clone, Copy)]
struct Seen {
    pos: Pos,
    passages: usize,
    status: Status,
    /// Documents were written for it in this run.
    wrote: bool,
}

/// How reading one file went.
#[derive(Debug, Default)]
struct Outcome {
    /// xxh3 of its bytes on disk, when read to the end.
    hash: Option<u64>,
    /// Read to the end (or found empty or binary): articles it used to
    /// hold and no longer does may be removed.
    complete: bool,
}

/// A file on disk as the run found it, before reading it.
#[derive(Debug, Clone)]
struct Track {
    /// Canonical absolute path.
    path: String,
    size: u64,
    mtime_ns: u64,
    /// Fingerprint of how it is read.
    settings: u64,
}

/// What to do with a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// Read it; `prev` is its entry in the file table, if any.
    Read { prev: Option<usize> },
    /// Unchanged since the file table's entry: not read.
    Skip { prev: usize },
}

/// State shared by the reading thread and the workers.
struct Run<'a> {
    sources: &'a [SourceFile],
    plans: &'a [Plan],
    opts: &'a IndexOptions,
    writer: &'a Writer,
    /// The last commit, to tell new and changed articles from unchanged
    /// ones (None when the index starts empty).
    stored: Option<&'a StoredArticles>,
    seen: Mutex<HashMap<String, Seen>>,
    /// Articles skipped as duplicates: (source, id).
    duplicates: Mutex<Vec<(usize, String)>>,
    problems: Mutex<Vec<(Pos, Problem)>>,
    outcomes: Vec<Mutex<Outcome>>,
    bytes: AtomicU64,
    cancel: AtomicBool,
    failure: Mutex<Option<anyhow::Error>>,
    progress: ProgressBar,
}

/// Indexes every article found under `paths` (`-` is standard input) and
/// commits, unless `opts.strict` and a problem was met, or nothing changed.
///
/// **Duplicate ids.** An article id met twice in one run is indexed once:
/// the first in input order wins (sources sorted by id, then line order),
/// whichever thread reads it first, and the other is reported as skipped.
/// Unchanged files that are not read keep their articles in this order too.
/// An id already in the index from another folder is replaced.
///
/// **Removals.** The articles of a file that is gone from a folder given in
/// `paths` are deleted, and so are articles that a file read again no
/// longer holds (a JSON Lines dump without some lines). A file that could
/// not be read to the end keeps its articles.
pub fn index_paths(index: &mut Index, paths: &[PathBuf], opts: &IndexOptions) -> Result<Summary> {
    let started = Instant::now();
    let started_ns = now_ns();
    let mut walk_problems = Vec::new();
    let sources =
        read::find_sources(paths, &opts.read, &mut walk_problems).context("bad --glob pattern")?;
    let mut writer = Writer::new(index, opts.memory_mb)?;
    let mut notes = Vec::new();
    let (stored, table) = if opts.rebuild {
        writer.delete_all()?;
        (None, FileTable::default())
    } else {
        let stored = StoredArticles::open(index)?;
        let table = index.load_files().unwrap_or_else(|e| {
            notes.push(format!("{e}; every file is read again"));
            FileTable::default()
        });
        ((stored.num_docs() > 0).then_some(stored), table)
    };

    let tracks = track_sources(&sources, &opts.read);
    let plans = plan(&sources, &tracks, &table);
    let gone = gone_entries(paths, &table, &tracks, &plans);

    let to_read: Vec<usize> = (0..sources.len())
        .filter(|&i| matches!(plans[i], Plan::Read { .. }))
        .collect();
    let progress = if opts.progress && std::io::stderr().is_terminal() {
        progress_bar(&sources, &to_read)
    } else {
        ProgressBar::hidden()
    };
    let run = Run {
        sources: &sources,
        plans: &plans,
        opts,
        writer: &writer,
        stored: stored.as_ref(),
        seen: Mutex::new(HashMap::new()),
        duplicates: Mutex::new(Vec::new()),
        problems: Mutex::new(Vec::new()),
        outcomes: sources.iter().map(|_| Mutex::default()).collect(),
        bytes: AtomicU64::new(0),
        cancel: AtomicBool::new(opts.strict && !walk_problems.is_empty()),
        failure: Mutex::new(None),
        progress,
    };
    run.keep_unread(&table);
    let workers = match opts.threads {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let (tx, rx) = crossbeam_channel::bounded::<Job>(workers * 2);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let rx = rx.clone();
            let run = &run;
            scope.spawn(move || run.work(rx));
        }
        drop(rx);
        run.feed(&to_read, tx);
    });
    // Committing a large run takes a while (tantivy writes its last
    // segments); say so instead of leaving a full bar standing still.
    run.progress.set_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} committing…")
            .expect("valid template"),
    );

    let Run {
        seen,
        duplicates,
        problems,
        outcomes,
        bytes,
        failure,
        progress,
        ..
    } = run;
    if let Some(e) = failure.into_inner().expect("failure lock") {
        progress.finish_and_clear();
        return Err(e.context("indexing failed; nothing was committed"));
    }
    let seen = seen.into_inner().expect("id lock");
    let outcomes: Vec<Outcome> = outcomes
        .into_iter()
        .map(|o| o.into_inner().expect("outcome lock"))
        .collect();

    // Problems in input order; those of unread files are repeated from the
    // file table, so that a run says the same about the same input.
    let mut problems = problems.into_inner().expect("problem lock");
    for (source, plan) in plans.iter().enumerate() {
        if let Plan::Skip { prev } = *plan {
            for p in &table.files[prev].problems {
                problems.push((
                    Pos {
                        source,
                        line: p.line.unwrap_or(0),
                    },
                    restore_problem(&sources[source], p),
                ));
            }
        }
    }
    problems.sort_by_key(|(pos, _)| *pos);

    // Who holds which id now.
    let mut owned: Vec<Vec<(usize, &str)>> = vec![Vec::new(); sources.len()];
    for (id, s) in &seen {
        owned[s.pos.source].push((s.pos.line, id.as_str()));
    }
    for ids in &mut owned {
        ids.sort();
    }
    let mut shadowed: Vec<Vec<String>> = vec![Vec::new(); sources.len()];
    for (source, id) in duplicates.into_inner().expect("duplicate lock") {
        if seen.get(&id).is_some_and(|s| s.pos.source != source) && !shadowed[source].contains(&id)
        {
            shadowed[source].push(id);
        }
    }

    // Articles that are no longer anywhere: in a gone file, or gone from a
    // file read to the end.
    let mut removals = Vec::new();
    let mut removed_ids = HashSet::new();
    let mut removed = 0;
    let mut kept: Vec<Vec<String>> = vec![Vec::new(); sources.len()];
    let mut remove = |path: String, gone: bool, ids: &[String]| -> Result<()> {
        let mut done = Vec::new();
        for id in ids {
            if seen.contains_key(id) || !removed_ids.insert(id.clone()) {
                continue;
            }
            let present = match &stored {
                Some(stored) => stored.hash(id)?.is_some(),
                None => false,
            };
            if present {
                writer.delete_article(id);
                done.push(id.clone());
            }
        }
        removed += done.len() as u64;
        if !done.is_empty() {
            removals.push(Removal {
                path,
                gone,
                ids: done,
            });
        }
        Ok(())
    };
    for (source, plan) in plans.iter().enumerate() {
        if let Plan::Read { prev: Some(prev) } = *plan {
            let before = &table.files[prev].ids;
            if outcomes[source].complete {
                remove(sources[source].display_path().to_string(), false, before)?;
            } else {
                kept[source] = before
                    .iter()
                    .filter(|id| !seen.contains_key(*id))
                    .cloned()
                    .collect();
            }
        }
    }
    for &e in &gone {
        remove(table.files[e].path.clone(), true, &table.files[e].ids)?;
    }

    let problems: Vec<(Pos, Problem)> = problems;
    let mut new_table = next_table(
        &table,
        &sources,
        &tracks,
        &plans,
        &gone,
        &outcomes,
        &owned,
        &mut shadowed,
        &mut kept,
        &problems,
        &seen,
        started_ns,
    );
    new_table
        .files
        .sort_by(|a, b| (&a.path, &a.source).cmp(&(&b.path, &b.source)));

    let (mut added, mut updated, mut unchanged, mut passages) = (0, 0, 0, 0);
    for s in seen.values() {
        match s.status {
            Status::Kept | Status::Unchanged => unchanged += 1,
            Status::Added => added += 1,
            Status::Updated => updated += 1,
        }
        if s.wrote {
            passages += s.passages as u64;
        }
    }
    drop(seen);
    let mut all_problems = walk_problems;
    all_problems.extend(problems.into_iter().map(|(_, p)| p));

    let committed = if opts.strict && !all_problems.is_empty() {
        writer.rollback()?;
        false
    } else {
        let changed =
            opts.rebuild || added + updated + removed > 0 || !same_articles(&table, &new_table);
        if changed {
            writer.commit_with_files(index, &new_table)?;
        }
        true
    };
    if let Err(e) = writer.finish() {
        notes.push(format!("{e:#}"));
    }
    progress.finish_and_clear();
    Ok(Summary {
        files: sources.len() as u64,
        articles: added + updated,
        passages,
        bytes: bytes.into_inner(),
        added,
        updated,
        removed,
        unchanged,
        removals,
        problems: all_problems,
        notes,
        seconds: started.elapsed().as_secs_f64(),
        committed,
    })
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

fn mtime_ns(meta: &fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64)
}

/// The modification time to record for a file read in a run that started
/// at `started_ns`, or 0 when the file may have changed again within the
/// same clock tick after it was read: file times lag the clock by up to a
/// scheduler tick, and some file systems keep whole (or even) seconds. A
/// 0 makes the next run compare the content hash instead.
fn settled_mtime(mtime_ns: u64, started_ns: u64) -> u64 {
    let margin = if mtime_ns.is_multiple_of(1_000_000_000) {
        2_000_000_000
    } else {
        100_000_000
    };
    if mtime_ns.saturating_add(margin) >= started_ns {
        0
    } else {
        mtime_ns
    }
}

/// Fingerprint of everything besides the bytes that decides what a file
/// yields: its format, the JSON field names, and passim's version (whose
/// readers may improve).
fn settings_fingerprint(format: Format, read: &ReadOptions) -> u64 {
    let mut h = Xxh3::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(format!("{format:?}").as_bytes());
    if format == Format::Jsonl {
        h.update(format!("{:?}", read.fields).as_bytes());
    }
    h.digest()
}

/// xxh3 of a file's bytes.
fn hash_file(path: &Path) -> io::Result<u64> {
    let mut file = fs::File::open(path)?;
    let mut h = Xxh3::new();
    let mut buf = vec![0; 256 * 1024];
    loop {
        match file.read(&mut buf) {
            Ok(0) => return Ok(h.digest()),
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Stats every file source (standard input has no [`Track`]). Paths are
/// made canonical folder by folder, so a folder of many files costs one
/// lookup, not one per file.
fn track_sources(sources: &[SourceFile], read: &ReadOptions) -> Vec<Option<Track>> {
    let mut dirs: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
    let mut settings: HashMap<Format, u64> = HashMap::new();
    sources
        .iter()
        .map(|src| {
            if src.stdin {
                return None;
            }
            let parent = match src.path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let dir = dirs
                .entry(parent.to_path_buf())
                .or_insert_with(|| fs::canonicalize(parent).ok())
                .as_ref()?;
            let path = dir.join(src.path.file_name()?).to_str()?.to_string();
            let meta = fs::metadata(&src.path).ok()?;
            Some(Track {
                path,
                size: meta.len(),
                mtime_ns: mtime_ns(&meta),
                settings: *settings
                    .entry(src.format)
                    .or_insert_with(|| settings_fingerprint(src.format, read)),
            })
        })
        .collect()
}

/// Decides which sources must be read. A file whose entry matches in
/// size and time is passed over; one of the same size but another time is
/// hashed (in parallel), and passed over when its bytes are the same. A
/// file that lost a duplicate id to another is always read, in case that
/// other lost the article.
fn plan(sources: &[SourceFile], tracks: &[Option<Track>], table: &FileTable) -> Vec<Plan> {
    let entries: HashMap<(&str, &str), usize> = table
        .files
        .iter()
        .enumerate()
        .map(|(i, e)| ((e.path.as_str(), e.source.as_str()), i))
        .collect();
    let mut plans = Vec::with_capacity(sources.len());
    let mut to_hash = Vec::new();
    for (i, (src, track)) in sources.iter().zip(tracks).enumerate() {
        let Some(t) = track else {
            plans.push(Plan::Read { prev: None });
            continue;
        };
        let Some(&prev) = entries.get(&(t.path.as_str(), src.id.as_str())) else {
            plans.push(Plan::Read { prev: None });
            continue;
        };
        let e = &table.files[prev];
        let same_kind = e.settings == t.settings && e.hash.is_some() && e.shadowed.is_empty();
        if same_kind && e.size == t.size && e.mtime_ns != 0 && e.mtime_ns == t.mtime_ns {
            plans.push(Plan::Skip { prev });
        } else {
            if same_kind && e.size == t.size {
                to_hash.push(i);
            }
            plans.push(Plan::Read { prev: Some(prev) });
        }
    }
    let same: Vec<usize> = to_hash
        .par_iter()
        .copied()
        .filter(|&i| {
            let Plan::Read { prev: Some(prev) } = plans[i] else {
                return false;
            };
            hash_file(&sources[i].path).ok() == table.files[prev].hash
        })
        .collect();
    for i in same {
        if let Plan::Read { prev: Some(prev) } = plans[i] {
            plans[i] = Plan::Skip { prev };
        }
    }
    plans
}

/// Entries of the file table for files under a folder in `paths` that no
/// longer exist. Files still there but not found this time (hidden,
/// ignored or excluded by --glob now) keep their articles.
fn gone_entries(
    paths: &[PathBuf],
    table: &FileTable,
    tracks: &[Option<Track>],
    plans: &[Plan],
) -> Vec<usize> {
    let roots: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.as_os_str() != "-" && p.is_dir())
        .filter_map(|p| fs::canonicalize(p).ok())
        .collect();
    if roots.is_empty() {
        return Vec::new();
    }
    let mut matched = HashSet::new();
    for plan in plans {
        match *plan {
            Plan::Read { prev: Some(e) } | Plan::Skip { prev: e } => {
                matched.insert(e);
            }
            Plan::Read { prev: None } => {}
        }
    }
    let found: HashSet<&str> = tracks.iter().flatten().map(|t| t.path.as_str()).collect();
    table
        .files
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            let path = Path::new(&e.path);
            !matched.contains(i)
                && !found.contains(e.path.as_str())
                && roots.iter().any(|r| path.starts_with(r))
                && match fs::metadata(path) {
                    Ok(meta) => !meta.is_file(),
                    Err(err) => err.kind() == io::ErrorKind::NotFound,
                }
        })
        .map(|(i, _)| i)
        .collect()
}

/// The file table after the run: entries of files read or passed over are
/// renewed, gone files dropped, and other entries lose the ids that files of
/// this run now hold.
#[allow(clippy::too_many_arguments)]
fn next_table(
    table: &FileTable,
    sources: &[SourceFile],
    tracks: &[Option<Track>],
    plans: &[Plan],
    gone: &[usize],
    outcomes: &[Outcome],
    owned: &[Vec<(usize, &str)>],
    shadowed: &mut [Vec<String>],
    kept: &mut [Vec<String>],
    problems: &[(Pos, Problem)],
    seen: &HashMap<String, Seen>,
    started_ns: u64,
) -> FileTable {
    let mut replaced = HashSet::new();
    for plan in plans {
        if let Plan::Read { prev: Some(e) } | Plan::Skip { prev: e } = *plan {
            replaced.insert(e);
        }
    }
    replaced.extend(gone.iter().copied());
    let mut files: Vec<FileEntry> = table
        .files
        .iter()
        .enumerate()
        .filter(|(i, _)| !replaced.contains(i))
        .map(|(_, e)| {
            let mut e = e.clone();
            e.ids.retain(|id| !seen.contains_key(id));
            e
        })
        .collect();
    let mut by_source: Vec<Vec<StoredProblem>> = vec![Vec::new(); sources.len()];
    for (pos, p) in problems {
        by_source[pos.source].push(StoredProblem {
            line: p.line,
            severity: severity_name(p.severity).to_string(),
            message: p.message.clone(),
        });
    }
    let mut keys = HashSet::new();
    for (source, track) in tracks.iter().enumerate() {
        let Some(t) = track else { continue };
        if !keys.insert((t.path.as_str(), sources[source].id.as_str())) {
            continue; // the same file given twice
        }
        let mut ids: Vec<String> = owned[source].iter().map(|(_, id)| id.to_string()).collect();
        ids.append(&mut kept[source]);
        let (hash, mtime_ns) = match plans[source] {
            Plan::Skip { prev } => (table.files[prev].hash, t.mtime_ns),
            Plan::Read { .. } => match outcomes[source] {
                Outcome {
                    hash: Some(h),
                    complete: true,
                } => (Some(h), t.mtime_ns),
                _ => (None, 0),
            },
        };
        files.push(FileEntry {
            path: t.path.clone(),
            source: sources[source].id.clone(),
            settings: t.settings,
            size: t.size,
            mtime_ns: settled_mtime(mtime_ns, started_ns),
            hash,
            ids,
            shadowed: std::mem::take(&mut shadowed[source]),
            problems: std::mem::take(&mut by_source[source]),
        });
    }
    FileTable { files }
}

/// True when two file tables record the same files with the same content
/// and articles (times may differ: a file touched but unchanged is not
/// worth a commit).
fn same_articles(a: &FileTable, b: &FileTable) -> bool {
    a.files.len() == b.files.len()
        && a.files.iter().zip(&b.files).all(|(x, y)| {
            x.path == y.path
                && x.source == y.source
                && x.settings == y.settings
                && x.size == y.size
                && x.hash == y.hash
                && x.ids == y.ids
                && x.shadowed == y.shadowed
                && x.problems == y.problems
        })
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Warning => "warning",
        Severity::Skipped => "skipped",
        Severity::Error => "error",
    }
}

/// A problem recorded for an unchanged file, as it was reported when the
/// file was read (with the path as given this time).
fn restore_problem(src: &SourceFile, p: &StoredProblem) -> Problem {
    let severity = match p.severity.as_str() {
        "warning" => Severity::Warning,
        "skipped" => Severity::Skipped,
        _ => Severity::Error,
    };
    Problem::new(src.display_path(), p.line, severity, p.message.clone())
}

fn progress_bar(sources: &[SourceFile], to_read: &[usize]) -> ProgressBar {
    let total: u64 = to_read.iter().map(|&i| sources[i].bytes).sum();
    let bar = if to_read.iter().any(|&i| sources[i].stdin) {
        ProgressBar::no_length().with_style(
            ProgressStyle::with_template(
                "{spinner} {elapsed_precise} {bytes} read ({bytes_per_sec})",
            )
            .expect("valid template"),
        )
    } else {
        ProgressBar::new(total).with_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} ({bytes_per_sec}, ETA {eta})",
            )
            .expect("valid template")
            .progress_chars("=> "),
        )
    };
    bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(4));
    bar.enable_steady_tick(Duration::from_millis(250));
    bar
}

/// An xxh3 hasher shared between a reader and whoever reads its digest.
type SharedHash = Arc<Mutex<Xxh3>>;

/// Reads a file's bytes through an xxh3 hasher (and a progress counter),
/// so the hash recorded is that of exactly the bytes parsed.
struct Hashing<R> {
    inner: R,
    hash: SharedHash,
    progress: ProgressBar,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.lock().expect("hash lock").update(&buf[..n]);
        self.progress.inc(n as u64);
        Ok(n)
    }
}

/// A reader over a file and the running hash of the bytes it has read.
type HashedReader = (Box<dyn BufRead + Send>, SharedHash);

/// Opens a JSON Lines file as [`read::open`] does (gzip recognised by its
/// magic bytes), hashing the bytes on disk as they are read.
fn open_hashed(path: &Path, progress: ProgressBar) -> io::Result<HashedReader> {
    let hash = Arc::new(Mutex::new(Xxh3::new()));
    let raw = Hashing {
        inner: fs::File::open(path)?,
        hash: Arc::clone(&hash),
        progress,
    };
    let mut buffered = BufReader::with_capacity(256 * 1024, raw);
    let gzip = buffered.fill_buf()?.starts_with(&GZIP_MAGIC);
    let reader: Box<dyn BufRead + Send> = if gzip {
        Box::new(BufReader::with_capacity(
            256 * 1024,
            MultiGzDecoder::new(buffered),
        ))
    } else {
        Box::new(buffered)
    };
    Ok((reader, hash))
}

impl Run<'_> {
    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    fn problem(&self, pos: Pos, problem: Problem) {
        if self.opts.strict {
            self.cancel.store(true, Ordering::Relaxed);
        }
        self.problems
            .lock()
            .expect("problem lock")
            .push((pos, problem));
    }

    fn fail(&self, e: anyhow::Error) {
        self.cancel.store(true, Ordering::Relaxed);
        self.failure.lock().expect("failure lock").get_or_insert(e);
    }

    /// "PATH" or "PATH:LINE".
    fn locate(&self, pos: Pos) -> String {
        let path = self.sources[pos.source].display_path();
        match pos.line {
            0 => path.to_string(),
            line => format!("{path}:{line}"),
        }
    }

    /// Records the articles of files passed over unread, at their place in
    /// the input, so that duplicate ids in files that are read are decided
    /// as if every file had been read.
    fn keep_unread(&self, table: &FileTable) {
        let mut seen = self.seen.lock().expect("id lock");
        for (source, plan) in self.plans.iter().enumerate() {
            let Plan::Skip { prev } = *plan else { continue };
            for id in &table.files[prev].ids {
                seen.entry(id.clone()).or_insert(Seen {
                    pos: Pos { source, line: 0 },
                    passages: 0,
                    status: Status::Kept,
                    wrote: false,
                });
            }
        }
    }

    /// The reading thread: hands the sources to read to the workers,
    /// reading JSON Lines itself so that one big file is parsed on every
    /// core.
    fn feed(&self, to_read: &[usize], tx: Sender<Job>) {
        for &source in to_read {
            let src = &self.sources[source];
            if self.cancelled() {
                break;
            }
            let job = if src.format == Format::Jsonl {
                self.feed_lines(source, src, &tx);
                continue;
            } else if src.stdin {
                let mut data = Vec::new();
                let read = read::open(src, |n| self.progress.inc(n))
                    .and_then(|mut r| r.read_to_end(&mut data));
                if let Err(e) = read {
                    self.problem(
                        Pos { source, line: 0 },
                        Problem::new(
                            src.display_path(),
                            None,
                            Severity::Error,
                            format!("cannot read: {e}; skipped"),
                        ),
                    );
                    continue;
                }
                Job::Whole {
                    source,
                    data: Some(data),
                }
            } else {
                Job::Whole { source, data: None }
            };
            if tx.send(job).is_err() {
                break;
            }
        }
    }

    fn feed_lines(&self, source: usize, src: &SourceFile, tx: &Sender<Job>) {
        let at = |line| Pos { source, line };
        let report = |line: usize, severity, message: String| {
            let shown = (line > 0).then_some(line);
            self.problem(
                at(line),
                Problem::new(src.display_path(), shown, severity, message),
            );
        };
        let opened = if src.stdin {
            read::open(src, |n| self.progress.inc(n)).map(|r| (r, None))
        } else {
            open_hashed(&src.path, self.progress.clone()).map(|(r, h)| (r, Some(h)))
        };
        let (mut reader, hash) = match opened {
            Ok(r) => r,
            Err(e) => return report(0, Severity::Error, format!("cannot read: {e}; skipped")),
        };
        let outcome = |hash: Option<u64>, complete| {
            *self.outcomes[source].lock().expect("outcome lock") = Outcome { hash, complete };
        };
        // Checked before reading lines: a binary file may have no line
        // breaks at all, and would be read whole as one "line".
        match reader.fill_buf() {
            Ok([]) => {
                let h = hash.map(|h| h.lock().expect("hash lock").digest());
                outcome(h, true);
                return report(0, Severity::Skipped, "empty file; skipped".into());
            }
            Ok(head) if read::encoding::looks_binary(head) => {
                outcome(None, true);
                return report(0, Severity::Skipped, "binary file; skipped".into());
            }
            Ok(_) => {}
            Err(e) => return report(0, Severity::Error, format!("cannot read: {e}; skipped")),
        }
        let mut block = Vec::with_capacity(BLOCK_BYTES + 4096);
        let mut first_line = 1;
        let mut lines = 0;
        // Only white space read so far (and no read error to report instead).
        let mut blank = true;
        let mut complete = true;
        loop {
            if self.cancelled() {
                return;
            }
            let before = block.len();
            match reader.read_until(b'\n', &mut block) {
                Ok(0) => break,
                Ok(n) => {
                    self.bytes.fetch_add(n as u64, Ordering::Relaxed);
                    blank = blank && block[before..].iter().all(u8::is_ascii_whitespace);
                    lines += 1;
                }
                Err(e) => {
                    report(
                        first_line + lines,
                        Severity::Error,
                        format!("read error: {e}; rest of file skipped"),
                    );
                    // Whole lines already read are still indexed.
                    block.truncate(before);
                    blank = false;
                    complete = false;
                    break;
                }
            }
            if block.len() >= BLOCK_BYTES {
                let data = std::mem::replace(&mut block, Vec::with_capacity(BLOCK_BYTES + 4096));
                let job = Job::Lines {
                    source,
                    first_line,
                    data,
                };
                if tx.send(job).is_err() {
                    return;
                }
                first_line += lines;
                lines = 0;
            }
        }
        let h = hash
            .filter(|_| complete)
            .map(|h| h.lock().expect("hash lock").digest());
        outcome(h, complete);
        if !block.is_empty() {
            let _ = tx.send(Job::Lines {
                source,
                first_line,
                data: block,
            });
        }
        if blank {
            report(0, Severity::Skipped, "empty file; skipped".into());
        }
    }

    /// Reads a single-article file whole, decompressed, recording the hash
    /// of its bytes on disk. None (with a problem) when it cannot be read.
    fn read_whole(&self, source: usize, problems: &mut Vec<Problem>) -> Option<Vec<u8>> {
        let src = &self.sources[source];
        let cannot = |e: io::Error| {
            Problem::new(
                src.display_path(),
                None,
                Severity::Error,
                format!("cannot read: {e}; skipped"),
            )
        };
        let raw = match fs::read(&src.path) {
            Ok(raw) => raw,
            Err(e) => {
                problems.push(cannot(e));
                return None;
            }
        };
        self.progress.inc(raw.len() as u64);
        let hash = xxhash_rust::xxh3::xxh3_64(&raw);
        let data = if raw.starts_with(&GZIP_MAGIC) {
            let mut data = Vec::with_capacity(raw.len() * 4);
            if let Err(e) = MultiGzDecoder::new(&raw[..]).read_to_end(&mut data) {
                problems.push(cannot(e));
                return None;
            }
            data
        } else {
            raw
        };
        *self.outcomes[source].lock().expect("outcome lock") = Outcome {
            hash: Some(hash),
            complete: true,
        };
        Some(data)
    }

    /// A worker: reads and parses what it is handed and cuts passages.
    fn work(&self, rx: Receiver<Job>) {
        for job in rx {
            if self.cancelled() {
                continue; // drain, so the reading thread never blocks
            }
            match job {
                Job::Whole { source, data } => {
                    let src = &self.sources[source];
                    let at = Pos { source, line: 0 };
                    let mut problems = Vec::new();
                    let data = match data {
                        Some(d) => Some(d),
                        None => self.read_whole(source, &mut problems),
                    };
                    if let Some(data) = data {
                        self.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
                        let article = read::parse_article(src, &data, &mut problems);
                        drop(data);
                        for p in problems {
                            self.problem(at, p);
                        }
                        if let Some(article) = article {
                            self.submit(article, at);
                        }
                    } else {
                        for p in problems {
                            self.problem(at, p);
                        }
                    }
                }
                Job::Lines {
                    source,
                    first_line,
                    data,
                } => {
                    let src = &self.sources[source];
                    read::jsonl::parse_lines(
                        &data,
                        first_line,
                        src,
                        &self.opts.read.fields,
                        &mut |article, line| {
                            let line = line.unwrap_or(0);
                            self.submit(article, Pos { source, line });
                        },
                        &mut |p| {
                            let line = p.line.unwrap_or(0);
                            self.problem(Pos { source, line }, p);
                        },
                    );
                }
            }
        }
    }

    /// Stores an article unless the index already holds the same, keeping
    /// the first in input order of any articles that share an id.
    fn submit(&self, article: Article, pos: Pos) {
        if self.cancelled() {
            return;
        }
        let hash = content_hash(&article);
        let before = match self.stored.map(|s| s.hash(&article.id)).transpose() {
            Ok(before) => before.flatten(),
            Err(e) => return self.fail(e),
        };
        let status = match before {
            None => Status::Added,
            Some(h) if h == hash => Status::Unchanged,
            Some(_) => Status::Updated,
        };
        // Unchanged articles are cut only if they must be written after all.
        let cut = || passage::cut(&article.body, self.writer.passage_config());
        let mut spans = (status != Status::Unchanged).then(cut);
        // Held while adding: deciding which duplicate wins and storing it
        // must not interleave with another thread storing the other one.
        let mut seen = self.seen.lock().expect("id lock");
        let (write, displaced) = match seen.get(&article.id).copied() {
            None => {
                let write = status != Status::Unchanged;
                if write && before.is_some() {
                    self.writer.delete_article(&article.id);
                }
                (write, None)
            }
            Some(earlier) if earlier.pos < pos => {
                drop(seen);
                let message = format!(
                    "duplicate article id {:?} (first at {}); this one skipped",
                    article.id,
                    self.locate(earlier.pos)
                );
                self.duplicate(pos, &article.id, message);
                return;
            }
            Some(earlier) => {
                // This one comes first in the input: it replaces the one
                // stored (or kept). When that one was written, its delete
                // took what was stored before with it, so this one must be
                // written whatever its hash.
                let write = earlier.wrote || status != Status::Unchanged;
                if write && (earlier.wrote || before.is_some()) {
                    self.writer.delete_article(&article.id);
                }
                (write, Some(earlier))
            }
        };
        let mut passages = 0;
        if write {
            let spans = spans.get_or_insert_with(cut);
            passages = spans.len();
            if let Err(e) = self.writer.add_hashed(&article, spans, hash) {
                drop(seen);
                return self.fail(e);
            }
        }
        seen.insert(
            article.id.clone(),
            Seen {
                pos,
                passages,
                status,
                wrote: write,
            },
        );
        drop(seen);
        if let Some(earlier) = displaced {
            let message = format!(
                "duplicate article id {:?} (first at {}); this one skipped",
                article.id,
                self.locate(pos)
            );
            self.duplicate(earlier.pos, &article.id, message);
        }
    }

    /// Reports an article skipped because another with its id came first.
    fn duplicate(&self, pos: Pos, id: &str, message: String) {
        self.duplicates
            .lock()
            .expect("duplicate lock")
            .push((pos.source, id.to_string()));
        let problem = Problem::new(
            self.sources[pos.source].display_path(),
            (pos.line > 0).then_some(pos.line),
            Severity::Skipped,
            message,
        );
        self.problem(pos, problem);
    }
}

/// Stores the article's optional metadata on a passage or article document
/// (whose tags go in a field of each kind's own, `tags`).
fn add_metadata(f: &Fields, article: &Article, tags: Field, doc: &mut TantivyDocument) {
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
    for tag in &article.tags {
        let tag = crate::tags::normalize(tag);
        if !tag.is_empty() {
            doc.add_text(tags, &tag);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_close_to_the_run_start_are_not_trusted() {
        let start = 1_700_000_000_000_000_000u64 + 123_456_789;
        // Written well before the run: trusted.
        assert_eq!(
            settled_mtime(start - 5_000_000_000, start),
            start - 5_000_000_000
        );
        // Written just before or during the run: compare hashes next time.
        assert_eq!(settled_mtime(start - 20_000_000, start), 0);
        assert_eq!(settled_mtime(start + 1, start), 0);
        // Whole seconds (a coarse file system): two seconds of doubt.
        let coarse = (start / 1_000_000_000 - 1) * 1_000_000_000;
        assert_eq!(settled_mtime(coarse, start), 0);
        let old = (start / 1_000_000_000 - 3) * 1_000_000_000;
        assert_eq!(settled_mtime(old, start), old);
    }
}
