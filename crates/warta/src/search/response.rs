//! What a search answers: [`SearchResponse`] and its hits, plain serde types that the CLI's
//! `--json` and the HTTP API print as they are.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::facets::FacetCount;
use super::snippet::Snippet;

/// A country as hits show it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CountryRef {
    /// ISO 3166-1 alpha-2 code.
    pub code: String,
    /// English name.
    pub name: String,
}

/// One matching article.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hit {
    /// The article's stable id: its path under the indexed root, `#N` for the N-th article of a file.
    pub id: String,
    /// BM25 score; null when results are ordered by date.
    pub score: Option<f32>,
    /// The title.
    pub title: String,
    /// RFC 3339, in the offset it was published with (UTC when the source gave none) or in
    /// the zone asked for.
    pub date: Option<String>,
    /// The publisher, when known.
    pub source: Option<String>,
    /// The article's URL, when known.
    pub url: Option<String>,
    /// Path of the file the article came from.
    pub path: String,
    /// ISO 639-1 language code.
    pub lang: String,
    /// The best passage, matched words marked `**like this**`.
    pub snippet: String,
    /// The same passage as runs of text, matched words flagged: for clients that mark them
    /// (the article's own text may hold `**` too).
    #[serde(default)]
    pub snippet_parts: Snippet,
    /// Canonical names of the persons mentioned.
    pub persons: Vec<String>,
    /// The countries mentioned, by ISO code and English name.
    pub countries: Vec<CountryRef>,
    /// Canonical names of the organizations mentioned.
    pub orgs: Vec<String>,
    /// Canonical names of the places mentioned.
    pub places: Vec<String>,
    /// The id of the article's story (its earliest copy), when other articles are copies of
    /// its text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub story: Option<String>,
    /// How many other articles in the index are copies of this one's text (whatever the
    /// query and filters): with copies collapsed, the hit stands for them all.
    #[serde(default)]
    pub copies: usize,
    /// Those copies, earliest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_copies: Vec<CopyRef>,
}

/// Another copy of a hit's story.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CopyRef {
    /// The copy's article id.
    pub id: String,
    /// Its publisher, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// How far a query was relaxed: when fewer articles than a page have all `of` terms of a
/// query of plain words (no operator), those articles come first, then the other articles
/// with the most of the terms, at least one, ranked by BM25.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Relaxed {
    /// Clauses the articles after the first `strict_total` match at least.
    pub matched_clauses: usize,
    /// Clauses in the query.
    pub of: usize,
    /// Articles with every clause: the first hits, in the order the strict query ranks them.
    #[serde(default)]
    pub strict_total: usize,
}

/// A filter's name that no entity has, and the names one edit away it was matched to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ApproximateName {
    /// `person`, `org` or `place`.
    pub filter: String,
    /// The name as given.
    pub name: String,
    /// The canonical names it was matched to.
    pub matched: Vec<String>,
}

/// A query word no article has, and indexed words a few edits away: nearest first, then the
/// most frequent.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Suggestion {
    /// The query word as given.
    pub word: String,
    /// Indexed words a few edits away.
    pub did_you_mean: Vec<String>,
}

/// The most words suggested for one query word.
pub const SUGGESTIONS_PER_WORD: usize = 3;

/// The answer to a [`super::SearchRequest`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchResponse {
    /// The query as given.
    pub query: String,
    /// Exact number of matching articles, copies of one story included (the hits show each
    /// story once unless the request sets `collapse` to false).
    pub total: usize,
    /// Time taken, in milliseconds, to the hundredth.
    pub took_ms: f64,
    /// The page of hits.
    pub hits: Vec<Hit>,
    /// Set when no article matched every term and the hits match fewer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relaxed: Option<Relaxed>,
    /// Filter names no entity is called, matched to the names within one edit instead.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approximate_names: Vec<ApproximateName>,
    /// When nothing matched every term: the query's words no article has, each with indexed
    /// words a few letters away.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<Suggestion>,
    /// Top values per facet field over all matches (with `facets`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<BTreeMap<String, Vec<FacetCount>>>,
}

/// Default number of values per facet in search responses.
pub const FACET_TOP: usize = 10;
