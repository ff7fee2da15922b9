//! Text analysis: how article text becomes index terms.
//!
//! Every text is split on non-alphanumeric characters, lower-cased and folded to ASCII
//! ("Côte" and "cote" are one term). The *exact* analyzer stops there and serves every
//! language, so names match as typed. The stemming analyzers add a stemmer for one language:
//! Snowball's English stemmer, and for Indonesian the dictionary-based Sastrawi stemmer
//! (mengatakan→kata, bertemu→temu), which handles nasal prefixes and loanwords better than
//! Snowball's Tala stemmer (see README).

pub use crate::extract::indonesian::stem_indonesian_in_place;
use crate::extract::stem_cache::{SharedStems, StemCache};
use std::cell::RefCell;
use std::sync::LazyLock;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer, TokenizerManager,
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

/// Name of the indexing analyzer for English text: every word as written (folded) and, at the
/// same position, its Snowball stem marked with [`STEM_MARK`] when the stem differs.
pub const ENGLISH_MIXED: &str = "warta_en_mixed";
/// The same for Indonesian, with Sastrawi's stems.
pub const INDONESIAN_MIXED: &str = "warta_id_mixed";
/// First character of stem terms in the mixed fields, so a stem ("kata") is never mistaken
/// for the same word written as such, and prefix queries on words never reach stems.
pub const STEM_MARK: char = '\u{1}';

/// A stemmer of one language, for words already folded to lower case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StemLang {
    English,
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
            StemLang::English => {
                thread_local! {
                    static EN: frostem::Stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
                    static CACHE: RefCell<StemCache> = RefCell::new(StemCache::default());
                }
                static SHARED: LazyLock<SharedStems> = LazyLock::new(SharedStems::default);
                CACHE.with_borrow_mut(|c| {
                    c.stem(word, &SHARED, |word| {
                        let stem = EN.with(|s| match s.stem(word) {
                            std::borrow::Cow::Borrowed(b) if b.len() == word.len() => None,
                            other => Some(other.into_owned()),
                        });
                        if let Some(stem) = stem {
                            *word = stem;
                        }
                    })
                });
            }
        }
    }
}

/// Token filter keeping each word and adding its marked stem at the same position when the
/// stem differs (like Lucene's KeywordRepeatFilter): one field serves exact and stemmed
/// matching, and the text is tokenized and indexed once.
#[derive(Clone, Copy)]
pub struct WithStems(pub StemLang);

impl TokenFilter for WithStems {
    type Tokenizer<T: Tokenizer> = WithStemsFilter<T>;
    fn transform<T: Tokenizer>(self, tokenizer: T) -> WithStemsFilter<T> {
        WithStemsFilter {
            inner: tokenizer,
            lang: self.0,
        }
    }
}

#[derive(Clone)]
pub struct WithStemsFilter<T> {
    inner: T,
    lang: StemLang,
}

impl<T: Tokenizer> Tokenizer for WithStemsFilter<T> {
    type TokenStream<'a> = WithStemsStream<T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        WithStemsStream {
            tail: self.inner.token_stream(text),
            lang: self.lang,
            stem: Token::default(),
            pending: false,
            on_stem: false,
            buf: String::new(),
        }
    }
}

pub struct WithStemsStream<T> {
    tail: T,
    lang: StemLang,
    /// The stem token of the current word, emitted after it when `pending`.
    stem: Token,
    pending: bool,
    /// Whether the current token is `stem`.
    on_stem: bool,
    buf: String,
}

impl<T: TokenStream> TokenStream for WithStemsStream<T> {
    fn advance(&mut self) -> bool {
        if self.pending {
            self.pending = false;
            self.on_stem = true;
            return true;
        }
        self.on_stem = false;
        if !self.tail.advance() {
            return false;
        }
        let word = self.tail.token();
        self.buf.clear();
        self.buf.push_str(&word.text);
        self.lang.stem(&mut self.buf);
        if self.buf != word.text {
            // Field by field: `Token::clone_from` would allocate a new string every time.
            self.stem.offset_from = word.offset_from;
            self.stem.offset_to = word.offset_to;
            self.stem.position = word.position;
            self.stem.position_length = word.position_length;
            self.stem.text.clear();
            self.stem.text.push(STEM_MARK);
            self.stem.text.push_str(&self.buf);
            self.pending = true;
        }
        true
    }
    fn token(&self) -> &Token {
        if self.on_stem {
            &self.stem
        } else {
            self.tail.token()
        }
    }
    fn token_mut(&mut self) -> &mut Token {
        if self.on_stem {
            &mut self.stem
        } else {
            self.tail.token_mut()
        }
    }
}

fn base() -> tantivy::tokenizer::TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
}

/// The analyzer registered under `name`.
pub fn analyzer(name: &str) -> TextAnalyzer {
    match name {
        ENGLISH => base().filter(Stemmer::new(Language::English)).build(),
        INDONESIAN => base().filter(IndonesianStemmer).build(),
        INDONESIAN_TALA => base().filter(TalaStemmer).build(),
        ENGLISH_MIXED => base().filter(WithStems(StemLang::English)).build(),
        INDONESIAN_MIXED => base().filter(WithStems(StemLang::Indonesian)).build(),
        _ => base().build(),
    }
}

/// Registers warta's analyzers with an index's tokenizer manager.
pub fn register(manager: &TokenizerManager) {
    for name in [
        EXACT,
        ENGLISH,
        INDONESIAN,
        INDONESIAN_TALA,
        ENGLISH_MIXED,
        INDONESIAN_MIXED,
    ] {
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

    fn terms(name: &str, text: &str) -> Vec<String> {
        tokens(&mut analyzer(name), text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn mixed_analyzers_keep_words_and_add_marked_stems_at_the_same_position() {
        let toks = tokens(&mut analyzer(INDONESIAN_MIXED), "Putin bertemu Kim");
        let got: Vec<(String, usize)> = toks.into_iter().map(|t| (t.text, t.position)).collect();
        assert_eq!(
            got,
            [
                ("putin".to_string(), 0),
                ("bertemu".to_string(), 1),
                ("\u{1}temu".to_string(), 1),
                ("kim".to_string(), 2)
            ]
        );
        assert_eq!(
            terms(ENGLISH_MIXED, "Running talks"),
            ["running", "\u{1}run", "talks", "\u{1}talk"]
        );
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
}
