//! The benchmark's results: one serializable [`Report`] (the JSON summary) and its rendering
//! as tables for people.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use crate::child::{Engine, RunReport};
use crate::corpus::{Corpus, InputFile};
use crate::http::HttpLoad;
use crate::measure::{Latency, Machine, MB, MIB};
use crate::queries::QueryResults;

/// Memory that warta may use beyond its writer budget before the memory row says "no".
pub const RSS_ALLOWANCE_MIB: usize = 150;

/// The two input shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// The JSON Lines files (as given, or their first lines with `--limit`).
    Jsonl,
    /// One `.json` file per article, at most 1000 per directory.
    Files,
}

impl Shape {
    /// The shape's name in tables and paths.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Jsonl => "jsonl",
            Shape::Files => "files",
        }
    }
}

/// The options in force (after `--quick`).
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub threads: Vec<usize>,
    pub memory_mb: usize,
    pub scale: usize,
    pub limit: Option<usize>,
    pub query_reps: usize,
    pub cold_runs: usize,
    pub quick: bool,
    /// Times the indexing matrix is run, in turn (each round runs every engine once).
    pub rounds: usize,
}

/// The corpus the benchmark read.
#[derive(Debug, Clone, Serialize)]
pub struct CorpusInfo {
    /// The CORPUS arguments as given.
    pub paths: Vec<PathBuf>,
    pub files: Vec<InputFile>,
    pub articles: usize,
    pub bad_lines: usize,
    pub disk_bytes: u64,
    /// The JSON lines used, uncompressed.
    pub uncompressed_bytes: u64,
    /// Size of the one-file-per-article shape.
    pub files_shape_bytes: u64,
}

impl CorpusInfo {
    /// The description of a loaded corpus.
    pub fn new(paths: &[PathBuf], corpus: &Corpus) -> CorpusInfo {
        CorpusInfo {
            paths: paths.to_vec(),
            files: corpus.files.clone(),
            articles: corpus.articles.len(),
            bad_lines: corpus.bad_lines,
            disk_bytes: corpus.disk_bytes(),
            uncompressed_bytes: corpus.uncompressed_bytes(),
            files_shape_bytes: 0,
        }
    }
}

/// One indexing run with its derived throughput.
#[derive(Debug, Clone, Serialize)]
pub struct IndexRun {
    pub shape: Shape,
    pub threads: usize,
    /// Cores the run was limited to (absent: all of the machine's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cores: Option<usize>,
    pub engine: Engine,
    /// Which round of the indexing matrix the run belongs to (from 1).
    pub round: usize,
    /// Uncompressed JSON bytes of the input (the basis of `input_mb_per_sec`).
    pub input_text_bytes: u64,
    pub articles_per_sec: f64,
    pub input_mb_per_sec: f64,
    pub report: RunReport,
}

impl IndexRun {
    /// A run of `report` over input of `text_bytes` uncompressed bytes.
    pub fn new(shape: Shape, threads: usize, report: RunReport, text_bytes: u64) -> IndexRun {
        let per_sec = |x: f64| {
            if report.wall_secs > 0.0 {
                x / report.wall_secs
            } else {
                0.0
            }
        };
        IndexRun {
            shape,
            threads,
            cores: None,
            engine: report.engine,
            round: 1,
            input_text_bytes: text_bytes,
            articles_per_sec: per_sec(report.articles as f64),
            input_mb_per_sec: per_sec(text_bytes as f64 / MB),
            report,
        }
    }
}

impl IndexRun {
    /// The same run, marked as a run of round `round`.
    pub fn in_round(self, round: usize) -> IndexRun {
        IndexRun { round, ..self }
    }

    /// The same run, marked as limited to `cores` cores.
    pub fn on_cores(self, cores: usize) -> IndexRun {
        IndexRun {
            cores: Some(cores),
            ..self
        }
    }
}

/// A throughput ratio (articles per second) between two configurations, measured in one or
/// more rounds.
#[derive(Debug, Clone, Serialize)]
pub struct ThroughputRatio {
    pub label: String,
    /// Ratio of articles per wall second (the median of the rounds' ratios).
    pub ratio: f64,
    /// Ratio of articles per CPU second (user+sys): less sensitive to other load on the machine
    /// (the median of the rounds').
    pub cpu_ratio: f64,
    /// Each round's ratio of articles per wall second, in round order: the two runs of a round
    /// ran minutes apart at most, so their ratio is what the machine's load moves least.
    pub rounds: Vec<f64>,
}

impl ThroughputRatio {
    /// The ratios of run `a` to run `b`.
    fn of(label: String, a: &IndexRun, b: &IndexRun) -> ThroughputRatio {
        ThroughputRatio::paired(label, &[a], &[b])
    }

    /// The ratios of `a`'s runs to `b`'s, round by round (runs of rounds the other lacks are
    /// left out; one run on each side is paired whatever its round, as a run on one core with
    /// the median run on all): the median of the rounds' ratios, and each round's.
    fn paired(label: String, a: &[&IndexRun], b: &[&IndexRun]) -> ThroughputRatio {
        let per_cpu = |r: &IndexRun| {
            let cpu = r.report.cpu_secs();
            if cpu > 0.0 {
                r.report.articles as f64 / cpu
            } else {
                0.0
            }
        };
        let div = |x: f64, y: f64| if y > 0.0 { x / y } else { 0.0 };
        let pairs: Vec<(&IndexRun, &IndexRun)> = match (a, b) {
            ([one], [other]) => vec![(*one, *other)],
            _ => a
                .iter()
                .filter_map(|x| b.iter().find(|y| y.round == x.round).map(|y| (*x, *y)))
                .collect(),
        };
        let rounds: Vec<f64> = pairs
            .iter()
            .map(|(x, y)| div(x.articles_per_sec, y.articles_per_sec))
            .collect();
        let cpu: Vec<f64> = pairs.iter().map(|(x, y)| div(per_cpu(x), per_cpu(y))).collect();
        ThroughputRatio {
            label,
            ratio: median(&rounds),
            cpu_ratio: median(&cpu),
            rounds,
        }
    }
}

/// The median of `values` (the mean of the middle two for an even count; 0 for none).
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// warta's reruns over the one-file-per-article shape.
#[derive(Debug, Clone, Serialize)]
pub struct Incremental {
    pub files: usize,
    pub threads: usize,
    pub unchanged: RunReport,
    /// Files rewritten with a sentence appended to the body.
    pub changed_files: usize,
    pub changed: RunReport,
}

/// The scaled corpus built and rerun by warta.
#[derive(Debug, Clone, Serialize)]
pub struct ScaleResult {
    pub articles: usize,
    pub bytes: u64,
    /// Time to copy the article files (not part of any measurement).
    pub copy_secs: f64,
    pub threads: usize,
    pub build: IndexRun,
    pub unchanged: RunReport,
    /// The baseline on the same files, for reference.
    pub baseline: IndexRun,
    /// warta on the same files at one thread (when `threads` is more), where tantivy is the
    /// slower side and documents wait for it: a second memory figure.
    pub one_thread: Option<IndexRun>,
    /// Cold `warta search` processes on the scaled index, where three articles in four are
    /// copies of another: what a large story table costs a search.
    pub cold_search: ColdSearch,
}

/// Peak RSS of one warta run against the writer's memory budget.
#[derive(Debug, Clone, Serialize)]
pub struct MemoryRow {
    pub label: String,
    pub articles: usize,
    pub peak_rss_mib: f64,
    /// Sampled peak of anonymous memory (heap, stacks).
    pub peak_anon_mib: f64,
    /// Sampled peak of file-backed pages (the executable, memory-mapped index segments).
    pub peak_file_mib: f64,
    pub budget_mib: usize,
    /// Budget plus [`RSS_ALLOWANCE_MIB`].
    pub limit_mib: usize,
    pub within_limit: bool,
}

impl MemoryRow {
    /// A row for `run` under a budget of `budget_mib`.
    pub fn new(label: String, articles: usize, run: &RunReport, budget_mib: usize) -> MemoryRow {
        let peak_rss_mib = run.peak_rss_bytes as f64 / MIB;
        let limit_mib = budget_mib + RSS_ALLOWANCE_MIB;
        MemoryRow {
            label,
            articles,
            peak_rss_mib,
            peak_anon_mib: run.sampled_rss.anon_bytes as f64 / MIB,
            peak_file_mib: run.sampled_rss.file_bytes as f64 / MIB,
            budget_mib,
            limit_mib,
            within_limit: peak_rss_mib <= limit_mib as f64,
        }
    }
}

/// Whole `warta search` processes.
#[derive(Debug, Clone, Serialize)]
pub struct ColdSearch {
    pub binary: Option<PathBuf>,
    pub query: String,
    pub runs: usize,
    pub samples_ms: Vec<f64>,
    pub median_ms: Option<f64>,
    pub max_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Everything the benchmark measured: the JSON summary.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub warta_version: String,
    /// When the run started (RFC 3339, UTC).
    pub date: String,
    /// The command line, as typed (shell-quoted where needed).
    pub command: String,
    pub machine: Machine,
    pub settings: Settings,
    pub corpus: CorpusInfo,
    pub indexing: Vec<IndexRun>,
    /// warta throughput / baseline throughput per shape and thread count (the headline).
    pub warta_vs_baseline: Vec<ThroughputRatio>,
    /// Schema-only throughput / baseline throughput per thread count (JSONL shape): the most
    /// warta / baseline can reach with warta's schema, were warta's own work free.
    pub schema_only_vs_baseline: Vec<ThroughputRatio>,
    /// warta throughput / schema-only throughput per thread count (JSONL shape).
    pub warta_vs_schema_only: Vec<ThroughputRatio>,
    /// No-entities throughput / baseline throughput per thread count (JSONL shape): where
    /// warta would stand if entity extraction were free and everything else as it is.
    pub no_entities_vs_baseline: Vec<ThroughputRatio>,
    /// warta throughput / no-entities throughput per thread count (JSONL shape): 1 minus this
    /// is the share of warta's time that entity extraction takes.
    pub warta_vs_no_entities: Vec<ThroughputRatio>,
    /// Given-entities throughput / baseline throughput per thread count (JSONL shape): the
    /// most warta / baseline can reach with any extractor, everything else as it is.
    #[serde(default)]
    pub given_entities_vs_baseline: Vec<ThroughputRatio>,
    /// warta throughput / given-entities throughput per thread count (JSONL shape): 1 minus
    /// this is the share of warta's time that extracting takes, entity fields indexed in both.
    #[serde(default)]
    pub warta_vs_given_entities: Vec<ThroughputRatio>,
    /// Throughput at N threads / at the fewest threads measured, per engine and shape.
    pub thread_scaling: Vec<ThroughputRatio>,
    /// Runs at one thread limited to one core (JSONL shape), warta and the baseline.
    pub one_core: Vec<IndexRun>,
    /// Throughput at the most threads on every core / at one thread on one core, per engine,
    /// and warta / baseline on one core.
    pub core_scaling: Vec<ThroughputRatio>,
    pub incremental: Option<Incremental>,
    pub scale: Option<ScaleResult>,
    pub memory: Vec<MemoryRow>,
    pub queries: Option<QueryResults>,
    /// HTTP load on `warta serve` (1 and 32 keep-alive clients).
    pub http: Option<HttpLoad>,
    pub cold_search: Option<ColdSearch>,
    /// Person filters on indexes of a thousand and of a hundred thousand distinct persons.
    #[serde(default)]
    pub many_names: Option<crate::names::ManyNames>,
    /// warta reading the corpus as a web archive.
    #[serde(default)]
    pub warc: Option<WarcIngest>,
    pub total_secs: f64,
}

/// warta indexing the corpus written as a `.warc.gz` of HTML pages.
#[derive(Debug, Clone, Serialize)]
pub struct WarcIngest {
    pub file: crate::corpus::WarcFile,
    pub threads: usize,
    pub run: RunReport,
}

impl WarcIngest {
    /// Articles indexed per second.
    pub fn articles_per_sec(&self) -> f64 {
        self.run.articles as f64 / self.run.wall_secs.max(1e-9)
    }

    /// MB of the compressed file, and of the records uncompressed, read per second.
    pub fn mb_per_sec(&self) -> (f64, f64) {
        let secs = self.run.wall_secs.max(1e-9);
        (
            self.file.bytes as f64 / MB / secs,
            self.file.plain_bytes as f64 / MB / secs,
        )
    }
}

impl Report {
    /// An empty report for this machine, settings and corpus, stamped now.
    pub fn new(machine: Machine, settings: Settings, corpus: CorpusInfo) -> Report {
        Report {
            warta_version: env!("CARGO_PKG_VERSION").to_string(),
            date: jiff::Timestamp::now()
                .round(jiff::Unit::Second)
                .map_or_else(|_| String::new(), |t| t.to_string()),
            command: command_line(),
            machine,
            settings,
            corpus,
            indexing: Vec::new(),
            warta_vs_baseline: Vec::new(),
            schema_only_vs_baseline: Vec::new(),
            warta_vs_schema_only: Vec::new(),
            no_entities_vs_baseline: Vec::new(),
            warta_vs_no_entities: Vec::new(),
            given_entities_vs_baseline: Vec::new(),
            warta_vs_given_entities: Vec::new(),
            thread_scaling: Vec::new(),
            one_core: Vec::new(),
            core_scaling: Vec::new(),
            incremental: None,
            scale: None,
            memory: Vec::new(),
            queries: None,
            http: None,
            cold_search: None,
            many_names: None,
            warc: None,
            total_secs: 0.0,
        }
    }

    /// The runs of one engine, shape and thread count, one a round, in round order.
    fn runs(&self, engine: Engine, shape: Shape, threads: usize) -> Vec<&IndexRun> {
        self.indexing
            .iter()
            .filter(|r| r.engine == engine && r.shape == shape && r.threads == threads)
            .collect()
    }

    /// The run of one engine, shape and thread count; with several rounds, the one of median
    /// wall time (the faster of the middle two for an even count).
    fn run(&self, engine: Engine, shape: Shape, threads: usize) -> Option<&IndexRun> {
        let mut runs = self.runs(engine, shape, threads);
        runs.sort_by(|a, b| a.report.wall_secs.total_cmp(&b.report.wall_secs));
        runs.get(runs.len().saturating_sub(1) / 2).copied()
    }

    /// One run per engine, shape and thread count (the median of its rounds), in the order
    /// they ran.
    pub fn median_runs(&self) -> Vec<&IndexRun> {
        let mut out: Vec<&IndexRun> = Vec::new();
        for r in &self.indexing {
            if !out
                .iter()
                .any(|o| o.engine == r.engine && o.shape == r.shape && o.threads == r.threads)
            {
                out.extend(self.run(r.engine, r.shape, r.threads));
            }
        }
        out
    }

    /// The ratio of one configuration's runs to another's, round by round.
    fn ratio(&self, label: String, a: (Engine, Shape, usize), b: (Engine, Shape, usize)) -> Option<ThroughputRatio> {
        let (a, b) = (self.runs(a.0, a.1, a.2), self.runs(b.0, b.1, b.2));
        (!a.is_empty() && !b.is_empty()).then(|| ThroughputRatio::paired(label, &a, &b))
    }

    /// For a bound run (schema-only, no-entities, given-entities) on the JSONL shape, per thread count: its
    /// throughput over the baseline's, and warta's over its own.
    fn bound_ratios(&self, bound: Engine) -> (Vec<ThroughputRatio>, Vec<ThroughputRatio>) {
        let (mut vs_baseline, mut warta_vs) = (Vec::new(), Vec::new());
        for &t in &self.settings.threads {
            let (run, base, warta) = (
                (bound, Shape::Jsonl, t),
                (Engine::Baseline, Shape::Jsonl, t),
                (Engine::Warta, Shape::Jsonl, t),
            );
            vs_baseline.extend(self.ratio(format!("threads {t}"), run, base));
            warta_vs.extend(self.ratio(format!("threads {t}"), warta, run));
        }
        (vs_baseline, warta_vs)
    }

    /// Fills the warta/baseline and thread scaling ratios from the indexing runs.
    pub fn derive_ratios(&mut self) {
        let threads = self.settings.threads.clone();
        let mut vs = Vec::new();
        let mut scaling = Vec::new();
        for shape in [Shape::Jsonl, Shape::Files] {
            for &t in &threads {
                let label = format!("{} threads {t}", shape.name());
                vs.extend(self.ratio(label, (Engine::Warta, shape, t), (Engine::Baseline, shape, t)));
            }
            for engine in [Engine::Warta, Engine::Baseline] {
                let Some(&low) = threads.first() else { continue };
                for &t in threads.iter().skip(1) {
                    let label = format!("{} {} {t}/{low} threads", engine.name(), shape.name());
                    scaling.extend(self.ratio(label, (engine, shape, t), (engine, shape, low)));
                }
            }
        }
        self.warta_vs_baseline = vs;
        self.thread_scaling = scaling;
        (self.schema_only_vs_baseline, self.warta_vs_schema_only) = self.bound_ratios(Engine::SchemaOnly);
        (self.no_entities_vs_baseline, self.warta_vs_no_entities) = self.bound_ratios(Engine::NoEntities);
        (self.given_entities_vs_baseline, self.warta_vs_given_entities) = self.bound_ratios(Engine::GivenEntities);
        let one_core = |engine: Engine| self.one_core.iter().find(|r| r.engine == engine);
        let mut cores = Vec::new();
        if let Some(&most) = threads.last().filter(|&&t| t > 1) {
            for engine in [Engine::Warta, Engine::Baseline] {
                if let (Some(all), Some(one)) = (self.run(engine, Shape::Jsonl, most), one_core(engine)) {
                    let label = format!(
                        "{} jsonl, {most} threads on {} cores / 1 thread on 1 core",
                        engine.name(),
                        self.machine.cores
                    );
                    cores.push(ThroughputRatio::of(label, all, one));
                }
            }
        }
        if let (Some(w), Some(b)) = (one_core(Engine::Warta), one_core(Engine::Baseline)) {
            cores.push(ThroughputRatio::of(
                "warta / baseline, jsonl, 1 thread on 1 core".to_string(),
                w,
                b,
            ));
        }
        self.core_scaling = cores;
    }

    /// The whole report as text tables.
    pub fn table(&self) -> String {
        let mut out = String::new();
        self.write_header(&mut out);
        self.write_indexing(&mut out);
        self.write_incremental(&mut out);
        self.write_scale(&mut out);
        self.write_memory(&mut out);
        self.write_queries(&mut out);
        self.write_http(&mut out);
        self.write_cold(&mut out);
        self.write_many_names(&mut out);
        self.write_warc(&mut out);
        let _ = writeln!(out, "\ntotal benchmark time: {:.0} s", self.total_secs);
        out
    }

    fn write_header(&self, out: &mut String) {
        let m = &self.machine;
        let c = &self.corpus;
        let _ = writeln!(out, "warta-bench (warta {}), {}", self.warta_version, self.date);
        let _ = writeln!(out, "command:  {}", self.command);
        let _ = writeln!(
            out,
            "machine:  {} cores, {} RAM, {}, Linux {}",
            m.cores,
            m.memory_bytes
                .map_or("?".to_string(), |b| format!("{:.1} GiB", b as f64 / MIB / 1024.0)),
            m.cpu_model.as_deref().unwrap_or("unknown CPU"),
            m.kernel.as_deref().unwrap_or("?")
        );
        for f in &c.files {
            let _ = writeln!(
                out,
                "input:    {}: {} articles used, file {:.1} MB on disk, {:.1} MB of JSON lines used",
                f.path.display(),
                f.articles,
                f.disk_bytes as f64 / MB,
                f.uncompressed_bytes as f64 / MB
            );
        }
        let _ = writeln!(
            out,
            "corpus:   {} articles ({} unparsable lines), files {:.1} MB on disk, {:.1} MB of JSON lines used, {:.1} MB as one file per article",
            c.articles,
            c.bad_lines,
            c.disk_bytes as f64 / MB,
            c.uncompressed_bytes as f64 / MB,
            c.files_shape_bytes as f64 / MB
        );
        let s = &self.settings;
        let _ = writeln!(
            out,
            "settings: threads {}, memory budget {} MiB, scale {}, limit {}, query reps {}, cold runs {}{}",
            s.threads.iter().map(usize::to_string).collect::<Vec<_>>().join(","),
            s.memory_mb,
            if s.scale == 0 {
                "off".to_string()
            } else {
                s.scale.to_string()
            },
            s.limit.map_or("none".to_string(), |l| l.to_string()),
            s.query_reps,
            s.cold_runs,
            if s.quick { " (--quick)" } else { "" }
        );
    }

    fn write_indexing(&self, out: &mut String) {
        section(out, "Indexing (each run in its own child process, page cache warm)");
        let rounds = self.settings.rounds.max(1);
        let rows = self
            .median_runs()
            .into_iter()
            .chain(&self.one_core)
            .map(|r| {
                let mut row = index_row(r);
                if rounds > 1 {
                    // (The runs on one core are not repeated.)
                    let walls: Vec<f64> = match r.cores {
                        Some(_) => Vec::new(),
                        None => self
                            .runs(r.engine, r.shape, r.threads)
                            .iter()
                            .map(|o| o.report.wall_secs)
                            .collect(),
                    };
                    row.insert(5, wall_range(&walls));
                }
                row
            })
            .collect();
        if rounds > 1 {
            let mut headers = INDEX_HEADERS.to_vec();
            headers.insert(5, "rounds' wall s");
            out.push_str(&render(&headers, rows, 3));
            let _ = writeln!(
                out,
                "{rounds} rounds, each running every engine in turn; each row is the round of median wall time."
            );
        } else {
            out.push_str(&render(&INDEX_HEADERS, rows, 3));
        }
        let _ = writeln!(
            out,
            "wall: the indexing call (commit and merges included); CPU: user+sys of the child process;\n\
             MB/s: uncompressed JSON input (jsonl: the lines; files: the .json files) per wall second.\n\
             schema-only: wall and CPU of the timed part only; its RSS includes every prepared document.\n\
             given-entities: wall and CPU of the indexing call (the entities were extracted before); its RSS\n\
             includes that preparation (the articles of the largest file and every article's entities)."
        );
        write_ratios(
            out,
            "\nwarta / baseline throughput (the headline; per CPU second: articles per user+sys second):",
            &self.warta_vs_baseline,
        );
        if !self.schema_only_vs_baseline.is_empty() {
            write_ratios(
                out,
                "schema-only / baseline (warta's documents, built beforehand, indexed by tantivy alone with warta's\n\
                 schema and analyzers: the most warta / baseline can reach were reading and extraction free):",
                &self.schema_only_vs_baseline,
            );
            write_ratios(
                out,
                "warta / schema-only (JSONL; 1 minus this is the share of warta's time spent on its own work):",
                &self.warta_vs_schema_only,
            );
        }
        if !self.no_entities_vs_baseline.is_empty() {
            write_ratios(
                out,
                "no-entities / baseline (warta's whole pipeline without entity extraction: the most warta / baseline\n\
                 can reach were extraction free and everything else as it is):",
                &self.no_entities_vs_baseline,
            );
            write_ratios(
                out,
                "warta / no-entities (JSONL; 1 minus this is the share of warta's time spent extracting entities):",
                &self.warta_vs_no_entities,
            );
        }
        if !self.given_entities_vs_baseline.is_empty() {
            write_ratios(
                out,
                "given-entities / baseline (warta's whole pipeline, each article's entities looked up instead of\n\
                 extracted, entity fields indexed: the most warta / baseline can reach with any extractor):",
                &self.given_entities_vs_baseline,
            );
            write_ratios(
                out,
                "warta / given-entities (JSONL; 1 minus this is the share of warta's time spent extracting):",
                &self.warta_vs_given_entities,
            );
            self.write_extraction(out);
        }
        if !self.thread_scaling.is_empty() {
            let _ = writeln!(out, "thread scaling (articles/s at N threads / at the fewest):");
            for r in &self.thread_scaling {
                let _ = writeln!(out, "  {:<28} {:.2}x", r.label, r.ratio);
            }
            let _ = writeln!(
                out,
                "  (threads: warta's reader and enricher threads and tantivy's indexing threads; with {} cores and\n  \
                 CPU/wall above 1 already at the fewest threads, the headroom for scaling is small.)",
                self.machine.cores
            );
        }
        if !self.core_scaling.is_empty() {
            let _ = writeln!(out, "core scaling (articles/s):");
            for r in &self.core_scaling {
                let _ = writeln!(out, "  {:<60} {:.2}x", r.label, r.ratio);
            }
        }
        self.write_thread_cpu(out);
        self.write_count_notes(out);
    }

    /// Entity extraction alone: articles per CPU second of the extracting calls, from the
    /// given-entities runs' preparations (the median of the runs; each extracted everything).
    fn write_extraction(&self, out: &mut String) {
        let mut speeds: Vec<(f64, u64)> = self
            .indexing
            .iter()
            .filter_map(|r| r.report.extraction)
            .map(|e| (e.articles_per_cpu_sec(), e.articles))
            .collect();
        if speeds.is_empty() {
            return;
        }
        speeds.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (speed, articles) = speeds[(speeds.len() - 1) / 2];
        let _ = writeln!(
            out,
            "entity extraction alone (no reading or indexing): {speed:.0} articles per CPU second\n  \
             (median of {} measurements, each over {articles} articles)",
            speeds.len()
        );
    }

    /// CPU seconds by thread kind of the JSON Lines runs of warta, no-entities and the
    /// baseline, and the issue's measure of warta's own cost: the CPU of every thread but
    /// tantivy's over that of tantivy's (for the baseline: its reading and parsing, on the
    /// main thread, over tantivy's).
    fn write_thread_cpu(&self, out: &mut String) {
        let runs: Vec<&IndexRun> = self
            .median_runs()
            .into_iter()
            .filter(|r| r.shape == Shape::Jsonl && !r.report.cpu_by_thread.is_empty())
            .collect();
        if runs.is_empty() {
            return;
        }
        let mut kinds: Vec<&str> = Vec::new();
        for r in &runs {
            for k in r.report.cpu_by_thread.keys() {
                if !kinds.contains(&k.as_str()) {
                    kinds.push(k);
                }
            }
        }
        // tantivy's threads first, then warta's, then the rest.
        kinds.sort_by_key(|k| (!k.starts_with("tantivy"), !k.starts_with("warta-"), k.to_string()));
        let mut headers = vec!["engine", "threads"];
        headers.extend(kinds.iter().copied());
        headers.push("own / tantivy");
        let rows = runs
            .iter()
            .map(|r| {
                let mut row = vec![r.engine.name().to_string(), r.threads.to_string()];
                row.extend(kinds.iter().map(|k| {
                    r.report
                        .cpu_by_thread
                        .get(*k)
                        .map_or("-".to_string(), |s| format!("{s:.2}"))
                }));
                let (tantivy, own) = tantivy_and_own_cpu(&r.report);
                // Schema-only's other threads prepared its documents before the timed part.
                row.push(if tantivy > 0.0 && r.engine != Engine::SchemaOnly {
                    format!("{:.2}", own / tantivy)
                } else {
                    "-".to_string()
                });
                row
            })
            .collect();
        let _ = writeln!(out, "CPU seconds by thread (JSON Lines runs; sampled every 10 ms):");
        out.push_str(&render(&headers, rows, 2));
        let _ = writeln!(
            out,
            "own / tantivy: CPU of all other threads (reading, parsing, extraction, bookkeeping, the stem table)\n\
             over CPU of tantivy's threads (indexing, doc store compression, merges and commits); the issue\n\
             asks warta's own work to cost at most a third of tantivy's (0.33). Schema-only: its other threads\n\
             built the documents before the timed part, so only its tantivy columns compare."
        );
        // The same documents, indexed by tantivy while warta extracts beside it and alone; and
        // the same pipeline with and without entity fields.
        let pairs = [
            (
                Engine::Warta,
                Engine::SchemaOnly,
                "what extracting beside tantivy costs tantivy",
            ),
            (
                Engine::GivenEntities,
                Engine::NoEntities,
                "what indexing the entity fields costs tantivy",
            ),
        ];
        for &t in &self.settings.threads {
            let tantivy = |e| self.run(e, Shape::Jsonl, t).map(|r| tantivy_and_own_cpu(&r.report).0);
            for (engine, other, what) in pairs {
                if let (Some(cpu), Some(other_cpu)) = (tantivy(engine), tantivy(other)) {
                    if other_cpu > 0.0 {
                        let _ = writeln!(
                            out,
                            "tantivy's CPU in {} / in {}, threads {t}: {:.2}x ({what})",
                            engine.name(),
                            other.name(),
                            cpu / other_cpu
                        );
                    }
                }
            }
        }
    }

    /// Articles warta skipped or warned about, so counts can be compared with the baseline.
    fn write_count_notes(&self, out: &mut String) {
        for r in self.median_runs() {
            if let Some(w) = &r.report.warta {
                if w.articles_skipped + w.files_skipped + w.warnings > 0 {
                    let _ = writeln!(
                        out,
                        "note: {} {} threads {}: {} records skipped, {} files skipped, {} warnings",
                        r.engine.name(),
                        r.shape.name(),
                        r.threads,
                        w.articles_skipped,
                        w.files_skipped,
                        w.warnings
                    );
                }
            }
            let counts = [
                (
                    r.report.given_missed,
                    "articles had no entities prepared (indexed without)",
                ),
                (
                    r.report.baseline_skipped,
                    "records skipped (blank title and body, or not an article object)",
                ),
            ];
            for (n, what) in counts {
                if let Some(n) = n.filter(|n| *n > 0) {
                    let (engine, shape, threads) = (r.engine.name(), r.shape.name(), r.threads);
                    let _ = writeln!(out, "note: {engine} {shape} threads {threads}: {n} {what}");
                }
            }
        }
    }

    fn write_incremental(&self, out: &mut String) {
        let Some(inc) = &self.incremental else { return };
        section(
            out,
            &format!(
                "Incremental reruns (warta, files shape, {} files, threads {})",
                inc.files, inc.threads
            ),
        );
        let rows = vec![
            rerun_row("nothing changed", &inc.unchanged),
            rerun_row(&format!("1% changed ({} files)", inc.changed_files), &inc.changed),
        ];
        out.push_str(&render(&RERUN_HEADERS, rows, 1));
        write_reread_note(out, &inc.unchanged);
    }

    fn write_scale(&self, out: &mut String) {
        let Some(s) = &self.scale else {
            section(out, "Scale");
            out.push_str("skipped (--scale 0 or --quick)\n");
            return;
        };
        section(
            out,
            &format!(
                "Scale ({} articles as files: copies of the corpus under new paths, {:.0} MB, threads {})",
                s.articles,
                s.bytes as f64 / MB,
                s.threads
            ),
        );
        let mut rows = vec![index_row(&s.build), index_row(&s.baseline)];
        rows.extend(s.one_thread.iter().map(index_row));
        out.push_str(&render(&INDEX_HEADERS, rows, 3));
        out.push_str(&render(
            &RERUN_HEADERS,
            vec![rerun_row("nothing changed", &s.unchanged)],
            1,
        ));
        write_reread_note(out, &s.unchanged);
        let c = &s.cold_search;
        if let (Some(median), Some(max)) = (c.median_ms, c.max_ms) {
            let _ = writeln!(
                out,
                "cold `warta search \"{}\"` on the scaled index (its copies collapsed): {} runs after one warm-up: median {median:.1} ms, max {max:.1} ms",
                c.query, c.runs
            );
        } else if let Some(n) = &c.note {
            let _ = writeln!(out, "cold search on the scaled index: {n}");
        }
    }

    fn write_memory(&self, out: &mut String) {
        section(
            out,
            "Memory: peak RSS of warta's indexing processes vs --memory-mb (one baseline row for reference)",
        );
        let headers = [
            "run",
            "articles",
            "peak RSS MiB",
            "anon MiB",
            "file MiB",
            "budget MiB",
            &format!("budget+{RSS_ALLOWANCE_MIB} MiB"),
            "within",
        ];
        let rows = self
            .memory
            .iter()
            .map(|m| {
                vec![
                    m.label.clone(),
                    m.articles.to_string(),
                    format!("{:.0}", m.peak_rss_mib),
                    format!("{:.0}", m.peak_anon_mib),
                    format!("{:.0}", m.peak_file_mib),
                    m.budget_mib.to_string(),
                    m.limit_mib.to_string(),
                    if m.within_limit { "yes" } else { "NO" }.to_string(),
                ]
            })
            .collect();
        out.push_str(&render(&headers, rows, 1));
        let _ = writeln!(
            out,
            "peak RSS: VmHWM; anon (heap) and file (executable, mmapped index segments): peaks sampled every 10 ms."
        );
    }

    fn write_queries(&self, out: &mut String) {
        let Some(q) = &self.queries else { return };
        let max_threads = self.settings.threads.last().copied().unwrap_or(1);
        section(
            out,
            &format!(
                "Queries (warm, in process, {} passes after one warm-up; indexes of the jsonl shape, threads {max_threads})",
                q.reps
            ),
        );
        let headers = [
            "group",
            "queries",
            "failed",
            "warta p50",
            "p95",
            "p99",
            "baseline p50",
            "p95",
            "p99",
            "p50 ratio",
        ];
        let rows = q.groups.iter().map(group_row).collect();
        out.push_str(&render(&headers, rows, 1));
        let _ = writeln!(
            out,
            "milliseconds. warta: top 10 with snippets plus the exact total; baseline: QueryParser (AND) over title+body,\n\
             TopDocs(10) and the 10 stored docs, one IndexReader kept open."
        );
        if let Some(r) = &q.reader_open {
            let _ = writeln!(
                out,
                "warta's search calls use the index handle's shared reader (WartaIndex::searcher); opening a new\n\
                 IndexReader + searcher instead would add p50 {:.3} ms, p95 {:.3} ms per call on this index.",
                r.p50_ms, r.p95_ms
            );
        }
        write_slowest(out, q);
        for o in q.queries.iter().filter(|o| o.error.is_some()) {
            let _ = writeln!(out, "failed: {}: {}", o.label, o.error.as_deref().unwrap_or(""));
        }
    }

    fn write_http(&self, out: &mut String) {
        let Some(h) = &self.http else { return };
        section(
            out,
            &format!(
                "HTTP load (`warta serve`, keep-alive clients cycling through the {} keyword+phrase queries, \
                 {:.1} s warm-up + {:.0} s each)",
                h.queries, h.warmup_secs, h.duration_secs
            ),
        );
        let headers = [
            "clients",
            "requests",
            "failures",
            "searches/s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
        ];
        let ms = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.3}"));
        let rows = h
            .runs
            .iter()
            .map(|r| {
                vec![
                    r.clients.to_string(),
                    r.requests.to_string(),
                    r.failures.to_string(),
                    format!("{:.0}", r.searches_per_sec),
                    ms(r.latency.map(|l| l.p50_ms)),
                    ms(r.latency.map(|l| l.p95_ms)),
                    ms(r.latency.map(|l| l.p99_ms)),
                ]
            })
            .collect();
        out.push_str(&render(&headers, rows, 0));
        if let Some(p) = h.in_process_p50_ms {
            let _ = writeln!(
                out,
                "in process (same queries, single thread, query phase): p50 {p:.3} ms"
            );
        }
        if let Some(o) = h.overhead_p50_ms {
            let verdict = if o < 0.5 { "under" } else { "NOT under" };
            let _ = writeln!(
                out,
                "HTTP overhead at p50 (1-client HTTP p50 - in-process p50): {o:.3} ms ({verdict} the 0.5 ms target)"
            );
        }
        if let Some(s) = h.scaling {
            let _ = writeln!(
                out,
                "throughput scaling, {} clients / 1 client: {s:.2}x on {} logical CPU(s), shared by the server and the clients",
                crate::http::CLIENTS[1],
                h.cores
            );
        }
        for r in h.runs.iter().filter(|r| r.failures > 0) {
            let _ = writeln!(
                out,
                "{} client(s): first failure: {}",
                r.clients,
                r.first_failure.as_deref().unwrap_or("")
            );
        }
        if let Some(a) = &h.addr {
            let _ = writeln!(out, "server: http://{a}/");
        }
        if let Some(n) = &h.note {
            let _ = writeln!(out, "{n}");
        }
    }

    fn write_warc(&self, out: &mut String) {
        let Some(w) = &self.warc else { return };
        section(out, "WARC ingest (the corpus as HTML pages in a .warc.gz)");
        let (compressed, plain) = w.mb_per_sec();
        let _ = writeln!(
            out,
            "{} pages ({} request and {} response records, one gzip member each), {:.1} MB on disk, {:.1} MB uncompressed",
            w.file.pages,
            w.file.pages,
            w.file.pages,
            w.file.bytes as f64 / MB,
            w.file.plain_bytes as f64 / MB
        );
        let _ = writeln!(
            out,
            "warta, {} threads: {} articles in {:.2} s: {:.0} articles/s, {:.2} MB/s compressed ({:.2} MB/s uncompressed), peak RSS {:.0} MiB",
            w.threads,
            w.run.articles,
            w.run.wall_secs,
            w.articles_per_sec(),
            compressed,
            plain,
            w.run.peak_rss_bytes as f64 / MIB
        );
    }

    fn write_many_names(&self, out: &mut String) {
        let Some(m) = &self.many_names else { return };
        section(
            out,
            "Person filters against distinct names (warm, in process; one article per person)",
        );
        let mut headers = vec!["filter".to_string()];
        for n in &m.sizes {
            headers.push(format!("{n} names p50"));
            headers.push("p99".to_string());
        }
        let rows = m
            .filters
            .iter()
            .map(|f| {
                let mut row = vec![f.label.clone()];
                for (_, l) in &f.by_size {
                    row.push(format!("{:.3}", l.p50_ms));
                    row.push(format!("{:.3}", l.p99_ms));
                }
                row
            })
            .collect();
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        out.push_str(&render(&headers, rows, 1));
        let _ = writeln!(out, "milliseconds.");
    }

    fn write_cold(&self, out: &mut String) {
        let Some(c) = &self.cold_search else { return };
        section(out, "Cold search (whole `warta search` processes)");
        if let (Some(median), Some(max)) = (c.median_ms, c.max_ms) {
            let _ = writeln!(
                out,
                "`warta search \"{}\" --index <jsonl index>`: {} runs after one warm-up: median {median:.1} ms, max {max:.1} ms",
                c.query, c.runs
            );
        }
        if let Some(b) = &c.binary {
            let _ = writeln!(out, "binary: {}", b.display());
        }
        if let Some(n) = &c.note {
            let _ = writeln!(out, "{n}");
        }
    }
}

/// Columns of the indexing tables.
const INDEX_HEADERS: [&str; 12] = [
    "shape",
    "threads",
    "engine",
    "articles",
    "wall s",
    "CPU s",
    "CPU/wall",
    "articles/s",
    "MB/s",
    "peak RSS MiB",
    "anon MiB",
    "index MiB",
];

/// Columns of the rerun tables.
const RERUN_HEADERS: [&str; 10] = [
    "rerun",
    "wall s",
    "bytes read",
    "files unchanged",
    "files updated",
    "files added",
    "files removed",
    "articles added",
    "articles removed",
    "peak RSS MiB",
];

/// Explains files an unchanged rerun read again: files that gave warta no article.
fn write_reread_note(out: &mut String, unchanged: &RunReport) {
    let Some(w) = &unchanged.warta else { return };
    if w.files_added > 0 && w.articles_added == 0 {
        let _ = writeln!(
            out,
            "note: with nothing changed, warta still read {} file(s) ({} bytes) and counted them as added: files whose\n\
             only record it skipped leave no document behind, so every rerun sees them as new.",
            w.files_added, w.bytes_read
        );
    }
}

/// One row of a rerun table.
fn rerun_row(label: &str, r: &RunReport) -> Vec<String> {
    let w = r.warta.clone().unwrap_or_default();
    vec![
        label.to_string(),
        format!("{:.3}", r.wall_secs),
        w.bytes_read.to_string(),
        w.files_unchanged.to_string(),
        w.files_updated.to_string(),
        w.files_added.to_string(),
        w.files_removed.to_string(),
        w.articles_added.to_string(),
        w.articles_removed.to_string(),
        mib(r.peak_rss_bytes),
    ]
}

/// A heading and one line per throughput ratio (with several rounds: their median, and the
/// lowest and highest round).
fn write_ratios(out: &mut String, heading: &str, ratios: &[ThroughputRatio]) {
    let _ = writeln!(out, "{heading}");
    for r in ratios {
        let spread = match r.rounds.len() {
            0 | 1 => String::new(),
            n => {
                let lo = r.rounds.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = r.rounds.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                format!("   ({n} rounds: {lo:.3}x to {hi:.3}x)")
            }
        };
        let _ = writeln!(
            out,
            "  {:<28} {:.3}x   (per CPU second: {:.3}x){spread}",
            r.label, r.ratio, r.cpu_ratio
        );
    }
}

/// The lowest and highest of some wall times ("-" for none).
fn wall_range(walls: &[f64]) -> String {
    if walls.is_empty() {
        return "-".to_string();
    }
    let lo = walls.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = walls.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{lo:.2}-{hi:.2}")
}

/// One row of the indexing table.
fn index_row(r: &IndexRun) -> Vec<String> {
    let cpu = r.report.cpu_secs();
    vec![
        r.shape.name().to_string(),
        match r.cores {
            Some(c) => format!("{} ({c} core)", r.threads),
            None => r.threads.to_string(),
        },
        r.engine.name().to_string(),
        r.report.articles.to_string(),
        format!("{:.2}", r.report.wall_secs),
        format!("{cpu:.2}"),
        format!(
            "{:.2}",
            if r.report.wall_secs > 0.0 {
                cpu / r.report.wall_secs
            } else {
                0.0
            }
        ),
        format!("{:.0}", r.articles_per_sec),
        format!("{:.2}", r.input_mb_per_sec),
        mib(r.report.peak_rss_bytes),
        mib(r.report.sampled_rss.anon_bytes),
        mib(r.report.index_bytes),
    ]
}

/// One row of the query table.
fn group_row(g: &crate::queries::GroupStats) -> Vec<String> {
    let ms =
        |l: &Option<Latency>, f: fn(&Latency) -> f64| l.as_ref().map_or("-".to_string(), |l| format!("{:.2}", f(l)));
    vec![
        g.group.clone(),
        g.queries.to_string(),
        g.failed.to_string(),
        ms(&g.warta, |l| l.p50_ms),
        ms(&g.warta, |l| l.p95_ms),
        ms(&g.warta, |l| l.p99_ms),
        ms(&g.baseline, |l| l.p50_ms),
        ms(&g.baseline, |l| l.p95_ms),
        ms(&g.baseline, |l| l.p99_ms),
        g.p50_ratio.map_or("-".to_string(), |r| format!("{r:.1}x")),
    ]
}

/// The five slowest warta queries by p50.
fn write_slowest(out: &mut String, q: &QueryResults) {
    let mut timed: Vec<_> = q.queries.iter().filter(|o| o.warta_p50_ms.is_some()).collect();
    timed.sort_by(|a, b| b.warta_p50_ms.unwrap_or(0.0).total_cmp(&a.warta_p50_ms.unwrap_or(0.0)));
    let _ = writeln!(out, "slowest warta queries (p50 ms, matches):");
    for o in timed.iter().take(5) {
        let _ = writeln!(
            out,
            "  {:>8.2}  {:>7}  [{}] {}",
            o.warta_p50_ms.unwrap_or(0.0),
            o.warta_total.unwrap_or(0),
            o.group.name(),
            o.label
        );
    }
}

/// Bytes as MiB with no decimals.
fn mib(bytes: u64) -> String {
    format!("{:.0}", bytes as f64 / MIB)
}

/// A section title.
fn section(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n== {title} ==");
}

/// CPU seconds of a run's tantivy threads, and of all its other threads.
pub fn tantivy_and_own_cpu(run: &RunReport) -> (f64, f64) {
    run.cpu_by_thread.iter().fold((0.0, 0.0), |(t, o), (kind, secs)| {
        if kind.starts_with("tantivy") {
            (t + secs, o)
        } else {
            (t, o + secs)
        }
    })
}

/// A text table: the first `left` columns left-aligned, the others right-aligned.
pub fn render(headers: &[&str], rows: Vec<Vec<String>>, left: usize) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i < left {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        parts.join("  ").trim_end().to_string() + "\n"
    };
    let mut out = line(headers.to_vec());
    for row in &rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// This process's command line, each argument shell-quoted when it needs it.
fn command_line() -> String {
    std::env::args()
        .map(|a| {
            if !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=,:+@".contains(c)) {
                a
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_aligned_tables() {
        let t = render(&["a", "num"], vec![vec!["xyz".into(), "1".into()]], 1);
        assert_eq!(t, "a    num\nxyz    1\n");
    }

    fn run_report(engine: Engine, wall_secs: f64, peak_mib: u64) -> RunReport {
        RunReport {
            engine,
            wall_secs,
            cpu_user_secs: wall_secs,
            cpu_sys_secs: 0.0,
            peak_rss_bytes: peak_mib * 1024 * 1024,
            sampled_rss: Default::default(),
            cpu_by_thread: Default::default(),
            articles: 1000,
            input_bytes: 0,
            index_bytes: 0,
            warta: None,
            given_missed: None,
            extraction: None,
            baseline_skipped: None,
        }
    }

    #[test]
    fn rounds_are_compared_round_by_round_and_summed_up_by_their_median() {
        let settings = Settings {
            threads: vec![2],
            memory_mb: 256,
            scale: 0,
            limit: None,
            query_reps: 1,
            cold_runs: 0,
            quick: false,
            rounds: 3,
        };
        let corpus = Corpus {
            files: Vec::new(),
            articles: Vec::new(),
            bad_lines: 0,
        };
        let mut report = Report::new(crate::measure::machine(), settings, CorpusInfo::new(&[], &corpus));
        // Round 2 was slowed down for both engines: its ratio is like the others', though
        // its times are not.
        let walls = [(1, 2.0, 1.0), (2, 4.0, 2.5), (3, 2.2, 1.1)];
        for (round, warta, baseline) in walls {
            for (engine, wall) in [(Engine::Warta, warta), (Engine::Baseline, baseline)] {
                let run = IndexRun::new(Shape::Jsonl, 2, run_report(engine, wall, 100), 1);
                report.indexing.push(run.in_round(round));
            }
        }
        report.derive_ratios();
        let r = &report.warta_vs_baseline[0];
        assert_eq!(r.rounds.len(), 3);
        assert!((r.rounds[0] - 0.5).abs() < 1e-9 && (r.rounds[1] - 0.625).abs() < 1e-9);
        assert!((r.ratio - 0.5).abs() < 1e-9, "median of 0.5, 0.625, 0.5: {}", r.ratio);
        // The table shows one run per engine, the one of median wall time.
        let shown = report.median_runs();
        assert_eq!(shown.len(), 2);
        assert_eq!((shown[0].engine, shown[0].round), (Engine::Warta, 3));
        assert_eq!((shown[1].engine, shown[1].round), (Engine::Baseline, 3));
        assert!(report.table().contains("(3 rounds: 0.500x to 0.625x)"));
        assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn memory_rows_compare_with_budget_plus_allowance() {
        let run = |peak: u64| RunReport {
            engine: Engine::Warta,
            wall_secs: 1.0,
            cpu_user_secs: 0.0,
            cpu_sys_secs: 0.0,
            peak_rss_bytes: peak * 1024 * 1024,
            sampled_rss: Default::default(),
            cpu_by_thread: Default::default(),
            articles: 0,
            input_bytes: 0,
            index_bytes: 0,
            warta: None,
            given_missed: None,
            extraction: None,
            baseline_skipped: None,
        };
        let row = MemoryRow::new("x".into(), 10, &run(300), 256);
        assert_eq!(row.limit_mib, 406);
        assert!(row.within_limit);
        assert!(!MemoryRow::new("x".into(), 10, &run(500), 256).within_limit);
    }
}
