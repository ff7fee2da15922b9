//! Indexing runs in child processes, so each run's peak RSS is its own.
//!
//! The parent re-executes its own binary as `warta-bench child index --engine warta|baseline
//! --index DIR --threads N --memory-mb M [--incremental] INPUT...`; the child indexes, then
//! prints one JSON line (a [`RunReport`]) on stdout.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::{Deserialize, Serialize};
use warta::index::{Enricher, IndexOptions, Progress, RunSummary};

use crate::baseline;
use crate::given;
use crate::measure::{self, RssPeaks, Sampler};
use crate::schema_only;

/// Which indexer a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// warta's full pipeline (`warta::index::index_paths`).
    Warta,
    /// Raw tantivy, title and body only.
    Baseline,
    /// warta's documents, built beforehand (untimed), indexed by tantivy alone with warta's
    /// schema: the bound on warta's throughput (see `schema_only`).
    #[value(name = "schema-only")]
    #[serde(rename = "schema-only")]
    SchemaOnly,
    /// warta's full pipeline with entity extraction switched off (an enricher that detects
    /// the language only, `warta::index::index_paths_with`):
    /// warta / no-entities is what extraction costs, no-entities / baseline what all the rest
    /// of warta's own work does.
    #[value(name = "no-entities")]
    #[serde(rename = "no-entities")]
    NoEntities,
    /// warta's full pipeline with each article's entities extracted beforehand (untimed) and
    /// looked up (`warta::index::index_paths_with`, see `given`): an extractor that costs nothing,
    /// the entity fields indexed as in a warta run.
    #[value(name = "given-entities")]
    #[serde(rename = "given-entities")]
    GivenEntities,
}

impl Engine {
    /// The engine's name in tables and arguments.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Warta => "warta",
            Engine::Baseline => "baseline",
            Engine::SchemaOnly => "schema-only",
            Engine::NoEntities => "no-entities",
            Engine::GivenEntities => "given-entities",
        }
    }
}

/// One indexing run, as the parent asks for it.
#[derive(Debug, Clone, Args)]
pub struct IndexJob {
    #[arg(long, value_enum)]
    pub engine: Engine,
    /// Index directory (rebuilt from scratch unless --incremental).
    #[arg(long)]
    pub index: PathBuf,
    #[arg(long)]
    pub threads: usize,
    #[arg(long)]
    pub memory_mb: usize,
    /// warta only: update the existing index (a rerun) instead of rebuilding it.
    #[arg(long)]
    pub incremental: bool,
    /// Run on this many cores only (the first ones the process may use); all when absent.
    #[arg(long)]
    pub cores: Option<usize>,
    /// Files and directories to index.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
}

impl IndexJob {
    /// The child's command line after `child index`.
    fn to_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec![
            "--engine".into(),
            self.engine.name().into(),
            "--index".into(),
            self.index.clone().into(),
            "--threads".into(),
            self.threads.to_string().into(),
            "--memory-mb".into(),
            self.memory_mb.to_string().into(),
        ];
        if self.incremental {
            args.push("--incremental".into());
        }
        if let Some(cores) = self.cores {
            args.extend(["--cores".into(), cores.to_string().into()]);
        }
        args.push("--".into());
        args.extend(self.inputs.iter().map(|p| p.clone().into_os_string()));
        args
    }
}

#[derive(Parser)]
#[command(name = "warta-bench child", about = "Internal: one measured run of warta-bench")]
struct ChildCli {
    #[command(subcommand)]
    command: ChildCommand,
}

#[derive(Subcommand)]
enum ChildCommand {
    /// Index and report wall time, CPU time, peak RSS and sizes as one JSON line.
    Index(IndexJob),
}

/// The cost of extracting every article's entities, without reading or indexing.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Extraction {
    pub articles: u64,
    /// CPU seconds of the extracting calls, summed over the threads that made them.
    pub cpu_secs: f64,
}

impl Extraction {
    /// Articles extracted per CPU second: the speed of one core.
    pub fn articles_per_cpu_sec(&self) -> f64 {
        self.articles as f64 / self.cpu_secs.max(1e-9)
    }
}

/// What a child run measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunReport {
    pub engine: Engine,
    /// Wall time of the indexing call (commit and merges included, process start excluded;
    /// schema-only runs: adding the prepared documents, commit and merges).
    pub wall_secs: f64,
    pub cpu_user_secs: f64,
    pub cpu_sys_secs: f64,
    /// Peak resident set size of the child process (VmHWM).
    pub peak_rss_bytes: u64,
    /// Peaks of anonymous and file-backed resident memory, sampled every 10 ms.
    pub sampled_rss: RssPeaks,
    /// CPU seconds of the run's threads by kind (`measure::thread_kind`), sampled every
    /// 10 ms (schema-only runs: the untimed preparation included).
    #[serde(default)]
    pub cpu_by_thread: BTreeMap<String, f64>,
    /// Articles indexed in this run.
    pub articles: u64,
    /// Size on disk of the files read in this run.
    pub input_bytes: u64,
    /// Size of the index directory afterwards.
    pub index_bytes: u64,
    /// warta's own summary of the run (warta runs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warta: Option<WartaCounts>,
    /// Articles the given-entities run had no entities for (given-entities runs only; 0
    /// when it indexed what it prepared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_missed: Option<u64>,
    /// Entity extraction alone, measured while preparing the given entities (given-entities
    /// runs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extraction: Option<Extraction>,
    /// Records the baseline skipped (baseline runs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_skipped: Option<u64>,
}

impl RunReport {
    /// User plus system CPU seconds.
    pub fn cpu_secs(&self) -> f64 {
        self.cpu_user_secs + self.cpu_sys_secs
    }
}

/// The counts of warta's [`RunSummary`] (its lists of skipped files left out).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WartaCounts {
    pub files_added: u64,
    pub files_updated: u64,
    pub files_removed: u64,
    pub files_unchanged: u64,
    pub files_skipped: u64,
    pub not_articles: u64,
    pub articles_added: u64,
    pub articles_removed: u64,
    pub articles_skipped: u64,
    pub warnings: u64,
    /// Calls of `Progress::warn` (per-file and per-record problems).
    pub progress_warnings: u64,
    pub total_articles: u64,
    pub bytes_read: u64,
    pub elapsed_secs: f64,
}

impl WartaCounts {
    fn new(s: &RunSummary, progress_warnings: u64) -> WartaCounts {
        WartaCounts {
            files_added: s.files_added,
            files_updated: s.files_updated,
            files_removed: s.files_removed,
            files_unchanged: s.files_unchanged,
            files_skipped: s.files_skipped,
            not_articles: s.not_articles,
            articles_added: s.articles_added,
            articles_removed: s.articles_removed,
            articles_skipped: s.articles_skipped,
            warnings: s.warnings,
            progress_warnings,
            total_articles: s.total_articles,
            bytes_read: s.bytes_read,
            elapsed_secs: s.elapsed_secs,
        }
    }
}

/// A progress receiver that prints nothing and counts warnings.
#[derive(Default)]
struct SilentProgress {
    warnings: AtomicU64,
}

impl Progress for SilentProgress {
    fn start(&self, _files_to_read: u64) {}

    fn advance(&self) {}

    fn warn(&self, _message: &str) {
        self.warnings.fetch_add(1, Ordering::Relaxed);
    }
}

/// Entry point of `warta-bench child ...` (`args` are the arguments after `child`).
pub fn main(args: &[OsString]) -> Result<()> {
    let argv = std::iter::once(OsString::from("warta-bench child")).chain(args.iter().cloned());
    let cli = ChildCli::try_parse_from(argv).map_err(|e| anyhow!("{e}"))?;
    let ChildCommand::Index(job) = cli.command;
    let report = run(&job)?;
    println!(
        "{}",
        serde_json::to_string(&report).context("cannot serialize the report")?
    );
    Ok(())
}

/// Runs one indexing job in this process and measures it.
fn run(job: &IndexJob) -> Result<RunReport> {
    // Before any thread starts: threads inherit the restriction.
    if let Some(cores) = job.cores {
        measure::pin_to_cores(cores)?;
    }
    // The given-entities run extracts first, on threads that are gone before the sampler
    // starts; its CPU is counted from here on.
    let given = match job.engine {
        Engine::GivenEntities if job.incremental => bail!("the given-entities run has no incremental mode"),
        Engine::GivenEntities => Some(given::prepare(&job.inputs, job.threads)?),
        _ => None,
    };
    let cpu_before = measure::cpu_times()?;
    let sampler = Sampler::start(Duration::from_millis(10));
    let started = Instant::now();
    let mut report = RunReport {
        engine: job.engine,
        wall_secs: 0.0,
        cpu_user_secs: 0.0,
        cpu_sys_secs: 0.0,
        peak_rss_bytes: 0,
        sampled_rss: RssPeaks::default(),
        cpu_by_thread: BTreeMap::new(),
        articles: 0,
        input_bytes: 0,
        index_bytes: 0,
        warta: None,
        given_missed: None,
        extraction: None,
        baseline_skipped: None,
    };
    // Wall and CPU time of the timed part, when it is not the whole run.
    let mut timed: Option<(f64, f64, f64)> = None;
    match job.engine {
        Engine::SchemaOnly => {
            if job.incremental {
                bail!("the schema-only run has no incremental mode");
            }
            let stats = schema_only::build(&job.index, &job.inputs, job.threads, job.memory_mb)?;
            report.articles = stats.articles;
            report.input_bytes = stats.input_bytes;
            timed = Some((stats.wall_secs, stats.cpu_user_secs, stats.cpu_sys_secs));
        }
        Engine::Warta | Engine::NoEntities | Engine::GivenEntities => {
            let progress = SilentProgress::default();
            // Settings the bench does not vary (such as periodic commits, where the library
            // has them) keep warta's defaults.
            let mut opts = IndexOptions {
                rebuild: !job.incremental,
                ..IndexOptions::default()
            };
            opts.threads = job.threads;
            opts.memory_mb = job.memory_mb;
            let enricher: &dyn Enricher = match (&given, job.engine) {
                (Some((given, _)), _) => given,
                (None, Engine::NoEntities) => &warta::extract::enrich_language_only,
                (None, _) => &warta::extract::enrich,
            };
            let summary = warta::index::index_paths_with(&job.index, &job.inputs, &opts, enricher, &progress)
                .context("warta indexing failed")?;
            report.articles = summary.articles_added;
            report.input_bytes = summary.bytes_read;
            report.warta = Some(WartaCounts::new(&summary, progress.warnings.load(Ordering::Relaxed)));
            report.given_missed = given.as_ref().map(|(given, _)| given.missed.load(Ordering::Relaxed));
            report.extraction = given.as_ref().map(|(_, extraction)| *extraction);
        }
        Engine::Baseline => {
            if job.incremental {
                bail!("the baseline has no incremental mode");
            }
            let stats = baseline::build(&job.index, &job.inputs, job.threads, job.memory_mb)?;
            report.articles = stats.articles;
            report.input_bytes = stats.input_bytes;
            report.baseline_skipped = Some(stats.skipped);
        }
    }
    report.wall_secs = started.elapsed().as_secs_f64();
    let sampled = sampler.finish();
    report.sampled_rss = sampled.rss;
    report.cpu_by_thread = sampled.cpu_by_thread;
    let (user, sys) = measure::cpu_times()?;
    (report.cpu_user_secs, report.cpu_sys_secs) = (user - cpu_before.0, sys - cpu_before.1);
    if let Some((wall, user, sys)) = timed {
        (report.wall_secs, report.cpu_user_secs, report.cpu_sys_secs) = (wall, user, sys);
    }
    // What is left of the given entities (the run took what it indexed) is dropped out of
    // the measured part.
    drop(given);
    report.peak_rss_bytes = measure::peak_rss_bytes()?;
    report.index_bytes = measure::dir_size(&job.index)?;
    Ok(report)
}

/// Runs `job` in a child process of this same executable and returns what it measured.
pub fn spawn(job: &IndexJob) -> Result<RunReport> {
    let exe = std::env::current_exe().context("cannot find warta-bench's own executable")?;
    let output = Command::new(&exe)
        .arg("child")
        .arg("index")
        .args(job.to_args())
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot start {}", exe.display()))?;
    let what = format!(
        "{} indexing run (threads {}{}, {})",
        job.engine.name(),
        job.threads,
        job.cores.map_or_else(String::new, |c| format!(", {c} core(s)")),
        job.index.display()
    );
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!("{what} failed ({}): {}", output.status, stderr.trim());
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .with_context(|| format!("{what} printed no report"))?;
    serde_json::from_str(line).with_context(|| format!("{what} printed an unreadable report: {line}"))
}
