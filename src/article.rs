//! The article: what every reader produces and the indexer consumes.

use serde::{Deserialize, Serialize};

/// One news article, after its reader has found the headline and metadata.
///
/// `body` is the text that gets cut into passages; passage byte offsets are
/// offsets into it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// Stable id: the path relative to the indexed root for files, the `id`
    /// field for JSON Lines records.
    pub id: String,
    /// Headline ("" when none was found).
    pub title: String,
    /// Body text, paragraphs separated by blank lines.
    pub body: String,
    /// Original URL, if known.
    pub url: Option<String>,
    /// Publication date as given by the source (ISO 8601 where available).
    pub date: Option<String>,
    /// Publication or feed name, if known.
    pub source: Option<String>,
    /// The file the article was read from.
    pub path: Option<String>,
    /// Subject tags from front matter, `article:tag` metadata or a JSON
    /// `tags` field; stored and searchable as `tags:NAME` ([`crate::tags`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl Article {
    /// A new article with an id, title and body and no metadata.
    ///
    /// ```
    /// let a = passim::Article::new("a1", "Headline", "Body text.");
    /// assert_eq!(a.id, "a1");
    /// ```
    pub fn new(id: impl Into<String>, title: impl Into<String>, body: impl Into<String>) -> Self {
        Article {
            id: id.into(),
            title: title.into(),
            body: body.into(),
            ..Article::default()
        }
    }
}
