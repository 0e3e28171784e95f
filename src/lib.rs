//! passim: full-text search over news articles, passage by passage.
//!
//! Data flows one way: files are [`read`] into [`Article`]s, cut into
//! [`passage`]s, analyzed ([`analysis`]) and stored ([`indexer`]) in an
//! [`Index`]; a [`Searcher`] turns query text into ranked [`Hit`]s with
//! [`highlight`] ranges, which [`output`] renders.
//!
//! ```
//! # fn main() -> anyhow::Result<()> {
//! use passim::{Article, Index, PassageConfig, SearchOptions, Searcher, Writer};
//!
//! let dir = tempfile::tempdir()?;
//! let mut index = Index::create(dir.path(), PassageConfig::default())?;
//! let mut writer = Writer::new(&index, 64)?;
//! writer.add_article(&Article::new(
//!     "iran-gangs",
//!     "Iran hires crime gangs",
//!     "Officials fear spies are recruiting gangsters. One gang member was arrested.",
//! ))?;
//! writer.commit(&mut index)?;
//!
//! let results = Searcher::new(&index)?.search("\"gang member\"", &SearchOptions::default())?;
//! assert_eq!(results.hits[0].article.id, "iran-gangs");
//! assert_eq!(results.hits[0].highlights.len(), 2);
//! # Ok(()) }
//! ```

pub mod analysis;
pub mod article;
pub mod cli;
pub mod cmd;
pub mod eval;
pub mod highlight;
pub mod index;
pub mod indexer;
pub mod output;
pub mod passage;
pub mod query;
pub mod rank;
pub mod read;
pub mod schema;
pub mod search;
pub mod serve;
pub mod stats;
pub mod tags;

pub use article::Article;
pub use index::{Index, OpenError};
pub use indexer::{IndexOptions, Summary, Writer};
pub use passage::PassageConfig;
pub use search::{
    ArticleHit, ArticleRanking, ArticleResults, Hit, PassageHit, SearchError, SearchOptions,
    SearchResults, Searcher,
};
pub use stats::Stats;
