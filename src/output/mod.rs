//! Rendering hits: one printer per output format behind [`Printer`], and
//! the pieces they share ([`snippet`] shaping, [`fields`] selection).

pub mod fields;
pub mod json;
pub mod snippet;
pub mod text;
pub mod trec;

use std::io;

use crate::search::{ArticleHit, Hit};
use fields::FieldSelection;
use snippet::Snippet;

/// Writes hits in one format.
pub trait Printer {
    /// Announces the query whose hits follow (batch mode).
    fn begin_query(&mut self, tag: &QueryTag) -> io::Result<()> {
        let _ = tag;
        Ok(())
    }
    /// Writes one passage hit.
    fn hit(&mut self, hit: &Hit) -> io::Result<()>;
    /// Writes one article hit.
    fn article(&mut self, hit: &ArticleHit) -> io::Result<()>;
    /// Flushes anything buffered.
    fn finish(&mut self) -> io::Result<()>;
}

/// Which query of a batch a hit answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTag {
    /// The query id: the first column of a `qid<TAB>query` line, else the
    /// 1-based line number.
    pub qid: String,
    /// The query text.
    pub query: String,
}

/// Plain-text strings put around each matched word (`--pre`, `--post`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Markers {
    /// Before each match (for example `<em>`).
    pub pre: String,
    /// After each match (for example `</em>`).
    pub post: String,
}

/// How passages are shown, whatever the format.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RenderOptions {
    /// Crop passages longer than this many characters around their best
    /// match (`--snippet-chars`).
    pub snippet_chars: Option<usize>,
    /// Mark matches with these strings (`--pre`/`--post`).
    pub markers: Option<Markers>,
    /// JSON fields to keep (`--fields`); all when `None`.
    pub fields: Option<FieldSelection>,
}

impl RenderOptions {
    /// The passage as shown: cropped when asked, highlights moved to match.
    pub fn snippet(&self, text: &str, highlights: &[[usize; 2]]) -> Snippet {
        match self.snippet_chars {
            Some(n) => snippet::crop(text, highlights, n),
            None => Snippet {
                text: text.to_string(),
                highlights: highlights.to_vec(),
                crop: None,
            },
        }
    }
}

/// Where a query matches in a stored article, for `passim show`'s printers.
#[derive(Debug, Clone, Default)]
pub struct StoredHighlights {
    /// Byte ranges in the title.
    pub title: Vec<[usize; 2]>,
    /// Byte ranges in each passage's text, parallel to the passages.
    pub passages: Vec<Vec<[usize; 2]>>,
}

/// Whether to colour terminal output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always colour (overrides `NO_COLOR`).
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Resolves `auto` against the environment.
    pub fn enabled(self, stdout_is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stdout_is_terminal
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var("TERM").map_or(true, |t| t != "dumb")
            }
        }
    }
}
