//! Text analysis: how article text becomes index terms.
//!
//! Every text is split on non-alphanumeric characters, lower-cased and folded to ASCII
//! ("Côte" and "cote" are one term). The *exact* analyzer stops there and serves every
//! language, so names match as typed. The stemming analyzers add a stemmer for one language:
//! Snowball's English stemmer, and for Indonesian the dictionary-based Sastrawi stemmer
//! (mengatakan→kata, bertemu→temu), which handles nasal prefixes and loanwords better than
//! Snowball's Tala stemmer (see README).
//!
//! The words are split and folded by [`FoldingTokenizer`], which gives exactly the tokens of
//! tantivy's own chain (`SimpleTokenizer`, `RemoveLongFilter`, `LowerCaser`,
//! `AsciiFoldingFilter`) in one pass, with fewer instructions a token.

use super::stem::english::{stem_english_in_place, stem_english_into};
use super::stem::indonesian::{stem_indonesian_in_place, stem_indonesian_into};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
    TokenizerManager,
};

/// Name of the analyzer for unstemmed, folded text (all languages).
pub const EXACT: &str = "warta_exact";
/// Name of the English stemming analyzer.
pub const ENGLISH: &str = "warta_en";
/// Name of the Indonesian stemming analyzer.
pub const INDONESIAN: &str = "warta_id";
/// Snowball's Tala stemmer for Indonesian: not used by the index, kept so `warta-eval
/// stemmers` can compare it with Sastrawi.
pub const INDONESIAN_TALA: &str = "warta_id_tala";

/// A stemmer of one language, for words already folded to lower case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StemLang {
    /// Snowball English.
    English,
    /// Sastrawi Indonesian.
    Indonesian,
}

impl StemLang {
    /// The stemming analyzer of this language (used for queries and snippets).
    pub fn analyzer_name(self) -> &'static str {
        match self {
            StemLang::English => ENGLISH,
            StemLang::Indonesian => INDONESIAN,
        }
    }

    /// Stems `word` in place.
    pub fn stem(self, word: &mut String) {
        match self {
            StemLang::Indonesian => stem_indonesian_in_place(word),
            StemLang::English => stem_english_in_place(word),
        }
    }

    /// Whether the stemmer may change `word`; when false, `word` is its own stem for sure
    /// (Sastrawi: see `stemmable`; Snowball English leaves words of one or two characters
    /// and words without a letter as they are). The stem table skips such words: news text
    /// is full of numbers.
    pub fn may_change(self, word: &str) -> bool {
        match self {
            StemLang::Indonesian => super::stem::indonesian::stemmable(word),
            StemLang::English => word.chars().nth(2).is_some() && word.chars().any(char::is_alphabetic),
        }
    }

    /// Writes the stem of `word` to `out` and returns true when it differs from the word
    /// (else `out` holds nothing useful): no copy of the many words that are their own stem
    /// (the stem table stems every word of the index).
    pub fn stem_into(self, word: &str, out: &mut String) -> bool {
        match self {
            StemLang::Indonesian => stem_indonesian_into(word, out),
            StemLang::English => stem_english_into(word, out),
        }
    }
}

/// Tokens of this many bytes or more (as written) are dropped, as tantivy's
/// `RemoveLongFilter::limit(48)` drops them: URLs, hashes and base64 are no words.
pub(crate) const LONG_TOKEN: usize = 48;

fn base() -> tantivy::tokenizer::TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(FoldingTokenizer::default())
}

/// tantivy's `SimpleTokenizer` + `RemoveLongFilter::limit(48)` + `LowerCaser` +
/// `AsciiFoldingFilter` in one pass, with the same tokens, positions and offsets: words are
/// runs of alphanumeric characters; an all-ASCII word (nearly every word of English and
/// Indonesian text) is lower-cased in place, and any other goes through tantivy's own
/// `LowerCaser` and `AsciiFoldingFilter`, so the result never differs. Kept over tantivy's
/// chain because it skips three stream layers per token and the Unicode tables for ASCII
/// words (measured in docs/performance-log.md).
#[derive(Clone)]
pub struct FoldingTokenizer {
    token: Token,
    fold: TextAnalyzer,
}

impl Default for FoldingTokenizer {
    fn default() -> FoldingTokenizer {
        FoldingTokenizer {
            token: Token::default(),
            fold: TextAnalyzer::builder(tantivy::tokenizer::RawTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
        }
    }
}

impl Tokenizer for FoldingTokenizer {
    type TokenStream<'a> = FoldingStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> FoldingStream<'a> {
        self.token.reset();
        FoldingStream {
            text,
            at: 0,
            token: &mut self.token,
            fold: &mut self.fold,
        }
    }
}

/// The token stream of the fused folding tokenizer.
pub struct FoldingStream<'a> {
    text: &'a str,
    /// Byte offset where the search for the next word starts.
    at: usize,
    token: &'a mut Token,
    fold: &'a mut TextAnalyzer,
}

/// What a byte of UTF-8 text starts, for the tokenizer's scan: bits of a class table.
const SEPARATOR: u8 = 0;
/// An ASCII letter or digit.
const ALNUM: u8 = 1;
/// Set with [`ALNUM`] for an ASCII capital: only words that have one are lower-cased.
const UPPER: u8 = 2;
/// A non-ASCII character (its lead byte): decoded to tell.
const OTHER: u8 = 4;

static BYTE_CLASS: [u8; 256] = {
    let mut t = [SEPARATOR; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c >= 0x80 {
            OTHER
        } else if c.is_ascii_uppercase() {
            ALNUM | UPPER
        } else if c.is_ascii_alphanumeric() {
            ALNUM
        } else {
            SEPARATOR
        };
        b += 1;
    }
    t
};

impl FoldingStream<'_> {
    /// The non-ASCII character starting at byte `i` (a char boundary): whether it is
    /// alphanumeric, and its length in bytes.
    #[cold]
    fn other_at(&self, i: usize) -> (bool, usize) {
        let c = self.text[i..].chars().next().expect("char boundary");
        (c.is_alphanumeric(), c.len_utf8())
    }
}

impl TokenStream for FoldingStream<'_> {
    fn advance(&mut self) -> bool {
        let bytes = self.text.as_bytes();
        let len = bytes.len();
        let mut at = self.at;
        loop {
            // Skip to the next word: ASCII separators by table, other characters decoded.
            while at < len {
                match BYTE_CLASS[bytes[at] as usize] {
                    SEPARATOR => at += 1,
                    OTHER => {
                        let (alnum, width) = self.other_at(at);
                        if alnum {
                            break;
                        }
                        at += width;
                    }
                    _ => break,
                }
            }
            if at >= len {
                self.at = at;
                return false;
            }
            let start = at;
            let mut ascii = true;
            // The classes of the word's ASCII bytes, or-ed: has it a capital?
            let mut seen = 0;
            while at < len {
                let class = BYTE_CLASS[bytes[at] as usize];
                if class & ALNUM != 0 {
                    seen |= class;
                    at += 1;
                } else if class == SEPARATOR {
                    break;
                } else {
                    let (alnum, width) = self.other_at(at);
                    if !alnum {
                        break;
                    }
                    ascii = false;
                    at += width;
                }
            }
            self.token.position = self.token.position.wrapping_add(1);
            if at - start >= LONG_TOKEN {
                continue;
            }
            let word = &self.text[start..at];
            self.at = at;
            self.token.offset_from = start;
            self.token.offset_to = at;
            self.token.text.clear();
            if ascii {
                self.token.text.push_str(word);
                if seen & UPPER != 0 {
                    self.token.text.make_ascii_lowercase();
                }
            } else {
                let mut folded = self.fold.token_stream(word);
                if folded.advance() {
                    self.token.text.push_str(&folded.token().text);
                }
            }
            return true;
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// The analyzer registered under `name`.
pub fn analyzer(name: &str) -> TextAnalyzer {
    match name {
        ENGLISH => base().filter(Stemmer::new(Language::English)).build(),
        INDONESIAN => base().filter(IndonesianStemmer).build(),
        INDONESIAN_TALA => base().filter(TalaStemmer).build(),
        _ => base().build(),
    }
}

/// Registers warta's analyzers with an index's tokenizer manager.
pub fn register(manager: &TokenizerManager) {
    for name in [EXACT, ENGLISH, INDONESIAN, INDONESIAN_TALA] {
        manager.register(name, analyzer(name));
    }
}

/// The stemming analyzer name for a language code, if warta stems that language.
pub fn stemmer_for(lang: &str) -> Option<&'static str> {
    stem_lang(lang).map(StemLang::analyzer_name)
}

/// The stemmer for a language code, if warta stems that language.
pub fn stem_lang(lang: &str) -> Option<StemLang> {
    match lang {
        "en" => Some(StemLang::English),
        "id" | "ms" => Some(StemLang::Indonesian),
        _ => None,
    }
}

/// Terms of `text` under an analyzer, with their byte offsets.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().clone());
    }
    out
}

/// Token filter applying Sastrawi's stemmer ([`stem_indonesian_in_place`]).
#[derive(Clone, Copy)]
pub struct IndonesianStemmer;

impl TokenFilter for IndonesianStemmer {
    type Tokenizer<T: Tokenizer> = IndonesianStemmerFilter<T>;
    fn transform<T: Tokenizer>(self, tokenizer: T) -> IndonesianStemmerFilter<T> {
        IndonesianStemmerFilter { inner: tokenizer }
    }
}

/// A token filter that adds each word's Sastrawi stem at its position.
#[derive(Clone)]
pub struct IndonesianStemmerFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for IndonesianStemmerFilter<T> {
    type TokenStream<'a> = IndonesianStemmerStream<T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        IndonesianStemmerStream {
            tail: self.inner.token_stream(text),
        }
    }
}

/// The token stream of [`IndonesianStemmerFilter`].
pub struct IndonesianStemmerStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for IndonesianStemmerStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        stem_indonesian_in_place(&mut self.tail.token_mut().text);
        true
    }
    fn token(&self) -> &Token {
        self.tail.token()
    }
    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Token filter applying Snowball's Tala stemmer for Indonesian (frostem).
#[derive(Clone, Copy)]
pub struct TalaStemmer;

impl TokenFilter for TalaStemmer {
    type Tokenizer<T: Tokenizer> = TalaStemmerFilter<T>;
    fn transform<T: Tokenizer>(self, tokenizer: T) -> TalaStemmerFilter<T> {
        TalaStemmerFilter { inner: tokenizer }
    }
}

/// A token filter that adds each word's Tala stem at its position (for evaluation against Sastrawi).
#[derive(Clone)]
pub struct TalaStemmerFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for TalaStemmerFilter<T> {
    type TokenStream<'a> = TalaStemmerStream<T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        TalaStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: frostem::Stemmer::new(frostem::Algorithm::Indonesian),
        }
    }
}

/// The token stream of [`TalaStemmerFilter`].
pub struct TalaStemmerStream<T> {
    tail: T,
    stemmer: frostem::Stemmer,
}

impl<T: TokenStream> TokenStream for TalaStemmerStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let stem = self.stemmer.stem(&token.text).into_owned();
        token.text = stem;
        true
    }
    fn token(&self) -> &Token {
        self.tail.token()
    }
    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{RemoveLongFilter, SimpleTokenizer};

    fn terms(name: &str, text: &str) -> Vec<String> {
        tokens(&mut analyzer(name), text).into_iter().map(|t| t.text).collect()
    }

    /// The one-pass tokenizer gives exactly what tantivy's four-stage chain gave (the index
    /// format depends on it): every file of the sample corpus, and text made to be hard.
    #[test]
    fn folding_tokenizer_equals_tantivy_chain() {
        let mut chain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(LONG_TOKEN))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build();
        let mut ours = analyzer(EXACT);
        let hard = [
            "",
            "   ",
            "Côte d'Ivoire ÆSIR straße ΣΊΣΥΦΟΣ İstanbul ǅemal ﬁnance",
            "東京 서울 Москва 2024年 x² ½ ① Ⅻ नमस्ते ٣٤",
            "e\u{301}cole e\u{301}\u{301} 🙂emoji🙂 a\u{200d}b tab\tnew\nline",
            &format!("{} {} ok", "a".repeat(47), "b".repeat(48)),
            &format!("{}é {}", "c".repeat(46), "é".repeat(24)),
            "U.S.-North Korea talks, 3.5% of GDP; Kim's 'summit' — “Putin”",
        ];
        let mut texts: Vec<String> = hard.iter().map(|s| s.to_string()).collect();
        let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("sample_corpus");
        for e in walkdir::WalkDir::new(root).into_iter().flatten() {
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                texts.push(text);
            }
        }
        assert!(texts.len() > 20);
        let key = |t: Token| (t.text, t.offset_from, t.offset_to, t.position, t.position_length);
        for text in &texts {
            let want: Vec<_> = tokens(&mut chain, text).into_iter().map(key).collect();
            let got: Vec<_> = tokens(&mut ours, text).into_iter().map(key).collect();
            assert_eq!(got, want, "{}", text.chars().take(80).collect::<String>());
        }
    }

    proptest::proptest! {
        /// Random text, any script, mixed with ASCII words and long runs.
        #[test]
        fn folding_tokenizer_equals_tantivy_chain_on_any_text(text in "(\\PC{0,12}|[a-zA-Z0-9]{1,60}|[ .,'-]){0,30}") {
            let mut chain = TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(LONG_TOKEN))
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build();
            let key = |t: Token| (t.text, t.offset_from, t.offset_to, t.position);
            let want: Vec<_> = tokens(&mut chain, &text).into_iter().map(key).collect();
            let got: Vec<_> = tokens(&mut analyzer(EXACT), &text).into_iter().map(key).collect();
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn exact_folds_case_and_accents() {
        assert_eq!(
            terms(EXACT, "Côte d'Ivoire KIM Jong-un"),
            ["cote", "d", "ivoire", "kim", "jong", "un"]
        );
    }

    #[test]
    fn indonesian_stems_affixes() {
        assert_eq!(
            terms(INDONESIAN, "mengatakan bertemu pertemuan kesepakatan"),
            ["kata", "temu", "temu", "sepakat"]
        );
        // names and short words survive
        assert_eq!(terms(INDONESIAN, "Putin Kirby AS"), ["putin", "kirby", "as"]);
    }

    #[test]
    fn english_stems() {
        assert_eq!(terms(ENGLISH, "meetings leaders"), ["meet", "leader"]);
    }

    proptest::proptest! {
        /// A word the stem table skips (`may_change` false) is its own stem.
        #[test]
        fn words_that_cannot_change_are_their_own_stem(word in "[0-9]{1,12}|\\PC{1,2}|[0-9.,-]{1,8}|[a-z]{1,6}") {
            for lang in [StemLang::English, StemLang::Indonesian] {
                if !lang.may_change(&word) {
                    let mut stemmed = word.clone();
                    lang.stem(&mut stemmed);
                    proptest::prop_assert_eq!(&stemmed, &word, "{:?}", lang);
                }
            }
        }
    }
}
