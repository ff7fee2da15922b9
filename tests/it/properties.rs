//! Properties checked on generated input (proptest): the query path and the file parsers
//! never panic, whatever they are given, and an index updated incrementally through any
//! sequence of additions, changes, renames and deletions holds exactly what a fresh build
//! of the same files holds. `PROPTEST_CASES` raises the number of cases (CI keeps the default).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use warta::index::{index_paths, IndexOptions, Progress, WartaIndex};
use warta::search::{self, SearchRequest, Sort};

struct Quiet;
impl Progress for Quiet {
    fn start(&self, _: u64) {}
    fn advance(&self) {}
    fn warn(&self, _: &str) {}
}

fn opts(rebuild: bool) -> IndexOptions {
    IndexOptions {
        rebuild,
        threads: 2,
        memory_mb: 64,
        ..IndexOptions::default()
    }
}

/// A small index shared by the query properties.
fn index() -> &'static WartaIndex {
    static INDEX: OnceLock<(tempfile::TempDir, WartaIndex)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let corpus = crate::common::two_article_corpus(dir.path());
            let idx = dir.path().join("index");
            index_paths(&idx, &[corpus], &opts(true), &Quiet).unwrap();
            let wi = WartaIndex::open(&idx).unwrap();
            (dir, wi)
        })
        .1
}

/// Query-like strings: fragments of the query language mixed with arbitrary text.
fn query_text() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        Just("\"".to_string()),
        Just("-".to_string()),
        Just("*".to_string()),
        Just(" OR ".to_string()),
        Just(" AND ".to_string()),
        Just("title:".to_string()),
        Just("body:".to_string()),
        Just("putin".to_string()),
        Just("Korea Utara".to_string()),
        Just("(".to_string()),
        Just(":".to_string()),
        "\\PC{0,12}",
    ];
    prop::collection::vec(atom, 0..8).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_query_gives_results_or_an_error_never_a_panic(
        q in query_text(),
        from in prop::option::of("\\PC{0,12}"),
        to in prop::option::of("[0-9-]{0,12}"),
        tz in prop::option::of(prop_oneof![Just("Asia/Jakarta".to_string()), Just("-10:00".to_string()), "[A-Za-z/+:0-9-]{0,10}"]),
        country in prop::option::of("\\PC{0,8}"),
        person in prop::option::of("\\PC{0,8}"),
        sort in prop_oneof![Just(Sort::Relevance), Just(Sort::Newest), Just(Sort::Oldest)],
        limit in 0usize..30,
        offset in 0usize..30,
        facets in any::<bool>(),
    ) {
        let req = SearchRequest {
            query: q,
            from,
            to,
            tz,
            countries: country.into_iter().collect(),
            persons: person.into_iter().collect(),
            sort,
            limit,
            offset,
            facets,
            ..SearchRequest::default()
        };
        let wi = index();
        let _ = search::search(wi, &req);
        let _ = search::timeline(wi, &req, search::facets::Interval::Week);
        let _ = search::facet(wi, "person", &req, 5);
    }

    #[test]
    fn parsers_never_panic(text in "\\PC{0,400}", bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut w = Vec::new();
        let _ = warta::ingest::text::parse_txt(&text, &mut w);
        let _ = warta::ingest::text::parse_markdown(&text, &mut w);
        let _ = warta::ingest::html::parse_html(&text, &mut w);
        let _ = warta::ingest::json::parse_json(&text);
        let _ = warta::ingest::date::parse_date(&text);
        let _ = warta::ingest::decode::decode(bytes.clone(), true);
        let _ = warta::ingest::decode::decode_line(&bytes);
        let _ = warta::extract::entities::extract_text(&text);
        let _ = warta::search::query::parse(&text);
    }
}

/// One change to the corpus.
#[derive(Debug, Clone)]
enum Op {
    Add(u8, u8),
    Modify(u8, u8),
    Rename(u8, u8),
    Delete(u8),
    /// Rewrite a JSON Lines file with `n` records.
    Lines(u8),
    /// Write file `f` as version `v` of a long story: versions a step apart are copies,
    /// further apart they are not, so stories form, chain and split.
    Story(u8, u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0u8..12, any::<u8>()).prop_map(|(f, v)| Op::Add(f, v)),
        1 => (0u8..12, any::<u8>()).prop_map(|(f, v)| Op::Modify(f, v)),
        1 => (0u8..12, 0u8..12).prop_map(|(a, b)| Op::Rename(a, b)),
        1 => (0u8..12).prop_map(Op::Delete),
        1 => (0u8..6).prop_map(Op::Lines),
        4 => (0u8..5, 0u8..3).prop_map(|(f, v)| Op::Story(f, v)),
    ]
}

/// Version `v` of a long story: sentences `3v .. 3v + 45` of one text (each step shifts it by
/// three sentences, so neighbouring versions are near copies and distant ones are not).
fn story_text(v: u8) -> String {
    let from = usize::from(v) * 3;
    (from..from + 45)
        .map(|i| {
            format!(
                "Kalimat {i} kisah panjang menyebut pasar {} dan desa {}.",
                i * 7 % 13,
                i * 5 % 11
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn file(corpus: &Path, n: u8) -> PathBuf {
    let dir = if n.is_multiple_of(3) { "sub" } else { "." };
    corpus.join(dir).join(format!("a{n}.txt"))
}

fn apply(corpus: &Path, op: &Op) {
    match *op {
        Op::Add(f, v) | Op::Modify(f, v) => {
            let p = file(corpus, f);
            if matches!(op, Op::Modify(..)) && !p.exists() {
                return;
            }
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            let person = PERSONS[usize::from(v) % PERSONS.len()];
            std::fs::write(
                &p,
                format!("Title: Artikel {f} versi {v}\n\nIsi artikel {f} versi {v}. Presiden {person} berbicara.\n"),
            )
            .unwrap();
        }
        Op::Rename(a, b) => {
            let (from, to) = (file(corpus, a), file(corpus, b));
            if from.exists() && a != b {
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::rename(from, to).unwrap();
            }
        }
        Op::Delete(f) => {
            let _ = std::fs::remove_file(file(corpus, f));
        }
        Op::Story(f, v) => {
            let p = file(corpus, f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, format!("Title: Kisah {f}\n\n{}\n", story_text(v))).unwrap();
        }
        Op::Lines(n) => {
            let lines: Vec<String> = (0..n)
                .map(|i| format!("{{\"title\": \"Baris {i} dari {n}\", \"body\": \"Isi {i}.\"}}"))
                .collect();
            std::fs::write(corpus.join("wire.jsonl"), lines.join("\n")).unwrap();
        }
    }
}

/// Persons the articles name, each written as a form other than its canonical name.
const PERSONS: [&str; 3] = ["Jokowi", "Soeharto", "Volodymyr Zelensky"];

/// id → title of every article in the index at `dir`, for names typed in a filter (any
/// word, another spelling, one letter off) → the ids it finds, and each story of copies.
fn contents(dir: &Path) -> BTreeMap<String, String> {
    let wi = WartaIndex::open(dir).unwrap();
    let resp = search::search(
        &wi,
        &SearchRequest {
            limit: 10_000,
            collapse: false,
            ..SearchRequest::default()
        },
    )
    .unwrap();
    assert_eq!(resp.total, resp.hits.len());
    let mut map = BTreeMap::new();
    for h in resp.hits {
        assert!(
            map.insert(h.id.clone(), h.title.clone()).is_none(),
            "duplicate {}",
            h.id
        );
    }
    for name in ["widodo", "suharto", "zelensky", "zelenskiy"] {
        let req = SearchRequest {
            persons: vec![name.to_string()],
            limit: 10_000,
            collapse: false,
            ..SearchRequest::default()
        };
        // A name no article has is an error: both indexes must refuse it alike.
        let found = match search::search(&wi, &req) {
            Ok(resp) => {
                let mut ids: Vec<String> = resp.hits.into_iter().map(|h| h.id).collect();
                ids.sort();
                ids.join(" ")
            }
            Err(e) => format!("error: {}", e.code()),
        };
        map.insert(format!("--person {name}"), found);
    }
    for story in wi.stories().stories() {
        let ids: Vec<&str> = story.members().map(|m| m.id).collect();
        map.insert(format!("story {}", ids[0]), ids.join(" "));
    }
    map
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn incremental_index_equals_a_fresh_build(ops in prop::collection::vec(op(), 1..8)) {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(&corpus).unwrap();
        let inc = dir.path().join("inc");
        for (step, op) in ops.iter().enumerate() {
            apply(&corpus, op);
            // Modification times on some filesystems are coarse: make every change visible.
            std::thread::sleep(std::time::Duration::from_millis(5));
            index_paths(&inc, std::slice::from_ref(&corpus), &opts(false), &Quiet).unwrap();
            let fresh = dir.path().join(format!("fresh{step}"));
            index_paths(&fresh, std::slice::from_ref(&corpus), &opts(true), &Quiet).unwrap();
            prop_assert_eq!(contents(&inc), contents(&fresh), "after {:?}", &ops[..=step]);
        }
    }
}
