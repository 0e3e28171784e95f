//! Reading articles from files: finding them under the paths the user gave,
//! detecting each file's format, and turning it into [`Article`]s.
//!
//! Nothing here panics on bad input: every file or line that cannot be read
//! becomes a [`Problem`] naming the path (and line), and reading goes on.

pub mod jsonl;
pub mod text;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::Article;

/// The formats passim reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `.txt`: one article, headline found heuristically.
    Text,
    /// `.md`: one article, title from the first `# ` heading.
    Markdown,
    /// `.jsonl` / `.ndjson`: one article per line.
    Jsonl,
}

impl Format {
    /// The format implied by a file name's extension.
    pub fn detect(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

/// Something in the input that could not be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file.
    pub path: String,
    /// 1-based line for line-oriented formats.
    pub line: Option<usize>,
    /// What was wrong and what was done about it.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(path: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        Problem {
            path: path.display().to_string(),
            line,
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

/// A file to read, with the id prefix its articles get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Where the file is.
    pub path: PathBuf,
    /// The path relative to the root it was found under, with `/` separators.
    pub id: String,
    /// How to read it.
    pub format: Format,
    /// Its size in bytes.
    pub bytes: u64,
}

/// Finds the article files under `paths` (files or folders), sorted by id.
///
/// Folders are walked recursively, honouring `.gitignore`/`.ignore` and
/// skipping hidden files; files of unknown type inside folders are passed
/// over. A file named directly is read as plain text unless its extension
/// says otherwise.
pub fn find_sources(paths: &[PathBuf], problems: &mut Vec<Problem>) -> Vec<SourceFile> {
    let mut out = Vec::new();
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                problems.push(Problem::new(root, None, format!("cannot read: {e}")));
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
                format: Format::detect(root).unwrap_or(Format::Text),
                bytes: meta.len(),
            });
            continue;
        }
        for entry in ignore::WalkBuilder::new(root)
            .sort_by_file_name(|a, b| a.cmp(b))
            .build()
        {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    problems.push(Problem::new(root, None, format!("cannot walk: {e}")));
                    continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let path = entry.path();
            let Some(format) = Format::detect(path) else {
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
            });
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Reads one file, handing each article (with its line, for line-oriented
/// formats) to `emit` and each problem to `problems`. Returns the number of bytes read.
pub fn read_source(
    src: &SourceFile,
    emit: &mut dyn FnMut(Article, Option<usize>),
    problems: &mut Vec<Problem>,
) -> u64 {
    match src.format {
        Format::Jsonl => jsonl::read_file(src, emit, problems),
        Format::Text | Format::Markdown => {
            let bytes = match std::fs::read(&src.path) {
                Ok(b) => b,
                Err(e) => {
                    problems.push(Problem::new(
                        &src.path,
                        None,
                        format!("cannot read: {e}; skipped"),
                    ));
                    return 0;
                }
            };
            let Some(raw) = decode(&src.path, &bytes, problems) else {
                return bytes.len() as u64;
            };
            let mut article = match src.format {
                Format::Markdown => parse_markdown(raw),
                _ => text::parse(raw),
            };
            article.id = src.id.clone();
            article.path = Some(src.path.display().to_string());
            if article.body.trim().is_empty() && article.title.trim().is_empty() {
                problems.push(Problem::new(&src.path, None, "no article text; skipped"));
            } else {
                emit(article, None);
            }
            bytes.len() as u64
        }
    }
}

/// The file as text, or None (with a problem recorded) if it is not text.
fn decode<'a>(path: &Path, bytes: &'a [u8], problems: &mut Vec<Problem>) -> Option<&'a str> {
    if bytes.iter().take(8192).any(|&b| b == 0) {
        problems.push(Problem::new(path, None, "binary file; skipped"));
        return None;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Some(s.strip_prefix('\u{feff}').unwrap_or(s)),
        Err(e) => {
            problems.push(Problem::new(
                path,
                None,
                format!("not valid UTF-8 (at byte {}); skipped", e.valid_up_to()),
            ));
            None
        }
    }
}

/// Markdown: the first `# ` heading is the title; otherwise read as text.
fn parse_markdown(raw: &str) -> Article {
    let mut lines: Vec<&str> = raw.lines().collect();
    if let Some(i) = lines.iter().position(|l| l.starts_with("# ")) {
        let title = lines[i][2..].trim().to_string();
        lines.remove(i);
        let mut article = text::parse(&format!("\n\n{}", lines.join("\n")));
        if !article.title.is_empty() {
            // The heuristic took a body line as a headline; put it back.
            article.body = format!("{}\n\n{}", article.title, article.body);
        }
        article.title = title;
        article
    } else {
        text::parse(raw)
    }
}
