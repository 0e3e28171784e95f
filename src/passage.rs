//! Cutting an article body into passages: runs of whole sentences of about
//! the configured size, that together cover the body.
//!
//! Invariant (property-tested): passages are in order, do not overlap, and
//! every byte of the body outside them is white space, so nothing is lost.
//!
//! ```
//! use passim::passage::{cut, PassageConfig};
//! let body = "Mr. Smith went to Washington. He met the U.S. President there.";
//! let spans = cut(body, &PassageConfig::new(60));
//! assert_eq!(spans.len(), 1);
//! assert_eq!(&body[spans[0].start..spans[0].end], body);
//! ```

use std::ops::Range;

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

/// The default target passage size in words.
pub const DEFAULT_PASSAGE_WORDS: usize = 60;

/// How passages are sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassageConfig {
    /// Target size in words; passages run from 2/3 to 4/3 of it where
    /// sentence and paragraph ends allow.
    pub target_words: usize,
}

impl Default for PassageConfig {
    fn default() -> Self {
        PassageConfig::new(DEFAULT_PASSAGE_WORDS)
    }
}

impl PassageConfig {
    /// A config aiming at `target_words` words per passage (at least 5).
    pub fn new(target_words: usize) -> Self {
        PassageConfig {
            target_words: target_words.max(5),
        }
    }
    fn min_words(&self) -> usize {
        self.target_words * 2 / 3
    }
    fn max_words(&self) -> usize {
        self.target_words * 4 / 3
    }
    /// A single sentence longer than this is cut at word boundaries.
    fn hard_cap(&self) -> usize {
        self.target_words * 2
    }
}

/// One passage: a byte range of the article body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassageSpan {
    /// 0-based position of the passage within its article.
    pub ordinal: usize,
    /// Byte offset of the first byte in the body.
    pub start: usize,
    /// Byte offset one past the last byte in the body.
    pub end: usize,
}

/// A sentence (or a word-cut piece of an over-long one).
#[derive(Debug, Clone)]
struct Unit {
    range: Range<usize>,
    words: usize,
    ends_paragraph: bool,
}

/// Cuts `body` into passages.
pub fn cut(body: &str, config: &PassageConfig) -> Vec<PassageSpan> {
    let mut units = Vec::new();
    for para in paragraphs(body) {
        let before = units.len();
        for sentence in sentences(body, para.clone()) {
            let words = body[sentence.clone()].unicode_words().count();
            if words > config.hard_cap() {
                split_long(body, sentence, config.target_words, &mut units);
            } else {
                units.push(Unit {
                    range: sentence,
                    words,
                    ends_paragraph: false,
                });
            }
        }
        if units.len() > before {
            units.last_mut().expect("non-empty").ends_paragraph = true;
        }
    }
    group(units, config)
}

fn group(units: Vec<Unit>, config: &PassageConfig) -> Vec<PassageSpan> {
    let mut spans: Vec<(Range<usize>, usize)> = Vec::new();
    let mut current: Option<(Range<usize>, usize)> = None;
    for unit in units {
        if let Some((range, words)) = current.take() {
            if words >= config.min_words() && words + unit.words > config.max_words() {
                spans.push((range, words));
            } else {
                current = Some((range, words));
            }
        }
        let (range, words) = match current.take() {
            Some((range, words)) => (range.start..unit.range.end, words + unit.words),
            None => (unit.range.clone(), unit.words),
        };
        if unit.ends_paragraph && words >= config.min_words() {
            spans.push((range, words));
        } else {
            current = Some((range, words));
        }
    }
    if let Some((range, words)) = current {
        // A short tail reads better as the end of the previous passage.
        match spans.last_mut() {
            Some((prev, prev_words))
                if words < config.min_words() / 2 && *prev_words + words <= config.hard_cap() =>
            {
                prev.end = range.end;
                *prev_words += words;
            }
            _ => spans.push((range, words)),
        }
    }
    spans
        .into_iter()
        .enumerate()
        .map(|(ordinal, (r, _))| PassageSpan {
            ordinal,
            start: r.start,
            end: r.end,
        })
        .collect()
}

/// Paragraphs: runs of lines separated by blank lines, trimmed.
fn paragraphs(body: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        if blank {
            if let Some(s) = start.take() {
                out.push(s..end);
            }
        } else {
            if start.is_none() {
                start = Some(offset);
            }
            end = offset + line.len();
        }
        offset += line.len();
    }
    if let Some(s) = start {
        out.push(s..end);
    }
    out.into_iter()
        .filter_map(|r| trim_range(body, r))
        .collect()
}

/// Sentence ranges (trimmed) within one paragraph.
fn sentences(body: &str, para: Range<usize>) -> Vec<Range<usize>> {
    // A single line break inside a paragraph is hard wrapping, not a sentence
    // end (UAX #29 would break there). Segment a copy with the breaks turned
    // into spaces: both are one byte, so offsets carry over unchanged.
    let flat: String = body[para.clone()]
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut glue_next = false;
    for (offset, piece) in flat.split_sentence_bound_indices() {
        let Some(range) = trim_range(&flat, offset..offset + piece.len()) else {
            continue;
        };
        let text = &flat[range.clone()];
        let range = para.start + range.start..para.start + range.end;
        let wordless = text.unicode_words().next().is_none();
        match out.last_mut() {
            Some(prev) if glue_next || wordless || starts_lowercase(text) => prev.end = range.end,
            _ => out.push(range),
        }
        glue_next = ends_with_abbreviation(text);
    }
    out
}

fn starts_lowercase(text: &str) -> bool {
    text.chars()
        .find(|c| c.is_alphanumeric())
        .is_some_and(|c| c.is_lowercase())
}

/// True when a sentence piece ends in an abbreviation after which a
/// capitalised word is not a new sentence: titles (Mr., Dr., St.), dotted
/// initialisms (U.S., U.K., e.g.) and single initials (John F. Kennedy).
fn ends_with_abbreviation(piece: &str) -> bool {
    const TITLES: &[&str] = &[
        "Mr", "Mrs", "Ms", "Dr", "St", "Prof", "Gen", "Sen", "Rep", "Gov", "Lt", "Col", "Sgt",
        "Capt", "Cmdr", "Adm", "Maj", "Jr", "Sr", "Rev", "Hon", "Mt", "Ft", "No", "vs", "Vs",
        "Messrs", "Mme", "Mlle", "Jan", "Feb", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec", "approx",
        "est", "Inc", "Corp", "Ltd", "Co", "Bros",
    ];
    let Some(stem) = piece.strip_suffix('.') else {
        return false;
    };
    let last = stem
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"' || c == '“')
        .next()
        .unwrap_or("");
    if TITLES.contains(&last) {
        return true;
    }
    // Dotted initialisms: every dot-separated part is one letter.
    let parts: Vec<&str> = last.split('.').collect();
    parts
        .iter()
        .all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic))
}

/// Cuts an over-long sentence at word boundaries into pieces of `size` words.
fn split_long(body: &str, sentence: Range<usize>, size: usize, units: &mut Vec<Unit>) {
    let text = &body[sentence.clone()];
    let mut piece_start = 0;
    let mut words = 0;
    for (offset, segment) in text.split_word_bound_indices() {
        if segment.chars().any(char::is_alphanumeric) {
            if words == size {
                if let Some(r) = trim_range(text, piece_start..offset) {
                    units.push(Unit {
                        range: sentence.start + r.start..sentence.start + r.end,
                        words,
                        ends_paragraph: false,
                    });
                }
                piece_start = offset;
                words = 0;
            }
            words += 1;
        }
    }
    if let Some(r) = trim_range(text, piece_start..text.len()) {
        units.push(Unit {
            range: sentence.start + r.start..sentence.start + r.end,
            words,
            ends_paragraph: false,
        });
    }
}

/// `range` without leading and trailing white space, or None if nothing is left.
fn trim_range(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let slice = &text[range.clone()];
    let trimmed_start = slice.trim_start();
    let start = range.start + (slice.len() - trimmed_start.len());
    let end = start + trimmed_start.trim_end().len();
    (end > start).then_some(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn texts(body: &str, words: usize) -> Vec<&str> {
        cut(body, &PassageConfig::new(words))
            .iter()
            .map(|s| &body[s.start..s.end])
            .collect()
    }

    #[test]
    fn keeps_abbreviations_inside_sentences() {
        let body = "Mr. Mehdiyev met Dr. Jones at St. Paul's. The U.S. Attorney spoke. Then John F. Kennedy Jr. arrived.";
        let s = sentences(body, 0..body.len());
        let got: Vec<&str> = s.iter().map(|r| &body[r.clone()]).collect();
        assert_eq!(
            got,
            [
                "Mr. Mehdiyev met Dr. Jones at St. Paul's.",
                "The U.S. Attorney spoke.",
                "Then John F. Kennedy Jr. arrived."
            ]
        );
    }

    #[test]
    fn hard_wrapped_lines_are_not_sentence_ends() {
        let body = "The company said\nprofits rose sharply. Shares\nfell.";
        let s = sentences(body, 0..body.len());
        assert_eq!(s.len(), 2);
        assert_eq!(
            &body[s[0].clone()],
            "The company said\nprofits rose sharply."
        );
    }

    #[test]
    fn passages_hold_whole_sentences_of_target_size() {
        let sentence = "This sentence has exactly eight words in it. ";
        let body = sentence.repeat(40);
        let passages = texts(&body, 60);
        assert!(passages.len() >= 4);
        for p in &passages {
            assert!(p.ends_with("in it."), "{p}");
            let words = p.unicode_words().count();
            assert!((40..=88).contains(&words), "{words} words");
        }
    }

    #[test]
    fn an_over_long_sentence_is_cut_at_word_boundaries() {
        let body = "word ".repeat(500);
        let passages = texts(body.trim(), 60);
        assert!(passages.len() > 5);
        assert!(passages.iter().all(|p| p.unicode_words().count() <= 120));
        assert!(
            passages
                .iter()
                .all(|p| p.starts_with("word") && p.ends_with("word"))
        );
    }

    #[test]
    fn ordinals_count_from_zero() {
        let body = "One. Two.\n\nThree.";
        let spans = cut(body, &PassageConfig::new(5));
        let ordinals: Vec<usize> = spans.iter().map(|s| s.ordinal).collect();
        assert_eq!(ordinals, (0..spans.len()).collect::<Vec<_>>());
    }

    #[test]
    fn empty_and_blank_bodies_have_no_passages() {
        assert!(texts("", 60).is_empty());
        assert!(texts(" \n\n\t ", 60).is_empty());
    }

    fn check_cover(body: &str, spans: &[PassageSpan]) -> Result<(), TestCaseError> {
        let mut pos = 0;
        for (i, s) in spans.iter().enumerate() {
            prop_assert_eq!(s.ordinal, i);
            prop_assert!(s.start >= pos, "overlap at passage {}", i);
            prop_assert!(s.end > s.start, "empty passage {}", i);
            prop_assert!(body.is_char_boundary(s.start) && body.is_char_boundary(s.end));
            prop_assert!(
                body[pos..s.start].trim().is_empty(),
                "lost text before passage {}",
                i
            );
            pos = s.end;
        }
        prop_assert!(body[pos..].trim().is_empty(), "lost text at the end");
        Ok(())
    }

    fn article_text() -> impl Strategy<Value = String> {
        let word = prop_oneof![
            "[a-zA-Z]{1,12}",
            Just("Mr.".to_string()),
            Just("U.S.".to_string()),
            Just("Erdoğan".to_string()),
            Just("“quoted”".to_string()),
            Just("$US1000".to_string()),
            Just("—".to_string()),
            Just("محمد".to_string()),
            "[0-9]{1,4}",
        ];
        let sep = prop_oneof![
            6 => Just(" ".to_string()),
            2 => Just(". ".to_string()),
            1 => Just("? ".to_string()),
            1 => Just("\n".to_string()),
            1 => Just("\n\n".to_string()),
            1 => Just("  \t".to_string()),
        ];
        proptest::collection::vec((word, sep), 0..400)
            .prop_map(|v| v.into_iter().map(|(w, s)| w + &s).collect())
    }

    proptest! {
        #[test]
        fn passages_cover_the_body_in_order(body in article_text(), words in 5usize..120) {
            let spans = cut(&body, &PassageConfig::new(words));
            check_cover(&body, &spans)?;
        }

        #[test]
        fn passages_cover_arbitrary_unicode(body in "\\PC{0,600}", words in 5usize..80) {
            let spans = cut(&body, &PassageConfig::new(words));
            check_cover(&body, &spans)?;
        }
    }
}
