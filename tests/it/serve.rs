//! `warta serve`: every API endpoint, bad parameters, limits, the page's assets, and article
//! text that must never become markup. A real server process on a free port, plain HTTP/1.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};

use crate::common::Fixture;
use serde_json::Value;

/// A running `warta serve` and its address; killed when dropped.
pub(crate) struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `warta serve --addr ADDR` on the fixture's index, with piped output.
fn spawn(fx: &Fixture, addr: &str, args: &[&str]) -> Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("warta"))
        .env_remove("WARTA_INDEX")
        .args(["serve", "--addr", addr, "--index"])
        .arg(fx.index_dir())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

pub(crate) fn start(fx: &Fixture) -> Server {
    start_with(fx, &[])
}

/// A server started with more flags.
fn start_with(fx: &Fixture, args: &[&str]) -> Server {
    let mut child = spawn(fx, "127.0.0.1:0", args);
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // "warta: serving N articles from DIR at http://127.0.0.1:PORT/ (Ctrl-C stops)"
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Server { child, addr }
}

/// One request: (status, headers lower-cased, body).
fn request(s: &Server, method: &str, path: &str, body: &str) -> (u16, String, String) {
    raw_request(
        s,
        &format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            s.addr,
            body.len()
        ),
    )
}

/// Sends `raw` as it is and reads the answer: (status, headers lower-cased, body).
fn raw_request(s: &Server, raw: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(&s.addr).unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    (status, head.to_ascii_lowercase(), body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

pub(crate) fn get_json(s: &Server, path: &str) -> (u16, Value) {
    let (status, _, body) = request(s, "GET", path, "");
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}")),
    )
}

fn corpus() -> Fixture {
    let fx = Fixture::new();
    let seed =
        std::fs::read_to_string(crate::common::repo().join("sample_corpus/seed/korea-russia-summit.id.txt")).unwrap();
    fx.write("seed.txt", seed);
    fx.write(
        "en/putin-xi.txt",
        "Title: Putin and Xi meet in Beijing\nDate: 2024-05-16\nSource: AP\n\nRussian President Vladimir Putin met Chinese leader Xi Jinping in Beijing.\n",
    );
    fx.write(
        "evil.txt",
        "Title: <script>alert(1)</script> Evil title\nDate: 2024-01-02\nSource: Evil\n\nBody with <img src=x onerror=alert(2)> and <script>alert(3)</script> in it.\n",
    );
    fx.index();
    fx
}

#[test]
fn every_endpoint_answers_with_the_cli_shapes() {
    let fx = corpus();
    let s = start(&fx);

    let (st, v) = get_json(&s, "/api/health");
    assert_eq!(
        (st, v["status"].as_str(), v["articles"].as_u64()),
        (200, Some("ok"), Some(3))
    );

    let (st, v) = get_json(&s, "/api/search?q=putin&country=Korea%20Utara&facets=1");
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["total"], 1);
    assert_eq!(v["hits"][0]["id"], "seed.txt");
    assert!(v["hits"][0]["snippet"].as_str().unwrap().contains("**Putin**"));
    assert!(v["facets"]["country"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["value"] == "KP" && c["name"] == "North Korea"));
    // Repeated filters mean all of them.
    let (_, v) = get_json(&s, "/api/search?country=RU&country=CN");
    assert_eq!(v["total"], 1);
    assert_eq!(v["hits"][0]["id"], "en/putin-xi.txt");
    // The CLI's JSON is the same document, but for the path: the API's is relative to the
    // indexed root.
    let mut cli = fx.search_json(&["putin", "--country", "Korea Utara", "--facets"]).0;
    let (_, mut api) = get_json(&s, "/api/search?q=putin&country=Korea%20Utara&facets=1");
    let cli_path = cli["hits"][0]["path"].take();
    let api_path = api["hits"][0]["path"].take();
    assert_eq!(api_path, "seed.txt");
    assert_eq!(
        cli_path.as_str(),
        fx.corpus().canonicalize().unwrap().join("seed.txt").to_str()
    );
    assert_eq!(cli["hits"], api["hits"]);
    assert_eq!(cli["facets"], api["facets"]);

    let (st, _, body) = request(
        &s,
        "POST",
        "/api/search",
        r#"{"query": "putin", "countries": ["CN"], "limit": 5}"#,
    );
    assert_eq!(st, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["total"], 1);

    let (st, v) = get_json(&s, "/api/articles/en%2Fputin-xi.txt");
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["title"], "Putin and Xi meet in Beijing");
    assert!(v["body"].as_str().unwrap().contains("Xi Jinping"));
    let (st, v) = get_json(&s, "/api/articles/en/putin-xi.txt");
    assert_eq!(st, 200, "ids with slashes work unencoded too: {v}");

    let (st, v) = get_json(&s, "/api/facets/country?top=3");
    assert_eq!(st, 200);
    assert_eq!(v["field"], "country");
    assert_eq!(v["values"].as_array().unwrap().len(), 3);

    let (st, v) = get_json(&s, "/api/timeline?interval=year&q=putin");
    assert_eq!(st, 200);
    assert_eq!(v["interval"], "year");
    assert_eq!(v["buckets"][0]["key"], "2023");

    let (st, v) = get_json(&s, "/api/stats");
    assert_eq!((st, v["articles"].as_u64()), (200, Some(3)));
}

/// `--addr` takes a bare port (on the loopback address) and a host name with a port.
#[test]
fn listen_address_forms() {
    let fx = corpus();
    for addr in ["0", "localhost:0"] {
        let mut child = spawn(&fx, addr, &[]);
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(line.contains("at http://127.0.0.1:"), "--addr {addr}: {line:?}");
    }
}

/// GET and POST speak one vocabulary: the GET names work in a JSON body, and a parameter or
/// field no one knows is refused (400, naming it) instead of widening the search unseen.
#[test]
fn one_vocabulary_for_get_and_post_and_unknown_names_refused() {
    let fx = corpus();
    let s = start(&fx);
    let (_, get) = get_json(&s, "/api/search?q=putin&country=CN");
    assert_eq!(get["total"], 1, "{get}");
    let (st, _, body) = request(&s, "POST", "/api/search", r#"{"query": "putin", "country": ["CN"]}"#);
    assert_eq!(st, 200, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["total"], 1);
    let (st, _, body) = request(&s, "POST", "/api/search", r#"{"query": "putin", "contry": ["CN"]}"#);
    assert_eq!(st, 400, "{body}");
    assert!(body.contains("contry"), "{body}");
    let (st, v) = get_json(&s, "/api/search?q=putin&contry=CN");
    assert_eq!(st, 400, "{v}");
    assert_eq!(v["error"]["code"], "unknown_parameter");
    assert!(v["error"]["message"].as_str().unwrap().contains("\"contry\""), "{v}");
    let (st, _) = get_json(&s, "/api/timeline?q=putin&top=3");
    assert_eq!(st, 400, "the timeline takes no top");
}

#[test]
fn relaxed_answers_say_so_and_strict_turns_relaxing_off() {
    let fx = corpus();
    let s = start(&fx);
    let (st, v) = get_json(&s, "/api/search?q=putin+beijing+optimistic");
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        v["relaxed"],
        serde_json::json!({"matched_clauses": 2, "of": 3, "strict_total": 0})
    );
    assert_eq!(v["hits"][0]["id"], "en/putin-xi.txt");
    let (_, v) = get_json(&s, "/api/search?q=putin+beijing+optimistic&strict=1");
    assert_eq!(v["total"], 0);
    assert!(v.get("relaxed").is_none());
    let (st, _, body) = request(
        &s,
        "POST",
        "/api/search",
        r#"{"query": "putin beijing optimistic", "strict": true}"#,
    );
    assert_eq!(st, 200, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["total"], 0);
    // The page shows the notice.
    let (_, _, js) = request(&s, "GET", "/app.js", "");
    assert!(js.contains("data?.relaxed"), "the page reads the relaxed field");
    assert!(
        js.contains("data?.approximate_names"),
        "and the names matched one letter off"
    );
    assert!(js.contains("data?.suggestions"), "and the words a query may have meant");
    let (_, v) = get_json(&s, "/api/search?q=pytin");
    assert_eq!(v["suggestions"][0]["did_you_mean"][0], "putin", "{v}");
}

#[test]
fn bad_requests_get_json_errors_with_the_right_status() {
    let fx = corpus();
    let s = start(&fx);
    for (path, status, code) in [
        ("/api/search?country=Narnia", 400, "unknown_name"),
        ("/api/search?person=Gandalf", 400, "unknown_name"),
        ("/api/search?lang=xx", 400, "unknown_name"),
        ("/api/search?source=Daily+Planet", 400, "unknown_name"),
        ("/api/facets/person?lang=xx", 400, "unknown_name"),
        ("/api/search?q=%22unclosed", 400, "bad_query"),
        ("/api/search?q=%3F%3F%3F", 400, "bad_query"),
        ("/api/search?q=%22%22", 400, "bad_query"),
        ("/api/search?from=yesterday", 400, "bad_date"),
        ("/api/search?limit=1001", 400, "limit_too_large"),
        ("/api/search?limit=ten", 400, "bad_parameter"),
        ("/api/search?sort=random", 400, "bad_parameter"),
        ("/api/timeline?interval=decade", 400, "bad_parameter"),
        ("/api/search?q=putin&collapse=maybe", 400, "bad_parameter"),
        ("/api/search?q=putin&strict=sure", 400, "bad_parameter"),
        ("/api/search?q=putin&facets=2", 400, "bad_parameter"),
        ("/api/timeline?person=putin&series=many", 400, "bad_parameter"),
        ("/api/facets/colour", 400, "unknown_facet"),
        ("/api/articles/nope.txt", 404, "not_found"),
        ("/api/nothing", 404, "not_found"),
    ] {
        let (st, v) = get_json(&s, path);
        assert_eq!(st, status, "{path}: {v}");
        assert_eq!(v["error"]["code"], code, "{path}: {v}");
        assert!(
            v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{path}: {v}"
        );
    }
    let long = format!("/api/search?q={}", "a".repeat(1001));
    let (st, v) = get_json(&s, &long);
    assert_eq!((st, v["error"]["code"].as_str()), (400, Some("query_too_long")));
    let (st, _, _) = request(&s, "POST", "/api/search", "not json");
    assert_eq!(st, 400);
    let big = format!("{{\"query\": \"{}\"}}", "a".repeat(100 * 1024));
    let (st, _, _) = request(&s, "POST", "/api/search", &big);
    assert_eq!(st, 413, "bodies over the limit are refused");
    // The server is still healthy after all that.
    assert_eq!(get_json(&s, "/api/health").0, 200);
}

/// Errors answered outside the handlers, by axum's routing and extractors or by hyper before
/// any routing, are the JSON error object too.
#[test]
fn every_error_is_the_json_error_object() {
    let fx = corpus();
    let s = start(&fx);
    let host = s.addr.clone();
    let big = format!("{{\"query\": \"{}\"}}", "a".repeat(100 * 1024));
    let many_headers: String = (0..150).map(|i| format!("X-Header-{i}: {i}\r\n")).collect();
    let cases = [
        (
            "DELETE /api/search",
            request(&s, "DELETE", "/api/search", ""),
            405,
            "method_not_allowed",
        ),
        (
            "POST /api/health",
            request(&s, "POST", "/api/health", "{}"),
            405,
            "method_not_allowed",
        ),
        (
            "a body over the limit",
            request(&s, "POST", "/api/search", &big),
            413,
            "body_too_large",
        ),
        (
            "a path not UTF-8",
            request(&s, "GET", "/api/articles/%FF%FE.txt", ""),
            400,
            "bad_request",
        ),
        (
            "no such endpoint",
            request(&s, "GET", "/api/nothing", ""),
            404,
            "not_found",
        ),
        (
            "a URI over 64 KiB",
            request(&s, "GET", &format!("/api/search?q={}", "a".repeat(70_000)), ""),
            414,
            "uri_too_long",
        ),
        (
            "too many headers",
            raw_request(
                &s,
                &format!("GET /api/health HTTP/1.1\r\nHost: {host}\r\n{many_headers}\r\n"),
            ),
            431,
            "headers_too_large",
        ),
        ("not HTTP", raw_request(&s, "GARBAGE\r\n\r\n"), 400, "bad_request"),
    ];
    for (what, (status, head, body), want_status, want_code) in cases {
        assert_eq!(status, want_status, "{what}: {head}\n{body}");
        assert!(head.contains("content-type: application/json"), "{what}: {head}");
        let v: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{what}: {e}: {body:?}"));
        assert_eq!(v["error"]["code"], want_code, "{what}: {v}");
        assert!(
            v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}: {v}"
        );
    }
    let (_, head, _) = request(&s, "DELETE", "/api/search", "");
    assert!(head.contains("allow: "), "405 keeps its Allow header: {head}");
    assert_eq!(get_json(&s, "/api/health").0, 200);
}

/// Answers show articles' paths relative to the indexed root, and no answer names the
/// server's directories, unless `--absolute-paths` asks for them.
#[test]
fn answers_do_not_expose_server_paths() {
    let fx = corpus();
    fx.write("junk.txt", b"\0\0\0binary\0\0");
    fx.index();
    let secret = fx.dir.path().canonicalize().unwrap().to_str().unwrap().to_string();
    let s = start(&fx);
    let (_, v) = get_json(&s, "/api/search?q=putin&country=CN");
    assert_eq!(v["hits"][0]["path"], "en/putin-xi.txt", "{v}");
    let (_, v) = get_json(&s, "/api/articles/en/putin-xi.txt");
    assert_eq!(v["path"], "en/putin-xi.txt", "{v}");
    let (_, v) = get_json(&s, "/api/stats");
    assert_eq!(v["index_path"], "index", "{v}");
    assert_eq!(v["roots"], serde_json::json!(["corpus"]), "{v}");
    let skipped = &v["last_run"]["skipped"];
    assert_eq!(skipped[0]["path"], "junk.txt", "{v}");
    for path in [
        "/api/search?q=putin",
        "/api/articles/seed.txt",
        "/api/stats",
        "/api/articles/nope.txt",
        "/api/health",
    ] {
        let (_, _, body) = request(&s, "GET", path, "");
        assert!(!body.contains(&secret), "{path} names {secret}: {body}");
    }
    drop(s);
    let s = start_with(&fx, &["--absolute-paths"]);
    let (_, v) = get_json(&s, "/api/articles/en/putin-xi.txt");
    assert!(v["path"].as_str().unwrap().starts_with(&secret), "{v}");
}

/// Reads from `stream` until it is closed (EOF or reset): true, or the read times out: false.
fn closed_by_server(stream: &mut TcpStream, within: std::time::Duration) -> bool {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return false
            }
            Err(_) => return true,
        }
    }
}

/// A request whose headers never end.
fn half_sent(s: &Server) -> TcpStream {
    let mut stream = TcpStream::connect(&s.addr).unwrap();
    write!(stream, "GET /api/health HTTP/1.1\r\nHost: {}\r\nX-Slow: ", s.addr).unwrap();
    stream
}

/// Connections that do not finish sending their headers are closed after the header timeout,
/// and the server goes on answering others.
#[test]
fn slow_clients_are_closed_after_the_header_timeout() {
    let fx = corpus();
    let s = start_with(&fx, &["--header-timeout", "1"]);
    let mut slow: Vec<TcpStream> = (0..20).map(|_| half_sent(&s)).collect();
    // An idle keep-alive connection gets the same time for its next request.
    let mut idle = TcpStream::connect(&s.addr).unwrap();
    write!(idle, "GET /api/health HTTP/1.1\r\nHost: {}\r\n\r\n", s.addr).unwrap();
    for (i, stream) in slow.iter_mut().enumerate() {
        assert!(
            closed_by_server(stream, std::time::Duration::from_secs(15)),
            "half-sent connection {i} is still open"
        );
    }
    assert!(
        closed_by_server(&mut idle, std::time::Duration::from_secs(15)),
        "the idle connection is still open"
    );
    assert_eq!(get_json(&s, "/api/health").0, 200);
}

/// No more than `--max-connections` connections are served at once: one more waits until a
/// connection closes, and is then answered.
#[test]
fn connections_beyond_the_cap_wait_for_a_free_slot() {
    let fx = corpus();
    let s = start_with(&fx, &["--max-connections", "2", "--header-timeout", "60"]);
    let first = half_sent(&s);
    let _second = half_sent(&s);
    let mut third = TcpStream::connect(&s.addr).unwrap();
    write!(
        third,
        "GET /api/health HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        s.addr
    )
    .unwrap();
    third
        .set_read_timeout(Some(std::time::Duration::from_millis(1500)))
        .unwrap();
    let mut buf = [0u8; 64];
    let early = third.read(&mut buf);
    assert!(
        early
            .as_ref()
            .is_err_and(|e| matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)),
        "a third connection was served while two were open: {early:?}"
    );
    drop(first);
    third
        .set_read_timeout(Some(std::time::Duration::from_secs(15)))
        .unwrap();
    let mut answer = Vec::new();
    third.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// A page past the result window is refused, by GET and POST alike, and the server lives on.
#[test]
fn huge_offsets_are_refused_and_the_server_lives_on() {
    let fx = corpus();
    let s = start(&fx);
    for offset in ["10000000000", "1000000000000000000", "9999"] {
        let (st, v) = get_json(&s, &format!("/api/search?q=putin&offset={offset}"));
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (400, Some("offset_too_large")),
            "{v}"
        );
        assert!(v["error"]["message"].as_str().unwrap().contains("10000"), "{v}");
        let (st, _, body) = request(
            &s,
            "POST",
            "/api/search",
            &format!(r#"{{"query": "putin", "offset": {offset}}}"#),
        );
        assert_eq!(st, 400, "{body}");
        assert!(body.contains("offset_too_large"), "{body}");
    }
    let (st, v) = get_json(&s, "/api/search?q=putin&offset=9990&limit=10");
    assert_eq!((st, v["total"].as_u64()), (200, Some(2)), "{v}");
    assert_eq!(get_json(&s, "/api/health").0, 200);
}

#[test]
fn the_page_is_served_and_article_text_never_becomes_markup() {
    let fx = corpus();
    let s = start(&fx);
    let (st, head, body) = request(&s, "GET", "/", "");
    assert_eq!(st, 200);
    assert!(head.contains("content-type: text/html"));
    assert!(
        head.contains("content-security-policy: default-src 'self'; script-src 'self'"),
        "{head}"
    );
    assert!(body.contains("app.js"));
    for (path, ty) in [("/app.js", "text/javascript"), ("/app.css", "text/css")] {
        let (st, head, _) = request(&s, "GET", path, "");
        assert_eq!(st, 200, "{path}");
        assert!(head.contains(ty), "{path}: {head}");
    }
    // The API returns article text as JSON strings, never as HTML.
    let (_, head, body) = request(&s, "GET", "/api/articles/evil.txt", "");
    assert!(head.contains("content-type: application/json"));
    assert!(head.contains("x-content-type-options: nosniff"));
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(v["title"].as_str().unwrap().contains("<script>alert(1)</script>"));
    // The page builds the DOM with textContent only: no innerHTML, no insertAdjacentHTML,
    // no document.write anywhere in its script.
    let (_, _, js) = request(&s, "GET", "/app.js", "");
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
    ] {
        assert!(!js.contains(sink), "app.js uses {sink}");
    }
}

/// Markers in an article's own text are never taken for highlights: hits carry their snippet
/// as flagged runs of text, and the page renders those, not the `**` of `snippet`.
#[test]
fn literal_markers_in_articles_are_not_highlights() {
    let fx = corpus();
    fx.write(
        "stars.txt",
        "Title: Stars\nDate: 2024-02-02\nSource: AP\n\nThe **bold** claim was made by the minister Sulastri.\n",
    );
    fx.index();
    let s = start(&fx);
    let (st, v) = get_json(&s, "/api/search?q=sulastri");
    assert_eq!(st, 200, "{v}");
    let parts = v["hits"][0]["snippet_parts"]
        .as_array()
        .unwrap_or_else(|| panic!("no snippet_parts: {v}"));
    let marked: Vec<&str> = parts
        .iter()
        .filter(|p| p["highlight"] == true)
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(marked, ["Sulastri"], "{v}");
    let text: String = parts.iter().map(|p| p["text"].as_str().unwrap()).collect();
    assert!(text.contains("The **bold** claim"), "{text}");
    let (_, _, js) = request(&s, "GET", "/app.js", "");
    assert!(js.contains("snippet_parts"), "the page renders the flagged runs");
    assert!(
        !js.contains("'**'") && !js.contains("\"**\""),
        "the page looks for no markers in text"
    );
}

#[test]
fn binding_beyond_loopback_warns() {
    let fx = corpus();
    let mut child = spawn(&fx, "0.0.0.0:0", &[]);
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.contains("reachable from the network"), "{line}");
}

/// Serving and indexing run side by side: the server follows new commits.
#[test]
fn the_server_follows_new_commits() {
    let fx = corpus();
    let s = start(&fx);
    let (_, v) = get_json(&s, "/api/search?q=kosmodrom");
    assert_eq!(v["total"], 0);
    fx.write(
        "id/kosmodrom.txt",
        "Title: Kunjungan ke kosmodrom\nDate: 2023-09-13\nSource: Antara\n\nKim Jong Un mengunjungi kosmodrom Vostochny.\n",
    );
    fx.index();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (_, v) = get_json(&s, "/api/search?q=kosmodrom");
        if v["total"] == 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server never saw the new commit: {v}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (_, v) = get_json(&s, "/api/health");
    assert_eq!(v["articles"], 4);
}

/// `GET /api/export` answers the matches of the page's query as a CSV or JSON Lines file,
/// the same rows as `warta export`, with the counts in headers; the page links to it.
#[test]
fn export_answers_the_matches_as_a_file() {
    let fx = corpus();
    let s = start(&fx);
    let (status, head, body) = request(&s, "GET", "/api/export?q=putin&format=csv", "");
    assert_eq!(status, 200, "{body}");
    assert!(head.contains("content-type: text/csv; charset=utf-8"), "{head}");
    assert!(
        head.contains("content-disposition: attachment; filename=\"warta-export.csv\""),
        "{head}"
    );
    assert!(
        head.contains("x-warta-total: 2\r\n") && head.contains("x-warta-exported: 2\r\n"),
        "{head}"
    );
    let body = if head.contains("transfer-encoding: chunked") {
        dechunk(&body)
    } else {
        body
    };
    let cli = fx.warta(&["export", "putin", "--format", "csv"]).output().unwrap();
    assert_eq!(body, String::from_utf8(cli.stdout).unwrap());
    assert!(
        body.starts_with("id,date,source,url,lang,title,persons,countries,"),
        "{body}"
    );
    assert_eq!(body.lines().count(), 3, "{body}");

    let (status, head, body) = request(&s, "GET", "/api/export?country=RU&format=jsonl", "");
    assert_eq!(status, 200, "{body}");
    assert!(head.contains("content-type: application/x-ndjson"), "{head}");
    let body = if head.contains("transfer-encoding: chunked") {
        dechunk(&body)
    } else {
        body
    };
    for line in body.lines() {
        let row: Value = serde_json::from_str(line).unwrap();
        assert!(
            row["countries"].as_array().unwrap().contains(&Value::from("RU")),
            "{line}"
        );
        assert!(row.get("body").is_none(), "no text over HTTP: {line}");
    }
    let (status, v) = get_json(&s, "/api/export?q=putin&format=xml");
    assert_eq!(status, 400);
    assert_eq!(v["error"]["code"], "bad_parameter");
    let (_, _, page) = request(&s, "GET", "/", "");
    assert!(page.contains("id=\"download-csv\""), "the page links to the export");
}

/// The API counts days and shows dates as the CLI does: each article's own calendar day and
/// offset, or every article in the zone `tz` names (GET and POST alike); a bad zone is a 400.
#[test]
fn dates_are_local_unless_a_zone_is_asked_for() {
    let fx = crate::dates::corpus();
    let s = start(&fx);
    let ids = |v: &Value| -> Vec<String> {
        let mut ids = crate::common::hit_ids(v);
        ids.sort();
        ids
    };
    let (st, v) = get_json(&s, "/api/search?from=2021-01-15&to=2021-01-15");
    assert_eq!(st, 200, "{v}");
    assert_eq!(ids(&v), ["no-offset.json", "wita.json"]);
    let wita = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "wita.json")
        .unwrap();
    assert_eq!(wita["date"], "2021-01-15T03:10:00+08:00");
    let (_, v) = get_json(&s, "/api/search?from=2021-01-15&to=2021-01-15&tz=UTC");
    assert_eq!(ids(&v), ["new-york.json", "no-offset.json"]);
    let (_, _, body) = request(
        &s,
        "POST",
        "/api/search",
        r#"{"from": "2021-01-14", "to": "2021-01-14", "tz": "UTC"}"#,
    );
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ids(&v), ["wita.json"]);
    assert_eq!(v["hits"][0]["date"], "2021-01-14T19:10:00+00:00");

    let (_, v) = get_json(&s, "/api/timeline?interval=day&q=title:mamuju");
    assert_eq!(v["buckets"][0]["key"], "2021-01-15", "{v}");
    let (_, v) = get_json(&s, "/api/timeline?interval=day&q=title:mamuju&tz=UTC");
    assert_eq!(v["buckets"][0]["key"], "2021-01-14", "{v}");
    let (_, _, csv) = request(&s, "GET", "/api/export?q=title:mamuju&format=csv&tz=%2B07:00", "");
    assert!(csv.contains(",2021-01-15T02:10:00+07:00,"), "{csv}");

    for path in [
        "/api/search?tz=Asia/Jakata",
        "/api/timeline?tz=Mars",
        "/api/facets/source?tz=%2B99",
    ] {
        let (st, v) = get_json(&s, path);
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (400, Some("bad_parameter")),
            "{path}: {v}"
        );
        assert!(
            v["error"]["message"].as_str().unwrap().contains("unknown time zone"),
            "{v}"
        );
    }
    let (_, v) = get_json(&s, "/api/search?tz=Asia/Jakata");
    assert_eq!(v["error"]["suggestions"][0], "Asia/Jakarta", "{v}");
}

/// Copies of one story collapse over the API as on the command line: GET and POST, and
/// `collapse=false` / `"collapse": false` show every copy; facets and timelines count
/// stories with `count=stories`.
#[test]
fn copies_collapse_over_the_api_unless_asked_not_to() {
    let fx = crate::stories::wire_corpus();
    fx.index();
    let s = start(&fx);
    let ids = crate::common::hit_ids;
    let (st, v) = get_json(&s, "/api/search?q=banjir&sort=oldest");
    assert_eq!(st, 200, "{v}");
    assert_eq!(ids(&v), ["antara.txt", "own.txt", "brief.txt"]);
    assert_eq!(v["hits"][0]["copies"], 2);
    assert_eq!(v["hits"][0]["other_copies"][1]["source"], "Tempo", "{v}");
    for off in ["false", "0", "no", "off", "False"] {
        let (_, v) = get_json(&s, &format!("/api/search?q=banjir&sort=oldest&collapse={off}"));
        assert_eq!(ids(&v).len(), 5, "collapse={off}: {v}");
    }
    let (st, _, body) = request(
        &s,
        "POST",
        "/api/search",
        r#"{"query": "banjir", "sort": "oldest", "collapse": false}"#,
    );
    assert_eq!(st, 200, "{body}");
    assert_eq!(ids(&serde_json::from_str(&body).unwrap()).len(), 5);
    let (st, v) = get_json(&s, "/api/search?q=banjir&collapse=maybe");
    assert_eq!(st, 400, "neither yes nor no is an error: {v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("collapse must be true or false"),
        "{v}"
    );
    let (_, v) = get_json(&s, "/api/search?q=banjir&collapse");
    assert_eq!(ids(&v).len(), 3, "a flag given without a value is yes: {v}");
    let (st, v) = get_json(&s, "/api/facets/source?q=banjir&count=stories");
    assert_eq!(st, 200, "{v}");
    assert_eq!((v["total"].as_u64(), v["counted"].as_str()), (Some(3), Some("stories")));
    let (_, v) = get_json(&s, "/api/timeline?q=banjir&interval=day&count=stories");
    assert_eq!(v["buckets"][0]["count"], 3, "{v}");
    let (st, v) = get_json(&s, "/api/facets/source?q=banjir&count=copies");
    assert_eq!(st, 400, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("articles or stories"),
        "{v}"
    );
}
