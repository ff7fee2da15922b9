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

use crate::output::{self, Style};
use warta::extract::gazetteer::Kind;
use warta::extract::{self as extraction, ExtractedArticle};
use warta::index::{self, IndexOptions, Progress, WartaIndex};
use warta::ingest::{self, Format};
use warta::search::facets::Interval;
use warta::search::{self, CountBy, SearchRequest, Sort};

/// Full-text and entity search for news archives.
#[derive(Debug, Parser)]
#[command(name = "warta", version, about, long_about = None)]
pub struct Cli {
    /// When to colour output and mark matched words: auto (on a terminal, unless NO_COLOR is
    /// set), always, never. Uncoloured output is plain text.
    #[arg(long, global = true, value_name = "WHEN", value_parser = ["auto", "always", "never"], default_value = "auto")]
    pub color: String,
    #[command(subcommand)]
    pub command: Command,
}

/// Filters shared by search, facets and timeline.
#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Only articles published on or after this date (YYYY, YYYY-MM, YYYY-MM-DD, RFC 3339)
    #[arg(long)]
    pub from: Option<String>,
    /// Only articles published on or before this date (the whole day/month/year given)
    #[arg(long)]
    pub to: Option<String>,
    /// Count days (--from/--to, timelines) and show dates in this time zone instead of each
    /// article's own: UTC, an offset (+07:00), WIB, WITA, WIT or a name (Asia/Jakarta)
    #[arg(long, value_name = "ZONE", allow_hyphen_values = true)]
    pub tz: Option<String>,
    /// Only articles from this source (case-insensitive; repeat for any of several). A source
    /// the index does not hold is an error suggesting the nearest ones
    #[arg(long = "source", value_name = "NAME")]
    pub sources: Vec<String>,
    /// Only articles in this language (ISO 639-1 code: id, en, ...; or its name: indonesian,
    /// english, ...). A language no article is in is an error listing the index's codes
    #[arg(long)]
    pub lang: Option<String>,
    /// Only articles mentioning this person (any alias or part of the name; repeat: all of them)
    #[arg(long = "person", value_name = "NAME")]
    pub persons: Vec<String>,
    /// Only articles mentioning this country (code or name in any supported language; repeat: all)
    #[arg(long = "country", value_name = "NAME")]
    pub countries: Vec<String>,
    /// Only articles mentioning this organization (name or acronym; repeat: all of them)
    #[arg(long = "org", value_name = "NAME")]
    pub orgs: Vec<String>,
    /// Only articles mentioning this place (repeat: all of them)
    #[arg(long = "place", value_name = "NAME")]
    pub places: Vec<String>,
    /// Only articles with every query term: when none has them all, match nothing instead of
    /// showing the articles with most of them
    #[arg(long)]
    pub strict: bool,
    /// What facets and timelines count: articles, or stories (the copies of one text once, at
    /// the earliest that matches)
    #[arg(long, value_parser = count_choice(), default_value = "articles", hide_default_value = true)]
    pub count: CountBy,
}

impl FilterArgs {
    /// A request with these filters and the query words joined.
    fn request(self, query: &[String]) -> SearchRequest {
        SearchRequest {
            query: query.join(" "),
            from: self.from,
            to: self.to,
            tz: self.tz,
            sources: self.sources,
            lang: self.lang,
            persons: self.persons,
            countries: self.countries,
            orgs: self.orgs,
            places: self.places,
            strict: self.strict,
            count: self.count,
            ..SearchRequest::default()
        }
    }
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
    /// Index directories or files of articles (incremental: only new or changed files are read;
    /// no paths: re-sync those the index was built from)
    Index(IndexArgs),
    /// Search the index
    Search(SearchArgs),
    /// Top values of one facet (person, country, org, place, source, lang) over the matches of a query
    Facets(FacetsArgs),
    /// Matching articles counted per day, week, month or year
    Timeline(TimelineArgs),
    /// Entities found with a person, country, org or place more often than their frequency
    /// predicts (log-likelihood ratio)
    #[command(
        after_help = "The entity filters (--person, --country, --org, --place; at least one) are what the entities listed are related to; the query and the other filters narrow their articles."
    )]
    Related(RelatedArgs),
    /// Read files and print each article's language and entities, without an index
    Extract(ExtractArgs),
    /// Print one article with its metadata
    Show(ShowArgs),
    /// Serve the HTTP JSON API and the search page (read-only; follows new commits)
    Serve(ServeArgs),
    /// Write every article matching a query (not only a page) as JSON Lines or CSV
    Export(ExportArgs),
    /// Counts by language and source, date range, size, and the last run's skipped files
    Stats(StatsArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to standard output
    Completions(CompletionsArgs),
    /// Print the man page (roff) to standard output
    Man(ManArgs),
}

impl Command {
    /// Whether the command was asked for JSON: then its errors are JSON too.
    fn json(&self) -> bool {
        match self {
            Command::Search(a) => a.json,
            Command::Facets(a) => a.json,
            Command::Timeline(a) => a.json,
            Command::Related(a) => a.json,
            Command::Extract(a) => a.json,
            Command::Show(a) => a.json,
            Command::Stats(a) => a.json,
            _ => false,
        }
    }
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell; e.g. `warta completions bash > ~/.local/share/bash-completion/completions/warta`
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Directories (walked recursively) and files to index [default: every path the index
    /// was built from, as `warta stats` lists them]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub index: IndexArg,
    /// Delete the index and build it from scratch
    #[arg(long)]
    pub rebuild: bool,
    /// Worker threads [default: number of cores]
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub threads: Option<u16>,
    /// Memory budget of the index writer in MiB
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(16..=16384))]
    pub memory_mb: u64,
    /// No progress bar or warnings on stderr (the summary still prints)
    #[arg(long, short)]
    pub quiet: bool,
    /// Fail (exit 2) when any file or record was skipped or indexed with a warning (text
    /// cut, markup flattened...); what could be read is still indexed
    #[arg(long)]
    pub strict: bool,
    /// Also commit after this many new articles [default: by time only]
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub commit_every: Option<u64>,
    /// Commit every this many seconds while articles are added, so an interrupted run
    /// loses little work and searches see its progress
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub commit_interval: u64,
    /// Also follow symbolic links that lead outside the indexed paths (by default they are
    /// skipped and counted)
    #[arg(long)]
    pub follow_external_links: bool,
    /// After indexing, keep following the paths and index what changes (added, changed and
    /// deleted files), at most once every --commit-interval seconds, until interrupted
    #[arg(long)]
    pub watch: bool,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Query: words (ANDed), "phrases", a OR b, -excluded, title:word, prefix*
    pub query: Vec<String>,
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Result order [default: relevance; newest when there is no query]
    #[arg(long, value_parser = sort_choice(), default_value = "relevance", hide_default_value = true)]
    pub sort: Sort,
    /// Number of results (0: only the count, and facets with --facets)
    #[arg(long, short = 'n', default_value_t = 10, allow_hyphen_values = true, value_parser = limit_value)]
    pub limit: u64,
    /// Results to skip (for paging; offset + limit at most 10000)
    #[arg(long, default_value_t = 0, allow_hyphen_values = true, value_parser = offset_value)]
    pub offset: usize,
    /// Also count the top persons, countries, orgs, places, sources and languages of all matches
    #[arg(long)]
    pub facets: bool,
    /// Show every copy of a story (by default a story republished by several outlets shows
    /// once, as its best-ranked copy, with the others named)
    #[arg(long)]
    pub expand: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct FacetsArgs {
    /// person, country, org, place, source or lang
    pub field: String,
    /// Query (as for search); none counts over all articles
    pub query: Vec<String>,
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Number of values
    #[arg(long, default_value_t = 20, allow_hyphen_values = true, value_parser = facet_top_value)]
    pub top: u64,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// Query (as for search); none counts all articles
    pub query: Vec<String>,
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Interval size
    #[arg(long, value_parser = interval_choice(), default_value = "month")]
    pub interval: Interval,
    /// One series per --person, --country, --org and --place (each entity's own articles)
    /// instead of the articles mentioning them all
    #[arg(long)]
    pub series: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RelatedArgs {
    /// Query (as for search) narrowing the articles of the entities given
    pub query: Vec<String>,
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Only entities of this kind [default: every kind]
    #[arg(long, value_parser = kind_choice())]
    pub kind: Option<Kind>,
    /// Number of entities
    #[arg(long, default_value_t = 10, allow_hyphen_values = true, value_parser = related_top_value)]
    pub top: u64,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Article files (any supported format)
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Article id, as search results print it
    pub id: String,
    #[command(flatten)]
    pub index: IndexArg,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub index: IndexArg,
    /// Address to listen on: HOST:PORT, localhost:PORT or a bare PORT (on 127.0.0.1); anything
    /// but loopback makes the archive reachable from the network
    #[arg(long, default_value = "127.0.0.1:7700", value_parser = listen_addr)]
    pub addr: std::net::SocketAddr,
    /// Seconds a client has to send a request's headers (and an idle connection its next request)
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout: u64,
    /// Connections served at once; further ones wait to be accepted
    #[arg(long, value_name = "N", default_value_t = 512, value_parser = clap::value_parser!(u64).range(1..=65536))]
    pub max_connections: u64,
    /// Show articles' paths as on this machine's disk (by default relative to the indexed root)
    #[arg(long)]
    pub absolute_paths: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Query (as for search); none exports all articles
    pub query: Vec<String>,
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Output format
    #[arg(long, value_parser = export_choice(), default_value = "jsonl")]
    pub format: warta::export::ExportFormat,
    /// Also write each article's text (the `body` field or column; always for a cluster)
    #[arg(long)]
    pub with_text: bool,
    /// Write to this file instead of standard output (opensearch, quickwit: this directory)
    #[arg(long, value_name = "FILE|DIR", required_if_eq_any = [("format", "opensearch"), ("format", "quickwit")])]
    pub out: Option<PathBuf>,
    /// opensearch, quickwit: the cluster's index name
    #[arg(long, value_name = "NAME", default_value = "warta")]
    pub index_name: String,
    /// opensearch, quickwit: the most MiB of NDJSON in one file
    #[arg(long, value_name = "MB", default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub chunk_mb: u64,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub index: IndexArg,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Runs the command line and returns the process exit code.
/// A clap parser for one of the library's named choices: the names it lists in `--help`
/// (with a description when there is one), parsed back to the value.
fn named_choice<T: Copy + Send + Sync + 'static>(
    all: &'static [T],
    name: fn(T) -> &'static str,
    help: fn(T) -> Option<&'static str>,
) -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    let values = all.iter().map(move |&v| {
        let value = PossibleValue::new(name(v));
        match help(v) {
            Some(h) => value.help(h),
            None => value,
        }
    });
    PossibleValuesParser::new(values).map(move |s| *all.iter().find(|&&v| name(v) == s).expect("clap checked the name"))
}

/// `serve --addr`: a socket address, a host name and port (`localhost:7797`, resolved, IPv4
/// first), or a bare port on the loopback address.
fn listen_addr(s: &str) -> Result<std::net::SocketAddr, String> {
    use std::net::{Ipv4Addr, SocketAddr, ToSocketAddrs};
    if let Ok(port) = s.parse::<u16>() {
        return Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    }
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let resolved: Vec<SocketAddr> = s
        .to_socket_addrs()
        .map_err(|e| format!("not an address to listen on (HOST:PORT, localhost:PORT or PORT): {e}"))?
        .collect();
    resolved
        .iter()
        .find(|a| a.is_ipv4())
        .or(resolved.first())
        .copied()
        .ok_or_else(|| format!("{s} resolves to no address"))
}

/// `--limit`: a number from 0 to [`search::MAX_RESULT_WINDOW`]. Negative numbers reach this
/// parser (not clap's hint to write `-- -1`, which would make them query words).
fn limit_value(s: &str) -> Result<u64, String> {
    bounded("limit", s, 0, search::MAX_RESULT_WINDOW as u64)
}

/// A count flag's value from `min` to `max`, with a message that says so: a negative number
/// reaches here rather than clap's hint to write `-- -1`, which would make it a query word.
fn bounded(flag: &str, s: &str, min: u64, max: u64) -> Result<u64, String> {
    s.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("{flag} must be a number from {min} to {max}"))
}

/// `facets --top`.
fn facet_top_value(s: &str) -> Result<u64, String> {
    bounded("top", s, 1, 100_000)
}

/// `related --top`.
fn related_top_value(s: &str) -> Result<u64, String> {
    bounded("top", s, 1, 1000)
}

/// `--offset`: a number from 0 (its sum with the limit is checked by the search).
fn offset_value(s: &str) -> Result<usize, String> {
    s.trim()
        .parse::<usize>()
        .map_err(|_| "offset must be a number, 0 or more".to_string())
}

fn sort_choice() -> impl clap::builder::TypedValueParser<Value = Sort> {
    named_choice(&Sort::ALL, Sort::name, |s| {
        (s == Sort::Relevance).then_some("Best BM25 match first (newest first when there is no query)")
    })
}

fn count_choice() -> impl clap::builder::TypedValueParser<Value = CountBy> {
    named_choice(&CountBy::ALL, CountBy::name, |_| None)
}

fn interval_choice() -> impl clap::builder::TypedValueParser<Value = Interval> {
    named_choice(&Interval::ALL, Interval::name, |_| None)
}

fn kind_choice() -> impl clap::builder::TypedValueParser<Value = Kind> {
    named_choice(&search::ENTITY_KINDS, search::kind_name, |_| None)
}

fn export_choice() -> impl clap::builder::TypedValueParser<Value = warta::export::ExportFormat> {
    use warta::export::ExportFormat;
    named_choice(&ExportFormat::ALL, ExportFormat::name, |f| {
        Some(match f {
            ExportFormat::Jsonl => "One JSON object per line",
            ExportFormat::Csv => "RFC 4180 CSV, UTF-8, with a header; several values in a cell joined with \"; \"",
            ExportFormat::Opensearch => {
                "An OpenSearch/Elasticsearch index template and bulk NDJSON files (into --out DIR)"
            }
            ExportFormat::Quickwit => "A Quickwit index config and NDJSON files (into --out DIR)",
        })
    })
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let json = cli.command.json();
    match run(cli) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            report_error(&e, json);
            ExitCode::from(2)
        }
    }
}

/// Prints a failed command's error: `warta: error: ...` on stderr, or with `--json` the JSON
/// error object of the HTTP API on stdout, where a program reading the JSON looks.
fn report_error(e: &anyhow::Error, json: bool) {
    // Damage is reported alone: the errors around it (a search failed, tantivy's I/O error)
    // only repeat it less clearly.
    let damage = e.chain().find_map(index::damage::damage_in);
    let message = match &damage {
        Some(damage) => damage.to_string(),
        None => format!("{e:#}"),
    };
    if !json {
        eprintln!("warta: error: {}", output::visible(&message));
        return;
    }
    let search = e.chain().find_map(|c| c.downcast_ref::<search::SearchError>());
    let code = match (search, &damage) {
        (_, Some(_)) => "damaged_index",
        (Some(s), None) => s.code(),
        (None, None)
            if e.chain()
                .any(|c| matches!(c.downcast_ref(), Some(index::IndexError::Missing(_)))) =>
        {
            "no_index"
        }
        (None, None) => "error",
    };
    let suggestions = search.map_or(&[][..], |s| s.suggestions());
    println!("{}", output::error_object(code, &message, suggestions));
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

/// Runs one parsed command.
/// `--color`: `always`, `never`, or on a terminal that does not ask for no colour (`NO_COLOR`,
/// as no-color.org defines it: set and not empty).
fn wants_color(when: &str) -> bool {
    match when {
        "always" => true,
        "never" => false,
        _ => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    let style = Style {
        color: wants_color(&cli.color),
    };
    match cli.command {
        Command::Index(args) => run_index(args),
        Command::Search(args) => run_search(args, style),
        Command::Facets(args) => run_facets(args),
        Command::Timeline(args) => run_timeline(args),
        Command::Related(args) => run_related(args),
        Command::Extract(args) => run_extract(args),
        Command::Export(args) => run_export(args),
        Command::Show(args) => run_show(args, style),
        Command::Serve(args) => run_serve(args),
        Command::Stats(args) => run_stats(args),
        Command::Completions(args) => run_completions(args),
        Command::Man(ManArgs {}) => run_man(),
    }
}

/// `warta completions SHELL`: the completion script clap_complete writes from the commands'
/// own definitions, so it never lags behind them.
fn run_completions(args: CompletionsArgs) -> Result<ExitCode> {
    use clap::CommandFactory;
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "warta", &mut std::io::stdout().lock());
    Ok(ExitCode::SUCCESS)
}

/// `warta man`: the man page (roff), from the same definitions.
fn run_man() -> Result<ExitCode> {
    use clap::CommandFactory;
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The exit code of a command that looks for articles, as ripgrep's: 0 when something matched,
/// 1 when nothing did (errors are 2).
fn matched(found: bool) -> ExitCode {
    if found {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `warta index`: Indexes the paths (incrementally unless `--rebuild`) and prints the run's
/// summary; with `--watch`, then follows them.
fn run_index(args: IndexArgs) -> Result<ExitCode> {
    let IndexArgs {
        paths,
        index,
        rebuild,
        threads,
        memory_mb,
        quiet,
        strict,
        commit_every,
        commit_interval,
        follow_external_links,
        watch,
    } = args;
    let mut opts = IndexOptions {
        rebuild,
        memory_mb: memory_mb as usize,
        commit_every,
        commit_interval: std::time::Duration::from_secs(commit_interval),
        follow_external_links,
        ..IndexOptions::default()
    };
    if let Some(t) = threads {
        opts.threads = t as usize;
    }
    let summary = index_once(&index.index, &paths, &opts, quiet)?;
    if watch {
        // Later runs are incremental, over the same paths (or the roots now recorded).
        opts.rebuild = false;
        let roots = match paths.is_empty() {
            true => WartaIndex::open(&index.index)?.roots()?,
            false => paths.iter().map(std::path::absolute).collect::<std::io::Result<_>>()?,
        };
        let dir = &index.index;
        crate::watch::watch(dir, &roots, opts.commit_interval, || {
            if let Err(e) = index_once(dir, &paths, &opts, quiet) {
                eprintln!("warta: warning: indexing the changes failed (watching goes on): {e:#}");
            }
        })?;
    }
    let skipped = summary.files_skipped + summary.articles_skipped;
    if strict && (skipped > 0 || summary.warnings > 0) {
        eprintln!(
            "warta: error: {skipped} file(s) or record(s) skipped, {} warning(s) (--strict); `warta stats` lists them",
            summary.warnings
        );
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// One indexing run, its summary printed.
fn index_once(dir: &std::path::Path, paths: &[PathBuf], opts: &IndexOptions, quiet: bool) -> Result<index::RunSummary> {
    let progress = CliProgress::new(quiet);
    let summary = index::index_paths(dir, paths, opts, &progress)?;
    progress.finish();
    let mut out = std::io::stdout().lock();
    output::run_summary(&mut out, &summary, quiet)?;
    out.flush()?;
    Ok(summary)
}

/// `warta search`: Prints a page of matches (or JSON); exit 1 when nothing matches.
fn run_search(args: SearchArgs, style: Style) -> Result<ExitCode> {
    let SearchArgs {
        query,
        index,
        filters,
        sort,
        limit,
        offset,
        facets,
        expand,
        json,
    } = args;
    let mut out = std::io::stdout().lock();
    let wi = WartaIndex::open(&index.index)?;
    let req = SearchRequest {
        sort,
        limit: limit as usize,
        offset,
        facets,
        collapse: !expand,
        ..filters.request(&query)
    };
    let resp = wi.guard_result(|| search::search(&wi, &req))??;
    output::search_notices(
        &mut std::io::stderr(),
        &resp.query,
        resp.relaxed.as_ref(),
        &resp.approximate_names,
        &resp.suggestions,
    )?;
    print_answer(&mut out, json, &resp, |out| {
        output::search_results(out, &resp, &req, style)
    })?;
    out.flush()?;
    Ok(matched(resp.total > 0))
}

/// `warta facets`: Prints the top values of one facet over the matches.
fn run_facets(args: FacetsArgs) -> Result<ExitCode> {
    let FacetsArgs {
        field,
        query,
        index,
        filters,
        top,
        json,
    } = args;
    let mut out = std::io::stdout().lock();
    let wi = WartaIndex::open(&index.index)?;
    let req = filters.request(&query);
    let resp = wi.guard_result(|| search::facets_response(&wi, &field, &req, top as usize))??;
    count_notices(&resp.query, resp.relaxed.as_ref(), &resp.approximate_names)?;
    print_answer(&mut out, json, &resp, |out| {
        output::facet_table(out, &resp.field, &resp.values, resp.total, resp.counted.name())
    })?;
    Ok(matched(resp.total > 0))
}

/// `warta timeline`: Prints the matches counted per interval.
fn run_timeline(args: TimelineArgs) -> Result<ExitCode> {
    let TimelineArgs {
        query,
        index,
        filters,
        interval,
        series,
        json,
    } = args;
    let mut out = std::io::stdout().lock();
    let wi = WartaIndex::open(&index.index)?;
    let req = filters.request(&query);
    if series {
        return run_timeline_series(&wi, &req, interval, json);
    }
    let t = wi.guard_result(|| search::timeline(&wi, &req, interval))??;
    count_notices(&req.query, t.relaxed.as_ref(), &t.approximate_names)?;
    print_answer(&mut out, json, &t, |out| output::timeline(out, &t))?;
    Ok(matched(t.total > 0))
}

/// What a counting command (facets, timeline, related) says on stderr about how its matches
/// were found: a relaxed query, filter names matched one letter off.
fn count_notices(
    query: &str,
    relaxed: Option<&search::Relaxed>,
    approximate: &[search::ApproximateName],
) -> std::io::Result<()> {
    output::search_notices(&mut std::io::stderr(), query, relaxed, approximate, &[])
}

/// Prints `answer` as JSON under `--json`, else as `text` writes it.
fn print_answer<W: Write, T: serde::Serialize>(
    out: &mut W,
    json: bool,
    answer: &T,
    text: impl FnOnce(&mut W) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if json {
        output::json(out, answer)
    } else {
        text(out)
    }
}

/// `warta timeline --series`: Prints one timeline per entity filter, side by side.
fn run_timeline_series(wi: &WartaIndex, req: &SearchRequest, interval: Interval, json: bool) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let t = wi.guard_result(|| search::timeline_series(wi, req, interval))??;
    for s in &t.series {
        count_notices(&req.query, s.relaxed.as_ref(), &s.approximate_names)?;
    }
    print_answer(&mut out, json, &t, |out| output::timeline_series(out, &t))?;
    Ok(matched(t.series.iter().any(|s| s.total > 0)))
}

/// `warta related`: Prints the entities most over-represented in the articles of the entities given.
fn run_related(args: RelatedArgs) -> Result<ExitCode> {
    let RelatedArgs {
        query,
        index,
        filters,
        kind,
        top,
        json,
    } = args;
    let mut out = std::io::stdout().lock();
    let wi = WartaIndex::open(&index.index)?;
    let req = filters.request(&query);
    let resp = wi.guard_result(|| search::related(&wi, &req, kind, top as usize))??;
    count_notices(&resp.query, resp.relaxed.as_ref(), &resp.approximate_names)?;
    print_answer(&mut out, json, &resp, |out| output::related(out, &resp))?;
    Ok(matched(!resp.related.is_empty()))
}

/// `warta extract`: Reads files without an index and prints each article's language and entities.
fn run_extract(args: ExtractArgs) -> Result<ExitCode> {
    let ExtractArgs { files, json } = args;
    let mut out = std::io::stdout().lock();
    let (articles, problems) = extract_files(&files);
    if json {
        output::json(&mut out, &articles)?;
    } else {
        for a in &articles {
            output::extracted(&mut out, a)?;
        }
    }
    for p in &problems {
        eprintln!("warning: {}", output::visible(p));
    }
    Ok(if articles.is_empty() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// `warta export`: Writes every match, to stdout, a file, or a directory of cluster bulk files.
fn run_export(args: ExportArgs) -> Result<ExitCode> {
    let ExportArgs {
        query,
        index,
        filters,
        format,
        with_text,
        out: file,
        index_name,
        chunk_mb,
    } = args;
    let mut out = std::io::stdout().lock();
    let wi = WartaIndex::open(&index.index)?;
    let req = filters.request(&query);
    if let (Some(engine), Some(dir)) = (format.engine(), &file) {
        let written = wi.guard_result(|| {
            warta::export::cluster::export_to_cluster(&wi, &req, engine, &index_name, chunk_mb << 20, dir)
        })??;
        let config = written.files[0].file_name().unwrap_or_default().to_string_lossy();
        eprintln!(
            "{} articles written to {} NDJSON file(s) and {config} in {}",
            written.articles,
            written.files.len() - 1,
            output::visible(&dir.display().to_string())
        );
        return Ok(matched(written.articles > 0));
    }
    let written = match &file {
        Some(path) => {
            let created = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            let sink = std::io::BufWriter::new(created);
            let (n, sink) = wi.guard_result(|| warta::export::export(&wi, &req, format, with_text, None, sink))??;
            sink.into_inner()
                .map_err(|e| e.into_error())
                .and_then(|f| f.sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
            n
        }
        None => {
            wi.guard_result(|| warta::export::export(&wi, &req, format, with_text, None, &mut out))??
                .0
        }
    };
    out.flush()?;
    if let Some(path) = &file {
        eprintln!(
            "{written} articles written to {}",
            output::visible(&path.display().to_string())
        );
    }
    Ok(matched(written > 0))
}

/// `warta show`: Prints the article(s) with this id.
fn run_show(args: ShowArgs, style: Style) -> Result<ExitCode> {
    let ShowArgs { id, index, json } = args;
    let mut out = std::io::stdout().lock();
    let wi = WartaIndex::open(&index.index)?;
    let found = wi.guard_result(|| search::articles(&wi, &id))??;
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
            output::article(&mut out, a, style)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `warta serve`: Serves the HTTP API and the page until interrupted.
fn run_serve(args: ServeArgs) -> Result<ExitCode> {
    let ServeArgs {
        index,
        addr,
        header_timeout,
        max_connections,
        absolute_paths,
    } = args;
    let wi = WartaIndex::open(&index.index)?;
    let articles = wi
        .guard_result(|| wi.searcher().map(|s| s.num_docs()))?
        .context("cannot read the index")?;
    if !addr.ip().is_loopback() {
        eprintln!(
            "warta: warning: listening on {addr}: the archive is reachable from the network, without authentication"
        );
    }
    let dir = output::visible(&index.index.display().to_string()).into_owned();
    let opts = crate::serve::ServeOptions {
        header_timeout: std::time::Duration::from_secs(header_timeout),
        max_connections: max_connections as usize,
        absolute_paths,
    };
    crate::serve::serve(wi, addr, opts, |bound| {
        println!("warta: serving {articles} articles from {dir} at http://{bound}/ (Ctrl-C stops)");
        let _ = std::io::stdout().flush();
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `warta stats`: Prints what the index holds and what its last run skipped.
fn run_stats(args: StatsArgs) -> Result<ExitCode> {
    let StatsArgs { index, json } = args;
    let mut out = std::io::stdout().lock();
    let wi = WartaIndex::open(&index.index)?;
    let s = wi
        .guard_result(|| search::stats(&wi))?
        .context("cannot read the index")?;
    print_answer(&mut out, json, &s, |out| output::stats(out, &s))?;
    Ok(ExitCode::SUCCESS)
}

/// Reads and enriches files for `warta extract`; problems come back as messages.
fn extract_files(files: &[PathBuf]) -> (Vec<ExtractedArticle>, Vec<String>) {
    let mut articles = Vec::new();
    let mut problems = Vec::new();
    for path in files {
        let Some((format, gz)) = Format::of(path) else {
            problems.push(format!("{}: not an article file (by its extension)", path.display()));
            continue;
        };
        let base = path.display().to_string();
        let mut records = Vec::new();
        match ingest::read_file(path, format, gz, |r| records.push(r)) {
            Ok(()) => {
                for r in records {
                    let id = if r.multi {
                        format!("{base}#{}", r.n)
                    } else {
                        base.clone()
                    };
                    for w in &r.warnings {
                        problems.push(format!("{id}: {w}"));
                    }
                    match r.result {
                        Ok(a) => articles.push(ExtractedArticle::new(id, extraction::enrich(a))),
                        Err(e) => problems.push(format!("{id}: skipped: {e}")),
                    }
                }
            }
            Err(e) => problems.push(format!("{base}: skipped: {e}")),
        }
    }
    (articles, problems)
}

/// Progress on stderr: a bar on a terminal, plain warning lines otherwise. While the walk is
/// still finding files the total is not known, so a counter is shown; the bar and its
/// estimate appear once the walk is over.
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
                    "{spinner} [{elapsed_precise}] {pos}/{len} files read so far ({per_sec}), still looking for files",
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
    fn found(&self, files: u64) {
        if let Some(pb) = &self.bar {
            pb.inc_length(files);
        }
    }
    fn walked(&self, files: u64) {
        if let Some(pb) = &self.bar {
            pb.set_length(files);
            pb.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} files ({per_sec}, eta {eta})",
                )
                .expect("static template"),
            );
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
        let message = output::visible(message);
        match &self.bar {
            Some(pb) => pb.suspend(|| eprintln!("warning: {message}")),
            None => eprintln!("warning: {message}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses_take_a_port_a_host_or_both() {
        assert_eq!(listen_addr("7798").unwrap().to_string(), "127.0.0.1:7798");
        assert_eq!(listen_addr("0.0.0.0:80").unwrap().to_string(), "0.0.0.0:80");
        assert_eq!(listen_addr("[::1]:7700").unwrap().to_string(), "[::1]:7700");
        let local = listen_addr("localhost:7797").unwrap();
        assert!(local.ip().is_loopback() && local.port() == 7797, "{local}");
        assert!(listen_addr("nowhere").is_err());
        assert!(listen_addr("70000").is_err());
    }
}
