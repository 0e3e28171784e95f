//! Using passim as a library: build an index in a temporary folder from
//! two articles, search it, and print each hit with its marked words.
//!
//! Run with: `cargo run --example search_library`

use anyhow::Result;
use passim::{Article, Index, PassageConfig, SearchOptions, Searcher, Writer};

fn main() -> Result<()> {
    // An index lives in a folder; passim.json beside tantivy's files records
    // the format version and passage settings.
    let dir = tempfile::tempdir()?;
    let mut index = Index::create(dir.path(), PassageConfig::default())?;

    // Articles come from passim's readers (see `passim::read`) or from you.
    let mut writer = Writer::new(&index, 64)?;
    writer.add_article(&Article::new(
        "gangs",
        "Iran hires crime gangs to murder dissidents in West",
        "Officials fear Tehran's spies are recruiting gangsters. \
         One member of the gang was arrested near the activist's home.",
    ))?;
    writer.add_article(&Article::new(
        "quds",
        "The Iranian Operations Against MEK",
        "The Iranian regime has deployed the QUDS force into Syria.",
    ))?;
    // Nothing is searchable until the commit.
    writer.commit(&mut index)?;

    let searcher = Searcher::new(&index)?;
    let results = searcher.search("gangs OR \"QUDS force\"", &SearchOptions::default())?;
    for hit in &results.hits {
        // Highlights are byte ranges into the passage text.
        let words: Vec<&str> = hit
            .highlights
            .iter()
            .map(|&[start, end]| &hit.passage.text[start..end])
            .collect();
        println!(
            "{}. [{:.2}] {} (passage {}): {:?}",
            hit.rank, hit.score, hit.article.title, hit.passage.ordinal, words
        );
    }
    Ok(())
}
