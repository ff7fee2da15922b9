//! Indexing runs: walk the roots, compare with what the index holds, parse and enrich what
//! changed on worker threads, and update the index in one commit.
//!
//! [`index_paths`] is the algorithm; each stage is a module: [`known`] (what the index
//! holds of each file), [`walk`], [`read`], [`enrich`], the [`pipeline`] that runs them on
//! threads of their own, [`commit`] and [`summary`] (the accounts of the run).

mod commit;
mod enrich;
mod known;
mod pipeline;
mod read;
mod summary;
mod walk;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use enrich::Enricher;
pub use summary::{RunSummary, SkippedFile, MAX_LISTED_WARNINGS};
pub use walk::EXTERNAL_LINK;

use super::touched::{self, Rejected, Touched};
use super::{IndexError, StepContext, WartaIndex, LAST_RUN_FILE};
use crate::extract;
use crate::ingest;
use pipeline::{run_pipeline, Run, SharedWriter};
use summary::Tally;

/// Settings of an indexing run.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Start from an empty index.
    pub rebuild: bool,
    /// Worker threads for parsing and for tantivy's indexing.
    pub threads: usize,
    /// Memory budget of tantivy's writer, in MiB (shared by its threads).
    pub memory_mb: usize,
    /// Also commit after about this many new articles (none: by time only).
    pub commit_every: Option<u64>,
    /// Commit when this long has passed since the last commit and articles were added, so a
    /// crash loses at most about this much work and searches see a long run's progress.
    /// Time rather than a count by default: a run shorter than this commits once, at the
    /// end, leaving as few segments as one commit can (more commits mean more segments, and
    /// merging them at the end of the run cost a 200,000-article build 16% of its time).
    pub commit_interval: Duration,
    /// Bytes of documents that may wait in tantivy's queue for its indexing threads (library
    /// setting): when tantivy indexes more slowly than warta reads and extracts, readers and
    /// enrichers wait instead of filling memory (see `queue`). The default, 32 MiB, keeps
    /// tantivy busy (some 17,000 articles of the shared corpora) and is small next to the
    /// 150 MB the issue allows over the writer's budget.
    pub queue_bytes: usize,
    /// Follow symbolic links whose targets lie outside the indexed roots (by default they are
    /// skipped, and counted).
    pub follow_external_links: bool,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            rebuild: false,
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            memory_mb: 256,
            commit_every: None,
            commit_interval: Duration::from_secs(60),
            queue_bytes: 32 << 20,
            follow_external_links: false,
        }
    }
}

/// Receives what a run reports while it works (the CLI draws a progress bar and prints warnings).
///
/// The walk runs while files are read, so the number of files to read is not known up front:
/// [`start`](Progress::start) opens the run with the files known so far, each file the walk
/// finds that needs reading is announced through [`found`](Progress::found) before it is read,
/// and [`walked`](Progress::walked) gives the final total once the walk is over. At any time
/// the files advanced never exceed the total announced. `found` and `walked` have default
/// implementations that ignore them, so a receiver written for a known total still compiles
/// (it is then told a total of 0).
pub trait Progress: Sync {
    /// The run starts reading; `files_to_read` files are known to need reading so far
    /// (0 today: the walk announces them through [`found`](Progress::found)). Called once.
    fn start(&self, files_to_read: u64);
    /// The walk found `files` more files that must be read: the total grows by that much.
    /// Called from the walk's thread while other files are being read.
    fn found(&self, files: u64) {
        let _ = files;
    }
    /// The walk is over: `files_to_read` files in all must be read this run (the sum of what
    /// `start` and `found` announced). Called once, after the last `found`.
    fn walked(&self, files_to_read: u64) {
        let _ = files_to_read;
    }
    /// One more file was read (or skipped).
    fn advance(&self);
    /// A one-line warning about a file, already naming it.
    fn warn(&self, message: &str);
}

/// Nothing to show: for programs that only want the summary (which counts the warnings too).
impl Progress for () {
    fn start(&self, _files_to_read: u64) {}
    fn advance(&self) {}
    fn warn(&self, _message: &str) {}
}

/// Indexes `roots` (directories or files) into the index at `index_dir`, incrementally unless
/// `opts.rebuild`; no roots re-syncs every root the index records (see [`super::roots`]).
/// Problems with single files are reported through `progress` and the summary; an `Err`
/// means the run as a whole failed and the index was left as it was.
pub fn index_paths(
    index_dir: &Path,
    roots: &[PathBuf],
    opts: &IndexOptions,
    progress: &dyn Progress,
) -> Result<RunSummary, IndexError> {
    index_paths_with(index_dir, roots, opts, &extract::enrich, progress)
}

/// [`index_paths`] with `enricher` in place of warta's extractor ([`extract::enrich`]): a
/// hook for measuring what the rest of the pipeline costs (see [`Enricher`]).
pub fn index_paths_with(
    index_dir: &Path,
    roots: &[PathBuf],
    opts: &IndexOptions,
    enricher: &dyn Enricher,
    progress: &dyn Progress,
) -> Result<RunSummary, IndexError> {
    let started = Instant::now();
    let mut tally = Tally::default();
    ignore_file_size_signal();
    let recorded = super::roots::load(index_dir).step("cannot read the index's recorded roots")?;
    let asked = match (roots.is_empty(), recorded.is_empty()) {
        (false, _) => roots,
        (true, false) => &recorded[..],
        (true, true) => return Err(IndexError::NoRoots(index_dir.to_path_buf())),
    };
    let roots = walk::existing_roots(asked, progress, &mut tally.summary)?;

    // Held until the run ends: a second writer fails at once, before touching anything.
    let _lock = super::lock_for_writing(index_dir)?;
    let wi = WartaIndex::open_or_create(index_dir, opts.rebuild)?;
    let index_dir_canon = index_dir.canonicalize().ok();
    let threads = opts.threads.clamp(1, 64);
    let writer = SharedWriter::new(commit::open_writer(&wi, threads, opts.memory_mb)?, &wi.fields);
    let mut known = known::load(&wi)?;
    let started_from = wi.index.load_metas()?.opstamp;
    let rejected_before = touched::load_rejected(&wi.dir);

    let run = Run {
        wi: &wi,
        opts,
        threads,
        enricher,
        progress,
        walk: ingest::WalkOptions {
            exclude: index_dir_canon.as_deref(),
            roots: &roots,
            follow_external_links: opts.follow_external_links,
        },
        rejected: &rejected_before,
    };
    let walked = run_pipeline(&run, &writer, &mut known, &mut tally);
    tally.add_walked(walked);
    drop(known);

    let (writer, touched) = writer.into_inner();
    commit::commit_last(&wi, writer, &mut tally.summary, progress)?;
    release_free_memory();
    record_files(&wi, &roots, rejected_before, tally.touched, tally.rejected, progress);
    let before = if opts.rebuild { Vec::new() } else { recorded };
    record_roots(&wi, before, &roots, progress);
    record_run(&wi, threads, started, (&touched, started_from), tally.summary, progress)
}

/// Hands the memory the run's writer freed back to the system (glibc keeps freed memory in
/// each thread's arena), so that the stem table and the stories, worked out after it, do not
/// add to its peak.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of the allocator's arenas to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Ignores SIGXFSZ for the process: a write past the file size limit (`ulimit -f`) then fails
/// with EFBIG, and the run ends as on a full disk (a clear error, the files of the failed
/// commit deleted) instead of the process being killed.
fn ignore_file_size_signal() {
    #[cfg(unix)]
    // SAFETY: sets the disposition of one signal to "ignore"; no handler runs.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// Records what the documents cannot say of the files: the new times of touched files, and
/// the files rejected as a whole (those under other roots stay as recorded; under these
/// roots, as found now). Only after the commit: the tables never describe documents the
/// index does not hold. A failure is a warning: the files are only read again next time.
fn record_files(
    wi: &WartaIndex,
    roots: &[PathBuf],
    rejected_before: BTreeMap<String, Rejected>,
    touched_now: Vec<(String, Touched)>,
    rejected_now: BTreeMap<String, Rejected>,
    progress: &dyn Progress,
) {
    let table = touched_now.into_iter().collect();
    if let Err(e) = touched::save(&wi.dir, &table) {
        progress.warn(&format!(
            "cannot record touched files (they will be hashed again next time): {e}"
        ));
    }
    let root_keys = walk::root_keys(roots);
    let elsewhere = rejected_before
        .into_iter()
        .filter(|(key, _)| !root_keys.iter().any(|r| Path::new(key).starts_with(r)));
    let rejected: BTreeMap<String, Rejected> = elsewhere.chain(rejected_now).collect();
    if let Err(e) = touched::save_rejected(&wi.dir, &rejected) {
        progress.warn(&format!(
            "cannot record rejected files (they will be read again next time): {e}"
        ));
    }
}

/// Records the roots the index now holds: those recorded `before` and this run's, without
/// one inside another. A root that is missing today stays recorded (its articles stay too).
/// A failure is a warning: the next run without paths re-syncs fewer roots.
fn record_roots(wi: &WartaIndex, before: Vec<PathBuf>, run: &[PathBuf], progress: &dyn Progress) {
    let mut all = before;
    all.extend(run.iter().cloned());
    let all = walk::outermost(all);
    match super::roots::save(&wi.dir, &all) {
        Ok(left_out) => {
            for root in left_out {
                progress.warn(&format!(
                    "{}: not recorded among the index's roots (not UTF-8); give it when indexing",
                    root.display()
                ));
            }
        }
        Err(e) => progress.warn(&format!("cannot record the indexed roots: {e}")),
    }
}

/// Brings the stem table and the stories up to date with the run's last commit (the run
/// having `touched` files since commit `started_from`), completes the summary and records it
/// in the index directory as the last run's.
fn record_run(
    wi: &WartaIndex,
    threads: usize,
    started: Instant,
    (touched, started_from): (&std::collections::HashSet<String>, u64),
    mut summary: RunSummary,
    progress: &dyn Progress,
) -> Result<RunSummary, IndexError> {
    let searcher = wi.index.reader()?.searcher();
    commit::update_stems(wi, &searcher, threads, progress, &mut summary);
    commit::update_stories(wi, &searcher, touched, started_from, progress, &mut summary);
    summary.total_articles = searcher.num_docs();
    summary.elapsed_secs = started.elapsed().as_secs_f64();
    let json = serde_json::to_vec_pretty(&summary).expect("summary serializes");
    std::fs::write(wi.dir.join(LAST_RUN_FILE), json).step("cannot record the run summary")?;
    Ok(summary)
}
