//! `warta serve`: every API endpoint, bad parameters, limits, the page's assets, and article
//! text that must never become markup. A real server process on a free port, plain HTTP/1.1.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};

use common::Fixture;
use serde_json::Value;

/// A running `warta serve` and its address; killed when dropped.
struct Server {
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
fn spawn(fx: &Fixture, addr: &str) -> Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("warta"))
        .env_remove("WARTA_INDEX")
        .args(["serve", "--addr", addr, "--index"])
        .arg(fx.index_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn start(fx: &Fixture) -> Server {
    let mut child = spawn(fx, "127.0.0.1:0");
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
    let mut stream = TcpStream::connect(&s.addr).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        s.addr,
        body.len()
    )
    .unwrap();
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

fn get_json(s: &Server, path: &str) -> (u16, Value) {
    let (status, _, body) = request(s, "GET", path, "");
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}")),
    )
}

fn corpus() -> Fixture {
    let fx = Fixture::new();
    let seed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus/seed/korea-russia-summit.id.txt"),
    )
    .unwrap();
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
    // The CLI's JSON is the same document.
    let cli = fx.search_json(&["putin", "--country", "Korea Utara", "--facets"]).0;
    let (_, api) = get_json(&s, "/api/search?q=putin&country=Korea%20Utara&facets=1");
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

#[test]
fn bad_requests_get_json_errors_with_the_right_status() {
    let fx = corpus();
    let s = start(&fx);
    for (path, status, code) in [
        ("/api/search?country=Narnia", 400, "unknown_name"),
        ("/api/search?q=%22unclosed", 400, "bad_query"),
        ("/api/search?from=yesterday", 400, "bad_date"),
        ("/api/search?limit=1001", 400, "limit_too_large"),
        ("/api/search?limit=ten", 400, "bad_parameter"),
        ("/api/search?sort=random", 400, "bad_parameter"),
        ("/api/timeline?interval=decade", 400, "bad_parameter"),
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

#[test]
fn binding_beyond_loopback_warns() {
    let fx = corpus();
    let mut child = spawn(&fx, "0.0.0.0:0");
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
