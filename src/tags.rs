//! Article tags as the index keeps them: each tag is one keyword.
//!
//! Tags are a vocabulary chosen by an editor ("economy", "world news"), not
//! prose, so they are not run through the word [`crate::analysis`]: a tag
//! is indexed whole, lower-cased and with diacritics folded, and nothing
//! else. `tags:economy` then finds exactly the articles tagged "Economy",
//! not those tagged "economies" or "economy news", and a multi-word tag is
//! found by quoting it whole (`tags:"world news"`), never by one of its
//! words. Runs of white space inside a tag count as one space, on both
//! sides, so a tag wrapped across two lines of front matter still matches.
//!
//! In a query, a `tags:` clause written beside words is a filter: it is
//! required and scores nothing, so `tags:economy oil` ranks the economy
//! articles' passages about oil as `oil` alone would ([`crate::query`]).
//!
//! ```
//! use tantivy::tokenizer::TokenStream;
//! let mut analyzer = passim::tags::analyzer();
//! let mut stream = analyzer.token_stream("Économie  Mondiale");
//! assert!(stream.advance());
//! assert_eq!(stream.token().text, "economie  mondiale");
//! assert_eq!(passim::tags::normalize(" World \n News "), "World News");
//! ```

use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, RawTokenizer, TextAnalyzer};

/// The name under which the tag analyzer is registered with tantivy.
pub const ANALYZER_NAME: &str = "passim_tag";

/// The tag analyzer: the whole tag as one token, lower-cased and folded.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// A tag as stored and searched: trimmed, inner runs of white space made
/// one space. Case is kept for display; the analyzer folds it.
pub fn normalize(tag: &str) -> String {
    tag.split_whitespace().collect::<Vec<_>>().join(" ")
}
