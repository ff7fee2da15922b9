//! Extract: what an article is about, beyond its words.
//!
//! Language detection today; entities (persons, countries, organizations, places) build on
//! the same module. Knows nothing of files or tantivy.

pub mod lang;

pub use lang::detect_language;

use crate::ingest::Article;

/// An article with what extraction found in it.
#[derive(Debug, Clone)]
pub struct Enriched {
    pub article: Article,
    /// ISO 639-1 code: from the metadata when given, else detected.
    pub lang: String,
}

/// Enriches an article: its language (metadata wins over detection).
pub fn enrich(article: Article) -> Enriched {
    let lang = match &article.lang {
        Some(l) => l.clone(),
        None => detect_language(
            article.title.as_deref().unwrap_or(""),
            article.body.as_deref().unwrap_or(""),
        ),
    };
    Enriched { article, lang }
}
