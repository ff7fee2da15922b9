//! WARC web archives (`.warc`, `.warc.gz`): one article per HTML page fetched with status 200.
//!
//! A WARC file is a series of records, each a block of `WARC/1.x` header lines and a body of
//! `Content-Length` bytes. A `response` record whose body is an HTTP response with status 200
//! and an HTML content type is an article: its page goes through the HTML reader
//! ([`super::html::parse_html`]), its URL is the record's `WARC-Target-URI`, its date and
//! source are the page's own, else the record's `WARC-Date` and the URL's host. Every other
//! record (requests, metadata, revisits, images, errors) is passed over and counted by kind.
//!
//! The file is streamed: a record's body is held only when it is a page (up to
//! [`super::MAX_FILE_BYTES`]), others are skipped as they are read. A compressed file is
//! read gzip member by member (writers put each record in its own member), so damage is
//! confined: a member that does not inflate, or a record whose length or header is wrong, is
//! a warning naming its offset, and reading goes on at the next member or the next
//! `WARC/1.x` line. The `warc` crate was not used: it stops at the first damaged member.

use std::io::{self, BufRead, Read};

use flate2::bufread::GzDecoder;

use super::json::read_line_bounded;
use super::{decode, fields, html, Article, PassedOver, Record, SkipReason, MAX_FILE_BYTES};

/// The longest header line read; longer ones are damage.
const MAX_LINE: usize = 64 << 10;
/// The most header lines a record (or an HTTP response) may have.
const MAX_HEADERS: usize = 1000;

/// Reads a WARC file (gzip-compressed when `gz`) from `input`, handing each page record to
/// `on_record`, and each damaged record as a record that could not be read, placed at its
/// offset. Returns the records passed over, by kind.
pub fn read_warc<R: BufRead>(input: R, gz: bool, on_record: &mut dyn FnMut(Record)) -> Result<PassedOver, SkipReason> {
    let mut reader = Reader {
        articles: 0,
        records: 0,
        passed_over: PassedOver::new(),
        on_record,
    };
    let mut input = Counting::new(input);
    let outcome = if gz {
        reader.members(&mut input)
    } else {
        reader.records(&mut input, &|at| format!("record at offset {at}"))
    };
    match outcome {
        Ok(()) if reader.records == 0 && input.pos == 0 => Err(SkipReason::Empty),
        Ok(()) if reader.records == 0 => Err(SkipReason::Malformed(
            "not a WARC file: no \"WARC/1.x\" record in it".to_string(),
        )),
        Ok(()) => Ok(reader.passed_over),
        Err(e) => Err(SkipReason::Unreadable(e.to_string())),
    }
}

/// A reader's position in the file and what it has found so far.
struct Reader<'a> {
    /// Page records seen (each numbered, whether it reads or not).
    articles: usize,
    /// WARC records found (pages or not).
    records: usize,
    passed_over: PassedOver,
    on_record: &'a mut dyn FnMut(Record),
}

/// Whether an I/O error is damage in the data (bad gzip, a file cut short) rather than a
/// failure to read the file.
fn is_damage(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::UnexpectedEof
    )
}

impl Reader<'_> {
    /// Reports a damaged record (or gzip member) at `place`: a record that could not be read.
    fn damaged(&mut self, place: String, why: String) {
        (self.on_record)(Record {
            n: self.articles + 1,
            multi: true,
            place,
            result: Err(why),
            warnings: Vec::new(),
        });
    }

    /// Reads a gzip-compressed file member by member. A member that does not inflate is
    /// reported once, at its offset; reading goes on at the next gzip header after it
    /// (candidates that do not inflate either are not reported again).
    fn members<R: BufRead>(&mut self, input: &mut Counting<R>) -> io::Result<()> {
        let mut resyncing = false;
        loop {
            let start = input.pos;
            if input.fill_buf()?.is_empty() {
                return Ok(());
            }
            let mut member = Counting::new(io::BufReader::new(GzDecoder::new(&mut *input)));
            let in_member = |at: u64| {
                if at == 0 {
                    format!("record at offset {start}")
                } else {
                    format!("record at byte {at} of the gzip member at offset {start}")
                }
            };
            let records_before = self.records;
            match self.records(&mut member, &in_member) {
                // A first member that holds no WARC record: not a WARC file.
                Ok(()) if self.records == 0 => return Ok(()),
                Ok(()) => resyncing = false,
                Err(e) if is_damage(&e) => {
                    let read_some = self.records > records_before;
                    if !resyncing || read_some {
                        self.damaged(
                            format!("gzip member at offset {start}"),
                            format!("damaged compressed data ({e}): reading goes on at the next member"),
                        );
                    }
                    resyncing = true;
                    drop(member);
                    skip_to_gzip_header(input, start)?;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads the records of a stream of uncompressed WARC data (a whole file, or one gzip
    /// member), naming a record's place by `at` (its offset in the stream).
    fn records<R: BufRead>(&mut self, input: &mut Counting<R>, at: &dyn Fn(u64) -> String) -> io::Result<()> {
        let mut line = Vec::new();
        // A record must start here; after damage, reading goes on at the next WARC line.
        let mut lost = false;
        loop {
            let start = input.pos;
            line.clear();
            let (n, fits) = read_line_bounded(input, &mut line, MAX_LINE)?;
            if n == 0 {
                return Ok(());
            }
            if fits && line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if !(fits && line.starts_with(b"WARC/")) {
                if !lost {
                    if self.records == 0 && start == 0 && input.pos == n as u64 {
                        // Not a WARC file at all: said once, as the file's skip reason.
                        return Ok(());
                    }
                    self.damaged(
                        at(start),
                        "not the start of a WARC record: skipped to the next one".to_string(),
                    );
                    lost = true;
                }
                continue;
            }
            lost = false;
            self.records += 1;
            match self.record(input, at(start))? {
                Ok(()) => {}
                Err(why) => {
                    self.damaged(at(start), why);
                    lost = true;
                }
            }
        }
    }

    /// Reads one record after its `WARC/1.x` line: its headers, its body, and the blank
    /// lines that end it. `Err` (inside `Ok`) says why it is damaged.
    fn record<R: BufRead>(&mut self, input: &mut Counting<R>, place: String) -> io::Result<Result<(), String>> {
        let headers = match read_headers(input)? {
            Ok(h) => h,
            Err(why) => return Ok(Err(why)),
        };
        let Some(length) = header(&headers, "content-length").and_then(|v| v.trim().parse::<u64>().ok()) else {
            return Ok(Err("no valid Content-Length".to_string()));
        };
        let kind = header(&headers, "warc-type").unwrap_or("").trim().to_ascii_lowercase();
        let http = header(&headers, "content-type")
            .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("application/http"));
        if kind != "response" || !http {
            let why = match kind.as_str() {
                "request" | "metadata" | "warcinfo" | "revisit" | "resource" | "conversion" | "continuation" => {
                    passed_over_kind(&kind)
                }
                "response" => "response not over HTTP",
                _ => "record of another type",
            };
            return Ok(match skip_block(input, length)? {
                Ok(()) => {
                    *self.passed_over.entry(why).or_default() += 1;
                    Ok(())
                }
                Err(why) => Err(why),
            });
        }
        // Up to MAX_FILE_BYTES of the body are kept, as for an HTML file.
        let kept = length.min(MAX_FILE_BYTES as u64);
        let mut block = Vec::with_capacity(kept.min(1 << 20) as usize);
        (&mut *input).take(kept).read_to_end(&mut block)?;
        if (block.len() as u64) < kept {
            return Ok(Err(cut_short(block.len() as u64, length)));
        }
        if let Err(why) = skip_block(input, length - kept)? {
            return Ok(Err(why));
        }
        let page = match http_response(&block) {
            Ok(page) => page,
            Err(why) => return Ok(Err(why)),
        };
        if page.status != 200 {
            *self.passed_over.entry("response not status 200").or_default() += 1;
            return Ok(Ok(()));
        }
        if !page.is_html() {
            *self.passed_over.entry("response not HTML").or_default() += 1;
            return Ok(Ok(()));
        }
        self.articles += 1;
        let mut warnings = Vec::new();
        if length > kept {
            warnings.push(format!(
                "page larger than {} MiB: only its first {} MiB were read",
                MAX_FILE_BYTES >> 20,
                MAX_FILE_BYTES >> 20
            ));
        }
        let result = page_article(&page, &block, &headers, &mut warnings);
        (self.on_record)(super::finish(Record {
            n: self.articles,
            multi: true,
            place,
            result,
            warnings,
        }));
        Ok(Ok(()))
    }
}

/// The summary's name of a kind of record that is not an article.
fn passed_over_kind(kind: &str) -> &'static str {
    match kind {
        "request" => "request",
        "metadata" => "metadata",
        "warcinfo" => "warcinfo",
        "revisit" => "revisit",
        "resource" => "resource",
        "conversion" => "conversion",
        _ => "continuation",
    }
}

fn cut_short(read: u64, length: u64) -> String {
    format!("record cut short: {read} of its {length} bytes")
}

/// Header lines up to the blank line that ends them, as (lower-case name, value); a line
/// starting with a space or tab continues the one before.
fn read_headers<R: BufRead>(input: &mut R) -> io::Result<Result<Vec<(String, String)>, String>> {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        let (n, fits) = read_line_bounded(input, &mut line, MAX_LINE)?;
        if n == 0 {
            return Ok(Err("record cut short in its header".to_string()));
        }
        if !fits {
            return Ok(Err(format!("header line longer than {} KiB", MAX_LINE >> 10)));
        }
        if line.is_empty() {
            return Ok(Ok(headers));
        }
        let text = String::from_utf8_lossy(&line);
        if text.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(text.trim());
            }
            continue;
        }
        let Some((name, value)) = text.split_once(':') else {
            return Ok(Err(format!("malformed header line {:?}", truncate(&text, 60))));
        };
        if headers.len() >= MAX_HEADERS {
            return Ok(Err(format!("more than {MAX_HEADERS} header lines")));
        }
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
}

fn truncate(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The value of the first header named `name` (lower-case).
fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// Skips `length` bytes of a record's body, then the blank lines that end the record.
fn skip_block<R: BufRead>(input: &mut R, length: u64) -> io::Result<Result<(), String>> {
    let skipped = io::copy(&mut (&mut *input).take(length), &mut io::sink())?;
    if skipped < length {
        return Ok(Err(cut_short(skipped, length)));
    }
    end_of_record(input)
}

/// Reads the line breaks after a record's body (`\r\n\r\n` by the standard). A body followed
/// by anything else had a wrong length: the record is damaged.
fn end_of_record<R: BufRead>(input: &mut R) -> io::Result<Result<(), String>> {
    let mut breaks = 0;
    while breaks < 4 {
        match input.fill_buf()?.first() {
            None => return Ok(Ok(())),
            Some(b'\r' | b'\n') => {
                input.consume(1);
                breaks += 1;
            }
            Some(_) => break,
        }
    }
    if breaks == 0 {
        return Ok(Err(
            "its Content-Length does not match its body: skipped to the next record".to_string(),
        ));
    }
    Ok(Ok(()))
}

/// An HTTP response as a WARC record keeps it.
struct HttpResponse {
    status: u16,
    headers: Vec<(String, String)>,
    /// Where the body starts in the record's block.
    body_at: usize,
}

impl HttpResponse {
    fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    fn is_html(&self) -> bool {
        self.header("content-type").is_some_and(|t| {
            let t = t.trim().to_ascii_lowercase();
            t.starts_with("text/html") || t.starts_with("application/xhtml+xml")
        })
    }

    /// The `charset` parameter of the Content-Type header.
    fn charset(&self) -> Option<&str> {
        let t = self.header("content-type")?;
        t.split(';').skip(1).find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| v.trim().trim_matches(['"', '\'']))
        })
    }
}

/// Parses the status line and headers of an HTTP response at the start of `block`.
fn http_response(block: &[u8]) -> Result<HttpResponse, String> {
    let mut input = block;
    let mut line = Vec::new();
    read_line_bounded(&mut input, &mut line, MAX_LINE).map_err(|e| e.to_string())?;
    let status_line = String::from_utf8_lossy(&line);
    let mut parts = status_line.split_whitespace();
    let status = match (parts.next(), parts.next().and_then(|s| s.parse::<u16>().ok())) {
        (Some(version), Some(status)) if version.starts_with("HTTP/") => status,
        _ => return Err(format!("not an HTTP response: {:?}", truncate(&status_line, 60))),
    };
    let headers = read_headers(&mut input).map_err(|e| e.to_string())??;
    Ok(HttpResponse {
        status,
        headers,
        body_at: block.len() - input.len(),
    })
}

/// The article of a page record: its HTML decoded (transfer and content encodings undone,
/// the charset of the HTTP header first) and read as an HTML file, with the record's URL, and
/// its date and host where the page gives none.
fn page_article(
    page: &HttpResponse,
    block: &[u8],
    headers: &[(String, String)],
    warnings: &mut Vec<String>,
) -> Result<Article, String> {
    let body = payload(page, &block[page.body_at..])?;
    let text = decode_page(body, page.charset(), warnings)?;
    let mut article = html::parse_html(&text, warnings);
    let uri = header(headers, "warc-target-uri").map(|u| u.trim().trim_matches(['<', '>']).to_string());
    if article.date.is_none() {
        if let Some(date) = header(headers, "warc-date") {
            fields::set_date(&mut article, date, warnings);
        }
    }
    if article.source.is_none() {
        article.source = uri.as_deref().and_then(host);
    }
    if uri.is_some() {
        article.url = uri;
    }
    Ok(article)
}

/// A response's body with its transfer encoding (chunked) and content encoding (gzip,
/// deflate) undone, as a crawler that stores raw responses (wget) keeps them.
fn payload(page: &HttpResponse, body: &[u8]) -> Result<Vec<u8>, String> {
    let chunked = page
        .header("transfer-encoding")
        .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
    let body = if chunked { dechunk(body)? } else { body.to_vec() };
    let encoding = page
        .header("content-encoding")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let limit = MAX_FILE_BYTES as u64;
    let mut out = Vec::new();
    let inflated = match encoding.as_str() {
        "" | "identity" => return Ok(body),
        "gzip" | "x-gzip" => flate2::read::MultiGzDecoder::new(&body[..])
            .take(limit)
            .read_to_end(&mut out),
        "deflate" => flate2::read::ZlibDecoder::new(&body[..])
            .take(limit)
            .read_to_end(&mut out),
        other => return Err(format!("page in content encoding {other:?}, which warta does not read")),
    };
    match inflated {
        Ok(_) => Ok(out),
        // The body may have been stored decoded with the header kept: read it as it is.
        Err(_) if out.is_empty() => Ok(body),
        Err(e) => Err(format!("page's {encoding} encoding is damaged: {e}")),
    }
}

/// Undoes HTTP chunked transfer encoding.
fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        let line_end = memchr::memchr(b'\n', body).ok_or("chunked body cut short")?;
        let size_text = String::from_utf8_lossy(&body[..line_end]);
        let size_text = size_text.trim().split(';').next().unwrap_or("").trim().to_string();
        let size = usize::from_str_radix(&size_text, 16).map_err(|_| format!("bad chunk size {size_text:?}"))?;
        body = &body[line_end + 1..];
        if size == 0 {
            return Ok(out);
        }
        let chunk = body.get(..size).ok_or("chunked body cut short")?;
        out.extend_from_slice(chunk);
        body = &body[size..];
        body = body
            .strip_prefix(b"\r\n")
            .or_else(|| body.strip_prefix(b"\n"))
            .unwrap_or(body);
    }
}

/// Decodes a page: by the charset of its HTTP header when it names one encoding_rs knows,
/// else as an HTML file (`<meta charset>`, then detection).
fn decode_page(body: Vec<u8>, charset: Option<&str>, warnings: &mut Vec<String>) -> Result<String, String> {
    let decoded = match charset.and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes())) {
        Some(encoding) => decode::decode_as(&body, encoding),
        None => decode::decode(body, true).map_err(|e| e.to_string())?,
    };
    warnings.extend(decoded.warning());
    Ok(decoded.text)
}

/// The host of a URL, without a port or a leading `www.`.
fn host(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => host.split(':').next()?,
    };
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    (!host.is_empty()).then(|| host.to_string())
}

/// Skips damaged compressed data: reads on from the damaged member's start until the next
/// gzip header (`1f 8b 08`) past it, or the end of the file.
fn skip_to_gzip_header<R: BufRead>(input: &mut Counting<R>, damaged_at: u64) -> io::Result<()> {
    const MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];
    // The decoder may have stopped anywhere in the damaged member; the next header is past
    // its first byte.
    if input.pos == damaged_at && !input.fill_buf()?.is_empty() {
        input.consume(1);
    }
    // The start of a header at the end of the last buffer, consumed with it.
    let mut partial: Vec<u8> = Vec::new();
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        if !partial.is_empty() {
            if buf.starts_with(&MAGIC[partial.len()..]) {
                input.unread(&partial);
                return Ok(());
            }
            partial.clear();
        }
        if let Some(i) = memchr::memmem::find(buf, &MAGIC) {
            input.consume(i);
            return Ok(());
        }
        let keep = (1..MAGIC.len())
            .rev()
            .find(|&k| buf.ends_with(&MAGIC[..k]))
            .unwrap_or(0);
        partial.extend_from_slice(&buf[buf.len() - keep..]);
        let len = buf.len();
        input.consume(len);
    }
}

/// A buffered reader that counts the bytes consumed (the offset in the stream), and can put a
/// few consumed bytes back in front.
struct Counting<R> {
    inner: R,
    pos: u64,
    /// Bytes put back, read before `inner`'s.
    back: Vec<u8>,
    back_at: usize,
}

impl<R: BufRead> Counting<R> {
    fn new(inner: R) -> Self {
        Counting {
            inner,
            pos: 0,
            back: Vec::new(),
            back_at: 0,
        }
    }

    /// Puts `bytes`, the last ones consumed, back in front of the stream.
    fn unread(&mut self, bytes: &[u8]) {
        let mut back = bytes.to_vec();
        back.extend_from_slice(&self.back[self.back_at..]);
        self.back = back;
        self.back_at = 0;
        self.pos -= bytes.len() as u64;
    }
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let buf = self.fill_buf()?;
            let n = buf.len().min(out.len());
            out[..n].copy_from_slice(&buf[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.back_at < self.back.len() {
            return Ok(&self.back[self.back_at..]);
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        self.pos += n as u64;
        if self.back_at < self.back.len() {
            self.back_at += n;
            return;
        }
        self.inner.consume(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads WARC bytes, returning the articles, the damage reported ("place: why") and the
    /// kinds passed over.
    fn read(bytes: &[u8], gz: bool) -> (Vec<Record>, Vec<String>, Result<PassedOver, SkipReason>) {
        let mut records = Vec::new();
        let mut damage = Vec::new();
        let result = read_warc(bytes, gz, &mut |r| match &r.result {
            Ok(_) => records.push(r),
            Err(why) => damage.push(format!("{}: {why}", r.place)),
        });
        (records, damage, result)
    }

    fn record(kind: &str, uri: &str, block: &[u8]) -> Vec<u8> {
        let content_type = if kind == "response" || kind == "request" {
            "application/http; msgtype=response"
        } else {
            "application/warc-fields"
        };
        let mut r = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-05-06T07:08:09Z\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    fn page(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
        let mut p = format!("HTTP/1.1 {status}\r\n{headers}\r\n").into_bytes();
        p.extend_from_slice(body);
        p
    }

    fn html_page(title: &str) -> Vec<u8> {
        page(
            "200 OK",
            "Content-Type: text/html\r\n",
            format!("<html><head><title>{title}</title></head><body><p>Text of {title}.</p></body></html>").as_bytes(),
        )
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        io::Write::write_all(&mut e, data).unwrap();
        e.finish().unwrap()
    }

    fn titles(records: &[Record]) -> Vec<String> {
        records
            .iter()
            .map(|r| r.result.as_ref().unwrap().title.clone().unwrap_or_default())
            .collect()
    }

    #[test]
    fn pages_become_articles_and_the_rest_is_counted() {
        let head = [
            record("warcinfo", "", b"software: test\r\n"),
            record("request", "http://a.test/1", b"GET /1 HTTP/1.1\r\n\r\n"),
        ]
        .concat();
        let file = [
            head.clone(),
            record("response", "http://www.a.test:8080/1", &html_page("One")),
            record(
                "response",
                "http://a.test/2",
                &page("404 Not Found", "Content-Type: text/html\r\n", b"x"),
            ),
            record(
                "response",
                "http://a.test/3",
                &page("200 OK", "Content-Type: image/png\r\n", b"\0\x01"),
            ),
            record("metadata", "http://a.test/1", b"a: b\r\n"),
            record("response", "http://a.test/4", &html_page("Two")),
        ]
        .concat();
        let (records, damage, result) = read(&file, false);
        assert!(damage.is_empty(), "{damage:?}");
        assert_eq!(titles(&records), ["One", "Two"]);
        assert_eq!((records[0].n, records[1].n), (1, 2));
        let one = records[0].result.as_ref().unwrap();
        assert_eq!(one.url.as_deref(), Some("http://www.a.test:8080/1"));
        assert_eq!(one.source.as_deref(), Some("a.test"));
        assert_eq!(one.date.unwrap().to_string(), "2024-05-06T07:08:09Z");
        assert_eq!(records[0].place, format!("record at offset {}", head.len()));
        let counts = result.unwrap();
        let expected: PassedOver = [
            ("warcinfo", 1),
            ("request", 1),
            ("metadata", 1),
            ("response not status 200", 1),
            ("response not HTML", 1),
        ]
        .into_iter()
        .collect();
        assert_eq!(counts, expected);
    }

    /// A record whose length is wrong (here too short), or whose header is garbage, is
    /// reported at its offset, and the records after it are read.
    #[test]
    fn damage_is_reported_at_its_offset_and_reading_goes_on() {
        let good = record("response", "http://a.test/1", &html_page("One"));
        let block = html_page("Bad");
        let wrong = format!("Content-Length: {}\r\n", block.len() - 10);
        let right = format!("Content-Length: {}\r\n", block.len());
        let short = String::from_utf8(record("response", "http://a.test/2", &block))
            .unwrap()
            .replace(&right, &wrong)
            .into_bytes();
        let tail = record("response", "http://a.test/3", &html_page("Three"));
        let file = [good.clone(), short, b"garbage line\r\n".to_vec(), tail].concat();
        let (records, damage, result) = read(&file, false);
        assert_eq!(titles(&records), ["One", "Three"]);
        assert!(result.is_ok());
        assert_eq!(damage.len(), 1, "{damage:?}");
        assert!(
            damage[0].starts_with(&format!("record at offset {}: ", good.len())),
            "{damage:?}"
        );
    }

    /// A damaged gzip member is reported once at its offset; the next member is read.
    #[test]
    fn a_damaged_gzip_member_is_skipped() {
        let members = [
            gzip(&record("response", "http://a.test/1", &html_page("One"))),
            gzip(&record("response", "http://a.test/2", &html_page("Two"))),
            gzip(&record("response", "http://a.test/3", &html_page("Three"))),
        ];
        let mut file = members.concat();
        let second = members[0].len();
        for b in &mut file[second + 20..second + 40] {
            *b ^= 0x5a;
        }
        let (records, damage, result) = read(&file, true);
        assert_eq!(titles(&records), ["One", "Three"]);
        assert!(result.is_ok());
        assert_eq!(damage.len(), 1, "{damage:?}");
        assert!(
            damage[0].starts_with(&format!("gzip member at offset {second}: ")),
            "{damage:?}"
        );
        // Cut short in its last member: the first two are read, the cut is reported.
        let whole = members.concat();
        let (records, damage, _) = read(&whole[..whole.len() - 30], true);
        assert_eq!(titles(&records), ["One", "Two"]);
        assert_eq!(damage.len(), 1, "{damage:?}");
    }

    #[test]
    fn not_a_warc_file_and_an_empty_one_are_refused() {
        let (_, damage, result) = read(b"<html>hello</html>\n", false);
        assert!(damage.is_empty());
        assert!(matches!(result, Err(SkipReason::Malformed(_))), "{result:?}");
        assert_eq!(read(b"", false).2, Err(SkipReason::Empty));
        assert_eq!(read(b"", true).2, Err(SkipReason::Empty));
    }

    #[test]
    fn chunked_gzip_pages_and_header_charsets() {
        let html =
            "<html><head><meta charset=\"iso-8859-2\"><title>Caf\u{e8}</title></head><body><p>x</p></body></html>";
        let encoded = encoding_rs::WINDOWS_1252.encode(html).0.into_owned();
        let zipped = gzip(&encoded);
        let mut chunked = Vec::new();
        for part in zipped.chunks(10) {
            chunked.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
            chunked.extend_from_slice(part);
            chunked.extend_from_slice(b"\r\n");
        }
        chunked.extend_from_slice(b"0\r\n\r\n");
        let block = page(
            "200 OK",
            "Content-Type: text/html; charset=\"windows-1252\"\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n",
            &chunked,
        );
        let (records, damage, _) = read(&record("response", "http://a.test/", &block), false);
        assert!(damage.is_empty(), "{damage:?}");
        assert_eq!(titles(&records), ["Caf\u{e8}"]);
    }

    #[test]
    fn hosts() {
        assert_eq!(host("https://www.Kompas.com/read/1").as_deref(), Some("kompas.com"));
        assert_eq!(host("http://user@news.test:80?q").as_deref(), Some("news.test"));
        assert_eq!(host("http://[::1]:8080/").as_deref(), Some("::1"));
        assert_eq!(host("dns:"), None);
    }
}
