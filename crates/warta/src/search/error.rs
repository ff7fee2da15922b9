//! What can go wrong with a search, as the library reports it: clients word it for their users.

use super::filters::UnknownName;
use super::query;
use super::{MAX_PREFIX_TERMS, MAX_QUERY_CHARS, MAX_RESULT_WINDOW};
use crate::ingest::date::ZoneError;

/// Problems with a request (as opposed to the index): the user can fix them.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The parser's problem is part of the message, not a cause to print after it.
    #[error("bad query `{query}` {problem}")]
    Query {
        /// The query as given.
        query: String,
        /// What is wrong, and where.
        problem: query::QueryError,
    },
    /// `bound` is `from` or `to`: the request's own words, which the CLI's flags and the
    /// API's parameters share.
    #[error("bad {bound:?} date {value:?}: use YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 time")]
    Date {
        /// Which end of the range: `from` or `to`.
        bound: &'static str,
        /// The date as given.
        value: String,
    },
    /// The start of the date range is after its end.
    #[error("the date range is empty: from {from} is after to {to}")]
    EmptyRange {
        /// The start, as given.
        from: String,
        /// The end, as given.
        to: String,
    },
    /// The time zone asked for (`tz`) names none.
    #[error(transparent)]
    Zone(#[from] ZoneError),
    /// A filter names an entity, language or source the index does not know.
    #[error(transparent)]
    Unknown(#[from] UnknownName),
    /// A facet field that does not exist.
    #[error("unknown facet field {0:?}: use person, country, org, place, source or lang")]
    FacetField(String),
    /// Related entities and timeline series are counted per entity, and none was given.
    #[error("{0} needs at least one person, country, org or place filter")]
    NoEntity(&'static str),
    /// No article has this id.
    #[error("no article with id {id:?}{}", if similar.is_empty() { String::new() } else { format!("; similar ids: {}", similar.join(", ")) })]
    NoArticle {
        /// The id asked for.
        id: String,
        /// Indexed ids that look like it.
        similar: Vec<String>,
    },
    /// The query is over [`MAX_QUERY_CHARS`] characters.
    #[error("the query is longer than {MAX_QUERY_CHARS} characters")]
    QueryTooLong,
    /// The query's prefixes stand for more than [`MAX_PREFIX_TERMS`] indexed words.
    #[error("prefix `{prefix}*` takes the query's prefixes past {MAX_PREFIX_TERMS} different indexed words: give more letters")]
    PrefixTooBroad {
        /// The prefix, without its `*`.
        prefix: String,
    },
    /// The caller called the search off (see [`super::Cancel`]).
    #[error("the search was called off")]
    Cancelled,
    /// `offset + limit` is past [`MAX_RESULT_WINDOW`].
    #[error("offset {offset} + limit {limit} is past the deepest result a search reaches ({MAX_RESULT_WINDOW}): narrow the search with a query, filters or dates instead of paging this deep")]
    Window {
        /// The results skipped.
        offset: usize,
        /// The results asked for.
        limit: usize,
    },
    /// tantivy failed while searching.
    #[error("search failed: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

impl SearchError {
    /// A stable, machine-readable name for the error, the same in every client (the HTTP
    /// API's `error.code`, the CLI's JSON errors).
    pub fn code(&self) -> &'static str {
        match self {
            SearchError::Query { .. } => "bad_query",
            SearchError::Date { .. } | SearchError::EmptyRange { .. } => "bad_date",
            SearchError::Zone(_) => "bad_parameter",
            SearchError::Unknown(_) => "unknown_name",
            SearchError::FacetField(_) => "unknown_facet",
            SearchError::NoEntity(_) => "no_entity",
            SearchError::Window { .. } => "offset_too_large",
            SearchError::QueryTooLong => "query_too_long",
            SearchError::PrefixTooBroad { .. } => "query_too_broad",
            SearchError::Cancelled => "timeout",
            SearchError::NoArticle { .. } => "not_found",
            SearchError::Tantivy(_) => "internal",
        }
    }

    /// What the user may have meant: known names close to an unknown one, ids like a missing
    /// one.
    pub fn suggestions(&self) -> &[String] {
        match self {
            SearchError::Unknown(u) => &u.suggestions,
            SearchError::Zone(z) => &z.suggestions,
            SearchError::NoArticle { similar, .. } => similar,
            _ => &[],
        }
    }
}
