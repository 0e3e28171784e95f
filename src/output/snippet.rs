//! Shaping a passage for display: cropping it around its best match,
//! inserting highlight markers, and converting byte ranges to character
//! ranges for consumers that index strings by Unicode scalar value.
//!
//! ```
//! use passim::output::snippet::{char_ranges, crop, mark};
//! let text = "Police said the gang had planned the attack for months before the arrest.";
//! let gang = text.find("gang").unwrap();
//! let s = crop(text, &[[gang, gang + 4]], 24);
//! assert_eq!(s.text, "…said the gang had…");
//! let [start, end] = s.highlights[0];
//! assert_eq!(&s.text[start..end], "gang");
//! assert_eq!(mark(&s.text, &s.highlights, "<em>", "</em>"), "…said the <em>gang</em> had…");
//! assert_eq!(char_ranges(&s.text, &s.highlights), [[10, 14]]);
//! ```

/// Marks a cut at either end of a cropped passage.
pub const ELLIPSIS: &str = "…";

/// A passage as shown: the text, and highlight ranges that slice it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The text shown: the passage, or a window of it with [`ELLIPSIS`]
    /// where it was cut.
    pub text: String,
    /// `[start, end)` UTF-8 byte ranges in `text` of matched words; a match
    /// that the crop cut through is left out.
    pub highlights: Vec<[usize; 2]>,
    /// When cropped: the `[start, end)` byte range of the passage that
    /// `text` shows between its ellipses.
    pub crop: Option<[usize; 2]>,
}

/// Crops `text` to at most `max_chars` characters (Unicode scalar values,
/// not counting the ellipses) around the densest cluster of `highlights`,
/// cutting at word boundaries where it can. Text that fits is returned
/// whole with `crop: None`; with no highlights the window starts at the
/// beginning.
pub fn crop(text: &str, highlights: &[[usize; 2]], max_chars: usize) -> Snippet {
    // bounds[i] is the byte offset of character i; the last entry is text.len().
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let n = bounds.len() - 1;
    if n <= max_chars {
        return Snippet {
            text: text.to_string(),
            highlights: highlights.to_vec(),
            crop: None,
        };
    }
    let to_char = |byte: usize| bounds.partition_point(|&b| b < byte);
    let chars: Vec<char> = text.chars().collect();
    let spans: Vec<(usize, usize)> = highlights
        .iter()
        .map(|&[s, e]| (to_char(s), to_char(e)))
        .collect();
    // The window of highlights that fits and holds the most; the earliest wins ties.
    let (mut cs, mut ce, mut best) = (0, 0, 0);
    for i in 0..spans.len() {
        let mut j = i;
        while j + 1 < spans.len() && spans[j + 1].1 - spans[i].0 <= max_chars {
            j += 1;
        }
        if j + 1 - i > best {
            (cs, ce, best) = (
                spans[i].0,
                spans[j].1.min(spans[i].0 + max_chars),
                j + 1 - i,
            );
        }
    }
    let slack = max_chars.saturating_sub(ce - cs);
    let mut start = cs.saturating_sub(slack / 2).min(n - max_chars);
    let mut end = (start + max_chars).min(n);
    let space = |i: usize| chars[i].is_whitespace();
    if start > 0 && !space(start - 1) {
        // Start at the next word, if that does not skip the match.
        if let Some(p) = (start + 1..=cs).find(|&p| space(p - 1) && !space(p)) {
            start = p;
        }
    }
    if end < n && !space(end) {
        // End after the last whole word, if that keeps the match.
        if let Some(p) = (ce.max(start + 1)..end).rev().find(|&p| space(p)) {
            end = p;
        }
    }
    while start < end && space(start) {
        start += 1;
    }
    while end > start && space(end - 1) {
        end -= 1;
    }
    let (bs, be) = (bounds[start], bounds[end]);
    let mut out = String::with_capacity(be - bs + 2 * ELLIPSIS.len());
    if start > 0 {
        out.push_str(ELLIPSIS);
    }
    let shift = out.len();
    out.push_str(&text[bs..be]);
    if end < n {
        out.push_str(ELLIPSIS);
    }
    Snippet {
        text: out,
        highlights: highlights
            .iter()
            .filter(|&&[s, e]| s >= bs && e <= be)
            .map(|&[s, e]| [s - bs + shift, e - bs + shift])
            .collect(),
        crop: Some([bs, be]),
    }
}

/// `text` with `pre` and `post` around each highlighted range. Ranges must
/// be sorted and not overlap (as passim produces them); others are skipped.
pub fn mark(text: &str, highlights: &[[usize; 2]], pre: &str, post: &str) -> String {
    let mut out = String::with_capacity(text.len() + highlights.len() * (pre.len() + post.len()));
    let mut pos = 0;
    for &[start, end] in highlights {
        if start < pos || end > text.len() || start > end {
            continue;
        }
        out.push_str(&text[pos..start]);
        out.push_str(pre);
        out.push_str(&text[start..end]);
        out.push_str(post);
        pos = end;
    }
    out.push_str(&text[pos..]);
    out
}

/// The same ranges counted in Unicode scalar values (Rust `char`s, Python
/// `str` indices) instead of UTF-8 bytes. Ranges must be sorted.
pub fn char_ranges(text: &str, highlights: &[[usize; 2]]) -> Vec<[usize; 2]> {
    let mut out = Vec::with_capacity(highlights.len());
    // Walk forward once: (byte offset, char count) so far.
    let (mut byte, mut count) = (0usize, 0usize);
    let mut advance = |to: usize| {
        if to < byte {
            // Out of order: count from the start.
            (byte, count) = (0, 0);
        }
        count += text[byte..to].chars().count();
        byte = to;
        count
    };
    for &[start, end] in highlights {
        let s = advance(start);
        let e = advance(end);
        out.push([s, e]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &Snippet) -> Vec<&str> {
        s.highlights.iter().map(|&[a, b]| &s.text[a..b]).collect()
    }

    #[test]
    fn short_text_is_left_whole() {
        let s = crop("a gang", &[[2, 6]], 10);
        assert_eq!(s.text, "a gang");
        assert_eq!(s.crop, None);
        assert_eq!(s.highlights, [[2, 6]]);
    }

    #[test]
    fn crops_around_the_densest_cluster_at_word_boundaries() {
        let text = "gang one two three four five six seven eight nine ten eleven twelve crime gang thirteen fourteen";
        let first = [0, 4];
        let c = text.find("crime").unwrap();
        let g = text.rfind("gang").unwrap();
        let s = crop(text, &[first, [c, c + 5], [g, g + 4]], 30);
        assert_eq!(words(&s), ["crime", "gang"]);
        assert!(
            s.text.starts_with('…') && s.text.ends_with('…'),
            "{}",
            s.text
        );
        let inner = s.text.trim_matches('…');
        assert!(inner.chars().count() <= 30);
        // Whole words only: the kept text is a slice of the passage on spaces.
        let [bs, be] = s.crop.unwrap();
        assert_eq!(&text[bs..be], inner);
        assert!(text[..bs].ends_with(' ') && text[be..].starts_with(' '));
    }

    #[test]
    fn multibyte_text_crops_on_char_boundaries() {
        let text = "Erdoğan’s ministers said — again — that the Kurdish gangs were paid in €, not ₺, by Tehran’s agents abroad.";
        let g = text.find("gangs").unwrap();
        for n in 1..text.chars().count() {
            let s = crop(text, &[[g, g + 5]], n);
            assert!(
                s.text.trim_matches('…').chars().count() <= n,
                "{n}: {}",
                s.text
            );
            for &[a, b] in &s.highlights {
                assert_eq!(&s.text[a..b], "gangs");
            }
            if n >= 5 {
                assert_eq!(words(&s), ["gangs"], "{n}");
            }
            let chars = char_ranges(&s.text, &s.highlights);
            for (&[a, b], &[ca, cb]) in s.highlights.iter().zip(&chars) {
                assert_eq!(s.text[..a].chars().count(), ca);
                assert_eq!(s.text[..b].chars().count(), cb);
            }
        }
    }

    #[test]
    fn without_highlights_the_window_starts_at_the_beginning() {
        let s = crop("one two three four five", &[], 9);
        assert_eq!(s.text, "one two…");
        assert_eq!(s.crop, Some([0, 7]));
    }

    #[test]
    fn marks_ranges() {
        assert_eq!(
            mark("a gang of gangs", &[[2, 6], [10, 15]], "[", "]"),
            "a [gang] of [gangs]"
        );
    }

    #[test]
    fn char_ranges_count_scalar_values() {
        let text = "Erdoğan gang";
        assert_eq!(char_ranges(text, &[[0, 8], [9, 13]]), [[0, 7], [8, 12]]);
    }
}
