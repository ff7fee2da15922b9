//! warta: full-text and entity search for news archives, on tantivy.
//!
//! The data flows one way through one module per stage:
//! [`ingest`] (files to articles) → [`extract`] (language, entities) → [`index`] (schema,
//! writer, incremental bookkeeping) → [`search`] (queries, filters, snippets, counts) →
//! [`export`] (search results for other tools). [`text`] (words, analyzers, stemmers) serves
//! both extraction and indexing. The `warta` command and server
//! (crates/warta-cli), the evaluation tool and the benchmark are clients of this library.
//!
//! The common path needs only the names re-exported here:
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::path::{Path, PathBuf};
//!
//! let index = Path::new("warta-index");
//! let summary = warta::index_paths(index, &[PathBuf::from("news")], &warta::IndexOptions::default(), &())?;
//! println!("{} articles", summary.total_articles);
//!
//! let wi = warta::WartaIndex::open(index)?;
//! let request = warta::SearchRequest {
//!     query: "putin".into(),
//!     countries: vec!["Korea Utara".into()],
//!     ..Default::default()
//! };
//! for hit in warta::search(&wi, &request)?.hits {
//!     println!("{} {}", hit.id, hit.title);
//! }
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

pub mod export;
pub mod extract;
pub mod index;
pub mod ingest;
pub mod search;
pub mod text;

pub use export::{export, ExportError, ExportFormat};
pub use extract::{enrich, Enriched, Entities};
pub use index::{index_paths, IndexError, IndexOptions, Progress, RunSummary, WartaIndex};
pub use ingest::{read_file, Article, Format};
pub use search::{
    facets_response, search, show, stats, timeline, ArticleView, SearchError, SearchRequest, SearchResponse, Sort,
};
