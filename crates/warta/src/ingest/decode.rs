//! Bytes of a file into text: UTF-8 (with or without a byte order mark), UTF-16 by its byte
//! order mark, and legacy encodings (Windows-1252, Latin-1, ...) named by an HTML
//! `<meta charset>` or guessed by chardetng, decoded with encoding_rs. Binary data is refused.
//! Replacement characters appear only where bytes are invalid in the chosen encoding, and are
//! counted in a warning.

use encoding_rs::{Encoding, MACINTOSH, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

use super::SkipReason;

/// How text was decoded, when it was not plain UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The decoded text.
    pub text: String,
    /// The encoding used, when not UTF-8 ("windows-1252", "UTF-16LE").
    pub encoding: Option<&'static str>,
    /// Characters that could not be decoded and were replaced by U+FFFD.
    pub replaced: usize,
}

impl Decoded {
    /// A warning for the file's report, when decoding lost characters.
    pub fn warning(&self) -> Option<String> {
        (self.replaced > 0).then(|| {
            format!(
                "{} byte sequence(s) invalid in {} replaced by U+FFFD",
                self.replaced,
                self.encoding.unwrap_or("UTF-8")
            )
        })
    }
}

/// Whether the start of a file looks like binary data rather than text in any encoding:
/// NUL bytes (outside UTF-16) or many control characters.
pub fn looks_binary(head: &[u8]) -> bool {
    if utf16_bom(head).is_some() {
        return false;
    }
    if head.contains(&0) {
        return true;
    }
    control_bytes(head) * 10 > head.len().max(1)
}

/// How many bytes of `bytes` are control characters other than line breaks, tabs and form
/// feeds. Eight bytes are tested at a time for any byte below 0x20, and only the words that
/// have one (a line break, most often) byte by byte: every file is tested, most are text.
fn control_bytes(bytes: &[u8]) -> usize {
    let is_control = |b: u8| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c);
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut count = 0;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let w = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        // Sets the high bit of (at least) every byte below 0x20: a word without one has no
        // control character.
        if w.wrapping_sub(ONES * 0x20) & !w & HIGHS != 0 {
            count += word.iter().filter(|&&b| is_control(b)).count();
        }
    }
    count + words.remainder().iter().filter(|&&b| is_control(b)).count()
}

fn utf16_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    match bytes {
        [0xFF, 0xFE, ..] => Some(UTF_16LE),
        [0xFE, 0xFF, ..] => Some(UTF_16BE),
        _ => None,
    }
}

/// Decodes a whole file. `html` lets a `<meta charset>` in the first kilobytes name the
/// encoding of bytes that are not UTF-8.
pub fn decode(mut bytes: Vec<u8>, html: bool) -> Result<Decoded, SkipReason> {
    if let Some(enc) = utf16_bom(&bytes) {
        let (text, _, had_errors) = enc.decode(&bytes);
        let replaced = if had_errors { count_replacements(&text) } else { 0 };
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: Some(enc.name()),
            replaced,
        });
    }
    if looks_binary(&bytes[..bytes.len().min(8192)]) {
        return Err(SkipReason::Binary);
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => {
            return Ok(Decoded {
                text,
                encoding: None,
                replaced: 0,
            })
        }
        Err(e) => e.into_bytes(),
    };
    let enc = html
        .then(|| meta_charset(&bytes))
        .flatten()
        .unwrap_or_else(|| guess(&bytes));
    let (text, had_errors) = enc.decode_without_bom_handling(&bytes);
    let replaced = if had_errors { count_replacements(&text) } else { 0 };
    Ok(Decoded {
        text: text.into_owned(),
        encoding: Some(enc.name()),
        replaced,
    })
}

/// Decodes `bytes` in `enc`, the encoding named by the file's container (an HTTP header),
/// whatever the bytes themselves declare.
pub fn decode_as(bytes: &[u8], enc: &'static Encoding) -> Decoded {
    let (text, _, had_errors) = enc.decode(bytes);
    Decoded {
        replaced: if had_errors { count_replacements(&text) } else { 0 },
        text: text.into_owned(),
        encoding: (enc != UTF_8).then(|| enc.name()),
    }
}

/// Decodes one line (of JSON Lines) that is not valid UTF-8 with the guessed encoding.
pub fn decode_line(bytes: &[u8]) -> Decoded {
    let enc = guess(bytes);
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    Decoded {
        replaced: if had_errors { count_replacements(&text) } else { 0 },
        text: text.into_owned(),
        encoding: Some(enc.name()),
    }
}

fn guess(bytes: &[u8]) -> &'static Encoding {
    let mut det = chardetng::EncodingDetector::new();
    det.feed(bytes, true);
    let enc = det.guess(None, true);
    // Text that is not UTF-8 cannot be decoded as UTF-8 without loss.
    if enc == UTF_8 {
        encoding_rs::WINDOWS_1252
    } else {
        enc
    }
}

/// The encoding an HTML page declares in its first 4 KiB (`<meta charset="...">` or
/// `<meta http-equiv="Content-Type" content="text/html; charset=...">`).
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let label: String = head[at..]
        .trim_start_matches(['"', '\'', ' '])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    let enc = Encoding::for_label(label.as_bytes())?;
    // A page that declares UTF-8 but is not valid UTF-8 is better guessed.
    (enc != UTF_8 && enc != UTF_16LE && enc != UTF_16BE).then_some(enc)
}

fn count_replacements(text: &str) -> usize {
    text.chars().filter(|&c| c == '\u{FFFD}').count()
}

/// Punctuation that was written in UTF-8, read back in a legacy encoding and saved again as
/// UTF-8 ("mojibake"): the three bytes of a general punctuation mark (U+2000 to U+203F:
/// curly quotes, dashes, the ellipsis, zero-width marks) shown as three characters of Mac
/// Roman (`‚Äù` for `”`) or Windows-1252 (`â€™` for `’`). The first two characters betray
/// it; the third is mapped back to its byte.
const MOJIBAKE: [(&str, &Encoding); 2] = [("\u{201A}\u{00C4}", MACINTOSH), ("\u{00E2}\u{20AC}", WINDOWS_1252)];

/// Repairs mis-decoded punctuation ([`MOJIBAKE`]) in place, returning how many marks were
/// repaired. Text without the two-character sign is left untouched after one scan.
pub fn repair_mojibake(text: &mut String) -> usize {
    let finder = |sign: &str| memchr::memmem::find(text.as_bytes(), sign.as_bytes()).is_some();
    if !MOJIBAKE.iter().any(|(sign, _)| finder(sign)) {
        return 0;
    }
    let mut out = String::with_capacity(text.len());
    let mut repaired = 0;
    let mut rest = text.as_str();
    while !rest.is_empty() {
        match MOJIBAKE
            .iter()
            .find_map(|&(sign, enc)| Some((rest.strip_prefix(sign)?, enc)))
        {
            Some((after, enc)) => match after.chars().next().and_then(|c| punctuation_byte(c, enc)) {
                Some(mark) => {
                    out.push(mark);
                    repaired += 1;
                    rest = &after[after.chars().next().map_or(0, char::len_utf8)..];
                }
                None => {
                    let c = rest.chars().next().expect("not empty");
                    out.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            },
            None => {
                // Copy up to the next possible sign at once.
                let next = rest
                    .char_indices()
                    .skip(1)
                    .find(|&(_, c)| c == '\u{201A}' || c == '\u{00E2}')
                    .map_or(rest.len(), |(i, _)| i);
                out.push_str(&rest[..next]);
                rest = &rest[next..];
            }
        }
    }
    if repaired > 0 {
        *text = out;
    }
    repaired
}

/// The punctuation mark whose third UTF-8 byte `enc` shows as `c`: `c` must be one byte of
/// `enc` between 0x80 and 0xBF, so that E2 80 and that byte are a mark of U+2000 to U+203F.
fn punctuation_byte(c: char, enc: &'static Encoding) -> Option<char> {
    let mut buf = [0u8; 4];
    let (bytes, _, unmappable) = enc.encode(c.encode_utf8(&mut buf));
    match *bytes {
        [b @ 0x80..=0xBF] if !unmappable => std::str::from_utf8(&[0xE2, 0x80, b]).ok()?.chars().next(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation_read_as_mac_roman_or_windows_1252_is_repaired() {
        let mut t = "bahasa yang nyaris punah,\u{201A}\u{00C4}\u{00F9} ucapnya. \u{201A}\u{00C4}\u{00FA}Kami siap\u{201A}\u{00C4}\u{00B6}".to_string();
        assert_eq!(repair_mojibake(&mut t), 3);
        assert_eq!(
            t,
            "bahasa yang nyaris punah,\u{201D} ucapnya. \u{201C}Kami siap\u{2026}"
        );
        let mut t = "It\u{00E2}\u{20AC}\u{2122}s a \u{00E2}\u{20AC}\u{0153}deal\u{00E2}\u{20AC}\u{009D} \u{00E2}\u{20AC}\u{201C} done".to_string();
        assert_eq!(repair_mojibake(&mut t), 4);
        assert_eq!(t, "It\u{2019}s a \u{201C}deal\u{201D} \u{2013} done");
    }

    #[test]
    fn text_without_mojibake_is_left_alone() {
        for text in [
            "Côte d'Ivoire à Paris, “quoted” — done…",
            "\u{201A}single low quote\u{201A}\u{00C4}",
            "\u{00E2}\u{20AC} alone, \u{00E2}\u{20AC}x",
            "",
        ] {
            let mut t = text.to_string();
            assert_eq!(repair_mojibake(&mut t), 0, "{text}");
            assert_eq!(t, text);
        }
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode(b"\xEF\xBB\xBFKorea Utara".to_vec(), false).unwrap();
        assert_eq!((d.text.as_str(), d.encoding, d.replaced), ("Korea Utara", None, 0));
    }

    #[test]
    fn utf16_by_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "Côte d'Ivoire".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        let d = decode(bytes, false).unwrap();
        assert_eq!(d.text, "Côte d'Ivoire");
        assert_eq!(d.encoding, Some("UTF-16LE"));
        let mut bytes = vec![0xFE, 0xFF];
        for u in "Jakarta".encode_utf16() {
            bytes.extend(u.to_be_bytes());
        }
        assert_eq!(decode(bytes, false).unwrap().text, "Jakarta");
    }

    #[test]
    fn windows_1252_is_guessed() {
        // "Président Macron a déclaré à Paris" in Windows-1252.
        let bytes =
            b"Pr\xe9sident Macron a d\xe9clar\xe9 \xe0 Paris que la r\xe9forme \xe9tait n\xe9cessaire.".to_vec();
        let d = decode(bytes, false).unwrap();
        assert_eq!(
            d.text,
            "Président Macron a déclaré à Paris que la réforme était nécessaire."
        );
        assert_eq!(d.replaced, 0);
        assert!(d.warning().is_none());
    }

    #[test]
    fn html_meta_charset_names_the_encoding() {
        let html = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\"></head><body>S\xe3o Paulo</body></html>".to_vec();
        let d = decode(html, true).unwrap();
        assert!(d.text.contains("São Paulo"), "{}", d.text);
        assert_eq!(d.encoding, Some("windows-1252"));
    }

    proptest::proptest! {
        /// The word-at-a-time count is the byte-by-byte count.
        #[test]
        fn control_bytes_are_counted_exactly(bytes in proptest::collection::vec(proptest::prop_oneof![
            0u8..0x21, proptest::prelude::Just(b'a'), proptest::prelude::Just(b'\n'), 0x7fu8..=0xff
        ], 0..100)) {
            let plain = bytes
                .iter()
                .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
                .count();
            proptest::prop_assert_eq!(control_bytes(&bytes), plain);
        }
    }

    #[test]
    fn binary_is_refused() {
        assert_eq!(
            decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec(), false),
            Err(SkipReason::Binary)
        );
        assert_eq!(
            decode(vec![1, 2, 3, 4, 5, 6, 7, 8, b'a'], false),
            Err(SkipReason::Binary)
        );
    }

    #[test]
    fn lines_in_legacy_encodings() {
        let d = decode_line(b"{\"title\": \"Caf\xe9 in M\xfcnchen\"}");
        assert_eq!(d.text, "{\"title\": \"Café in München\"}");
    }
}
