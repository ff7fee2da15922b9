//! Search: the user's query and filters into tantivy queries, results with snippets.
//!
//! [`SearchRequest`] and [`SearchResponse`] are plain serde types: the CLI's `--json` prints
//! them, and any other client (an HTTP API) can share them.

pub mod cancel;
pub mod facets;
pub mod filters;
pub mod names;
pub mod query;
pub mod snippet;
pub mod spelling;

use std::collections::BTreeMap;
use std::ops::Bound;
use std::time::Instant;

use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DateTime, DocAddress, Order, Searcher, TantivyDocument, Term};

use crate::extract::gazetteer;
use crate::index::analysis::{self, EXACT};
use crate::index::document::source_key;
use crate::index::stems::StemTable;
use crate::index::{Fields, RunSummary, WartaIndex};
pub use cancel::Cancel;
use cancel::CancellableQuery;
use facets::{FacetCollector, FacetCount, Interval, Timeline};
use filters::{EntityField, UnknownName};
use query::{Clause, Item, ParsedQuery, Scope};
use snippet::{HighlightTerms, Snippet};

/// Weight of a title match relative to a body match.
const TITLE_BOOST: f32 = 2.0;
/// Weight of an unstemmed (as typed) match relative to a stemmed one.
const EXACT_BOOST: f32 = 1.5;
/// The deepest result a search may reach, `offset + limit`: ranking keeps that many candidates,
/// so paging deeper would cost memory without bound (Elasticsearch's `max_result_window`).
pub const MAX_RESULT_WINDOW: usize = 10_000;
/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// The most indexed words the prefixes (`word*`) of one query may stand for, counted in the
/// field and segment where each stands for most: every one is searched.
pub const MAX_PREFIX_TERMS: usize = 10_000;

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best BM25 match first (newest first when there is no query).
    #[default]
    Relevance,
    Newest,
    Oldest,
}

impl Sort {
    /// Every order.
    pub const ALL: [Sort; 3] = [Sort::Relevance, Sort::Newest, Sort::Oldest];

    /// The order's name in requests.
    pub fn name(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
        }
    }
}

/// A search: query text, filters, order and page. In JSON every field is optional.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    pub query: String,
    /// Inclusive lower date bound: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or RFC 3339.
    pub from: Option<String>,
    /// Inclusive upper date bound, same forms; a day, month or year includes all of it.
    pub to: Option<String>,
    /// Any of these sources (case-insensitive).
    pub sources: Vec<String>,
    pub lang: Option<String>,
    /// All of these persons (any alias or partial name).
    pub persons: Vec<String>,
    /// All of these countries (ISO code or any name in any supported language).
    pub countries: Vec<String>,
    pub orgs: Vec<String>,
    pub places: Vec<String>,
    pub sort: Sort,
    pub limit: usize,
    pub offset: usize,
    /// Count facet values over all matches.
    pub facets: bool,
    /// Only articles with every term: never relax the query (see [`Relaxed`]).
    pub strict: bool,
    /// Set by the caller to call the search off (never part of the JSON request).
    #[serde(skip)]
    pub cancel: Cancel,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            query: String::new(),
            from: None,
            to: None,
            sources: vec![],
            lang: None,
            persons: vec![],
            countries: vec![],
            orgs: vec![],
            places: vec![],
            sort: Sort::Relevance,
            limit: 10,
            offset: 0,
            facets: false,
            strict: false,
            cancel: Cancel::default(),
        }
    }
}

/// A country as hits show it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CountryRef {
    pub code: String,
    pub name: String,
}

/// One matching article.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hit {
    pub id: String,
    /// BM25 score; null when results are ordered by date.
    pub score: Option<f32>,
    pub title: String,
    /// RFC 3339, UTC.
    pub date: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    /// Path of the file the article came from.
    pub path: String,
    pub lang: String,
    /// The best passage, matched words marked `**like this**`.
    pub snippet: String,
    /// The same passage as runs of text, matched words flagged: for clients that mark them
    /// (the article's own text may hold `**` too).
    #[serde(default)]
    pub snippet_parts: Snippet,
    pub persons: Vec<String>,
    pub countries: Vec<CountryRef>,
    pub orgs: Vec<String>,
    pub places: Vec<String>,
}

/// How far a query was relaxed: when no article has all `of` terms of a query of plain
/// words (no operator), the articles with the most of them, at least one, ranked by BM25.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Relaxed {
    pub matched_clauses: usize,
    pub of: usize,
}

/// A filter's name that no entity has, and the names one edit away it was matched to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ApproximateName {
    /// `person`, `org` or `place`.
    pub filter: String,
    pub name: String,
    pub matched: Vec<String>,
}

/// A query word no article has, and indexed words a few edits away: nearest first, then the
/// most frequent.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Suggestion {
    pub word: String,
    pub did_you_mean: Vec<String>,
}

/// The most words suggested for one query word.
pub const SUGGESTIONS_PER_WORD: usize = 3;

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchResponse {
    pub query: String,
    /// Exact number of matching articles.
    pub total: usize,
    pub took_ms: f64,
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

/// Problems with a request (as opposed to the index): the user can fix them.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The parser's problem is part of the message, not a cause to print after it.
    #[error("bad query {query:?} {problem}")]
    Query { query: String, problem: query::QueryError },
    #[error("bad date {value:?} for {flag}: use YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 time")]
    Date { flag: &'static str, value: String },
    #[error("--from {from} is after --to {to}")]
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

/// Default number of values per facet in search responses.
pub const FACET_TOP: usize = 10;

/// Runs a search against an open index.
pub fn search(wi: &WartaIndex, req: &SearchRequest) -> Result<SearchResponse, SearchError> {
    let started = Instant::now();
    let f = &wi.fields;
    let stems = wi.stem_table();
    let searcher = wi.searcher()?;
    let prepared = prepare(wi, &searcher, &stems, req)?;
    let cancel = &req.cancel;
    let sort = if prepared.parsed.is_empty() && req.sort == Sort::Relevance {
        Sort::Newest
    } else {
        req.sort
    };
    let (mut total, mut docs) = top_docs(&searcher, &*prepared.query, req, sort)?;
    let mut relaxed = None;
    let mut suggestions = Vec::new();
    if total == 0 {
        suggestions = did_you_mean(f, &searcher, &stems, &prepared.parsed, cancel)?;
        if let Some((q, r)) = relaxed_query(&wi.fields, &searcher, &stems, &prepared, req)? {
            (total, docs) = top_docs(&searcher, &*q, req, sort)?;
            relaxed = Some((q, r));
        }
    }
    // The query the hits came from, for the facets.
    let query: &dyn Query = relaxed.as_ref().map_or(&*prepared.query, |(q, _)| &**q);
    let highlight = &prepared.highlight;
    let mut hits = Vec::with_capacity(docs.len());
    for (score, addr) in docs {
        if cancel.is_cancelled() {
            return Err(SearchError::Cancelled);
        }
        let doc: TantivyDocument = searcher.doc(addr)?;
        hits.push(hit_from_doc(f, &doc, score, highlight, &stems));
    }
    let facets = if req.facets {
        let collector = FacetCollector {
            fields: facets::FACET_FIELDS.iter().map(|s| s.to_string()).collect(),
            top: FACET_TOP,
        };
        let counts = unless_cancelled(cancel, searcher.search(query, &collector))?;
        let mut out = BTreeMap::new();
        for (field, values) in facets::FACET_FIELDS.iter().zip(counts) {
            out.insert(field.to_string(), facet_counts(field, values));
        }
        Some(out)
    } else {
        None
    };
    Ok(SearchResponse {
        query: req.query.clone(),
        total,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        hits,
        relaxed: relaxed.map(|(_, r)| r),
        approximate_names: prepared.approximate_names,
        suggestions,
        facets,
    })
}

/// The query's words that no article has, as written or by stem (whatever the filters), each
/// with up to [`SUGGESTIONS_PER_WORD`] indexed words a few edits away ([`near_terms`]).
fn did_you_mean(
    f: &Fields,
    searcher: &Searcher,
    stems: &StemTable,
    parsed: &ParsedQuery,
    cancel: &Cancel,
) -> Result<Vec<Suggestion>, SearchError> {
    let mut out = Vec::new();
    for c in parsed.groups.iter().flatten() {
        let Item::Word(text) = &c.item else {
            continue;
        };
        let words = analysis::tokens(&mut analysis::analyzer(EXACT), text);
        let [word] = words.as_slice() else {
            continue;
        };
        let query = clause_query(f, stems, c, &mut HighlightTerms::default())?;
        if unless_cancelled(cancel, searcher.search(&query, &Count))? > 0 {
            continue;
        }
        let did_you_mean = near_terms(f, searcher, &word.text)?;
        if !did_you_mean.is_empty() {
            out.push(Suggestion {
                word: text.clone(),
                did_you_mean,
            });
        }
    }
    Ok(out)
}

/// The indexed words of the text fields nearest `word` that start with its letter (as most
/// misspellings do: the automaton then walks one letter's part of each dictionary): one edit
/// away for words of three or four letters, up to two from five letters; nearest first, then
/// the most frequent (articles holding them, over all fields and segments).
fn near_terms(f: &Fields, searcher: &Searcher, word: &str) -> tantivy::Result<Vec<String>> {
    let letters = word.chars().count();
    if letters < 3 {
        return Ok(Vec::new());
    }
    let automaton = spelling::Near::new(word, if letters < 5 { 1 } else { 2 });
    let first = word.chars().next().expect("three letters");
    let (from, to) = (
        first.to_string(),
        char::from_u32(u32::from(first) + 1).map(String::from),
    );
    let mut found: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for (title, body, _) in f.text_fields() {
        for seg in searcher.segment_readers() {
            for field in [title, body] {
                let index = seg.inverted_index(field)?;
                let mut range = index.terms().search(&automaton).ge(&from);
                if let Some(to) = &to {
                    range = range.lt(to);
                }
                let mut terms = range.into_stream()?;
                while terms.advance() {
                    if let Ok(term) = std::str::from_utf8(terms.key()) {
                        *found.entry(term.to_string()).or_default() += u64::from(terms.value().doc_freq);
                    }
                }
            }
        }
    }
    let mut ranked: Vec<(u8, u64, String)> = found
        .into_iter()
        .filter(|(term, _)| term != word)
        .filter_map(|(term, n)| Some((automaton.distance(&term)?, n, term)))
        .collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    Ok(ranked
        .into_iter()
        .take(SUGGESTIONS_PER_WORD)
        .map(|(_, _, t)| t)
        .collect())
}

/// A page of hits: each with its score when ranked by relevance.
type Ranked = Vec<(Option<f32>, DocAddress)>;

/// A query relaxed to fewer terms, and how far.
type RelaxedQuery = (Box<dyn Query>, Relaxed);

/// The request's page of hits for `query` in `sort` order (scores with relevance order), and
/// the total number of matches.
fn top_docs(
    searcher: &Searcher,
    query: &dyn Query,
    req: &SearchRequest,
    sort: Sort,
) -> Result<(usize, Ranked), SearchError> {
    let cancel = &req.cancel;
    // `limit` 0 asks only for the count (and facets); TopDocs needs at least one slot.
    let top = TopDocs::with_limit(req.limit.max(1)).and_offset(req.offset);
    Ok(match sort {
        _ if req.limit == 0 => (unless_cancelled(cancel, searcher.search(query, &Count))?, Vec::new()),
        Sort::Relevance => {
            let (n, d) = unless_cancelled(cancel, searcher.search(query, &(Count, top.order_by_score())))?;
            (n, d.into_iter().map(|(s, a)| (Some(s), a)).collect())
        }
        Sort::Newest | Sort::Oldest => {
            let order = if sort == Sort::Newest { Order::Desc } else { Order::Asc };
            let by_date = top.order_by_fast_field::<DateTime>("date", order);
            let (n, d) = unless_cancelled(cancel, searcher.search(query, &(Count, by_date)))?;
            (n, d.into_iter().map(|(_, a)| (None, a)).collect())
        }
    })
}

/// When no article has every term of a relaxable query (and the request is not strict): the
/// query with the filters requiring as many of its terms as some article has, at least one,
/// and how far it was relaxed; `None` when no term matches. All terms but one are tried
/// first (the usual case), then the rest by halves: a long query costs a few counts, not one
/// per term.
fn relaxed_query(
    f: &Fields,
    searcher: &Searcher,
    stems: &StemTable,
    prepared: &Prepared,
    req: &SearchRequest,
) -> Result<Option<RelaxedQuery>, SearchError> {
    let parsed = &prepared.parsed;
    if req.strict || !parsed.relaxable() {
        return Ok(None);
    }
    let of = parsed.groups.len();
    let requiring = |required: usize| -> Result<Option<Box<dyn Query>>, SearchError> {
        let (text, _) = build_text_query(f, stems, parsed, required)?;
        let query = with_filters(text, &prepared.filters, &req.cancel);
        let found = unless_cancelled(&req.cancel, searcher.search(&query, &Count))? > 0;
        Ok(found.then_some(query))
    };
    if let Some(query) = requiring(of - 1)? {
        return Ok(Some((
            query,
            Relaxed {
                matched_clauses: of - 1,
                of,
            },
        )));
    }
    // Fewer terms match at least as many articles: the most some article has lies in
    // `lo..hi`, and the range is halved until it is found or empty.
    let mut best = None;
    let (mut lo, mut hi) = (1, of - 1);
    while lo < hi {
        let mid = (lo + hi - 1).div_ceil(2).max(lo);
        match requiring(mid)? {
            Some(query) => {
                best = Some((
                    query,
                    Relaxed {
                        matched_clauses: mid,
                        of,
                    },
                ));
                lo = mid + 1;
            }
            None => hi = mid,
        }
    }
    Ok(best)
}

/// A request made ready to run: its query parsed, its filters resolved, both built into one
/// query.
struct Prepared {
    parsed: ParsedQuery,
    /// Every term and every filter, stopping when the request is called off.
    query: Box<dyn Query>,
    /// The terms snippets mark.
    highlight: HighlightTerms,
    /// The filters alone, to combine with a relaxed text query.
    filters: Vec<Box<dyn Query>>,
    /// The filters' names matched to names one edit away.
    approximate_names: Vec<ApproximateName>,
}

/// A request made ready to run on `searcher`: its bounds checked, its query parsed and
/// bounded, its filters resolved.
fn prepare(
    wi: &WartaIndex,
    searcher: &Searcher,
    stems: &StemTable,
    req: &SearchRequest,
) -> Result<Prepared, SearchError> {
    check_request(req)?;
    let parsed = query::parse(&req.query).map_err(|problem| SearchError::Query {
        query: req.query.clone(),
        problem,
    })?;
    check_prefixes(searcher, &wi.fields, &parsed)?;
    let (text_query, highlight) = build_text_query(&wi.fields, stems, &parsed, parsed.groups.len())?;
    let mut approximate_names = Vec::new();
    let filters = request_filters(&wi.fields, searcher, req, &mut approximate_names)?;
    let query = with_filters(text_query, &filters, &req.cancel);
    Ok(Prepared {
        parsed,
        query,
        highlight,
        filters,
        approximate_names,
    })
}

/// The text query restricted by the filters (which do not score), stopping when called off.
fn with_filters(text_query: Box<dyn Query>, filters: &[Box<dyn Query>], cancel: &Cancel) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query)];
    for q in filters {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(q.box_clone(), 0.0))));
    }
    Box::new(CancellableQuery::new(
        Box::new(BooleanQuery::new(clauses)),
        cancel.clone(),
    ))
}

/// A search's result, or [`SearchError::Cancelled`] when it was called off (whatever error
/// the stopped search gave).
fn unless_cancelled<T>(cancel: &Cancel, result: tantivy::Result<T>) -> Result<T, SearchError> {
    if cancel.is_cancelled() {
        return Err(SearchError::Cancelled);
    }
    Ok(result?)
}

/// Refuses prefixes that stand for more indexed words, all together, than
/// [`MAX_PREFIX_TERMS`]. Each prefix is counted in the text field and segment where it
/// stands for most words, stopping at what is left of the budget.
fn check_prefixes(searcher: &Searcher, f: &Fields, parsed: &ParsedQuery) -> Result<(), SearchError> {
    let mut left = MAX_PREFIX_TERMS;
    for c in parsed.groups.iter().flatten().chain(&parsed.excluded) {
        let Item::Prefix(text) = &c.item else {
            continue;
        };
        let words = analysis::tokens(&mut analysis::analyzer(EXACT), text);
        let Some(last) = words.last() else {
            continue;
        };
        let mut most = 0;
        for (title, body, _) in f.text_fields() {
            for seg in searcher.segment_readers() {
                for field in [title, body] {
                    let terms = seg.inverted_index(field)?;
                    let n = count_prefixed(terms.terms(), &last.text, left + 1).map_err(tantivy::TantivyError::from)?;
                    most = most.max(n);
                }
            }
        }
        if most > left {
            return Err(SearchError::PrefixTooBroad { prefix: text.clone() });
        }
        left -= most;
    }
    Ok(())
}

/// How many terms of a term dictionary start with `prefix`, counting up to `max`.
fn count_prefixed(terms: &tantivy::termdict::TermDictionary, prefix: &str, max: usize) -> std::io::Result<usize> {
    let mut stream = terms.range().ge(prefix.as_bytes()).into_stream()?;
    let mut n = 0;
    while n < max && stream.advance() {
        if !stream.key().starts_with(prefix.as_bytes()) {
            break;
        }
        n += 1;
    }
    Ok(n)
}

/// The bounds every request must respect: a query of at most [`MAX_QUERY_CHARS`], and
/// `offset + limit` within [`MAX_RESULT_WINDOW`] so the ranking's candidates stay bounded.
pub fn check_request(req: &SearchRequest) -> Result<(), SearchError> {
    if req.query.chars().count() > MAX_QUERY_CHARS {
        return Err(SearchError::QueryTooLong);
    }
    match req.offset.checked_add(req.limit) {
        Some(end) if end <= MAX_RESULT_WINDOW => Ok(()),
        _ => Err(SearchError::Window {
            offset: req.offset,
            limit: req.limit,
        }),
    }
}

fn facet_counts(field: &str, values: Vec<(String, u64)>) -> Vec<FacetCount> {
    let countries = field == "country";
    values
        .into_iter()
        .map(|(value, count)| {
            let name = countries
                .then(|| gazetteer::country_name(&value).map(str::to_string))
                .flatten();
            FacetCount { value, name, count }
        })
        .collect()
}

/// A request's query, how far it was relaxed, and its filters' names matched within one edit.
type RequestQuery = (Box<dyn Query>, Option<Relaxed>, Vec<ApproximateName>);

/// The parsed query with all filters of the request, on an open searcher, relaxed as
/// [`search`] relaxes it when nothing matches every term; and the filters' names matched
/// within one edit.
fn request_query(wi: &WartaIndex, searcher: &Searcher, req: &SearchRequest) -> Result<RequestQuery, SearchError> {
    let stems = wi.stem_table();
    let prepared = prepare(wi, searcher, &stems, req)?;
    if !req.strict
        && prepared.parsed.relaxable()
        && unless_cancelled(&req.cancel, searcher.search(&prepared.query, &Count))? == 0
    {
        if let Some((query, relaxed)) = relaxed_query(&wi.fields, searcher, &stems, &prepared, req)? {
            return Ok((query, Some(relaxed), prepared.approximate_names));
        }
    }
    Ok((prepared.query, None, prepared.approximate_names))
}

/// One facet's top values for a request: what `warta facets --json` prints and
/// `GET /api/facets/{field}` returns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FacetsResponse {
    pub field: String,
    pub query: String,
    /// Articles matching the request.
    pub total: usize,
    pub values: Vec<FacetCount>,
    /// Set when no article matched every term and the counts are over articles matching fewer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relaxed: Option<Relaxed>,
    /// As in [`SearchResponse`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approximate_names: Vec<ApproximateName>,
}

/// [`facet`] as a [`FacetsResponse`].
pub fn facets_response(
    wi: &WartaIndex,
    field: &str,
    req: &SearchRequest,
    top: usize,
) -> Result<FacetsResponse, SearchError> {
    let field = facet_field(field)?;
    let searcher = wi.searcher()?;
    let (query, relaxed, approximate_names) = request_query(wi, &searcher, req)?;
    let (total, values) = facet_on(&searcher, &*query, &field, req, top)?;
    Ok(FacetsResponse {
        field,
        query: req.query.clone(),
        total,
        values,
        relaxed,
        approximate_names,
    })
}

/// The facet field a user means ("countries", "language" ...), or an error naming the valid ones.
pub fn facet_field(field: &str) -> Result<String, SearchError> {
    let field = match field.trim().to_lowercase().as_str() {
        "persons" => "person".to_string(),
        "countries" => "country".to_string(),
        "orgs" | "organization" | "organizations" => "org".to_string(),
        "places" => "place".to_string(),
        "sources" => "source".to_string(),
        "language" | "languages" => "lang".to_string(),
        other => other.to_string(),
    };
    if !facets::FACET_FIELDS.contains(&field.as_str()) {
        return Err(SearchError::FacetField(field));
    }
    Ok(field)
}

/// The top `top` values of one facet field over all articles matching the request, and the
/// number of matches.
pub fn facet(
    wi: &WartaIndex,
    field: &str,
    req: &SearchRequest,
    top: usize,
) -> Result<(usize, Vec<FacetCount>), SearchError> {
    let field = facet_field(field)?;
    let searcher = wi.searcher()?;
    let (query, ..) = request_query(wi, &searcher, req)?;
    facet_on(&searcher, &*query, &field, req, top)
}

/// The top `top` values of `field` over the articles matching `query`, and their number.
fn facet_on(
    searcher: &Searcher,
    query: &dyn Query,
    field: &str,
    req: &SearchRequest,
    top: usize,
) -> Result<(usize, Vec<FacetCount>), SearchError> {
    let field = field.to_string();
    let collector = FacetCollector {
        fields: vec![field.clone()],
        top,
    };
    let (total, mut counts) = unless_cancelled(&req.cancel, searcher.search(query, &(Count, collector)))?;
    Ok((total, facet_counts(&field, counts.pop().unwrap_or_default())))
}

/// Matching articles counted per interval.
pub fn timeline(wi: &WartaIndex, req: &SearchRequest, interval: Interval) -> Result<Timeline, SearchError> {
    let searcher = wi.searcher()?;
    let (query, relaxed, approximate_names) = request_query(wi, &searcher, req)?;
    let (days, undated) = unless_cancelled(&req.cancel, searcher.search(&query, &facets::DayCollector))?;
    Ok(Timeline {
        relaxed,
        approximate_names,
        ..facets::timeline(days, undated, interval)
    })
}

fn text(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string)
}

fn date_of(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_datetime())
        .and_then(|d| Timestamp::from_second(d.into_timestamp_secs()).ok())
        .map(|t| t.to_string())
}

fn texts(doc: &TantivyDocument, field: Field) -> Vec<String> {
    doc.get_all(field)
        .filter_map(|v| v.as_str())
        .map(str::to_string)
        .collect()
}

fn countries_of(doc: &TantivyDocument, field: Field) -> Vec<CountryRef> {
    texts(doc, field)
        .into_iter()
        .map(|code| {
            let name = gazetteer::country_name(&code).map_or_else(|| code.clone(), str::to_string);
            CountryRef { code, name }
        })
        .collect()
}

fn hit_from_doc(
    f: &Fields,
    doc: &TantivyDocument,
    score: Option<f32>,
    highlight: &HighlightTerms,
    stems: &StemTable,
) -> Hit {
    let lang = text(doc, f.lang).unwrap_or_default();
    let body = f.body_of(doc).unwrap_or_default();
    let parts = snippet::make(&body, &lang, highlight, stems);
    Hit {
        id: text(doc, f.id).unwrap_or_default(),
        score,
        title: f.title_of(doc).unwrap_or_default(),
        date: date_of(doc, f.date),
        source: text(doc, f.source),
        url: text(doc, f.url),
        path: text(doc, f.file).unwrap_or_default(),
        lang,
        snippet: parts.marked("**", "**"),
        snippet_parts: parts,
        persons: texts(doc, f.person),
        countries: countries_of(doc, f.country),
        orgs: texts(doc, f.org),
        places: texts(doc, f.place),
    }
}

/// The BM25 query for the parsed text requiring `required` of its groups (all of them unless
/// relaxed), and the terms its snippets mark.
fn build_text_query(
    f: &Fields,
    stems: &StemTable,
    parsed: &ParsedQuery,
    required: usize,
) -> Result<(Box<dyn Query>, HighlightTerms), SearchError> {
    let mut highlight = HighlightTerms::default();
    if parsed.groups.is_empty() {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(AllQuery))];
        for c in &parsed.excluded {
            clauses.push((
                Occur::MustNot,
                clause_query(f, stems, c, &mut HighlightTerms::default())?,
            ));
        }
        return Ok((Box::new(BooleanQuery::new(clauses)), highlight));
    }
    let occur = if required < parsed.groups.len() {
        Occur::Should
    } else {
        Occur::Must
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for group in &parsed.groups {
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for c in group {
            alternatives.push((Occur::Should, clause_query(f, stems, c, &mut highlight)?));
        }
        let q: Box<dyn Query> = if alternatives.len() == 1 {
            alternatives.pop().expect("one").1
        } else {
            Box::new(BooleanQuery::new(alternatives))
        };
        clauses.push((occur, q));
    }
    for c in &parsed.excluded {
        clauses.push((
            Occur::MustNot,
            clause_query(f, stems, c, &mut HighlightTerms::default())?,
        ));
    }
    let query = if occur == Occur::Should {
        BooleanQuery::with_minimum_required_clauses(clauses, required)
    } else {
        BooleanQuery::new(clauses)
    };
    Ok((Box::new(query), highlight))
}

/// One clause searched in every text field it may match, title and body, each weighted. A
/// word matches as written (folded; weighted [`EXACT_BOOST`]) and, in the fields of stemmed
/// languages, by its stem: the stem written as such ("temu") and every indexed word the
/// stem table gives for it ("bertemu", "pertemuan"). Phrases and prefixes match words as
/// written. A clause whose words analyze to nothing matches nothing.
fn clause_query(
    f: &Fields,
    stems: &StemTable,
    c: &Clause,
    highlight: &mut HighlightTerms,
) -> Result<Box<dyn Query>, SearchError> {
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let text = match &c.item {
        Item::Prefix(p) => p,
        Item::Word(t) | Item::Phrase(t) => t,
    };
    let words = analysis::tokens(&mut analysis::analyzer(EXACT), text);
    let Some(last) = words.last() else {
        return Ok(Box::new(BooleanQuery::new(should)));
    };
    let prefix_pattern = format!("{}.*", regex_escape(&last.text));
    match &c.item {
        Item::Prefix(_) => highlight.prefixes.push(last.text.clone()),
        _ => highlight
            .terms
            .entry(EXACT)
            .or_default()
            .extend(words.iter().map(|t| t.text.clone())),
    }
    for (title, body, stem_lang) in f.text_fields() {
        let fields: Vec<(Field, f32)> = match c.scope {
            Scope::All => vec![(title, TITLE_BOOST), (body, 1.0)],
            Scope::Title => vec![(title, TITLE_BOOST)],
            Scope::Body => vec![(body, 1.0)],
        };
        // The other words of a single word's stem in this language, and the stem itself.
        let variants: Vec<String> = match (&c.item, stem_lang, words.as_slice()) {
            (Item::Word(_), Some(lang), [word]) => {
                let mut stem = word.text.clone();
                stems.stem(lang, &mut stem);
                highlight
                    .terms
                    .entry(lang.analyzer_name())
                    .or_default()
                    .insert(stem.clone());
                let mut v = stems.variants(lang, &stem);
                v.push(stem);
                v.retain(|t| *t != word.text);
                v
            }
            _ => Vec::new(),
        };
        for (field, w) in &fields {
            let exact: Box<dyn Query> = match &c.item {
                Item::Prefix(_) => Box::new(RegexQuery::from_pattern(&prefix_pattern, *field)?),
                _ if words.len() == 1 => Box::new(TermQuery::new(
                    Term::from_field_text(*field, &words[0].text),
                    IndexRecordOption::WithFreqs,
                )),
                _ => Box::new(PhraseQuery::new_with_offset(
                    words
                        .iter()
                        .map(|t| (t.position, Term::from_field_text(*field, &t.text)))
                        .collect(),
                )),
            };
            should.push((Occur::Should, Box::new(BoostQuery::new(exact, w * EXACT_BOOST))));
            for variant in &variants {
                let q = TermQuery::new(Term::from_field_text(*field, variant), IndexRecordOption::WithFreqs);
                should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), *w))));
            }
        }
    }
    Ok(Box::new(BooleanQuery::new(should)))
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !c.is_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The request's filters, each a query every match must match; the entity names matched
/// only within one edit are added to `approximate`.
fn request_filters(
    f: &Fields,
    searcher: &Searcher,
    req: &SearchRequest,
    approximate: &mut Vec<ApproximateName>,
) -> Result<Vec<Box<dyn Query>>, SearchError> {
    let mut filters: Vec<Box<dyn Query>> = Vec::new();
    let mut filter = |q: Box<dyn Query>| filters.push(q);
    let lower = req
        .from
        .as_deref()
        .map(|v| {
            date_bound(v, false).ok_or(SearchError::Date {
                flag: "--from",
                value: v.to_string(),
            })
        })
        .transpose()?;
    let upper = req
        .to
        .as_deref()
        .map(|v| {
            date_bound(v, true).ok_or(SearchError::Date {
                flag: "--to",
                value: v.to_string(),
            })
        })
        .transpose()?;
    if let (Some(lo), Some(hi)) = (lower, upper) {
        if lo >= hi {
            return Err(SearchError::EmptyRange {
                from: req.from.clone().unwrap_or_default(),
                to: req.to.clone().unwrap_or_default(),
            });
        }
    }
    if lower.is_some() || upper.is_some() {
        let term = |secs: i64| {
            let secs = secs.clamp(crate::ingest::date::MIN_SECONDS, crate::ingest::date::MAX_SECONDS);
            Term::from_field_date(f.date, DateTime::from_timestamp_secs(secs))
        };
        let lo = lower.map_or(Bound::Unbounded, |s| Bound::Included(term(s)));
        let hi = upper.map_or(Bound::Unbounded, |s| Bound::Excluded(term(s)));
        // An unbounded side still needs the field: use the extreme dates.
        let lo = match lo {
            Bound::Unbounded => Bound::Included(term(i64::MIN / 1_000_000_000)),
            b => b,
        };
        let hi = match hi {
            Bound::Unbounded => Bound::Included(term(i64::MAX / 1_000_000_000)),
            b => b,
        };
        filter(Box::new(RangeQuery::new(lo, hi)));
    }
    if !req.sources.is_empty() {
        let any: Vec<(Occur, Box<dyn Query>)> = req
            .sources
            .iter()
            .map(|s| -> (Occur, Box<dyn Query>) {
                (
                    Occur::Should,
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.source_key, &source_key(s)),
                        IndexRecordOption::Basic,
                    )),
                )
            })
            .collect();
        filter(Box::new(BooleanQuery::new(any)));
    }
    if let Some(lang) = &req.lang {
        filter(Box::new(TermQuery::new(
            Term::from_field_text(f.lang, &lang.trim().to_lowercase()),
            IndexRecordOption::Basic,
        )));
    }
    let entity_filters = [
        (EntityField::Person, f.person, &req.persons),
        (EntityField::Country, f.country, &req.countries),
        (EntityField::Org, f.org, &req.orgs),
        (EntityField::Place, f.place, &req.places),
    ];
    for (kind, field, names) in entity_filters {
        // Each name must match (AND); a name matches any of the values it resolves to.
        for name in names {
            if req.cancel.is_cancelled() {
                return Err(SearchError::Cancelled);
            }
            let resolved = filters::resolve(searcher, f, kind, name)?;
            if resolved.approximate && !resolved.values.is_empty() {
                approximate.push(ApproximateName {
                    filter: kind.field().to_string(),
                    name: name.clone(),
                    matched: resolved.values.clone(),
                });
            }
            let any: Vec<(Occur, Box<dyn Query>)> = resolved
                .values
                .iter()
                .map(|v| -> (Occur, Box<dyn Query>) {
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(
                            Term::from_field_text(field, v),
                            IndexRecordOption::Basic,
                        )),
                    )
                })
                .collect();
            filter(Box::new(BooleanQuery::new(any)));
        }
    }
    Ok(filters)
}

/// A date bound in Unix seconds. Lower bounds are the start of the period given; upper bounds
/// the start of the next period (exclusive), so `--to 2023-09` includes all of September. The
/// period after the last one a date can name (9999-12-31) starts past every date.
pub fn date_bound(value: &str, upper: bool) -> Option<i64> {
    let v = value.trim();
    if let Ok(ts) = v.parse::<Timestamp>() {
        return Some(ts.as_second() + i64::from(upper));
    }
    let parts: Vec<&str> = v.split('-').collect();
    let nums: Option<Vec<i64>> = parts.iter().map(|p| p.parse::<i64>().ok()).collect();
    let nums = nums?;
    let (start, period) = match (nums.as_slice(), parts[0].len()) {
        ([y], 4) => (Date::new(*y as i16, 1, 1).ok()?, jiff::Span::new().years(1)),
        ([y, m], 4) => (
            Date::new(*y as i16, i8::try_from(*m).ok()?, 1).ok()?,
            jiff::Span::new().months(1),
        ),
        ([y, m, d], 4) => (
            Date::new(*y as i16, i8::try_from(*m).ok()?, i8::try_from(*d).ok()?).ok()?,
            jiff::Span::new().days(1),
        ),
        _ => return None,
    };
    // Seconds of a day's midnight, UTC, counted in days: a timestamp cannot hold the last
    // days a date can name.
    let midnight = |day: Date| -> Option<i64> {
        let days = Date::constant(1970, 1, 1).until(day).ok()?.get_days();
        Some(i64::from(days) * 86_400)
    };
    if !upper {
        return midnight(start);
    }
    match start.checked_add(period) {
        Ok(next) => midnight(next),
        Err(_) => midnight(Date::MAX).map(|s| s + 86_400),
    }
}

/// One whole article, as `warta show` prints it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArticleView {
    pub id: String,
    pub title: String,
    pub date: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
    pub lang: String,
    pub path: String,
    pub persons: Vec<String>,
    pub countries: Vec<CountryRef>,
    pub orgs: Vec<String>,
    pub places: Vec<String>,
    pub body: String,
}

/// The articles with this id (one, unless two roots produced the same relative path).
pub fn show(wi: &WartaIndex, id: &str) -> tantivy::Result<Vec<ArticleView>> {
    let f = &wi.fields;
    let searcher = wi.searcher()?;
    let mut out = Vec::new();
    for addr in docs_with_str(&searcher, "id", id)? {
        let doc: TantivyDocument = searcher.doc(addr)?;
        out.push(article_view(f, &doc));
    }
    Ok(out)
}

/// A stored document as a whole article.
fn article_view(f: &Fields, doc: &TantivyDocument) -> ArticleView {
    ArticleView {
        id: text(doc, f.id).unwrap_or_default(),
        title: f.title_of(doc).unwrap_or_default(),
        date: date_of(doc, f.date),
        source: text(doc, f.source),
        url: text(doc, f.url),
        author: text(doc, f.author),
        lang: text(doc, f.lang).unwrap_or_default(),
        path: text(doc, f.file).unwrap_or_default(),
        persons: texts(doc, f.person),
        countries: countries_of(doc, f.country),
        orgs: texts(doc, f.org),
        places: texts(doc, f.place),
        body: f.body_of(doc).unwrap_or_default(),
    }
}

/// Hands `each` every article matching `req`'s query (every word of it) and filters (its
/// order and page are ignored), segment by segment in index order, one at a time: an export of any size holds
/// one article in memory, not a list of hits. `each` answers whether to go on; the count of
/// articles handed is returned.
pub fn for_each_match<E: From<SearchError>>(
    wi: &WartaIndex,
    req: &SearchRequest,
    mut each: impl FnMut(ArticleView) -> Result<bool, E>,
) -> Result<u64, E> {
    let searcher = wi.searcher().map_err(SearchError::from)?;
    // Every word of the query must match: an export is never relaxed.
    let unpaged = SearchRequest {
        limit: 0,
        offset: 0,
        strict: true,
        ..req.clone()
    };
    let (query, _, _) = request_query(wi, &searcher, &unpaged)?;
    let weight = query
        .weight(tantivy::query::EnableScoring::disabled_from_searcher(&searcher))
        .map_err(SearchError::from)?;
    let mut handed = 0;
    for segment in searcher.segment_readers() {
        let store = segment
            .get_store_reader(16)
            .map_err(|e| SearchError::from(tantivy::TantivyError::from(e)))?;
        let alive = segment.alive_bitset();
        let mut docs = weight.scorer(segment, 1.0).map_err(SearchError::from)?;
        let mut doc = tantivy::DocSet::doc(&docs);
        while doc != tantivy::TERMINATED {
            if req.cancel.is_cancelled() {
                return Err(SearchError::Cancelled.into());
            }
            if alive.is_none_or(|a| a.is_alive(doc)) {
                let stored: TantivyDocument = store.get(doc).map_err(SearchError::from)?;
                handed += 1;
                if !each(article_view(&wi.fields, &stored))? {
                    return Ok(handed);
                }
            }
            doc = tantivy::DocSet::advance(&mut docs);
        }
    }
    Ok(handed)
}

/// The articles with this id, or [`SearchError::NoArticle`] with up to five similar ids.
pub fn articles(wi: &WartaIndex, id: &str) -> Result<Vec<ArticleView>, SearchError> {
    let found = show(wi, id)?;
    if found.is_empty() {
        return Err(SearchError::NoArticle {
            id: id.to_string(),
            similar: similar_ids(wi, id, 5)?,
        });
    }
    Ok(found)
}

/// The first `max` ids, in sorted order, of live articles that contain `id`'s file name (for
/// "did you mean"). The segments' sorted id dictionaries are streamed, not read id by id.
pub fn similar_ids(wi: &WartaIndex, id: &str, max: usize) -> tantivy::Result<Vec<String>> {
    let searcher = wi.searcher()?;
    let needle = id
        .rsplit('/')
        .next()
        .unwrap_or(id)
        .split('#')
        .next()
        .unwrap_or(id)
        .to_lowercase();
    let mut found = std::collections::BTreeSet::new();
    if needle.is_empty() || max == 0 {
        return Ok(Vec::new());
    }
    for seg in searcher.segment_readers() {
        let Some(col) = seg.fast_fields().str("id")? else {
            continue;
        };
        let live = live_ords(seg, &col);
        let mut ids = col.dictionary().stream()?;
        while ids.advance() {
            if live.as_ref().is_some_and(|l| !l[ids.term_ord() as usize]) {
                continue;
            }
            let Ok(i) = std::str::from_utf8(ids.key()) else {
                continue;
            };
            if i.to_lowercase().contains(&needle) {
                found.insert(i.to_string());
                if found.len() > max {
                    found.pop_last();
                }
            }
        }
    }
    Ok(found.into_iter().collect())
}

/// Which values of a string column some live document holds, by ordinal; `None` when the
/// segment has no deleted documents, so every value is live.
fn live_ords(seg: &tantivy::SegmentReader, col: &tantivy::columnar::StrColumn) -> Option<Vec<bool>> {
    let alive = seg.alive_bitset()?;
    let mut live = vec![false; col.num_terms()];
    for doc in alive.iter_alive() {
        for ord in col.term_ords(doc) {
            live[ord as usize] = true;
        }
    }
    Some(live)
}

/// An article's file as a path relative to the root it was indexed from: its id (without the
/// `#N` of an article of a multi-article file) when the file's path ends with it, else the
/// file's name. For answers that must not show the server's directories.
pub fn relative_path(file: &str, id: &str) -> String {
    let base = id
        .rsplit_once('#')
        .filter(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .map_or(id, |(base, _)| base);
    for rel in [id, base] {
        if !rel.is_empty()
            && file
                .strip_suffix(rel)
                .is_some_and(|dir| dir.is_empty() || dir.ends_with('/'))
        {
            return rel.to_string();
        }
    }
    file.rsplit('/').next().unwrap_or_default().to_string()
}

/// The directories the index's articles were indexed from, as the server's absolute paths
/// (each file's path without its [`relative_path`]). The files' sorted dictionary is streamed;
/// an id is read only for a file under no root found so far.
pub fn indexed_roots(wi: &WartaIndex) -> tantivy::Result<Vec<String>> {
    let searcher = wi.searcher()?;
    let mut roots: Vec<String> = Vec::new();
    for seg in searcher.segment_readers() {
        let (Some(files), Some(ids)) = (seg.fast_fields().str("file")?, seg.fast_fields().str("id")?) else {
            continue;
        };
        let postings = seg.inverted_index(wi.fields.file)?;
        let mut stream = files.dictionary().stream()?;
        while stream.advance() {
            let Ok(file) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            if roots.iter().any(|r| file.starts_with(r.as_str())) {
                continue;
            }
            let term = Term::from_field_text(wi.fields.file, file);
            let Some(mut docs) = postings.read_postings(&term, IndexRecordOption::Basic)? else {
                continue;
            };
            let doc = tantivy::DocSet::doc(&docs);
            let _ = tantivy::DocSet::advance(&mut docs);
            let mut id = String::new();
            if let Some(ord) = ids.term_ords(doc).next() {
                ids.ord_to_str(ord, &mut id)?;
            }
            let rel = relative_path(file, &id);
            if let Some(root) = file.strip_suffix(rel.as_str()) {
                if !root.is_empty() {
                    roots.push(root.to_string());
                }
            }
        }
    }
    Ok(roots)
}

/// What `warta stats` reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stats {
    pub articles: u64,
    pub languages: BTreeMap<String, u64>,
    pub sources: BTreeMap<String, u64>,
    pub undated: u64,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    pub index_bytes: u64,
    pub index_path: String,
    pub last_run: Option<RunSummary>,
}

/// Counts over the whole index.
pub fn stats(wi: &WartaIndex) -> tantivy::Result<Stats> {
    let searcher = wi.searcher()?;
    let mut languages = BTreeMap::new();
    let mut sources = BTreeMap::new();
    for_each_str(&searcher, "lang", |v| *languages.entry(v.to_string()).or_insert(0) += 1)?;
    for_each_str(&searcher, "source", |v| *sources.entry(v.to_string()).or_insert(0) += 1)?;
    let (mut min, mut max, mut undated) = (i64::MAX, i64::MIN, 0u64);
    for seg in searcher.segment_readers() {
        let dates = seg.fast_fields().date("date")?;
        let alive = seg.alive_bitset();
        for doc in 0..seg.max_doc() {
            if alive.is_some_and(|a| !a.is_alive(doc)) {
                continue;
            }
            match dates.first(doc) {
                Some(d) => {
                    let s = d.into_timestamp_secs();
                    min = min.min(s);
                    max = max.max(s);
                }
                None => undated += 1,
            }
        }
    }
    let fmt = |s: i64| Timestamp::from_second(s).ok().map(|t| t.to_string());
    Ok(Stats {
        articles: searcher.num_docs(),
        languages,
        sources,
        undated,
        first_date: if min <= max { fmt(min) } else { None },
        last_date: if min <= max { fmt(max) } else { None },
        index_bytes: wi.size_on_disk(),
        index_path: wi.dir.display().to_string(),
        last_run: wi.last_run(),
    })
}

/// The live documents whose fast string field `field` holds `value`. For the id, which is a
/// fast field only: as a term it cost indexing a term dictionary entry and a postings list per
/// article (format 7), and `warta show`, its only reader, looks up one id at a time.
fn docs_with_str(searcher: &Searcher, field: &str, value: &str) -> tantivy::Result<Vec<DocAddress>> {
    let mut out = Vec::new();
    for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        let Some(col) = seg.fast_fields().str(field)? else {
            continue;
        };
        let Some(term) = col.dictionary().term_ord(value.as_bytes())? else {
            continue;
        };
        let alive = seg.alive_bitset();
        for doc in 0..seg.max_doc() {
            if alive.is_some_and(|a| !a.is_alive(doc)) {
                continue;
            }
            if col.term_ords(doc).any(|t| t == term) {
                out.push(DocAddress::new(ord as u32, doc));
            }
        }
    }
    Ok(out)
}

/// Calls `f` with the value of a single-valued string fast field of every live document.
fn for_each_str(searcher: &Searcher, field: &str, mut f: impl FnMut(&str)) -> tantivy::Result<()> {
    let mut buf = String::new();
    for seg in searcher.segment_readers() {
        let Some(col) = seg.fast_fields().str(field)? else {
            continue;
        };
        let alive = seg.alive_bitset();
        for doc in 0..seg.max_doc() {
            if alive.is_some_and(|a| !a.is_alive(doc)) {
                continue;
            }
            for ord in col.term_ords(doc) {
                buf.clear();
                col.ord_to_str(ord, &mut buf)?;
                f(&buf);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_the_ids_paths() {
        assert_eq!(relative_path("/srv/news/en/a.txt", "en/a.txt"), "en/a.txt");
        assert_eq!(relative_path("/srv/news/feed.jsonl", "feed.jsonl#12"), "feed.jsonl");
        assert_eq!(relative_path("/srv/news/x#1.txt", "x#1.txt"), "x#1.txt");
        // An id that is not the end of the path shows the file's name only, never the path.
        assert_eq!(relative_path("/srv/news/x\u{fffd}.txt", "x%FF.txt"), "x\u{fffd}.txt");
        assert_eq!(relative_path("/srv/news/a.txt", "news/b.txt"), "a.txt");
        assert_eq!(relative_path("/srv/a.txt", "srv/a.txt"), "srv/a.txt");
        assert_eq!(relative_path("/srv/xa.txt", "a.txt"), "xa.txt");
    }

    #[test]
    fn date_bounds_cover_whole_periods() {
        let ts = |s: &str| s.parse::<Timestamp>().unwrap().as_second();
        assert_eq!(date_bound("2023", false), Some(ts("2023-01-01T00:00:00Z")));
        assert_eq!(date_bound("2023", true), Some(ts("2024-01-01T00:00:00Z")));
        assert_eq!(date_bound("2023-09", true), Some(ts("2023-10-01T00:00:00Z")));
        assert_eq!(date_bound("2023-12", true), Some(ts("2024-01-01T00:00:00Z")));
        assert_eq!(date_bound("2023-09-14", false), Some(ts("2023-09-14T00:00:00Z")));
        assert_eq!(date_bound("2023-09-14", true), Some(ts("2023-09-15T00:00:00Z")));
        assert_eq!(
            date_bound("2023-09-14T10:00:00+07:00", false),
            Some(ts("2023-09-14T03:00:00Z"))
        );
        assert_eq!(date_bound("2023-13", false), None);
        assert_eq!(date_bound("2023-265", false), None, "no month wraps around");
        // The last day a date can name is a date like any other.
        assert_eq!(date_bound("9999-12-31", false), Some(253_402_214_400));
        assert_eq!(date_bound("9999-12-31", true), Some(253_402_214_400 + 86_400));
        assert!(date_bound("9999-12-31", true) > date_bound("9999-12-31", false));
        assert!(date_bound("9999", true) > date_bound("9999-12-31", false));
        assert_eq!(date_bound("soon", false), None);
    }
}
