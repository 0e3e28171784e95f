//! `passim index`: read articles and store their passages.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};

use super::{EXIT_OK, warn};
use crate::cli::{DEFAULT_DATA_DIR, IndexArgs};
use crate::index::{Index, OpenError};
use crate::indexer::{self, IndexOptions, Removal, Summary};
use crate::passage::PassageConfig;
use crate::read::{FieldMap, ReadOptions};

/// Runs `passim index`: gathers the paths (standard input at most once),
/// indexes them, prints problems and the summary. Fails (exit 2) when
/// `--strict` met a problem.
pub fn run(index_dir: &Path, args: &IndexArgs) -> Result<i32> {
    let mut paths = args.paths.clone();
    if args.stdin {
        paths.push(PathBuf::from("-"));
    }
    // Standard input can be read once.
    let mut seen_stdin = false;
    paths.retain(|p| p.as_os_str() != "-" || !std::mem::replace(&mut seen_stdin, true));
    if paths.is_empty() {
        paths.push(PathBuf::from(DEFAULT_DATA_DIR));
    }
    if seen_stdin && std::io::stdin().is_terminal() && !args.quiet {
        eprintln!("passim: reading articles from standard input (end with Ctrl-D)");
    }
    let mut fields = FieldMap::default();
    for spec in &args.fields {
        fields.set(spec).map_err(|e| anyhow!("--field {e}"))?;
    }
    let opts = IndexOptions {
        memory_mb: args.memory_mb,
        rebuild: args.rebuild,
        read: ReadOptions {
            format: args.format,
            fields,
            hidden: args.hidden,
            no_ignore: args.no_ignore,
            follow_links: args.follow,
            globs: args.globs.clone(),
        },
        strict: args.strict,
        progress: !args.quiet,
        threads: args.threads.unwrap_or(0) as usize,
    };
    let summary = build(
        index_dir,
        &paths,
        args.passage_words.map(|n| n as usize),
        &opts,
    )?;
    if !summary.committed {
        for p in &summary.problems {
            warn(p);
        }
        bail!(
            "--strict: the input has problems ({}); nothing was committed",
            problem_counts(&summary)
        );
    }
    if summary.files == 0 {
        warn(format_args!(
            "no article files found in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    report(&summary, args.quiet)?;
    Ok(EXIT_OK)
}

/// Opens (or creates) the index and indexes `paths` into it.
pub fn build(
    index_dir: &Path,
    paths: &[PathBuf],
    passage_words: Option<usize>,
    opts: &IndexOptions,
) -> Result<Summary> {
    for p in paths {
        if p.as_os_str() != "-" && !p.exists() {
            bail!("{}: no such file or folder", p.display());
        }
    }
    let wanted = passage_words.map(PassageConfig::new);
    let mut index = match Index::open(index_dir) {
        Ok(index) => index,
        Err(OpenError::Missing { .. }) => Index::create(index_dir, wanted.unwrap_or_default())?,
        // --rebuild is the way out of an old format, or of a passim index
        // whose tantivy files are damaged.
        Err(OpenError::FormatVersion { .. } | OpenError::Damaged { .. }) if opts.rebuild => {
            Index::recreate(index_dir, wanted.unwrap_or_default())?
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(wanted) = wanted
        && wanted != index.meta().passage
    {
        if !opts.rebuild {
            bail!(
                "the index at {} was built with --passage-words {}; add --rebuild to re-cut every article with {}",
                index_dir.display(),
                index.meta().passage.target_words,
                wanted.target_words
            );
        }
        index.set_passage_config(wanted);
    }
    indexer::index_paths(&mut index, paths, opts)
}

/// Prints skipped inputs and trouble after the commit to stderr, and what
/// was removed and the one-line summary to stdout.
pub fn report(summary: &Summary, quiet: bool) -> Result<()> {
    for p in &summary.problems {
        warn(p);
    }
    for note in &summary.notes {
        warn(note);
    }
    if !quiet {
        let mut out = std::io::stdout().lock();
        for r in &summary.removals {
            writeln!(out, "{}", removal_line(r))?;
        }
        writeln!(out, "{}", summary_line(summary))?;
    }
    Ok(())
}

/// "removed 2 articles of the deleted file /news/old.jsonl (a1, a2)", or
/// "removed 1 article no longer in news/dump.jsonl (a3)". At most five ids
/// are listed.
pub fn removal_line(r: &Removal) -> String {
    const SHOWN: usize = 5;
    let n = r.ids.len();
    let what = if n == 1 { "article" } else { "articles" };
    let mut ids = r.ids[..n.min(SHOWN)].join(", ");
    if n > SHOWN {
        ids.push_str(&format!(", … {} more", n - SHOWN));
    }
    if r.gone {
        format!("removed {n} {what} of the deleted file {} ({ids})", r.path)
    } else {
        format!("removed {n} {what} no longer in {} ({ids})", r.path)
    }
}

/// One line for the end of a run:
///
/// "indexed 2 articles (25 passages) from 3 files, 0.0 MB, in 0.05 s
/// (0.2 MB/s); 1 added, 1 updated, 0 removed, 4 unchanged; 1 skipped,
/// 0 errors, 1 warning"
///
/// The articles indexed are those written: added (new ids) and updated
/// (changed content); unchanged ones are not written again. Skipped inputs
/// held nothing to index (empty, binary, no body, a duplicate id), errors
/// were broken (malformed JSON, unreadable), warnings were indexed with a
/// caveat (decoded as Windows-1252).
pub fn summary_line(s: &Summary) -> String {
    format!(
        "indexed {} articles ({} passages) from {} {}, {:.1} MB, in {:.2} s ({:.1} MB/s); \
         {} added, {} updated, {} removed, {} unchanged; {}",
        s.articles,
        s.passages,
        s.files,
        if s.files == 1 { "file" } else { "files" },
        s.bytes as f64 / 1e6,
        s.seconds,
        s.mb_per_second(),
        s.added,
        s.updated,
        s.removed,
        s.unchanged,
        problem_counts(s)
    )
}

/// "1 skipped, 0 errors, 1 warning"
fn problem_counts(s: &Summary) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    format!(
        "{} skipped, {}, {}",
        s.skipped(),
        plural(s.errors(), "error"),
        plural(s.warnings(), "warning")
    )
}
