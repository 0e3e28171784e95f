//! Reading articles from files: finding them under the paths the user gave,
//! detecting each file's format, and turning it into [`Article`]s.
//!
//! Nothing here panics on bad input: every file or line that cannot be used
//! as it is becomes a [`Problem`] naming the path (and line), with a
//! [`Severity`] saying whether it was read anyway, skipped, or broken, and
//! reading goes on.

pub mod encoding;
pub mod html;
pub mod jsonl;
pub mod markdown;
pub mod text;

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use serde::Serialize;

pub use jsonl::FieldMap;

use crate::Article;

/// The formats passim reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `.txt`: one article, headline found heuristically.
    Text,
    /// `.md`: one article; front matter, else the first `# ` heading, gives the title.
    #[value(alias = "md")]
    Markdown,
    /// `.html`, `.htm`: one saved web page.
    #[value(alias = "htm")]
    Html,
    /// `.jsonl` / `.ndjson`: one article per line.
    #[value(alias = "ndjson")]
    Jsonl,
}

impl Format {
    /// The format implied by a file name's extension; `.gz` is looked
    /// through (`corpus.jsonl.gz` is JSON Lines).
    ///
    /// ```
    /// use passim::read::Format;
    /// use std::path::Path;
    /// assert_eq!(Format::detect(Path::new("a/corpus.jsonl.gz")), Some(Format::Jsonl));
    /// assert_eq!(Format::detect(Path::new("page.HTM")), Some(Format::Html));
    /// assert_eq!(Format::detect(Path::new("notes.gz")), None);
    /// ```
    pub fn detect(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        let (_, ext) = name.rsplit_once('.')?;
        match ext {
            "txt" | "text" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

/// How bad a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input was indexed, but not quite as written (a legacy encoding).
    Warning,
    /// The input held nothing to index (empty, binary, no body, a duplicate id).
    Skipped,
    /// The input was broken or unreadable (malformed JSON, an I/O error).
    Error,
}

/// Something in the input that could not be used as it is, and what was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file (`<stdin>` for standard input).
    pub path: String,
    /// 1-based line for line-oriented formats.
    pub line: Option<usize>,
    /// Whether the input was read anyway, skipped, or broken.
    pub severity: Severity,
    /// What was wrong and what was done about it.
    pub message: String,
}

impl Problem {
    /// A problem at `path` (and `line`).
    pub fn new(
        path: impl fmt::Display,
        line: Option<usize>,
        severity: Severity,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            path: path.to_string(),
            line,
            severity,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path, line, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// A file (or standard input) to read, with the id prefix its articles get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Where the file is (`-` for standard input).
    pub path: PathBuf,
    /// The path relative to the root it was found under, with `/`
    /// separators (`stdin` for standard input).
    pub id: String,
    /// How to read it.
    pub format: Format,
    /// Its size in bytes on disk (0 for standard input).
    pub bytes: u64,
    /// True for standard input.
    pub stdin: bool,
}

impl SourceFile {
    /// Standard input, read in `format`.
    pub fn stdin(format: Format) -> SourceFile {
        SourceFile {
            path: PathBuf::from("-"),
            id: "stdin".to_string(),
            format,
            bytes: 0,
            stdin: true,
        }
    }

    /// The name used in messages.
    pub fn display_path(&self) -> DisplayPath<'_> {
        DisplayPath(self)
    }
}

/// A [`SourceFile`]'s name in messages: its path, or `<stdin>`.
#[derive(Debug, Clone, Copy)]
pub struct DisplayPath<'a>(&'a SourceFile);

impl fmt::Display for DisplayPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.stdin {
            f.write_str("<stdin>")
        } else {
            write!(f, "{}", self.0.path.display())
        }
    }
}

/// How to find and read input files.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Read every file in this format instead of detecting it by extension.
    pub format: Option<Format>,
    /// JSON Lines field names.
    pub fields: FieldMap,
    /// Also read hidden files and folders (names starting with `.`).
    pub hidden: bool,
    /// Read files that `.gitignore`/`.ignore` exclude.
    pub no_ignore: bool,
    /// Follow symbolic links inside folders (loops are detected and reported).
    pub follow_links: bool,
    /// Include (`*.html`) and exclude (`!drafts/**`) glob patterns for files
    /// found in folders, matched relative to the folder given.
    pub globs: Vec<String>,
}

/// Finds the article files under `paths` (files, folders, or `-` for
/// standard input), sorted by id.
///
/// Folders are walked recursively, honouring `.gitignore`/`.ignore` (inside
/// a git repository or not) and skipping hidden files unless
/// [`ReadOptions`] say otherwise; files of unknown type inside folders are
/// passed over. A file named directly is read as plain text unless its
/// extension says otherwise. Standard input is JSON Lines unless a format
/// is given.
pub fn find_sources(
    paths: &[PathBuf],
    opts: &ReadOptions,
    problems: &mut Vec<Problem>,
) -> Result<Vec<SourceFile>, ignore::Error> {
    let mut out = Vec::new();
    for root in paths {
        if root.as_os_str() == "-" {
            out.push(SourceFile::stdin(opts.format.unwrap_or(Format::Jsonl)));
            continue;
        }
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                problems.push(Problem::new(
                    root.display(),
                    None,
                    Severity::Error,
                    format!("cannot read: {e}"),
                ));
                continue;
            }
        };
        if meta.is_file() {
            let id = root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| root.display().to_string());
            out.push(SourceFile {
                path: root.clone(),
                id,
                format: opts
                    .format
                    .or_else(|| Format::detect(root))
                    .unwrap_or(Format::Text),
                bytes: meta.len(),
                stdin: false,
            });
            continue;
        }
        let mut overrides = ignore::overrides::OverrideBuilder::new(root);
        for glob in &opts.globs {
            overrides.add(glob)?;
        }
        // Applied as a filter rather than as the walker's overrides, which
        // would let `--glob '*.txt'` bring back ignored and hidden files.
        let overrides = overrides.build()?;
        let walker = ignore::WalkBuilder::new(root)
            .hidden(!opts.hidden)
            .ignore(!opts.no_ignore)
            .git_ignore(!opts.no_ignore)
            .git_exclude(!opts.no_ignore)
            .git_global(!opts.no_ignore)
            .parents(!opts.no_ignore)
            .require_git(false)
            .follow_links(opts.follow_links)
            .filter_entry(move |entry| {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                !overrides.matched(entry.path(), is_dir).is_ignore()
            })
            .sort_by_file_name(|a, b| a.cmp(b))
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    problems.push(walk_problem(root, e));
                    continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let path = entry.path();
            let Some(format) = opts.format.or_else(|| Format::detect(path)) else {
                continue;
            };
            let rel = path.strip_prefix(root).unwrap_or(path);
            let id = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let bytes = entry.metadata().map(|m| m.len()).unwrap_or(0);
            out.push(SourceFile {
                path: path.to_path_buf(),
                id,
                format,
                bytes,
                stdin: false,
            });
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// A walk error as a problem at the path it concerns.
fn walk_problem(root: &Path, e: ignore::Error) -> Problem {
    fn parts(e: &ignore::Error) -> (Option<&Path>, bool) {
        match e {
            ignore::Error::WithPath { path, err } => (Some(path), parts(err).1),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                parts(err)
            }
            ignore::Error::Loop { child, .. } => (Some(child), true),
            _ => (None, false),
        }
    }
    let (path, is_loop) = parts(&e);
    let path = path.unwrap_or(root).display();
    if is_loop {
        Problem::new(
            path,
            None,
            Severity::Skipped,
            format!("symbolic link loop ({e}); not followed"),
        )
    } else {
        Problem::new(path, None, Severity::Error, format!("cannot walk: {e}"))
    }
}

/// Opens a source for reading, decompressing gzip (recognised by its magic
/// bytes, whatever the name). `count` is told how many raw bytes were read,
/// for progress reporting.
pub fn open<'a>(
    src: &SourceFile,
    count: impl FnMut(u64) + Send + 'a,
) -> io::Result<Box<dyn BufRead + Send + 'a>> {
    let raw: Box<dyn Read + Send> = if src.stdin {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(&src.path)?)
    };
    let mut buffered = BufReader::with_capacity(256 * 1024, Counting { inner: raw, count });
    let gzip = buffered.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gzip {
        Box::new(BufReader::with_capacity(
            256 * 1024,
            MultiGzDecoder::new(buffered),
        ))
    } else {
        Box::new(buffered)
    })
}

struct Counting<R, F> {
    inner: R,
    count: F,
}

impl<R: Read, F: FnMut(u64)> Read for Counting<R, F> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.count)(n as u64);
        Ok(n)
    }
}

/// Reads a whole single-article source (text, Markdown, HTML) into memory,
/// decompressed. Returns None with a problem when it cannot be read.
pub fn read_all(src: &SourceFile, problems: &mut Vec<Problem>) -> Option<Vec<u8>> {
    let mut data = Vec::with_capacity(src.bytes as usize);
    let result = open(src, |_| {}).and_then(|mut r| r.read_to_end(&mut data));
    match result {
        Ok(_) => Some(data),
        Err(e) => {
            problems.push(Problem::new(
                src.display_path(),
                None,
                Severity::Error,
                format!("cannot read: {e}; skipped"),
            ));
            None
        }
    }
}

/// Parses the bytes of a single-article source. Returns the article, or
/// None when there is nothing to index; problems say why.
pub fn parse_article(
    src: &SourceFile,
    bytes: &[u8],
    problems: &mut Vec<Problem>,
) -> Option<Article> {
    let path = src.display_path();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        problems.push(Problem::new(
            path,
            None,
            Severity::Skipped,
            "empty file; skipped",
        ));
        return None;
    }
    let Some(decoded) = encoding::decode(bytes, src.format == Format::Html) else {
        problems.push(Problem::new(
            path,
            None,
            Severity::Skipped,
            "binary file; skipped",
        ));
        return None;
    };
    if let Some(w) = decoded.warning {
        problems.push(Problem::new(path, None, Severity::Warning, w));
    }
    let raw = &*decoded.text;
    let mut article = match src.format {
        Format::Markdown => {
            let (article, warning) = markdown::parse(raw);
            if let Some(w) = warning {
                problems.push(Problem::new(path, None, Severity::Warning, w));
            }
            article
        }
        Format::Html => html::parse(raw),
        Format::Text | Format::Jsonl => text::parse(raw),
    };
    article.id = src.id.clone();
    article.path = Some(path.to_string());
    if article.body.trim().is_empty() {
        let message = if article.title.trim().is_empty() {
            "no article text; skipped".to_string()
        } else {
            format!(
                "no article text under the title {:?}; skipped",
                article.title
            )
        };
        problems.push(Problem::new(path, None, Severity::Skipped, message));
        return None;
    }
    Some(article)
}

/// Reads one source, handing each article (with its line, for line-oriented
/// formats) to `emit` and each problem to `problems`. Returns the number of
/// bytes read (after decompression).
///
/// This reads sequentially; [`crate::indexer::index_paths`] spreads the
/// same work over threads.
pub fn read_source(
    src: &SourceFile,
    opts: &ReadOptions,
    emit: &mut dyn FnMut(Article, Option<usize>),
    problems: &mut Vec<Problem>,
) -> u64 {
    if src.format == Format::Jsonl {
        return match open(src, |_| {}) {
            Ok(reader) => jsonl::read_lines(reader, src, &opts.fields, emit, problems),
            Err(e) => {
                problems.push(Problem::new(
                    src.display_path(),
                    None,
                    Severity::Error,
                    format!("cannot read: {e}; skipped"),
                ));
                0
            }
        };
    }
    let Some(bytes) = read_all(src, problems) else {
        return 0;
    };
    if let Some(article) = parse_article(src, &bytes, problems) {
        emit(article, None);
    }
    bytes.len() as u64
}
