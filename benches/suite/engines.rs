//! The engines under test: passim (its CLI to index and for one-shot
//! searches, its library for warm searches), SQLite FTS5 and ripgrep.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rusqlite::{Connection, OpenFlags};

use crate::corpus::Article;
use crate::measure::{self, Latency, Run};
use crate::queries::Query;

/// Hits per query, for every engine.
pub const TOP: usize = 10;

/// Queries run before timing starts, so caches and page cache are warm.
const WARMUP: usize = 50;

/// An index build (the median of a few).
#[derive(Debug, Clone, Copy)]
pub struct Built {
    /// The build of median wall time, with the highest peak RSS of all.
    pub run: Run,
    /// Bytes on disk.
    pub size: u64,
}

impl Built {
    /// The median of `builds` (not empty).
    pub fn median(builds: Vec<Built>) -> Built {
        let max_rss = builds.iter().map(|b| b.run.max_rss).max().unwrap_or(0);
        let size = builds.last().map_or(0, |b| b.size);
        let mut run = measure::median_run(builds.into_iter().map(|b| b.run).collect());
        run.max_rss = max_rss;
        Built { run, size }
    }
}

/// A warm run over one query set.
#[derive(Debug, Clone, Copy, Default)]
pub struct Warm {
    pub latency: Latency,
    /// Queries that returned at least one hit.
    pub answered: usize,
    /// Highlighted words over all hits (0 would mean no snippets were made).
    pub marks: usize,
}

/// Times `search` over every query (after a warm-up over a sample), counting
/// queries answered and words marked.
fn time_queries(
    queries: &[Query],
    mut search: impl FnMut(&Query) -> Result<(usize, usize)>,
) -> Result<Warm> {
    for q in measure::sample(queries, WARMUP) {
        search(&q)?;
    }
    let mut samples = Vec::with_capacity(queries.len());
    let (mut answered, mut marks) = (0, 0);
    for q in queries {
        let started = Instant::now();
        let (hits, marked) = search(q)?;
        samples.push(started.elapsed());
        answered += usize::from(hits > 0);
        marks += marked;
    }
    Ok(Warm {
        latency: Latency::of(&samples),
        answered,
        marks,
    })
}

/// Fresh-process runs over a query sample.
#[derive(Debug, Clone, Copy, Default)]
pub struct OneShot {
    /// Wall time per process.
    pub latency: Latency,
    /// Median CPU time (user + system) per process.
    pub cpu: Duration,
}

/// Runs each query as a fresh process and times it.
fn time_processes(
    queries: &[Query],
    mut command: impl FnMut(&Query) -> Command,
    log: &Path,
) -> Result<OneShot> {
    // One untimed run, so the binary and the index are in the page cache.
    if let Some(q) = queries.first() {
        measure::run(&mut command(q), log, &[0, 1])?;
    }
    let mut wall: Vec<Duration> = Vec::with_capacity(queries.len());
    let mut cpu: Vec<Duration> = Vec::with_capacity(queries.len());
    for q in queries {
        let run = measure::run(&mut command(q), log, &[0, 1])?;
        wall.push(run.wall);
        cpu.push(run.cpu);
    }
    Ok(OneShot {
        latency: Latency::of(&wall),
        cpu: if cpu.is_empty() {
            Duration::ZERO
        } else {
            measure::median_of(&cpu)
        },
    })
}

/// passim, through its CLI and its library.
pub struct Passim {
    pub bin: PathBuf,
    /// This bench binary, which measures the indexing process.
    pub bench_bin: PathBuf,
}

impl Passim {
    /// `passim --index DIR index --quiet FILE` into a new index.
    pub fn index(&self, jsonl: &Path, dir: &Path, log: &Path) -> Result<Built> {
        if dir.exists() {
            fs::remove_dir_all(dir)?;
        }
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--index")
            .arg(dir)
            .args(["index", "--quiet"])
            .arg(jsonl);
        let run = measure::run_isolated(&self.bench_bin, &cmd, log, &[0])?;
        Ok(Built {
            run,
            size: measure::dir_size(dir),
        })
    }

    /// Top-10 passages with highlights, one library `Searcher` for all queries.
    pub fn warm(&self, dir: &Path, queries: &[Query]) -> Result<Warm> {
        let index = passim::Index::open(dir)?;
        let searcher = passim::Searcher::new(&index)?;
        let opts = passim::SearchOptions {
            limit: TOP,
            ..Default::default()
        };
        time_queries(queries, |q| {
            let text = q.passim();
            let results = searcher
                .search(&text, &opts)
                .with_context(|| format!("passim query {text:?}"))?;
            let marks = results.hits.iter().map(|h| h.highlights.len()).sum();
            Ok((results.hits.len(), std::hint::black_box(marks)))
        })
    }

    /// `passim --version` run `n` times: what starting a process costs.
    pub fn process_floor(&self, n: usize, log: &Path) -> Result<OneShot> {
        let runs: Vec<Query> = (0..n.max(1)).map(|_| Query::default()).collect();
        time_processes(
            &runs,
            |_| {
                let mut cmd = Command::new(&self.bin);
                cmd.arg("--version");
                cmd
            },
            log,
        )
    }

    /// `passim --index DIR search -n 10 QUERY`, a fresh process per query.
    pub fn one_shot(&self, dir: &Path, queries: &[Query], log: &Path) -> Result<OneShot> {
        time_processes(
            queries,
            |q| {
                let mut cmd = Command::new(&self.bin);
                cmd.arg("--index")
                    .arg(dir)
                    .args(["search", "-n", &TOP.to_string()])
                    .arg(q.passim());
                cmd
            },
            log,
        )
    }
}

/// SQLite FTS5: one row per article, porter stemming, ranked by bm25()
/// (headline weighted twice, as passim weighs it), with snippet().
pub struct Fts5 {
    /// This bench binary, which runs the FTS5 child processes.
    pub bench_bin: PathBuf,
}

const FTS5_SCHEMA: &str = "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, \
     tokenize = 'porter unicode61 remove_diacritics 2');";

const FTS5_QUERY: &str = "SELECT id, title, snippet(docs, 2, '[', ']', '…', 40) \
     FROM docs WHERE docs MATCH ?1 ORDER BY bm25(docs, 0.0, 2.0, 1.0) LIMIT 10";

impl Fts5 {
    /// Builds the database in a child process (so its RSS is its own).
    pub fn index(&self, jsonl: &Path, db: &Path, log: &Path) -> Result<Built> {
        let mut cmd = Command::new(&self.bench_bin);
        cmd.arg("fts5-index").arg(db).arg(jsonl);
        let run = measure::run_isolated(&self.bench_bin, &cmd, log, &[0])?;
        Ok(Built {
            run,
            size: fs::metadata(db)?.len(),
        })
    }

    pub fn warm(&self, db: &Path, queries: &[Query]) -> Result<Warm> {
        let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        time_queries(queries, |q| {
            let (hits, marks) = fts5_query(&conn, &q.fts5(), |_, _, _| {})?;
            Ok((hits, std::hint::black_box(marks)))
        })
    }

    pub fn one_shot(&self, db: &Path, queries: &[Query], log: &Path) -> Result<OneShot> {
        time_processes(
            queries,
            |q| {
                let mut cmd = Command::new(&self.bench_bin);
                cmd.arg("fts5-query").arg(db).arg(q.fts5());
                cmd
            },
            log,
        )
    }
}

/// Runs one FTS5 query, handing each row (id, title, snippet) to `row`.
/// Returns the rows and the marked words.
fn fts5_query(
    conn: &Connection,
    query: &str,
    mut row: impl FnMut(&str, &str, &str),
) -> Result<(usize, usize)> {
    let mut stmt = conn.prepare_cached(FTS5_QUERY)?;
    let mut rows = stmt.query([query])?;
    let (mut hits, mut marks) = (0, 0);
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let title: String = r.get(1)?;
        let snippet: String = r.get(2)?;
        marks += snippet.matches('[').count();
        hits += 1;
        row(&id, &title, &snippet);
    }
    Ok((hits, marks))
}

/// Child process: builds an FTS5 database from a JSON Lines file, in one
/// transaction.
pub fn fts5_index_main(db: &Path, jsonl: &Path) -> Result<()> {
    if db.exists() {
        fs::remove_file(db)?;
    }
    let mut conn = Connection::open(db)?;
    conn.execute_batch(FTS5_SCHEMA)?;
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare("INSERT INTO docs (id, title, body) VALUES (?1, ?2, ?3)")?;
        let reader = BufReader::new(File::open(jsonl)?);
        for line in reader.lines() {
            let a: Article = serde_json::from_str(&line?)?;
            insert.execute((&a.id, &a.title, &a.body))?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Child process: one FTS5 query, results printed as passim prints them
/// (title, id, snippet).
pub fn fts5_query_main(db: &Path, query: &str) -> Result<i32> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = None;
    let (hits, _) = fts5_query(&conn, query, |id, title, snippet| {
        if failed.is_none()
            && let Err(e) = writeln!(out, "{title}\n    {id}\n    {snippet}\n")
        {
            failed = Some(e);
        }
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    out.flush()?;
    Ok(if hits > 0 { 0 } else { 1 })
}

/// ripgrep over one text file per article: whole words, any case, the
/// query's words ORed (a phrase as one pattern), listing matching files.
pub struct Ripgrep {
    pub bin: PathBuf,
}

impl Ripgrep {
    /// `rg` on PATH or in ~/.cargo/bin.
    pub fn find() -> Option<Ripgrep> {
        let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).map(|d| d.join("rg")).collect())
            .unwrap_or_default();
        if let Some(home) = std::env::var_os("HOME") {
            candidates.push(Path::new(&home).join(".cargo/bin/rg"));
        }
        candidates
            .into_iter()
            .find(|p| p.is_file())
            .map(|bin| Ripgrep { bin })
    }

    pub fn version(&self) -> String {
        Command::new(&self.bin)
            .arg("--version")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.lines().next().map(str::to_string))
            .unwrap_or_else(|| "ripgrep".into())
    }

    pub fn one_shot(&self, dirs: &[PathBuf], queries: &[Query], log: &Path) -> Result<OneShot> {
        time_processes(
            queries,
            |q| {
                let mut cmd = Command::new(&self.bin);
                cmd.args([
                    "--ignore-case",
                    "--word-regexp",
                    "--fixed-strings",
                    "--files-with-matches",
                    "--no-messages",
                ]);
                for p in q.rg_patterns() {
                    cmd.arg("-e").arg(p);
                }
                cmd.args(dirs);
                cmd
            },
            log,
        )
    }
}
