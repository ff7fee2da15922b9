//! warta's user-level tests, one binary: the command line through assert_cmd, the HTTP API,
//! the library's indexing and search through its public API, fuzzing and crash tests.

mod cli;
#[allow(dead_code)]
mod common;
mod crash;
mod dates;
mod entities;
mod export;
mod formats;
mod fuzz_http;
mod fuzz_ingest;
mod incremental;
mod integrity;
mod names;
mod progress;
mod properties;
mod queue;
mod readme;
mod related;
mod reliability;
mod roots;
mod search;
mod serve;
mod stories;
mod warc;
