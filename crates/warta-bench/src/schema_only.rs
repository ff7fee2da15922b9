//! The schema-only run: how fast tantivy alone indexes warta's documents.
//!
//! Everything warta does before tantivy (reading and parsing files, language detection,
//! entity extraction, building the documents) is done first and not timed; then the
//! documents are added to a fresh index with warta's schema and analyzers (words and marked
//! stems, entity and bookkeeping fields, stored title and body), with the same writer threads
//! and memory budget as warta and the baseline, and only that is timed: adding, committing
//! and merging. Its throughput is what warta would reach if all of its own work were free,
//! so its ratio to the baseline bounds warta's.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use tantivy::{IndexWriter, TantivyDocument};
use warta::index::document::{to_document, FileMeta};
use warta::index::WartaIndex;
use warta::ingest::{self, Article, Format};

use crate::baseline;
use crate::measure;

/// What a schema-only build indexed, and the cost of its timed part alone.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub articles: u64,
    /// Size on disk of the files read (before the timed part).
    pub input_bytes: u64,
    pub wall_secs: f64,
    pub cpu_user_secs: f64,
    pub cpu_sys_secs: f64,
}

/// Builds warta's documents for `inputs` (the baseline's inputs: JSON Lines and `.json`
/// files, or directories of them), then
/// times indexing them into a fresh warta index at `index_dir`.
pub fn build(index_dir: &Path, inputs: &[PathBuf], threads: usize, memory_mb: usize) -> Result<Stats> {
    let mut stats = Stats::default();
    let mut articles: Vec<(String, Article)> = Vec::new();
    for input in inputs {
        for file in baseline::article_files(input)? {
            let Some((format, gz)) = Format::of(&file) else {
                continue;
            };
            stats.input_bytes += std::fs::metadata(&file)
                .with_context(|| format!("cannot stat {}", file.display()))?
                .len();
            let name = file.to_string_lossy().into_owned();
            ingest::read_file(&file, format, gz, |rec| {
                if let Ok(article) = rec.result {
                    articles.push((format!("{name}#{}", rec.n), article));
                }
            })
            .map_err(|e| anyhow::anyhow!("cannot read {name}: {e}"))?;
        }
    }
    if articles.is_empty() {
        bail!("no articles in {inputs:?}");
    }
    let docs = documents(articles, threads);

    if index_dir.exists() {
        std::fs::remove_dir_all(index_dir).with_context(|| format!("cannot delete {}", index_dir.display()))?;
    }
    let wi = WartaIndex::open_or_create(index_dir, true).context("cannot create the schema-only index")?;
    let (user0, sys0) = measure::cpu_times()?;
    let started = Instant::now();
    let mut writer: IndexWriter<TantivyDocument> = wi
        .writer(threads, memory_mb)
        .context("cannot open the schema-only index writer")?;
    stats.articles = docs.len() as u64;
    for doc in docs {
        writer
            .add_document(doc)
            .context("the schema-only index writer failed")?;
    }
    writer.commit().context("cannot commit the schema-only index")?;
    writer
        .wait_merging_threads()
        .context("cannot finish merging the schema-only index")?;
    stats.wall_secs = started.elapsed().as_secs_f64();
    let (user1, sys1) = measure::cpu_times()?;
    stats.cpu_user_secs = user1 - user0;
    stats.cpu_sys_secs = sys1 - sys0;
    Ok(stats)
}

/// Enriches the articles and makes their tantivy documents, on `threads` threads.
fn documents(articles: Vec<(String, Article)>, threads: usize) -> Vec<TantivyDocument> {
    let (_, fields) = warta::index::schema::build();
    let meta = FileMeta {
        path: "schema-only".to_string(),
        size: 0,
        mtime_ns: 0,
    };
    crate::par_map(&articles, threads, |(id, a)| {
        to_document(&fields, id, &meta, 0, true, &warta::extract::enrich(a.clone()))
    })
}
