//! Terminal output: a header per hit, then the passage wrapped to the
//! terminal width with matched words highlighted.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::Printer;
use crate::search::Hit;

const INDENT: &str = "    ";

/// Prints hits for people.
pub struct TextPrinter<W: Write> {
    out: W,
    color: bool,
    width: usize,
}

impl<W: Write> TextPrinter<W> {
    /// `width` is the line width to wrap to; `color` turns ANSI styles on.
    pub fn new(out: W, color: bool, width: usize) -> Self {
        TextPrinter {
            out,
            color,
            width: width.max(20),
        }
    }

    fn styled(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{}{}{}", style.render(), text, style.render_reset())
        } else {
            text.to_string()
        }
    }
}

/// The passage with highlight styles inserted and white space runs folded
/// (hard-wrapped source lines would otherwise break the wrapping).
fn marked_text(text: &str, highlights: &[[usize; 2]], on: &str, off: &str) -> String {
    let mut out = String::with_capacity(text.len() + highlights.len() * 16);
    let mut pos = 0;
    for &[start, end] in highlights {
        if start < pos || end > text.len() {
            continue;
        }
        out.push_str(&text[pos..start]);
        out.push_str(on);
        out.push_str(&text[start..end]);
        out.push_str(off);
        pos = end;
    }
    out.push_str(&text[pos..]);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl<W: Write> Printer for TextPrinter<W> {
    fn hit(&mut self, hit: &Hit) -> io::Result<()> {
        let title = if hit.article.title.is_empty() {
            hit.article.id.as_str()
        } else {
            hit.article.title.as_str()
        };
        let rank = self.styled(Style::new().bold(), &format!("{:>2}.", hit.rank));
        let title_style = Style::new().bold().fg_color(Some(AnsiColor::Cyan.into()));
        let heading = textwrap::Options::new(self.width).subsequent_indent(INDENT);
        for (i, line) in textwrap::wrap(&format!("{:>2}. {title}", hit.rank), heading)
            .iter()
            .enumerate()
        {
            // The rank is styled apart from the title on the first line.
            let line = if i == 0 {
                let rest = line.split_once(". ").map_or("", |(_, t)| t);
                format!("{rank} {}", self.styled(title_style, rest))
            } else {
                format!("{INDENT}{}", self.styled(title_style, line.trim_start()))
            };
            writeln!(self.out, "{line}")?;
        }
        let origin = hit
            .article
            .url
            .as_deref()
            .or(hit.article.path.as_deref())
            .unwrap_or(&hit.article.id);
        let meta = format!(
            "{origin} · passage {} · score {:.3}",
            hit.passage.ordinal + 1,
            hit.score
        );
        let meta = self.styled(Style::new().dimmed(), &meta);
        writeln!(self.out, "{INDENT}{meta}")?;
        let mark = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
        let (on, off) = if self.color {
            (mark.render().to_string(), mark.render_reset().to_string())
        } else {
            (String::new(), String::new())
        };
        let body = marked_text(&hit.passage.text, &hit.highlights, &on, &off);
        let options = textwrap::Options::new(self.width)
            .initial_indent(INDENT)
            .subsequent_indent(INDENT);
        for line in textwrap::wrap(&body, options) {
            writeln!(self.out, "{line}")?;
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
}
