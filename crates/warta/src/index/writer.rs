//! Indexing runs: walk the roots, compare with what the index holds, parse and enrich what
//! changed on worker threads, and update the index in one commit.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, RwLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tantivy::indexer::UserOperation;
use tantivy::{DateTime, IndexWriter, TantivyDocument, Term};

use super::queue::{InFlight, QueuedDoc};
use super::stems;
use super::touched::{self, Rejected, Touched};
use super::{spawn_named, Fields, IndexError, WartaIndex, LAST_RUN_FILE};
use crate::extract::{self, Enriched};
use crate::ingest::{self, SourceFile, WalkEvent};

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
    /// Where the articles' entities (persons, countries, organizations, places) come from:
    /// warta's extractor by default (see [`EntitySource`]).
    pub entities: EntitySource,
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

/// Where an indexing run's entities come from (a library setting; the CLI always extracts).
///
/// The other two sources exist for measuring: with [`Skip`](EntitySource::Skip) the run
/// costs what warta's pipeline costs without extraction and without entity fields to index;
/// with [`Given`](EntitySource::Given) it costs what it would with an extractor that were
/// free (the caller's function, which should only look its answer up), the entity fields
/// indexed as usual. Later runs do not change the entities of files they do not read again,
/// so an index built with either is for measuring and throwaway use.
#[derive(Clone, Default)]
pub enum EntitySource {
    /// warta's extractor reads each article's title and text.
    #[default]
    Extract,
    /// None: the entity fields stay empty.
    Skip,
    /// The caller's function gives each article's entities.
    Given(Arc<GivenEntities>),
}

/// The function of [`EntitySource::Given`].
pub type GivenEntities = dyn Fn(&ingest::Article) -> extract::Entities + Send + Sync;

impl std::fmt::Debug for EntitySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EntitySource::Extract => "Extract",
            EntitySource::Skip => "Skip",
            EntitySource::Given(_) => "Given(..)",
        })
    }
}

impl EntitySource {
    /// `article` enriched: its language, and its entities from this source.
    fn enrich(&self, article: ingest::Article) -> Enriched {
        match self {
            EntitySource::Extract => extract::enrich(article),
            EntitySource::Skip => extract::enrich_language_only(article),
            EntitySource::Given(entities_of) => {
                let entities = entities_of(&article);
                let mut enriched = extract::enrich_language_only(article);
                enriched.entities = entities;
                enriched
            }
        }
    }
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            rebuild: false,
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            memory_mb: 256,
            commit_every: None,
            commit_interval: Duration::from_secs(60),
            entities: EntitySource::Extract,
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

/// A file (or one record of it) that was not indexed, and why.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}

/// What an indexing run did.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunSummary {
    /// Files seen for the first time, whose articles were added.
    pub files_added: u64,
    /// Files whose content changed, whose articles were replaced.
    pub files_updated: u64,
    /// Files that disappeared from the indexed roots, whose articles were removed.
    pub files_removed: u64,
    pub files_unchanged: u64,
    /// Files skipped as a whole (unreadable, binary, malformed, empty...).
    pub files_skipped: u64,
    /// Files under the roots that are not articles by their extension.
    pub not_articles: u64,
    pub articles_added: u64,
    pub articles_removed: u64,
    /// Records inside otherwise readable files that could not be indexed.
    pub articles_skipped: u64,
    /// Skips counted by reason.
    pub skipped_by_reason: BTreeMap<String, u64>,
    /// Every skipped file or record, with its reason.
    pub skipped: Vec<SkippedFile>,
    /// Warnings that did not stop an article from being indexed (unreadable dates...).
    pub warnings: u64,
    /// The first [`MAX_LISTED_WARNINGS`] of those warnings: articles indexed in a degraded
    /// form (text cut, characters replaced, date dropped), so they are never lost silently.
    #[serde(default)]
    pub degraded: Vec<String>,
    /// Articles in the index after the run.
    pub total_articles: u64,
    pub elapsed_secs: f64,
    /// Bytes of article files read in this run.
    pub bytes_read: u64,
    /// Commits made, the final one included.
    #[serde(default)]
    pub commits: u64,
    /// Records read that are not articles by design (a web archive's requests, metadata,
    /// images...), by kind.
    #[serde(default)]
    pub passed_over: BTreeMap<String, u64>,
}

impl RunSummary {
    /// Articles indexed per second of the run.
    pub fn articles_per_sec(&self) -> f64 {
        if self.elapsed_secs > 0.0 {
            self.articles_added as f64 / self.elapsed_secs
        } else {
            0.0
        }
    }

    fn skip(&mut self, path: String, kind: &str, reason: String) {
        *self.skipped_by_reason.entry(kind.to_string()).or_default() += 1;
        self.skipped.push(SkippedFile { path, reason });
    }

    /// Counts a warning and keeps it (up to [`MAX_LISTED_WARNINGS`]) for `warta stats`.
    fn warning(&mut self, w: String) {
        self.warnings += 1;
        if self.degraded.len() < MAX_LISTED_WARNINGS {
            self.degraded.push(w);
        }
    }
}

/// How many warnings a run summary keeps (all are counted).
pub const MAX_LISTED_WARNINGS: usize = 1000;

/// What the index knows of one file.
#[derive(Debug, Clone, Copy)]
struct FileState {
    size: u64,
    mtime_ns: i64,
    hash: u64,
    docs: u64,
    /// Whether the file's last article is in the index (else a run stopped inside it).
    complete: bool,
    /// Whether this run's walk found the file.
    seen: bool,
    /// Whether `mtime_ns` comes from the table of touched files (see [`super::touched`]).
    touched: bool,
}

/// The result of processing one file on a worker.
enum Outcome {
    Indexed {
        added: u64,
        replaced: Option<u64>,
        bytes: u64,
    },
    /// The file's bytes are those indexed; `Some` when only its modification time changed.
    Unchanged(Option<(String, Touched)>),
    Skipped {
        path: String,
        kind: String,
        reason: String,
        kept_old: bool,
        /// Articles of the file's previous version removed with it.
        removed: u64,
        /// The file as rejected, for later runs to skip it unread while it stays the same
        /// (`None` when it may read differently next time: unreadable, not a regular file).
        rejected: Option<Rejected>,
    },
    RecordProblem(SkippedFile),
    /// Records of a file that are not articles, by kind ([`ingest::PassedOver`]).
    PassedOver(ingest::PassedOver),
    Warning(String),
    /// A path the walk could not walk or read (permissions, symlink loop, vanished file).
    Unwalkable {
        path: String,
        why: String,
    },
}

/// The summary's label of symbolic links not followed because they lead out of the roots.
pub const EXTERNAL_LINK: &str = "link out of the roots";

/// Files found by the walk that wait for a reader: this bounds the files held in memory,
/// however many the roots hold.
const FILE_QUEUE: usize = 256;

/// Work passes between the pipeline's threads in batches: one channel operation, and at most
/// one wake-up, per batch instead of per file or article. Handing each of 48,600 one-article
/// files over one at a time cost about 10 futex calls and 10 yields a file (`strace -c`).
/// A batch of files is closed at this many files, or at [`FILE_BATCH_BYTES`], so that big
/// files are shared among the readers one by one.
const FILE_BATCH: usize = 32;
const FILE_BATCH_BYTES: u64 = 1 << 20;
/// Articles a reader hands the enrichers at once (fewer at the end of its batch of files).
const JOB_BATCH: usize = 16;
/// Files a reader reports done at once (fewer at the end of its batch of files; a problem is
/// reported at once).
const OUTCOME_BATCH: usize = 64;

/// Lowers the calling thread's scheduling priority (nice +5, Linux only): readers and
/// enrichers call it, so that when they and tantivy's indexing threads want more cores than
/// there are, the indexing threads (the pipeline's bottleneck) run first. At `--threads 1`
/// on 2 cores, reading and extraction finished ~1.3 s before tantivy did; with this, 48,626
/// articles took 3.3-3.6 s instead of 3.5-3.8 s (five alternating runs each), and 2 threads
/// were unchanged.
fn yield_to_indexing() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on the calling thread; a failure only leaves the priority as
    // it was.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 5);
    }
}

/// Items gathered into batches for a channel. The owner flushes it before it waits for more
/// work, so that nothing waits in a batch while its thread is idle.
struct Batcher<T, S: Fn(Vec<T>)> {
    items: Vec<T>,
    max: usize,
    send: S,
}

impl<T, S: Fn(Vec<T>)> Batcher<T, S> {
    fn new(max: usize, send: S) -> Self {
        Batcher {
            items: Vec::with_capacity(max),
            max,
            send,
        }
    }

    fn push(&mut self, item: T) {
        self.items.push(item);
        if self.items.len() >= self.max {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if !self.items.is_empty() {
            (self.send)(std::mem::replace(&mut self.items, Vec::with_capacity(self.max)));
        }
    }
}

/// What the walk counted and removed, merged into the summary when the run ends.
#[derive(Debug, Default)]
struct Walked {
    files_unchanged: u64,
    /// Files found unchanged thanks to the table of touched files: their entries stay.
    still_touched: Vec<(String, Touched)>,
    not_articles: u64,
    files_removed: u64,
    articles_removed: u64,
}

/// Indexes `roots` (directories or files) into the index at `index_dir`, incrementally unless
/// `opts.rebuild`. Problems with single files are reported through `progress` and the summary;
/// an `Err` means the run as a whole failed and the index was left as it was.
pub fn index_paths(
    index_dir: &Path,
    roots: &[PathBuf],
    opts: &IndexOptions,
    progress: &dyn Progress,
) -> Result<RunSummary, IndexError> {
    use super::StepContext;
    let started = Instant::now();
    let mut summary = RunSummary::default();
    ignore_file_size_signal();

    let mut canonical_roots = Vec::new();
    for root in roots {
        match root.canonicalize() {
            Ok(r) => canonical_roots.push(r),
            Err(e) => {
                let msg = format!("{}: {e}", root.display());
                progress.warn(&msg);
                summary.skip(root.display().to_string(), "not found", e.to_string());
            }
        }
    }
    if canonical_roots.is_empty() {
        return Err(IndexError::NothingToIndex(roots.to_vec()));
    }

    // Held until the run ends: a second writer fails at once, before touching anything.
    let _lock = super::lock_for_writing(index_dir)?;
    let wi = WartaIndex::open_or_create(index_dir, opts.rebuild)?;
    let index_dir_canon = index_dir.canonicalize().ok();
    let threads = opts.threads.clamp(1, 64);
    let writer: IndexWriter<QueuedDoc> = match wi.writer(threads, opts.memory_mb) {
        Ok(w) => w,
        Err(tantivy::TantivyError::LockFailure(..)) => return Err(IndexError::Locked(index_dir.to_path_buf())),
        Err(e) => return Err(e).step("cannot open the index for writing"),
    };

    let mut known = wi
        .guard_result(|| load_file_states(&wi))?
        .step("cannot read the index's file list")?;
    for (path, t) in touched::load(&wi.dir) {
        if let Some(s) = known.get_mut(&path).filter(|s| s.size == t.size && s.hash == t.hash) {
            s.mtime_ns = t.mtime_ns;
            s.touched = true;
        }
    }
    let mut touched_now: Vec<(String, Touched)> = Vec::new();
    let rejected_before = touched::load_rejected(&wi.dir);
    let mut rejected_now: BTreeMap<String, Rejected> = BTreeMap::new();
    // A root inside another root would walk its files twice.
    let nested: Vec<PathBuf> = canonical_roots
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            canonical_roots
                .iter()
                .enumerate()
                .any(|(j, o)| (*i != j && r.starts_with(o) && r != &o) || (j < *i && r == &o))
        })
        .map(|(_, r)| r.clone())
        .collect();
    canonical_roots.retain(|r| !nested.contains(r));

    // Adders share the writer; a periodic commit takes it for itself between two adds.
    let writer = RwLock::new(writer);
    let added_total = AtomicU64::new(0);
    let mut committed_at = 0u64;
    let mut last_commit = Instant::now();
    progress.start(0);
    let (tx, rx) = mpsc::channel::<Vec<Outcome>>();
    // The walk runs on its own thread, concurrently with the readers, and hands them the files
    // that need reading through a bounded queue: memory does not grow with the archive.
    let (file_tx, file_rx) =
        crossbeam_channel::bounded::<Vec<(SourceFile, Option<FileState>)>>(FILE_QUEUE / FILE_BATCH);
    // Readers parse files and hand articles to enrichers, which extract, build documents and
    // add them to tantivy's writer: one big JSON Lines file keeps every core busy too.
    let (job_tx, job_rx) = crossbeam_channel::bounded::<Vec<Job>>(threads * 64 / JOB_BATCH);
    // Documents handed to tantivy and not yet taken up by its indexing threads.
    let in_flight = InFlight::new(opts.queue_bytes);
    let walked = std::thread::scope(|scope| {
        let walker = {
            let tx = tx.clone();
            let (known, roots, rejected) = (&mut known, &canonical_roots, &rejected_before);
            let walk_opts = ingest::WalkOptions {
                exclude: index_dir_canon.as_deref(),
                roots,
                follow_external_links: opts.follow_external_links,
            };
            let (writer, fields) = (&writer, &wi.fields);
            let delete = move |file: &str| {
                let term = Term::from_field_text(fields.file, file);
                writer.read().expect("writer lock").delete_term(term);
            };
            spawn_named(scope, "warta-walk", move || {
                walk_roots(&walk_opts, known, rejected, file_tx, &tx, progress, delete)
            })
        };
        for _ in 0..threads {
            let (tx, job_tx, file_rx) = (tx.clone(), job_tx.clone(), file_rx.clone());
            let (writer, fields) = (&writer, &wi.fields);
            spawn_named(scope, "warta-read", move || {
                yield_to_indexing();
                let mut jobs = Batcher::new(JOB_BATCH, |b| {
                    let _ = job_tx.send(b);
                });
                let outcomes = RefCell::new(Batcher::new(OUTCOME_BATCH, |b| {
                    let _ = tx.send(b);
                }));
                for batch in file_rx {
                    for (file, state) in batch {
                        read_source(&file, state, fields, writer, &mut jobs, &outcomes);
                    }
                    jobs.flush();
                    outcomes.borrow_mut().flush();
                }
            });
        }
        // Only the readers hold the queue's receiving end: if they all stop, the walk's sends
        // fail instead of blocking forever.
        drop(file_rx);
        drop(job_tx);
        for _ in 0..threads {
            let (tx, job_rx) = (tx.clone(), job_rx.clone());
            let (writer, fields, added_total, in_flight) = (&writer, &wi.fields, &added_total, &in_flight);
            let entities = &opts.entities;
            spawn_named(scope, "warta-enrich", move || {
                yield_to_indexing();
                for batch in job_rx {
                    // A batch of articles goes to tantivy as one operation: one message on its
                    // channel, and at most one wake-up of an indexing thread, instead of one a
                    // document.
                    let mut ids = Vec::with_capacity(batch.len());
                    let mut docs = Vec::with_capacity(batch.len());
                    for job in batch {
                        let enriched = entities.enrich(job.article);
                        let bytes = document_bytes(&job.id, &job.file, &enriched);
                        let doc = build_document(fields, &job.id, &job.file, job.hash, job.last, &enriched, bytes);
                        docs.push((doc, bytes));
                        ids.push(job.id);
                    }
                    // Waits while tantivy's queue holds too much (before taking the writer's
                    // lock, which a commit needs).
                    in_flight.acquire(docs.iter().map(|(_, b)| b).sum());
                    let adds: Vec<_> = docs
                        .into_iter()
                        .map(|(doc, bytes)| UserOperation::Add(QueuedDoc::new(doc, bytes, in_flight)))
                        .collect();
                    match writer.read().expect("writer lock").run(adds) {
                        Ok(_) => {
                            added_total.fetch_add(ids.len() as u64, Ordering::Relaxed);
                        }
                        Err(e) => {
                            let warnings = ids
                                .iter()
                                .map(|id| Outcome::Warning(format!("{id}: cannot index: {e}")));
                            let _ = tx.send(warnings.collect());
                        }
                    }
                }
            });
        }
        drop(tx);
        loop {
            // Wake up now and then even while one big file is being read, to commit.
            let outcomes = match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(batch) => batch,
                Err(mpsc::RecvTimeoutError::Timeout) => Vec::new(),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            let added = added_total.load(Ordering::Relaxed);
            let due = opts.commit_every.is_some_and(|n| added >= committed_at + n)
                || (added > committed_at && last_commit.elapsed() >= opts.commit_interval);
            if due {
                committed_at = added;
                last_commit = Instant::now();
                if let Err(e) = writer.write().expect("writer lock").commit() {
                    progress.warn(&format!("intermediate commit failed (the final one will retry): {e}"));
                } else {
                    summary.commits += 1;
                    // Searches see this commit: let them match its new words by stem too.
                    match wi.index.reader() {
                        Ok(reader) => update_stems(&wi, &reader.searcher(), threads, progress, &mut summary),
                        Err(e) => {
                            let w = format!("cannot read the index to update the stem table: {e}");
                            progress.warn(&w);
                            summary.warning(w);
                        }
                    }
                }
            }
            for outcome in outcomes {
                match outcome {
                    Outcome::Indexed { added, replaced, bytes } => {
                        summary.articles_added += added;
                        summary.bytes_read += bytes;
                        match replaced {
                            Some(old) => {
                                summary.files_updated += 1;
                                summary.articles_removed += old;
                            }
                            None => summary.files_added += 1,
                        }
                        progress.advance();
                    }
                    Outcome::Unchanged(touched) => {
                        summary.files_unchanged += 1;
                        touched_now.extend(touched);
                        progress.advance();
                    }
                    Outcome::Skipped {
                        path,
                        kind,
                        reason,
                        kept_old,
                        removed,
                        rejected,
                    } => {
                        if let Some(r) = rejected {
                            rejected_now.insert(path.clone(), r);
                        }
                        let note = if kept_old {
                            " (its previously indexed articles are kept)".to_string()
                        } else if removed > 0 {
                            format!(" (its {removed} previously indexed articles were removed)")
                        } else {
                            String::new()
                        };
                        summary.articles_removed += removed;
                        progress.warn(&format!("{path}: skipped: {reason}{note}"));
                        summary.files_skipped += 1;
                        summary.skip(path, &kind, reason);
                        progress.advance();
                    }
                    Outcome::RecordProblem(p) => {
                        progress.warn(&format!("{}: skipped: {}", p.path, p.reason));
                        summary.articles_skipped += 1;
                        summary.skip(p.path, "bad record", p.reason);
                    }
                    Outcome::Warning(w) => {
                        progress.warn(&w);
                        summary.warning(w);
                    }
                    Outcome::PassedOver(kinds) => {
                        for (kind, n) in kinds {
                            *summary.passed_over.entry(kind.to_string()).or_default() += n;
                        }
                    }
                    Outcome::Unwalkable { path, why } => {
                        progress.warn(&format!("{path}: {why} (articles indexed from it before are kept)"));
                        summary.files_skipped += 1;
                        summary.skip(path, "unreadable", why);
                    }
                }
            }
        }
        // The walk's thread ended before the loop did (it held a sender of `tx`).
        walker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    summary.files_unchanged += walked.files_unchanged;
    summary.not_articles += walked.not_articles;
    summary.files_removed += walked.files_removed;
    summary.articles_removed += walked.articles_removed;
    drop(known);
    let mut writer = writer.into_inner().expect("writer lock");
    if let Err(e) = writer.commit() {
        if let Err(cleanup) = discard_uncommitted(&wi, writer) {
            progress.warn(&format!(
                "cannot delete the files of the failed commit (the next run will): {cleanup}"
            ));
        }
        return Err(e).step(
            "cannot commit the index (is the disk full, or the index directory not writable?); it keeps its last commit",
        );
    }
    summary.commits += 1;
    writer
        .wait_merging_threads()
        .step("cannot finish merging index segments")?;
    // Only after the commit: the table never describes documents the index does not hold.
    let table = walked.still_touched.into_iter().chain(touched_now).collect();
    if let Err(e) = touched::save(&wi.dir, &table) {
        progress.warn(&format!(
            "cannot record touched files (they will be hashed again next time): {e}"
        ));
    }
    // Files rejected under other roots stay as recorded; under these roots, as found now.
    let root_keys: Vec<String> = canonical_roots
        .iter()
        .map(|r| ingest::walk::path_text(r.as_os_str()))
        .collect();
    let elsewhere = rejected_before
        .into_iter()
        .filter(|(key, _)| !root_keys.iter().any(|r| Path::new(key).starts_with(r)));
    let rejected: BTreeMap<String, Rejected> = elsewhere.chain(rejected_now).collect();
    if let Err(e) = touched::save_rejected(&wi.dir, &rejected) {
        progress.warn(&format!(
            "cannot record rejected files (they will be read again next time): {e}"
        ));
    }

    let searcher = wi.index.reader()?.searcher();
    update_stems(&wi, &searcher, threads, progress, &mut summary);
    summary.total_articles = searcher.num_docs();
    summary.elapsed_secs = started.elapsed().as_secs_f64();
    let json = serde_json::to_vec_pretty(&summary).expect("summary serializes");
    std::fs::write(wi.dir.join(LAST_RUN_FILE), json).step("cannot record the run summary")?;
    Ok(summary)
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

/// After a failed commit (a full disk), drops what the run added since its last commit and
/// deletes the files of the segments it was writing: tantivy keeps them while its writer
/// holds them, and on a full disk they kept every later run from writing anything. The
/// writer is dropped first, which waits for its indexing threads (a rollback does not, and a
/// thread still writing a segment left files behind the cleanup); a new writer, which knows
/// only the committed segments, then collects the rest. Segment files tantivy does not list
/// as its own (its list may not have been saved on the full disk) are deleted after it.
fn discard_uncommitted(wi: &WartaIndex, writer: IndexWriter<QueuedDoc>) -> tantivy::Result<()> {
    drop(writer);
    let collected = wi
        .writer::<QueuedDoc>(1, 15)
        .and_then(|cleaner| cleaner.garbage_collect_files().wait());
    remove_uncommitted_segment_files(wi)?;
    collected.map(|_| ())
}

/// Deletes the files of segments the last commit does not hold (named by a segment id, 32 hex
/// digits). Only while the index's write lock is held: readers open committed segments only.
fn remove_uncommitted_segment_files(wi: &WartaIndex) -> tantivy::Result<()> {
    let committed: Vec<String> = wi
        .index
        .searchable_segment_ids()?
        .iter()
        .map(|id| id.uuid_string())
        .collect();
    for entry in std::fs::read_dir(&wi.dir)?.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(id) = name.to_str().and_then(|n| n.split('.').next()) else {
            continue;
        };
        let segment_file = id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
        if segment_file && !committed.iter().any(|c| c == id) {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// Brings the stem table up to date with the last commit. A failure is a warning, also kept
/// in the run's summary: searches then match the new words as written only, until a later
/// run updates the table.
fn update_stems(
    wi: &WartaIndex,
    searcher: &tantivy::Searcher,
    threads: usize,
    progress: &dyn Progress,
    summary: &mut RunSummary,
) {
    if let Err(e) = stems::update_if_stale(&wi.dir, searcher, &wi.fields, threads) {
        let w = format!(
            "cannot update the stem table (searches match this run's new words as written only, until the next run): {e}"
        );
        progress.warn(&w);
        summary.warning(w);
    }
}

/// Walks every root, deciding from size and mtime which files need reading: those are sent
/// to the readers through `files` (announced to `progress` first), the others counted as
/// unchanged. Files seen are marked in `known` (no second set of every path: memory stays flat
/// on big archives); once the whole walk is done, the files the index holds under these roots
/// that it did not see are removed with `delete`. Problems go to the coordinator through `tx`.
fn walk_roots(
    opts: &ingest::WalkOptions<'_>,
    known: &mut HashMap<String, FileState>,
    rejected: &BTreeMap<String, Rejected>,
    files: crossbeam_channel::Sender<Vec<(SourceFile, Option<FileState>)>>,
    tx: &mpsc::Sender<Vec<Outcome>>,
    progress: &dyn Progress,
    delete: impl Fn(&str),
) -> Walked {
    let mut walked = Walked::default();
    // Files the readers get, and those the walk skips itself (both counted as the run's).
    let to_read = std::cell::Cell::new(0u64);
    // Directories (and files) the walk could not read: what the index holds under them is
    // not known to be gone.
    let mut unwalked: Vec<String> = Vec::new();
    // Blocks while the queue is full. Fails only if every reader stopped (a panic, which the
    // scope passes on).
    let mut batch = Batcher::new(FILE_BATCH, |b| {
        let _ = files.send(b);
    });
    let roots = opts.roots;
    // A file skipped by the walk itself: counted as a file of the run, like those it reads.
    let skip = |path: String, kind: &str, reason: String, rejected: Option<Rejected>| {
        to_read.set(to_read.get() + 1);
        progress.found(1);
        let _ = tx.send(vec![Outcome::Skipped {
            path,
            kind: kind.to_string(),
            reason,
            kept_old: false,
            removed: 0,
            rejected,
        }]);
    };
    for root in roots {
        ingest::walk(root, opts, |event| match event {
            WalkEvent::File(f) => {
                let state = known.get_mut(&f.key).map(|s| {
                    s.seen = true;
                    *s
                });
                let still_rejected = rejected
                    .get(&f.key)
                    .filter(|r| state.is_none() && r.size == f.size && r.mtime_ns == f.mtime_ns);
                if let Some(r) = still_rejected {
                    let reason = format!("{} (not read again: unchanged since it was skipped)", r.reason);
                    skip(f.key, &r.kind, reason, Some(r.clone()));
                    return;
                }
                match state {
                    Some(s) if s.complete && s.size == f.size && s.mtime_ns == f.mtime_ns => {
                        walked.files_unchanged += 1;
                        if s.touched {
                            let t = Touched {
                                size: s.size,
                                mtime_ns: s.mtime_ns,
                                hash: s.hash,
                            };
                            walked.still_touched.push((f.key.clone(), t));
                        }
                    }
                    _ => {
                        to_read.set(to_read.get() + 1);
                        progress.found(1);
                        batch.push((f, state));
                        if batch.items.iter().map(|(f, _)| f.size).sum::<u64>() >= FILE_BATCH_BYTES {
                            batch.flush();
                        }
                    }
                }
            }
            WalkEvent::NotArticle(_) => walked.not_articles += 1,
            WalkEvent::NotRegular(path, kind) => skip(
                path.display().to_string(),
                ingest::NOT_REGULAR,
                ingest::SkipReason::NotRegular(kind).to_string(),
                None,
            ),
            WalkEvent::ExternalLink(link, target) => skip(
                link.display().to_string(),
                EXTERNAL_LINK,
                format!(
                    "link to {}, outside the indexed roots (not followed without --follow-external-links)",
                    target.display()
                ),
                None,
            ),
            WalkEvent::Note(path, note) => {
                let _ = tx.send(vec![Outcome::Warning(format!("{}: {note}", path.display()))]);
            }
            WalkEvent::Problem(path, why) => {
                unwalked.push(ingest::walk::path_text(path.as_os_str()));
                let _ = tx.send(vec![Outcome::Unwalkable {
                    path: path.display().to_string(),
                    why,
                }]);
            }
        });
    }
    batch.flush();
    // The readers finish the queue while the deletions below are made.
    drop(batch);
    progress.walked(to_read.get());

    // Files the index has under these roots that are gone from disk: only known once the
    // whole walk is done. No reader adds to them, so they may be deleted after other adds.
    // Files under a path the walk could not read may still be there: they keep their articles.
    let root_keys: Vec<String> = roots.iter().map(|r| ingest::walk::path_text(r.as_os_str())).collect();
    for (key, state) in known.iter() {
        let under_root = root_keys.iter().any(|r| Path::new(key).starts_with(r));
        let unknown = unwalked.iter().any(|p| Path::new(key).starts_with(p));
        if under_root && !unknown && !state.seen {
            delete(key);
            walked.files_removed += 1;
            walked.articles_removed += state.docs;
        }
    }
    walked
}

/// An article on its way from a reader to an enricher.
struct Job {
    id: String,
    file: Arc<FileMeta>,
    hash: u64,
    /// The last article of its file.
    last: bool,
    article: ingest::Article,
}

/// What every document of a file records about it.
pub struct FileMeta {
    pub path: String,
    pub size: u64,
    pub mtime_ns: i64,
}

/// Reads one file and, when its content changed, replaces its articles: the old ones are
/// deleted once the first new article is read (a file that cannot be read at all keeps them),
/// and each new article goes to the enrichers.
fn read_source(
    file: &SourceFile,
    state: Option<FileState>,
    fields: &Fields,
    writer: &RwLock<IndexWriter<QueuedDoc>>,
    jobs: &mut Batcher<Job, impl Fn(Vec<Job>)>,
    outcomes: &RefCell<Batcher<Outcome, impl Fn(Vec<Outcome>)>>,
) {
    let path = file.key.clone();
    // Counts wait for the end of the batch; a problem is reported at once, even in the middle
    // of a long file.
    let send = |o: Outcome| {
        let count = matches!(o, Outcome::Indexed { .. } | Outcome::Unchanged(_));
        let mut outcomes = outcomes.borrow_mut();
        outcomes.push(o);
        if !count {
            outcomes.flush();
        }
    };
    // A small file is read once, for its hash and its articles; a big one is hashed as a
    // stream first, so an unchanged one is never parsed.
    let small = if file.size <= ingest::small_file_limit(file.gz) {
        ingest::read_small_file(&file.path, file.size, file.gz)
    } else {
        Ok(None)
    };
    let read = match small {
        Ok(Some(s)) => Ok((s.hash(), Some(s))),
        // Type before size: a big file that is not text is refused before it is hashed.
        Ok(None) => ingest::sniff(&file.path, file.gz)
            .and_then(|()| ingest::hash_file(&file.path, file.format, file.gz))
            .map(|h| (h, None)),
        Err(e) => Err(e),
    };
    let (hash, small) = match read {
        Ok(r) => r,
        Err(reason) => {
            if state.is_some() && !reason.is_transient() {
                writer
                    .read()
                    .expect("writer lock")
                    .delete_term(Term::from_field_text(fields.file, &path));
            }
            send(skipped_file(path, &reason, state, file));
            return;
        }
    };
    // A touched file whose bytes did not change keeps its articles, and its new time is
    // recorded so that later runs need not hash it again.
    if state.is_some_and(|s| s.complete && s.hash == hash) {
        let t = Touched {
            size: file.size,
            mtime_ns: file.mtime_ns,
            hash,
        };
        send(Outcome::Unchanged(Some((path, t))));
        return;
    }
    let meta = Arc::new(FileMeta {
        path: path.clone(),
        size: file.size,
        mtime_ns: file.mtime_ns,
    });
    let mut added = 0u64;
    let mut deleted = false;
    let delete_old = || {
        writer
            .read()
            .expect("writer lock")
            .delete_term(Term::from_field_text(fields.file, &path));
    };
    // Each article is sent when the next one is read, so the last can be marked as such.
    let mut held: Option<Job> = None;
    let on_record = |rec: ingest::Record| {
        let id = if rec.multi {
            let n = rec.n.to_string();
            let mut id = String::with_capacity(file.id_base.len() + 1 + n.len());
            id.push_str(&file.id_base);
            id.push('#');
            id.push_str(&n);
            id
        } else {
            file.id_base.clone()
        };
        // Where a record's problems are reported (made only for a record that has some).
        let place = || {
            if rec.place.is_empty() {
                path.clone()
            } else {
                format!("{path}: {}", rec.place)
            }
        };
        for w in &rec.warnings {
            send(Outcome::Warning(format!("{}: {w}", place())));
        }
        match rec.result {
            Ok(article) => {
                if state.is_some() && !deleted {
                    delete_old();
                    deleted = true;
                }
                added += 1;
                if let Some(job) = held.replace(Job {
                    id,
                    file: meta.clone(),
                    hash,
                    last: false,
                    article,
                }) {
                    jobs.push(job);
                }
            }
            Err(reason) => send(Outcome::RecordProblem(SkippedFile { path: place(), reason })),
        }
    };
    let result = match small {
        Some(small) => small.records_counted(file.format, file.gz, on_record),
        None => ingest::read_file_counted(&file.path, file.format, file.gz, on_record),
    };
    if let Some(mut job) = held {
        job.last = true;
        jobs.push(job);
    }
    match result {
        Ok(kinds) if !kinds.is_empty() => send(Outcome::PassedOver(kinds)),
        Ok(_) => {}
        Err(reason) if added == 0 => {
            if state.is_some() && !reason.is_transient() && !deleted {
                delete_old();
            }
            send(skipped_file(path, &reason, state, file));
            return;
        }
        Err(reason) => send(Outcome::Warning(format!(
            "{path}: stopped reading after {added} articles: {reason}"
        ))),
    }
    if added == 0 {
        // Every record was bad: the file holds no article (and no longer those indexed
        // before). It is a skipped file, not an added one.
        if state.is_some() && !deleted {
            delete_old();
        }
        let reason = "no readable article in the file (its records are listed above)".to_string();
        send(Outcome::Skipped {
            path,
            kind: "no articles".to_string(),
            reason: reason.clone(),
            kept_old: false,
            removed: state.map_or(0, |s| s.docs),
            rejected: Some(Rejected {
                size: file.size,
                mtime_ns: file.mtime_ns,
                kind: "no articles".to_string(),
                reason,
            }),
        });
        return;
    }
    send(Outcome::Indexed {
        added,
        replaced: state.map(|s| s.docs),
        bytes: file.size,
    });
}

/// The outcome of a file skipped as a whole. A file that could not be read may be back next
/// time: its articles stay. A file read that holds no article (empty, binary, malformed) has
/// none: its old articles go, as in a fresh build, and it is remembered as rejected.
fn skipped_file(path: String, reason: &ingest::SkipReason, state: Option<FileState>, file: &SourceFile) -> Outcome {
    let transient = reason.is_transient();
    Outcome::Skipped {
        path,
        kind: reason.kind().to_string(),
        reason: reason.to_string(),
        kept_old: state.is_some() && transient,
        removed: if transient { 0 } else { state.map_or(0, |s| s.docs) },
        rejected: (!transient).then(|| Rejected {
            size: file.size,
            mtime_ns: file.mtime_ns,
            kind: reason.kind().to_string(),
            reason: reason.to_string(),
        }),
    }
}

/// The bytes of the buffer [`to_document`] makes for an article: its values, and a little
/// for each entity and the numbers. A named entity's name keys (a few words, each joined to
/// the name) are counted as four times its name and its forms once.
fn document_bytes(id: &str, file: &FileMeta, e: &Enriched) -> usize {
    let a = &e.article;
    let ents = &e.entities;
    let keyed = |name: &str, forms: &[String]| name.len() * 5 + forms.iter().map(String::len).sum::<usize>();
    let entity_bytes: usize = (ents.persons.iter().map(|p| keyed(&p.name, &p.forms)))
        .chain(ents.orgs.iter().map(|o| keyed(&o.name, &o.forms)))
        .chain(ents.places.iter().map(|p| keyed(&p.name, &p.forms)))
        .chain(ents.countries.iter().map(|c| c.code.len()))
        .map(|len| len + 16)
        .sum();
    let text_bytes: usize = [&a.title, &a.body, &a.url, &a.author, &a.source, &a.source]
        .into_iter()
        .flatten()
        .map(String::len)
        .sum();
    id.len() + file.path.len() + text_bytes + entity_bytes + 256
}

/// The tantivy document of an enriched article.
pub fn to_document(f: &Fields, id: &str, file: &FileMeta, hash: u64, last: bool, e: &Enriched) -> TantivyDocument {
    build_document(f, id, file, hash, last, e, document_bytes(id, file, e))
}

/// [`to_document`] with its buffer's size ([`document_bytes`]) already known.
fn build_document(
    f: &Fields,
    id: &str,
    file: &FileMeta,
    hash: u64,
    last: bool,
    e: &Enriched,
    bytes: usize,
) -> TantivyDocument {
    let a = &e.article;
    // The document's buffer holds every value: sized up front, the text is copied into it
    // once instead of again at each doubling (most bodies are longer than the default 1 KiB).
    let mut doc = TantivyDocument::with_capacity(bytes);
    doc.add_text(f.id, id);
    doc.add_text(f.file, &file.path);
    doc.add_u64(f.file_size, file.size);
    doc.add_i64(f.file_mtime, file.mtime_ns);
    doc.add_u64(f.file_hash, hash);
    doc.add_u64(f.file_last, last as u64);
    let title = a.title.as_deref().unwrap_or("");
    let body = a.body.as_deref().unwrap_or("");
    let (title_text, body_text) = f.text_pair(&e.lang);
    doc.add_text(title_text, title);
    doc.add_text(body_text, body);
    if let Some(ts) = a.date {
        doc.add_date(f.date, DateTime::from_timestamp_secs(ts.as_second()));
    }
    if let Some(s) = &a.source {
        doc.add_text(f.source, s);
        doc.add_text(f.source_key, source_key(s));
    }
    if let Some(u) = &a.url {
        doc.add_text(f.url, u);
    }
    if let Some(au) = &a.author {
        doc.add_text(f.author, au);
    }
    doc.add_text(f.lang, &e.lang);
    for p in &e.entities.persons {
        doc.add_text(f.person, &p.name);
        add_name_keys(&mut doc, f.person_names, &p.name, &p.forms);
    }
    for c in &e.entities.countries {
        doc.add_text(f.country, &c.code);
    }
    for o in &e.entities.orgs {
        doc.add_text(f.org, &o.name);
        add_name_keys(&mut doc, f.org_names, &o.name, &o.forms);
    }
    for p in &e.entities.places {
        doc.add_text(f.place, &p.name);
        add_name_keys(&mut doc, f.place_names, &p.name, &p.forms);
    }
    doc
}

/// The words of an entity's name and forms, joined to its name, in `field` (see
/// [`crate::search::names`]).
fn add_name_keys(doc: &mut TantivyDocument, field: tantivy::schema::Field, name: &str, forms: &[String]) {
    for term in crate::search::names::entity_key_terms(name, forms) {
        doc.add_text(field, term);
    }
}

/// The normalised form of a source name used for filtering: trimmed, lower-cased.
pub fn source_key(source: &str) -> String {
    source.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// What the index holds, file by file, read from the documents' fast fields: per segment,
/// the documents are grouped by the file's term ordinal, and the term dictionary is walked
/// once to name them (no dictionary lookup per document).
fn load_file_states(wi: &WartaIndex) -> tantivy::Result<HashMap<String, FileState>> {
    let reader = wi.index.reader()?;
    let searcher = reader.searcher();
    let mut states: HashMap<String, FileState> = HashMap::new();
    for segment in searcher.segment_readers() {
        let ff = segment.fast_fields();
        let Some(files) = ff.str("file")? else { continue };
        super::damage::check_dictionary(&files, "file")?;
        let sizes = ff.u64("file_size")?;
        let mtimes = ff.i64("file_mtime")?;
        let hashes = ff.u64("file_hash")?;
        let lasts = ff.u64("file_last")?;
        let alive = segment.alive_bitset();
        let mut by_ord: Vec<Option<FileState>> = vec![None; files.num_terms()];
        for doc in 0..segment.max_doc() {
            if alive.is_some_and(|a| !a.is_alive(doc)) {
                continue;
            }
            let Some(ord) = files.term_ords(doc).next() else {
                continue;
            };
            let entry = by_ord[ord as usize].get_or_insert(FileState {
                size: sizes.first(doc).unwrap_or(0),
                mtime_ns: mtimes.first(doc).unwrap_or(0),
                hash: hashes.first(doc).unwrap_or(0),
                docs: 0,
                complete: false,
                seen: false,
                touched: false,
            });
            entry.docs += 1;
            entry.complete |= lasts.first(doc) == Some(1);
        }
        let mut terms = files.dictionary().stream()?;
        while terms.advance() {
            let Some(state) = by_ord.get(terms.term_ord() as usize).copied().flatten() else {
                continue;
            };
            let name = String::from_utf8_lossy(terms.key()).into_owned();
            match states.get_mut(&name) {
                // The same file in several segments (added across runs that were cut short).
                Some(s) => {
                    s.docs += state.docs;
                    s.complete |= state.complete;
                }
                None => {
                    states.insert(name, state);
                }
            }
        }
    }
    Ok(states)
}
