//! `passim search`: run a query, or a batch of queries, and print ranked
//! passages or articles.

use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::{EXIT_ERROR, EXIT_NO_RESULTS, EXIT_OK, warn};
use crate::cli::{DEFAULT_DATA_DIR, OutputFormat, SearchArgs};
use crate::index::{Index, OpenError};
use crate::indexer::IndexOptions;
use crate::output::fields::{FieldSelection, HitKind};
use crate::output::json::JsonPrinter;
use crate::output::text::TextPrinter;
use crate::output::trec::TrecPrinter;
use crate::output::{Markers, Printer, QueryTag, RenderOptions};
use crate::search::{SearchError, SearchOptions, Searcher};

/// Runs `passim search`, one query or a batch; returns the exit status.
pub fn run(index_dir: &Path, explicit_index: bool, args: &SearchArgs) -> Result<i32> {
    let format = match (args.format, args.json, &args.batch) {
        (Some(f), _, _) => f,
        (None, true, _) | (None, false, Some(_)) => OutputFormat::Json,
        (None, false, None) => OutputFormat::Text,
    };
    // TREC runs rank articles, whatever --by says.
    let kind = if format == OutputFormat::Trec {
        HitKind::Article
    } else {
        args.by
    };
    let render = render_options(args, format, kind)?;
    let opts = SearchOptions {
        limit: args.limit,
        offset: args.offset,
        per_article: args.per_article.map(|n| n as usize),
    };
    let index = open_or_build(index_dir, explicit_index)?;
    let searcher = Searcher::snapshot(&index)?;

    let stdout = io::stdout();
    let is_terminal = stdout.is_terminal();
    let out = io::BufWriter::new(stdout.lock());
    let mut sink = match format {
        OutputFormat::Json => Sink::Hits(Box::new(JsonPrinter::with_options(out, render))),
        // TREC needs ids and scores only: no passage is loaded.
        OutputFormat::Trec => Sink::Trec(TrecPrinter::new(out)),
        OutputFormat::Text => Sink::Hits(Box::new(
            TextPrinter::new(
                out,
                args.color.enabled(is_terminal),
                terminal_width(is_terminal),
            )
            .with_options(render),
        )),
    };
    let code = match &args.batch {
        Some(file) => batch(&searcher, file, kind, &opts, &mut sink)?,
        None => {
            let query = args.query.join(" ");
            let found = answer(&searcher, &query, kind, &opts, &mut sink, |w| warn(w))?;
            if found > 0 { EXIT_OK } else { EXIT_NO_RESULTS }
        }
    };
    sink.printer().finish()?;
    drop(sink);
    // The process ends right after this; unmapping every index file one by
    // one would cost more than the exit that reclaims them all at once.
    std::mem::forget(searcher);
    std::mem::forget(index);
    Ok(code)
}

/// Where answers go: a printer of full hits, or a TREC run of ranked ids.
enum Sink<'a> {
    Hits(Box<dyn Printer + 'a>),
    Trec(TrecPrinter<io::BufWriter<io::StdoutLock<'a>>>),
}

impl Sink<'_> {
    fn printer(&mut self) -> &mut dyn Printer {
        match self {
            Sink::Hits(p) => p.as_mut(),
            Sink::Trec(p) => p,
        }
    }
}

fn render_options(args: &SearchArgs, format: OutputFormat, kind: HitKind) -> Result<RenderOptions> {
    let fields = match &args.fields {
        Some(_) if format != OutputFormat::Json => {
            bail!("--fields selects JSON fields; use it with --json or --format json")
        }
        Some(spec) => Some(FieldSelection::parse(spec, kind)?),
        None => None,
    };
    let markers = (args.pre.is_some() || args.post.is_some()).then(|| Markers {
        pre: args.pre.clone().unwrap_or_default(),
        post: args.post.clone().unwrap_or_default(),
    });
    Ok(RenderOptions {
        snippet_chars: args.snippet_chars.map(|n| n as usize),
        markers,
        fields,
    })
}

/// Runs one query and prints its hits; returns how many there were.
/// Query problems come back as errors for the caller to place; index
/// failures too (wrapped in [`SearchError::Index`]).
fn answer(
    searcher: &Searcher,
    query: &str,
    kind: HitKind,
    opts: &SearchOptions,
    sink: &mut Sink,
    mut on_warning: impl FnMut(&str),
) -> Result<usize> {
    let printer = match sink {
        Sink::Trec(trec) => {
            let results = searcher.rank_articles(query, opts)?;
            results.warnings.iter().for_each(|w| on_warning(w));
            for hit in &results.hits {
                trec.line(&hit.id, hit.rank, hit.score)?;
            }
            return Ok(results.hits.len());
        }
        Sink::Hits(printer) => printer,
    };
    match kind {
        HitKind::Passage => {
            let results = searcher.search(query, opts)?;
            results.warnings.iter().for_each(|w| on_warning(w));
            for hit in &results.hits {
                printer.hit(hit)?;
            }
            Ok(results.hits.len())
        }
        HitKind::Article => {
            let results = searcher.search_articles(query, opts)?;
            results.warnings.iter().for_each(|w| on_warning(w));
            for hit in &results.hits {
                printer.article(hit)?;
            }
            Ok(results.hits.len())
        }
    }
}

/// Answers each line of `file` in turn. Exit status: 2 if any line was a
/// bad query (all others are still answered), else 0 if any query found
/// something, else 1.
fn batch(
    searcher: &Searcher,
    file: &Path,
    kind: HitKind,
    opts: &SearchOptions,
    sink: &mut Sink,
) -> Result<i32> {
    let (name, mut input): (String, Box<dyn BufRead>) = if file == Path::new("-") {
        ("standard input".into(), Box::new(io::stdin().lock()))
    } else {
        let f = File::open(file)
            .with_context(|| format!("cannot read the batch file {}", file.display()))?;
        (file.display().to_string(), Box::new(BufReader::new(f)))
    };
    let (mut bad, mut found) = (0usize, false);
    let mut raw = Vec::new();
    let mut line_no = 0usize;
    loop {
        raw.clear();
        let n = input
            .read_until(b'\n', &mut raw)
            .with_context(|| format!("cannot read {name}"))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let Ok(line) = std::str::from_utf8(&raw) else {
            eprintln!("passim: error: {name}:{line_no}: the line is not UTF-8; skipped");
            bad += 1;
            continue;
        };
        let line = line.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            continue;
        }
        let tag = match line.split_once('\t') {
            Some((qid, query)) if !qid.trim().is_empty() => QueryTag {
                qid: qid.trim().to_string(),
                query: query.to_string(),
            },
            Some((_, query)) => QueryTag {
                qid: line_no.to_string(),
                query: query.to_string(),
            },
            None => QueryTag {
                qid: line_no.to_string(),
                query: line.to_string(),
            },
        };
        sink.printer().begin_query(&tag)?;
        let result = answer(searcher, &tag.query, kind, opts, sink, |w| {
            warn(format_args!("{name}:{line_no}: {w}"))
        });
        match result {
            Ok(hits) => found |= hits > 0,
            Err(e) => match e.downcast_ref::<SearchError>() {
                Some(SearchError::Query(q)) => {
                    eprintln!("passim: error: {name}:{line_no}: {q}");
                    bad += 1;
                }
                _ => return Err(e.context(format!("{name}:{line_no}"))),
            },
        }
    }
    if bad > 0 {
        eprintln!("passim: {bad} of {line_no} lines in {name} could not be answered");
        io::stderr().flush().ok();
        return Ok(EXIT_ERROR);
    }
    Ok(if found { EXIT_OK } else { EXIT_NO_RESULTS })
}

/// Opens the index; on a fresh clone (default index missing, `data/`
/// present) builds it from `data/` first, saying so on stderr.
pub(crate) fn open_or_build(index_dir: &Path, explicit_index: bool) -> Result<Index> {
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

pub(crate) fn terminal_width(is_terminal: bool) -> usize {
    if is_terminal && let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size() {
        return w as usize;
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}
