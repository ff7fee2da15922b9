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
    /// End of the byte span.
    pub end: usize,
    /// Lower-cased, ASCII-folded form (a slice of the buffer [`tokenize`] was given).
    pub norm: &'a str,
    /// How the word is capitalised.
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

impl Raw {
    /// The token, its folded form read from `buf`.
    fn token(self, buf: &str) -> Tok<'_> {
        Tok {
            start: self.start,
            end: self.end,
            norm: &buf[self.norm.0..self.norm.1],
            case: self.case,
            sentence_start: self.sentence_start,
        }
    }
}

/// Splits text into word tokens (runs of letters and digits). The folded forms live in
/// `buf` (cleared first), which the tokens borrow: one buffer per text instead of a string
/// per word.
///
/// `buf` starts as the text with ASCII letters lower-cased (same length, same offsets): an
/// all-ASCII word's folded form is its own span there, with nothing copied. The folded forms
/// of other words are appended after it. Words are found from bit masks of 64-byte blocks
/// (see [`walk_words`]): ASCII (nearly all of English and Indonesian news) needs no character
/// decoding, and an all-ASCII word has its case computed from its bytes; only non-ASCII
/// characters are decoded, to mark the letters among them, and only words with such letters
/// are folded character by character.
pub fn tokenize<'a>(text: &str, buf: &'a mut String) -> Vec<Tok<'a>> {
    let mut scan = lower_and_classify(text, buf);
    if scan.ascii {
        let toks = tokenize_ascii(text, buf, &scan.masks, scan.words);
        scan.recycle();
        return toks;
    }
    mark_non_ascii(text, &mut scan.masks, &scan.high);
    let mut words = General {
        // About one word per six or seven bytes of news text.
        raw: Vec::with_capacity(text.len() / 5 + 8),
        buf,
        text,
    };
    walk_words(text.as_bytes(), &scan.masks, &mut words);
    scan.recycle();
    let General { raw, buf, .. } = words;
    let buf: &'a str = buf;
    raw.into_iter().map(|r| r.token(buf)).collect()
}

/// Marks the non-ASCII characters of a classified text in its masks: the bytes of letters and
/// digits as word bytes, the first byte of opening quotes (“ ‘ «) as a stop.
fn mark_non_ascii(text: &str, masks: &mut [(u64, u64)], high: &[u64]) {
    let bytes = text.as_bytes();
    for (block, &h) in high.iter().enumerate() {
        let mut h = h;
        while h != 0 {
            let i = block * 64 + h.trailing_zeros() as usize;
            h &= h - 1;
            // The first byte of a character (not a continuation byte).
            if bytes[i] & 0xc0 != 0xc0 {
                continue;
            }
            let (c, width) = char_at(text, i);
            if c.is_alphanumeric() {
                for j in i..i + width {
                    masks[j / 64].0 |= 1 << (j % 64);
                }
            } else if matches!(c, '“' | '‘' | '«') {
                masks[i / 64].1 |= 1 << (i % 64);
            }
        }
    }
}

/// Where [`walk_words`] puts the words it finds.
trait Words {
    /// The next word: its byte span and whether it opens a sentence.
    fn word(&mut self, start: usize, end: usize, sentence_start: bool);
    /// Whether the word given last ends at `at` and is an abbreviation ("Dr", "A").
    fn abbreviation_ends_at(&self, at: usize) -> bool;
}

/// Finds the words of a classified text (see [`lower_and_classify`]) from the bits of its
/// masks rather than byte by byte, and which of them open a sentence.
#[inline(always)]
fn walk_words(bytes: &[u8], masks: &[(u64, u64)], out: &mut impl Words) {
    let mut sentence_start = true;
    // A word that began in an earlier block and has not ended yet.
    let mut open: Option<usize> = None;
    for (block, &(words, stops)) in masks.iter().enumerate() {
        let base = block * 64;
        // Bits below `pos` are done (`pos` stays below 64).
        let mut pos = 0u32;
        loop {
            if let Some(start) = open {
                let ends = !words & (!0u64 << pos);
                if ends == 0 {
                    break; // the word goes on in the next block
                }
                pos = ends.trailing_zeros();
                out.word(start, base + pos as usize, sentence_start);
                sentence_start = false;
                open = None;
            }
            // The gap up to the next word: does it end a sentence?
            let next = words & (!0u64 << pos);
            let before_next = if next == 0 {
                !0
            } else {
                (next & next.wrapping_neg()) - 1
            };
            let mut gap_stops = stops & (!0u64 << pos) & before_next;
            if gap_stops != 0 {
                // A dot right after a one-letter initial or a title abbreviation does not end
                // a sentence.
                let at = base + gap_stops.trailing_zeros() as usize;
                if bytes[at] == b'.' && out.abbreviation_ends_at(at) {
                    gap_stops &= gap_stops - 1;
                }
                if gap_stops != 0 {
                    sentence_start = true;
                }
            }
            if next == 0 {
                break;
            }
            pos = next.trailing_zeros();
            open = Some(base + pos as usize);
        }
    }
    if let Some(start) = open {
        out.word(start, bytes.len(), sentence_start);
    }
}

/// The words of a text with non-ASCII characters, before they borrow their folded forms.
struct General<'b, 't> {
    raw: Vec<Raw>,
    buf: &'b mut String,
    text: &'t str,
}

impl Words for General<'_, '_> {
    fn word(&mut self, start: usize, end: usize, sentence_start: bool) {
        let word = &self.text[start..end];
        let (norm, case) = if word.is_ascii() {
            // Its span of the lower-cased copy.
            ((start, end), ascii_case(word.as_bytes()))
        } else {
            let from = self.buf.len();
            fold_into(word, self.buf);
            ((from, self.buf.len()), case_of(word))
        };
        self.raw.push(Raw {
            start,
            end,
            norm,
            case,
            sentence_start,
        });
    }

    fn abbreviation_ends_at(&self, at: usize) -> bool {
        self.raw
            .last()
            .is_some_and(|r| r.end == at && is_abbreviation(&self.buf[r.norm.0..r.norm.1]))
    }
}

/// The words of an all-ASCII text.
struct Ascii<'a, 't> {
    toks: Vec<Tok<'a>>,
    lower: &'a str,
    bytes: &'t [u8],
}

impl Words for Ascii<'_, '_> {
    #[inline]
    fn word(&mut self, start: usize, end: usize, sentence_start: bool) {
        let toks = &mut self.toks;
        debug_assert!(
            start < end && end <= self.bytes.len() && end <= self.lower.len() && toks.len() < toks.capacity()
        );
        // SAFETY: checked above; the text is ASCII, so every offset is a char boundary.
        unsafe {
            toks.as_mut_ptr().add(toks.len()).write(Tok {
                start,
                end,
                norm: self.lower.get_unchecked(start..end),
                case: ascii_case(self.bytes.get_unchecked(start..end)),
                sentence_start,
            });
            toks.set_len(toks.len() + 1);
        }
    }

    #[inline]
    fn abbreviation_ends_at(&self, at: usize) -> bool {
        self.toks.last().is_some_and(|t| t.end == at && is_abbreviation(t.norm))
    }
}

/// [`tokenize`] of an all-ASCII text (88% of the shared corpora's articles, 77% of their
/// bytes): every word's folded form is its own span of `lower`, the text lower-cased, so
/// tokens are made as they are found, without the general path's second pass that lends
/// them their folded forms.
///
/// Words and the punctuation between them are found from the bits of `masks` (see
/// [`lower_and_classify`]) rather than byte by byte: the byte loop took a fifth of
/// extraction's instructions.
fn tokenize_ascii<'a>(text: &str, lower: &'a str, masks: &[(u64, u64)], words: usize) -> Vec<Tok<'a>> {
    let mut out = Ascii {
        toks: Vec::with_capacity(words),
        lower,
        bytes: text.as_bytes(),
    };
    walk_words(text.as_bytes(), masks, &mut out);
    out.toks
}

/// What [`lower_and_classify`] learns of a text.
struct Scan {
    /// Per block of 64 bytes: its ASCII letters and digits, and its ASCII punctuation that may
    /// start a sentence (the [`BYTE_CLASS`] classes `ASCII_WORD` and `ASCII_STOP`), bit `i`
    /// for byte `i`. The last block is padded with zeros, which are neither.
    masks: Vec<(u64, u64)>,
    /// Per block: its non-ASCII bytes.
    high: Vec<u64>,
    /// Whether the text is all ASCII.
    ascii: bool,
    /// Runs of ASCII letters and digits: the words of an ASCII text.
    words: usize,
}

/// A text's masks: per block, its word and stop bytes, and its non-ASCII bytes.
type Masks = (Vec<(u64, u64)>, Vec<u64>);

thread_local! {
    /// The masks of the text this thread tokenized last, whose room the next one reuses.
    static MASKS: std::cell::RefCell<Masks> = std::cell::RefCell::default();
}

impl Scan {
    /// Hands the masks' room back for the next text, unless an exceptionally long text made
    /// it large.
    fn recycle(self) {
        if self.masks.capacity() <= 1 << 16 {
            MASKS.set((self.masks, self.high));
        }
    }
}

/// Copies `text` into `buf` (cleared first) with its ASCII letters lower-cased (same length,
/// same offsets) and classifies its bytes, 64 a block, in the same pass: no separate copy,
/// ASCII test or word count.
fn lower_and_classify(text: &str, buf: &mut String) -> Scan {
    buf.clear();
    let n = text.len();
    buf.reserve(n + n / 4 + 16);
    // SAFETY: every byte of `text` is written to the buffer before its length is set, each
    // unchanged but for ASCII capitals written as ASCII small letters: the buffer holds
    // UTF-8 at every point its length covers.
    let out = unsafe { buf.as_mut_vec() };
    let (mut masks, mut highs) = MASKS.take();
    masks.clear();
    masks.reserve(n.div_ceil(64));
    highs.clear();
    highs.reserve(n.div_ceil(64));
    let (mut high, mut words, mut carry) = (0u64, 0usize, 0u64);
    let mut count = |w: u64, carry: &mut u64| {
        // Word starts: word bytes whose previous byte is no word byte.
        words += (w & !((w << 1) | *carry)).count_ones() as usize;
        *carry = w >> 63;
    };
    let mut blocks = text.as_bytes().chunks_exact(64);
    for block in &mut blocks {
        let mut b: [u8; 64] = block.try_into().expect("64 bytes");
        let (w, s, h) = lower_block(&mut b);
        out.extend_from_slice(&b);
        count(w, &mut carry);
        high |= h;
        highs.push(h);
        masks.push((w, s));
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        let mut padded = [0u8; 64];
        padded[..rest.len()].copy_from_slice(rest);
        let (w, s, h) = lower_block(&mut padded);
        out.extend_from_slice(&padded[..rest.len()]);
        count(w, &mut carry);
        high |= h;
        highs.push(h);
        masks.push((w, s));
    }
    Scan {
        masks,
        high: highs,
        ascii: high == 0,
        words,
    }
}

/// [`lower_and_classify`] of one block.
/// Also returns the mask of non-ASCII bytes.
#[inline]
fn lower_block(block: &mut [u8; 64]) -> (u64, u64, u64) {
    #[cfg(target_arch = "x86_64")]
    {
        let (mut words, mut stops, mut high) = (0u64, 0u64, 0u64);
        for (i, chunk) in block.chunks_exact_mut(16).enumerate() {
            // SAFETY: SSE2 is part of every x86_64 CPU, and the chunk holds 16 bytes.
            let (w, s, h) = unsafe { sse2_lower(chunk.as_mut_ptr()) };
            words |= u64::from(w) << (16 * i);
            stops |= u64::from(s) << (16 * i);
            high |= u64::from(h) << (16 * i);
        }
        (words, stops, high)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        lower_block_bytewise(block)
    }
}

/// [`lower_block`] a byte at a time: for other CPUs, and the oracle of the SSE2 version.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn lower_block_bytewise(block: &mut [u8; 64]) -> (u64, u64, u64) {
    let (mut words, mut stops, mut high) = (0u64, 0u64, 0u64);
    for (i, b) in block.iter_mut().enumerate() {
        match BYTE_CLASS[usize::from(*b)] {
            ASCII_WORD => words |= 1 << i,
            ASCII_STOP => stops |= 1 << i,
            NON_ASCII => high |= 1 << i,
            _ => {}
        }
        b.make_ascii_lowercase();
    }
    (words, stops, high)
}

/// [`lower_block`] of the 16 bytes at `p`, with SSE2 byte comparisons.
#[cfg(target_arch = "x86_64")]
#[inline]
unsafe fn sse2_lower(p: *mut u8) -> (u16, u16, u16) {
    use std::arch::x86_64::*;
    let v = _mm_loadu_si128(p.cast::<__m128i>().cast_const());
    let set = |b: u8| _mm_set1_epi8(b as i8);
    // Signed comparisons: bytes from 0x80 up are negative and fall in no range.
    let within =
        |v: __m128i, lo: u8, hi: u8| _mm_and_si128(_mm_cmpgt_epi8(v, set(lo - 1)), _mm_cmplt_epi8(v, set(hi + 1)));
    let capital = within(v, b'A', b'Z');
    let lowered = _mm_or_si128(v, _mm_and_si128(capital, set(0x20)));
    _mm_storeu_si128(p.cast::<__m128i>(), lowered);
    let word = _mm_or_si128(within(v, b'0', b'9'), within(lowered, b'a', b'z'));
    let eq = |b: u8| _mm_cmpeq_epi8(v, set(b));
    let stop = _mm_or_si128(
        _mm_or_si128(_mm_or_si128(eq(b'.'), eq(b'!')), _mm_or_si128(eq(b'?'), eq(b'\n'))),
        _mm_or_si128(
            _mm_or_si128(eq(b'"'), eq(b':')),
            _mm_or_si128(_mm_or_si128(eq(b';'), eq(b'(')), eq(b'[')),
        ),
    );
    (
        _mm_movemask_epi8(word) as u16,
        _mm_movemask_epi8(stop) as u16,
        _mm_movemask_epi8(v) as u16,
    )
}

/// Classes of bytes, as [`lower_block`] tells them 16 at a time: the byte-at-a-time
/// classifier (other CPUs, and the SSE2 version's oracle in tests) looks each byte up here.
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
#[inline(always)]
pub fn gap(text: &str, toks: &[Tok], i: usize) -> Gap {
    let (from, to) = (toks[i].end, toks[i + 1].start);
    // Nearly every gap is one space: told from the bytes, without slicing the text.
    if to == from + 1 && text.as_bytes()[from] == b' ' {
        return Gap::Space;
    }
    if to == from {
        return Gap::Join;
    }
    gap_between(&text[from..to], toks[i].norm)
}

/// [`gap`] of other text between two words, the first folded as `before`.
fn gap_between(between: &str, before: &str) -> Gap {
    if between.chars().all(|c| c == ' ' || c == '\u{a0}' || c == '\t') {
        return Gap::Space;
    }
    if between == "-" || between == "‐" || between == "'" || between == "’" {
        return Gap::Join;
    }
    // An initial or abbreviation with its dot: "J. Smith", "Tn. Putin".
    if between.trim_start_matches('.').chars().all(|c| c == ' ') && between.starts_with('.') && is_abbreviation(before)
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
        let mut out = Vec::with_capacity(s.len());
        let mut in_word = false;
        for &b in s.as_bytes() {
            if b.is_ascii_alphanumeric() {
                if !in_word && !out.is_empty() {
                    out.push(b' ');
                }
                out.push(b.to_ascii_lowercase());
                in_word = true;
            } else {
                in_word = false;
            }
        }
        return String::from_utf8(out).expect("ASCII");
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
            // The general rule; the tokenizer's ASCII fast path is what is checked against it.
            let case = case_of(word);
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
        raw.into_iter().map(|r| r.token(buf)).collect()
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
        let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("sample_corpus");
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

    /// The ASCII path reads the text in blocks of 64 bytes: words, abbreviation dots and
    /// punctuation at every position around a block's end (and the text's).
    #[test]
    fn agrees_with_the_reference_across_block_boundaries() {
        let sample = "Dr. Smith met Mr. Jones. NATO said: (AS) [x] \"ok\"! Why? Yes; A. B. Cd.\nEnd";
        for pad in 0..140 {
            for text in [
                format!("{}{sample}", " ".repeat(pad)),
                format!("{}{sample}", "x".repeat(pad)),
                format!("{sample}{}", "y".repeat(pad)),
                "Ab. ".repeat(pad),
            ] {
                same_as_reference(&text).unwrap();
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_reference_on_any_text(text in "(\\PC{0,8}|[A-Za-z0-9]{1,12}|[ .!?:;(\\[\n\"'-]){0,40}") {
            proptest::prop_assert!(same_as_reference(&text).is_ok(), "{}", same_as_reference(&text).unwrap_err());
        }

        /// The SSE2 block classifier and lower-caser agrees with the byte-at-a-time one on
        /// any bytes.
        #[test]
        fn block_classifiers_agree(bytes in proptest::collection::vec(proptest::num::u8::ANY, 64)) {
            let mut a: [u8; 64] = bytes.try_into().unwrap();
            let mut b = a;
            proptest::prop_assert_eq!(lower_block(&mut a), lower_block_bytewise(&mut b));
            proptest::prop_assert_eq!(a, b);
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
