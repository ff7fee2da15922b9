//! warta: full-text and entity search for news archives, on tantivy.
//!
//! The data flows one way through one module per stage:
//! [`ingest`] (files to articles) → [`extract`] (language, entities) → [`index`] (schema,
//! writer, incremental bookkeeping) → [`search`] (queries, filters, snippets, counts) →
//! [`export`] (search results for other tools). The `warta` command and server
//! (crates/warta-cli), the evaluation tool and the benchmark are clients of this library.

#[warn(missing_docs)]
pub mod export;
pub mod extract;
pub mod index;
#[warn(missing_docs)]
pub mod ingest;
#[warn(missing_docs)]
pub mod search;
