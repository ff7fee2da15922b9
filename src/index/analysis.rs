//! Text analysis: how article text becomes index terms.
//!
//! Every text is split on non-alphanumeric characters, lower-cased and folded to ASCII
//! ("Côte" and "cote" are one term). The *exact* analyzer stops there and serves every
//! language, so names match as typed. The stemming analyzers add a stemmer for one language:
//! Snowball's English stemmer, and for Indonesian the dictionary-based Sastrawi stemmer
//! (mengatakan→kata, bertemu→temu), which handles nasal prefixes and loanwords better than
//! Snowball's Tala stemmer (see README).

pub use crate::extract::indonesian::stem_indonesian_in_place;
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

/// Languages with a stemmed copy of the text in the index.
pub const STEMMED_LANGS: [&str; 2] = ["en", "id"];

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
    match lang {
        "en" => Some(ENGLISH),
        "id" | "ms" => Some(INDONESIAN),
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
