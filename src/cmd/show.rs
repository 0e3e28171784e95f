//! `passim show`: print stored articles with their passages numbered.

use std::collections::HashSet;
use std::io::{self, IsTerminal, Write};
use std::path::Path;

use anyhow::Result;

use super::{EXIT_NO_RESULTS, EXIT_OK, warn};
use crate::cli::ShowArgs;
use crate::index::Index;
use crate::output::json::stored_value;
use crate::output::text::TextPrinter;
use crate::output::{Markers, RenderOptions, StoredHighlights};
use crate::search::{QueryHighlights, Searcher, StoredArticle};

/// Runs `passim show`: prints each article found (an id given twice is
/// printed once) and reports the others on stderr. Exit 0 when every id
/// was found, 1 when none was; when only some were, 0 as well, the
/// missing ones having been reported.
pub fn run(index_dir: &Path, args: &ShowArgs) -> Result<i32> {
    let index = Index::open(index_dir)?;
    let searcher = Searcher::snapshot(&index)?;
    let marks = match &args.highlight {
        Some(query) => {
            let marks = searcher.highlights(query)?;
            for w in &marks.warnings {
                warn(w);
            }
            Some(marks)
        }
        None => None,
    };

    let stdout = io::stdout();
    let is_terminal = stdout.is_terminal();
    let mut out = io::BufWriter::new(stdout.lock());
    let found = if args.json {
        each_article(
            &searcher,
            &args.ids,
            marks.as_ref(),
            |stored, highlights| {
                serde_json::to_writer(&mut out, &stored_value(stored, highlights))?;
                writeln!(out)
            },
        )?
    } else {
        let markers = (args.pre.is_some() || args.post.is_some()).then(|| Markers {
            pre: args.pre.clone().unwrap_or_default(),
            post: args.post.clone().unwrap_or_default(),
        });
        let mut printer = TextPrinter::new(
            &mut out,
            args.color.enabled(is_terminal),
            super::search::terminal_width(is_terminal),
        )
        .with_options(RenderOptions {
            markers,
            ..RenderOptions::default()
        });
        each_article(
            &searcher,
            &args.ids,
            marks.as_ref(),
            |stored, highlights| printer.stored(stored, highlights),
        )?
    };
    out.flush()?;
    Ok(if found == 0 { EXIT_NO_RESULTS } else { EXIT_OK })
}

/// Calls `print` for each stored article of `ids` (once per id), with
/// where `marks` match in it; reports the ids not in the index. Returns
/// how many were found.
fn each_article(
    searcher: &Searcher,
    ids: &[String],
    marks: Option<&QueryHighlights>,
    mut print: impl FnMut(&StoredArticle, Option<&StoredHighlights>) -> io::Result<()>,
) -> Result<usize> {
    let mut found = 0;
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id.as_str()) {
            continue;
        }
        match searcher.article(id)? {
            Some(stored) => {
                found += 1;
                let highlights = marks.map(|m| highlight(&stored, m));
                print(&stored, highlights.as_ref())?;
            }
            None => warn(format_args!("no article with id {id:?}")),
        }
    }
    Ok(found)
}

/// Where `marks` match in the article's title and in each passage.
fn highlight(stored: &StoredArticle, marks: &QueryHighlights) -> StoredHighlights {
    StoredHighlights {
        title: marks.title.ranges(&stored.article.title),
        passages: stored
            .passages
            .iter()
            .map(|p| marks.passage.ranges(&p.text))
            .collect(),
    }
}
