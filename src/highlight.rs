//! Finding what to mark in a passage: the byte ranges of the words that
//! matched, found with the same analyzer that indexed them (so "gangs"
//! marks "Gang"), phrases only where the whole phrase occurs.
//!
//! ```
//! use passim::highlight::{HighlightPlan, Matcher};
//! let plan = HighlightPlan { matchers: vec![Matcher::Term("gang".into())] };
//! let text = "a member of the gang";
//! let ranges = plan.ranges(text);
//! assert_eq!(&text[ranges[0][0]..ranges[0][1]], "gang");
//! ```

use std::cell::RefCell;
use std::collections::BTreeSet;

use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{self, AnalyzedToken};

thread_local! {
    /// One analyzer per thread, reused for every passage: it remembers the
    /// indexed form of words it has seen, so highlighting ten passages does
    /// not stem the same words ten times.
    static ANALYZER: RefCell<TextAnalyzer> = RefCell::new(analysis::analyzer());
}

/// One thing to look for, in analyzed (indexed) form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// A single term.
    Term(String),
    /// Terms starting with this prefix (`gang*`).
    Prefix(String),
    /// Consecutive terms; with `slop`, in order with up to `slop` extra
    /// words between; with `prefix`, the last term is a prefix
    /// (`"crime gang"*`).
    Phrase {
        terms: Vec<String>,
        slop: u32,
        prefix: bool,
    },
}

/// Everything a query asks to highlight.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HighlightPlan {
    pub matchers: Vec<Matcher>,
}

impl HighlightPlan {
    /// True when nothing would be highlighted.
    pub fn is_empty(&self) -> bool {
        self.matchers.is_empty()
    }

    /// Sorted, non-overlapping `[start, end)` UTF-8 byte ranges of matched
    /// words in `text`. Each range is one word's surface form.
    pub fn ranges(&self, text: &str) -> Vec<[usize; 2]> {
        if self.matchers.is_empty() {
            return Vec::new();
        }
        let tokens = ANALYZER.with_borrow_mut(|analyzer| self.candidates(analyzer, text));
        self.ranges_in(&tokens)
    }

    /// The ranges to mark among `tokens` (all of a text's tokens, or any
    /// subset holding every token a matcher names).
    fn ranges_in(&self, tokens: &[AnalyzedToken]) -> Vec<[usize; 2]> {
        let mut marked: BTreeSet<usize> = BTreeSet::new();
        for matcher in &self.matchers {
            match matcher {
                Matcher::Term(term) => marked.extend(
                    tokens
                        .iter()
                        .enumerate()
                        .filter(|(_, t)| &t.term == term)
                        .map(|(i, _)| i),
                ),
                Matcher::Prefix(prefix) => marked.extend(
                    tokens
                        .iter()
                        .enumerate()
                        .filter(|(_, t)| t.term.starts_with(prefix.as_str()))
                        .map(|(i, _)| i),
                ),
                Matcher::Phrase {
                    terms,
                    slop,
                    prefix,
                } => mark_phrase(tokens, terms, *slop, *prefix, &mut marked),
            }
        }
        let mut out: Vec<[usize; 2]> = Vec::with_capacity(marked.len());
        for i in marked {
            let t = &tokens[i];
            match out.last() {
                // Letter/digit parts of one word ("AK" "47") share no gap: one range.
                Some(last) if last[1] == t.start => out.last_mut().expect("non-empty")[1] = t.end,
                _ => out.push([t.start, t.end]),
            }
        }
        out
    }

    /// The tokens of `text` that some matcher could mark. Phrase matching
    /// only looks at tokens with a phrase term and at positions, so the
    /// others need not be kept (nor their terms copied).
    fn candidates(&self, analyzer: &mut TextAnalyzer, text: &str) -> Vec<AnalyzedToken> {
        let wanted = |term: &str| {
            self.matchers.iter().any(|m| match m {
                Matcher::Term(t) => t == term,
                Matcher::Prefix(p) => term.starts_with(p.as_str()),
                Matcher::Phrase { terms, prefix, .. } => {
                    terms.iter().any(|t| t == term)
                        || (*prefix && terms.last().is_some_and(|p| term.starts_with(p.as_str())))
                }
            })
        };
        analysis::tokens_where(analyzer, text, wanted)
    }
}

/// Marks each occurrence of the phrase: tokens in order, each within
/// `1 + slop` positions of the previous one.
fn mark_phrase(
    tokens: &[AnalyzedToken],
    terms: &[String],
    slop: u32,
    prefix: bool,
    marked: &mut BTreeSet<usize>,
) {
    if terms.is_empty() {
        return;
    }
    let last = terms.len() - 1;
    let fits = |n: usize, term: &str| {
        if prefix && n == last {
            term.starts_with(terms[n].as_str())
        } else {
            term == terms[n]
        }
    };
    for (i, t) in tokens.iter().enumerate() {
        if !fits(0, &t.term) {
            continue;
        }
        let mut hits = vec![i];
        let mut budget = slop as usize;
        let mut j = i;
        for n in 1..terms.len() {
            let prev_pos = tokens[j].position;
            let next = tokens[j + 1..]
                .iter()
                .enumerate()
                .take_while(|(_, c)| c.position <= prev_pos + 1 + budget)
                .find(|(_, c)| fits(n, &c.term));
            match next {
                Some((k, c)) => {
                    budget -= c.position - prev_pos - 1;
                    j = j + 1 + k;
                    hits.push(j);
                }
                None => {
                    hits.clear();
                    break;
                }
            }
        }
        marked.extend(hits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn marked<'a>(plan: &HighlightPlan, text: &'a str) -> Vec<&'a str> {
        plan.ranges(text)
            .iter()
            .map(|r| &text[r[0]..r[1]])
            .collect()
    }

    #[test]
    fn a_phrase_prefix_marks_the_phrase_whose_last_word_starts_with_it() {
        let plan = phrase(["crime", "gangst"], 0, true);
        assert_eq!(
            marked(&plan, "Crime gangsters and crime gangs; gangsters."),
            ["Crime", "gangsters"]
        );
    }

    fn term(t: &str) -> Matcher {
        Matcher::Term(t.into())
    }

    /// A plan marking one phrase of indexed terms.
    fn phrase<S: Into<String>>(
        terms: impl IntoIterator<Item = S>,
        slop: u32,
        prefix: bool,
    ) -> HighlightPlan {
        HighlightPlan {
            matchers: vec![Matcher::Phrase {
                terms: terms.into_iter().map(Into::into).collect(),
                slop,
                prefix,
            }],
        }
    }

    #[test]
    fn terms_match_any_inflection() {
        let plan = HighlightPlan {
            matchers: vec![term("gang")],
        };
        assert_eq!(
            marked(&plan, "Gangs and a gang, gang’s"),
            ["Gangs", "gang", "gang"]
        );
    }

    #[test]
    fn phrases_mark_only_adjacent_pairs() {
        let plan = phrase(analysis::terms("QUDS force"), 0, false);
        let text = "QUDS is a force. The QUDS force acts. Force of QUDS.";
        assert_eq!(marked(&plan, text), ["QUDS", "force"]);
        assert_eq!(plan.ranges(text), [[21, 25], [26, 31]]);
    }

    #[test]
    fn sloppy_phrases_allow_gaps() {
        let plan = phrase(["crime", "gang"], 1, false);
        assert_eq!(
            marked(&plan, "crime and gangs; crime big bad gangs"),
            ["crime", "gangs"]
        );
    }

    #[test]
    fn prefixes() {
        let plan = HighlightPlan {
            matchers: vec![Matcher::Prefix("assass".into())],
        };
        assert_eq!(marked(&plan, "an assassination plot"), ["assassination"]);
    }

    fn plan_from(words: &[String], kinds: &[u8]) -> HighlightPlan {
        let matchers = words
            .iter()
            .zip(kinds)
            .enumerate()
            .map(|(i, (w, k))| match k % 4 {
                0 | 1 => Matcher::Term(w.clone()),
                2 => Matcher::Prefix(w.chars().take(3).collect()),
                _ => Matcher::Phrase {
                    terms: vec![w.clone(), words[(i + 1) % words.len()].clone()],
                    slop: u32::from(k % 3),
                    prefix: false,
                },
            })
            .collect();
        HighlightPlan { matchers }
    }

    proptest! {
        /// Keeping only the tokens a matcher names marks what looking at
        /// every token marks.
        #[test]
        fn candidate_tokens_mark_what_all_tokens_mark(
            text in "([a-zA-Z]{1,6}|AK47|U\\.S\\.|gangs?|crime)( |, |\\. ){0,40}",
            picks in proptest::collection::vec((0usize..40, 0u8..12), 1..5),
        ) {
            let all = analysis::tokens_with(&mut analysis::analyzer(), &text);
            prop_assume!(!all.is_empty());
            let words: Vec<String> = picks.iter().map(|(i, _)| all[i % all.len()].term.clone()).collect();
            let kinds: Vec<u8> = picks.iter().map(|(_, k)| *k).collect();
            let plan = plan_from(&words, &kinds);
            prop_assert_eq!(plan.ranges(&text), plan.ranges_in(&all));
        }
    }

    #[test]
    fn word_parts_join_into_one_range() {
        let plan = phrase(["ak", "47"], 0, false);
        assert_eq!(marked(&plan, "an AK47-style rifle"), ["AK47"]);
    }
}
