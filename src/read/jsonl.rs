//! JSON Lines dumps: one article object per line.
//!
//! Fields: `id` (string or number; `FILE:LINE` when missing), `title`,
//! `body` or `text`, and optional `url`, `date`, `source`. A record with an
//! empty body but a title is indexed with its title as its text (newswire
//! "brief" stories are like that). Lines that are not JSON objects, or that
//! have no body field, are reported with their line number and skipped.

use std::io::{BufRead, BufReader, Read};

use serde_json::Value;

use super::{Problem, SourceFile};
use crate::Article;

/// Reads a JSON Lines file. Returns the bytes read.
pub fn read_file(
    src: &SourceFile,
    emit: &mut dyn FnMut(Article, Option<usize>),
    problems: &mut Vec<Problem>,
) -> u64 {
    let file = match std::fs::File::open(&src.path) {
        Ok(f) => f,
        Err(e) => {
            problems.push(Problem::new(
                &src.path,
                None,
                format!("cannot read: {e}; skipped"),
            ));
            return 0;
        }
    };
    read_lines(BufReader::new(file), src, emit, problems)
}

/// Reads JSON Lines from any reader; `src` names the input in messages and ids.
pub fn read_lines<R: Read>(
    reader: BufReader<R>,
    src: &SourceFile,
    emit: &mut dyn FnMut(Article, Option<usize>),
    problems: &mut Vec<Problem>,
) -> u64 {
    let mut reader = reader;
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
                    &src.path,
                    Some(line_no + 1),
                    format!("read error: {e}; rest of file skipped"),
                ));
                break;
            }
        }
        line_no += 1;
        let line = match std::str::from_utf8(&buf) {
            Ok(l) => l.trim(),
            Err(e) => {
                problems.push(Problem::new(
                    &src.path,
                    Some(line_no),
                    format!(
                        "not valid UTF-8 (at byte {}); line skipped",
                        e.valid_up_to()
                    ),
                ));
                continue;
            }
        };
        if line.is_empty() {
            continue;
        }
        match parse_record(line, &src.id, line_no) {
            Ok(article) => {
                let mut article = article;
                article.path = Some(src.path.display().to_string());
                emit(article, Some(line_no));
            }
            Err(msg) => problems.push(Problem::new(&src.path, Some(line_no), msg)),
        }
    }
    total
}

/// Turns one JSON line into an article, or says why it cannot.
pub fn parse_record(line: &str, file_id: &str, line_no: usize) -> Result<Article, String> {
    let value: Value =
        serde_json::from_str(line).map_err(|e| format!("malformed JSON ({e}); line skipped"))?;
    let Value::Object(obj) = value else {
        return Err("not a JSON object; line skipped".to_string());
    };
    let text_field = |name: &str| -> Option<String> {
        match obj.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let id = text_field("id")
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| format!("{file_id}:{line_no}"));
    let title = text_field("title").unwrap_or_default();
    let Some(mut body) = text_field("body").or_else(|| text_field("text")) else {
        return Err(format!(
            "article {id:?} has no \"body\" or \"text\" field; line skipped"
        ));
    };
    if body.trim().is_empty() {
        if title.trim().is_empty() {
            return Err(format!("article {id:?} is empty; line skipped"));
        }
        body = title.clone();
    }
    Ok(Article {
        id,
        title: title.trim().to_string(),
        body,
        url: text_field("url").filter(|s| !s.is_empty()),
        date: text_field("date").filter(|s| !s.is_empty()),
        source: text_field("source").filter(|s| !s.is_empty()),
        path: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_numeric_ids() {
        let a = parse_record(r#"{"id":7,"title":"T","text":"Body.","url":"u"}"#, "f", 1).unwrap();
        assert_eq!(
            (a.id.as_str(), a.title.as_str(), a.body.as_str()),
            ("7", "T", "Body.")
        );
        assert_eq!(a.url.as_deref(), Some("u"));
    }

    #[test]
    fn missing_id_is_file_and_line() {
        let a = parse_record(r#"{"body":"x"}"#, "dump.jsonl", 12).unwrap();
        assert_eq!(a.id, "dump.jsonl:12");
    }

    #[test]
    fn title_only_records_use_the_title() {
        let a = parse_record(r#"{"id":"b","title":"Brief story","body":""}"#, "f", 1).unwrap();
        assert_eq!(a.body, "Brief story");
    }

    #[test]
    fn bad_records_say_why() {
        assert!(
            parse_record("{not json", "f", 1)
                .unwrap_err()
                .contains("malformed JSON")
        );
        assert!(
            parse_record("[1]", "f", 1)
                .unwrap_err()
                .contains("not a JSON object")
        );
        assert!(
            parse_record(r#"{"id":"x","title":"t"}"#, "f", 1)
                .unwrap_err()
                .contains("no \"body\"")
        );
        assert!(
            parse_record(r#"{"id":"x","body":" "}"#, "f", 1)
                .unwrap_err()
                .contains("empty")
        );
    }
}
