//! The given-entities run: warta's whole pipeline with an extractor that costs nothing.
//!
//! Before the timed part, every article of the inputs is read and its entities extracted,
//! and kept under a hash of its title and text. Then warta indexes the inputs as usual
//! (`warta::index::index_paths_with`), except that each article's entities are looked up
//! there ([`Given`], its enricher) instead of extracted: the run reads, detects languages, builds
//! and indexes the same documents as a warta run, entity fields included. Its throughput is
//! the most warta can reach with any extractor at all, everything else as it is, where the
//! no-entities run (entity fields left empty) overstates it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use anyhow::{Context, Result};
use warta::extract::{self, entities, Enriched, Entities};
use warta::index::Enricher;
use warta::ingest::{self, Article, Format};
use xxhash_rust::xxh3::xxh3_64;

use crate::baseline;
use crate::child::Extraction;

/// Each article's entities by [`key`] (a list: an article may be in the inputs twice).
type Prepared = HashMap<u64, Mutex<Vec<Entities>>>;

/// The key an article's entities are kept under: a hash of its title and of its text.
fn key(article: &Article) -> u64 {
    let title = xxh3_64(article.title.as_deref().unwrap_or("").as_bytes());
    let body = xxh3_64(article.body.as_deref().unwrap_or("").as_bytes());
    title ^ body.rotate_left(29)
}

/// Extracts the entities of every article of `inputs` (the baseline's inputs) on `threads`
/// threads of their own, none of them the caller's (the caller's CPU stays that of its run),
/// and returns the enricher that hands them to the pipeline, and what the extraction cost: the CPU time of the extracting calls alone (reading and parsing the
/// files not included), the figure of extraction's own speed.
///
/// Each article's entities are moved out when it is asked for, not copied, as an extractor
/// hands over what it made (an article that is in the inputs twice has them twice).
pub fn prepare(inputs: &[PathBuf], threads: usize) -> Result<(Given, Extraction)> {
    let inputs = inputs.to_vec();
    let (map, extraction) = std::thread::spawn(move || -> Result<(Prepared, Extraction)> {
        let mut map = Prepared::new();
        let mut extraction = Extraction::default();
        for input in &inputs {
            for file in baseline::article_files(input)? {
                let Some((format, gz)) = Format::of(&file) else {
                    continue;
                };
                let mut articles = Vec::new();
                ingest::read_file(&file, format, gz, |rec| {
                    if let Ok(article) = rec.result {
                        articles.push(article);
                    }
                })
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
                for (key, found, cpu_secs) in extract_all(&articles, threads) {
                    extraction.articles += 1;
                    extraction.cpu_secs += cpu_secs;
                    map.entry(key)
                        .or_default()
                        .get_mut()
                        .expect("not shared yet")
                        .push(found);
                }
            }
        }
        Ok((map, extraction))
    })
    .join()
    .map_err(|_| anyhow::anyhow!("the given-entities preparation panicked"))?
    .context("cannot prepare the given entities")?;
    let given = Given {
        map,
        missed: AtomicU64::new(0),
    };
    Ok((given, extraction))
}

/// The enricher of the given-entities run: each article's language detected as in a warta
/// run, its entities looked up.
pub struct Given {
    map: Prepared,
    /// Articles it was asked about and did not have (0 when the run indexed what was
    /// prepared).
    pub missed: AtomicU64,
}

impl Enricher for Given {
    fn enrich(&self, article: Article) -> Enriched {
        let found = self
            .map
            .get(&key(&article))
            .and_then(|found| found.lock().expect("an enricher panicked").pop());
        let entities = found.unwrap_or_else(|| {
            self.missed.fetch_add(1, Ordering::Relaxed);
            Entities::default()
        });
        let mut enriched = extract::enrich_language_only(article);
        enriched.entities = entities;
        enriched
    }
}

/// The key and entities of each of `articles`, extracted on `threads` threads, with the CPU
/// seconds each extraction took.
fn extract_all(articles: &[Article], threads: usize) -> Vec<(u64, Entities, f64)> {
    crate::par_map(articles, threads, |a| {
        let started = crate::measure::thread_cpu_secs();
        let found = entities::extract(a.title.as_deref().unwrap_or(""), a.body.as_deref().unwrap_or(""));
        (key(a), found, crate::measure::thread_cpu_secs() - started)
    })
}
