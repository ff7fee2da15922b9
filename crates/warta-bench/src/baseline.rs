//! The raw tantivy baseline: the same articles' `title` and `body`, both `TEXT | STORED` with
//! tantivy's default tokenizer, indexed with the same writer threads and memory budget as
//! warta, without any extraction; and the same keyword and phrase queries through tantivy's
//! `QueryParser`.
//!
//! Inputs are read and parsed on the calling thread while tantivy's own indexing threads
//! build segments: `.jsonl`/`.ndjson` files (optionally `.gz`) line by line, `.json` files
//! as one article object each. A record whose title and body are both missing or blank is
//! skipped, as warta skips it.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{Field, Schema, STORED, TEXT};
use tantivy::{Index, IndexReader, IndexWriter, TantivyDocument};

use crate::corpus;

/// What a baseline build read and indexed.
#[derive(Debug, Default, Clone, Copy)]
pub struct BuildStats {
    pub articles: u64,
    /// Records that are not an object with a non-blank string title or body.
    pub skipped: u64,
    /// Size on disk of the files read.
    pub input_bytes: u64,
}

/// The two fields of the baseline schema.
#[derive(Debug, Clone, Copy)]
struct Fields {
    title: Field,
    body: Field,
}

/// The baseline schema: title and body, `TEXT | STORED`.
fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let title = builder.add_text_field("title", TEXT | STORED);
    let body = builder.add_text_field("body", TEXT | STORED);
    (builder.build(), Fields { title, body })
}

/// Writer threads and memory budget in bytes for `threads` and `memory_mb`, computed as
/// warta's writer does: tantivy needs at least 15 MB per indexing thread.
pub fn writer_settings(threads: usize, memory_mb: usize) -> (usize, usize) {
    warta::index::writer_threads_and_budget(threads, memory_mb)
}

/// Builds a fresh baseline index at `index_dir` (deleted first if present) from `inputs`
/// (files, or directories walked recursively for `.json`/`.jsonl`/`.ndjson` files).
pub fn build(index_dir: &Path, inputs: &[PathBuf], threads: usize, memory_mb: usize) -> Result<BuildStats> {
    if index_dir.exists() {
        std::fs::remove_dir_all(index_dir).with_context(|| format!("cannot delete {}", index_dir.display()))?;
    }
    std::fs::create_dir_all(index_dir).with_context(|| format!("cannot create {}", index_dir.display()))?;
    let (schema, fields) = schema();
    let index = Index::create_in_dir(index_dir, schema).context("cannot create the baseline index")?;
    let (writer_threads, budget) = writer_settings(threads, memory_mb);
    let mut writer: IndexWriter<TantivyDocument> = index
        .writer_with_num_threads(writer_threads, budget)
        .context("cannot open the baseline index writer")?;
    let mut stats = BuildStats::default();
    for input in inputs {
        for file in article_files(input)? {
            stats.input_bytes += std::fs::metadata(&file)
                .with_context(|| format!("cannot stat {}", file.display()))?
                .len();
            add_file(&writer, fields, &file, &mut stats)?;
        }
    }
    writer.commit().context("cannot commit the baseline index")?;
    writer
        .wait_merging_threads()
        .context("cannot finish merging the baseline index")?;
    Ok(stats)
}

/// `root` itself when it is a file, else the article files under it (sorted by name).
pub fn article_files(root: &Path) -> Result<Vec<PathBuf>> {
    if root.is_file() {
        return Ok(vec![root.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.with_context(|| format!("cannot walk {}", root.display()))?;
        if entry.file_type().is_file() && (corpus::is_jsonl(entry.path()) || is_json(entry.path())) {
            files.push(entry.into_path());
        }
    }
    Ok(files)
}

/// Whether a file name ends in `.json` or `.json.gz`.
fn is_json(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with(".json") || name.ends_with(".json.gz")
}

/// Adds the articles of one file.
fn add_file(writer: &IndexWriter<TantivyDocument>, fields: Fields, path: &Path, stats: &mut BuildStats) -> Result<()> {
    if corpus::is_jsonl(path) {
        return corpus::for_each_line(path, |line| {
            add_json(writer, fields, line, stats)?;
            Ok(true)
        });
    }
    let mut text = String::new();
    corpus::open_text(path)?
        .read_to_string(&mut text)
        .with_context(|| format!("cannot read {}", path.display()))?;
    add_json(writer, fields, &text, stats)
}

/// The fields of an article the baseline indexes; other fields are ignored while parsing.
#[derive(Deserialize)]
struct TitleBody {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    body: Option<String>,
}

/// Parses one article object and adds it.
fn add_json(writer: &IndexWriter<TantivyDocument>, fields: Fields, json: &str, stats: &mut BuildStats) -> Result<()> {
    let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
    match serde_json::from_str::<TitleBody>(json) {
        Ok(TitleBody { title, body }) if blank(&title) && blank(&body) => stats.skipped += 1,
        Err(_) => stats.skipped += 1,
        Ok(TitleBody { title, body }) => {
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.title, title.as_deref().unwrap_or(""));
            doc.add_text(fields.body, body.as_deref().unwrap_or(""));
            writer.add_document(doc).context("the baseline index writer failed")?;
            stats.articles += 1;
        }
    }
    Ok(())
}

/// A baseline index opened for searching: one reader for all queries, as an application
/// would keep it.
pub struct BaselineSearcher {
    reader: IndexReader,
    parser: QueryParser,
}

impl BaselineSearcher {
    /// Opens the baseline index at `dir`; words of a query are ANDed, as in warta.
    pub fn open(dir: &Path) -> Result<BaselineSearcher> {
        let index =
            Index::open_in_dir(dir).with_context(|| format!("cannot open the baseline index {}", dir.display()))?;
        let (_, fields) = schema();
        let mut parser = QueryParser::for_index(&index, vec![fields.title, fields.body]);
        parser.set_conjunction_by_default();
        let reader = index.reader().context("cannot open a baseline index reader")?;
        Ok(BaselineSearcher { reader, parser })
    }

    /// Runs a query: the top 10 by BM25 and their stored documents. Returns the number of hits.
    pub fn search(&self, query: &str) -> Result<usize> {
        let searcher = self.reader.searcher();
        let query = self
            .parser
            .parse_query(query)
            .with_context(|| format!("baseline cannot parse {query:?}"))?;
        let top = searcher.search(&query, &TopDocs::with_limit(10).order_by_score())?;
        for (_, address) in &top {
            let _doc: TantivyDocument = searcher.doc(*address)?;
        }
        Ok(top.len())
    }
}
