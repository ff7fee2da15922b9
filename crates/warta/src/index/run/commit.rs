//! Commits: when a long run commits on its way, the last commit, and the cleanup after a
//! commit that failed.

use std::time::{Duration, Instant};

use tantivy::IndexWriter;

use super::pipeline::SharedWriter;
use super::summary::RunSummary;
use super::{IndexOptions, Progress};
use crate::index::queue::QueuedDoc;
use crate::index::{stems, stories, IndexError, StepContext, WartaIndex};

/// tantivy's writer for the run, or [`IndexError::Locked`] when another writer holds the
/// index (after the short retries of [`crate::index::retry_while_locked`]).
pub(super) fn open_writer(
    wi: &WartaIndex,
    threads: usize,
    memory_mb: usize,
) -> Result<IndexWriter<QueuedDoc>, IndexError> {
    let mut writer = None;
    let opened = crate::index::retry_while_locked(|| match wi.writer(threads, memory_mb) {
        Ok(w) => {
            writer = Some(w);
            Ok(true)
        }
        Err(tantivy::TantivyError::LockFailure(..)) => Ok(false),
        Err(e) => Err(e),
    });
    match (opened, writer) {
        (Ok(true), Some(w)) => Ok(w),
        (Ok(_), _) => Err(IndexError::Locked(wi.dir.clone())),
        (Err(e), _) => Err(e).step("cannot open the index for writing"),
    }
}

/// When the next commit on the way is due: after `every` articles added since the last, or
/// after `interval` if any were.
#[derive(Debug, Clone)]
struct Schedule {
    every: Option<u64>,
    interval: Duration,
    committed_at: u64,
    last_commit: Instant,
}

impl Schedule {
    fn new(opts: &IndexOptions, now: Instant) -> Self {
        Schedule {
            every: opts.commit_every,
            interval: opts.commit_interval,
            committed_at: 0,
            last_commit: now,
        }
    }

    /// Whether a commit is due at `now` with `added` articles added in all; if so, the
    /// schedule starts again from here (whether the commit then succeeds or not).
    fn due(&mut self, added: u64, now: Instant) -> bool {
        let due = self.every.is_some_and(|n| added >= self.committed_at + n)
            || (added > self.committed_at && now.duration_since(self.last_commit) >= self.interval);
        if due {
            self.committed_at = added;
            self.last_commit = now;
        }
        due
    }
}

/// The commits a run makes on its way, so that a crash loses little and searches see a long
/// run's progress.
pub(super) struct Commits<'a> {
    wi: &'a WartaIndex,
    writer: &'a SharedWriter<'a>,
    threads: usize,
    schedule: Schedule,
}

impl<'a> Commits<'a> {
    pub fn new(wi: &'a WartaIndex, writer: &'a SharedWriter<'a>, opts: &IndexOptions, threads: usize) -> Self {
        Commits {
            wi,
            writer,
            threads,
            schedule: Schedule::new(opts, Instant::now()),
        }
    }

    /// Commits when due with `added` articles added so far; a failure is a warning (the
    /// final commit retries).
    pub fn commit_if_due(&mut self, added: u64, summary: &mut RunSummary, progress: &dyn Progress) {
        if !self.schedule.due(added, Instant::now()) {
            return;
        }
        if let Err(e) = self.writer.commit() {
            progress.warn(&format!("intermediate commit failed (the final one will retry): {e}"));
            return;
        }
        summary.commits += 1;
        // Searches see this commit: let them match its new words by stem too.
        match self.wi.index.reader() {
            Ok(reader) => update_stems(self.wi, &reader.searcher(), self.threads, progress, summary),
            Err(e) => summary.warn(format!("cannot read the index to update the stem table: {e}"), progress),
        }
    }
}

/// The run's last commit, then the end of tantivy's merges. When the commit fails, what the
/// run wrote since its last commit is deleted (see [`discard_uncommitted`]) and the index
/// keeps its last commit.
pub(super) fn commit_last(
    wi: &WartaIndex,
    mut writer: IndexWriter<QueuedDoc>,
    summary: &mut RunSummary,
    progress: &dyn Progress,
) -> Result<(), IndexError> {
    if let Err(e) = writer.commit() {
        if let Err(cleanup) = discard_uncommitted(wi, writer) {
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
        .step("cannot finish merging index segments")
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
pub(super) fn update_stems(
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
        summary.warn(w, progress);
    }
}

/// Brings the stories up to date with the last commit, for the files the run `touched` since
/// commit `started_from`. A failure is a warning, also kept in the run's summary: searches
/// group copies as before the run until a later run rebuilds the table (it no longer
/// describes the index's commit).
pub(super) fn update_stories(
    wi: &WartaIndex,
    searcher: &tantivy::Searcher,
    touched: &std::collections::HashSet<String>,
    started_from: u64,
    progress: &dyn Progress,
    summary: &mut RunSummary,
) {
    let updated = wi
        .index
        .load_metas()
        .and_then(|meta| stories::update(&wi.dir, searcher, touched, started_from, meta.opstamp));
    if let Err(e) = updated {
        let w =
            format!("cannot update the story table (copies are grouped as before this run until the next run): {e}");
        summary.warn(w, progress);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By count: due once `every` articles were added since the last commit. By time: due
    /// once the interval has passed, but only if articles were added.
    #[test]
    fn commits_fall_due_by_count_or_by_time() {
        let start = Instant::now();
        let opts = IndexOptions {
            commit_every: Some(100),
            commit_interval: Duration::from_secs(60),
            ..IndexOptions::default()
        };
        let mut s = Schedule::new(&opts, start);
        assert!(!s.due(99, start));
        assert!(s.due(100, start));
        assert!(!s.due(150, start));
        assert!(s.due(200, start));
        let later = start + Duration::from_secs(60);
        assert!(!s.due(200, later), "nothing added since the last commit");
        assert!(s.due(201, later));
        assert!(!s.due(202, later + Duration::from_secs(59)));
        assert!(s.due(202, later + Duration::from_secs(60)));

        let by_time = IndexOptions {
            commit_every: None,
            ..opts
        };
        let mut s = Schedule::new(&by_time, start);
        assert!(!s.due(1_000_000, start + Duration::from_secs(59)));
        assert!(s.due(1_000_000, start + Duration::from_secs(60)));
    }

    /// After a failed commit, the files of segments the last commit does not hold are
    /// deleted; the committed ones and warta's own files stay, and the index still reads.
    #[test]
    fn uncommitted_segment_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let wi = WartaIndex::open_or_create(dir.path(), false).unwrap();
        let mut writer: IndexWriter = wi.writer(1, 15).unwrap();
        let mut doc = tantivy::TantivyDocument::default();
        doc.add_text(wi.fields.id, "a");
        writer.add_document(doc).unwrap();
        writer.commit().unwrap();
        drop(writer);
        let files = || -> Vec<String> {
            let mut names: Vec<String> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            names
        };
        let committed = files();
        let stray = "0123456789abcdef0123456789abcdef";
        for ext in ["idx", "store", "fast"] {
            std::fs::write(dir.path().join(format!("{stray}.{ext}")), b"partial").unwrap();
        }
        remove_uncommitted_segment_files(&wi).unwrap();
        assert_eq!(files(), committed);
        assert!(committed.iter().any(|f| f.ends_with(".store")), "{committed:?}");
        let reader = wi.index.reader().unwrap();
        assert_eq!(reader.searcher().num_docs(), 1);
    }
}
