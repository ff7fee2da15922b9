//! Word tokens for entity matching: original spans, folded forms, capitalisation and sentence
//! starts. Gazetteer aliases are folded the same way, so "Côte d'Ivoire", "KIM JONG-UN" and
//! "Kim Jong Un" meet their entries.

/// How a token is capitalised in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// All letters upper case ("AS", "NATO", "KCNA").
    Upper,
    /// First letter upper case ("Putin", "McDonald").
    Title,
    /// First letter lower case.
    Lower,
    /// Starts with a digit or a letter without case.
    Other,
}

/// A word of the text.
#[derive(Debug, Clone)]
pub struct Tok<'a> {
    /// Byte span in the original text.
    pub start: usize,
    pub end: usize,
    /// Lower-cased, ASCII-folded form (a slice of the buffer [`tokenize`] was given).
    pub norm: &'a str,
    pub case: Case,
    /// The first word of a sentence (or of a paragraph, or after an opening quote).
    pub sentence_start: bool,
}

/// The text between two tokens, as far as name recognition cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// Only spaces (a name may continue).
    Space,
    /// A hyphen or apostrophe joining parts of one word ("Soo-suk", "O'Brien").
    Join,
    /// Anything else: punctuation, a line break, quotes.
    Break,
}

/// Folds one word, appending it to `out`: lower case, accents and other scripts
/// transliterated to ASCII.
fn fold_into(word: &str, out: &mut String) {
    if word.is_ascii() {
        let from = out.len();
        out.push_str(word);
        out[from..].make_ascii_lowercase();
        return;
    }
    let lower = word.to_lowercase();
    if lower.is_ascii() {
        out.push_str(&lower);
    } else {
        out.extend(
            deunicode::deunicode(&lower)
                .to_lowercase()
                .chars()
                .filter(char::is_ascii_alphanumeric),
        );
    }
}

/// A token before its folded form is borrowed: the range of that form in the buffer.
struct Raw {
    start: usize,
    end: usize,
    norm: (usize, usize),
    case: Case,
    sentence_start: bool,
}

/// Splits text into word tokens (runs of letters and digits). The folded forms live in
/// `buf` (cleared first), which the tokens borrow: one buffer per text instead of a string
/// per word.
///
/// `buf` starts as the text with ASCII letters lower-cased (same length, same offsets): an
/// all-ASCII word's folded form is its own span there, with nothing copied. The folded forms
/// of other words are appended after it. Bytes are scanned directly: ASCII (nearly all of
/// English and Indonesian news) needs no character decoding, and an all-ASCII word has its
/// case computed from its bytes; other characters and words take the general path.
pub fn tokenize<'a>(text: &str, buf: &'a mut String) -> Vec<Tok<'a>> {
    buf.clear();
    buf.push_str(text);
    buf.make_ascii_lowercase();
    if text.is_ascii() {
        return tokenize_ascii(text, buf);
    }
    let bytes = text.as_bytes();
    let n = bytes.len();
    // About one word per six or seven bytes of news text.
    let mut raw: Vec<Raw> = Vec::with_capacity(n / 5 + 8);
    let mut sentence_start = true;
    let mut i = 0;
    while i < n {
        let (c, width) = match BYTE_CLASS[usize::from(bytes[i])] {
            ASCII_OTHER => {
                i += 1;
                continue;
            }
            ASCII_STOP => (char::from(bytes[i]), 1),
            ASCII_WORD => ('a', 1),
            _ => char_at(text, i),
        };
        if c.is_alphanumeric() {
            let start = i;
            i += width;
            // The ASCII letters and digits of the word, then, if it goes on, the general case.
            while i < n && BYTE_CLASS[usize::from(bytes[i])] == ASCII_WORD {
                i += 1;
            }
            let mut ascii = width == 1;
            while i < n && BYTE_CLASS[usize::from(bytes[i])] == NON_ASCII {
                let (c, width) = char_at(text, i);
                if !c.is_alphanumeric() {
                    break;
                }
                ascii = false;
                i += width;
                while i < n && BYTE_CLASS[usize::from(bytes[i])] == ASCII_WORD {
                    i += 1;
                }
            }
            let word = &text[start..i];
            let (norm, case) = if ascii {
                ((start, i), ascii_case(word.as_bytes()))
            } else {
                let from = buf.len();
                fold_into(word, buf);
                ((from, buf.len()), case_of(word))
            };
            raw.push(Raw {
                start,
                end: i,
                norm,
                case,
                sentence_start,
            });
            sentence_start = false;
            continue;
        }
        if matches!(
            c,
            '.' | '!' | '?' | '\n' | '“' | '"' | ':' | ';' | '‘' | '«' | '(' | '['
        ) {
            // A dot after a one-letter initial or a title abbreviation does not end a sentence.
            let abbrev = c == '.'
                && raw
                    .last()
                    .is_some_and(|t| t.end == i && is_abbreviation(&buf[t.norm.0..t.norm.1]));
            if !abbrev {
                sentence_start = true;
            }
        }
        i += width;
    }
    let buf: &'a str = buf;
    raw.into_iter()
        .map(|r| Tok {
            start: r.start,
            end: r.end,
            norm: &buf[r.norm.0..r.norm.1],
            case: r.case,
            sentence_start: r.sentence_start,
        })
        .collect()
}

/// [`tokenize`] of an all-ASCII text (88% of the shared corpora's articles): every word's
/// folded form is its own span of `lower`, the text lower-cased, so tokens are made as they
/// are found, without the general path's second pass that lends them their folded forms.
fn tokenize_ascii<'a>(text: &str, lower: &'a str) -> Vec<Tok<'a>> {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut toks: Vec<Tok<'a>> = Vec::with_capacity(n / 5 + 8);
    let mut sentence_start = true;
    let mut i = 0;
    while i < n {
        match BYTE_CLASS[usize::from(bytes[i])] {
            ASCII_WORD => {
                let start = i;
                i += 1;
                while i < n && BYTE_CLASS[usize::from(bytes[i])] == ASCII_WORD {
                    i += 1;
                }
                toks.push(Tok {
                    start,
                    end: i,
                    norm: &lower[start..i],
                    case: ascii_case(&bytes[start..i]),
                    sentence_start,
                });
                sentence_start = false;
            }
            ASCII_STOP => {
                // A dot after a one-letter initial or a title abbreviation does not end a sentence.
                let abbrev = bytes[i] == b'.' && toks.last().is_some_and(|t| t.end == i && is_abbreviation(t.norm));
                if !abbrev {
                    sentence_start = true;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    toks
}

/// Classes of bytes for [`tokenize`]'s scan: one table lookup a byte instead of a chain of
/// comparisons (most bytes of English and Indonesian news are ASCII letters and spaces).
const ASCII_OTHER: u8 = 0;
/// ASCII letters and digits.
const ASCII_WORD: u8 = 1;
/// ASCII punctuation that may start a sentence.
const ASCII_STOP: u8 = 2;
/// Bytes of multi-byte characters.
const NON_ASCII: u8 = 3;
static BYTE_CLASS: [u8; 256] = {
    let mut t = [NON_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = match b as u8 {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => ASCII_WORD,
            b'.' | b'!' | b'?' | b'\n' | b'"' | b':' | b';' | b'(' | b'[' => ASCII_STOP,
            _ => ASCII_OTHER,
        };
        b += 1;
    }
    t
};

/// The character at byte `i` (a char boundary) of `text` and its width in bytes.
fn char_at(text: &str, i: usize) -> (char, usize) {
    let b = text.as_bytes()[i];
    if b.is_ascii() {
        return (char::from(b), 1);
    }
    let c = text[i..].chars().next().expect("a char boundary");
    (c, c.len_utf8())
}

/// The capitalisation of a word.
fn case_of(word: &str) -> Case {
    let first = word.chars().next().expect("non-empty");
    if first.is_uppercase() {
        // "NATO", "AS", "G20": all letters capitals, and more than one letter or a digit.
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        if word.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase)
            && (letters > 1 || word.chars().any(|c| c.is_ascii_digit()))
        {
            Case::Upper
        } else {
            Case::Title
        }
    } else if first.is_lowercase() {
        Case::Lower
    } else {
        Case::Other
    }
}

/// [`case_of`] for an all-ASCII word (letters and digits), from its bytes.
fn ascii_case(word: &[u8]) -> Case {
    match word[0] {
        b'A'..=b'Z' => {
            let (mut letters, mut digit) = (0, false);
            for &b in word {
                match b {
                    b'a'..=b'z' => return Case::Title,
                    b'A'..=b'Z' => letters += 1,
                    _ => digit = true,
                }
            }
            if letters > 1 || digit {
                Case::Upper
            } else {
                Case::Title
            }
        }
        b'a'..=b'z' => Case::Lower,
        _ => Case::Other,
    }
}

fn is_abbreviation(norm: &str) -> bool {
    norm.len() == 1
        || matches!(
            norm,
            "mr" | "mrs"
                | "ms"
                | "dr"
                | "prof"
                | "tn"
                | "ny"
                | "nn"
                | "st"
                | "sen"
                | "rep"
                | "gen"
                | "col"
                | "lt"
                | "capt"
                | "gov"
                | "jr"
                | "sr"
                | "no"
                | "vs"
                | "drs"
                | "ir"
                | "hj"
                | "h"
                | "jl"
        )
}

/// What separates token `i` from token `i + 1`.
#[inline]
pub fn gap(text: &str, toks: &[Tok], i: usize) -> Gap {
    let between = &text[toks[i].end..toks[i + 1].start];
    // Nearly every gap is one space.
    if between.as_bytes() == b" " {
        return Gap::Space;
    }
    if between.is_empty() {
        return Gap::Join;
    }
    if between.chars().all(|c| c == ' ' || c == '\u{a0}' || c == '\t') {
        return Gap::Space;
    }
    if between == "-" || between == "‐" || between == "'" || between == "’" {
        return Gap::Join;
    }
    // An initial or abbreviation with its dot: "J. Smith", "Tn. Putin".
    if between.trim_start_matches('.').chars().all(|c| c == ' ')
        && between.starts_with('.')
        && is_abbreviation(toks[i].norm)
    {
        return Gap::Space;
    }
    Gap::Break
}

/// The folded token sequence of a name or alias, joined by single spaces.
pub fn normalize_phrase(s: &str) -> String {
    // Most names are ASCII: their words are the runs of ASCII letters and digits, lower-cased
    // (what `tokenize` makes of them), without its buffers.
    if s.is_ascii() {
        let mut out = String::with_capacity(s.len());
        for word in s.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        }
        return out;
    }
    let mut buf = String::new();
    tokenize(s, &mut buf)
        .iter()
        .map(|t| t.norm)
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The character-by-character tokenizer that [`tokenize`] replaced: the oracle it must
    /// agree with.
    fn reference<'a>(text: &str, buf: &'a mut String) -> Vec<Tok<'a>> {
        buf.clear();
        // About one word per seven bytes of news text.
        let mut raw: Vec<Raw> = Vec::with_capacity(text.len() / 7 + 1);
        let mut start: Option<usize> = None;
        let mut sentence_start = true;
        let push = |s: usize, e: usize, sentence_start: &mut bool, raw: &mut Vec<Raw>, buf: &mut String| {
            let word = &text[s..e];
            let first = word.chars().next().expect("non-empty");
            let case = if first.is_uppercase() {
                // "NATO", "AS", "G20": all letters capitals, and more than one letter or a digit.
                let letters = word.chars().filter(|c| c.is_alphabetic()).count();
                if word.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase)
                    && (letters > 1 || word.chars().any(|c| c.is_ascii_digit()))
                {
                    Case::Upper
                } else {
                    Case::Title
                }
            } else if first.is_lowercase() {
                Case::Lower
            } else {
                Case::Other
            };
            let from = buf.len();
            fold_into(word, buf);
            raw.push(Raw {
                start: s,
                end: e,
                norm: (from, buf.len()),
                case,
                sentence_start: *sentence_start,
            });
            *sentence_start = false;
        };
        for (i, c) in text.char_indices() {
            if c.is_alphanumeric() {
                if start.is_none() {
                    start = Some(i);
                }
            } else {
                if let Some(s) = start.take() {
                    push(s, i, &mut sentence_start, &mut raw, buf);
                }
                if matches!(
                    c,
                    '.' | '!' | '?' | '\n' | '“' | '"' | ':' | ';' | '‘' | '«' | '(' | '['
                ) {
                    // A dot after a one-letter initial or a title abbreviation does not end a sentence.
                    let abbrev = c == '.'
                        && raw
                            .last()
                            .is_some_and(|t| t.end == i && is_abbreviation(&buf[t.norm.0..t.norm.1]));
                    if !abbrev {
                        sentence_start = true;
                    }
                }
            }
        }
        if let Some(s) = start {
            push(s, text.len(), &mut sentence_start, &mut raw, buf);
        }
        let buf: &'a str = buf;
        raw.into_iter()
            .map(|r| Tok {
                start: r.start,
                end: r.end,
                norm: &buf[r.norm.0..r.norm.1],
                case: r.case,
                sentence_start: r.sentence_start,
            })
            .collect()
    }

    fn same_as_reference(text: &str) -> Result<(), String> {
        let (mut a, mut b) = (String::new(), String::new());
        let key = |t: &Tok| (t.start, t.end, t.norm.to_string(), t.case, t.sentence_start);
        let got: Vec<_> = tokenize(text, &mut a).iter().map(key).collect();
        let want: Vec<_> = reference(text, &mut b).iter().map(key).collect();
        if got == want {
            Ok(())
        } else {
            Err(format!("{text:?}: {got:?} != {want:?}"))
        }
    }

    #[test]
    fn agrees_with_the_reference_on_the_sample_corpus_and_hard_text() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus");
        let mut n = 0;
        for e in walkdir::WalkDir::new(root).into_iter().flatten() {
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                same_as_reference(&text).unwrap();
                n += 1;
            }
        }
        assert!(n > 20, "{n}");
        for text in [
            "",
            "A. B. Smith met Dr. Strangelove. NATO, AS, G20, X, 3M, a1B!",
            "Kim Jong-un (KCNA) «Putin» “Biden” ‘Xi’: İstanbul ÆSIR straße ΣΊΣΥΦΟΣ 東京 ½ ①",
            "e\u{301}cole Ǆemal ǅemal 2024年 NAÏVE café.",
        ] {
            same_as_reference(text).unwrap();
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_reference_on_any_text(text in "(\\PC{0,8}|[A-Za-z0-9]{1,12}|[ .!?:;(\\[\n\"'-]){0,40}") {
            proptest::prop_assert!(same_as_reference(&text).is_ok(), "{}", same_as_reference(&text).unwrap_err());
        }

        /// All-ASCII text takes its own path through [`tokenize`].
        #[test]
        fn agrees_with_the_reference_on_ascii_text(text in "([ -~\t\n]{0,8}|[A-Za-z0-9]{1,12}|[ .!?:;(\\[\n\"'-]|[A-Z]\\. ){0,40}") {
            proptest::prop_assert!(same_as_reference(&text).is_ok(), "{}", same_as_reference(&text).unwrap_err());
        }

        /// The ASCII shortcut of [`normalize_phrase`] gives the tokenizer's words.
        #[test]
        fn ascii_phrases_normalize_as_tokenized(text in "[ -~\t\n]{0,60}") {
            let mut buf = String::new();
            let words: Vec<&str> = tokenize(&text, &mut buf).iter().map(|t| t.norm).filter(|n| !n.is_empty()).collect();
            proptest::prop_assert_eq!(normalize_phrase(&text), words.join(" "));
        }
    }

    #[test]
    fn folds_and_marks_case_and_sentences() {
        let text = "Kim Jong-un met Tn. Putin. AS dan Côte d’Ivoire";
        let mut buf = String::new();
        let t = tokenize(text, &mut buf);
        let norms: Vec<&str> = t.iter().map(|t| t.norm).collect();
        assert_eq!(
            norms,
            ["kim", "jong", "un", "met", "tn", "putin", "as", "dan", "cote", "d", "ivoire"]
        );
        assert_eq!(t[0].case, Case::Title);
        assert_eq!(t[2].case, Case::Lower);
        assert_eq!(t[6].case, Case::Upper);
        assert!(t[0].sentence_start && !t[5].sentence_start && t[6].sentence_start);
        assert_eq!(gap(text, &t, 1), Gap::Join);
        assert_eq!(gap(text, &t, 4), Gap::Space);
        assert_eq!(gap(text, &t, 5), Gap::Break);
        assert_eq!(normalize_phrase("Komsomolsk-on-Amur"), "komsomolsk on amur");
        assert_eq!(normalize_phrase("U.S."), "u s");
    }
}
