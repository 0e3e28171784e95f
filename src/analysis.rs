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

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, Stemmer,
    TextAnalyzer, Token, TokenStream, Tokenizer,
};
use unicode_segmentation::{UnicodeSegmentation, UnicodeWordIndices};

/// The name under which the analyzer is registered with tantivy.
pub const ANALYZER_NAME: &str = "passim";

/// Tokens longer than this (in bytes, before folding) are dropped: they are
/// uuencoded attachments, hashes and URLs run together, never words people search.
pub const MAX_TOKEN_BYTES: usize = 48;

/// Distinct words whose indexed form one analyzer remembers before it starts
/// afresh; bounds its memory (about 100 bytes a word) while keeping the hit
/// rate high on news text, whose common words recur in every passage.
pub const TERM_CACHE_WORDS: usize = 50_000;

/// Builds the analyzer. Cheap to call, but each analyzer learns the indexed
/// form of the words it sees, so reusing one is faster than building one per text.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::from(PassimTokenizer::default())
}

/// The per-word normalisation chain: lower-casing, diacritic folding,
/// long-token removal and English stemming, applied to one cleaned word.
fn normalizer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
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

/// The word parts of a text, each cleaned, with positions: the splitting
/// [`WordTokenizer`] documents, shared by it and [`PassimTokenizer`].
struct WordParts<'a> {
    words: UnicodeWordIndices<'a>,
    /// The word being split into letter/digit parts, its offset, and where
    /// its next part starts.
    word: &'a str,
    word_offset: usize,
    part_start: usize,
    position: usize,
}

impl<'a> WordParts<'a> {
    fn new(text: &'a str) -> Self {
        WordParts {
            words: text.unicode_word_indices(),
            word: "",
            word_offset: 0,
            part_start: 0,
            position: 0,
        }
    }

    /// Writes the next part's cleaned text into `clean` and returns its byte
    /// range in the text and its position.
    fn next_part(&mut self, clean: &mut String) -> Option<(usize, usize, usize)> {
        loop {
            while self.part_start >= self.word.len() {
                let (offset, word) = self.words.next()?;
                self.word = &word[..strip_possessive(word)];
                self.word_offset = offset;
                self.part_start = 0;
            }
            let from = self.part_start;
            let to = part_end(self.word, from);
            self.part_start = to;
            clean_part(&self.word[from..to], clean);
            if clean.is_empty() {
                continue;
            }
            let position = self.position;
            self.position += 1;
            return Some((self.word_offset + from, self.word_offset + to, position));
        }
    }
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
///
/// Its tokens keep their case; [`analyzer`] goes on to normalise them.
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
        let mut parts = WordParts::new(text);
        let mut clean = String::new();
        while let Some((offset_from, offset_to, position)) = parts.next_part(&mut clean) {
            tokens.push(Token {
                offset_from,
                offset_to,
                position,
                text: clean.clone(),
                position_length: 1,
            });
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

/// passim's tokenizer: [`WordTokenizer`]'s words, lower-cased,
/// diacritic-folded, long ones dropped, stemmed (English) — in one pass.
///
/// It gives exactly the tokens of `WordTokenizer` followed by tantivy's
/// `LowerCaser`, `AsciiFoldingFilter`, `RemoveLongFilter` and `Stemmer`
/// (a property test checks this), but remembers the indexed form of each
/// word it has seen (up to [`TERM_CACHE_WORDS`]), so the stemmer runs once
/// per distinct word rather than once per occurrence, and it allocates
/// nothing per token. Indexing, query parsing and highlighting spend most
/// of their analysis time on words already seen.
pub struct PassimTokenizer {
    normalizer: TextAnalyzer,
    /// Cleaned surface word → indexed form (None: dropped as too long).
    cache: HashMap<ShortWord, Option<ShortWord>, BuildHasherDefault<WordHasher>>,
    clean: String,
}

impl Default for PassimTokenizer {
    fn default() -> Self {
        PassimTokenizer {
            normalizer: normalizer(),
            cache: HashMap::default(),
            clean: String::new(),
        }
    }
}

impl Clone for PassimTokenizer {
    /// A clone starts with an empty cache: tantivy clones the registered
    /// analyzer for each indexing thread and query, and copying a full cache
    /// each time would cost more than it saves.
    fn clone(&self) -> Self {
        PassimTokenizer::default()
    }
}

impl std::fmt::Debug for PassimTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassimTokenizer")
            .field("cached_words", &self.cache.len())
            .finish()
    }
}

/// Token stream of [`PassimTokenizer`].
pub struct PassimTokenStream<'a> {
    parts: WordParts<'a>,
    tokenizer: &'a mut PassimTokenizer,
    token: Token,
}

impl Tokenizer for PassimTokenizer {
    type TokenStream<'a> = PassimTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PassimTokenStream<'a> {
        PassimTokenStream {
            parts: WordParts::new(text),
            tokenizer: self,
            token: Token::default(),
        }
    }
}

impl PassimTokenizer {
    /// The indexed form of the cleaned word in `self.clean`, written to
    /// `out`; false when the word is dropped.
    fn normalize_into(&mut self, out: &mut String) -> bool {
        let key = ShortWord::new(&self.clean);
        if let Some(known) = key.and_then(|k| self.cache.get(&k)) {
            out.clear();
            return match known {
                Some(term) => {
                    out.push_str(term.as_str());
                    true
                }
                None => false,
            };
        }
        let mut stream = self.normalizer.token_stream(&self.clean);
        let term = stream.advance().then(|| stream.token().text.as_str());
        out.clear();
        out.push_str(term.unwrap_or_default());
        // Words or terms too long to pack are rare; they are not remembered.
        let value = term.map(ShortWord::new);
        if let Some(key) = key
            && value != Some(None)
        {
            if self.cache.len() >= TERM_CACHE_WORDS {
                self.cache.clear();
            }
            self.cache.insert(key, value.flatten());
        }
        term.is_some()
    }
}

/// A word of up to 23 bytes packed with its length into 24 bytes, so the
/// cache hashes and compares it without a heap allocation or a pointer to
/// follow (the cost that dominated lookups with `String` keys).
#[derive(Clone, Copy, PartialEq, Eq)]
struct ShortWord([u8; 24]);

impl ShortWord {
    fn new(word: &str) -> Option<ShortWord> {
        let len = word.len();
        if len > 23 {
            return None;
        }
        let mut bytes = [0u8; 24];
        bytes[..len].copy_from_slice(word.as_bytes());
        bytes[23] = len as u8;
        Some(ShortWord(bytes))
    }

    fn as_str(&self) -> &str {
        let len = self.0[23] as usize;
        std::str::from_utf8(&self.0[..len]).expect("built from a str")
    }
}

impl Hash for ShortWord {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for chunk in self.0.chunks_exact(8) {
            state.write_u64(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
    }
}

/// A multiply-rotate hash (the Fx hash of rustc) for [`ShortWord`] keys:
/// the cache is private to one analyzer and sees only words of the text it
/// analyzes, so a fast hash is enough and SipHash's flood resistance buys nothing.
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn finish(&self) -> u64 {
        // The multiply leaves its best bits at the top; the table indexes by the low ones.
        self.0.rotate_left(26)
    }
}

impl TokenStream for PassimTokenStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            let tokenizer = &mut *self.tokenizer;
            let Some((from, to, position)) = self.parts.next_part(&mut tokenizer.clean) else {
                return false;
            };
            // A dropped word keeps its position, as the filter chain leaves it.
            if tokenizer.normalize_into(&mut self.token.text) {
                self.token.offset_from = from;
                self.token.offset_to = to;
                self.token.position = position;
                self.token.position_length = 1;
                return true;
            }
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Writes `part` without apostrophes, and without dots (in words with a
/// letter) or commas (in numbers), into `clean`.
fn clean_part(part: &str, clean: &mut String) {
    clean.clear();
    if part.bytes().all(|b| b.is_ascii_alphanumeric()) {
        clean.push_str(part);
        return;
    }
    let has_letter = part.chars().any(char::is_alphabetic);
    for c in part.chars() {
        match c {
            '\'' | '’' | 'ʼ' | '‘' => {}
            '.' if has_letter => {}
            ',' if !has_letter => {}
            _ => clean.push(c),
        }
    }
}

/// Length of `word` without a trailing possessive `'s` or `’s`.
fn strip_possessive(word: &str) -> usize {
    // Byte tests rather than `strip_suffix`: this runs for every word.
    let b = word.as_bytes();
    let n = b.len();
    if n >= 3 && matches!(b[n - 1], b's' | b'S') {
        if b[n - 2] == b'\'' {
            return n - 2;
        }
        // ’ is E2 80 99 in UTF-8.
        if n >= 5 && b[n - 4..n - 1] == [0xE2, 0x80, 0x99] {
            return n - 4;
        }
    }
    n
}

/// End of the run of `word` starting at `start` that stays on one side of
/// a letter/digit switch. Punctuation kept inside a word by UAX #29
/// (apostrophes, dots, commas) belongs to the run it sits in.
fn part_end(word: &str, start: usize) -> usize {
    let rest = &word.as_bytes()[start..];
    if rest.is_ascii() {
        // The common case, without char decoding: only letters and digits switch.
        let mut letters: Option<bool> = None;
        for (i, &b) in rest.iter().enumerate() {
            let kind = if b.is_ascii_digit() {
                Some(false)
            } else if b.is_ascii_alphabetic() {
                Some(true)
            } else {
                None
            };
            if let (Some(k), Some(cur)) = (kind, letters)
                && k != cur
            {
                return start + i;
            }
            if kind.is_some() {
                letters = kind;
            }
        }
        return word.len();
    }
    #[derive(PartialEq, Clone, Copy)]
    enum Kind {
        Letter,
        Digit,
    }
    let mut current: Option<Kind> = None;
    for (i, c) in word[start..].char_indices() {
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
            return start + i;
        }
        if kind.is_some() {
            current = kind;
        }
    }
    word.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
    fn dropped_long_tokens_keep_their_position() {
        let long = "M".repeat(61);
        let toks = tokens_with(&mut analyzer(), &format!("a {long} b"));
        let pos: Vec<_> = toks.iter().map(|t| t.position).collect();
        assert_eq!(pos, [0, 2]);
    }

    #[test]
    fn a_reused_analyzer_gives_the_same_tokens() {
        let mut a = analyzer();
        let text = "Gangs and gangs: the gang’s AK47s";
        let first = tokens_with(&mut a, text);
        assert_eq!(tokens_with(&mut a, text), first);
        assert_eq!(tokens_with(&mut a.clone(), text), first);
    }

    /// The filter chain the fused tokenizer stands for.
    fn reference_analyzer() -> TextAnalyzer {
        TextAnalyzer::builder(WordTokenizer)
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(Stemmer::new(Language::English))
            .build()
    }

    fn news_text() -> impl Strategy<Value = String> {
        let word = prop_oneof![
            "[a-zA-Z]{1,12}",
            "[A-Z][a-z]{2,10}(s|'s|’s|ing|ed|ation)?",
            Just("U.S.".to_string()),
            Just("don't".to_string()),
            Just("Erdoğan’s".to_string()),
            Just("Əliyev".to_string()),
            Just("AK47-style".to_string()),
            Just("$US1,000".to_string()),
            Just("1,000.5".to_string()),
            Just("e.g.".to_string()),
            Just("M".repeat(60)),
            Just("naïve".to_string()),
            Just("محمد".to_string()),
            "[0-9]{1,6}",
            "\\PC{1,6}",
        ];
        let sep = prop_oneof![Just(" "), Just(", "), Just(". "), Just("\n"), Just("—")];
        proptest::collection::vec((word, sep), 0..60)
            .prop_map(|v| v.into_iter().map(|(w, s)| w + s).collect())
    }

    proptest! {
        #[test]
        fn fused_analyzer_matches_the_filter_chain(
            texts in proptest::collection::vec(news_text(), 1..6)
        ) {
            // One analyzer over several texts, so later texts hit its cache.
            let mut fused = analyzer();
            let mut reference = reference_analyzer();
            for text in &texts {
                prop_assert_eq!(tokens_with(&mut fused, text), tokens_with(&mut reference, text));
            }
        }

        #[test]
        fn fused_analyzer_matches_on_any_text(text in "\\PC{0,300}") {
            let mut fused = analyzer();
            let expected = tokens_with(&mut reference_analyzer(), &text);
            prop_assert_eq!(&tokens_with(&mut fused, &text), &expected);
            prop_assert_eq!(&tokens_with(&mut fused, &text), &expected);
        }
    }

    #[test]
    fn drops_very_long_tokens() {
        let long = "M".repeat(61);
        assert_eq!(terms(&format!("a {long} b")), ["a", "b"]);
    }
}
