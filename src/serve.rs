//! `warta serve`: the HTTP JSON API and the web page, over the same library calls as the CLI
//! and the same serde types as its `--json` output.
//!
//! Read-only: no endpoint writes or deletes anything. The index reader follows commits made
//! by `warta index` in another process, so serving and indexing run side by side. Every
//! search runs on tokio's blocking pool under a time limit, so a slow query never stalls the
//! server; query length, `limit` and request bodies are bounded.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::index::WartaIndex;
use crate::search::facets::Interval;
use crate::search::{self, SearchError, SearchRequest, Sort};

/// The longest query string accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// The most results one request may ask for.
pub const MAX_LIMIT: usize = 1000;
/// The largest request body (`POST /api/search`).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Time limit of one request's work.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

const INDEX_HTML: &str = include_str!("../web/index.html");
const APP_CSS: &str = include_str!("../web/app.css");
const APP_JS: &str = include_str!("../web/app.js");

/// An API error: HTTP status and `{"error": {"code", "message"}}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
}

impl ApiError {
    fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }

    fn internal(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: &self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> ApiError {
        let code = match &e {
            SearchError::Query { .. } => "bad_query",
            SearchError::Date { .. } | SearchError::EmptyRange { .. } => "bad_date",
            SearchError::Unknown(_) => "unknown_name",
            SearchError::FacetField(_) => "unknown_facet",
            SearchError::NoArticle { .. } => {
                return ApiError {
                    status: StatusCode::NOT_FOUND,
                    code: "not_found",
                    message: e.to_string(),
                }
            }
            SearchError::Tantivy(_) => return ApiError::internal(e.to_string()),
        };
        ApiError::bad(code, e.to_string())
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
}

/// Reads a query string (`q`, `person`, `country`, `org`, `place`, `source` repeatable, `lang`,
/// `from`, `to`, `sort`, `limit`, `offset`, `facets`, `interval`, `top`) into a request.
fn parse_params(raw: Option<&str>) -> Result<(SearchRequest, Extra), ApiError> {
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
        match key.as_ref() {
            "q" | "query" => req.query = v,
            "person" => req.persons.extend(set(v)),
            "country" => req.countries.extend(set(v)),
            "org" => req.orgs.extend(set(v)),
            "place" => req.places.extend(set(v)),
            "source" => req.sources.extend(set(v)),
            "lang" => req.lang = set(v),
            "from" => req.from = set(v),
            "to" => req.to = set(v),
            "sort" => {
                req.sort = match v.as_str() {
                    "" | "relevance" => Sort::Relevance,
                    "newest" => Sort::Newest,
                    "oldest" => Sort::Oldest,
                    _ => {
                        return Err(ApiError::bad(
                            "bad_parameter",
                            "sort must be relevance, newest or oldest",
                        ))
                    }
                }
            }
            "limit" => req.limit = number("limit", &v)?,
            "offset" => req.offset = number("offset", &v)?,
            "facets" => req.facets = matches!(v.as_str(), "1" | "true" | "yes" | ""),
            "top" => extra.top = Some(number("top", &v)?),
            "interval" => {
                extra.interval = Some(match v.as_str() {
                    "day" => Interval::Day,
                    "week" => Interval::Week,
                    "month" => Interval::Month,
                    "year" => Interval::Year,
                    _ => {
                        return Err(ApiError::bad(
                            "bad_parameter",
                            "interval must be day, week, month or year",
                        ))
                    }
                })
            }
            _ => {}
        }
    }
    check(&req)?;
    Ok((req, extra))
}

/// Limits every request must respect.
fn check(req: &SearchRequest) -> Result<(), ApiError> {
    if req.query.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::bad(
            "query_too_long",
            format!("the query is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    if req.limit > MAX_LIMIT {
        return Err(ApiError::bad(
            "limit_too_large",
            format!("limit is at most {MAX_LIMIT}"),
        ));
    }
    Ok(())
}

/// Runs blocking index work on the blocking pool, under [`REQUEST_TIMEOUT`].
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<T, ApiError> {
    match tokio::time::timeout(REQUEST_TIMEOUT, tokio::task::spawn_blocking(f)).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => Err(ApiError::internal(format!("the request failed: {e}"))),
        Err(_) => Err(ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "timeout",
            message: format!("the request took longer than {} s", REQUEST_TIMEOUT.as_secs()),
        }),
    }
}

type Shared = Arc<WartaIndex>;

async fn search_get(State(wi): State<Shared>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let (req, _) = parse_params(raw.as_deref())?;
    let resp = blocking(move || Ok(search::search(&wi, &req)?)).await?;
    Ok(Json(resp).into_response())
}

async fn search_post(State(wi): State<Shared>, body: axum::body::Bytes) -> Result<Response, ApiError> {
    let req: SearchRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad("bad_request", format!("the body is not a search request: {e}")))?;
    check(&req)?;
    let resp = blocking(move || Ok(search::search(&wi, &req)?)).await?;
    Ok(Json(resp).into_response())
}

async fn article(State(wi): State<Shared>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let found = blocking(move || Ok(search::articles(&wi, &id)?.swap_remove(0))).await?;
    Ok(Json(found).into_response())
}

async fn facets(
    State(wi): State<Shared>,
    Path(field): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (req, extra) = parse_params(raw.as_deref())?;
    let top = extra.top.unwrap_or(20).min(MAX_LIMIT);
    let resp = blocking(move || Ok(search::facets_response(&wi, &field, &req, top)?)).await?;
    Ok(Json(resp).into_response())
}

async fn timeline(State(wi): State<Shared>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let (req, extra) = parse_params(raw.as_deref())?;
    let interval = extra.interval.unwrap_or_default();
    let resp = blocking(move || Ok(search::timeline(&wi, &req, interval)?)).await?;
    Ok(Json(resp).into_response())
}

async fn stats(State(wi): State<Shared>) -> Result<Response, ApiError> {
    let resp = blocking(move || Ok(search::stats(&wi)?)).await?;
    Ok(Json(resp).into_response())
}

async fn health(State(wi): State<Shared>) -> Result<Response, ApiError> {
    let articles = blocking(move || Ok(wi.searcher()?.num_docs())).await?;
    Ok(Json(serde_json::json!({ "status": "ok", "articles": articles })).into_response())
}

async fn not_found() -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        code: "not_found",
        message: "no such endpoint".to_string(),
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
pub fn router(wi: Arc<WartaIndex>) -> Router {
    Router::new()
        .route("/", get(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }))
        .route("/app.css", get(|| async { asset("text/css; charset=utf-8", APP_CSS) }))
        .route("/app.js", get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }))
        .route("/api/search", get(search_get).post(search_post))
        .route("/api/articles/{*id}", get(article))
        .route("/api/facets/{field}", get(facets))
        .route("/api/timeline", get(timeline))
        .route("/api/stats", get(stats))
        .route("/api/health", get(health))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
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
        .with_state(wi)
}

/// Serves the index at `addr` until the process is stopped; `on_ready` gets the bound
/// address (port 0 picks a free port) once the server accepts connections.
pub fn serve(wi: WartaIndex, addr: SocketAddr, on_ready: impl FnOnce(SocketAddr)) -> anyhow::Result<()> {
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
        axum::serve(listener, router(Arc::new(wi)))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("the server stopped")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_repeat_and_are_checked() {
        let (req, extra) = parse_params(Some(
            "q=putin&country=KP&country=Korea%20Utara&source=AP&limit=5&interval=week&facets=1",
        ))
        .unwrap();
        assert_eq!(req.query, "putin");
        assert_eq!(req.countries, ["KP", "Korea Utara"]);
        assert_eq!(req.sources, ["AP"]);
        assert_eq!(req.limit, 5);
        assert!(req.facets);
        assert_eq!(extra.interval, Some(Interval::Week));
        assert_eq!(parse_params(Some("limit=5000")).unwrap_err().code, "limit_too_large");
        assert_eq!(parse_params(Some("limit=many")).unwrap_err().code, "bad_parameter");
        let long = format!("q={}", "a".repeat(MAX_QUERY_CHARS + 1));
        assert_eq!(parse_params(Some(&long)).unwrap_err().code, "query_too_long");
    }
}
