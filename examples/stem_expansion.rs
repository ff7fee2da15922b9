//! Experiment: stems matched at query time instead of indexed.
//!
//! warta indexes every word with its marked stem beside it, which costs about a quarter of
//! indexing CPU (README, Performance). The alternative measured here: an index without stem
//! terms, and each query word expanded to the indexed words that share its stem, looked up
//! in a stem → words table built from the term dictionaries. It compares, on the same
//! corpus indexed both ways:
//! - the 36 keyword queries of `warta-bench` (words ANDed): totals, top-10 overlap and the
//!   query-phase latency (no snippets), index-time stems against expansion;
//! - known-item search: each article's title as the query, MRR@10 of finding the article.
//!
//! ```text
//! warta index --index /tmp/stem CORPUS...          # this warta
//! # the same with the stemmed fields switched to the exact analyzer (src/index/schema.rs):
//! warta index --index /tmp/nostem CORPUS...
//! cargo run --release --example stem_expansion -- /tmp/stem /tmp/nostem [TITLES]
//! ```
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;
use warta::index::analysis::{self, EXACT, STEM_MARK};
use warta::index::WartaIndex;

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

fn tq(f: Field, t: &str, boost: f32) -> (Occur, Box<dyn Query>) {
    let q = TermQuery::new(Term::from_field_text(f, t), IndexRecordOption::WithFreqs);
    (Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost)))
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let stem_ix = WartaIndex::open(Path::new(&a[1])).unwrap();
    let nostem_ix = WartaIndex::open(Path::new(&a[2])).unwrap();
    let f = &stem_ix.fields;
    let fields = f.text_fields();

    // stem -> indexed words, per field, from the no-stem index's term dictionaries.
    let t0 = Instant::now();
    let ns = nostem_ix.searcher().unwrap();
    let mut variants: HashMap<(Field, String), HashSet<String>> = HashMap::new();
    let mut nterms = 0;
    for (title, body, lang) in fields {
        let Some(lang) = lang else { continue };
        for field in [title, body] {
            for seg in ns.segment_readers() {
                let inv = seg.inverted_index(field).unwrap();
                let mut s = inv.terms().stream().unwrap();
                while s.advance() {
                    let w = String::from_utf8_lossy(s.key()).into_owned();
                    let mut st = w.clone();
                    lang.stem(&mut st);
                    nterms += 1;
                    variants.entry((field, st)).or_default().insert(w);
                }
            }
        }
    }
    eprintln!(
        "table: {} terms, {} stems, built in {:.2} s",
        nterms,
        variants.len(),
        t0.elapsed().as_secs_f64()
    );

    // The query of `warta search`: each word in every text field, as written (boosted) and
    // by its stem: marked stem terms, or the stem's indexed words when `expand`.
    let build = |words: &[String], expand: bool| -> Box<dyn Query> {
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for w in words {
            let mut should = Vec::new();
            for (title, body, lang) in fields {
                for (field, weight) in [(title, 2.0f32), (body, 1.0)] {
                    should.push(tq(field, w, weight * 1.5));
                    let Some(lang) = lang else { continue };
                    let mut s = w.clone();
                    lang.stem(&mut s);
                    if expand {
                        if let Some(vs) = variants.get(&(field, s.clone())) {
                            for v in vs {
                                if v != w {
                                    should.push(tq(field, v, weight));
                                }
                            }
                        }
                    } else {
                        should.push(tq(field, &format!("{STEM_MARK}{s}"), weight));
                        if &s != w {
                            should.push(tq(field, &s, weight));
                        }
                    }
                }
            }
            must.push((Occur::Must, Box::new(BooleanQuery::new(should))));
        }
        Box::new(BooleanQuery::new(must))
    };

    let ss = stem_ix.searcher().unwrap();
    let mut lat = [Vec::new(), Vec::new()];
    let mut same_total = 0;
    let mut overlap = 0usize;
    for q in KEYWORDS {
        let words: Vec<String> = analysis::tokens(&mut analysis::analyzer(EXACT), q)
            .into_iter()
            .map(|t| t.text)
            .collect();
        let mut res = Vec::new();
        for (k, (searcher, expand)) in [(&ss, false), (&ns, true)].into_iter().enumerate() {
            let query = build(&words, expand);
            let c = (TopDocs::with_limit(10).order_by_score(), Count);
            let (top, total) = searcher.search(&*query, &c).unwrap();
            for _ in 0..20 {
                let t = Instant::now();
                let query = build(&words, expand);
                let _ = searcher.search(&*query, &c).unwrap();
                lat[k].push(t.elapsed().as_secs_f64() * 1000.0);
            }
            let ids: Vec<String> = top
                .iter()
                .map(|(_, addr)| {
                    let d: tantivy::TantivyDocument = searcher.doc(*addr).unwrap();
                    use tantivy::schema::Value;
                    d.get_first(f.id)
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                })
                .collect();
            res.push((total, ids));
        }
        if res[0].0 == res[1].0 {
            same_total += 1;
        }
        let o = res[0].1.iter().filter(|i| res[1].1.contains(i)).count();
        overlap += o;
        println!("{q:16} total {:6} vs {:6}  top10 overlap {o}", res[0].0, res[1].0);
    }
    for (k, name) in ["index-time stems", "query-time expansion"].iter().enumerate() {
        let v = &mut lat[k];
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let p = |x: f64| v[((v.len() as f64 - 1.0) * x) as usize];
        println!("{name:22} p50 {:.3} ms  p95 {:.3}  p99 {:.3}", p(0.5), p(0.95), p(0.99));
    }
    println!(
        "same totals: {same_total}/36, mean top-10 overlap {:.1}",
        overlap as f64 / 36.0
    );

    // Known-item search: each article's title (words ANDed, as warta does) should find the
    // article itself; MRR@10 of both ways of matching stems.
    let n: usize = a.get(3).and_then(|s| s.parse().ok()).unwrap_or(4000);
    let id_of = |searcher: &tantivy::Searcher, addr: tantivy::DocAddress| -> String {
        use tantivy::schema::Value;
        let d: tantivy::TantivyDocument = searcher.doc(addr).unwrap();
        d.get_first(f.id)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    // Half Indonesian, half English articles.
    let mut items = Vec::new();
    let mut per_lang: HashMap<String, usize> = HashMap::new();
    for (si, seg) in ss.segment_readers().iter().enumerate() {
        for doc in 0..seg.max_doc() {
            use tantivy::schema::Value;
            let d: tantivy::TantivyDocument = ss.doc(tantivy::DocAddress::new(si as u32, doc)).unwrap();
            let text = |field| {
                d.get_first(field)
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            };
            let (title, id, lang) = (text(f.title), text(f.id), text(f.lang));
            let count = per_lang.entry(lang.clone()).or_default();
            if (lang == "id" || lang == "en") && *count < n / 2 && title.split_whitespace().count() >= 3 {
                *count += 1;
                items.push((id, title));
            }
        }
    }
    for (k, (searcher, expand)) in [(&ss, false), (&ns, true)].into_iter().enumerate() {
        let (mut rr, mut first, mut top10) = (0.0, 0, 0);
        for (id, title) in &items {
            let words: Vec<String> = analysis::tokens(&mut analysis::analyzer(EXACT), title)
                .into_iter()
                .map(|t| t.text)
                .collect();
            let query = build(&words, expand);
            let top = searcher
                .search(&*query, &TopDocs::with_limit(10).order_by_score())
                .unwrap();
            if let Some(rank) = top.iter().position(|(_, addr)| &id_of(searcher, *addr) == id) {
                rr += 1.0 / (rank + 1) as f64;
                top10 += 1;
                if rank == 0 {
                    first += 1;
                }
            }
        }
        let t = items.len() as f64;
        println!(
            "known-item, {} titles, {:22} MRR@10 {:.4}  first {:.4}  top10 {:.4}",
            items.len(),
            ["index-time stems", "query-time expansion"][k],
            rr / t,
            first as f64 / t,
            top10 as f64 / t
        );
    }
}
