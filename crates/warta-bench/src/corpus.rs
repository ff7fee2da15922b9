//! The input corpus: finding the JSON Lines files the CORPUS arguments name, loading their
//! articles, and writing the shapes the benchmark indexes (JSONL prefixes for `--limit`, one
//! `.json` file per article, replicated copies for `--scale`, the 1% edit for reruns, and a
//! web archive of the articles as HTML pages).

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Serialize;
use serde_json::{Map, Value};
use warta::ingest::gzip;

/// File name endings of JSON Lines inputs.
pub const JSONL_SUFFIXES: [&str; 4] = [".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz"];
/// At most this many article files per directory in the one-file-per-article shape.
pub const FILES_PER_DIR: usize = 1000;
/// The sentence appended to the body of the files changed for the incremental rerun.
pub const EXTRA_SENTENCE: &str = " Kalimat tambahan ini ditulis oleh warta-bench untuk menguji pembaruan.";

/// Whether a file name ends like a JSON Lines file (optionally gzipped).
pub fn is_jsonl(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    JSONL_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Whether a path names a gzip file (by its extension).
pub fn is_gz(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// The JSON Lines files named by the CORPUS arguments: a file as given, a directory's
/// `.jsonl`/`.jsonl.gz`/`.ndjson(.gz)` files directly inside it (not recursively, so the
/// `original/` folders next to the corpora are left out), sorted by name.
pub fn find_inputs(args: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut inputs = Vec::new();
    for arg in args {
        let meta = std::fs::metadata(arg).with_context(|| format!("corpus path {} cannot be read", arg.display()))?;
        if meta.is_dir() {
            let found = jsonl_files_in(arg)?;
            if found.is_empty() {
                bail!(
                    "corpus directory {} holds no {} file (directories are not searched recursively)",
                    arg.display(),
                    JSONL_SUFFIXES.join("/")
                );
            }
            inputs.extend(found);
        } else if is_jsonl(arg) {
            inputs.push(arg.clone());
        } else {
            bail!(
                "corpus file {} is not JSON Lines (expected a name ending in {})",
                arg.display(),
                JSONL_SUFFIXES.join(", ")
            );
        }
    }
    let mut seen = HashSet::new();
    inputs.retain(|p| seen.insert(p.canonicalize().unwrap_or_else(|_| p.clone())));
    Ok(inputs)
}

/// The JSON Lines files directly inside `dir`, sorted by name.
fn jsonl_files_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let path = entry.with_context(|| format!("cannot list {}", dir.display()))?.path();
        if path.is_file() && is_jsonl(&path) {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// A buffered reader of a file's text, decompressing `.gz` files: those small enough to
/// hold are inflated in one call, as warta inflates them (`warta::ingest::gzip`), so that
/// the baseline reads as fast as warta does.
pub fn open_text(path: &Path) -> Result<Box<dyn BufRead>> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file
        .metadata()
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    if is_gz(path) && size <= gzip::MAX_WHOLE_COMPRESSED {
        let mut bytes = Vec::with_capacity(size as usize);
        file.read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {}", path.display()))?;
        return Ok(match gzip::inflate_whole(&bytes) {
            // (The baseline reads on one thread: its share of warta's budget need not be kept.)
            Some((plain, _held)) => Box::new(std::io::Cursor::new(plain)),
            None => Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(std::io::Cursor::new(
                bytes,
            )))),
        });
    }
    let reader = BufReader::with_capacity(64 * 1024, file);
    Ok(if is_gz(path) {
        Box::new(BufReader::with_capacity(
            64 * 1024,
            flate2::read::MultiGzDecoder::new(reader),
        ))
    } else {
        Box::new(reader)
    })
}

/// Calls `f` with each non-blank line of a JSON Lines file until it returns `false`.
pub fn for_each_line(path: &Path, mut f: impl FnMut(&str) -> Result<bool>) -> Result<()> {
    let mut reader = open_text(path)?;
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader
            .read_line(&mut line)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            return Ok(());
        }
        let trimmed = line.trim();
        if !trimmed.is_empty() && !f(trimmed)? {
            return Ok(());
        }
    }
}

/// One article of the corpus, with the fields the benchmark writes out.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Article {
    pub title: Option<String>,
    pub body: Option<String>,
    pub date: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub lang: Option<String>,
}

impl Article {
    /// The article of one JSON object (strings as they are, numbers as text, others absent).
    fn from_object(map: &Map<String, Value>) -> Article {
        let field = |name: &str| match map.get(name) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        Article {
            title: field("title"),
            body: field("body"),
            date: field("date"),
            source: field("source"),
            url: field("url"),
            lang: field("lang"),
        }
    }
}

/// One input file and what the benchmark took from it.
#[derive(Debug, Clone, Serialize)]
pub struct InputFile {
    pub path: PathBuf,
    /// Size on disk (compressed for `.gz`).
    pub disk_bytes: u64,
    /// Non-blank lines used (articles and unparsable lines).
    pub lines_used: usize,
    pub articles: usize,
    /// Bytes of the lines used, uncompressed, newlines included.
    pub uncompressed_bytes: u64,
}

/// The loaded corpus.
pub struct Corpus {
    pub files: Vec<InputFile>,
    pub articles: Vec<Article>,
    /// Lines that are not JSON objects (left out of the one-file-per-article shape).
    pub bad_lines: usize,
}

impl Corpus {
    /// Bytes of the input files on disk.
    pub fn disk_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.disk_bytes).sum()
    }

    /// Bytes of the lines used, uncompressed.
    pub fn uncompressed_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.uncompressed_bytes).sum()
    }
}

/// Reads the articles of `inputs` in order, at most `limit` of them.
pub fn load(inputs: &[PathBuf], limit: Option<usize>) -> Result<Corpus> {
    let limit = limit.unwrap_or(usize::MAX);
    let mut corpus = Corpus {
        files: Vec::new(),
        articles: Vec::new(),
        bad_lines: 0,
    };
    for path in inputs {
        let disk_bytes = std::fs::metadata(path)
            .with_context(|| format!("cannot stat {}", path.display()))?
            .len();
        let mut file = InputFile {
            path: path.clone(),
            disk_bytes,
            lines_used: 0,
            articles: 0,
            uncompressed_bytes: 0,
        };
        for_each_line(path, |line| {
            if corpus.articles.len() >= limit {
                return Ok(false);
            }
            file.lines_used += 1;
            file.uncompressed_bytes += line.len() as u64 + 1;
            match serde_json::from_str::<Value>(line) {
                Ok(Value::Object(map)) => {
                    corpus.articles.push(Article::from_object(&map));
                    file.articles += 1;
                }
                _ => corpus.bad_lines += 1,
            }
            Ok(true)
        })?;
        corpus.files.push(file);
        if corpus.articles.len() >= limit {
            break;
        }
    }
    if corpus.articles.is_empty() {
        bail!("the corpus holds no article (no line is a JSON object)");
    }
    Ok(corpus)
}

/// Writes the lines used of each input (for `--limit`) into `dir`, keeping the name's
/// extension and gzip compression, and returns the files written.
pub fn write_prefixes(files: &[InputFile], dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut written = Vec::new();
    for (i, input) in files.iter().enumerate().filter(|(_, f)| f.lines_used > 0) {
        let name = input
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dest = dir.join(format!("{i:02}-{name}"));
        write_prefix(&input.path, input.lines_used, &dest)?;
        written.push(dest);
    }
    Ok(written)
}

/// Copies the first `lines` non-blank lines of `src` to `dest`.
fn write_prefix(src: &Path, lines: usize, dest: &Path) -> Result<()> {
    let file = File::create(dest).with_context(|| format!("cannot create {}", dest.display()))?;
    let mut out: Box<dyn Write> = if is_gz(dest) {
        Box::new(flate2::write::GzEncoder::new(
            BufWriter::new(file),
            flate2::Compression::fast(),
        ))
    } else {
        Box::new(BufWriter::new(file))
    };
    let mut left = lines;
    for_each_line(src, |line| {
        writeln!(out, "{line}")?;
        left -= 1;
        Ok(left > 0)
    })
    .with_context(|| format!("cannot write {}", dest.display()))?;
    out.flush()
        .with_context(|| format!("cannot write {}", dest.display()))?;
    drop(out);
    Ok(())
}

/// A directory tree of one-article `.json` files.
pub struct FileSet {
    pub root: PathBuf,
    pub files: Vec<PathBuf>,
    /// Total size of the files.
    pub bytes: u64,
}

/// Writes each article as `root/dNNNN/aNNNNNNN.json` (`{"title","body","date","source","url",
/// "lang"}`), at most [`FILES_PER_DIR`] files per directory.
pub fn write_article_files(articles: &[Article], root: &Path) -> Result<FileSet> {
    let mut set = FileSet {
        root: root.to_path_buf(),
        files: Vec::with_capacity(articles.len()),
        bytes: 0,
    };
    for (i, article) in articles.iter().enumerate() {
        let dir = root.join(format!("d{:04}", i / FILES_PER_DIR));
        if i % FILES_PER_DIR == 0 {
            std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let path = dir.join(format!("a{i:07}.json"));
        let json = serde_json::to_vec(article).context("cannot serialize an article")?;
        std::fs::write(&path, &json).with_context(|| format!("cannot write {}", path.display()))?;
        set.bytes += json.len() as u64;
        set.files.push(path);
    }
    Ok(set)
}

/// A web archive written from the corpus.
#[derive(Debug, Clone, Serialize)]
pub struct WarcFile {
    pub path: PathBuf,
    /// HTML pages in it (one per article).
    pub pages: usize,
    /// Size on disk (gzip).
    pub bytes: u64,
    /// Size of the WARC records uncompressed.
    pub plain_bytes: u64,
}

/// Writes the articles as a `.warc.gz` as a crawl of news sites makes it (Common Crawl
/// News): each article an HTML page with its metadata in `<meta>` tags, fetched by a
/// `request` record and answered by a `response` record, each record its own gzip member.
pub fn write_warc(articles: &[Article], path: &Path) -> Result<WarcFile> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = BufWriter::new(file);
    let mut plain_bytes = 0u64;
    for (i, article) in articles.iter().enumerate() {
        let url = article
            .url
            .clone()
            .unwrap_or_else(|| format!("https://news.example/article/{i}"));
        let request = format!("GET /article/{i} HTTP/1.1\r\nHost: news.example\r\n\r\n");
        let html = article_page(article);
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n{html}",
            html.len()
        );
        for (kind, block) in [("request", request), ("response", response)] {
            let record = format!(
                "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-{i:012}>\r\nWARC-Date: 2024-01-01T00:00:00Z\r\nWARC-Target-URI: {url}\r\nContent-Type: application/http; msgtype={kind}\r\nContent-Length: {}\r\n\r\n{block}\r\n\r\n",
                block.len()
            );
            plain_bytes += record.len() as u64;
            let mut member = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            member.write_all(record.as_bytes())?;
            out.write_all(&member.finish()?)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    out.into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(WarcFile {
        path: path.to_path_buf(),
        pages: articles.len(),
        bytes: std::fs::metadata(path)?.len(),
        plain_bytes,
    })
}

/// An article as a news site's page: title, date and publisher in `<meta>` tags, the text in
/// an `<article>` between a menu and a footer.
fn article_page(a: &Article) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let title = esc(a.title.as_deref().unwrap_or(""));
    let mut meta = format!("<meta property=\"og:title\" content=\"{title}\">");
    if let Some(d) = &a.date {
        meta.push_str(&format!(
            "<meta property=\"article:published_time\" content=\"{}\">",
            esc(d)
        ));
    }
    if let Some(s) = &a.source {
        meta.push_str(&format!("<meta property=\"og:site_name\" content=\"{}\">", esc(s)));
    }
    let paragraphs: String = a
        .body
        .as_deref()
        .unwrap_or("")
        .split("\n\n")
        .map(|p| format!("<p>{}</p>", esc(p)))
        .collect();
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{title}</title>{meta}</head><body><nav><a href=\"/\">Home</a></nav><article><h1>{title}</h1>{paragraphs}</article><footer>News Example</footer></body></html>",
        esc(a.lang.as_deref().unwrap_or("en"))
    )
}

/// Copies the files of `set` under `dest` (`dest/cNNN/` for the n-th copy, same layout inside)
/// until `target` files exist: new paths, hence new article ids, same texts.
pub fn replicate(set: &FileSet, target: usize, dest: &Path) -> Result<FileSet> {
    if set.files.is_empty() {
        bail!("no article files to replicate");
    }
    let mut out = FileSet {
        root: dest.to_path_buf(),
        files: Vec::with_capacity(target),
        bytes: 0,
    };
    let mut made: HashSet<PathBuf> = HashSet::new();
    for i in 0..target {
        let src = &set.files[i % set.files.len()];
        let rel = src
            .strip_prefix(&set.root)
            .with_context(|| format!("{} is not under {}", src.display(), set.root.display()))?;
        let path = dest.join(format!("c{:03}", i / set.files.len())).join(rel);
        if let Some(parent) = path.parent() {
            if made.insert(parent.to_path_buf()) {
                std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
            }
        }
        out.bytes += std::fs::copy(src, &path)
            .with_context(|| format!("cannot copy {} to {}", src.display(), path.display()))?;
        out.files.push(path);
    }
    Ok(out)
}

/// Rewrites `fraction` of the files (at least one, evenly spread) with [`EXTRA_SENTENCE`]
/// appended to the body, after a pause that guarantees a new modification time, and returns
/// the files changed.
pub fn change_fraction(set: &FileSet, fraction: f64) -> Result<Vec<PathBuf>> {
    let n = set.files.len();
    if n == 0 {
        return Ok(Vec::new());
    }
    let count = ((n as f64 * fraction).round() as usize).clamp(1, n);
    let step = n / count;
    std::thread::sleep(std::time::Duration::from_millis(20));
    let mut changed = Vec::with_capacity(count);
    for path in (0..count).map(|i| &set.files[i * step]) {
        append_sentence(path)?;
        changed.push(path.clone());
    }
    Ok(changed)
}

/// Appends [`EXTRA_SENTENCE`] to the body of one article file.
fn append_sentence(path: &Path) -> Result<()> {
    let mut text = String::new();
    File::open(path)
        .and_then(|mut f| f.read_to_string(&mut text))
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut value: Value = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let Some(map) = value.as_object_mut() else {
        bail!("{} is not a JSON object", path.display());
    };
    let body = map.get("body").and_then(Value::as_str).unwrap_or("").to_string();
    map.insert("body".to_string(), Value::String(body + EXTRA_SENTENCE));
    let json = serde_json::to_vec(&value).context("cannot serialize an article")?;
    std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_jsonl_names() {
        assert!(is_jsonl(Path::new("/x/articles.jsonl.gz")));
        assert!(is_jsonl(Path::new("a.NDJSON")));
        assert!(!is_jsonl(Path::new("stats.json")));
        assert!(!is_jsonl(Path::new("a.jsonl.bz2")));
    }

    #[test]
    fn missing_corpus_is_a_clear_error() {
        let err = find_inputs(&[PathBuf::from("/no/such/corpus")]).unwrap_err();
        assert!(format!("{err:#}").contains("/no/such/corpus"), "{err:#}");
    }

    /// The web archive holds one page per article, which warta reads back as that article.
    #[test]
    fn the_web_archive_reads_back_as_the_articles() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let articles = vec![
            Article {
                title: Some("Banjir <rob> & \"pasang\"".into()),
                body: Some("Paragraf satu.\n\nParagraf dua.".into()),
                date: Some("2024-11-05T08:30:00+07:00".into()),
                source: Some("Kabar".into()),
                url: None,
                lang: Some("id".into()),
            },
            Article {
                title: Some("Second".into()),
                body: Some("Text.".into()),
                ..Article::default()
            },
        ];
        let warc = write_warc(&articles, &dir.path().join("w.warc.gz")).expect("written");
        assert_eq!(warc.pages, 2);
        let mut read = Vec::new();
        let passed = warta::ingest::read_file_counted(&warc.path, warta::ingest::Format::Warc, true, |r| {
            read.push(r.result.expect("an article"))
        })
        .expect("read");
        assert_eq!(passed.get("request"), Some(&2));
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].title.as_deref(), Some("Banjir <rob> & \"pasang\""));
        assert_eq!(read[0].body.as_deref(), Some("Paragraf satu.\n\nParagraf dua."));
        assert_eq!(read[0].source.as_deref(), Some("Kabar"));
        assert_eq!(
            read[0].date.map(|d| d.to_string()).as_deref(),
            Some("2024-11-05T08:30:00+07:00")
        );
        assert_eq!(read[1].url.as_deref(), Some("https://news.example/article/1"));
    }

    #[test]
    fn article_fields_from_json() {
        let v: Value = serde_json::from_str(r#"{"id":"x","title":"T","body":"B","date":null,"lang":"id","n":1}"#)
            .expect("valid JSON");
        let a = Article::from_object(v.as_object().expect("object"));
        assert_eq!(a.title.as_deref(), Some("T"));
        assert_eq!(a.date, None);
        assert_eq!(a.lang.as_deref(), Some("id"));
    }
}
