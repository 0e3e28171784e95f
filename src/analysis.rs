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

use std::cell::RefCell;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};

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

/// Distinct words whose indexed form one thread remembers before it starts
/// afresh; bounds its memory (16 MB of slots at most, plus stems too long
/// to sit in a slot) while keeping the hit rate high on news text, whose
/// common words recur in every passage.
pub const TERM_CACHE_WORDS: usize = 200_000;

/// Builds the analyzer. Cheap to call: the indexed forms of the words seen
/// are remembered per thread, shared by every analyzer on it.
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
    tokens_where(analyzer, text, |_| true)
}

/// Runs `analyzer` over `text`, collecting the tokens whose term `keep`
/// accepts (the others' terms are never copied).
pub fn tokens_where(
    analyzer: &mut TextAnalyzer,
    text: &str,
    keep: impl Fn(&str) -> bool,
) -> Vec<AnalyzedToken> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        if keep(&t.text) {
            out.push(AnalyzedToken {
                term: t.text.clone(),
                start: t.offset_from,
                end: t.offset_to,
                position: t.position,
            });
        }
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
    words: Words<'a>,
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
            words: words(text),
            word: "",
            word_offset: 0,
            part_start: 0,
            position: 0,
        }
    }

    /// The next part: its byte range in the text, its position, and
    /// whether its cleaned text is in `clean` (otherwise it is the range
    /// of the text as it stands).
    // Inlined at both of the tokenizer's call sites, so that the part
    // stays in registers (returned through memory, its fields stalled the
    // loads that read them back).
    #[inline(always)]
    fn next_part(&mut self, clean: &mut String) -> Option<Part> {
        loop {
            while self.part_start >= self.word.len() {
                let (offset, word, simple) = self.words.next()?;
                if simple {
                    // ASCII letters only or digits only: one part, clean as it is.
                    self.word = "";
                    self.part_start = 0;
                    let position = self.position;
                    self.position += 1;
                    return Some(Part {
                        from: offset,
                        to: offset + word.len(),
                        position,
                        cleaned: false,
                    });
                }
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
            return Some(Part {
                from: self.word_offset + from,
                to: self.word_offset + to,
                position,
                cleaned: true,
            });
        }
    }
}

/// A word part found by [`WordParts::next_part`].
#[derive(Clone, Copy)]
struct Part {
    from: usize,
    to: usize,
    position: usize,
    /// Its cleaned text is in the buffer given to `next_part`.
    cleaned: bool,
}

impl Part {
    fn text<'s>(&self, text: &'s str, clean: &'s str) -> &'s str {
        if self.cleaned {
            clean
        } else {
            &text[self.from..self.to]
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
        while let Some(part) = parts.next_part(&mut clean) {
            tokens.push(Token {
                offset_from: part.from,
                offset_to: part.to,
                position: part.position,
                text: part.text(text, &clean).to_string(),
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
/// of their analysis time on words already seen. The cache belongs to the
/// thread, shared by every analyzer on it.
///
/// It also remembers the tokens of the last short text it analysed and
/// replays them when the same text comes again: every passage of an
/// article repeats the article's headline, which tantivy analyses with
/// the title field's own analyzer, passage after passage.
pub struct PassimTokenizer {
    normalizer: TextAnalyzer,
    /// The cleaned text of the part being analysed, and of the next one.
    clean: [String; 2],
    memo: Memo,
}

/// Texts up to this many bytes are remembered for replay (headlines;
/// passages are longer).
const MEMO_BYTES: usize = 160;

/// The tokens of the last short text analysed.
#[derive(Default)]
struct Memo {
    text: String,
    /// The indexed forms, one after the other.
    terms: String,
    /// Per token: end of its form in `terms`, byte range, position.
    tokens: Vec<(usize, usize, usize, usize)>,
    /// All of `text` was analysed (a stream dropped half-way leaves it false).
    complete: bool,
}

/// What a [`PassimTokenStream`] does besides analysing.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Replay {
    /// A long text: analyse only.
    Off,
    /// A short text not seen last time: analyse and remember.
    Record,
    /// The same short text as last time: the next remembered token.
    From(usize),
}

thread_local! {
    /// The words the analyzers of this thread have seen. One cache per
    /// thread rather than per analyzer: tantivy clones the registered
    /// analyzer for every field of every segment it writes, and separate
    /// caches would each learn the vocabulary afresh and crowd each other
    /// out of the CPU caches (lookups are bound by memory loads).
    static TERMS: RefCell<TermCache> = RefCell::new(TermCache::default());
}

impl Default for PassimTokenizer {
    fn default() -> Self {
        PassimTokenizer {
            normalizer: normalizer(),
            clean: Default::default(),
            memo: Memo::default(),
        }
    }
}

impl Clone for PassimTokenizer {
    /// A clone shares the thread's cache of indexed forms, like the original.
    fn clone(&self) -> Self {
        PassimTokenizer::default()
    }
}

impl std::fmt::Debug for PassimTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassimTokenizer").finish_non_exhaustive()
    }
}

/// Token stream of [`PassimTokenizer`].
pub struct PassimTokenStream<'a> {
    text: &'a str,
    parts: WordParts<'a>,
    tokenizer: &'a mut PassimTokenizer,
    token: Token,
    replay: Replay,
    /// The next part, found one token early: its cache lookup is started
    /// (a prefetch) while tantivy indexes the current token, because
    /// lookups are bound by memory loads that would otherwise stall.
    ahead: Option<Part>,
}

impl Tokenizer for PassimTokenizer {
    type TokenStream<'a> = PassimTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PassimTokenStream<'a> {
        let memo = &mut self.memo;
        let replay = if text.len() > MEMO_BYTES {
            Replay::Off
        } else if memo.complete && memo.text == text {
            Replay::From(0)
        } else {
            memo.text.clear();
            memo.text.push_str(text);
            memo.terms.clear();
            memo.tokens.clear();
            memo.complete = false;
            Replay::Record
        };
        PassimTokenStream {
            text,
            parts: WordParts::new(text),
            tokenizer: self,
            token: Token::default(),
            replay,
            ahead: None,
        }
    }
}

/// Cleaned surface words and their indexed forms, as one thread learns them.
#[derive(Default)]
struct TermCache {
    /// Word → its indexed form (see [`Known`]), or [`DROPPED`] when the
    /// word is dropped.
    map: WordMap,
    /// The indexed forms too long to keep in a value, one after the other:
    /// copied out without the UTF-8 check that rebuilding a `str` from
    /// packed bytes would need.
    terms: String,
}

/// The words of a [`TermCache`]: open addressing with linear probing over
/// one array of word-value slots, so that a lookup reads one cache line
/// (two slots) in most cases, and the line a word will need can be
/// prefetched from its hash alone ([`WordMap::slot`]): the tokenizer does
/// so one word ahead, and tantivy's work on the word in between hides the
/// wait for memory that dominated lookups (an array of 200,000 words does
/// not fit the CPU's caches). An empty slot holds the empty word, which is
/// never looked up.
struct WordMap {
    slots: Box<[Slot]>,
    len: usize,
}

#[derive(Clone, Copy, Default)]
#[repr(C, align(32))]
struct Slot {
    word: ShortWord,
    value: u64,
}

/// Slots of a new [`WordMap`] (a query's few words need no more); it
/// doubles when half full.
const WORD_MAP_START: usize = 1 << 10;

impl Default for WordMap {
    fn default() -> Self {
        WordMap {
            slots: vec![Slot::default(); WORD_MAP_START].into_boxed_slice(),
            len: 0,
        }
    }
}

impl WordMap {
    /// Where the probe for a word with this hash starts.
    #[inline]
    fn slot(&self, hash: u64) -> usize {
        hash as usize & (self.slots.len() - 1)
    }

    #[inline]
    fn get(&self, key: ShortWord, hash: u64) -> Option<u64> {
        let mask = self.slots.len() - 1;
        let mut i = self.slot(hash);
        loop {
            let slot = &self.slots[i];
            if slot.word == key {
                return Some(slot.value);
            }
            if slot.word == ShortWord::default() {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Adds a word that is not in the map.
    fn insert(&mut self, key: ShortWord, hash: u64, value: u64) {
        if 2 * (self.len + 1) > self.slots.len() {
            let bigger = vec![Slot::default(); 2 * self.slots.len()].into_boxed_slice();
            let old = std::mem::replace(&mut self.slots, bigger);
            for entry in old.iter().filter(|e| e.word != ShortWord::default()) {
                self.place(*entry, entry.word.hash());
            }
        }
        self.place(Slot { word: key, value }, hash);
        self.len += 1;
    }

    fn place(&mut self, entry: Slot, hash: u64) {
        let mask = self.slots.len() - 1;
        let mut i = self.slot(hash);
        while self.slots[i].word != ShortWord::default() {
            i = (i + 1) & mask;
        }
        self.slots[i] = entry;
    }

    fn len(&self) -> usize {
        self.len
    }

    fn clear(&mut self) {
        self.slots.fill(Slot::default());
        self.len = 0;
    }
}

/// How a [`TermCache`] value holds an indexed form: an ASCII form of up to
/// 7 bytes sits in the value itself (most stems: no second memory load to
/// copy it out), a longer one in [`TermCache::terms`].
enum Known {
    Dropped,
    /// Bytes, little-endian, and length.
    Inline(u64, usize),
    /// Start and length in `terms`.
    Stored(usize, usize),
}

/// [`TermCache`] value of a dropped word.
const DROPPED: u64 = u64::MAX;
/// Marks a [`TermCache`] value that holds its form (length in bits 56-58).
const INLINE: u64 = 1 << 63;

impl Known {
    fn decode(value: u64) -> Known {
        if value == DROPPED {
            Known::Dropped
        } else if value & INLINE != 0 {
            Known::Inline(value, (value >> 56) as usize & 7)
        } else {
            Known::Stored((value >> 32) as usize, (value & 0xffff_ffff) as usize)
        }
    }

    /// The value of an indexed form that fits in one.
    fn inline(term: &str) -> Option<u64> {
        (term.len() <= 7 && term.is_ascii()).then(|| {
            let mut bytes = [0u8; 8];
            bytes[..term.len()].copy_from_slice(term.as_bytes());
            u64::from_le_bytes(bytes) | (term.len() as u64) << 56 | INLINE
        })
    }
}

impl TermCache {
    /// Starts loading the slot where looking up `word` will start, without
    /// waiting for it.
    #[inline]
    fn prefetch(&self, word: &str) {
        if is_number(word) {
            return;
        }
        if let Some(key) = ShortWord::new(word) {
            let hash = key.hash();
            prefetch(&self.map.slots[self.map.slot(hash)]);
        }
    }

    /// Writes the indexed form of the cleaned `word` to `out`; false when
    /// the word is dropped.
    fn normalize(&mut self, normalizer: &mut TextAnalyzer, word: &str, out: &mut String) -> bool {
        out.clear();
        // Numbers are their own indexed form (no case, no diacritics, and
        // the stemmer leaves digits alone); they are too varied to be worth
        // remembering, or looking up.
        if is_number(word) {
            if word.len() < MAX_TOKEN_BYTES {
                out.push_str(word);
                return true;
            }
            return false;
        }
        // The key and hash were computed for the prefetch one word earlier
        // too. Carried over in the stream (tried: key and hash together),
        // they went through memory and the wide load reading them back
        // stalled on store forwarding, costing more than computing them again.
        let key = ShortWord::new(word);
        let hash = key.map_or(0, ShortWord::hash);
        if let Some(known) = key.and_then(|key| self.map.get(key, hash)) {
            match Known::decode(known) {
                Known::Dropped => return false,
                Known::Inline(bytes, len) => {
                    // ASCII bytes, one char each: no UTF-8 check (as a call
                    // to `str::from_utf8`, it was 1.5% of indexing).
                    out.extend(bytes.to_le_bytes()[..len].iter().map(|&b| char::from(b)));
                }
                Known::Stored(start, len) => out.push_str(&self.terms[start..start + len]),
            }
            return true;
        }
        let mut stream = normalizer.token_stream(word);
        let term = stream.advance().then(|| stream.token().text.as_str());
        out.push_str(term.unwrap_or_default());
        // Words too long to pack are rare; they are not remembered.
        if let Some(key) = key {
            if self.map.len() >= TERM_CACHE_WORDS {
                self.map.clear();
                self.terms.clear();
            }
            let value = term.map_or(DROPPED, |t| {
                Known::inline(t).unwrap_or_else(|| {
                    let start = self.terms.len() as u64;
                    self.terms.push_str(t);
                    start << 32 | t.len() as u64
                })
            });
            self.map.insert(key, hash, value);
        }
        term.is_some()
    }
}

/// A word of up to 23 bytes packed with its length into 24 bytes, so the
/// cache hashes and compares it without a heap allocation or a pointer to
/// follow (the cost that dominated lookups with `String` keys). It is
/// built and compared in registers, one 8-byte lane at a time: writing a
/// lane to memory and reading the word back wider (a byte-wise copy, or
/// a store of the last lane at a computed index followed by a 16-byte
/// compare) stalls the CPU on failed store forwarding, which perf showed
/// costing more than the cache lookup itself.
#[derive(Clone, Copy, Eq, Default)]
struct ShortWord([u64; 3]);

impl PartialEq for ShortWord {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        // Lane by lane, so the key stays in registers (see above).
        (self.0[0] ^ other.0[0]) | (self.0[1] ^ other.0[1]) | (self.0[2] ^ other.0[2]) == 0
    }
}

impl ShortWord {
    #[inline]
    fn new(word: &str) -> Option<ShortWord> {
        let bytes = word.as_bytes();
        let len = bytes.len();
        let lane = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
        let tail = |at: usize| if at < len { load_tail(&bytes[at..]) } else { 0 };
        let (a, b, c) = match len {
            0..=7 => (tail(0), 0, 0),
            8..=15 => (lane(0), tail(8), 0),
            16..=23 => (lane(0), lane(8), tail(16)),
            _ => return None,
        };
        // Byte 23 holds the length.
        Some(ShortWord([a, b, c | (len as u64) << 56]))
    }

    #[inline]
    fn hash(self) -> u64 {
        BuildHasherDefault::<WordHasher>::default().hash_one(self)
    }
}

/// 1 to 7 bytes as a little-endian integer, from at most two loads.
#[inline]
fn load_tail(tail: &[u8]) -> u64 {
    let n = tail.len();
    if n >= 4 {
        // Two overlapping 4-byte loads; the overlap holds the same bytes.
        let low = u32::from_le_bytes(tail[..4].try_into().expect("4 bytes")) as u64;
        let high = u32::from_le_bytes(tail[n - 4..].try_into().expect("4 bytes")) as u64;
        low | high << (8 * (n - 4))
    } else {
        tail[0] as u64
            | (tail[n / 2] as u64) << (8 * (n / 2))
            | (tail[n - 1] as u64) << (8 * (n - 1))
    }
}

impl Hash for ShortWord {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for word in self.0 {
            state.write_u64(word);
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
        let PassimTokenizer {
            normalizer,
            clean,
            memo,
        } = &mut *self.tokenizer;
        let token = &mut self.token;
        if let Replay::From(i) = self.replay {
            let Some(&(end, from, to, position)) = memo.tokens.get(i) else {
                return false;
            };
            let start = i.checked_sub(1).map_or(0, |j| memo.tokens[j].0);
            token.text.clear();
            token.text.push_str(&memo.terms[start..end]);
            (token.offset_from, token.offset_to) = (from, to);
            (token.position, token.position_length) = (position, 1);
            self.replay = Replay::From(i + 1);
            return true;
        }
        let [clean, clean_ahead] = clean;
        loop {
            let Some(part) = self
                .ahead
                .take()
                .or_else(|| self.parts.next_part(clean_ahead))
            else {
                memo.complete |= self.replay == Replay::Record;
                return false;
            };
            std::mem::swap(clean, clean_ahead);
            self.ahead = self.parts.next_part(clean_ahead);
            let word = part.text(self.text, clean);
            let kept = TERMS.with_borrow_mut(|cache| {
                if let Some(next) = &self.ahead {
                    cache.prefetch(next.text(self.text, clean_ahead));
                }
                cache.normalize(normalizer, word, &mut token.text)
            });
            // A dropped word keeps its position, as the filter chain leaves it.
            if kept {
                let Part {
                    from, to, position, ..
                } = part;
                (token.offset_from, token.offset_to) = (from, to);
                (token.position, token.position_length) = (position, 1);
                if self.replay == Replay::Record {
                    memo.terms.push_str(&token.text);
                    memo.tokens.push((memo.terms.len(), from, to, position));
                }
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

/// A word of ASCII digits only (never empty).
#[inline]
fn is_number(word: &str) -> bool {
    word.as_bytes()[0].is_ascii_digit() && word.bytes().all(|b| b.is_ascii_digit())
}

/// Asks the CPU to start loading the cache line of `item`: a hint, which
/// neither waits nor faults.
#[inline]
fn prefetch<T>(item: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing into the program and cannot fault;
    // the pointer comes from a reference anyway.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((item as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = item;
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

/// The words of `text` with their byte offsets: exactly the words of
/// `unicode_word_indices` (UAX #29 segments holding a letter or digit), each
/// flagged when it is plain ASCII letters only or digits only and so needs
/// no cleaning or splitting.
///
/// Runs of ASCII between white space — most of news text — are segmented
/// here byte by byte; UAX #29 never joins across ASCII white space next to
/// ASCII, so such a run segments alone as it does in its text. Stretches
/// holding other characters go to `unicode-segmentation`, cut at white
/// space that follows an ASCII character, where the same holds.
pub(crate) fn words(text: &str) -> Words<'_> {
    Words {
        text,
        pos: 0,
        run_end: 0,
        region: None,
    }
}

/// How many words [`words`] finds in `text`, which must be ASCII, by its
/// byte-wise rules (see [`Words::ascii_word`]) without cutting out each
/// word: the runs of letters and digits, less one for each mark that joins
/// two runs into one word. Passage cutting counts every sentence's words,
/// so the runs are counted in a loop the compiler vectorises, and the marks
/// are found with `memchr`. Text with `_` (which joins runs but is no
/// letter) takes a plain byte-by-byte pass.
pub(crate) fn ascii_word_count(text: &str) -> usize {
    debug_assert!(text.is_ascii());
    let bytes = text.as_bytes();
    let Some(&first) = bytes.first() else {
        return 0;
    };
    if memchr::memchr(b'_', bytes).is_some() {
        return ascii_word_count_bytewise(bytes);
    }
    let alnum = |b: u8| b.is_ascii_alphanumeric() as u8;
    // Run starts summed as bytes, 255 pairs at a time: summing each pair
    // as a usize made the vectorised loop widen every byte to 64 bits.
    let runs = alnum(first) as usize
        + bytes
            .chunks(255)
            .zip(bytes[1..].chunks(255))
            .map(|(a, b)| {
                a.iter()
                    .zip(b)
                    .map(|(&a, &b)| alnum(b) & (alnum(a) ^ 1))
                    .fold(0u8, u8::wrapping_add) as usize
            })
            .sum::<usize>();
    let joined =
        |i: usize| i > 0 && i + 1 < bytes.len() && joins(bytes[i - 1], bytes[i], bytes[i + 1]);
    let joins = memchr::memchr3_iter(b'.', b'\'', b':', bytes)
        .chain(memchr::memchr2_iter(b',', b';', bytes))
        .filter(|&i| joined(i))
        .count();
    runs - joins
}

/// [`ascii_word_count`] one byte at a time, for text with `_`.
fn ascii_word_count_bytewise(bytes: &[u8]) -> usize {
    let mut count = 0;
    // Inside a word (after a word byte, or a joining mark between two).
    let mut in_word = false;
    // The word has a letter or digit, and so was counted.
    let mut counted = false;
    for (i, &b) in bytes.iter().enumerate() {
        let class = CLASSES[b as usize];
        if class & (LETTER | DIGIT | JOINER) != 0 {
            if !in_word {
                in_word = true;
                counted = false;
            }
            if !counted && class & (LETTER | DIGIT) != 0 {
                count += 1;
                counted = true;
            }
        } else if in_word {
            // The byte before is a word byte here.
            in_word = i + 1 < bytes.len() && joins(bytes[i - 1], b, bytes[i + 1]);
        }
    }
    count
}

/// Whether `mid` between `prev` and `next` keeps them in one word (UAX #29
/// WB6/7 for letters, WB11/12 for digits, as they apply to ASCII).
#[inline]
fn joins(prev: u8, mid: u8, next: u8) -> bool {
    let letters = prev.is_ascii_alphabetic()
        && next.is_ascii_alphabetic()
        && matches!(mid, b'.' | b'\'' | b':');
    let digits =
        prev.is_ascii_digit() && next.is_ascii_digit() && matches!(mid, b'.' | b'\'' | b',' | b';');
    letters || digits
}

/// Iterator of [`words`].
pub(crate) struct Words<'a> {
    text: &'a str,
    /// Next byte to look at. Outside an ASCII run, it follows an ASCII
    /// byte (or is 0): a place where segmenting may start afresh.
    pos: usize,
    /// End of the ASCII run being scanned (`pos` < `run_end`), or `pos`.
    run_end: usize,
    /// A stretch segmented by `unicode-segmentation`, with its offset.
    region: Option<(usize, UnicodeWordIndices<'a>)>,
}

/// Byte classes for ASCII word segmentation.
const LETTER: u8 = 1;
const DIGIT: u8 = 2;
/// `_`, which joins words (UAX #29 ExtendNumLet) but is not alphanumeric.
const JOINER: u8 = 4;
/// ASCII white space: space, tab, line feed, vertical tab, form feed, return.
const SPACE: u8 = 8;
/// A byte of a character beyond ASCII.
const OTHER: u8 = 16;

static CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphabetic() {
            LETTER
        } else if c.is_ascii_digit() {
            DIGIT
        } else if c == b'_' {
            JOINER
        } else if matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
            SPACE
        } else {
            0
        };
        b += 1;
    }
    while b < 256 {
        table[b] = OTHER;
        b += 1;
    }
    table
};

impl<'a> Iterator for Words<'a> {
    /// Offset, word, and whether it is plain ASCII letters or digits.
    type Item = (usize, &'a str, bool);

    fn next(&mut self) -> Option<(usize, &'a str, bool)> {
        let bytes = self.text.as_bytes();
        loop {
            if let Some((base, words)) = &mut self.region {
                if let Some((offset, word)) = words.next() {
                    return Some((*base + offset, word, false));
                }
                self.region = None;
            }
            if self.pos < self.run_end {
                if let Some(word) = self.ascii_word(bytes) {
                    return Some(word);
                }
                continue;
            }
            // The next run of non-space bytes.
            let mut start = self.pos;
            while start < bytes.len() && CLASSES[bytes[start] as usize] == SPACE {
                start += 1;
            }
            if start == bytes.len() {
                self.pos = start;
                return None;
            }
            let (end, ascii) = run_end(bytes, start);
            if ascii {
                self.pos = start;
                self.run_end = end;
                continue;
            }
            // Up to the end of a run that ends in ASCII, or of the text.
            let mut region_end = end;
            while region_end < bytes.len() && bytes[region_end - 1] >= 0x80 {
                let mut next = region_end;
                while next < bytes.len() && CLASSES[bytes[next] as usize] == SPACE {
                    next += 1;
                }
                region_end = if next == bytes.len() {
                    next
                } else {
                    run_end(bytes, next).0
                };
            }
            let region = &self.text[self.pos..region_end];
            self.region = Some((self.pos, region.unicode_word_indices()));
            self.pos = region_end;
            self.run_end = region_end;
        }
    }
}

impl<'a> Words<'a> {
    /// The next word of the ASCII run `pos..run_end`, by UAX #29 rules as
    /// they apply to ASCII: letters, digits and `_` join (WB5, WB8-WB10,
    /// WB13a/b); one `.` `'` `:` joins letters (WB6/7) and one `.` `'` `,`
    /// `;` joins digits (WB11/12); anything else breaks.
    fn ascii_word(&mut self, bytes: &[u8]) -> Option<(usize, &'a str, bool)> {
        let end = self.run_end;
        let mut i = self.pos;
        while i < end {
            if CLASSES[bytes[i] as usize] & (LETTER | DIGIT | JOINER) == 0 {
                i += 1;
                continue;
            }
            let start = i;
            let mut kinds = 0u8;
            loop {
                while i < end {
                    let class = CLASSES[bytes[i] as usize];
                    if class & (LETTER | DIGIT | JOINER) == 0 {
                        break;
                    }
                    kinds |= class;
                    i += 1;
                }
                if i + 1 < end && joins(bytes[i - 1], bytes[i], bytes[i + 1]) {
                    kinds |= JOINER;
                    i += 1;
                    continue;
                }
                break;
            }
            if kinds & (LETTER | DIGIT) != 0 {
                self.pos = i;
                let simple = kinds == LETTER || kinds == DIGIT;
                return Some((start, &self.text[start..i], simple));
            }
        }
        self.pos = end;
        None
    }
}

/// End of the run of non-space bytes starting at `start`, and whether it
/// is all ASCII: one pass over the run.
fn run_end(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut other = 0u8;
    for (i, &b) in bytes[start..].iter().enumerate() {
        let class = CLASSES[b as usize];
        if class == SPACE {
            return (start + i, other == 0);
        }
        other |= class & OTHER;
    }
    (bytes.len(), other == 0)
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

    #[test]
    fn the_word_cache_answers_alike_while_its_map_grows() {
        // Far more distinct words than a new map holds, short stems kept in
        // the cache values and long ones beside them, each seen several times.
        let mut rng = fastrand::Rng::with_seed(7);
        let words: Vec<String> = (0..20_000)
            .map(|_| {
                let len = rng.usize(1..=16);
                (0..len).map(|_| rng.alphabetic()).collect()
            })
            .collect();
        let text: String = (0..60_000)
            .map(|_| words[rng.usize(..words.len())].as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let mut fused = analyzer();
        let expected = tokens_with(&mut reference_analyzer(), &text);
        assert_eq!(tokens_with(&mut fused, &text), expected);
        assert_eq!(tokens_with(&mut fused, &text), expected);
    }

    #[test]
    fn the_word_cache_answers_alike_after_starting_afresh() {
        // More distinct words than the cache keeps: it is emptied once on
        // the way, and the words after that (and before, seen again) must
        // still come out as the filter chain makes them.
        let words: Vec<String> = (0..TERM_CACHE_WORDS + 20_000)
            .map(|mut i| {
                // Stems too long to sit in a cache value.
                let mut word = String::from("lengthy");
                while i > 0 {
                    word.push(char::from(b'a' + (i % 26) as u8));
                    i /= 26;
                }
                word
            })
            .collect();
        let text = words.join(" ");
        let mut fused = analyzer();
        let expected = tokens_with(&mut reference_analyzer(), &text);
        assert_eq!(tokens_with(&mut fused, &text), expected);
        let again = words[..50_000].join(" ");
        assert_eq!(
            tokens_with(&mut fused, &again),
            tokens_with(&mut reference_analyzer(), &again)
        );
    }

    #[test]
    fn short_texts_seen_again_replay_the_same_tokens() {
        let mut a = analyzer();
        let headline = "Gangs’ AK47s seized in Tehran";
        let other = "U.S. envoy's 1,000 gangs";
        let expected = tokens_with(&mut reference_analyzer(), headline);
        assert_eq!(tokens_with(&mut a, headline), expected);
        assert_eq!(tokens_with(&mut a, headline), expected, "replayed");
        assert_eq!(
            tokens_with(&mut a, other),
            tokens_with(&mut reference_analyzer(), other)
        );
        assert_eq!(
            tokens_with(&mut a, headline),
            expected,
            "after another text"
        );
    }

    #[test]
    fn a_stream_dropped_half_way_is_not_replayed_in_part() {
        let mut a = analyzer();
        let headline = "Police probe BNP mosque leaflet";
        {
            let mut stream = a.token_stream(headline);
            assert!(stream.advance());
        }
        assert_eq!(
            tokens_with(&mut a, headline),
            tokens_with(&mut reference_analyzer(), headline)
        );
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
            // One analyzer over several texts, so later texts hit its cache,
            // each twice in a row, as passages repeat their headline.
            let mut fused = analyzer();
            let mut reference = reference_analyzer();
            for text in texts.iter().flat_map(|t| [t, t]) {
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

    /// Text mixing ASCII with what UAX #29 treats specially beside it:
    /// combining marks and format characters after spaces, other spaces,
    /// regional indicators, emoji joiners, letters of other scripts.
    fn mixed_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            4 => "[a-zA-Z0-9]{1,6}",
            3 => "[ \t\n\r\x0b\x0c]{1,2}",
            2 => "[.,;:'_\"$-]",
            1 => prop_oneof![
                Just("\u{301}"),
                Just("\u{345}"),
                Just("\u{200d}"),
                Just("\u{ad}"),
                Just("\u{3000}"),
                Just("\u{a0}"),
                Just("’"),
                Just("🇬🇧"),
                Just("👍🏽"),
                Just("é"),
                Just("Ω"),
                Just("محمد"),
                Just("日本"),
                Just("カタカナ"),
                Just("£"),
                Just("½"),
            ]
            .prop_map(str::to_string),
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    fn check_words(text: &str) -> Result<(), TestCaseError> {
        let got: Vec<(usize, &str)> = words(text).map(|(o, w, _)| (o, w)).collect();
        let expected: Vec<(usize, &str)> = text.unicode_word_indices().collect();
        prop_assert_eq!(got, expected);
        for (_, word, simple) in words(text) {
            let plain = word.bytes().all(|b| b.is_ascii_alphabetic())
                || word.bytes().all(|b| b.is_ascii_digit());
            prop_assert!(!simple || plain, "{:?} flagged simple", word);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn words_match_unicode_segmentation(text in mixed_text()) {
            check_words(&text)?;
        }

        #[test]
        fn words_match_unicode_segmentation_on_any_text(text in "\\PC{0,80}") {
            check_words(&text)?;
        }

        #[test]
        fn ascii_word_count_matches_unicode_words(text in "[ -~\t\n\r]{0,700}") {
            prop_assert_eq!(ascii_word_count(&text), text.unicode_words().count());
            prop_assert_eq!(ascii_word_count_bytewise(text.as_bytes()), text.unicode_words().count());
        }

        #[test]
        fn ascii_word_count_matches_unicode_words_around_joining_marks(
            text in "([a-zA-Z0-9]{1,4}|[.',:;!? \t\n-]|U\\.S\\.|1,000|don't|3\\.5){0,60}"
        ) {
            prop_assert_eq!(ascii_word_count(&text), text.unicode_words().count());
        }
    }

    #[test]
    fn short_words_pack_every_byte_and_the_length() {
        let text = "abcdefghijklmnopqrstuvw";
        for len in 0..=23 {
            let packed = ShortWord::new(&text[..len]).expect("short");
            let mut expected = [0u8; 24];
            expected[..len].copy_from_slice(&text.as_bytes()[..len]);
            expected[23] = len as u8;
            let bytes: Vec<u8> = packed.0.iter().flat_map(|w| w.to_le_bytes()).collect();
            assert_eq!(bytes, expected, "{len} bytes");
        }
        assert!(ShortWord::new(&"x".repeat(24)).is_none());
    }

    #[test]
    fn numbers_are_their_own_terms() {
        for n in [1, 2, 5, 23, 24, 47, 48, 60] {
            let number = "7".repeat(n);
            let expected = tokens_with(&mut reference_analyzer(), &number);
            let mut fused = analyzer();
            assert_eq!(tokens_with(&mut fused, &number), expected, "{n} digits");
            assert_eq!(tokens_with(&mut fused, &number), expected, "{n} digits");
        }
    }

    #[test]
    fn drops_very_long_tokens() {
        let long = "M".repeat(61);
        assert_eq!(terms(&format!("a {long} b")), ["a", "b"]);
    }
}
