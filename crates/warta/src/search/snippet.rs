//! Snippets: the passage of an article that best shows why it matched, with the matched words
//! marked. Matching uses the same analyzers as the index, so `bertemu` highlights `pertemuan`.

use rustc_hash::{FxHashMap, FxHashSet};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tantivy::tokenizer::TokenStream;

use crate::index::stems::StemTable;
use crate::text::analysis::{self, StemLang, EXACT};

/// Target length of a snippet in characters.
const SNIPPET_CHARS: usize = 220;

/// Terms of a query, per analyzer, that a snippet marks.
#[derive(Debug, Default, Clone)]
pub struct HighlightTerms {
    /// analyzer name → terms
    pub terms: FxHashMap<&'static str, FxHashSet<String>>,
    /// Folded prefixes (from `word*`).
    pub prefixes: Vec<String>,
}

impl HighlightTerms {
    /// Whether there is nothing to highlight.
    pub fn is_empty(&self) -> bool {
        self.terms.values().all(FxHashSet::is_empty) && self.prefixes.is_empty()
    }
}

/// A passage of text and the byte ranges in it to highlight. In JSON it is the list of its
/// [`SnippetPart`]s, so a client marks the matched words without parsing markers out of
/// article text (which may hold `**` of its own).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snippet {
    /// The passage.
    pub text: String,
    /// Byte ranges of `text` to highlight, in order.
    pub highlights: Vec<(usize, usize)>,
}

/// A run of a snippet's text, matched by the query or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnippetPart {
    /// The run's text.
    pub text: String,
    /// Whether the query matched it.
    pub highlight: bool,
}

impl Snippet {
    /// The text cut into alternating runs, the highlighted ones marked.
    pub fn parts(&self) -> Vec<SnippetPart> {
        let mut parts = Vec::with_capacity(2 * self.highlights.len() + 1);
        let mut push = |text: &str, highlight: bool| {
            if !text.is_empty() {
                parts.push(SnippetPart {
                    text: text.to_string(),
                    highlight,
                });
            }
        };
        let mut at = 0;
        for &(s, e) in &self.highlights {
            push(&self.text[at..s], false);
            push(&self.text[s..e], true);
            at = e;
        }
        push(&self.text[at..], false);
        parts
    }

    /// The snippet made of `parts` again.
    pub fn from_parts(parts: &[SnippetPart]) -> Snippet {
        let mut snippet = Snippet::default();
        for p in parts {
            let start = snippet.text.len();
            snippet.text.push_str(&p.text);
            if p.highlight {
                snippet.highlights.push((start, snippet.text.len()));
            }
        }
        snippet
    }

    /// The snippet with highlights wrapped in `open` and `close`.
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + self.highlights.len() * (open.len() + close.len()));
        let mut at = 0;
        for &(s, e) in &self.highlights {
            out.push_str(&self.text[at..s]);
            out.push_str(open);
            out.push_str(&self.text[s..e]);
            out.push_str(close);
            at = e;
        }
        out.push_str(&self.text[at..]);
        out
    }
}

impl Serialize for Snippet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.parts().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Snippet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Snippet, D::Error> {
        Ok(Snippet::from_parts(&Vec::<SnippetPart>::deserialize(deserializer)?))
    }
}

/// Builds the snippet of `text` (in language `lang`) for the query's terms.
///
/// Words are stemmed through `stems`, the index's stem table (see [`StemTable::stem`]).
pub fn make(text: &str, lang: &str, terms: &HighlightTerms, stems: &StemTable) -> Snippet {
    let matches = if terms.is_empty() {
        Vec::new()
    } else {
        matched_ranges(text, lang, terms, stems)
    };
    if matches.is_empty() {
        let end = cut_at_word(text, SNIPPET_CHARS);
        let mut t = text[..end].trim_end().to_string();
        if end < text.len() {
            t.push('…');
        }
        return Snippet {
            text: flatten(&t),
            highlights: vec![],
        };
    }
    let first = matches[best_window(text, &matches)].0;
    // Start a little before the first match, at a word boundary (or the sentence start).
    let lead_start = floor_boundary(text, first.saturating_sub(60));
    let mut start = text[lead_start..first]
        .rfind(['.', '!', '?', '\n'])
        .map(|p| lead_start + p + 1)
        .unwrap_or_else(|| {
            text[lead_start..first]
                .find(' ')
                .map_or(lead_start, |p| lead_start + p + 1)
        });
    if first - lead_start < 60 && lead_start == 0 {
        start = 0;
    }
    while start < first && text[start..].starts_with(char::is_whitespace) {
        start += text[start..].chars().next().map_or(1, char::len_utf8);
    }
    let end = start + cut_at_word(&text[start..], SNIPPET_CHARS);
    let mut out = String::new();
    let mut highlights = Vec::new();
    if start > 0 {
        out.push('…');
    }
    let base = out.len();
    out.push_str(&text[start..end]);
    for &(s, e) in &matches {
        if s >= start && e <= end {
            highlights.push((base + s - start, base + e - start));
        }
    }
    if end < text.len() {
        out.push('…');
    }
    // Adjacent matched words read as one highlight: "**Kim Jong Un**".
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(highlights.len());
    for (s, e) in highlights {
        match merged.last_mut() {
            Some(last) if out[last.1..s].chars().all(|c| c == ' ' || c == '-') && s - last.1 <= 2 => last.1 = e,
            _ => merged.push((s, e)),
        }
    }
    let highlights = merged;
    // Newlines become spaces (same length, so the ranges stay valid).
    Snippet {
        text: out.replace(['\n', '\r', '\t'], " "),
        highlights,
    }
}

/// The index of the match that starts the window of about [`SNIPPET_CHARS`] holding the most
/// distinct matched words (as lower-cased); the first such window on ties. Each match is
/// lower-cased once and numbered by its word; a window counts the numbers it has not seen,
/// marking them with its own stamp (it lower-cased and hashed every match of every window).
fn best_window(text: &str, matches: &[(usize, usize)]) -> usize {
    let budget = SNIPPET_CHARS * 2; // bytes, generous for multi-byte text
    let mut word_ids: FxHashMap<String, usize> = FxHashMap::default();
    let ids: Vec<usize> = matches
        .iter()
        .map(|&(s, e)| {
            let next = word_ids.len();
            *word_ids.entry(text[s..e].to_lowercase()).or_insert(next)
        })
        .collect();
    let mut seen_in = vec![usize::MAX; word_ids.len()];
    let mut best = (0usize, 0usize);
    for (i, &(start, _)) in matches.iter().enumerate() {
        let mut distinct = 0;
        for (&(_, e), &id) in matches[i..].iter().zip(&ids[i..]) {
            if e - start > budget {
                break;
            }
            if seen_in[id] != i {
                seen_in[id] = i;
                distinct += 1;
            }
        }
        if distinct > best.1 {
            best = (i, distinct);
        }
    }
    best.0
}

fn flatten(s: &str) -> String {
    s.replace(['\n', '\r', '\t'], " ")
}

/// Byte ranges of the words of `text` matching the terms, in order.
///
/// A word is stemmed only when it can stem to a query stem: both stemmers (Sastrawi,
/// Snowball) keep the middle of a stem inside the word (they strip affixes, and change at
/// most a stem's first letter, after a nasal prefix, or its last, y→i), so a word not
/// containing the middle of any query stem is not stemmed at all. (Of the 222,750 distinct
/// words of the shared corpora, 9 break this rule, all Sastrawi oddities such as "felis" →
/// "isis"; those words are found but not highlighted.) So every matching word of ASCII
/// letters and digits contains an exact term, a prefix or a stem's middle, lower-cased: only
/// the words around those substrings, and the words with other letters (which fold), are
/// looked at ([`Matcher::words_around`]).
fn matched_ranges(text: &str, lang: &str, terms: &HighlightTerms, stems: &StemTable) -> Vec<(usize, usize)> {
    let matcher = Matcher::new(lang, terms);
    match matcher.needles() {
        Some(needles) => matcher.words_around(text, &needles, stems),
        None => matcher.every_word(text, stems),
    }
}

/// Shortest substring worth looking for: shorter ones occur in most words.
const MIN_NEEDLE: usize = 3;

/// What decides whether a word of one language's text matches the query's terms.
struct Matcher<'a> {
    exact_terms: Option<&'a FxHashSet<String>>,
    /// Bits of the exact terms' lengths ([`length_bit`]): most words have a length no exact
    /// term has and are passed over without hashing.
    exact_lengths: u64,
    prefixes: &'a [String],
    stemmer: Option<StemLang>,
    stem_terms: Option<&'a FxHashSet<String>>,
    /// The stems' middles ([`stem_core`]).
    cores: Vec<&'a str>,
}

impl<'a> Matcher<'a> {
    fn new(lang: &str, terms: &'a HighlightTerms) -> Matcher<'a> {
        let exact_terms = terms.terms.get(EXACT).filter(|t| !t.is_empty());
        let stemmer = analysis::stem_lang(lang);
        let stem_terms = stemmer
            .and_then(|l| terms.terms.get(l.analyzer_name()))
            .filter(|t| !t.is_empty());
        Matcher {
            exact_terms,
            exact_lengths: exact_terms.map_or(0u64, |t| t.iter().fold(0, |m, w| m | length_bit(w))),
            prefixes: &terms.prefixes,
            stemmer,
            stem_terms,
            cores: stem_terms.map_or_else(Vec::new, |t| t.iter().map(|s| stem_core(s)).collect()),
        }
    }

    /// Whether `word` (folded) matches; `buf` is scratch space for its stem.
    fn is_hit(&self, word: &str, buf: &mut String, stems: &StemTable) -> bool {
        self.exact_terms
            .is_some_and(|t| self.exact_lengths & length_bit(word) != 0 && t.contains(word))
            || self.prefixes.iter().any(|p| word.starts_with(p.as_str()))
            || match (self.stemmer, self.stem_terms) {
                (Some(stemmer), Some(t))
                    if self.cores.iter().any(|c| contains_bytes(word.as_bytes(), c.as_bytes())) =>
                {
                    buf.clear();
                    buf.push_str(word);
                    stems.stem(stemmer, buf);
                    t.contains(buf.as_str())
                }
                _ => false,
            }
    }

    /// The substrings every matching ASCII word contains one of, or `None` when one of them
    /// is too short to narrow the search ([`MIN_NEEDLE`]). Non-ASCII terms can match no
    /// ASCII word and are left out.
    fn needles(&self) -> Option<Vec<&'a str>> {
        let stem_cores = if self.stem_terms.is_some() {
            &self.cores[..]
        } else {
            &[]
        };
        let all = self.exact_terms.into_iter().flatten().map(String::as_str);
        let all = all
            .chain(self.prefixes.iter().map(String::as_str))
            .chain(stem_cores.iter().copied());
        let mut needles = Vec::new();
        for n in all.filter(|n| n.is_ascii()) {
            if n.len() < MIN_NEEDLE {
                return None;
            }
            needles.push(n);
        }
        Some(needles)
    }

    /// The matching words of `text` among those holding one of `needles` (lower-cased) and
    /// those with a letter or digit outside ASCII, in order.
    fn words_around(&self, text: &str, needles: &[&str], stems: &StemTable) -> Vec<(usize, usize)> {
        let lower = text.to_ascii_lowercase();
        let mut words: Vec<(usize, usize)> = Vec::new();
        for needle in needles {
            for at in memchr::memmem::find_iter(lower.as_bytes(), needle.as_bytes()) {
                words.push(word_around(text, at, at + needle.len()));
            }
        }
        words.extend(non_ascii_words(text));
        words.sort_unstable();
        words.dedup();
        let mut buf = String::new();
        let mut out = Vec::with_capacity(words.len());
        for (s, e) in words {
            if lower[s..e].is_ascii() {
                if e - s < analysis::LONG_TOKEN && self.is_hit(&lower[s..e], &mut buf, stems) {
                    out.push((s, e));
                }
            } else {
                out.extend(
                    self.every_word(&text[s..e], stems)
                        .into_iter()
                        .map(|(a, b)| (s + a, s + b)),
                );
            }
        }
        out
    }

    /// The matching words of `text`, read one by one with the index's exact analyzer.
    fn every_word(&self, text: &str, stems: &StemTable) -> Vec<(usize, usize)> {
        let mut analyzer = analysis::analyzer(EXACT);
        let mut stream = analyzer.token_stream(text);
        let mut buf = String::new();
        let mut out = Vec::new();
        while stream.advance() {
            let tok = stream.token();
            if self.is_hit(&tok.text, &mut buf, stems) {
                out.push((tok.offset_from, tok.offset_to));
            }
        }
        out
    }
}

/// The word (run of letters and digits, as the analyzer cuts words) of `text` that holds
/// the byte range `from..to`.
fn word_around(text: &str, mut from: usize, mut to: usize) -> (usize, usize) {
    while let Some(c) = text[..from].chars().next_back().filter(|c| c.is_alphanumeric()) {
        from -= c.len_utf8();
    }
    while let Some(c) = text[to..].chars().next().filter(|c| c.is_alphanumeric()) {
        to += c.len_utf8();
    }
    (from, to)
}

/// The words of `text` with a letter or digit outside ASCII (one range per such character),
/// skipping ASCII text 64 bytes at a time.
fn non_ascii_words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let chunk = &text.as_bytes()[at..(at + 64).min(text.len())];
        if chunk.is_ascii() {
            at += chunk.len();
            continue;
        }
        let end = at + chunk.len();
        while at < end {
            let c = text[at..].chars().next().expect("char boundary");
            if c.is_alphanumeric() && !c.is_ascii() {
                out.push(word_around(text, at, at + c.len_utf8()));
            }
            at += c.len_utf8();
        }
    }
    out
}

/// A bit for a word's byte length (lengths from 63 up share the last bit).
fn length_bit(word: &str) -> u64 {
    1 << word.len().min(63)
}

/// Whether `word` contains `core` (an empty core is in every word). Words and cores are a few
/// bytes long: a scan for the first byte costs less than setting up a substring searcher for
/// each word (`str::contains` took a fifth of a snippet's time).
fn contains_bytes(word: &[u8], core: &[u8]) -> bool {
    let Some((&first, rest)) = core.split_first() else {
        return true;
    };
    word.len() >= core.len()
        && (0..=word.len() - core.len()).any(|i| word[i] == first && &word[i + 1..i + core.len()] == rest)
}

/// A stem without its first and last characters (empty for stems under three characters,
/// which every word contains).
fn stem_core(stem: &str) -> &str {
    let mut chars = stem.char_indices();
    match (chars.nth(1), stem.char_indices().next_back()) {
        (Some((from, _)), Some((to, _))) if stem.chars().count() >= 3 => &stem[from..to],
        _ => "",
    }
}

/// Byte length of the longest prefix of `text` of at most `max_chars` characters that ends
/// at a word boundary.
fn cut_at_word(text: &str, max_chars: usize) -> usize {
    match text.char_indices().nth(max_chars) {
        None => text.len(),
        Some((limit, _)) => text[..limit]
            .rfind(char::is_whitespace)
            .filter(|&p| p > limit / 2)
            .unwrap_or(limit),
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(exact: &[&str], id: &[&str]) -> HighlightTerms {
        let mut t = HighlightTerms::default();
        t.terms.insert(EXACT, exact.iter().map(|s| s.to_string()).collect());
        t.terms
            .insert(analysis::INDONESIAN, id.iter().map(|s| s.to_string()).collect());
        t
    }

    #[test]
    fn marks_exact_and_stemmed_matches() {
        let s = make(
            "Kedua pemimpin bertemu di Vladivostok. Pertemuan itu dibahas Putin.",
            "id",
            &terms(&["putin"], &["temu"]),
            &StemTable::default(),
        );
        assert_eq!(
            s.marked("[", "]"),
            "Kedua pemimpin [bertemu] di Vladivostok. [Pertemuan] itu dibahas [Putin]."
        );
    }

    #[test]
    fn long_text_is_cut_around_the_match() {
        let text = format!(
            "{} Putin spoke. {}",
            "filler words here. ".repeat(40),
            "more text ".repeat(60)
        );
        let s = make(&text, "en", &terms(&["putin"], &[]), &StemTable::default());
        assert!(s.text.starts_with('…') && s.text.ends_with('…'));
        assert_eq!(s.highlights.len(), 1);
        assert!(s.marked("**", "**").contains("**Putin**"));
        assert!(s.text.chars().count() < 260);
    }

    /// The shortcut of [`matched_ranges`]: every word of the sample corpus contains the core
    /// of its own stem, in both stemmers.
    #[test]
    fn words_contain_the_core_of_their_stem() {
        let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("sample_corpus");
        let mut words = std::collections::BTreeSet::new();
        for e in walkdir::WalkDir::new(root).into_iter().flatten() {
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                for t in analysis::tokens(&mut analysis::analyzer(EXACT), &text) {
                    words.insert(t.text);
                }
            }
        }
        assert!(words.len() > 2000, "{}", words.len());
        let mut changed = 0;
        for lang in [analysis::StemLang::English, analysis::StemLang::Indonesian] {
            for w in &words {
                let mut stem = w.clone();
                lang.stem(&mut stem);
                changed += usize::from(stem != *w);
                assert!(w.contains(stem_core(&stem)), "{lang:?}: {w} -> {stem}");
            }
        }
        assert!(changed > 1000, "{changed}");
        assert_eq!(stem_core("temu"), "em");
        assert_eq!(stem_core("ab"), "");
        assert_eq!(stem_core("côté"), "ôt");
    }

    #[test]
    fn stems_highlight_nasal_and_suffixed_forms() {
        let s = make(
            "Ia menulis surat. Tulisan itu ditulis ulang; the happiest runners ran.",
            "id",
            &terms(&[], &["tulis"]),
            &StemTable::default(),
        );
        assert_eq!(
            s.marked("[", "]"),
            "Ia [menulis] surat. [Tulisan] itu [ditulis] ulang; the happiest runners ran."
        );
    }

    /// The window as it was chosen before [`best_window`] numbered the words.
    fn best_window_reference(text: &str, matches: &[(usize, usize)]) -> usize {
        let mut best = (0usize, 0usize);
        for (i, &(start, _)) in matches.iter().enumerate() {
            let mut distinct = std::collections::HashSet::new();
            for &(s, e) in &matches[i..] {
                if e - start > SNIPPET_CHARS * 2 {
                    break;
                }
                distinct.insert(text[s..e].to_lowercase());
            }
            if distinct.len() > best.1 {
                best = (i, distinct.len());
            }
        }
        best.0
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn contains_bytes_is_substring_search(word in "[abé]{0,8}", core in "[abé]{0,3}") {
            proptest::prop_assert_eq!(contains_bytes(word.as_bytes(), core.as_bytes()), word.contains(&core));
        }

        /// Words of a few letters in both cases, spread so that windows hold several.
        #[test]
        fn best_window_is_the_reference_window(words in proptest::collection::vec("[aAbBéÉ]{1,3}", 1..60), gap in 1usize..40) {
            let sep = " ".repeat(gap);
            let text = words.join(&sep);
            let mut matches = Vec::new();
            let mut at = 0;
            for w in &words {
                matches.push((at, at + w.len()));
                at += w.len() + gap;
            }
            proptest::prop_assert_eq!(best_window(&text, &matches), best_window_reference(&text, &matches));
        }
    }

    #[test]
    fn no_match_gives_the_opening() {
        let s = make("Short text.", "en", &HighlightTerms::default(), &StemTable::default());
        assert_eq!(s.text, "Short text.");
    }

    #[test]
    fn parts_flag_matches_and_never_the_texts_own_markers() {
        let s = make(
            "A **bold** claim by Kirby, and Kirby again.",
            "en",
            &terms(&["kirby"], &[]),
            &StemTable::default(),
        );
        let part = |text: &str, highlight: bool| SnippetPart {
            text: text.to_string(),
            highlight,
        };
        let parts = s.parts();
        assert_eq!(
            parts,
            [
                part("A **bold** claim by ", false),
                part("Kirby", true),
                part(", and ", false),
                part("Kirby", true),
                part(" again.", false)
            ]
        );
        assert_eq!(Snippet::from_parts(&parts), s);
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json[1], serde_json::json!({"text": "Kirby", "highlight": true}));
    }

    /// Looking only around the terms' substrings finds exactly the words reading every word
    /// finds, in text of either language, with exact words, stems and prefixes, words with
    /// letters that fold (Müller = muller) and separators outside ASCII.
    #[test]
    fn looking_around_the_terms_finds_what_reading_every_word_finds() {
        const WORDS: [&str; 20] = [
            "bertemu",
            "pertemuan",
            "temu",
            "Menemui",
            "markets",
            "market",
            "marketing",
            "oil",
            "OILS",
            "harga",
            "hargai",
            "x9",
            "Kirby",
            "kirbys",
            "interest",
            "rates",
            "Müller",
            "muller",
            "Ñandú",
            "nandu",
        ];
        const SEPARATORS: [&str; 7] = [" ", ", ", "-", "\n", "'", "\u{201c}", "\u{2019}"];
        let words = proptest::collection::vec((0..WORDS.len(), 0..SEPARATORS.len()), 0..40);
        let queries = proptest::collection::vec(0..WORDS.len(), 1..4);
        proptest::proptest!(|(text in words, query in queries, prefix in proptest::bool::ANY, lang in 0..2usize)| {
            let text: String = text.iter().map(|&(w, s)| format!("{}{}", WORDS[w], SEPARATORS[s])).collect();
            let lang = ["id", "en"][lang];
            let stems = StemTable::default();
            let mut terms = HighlightTerms::default();
            for &q in &query {
                let word = WORDS[q].to_lowercase();
                let mut stem = word.clone();
                stems.stem(analysis::stem_lang(lang).unwrap(), &mut stem);
                terms.terms.entry(EXACT).or_default().insert(word.clone());
                terms.terms.entry(analysis::stem_lang(lang).unwrap().analyzer_name()).or_default().insert(stem);
                if let Some(p) = word.get(..3).filter(|_| prefix) {
                    terms.prefixes.push(p.to_string());
                }
            }
            let matcher = Matcher::new(lang, &terms);
            let every = matcher.every_word(&text, &stems);
            if let Some(needles) = matcher.needles() {
                proptest::prop_assert_eq!(&matcher.words_around(&text, &needles, &stems), &every);
            }
            proptest::prop_assert_eq!(matched_ranges(&text, lang, &terms, &stems), every);
        });
    }
}
