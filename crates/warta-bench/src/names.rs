//! Person filters against the number of distinct names: the same filters on an index of a
//! thousand distinct persons and on one of a hundred thousand. Resolving a typed name looks
//! it up in the index's own term dictionaries, so the time should not grow with the names.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use serde::Serialize;
use warta::extract::entities::{Entities, Mention};
use warta::extract::Enriched;
use warta::index::{index_paths_with, IndexOptions, WartaIndex};
use warta::search::{search, SearchRequest};

use crate::measure::Latency;

/// Syllables of the made-up names: 24^4 = 331,776 distinct four-syllable words.
const SYLLABLES: [&str; 24] = [
    "ba", "ko", "ri", "tu", "me", "sa", "no", "di", "la", "pe", "gu", "wi", "ra", "ju", "te", "mo", "ha", "si", "du",
    "ne", "fa", "lo", "ke", "zu",
];

/// The `n`th made-up word, capitalised: four syllables.
fn word(mut n: usize) -> String {
    let mut w = String::new();
    for _ in 0..4 {
        w.push_str(SYLLABLES[n % SYLLABLES.len()]);
        n /= SYLLABLES.len();
    }
    let mut chars = w.chars();
    let first = chars.next().expect("four syllables").to_ascii_uppercase();
    std::iter::once(first).chain(chars).collect()
}

/// The `i`th person: a given name and a family name no other person has.
fn person(i: usize) -> (String, String) {
    (word(i), word(i + 150_000))
}

/// One filter's latency on each index.
#[derive(Debug, Clone, Serialize)]
pub struct NameFilter {
    pub label: String,
    /// `(distinct persons, latency)` per index.
    pub by_size: Vec<(usize, Latency)>,
}

/// Person filters on indexes of growing numbers of distinct persons.
#[derive(Debug, Clone, Serialize)]
pub struct ManyNames {
    pub sizes: Vec<usize>,
    pub filters: Vec<NameFilter>,
}

/// Builds one index per size (one article per person, persons given, not extracted) under
/// `work` and times three person filters `reps` times on each: a full name, a name part, and
/// a name no one has.
pub fn many_names(work: &Path, sizes: &[usize], reps: usize) -> Result<ManyNames> {
    let probe = 777;
    let (given, family) = person(probe);
    let filters = [
        ("person: full name", format!("{given} {family}")),
        ("person: name part", family.clone()),
        ("person: no such name", "Qwerty Zzyzx".to_string()),
    ];
    let mut results: Vec<NameFilter> = filters
        .iter()
        .map(|(label, _)| NameFilter {
            label: label.to_string(),
            by_size: Vec::new(),
        })
        .collect();
    for &n in sizes {
        let index = build(work, n.max(probe + 1))?;
        let wi = WartaIndex::open(&index)?;
        for ((_, name), result) in filters.iter().zip(&mut results) {
            let request = SearchRequest {
                persons: vec![name.clone()],
                ..SearchRequest::default()
            };
            // The first search reads the dictionaries from disk; the others are warm.
            let _ = search(&wi, &request);
            let mut samples = Vec::with_capacity(reps);
            for _ in 0..reps {
                let started = Instant::now();
                let _ = std::hint::black_box(search(&wi, &request));
                samples.push(started.elapsed().as_secs_f64() * 1000.0);
            }
            result.by_size.push((n, Latency::of(&samples).context("no samples")?));
        }
    }
    Ok(ManyNames {
        sizes: sizes.to_vec(),
        filters: results,
    })
}

/// An index of `n` one-line articles, the `i`th naming person `i`.
fn build(work: &Path, n: usize) -> Result<std::path::PathBuf> {
    let dir = work.join(format!("names-{n}"));
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus)?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(corpus.join("people.jsonl"))?);
    for i in 0..n {
        let (given, family) = person(i);
        let line = serde_json::json!({
            "id": i.to_string(),
            "title": format!("Note {i}"),
            "body": format!("{given} {family} spoke."),
            "lang": "en",
        });
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    drop(out);
    let enricher = |article: warta::ingest::Article| {
        let i: usize = article
            .title
            .as_deref()
            .and_then(|t| t.strip_prefix("Note "))
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let (given, family) = person(i);
        let name = format!("{given} {family}");
        Enriched {
            article,
            lang: "en".to_string(),
            entities: Entities {
                persons: vec![Mention {
                    name: name.clone(),
                    mentions: 1,
                    forms: vec![name],
                }],
                ..Entities::default()
            },
        }
    };
    let index = dir.join("index");
    index_paths_with(&index, &[corpus], &IndexOptions::default(), &enricher, &())
        .with_context(|| format!("cannot build the index of {n} names"))?;
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_up_names_are_distinct() {
        let names: std::collections::HashSet<(String, String)> = (0..150_000).map(person).collect();
        assert_eq!(names.len(), 150_000);
        let parts: std::collections::HashSet<String> = (0..150_000).flat_map(|i| [person(i).0, person(i).1]).collect();
        assert_eq!(parts.len(), 300_000, "no word is both a given and a family name");
    }

    #[test]
    fn filters_find_the_probe_person_at_every_size() {
        // The index runs start threads a sampler test would see.
        let _turn = crate::measure::tests::SAMPLER_TESTS
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let work = tempfile::tempdir().unwrap();
        let m = many_names(work.path(), &[800, 1_600], 2).unwrap();
        assert_eq!(m.filters.len(), 3);
        for f in &m.filters {
            assert_eq!(f.by_size.len(), 2, "{}", f.label);
        }
        let wi = WartaIndex::open(&work.path().join("names-1600").join("index")).unwrap();
        let (_, family) = person(777);
        let found = search(
            &wi,
            &SearchRequest {
                persons: vec![family],
                ..SearchRequest::default()
            },
        )
        .unwrap();
        assert_eq!(found.total, 1);
    }
}
