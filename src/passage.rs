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
        let ascii = body[para.clone()].is_ascii();
        for sentence in sentences(body, para.clone()) {
            let text = &body[sentence.clone()];
            let words = if ascii {
                crate::analysis::ascii_word_count(text)
            } else {
                crate::analysis::words(text).count()
            };
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
    // end (UAX #29 would break there): segment as if breaks were spaces.
    let text = &body[para.clone()];
    if text.is_ascii() {
        // Most news text: the same rules, without Unicode table lookups.
        let pieces = ascii::sentence_breaks(text);
        let pieces = pieces.windows(2).map(|w| (w[0], &text[w[0]..w[1]]));
        return glue_sentences(text, para.start, pieces, true);
    }
    // Both are one byte, so offsets in the copy are offsets in the text.
    let flat: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    glue_sentences(
        &flat,
        para.start,
        flat.split_sentence_bound_indices(),
        false,
    )
}

/// Turns UAX #29 sentence pieces of `text` (which starts at byte `base` of
/// the body) into trimmed sentence ranges, gluing a piece to the previous
/// one after an abbreviation, when it has no words, or when it starts in
/// lower case. `ascii` says the text is ASCII, where a word is any letter
/// or digit.
fn glue_sentences<'a>(
    text: &'a str,
    base: usize,
    pieces: impl Iterator<Item = (usize, &'a str)>,
    ascii: bool,
) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut glue_next = false;
    for (offset, piece) in pieces {
        let Some(range) = trim_range(text, offset..offset + piece.len()) else {
            continue;
        };
        let sentence = &text[range.clone()];
        let range = base + range.start..base + range.end;
        let wordless = if ascii {
            !sentence.bytes().any(|b| b.is_ascii_alphanumeric())
        } else {
            sentence.unicode_words().next().is_none()
        };
        match out.last_mut() {
            Some(prev) if glue_next || wordless || starts_lowercase(sentence) => {
                prev.end = range.end
            }
            _ => out.push(range),
        }
        glue_next = ends_with_abbreviation(sentence);
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
    last.split('.').all(|p| {
        let mut chars = p.chars();
        chars.next().is_some_and(char::is_alphabetic) && chars.next().is_none()
    })
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

/// Sentence and word segmentation of ASCII text, the common case, without
/// the Unicode table lookups that dominate `unicode-segmentation`'s cost.
/// Each gives exactly what `unicode-segmentation` gives on the same text
/// (with line breaks read as spaces); the tests check this.
mod ascii {
    /// UAX #29 sentence break property of the ASCII characters. Line
    /// breaks are spaces here, as hard wrapping does not end sentences.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Cat {
        ATerm,
        STerm,
        Close,
        Sp,
        Upper,
        Lower,
        Numeric,
        SContinue,
        Other,
    }

    /// [`category`] of every byte, looked up once per byte of text.
    static CATS: [Cat; 256] = {
        let mut table = [Cat::Other; 256];
        let mut b = 0;
        while b < 256 {
            table[b] = category(b as u8);
            b += 1;
        }
        table
    };

    #[inline]
    fn cat(b: u8) -> Cat {
        CATS[b as usize]
    }

    const fn category(b: u8) -> Cat {
        match b {
            b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' => Cat::Sp,
            b'.' => Cat::ATerm,
            b'!' | b'?' => Cat::STerm,
            b'"' | b'\'' | b'(' | b')' | b'[' | b']' | b'{' | b'}' => Cat::Close,
            b'A'..=b'Z' => Cat::Upper,
            b'a'..=b'z' => Cat::Lower,
            b'0'..=b'9' => Cat::Numeric,
            b',' | b'-' | b':' | b';' => Cat::SContinue,
            _ => Cat::Other,
        }
    }

    /// What the last characters were, as `unicode-segmentation` tracks it:
    /// runs of Close and of Sp count once.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Part {
        Sot,
        Other,
        ATerm,
        UpperLower,
        ClosePlus,
        SpPlus,
        STerm,
    }

    type State = [Part; 4];

    fn advance(s: State, c: Cat) -> State {
        match (s[3], c) {
            (Part::ClosePlus, Cat::Close) | (Part::SpPlus, Cat::Sp) => s,
            _ => [s[1], s[2], s[3], part_of(c)],
        }
    }

    /// The part a byte shifts into the state after a different part.
    static PARTS: [Part; 256] = {
        let mut table = [Part::Other; 256];
        let mut b = 0;
        while b < 256 {
            table[b] = part_of(category(b as u8));
            b += 1;
        }
        table
    };

    const fn part_of(c: Cat) -> Part {
        match c {
            Cat::ATerm => Part::ATerm,
            Cat::Upper | Cat::Lower => Part::UpperLower,
            Cat::Close => Part::ClosePlus,
            Cat::Sp => Part::SpPlus,
            Cat::STerm => Part::STerm,
            _ => Part::Other,
        }
    }

    /// The terminator before any Close+ Sp+ at the end of the state.
    fn terminator(s: &State, skip_sp: bool) -> Part {
        let mut i = 3;
        if skip_sp && s[i] == Part::SpPlus {
            i -= 1;
        }
        if s[i] == Part::ClosePlus {
            i -= 1;
        }
        s[i]
    }

    fn is_term(p: Part) -> bool {
        p == Part::STerm || p == Part::ATerm
    }

    /// SB8: after ATerm Close* Sp*, no break if a lower-case letter comes
    /// before any letter or terminator.
    fn sb8(s: &State, ahead: &[u8]) -> bool {
        if terminator(s, true) != Part::ATerm {
            return false;
        }
        for &b in ahead {
            match cat(b) {
                Cat::Lower => return true,
                Cat::Upper | Cat::STerm | Cat::ATerm => return false,
                _ => {}
            }
        }
        false
    }

    /// Byte offsets of the sentence breaks of `text`, its start and end
    /// included (none for an empty text).
    ///
    /// A break can only follow a terminator (`.` `!` `?`, then any closing
    /// punctuation and spaces): every rule that breaks looks back to one.
    /// So the rules run from the start of the text and from each terminator
    /// (found with `memchr`), each time until the state holds no terminator
    /// any more; the text in between is skipped unread. The state before a
    /// terminator is rebuilt by reading back from it (see [`state_before`]).
    pub(super) fn sentence_breaks(text: &str) -> Vec<usize> {
        let bytes = text.as_bytes();
        let mut breaks = Vec::new();
        if bytes.is_empty() {
            return breaks;
        }
        let mut pos = run_rules(bytes, 0, [Part::Sot; 4], &mut breaks);
        for t in memchr::memchr3_iter(b'.', b'!', b'?', bytes) {
            if t >= pos {
                pos = run_rules(bytes, t, state_before(bytes, t), &mut breaks);
            }
        }
        breaks.push(bytes.len());
        breaks
    }

    /// Applies the sentence rules byte by byte from `pos`, where the state
    /// is `state`, until no terminator is left in the state (after the
    /// first byte). Returns where it stopped.
    fn run_rules(bytes: &[u8], mut pos: usize, mut state: State, breaks: &mut Vec<usize>) -> usize {
        let first = pos;
        while pos < bytes.len() {
            if pos > first && !is_term(terminator(&state, true)) {
                break;
            }
            let b = bytes[pos];
            pos += 1;
            let before = state;
            let c = cat(b);
            state = advance(state, c);
            // After a letter or other non-terminal, nothing below can break.
            if matches!(before[3], Part::UpperLower | Part::Other) {
                continue;
            }
            let no_break = match c {
                _ if before[3] == Part::Sot => {
                    breaks.push(pos - 1);
                    continue;
                }
                Cat::Numeric if before[3] == Part::ATerm => true,
                Cat::Upper if before[2] == Part::UpperLower && before[3] == Part::ATerm => true,
                _ if sb8(&before, &bytes[pos - 1..]) => true,
                Cat::SContinue | Cat::STerm | Cat::ATerm if is_term(terminator(&before, true)) => {
                    true
                }
                Cat::Close | Cat::Sp if is_term(terminator(&before, false)) => true,
                Cat::Sp if is_term(terminator(&before, true)) => true,
                _ => !is_term(terminator(&before, true)),
            };
            if !no_break {
                breaks.push(pos - 1);
            }
        }
        pos
    }

    /// The state [`advance`] reaches at byte `pos` of `bytes`: the last
    /// four parts before it, runs of Close and of Sp counting once, read
    /// backwards (start of text before the first byte).
    fn state_before(bytes: &[u8], pos: usize) -> State {
        let mut state = [Part::Sot; 4];
        let mut filled = 0;
        for &b in bytes[..pos].iter().rev() {
            let part = PARTS[b as usize];
            let newest_kept = state[4 - filled.max(1)];
            if filled > 0 && newest_kept == part && matches!(part, Part::ClosePlus | Part::SpPlus) {
                continue;
            }
            filled += 1;
            state[4 - filled] = part;
            if filled == 4 {
                break;
            }
        }
        state
    }
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

    /// ASCII text rich in what sentence and word rules look at.
    fn ascii_text() -> impl Strategy<Value = String> {
        "([a-zA-Z0-9]{1,5}|[.?!\"'()\\[\\]{},:;_ \t\n\r-]|Mr\\.|U\\.S\\.|\\. [a-z]|\\. [A-Z]|#|\\$|/){0,80}"
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn ascii_sentence_breaks_match_unicode_segmentation(text in ascii_text()) {
            let flat: String = text.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect();
            let mut expected: Vec<usize> = flat.split_sentence_bound_indices().map(|(i, _)| i).collect();
            if !flat.is_empty() {
                expected.push(flat.len());
            }
            prop_assert_eq!(ascii::sentence_breaks(&text), expected);
        }
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
