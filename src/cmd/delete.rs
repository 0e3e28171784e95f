//! `passim delete`: remove articles by id.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use super::{EXIT_NO_RESULTS, EXIT_OK, warn};
use crate::cli::DeleteArgs;
use crate::index::Index;
use crate::indexer::{StoredArticles, Writer};

/// Memory budget for a writer that only deletes: tantivy's minimum.
const DELETE_MEMORY_MB: usize = 32;

/// What `passim delete --json` prints.
#[derive(Debug, Serialize)]
struct Report<'a> {
    deleted: Vec<&'a str>,
    missing: Vec<&'a str>,
}

/// Runs `passim delete`: deletes the articles that exist in one commit
/// (with the file table, so unchanged files do not bring them back), and
/// reports the ids that do not. Exit 0 when something was deleted, 1 when
/// none of the ids exists.
pub fn run(index_dir: &Path, args: &DeleteArgs) -> Result<i32> {
    let mut index = Index::open(index_dir)?;
    let mut writer = Writer::new(&index, DELETE_MEMORY_MB)?;
    let stored = StoredArticles::open(&index)?;
    let mut unique = HashSet::new();
    let mut report = Report {
        deleted: Vec::new(),
        missing: Vec::new(),
    };
    for id in &args.ids {
        if !unique.insert(id.as_str()) {
            continue;
        }
        if stored.hash(id)?.is_some() {
            writer.delete_article(id);
            report.deleted.push(id);
        } else {
            report.missing.push(id);
        }
    }
    if !report.deleted.is_empty() {
        match index.load_files() {
            Ok(mut files) => {
                files.forget(&report.deleted.iter().copied().collect());
                writer.commit_with_files(&mut index, &files)?;
            }
            // Without a readable file table the next `passim index` reads
            // every file again anyway; the deletion itself must not fail.
            Err(e) => {
                warn(&e);
                writer.commit(&mut index)?;
            }
        }
    }
    if let Err(e) = writer.finish() {
        warn(format_args!("{e:#}"));
    }

    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        for id in &report.missing {
            warn(format_args!("no article with id {id:?}"));
        }
        if !report.deleted.is_empty() {
            let n = report.deleted.len();
            writeln!(
                out,
                "deleted {n} {}: {}",
                if n == 1 { "article" } else { "articles" },
                report.deleted.join(", ")
            )?;
        }
    }
    Ok(if report.deleted.is_empty() {
        EXIT_NO_RESULTS
    } else {
        EXIT_OK
    })
}
