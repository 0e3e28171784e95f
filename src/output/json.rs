//! JSON: one object per hit (JSON Lines on the command line, the `hits`
//! array over HTTP). The README documents every field; the
//! `schema_version` key on every object changes whenever a field changes
//! meaning or disappears (adding a field does not change it).

use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;

use super::{Printer, QueryTag, RenderOptions, StoredHighlights};
use crate::search::{ArticleHit, ArticleRef, Hit, PassageRef, StoredArticle};

/// The version of the JSON objects passim writes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct PassageOut {
    ordinal: u64,
    start: u64,
    end: u64,
    text: String,
    crop: Option<[usize; 2]>,
    formatted: Option<String>,
}

#[derive(Serialize)]
struct PassageHitOut<'a> {
    schema_version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    qid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    query: Option<&'a str>,
    rank: usize,
    score: f64,
    article: &'a ArticleRef,
    passage: PassageOut,
    highlights: Vec<[usize; 2]>,
    highlights_chars: Vec<[usize; 2]>,
}

#[derive(Serialize)]
struct ArticlePassageOut {
    score: f64,
    #[serde(flatten)]
    passage: PassageOut,
    highlights: Vec<[usize; 2]>,
    highlights_chars: Vec<[usize; 2]>,
}

#[derive(Serialize)]
struct ArticleHitOut<'a> {
    schema_version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    qid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    query: Option<&'a str>,
    rank: usize,
    score: f64,
    article: &'a ArticleRef,
    passages: Vec<ArticlePassageOut>,
}

/// The score as JSON prints it: the shortest decimal that reads back as
/// the same `f32` (`2.19`, not the `2.190000057220459` a plain widening gives).
fn score(s: f32) -> f64 {
    s.to_string().parse().unwrap_or(f64::from(s))
}

/// A passage shaped by `opts`, with its highlights in bytes and in chars.
fn shape(
    passage: &PassageRef,
    highlights: &[[usize; 2]],
    opts: &RenderOptions,
) -> (PassageOut, Vec<[usize; 2]>, Vec<[usize; 2]>) {
    let snippet = opts.snippet(&passage.text, highlights);
    let chars = super::snippet::char_ranges(&snippet.text, &snippet.highlights);
    let formatted = opts
        .markers
        .as_ref()
        .map(|m| super::snippet::mark(&snippet.text, &snippet.highlights, &m.pre, &m.post));
    (
        PassageOut {
            ordinal: passage.ordinal,
            start: passage.start,
            end: passage.end,
            text: snippet.text,
            crop: snippet.crop,
            formatted,
        },
        snippet.highlights,
        chars,
    )
}

fn finish(out: impl Serialize, opts: &RenderOptions) -> Value {
    let mut value = serde_json::to_value(out).expect("hits serialize");
    if let Some(fields) = &opts.fields {
        fields.apply(&mut value);
    }
    value
}

/// The JSON object for a passage hit.
pub fn hit_value(hit: &Hit, tag: Option<&QueryTag>, opts: &RenderOptions) -> Value {
    let (passage, highlights, highlights_chars) = shape(&hit.passage, &hit.highlights, opts);
    finish(
        PassageHitOut {
            schema_version: SCHEMA_VERSION,
            qid: tag.map(|t| t.qid.as_str()),
            query: tag.map(|t| t.query.as_str()),
            rank: hit.rank,
            score: score(hit.score),
            article: &hit.article,
            passage,
            highlights,
            highlights_chars,
        },
        opts,
    )
}

/// The JSON object for an article hit.
pub fn article_value(hit: &ArticleHit, tag: Option<&QueryTag>, opts: &RenderOptions) -> Value {
    let passages = hit
        .passages
        .iter()
        .map(|p| {
            let (passage, highlights, highlights_chars) = shape(&p.passage, &p.highlights, opts);
            ArticlePassageOut {
                score: score(p.score),
                passage,
                highlights,
                highlights_chars,
            }
        })
        .collect();
    finish(
        ArticleHitOut {
            schema_version: SCHEMA_VERSION,
            qid: tag.map(|t| t.qid.as_str()),
            query: tag.map(|t| t.query.as_str()),
            rank: hit.rank,
            score: score(hit.score),
            article: &hit.article,
            passages,
        },
        opts,
    )
}

#[derive(Serialize)]
struct StoredPassageOut<'a> {
    number: u64,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    highlights: Option<&'a [[usize; 2]]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    highlights_chars: Option<Vec<[usize; 2]>>,
}

#[derive(Serialize)]
struct StoredArticleOut<'a> {
    schema_version: u32,
    article: &'a ArticleRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    title_highlights: Option<&'a [[usize; 2]]>,
    passages: Vec<StoredPassageOut<'a>>,
}

/// The JSON object `passim show --json` prints for an article: `article`
/// as in search hits, and every passage numbered from 1 as search numbers
/// them. With `highlights`, each passage gets `highlights` and
/// `highlights_chars` shaped as in search hits, and the object gets
/// `title_highlights`.
pub fn stored_value(stored: &StoredArticle, highlights: Option<&StoredHighlights>) -> Value {
    let passages = stored
        .passages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let ranges = highlights.map(|h| h.passages.get(i).map_or(&[][..], Vec::as_slice));
            StoredPassageOut {
                number: p.ordinal + 1,
                text: &p.text,
                highlights: ranges,
                highlights_chars: ranges.map(|r| super::snippet::char_ranges(&p.text, r)),
            }
        })
        .collect();
    serde_json::to_value(StoredArticleOut {
        schema_version: SCHEMA_VERSION,
        article: &stored.article,
        title_highlights: highlights.map(|h| h.title.as_slice()),
        passages,
    })
    .expect("articles serialize")
}

/// Prints each hit as one JSON object on its own line.
pub struct JsonPrinter<W: Write> {
    out: W,
    opts: RenderOptions,
    tag: Option<QueryTag>,
}

impl<W: Write> JsonPrinter<W> {
    /// A printer with default rendering (whole passages, every field).
    pub fn new(out: W) -> Self {
        JsonPrinter::with_options(out, RenderOptions::default())
    }

    /// A printer that shapes passages and selects fields as `opts` says.
    pub fn with_options(out: W, opts: RenderOptions) -> Self {
        JsonPrinter {
            out,
            opts,
            tag: None,
        }
    }

    fn line(&mut self, value: &Value) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        self.out.write_all(b"\n")
    }
}

impl<W: Write> Printer for JsonPrinter<W> {
    fn begin_query(&mut self, tag: &QueryTag) -> io::Result<()> {
        self.tag = Some(tag.clone());
        Ok(())
    }

    fn hit(&mut self, hit: &Hit) -> io::Result<()> {
        let value = hit_value(hit, self.tag.as_ref(), &self.opts);
        self.line(&value)
    }

    fn article(&mut self, hit: &ArticleHit) -> io::Result<()> {
        let value = article_value(hit, self.tag.as_ref(), &self.opts);
        self.line(&value)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
