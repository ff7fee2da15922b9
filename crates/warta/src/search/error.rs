//! What can go wrong with a search, as the library reports it: clients word it for their users.

use super::filters::UnknownName;
use super::query;
use super::{MAX_PREFIX_TERMS, MAX_QUERY_CHARS, MAX_RESULT_WINDOW};

/// Problems with a request (as opposed to the index): the user can fix them.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The parser's problem is part of the message, not a cause to print after it.
    #[error("bad query {query:?} {problem}")]
    Query { query: String, problem: query::QueryError },
    /// `bound` is `from` or `to`: the request's own words, which the CLI's flags and the
    /// API's parameters share.
    #[error("bad {bound:?} date {value:?}: use YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 time")]
    Date { bound: &'static str, value: String },
    #[error("the date range is empty: from {from} is after to {to}")]
    EmptyRange { from: String, to: String },
    #[error(transparent)]
    Unknown(#[from] UnknownName),
    #[error("unknown facet field {0:?}: use person, country, org, place, source or lang")]
    FacetField(String),
    #[error("no article with id {id:?}{}", if similar.is_empty() { String::new() } else { format!("; similar ids: {}", similar.join(", ")) })]
    NoArticle { id: String, similar: Vec<String> },
    #[error("the query is longer than {MAX_QUERY_CHARS} characters")]
    QueryTooLong,
    #[error("prefix `{prefix}*` takes the query's prefixes past {MAX_PREFIX_TERMS} different indexed words: give more letters")]
    PrefixTooBroad { prefix: String },
    #[error("the search was called off")]
    Cancelled,
    #[error("offset {offset} + limit {limit} is past the deepest result a search reaches ({MAX_RESULT_WINDOW}): narrow the search with a query, filters or dates instead of paging this deep")]
    Window { offset: usize, limit: usize },
    #[error("search failed: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}
