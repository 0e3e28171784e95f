//! `--fields`: keeping only the JSON fields a consumer asked for.
//!
//! A selection is a comma-separated list of field paths: a top-level key
//! (`rank`, `article`) keeps it whole, a dotted path (`article.id`,
//! `passages.text`) keeps one member of an object, or of every object in
//! an array. `schema_version` and, in batch mode, `qid` are always kept, so
//! every line still says what it is and which query it answers.
//!
//! ```
//! use passim::output::fields::{FieldSelection, HitKind};
//! let sel = FieldSelection::parse("rank, article.id", HitKind::Passage).unwrap();
//! let mut v = serde_json::json!({"schema_version": 1, "rank": 1, "score": 2.0,
//!     "article": {"id": "a1", "title": "T"}});
//! sel.apply(&mut v);
//! assert_eq!(v, serde_json::json!({"schema_version": 1, "rank": 1, "article": {"id": "a1"}}));
//! assert!(FieldSelection::parse("rnak", HitKind::Passage).is_err());
//! ```

use serde_json::Value;
use thiserror::Error;

/// Which kind of hit the lines describe (`--by`, `by=`): the valid
/// fields differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HitKind {
    /// One passage per line (`--by passage`, the default).
    #[default]
    Passage,
    /// One article per line with its best passages (`--by article`).
    Article,
}

const ARTICLE: &[&str] = &[
    "article",
    "article.id",
    "article.title",
    "article.url",
    "article.path",
    "article.date",
    "article.source",
    "article.tags",
];
const COMMON: &[&str] = &["schema_version", "qid", "query", "rank", "score"];
const PASSAGE: &[&str] = &[
    "passage",
    "passage.ordinal",
    "passage.start",
    "passage.end",
    "passage.text",
    "passage.crop",
    "passage.formatted",
    "highlights",
    "highlights_chars",
];
const PASSAGES: &[&str] = &[
    "passages",
    "passages.score",
    "passages.ordinal",
    "passages.start",
    "passages.end",
    "passages.text",
    "passages.crop",
    "passages.formatted",
    "passages.highlights",
    "passages.highlights_chars",
];

/// Fields kept whatever the selection says.
const ALWAYS: &[&str] = &["schema_version", "qid"];

impl HitKind {
    /// Every selectable field path for this kind of hit.
    pub fn fields(self) -> Vec<&'static str> {
        let own = match self {
            HitKind::Passage => PASSAGE,
            HitKind::Article => PASSAGES,
        };
        COMMON.iter().chain(ARTICLE).chain(own).copied().collect()
    }
}

/// A `--fields` value that names no known field.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum FieldsError {
    /// No field named at all.
    #[error("--fields is empty; name at least one field (fields: {valid})")]
    Empty {
        /// The valid fields, comma-separated.
        valid: String,
    },
    /// A name that is not a field of this kind of hit.
    #[error("unknown field {name:?} in --fields{hint} (fields: {valid})")]
    Unknown {
        /// The name as given.
        name: String,
        /// `; did you mean "article.tags"?` when the name is a member of
        /// one of the hit's objects, else empty.
        hint: String,
        /// The valid fields, comma-separated.
        valid: String,
    },
}

/// A parsed, validated `--fields` selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSelection {
    paths: Vec<String>,
}

impl FieldSelection {
    /// Parses a comma-separated list, checking each path against `kind`.
    pub fn parse(spec: &str, kind: HitKind) -> Result<FieldSelection, FieldsError> {
        let valid = kind.fields();
        let list = || valid.join(", ");
        let paths: Vec<String> = spec
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        if paths.is_empty() {
            return Err(FieldsError::Empty { valid: list() });
        }
        if let Some(bad) = paths.iter().find(|p| !valid.contains(&p.as_str())) {
            let hint = ["article", "passage", "passages"]
                .iter()
                .map(|parent| format!("{parent}.{bad}"))
                .find(|path| valid.contains(&path.as_str()))
                .map(|path| format!("; did you mean {path:?}?"))
                .unwrap_or_default();
            return Err(FieldsError::Unknown {
                name: bad.clone(),
                hint,
                valid: list(),
            });
        }
        Ok(FieldSelection { paths })
    }

    /// Removes every field not selected from a hit object.
    pub fn apply(&self, value: &mut Value) {
        self.filter(value, "");
    }

    fn filter(&self, value: &mut Value, prefix: &str) {
        match value {
            Value::Object(map) => {
                map.retain(|key, _| {
                    let path = join(prefix, key);
                    always(prefix, key) || self.keeps_whole(&path) || self.keeps_part(&path)
                });
                for (key, child) in map.iter_mut() {
                    let path = join(prefix, key);
                    if !(always(prefix, key) || self.keeps_whole(&path)) {
                        self.filter(child, &path);
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.filter(item, prefix);
                }
            }
            _ => {}
        }
    }

    /// The path, or one of its parents, is selected.
    fn keeps_whole(&self, path: &str) -> bool {
        self.paths
            .iter()
            .any(|p| path == p || path.starts_with(&format!("{p}.")))
    }

    /// Some member below the path is selected.
    fn keeps_part(&self, path: &str) -> bool {
        self.paths
            .iter()
            .any(|p| p.starts_with(&format!("{path}.")))
    }
}

/// A top-level key kept whatever the selection.
fn always(prefix: &str, key: &str) -> bool {
    prefix.is_empty() && ALWAYS.contains(&key)
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn array_members_are_filtered_element_by_element() {
        let sel = FieldSelection::parse("passages.text,qid", HitKind::Article).unwrap();
        let mut v = json!({"schema_version": 1, "qid": "7", "rank": 1,
            "passages": [{"score": 1.0, "text": "a"}, {"score": 0.5, "text": "b"}]});
        sel.apply(&mut v);
        assert_eq!(
            v,
            json!({"schema_version": 1, "qid": "7", "passages": [{"text": "a"}, {"text": "b"}]})
        );
    }

    #[test]
    fn fields_depend_on_the_hit_kind() {
        assert!(FieldSelection::parse("passages", HitKind::Passage).is_err());
        assert!(FieldSelection::parse("passage.text", HitKind::Article).is_err());
        assert!(matches!(
            FieldSelection::parse(" , ", HitKind::Passage),
            Err(FieldsError::Empty { .. })
        ));
    }

    #[test]
    fn a_member_named_alone_gets_its_path_suggested() {
        let err = FieldSelection::parse("tags", HitKind::Passage).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(r#"unknown field "tags" in --fields; did you mean "article.tags"?"#),
            "{err}"
        );
        let err = FieldSelection::parse("rnak", HitKind::Passage).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(r#"unknown field "rnak" in --fields (fields:"#)
        );
    }
}
