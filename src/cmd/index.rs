//! `passim index`: read articles and store their passages.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use super::{EXIT_OK, warn};
use crate::cli::{DEFAULT_DATA_DIR, IndexArgs};
use crate::index::{Index, OpenError};
use crate::indexer::{self, IndexOptions, Summary};
use crate::passage::PassageConfig;

pub fn run(index_dir: &Path, args: &IndexArgs) -> Result<i32> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(DEFAULT_DATA_DIR)]
    } else {
        args.paths.clone()
    };
    let summary = build(
        index_dir,
        &paths,
        args.passage_words.map(|n| n as usize),
        &IndexOptions {
            memory_mb: args.memory_mb,
            rebuild: args.rebuild,
        },
    )?;
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
        if !p.exists() {
            bail!("{}: no such file or folder", p.display());
        }
    }
    let wanted = passage_words.map(PassageConfig::new);
    let mut index = match Index::open(index_dir) {
        Ok(index) => index,
        Err(OpenError::Missing { .. }) => Index::create(index_dir, wanted.unwrap_or_default())?,
        Err(OpenError::FormatVersion { .. }) if opts.rebuild => {
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

/// Prints skipped inputs to stderr and the one-line summary to stdout.
pub fn report(summary: &Summary, quiet: bool) -> Result<()> {
    for p in &summary.problems {
        warn(p);
    }
    if !quiet {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", summary_line(summary))?;
    }
    Ok(())
}

/// "indexed 2 articles (25 passages) from 2 files, 12.7 KB, in 0.05 s; 0 skipped"
pub fn summary_line(s: &Summary) -> String {
    let mb = s.bytes as f64 / 1e6;
    let rate = if s.seconds > 0.0 { mb / s.seconds } else { 0.0 };
    format!(
        "indexed {} articles ({} passages) from {} files, {:.1} MB, in {:.2} s ({:.1} MB/s); {} skipped",
        s.articles,
        s.passages,
        s.files,
        mb,
        s.seconds,
        rate,
        s.skipped()
    )
}
