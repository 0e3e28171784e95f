//! Markdown articles, with optional YAML (`---`) or TOML (`+++`) front matter.
//!
//! Front matter gives `title`, `date`, `url`, `source` and `tags`; without a
//! `title` there, the first `# ` heading is the title. The indexed text is
//! what a reader sees: markup stripped, links reduced to their text, images
//! left out, code blocks kept as text, one paragraph per block.

use pulldown_cmark::{Event, HeadingLevel, MetadataBlockKind, Options, Parser, Tag, TagEnd};
use serde_json::{Map, Value};

use super::jsonl::{value_tags, value_text};
use crate::Article;

/// Parses a Markdown article. `id` and `path` are set by the caller. The
/// second value is a warning when the front matter could not be read (the
/// article is still read, without it).
///
/// ```
/// let (a, warning) = passim::read::markdown::parse(
///     "---\ntitle: Rates rise\ndate: 2024-03-01\ntags: [economy, banks]\n---\n\
///      The **bank** raised [rates](https://example.com).\n",
/// );
/// assert_eq!(a.title, "Rates rise");
/// assert_eq!(a.date.as_deref(), Some("2024-03-01"));
/// assert_eq!(a.tags, ["economy", "banks"]);
/// assert_eq!(a.body, "The bank raised rates.");
/// assert!(warning.is_none());
/// ```
pub fn parse(raw: &str) -> (Article, Option<String>) {
    let options = Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
        | Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let mut article = Article::default();
    let mut warning = None;
    let mut text = TextBuilder::default();
    let mut front_matter: Option<(MetadataBlockKind, String)> = None;
    let mut heading: Option<(HeadingLevel, String)> = None;
    let mut html_block: Option<String> = None;
    let mut image_depth = 0usize;
    let mut first_h1_seen = false;

    for event in Parser::new_ext(raw, options) {
        // Text goes to whichever container is open.
        let sink: &mut String = if let Some((_, fm)) = front_matter.as_mut() {
            fm
        } else if let Some(h) = html_block.as_mut() {
            h
        } else if let Some((_, h)) = heading.as_mut() {
            h
        } else {
            &mut text.current
        };
        match event {
            Event::Start(Tag::MetadataBlock(kind)) => front_matter = Some((kind, String::new())),
            Event::End(TagEnd::MetadataBlock(_)) => {
                if let Some((kind, fm)) = front_matter.take() {
                    match read_front_matter(kind, &fm) {
                        Ok(map) => apply_front_matter(&mut article, &map),
                        Err(e) => warning = Some(e),
                    }
                }
            }
            Event::Start(Tag::Image { .. }) => image_depth += 1,
            Event::End(TagEnd::Image) => image_depth = image_depth.saturating_sub(1),
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t)
                if image_depth == 0 =>
            {
                // "see ![x](y) here" leaves two spaces where the image was.
                let t = if sink.ends_with(' ') {
                    t.trim_start_matches(' ')
                } else {
                    &t
                };
                sink.push_str(t);
            }
            Event::Html(h) => {
                if let Some(block) = html_block.as_mut() {
                    block.push_str(&h);
                }
            }
            Event::Start(Tag::HtmlBlock) => {
                text.end_paragraph();
                html_block = Some(String::new());
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(block) = html_block.take() {
                    for p in super::html::fragment_paragraphs(&block) {
                        text.current = p;
                        text.end_paragraph();
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak => sink.push('\n'),
            Event::Start(Tag::Heading { level, .. }) => {
                text.end_paragraph();
                heading = Some((level, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, h)) = heading.take() {
                    let h = h.split_whitespace().collect::<Vec<_>>().join(" ");
                    let first_h1 = level == HeadingLevel::H1 && !first_h1_seen;
                    first_h1_seen |= level == HeadingLevel::H1;
                    if first_h1 && article.title.is_empty() {
                        article.title = h;
                    } else if !(first_h1 && h == article.title) {
                        text.current = h;
                        text.end_paragraph();
                    }
                }
            }
            Event::End(TagEnd::TableCell) => sink.push(' '),
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => sink.push('\n'),
            Event::Start(
                Tag::Paragraph
                | Tag::Item
                | Tag::CodeBlock(_)
                | Tag::BlockQuote(_)
                | Tag::FootnoteDefinition(_)
                | Tag::Table(_)
                | Tag::DefinitionListTitle
                | Tag::DefinitionListDefinition,
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::FootnoteDefinition
                | TagEnd::Table
                | TagEnd::DefinitionListTitle
                | TagEnd::DefinitionListDefinition,
            )
            | Event::Rule => text.end_paragraph(),
            _ => {}
        }
    }
    text.end_paragraph();
    article.body = text.done.join("\n\n");
    (article, warning)
}

#[derive(Default)]
struct TextBuilder {
    done: Vec<String>,
    current: String,
}

impl TextBuilder {
    fn end_paragraph(&mut self) {
        // Blank lines inside a code block become paragraph breaks, which is
        // what passage cutting expects of them.
        for part in self.current.split("\n\n") {
            let lines: Vec<&str> = part
                .lines()
                .map(str::trim_end)
                .filter(|l| !l.trim().is_empty())
                .collect();
            if !lines.is_empty() {
                self.done.push(lines.join("\n"));
            }
        }
        self.current.clear();
    }
}

fn read_front_matter(kind: MetadataBlockKind, raw: &str) -> Result<Map<String, Value>, String> {
    match kind {
        MetadataBlockKind::YamlStyle => {
            let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(raw)
                .map_err(|e| format!("front matter is not valid YAML ({e}); ignored"))?;
            if yaml.is_null() {
                return Ok(Map::new());
            }
            match serde_json::to_value(yaml) {
                Ok(Value::Object(map)) => Ok(map),
                Ok(_) => Err("front matter is not a YAML mapping; ignored".to_string()),
                Err(e) => Err(format!("front matter cannot be read ({e}); ignored")),
            }
        }
        MetadataBlockKind::PlusesStyle => {
            let table: toml::Table = toml::from_str(raw).map_err(|e| {
                format!("front matter is not valid TOML ({}); ignored", e.message())
            })?;
            match toml_to_json(toml::Value::Table(table)) {
                Value::Object(map) => Ok(map),
                _ => unreachable!("a table converts to an object"),
            }
        }
    }
}

/// TOML values as JSON values; dates become their RFC 3339 text.
fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

fn apply_front_matter(article: &mut Article, map: &Map<String, Value>) {
    let text = |key: &str| map.get(key).and_then(value_text);
    if let Some(t) = text("title") {
        article.title = t.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    article.date = text("date");
    article.url = text("url");
    article.source = text("source");
    article.tags = map.get("tags").map(value_tags).unwrap_or_default();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_h1_is_the_title_without_front_matter() {
        let (a, w) = parse("Intro line.\n\n# The Title\n\nBody *text* here.\n\n# Second\n");
        assert_eq!(a.title, "The Title");
        assert_eq!(a.body, "Intro line.\n\nBody text here.\n\nSecond");
        assert!(w.is_none());
    }

    #[test]
    fn toml_front_matter_and_dates() {
        let (a, _) = parse(
            "+++\ntitle = \"Toml title\"\ndate = 2024-01-02T03:04:05Z\nurl = \"https://e.com/a\"\nsource = \"Wire\"\ntags = \"a, b\"\n+++\n\n# Toml title\n\nText.\n",
        );
        assert_eq!(a.title, "Toml title");
        assert_eq!(a.date.as_deref(), Some("2024-01-02T03:04:05Z"));
        assert_eq!(a.url.as_deref(), Some("https://e.com/a"));
        assert_eq!(a.source.as_deref(), Some("Wire"));
        assert_eq!(a.tags, ["a", "b"]);
        // The heading repeating the title is not body text.
        assert_eq!(a.body, "Text.");
    }

    #[test]
    fn code_blocks_lists_tables_and_html_are_text() {
        let (a, _) = parse(
            "Para with `code` and ![alt text](img.png) image.\n\n```rust\nfn main() {}\n\nlet x = 1;\n```\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<div class=\"note\">Html <b>block</b> &amp; more</div>\n",
        );
        assert_eq!(
            a.body,
            "Para with code and image.\n\nfn main() {}\n\nlet x = 1;\n\none\n\ntwo\n\na b\n1 2\n\nHtml block & more"
        );
    }

    #[test]
    fn broken_front_matter_is_a_warning_not_a_loss() {
        let (a, w) = parse("---\ntitle: [unclosed\n---\n\n# Heading\n\nText.\n");
        assert!(w.unwrap().contains("not valid YAML"));
        assert_eq!(a.title, "Heading");
        assert_eq!(a.body, "Text.");
    }
}
