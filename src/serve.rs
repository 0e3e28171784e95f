//! The HTTP API of `passim serve`: the same JSON as `passim search --json`,
//! over axum on tokio.
//!
//! | route | answer |
//! | --- | --- |
//! | `GET /search?q=QUERY` | `{schema_version, query, by, offset, limit, hits: [...], warnings: [...]}`; each hit is exactly a line of `passim search --json` |
//! | `GET /articles/{id}` | `{schema_version, article, passages: [...]}`, passages in order |
//! | `GET /stats` | `{schema_version, ...}` with the keys of `passim stats --json` ([`crate::stats::Summary`]), then `bytes` and `meta` as before |
//! | `GET /health` | `{schema_version, status: "ok"}` |
//!
//! `/search` also takes `limit`, `offset`, `by` (`passage` or `article`),
//! `per_article`, `snippet_chars`, `pre`, `post` and `fields`, with the
//! meaning of the `passim search` options of the same name. Errors are
//! JSON too: `{schema_version, error: {status, code, message}}`.
//!
//! Searches run on tokio's blocking pool, so slow queries never stall the
//! connections. The [`Searcher`] follows new commits by itself.
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! let index = passim::Index::open("index")?;
//! let searcher = std::sync::Arc::new(passim::Searcher::new(&index)?);
//! let listener = tokio::net::TcpListener::bind(passim::serve::DEFAULT_ADDR).await?;
//! axum::serve(listener, passim::serve::router(searcher)).await?;
//! # Ok(()) }
//! ```

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::output::fields::{FieldSelection, HitKind};
use crate::output::json::{self, SCHEMA_VERSION};
use crate::output::{Markers, RenderOptions};
use crate::search::{DEFAULT_LIMIT, SearchError, SearchOptions, Searcher};

/// Where `passim serve` listens unless told otherwise: loopback only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:7700";
/// Longest query text accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 1024;
/// Largest `limit` accepted.
pub const MAX_LIMIT: usize = 1000;
/// Largest `offset` accepted (deep pages cost memory on every request).
pub const MAX_OFFSET: usize = 10_000;
/// Largest `per_article` accepted.
pub const MAX_PER_ARTICLE: usize = 100;
/// Longest request target (path and query string), in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Largest request body accepted, in bytes (no route reads one).
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Longest a request may take before it is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A JSON error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable machine-readable code (`bad_query`, `not_found`, ...).
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    fn internal(message: impl std::fmt::Display) -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            message.to_string(),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "schema_version": SCHEMA_VERSION,
            "error": {"status": self.status.as_u16(), "code": self.code, "message": self.message},
        });
        (self.status, axum::Json(body)).into_response()
    }
}

/// The query string of `GET /search`; unknown parameters are refused so
/// that a typo (`limt=`) is not silently ignored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchParams {
    q: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    by: Option<HitKind>,
    per_article: Option<usize>,
    snippet_chars: Option<usize>,
    pre: Option<String>,
    post: Option<String>,
    fields: Option<String>,
}

/// The routes, with request bounds and timeouts, over one shared searcher.
pub fn router(searcher: Arc<Searcher>) -> Router {
    Router::new()
        .route("/search", get(search))
        .route("/articles/{*id}", get(article))
        .route("/stats", get(stats))
        .route("/health", get(health))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(searcher)
        .layer(middleware::from_fn(bound_request))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
}

/// Refuses long request targets and declared bodies over the limit
/// before any handler runs.
async fn bound_request(req: Request, next: Next) -> Response {
    let target = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > MAX_URI_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("the request target is {target} bytes; the limit is {MAX_URI_BYTES}"),
        )
        .into_response();
    }
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(len) = declared
        && len > MAX_BODY_BYTES as u64
    {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is {len} bytes; the limit is {MAX_BODY_BYTES}"),
        )
        .into_response();
    }
    let response = next.run(req).await;
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE
        && response.headers().get(axum::http::header::CONTENT_TYPE)
            != Some(&axum::http::HeaderValue::from_static("application/json"))
    {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is over {MAX_BODY_BYTES} bytes"),
        )
        .into_response();
    }
    response
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such route; try /search?q=..., /articles/ID, /stats or /health",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "only GET is served",
    )
}

async fn health() -> axum::Json<Value> {
    axum::Json(json!({"schema_version": SCHEMA_VERSION, "status": "ok"}))
}

/// Runs blocking index work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)?
}

async fn search(
    State(searcher): State<Arc<Searcher>>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<axum::Json<Value>, ApiError> {
    let Query(p) = params.map_err(|e| ApiError::bad_request("bad_request", e.body_text()))?;
    let request = SearchRequest::validate(p)?;
    blocking(move || request.run(&searcher))
        .await
        .map(axum::Json)
}

/// A checked `/search` request.
struct SearchRequest {
    query: String,
    kind: HitKind,
    opts: SearchOptions,
    render: RenderOptions,
}

impl SearchRequest {
    fn validate(p: SearchParams) -> Result<SearchRequest, ApiError> {
        let query = p.q.unwrap_or_default();
        if query.trim().is_empty() {
            return Err(ApiError::bad_request(
                "bad_query",
                "the query is empty; pass it as q=...",
            ));
        }
        if query.len() > MAX_QUERY_BYTES {
            return Err(ApiError::bad_request(
                "query_too_long",
                format!(
                    "the query is {} bytes; the limit is {MAX_QUERY_BYTES}",
                    query.len()
                ),
            ));
        }
        let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
        let offset = p.offset.unwrap_or(0);
        for (name, value, max) in [
            ("limit", limit, MAX_LIMIT),
            ("offset", offset, MAX_OFFSET),
            ("per_article", p.per_article.unwrap_or(0), MAX_PER_ARTICLE),
        ] {
            if value > max {
                return Err(ApiError::bad_request(
                    "out_of_range",
                    format!("{name} is {value}; the most allowed is {max}"),
                ));
            }
        }
        for (name, value) in [
            ("snippet_chars", p.snippet_chars),
            ("per_article", p.per_article),
        ] {
            if value == Some(0) {
                return Err(ApiError::bad_request(
                    "out_of_range",
                    format!("{name} must be at least 1"),
                ));
            }
        }
        let kind = p.by.unwrap_or_default();
        let fields = p
            .fields
            .map(|spec| FieldSelection::parse(&spec, kind))
            .transpose()
            .map_err(|e| ApiError::bad_request("bad_fields", e.to_string()))?;
        let markers = (p.pre.is_some() || p.post.is_some()).then(|| Markers {
            pre: p.pre.unwrap_or_default(),
            post: p.post.unwrap_or_default(),
        });
        Ok(SearchRequest {
            query,
            kind,
            opts: SearchOptions {
                limit,
                offset,
                per_article: p.per_article,
            },
            render: RenderOptions {
                snippet_chars: p.snippet_chars,
                markers,
                fields,
            },
        })
    }

    fn run(self, searcher: &Searcher) -> Result<Value, ApiError> {
        let failed = |e: SearchError| match e {
            SearchError::Query(q) => ApiError::bad_request("bad_query", q.to_string()),
            SearchError::Index(e) => ApiError::internal(e),
        };
        let (hits, warnings): (Vec<Value>, Vec<String>) = match self.kind {
            HitKind::Passage => {
                let r = searcher.search(&self.query, &self.opts).map_err(failed)?;
                let hits = r
                    .hits
                    .iter()
                    .map(|h| json::hit_value(h, None, &self.render))
                    .collect();
                (hits, r.warnings)
            }
            HitKind::Article => {
                let r = searcher
                    .search_articles(&self.query, &self.opts)
                    .map_err(failed)?;
                let hits = r
                    .hits
                    .iter()
                    .map(|h| json::article_value(h, None, &self.render))
                    .collect();
                (hits, r.warnings)
            }
        };
        Ok(json!({
            "schema_version": SCHEMA_VERSION,
            "query": self.query,
            "by": match self.kind { HitKind::Passage => "passage", HitKind::Article => "article" },
            "offset": self.opts.offset,
            "limit": self.opts.limit,
            "hits": hits,
            "warnings": warnings,
        }))
    }
}

async fn article(
    State(searcher): State<Arc<Searcher>>,
    Path(id): Path<String>,
) -> Result<axum::Json<Value>, ApiError> {
    blocking(move || {
        let found = searcher.article(&id).map_err(ApiError::internal)?;
        let Some(stored) = found else {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no article with id {id:?}"),
            ));
        };
        Ok(json!({
            "schema_version": SCHEMA_VERSION,
            "article": stored.article,
            "passages": stored.passages,
        }))
    })
    .await
    .map(axum::Json)
}

async fn stats(State(searcher): State<Arc<Searcher>>) -> Result<axum::Json<Value>, ApiError> {
    blocking(move || {
        let stats = searcher.stats().map_err(ApiError::internal)?;
        let mut value = serde_json::to_value(stats).map_err(ApiError::internal)?;
        if let Value::Object(map) = &mut value {
            map.shift_insert(0, "schema_version".into(), json!(SCHEMA_VERSION));
        }
        Ok(value)
    })
    .await
    .map(axum::Json)
}
