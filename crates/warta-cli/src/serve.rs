//! `warta serve`: the HTTP JSON API and the web page, over the same library calls as the CLI
//! and the same serde types as its `--json` output.
//!
//! Read-only: no endpoint writes or deletes anything. The index reader follows commits made
//! by `warta index` in another process, so serving and indexing run side by side. Every
//! search runs on tokio's blocking pool under a time limit and is called off when its time
//! runs out or its client leaves, so a slow query never stalls the server; query length,
//! `limit`, `offset` and request bodies are bounded. Clients are bounded too: a connection
//! must send each request's headers within a time limit, and only so many are served at once.
//! Every error is answered with the JSON error object, even those hyper answers by itself.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Path, RawQuery, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use warta::extract::gazetteer::Kind;
use warta::index::WartaIndex;
use warta::search::facets::Interval;
use warta::search::{self, Cancel, CountBy, SearchError, SearchRequest, Sort};

/// The most results one request may ask for.
pub const MAX_LIMIT: usize = 1000;
/// The largest request body (`POST /api/search`).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Time limit of one request, its body and its work included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How the server treats its clients.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Time a connection has to send a request's headers, and an idle connection its next
    /// request; then it is closed.
    pub header_timeout: Duration,
    /// Connections served at once; further ones wait to be accepted.
    pub max_connections: usize,
    /// Show articles' paths as on the server's disk, not relative to the indexed root.
    pub absolute_paths: bool,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            header_timeout: Duration::from_secs(10),
            max_connections: 512,
            absolute_paths: false,
        }
    }
}

const INDEX_HTML: &str = include_str!("../web/index.html");
const APP_CSS: &str = include_str!("../web/app.css");
const APP_JS: &str = include_str!("../web/app.js");

/// An API error: HTTP status and `{"error": {"code", "message", "suggestions"?}}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    suggestions: Vec<String>,
}

impl ApiError {
    fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
            suggestions: Vec::new(),
        }
    }

    fn internal(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: message.into(),
            suggestions: Vec::new(),
        }
    }
}

impl ApiError {
    fn body(&self) -> Vec<u8> {
        crate::output::error_object(self.code, &self.message, &self.suggestions).into_bytes()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            self.body(),
        )
            .into_response()
    }
}

/// The error code of a status answered outside the handlers (by axum or hyper).
fn status_code_name(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "timeout",
        413 => "body_too_large",
        414 => "uri_too_long",
        415 => "unsupported_media_type",
        431 => "headers_too_large",
        500..=599 => "internal",
        _ => "error",
    }
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> ApiError {
        let status = match &e {
            SearchError::Cancelled => return timed_out(),
            SearchError::Tantivy(_) => return ApiError::internal(e.to_string()),
            SearchError::NoArticle { .. } => StatusCode::NOT_FOUND,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError {
            status,
            code: e.code(),
            message: e.to_string(),
            suggestions: e.suggestions().to_vec(),
        }
    }
}

impl From<tantivy::TantivyError> for ApiError {
    fn from(e: tantivy::TantivyError) -> ApiError {
        ApiError::internal(e.to_string())
    }
}

/// Query parameters beyond the search request.
#[derive(Debug, Default)]
struct Extra {
    interval: Option<Interval>,
    top: Option<usize>,
    format: Option<String>,
    kind: Option<Kind>,
    series: bool,
}

/// The query parameters of a search, as the page writes them; each also answers to the name
/// of its [`SearchRequest`] field (`query`, `persons`...): one vocabulary for GET and POST.
const SEARCH_PARAMETERS: &[&str] = &[
    "q", "person", "country", "org", "place", "source", "lang", "from", "to", "tz", "sort", "limit", "offset",
    "facets", "strict", "collapse", "count",
];

/// The field names that stand for the parameters the page writes in the singular.
const FIELD_NAMES: &[&str] = &["query", "persons", "countries", "orgs", "places", "sources"];

/// Reads a query string into a request: the search parameters ([`SEARCH_PARAMETERS`], the
/// lists repeatable) and those of `extra` that the endpoint takes (`interval`, `top`,
/// `format`, `kind`, `series`). Any other parameter is an error naming it: a misspelt filter
/// would otherwise widen the search without a word.
fn parse_params(raw: Option<&str>, extra_names: &[&str]) -> Result<(SearchRequest, Extra), ApiError> {
    let mut req = SearchRequest::default();
    let mut extra = Extra::default();
    let number = |name: &str, v: &str| -> Result<usize, ApiError> {
        v.trim()
            .parse()
            .map_err(|_| ApiError::bad("bad_parameter", format!("{name} must be a whole number, not {v:?}")))
    };
    for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let v = value.into_owned();
        let set = |v: String| (!v.trim().is_empty()).then_some(v);
        let key = key.as_ref();
        if ![SEARCH_PARAMETERS, FIELD_NAMES, extra_names]
            .iter()
            .any(|names| names.contains(&key))
        {
            return Err(unknown_parameter(key, extra_names));
        }
        match key {
            "q" | "query" => req.query = v,
            "person" | "persons" => req.persons.extend(set(v)),
            "country" | "countries" => req.countries.extend(set(v)),
            "org" | "orgs" => req.orgs.extend(set(v)),
            "place" | "places" => req.places.extend(set(v)),
            "source" | "sources" => req.sources.extend(set(v)),
            "lang" => req.lang = set(v),
            "from" => req.from = set(v),
            "to" => req.to = set(v),
            "tz" => req.tz = set(v),
            "sort" if v.is_empty() => req.sort = Sort::Relevance,
            "sort" => {
                req.sort = Sort::ALL
                    .into_iter()
                    .find(|s| s.name() == v)
                    .ok_or_else(|| ApiError::bad("bad_parameter", "sort must be relevance, newest or oldest"))?
            }
            "limit" => req.limit = number("limit", &v)?,
            "offset" => req.offset = number("offset", &v)?,
            "facets" => req.facets = flag("facets", &v)?,
            "strict" => req.strict = flag("strict", &v)?,
            "collapse" => req.collapse = flag("collapse", &v)?,
            "count" => {
                req.count = CountBy::ALL
                    .into_iter()
                    .find(|c| c.name() == v)
                    .ok_or_else(|| ApiError::bad("bad_parameter", "count must be articles or stories"))?
            }
            "top" => extra.top = Some(number("top", &v)?),
            "interval" => {
                extra.interval = Some(
                    Interval::ALL
                        .into_iter()
                        .find(|i| i.name() == v)
                        .ok_or_else(|| ApiError::bad("bad_parameter", "interval must be day, week, month or year"))?,
                )
            }
            "format" => extra.format = Some(v),
            "kind" if v.trim().is_empty() => extra.kind = None,
            "kind" => {
                extra.kind = Some(
                    search::entity_kind(&v)
                        .ok_or_else(|| ApiError::bad("bad_parameter", "kind must be person, country, org or place"))?,
                )
            }
            "series" => extra.series = flag("series", &v)?,
            _ => {}
        }
    }
    check(&req)?;
    Ok((req, extra))
}

/// A yes-or-no parameter: given without a value it means yes; a value that is neither is an
/// error naming it (`collapse=maybe` must not quietly mean one or the other).
fn flag(name: &str, v: &str) -> Result<bool, ApiError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "" | "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ApiError::bad(
            "bad_parameter",
            format!("{name} must be true or false (1 or 0, yes or no), not {v:?}"),
        )),
    }
}

/// The error for a parameter no endpoint of this kind takes, listing those it does.
fn unknown_parameter(key: &str, extra_names: &[&str]) -> ApiError {
    let known: Vec<&str> = SEARCH_PARAMETERS.iter().chain(extra_names).copied().collect();
    ApiError::bad(
        "unknown_parameter",
        format!("unknown parameter {key:?}; this endpoint takes {}", known.join(", ")),
    )
}

/// Limits every request must respect.
fn check(req: &SearchRequest) -> Result<(), ApiError> {
    if req.limit > MAX_LIMIT {
        return Err(ApiError::bad(
            "limit_too_large",
            format!("limit is at most {MAX_LIMIT}"),
        ));
    }
    Ok(search::check_request(req)?)
}

/// The answer to a request whose handling panicked: a plain 500. The panic's text stays in
/// the server's log (stderr), as it may name server internals.
fn panicked(what: &str) -> ApiError {
    eprintln!("warta: error: {what} panicked; it was answered with status 500");
    ApiError::internal("the server failed to answer this request")
}

/// The answer to a request whose time ran out.
fn timed_out() -> ApiError {
    ApiError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        code: "timeout",
        message: format!("the request took longer than {} s", REQUEST_TIMEOUT.as_secs()),
        suggestions: Vec::new(),
    }
}

/// Calls a search off when dropped: when its request ends, answered, timed out or abandoned
/// by its client.
struct CallOff(Cancel);

impl Drop for CallOff {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// Runs blocking index work on the blocking pool, under [`REQUEST_TIMEOUT`]; `cancel` (the
/// request's flag) is set once the answer is no longer wanted, so the work stops too.
async fn blocking<T: Send + 'static>(
    cancel: Cancel,
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    blocking_within(REQUEST_TIMEOUT, cancel, f).await
}

async fn blocking_within<T: Send + 'static>(
    limit: Duration,
    cancel: Cancel,
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let _call_off = CallOff(cancel);
    match tokio::time::timeout(limit, tokio::task::spawn_blocking(f)).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err(panicked("a search")),
        Err(_) => Err(timed_out()),
    }
}

/// What the handlers share.
struct App {
    index: WartaIndex,
    absolute_paths: bool,
}

type Shared = Arc<App>;

impl App {
    /// A file's path as answers show it: relative to its root unless asked otherwise.
    fn shown_path(&self, file: &mut String, id: &str) {
        if !self.absolute_paths {
            *file = search::relative_path(file, id);
        }
    }

    /// Stats without the server's directories: the index directory and the roots by their
    /// names, files of the last run relative to the indexed roots.
    fn shown_stats(&self, stats: &mut search::Stats) -> tantivy::Result<()> {
        if self.absolute_paths {
            return Ok(());
        }
        let name = |path: &str| {
            let name = std::path::Path::new(path).file_name();
            name.map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        };
        stats.index_path = name(&stats.index_path);
        for root in &mut stats.roots {
            *root = name(root);
        }
        let Some(run) = &mut stats.last_run else {
            return Ok(());
        };
        let mut roots = search::indexed_roots(&self.index)?;
        // The longest root first, so a root inside another is taken away whole.
        roots.sort_by_key(|r| std::cmp::Reverse(r.len()));
        let relative = |text: &str| {
            roots
                .iter()
                .fold(text.to_string(), |t, root| t.replace(root.as_str(), ""))
        };
        for skipped in &mut run.skipped {
            skipped.path = match roots.iter().find_map(|r| skipped.path.strip_prefix(r.as_str())) {
                Some(rel) => rel.to_string(),
                None => skipped.path.rsplit('/').next().unwrap_or_default().to_string(),
            };
            skipped.reason = relative(&skipped.reason);
        }
        for line in &mut run.degraded {
            *line = relative(line);
        }
        Ok(())
    }
}

async fn search_get(State(app): State<Shared>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let (req, _) = parse_params(raw.as_deref(), &[])?;
    run_search(app, req).await
}

async fn search_post(State(app): State<Shared>, body: axum::body::Bytes) -> Result<Response, ApiError> {
    let req: SearchRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad("bad_request", format!("the body is not a search request: {e}")))?;
    check(&req)?;
    run_search(app, req).await
}

async fn run_search(app: Shared, req: SearchRequest) -> Result<Response, ApiError> {
    let resp = blocking(req.cancel.clone(), move || {
        let mut resp = search::search(&app.index, &req)?;
        for hit in &mut resp.hits {
            app.shown_path(&mut hit.path, &hit.id);
        }
        Ok(resp)
    })
    .await?;
    Ok(Json(resp).into_response())
}

async fn article(State(app): State<Shared>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let found = blocking(Cancel::default(), move || {
        let mut article = search::articles(&app.index, &id)?.swap_remove(0);
        app.shown_path(&mut article.path, &article.id);
        Ok(article)
    })
    .await?;
    Ok(Json(found).into_response())
}

async fn facets(
    State(app): State<Shared>,
    Path(field): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (req, extra) = parse_params(raw.as_deref(), &["top"])?;
    let top = extra.top.unwrap_or(20).min(MAX_LIMIT);
    let resp = blocking(req.cancel.clone(), move || {
        Ok(search::facets_response(&app.index, &field, &req, top)?)
    })
    .await?;
    Ok(Json(resp).into_response())
}

async fn timeline(State(app): State<Shared>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let (req, extra) = parse_params(raw.as_deref(), &["interval", "series"])?;
    let interval = extra.interval.unwrap_or_default();
    if extra.series {
        let resp = blocking(req.cancel.clone(), move || {
            Ok(search::timeline_series(&app.index, &req, interval)?)
        })
        .await?;
        return Ok(Json(resp).into_response());
    }
    let resp = blocking(req.cancel.clone(), move || {
        Ok(search::timeline(&app.index, &req, interval)?)
    })
    .await?;
    Ok(Json(resp).into_response())
}

/// `GET /api/related?person=...&kind=person&top=10`: the entities most over-represented in the
/// articles of the entity filters given, with the usual filters and query.
async fn related(State(app): State<Shared>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let (req, extra) = parse_params(raw.as_deref(), &["kind", "top"])?;
    let top = extra.top.unwrap_or(10).min(MAX_LIMIT);
    let resp = blocking(req.cancel.clone(), move || {
        Ok(search::related(&app.index, &req, extra.kind, top)?)
    })
    .await?;
    Ok(Json(resp).into_response())
}

/// `GET /api/export?...&format=csv|jsonl`: the matches of a search as a file, within a
/// search's bounds: at most [`search::MAX_RESULT_WINDOW`] articles (the first in index
/// order), without their text, under the request time limit. `X-Warta-Total` counts all
/// matches, `X-Warta-Exported` those in the file; `warta export` has no such limit.
async fn export(State(app): State<Shared>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let (req, extra) = parse_params(raw.as_deref(), &["format"])?;
    let name = extra.format.unwrap_or_else(|| "csv".to_string());
    let format = warta::export::ExportFormat::from_name(&name)
        .ok_or_else(|| ApiError::bad("bad_parameter", "format must be csv or jsonl"))?;
    let (total, exported, body) = blocking(req.cancel.clone(), move || {
        let max = search::MAX_RESULT_WINDOW as u64;
        let exported = warta::export::export(&app.index, &req, format, false, Some(max), Vec::new());
        let (n, body) = exported.map_err(|e| match e {
            warta::export::ExportError::Search(e) => ApiError::from(e),
            other => ApiError::internal(other.to_string()),
        })?;
        let total = search::search(&app.index, &SearchRequest { limit: 0, ..req })?.total;
        Ok((total, n, body))
    })
    .await?;
    let disposition = format!("attachment; filename=\"warta-export.{}\"", format.extension());
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::HeaderName::from_static("x-warta-total"), total.to_string()),
            (
                header::HeaderName::from_static("x-warta-exported"),
                exported.to_string(),
            ),
        ],
        body,
    )
        .into_response())
}

async fn stats(State(app): State<Shared>) -> Result<Response, ApiError> {
    let resp = blocking(Cancel::default(), move || {
        let mut stats = search::stats(&app.index)?;
        app.shown_stats(&mut stats)?;
        Ok(stats)
    })
    .await?;
    Ok(Json(resp).into_response())
}

async fn health(State(app): State<Shared>) -> Result<Response, ApiError> {
    let articles = blocking(Cancel::default(), move || Ok(app.index.searcher()?.num_docs())).await?;
    Ok(Json(serde_json::json!({ "status": "ok", "articles": articles })).into_response())
}

/// Handles each request in a task of its own, under [`REQUEST_TIMEOUT`] (a client sending
/// its body slowly included): a panic anywhere in it becomes a JSON 500 instead of a dropped
/// connection or a message carrying the panic's text, and a request out of time is dropped,
/// which calls its search off.
async fn contain(req: Request, next: Next) -> Response {
    let what = format!("the request {} {}", req.method(), req.uri().path());
    let mut task = tokio::spawn(next.run(req));
    match tokio::time::timeout(REQUEST_TIMEOUT, &mut task).await {
        Ok(Ok(response)) => response,
        Ok(Err(_)) => panicked(&what).into_response(),
        Err(_) => {
            task.abort();
            timed_out().into_response()
        }
    }
}

/// Gives the error responses made outside the handlers the JSON error object: axum's
/// rejections and fallbacks (405, 413, a path that is not UTF-8, ...) come as plain text or
/// empty. Their headers (`Allow`) are kept.
async fn json_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_string();
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!("the request body is over {} KiB", MAX_BODY_BYTES / 1024),
        StatusCode::METHOD_NOT_ALLOWED => match parts.headers.get(header::ALLOW).and_then(|v| v.to_str().ok()) {
            Some(allow) => format!("method not allowed here; use {allow}"),
            None => "method not allowed here".to_string(),
        },
        _ if text.is_empty() => status.canonical_reason().unwrap_or("error").to_lowercase(),
        _ => text,
    };
    let mut json = ApiError {
        status,
        code: status_code_name(status),
        message,
        suggestions: Vec::new(),
    }
    .into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            json.headers_mut().insert(name.clone(), value.clone());
        }
    }
    json
}

async fn not_found() -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        code: "not_found",
        message: "no such endpoint".to_string(),
        suggestions: Vec::new(),
    }
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

/// The API and the page. Every response forbids inline scripts and MIME sniffing, so article
/// text can never run as code even if a page bug let it into markup.
pub fn router(wi: WartaIndex, opts: &ServeOptions) -> Router {
    let app = Arc::new(App {
        index: wi,
        absolute_paths: opts.absolute_paths,
    });
    Router::new()
        .route("/", get(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }))
        .route("/app.css", get(|| async { asset("text/css; charset=utf-8", APP_CSS) }))
        .route("/app.js", get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }))
        .route("/api/search", get(search_get).post(search_post))
        .route("/api/articles/{*id}", get(article))
        .route("/api/facets/{field}", get(facets))
        .route("/api/timeline", get(timeline))
        .route("/api/related", get(related))
        .route("/api/export", get(export))
        .route("/api/stats", get(stats))
        .route("/api/health", get(health))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(contain))
        .layer(axum::middleware::from_fn(json_errors))
        .layer(axum::middleware::map_response(|mut r: Response| async move {
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
                ),
            );
            h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            r
        }))
        .with_state(app)
}

/// Serves the index at `addr` until the process is stopped; `on_ready` gets the bound
/// address (port 0 picks a free port) once the server accepts connections.
pub fn serve(
    wi: WartaIndex,
    addr: SocketAddr,
    opts: ServeOptions,
    on_ready: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    use anyhow::Context;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let bound = listener.local_addr()?;
        on_ready(bound);
        let app = router(wi, &opts);
        accept_connections(listener, app, &opts, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
        Ok(())
    })
}

/// Accepts connections until `stop` completes, at most [`ServeOptions::max_connections`]
/// at once, each closed when it does not send a request's headers within
/// [`ServeOptions::header_timeout`]. Once stopped, connections finish their requests (for
/// up to [`REQUEST_TIMEOUT`]).
async fn accept_connections(
    listener: tokio::net::TcpListener,
    app: Router,
    opts: &ServeOptions,
    stop: impl std::future::Future<Output = ()>,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(opts.max_connections));
    let (stopping, stopped) = tokio::sync::watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(opts.header_timeout);
    tokio::pin!(stop);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut stop => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let conn = http.serve_connection(hyper_util::rt::TokioIo::new(JsonParseErrors::new(stream)), service);
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let _slot = slot;
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stopped.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    let _ = stopping.send(true);
    let all = u32::try_from(opts.max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(REQUEST_TIMEOUT, slots.acquire_many(all)).await;
}

/// After a failed `accept`: a connection reset before it was accepted is nothing; anything
/// else (out of file descriptors) is told and waited out a little, not spun on.
async fn accept_failed(e: &std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(e.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
        return;
    }
    eprintln!("warta: warning: cannot accept a connection: {e}");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// A connection whose automatic error answers carry the JSON error object too. hyper answers
/// a request it cannot parse (bad syntax: 400; a URI over 64 KiB: 414; headers over its
/// buffer: 431) by itself, before any handler, with an empty body and then closes the
/// connection; that one answer is rewritten as it is written.
struct JsonParseErrors<T> {
    io: T,
    rewrite: Rewrite,
}

/// Where a connection is in rewriting hyper's answer.
enum Rewrite {
    /// Looking at what is written.
    Watching,
    /// Writing the JSON answer: it, how much of it is written, and the length of hyper's.
    Writing(Vec<u8>, usize, usize),
    /// Written: the rest passes unchanged.
    Done,
}

impl<T> JsonParseErrors<T> {
    fn new(io: T) -> Self {
        JsonParseErrors {
            io,
            rewrite: Rewrite::Watching,
        }
    }
}

/// The JSON answer replacing `written`, when it is one of hyper's automatic error answers: a
/// whole response head with `content-length: 0`, for a status that only hyper answers
/// without a body (the handlers' errors all have one).
fn rewritten_parse_error(written: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(written).ok()?;
    let rest = text
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| text.strip_prefix("HTTP/1.0 "))?;
    let status = StatusCode::from_u16(rest.get(..3)?.parse().ok()?).ok()?;
    let empty = text.ends_with("\r\n\r\n") && text.to_ascii_lowercase().contains("\r\ncontent-length: 0\r\n");
    if !empty || !matches!(status.as_u16(), 400 | 414 | 431) {
        return None;
    }
    let message = match status.as_u16() {
        414 => "the request's URI is too long".to_string(),
        431 => "the request's headers are too large".to_string(),
        _ => "the request is not valid HTTP".to_string(),
    };
    let body = ApiError {
        status,
        code: status_code_name(status),
        message,
        suggestions: Vec::new(),
    }
    .body();
    let mut out = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\nx-content-type-options: nosniff\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(&body);
    Some(out)
}

impl<T: AsyncRead + Unpin> AsyncRead for JsonParseErrors<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for JsonParseErrors<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let this = &mut *self;
        if let Rewrite::Watching = this.rewrite {
            if let Some(answer) = rewritten_parse_error(buf) {
                this.rewrite = Rewrite::Writing(answer, 0, buf.len());
            }
        }
        let Rewrite::Writing(answer, done, claimed) = &mut this.rewrite else {
            return Pin::new(&mut this.io).poll_write(cx, buf);
        };
        while *done < answer.len() {
            match Pin::new(&mut this.io).poll_write(cx, &answer[*done..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => *done += n,
                other => return other,
            }
        }
        let claimed = *claimed;
        this.rewrite = Rewrite::Done;
        Poll::Ready(Ok(claimed))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_repeat_and_are_checked() {
        let (req, extra) = parse_params(
            Some("q=putin&country=KP&country=Korea%20Utara&source=AP&limit=5&interval=week&facets=1"),
            &["interval"],
        )
        .unwrap();
        assert_eq!(req.query, "putin");
        assert_eq!(req.countries, ["KP", "Korea Utara"]);
        assert_eq!(req.sources, ["AP"]);
        assert_eq!(req.limit, 5);
        assert!(req.facets);
        assert_eq!(extra.interval, Some(Interval::Week));
        let (_, extra) = parse_params(Some("person=Kim&kind=org&series=1"), &["kind", "series"]).unwrap();
        assert_eq!((extra.kind, extra.series), (Some(Kind::Org), true));
        let bad_kind = parse_params(Some("kind=source"), &["kind"]).unwrap_err();
        assert_eq!(bad_kind.code, "bad_parameter");
        assert_eq!(
            parse_params(Some("limit=5000"), &[]).unwrap_err().code,
            "limit_too_large"
        );
        assert_eq!(parse_params(Some("limit=many"), &[]).unwrap_err().code, "bad_parameter");
        let long = format!("q={}", "a".repeat(search::MAX_QUERY_CHARS + 1));
        assert_eq!(parse_params(Some(&long), &[]).unwrap_err().code, "query_too_long");
    }

    /// GET takes the names POST's JSON takes, and a parameter the endpoint does not know is
    /// an error naming it, never ignored.
    #[test]
    fn one_vocabulary_and_unknown_parameters_refused() {
        let (get, _) = parse_params(Some("query=putin&countries=KP&persons=Kim&org=PBB"), &[]).unwrap();
        let post: SearchRequest =
            serde_json::from_str(r#"{"q": "putin", "country": "KP", "person": ["Kim"], "orgs": ["PBB"]}"#).unwrap();
        assert_eq!(
            (get.query, get.countries, get.persons, get.orgs),
            (post.query, post.countries, post.persons, post.orgs)
        );
        let e = parse_params(Some("q=putin&contry=KP"), &[]).unwrap_err();
        assert_eq!(e.code, "unknown_parameter");
        assert!(e.message.contains("\"contry\""), "{}", e.message);
        // Each endpoint takes only its own extras.
        assert_eq!(
            parse_params(Some("interval=week"), &[]).unwrap_err().code,
            "unknown_parameter"
        );
        assert!(serde_json::from_str::<SearchRequest>(r#"{"query": "putin", "contry": ["KP"]}"#).is_err());
    }

    /// A panic in a handler or in blocking work answers a JSON 500 that does not carry the
    /// panic's text.
    async fn panicking_handler() -> &'static str {
        panic!("secret handler detail")
    }

    #[tokio::test]
    async fn panics_answer_500_without_their_message() {
        use tower::ServiceExt;
        let app = Router::new()
            .route("/handler", get(panicking_handler))
            .route(
                "/blocking",
                get(|| async {
                    blocking(Cancel::default(), || -> Result<String, ApiError> {
                        panic!("secret blocking detail")
                    })
                    .await
                }),
            )
            .layer(axum::middleware::from_fn(contain));
        for path in ["/handler", "/blocking"] {
            let request = axum::extract::Request::get(path)
                .body(axum::body::Body::empty())
                .unwrap();
            let response = app.clone().oneshot(request).await.unwrap();
            assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR, "{path}");
            let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(v["error"]["code"], "internal", "{path}: {v}");
            assert!(!v.to_string().contains("secret"), "{path}: {v}");
        }
    }

    /// Work whose request ran out of time is called off, so it stops instead of running on.
    #[tokio::test]
    async fn blocking_work_is_called_off_when_its_time_runs_out() {
        let cancel = Cancel::default();
        let seen = cancel.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let answer = blocking_within(Duration::from_millis(50), cancel, move || -> Result<(), ApiError> {
            // Gives up after a while, so the test fails rather than hangs when never called off.
            let started = std::time::Instant::now();
            while !seen.is_cancelled() && started.elapsed() < Duration::from_secs(20) {
                std::thread::sleep(Duration::from_millis(5));
            }
            if seen.is_cancelled() {
                let _ = tx.send(());
            }
            Ok(())
        })
        .await;
        assert_eq!(answer.unwrap_err().code, "timeout");
        assert!(
            rx.recv_timeout(Duration::from_secs(30)).is_ok(),
            "the work never saw it was called off"
        );
    }
}
