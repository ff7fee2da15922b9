//! The run's pipeline: a walk, readers and enrichers on threads of their own, and the
//! calling thread keeping the accounts and committing.
//!
//! The walk hands the files that need reading to the readers through a bounded queue, so
//! memory does not grow with the archive. Readers parse files and hand articles to enrichers,
//! which extract, build documents and add them to tantivy's writer: one big JSON Lines file
//! keeps every core busy too. Every thread reports what it did to the calling thread, which
//! counts it into the summary and commits from time to time.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Mutex, RwLock};
use std::time::Duration;

use tantivy::indexer::UserOperation;
use tantivy::{IndexWriter, Term};

use super::commit::Commits;
use super::known::FileState;
use super::read::{read_files, Job};
use super::summary::{Outcome, Tally};
use super::walk::{walk_roots, FileToRead, Walked};
use super::{enrich, Enricher, IndexOptions, Progress};
use crate::index::queue::{InFlight, QueuedDoc};
use crate::index::touched::Rejected;
use crate::index::{spawn_named, Fields, WartaIndex};
use crate::ingest;

/// Files found by the walk that wait for a reader: this bounds the files held in memory,
/// however many the roots hold.
const FILE_QUEUE: usize = 256;

/// Work passes between the pipeline's threads in batches: one channel operation, and at most
/// one wake-up, per batch instead of per file or article. Handing each of 48,600 one-article
/// files over one at a time cost about 10 futex calls and 10 yields a file (`strace -c`).
/// A batch of files is closed at this many files, or at [`FILE_BATCH_BYTES`], so that big
/// files are shared among the readers one by one.
pub(super) const FILE_BATCH: usize = 32;
pub(super) const FILE_BATCH_BYTES: u64 = 1 << 20;
/// Articles a reader hands the enrichers at once (fewer at the end of its batch of files).
pub(super) const JOB_BATCH: usize = 16;
/// Files a reader reports done at once (fewer at the end of its batch of files; a problem is
/// reported at once).
pub(super) const OUTCOME_BATCH: usize = 64;

/// What a run's pipeline works with.
pub(super) struct Run<'a> {
    pub wi: &'a WartaIndex,
    pub opts: &'a IndexOptions,
    /// Readers, enrichers and tantivy's indexing threads (as many of each).
    pub threads: usize,
    /// The stage that gives each article its language and entities.
    pub enricher: &'a dyn Enricher,
    pub progress: &'a dyn Progress,
    /// The roots, and the index directory the walk leaves out.
    pub walk: ingest::WalkOptions<'a>,
    /// Files rejected as a whole by earlier runs (see [`crate::index::touched`]).
    pub rejected: &'a BTreeMap<String, Rejected>,
}

/// Runs the walk → read → enrich → write pipeline to its end, committing on the way when
/// due, and counting every file's outcome into `tally`. The last commit is the caller's.
pub(super) fn run_pipeline(
    run: &Run,
    writer: &SharedWriter,
    known: &mut HashMap<String, FileState>,
    tally: &mut Tally,
) -> Walked {
    let threads = run.threads;
    let added_total = AtomicU64::new(0);
    let mut commits = Commits::new(run.wi, writer, run.opts, threads);
    run.progress.start(0);
    let (tx, rx) = mpsc::channel::<Vec<Outcome>>();
    let (file_tx, file_rx) = crossbeam_channel::bounded::<Vec<FileToRead>>(FILE_QUEUE / FILE_BATCH);
    let (job_tx, job_rx) = crossbeam_channel::bounded::<Vec<Job>>(threads * 64 / JOB_BATCH);
    // Documents handed to tantivy and not yet taken up by its indexing threads.
    let in_flight = InFlight::new(run.opts.queue_bytes);
    std::thread::scope(|scope| {
        let walker = {
            let tx = tx.clone();
            spawn_named(scope, "warta-walk", move || {
                walk_roots(&run.walk, known, run.rejected, file_tx, &tx, run.progress, writer)
            })
        };
        for _ in 0..threads {
            let (tx, job_tx, file_rx) = (tx.clone(), job_tx.clone(), file_rx.clone());
            spawn_named(scope, "warta-read", move || read_files(file_rx, job_tx, tx, writer));
        }
        // Only the readers hold the queue's receiving end: if they all stop, the walk's sends
        // fail instead of blocking forever.
        drop(file_rx);
        drop(job_tx);
        for _ in 0..threads {
            let (tx, job_rx, added_total, in_flight) = (tx.clone(), job_rx.clone(), &added_total, &in_flight);
            let enricher = run.enricher;
            spawn_named(scope, "warta-enrich", move || {
                enrich::enrich_jobs(job_rx, tx, enricher, writer, added_total, in_flight)
            });
        }
        drop(tx);
        keep_accounts(rx, &added_total, &mut commits, tally, run.progress);
        // The walk's thread ended before the accounts did (it held a sender of `tx`).
        walker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Counts the outcomes the pipeline's threads report, until every thread is done, and makes
/// the commits that fall due meanwhile.
fn keep_accounts(
    outcomes: mpsc::Receiver<Vec<Outcome>>,
    added_total: &AtomicU64,
    commits: &mut Commits,
    tally: &mut Tally,
    progress: &dyn Progress,
) {
    loop {
        // Wake up now and then even while one big file is being read, to commit.
        let batch = match outcomes.recv_timeout(Duration::from_millis(50)) {
            Ok(batch) => batch,
            Err(mpsc::RecvTimeoutError::Timeout) => Vec::new(),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        commits.commit_if_due(added_total.load(Ordering::Relaxed), &mut tally.summary, progress);
        for outcome in batch {
            tally.record(outcome, progress);
        }
    }
}

/// tantivy's writer as the pipeline's threads share it: adds and deletes take it for reading,
/// so they run side by side; a commit takes it for itself between two adds.
pub(super) struct SharedWriter<'a> {
    writer: RwLock<IndexWriter<QueuedDoc>>,
    pub fields: &'a Fields,
    /// The files whose articles were deleted or added: the stories to recompute.
    touched: Mutex<HashSet<String>>,
}

impl<'a> SharedWriter<'a> {
    pub fn new(writer: IndexWriter<QueuedDoc>, fields: &'a Fields) -> Self {
        SharedWriter {
            writer: RwLock::new(writer),
            fields,
            touched: Mutex::new(HashSet::new()),
        }
    }

    /// Records that articles of these files were added or deleted.
    pub fn touch<'p>(&self, paths: impl IntoIterator<Item = &'p str>) {
        let mut touched = self.touched.lock().expect("touched lock");
        for path in paths {
            if !touched.contains(path) {
                touched.insert(path.to_string());
            }
        }
    }

    /// Deletes every article of the file at `path` (its index key).
    pub fn delete_file(&self, path: &str) {
        self.touch([path]);
        let term = Term::from_field_text(self.fields.file, path);
        self.writer.read().expect("writer lock").delete_term(term);
    }

    /// Hands `ops` to tantivy as one operation.
    pub fn run(&self, ops: Vec<UserOperation<QueuedDoc>>) -> tantivy::Result<u64> {
        self.writer.read().expect("writer lock").run(ops)
    }

    /// Commits what was added and deleted so far.
    pub fn commit(&self) -> tantivy::Result<u64> {
        self.writer.write().expect("writer lock").commit()
    }

    /// tantivy's writer, and the files whose articles were added or deleted.
    pub fn into_inner(self) -> (IndexWriter<QueuedDoc>, HashSet<String>) {
        let touched = self.touched.into_inner().expect("touched lock");
        (self.writer.into_inner().expect("writer lock"), touched)
    }
}

/// Lowers the calling thread's scheduling priority (nice +5, Linux only): readers and
/// enrichers call it, so that when they and tantivy's indexing threads want more cores than
/// there are, the indexing threads (the pipeline's bottleneck) run first. At `--threads 1`
/// on 2 cores, reading and extraction finished ~1.3 s before tantivy did; with this, 48,626
/// articles took 3.3-3.6 s instead of 3.5-3.8 s (five alternating runs each), and 2 threads
/// were unchanged.
pub(super) fn yield_to_indexing() {
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
pub(super) struct Batcher<'a, T> {
    items: Vec<T>,
    max: usize,
    send: Box<dyn FnMut(Vec<T>) + 'a>,
}

impl<'a, T> Batcher<'a, T> {
    /// Batches of up to `max` items, each handed to `send`.
    pub fn new(max: usize, send: impl FnMut(Vec<T>) + 'a) -> Self {
        Batcher {
            items: Vec::with_capacity(max),
            max,
            send: Box::new(send),
        }
    }

    pub fn push(&mut self, item: T) {
        self.items.push(item);
        if self.items.len() >= self.max {
            self.flush();
        }
    }

    /// The items of the batch not sent yet.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    pub fn flush(&mut self) {
        if !self.items.is_empty() {
            (self.send)(std::mem::replace(&mut self.items, Vec::with_capacity(self.max)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// A batch goes when full, and what is left when flushed; an empty flush sends nothing.
    #[test]
    fn batches_go_when_full_or_flushed() {
        let sent = RefCell::new(Vec::new());
        let mut batch = Batcher::new(3, |b| sent.borrow_mut().push(b));
        for i in 0..4 {
            batch.push(i);
        }
        assert_eq!(*sent.borrow(), [vec![0, 1, 2]]);
        assert_eq!(batch.items(), [3]);
        batch.flush();
        batch.flush();
        drop(batch);
        assert_eq!(sent.into_inner(), [vec![0, 1, 2], vec![3]]);
    }
}
