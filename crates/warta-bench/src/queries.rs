//! Warm query latency, in process: a fixed query set on a warta index and, for the keyword
//! and phrase queries, on the baseline index.

use std::time::Instant;

use serde::Serialize;
use warta::index::WartaIndex;
use warta::search::facets::Interval;
use warta::search::{SearchRequest, Sort};

use crate::baseline::BaselineSearcher;
use crate::measure::Latency;

/// Kinds of queries, reported separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// Words (ANDed), also run on the baseline.
    Keyword,
    /// Quoted phrases, also run on the baseline.
    Phrase,
    /// Entity, country, date, source and language filters (warta only).
    Filter,
    /// Facet counts (warta only).
    Facets,
    /// Counts per interval (warta only).
    Timeline,
}

impl Group {
    /// The group's name in tables.
    pub fn name(self) -> &'static str {
        match self {
            Group::Keyword => "keyword",
            Group::Phrase => "phrase",
            Group::Filter => "filter",
            Group::Facets => "facets",
            Group::Timeline => "timeline",
        }
    }
}

/// The warta call a query makes.
#[derive(Debug, Clone)]
pub enum Op {
    /// `warta::search::search`.
    Search(SearchRequest),
    /// `warta::search::facet` of one field.
    Facet {
        field: &'static str,
        req: SearchRequest,
        top: usize,
    },
    /// `warta::search::timeline`.
    Timeline { req: SearchRequest, interval: Interval },
}

/// One query of the set.
#[derive(Debug, Clone)]
pub struct BenchQuery {
    pub label: String,
    pub group: Group,
    pub op: Op,
    /// The same query for tantivy's `QueryParser` (keyword and phrase queries).
    pub baseline: Option<String>,
}

/// A search request for `query` with the defaults (10 hits, relevance).
fn req(query: &str) -> SearchRequest {
    SearchRequest {
        query: query.to_string(),
        ..SearchRequest::default()
    }
}

/// A text query run on both engines.
fn text_query(group: Group, query: &str) -> BenchQuery {
    BenchQuery {
        label: query.to_string(),
        group,
        op: Op::Search(req(query)),
        baseline: Some(query.to_string()),
    }
}

/// A warta-only query.
fn warta_only(group: Group, label: &str, op: Op) -> BenchQuery {
    BenchQuery {
        label: label.to_string(),
        group,
        op,
        baseline: None,
    }
}

/// Keyword queries (Indonesian and English news words; several words are ANDed).
const KEYWORDS: [&str; 36] = [
    "presiden",
    "jokowi",
    "ekonomi",
    "banjir",
    "pemerintah",
    "polisi",
    "korupsi",
    "pemilu",
    "gempa",
    "harga",
    "jakarta",
    "menteri",
    "rupiah",
    "investasi",
    "sepakbola",
    "film",
    "bank",
    "election",
    "government",
    "market",
    "inflation",
    "trade",
    "dollar",
    "oil",
    "wheat",
    "football",
    "music",
    "technology",
    "profit",
    "minister",
    "oil prices",
    "interest rates",
    "stock market",
    "harga beras",
    "pasar saham",
    "world cup",
];

/// Phrase queries.
const PHRASES: [&str; 12] = [
    "\"bank indonesia\"",
    "\"prime minister\"",
    "\"harga minyak\"",
    "\"joko widodo\"",
    "\"wall street\"",
    "\"federal reserve\"",
    "\"united states\"",
    "\"piala dunia\"",
    "\"mobile phone\"",
    "\"tax cuts\"",
    "\"pemilihan umum\"",
    "\"bursa efek indonesia\"",
];

/// The fixed query set: 36 keyword, 12 phrase, 22 filter, 6 facet and 6 timeline queries.
pub fn query_set() -> Vec<BenchQuery> {
    let mut set: Vec<BenchQuery> = KEYWORDS.iter().map(|q| text_query(Group::Keyword, q)).collect();
    set.extend(PHRASES.iter().map(|q| text_query(Group::Phrase, q)));
    set.extend(filter_queries());
    set.extend(facet_queries());
    set.extend(timeline_queries());
    set
}

/// Person, country, date, source, language filters and a date sort; entity filters by a known
/// alias, a part of a name, a name no article has, an old spelling and a name one letter off.
fn filter_queries() -> Vec<BenchQuery> {
    let person = |q: &str, p: &str| SearchRequest {
        persons: vec![p.to_string()],
        ..req(q)
    };
    let country = |q: &str, c: &str| SearchRequest {
        countries: vec![c.to_string()],
        ..req(q)
    };
    let dates = |q: &str, from: &str, to: &str| SearchRequest {
        from: Some(from.to_string()),
        to: Some(to.to_string()),
        ..req(q)
    };
    let org = |o: &str| SearchRequest {
        orgs: vec![o.to_string()],
        ..req("")
    };
    let place = |p: &str| SearchRequest {
        places: vec![p.to_string()],
        ..req("")
    };
    let f = |label: &str, r: SearchRequest| warta_only(Group::Filter, label, Op::Search(r));
    vec![
        f("person:jokowi (alias)", person("", "jokowi")),
        f("person:andritany (name part)", person("", "andritany")),
        f(
            "person:\"Zzyzx Qwerty\" (no such name: an error)",
            person("", "Zzyzx Qwerty"),
        ),
        f("person:soeharto (old spelling)", person("", "soeharto")),
        f("person:Zelenskiy (one letter off)", person("", "Zelenskiy")),
        f("org:KPK", org("KPK")),
        f("place:Djakarta", place("Djakarta")),
        f("person:\"Joko Widodo\"", person("", "Joko Widodo")),
        f("person:\"Ronald Reagan\"", person("", "Ronald Reagan")),
        f("person:\"Prabowo Subianto\"", person("", "Prabowo Subianto")),
        f("election person:\"Tony Blair\"", person("election", "Tony Blair")),
        f("presiden person:\"Joko Widodo\"", person("presiden", "Joko Widodo")),
        f("country:US", country("", "US")),
        f("country:ID", country("", "ID")),
        f("country:JP", country("", "JP")),
        f("trade country:JP", country("trade", "JP")),
        f("ekonomi country:ID", country("ekonomi", "ID")),
        f("oil 1987-03..1987-04", dates("oil", "1987-03", "1987-04")),
        f("banjir 2019-06..2019-08", dates("banjir", "2019-06", "2019-08")),
        f("2017..2017 (no query)", dates("", "2017", "2017")),
        f(
            "presiden source:Kompas.com",
            SearchRequest {
                sources: vec!["Kompas.com".to_string()],
                ..req("presiden")
            },
        ),
        f(
            "bank lang:en sort:newest",
            SearchRequest {
                lang: Some("en".to_string()),
                sort: Sort::Newest,
                ..req("bank")
            },
        ),
    ]
}

/// Facet counts: all facets over everything and over a few queries, single facet fields.
fn facet_queries() -> Vec<BenchQuery> {
    let all_facets = |q: &str| SearchRequest { facets: true, ..req(q) };
    let one = |field: &'static str, q: &str, top: usize| Op::Facet {
        field,
        req: req(q),
        top,
    };
    vec![
        warta_only(Group::Facets, "facets (everything)", Op::Search(all_facets(""))),
        warta_only(Group::Facets, "facets: ekonomi", Op::Search(all_facets("ekonomi"))),
        warta_only(Group::Facets, "facets: oil", Op::Search(all_facets("oil"))),
        warta_only(Group::Facets, "facet person top 20 (everything)", one("person", "", 20)),
        warta_only(
            Group::Facets,
            "facet country top 20 (everything)",
            one("country", "", 20),
        ),
        warta_only(
            Group::Facets,
            "facet source top 10: banjir",
            one("source", "banjir", 10),
        ),
    ]
}

/// Timelines at every interval size.
fn timeline_queries() -> Vec<BenchQuery> {
    let t = |label: &str, r: SearchRequest, interval: Interval| {
        warta_only(Group::Timeline, label, Op::Timeline { req: r, interval })
    };
    vec![
        t("timeline month (everything)", req(""), Interval::Month),
        t("timeline week: banjir", req("banjir"), Interval::Week),
        t("timeline month: oil", req("oil"), Interval::Month),
        t("timeline day: jokowi", req("jokowi"), Interval::Day),
        t("timeline year: election", req("election"), Interval::Year),
        t(
            "timeline month: country:ID",
            SearchRequest {
                countries: vec!["ID".to_string()],
                ..req("")
            },
            Interval::Month,
        ),
    ]
}

/// Runs one query on warta; returns the number of matching articles.
fn run_warta(wi: &WartaIndex, op: &Op) -> Result<u64, String> {
    let total = match op {
        Op::Search(r) => warta::search::search(wi, r).map(|resp| resp.total as u64),
        Op::Facet { field, req, top } => warta::search::facet(wi, field, req, *top).map(|(total, _)| total as u64),
        Op::Timeline { req, interval } => warta::search::timeline(wi, req, *interval).map(|t| t.total),
    };
    match total {
        Ok(n) => Ok(n),
        // A name no entity has is answered by an error naming it: no match, timed as any answer.
        Err(warta::SearchError::Unknown(_)) => Ok(0),
        Err(e) => Err(e.to_string()),
    }
}

/// Runs `f` and returns its result with its wall time in milliseconds.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let started = Instant::now();
    let out = f();
    (out, started.elapsed().as_secs_f64() * 1000.0)
}

/// What one query returned and how long it took.
#[derive(Debug, Clone, Serialize)]
pub struct QueryOutcome {
    pub label: String,
    pub group: Group,
    /// warta's number of matches (search total, facet or timeline total).
    pub warta_total: Option<u64>,
    /// Hits the baseline returned (at most 10).
    pub baseline_hits: Option<usize>,
    pub warta_p50_ms: Option<f64>,
    pub baseline_p50_ms: Option<f64>,
    /// The error of a query that failed (it is left out of the timings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Latencies of one group (or of keyword and phrase together).
#[derive(Debug, Clone, Serialize)]
pub struct GroupStats {
    pub group: String,
    pub queries: usize,
    pub failed: usize,
    pub warta: Option<Latency>,
    pub baseline: Option<Latency>,
    /// warta p50 / baseline p50.
    pub p50_ratio: Option<f64>,
}

/// Everything the query benchmark measured.
#[derive(Debug, Clone, Serialize)]
pub struct QueryResults {
    pub reps: usize,
    pub groups: Vec<GroupStats>,
    /// `index.reader()` + `searcher()` alone: what a call would pay if the search API opened a
    /// reader per call (it keeps one per `WartaIndex` since the shared reader was added).
    pub reader_open: Option<Latency>,
    pub queries: Vec<QueryOutcome>,
}

/// Per-query samples gathered while running the set.
struct Samples {
    warta: Vec<Vec<f64>>,
    baseline: Vec<Vec<f64>>,
    reader_open: Vec<f64>,
}

/// Warms every query up once, then runs the whole set `reps` times on both indexes.
pub fn run(wi: &WartaIndex, base: &BaselineSearcher, set: &[BenchQuery], reps: usize) -> QueryResults {
    let mut outcomes: Vec<QueryOutcome> = set.iter().map(|q| warm_up(wi, base, q)).collect();
    let mut samples = Samples {
        warta: vec![Vec::with_capacity(reps); set.len()],
        baseline: vec![Vec::with_capacity(reps); set.len()],
        reader_open: Vec::with_capacity(reps * 10),
    };
    for _ in 0..reps {
        for (i, q) in set.iter().enumerate().filter(|(i, _)| outcomes[*i].error.is_none()) {
            samples.warta[i].push(timed(|| run_warta(wi, &q.op)).1);
        }
        for (i, q) in set.iter().enumerate().filter(|(i, _)| outcomes[*i].error.is_none()) {
            if let Some(b) = &q.baseline {
                samples.baseline[i].push(timed(|| base.search(b)).1);
            }
        }
        for _ in 0..10 {
            samples
                .reader_open
                .push(timed(|| wi.index.reader().map(|r| r.searcher().num_docs())).1);
        }
    }
    for (i, o) in outcomes.iter_mut().enumerate() {
        o.warta_p50_ms = Latency::of(&samples.warta[i]).map(|l| l.p50_ms);
        o.baseline_p50_ms = Latency::of(&samples.baseline[i]).map(|l| l.p50_ms);
    }
    let groups = group_stats(set, &outcomes, &samples);
    QueryResults {
        reps,
        groups,
        reader_open: Latency::of(&samples.reader_open),
        queries: outcomes,
    }
}

/// Runs a query once on each engine (untimed) and records its result or error.
fn warm_up(wi: &WartaIndex, base: &BaselineSearcher, q: &BenchQuery) -> QueryOutcome {
    let mut outcome = QueryOutcome {
        label: q.label.clone(),
        group: q.group,
        warta_total: None,
        baseline_hits: None,
        warta_p50_ms: None,
        baseline_p50_ms: None,
        error: None,
    };
    match run_warta(wi, &q.op) {
        Ok(total) => outcome.warta_total = Some(total),
        Err(e) => outcome.error = Some(format!("warta: {e}")),
    }
    if let Some(b) = &q.baseline {
        match base.search(b) {
            Ok(hits) => outcome.baseline_hits = Some(hits),
            Err(e) => outcome.error = Some(format!("baseline: {e:#}")),
        }
    }
    outcome
}

/// Latencies per group, plus keyword and phrase together.
fn group_stats(set: &[BenchQuery], outcomes: &[QueryOutcome], samples: &Samples) -> Vec<GroupStats> {
    let kinds: [(&str, &[Group]); 6] = [
        ("keyword", &[Group::Keyword]),
        ("phrase", &[Group::Phrase]),
        ("keyword+phrase", &[Group::Keyword, Group::Phrase]),
        ("filter", &[Group::Filter]),
        ("facets", &[Group::Facets]),
        ("timeline", &[Group::Timeline]),
    ];
    kinds
        .iter()
        .map(|(name, groups)| {
            let members: Vec<usize> = (0..set.len()).filter(|i| groups.contains(&set[*i].group)).collect();
            let gather = |s: &[Vec<f64>]| -> Vec<f64> { members.iter().flat_map(|i| s[*i].iter().copied()).collect() };
            let warta = Latency::of(&gather(&samples.warta));
            let baseline = Latency::of(&gather(&samples.baseline));
            GroupStats {
                group: name.to_string(),
                queries: members.len(),
                failed: members.iter().filter(|i| outcomes[**i].error.is_some()).count(),
                p50_ratio: warta.zip(baseline).map(|(w, b)| w.p50_ms / b.p50_ms),
                warta,
                baseline,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_set_is_big_enough_and_labelled() {
        let set = query_set();
        assert!(set.len() >= 50, "{}", set.len());
        let with_baseline = set.iter().filter(|q| q.baseline.is_some()).count();
        assert_eq!(with_baseline, KEYWORDS.len() + PHRASES.len());
        let mut labels: Vec<&str> = set.iter().map(|q| q.label.as_str()).collect();
        labels.sort();
        labels.dedup();
        assert_eq!(labels.len(), set.len(), "labels are unique");
    }
}
