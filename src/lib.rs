//! warta: full-text and entity search for news archives, on tantivy.
//!
//! The data flows one way through one module per stage:
//! [`ingest`] (files to articles) → [`extract`] (language, entities) → [`index`] (schema,
//! writer, incremental bookkeeping) → [`search`] (queries, filters, snippets, counts) →
//! [`output`] (tables for people, JSON for programs); [`export`] hands search results to
//! other tools. The `warta` binary is one client of this
//! library; [`cli`] holds its commands.

pub mod cli;
pub mod eval;
pub mod export;
pub mod extract;
pub mod index;
pub mod ingest;
pub mod output;
pub mod search;
pub mod serve;
pub mod train;
