//! The `warta` command line: flags, progress, exit codes. A thin client of the library.
//!
//! Exit codes follow ripgrep: 0 when something matched (or a command succeeded), 1 when a
//! search matched nothing, 2 on an error.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::index::{self, IndexOptions, Progress, WartaIndex};
use crate::output::{self, Style};
use crate::search::{self, SearchRequest, Sort};

/// Full-text and entity search for news archives.
#[derive(Debug, Parser)]
#[command(name = "warta", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Where the index lives.
#[derive(Debug, Args, Clone)]
pub struct IndexArg {
    /// Index directory [default: $WARTA_INDEX, else ./warta-index]
    #[arg(
        long,
        env = "WARTA_INDEX",
        default_value = "warta-index",
        hide_default_value = true,
        hide_env = true
    )]
    pub index: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index directories or files of articles (incremental: only new or changed files are read)
    Index {
        /// Directories (walked recursively) and files to index
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        index: IndexArg,
        /// Delete the index and build it from scratch
        #[arg(long)]
        rebuild: bool,
        /// Worker threads [default: number of cores]
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=64))]
        threads: Option<u16>,
        /// Memory budget of the index writer in MiB
        #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(16..=16384))]
        memory_mb: u64,
        /// No progress bar or warnings on stderr (the summary still prints)
        #[arg(long, short)]
        quiet: bool,
    },
    /// Search the index
    Search {
        /// Query: words (ANDed), "phrases", a OR b, -excluded, title:word, prefix*
        query: Vec<String>,
        #[command(flatten)]
        index: IndexArg,
        /// Only articles published on or after this date (YYYY, YYYY-MM, YYYY-MM-DD, RFC 3339)
        #[arg(long)]
        from: Option<String>,
        /// Only articles published on or before this date (the whole day/month/year given)
        #[arg(long)]
        to: Option<String>,
        /// Only articles from this source (case-insensitive; repeat for any of several)
        #[arg(long = "source")]
        sources: Vec<String>,
        /// Only articles in this language (ISO 639-1 code: id, en, ...)
        #[arg(long)]
        lang: Option<String>,
        /// Result order [default: relevance; newest when there is no query]
        #[arg(long, value_enum, default_value_t = Sort::Relevance, hide_default_value = true)]
        sort: Sort,
        /// Number of results
        #[arg(long, short = 'n', default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=10000))]
        limit: u64,
        /// Results to skip (for paging)
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Print one article with its metadata
    Show {
        /// Article id, as search results print it
        id: String,
        #[command(flatten)]
        index: IndexArg,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Counts by language and source, date range, size, and the last run's skipped files
    Stats {
        #[command(flatten)]
        index: IndexArg,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("warta: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn style() -> Style {
    Style {
        color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// Runs one parsed command.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli.command {
        Command::Index {
            paths,
            index,
            rebuild,
            threads,
            memory_mb,
            quiet,
        } => {
            let mut opts = IndexOptions {
                rebuild,
                memory_mb: memory_mb as usize,
                ..IndexOptions::default()
            };
            if let Some(t) = threads {
                opts.threads = t as usize;
            }
            let progress = CliProgress::new(quiet);
            let summary = index::index_paths(&index.index, &paths, &opts, &progress)?;
            progress.finish();
            output::run_summary(&mut out, &summary)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Search {
            query,
            index,
            from,
            to,
            sources,
            lang,
            sort,
            limit,
            offset,
            json,
        } => {
            let wi = WartaIndex::open(&index.index)?;
            let req = SearchRequest {
                query: query.join(" "),
                from,
                to,
                sources,
                lang,
                sort,
                limit: limit as usize,
                offset,
            };
            let resp = search::search(&wi, &req)?;
            if json {
                output::json(&mut out, &resp)?;
            } else {
                output::search_results(&mut out, &resp, offset, style())?;
            }
            out.flush()?;
            Ok(if resp.total > 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Show { id, index, json } => {
            let wi = WartaIndex::open(&index.index)?;
            let found = search::show(&wi, &id)?;
            if found.is_empty() {
                let similar = search::similar_ids(&wi, &id, 5)?;
                let hint = if similar.is_empty() {
                    String::new()
                } else {
                    format!("; similar ids: {}", similar.join(", "))
                };
                anyhow::bail!("no article with id {id:?}{hint}");
            }
            if json {
                if found.len() == 1 {
                    output::json(&mut out, &found[0])?;
                } else {
                    output::json(&mut out, &found)?;
                }
            } else {
                for (i, a) in found.iter().enumerate() {
                    if i > 0 {
                        writeln!(out, "\n---\n")?;
                    }
                    output::article(&mut out, a, style())?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Stats { index, json } => {
            let wi = WartaIndex::open(&index.index)?;
            let s = search::stats(&wi).context("cannot read the index")?;
            if json {
                output::json(&mut out, &s)?;
            } else {
                output::stats(&mut out, &s)?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Progress on stderr: a bar on a terminal, plain warning lines otherwise.
struct CliProgress {
    bar: Option<ProgressBar>,
    quiet: bool,
}

impl CliProgress {
    fn new(quiet: bool) -> CliProgress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            pb.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} files ({per_sec}, eta {eta})",
                )
                .expect("static template"),
            );
            pb
        });
        CliProgress { bar, quiet }
    }

    fn finish(&self) {
        if let Some(pb) = &self.bar {
            pb.finish_and_clear();
        }
    }
}

impl Progress for CliProgress {
    fn start(&self, files: u64) {
        if let Some(pb) = &self.bar {
            pb.set_length(files);
        }
    }
    fn advance(&self) {
        if let Some(pb) = &self.bar {
            pb.inc(1);
        }
    }
    fn warn(&self, message: &str) {
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(pb) => pb.suspend(|| eprintln!("warning: {message}")),
            None => eprintln!("warning: {message}"),
        }
    }
}
