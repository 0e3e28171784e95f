//! JSON Lines dumps: one article object per line.
//!
//! Fields, by default: `id` (string or number; `FILE:LINE` when missing),
//! `title`, `body` or `text`, and optional `url`, `date`, `source`, `tags`.
//! A [`FieldMap`] renames them for other dumps (`--field title=headline`).
//! A record with an empty body but a title is indexed with its title as its
//! text (newswire "brief" stories are like that). Lines that are not JSON
//! objects, or that have no body field, are reported with their line number
//! and skipped.

use std::io::BufRead;

use serde_json::{Map, Value};

use super::encoding::decode_line;
use super::{Problem, Severity, SourceFile};
use crate::Article;

/// Which JSON fields hold which article fields. Each article field lists
/// the names to try, in order; a name with dots (`meta.headline`) reaches
/// into nested objects when no field has that exact name.
///
/// ```
/// use passim::read::jsonl::{FieldMap, parse_record};
/// let mut fields = FieldMap::default();
/// fields.set("title=headline").unwrap();
/// fields.set("body=content,summary").unwrap();
/// fields.set("id=meta.uuid").unwrap();
/// let a = parse_record(
///     r#"{"meta":{"uuid":"u1"},"headline":"H","summary":"Text."}"#, "f", 1, &fields,
/// ).unwrap();
/// assert_eq!((a.id.as_str(), a.title.as_str(), a.body.as_str()), ("u1", "H", "Text."));
/// assert!(fields.set("author=byline").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMap {
    /// Names of the article id field.
    pub id: Vec<String>,
    /// Names of the headline field.
    pub title: Vec<String>,
    /// Names of the body text field.
    pub body: Vec<String>,
    /// Names of the url field.
    pub url: Vec<String>,
    /// Names of the date field.
    pub date: Vec<String>,
    /// Names of the source field.
    pub source: Vec<String>,
    /// Names of the tags field (an array of strings, or one comma-separated string).
    pub tags: Vec<String>,
}

impl Default for FieldMap {
    fn default() -> Self {
        let one = |s: &str| vec![s.to_string()];
        FieldMap {
            id: one("id"),
            title: one("title"),
            body: vec!["body".to_string(), "text".to_string()],
            url: one("url"),
            date: one("date"),
            source: one("source"),
            tags: one("tags"),
        }
    }
}

impl FieldMap {
    /// The article fields that can be mapped.
    pub const KEYS: &'static [&'static str] =
        &["id", "title", "body", "url", "date", "source", "tags"];

    /// Applies one `KEY=NAME[,NAME...]` mapping.
    pub fn set(&mut self, spec: &str) -> Result<(), String> {
        let (key, names) = spec
            .split_once('=')
            .ok_or_else(|| format!("{spec:?} is not KEY=NAME (for example title=headline)"))?;
        let names: Vec<String> = names
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(String::from)
            .collect();
        if names.is_empty() {
            return Err(format!("{spec:?} names no JSON field"));
        }
        let slot = match key.trim() {
            "id" => &mut self.id,
            "title" => &mut self.title,
            "body" | "text" => &mut self.body,
            "url" => &mut self.url,
            "date" => &mut self.date,
            "source" => &mut self.source,
            "tags" => &mut self.tags,
            other => {
                return Err(format!(
                    "unknown article field {other:?}; expected one of {}",
                    Self::KEYS.join(", ")
                ));
            }
        };
        *slot = names;
        Ok(())
    }
}

/// Why a record was not indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// Whether the line was broken ([`Severity::Error`]) or just held no article.
    pub severity: Severity,
    /// What was wrong.
    pub message: String,
}

/// Reads JSON Lines from any reader, line by line; `src` names the input in
/// messages and ids. Returns the bytes read. (The indexer reads in parallel
/// with [`parse_lines`] instead; both give the same articles and problems.)
pub fn read_lines(
    mut reader: impl BufRead,
    src: &SourceFile,
    fields: &FieldMap,
    emit: &mut dyn FnMut(Article, Option<usize>),
    problems: &mut Vec<Problem>,
) -> u64 {
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    let mut total = 0u64;
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(n) => total += n as u64,
            Err(e) => {
                problems.push(Problem::new(
                    src.display_path(),
                    Some(line_no + 1),
                    Severity::Error,
                    format!("read error: {e}; rest of file skipped"),
                ));
                break;
            }
        }
        parse_lines(&buf, line_no + 1, src, fields, emit, &mut |p| {
            problems.push(p)
        });
        line_no += 1;
    }
    total
}

/// Parses a block of whole lines, the first being line `first_line`.
pub fn parse_lines(
    data: &[u8],
    first_line: usize,
    src: &SourceFile,
    fields: &FieldMap,
    emit: &mut dyn FnMut(Article, Option<usize>),
    problem: &mut dyn FnMut(Problem),
) {
    let path = src.display_path();
    let mut lines = data.split(|&b| b == b'\n');
    if data.ends_with(b"\n") {
        // split() yields an empty piece after the final newline.
        lines.next_back();
    }
    for (i, raw) in lines.enumerate() {
        let line_no = first_line + i;
        let decoded = decode_line(raw);
        if let Some(w) = decoded.warning {
            problem(Problem::new(path, Some(line_no), Severity::Warning, w));
        }
        let line = decoded.text.trim();
        if line.is_empty() {
            continue;
        }
        match parse_record(line, &src.id, line_no, fields) {
            Ok(mut article) => {
                article.path = Some(path.to_string());
                emit(article, Some(line_no));
            }
            Err(e) => problem(Problem::new(path, Some(line_no), e.severity, e.message)),
        }
    }
}

/// Turns one JSON line into an article, or says why it cannot.
pub fn parse_record(
    line: &str,
    file_id: &str,
    line_no: usize,
    fields: &FieldMap,
) -> Result<Article, RecordError> {
    let error = |severity, message: String| RecordError { severity, message };
    let value: Value = serde_json::from_str(line).map_err(|e| {
        error(
            Severity::Error,
            format!("malformed JSON ({e}); line skipped"),
        )
    })?;
    let Value::Object(mut obj) = value else {
        return Err(error(
            Severity::Error,
            "not a JSON object; line skipped".to_string(),
        ));
    };
    let mut text = |names: &[String]| take(&mut obj, names).and_then(into_text);
    let id = text(&fields.id)
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| format!("{file_id}:{line_no}"));
    let title = text(&fields.title).unwrap_or_default();
    let Some(mut body) = text(&fields.body) else {
        let names: Vec<String> = fields.body.iter().map(|n| format!("{n:?}")).collect();
        return Err(error(
            Severity::Skipped,
            format!(
                "article {id:?} has no {} field; line skipped",
                names.join(" or ")
            ),
        ));
    };
    let title = title.trim().to_string();
    if body.trim().is_empty() {
        if title.is_empty() {
            return Err(error(
                Severity::Skipped,
                format!("article {id:?} is empty; line skipped"),
            ));
        }
        body = title.clone();
    }
    let url = text(&fields.url).filter(|s| !s.is_empty());
    let date = text(&fields.date).filter(|s| !s.is_empty());
    let source = text(&fields.source).filter(|s| !s.is_empty());
    let tags = take(&mut obj, &fields.tags)
        .map(|v| value_tags(&v))
        .unwrap_or_default();
    Ok(Article {
        id,
        title,
        body,
        url,
        date,
        source,
        tags,
        path: None,
    })
}

/// Removes and returns the first of `names` present in `obj`; dotted names
/// reach into nested objects.
fn take(obj: &mut Map<String, Value>, names: &[String]) -> Option<Value> {
    for name in names {
        if let Some(v) = obj.remove(name.as_str()) {
            return Some(v);
        }
        if name.contains('.') {
            let parts: Vec<&str> = name.split('.').collect();
            if let Some(v) = take_path(obj, &parts) {
                return Some(v);
            }
        }
    }
    None
}

fn take_path(obj: &mut Map<String, Value>, parts: &[&str]) -> Option<Value> {
    match parts {
        [] => None,
        [leaf] => obj.remove(*leaf),
        [first, rest @ ..] => match obj.get_mut(*first)? {
            Value::Object(inner) => take_path(inner, rest),
            _ => None,
        },
    }
}

/// Strings as they are, numbers and booleans as written; anything else is no text.
fn into_text(v: Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A metadata value as text: strings, numbers and booleans.
pub(crate) fn value_text(v: &Value) -> Option<String> {
    into_text(v.clone())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Tags from an array of strings or a comma-separated string.
pub(crate) fn value_tags(v: &Value) -> Vec<String> {
    let items: Vec<String> = match v {
        Value::Array(items) => items.iter().filter_map(value_text).collect(),
        Value::String(s) => s.split(',').map(String::from).collect(),
        other => value_text(other).into_iter().collect(),
    };
    items
        .into_iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str, file: &str, n: usize) -> Result<Article, RecordError> {
        parse_record(line, file, n, &FieldMap::default())
    }

    #[test]
    fn reads_fields_and_numeric_ids() {
        let a = parse(
            r#"{"id":7,"title":"T","text":"Body.","url":"u","tags":["x"," y "]}"#,
            "f",
            1,
        )
        .unwrap();
        assert_eq!(
            (a.id.as_str(), a.title.as_str(), a.body.as_str()),
            ("7", "T", "Body.")
        );
        assert_eq!(a.url.as_deref(), Some("u"));
        assert_eq!(a.tags, ["x", "y"]);
    }

    #[test]
    fn missing_id_is_file_and_line() {
        let a = parse(r#"{"body":"x"}"#, "dump.jsonl", 12).unwrap();
        assert_eq!(a.id, "dump.jsonl:12");
    }

    #[test]
    fn title_only_records_use_the_title() {
        let a = parse(r#"{"id":"b","title":"Brief story","body":""}"#, "f", 1).unwrap();
        assert_eq!(a.body, "Brief story");
    }

    #[test]
    fn bad_records_say_why() {
        let e = parse("{not json", "f", 1).unwrap_err();
        assert!(e.message.contains("malformed JSON"));
        assert_eq!(e.severity, Severity::Error);
        assert!(
            parse("[1]", "f", 1)
                .unwrap_err()
                .message
                .contains("not a JSON object")
        );
        let e = parse(r#"{"id":"x","title":"t"}"#, "f", 1).unwrap_err();
        assert!(e.message.contains("no \"body\" or \"text\" field"), "{e:?}");
        assert_eq!(e.severity, Severity::Skipped);
        assert!(
            parse(r#"{"id":"x","body":" "}"#, "f", 1)
                .unwrap_err()
                .message
                .contains("empty")
        );
    }

    #[test]
    fn field_specs_are_checked() {
        let mut f = FieldMap::default();
        assert!(f.set("title").is_err());
        assert!(f.set("title=").is_err());
        f.set("text=content").unwrap();
        assert_eq!(f.body, ["content"]);
    }

    #[test]
    fn lines_are_numbered_across_blocks_and_latin1_lines_decoded() {
        let src = SourceFile::stdin(super::super::Format::Jsonl);
        let mut got = Vec::new();
        let mut problems = Vec::new();
        parse_lines(
            b"{\"body\":\"caf\xe9\"}\n\n{bad\n",
            10,
            &src,
            &FieldMap::default(),
            &mut |a, line| got.push((a.id, a.body, line)),
            &mut |p| problems.push(p),
        );
        assert_eq!(
            got,
            [("stdin:10".to_string(), "café".to_string(), Some(10))]
        );
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].severity, Severity::Warning);
        assert_eq!(problems[1].line, Some(12));
        assert_eq!(problems[1].to_string().split(':').next(), Some("<stdin>"));
    }
}
