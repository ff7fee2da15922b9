//! Fuzzing the HTTP API in-process (proptest, through the router as `warta serve` builds it):
//! arbitrary query-string parameters and JSON bodies never panic the server, always get a JSON
//! answer, and a client's mistake is never answered as a server error (5xx).
//! `PROPTEST_CASES` raises the number of cases (CI keeps the default).

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use proptest::prelude::*;
use serde_json::Value;
use tower::ServiceExt;
use warta::index::{index_paths, IndexOptions, Progress, WartaIndex};
use warta_cli::serve::{router, ServeOptions};

struct Quiet;
impl Progress for Quiet {
    fn start(&self, _: u64) {}
    fn advance(&self) {}
    fn warn(&self, _: &str) {}
}

/// The router over a small index, and a runtime to send it requests, shared by all cases.
fn app() -> &'static (tempfile::TempDir, Router, tokio::runtime::Runtime) {
    static APP: OnceLock<(tempfile::TempDir, Router, tokio::runtime::Runtime)> = OnceLock::new();
    APP.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let corpus = crate::common::two_article_corpus(dir.path());
        let idx = dir.path().join("index");
        let opts = IndexOptions {
            rebuild: true,
            threads: 2,
            memory_mb: 64,
            ..IndexOptions::default()
        };
        index_paths(&idx, &[corpus], &opts, &Quiet).unwrap();
        let wi = WartaIndex::open(&idx).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        (dir, router(wi, &ServeOptions::default()), runtime)
    })
}

/// Sends one request to the router: (status, body).
fn send(method: Method, uri: &str, body: Vec<u8>) -> (StatusCode, Vec<u8>) {
    let (_, app, runtime) = app();
    runtime.block_on(async {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, body.to_vec())
    })
}

/// The answer is JSON, an error answer the error object, and no answer a server error.
fn check_answer(what: &str, status: StatusCode, body: &[u8]) -> Result<(), TestCaseError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        TestCaseError::fail(format!(
            "{what}: {status}: not JSON ({e}): {}",
            String::from_utf8_lossy(body)
        ))
    })?;
    prop_assert!(!status.is_server_error(), "{what}: {status}: {v}");
    if !status.is_success() {
        prop_assert!(v["error"]["code"].is_string(), "{what}: {status}: {v}");
        prop_assert!(v["error"]["message"].is_string(), "{what}: {status}: {v}");
    }
    Ok(())
}

/// Parameter values: the API's own words and numbers, extremes, and arbitrary text.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("putin".to_string()),
        Just("Korea Utara".to_string()),
        Just("\"".to_string()),
        Just("-".to_string()),
        Just("me*".to_string()),
        Just("OR".to_string()),
        Just("9999-12-31".to_string()),
        Just("2023-09".to_string()),
        Just("18446744073709551615".to_string()),
        Just("10000000000".to_string()),
        Just("-1".to_string()),
        Just("week".to_string()),
        Just("newest".to_string()),
        "[0-9]{1,20}",
        "\\PC{0,16}",
        any::<String>(),
    ]
}

/// Parameter names: the API's, repeated or mixed with unknown ones.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "q", "query", "person", "country", "org", "place", "source", "lang", "from", "to", "tz", "sort", "limit",
            "offset", "facets", "interval", "top",
        ])
        .prop_map(str::to_string),
        "\\PC{0,8}",
    ]
}

fn query_string() -> impl Strategy<Value = String> {
    prop::collection::vec((name(), value()), 0..6).prop_map(|pairs| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &pairs {
            q.append_pair(k, v);
        }
        q.finish()
    })
}

/// JSON values of any shape, a few levels deep.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        value().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(name(), inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Search bodies: the request's fields with values of any type, and other JSON.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::btree_map(name(), json(), 0..6)
            .prop_map(|m| serde_json::to_vec(&Value::Object(m.into_iter().collect())).unwrap()),
        json().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        prop::collection::vec(any::<u8>(), 0..64),
    ]
}

fn endpoint() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/api/search".to_string()),
        Just("/api/timeline".to_string()),
        Just("/api/facets/person".to_string()),
        Just("/api/facets/country".to_string()),
        "[a-z%0-9]{0,10}".prop_map(|f| format!("/api/facets/{f}")),
        "[a-z%/.0-9]{0,16}".prop_map(|id| format!("/api/articles/{id}")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_query_string_gets_a_json_answer(path in endpoint(), query in query_string()) {
        let uri = format!("{path}?{query}");
        let (status, body) = send(Method::GET, &uri, Vec::new());
        check_answer(&uri, status, &body)?;
    }

    #[test]
    fn any_search_body_gets_a_json_answer(body in body()) {
        let what = String::from_utf8_lossy(&body).into_owned();
        let (status, answer) = send(Method::POST, "/api/search", body);
        check_answer(&what, status, &answer)?;
    }
}
