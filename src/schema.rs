//! The tantivy schema: one document per passage.

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
        })
    }
}
