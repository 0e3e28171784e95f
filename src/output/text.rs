//! Terminal output: a header per hit, then the passage wrapped to the
//! terminal width with matched words highlighted.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::{Printer, QueryTag, RenderOptions, StoredHighlights, snippet};
use crate::search::{ArticleHit, ArticleRef, Hit, PassageRef, StoredArticle};

const INDENT: &str = "    ";

/// Prints hits for people.
pub struct TextPrinter<W: Write> {
    out: W,
    color: bool,
    width: usize,
    opts: RenderOptions,
}

impl<W: Write> TextPrinter<W> {
    /// `width` is the line width to wrap to; `color` turns ANSI styles on.
    pub fn new(out: W, color: bool, width: usize) -> Self {
        TextPrinter {
            out,
            color,
            width: width.max(20),
            opts: RenderOptions::default(),
        }
    }

    /// Crops passages and marks matches as `opts` says; `--pre`/`--post`
    /// markers replace the colour of matched words.
    pub fn with_options(mut self, opts: RenderOptions) -> Self {
        self.opts = opts;
        self
    }

    fn styled(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{}{}{}", style.render(), text, style.render_reset())
        } else {
            text.to_string()
        }
    }

    /// The rank and title, wrapped.
    fn heading(&mut self, rank: usize, article: &ArticleRef) -> io::Result<()> {
        let title = if article.title.is_empty() {
            article.id.as_str()
        } else {
            article.title.as_str()
        };
        let styled_rank = self.styled(Style::new().bold(), &format!("{rank:>2}."));
        let title_style = title_style();
        let heading = textwrap::Options::new(self.width)
            .wrap_algorithm(WRAP)
            .word_separator(SEPARATOR)
            .subsequent_indent(INDENT);
        for (i, line) in textwrap::wrap(&format!("{rank:>2}. {title}"), heading)
            .iter()
            .enumerate()
        {
            // The rank is styled apart from the title on the first line.
            let line = if i == 0 {
                let rest = line.split_once(". ").map_or("", |(_, t)| t);
                format!("{styled_rank} {}", self.styled(title_style, rest))
            } else {
                format!("{INDENT}{}", self.styled(title_style, line.trim_start()))
            };
            writeln!(self.out, "{line}")?;
        }
        Ok(())
    }

    fn meta(&mut self, text: &str) -> io::Result<()> {
        let meta = self.styled(Style::new().dimmed(), text);
        writeln!(self.out, "{INDENT}{meta}")
    }

    /// The passage, shaped, marked and wrapped.
    fn body(&mut self, passage: &PassageRef, highlights: &[[usize; 2]]) -> io::Result<()> {
        self.block(&passage.text, highlights, INDENT, INDENT)
    }

    /// What goes around a matched word in text printed in style `within`:
    /// the `--pre`/`--post` markers, else colour when on (a match ends by
    /// going back to `within`), else nothing.
    fn marks(&self, within: Style) -> (String, String) {
        match &self.opts.markers {
            Some(m) => (m.pre.clone(), m.post.clone()),
            None if self.color => {
                let mark = match_style();
                let off = format!("{}{}", mark.render_reset(), within.render());
                (mark.render().to_string(), off)
            }
            None => (String::new(), String::new()),
        }
    }

    /// `text` shaped, marked and wrapped, the first line starting with
    /// `first` and the others with `rest`.
    fn block(
        &mut self,
        text: &str,
        highlights: &[[usize; 2]],
        first: &str,
        rest: &str,
    ) -> io::Result<()> {
        let shown = self.opts.snippet(text, highlights);
        let (on, off) = self.marks(Style::new());
        let body = marked_text(&shown.text, &shown.highlights, &on, &off);
        let options = textwrap::Options::new(self.width)
            .wrap_algorithm(WRAP)
            .word_separator(SEPARATOR)
            .initial_indent(first)
            .subsequent_indent(rest);
        for line in textwrap::wrap(&body, options) {
            writeln!(self.out, "{line}")?;
        }
        Ok(())
    }

    /// Prints a stored article (`passim show`): the title with its matches
    /// marked, a `name: value` line for each field the article has, then
    /// every passage numbered as search numbers them (`[1]`, `[2]`, ...)
    /// with the matches of `highlights` marked.
    pub fn stored(
        &mut self,
        stored: &StoredArticle,
        highlights: Option<&StoredHighlights>,
    ) -> io::Result<()> {
        let article = &stored.article;
        let title_style = title_style();
        if article.title.is_empty() {
            let id = self.styled(title_style, &article.id);
            writeln!(self.out, "{id}")?;
        } else {
            let (on, off) = self.marks(title_style);
            let ranges = highlights.map_or(&[][..], |h| h.title.as_slice());
            let title = marked_text(&article.title, ranges, &on, &off);
            let options = textwrap::Options::new(self.width)
                .wrap_algorithm(WRAP)
                .word_separator(SEPARATOR);
            for line in textwrap::wrap(&title, options) {
                let line = self.styled(title_style, &line);
                writeln!(self.out, "{line}")?;
            }
        }
        let fields = [
            ("id", Some(article.id.clone())),
            ("path", article.path.clone()),
            ("date", article.date.clone()),
            ("url", article.url.clone()),
            ("source", article.source.clone()),
            (
                "tags",
                (!article.tags.is_empty()).then(|| article.tags.join(", ")),
            ),
        ];
        for (name, value) in fields {
            if let Some(value) = value {
                self.meta(&format!("{name}: {value}"))?;
            }
        }
        for (i, passage) in stored.passages.iter().enumerate() {
            writeln!(self.out)?;
            let label = format!("[{}] ", passage.ordinal + 1);
            let rest = " ".repeat(label.len());
            let first = self.styled(Style::new().bold(), &label);
            let ranges = highlights
                .and_then(|h| h.passages.get(i))
                .map_or(&[][..], Vec::as_slice);
            self.block(&passage.text, ranges, &first, &rest)?;
        }
        writeln!(self.out)
    }
}

fn match_style() -> Style {
    Style::new().bold().fg_color(Some(AnsiColor::Red.into()))
}

fn title_style() -> Style {
    Style::new().bold().fg_color(Some(AnsiColor::Cyan.into()))
}

/// Greedy line filling: the optimal-fit algorithm balanced lines a little
/// better but took about a fifth of a one-shot search's own time.
const WRAP: textwrap::WrapAlgorithm = textwrap::WrapAlgorithm::FirstFit;

/// Lines break at spaces. Unicode line-break rules cost as much again as
/// the search itself; text without spaces (Chinese, Japanese) is still cut
/// at the width, between characters, since words longer than a line are.
const SEPARATOR: textwrap::WordSeparator = textwrap::WordSeparator::AsciiSpace;

fn origin(article: &ArticleRef) -> &str {
    article
        .url
        .as_deref()
        .or(article.path.as_deref())
        .unwrap_or(&article.id)
}

/// Tags shown in a hit's header line: the first few, and how many more,
/// so a long tag list never pushes the score off the line.
const TAGS_SHOWN: usize = 3;

/// ` · tags: a, b, c +2` for an article with tags, else nothing.
fn tags_suffix(article: &ArticleRef) -> String {
    if article.tags.is_empty() {
        return String::new();
    }
    let shown = article.tags[..article.tags.len().min(TAGS_SHOWN)].join(", ");
    match article.tags.len().saturating_sub(TAGS_SHOWN) {
        0 => format!(" · tags: {shown}"),
        more => format!(" · tags: {shown} +{more}"),
    }
}

/// The passage with highlight markers inserted and white space runs folded
/// (hard-wrapped source lines would otherwise break the wrapping).
fn marked_text(text: &str, highlights: &[[usize; 2]], on: &str, off: &str) -> String {
    snippet::mark(text, highlights, on, off)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl<W: Write> Printer for TextPrinter<W> {
    fn begin_query(&mut self, tag: &QueryTag) -> io::Result<()> {
        let line = format!("# {}\t{}", tag.qid, tag.query);
        let line = self.styled(Style::new().bold(), &line);
        writeln!(self.out, "{line}")
    }

    fn hit(&mut self, hit: &Hit) -> io::Result<()> {
        self.heading(hit.rank, &hit.article)?;
        let meta = format!(
            "{} · passage {} · score {:.3}{}",
            origin(&hit.article),
            hit.passage.ordinal + 1,
            hit.score,
            tags_suffix(&hit.article)
        );
        self.meta(&meta)?;
        self.body(&hit.passage, &hit.highlights)?;
        writeln!(self.out)
    }

    fn article(&mut self, hit: &ArticleHit) -> io::Result<()> {
        self.heading(hit.rank, &hit.article)?;
        let meta = format!(
            "{} · score {:.3}{}",
            origin(&hit.article),
            hit.score,
            tags_suffix(&hit.article)
        );
        self.meta(&meta)?;
        for p in &hit.passages {
            let meta = format!("passage {} · score {:.3}", p.passage.ordinal + 1, p.score);
            self.meta(&meta)?;
            self.body(&p.passage, &p.highlights)?;
        }
        writeln!(self.out)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_and_folds_white_space() {
        let s = marked_text("a  gang\nof  gangs", &[[3, 7], [12, 17]], "<", ">");
        assert_eq!(s, "a <gang> of <gangs>");
    }

    #[test]
    fn long_tag_lists_are_cut_short() {
        let mut article = ArticleRef {
            id: "a".into(),
            title: String::new(),
            url: None,
            path: None,
            date: None,
            source: None,
            tags: Vec::new(),
        };
        assert_eq!(tags_suffix(&article), "");
        article.tags = vec!["economy".into(), "world news".into()];
        assert_eq!(tags_suffix(&article), " · tags: economy, world news");
        article.tags = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        assert_eq!(tags_suffix(&article), " · tags: a, b, c +2");
    }
}
