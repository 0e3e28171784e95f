//! The one analyzer passim uses everywhere: indexing, query parsing and
//! highlighting all see the same terms, so a highlight can never disagree
//! with the match that produced it.
//!
//! Pipeline: Unicode word boundaries (UAX #29) → word clean-up (possessives,
//! apostrophes, dotted abbreviations, letter/digit splits) → lower-casing →
//! diacritic folding → long-token removal → English (Snowball) stemming.
//!
//! ```
//! let terms = passim::analysis::terms("Erdoğan's gangs assassinated the U.S. envoy");
//! assert_eq!(terms, ["erdogan", "gang", "assassin", "the", "us", "envoy"]);
//! ```

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, Stemmer, TextAnalyzer, Token,
    TokenStream, Tokenizer,
};
use unicode_segmentation::UnicodeSegmentation;

/// The name under which the analyzer is registered with tantivy.
pub const ANALYZER_NAME: &str = "passim";

/// Tokens longer than this (in bytes, before folding) are dropped: they are
/// uuencoded attachments, hashes and URLs run together, never words people search.
pub const MAX_TOKEN_BYTES: usize = 48;

/// Builds the analyzer. Cheap enough to call per thread.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer)
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// A term with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzedToken {
    /// The indexed form ("gang" for "Gangs").
    pub term: String,
    /// Byte range of the surface form in the analyzed text.
    pub start: usize,
    pub end: usize,
    /// Token position, as used by phrase queries.
    pub position: usize,
}

/// Runs `analyzer` over `text`, collecting every token.
pub fn tokens_with(analyzer: &mut TextAnalyzer, text: &str) -> Vec<AnalyzedToken> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push(AnalyzedToken {
            term: t.text.clone(),
            start: t.offset_from,
            end: t.offset_to,
            position: t.position,
        });
    }
    out
}

/// The indexed terms of `text`, in order.
pub fn terms(text: &str) -> Vec<String> {
    tokens_with(&mut analyzer(), text)
        .into_iter()
        .map(|t| t.term)
        .collect()
}

/// Splits text into words on Unicode word boundaries and tidies each word
/// so that the forms people type and the forms printed in news agree:
///
/// - possessive `'s` / `’s` is dropped and left out of the token's range
///   ("Alinejad’s" → "Alinejad"), other apostrophes are removed ("don't" → "dont");
/// - dots inside letter groups are removed ("U.S." → "US", "e.g." → "eg");
/// - digit group commas are removed ("1,000" → "1000");
/// - a word that switches between letters and digits is split there
///   ("$US1000" → "US", "1000"; "AK47" → "AK", "47"), each part its own position.
#[derive(Clone, Copy, Debug, Default)]
pub struct WordTokenizer;

/// Token stream over precomputed tokens.
pub struct WordTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream {
        let mut tokens = Vec::new();
        let mut position = 0usize;
        for (offset, word) in text.unicode_word_indices() {
            let word_len = strip_possessive(word);
            let word = &word[..word_len];
            for (from, to) in split_letters_digits(word) {
                let part = &word[from..to];
                let mut clean = String::with_capacity(part.len());
                let has_letter = part.chars().any(char::is_alphabetic);
                for c in part.chars() {
                    match c {
                        '\'' | '’' | 'ʼ' | '‘' => {}
                        '.' if has_letter => {}
                        ',' if !has_letter => {}
                        _ => clean.push(c),
                    }
                }
                if clean.is_empty() {
                    continue;
                }
                tokens.push(Token {
                    offset_from: offset + from,
                    offset_to: offset + to,
                    position,
                    text: clean,
                    position_length: 1,
                });
                position += 1;
            }
        }
        WordTokenStream { tokens, index: 0 }
    }
}

impl TokenStream for WordTokenStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

/// Length of `word` without a trailing possessive `'s` or `’s`.
fn strip_possessive(word: &str) -> usize {
    for suffix in ["'s", "'S", "’s", "’S"] {
        if let Some(stem) = word.strip_suffix(suffix)
            && !stem.is_empty()
        {
            return stem.len();
        }
    }
    word.len()
}

/// Byte ranges of the runs of `word` that stay on one side of a
/// letter/digit switch. Punctuation kept inside a word by UAX #29
/// (apostrophes, dots, commas) belongs to the run it sits in.
fn split_letters_digits(word: &str) -> Vec<(usize, usize)> {
    #[derive(PartialEq, Clone, Copy)]
    enum Kind {
        Letter,
        Digit,
    }
    let mut parts = Vec::new();
    let mut start = 0;
    let mut current: Option<Kind> = None;
    for (i, c) in word.char_indices() {
        let kind = if c.is_numeric() {
            Some(Kind::Digit)
        } else if c.is_alphabetic() {
            Some(Kind::Letter)
        } else {
            None
        };
        if let (Some(k), Some(cur)) = (kind, current)
            && k != cur
        {
            parts.push((start, i));
            start = i;
        }
        if kind.is_some() {
            current = kind;
        }
    }
    parts.push((start, word.len()));
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surface(text: &str) -> Vec<&str> {
        tokens_with(&mut analyzer(), text)
            .into_iter()
            .map(|t| &text[t.start..t.end])
            .collect()
    }

    #[test]
    fn stems_plurals_and_derivations() {
        assert_eq!(terms("gangs gang"), ["gang", "gang"]);
        assert_eq!(terms("assassination"), terms("assassinate"));
    }

    #[test]
    fn folds_diacritics_and_case() {
        assert_eq!(terms("Erdoğan"), terms("erdogan"));
        // Azerbaijani schwa folds to "a", as English spells the name.
        assert_eq!(terms("Əliyev"), terms("Aliyev"));
        assert_eq!(terms("QUDS"), terms("quds"));
    }

    #[test]
    fn abbreviations_and_apostrophes() {
        assert_eq!(terms("U.S."), ["us"]);
        assert_eq!(terms("don't"), terms("dont"));
        assert_eq!(terms("don’t"), terms("dont"));
        assert_eq!(terms("Tehran’s"), ["tehran"]);
        assert_eq!(surface("Ms Alinejad’s home"), ["Ms", "Alinejad", "home"]);
    }

    #[test]
    fn splits_letters_from_digits() {
        assert_eq!(terms("$US1000"), ["us", "1000"]);
        assert_eq!(
            surface("an AK47-style rifle"),
            ["an", "AK", "47", "style", "rifle"]
        );
        assert_eq!(terms("1,000"), ["1000"]);
    }

    #[test]
    fn keeps_non_latin_scripts() {
        assert_eq!(terms("محمد"), ["محمد"]);
        assert_eq!(terms("Ардагани"), ["ардагани"]);
    }

    #[test]
    fn positions_are_consecutive() {
        let toks = tokens_with(&mut analyzer(), "QUDS force AK47");
        let pos: Vec<_> = toks.iter().map(|t| t.position).collect();
        assert_eq!(pos, [0, 1, 2, 3]);
    }

    #[test]
    fn drops_very_long_tokens() {
        let long = "M".repeat(61);
        assert_eq!(terms(&format!("a {long} b")), ["a", "b"]);
    }
}
