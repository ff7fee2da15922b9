//! Related entities: the persons, countries, organizations and places that appear with an
//! anchor entity more often than their frequency in the whole archive would have them.
//!
//! The anchor is the request's entity filters; its articles are the request's matches (the
//! other filters and the query narrow them). Each entity in those articles is scored by
//! Dunning's log-likelihood ratio G² on the 2×2 table articles-with-the-entity ×
//! matching-articles, against all live articles of the index, and only entities over-
//! represented among the matches are kept. G² rather than PMI: PMI ranks an entity seen once,
//! in one matching article, above everything (its ratio is the largest possible), so it needs
//! a minimum count, and whatever the threshold it ignores how much evidence a pair has. G²
//! grows with both the strength of the association and the number of articles behind it,
//! stays accurate for the small counts news co-occurrences have, and gives 0 to a name that
//! is everywhere (its share among the matches is its share of the archive), so no threshold
//! is needed.
//!
//! Both counts come from the entity fast fields, never from stored text: the matches' by the
//! facet collector's ordinal counts ([`AllValues`]), the archive's by the same collector over
//! every live article, computed once per set of segments (a commit or a merge makes a new one).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use tantivy::collector::Count;
use tantivy::index::SegmentId;
use tantivy::query::AllQuery;
use tantivy::{Opstamp, Searcher};

use crate::extract::gazetteer::{self, Kind};
use crate::index::{Fields, WartaIndex};

use super::cancel::{Cancel, CancellableQuery};
use super::facets::{AllValues, FacetCollector};
use super::filters::{resolve, UnknownName};
use super::{request_query, unless_cancelled, ApproximateName, Relaxed, SearchError, SearchRequest};

/// The entity kinds, in the order requests list their filters.
pub const ENTITY_KINDS: [Kind; 4] = [Kind::Person, Kind::Country, Kind::Org, Kind::Place];

/// An entity kind's name in requests and answers: `person`, `country`, `org` or `place`.
pub fn kind_name(kind: Kind) -> &'static str {
    Fields::entity_field_name(kind)
}

/// The entity kind named `name` (see [`kind_name`]).
pub fn entity_kind(name: &str) -> Option<Kind> {
    ENTITY_KINDS.into_iter().find(|&k| kind_name(k) == name.trim())
}

/// One entity filter of the request: the anchor the others are related to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Anchor {
    /// `person`, `country`, `org` or `place`.
    pub kind: String,
    /// The name as given.
    pub name: String,
    /// The canonical values it stands for (left out of the related entities).
    pub values: Vec<String>,
}

/// An entity found with the anchor.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RelatedEntity {
    /// `person`, `country`, `org` or `place`.
    pub kind: String,
    /// The value as indexed: a canonical name, or a country's ISO code.
    pub value: String,
    /// Display name (countries: the English name of the ISO code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Matching articles that mention it (so, with the anchor).
    pub count: u64,
    /// Articles of the whole index that mention it.
    pub total: u64,
    /// Dunning's log-likelihood ratio G²: how far `count` is above what `total` predicts.
    pub score: f64,
}

/// The answer of [`related`]: what `warta related --json` prints and `GET /api/related`
/// returns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RelatedResponse {
    /// The query as given.
    pub query: String,
    /// The entity filters the others are related to.
    pub anchors: Vec<Anchor>,
    /// The kind of the entities listed; `null` for every kind.
    pub kind: Option<String>,
    /// Articles matching the request (the anchor's, narrowed by the query and filters).
    pub articles: u64,
    /// Live articles in the index.
    pub index_articles: u64,
    /// The related entities, highest score first.
    pub related: Vec<RelatedEntity>,
    /// Time taken, in milliseconds.
    pub took_ms: f64,
    /// As in [`super::SearchResponse`]: the matches are those of a relaxed query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relaxed: Option<Relaxed>,
    /// As in [`super::SearchResponse`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approximate_names: Vec<ApproximateName>,
}

/// The `top` entities (of `kind`, or of every kind) most over-represented in the articles
/// matching `req`, whose entity filters are the anchor (at least one is needed; a name that
/// stands for no entity is an error).
pub fn related(
    wi: &WartaIndex,
    req: &SearchRequest,
    kind: Option<Kind>,
    top: usize,
) -> Result<RelatedResponse, SearchError> {
    let started = Instant::now();
    let searcher = wi.searcher()?;
    let anchors = anchors(&searcher, &wi.fields, req)?;
    let (query, relaxed, approximate_names) = request_query(wi, &searcher, req)?;
    let kinds: Vec<Kind> = kind.map_or_else(|| ENTITY_KINDS.to_vec(), |k| vec![k]);
    let collector = AllValues(FacetCollector {
        fields: kinds.iter().map(|&k| kind_name(k).to_string()).collect(),
        top: 0,
    });
    let (matches, counted) = unless_cancelled(&req.cancel, searcher.search(&query, &(Count, collector)))?;
    let background = background(&searcher, &req.cancel)?;
    let all = searcher.num_docs();
    let mut related = Vec::new();
    for (kind, values) in kinds.into_iter().zip(counted) {
        let excluded: Vec<&String> = anchors
            .iter()
            .filter(|a| a.kind == kind_name(kind))
            .flat_map(|a| &a.values)
            .collect();
        let candidates = values.into_iter().filter(|(v, _)| !excluded.contains(&v));
        related.extend(score(kind, candidates, &background, matches as u64, all));
    }
    rank(&mut related, top);
    Ok(RelatedResponse {
        query: req.query.clone(),
        anchors,
        kind: kind.map(|k| kind_name(k).to_string()),
        articles: matches as u64,
        index_articles: all,
        related,
        took_ms: super::elapsed_ms(started),
        relaxed,
        approximate_names,
    })
}

/// The request's entity filters resolved to the values they stand for: an error when there
/// is none, or when one stands for no entity.
fn anchors(searcher: &Searcher, f: &Fields, req: &SearchRequest) -> Result<Vec<Anchor>, SearchError> {
    let filters = req.entity_filters();
    if filters.is_empty() {
        return Err(SearchError::NoEntity("finding related entities"));
    }
    let mut anchors = Vec::with_capacity(filters.len());
    for (kind, name) in filters {
        let resolved = resolve(searcher, f, kind, name)?;
        if resolved.values.is_empty() {
            return Err(SearchError::Unknown(UnknownName {
                noun: kind_name(kind),
                name: name.to_string(),
                suggestions: Vec::new(),
            }));
        }
        anchors.push(Anchor {
            kind: kind_name(kind).to_string(),
            name: name.to_string(),
            values: resolved.values,
        });
    }
    Ok(anchors)
}

/// The candidates of one kind that the matches hold more often than the index does, each
/// with its G² (see the module's documentation).
fn score(
    kind: Kind,
    candidates: impl Iterator<Item = (String, u64)>,
    background: &Background,
    matches: u64,
    all: u64,
) -> Vec<RelatedEntity> {
    let mut out = Vec::new();
    for (value, count) in candidates {
        // The matches are live articles of the index: their count is part of the total.
        let total = background.count(kind, &value).max(count);
        let over = u128::from(count) * u128::from(all) > u128::from(matches) * u128::from(total);
        if !over {
            continue;
        }
        let name = (kind == Kind::Country)
            .then(|| gazetteer::country_name(&value).map(str::to_string))
            .flatten();
        out.push(RelatedEntity {
            kind: kind_name(kind).to_string(),
            score: log_likelihood_ratio(count, matches, total, all),
            value,
            name,
            count,
            total,
        });
    }
    out
}

/// Keeps the `top` entities: highest score first, then most articles together, then by kind
/// and value (a stable order for equal scores).
fn rank(related: &mut Vec<RelatedEntity>, top: usize) {
    let order = |a: &RelatedEntity, b: &RelatedEntity| {
        b.score
            .total_cmp(&a.score)
            .then(b.count.cmp(&a.count))
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.value.cmp(&b.value))
    };
    // A broad anchor has tens of thousands of candidates: the best are picked, then sorted.
    if top > 0 && related.len() > top {
        related.select_nth_unstable_by(top - 1, order);
    }
    related.truncate(top);
    related.sort_by(order);
}

/// Dunning's G² = 2 Σ O ln(O / E) over the 2×2 table of `all` articles split by whether they
/// match (`matches`) and whether they mention the entity (`total`), `both` doing both; cells
/// observed empty add nothing.
fn log_likelihood_ratio(both: u64, matches: u64, total: u64, all: u64) -> f64 {
    let rest = all.saturating_sub(matches);
    let cells = [
        (both, matches, total),
        (matches.saturating_sub(both), matches, all.saturating_sub(total)),
        (total.saturating_sub(both), rest, total),
        (
            rest.saturating_sub(total.saturating_sub(both)),
            rest,
            all.saturating_sub(total),
        ),
    ];
    let n = all as f64;
    let sum: f64 = cells
        .iter()
        .filter(|(observed, row, column)| *observed > 0 && *row > 0 && *column > 0)
        .map(|&(observed, row, column)| {
            let o = observed as f64;
            o * (o * n / (row as f64 * column as f64)).ln()
        })
        .sum();
    (2.0 * sum).max(0.0)
}

/// Articles per entity value over the whole index, one map per kind of [`ENTITY_KINDS`].
struct Background {
    counts: Vec<FxHashMap<String, u64>>,
}

impl Background {
    fn count(&self, kind: Kind, value: &str) -> u64 {
        let i = ENTITY_KINDS.iter().position(|&k| k == kind).expect("every kind");
        self.counts[i].get(value).copied().unwrap_or(0)
    }
}

/// The segments a searcher reads and the deletes each has seen: what its live articles are.
type Generation = Vec<(SegmentId, Option<Opstamp>)>;

/// The background of the last generation asked about: a server answers from one generation
/// until the next commit, so it is counted once per commit, not per request.
static BACKGROUND: Mutex<Option<(Generation, Arc<Background>)>> = Mutex::new(None);

/// The entity counts over every live article of the searcher's index.
fn background(searcher: &Searcher, cancel: &Cancel) -> Result<Arc<Background>, SearchError> {
    let generation: Generation = searcher
        .segment_readers()
        .iter()
        .map(|s| (s.segment_id(), s.delete_opstamp()))
        .collect();
    let cached = |held: &Option<(Generation, Arc<Background>)>| match held {
        Some((g, b)) if *g == generation => Some(b.clone()),
        _ => None,
    };
    if let Some(b) = cached(&BACKGROUND.lock().unwrap_or_else(|e| e.into_inner())) {
        return Ok(b);
    }
    let collector = AllValues(FacetCollector {
        fields: ENTITY_KINDS.iter().map(|&k| kind_name(k).to_string()).collect(),
        top: 0,
    });
    let every = CancellableQuery::new(Box::new(AllQuery), cancel.clone());
    let counts = unless_cancelled(cancel, searcher.search(&every, &collector))?;
    let b = Arc::new(Background { counts });
    *BACKGROUND.lock().unwrap_or_else(|e| e.into_inner()) = Some((generation, b.clone()));
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An entity found in every one of its few articles with the anchor scores above one
    /// found as often with the anchor but in every article of the index, which scores 0.
    #[test]
    fn specific_entities_outrank_ubiquitous_ones() {
        let (matches, all) = (4, 100);
        let specific = log_likelihood_ratio(3, matches, 3, all);
        let everywhere = log_likelihood_ratio(4, matches, 100, all);
        let common = log_likelihood_ratio(4, matches, 40, all);
        assert_eq!(everywhere, 0.0);
        assert!(
            specific > common && common > everywhere,
            "{specific} {common} {everywhere}"
        );
        // Independence scores 0; more evidence for the same ratio scores more.
        assert!(log_likelihood_ratio(2, 10, 20, 100).abs() < 1e-9);
        assert!(log_likelihood_ratio(6, 12, 6, 200) > log_likelihood_ratio(3, 6, 3, 100));
    }

    /// Hand-computed: both 2 of 4 matches, total 2 of 8 articles.
    #[test]
    fn log_likelihood_ratio_matches_its_definition() {
        // Cells 2, 2, 0, 4 against expected 1, 3, 1, 3.
        let expected = 2.0 * (2.0 * 2f64.ln() + 2.0 * (2.0f64 / 3.0).ln() + 4.0 * (4.0f64 / 3.0).ln());
        assert!((log_likelihood_ratio(2, 4, 2, 8) - expected).abs() < 1e-9);
    }

    #[test]
    fn kinds_are_named_as_requests_name_them() {
        for kind in ENTITY_KINDS {
            assert_eq!(entity_kind(kind_name(kind)), Some(kind));
        }
        assert_eq!(entity_kind("source"), None);
    }
}
