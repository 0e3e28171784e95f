//! The two query sets, drawn from news-all with a fixed seed: article
//! titles (long, ORed) and short queries of 1-3 words or a quoted 2-word
//! phrase. Each query is a list of plain words, written out in the syntax
//! of each engine, so every engine answers the same question.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;

use anyhow::Result;

use crate::corpus::Article;

const SEED: u64 = 7;
pub const TITLE_QUERIES: usize = 200;
pub const SHORT_QUERIES: usize = 1000;

/// Words too common to be anyone's query.
const STOPWORDS: &[&str] = &[
    "the", "and", "for", "that", "with", "this", "from", "was", "are", "have", "has", "had", "not",
    "but", "you", "his", "her", "they", "their", "will", "would", "said", "which", "were", "been",
    "its", "also", "more", "one", "all", "about", "there", "can", "who", "what", "when", "our",
    "out", "any", "into", "than", "them", "then", "some", "only", "other", "could", "may",
    "should", "these", "those", "such", "very", "just", "like", "does", "did", "being", "because",
    "over", "after", "before", "while", "where", "how", "why", "she", "him", "your", "get", "don",
];

/// A query: words to OR together, or (when `phrase`) one exact phrase.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub words: Vec<String>,
    pub phrase: bool,
}

impl Query {
    /// passim's (tantivy's) syntax: words are ORed by default.
    pub fn passim(&self) -> String {
        if self.phrase {
            format!("\"{}\"", self.words.join(" "))
        } else {
            self.words.join(" ")
        }
    }

    /// FTS5's syntax: each word quoted (so none is read as an operator), ORed.
    pub fn fts5(&self) -> String {
        if self.phrase {
            format!("\"{}\"", self.words.join(" "))
        } else {
            let quoted: Vec<String> = self.words.iter().map(|w| format!("\"{w}\"")).collect();
            quoted.join(" OR ")
        }
    }

    /// ripgrep patterns (`-e` each), matched as whole words, any case.
    pub fn rg_patterns(&self) -> Vec<String> {
        if self.phrase {
            vec![self.words.join(" ")]
        } else {
            self.words.clone()
        }
    }
}

/// A named list of queries.
pub struct QuerySet {
    pub name: &'static str,
    pub queries: Vec<Query>,
}

/// Lower-cased words of `text`: runs of letters and digits. Everything else
/// (query syntax included) separates words.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// 200 titles of distinct articles with at least three words.
pub fn title_queries(all: &[Article]) -> Vec<Query> {
    let mut rng = fastrand::Rng::with_seed(SEED);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut attempts = 0;
    while out.len() < TITLE_QUERIES && attempts < TITLE_QUERIES * 100 {
        attempts += 1;
        let a = &all[rng.usize(..all.len())];
        let words = words(&a.title);
        if words.len() < 3 || !seen.insert(words.clone()) {
            continue;
        }
        out.push(Query {
            words,
            phrase: false,
        });
    }
    out
}

/// Short queries: 40% one word, 30% two, 20% three, 10% a quoted phrase of
/// two adjacent words. Words are drawn as a reader meets them (a random word
/// of a random article), from those in 3 or more articles but at most 10%
/// of them, and not on the stopword list.
pub fn short_queries(all: &[Article]) -> Vec<Query> {
    let mut df: HashMap<String, u32> = HashMap::new();
    for a in all {
        let mut seen = HashSet::new();
        for w in words(&a.title).into_iter().chain(words(&a.body)) {
            if seen.insert(w.clone()) {
                *df.entry(w).or_default() += 1;
            }
        }
    }
    let max_df = (all.len() / 10) as u32;
    let usable = |w: &str, capped: bool| {
        w.len() >= 3
            && w.len() <= 20
            && w.chars().all(|c| c.is_ascii_alphabetic())
            && !STOPWORDS.contains(&w)
            && df
                .get(w)
                .is_some_and(|&n| n >= 3 && (!capped || n <= max_df))
    };
    let mut rng = fastrand::Rng::with_seed(SEED + 1);
    let mut out = Vec::new();
    while out.len() < SHORT_QUERIES {
        let a = &all[rng.usize(..all.len())];
        let body = words(&a.body);
        if body.len() < 2 {
            continue;
        }
        let roll = rng.u32(0..100);
        if roll >= 90 {
            let i = rng.usize(..body.len() - 1);
            // The first usable adjacent pair from a random place on.
            if let Some(pair) = body[i..]
                .windows(2)
                .find(|p| usable(&p[0], false) && usable(&p[1], false))
            {
                out.push(Query {
                    words: pair.to_vec(),
                    phrase: true,
                });
            }
            continue;
        }
        let n = match roll {
            0..40 => 1,
            40..70 => 2,
            _ => 3,
        };
        let mut words = Vec::new();
        for _ in 0..n * 50 {
            if words.len() == n {
                break;
            }
            let a = &all[rng.usize(..all.len())];
            let body = self::words(&a.body);
            if body.is_empty() {
                continue;
            }
            let w = &body[rng.usize(..body.len())];
            if usable(w, true) && !words.contains(w) {
                words.push(w.clone());
            }
        }
        if words.len() == n {
            out.push(Query {
                words,
                phrase: false,
            });
        }
    }
    out
}

/// Writes each set, one passim query per line, for people to rerun.
pub fn write(sets: &[QuerySet], data: &Path) -> Result<()> {
    for set in sets {
        let lines: Vec<String> = set.queries.iter().map(Query::passim).collect();
        fs::write(
            data.join(format!("queries-{}.txt", set.name)),
            lines.join("\n") + "\n",
        )?;
    }
    Ok(())
}
