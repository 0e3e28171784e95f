//! `passim stats`: what the index holds and how it was built.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use super::EXIT_OK;
use crate::cli::StatsArgs;
use crate::index::Index;

/// Runs `passim stats`: one `name: value` line per figure, or one JSON
/// object with the same names (see [`crate::stats::Summary`]).
pub fn run(index_dir: &Path, args: &StatsArgs) -> Result<i32> {
    let index = Index::open(index_dir)?;
    let summary = crate::stats::stats(&index)?.summary();
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &summary)?;
        writeln!(out)?;
    } else {
        for line in summary.lines() {
            writeln!(out, "{line}")?;
        }
    }
    out.flush()?;
    Ok(EXIT_OK)
}
