//! TREC run format, which `trec_eval` and similar tools read: one line per
//! ranked article, `QID Q0 ARTICLE_ID RANK SCORE passim`.
//!
//! ```
//! use passim::output::{Printer, QueryTag, trec::TrecPrinter};
//! let mut out = Vec::new();
//! let mut p = TrecPrinter::new(&mut out);
//! p.begin_query(&QueryTag { qid: "301".into(), query: "gangs".into() })?;
//! p.line("doc 7", 1, 2.5)?;
//! p.finish()?;
//! drop(p);
//! assert_eq!(String::from_utf8(out).unwrap(), "301 Q0 doc_7 1 2.5 passim\n");
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, Write};

use super::{Printer, QueryTag};
use crate::search::{ArticleHit, Hit};

/// The run tag in the sixth column.
pub const RUN_TAG: &str = "passim";

/// Prints TREC run lines.
pub struct TrecPrinter<W: Write> {
    out: W,
    qid: String,
}

impl<W: Write> TrecPrinter<W> {
    /// A printer whose lines carry qid `1` until [`Printer::begin_query`].
    pub fn new(out: W) -> Self {
        TrecPrinter {
            out,
            qid: "1".to_string(),
        }
    }

    /// Writes one line. Columns are separated by spaces, so white space in
    /// an id or qid becomes `_`.
    pub fn line(&mut self, id: &str, rank: usize, score: f32) -> io::Result<()> {
        writeln!(
            self.out,
            "{} Q0 {} {rank} {score} {RUN_TAG}",
            no_spaces(&self.qid),
            no_spaces(id)
        )
    }
}

fn no_spaces(s: &str) -> String {
    if s.is_empty() {
        return "_".to_string();
    }
    s.chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect()
}

impl<W: Write> Printer for TrecPrinter<W> {
    fn begin_query(&mut self, tag: &QueryTag) -> io::Result<()> {
        self.qid = tag.qid.clone();
        Ok(())
    }

    /// A passage hit is written as a line for its article; `passim search`
    /// itself always ranks articles for TREC output.
    fn hit(&mut self, hit: &Hit) -> io::Result<()> {
        self.line(&hit.article.id, hit.rank, hit.score)
    }

    fn article(&mut self, hit: &ArticleHit) -> io::Result<()> {
        self.line(&hit.article.id, hit.rank, hit.score)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
