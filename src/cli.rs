//! Command-line types (clap derive). `main.rs` parses these and hands them
//! to [`crate::cmd::run`].

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::output::ColorChoice;
use crate::output::fields::HitKind;

/// Default index folder, relative to the working directory.
pub const DEFAULT_INDEX_DIR: &str = "index";
/// Folder indexed when `passim index` is given no path, and used to build
/// the default index on first search.
pub const DEFAULT_DATA_DIR: &str = "data";

/// passim: find the passage that says it. Full-text search over news
/// articles, ranked by BM25, with highlighted snippets.
///
/// Exit status: 0 when there are results, 1 when there are none, 2 on error.
#[derive(Debug, Parser)]
#[command(name = "passim", version, propagate_version = true)]
pub struct Cli {
    /// The index folder [default: index]
    #[arg(long, global = true, env = "PASSIM_INDEX", value_name = "DIR")]
    pub index: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index articles (.txt, .md, .jsonl/.ndjson) found under PATHs.
    ///
    /// Folders are walked recursively, honouring .gitignore. Re-indexing an
    /// article replaces it. Unreadable files are reported, counted and
    /// skipped; indexing goes on.
    Index(IndexArgs),
    /// Search the index and print ranked passages with highlighted matches.
    ///
    /// QUERY uses tantivy's syntax: words (ORed), "exact phrases", +required,
    /// -excluded, AND/OR/NOT, (groups), title:word, text:word, prefix*.
    /// Several QUERY words are joined with spaces; quote a query that starts
    /// with `-` ("-Albania Iran") or put it after `--`. A query with a syntax
    /// error runs leniently, with a warning saying how it was read.
    Search(SearchArgs),
    /// Answer searches over HTTP with the same JSON as `search --json`.
    ///
    /// GET /search?q=QUERY&limit=&offset=&by=passage|article, GET
    /// /articles/ID, GET /stats, GET /health. Listens on loopback by
    /// default, follows new commits from `passim index` without a restart,
    /// and stops cleanly on Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// Print a shell completion script to stdout.
    ///
    /// For example: passim completions bash > ~/.local/share/bash-completion/completions/passim
    Completions(CompletionsArgs),
    /// Print the manual page (roff) to stdout.
    ///
    /// For example: passim man > ~/.local/share/man/man1/passim.1
    Man,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Files or folders to index [default: data]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Target passage size in words (passages run from 2/3 to 4/3 of it)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(5..=2000))]
    pub passage_words: Option<u64>,

    /// Remove every article first and build the index anew
    #[arg(long)]
    pub rebuild: bool,

    /// Writer memory budget in MB
    #[arg(long, value_name = "MB", default_value_t = crate::indexer::DEFAULT_MEMORY_MB)]
    pub memory_mb: usize,

    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query
    #[arg(
        required_unless_present = "batch",
        conflicts_with = "batch",
        value_name = "QUERY"
    )]
    pub query: Vec<String>,

    /// Answer every query in FILE (`-`: standard input): one query per
    /// line, or `QID<TAB>QUERY` lines. Prints JSON Lines (each hit tagged
    /// with `qid` and `query`) unless --format says otherwise. A bad query
    /// is reported with its line number and the batch goes on; the exit
    /// status is then 2.
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub batch: Option<PathBuf>,

    /// Number of hits to show (passages, or articles with --by article)
    #[arg(short = 'n', long = "limit", value_name = "N", default_value_t = crate::search::DEFAULT_LIMIT)]
    pub limit: usize,

    /// Skip this many hits first (paging)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub offset: usize,

    /// Output format: text, json (JSON Lines) or trec (TREC run lines, one
    /// per article) [default: text; json with --batch]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// Print JSON Lines, one object per hit (same as --format json; schema
    /// in the README)
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Return one hit per passage, or one per article with its best
    /// passages (articles rank by their best passage)
    #[arg(long, value_enum, value_name = "UNIT", default_value_t = HitKind::Passage)]
    pub by: HitKind,

    /// At most N passages of one article (with --by article: the passages
    /// shown per article, default 3)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub per_article: Option<u64>,

    /// JSON fields to print, comma-separated: top-level keys or dotted
    /// paths such as article.id or passages.text (schema_version and qid
    /// are always printed)
    #[arg(long, value_name = "LIST")]
    pub fields: Option<String>,

    /// Crop passages longer than N characters around their best match,
    /// with "…" where they are cut (highlight offsets follow the crop)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub snippet_chars: Option<u64>,

    /// Put STR before each matched word (plain-text highlighting; in JSON,
    /// fills passage.formatted)
    #[arg(long, value_name = "STR")]
    pub pre: Option<String>,

    /// Put STR after each matched word
    #[arg(long, value_name = "STR")]
    pub post: Option<String>,

    /// When to colour output
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// `passim search --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: ranked hits with wrapped, highlighted passages.
    Text,
    /// JSON Lines, one object per hit.
    Json,
    /// TREC run lines: `QID Q0 ARTICLE_ID RANK SCORE passim`.
    Trec,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the bound address
    /// is printed on stdout)
    #[arg(long, value_name = "ADDR", default_value = crate::serve::DEFAULT_ADDR)]
    pub addr: SocketAddr,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}
