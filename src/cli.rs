//! Command-line types (clap derive). `main.rs` parses these and hands them
//! to [`crate::cmd::run`].

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::output::ColorChoice;
use crate::output::fields::HitKind;
use crate::read::{FieldMap, Format};

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
    /// Index articles (.txt, .md, .html/.htm, .jsonl/.ndjson, each also .gz)
    /// found under PATHs, or JSON Lines from standard input.
    ///
    /// Folders are walked recursively, honouring .gitignore and skipping
    /// hidden files. Run again, it adds new articles, rewrites changed ones,
    /// removes those whose files are gone from a folder (or whose records
    /// are gone from a JSON Lines file read again), and passes over unchanged
    /// files without reading them; a run that changes nothing writes nothing.
    /// Bad input (binary, empty, malformed lines, duplicate ids) is reported
    /// with its path and line, counted and skipped; indexing goes on, unless
    /// --strict.
    Index(IndexArgs),
    /// Search the index and print ranked passages with highlighted matches.
    ///
    /// QUERY uses tantivy's syntax: words (ORed), "exact phrases", +required,
    /// -excluded, AND/OR/NOT, (groups), title:word, text:word, prefix*;
    /// tags:name (or tags:"two words") keeps only articles with that tag.
    /// Several QUERY words are joined with spaces; quote a query that starts
    /// with `-` ("-Albania Iran") or put it after `--`. A query with a syntax
    /// error runs leniently, with a warning saying how it was read.
    Search(SearchArgs),
    /// Measure ranking quality against relevance judgments.
    ///
    /// Runs every query of a `qid<TAB>text` file as natural language (no
    /// query syntax: every word counts) with article ranking, and prints
    /// trec_eval's nDCG@10, MAP (cut at 1000), Recall@100 and P@10 averaged
    /// over every judged query of the TREC qrels file.
    Eval(EvalArgs),
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
    /// Remove articles from the index by id.
    ///
    /// Ids are those `search --json` shows as `article.id` (a file's path
    /// relative to the folder indexed, or a JSON Lines record's id). An
    /// article whose file is unchanged stays out on the next `passim index`;
    /// it comes back when its file changes, or with --rebuild.
    ///
    /// Exit status: 0 when articles were deleted (missing ids are reported
    /// on stderr), 1 when none of the ids was in the index, 2 on error.
    Delete(DeleteArgs),
    /// Show what the index holds and how it was built.
    ///
    /// Prints one `name: value` line each: articles, passages,
    /// distinct_terms (distinct words of the article text, as analyzed),
    /// segments, size_bytes (the index folder on disk), format_version,
    /// passim_version (the last to write the index), passage.target_words
    /// (the passage size it was built with), created and last_update
    /// (seconds since the epoch, then the UTC time). --json prints one
    /// object with the same names as keys.
    Stats(StatsArgs),
    /// Print stored articles with their passages numbered.
    ///
    /// Ids are those `search --json` shows as `article.id`. Each article
    /// comes with a header (title, id, path, date, url, source, tags) and every
    /// passage as the index holds it, numbered [1], [2], ... as `search`
    /// numbers them. --highlight QUERY marks QUERY's matches as `search`
    /// does.
    ///
    /// Exit status: 0 when articles were printed (ids not in the index are
    /// reported on stderr), 1 when none of the ids was in the index, 2 on
    /// error.
    // The brackets are help text, not links.
    #[allow(rustdoc::broken_intra_doc_links)]
    Show(ShowArgs),
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print one JSON object whose keys are the names of the text output
    /// (`passage` is an object: {"target_words": N})
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Ids of the articles to print
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,

    /// Mark the matches of QUERY (search syntax) in the title and passages
    #[arg(long, value_name = "QUERY")]
    pub highlight: Option<String>,

    /// Print JSON Lines, one object per article: {"schema_version",
    /// "article": {...as in search --json}, "passages": [{"number", "text",
    /// "highlights"}]}
    #[arg(long)]
    pub json: bool,

    /// Put STR before each matched word (plain-text highlighting)
    #[arg(long, value_name = "STR", requires = "highlight")]
    pub pre: Option<String>,

    /// Put STR after each matched word
    #[arg(long, value_name = "STR", requires = "highlight")]
    pub post: Option<String>,

    /// When to colour output
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Ids of the articles to remove
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,

    /// Print one JSON object: {"deleted": [ids], "missing": [ids]}
    // The brackets are help text, not links.
    #[allow(rustdoc::broken_intra_doc_links)]
    #[arg(long)]
    pub json: bool,
}

/// How `passim eval` ranks articles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RankMethod {
    /// Whole-article BM25 plus best-passage BM25 (the default ranking)
    Combined,
    /// Whole-article BM25 only
    Article,
    /// Best passage BM25 only
    Passage,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Queries: one `qid<TAB>query text` per line
    #[arg(long, value_name = "FILE")]
    pub queries: PathBuf,

    /// TREC qrels: `qid 0 docid grade` per line
    #[arg(long, value_name = "FILE")]
    pub qrels: PathBuf,

    /// Print each query's measures too
    #[arg(long)]
    pub per_query: bool,

    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,

    /// Ranking method
    #[arg(long, value_enum, default_value_t = RankMethod::Combined)]
    pub method: RankMethod,

    #[command(flatten)]
    pub rank: RankArgs,
}

/// Ranking knobs (defaults: the measured choices in the README).
#[derive(Debug, Args, Clone)]
pub struct RankArgs {
    /// BM25 k1 (term frequency saturation)
    #[arg(long, value_name = "X")]
    pub k1: Option<f32>,
    /// BM25 b (length normalisation)
    #[arg(long, value_name = "X")]
    pub b: Option<f32>,
    /// Weight of headline matches relative to body matches
    #[arg(long, value_name = "X")]
    pub title_boost: Option<f32>,
    /// Weight of passage evidence relative to whole-article evidence
    #[arg(long, value_name = "X")]
    pub passage_weight: Option<f32>,
    /// Number of best passages summed into the passage evidence
    #[arg(long, value_name = "N")]
    pub passage_top: Option<usize>,
    /// Drop English stop words from queries (true/false)
    #[arg(long, value_name = "BOOL")]
    pub stop_words: Option<bool>,
    /// Weight of the bonus for consecutive query words close together in a passage
    #[arg(long, value_name = "X")]
    pub proximity: Option<f32>,
    /// Words allowed between a close pair for the proximity bonus
    #[arg(long, value_name = "N")]
    pub proximity_slop: Option<u32>,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Files or folders to index; `-` reads standard input [default: data]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Read standard input (JSON Lines, gzip or not, unless --format says otherwise)
    #[arg(long)]
    pub stdin: bool,

    /// Read every file in this format instead of going by its extension
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// JSON Lines field names, KEY=NAME[,NAME...] (KEY: id, title, body, url,
    /// date, source, tags; NAME may be nested: meta.headline); repeatable
    #[arg(long = "field", value_name = "KEY=NAME", value_parser = parse_field_spec)]
    pub fields: Vec<String>,

    /// Only index files in folders matching GLOB, or not matching !GLOB
    /// (relative to the folder given; repeatable)
    #[arg(long = "glob", short = 'g', value_name = "GLOB")]
    pub globs: Vec<String>,

    /// Also index hidden files and folders (names starting with a dot)
    #[arg(long)]
    pub hidden: bool,

    /// Index files even when .gitignore or .ignore excludes them
    #[arg(long)]
    pub no_ignore: bool,

    /// Follow symbolic links inside folders (loops are detected and reported)
    #[arg(long, short = 'L')]
    pub follow: bool,

    /// Fail with exit status 2, committing nothing, on any bad input
    /// (instead of reporting it and going on)
    #[arg(long)]
    pub strict: bool,

    /// Parsing threads [default: one per core]
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u64).range(1..=256))]
    pub threads: Option<u64>,

    /// Target passage size in words (passages run from 2/3 to 4/3 of it)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(5..=2000))]
    pub passage_words: Option<u64>,

    /// Remove every article first and build the index anew
    #[arg(long)]
    pub rebuild: bool,

    /// Writer memory budget in MB (bounds peak memory however big the input)
    #[arg(long, value_name = "MB", default_value_t = crate::indexer::DEFAULT_MEMORY_MB)]
    pub memory_mb: usize,

    /// Print nothing but problems and errors (no progress bar, no summary)
    #[arg(long, short)]
    pub quiet: bool,
}

fn parse_field_spec(spec: &str) -> Result<String, String> {
    FieldMap::default().set(spec)?;
    Ok(spec.to_string())
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
    pub format: Option<OutputFormat>,

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
pub enum OutputFormat {
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
