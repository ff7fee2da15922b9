//! Ingest: files on disk into [`Article`]s.
//!
//! Walks the roots given by the user, recognises article files by extension (`.txt`, `.md`,
//! `.json`, `.jsonl`/`.ndjson`, `.html`/`.htm`, `.warc`, each optionally `.gz`), reads their metadata
//! under the many names publishers use, and parses dates with their offsets. Knows nothing of tantivy or
//! entities. Every problem is reported with the file (and line or item) it concerns; nothing
//! here panics on bad input.

pub mod date;
pub mod decode;
pub(crate) mod fields;
pub mod gzip;
pub mod html;
pub mod json;
pub mod text;
pub(crate) mod walk;
mod warc;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use xxhash_rust::xxh3::Xxh3;

pub use walk::{walk, SourceFile, WalkEvent, WalkOptions};

/// One news article as read from a file, before enrichment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Article {
    /// The headline, when the file gives one or it can be taken from the text.
    pub title: Option<String>,
    /// The text, without markup.
    pub body: Option<String>,
    /// Publication time, with the offset the source gave.
    pub date: Option<date::PubDate>,
    /// The publisher, when known.
    pub source: Option<String>,
    /// The article's URL, when known.
    pub url: Option<String>,
    /// The byline, when given.
    pub author: Option<String>,
    /// ISO 639-1 code when the metadata gives the language.
    pub lang: Option<String>,
}

/// One article slot of a file: its ordinal (from 1), where it is in the file (for messages),
/// and the article or why it could not be read.
#[derive(Debug)]
pub struct Record {
    /// The article's ordinal in its file, from 1.
    pub n: usize,
    /// Whether the file holds a list of articles (ids get `#n`).
    pub multi: bool,
    /// Where it is in the file, for messages (`line 12`, `item 3`).
    pub place: String,
    /// The article, or why it could not be read.
    pub result: Result<Article, String>,
    /// Non-fatal problems (a date that could not be read, a field of the wrong type).
    pub warnings: Vec<String>,
}

/// File formats warta reads, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text, with an optional header of `Key: value` lines.
    Text,
    /// Markdown, with optional YAML or TOML front matter.
    Markdown,
    /// One JSON article or an array of them.
    Json,
    /// One JSON article per line.
    JsonLines,
    /// An HTML page.
    Html,
    /// A web archive: one article per HTML page fetched with status 200 ([`warc`]).
    Warc,
}

impl Format {
    /// The format of a file name and whether it is gzip-compressed, or `None` for files that
    /// are not articles.
    pub fn of(path: &Path) -> Option<(Format, bool)> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        let (name, gz) = match name.strip_suffix(".gz") {
            Some(stem) => (stem.to_string(), true),
            None => (name, false),
        };
        let ext = name.rsplit_once('.')?.1;
        let format = match ext {
            "txt" | "text" => Format::Text,
            "md" | "markdown" => Format::Markdown,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::JsonLines,
            "html" | "htm" | "xhtml" => Format::Html,
            "warc" => Format::Warc,
            _ => return None,
        };
        Some((format, gz))
    }
}

/// Records of a file that are not articles by design (a web archive's requests, metadata,
/// images...), counted by kind: passed over without a warning each.
pub type PassedOver = BTreeMap<&'static str, u64>;

/// Why a whole file was skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    /// The file could not be read (the I/O error).
    #[error("unreadable: {0}")]
    Unreadable(String),
    /// Binary data, not text.
    #[error("binary data, not text")]
    Binary,
    /// Nothing but whitespace.
    #[error("empty file")]
    Empty,
    /// Not the format its name says (why).
    #[error("{0}")]
    Malformed(String),
    /// A FIFO, socket or device where a file was expected (replaced since the walk saw it).
    #[error("{0}, not a regular file")]
    NotRegular(&'static str),
}

impl SkipReason {
    /// Whether the file may read differently next time without changing (it could not be
    /// read, or was not a regular file when it was opened).
    pub fn is_transient(&self) -> bool {
        matches!(self, SkipReason::Unreadable(_) | SkipReason::NotRegular(_))
    }

    /// A short label used to count skips by reason in summaries.
    pub fn kind(&self) -> &'static str {
        match self {
            SkipReason::Unreadable(_) => "unreadable",
            SkipReason::Binary => "binary",
            SkipReason::Empty => "empty",
            SkipReason::Malformed(_) => "malformed",
            SkipReason::NotRegular(_) => NOT_REGULAR,
        }
    }
}

/// The summary's label of files skipped because they are FIFOs, sockets or devices.
pub const NOT_REGULAR: &str = "not a regular file";

/// Opens a file for reading without blocking: a FIFO, socket or device put where the walk saw
/// a regular file is refused (by the type of the opened descriptor) instead of blocking the
/// run forever in `open` or `read`.
pub fn open_regular(path: &Path) -> Result<File, SkipReason> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    // Opening a FIFO without a writer blocks, unless non-blocking; on a regular file the
    // flag changes nothing.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path).map_err(unreadable)?;
    let kind = file.metadata().map_err(unreadable)?.file_type();
    if !kind.is_file() {
        return Err(SkipReason::NotRegular(walk::special_kind(kind)));
    }
    Ok(file)
}

/// xxh3 of a file's bytes on disk (compressed bytes for `.gz`), up to [`hashed_bytes`]:
/// tells a real change from a touch, streaming, without parsing.
pub fn hash_file(path: &Path, format: Format, gz: bool) -> Result<u64, SkipReason> {
    let file = open_regular(path)?;
    let mut reader = HashingReader::new(file.take(hashed_bytes(format, gz)));
    std::io::copy(&mut reader, &mut std::io::sink()).map_err(unreadable)?;
    Ok(reader.digest())
}

/// How much of a file its hash covers: what is read of it. A single-document file is read up
/// to [`MAX_FILE_BYTES`], so a change beyond them changes nothing in the index (its size is
/// compared too); JSON Lines, WARC and gzip files are read to their end.
pub fn hashed_bytes(format: Format, gz: bool) -> u64 {
    if gz || matches!(format, Format::JsonLines | Format::Warc) {
        u64::MAX
    } else {
        MAX_FILE_BYTES as u64
    }
}

/// Reads the start of a file (inflated, for gzip) and refuses an empty or binary one, before
/// a big file is hashed in full. A web archive is only opened: it holds binary records by
/// design, and its reader confines damage to a gzip member, so that a damaged first member
/// does not refuse the whole file ([`warc`]).
pub fn sniff(path: &Path, gz: bool) -> Result<(), SkipReason> {
    if Format::of(path).is_some_and(|(format, _)| format == Format::Warc) {
        return open_regular(path).map(drop);
    }
    let file = BufReader::new(open_regular(path)?);
    let mut reader: Box<dyn Read> = if gz {
        Box::new(flate2::bufread::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    read_head(&mut reader).map(drop)
}

/// The first [`HEAD_BYTES`] of `reader`, refused when they show an empty or binary file.
fn read_head(reader: &mut dyn Read) -> Result<Vec<u8>, SkipReason> {
    let mut head = Vec::with_capacity(HEAD_BYTES);
    reader
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(unreadable)?;
    if head.len() < HEAD_BYTES && head.iter().all(u8::is_ascii_whitespace) {
        return Err(SkipReason::Empty);
    }
    if decode::looks_binary(&head) {
        return Err(SkipReason::Binary);
    }
    Ok(head)
}

/// How much of a file's start decides whether it is text at all.
const HEAD_BYTES: usize = 8192;

/// Reads one file and hands each of its article records to `on_record`, streaming JSON Lines
/// and WARC. gzip files small enough to hold are read whole and inflated in one call
/// ([`SmallFile::records`]).
pub fn read_file(path: &Path, format: Format, gz: bool, on_record: impl FnMut(Record)) -> Result<(), SkipReason> {
    read_file_counted(path, format, gz, on_record).map(drop)
}

/// [`read_file`], also returning the records passed over ([`PassedOver`]).
pub fn read_file_counted(
    path: &Path,
    format: Format,
    gz: bool,
    on_record: impl FnMut(Record),
) -> Result<PassedOver, SkipReason> {
    let file = open_regular(path)?;
    if gz && format != Format::Warc {
        let size = file.metadata().map_err(unreadable)?.len();
        if size <= gzip::MAX_WHOLE_COMPRESSED {
            if let Some(small) = read_small_file(path, size, gz)? {
                return small.records_counted(format, gz, on_record);
            }
        }
    }
    read_from(BufReader::with_capacity(64 * 1024, file), format, gz, on_record)
}

/// Files up to this size are read into memory once, hashed and parsed from there
/// ([`read_small_file`]); larger ones are hashed and then parsed as a stream.
pub const SMALL_FILE_BYTES: u64 = 1 << 20;

/// The size up to which a file is read whole ([`read_small_file`]): [`SMALL_FILE_BYTES`],
/// or for gzip [`gzip::MAX_WHOLE_COMPRESSED`], so that it can be inflated in one call.
pub fn small_file_limit(gz: bool) -> u64 {
    if gz {
        gzip::MAX_WHOLE_COMPRESSED
    } else {
        SMALL_FILE_BYTES
    }
}

/// A small file's bytes, read once: its hash, and its parsing by [`SmallFile::records`].
pub struct SmallFile {
    bytes: Vec<u8>,
    /// The share of [`gzip::WHOLE`] a gzip file above [`SMALL_FILE_BYTES`] holds.
    held: Option<gzip::Held>,
}

impl SmallFile {
    /// xxh3 of the bytes, as [`hash_file`] computes it.
    pub fn hash(&self) -> u64 {
        xxhash_rust::xxh3::xxh3_64(&self.bytes)
    }

    /// Hands each article record to `on_record`, as [`read_file`] does. gzip is inflated in
    /// one call when it can be ([`gzip::inflate_whole`]), else streamed.
    pub fn records(self, format: Format, gz: bool, on_record: impl FnMut(Record)) -> Result<(), SkipReason> {
        self.records_counted(format, gz, on_record).map(drop)
    }

    /// [`SmallFile::records`], also returning the records passed over ([`PassedOver`]). A
    /// compressed web archive is read member by member, so that damage in one is confined
    /// to it ([`warc`]).
    pub fn records_counted(
        self,
        format: Format,
        gz: bool,
        on_record: impl FnMut(Record),
    ) -> Result<PassedOver, SkipReason> {
        if gz && format != Format::Warc {
            if let Some((plain, _held)) = gzip::inflate_whole(&self.bytes) {
                drop(self.bytes);
                drop(self.held);
                return read_from(std::io::Cursor::new(plain), format, false, on_record);
            }
        }
        read_from(std::io::Cursor::new(self.bytes), format, gz, on_record)
    }
}

/// Reads a file of up to [`small_file_limit`] bytes into memory in one go: read once
/// instead of twice, for its hash and for its articles. `None` when it has grown past that
/// size since it was listed (then it is read as a stream). `size` is the size the file was
/// listed with: a buffer of that size takes the file in one read instead of a series of
/// growing ones.
pub fn read_small_file(path: &Path, size: u64, gz: bool) -> Result<Option<SmallFile>, SkipReason> {
    // A gzip file above the usual size is held only within the process's budget for them;
    // else it is streamed like any big file.
    let (limit, held) = if gz && size > SMALL_FILE_BYTES {
        match (size <= gzip::MAX_WHOLE_COMPRESSED)
            .then(|| gzip::WHOLE.take(size as usize + 1))
            .flatten()
        {
            Some(held) => (size.min(gzip::MAX_WHOLE_COMPRESSED), Some(held)),
            None => return Ok(None),
        }
    } else {
        (SMALL_FILE_BYTES, None)
    };
    let mut bytes = Vec::with_capacity(size.min(limit) as usize + 1);
    open_regular(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    Ok((bytes.len() as u64 <= limit).then_some(SmallFile { bytes, held }))
}

/// [`read_file`] on the bytes of `input` (buffered), decompressed first when `gz`.
fn read_from<R: BufRead>(
    input: R,
    format: Format,
    gz: bool,
    mut on_record: impl FnMut(Record),
) -> Result<PassedOver, SkipReason> {
    if format == Format::Warc {
        return warc::read_warc(input, gz, &mut on_record);
    }
    let mut reader: Box<dyn Read + '_> = if gz {
        Box::new(flate2::bufread::MultiGzDecoder::new(input))
    } else {
        Box::new(input)
    };

    // Sniff the start: empty or binary files are skipped before any parsing.
    let head = read_head(&mut reader)?;
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);

    if format == Format::JsonLines && !utf16 {
        let chained = BufReader::new(std::io::Cursor::new(head).chain(reader));
        let mut any = false;
        json::for_each_jsonl(chained, |rec| {
            any = true;
            on_record(finish(rec));
        })
        .map_err(unreadable)?;
        return if any {
            Ok(PassedOver::new())
        } else {
            Err(SkipReason::Empty)
        };
    }

    // Whole-file formats: read at most MAX_FILE_BYTES, then decode.
    let mut bytes = head;
    let limit = MAX_FILE_BYTES as u64 + 1;
    (&mut reader)
        .take(limit - bytes.len() as u64)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    drop(reader);
    let mut file_warnings = Vec::new();
    if bytes.len() > MAX_FILE_BYTES {
        bytes.truncate(MAX_FILE_BYTES);
        file_warnings.push(format!(
            "file larger than {} MiB: only its first {} MiB were read",
            MAX_FILE_BYTES >> 20,
            MAX_FILE_BYTES >> 20
        ));
    }
    let decoded = decode::decode(bytes, format == Format::Html)?;
    file_warnings.extend(decoded.warning());
    let text = decoded.text.as_str();
    if text.trim().is_empty() {
        return Err(SkipReason::Empty);
    }
    let mut on_record = |mut rec: Record| {
        rec.warnings.extend(file_warnings.iter().cloned());
        on_record(rec)
    };
    if format == Format::JsonLines {
        let mut any = false;
        json::for_each_jsonl(std::io::Cursor::new(text.as_bytes()), |rec| {
            any = true;
            on_record(finish(rec));
        })
        .map_err(unreadable)?;
        return if any {
            Ok(PassedOver::new())
        } else {
            Err(SkipReason::Empty)
        };
    }
    parse_text(text, format, &mut on_record).map(|()| PassedOver::new())
}

/// At most this much of a single-document file (text, Markdown, JSON, HTML) is read.
pub const MAX_FILE_BYTES: usize = 64 << 20;
/// An article's text beyond this many bytes is cut off, with a warning.
pub const MAX_ARTICLE_BYTES: usize = 10 << 20;

/// Parses a whole text of a single-document format.
fn parse_text(text: &str, format: Format, on_record: &mut impl FnMut(Record)) -> Result<(), SkipReason> {
    let mut warnings = Vec::new();
    let single = |result: Result<Article, String>, warnings: Vec<String>| Record {
        n: 1,
        multi: false,
        place: String::new(),
        result,
        warnings,
    };
    match format {
        Format::Text => {
            let a = text::parse_txt(text, &mut warnings);
            on_record(finish(single(Ok(a), warnings)));
            Ok(())
        }
        Format::Markdown => {
            let a = text::parse_markdown(text, &mut warnings).map_err(SkipReason::Malformed)?;
            on_record(finish(single(Ok(a), warnings)));
            Ok(())
        }
        Format::Html => {
            let a = html::parse_html(text, &mut warnings);
            on_record(finish(single(Ok(a), warnings)));
            Ok(())
        }
        Format::Json => {
            let records = json::parse_json(text).map_err(SkipReason::Malformed)?;
            if records.is_empty() {
                return Err(SkipReason::Empty);
            }
            records.into_iter().for_each(|r| on_record(finish(r)));
            Ok(())
        }
        Format::JsonLines | Format::Warc => unreachable!("streamed by read_file"),
    }
}

/// Removes NUL characters from every field ([`strip_nuls`]), repairs mis-decoded punctuation
/// in the text ([`decode::repair_mojibake`]), rejects records with neither title nor body,
/// and cuts text beyond [`MAX_ARTICLE_BYTES`].
fn finish(mut rec: Record) -> Record {
    if let Ok(a) = &mut rec.result {
        for text in [&mut a.title, &mut a.body, &mut a.author].into_iter().flatten() {
            decode::repair_mojibake(text);
        }
        let nuls = strip_nuls(a);
        if nuls > 0 {
            rec.warnings
                .push(format!("{nuls} NUL character(s) removed from the text"));
        }
        if a.title.is_none() && a.body.is_none() {
            rec.result = Err("no title and no text".to_string());
        } else if let Some(body) = a.body.as_mut().filter(|b| b.len() > MAX_ARTICLE_BYTES) {
            let mut cut = MAX_ARTICLE_BYTES;
            while !body.is_char_boundary(cut) {
                cut -= 1;
            }
            body.truncate(cut);
            rec.warnings.push(format!(
                "text longer than {} MiB: cut to its first {} MiB",
                MAX_ARTICLE_BYTES >> 20,
                MAX_ARTICLE_BYTES >> 20
            ));
        }
    }
    rec
}

/// Removes NUL characters from an article's fields and returns how many there were. A file
/// whose first 8 KiB hold a NUL byte is refused as binary; one found later in a file that
/// reads as text (or a `\u0000` escape in JSON) is dropped, so that no NUL is ever indexed
/// or printed. A field left empty is dropped.
fn strip_nuls(a: &mut Article) -> usize {
    let mut removed = 0;
    for field in [
        &mut a.title,
        &mut a.body,
        &mut a.source,
        &mut a.url,
        &mut a.author,
        &mut a.lang,
    ] {
        let Some(text) = field.as_mut() else { continue };
        if memchr::memchr(0, text.as_bytes()).is_none() {
            continue;
        }
        let before = text.len();
        text.retain(|c| c != '\0');
        removed += before - text.len();
        if text.trim().is_empty() {
            *field = None;
        }
    }
    removed
}

fn unreadable(e: std::io::Error) -> SkipReason {
    SkipReason::Unreadable(e.to_string())
}

/// A reader that hashes every byte passing through it.
struct HashingReader<R> {
    inner: R,
    hasher: Xxh3,
}

impl<R: Read> HashingReader<R> {
    fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: Xxh3::new(),
        }
    }
    fn digest(&self) -> u64 {
        self.hasher.digest()
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A FIFO where the walk saw a file: every way of reading it returns at once with
    /// [`SkipReason::NotRegular`] instead of blocking in `open` (a blocked read fails the
    /// test after a timeout instead of hanging it).
    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("swapped.json");
        let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
        // SAFETY: a plain system call on a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let results = [
                hash_file(&fifo, Format::Json, false).map(drop),
                sniff(&fifo, true),
                read_small_file(&fifo, 10, false).map(drop),
                read_file(&fifo, Format::Json, false, drop),
                read_file(&fifo, Format::Json, true, drop),
            ];
            let _ = tx.send(results);
        });
        let results = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("reading a FIFO blocked");
        for r in results {
            assert_eq!(r, Err(SkipReason::NotRegular("a FIFO")));
        }
    }
}
