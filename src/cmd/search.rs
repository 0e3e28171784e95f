//! `passim search`: run a query and print ranked passages.

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::{EXIT_NO_RESULTS, EXIT_OK, warn};
use crate::cli::{DEFAULT_DATA_DIR, SearchArgs};
use crate::index::{Index, OpenError};
use crate::indexer::IndexOptions;
use crate::output::Printer;
use crate::output::json::JsonPrinter;
use crate::output::text::TextPrinter;
use crate::search::{SearchOptions, Searcher};

pub fn run(index_dir: &Path, explicit_index: bool, args: &SearchArgs) -> Result<i32> {
    let index = open_or_build(index_dir, explicit_index)?;
    let searcher = Searcher::new(&index)?;
    let query = args.query.join(" ");
    let results = searcher.search(
        &query,
        &SearchOptions {
            limit: args.limit,
            offset: args.offset,
        },
    )?;
    for w in &results.warnings {
        warn(w);
    }
    let stdout = io::stdout();
    let is_terminal = stdout.is_terminal();
    let out = io::BufWriter::new(stdout.lock());
    let mut printer: Box<dyn Printer> = if args.json {
        Box::new(JsonPrinter::new(out))
    } else {
        let width = terminal_width(is_terminal);
        Box::new(TextPrinter::new(
            out,
            args.color.enabled(is_terminal),
            width,
        ))
    };
    for hit in &results.hits {
        printer.hit(hit)?;
    }
    printer.finish()?;
    Ok(if results.hits.is_empty() {
        EXIT_NO_RESULTS
    } else {
        EXIT_OK
    })
}

/// Opens the index; on a fresh clone (default index missing, `data/`
/// present) builds it from `data/` first, saying so on stderr.
fn open_or_build(index_dir: &Path, explicit_index: bool) -> Result<Index> {
    match Index::open(index_dir) {
        Err(OpenError::Missing { .. })
            if !explicit_index && Path::new(DEFAULT_DATA_DIR).is_dir() =>
        {
            eprintln!(
                "passim: no index at {}/ yet; building it from {DEFAULT_DATA_DIR}/ first",
                index_dir.display()
            );
            let summary = super::index::build(
                index_dir,
                &[PathBuf::from(DEFAULT_DATA_DIR)],
                None,
                &IndexOptions::default(),
            )?;
            for p in &summary.problems {
                warn(p);
            }
            eprintln!("passim: {}", super::index::summary_line(&summary));
            Ok(Index::open(index_dir)?)
        }
        other => Ok(other?),
    }
}

fn terminal_width(is_terminal: bool) -> usize {
    if is_terminal && let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size() {
        return w as usize;
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}
