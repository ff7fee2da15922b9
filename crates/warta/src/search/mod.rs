//! Search: the user's query and filters into tantivy queries, results with snippets.
//!
//! [`SearchRequest`] and [`SearchResponse`] are plain serde types: the CLI's `--json` prints
//! them, and any other client (an HTTP API) can share them. A search runs in stages, each in
//! its own file:
//!
//! - [`request`](SearchRequest): what is asked, checked before the index is read;
//! - [`query`]: the query syntax parsed; `text_query`: the parsed query as a tantivy query
//!   over every language's fields; [`filters`]: dates, sources, languages and entity names
//!   resolved to filter queries (through [`names`] and [`spelling`]);
//! - this file: [`search`] itself: prepare, rank, fill a short page with articles missing a
//!   word, suggest spellings, read the hits ([`snippet`] marks their passages);
//! - [`facets`]: counts and timelines over all matches, one timeline per entity side by side;
//!   [`related`]: the entities most over-represented among the matches of an entity's
//!   articles; `show` and `stats`: one article by id and what the index holds; [`cancel`]:
//!   calling a running search off.

mod cancel;
mod collapse;
mod error;
pub mod facets;
pub mod filters;
pub(crate) mod names;
pub mod query;
mod related;
mod request;
mod response;
mod show;
pub mod snippet;
mod spelling;
mod stats;
mod stored;
mod text_query;

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query};
use tantivy::{DateTime, DocAddress, Order, Searcher, TantivyDocument};

use crate::index::stems::StemTable;
use crate::index::stories::Stories;
use crate::index::{Fields, WartaIndex};
use crate::text::analysis::{self, EXACT};
pub use cancel::Cancel;
use cancel::CancellableQuery;
pub use error::SearchError;
use facets::facet_counts;
use facets::FacetCollector;
pub use facets::{facet, facet_field, facets_response, timeline, timeline_series, FacetsResponse};
use filters::request_filters;
use query::{Item, ParsedQuery};
pub use related::{entity_kind, kind_name, related, Anchor, RelatedEntity, RelatedResponse, ENTITY_KINDS};
pub use request::{
    check_request, date_bound, CountBy, DateBound, SearchRequest, Sort, MAX_PREFIX_TERMS, MAX_QUERY_CHARS,
    MAX_RESULT_WINDOW,
};
pub use response::{
    ApproximateName, CopyRef, CountryRef, Hit, Relaxed, SearchResponse, Suggestion, FACET_TOP, SUGGESTIONS_PER_WORD,
};
pub use show::{articles, relative_path, show, similar_ids, ArticleView};
use snippet::HighlightTerms;
pub use stats::{indexed_roots, stats, Stats};
use stored::{article_view, hit_from_doc};
use text_query::{build_text_query, clause_query};

/// Milliseconds since `started`, to the hundredth: what answers report as `took_ms`.
pub(crate) fn elapsed_ms(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 100_000.0).round() / 100.0
}

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
    let stories = wi.stories();
    let (mut total, mut docs) =
        collapse::top_stories(&searcher, &*prepared.query, req, sort, &stories, &HashSet::new())?;
    let mut relaxed = None;
    let mut suggestions = Vec::new();
    if total == 0 {
        suggestions = did_you_mean(f, &searcher, &stems, &prepared.parsed, cancel)?;
    }
    if total < req.limit.max(1) {
        let (strict_hits, strict_stories) = strict_hits(&searcher, &*prepared.query, req, sort, &stories, total)?;
        if let Some((q, r)) = relaxed_query(&wi.fields, &searcher, &stems, &prepared, req, strict_hits)? {
            let page = FillPage {
                relaxed: &*q,
                strict: &*prepared.query,
                strict_hits,
                strict_stories: &strict_stories,
                on_page: docs.len(),
            };
            let (more, more_docs) = fill_page(&searcher, &page, req, sort, &stories)?;
            total += more;
            docs.extend(more_docs);
            relaxed = Some((q, r));
        }
    }
    // The query the hits came from, for the facets.
    let query: &dyn Query = relaxed.as_ref().map_or(&*prepared.query, |(q, _)| &**q);
    let highlight = &prepared.highlight;
    let zone = req.zone()?;
    let mut hits = Vec::with_capacity(docs.len());
    for (score, addr) in docs {
        if cancel.is_cancelled() {
            return Err(SearchError::Cancelled);
        }
        let doc: TantivyDocument = searcher.doc(addr)?;
        hits.push(hit_from_doc(f, &doc, score, highlight, &stems, zone.as_ref()));
    }
    collapse::name_copies(&mut hits, &stories);
    let facets = if req.facets {
        let collector = FacetCollector {
            fields: facets::FACET_FIELDS.iter().map(|s| s.to_string()).collect(),
            top: FACET_TOP,
        };
        let counts = unless_cancelled(
            cancel,
            collapse::count_matches(&searcher, query, req, &stories, collector),
        )?;
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
        took_ms: elapsed_ms(started),
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
            let by_date = top.order_by_fast_field::<DateTime>(Fields::DATE, order);
            let (n, d) = unless_cancelled(cancel, searcher.search(query, &(Count, by_date)))?;
            (n, d.into_iter().map(|(_, a)| (None, a)).collect())
        }
    })
}

/// When fewer articles than a page have every term of a relaxable query (and the request is
/// not strict): the query with the filters requiring as many of its terms as some other
/// article has, at least one, and how far it was relaxed; `None` when no other article has
/// any term. `strict_total` articles have every term. All terms but one are tried first (the
/// usual case), then the rest by halves: a long query costs a few counts, not one per term.
fn relaxed_query(
    f: &Fields,
    searcher: &Searcher,
    stems: &StemTable,
    prepared: &Prepared,
    req: &SearchRequest,
    strict_total: usize,
) -> Result<Option<RelaxedQuery>, SearchError> {
    let parsed = &prepared.parsed;
    if req.strict || !parsed.relaxable() {
        return Ok(None);
    }
    let of = parsed.groups.len();
    let requiring = |required: usize| -> Result<Option<Box<dyn Query>>, SearchError> {
        let (text, _) = build_text_query(f, stems, parsed, required)?;
        let query = with_filters(text, &prepared.filters, &req.cancel);
        let others = if strict_total == 0 {
            query.box_clone()
        } else {
            without(query.box_clone(), prepared.query.box_clone())
        };
        let found = unless_cancelled(&req.cancel, searcher.search(&*others, &Count))? > 0;
        Ok(found.then_some(query))
    };
    let relaxed = |matched_clauses| Relaxed {
        matched_clauses,
        of,
        strict_total,
    };
    if let Some(query) = requiring(of - 1)? {
        return Ok(Some((query, relaxed(of - 1))));
    }
    // Fewer terms match at least as many articles: the most some article has lies in
    // `lo..hi`, and the range is halved until it is found or empty.
    let mut best = None;
    let (mut lo, mut hi) = (1, of - 1);
    while lo < hi {
        let mid = (lo + hi - 1).div_ceil(2).max(lo);
        match requiring(mid)? {
            Some(query) => {
                best = Some((query, relaxed(mid)));
                lo = mid + 1;
            }
            None => hi = mid,
        }
    }
    Ok(best)
}

/// How many hits a strict query matching `total` articles (fewer than a page) gives (each
/// story once when copies are collapsed), and the stories they stand for.
fn strict_hits(
    searcher: &Searcher,
    query: &dyn Query,
    req: &SearchRequest,
    sort: Sort,
    stories: &Stories,
    total: usize,
) -> Result<(usize, HashSet<usize>), SearchError> {
    if total == 0 {
        return Ok((0, HashSet::new()));
    }
    let all = SearchRequest {
        offset: 0,
        limit: total,
        ..req.clone()
    };
    let hits = collapse::top_stories(searcher, query, &all, sort, stories, &HashSet::new())?.1;
    let shown = if req.collapse {
        collapse::stories_among(searcher, stories, &hits)?
    } else {
        HashSet::new()
    };
    Ok((hits.len(), shown))
}

/// A short page to fill: the articles of `relaxed` that `strict` misses come after the
/// `strict_hits` hits of `strict`, `on_page` of which are on the page; a story among
/// `strict_stories` is not shown again.
struct FillPage<'a> {
    relaxed: &'a dyn Query,
    strict: &'a dyn Query,
    strict_hits: usize,
    strict_stories: &'a HashSet<usize>,
    on_page: usize,
}

/// The number of articles that fill `page`, and the request's page of them in `sort` order
/// (copies of one story collapsed as in the strict part).
fn fill_page(
    searcher: &Searcher,
    page: &FillPage,
    req: &SearchRequest,
    sort: Sort,
    stories: &Stories,
) -> Result<(usize, Ranked), SearchError> {
    let others = without(page.relaxed.box_clone(), page.strict.box_clone());
    let rest = SearchRequest {
        offset: req.offset.saturating_sub(page.strict_hits),
        limit: req.limit - page.on_page.min(req.limit),
        ..req.clone()
    };
    collapse::top_stories(searcher, &*others, &rest, sort, stories, page.strict_stories)
}

/// `query` without the articles `excluded` matches (scored as `query` alone).
fn without(query: Box<dyn Query>, excluded: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, query),
        (Occur::MustNot, excluded),
    ]))
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
        if let Some((query, relaxed)) = relaxed_query(&wi.fields, searcher, &stems, &prepared, req, 0)? {
            return Ok((query, Some(relaxed), prepared.approximate_names));
        }
    }
    Ok((prepared.query, None, prepared.approximate_names))
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
    let zone = req.zone()?;
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
                if !each(article_view(&wi.fields, &stored, zone.as_ref()))? {
                    return Ok(handed);
                }
            }
            doc = tantivy::DocSet::advance(&mut docs);
        }
    }
    Ok(handed)
}
