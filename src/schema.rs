//! The tantivy schema: one document per passage, plus one per article.
//!
//! Passage documents (`kind:p`) carry the passage text and the headline and
//! answer ordinary searches. Article documents (`kind:a`) carry the
//! headline and tags in fields of their own (`article_title`,
//! `article_tags`), so passage statistics are not diluted by them, and the
//! article's passage count and content hash.
//!
//! An article's documents are added as one batch, so they sit together in
//! one segment in this order: the article document, then its passages by
//! ordinal. Passage `ordinal` o of an article whose document is `a` is
//! therefore document `a + 1 + o`; whole-article ranking
//! ([`crate::rank`]) reads an article's body statistics off its passages
//! this way instead of indexing the body a second time.

use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis::ANALYZER_NAME;

/// Field names, as users write them in queries (`title:MEK`).
pub mod names {
    pub const TEXT: &str = "text";
    pub const TITLE: &str = "title";
    pub const ARTICLE_ID: &str = "article_id";
    pub const ORDINAL: &str = "ordinal";
    pub const START: &str = "start";
    pub const END: &str = "end";
    pub const URL: &str = "url";
    pub const DATE: &str = "date";
    pub const PATH: &str = "path";
    pub const SOURCE: &str = "source";
    pub const TAGS: &str = "tags";
    pub const KIND: &str = "kind";
    pub const ARTICLE_TITLE: &str = "article_title";
    pub const ARTICLE_TAGS: &str = "article_tags";
    pub const PASSAGES: &str = "passages";
    pub const HASH: &str = "hash";
}

/// Values of the `kind` field.
pub mod kind {
    pub const PASSAGE: &str = "p";
    pub const ARTICLE: &str = "a";
}

/// Handles to the schema's fields.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Passage text: analyzed with positions (phrases), stored.
    pub text: Field,
    /// Article headline, repeated on every passage so titles rank passages.
    pub title: Field,
    /// Article id, untokenized: deletes and grouping go through it.
    pub article_id: Field,
    pub ordinal: Field,
    pub start: Field,
    pub end: Field,
    pub url: Field,
    pub date: Field,
    pub path: Field,
    pub source: Field,
    /// Passage documents: the article's tags, one value each, indexed whole
    /// as keywords ([`crate::tags`]), stored.
    pub tags: Field,
    /// `p` for passages, `a` for articles.
    pub kind: Field,
    /// Article documents: the headline, analyzed without positions, stored.
    pub article_title: Field,
    /// Article documents: the tags, as `tags` on passages. A field of its
    /// own keeps passage statistics (`tags:` queries rank passages) free
    /// of article documents.
    pub article_tags: Field,
    /// Article documents: number of passages (a fast field, so whole-article
    /// ranking finds an article's passages without loading the document).
    pub passages: Field,
    /// Article documents: content hash, to tell changed articles from unchanged.
    pub hash: Field,
}

/// Builds the passage schema.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let analyzed = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER_NAME)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let headline = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let keyword = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(crate::tags::ANALYZER_NAME)
                .set_index_option(IndexRecordOption::Basic),
        )
        .set_stored();
    let fields = Fields {
        text: b.add_text_field(names::TEXT, analyzed.clone()),
        title: b.add_text_field(names::TITLE, analyzed),
        article_id: b.add_text_field(names::ARTICLE_ID, STRING | STORED | FAST),
        ordinal: b.add_u64_field(names::ORDINAL, STORED | FAST),
        start: b.add_u64_field(names::START, STORED),
        end: b.add_u64_field(names::END, STORED),
        url: b.add_text_field(names::URL, STORED),
        date: b.add_text_field(names::DATE, STORED),
        path: b.add_text_field(names::PATH, STORED),
        source: b.add_text_field(names::SOURCE, STORED),
        kind: b.add_text_field(names::KIND, STRING),
        tags: b.add_text_field(names::TAGS, keyword.clone()),
        article_title: b.add_text_field(names::ARTICLE_TITLE, headline.set_stored()),
        article_tags: b.add_text_field(names::ARTICLE_TAGS, keyword),
        passages: b.add_u64_field(names::PASSAGES, STORED | FAST),
        hash: b.add_u64_field(names::HASH, STORED | FAST),
    };
    (b.build(), fields)
}

impl Fields {
    /// Finds the fields in an existing index's schema.
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name| schema.get_field(name);
        Ok(Fields {
            text: f(names::TEXT)?,
            title: f(names::TITLE)?,
            article_id: f(names::ARTICLE_ID)?,
            ordinal: f(names::ORDINAL)?,
            start: f(names::START)?,
            end: f(names::END)?,
            url: f(names::URL)?,
            date: f(names::DATE)?,
            path: f(names::PATH)?,
            source: f(names::SOURCE)?,
            kind: f(names::KIND)?,
            tags: f(names::TAGS)?,
            article_title: f(names::ARTICLE_TITLE)?,
            article_tags: f(names::ARTICLE_TAGS)?,
            passages: f(names::PASSAGES)?,
            hash: f(names::HASH)?,
        })
    }
}
