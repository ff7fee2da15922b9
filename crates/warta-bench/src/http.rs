//! HTTP load: `warta serve` in a child process, driven by 1 and by 32 keep-alive clients
//! (threads, each with one connection) cycling through the keyword and phrase queries of the
//! fixed set, compared with the same queries run in process.
//!
//! std only: the requests are hand-written HTTP/1.1 over `TcpStream`; responses are read
//! by their `Content-Length` or chunked body.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::Serialize;
use warta::search::SearchRequest;

use crate::measure::Latency;
use crate::queries::{BenchQuery, Group, Op};

/// Client counts measured.
pub const CLIENTS: [usize; 2] = [1, 32];

/// One load run: `clients` connections for a fixed duration.
#[derive(Debug, Clone, Serialize)]
pub struct LoadRun {
    pub clients: usize,
    /// Requests completed in the measured window (after the warm-up).
    pub requests: usize,
    /// Non-200 responses and connection errors in the measured window.
    pub failures: usize,
    pub secs: f64,
    pub searches_per_sec: f64,
    /// Latency of the successful requests.
    pub latency: Option<Latency>,
    /// The first failure seen, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_failure: Option<String>,
}

/// Everything the HTTP load benchmark measured.
#[derive(Debug, Clone, Serialize)]
pub struct HttpLoad {
    pub binary: Option<PathBuf>,
    /// The address `warta serve` bound.
    pub addr: Option<String>,
    /// Keyword and phrase queries cycled through.
    pub queries: usize,
    pub warmup_secs: f64,
    pub duration_secs: f64,
    pub runs: Vec<LoadRun>,
    /// In-process warta p50 of the same queries (single thread, the query phase).
    pub in_process_p50_ms: Option<f64>,
    /// 1-client HTTP p50 minus the in-process p50.
    pub overhead_p50_ms: Option<f64>,
    /// 32-client throughput / 1-client throughput.
    pub scaling: Option<f64>,
    /// Logical CPUs of the machine (client threads and server share them).
    pub cores: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl HttpLoad {
    /// A result with nothing measured.
    fn empty(queries: usize, warmup: Duration, duration: Duration) -> HttpLoad {
        HttpLoad {
            binary: None,
            addr: None,
            queries,
            warmup_secs: warmup.as_secs_f64(),
            duration_secs: duration.as_secs_f64(),
            runs: Vec::new(),
            in_process_p50_ms: None,
            overhead_p50_ms: None,
            scaling: None,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            note: None,
        }
    }
}

/// Runs the load against `warta serve --index index`; never fails (a failure is a note).
pub fn run(
    binary: Option<PathBuf>,
    index: &Path,
    set: &[BenchQuery],
    in_process_p50_ms: Option<f64>,
    warmup: Duration,
    duration: Duration,
) -> HttpLoad {
    let paths: Vec<String> = set
        .iter()
        .filter(|q| matches!(q.group, Group::Keyword | Group::Phrase))
        .filter_map(|q| match &q.op {
            Op::Search(r) => Some(search_path(r)),
            _ => None,
        })
        .collect();
    let mut result = HttpLoad::empty(paths.len(), warmup, duration);
    result.in_process_p50_ms = in_process_p50_ms;
    let Some(binary) = binary else {
        result.note = Some("skipped: no `warta` binary next to warta-bench (cargo build --release)".to_string());
        return result;
    };
    result.binary = Some(binary.clone());
    if let Err(e) = load(&binary, index, &paths, warmup, duration, &mut result) {
        result.note = Some(format!("failed: {e:#}"));
    }
    let rate = |c: usize| result.runs.iter().find(|r| r.clients == c).map(|r| r.searches_per_sec);
    let p50 = |c: usize| {
        result
            .runs
            .iter()
            .find(|r| r.clients == c)
            .and_then(|r| r.latency)
            .map(|l| l.p50_ms)
    };
    result.overhead_p50_ms = p50(1).zip(in_process_p50_ms).map(|(h, i)| h - i);
    result.scaling = rate(CLIENTS[1])
        .zip(rate(1))
        .filter(|(_, one)| *one > 0.0)
        .map(|(many, one)| many / one);
    result
}

/// Starts the server and runs every client count.
fn load(
    binary: &Path,
    index: &Path,
    paths: &[String],
    warmup: Duration,
    duration: Duration,
    result: &mut HttpLoad,
) -> Result<()> {
    if paths.is_empty() {
        bail!("no keyword or phrase query in the set");
    }
    let server = Server::start(binary, index)?;
    result.addr = Some(server.addr.clone());
    for clients in CLIENTS {
        crate::step(&format!(
            "http: {clients} client(s), {:.1} s warm-up + {:.0} s",
            warmup.as_secs_f64(),
            duration.as_secs_f64()
        ));
        result
            .runs
            .push(load_run(&server.addr, paths, clients, warmup, duration));
    }
    drop(server);
    Ok(())
}

/// A `warta serve` child process, killed when dropped (also on errors).
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(binary: &Path, index: &Path) -> Result<Server> {
        let mut child = Command::new(binary)
            .arg("serve")
            .arg("--index")
            .arg(index)
            .arg("--addr")
            .arg("127.0.0.1:0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot run {} serve", binary.display()))?;
        let stdout = child.stdout.take().context("no stdout of warta serve")?;
        // The server is a Server from here on, so it is killed on any error below.
        let mut server = Server {
            child,
            addr: String::new(),
        };
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .context("cannot read the first line of warta serve")?;
        server.addr = parse_serving_line(&line)
            .with_context(|| format!("unexpected first line of warta serve: {:?}", line.trim_end()))?;
        // Drain the rest of its output so that the pipe never fills.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `host:port` of `warta: serving N articles from DIR at http://HOST:PORT/ (Ctrl-C stops)`.
fn parse_serving_line(line: &str) -> Option<String> {
    let start = line.rfind("http://")? + "http://".len();
    let rest = &line[start..];
    let end = rest.find('/')?;
    let addr = &rest[..end];
    (!addr.is_empty()).then(|| addr.to_string())
}

/// Percent-encodes every byte outside `[A-Za-z0-9-_.~]`.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `/api/search` path and query string of a search request (its filters included).
fn search_path(r: &SearchRequest) -> String {
    let mut path = format!("/api/search?q={}&limit={}", encode(&r.query), r.limit);
    let mut param = |name: &str, value: &str| {
        path.push('&');
        path.push_str(name);
        path.push('=');
        path.push_str(&encode(value));
    };
    for (name, values) in [
        ("person", &r.persons),
        ("country", &r.countries),
        ("org", &r.orgs),
        ("place", &r.places),
        ("source", &r.sources),
    ] {
        for v in values {
            param(name, v);
        }
    }
    for (name, value) in [("lang", &r.lang), ("from", &r.from), ("to", &r.to)] {
        if let Some(v) = value {
            param(name, v);
        }
    }
    path
}

/// What one client thread saw in the measured window.
#[derive(Default)]
struct ClientSamples {
    latencies_ms: Vec<f64>,
    failures: usize,
    first_failure: Option<String>,
}

/// `clients` threads, each with a keep-alive connection, for `warmup` + `duration`.
fn load_run(addr: &str, paths: &[String], clients: usize, warmup: Duration, duration: Duration) -> LoadRun {
    let started = Instant::now();
    let measure_from = started + warmup;
    let until = measure_from + duration;
    let per_client: Vec<ClientSamples> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                // Clients start at different places of the query cycle.
                let offset = c * paths.len() / clients;
                s.spawn(move || client(addr, paths, offset, measure_from, until))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    let mut latencies = Vec::new();
    let mut failures = 0;
    let mut first_failure = None;
    for c in per_client {
        latencies.extend(c.latencies_ms);
        failures += c.failures;
        first_failure = first_failure.or(c.first_failure);
    }
    let secs = duration.as_secs_f64();
    LoadRun {
        clients,
        requests: latencies.len() + failures,
        failures,
        secs,
        searches_per_sec: latencies.len() as f64 / secs,
        latency: Latency::of(&latencies),
        first_failure,
    }
}

/// One client: requests in a loop over one connection (reconnecting after errors) until
/// `until`; records the requests started after `measure_from`.
fn client(addr: &str, paths: &[String], offset: usize, measure_from: Instant, until: Instant) -> ClientSamples {
    let mut samples = ClientSamples::default();
    let mut conn: Option<Connection> = None;
    let mut i = offset;
    loop {
        let start = Instant::now();
        if start >= until {
            break;
        }
        let path = &paths[i % paths.len()];
        i += 1;
        let outcome = match conn.as_mut() {
            Some(c) => c.get(addr, path),
            None => Connection::open(addr).and_then(|c| conn.insert(c).get(addr, path)),
        };
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let measured = start >= measure_from;
        match outcome {
            Ok(resp) => {
                if resp.close {
                    conn = None;
                }
                if !measured {
                    continue;
                }
                if resp.status == 200 {
                    samples.latencies_ms.push(ms);
                } else {
                    samples.failures += 1;
                    samples
                        .first_failure
                        .get_or_insert_with(|| format!("HTTP {} for {path}", resp.status));
                }
            }
            Err(e) => {
                conn = None;
                if measured {
                    samples.failures += 1;
                    samples.first_failure.get_or_insert_with(|| format!("{path}: {e:#}"));
                } else {
                    // Do not spin on a server that refuses connections.
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
        }
    }
    samples
}

/// A keep-alive HTTP/1.1 connection.
struct Connection {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
    body: Vec<u8>,
}

/// What a response said (its body is read and dropped).
struct Response {
    status: u16,
    /// The server closes the connection after this response.
    close: bool,
}

impl Connection {
    fn open(addr: &str) -> Result<Connection> {
        let stream = TcpStream::connect(addr).with_context(|| format!("cannot connect to {addr}"))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        let reader = BufReader::with_capacity(64 * 1024, stream.try_clone()?);
        Ok(Connection {
            writer: stream,
            reader,
            body: Vec::with_capacity(64 * 1024),
        })
    }

    /// Sends `GET path` and reads the whole response.
    fn get(&mut self, host: &str, path: &str) -> Result<Response> {
        let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n\r\n");
        self.writer.write_all(request.as_bytes()).context("cannot send")?;
        read_response(&mut self.reader, &mut self.body)
    }
}

/// Reads one line (without its CRLF); an error at the end of the stream.
fn read_line(reader: &mut impl BufRead, line: &mut String) -> Result<()> {
    line.clear();
    if reader.read_line(line)? == 0 {
        bail!("connection closed");
    }
    while line.ends_with('\n') || line.ends_with('\r') {
        line.pop();
    }
    Ok(())
}

/// Reads a response: status line, headers, then a `Content-Length` or chunked body into
/// `body`.
fn read_response(reader: &mut impl BufRead, body: &mut Vec<u8>) -> Result<Response> {
    let mut line = String::new();
    read_line(reader, &mut line)?;
    let mut parts = line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("bad status line {line:?}"))?;
    if !version.starts_with("HTTP/1.") {
        bail!("bad status line {line:?}");
    }
    let mut close = version == "HTTP/1.0";
    let mut length: Option<usize> = None;
    let mut chunked = false;
    loop {
        read_line(reader, &mut line)?;
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            bail!("bad header line {line:?}");
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(value.parse().with_context(|| format!("bad Content-Length {value:?}"))?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        } else if name.eq_ignore_ascii_case("connection") {
            let v = value.to_ascii_lowercase();
            close = v.contains("close") || (close && !v.contains("keep-alive"));
        }
    }
    body.clear();
    if chunked {
        loop {
            read_line(reader, &mut line)?;
            let size = line.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size, 16).with_context(|| format!("bad chunk size {line:?}"))?;
            if size == 0 {
                // Trailers, up to an empty line.
                loop {
                    read_line(reader, &mut line)?;
                    if line.is_empty() {
                        break;
                    }
                }
                break;
            }
            let old = body.len();
            body.resize(old + size, 0);
            reader.read_exact(&mut body[old..]).context("truncated chunk")?;
            read_line(reader, &mut line)?;
        }
    } else if let Some(n) = length {
        body.resize(n, 0);
        reader.read_exact(body).context("truncated body")?;
    } else if status >= 200 && status != 204 && status != 304 {
        // No length: the body runs to the end of the connection.
        reader.read_to_end(body)?;
        close = true;
    }
    Ok(Response { status, close })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_serving_line() {
        let line = "warta: serving 2000 articles from /tmp/x at http://127.0.0.1:40123/ (Ctrl-C stops)\n";
        assert_eq!(parse_serving_line(line).as_deref(), Some("127.0.0.1:40123"));
        assert_eq!(parse_serving_line("nothing"), None);
    }

    #[test]
    fn encodes_queries_and_filters() {
        assert_eq!(encode("\"harga minyak\" a~b"), "%22harga%20minyak%22%20a~b");
        let r = SearchRequest {
            query: "trade".to_string(),
            countries: vec!["JP".to_string()],
            from: Some("1987-03".to_string()),
            ..SearchRequest::default()
        };
        assert_eq!(search_path(&r), "/api/search?q=trade&limit=10&country=JP&from=1987-03");
    }

    #[test]
    fn reads_length_and_chunked_bodies() {
        let mut body = Vec::new();
        let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        let mut reader = BufReader::new(&raw[..]);
        let r = read_response(&mut reader, &mut body).unwrap();
        assert_eq!((r.status, r.close, body.as_slice()), (200, false, &b"{}"[..]));
        let r = read_response(&mut reader, &mut body).unwrap();
        assert_eq!((r.status, r.close, body.as_slice()), (404, true, &b"abcde"[..]));
    }
}
