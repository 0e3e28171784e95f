//! Turning a file's bytes into text.
//!
//! Old news archives are full of Windows-1252 (and Latin-1, which it
//! extends) text saved long before UTF-8 was usual. Rather than skip such
//! files, passim decodes them as Windows-1252 and says so. A byte-order mark
//! (UTF-8, UTF-16) is honoured; a charset declared in an HTML page's first
//! kilobyte is used when the page is not UTF-8.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// How many leading bytes are checked for NUL bytes, the mark of a binary file.
const BINARY_SNIFF_BYTES: usize = 8192;

/// Text decoded from bytes, with a note when it was not plain UTF-8.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// The text, without any byte-order mark.
    pub text: Cow<'a, str>,
    /// Set when the text was decoded from a legacy encoding by guesswork,
    /// a fact the user should hear about.
    pub warning: Option<String>,
}

/// True when the bytes look like a binary file (a NUL byte near the start).
pub fn looks_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(BINARY_SNIFF_BYTES).any(|&b| b == 0)
}

/// Decodes a whole file. Returns `None` for binary data.
///
/// `html` lets a `<meta charset>` declaration choose the legacy encoding.
///
/// ```
/// use passim::read::encoding::decode;
/// let d = decode(b"Caf\xe9", false).unwrap();
/// assert_eq!(d.text, "Café");
/// assert!(d.warning.unwrap().contains("Windows-1252"));
/// assert_eq!(decode("Café".as_bytes(), false).unwrap().warning, None);
/// assert!(decode(b"\x00\x01binary", false).is_none());
/// ```
pub fn decode(bytes: &[u8], html: bool) -> Option<Decoded<'_>> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        // A BOM is an explicit statement: UTF-16 text is full of NUL bytes
        // but is not binary.
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return Some(Decoded {
            text,
            warning: None,
        });
    }
    if looks_binary(bytes) {
        return None;
    }
    let utf8_error = match std::str::from_utf8(bytes) {
        Ok(s) => {
            return Some(Decoded {
                text: Cow::Borrowed(s),
                warning: None,
            });
        }
        Err(e) => e,
    };
    if html
        && let Some(declared) = declared_charset(bytes)
        && declared != UTF_8
    {
        let (text, _) = declared.decode_without_bom_handling(bytes);
        return Some(Decoded {
            text,
            warning: None,
        });
    }
    let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
    Some(Decoded {
        text,
        warning: Some(format!(
            "not valid UTF-8 (at byte {}); decoded as Windows-1252",
            utf8_error.valid_up_to()
        )),
    })
}

/// Decodes one line of a line-oriented file: UTF-8, or Windows-1252 with a warning.
pub fn decode_line(bytes: &[u8]) -> Decoded<'_> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Decoded {
            text: Cow::Borrowed(s),
            warning: None,
        },
        Err(e) => Decoded {
            text: WINDOWS_1252.decode_without_bom_handling(bytes).0,
            warning: Some(format!(
                "not valid UTF-8 (at byte {}); decoded as Windows-1252",
                e.valid_up_to()
            )),
        },
    }
}

/// The encoding named by `charset=` in the first kilobyte of an HTML page,
/// as browsers' pre-scan finds it for `<meta charset>` and
/// `<meta http-equiv="Content-Type" content="...; charset=...">`.
fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(1024)];
    let lower: Vec<u8> = head.to_ascii_lowercase();
    let at = lower.windows(8).position(|w| w == b"charset=")? + 8;
    let label: Vec<u8> = lower[at..]
        .iter()
        .copied()
        .skip_while(|&b| b == b'"' || b == b'\'' || b == b' ')
        .take_while(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b':')
        .collect();
    Encoding::for_label(&label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_with_bom_is_text_not_binary() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Héllo".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let d = decode(&bytes, false).unwrap();
        assert_eq!(d.text, "Héllo");
        assert!(d.warning.is_none());
    }

    #[test]
    fn utf8_bom_is_dropped() {
        assert_eq!(decode(b"\xEF\xBB\xBFabc", false).unwrap().text, "abc");
    }

    #[test]
    fn html_declared_charset_is_used_without_warning() {
        let page = b"<html><head><meta charset=\"iso-8859-7\"></head><body>\xe1</body></html>";
        let d = decode(page, true).unwrap();
        assert!(d.text.contains('α'), "{}", d.text);
        assert!(d.warning.is_none());
    }

    #[test]
    fn windows_1252_punctuation_is_decoded() {
        let d = decode_line(b"\x93quoted\x94 \x96 dash");
        assert_eq!(d.text, "“quoted” – dash");
        assert!(d.warning.is_some());
    }
}
