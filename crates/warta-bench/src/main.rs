//! `warta-bench`: a benchmark anyone can rerun on their own news corpora.
//!
//! ```text
//! cargo run --release --bin warta-bench -- /work/shared/corpora/{reuters21578,bbc,clickid,indosum}
//! warta-bench --quick --limit 2000 /work/shared/corpora/clickid
//! ```
//!
//! CORPUS arguments are JSON Lines files (`.jsonl`, `.ndjson`, optionally `.gz`) or
//! directories, whose JSON Lines files directly inside are taken (not recursively). The
//! bench measures, and prints as a table and as JSON:
//!
//! 1. indexing with warta's full pipeline and with a raw tantivy baseline (title + body, no
//!    extraction), for each thread count and two input shapes (the JSONL files; one `.json`
//!    file per article), each run in a child process (`warta-bench child index ...`) so its
//!    peak RSS is its own;
//!    plus, on the JSONL shape, a schema-only run: warta's documents built beforehand and
//!    indexed by tantivy alone, the bound on warta's throughput; and a no-entities run:
//!    warta's pipeline without entity extraction, which tells extraction's cost apart from
//!    the rest of warta's own work; and a given-entities run: warta's pipeline with the
//!    entities looked up instead of extracted, the bound on warta's throughput with any
//!    extractor; all of it `--rounds` times (3 by default), each round running every engine
//!    in turn, the tables giving the median run and the median of the rounds' ratios;
//! 2. warta's incremental reruns over the one-file-per-article shape: nothing changed, then
//!    1% of the files changed;
//! 3. a scaled corpus (`--scale N` articles, copies with new paths) built and rerun by warta,
//!    and searched by cold processes (three articles in four are copies: the largest story
//!    table);
//! 4. warm query latency in process, warta and baseline, per query group;
//! 5. HTTP load: `warta serve` driven by 1 and 32 keep-alive clients, against in process;
//! 6. cold `warta search` processes;
//! 7. warta reading the corpus as a web archive (`.warc.gz` of HTML pages).
//!
//! Everything is written under a work directory, removed at the end unless `--keep`.

mod baseline;
mod child;
mod corpus;
mod given;
mod http;
mod measure;
mod names;
mod queries;
mod report;
mod schema_only;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{bail, Context, Result};
use clap::Parser;

use child::{Engine, IndexJob, RunReport};
use corpus::FileSet;
use report::{ColdSearch, CorpusInfo, Incremental, IndexRun, MemoryRow, Report, ScaleResult, Settings, Shape};

/// Benchmark of warta: indexing (vs raw tantivy), incremental reruns, scale, queries.
#[derive(Parser, Debug)]
#[command(
    name = "warta-bench",
    about = "Benchmark warta: indexing vs a raw tantivy baseline, incremental reruns, scale, query latency",
    after_help = "CORPUS: JSON Lines files (.jsonl, .ndjson, optionally .gz), or directories whose JSON Lines \
                  files directly inside are used (not recursively).\n\
                  Example: warta-bench /work/shared/corpora/{reuters21578,bbc,clickid,indosum}"
)]
struct Cli {
    /// JSON Lines files or directories of them
    #[arg(required = true, value_name = "CORPUS")]
    corpus: Vec<PathBuf>,
    /// Work directory (must be absent or empty) [default: a new directory in the temp dir]
    #[arg(long, value_name = "DIR")]
    work: Option<PathBuf>,
    /// Keep the work directory (indexes, written articles) at the end
    #[arg(long)]
    keep: bool,
    /// Indexing thread counts to measure
    #[arg(long, value_delimiter = ',', default_values_t = [1, 2], value_parser = clap::value_parser!(u16).range(1..=64))]
    threads: Vec<u16>,
    /// Memory budget of the index writers in MiB (warta's --memory-mb)
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(16..=16384))]
    memory_mb: u64,
    /// Articles in the scaled corpus (0 skips the scale test)
    #[arg(long, default_value_t = 200_000)]
    scale: usize,
    /// Use at most this many articles of the input
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    limit: Option<u64>,
    /// Passes over the whole query set
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=10000))]
    query_reps: u64,
    /// Cold `warta search` processes timed (after one warm-up)
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=1000))]
    cold_runs: u64,
    /// Rounds of the indexing runs: each round runs every engine once, in turn, and the
    /// tables give the median (the machine's load moves single runs a lot)
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=100))]
    rounds: u64,
    /// CI mode: threads 2 only, one round, no scale test, 3 query reps, 3 cold runs
    #[arg(long)]
    quick: bool,
    /// Write the JSON summary to FILE ("-": standard output, after the table, the default)
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let result = if args.get(1).is_some_and(|a| a == "child") {
        child::main(&args[2..])
    } else {
        run(Cli::parse())
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("warta-bench: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The options after `--quick` is applied.
fn settings(cli: &Cli) -> Settings {
    let mut threads: Vec<usize> = cli.threads.iter().map(|&t| usize::from(t)).collect();
    threads.sort_unstable();
    threads.dedup();
    let mut s = Settings {
        threads,
        memory_mb: cli.memory_mb as usize,
        scale: cli.scale,
        limit: cli.limit.map(|l| l as usize),
        query_reps: cli.query_reps as usize,
        cold_runs: cli.cold_runs as usize,
        quick: cli.quick,
        rounds: cli.rounds as usize,
    };
    if cli.quick {
        s.threads = vec![2];
        s.rounds = 1;
        s.scale = 0;
        s.query_reps = 3;
        s.cold_runs = 3;
    }
    s
}

/// A work directory removed when dropped (also on errors) unless it is to be kept.
struct WorkDir {
    path: PathBuf,
    keep: bool,
}

impl WorkDir {
    /// Creates `given` (absent or empty) or a new directory in the temp dir.
    fn create(given: Option<&Path>, keep: bool) -> Result<WorkDir> {
        let path = match given {
            Some(p) => {
                if p.exists()
                    && std::fs::read_dir(p)
                        .with_context(|| format!("cannot list {}", p.display()))?
                        .next()
                        .is_some()
                {
                    bail!("work directory {} is not empty (give a new or empty one)", p.display());
                }
                p.to_path_buf()
            }
            None => {
                let secs = SystemTime::now()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                std::env::temp_dir().join(format!("warta-bench-{}-{secs}", std::process::id()))
            }
        };
        std::fs::create_dir_all(&path).with_context(|| format!("cannot create work directory {}", path.display()))?;
        let path = path
            .canonicalize()
            .with_context(|| format!("cannot resolve {}", path.display()))?;
        Ok(WorkDir { path, keep })
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.keep {
            eprintln!("warta-bench: work directory kept: {}", self.path.display());
            return;
        }
        // With --scale this is a quarter of a million files: it can take minutes.
        step(&format!("removing the work directory {}", self.path.display()));
        if let Err(e) = std::fs::remove_dir_all(&self.path) {
            eprintln!("warta-bench: cannot remove {}: {e}", self.path.display());
        }
    }
}

/// Prints a progress line on stderr.
fn step(message: &str) {
    eprintln!("warta-bench: {message}");
}

/// The whole benchmark.
fn run(cli: Cli) -> Result<()> {
    let started = Instant::now();
    let settings = settings(&cli);
    let inputs = corpus::find_inputs(&cli.corpus)?;
    let work = WorkDir::create(cli.work.as_deref(), cli.keep)?;
    step(&format!("work directory {}", work.path.display()));
    step(&format!("loading {} input file(s)", inputs.len()));
    let loaded = corpus::load(&inputs, settings.limit)?;
    let jsonl_inputs = match settings.limit {
        Some(_) => corpus::write_prefixes(&loaded.files, &work.path.join("jsonl"))?,
        None => loaded.files.iter().map(|f| f.path.clone()).collect(),
    };
    step(&format!("writing {} articles as one file each", loaded.articles.len()));
    let files = corpus::write_article_files(&loaded.articles, &work.path.join("files"))?;
    step(&format!(
        "writing {} articles as HTML pages in a web archive",
        loaded.articles.len()
    ));
    let warc = corpus::write_warc(&loaded.articles, &work.path.join("warc").join("corpus.warc.gz"))?;
    let mut report = Report::new(
        measure::machine(),
        settings.clone(),
        CorpusInfo::new(&cli.corpus, &loaded),
    );
    report.corpus.files_shape_bytes = files.bytes;
    let articles = loaded.articles.len();
    drop(loaded);

    let shapes = [
        (Shape::Jsonl, jsonl_inputs.clone(), report.corpus.uncompressed_bytes),
        (Shape::Files, vec![files.root.clone()], files.bytes),
    ];
    report.indexing = index_matrix(&work.path, &settings, &shapes)?;
    report.one_core = one_core_runs(&work.path, &settings, &shapes[0], report.machine.cores)?;
    report.derive_ratios();
    let max_threads = *settings.threads.last().context("no thread count given")?;
    let files_index = index_dir(&work.path, Engine::Warta, Shape::Files, max_threads);
    report.incremental = Some(incremental(&files_index, &files, &settings, max_threads)?);
    if settings.scale > 0 {
        report.scale = Some(scale(&work.path, &files, &settings, max_threads)?);
    }
    report.memory = memory_rows(&report, articles);

    let warta_index = index_dir(&work.path, Engine::Warta, Shape::Jsonl, max_threads);
    let baseline_index = index_dir(&work.path, Engine::Baseline, Shape::Jsonl, max_threads);
    report.queries = Some(query_bench(&warta_index, &baseline_index, settings.query_reps)?);
    report.http = Some(http_load(&warta_index, &report, settings.quick));
    report.cold_search = Some(cold_search(&warta_index, settings.cold_runs));
    step("person filters on indexes of many distinct names");
    let name_sizes: &[usize] = if settings.quick {
        &[1_000, 10_000]
    } else {
        &[1_000, 100_000]
    };
    report.many_names = Some(names::many_names(
        &work.path,
        name_sizes,
        settings.query_reps.max(1) * 10,
    )?);
    report.warc = Some(warc_ingest(&work.path, warc, &settings, max_threads)?);
    report.total_secs = started.elapsed().as_secs_f64();

    print!("{}", report.table());
    emit_json(&report, cli.json.as_deref())?;
    drop(work);
    Ok(())
}

/// warta indexing the web archive of the corpus, in a child process like the other runs.
fn warc_ingest(work: &Path, file: corpus::WarcFile, settings: &Settings, threads: usize) -> Result<report::WarcIngest> {
    step(&format!("indexing: warta warc threads={threads}"));
    let index = work.join("indexes").join(format!("warta-warc-t{threads}"));
    let job = full_job(Engine::Warta, index, threads, settings, vec![file.path.clone()]);
    let run = child::spawn(&job)?;
    Ok(report::WarcIngest { file, threads, run })
}

/// The index directory of one engine, shape and thread count.
fn index_dir(work: &Path, engine: Engine, shape: Shape, threads: usize) -> PathBuf {
    work.join("indexes")
        .join(format!("{}-{}-t{threads}", engine.name(), shape.name()))
}

/// A full (rebuilding) indexing job.
fn full_job(engine: Engine, index: PathBuf, threads: usize, settings: &Settings, inputs: Vec<PathBuf>) -> IndexJob {
    IndexJob {
        engine,
        index,
        threads,
        memory_mb: settings.memory_mb,
        incremental: false,
        cores: None,
        inputs,
    }
}

/// Indexes every shape with every engine at every thread count, each in a child process, as
/// many rounds as asked: a round runs them all once, so that a run and the baseline it is
/// compared with ran close in time.
fn index_matrix(work: &Path, settings: &Settings, shapes: &[(Shape, Vec<PathBuf>, u64)]) -> Result<Vec<IndexRun>> {
    let mut runs = Vec::new();
    let rounds = settings.rounds.max(1);
    for round in 1..=rounds {
        for &threads in &settings.threads {
            for (shape, inputs, text_bytes) in shapes {
                // The bounds are measured on one shape (reading is not timed in the schema-only
                // run, and extraction does not depend on the shape).
                let engines: &[Engine] = match shape {
                    Shape::Jsonl => &[
                        Engine::Warta,
                        Engine::Baseline,
                        Engine::SchemaOnly,
                        Engine::NoEntities,
                        Engine::GivenEntities,
                    ],
                    Shape::Files => &[Engine::Warta, Engine::Baseline],
                };
                for &engine in engines {
                    step(&format!(
                        "indexing: {} {} threads={threads}{}",
                        engine.name(),
                        shape.name(),
                        if rounds > 1 {
                            format!(" (round {round} of {rounds})")
                        } else {
                            String::new()
                        }
                    ));
                    let index = index_dir(work, engine, *shape, threads);
                    let job = full_job(engine, index, threads, settings, inputs.clone());
                    let report = child::spawn(&job)?;
                    runs.push(IndexRun::new(*shape, threads, report, *text_bytes).in_round(round));
                }
            }
        }
    }
    Ok(runs)
}

/// warta and the baseline at one thread on one core (JSON Lines shape), beside the runs at
/// the most threads on every core: how much the parallel pipeline gains from the machine's
/// cores. Thread scaling alone understates it, as one warta thread count already keeps more
/// than one core busy. Skipped on one core, in quick mode, or without a 1-thread setting.
fn one_core_runs(
    work: &Path,
    settings: &Settings,
    jsonl: &(Shape, Vec<PathBuf>, u64),
    cores: usize,
) -> Result<Vec<IndexRun>> {
    if cores < 2 || settings.quick || !settings.threads.contains(&1) {
        return Ok(Vec::new());
    }
    let (shape, inputs, text_bytes) = jsonl;
    let mut runs = Vec::new();
    for engine in [Engine::Warta, Engine::Baseline] {
        step(&format!(
            "indexing: {} {} threads=1 on 1 core",
            engine.name(),
            shape.name()
        ));
        let index = work
            .join("indexes")
            .join(format!("{}-{}-t1-1core", engine.name(), shape.name()));
        let job = IndexJob {
            cores: Some(1),
            ..full_job(engine, index, 1, settings, inputs.clone())
        };
        let report = child::spawn(&job)?;
        runs.push(IndexRun::new(*shape, 1, report, *text_bytes).on_cores(1));
    }
    Ok(runs)
}

/// An incremental warta rerun over `files` in a child process.
fn rerun(index: &Path, files: &FileSet, settings: &Settings, threads: usize) -> Result<RunReport> {
    let job = IndexJob {
        incremental: true,
        ..full_job(
            Engine::Warta,
            index.to_path_buf(),
            threads,
            settings,
            vec![files.root.clone()],
        )
    };
    child::spawn(&job)
}

/// Reruns on the one-file-per-article index: nothing changed, then 1% of the files changed.
fn incremental(index: &Path, files: &FileSet, settings: &Settings, threads: usize) -> Result<Incremental> {
    step("incremental: rerun with nothing changed");
    let unchanged = rerun(index, files, settings, threads)?;
    let changed_files = corpus::change_fraction(files, 0.01)?;
    step(&format!(
        "incremental: rerun after changing {} files",
        changed_files.len()
    ));
    let changed = rerun(index, files, settings, threads)?;
    Ok(Incremental {
        files: files.files.len(),
        threads,
        unchanged,
        changed_files: changed_files.len(),
        changed,
    })
}

/// Replicates the articles to `settings.scale` files, builds them with warta and reruns, and
/// builds them with the baseline for reference.
fn scale(work: &Path, files: &FileSet, settings: &Settings, threads: usize) -> Result<ScaleResult> {
    step(&format!("scale: copying articles to {} files", settings.scale));
    let copy_started = Instant::now();
    let scaled = corpus::replicate(files, settings.scale, &work.join("scale"))?;
    let copy_secs = copy_started.elapsed().as_secs_f64();
    let index = work.join("indexes").join(format!("warta-scale-t{threads}"));
    step(&format!("scale: warta indexing {} files", scaled.files.len()));
    let job = full_job(
        Engine::Warta,
        index.clone(),
        threads,
        settings,
        vec![scaled.root.clone()],
    );
    let build = child::spawn(&job)?;
    step("scale: rerun with nothing changed");
    let unchanged = rerun(&index, &scaled, settings, threads)?;
    let cold_search = cold_search(&index, settings.cold_runs);
    step(&format!("scale: baseline indexing {} files", scaled.files.len()));
    let baseline_index = work.join("indexes").join(format!("baseline-scale-t{threads}"));
    let job = full_job(
        Engine::Baseline,
        baseline_index,
        threads,
        settings,
        vec![scaled.root.clone()],
    );
    let baseline = child::spawn(&job)?;
    // At one thread tantivy is slower than reading and extraction, and documents queue up
    // for it: the memory bound must hold there too.
    let one_thread = if threads > 1 {
        step(&format!(
            "scale: warta indexing {} files at 1 thread",
            scaled.files.len()
        ));
        let job = full_job(
            Engine::Warta,
            work.join("indexes").join("warta-scale-t1"),
            1,
            settings,
            vec![scaled.root.clone()],
        );
        Some(IndexRun::new(Shape::Files, 1, child::spawn(&job)?, scaled.bytes))
    } else {
        None
    };
    Ok(ScaleResult {
        articles: scaled.files.len(),
        bytes: scaled.bytes,
        copy_secs,
        threads,
        build: IndexRun::new(Shape::Files, threads, build, scaled.bytes),
        unchanged,
        baseline: IndexRun::new(Shape::Files, threads, baseline, scaled.bytes),
        one_thread,
        cold_search,
    })
}

/// Peak RSS of warta's builds against the memory budget, for the base and scaled corpora.
fn memory_rows(report: &Report, articles: usize) -> Vec<MemoryRow> {
    let budget = report.settings.memory_mb;
    // Of several rounds, the one that peaked highest.
    let mut rows: Vec<MemoryRow> = Vec::new();
    for r in report.indexing.iter().filter(|r| r.engine == Engine::Warta) {
        let label = format!("base corpus, {}, threads {}", r.shape.name(), r.threads);
        let row = MemoryRow::new(label, articles, &r.report, budget);
        match rows.iter_mut().find(|o| o.label == row.label) {
            Some(o) if o.peak_rss_mib < row.peak_rss_mib => *o = row,
            Some(_) => {}
            None => rows.push(row),
        }
    }
    if let Some(s) = &report.scale {
        let label = format!("scaled corpus, files, threads {}", s.threads);
        rows.push(MemoryRow::new(label, s.articles, &s.build.report, budget));
        let label = format!("scaled corpus, unchanged rerun, threads {}", s.threads);
        rows.push(MemoryRow::new(label, s.articles, &s.unchanged, budget));
        if let Some(one) = &s.one_thread {
            let label = "scaled corpus, files, threads 1".to_string();
            rows.push(MemoryRow::new(label, s.articles, &one.report, budget));
        }
        let label = format!("scaled corpus, files, threads {}: BASELINE", s.threads);
        rows.push(MemoryRow::new(label, s.articles, &s.baseline.report, budget));
    }
    rows
}

/// Warm query latency on the warta and baseline indexes built from the JSONL shape.
fn query_bench(warta_index: &Path, baseline_index: &Path, reps: usize) -> Result<queries::QueryResults> {
    step(&format!("queries: {reps} passes over the query set"));
    let wi = warta::index::WartaIndex::open(warta_index)
        .with_context(|| format!("cannot open the warta index {}", warta_index.display()))?;
    let base = baseline::BaselineSearcher::open(baseline_index)?;
    let set = queries::query_set();
    Ok(queries::run(&wi, &base, &set, reps))
}

/// HTTP load on `warta serve` over the warta index of the JSONL shape, compared with the
/// in-process p50 of the same (keyword and phrase) queries.
fn http_load(index: &Path, report: &Report, quick: bool) -> http::HttpLoad {
    let in_process_p50 = report.queries.as_ref().and_then(|q| {
        q.groups
            .iter()
            .find(|g| g.group == "keyword+phrase")
            .and_then(|g| g.warta)
            .map(|l| l.p50_ms)
    });
    let (warmup, duration) = if quick {
        (Duration::from_millis(500), Duration::from_secs(2))
    } else {
        (Duration::from_secs(1), Duration::from_secs(5))
    };
    let binary = warta_binary();
    let mut load = http::run(
        binary.clone(),
        index,
        &queries::query_set(),
        in_process_p50,
        warmup,
        duration,
    );
    if load.note.is_none() {
        load.note = binary.as_deref().and_then(stale_binary_note);
    }
    load
}

/// The query of the cold search processes.
const COLD_QUERY: &str = "harga minyak";

/// Times whole `warta search` processes (the `warta` binary next to this one).
fn cold_search(index: &Path, runs: usize) -> ColdSearch {
    let mut result = ColdSearch {
        binary: None,
        query: COLD_QUERY.to_string(),
        runs,
        samples_ms: Vec::new(),
        median_ms: None,
        max_ms: None,
        note: None,
    };
    if runs == 0 {
        result.note = Some("skipped (--cold-runs 0)".to_string());
        return result;
    }
    let Some(binary) = warta_binary() else {
        result.note = Some("skipped: no `warta` binary next to warta-bench (cargo build --release)".to_string());
        return result;
    };
    step(&format!("cold search: {} x `warta search {COLD_QUERY}`", runs + 1));
    result.binary = Some(binary.clone());
    result.note = stale_binary_note(&binary);
    for i in 0..=runs {
        match time_search_process(&binary, index) {
            Ok(ms) if i > 0 => result.samples_ms.push(ms),
            Ok(_) => {}
            Err(e) => {
                result.note = Some(format!("failed: {e:#}"));
                return result;
            }
        }
    }
    result.median_ms = Some(measure::median(&result.samples_ms));
    result.max_ms = result.samples_ms.iter().copied().reduce(f64::max);
    result
}

/// The `warta` executable in this executable's directory, if there is one.
fn warta_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let candidate = exe.parent()?.join("warta");
    candidate.is_file().then_some(candidate)
}

/// A note when the `warta` binary was built well before warta-bench (a minute or more:
/// `cargo build --bin warta-bench` alone does not rebuild it, so it may lack recent changes).
fn stale_binary_note(binary: &Path) -> Option<String> {
    let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let bench = std::env::current_exe().ok()?;
    let age = mtime(&bench)?.duration_since(mtime(binary)?).ok()?;
    (age.as_secs() >= 60).then(|| {
        format!(
            "note: the warta binary is {} s older than warta-bench; if the library changed in between, \
             rebuild it (cargo build --release) for current cold-search numbers",
            age.as_secs()
        )
    })
}

/// Wall time in milliseconds of one `warta search QUERY --index DIR` process.
fn time_search_process(binary: &Path, index: &Path) -> Result<f64> {
    let started = Instant::now();
    let output = Command::new(binary)
        .arg("search")
        .arg(COLD_QUERY)
        .arg("--index")
        .arg(index)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("cannot run {}", binary.display()))?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    // Like grep, `warta search` exits with 1 when nothing matches; 2 is an error.
    if !matches!(output.status.code(), Some(0 | 1)) {
        bail!(
            "warta search exited with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(ms)
}

/// Prints the JSON summary on stdout, or writes it to `path` (unless it is `-`).
fn emit_json(report: &Report, path: Option<&Path>) -> Result<()> {
    let json = serde_json::to_string_pretty(report).context("cannot serialize the summary")?;
    match path {
        Some(p) if p != Path::new("-") => {
            std::fs::write(p, json + "\n").with_context(|| format!("cannot write {}", p.display()))?;
            println!("\nJSON summary written to {}", p.display());
        }
        _ => println!("\nJSON summary:\n{json}"),
    }
    Ok(())
}

/// `f` of every item of `items`, in order, computed on up to `threads` threads (each takes
/// a contiguous share): the untimed preparations of the schema-only and given-entities runs.
pub fn par_map<T: Sync, U: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    if items.is_empty() {
        return Vec::new();
    }
    let chunk = items.len().div_ceil(threads.max(1));
    let f = &f;
    std::thread::scope(|s| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(f).collect::<Vec<U>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}
