//! The `warta` command line and web server, clients of the `warta` library.

pub mod cli;
pub mod output;
pub mod serve;
mod watch;
