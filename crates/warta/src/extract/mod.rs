//! Extract: what an article is about, beyond its words.
//!
//! Language detection today; entities (persons, countries, organizations, places) build on
//! the same module. Knows nothing of files or tantivy.

pub mod clusters;
pub mod entities;
pub mod gazetteer;
mod lang;
pub mod tagger;

pub use entities::{CountryMention, Entities, Mention, PlaceMention};
pub use lang::detect_language;

use crate::ingest::Article;

/// An article with what extraction found in it.
#[derive(Debug, Clone)]
pub struct Enriched {
    /// The article as read.
    pub article: Article,
    /// ISO 639-1 code: from the metadata when given, else detected.
    pub lang: String,
    /// Its entities.
    pub entities: Entities,
}

/// Enriches an article: its language (metadata wins over detection) and its entities.
pub fn enrich(article: Article) -> Enriched {
    let mut enriched = enrich_language_only(article);
    let a = &enriched.article;
    enriched.entities = entities::extract(a.title.as_deref().unwrap_or(""), a.body.as_deref().unwrap_or(""));
    enriched
}

/// [`enrich`] without the entities (left empty): the language alone.
pub fn enrich_language_only(article: Article) -> Enriched {
    let lang = match &article.lang {
        Some(l) => l.clone(),
        None => detect_language(
            article.title.as_deref().unwrap_or(""),
            article.body.as_deref().unwrap_or(""),
        ),
    };
    Enriched {
        article,
        lang,
        entities: Entities::default(),
    }
}

/// What `warta extract` prints for one article.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExtractedArticle {
    /// The article's id (its file, `#N` in a multi-article file).
    pub id: String,
    /// The title.
    pub title: String,
    /// The publication date as parsed, RFC 3339 with the offset the source gave (as `warta show`
    /// prints it).
    pub date: Option<String>,
    /// ISO 639-1 language code.
    pub lang: String,
    /// Persons.
    pub persons: Vec<Mention>,
    /// Countries.
    pub countries: Vec<CountryMention>,
    /// Organizations.
    pub orgs: Vec<Mention>,
    /// Places.
    pub places: Vec<PlaceMention>,
}

impl ExtractedArticle {
    /// The printable form of an enriched article with this id.
    pub fn new(id: String, e: Enriched) -> ExtractedArticle {
        ExtractedArticle {
            id,
            title: e.article.title.unwrap_or_default(),
            date: e.article.date.map(|t| t.to_string()),
            lang: e.lang,
            persons: e.entities.persons,
            countries: e.entities.countries,
            orgs: e.entities.orgs,
            places: e.entities.places,
        }
    }
}
