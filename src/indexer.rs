//! Indexing: articles → passages → tantivy documents.
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
//! Adding an article first deletes any passages stored under its id, so
//! re-indexing a file replaces it rather than duplicating it.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::{BufRead, IsTerminal, Read};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use crossbeam_channel::{Receiver, Sender};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use tantivy::{IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::passage::{self, PassageConfig, PassageSpan};
use crate::read::{self, Format, Problem, ReadOptions, Severity, SourceFile};
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
    pub fn add_passages(&self, article: &Article, spans: &[PassageSpan]) -> Result<()> {
        let f = &self.fields;
        self.inner
            .add_document(self.article_doc(article, spans.len()))?;
        for span in spans {
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
        Ok(())
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

    /// Drops everything added or deleted since the last commit.
    pub fn rollback(&mut self) -> Result<()> {
        self.inner.rollback().context("rollback failed")?;
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
    /// Files (and standard input) read.
    pub files: u64,
    /// Articles indexed.
    pub articles: u64,
    /// Passages stored.
    pub passages: u64,
    /// Bytes of input read, after decompression.
    pub bytes: u64,
    /// Inputs indexed with a warning, skipped, or broken, with why, in input order.
    pub problems: Vec<Problem>,
    /// Wall time in seconds.
    pub seconds: f64,
    /// False when nothing was committed (`--strict` met a problem).
    pub committed: bool,
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

/// Where an article or problem is in the input: source number, then line
/// (0 for whole-file formats). Input order is the order of these.
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

#[derive(Debug, Clone, Copy)]
struct Seen {
    pos: Pos,
    passages: usize,
}

/// State shared by the reading thread and the workers.
struct Run<'a> {
    sources: &'a [SourceFile],
    opts: &'a IndexOptions,
    writer: &'a Writer,
    /// Delete earlier versions of each article (false when the index
    /// started empty or is being rebuilt: nothing to replace).
    replace: bool,
    seen: Mutex<HashMap<String, Seen>>,
    problems: Mutex<Vec<(Pos, Problem)>>,
    articles: AtomicU64,
    passages: AtomicU64,
    bytes: AtomicU64,
    cancel: AtomicBool,
    failure: Mutex<Option<anyhow::Error>>,
    progress: ProgressBar,
}

/// Indexes every article found under `paths` (`-` is standard input) and
/// commits, unless `opts.strict` and a problem was met.
///
/// **Duplicate ids.** An article id met twice in one run is indexed once:
/// the first in input order wins (sources sorted by id, then line order),
/// whichever thread reads it first, and the other is reported as skipped.
/// An id already in the index from an earlier run is replaced.
pub fn index_paths(index: &mut Index, paths: &[PathBuf], opts: &IndexOptions) -> Result<Summary> {
    let started = Instant::now();
    let mut walk_problems = Vec::new();
    let sources =
        read::find_sources(paths, &opts.read, &mut walk_problems).context("bad --glob pattern")?;
    let existing = index
        .tantivy()
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map(|r: tantivy::IndexReader| r.searcher().num_docs())
        .context("cannot read the index")?;
    let mut writer = Writer::new(index, opts.memory_mb)?;
    if opts.rebuild {
        writer.delete_all()?;
    }

    let progress = if opts.progress && std::io::stderr().is_terminal() {
        progress_bar(&sources)
    } else {
        ProgressBar::hidden()
    };
    let run = Run {
        sources: &sources,
        opts,
        writer: &writer,
        replace: existing > 0 && !opts.rebuild,
        seen: Mutex::new(HashMap::new()),
        problems: Mutex::new(Vec::new()),
        articles: AtomicU64::new(0),
        passages: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
        cancel: AtomicBool::new(opts.strict && !walk_problems.is_empty()),
        failure: Mutex::new(None),
        progress,
    };
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
        run.feed(tx);
    });
    // Committing a large run takes a while (tantivy writes its last
    // segments); say so instead of leaving a full bar standing still.
    run.progress.set_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} committing…")
            .expect("valid template"),
    );

    let Run {
        problems,
        articles,
        passages,
        bytes,
        failure,
        progress,
        ..
    } = run;
    if let Some(e) = failure.into_inner().expect("failure lock") {
        progress.finish_and_clear();
        return Err(e.context("indexing failed; nothing was committed"));
    }
    let mut problems = problems.into_inner().expect("problem lock");
    // Workers finish out of order; report in input order.
    problems.sort_by_key(|(pos, _)| *pos);
    walk_problems.extend(problems.into_iter().map(|(_, p)| p));
    let problems = walk_problems;

    let committed = if opts.strict && !problems.is_empty() {
        writer.rollback()?;
        false
    } else {
        writer.commit(index)?;
        true
    };
    progress.finish_and_clear();
    Ok(Summary {
        files: sources.len() as u64,
        articles: articles.into_inner(),
        passages: passages.into_inner(),
        bytes: bytes.into_inner(),
        problems,
        seconds: started.elapsed().as_secs_f64(),
        committed,
    })
}

fn progress_bar(sources: &[SourceFile]) -> ProgressBar {
    let total: u64 = sources.iter().map(|s| s.bytes).sum();
    let bar = if sources.iter().any(|s| s.stdin) {
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

    /// The reading thread: hands every source to the workers, reading JSON
    /// Lines itself so that one big file is parsed on every core.
    fn feed(&self, tx: Sender<Job>) {
        for (source, src) in self.sources.iter().enumerate() {
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
        let mut reader = match read::open(src, |n| self.progress.inc(n)) {
            Ok(r) => r,
            Err(e) => return report(0, Severity::Error, format!("cannot read: {e}; skipped")),
        };
        // Checked before reading lines: a binary file may have no line
        // breaks at all, and would be read whole as one "line".
        match reader.fill_buf() {
            Ok([]) => {
                return report(0, Severity::Skipped, "empty file; skipped".into());
            }
            Ok(head) if read::encoding::looks_binary(head) => {
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
                        None => {
                            let d = read::read_all(src, &mut problems);
                            self.progress.inc(src.bytes);
                            d
                        }
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

    /// Cuts an article into passages and stores them, keeping the first in
    /// input order of any articles that share an id.
    fn submit(&self, article: Article, pos: Pos) {
        if self.cancelled() {
            return;
        }
        let spans = passage::cut(&article.body, self.writer.passage_config());
        let n = spans.len();
        // Held while adding: deciding which duplicate wins and storing it
        // must not interleave with another thread storing the other one.
        let mut seen = self.seen.lock().expect("id lock");
        let replaced = match seen.entry(article.id.clone()) {
            Entry::Vacant(slot) => {
                slot.insert(Seen { pos, passages: n });
                if self.replace {
                    self.writer.delete_article(&article.id);
                }
                None
            }
            Entry::Occupied(mut slot) => {
                let earlier = *slot.get();
                if earlier.pos < pos {
                    drop(seen);
                    let message = format!(
                        "duplicate article id {:?} (first at {}); this one skipped",
                        article.id,
                        self.locate(earlier.pos)
                    );
                    self.problem(pos, self.problem_at(pos, message));
                    return;
                }
                // This one comes first in the input: it replaces the one stored.
                slot.insert(Seen { pos, passages: n });
                self.writer.delete_article(&article.id);
                Some(earlier)
            }
        };
        if let Err(e) = self.writer.add_passages(&article, &spans) {
            drop(seen);
            return self.fail(e);
        }
        drop(seen);
        match replaced {
            None => {
                self.articles.fetch_add(1, Ordering::Relaxed);
                self.passages.fetch_add(n as u64, Ordering::Relaxed);
            }
            Some(earlier) => {
                self.passages.fetch_add(n as u64, Ordering::Relaxed);
                self.passages
                    .fetch_sub(earlier.passages as u64, Ordering::Relaxed);
                let message = format!(
                    "duplicate article id {:?} (first at {}); this one skipped",
                    article.id,
                    self.locate(pos)
                );
                self.problem(earlier.pos, self.problem_at(earlier.pos, message));
            }
        }
    }

    fn problem_at(&self, pos: Pos, message: String) -> Problem {
        Problem::new(
            self.sources[pos.source].display_path(),
            (pos.line > 0).then_some(pos.line),
            Severity::Skipped,
            message,
        )
    }
}
