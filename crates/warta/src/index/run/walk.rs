//! The walk: which roots to walk, and which files under them must be read.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::mpsc;

use super::known::{self, FileState};
use super::pipeline::{Batcher, SharedWriter, FILE_BATCH, FILE_BATCH_BYTES};
use super::summary::{Outcome, RunSummary};
use super::Progress;
use crate::index::touched::{Rejected, Touched};
use crate::index::IndexError;
use crate::ingest::{self, SourceFile, WalkEvent};

/// The summary's label of symbolic links not followed because they lead out of the roots.
pub const EXTERNAL_LINK: &str = "link out of the roots";

/// A file on its way from the walk to a reader, with what the index knows of it.
pub(super) type FileToRead = (SourceFile, Option<FileState>);

/// What the walk counted and removed, merged into the summary when the run ends.
#[derive(Debug, Default)]
pub(super) struct Walked {
    pub files_unchanged: u64,
    /// Files found unchanged thanks to the table of touched files: their entries stay.
    pub still_touched: Vec<(String, Touched)>,
    pub not_articles: u64,
    pub files_removed: u64,
    pub articles_removed: u64,
}

/// The roots to walk: each of `roots` that exists, canonical, without those inside another
/// (they would walk their files twice). A root that does not exist is reported and skipped;
/// none at all fails the run.
pub(super) fn existing_roots(
    roots: &[PathBuf],
    progress: &dyn Progress,
    summary: &mut RunSummary,
) -> Result<Vec<PathBuf>, IndexError> {
    let mut canonical = Vec::new();
    for root in roots {
        match root.canonicalize() {
            Ok(r) => canonical.push(r),
            Err(e) => {
                let msg = format!("{}: {e}", root.display());
                progress.warn(&msg);
                summary.skip(root.display().to_string(), "not found", e.to_string());
            }
        }
    }
    if canonical.is_empty() {
        return Err(IndexError::NothingToIndex(roots.to_vec()));
    }
    Ok(outermost(canonical))
}

/// `roots` without repeats and without those inside another one.
pub(super) fn outermost(mut roots: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut seen = std::collections::HashSet::new();
    roots.retain(|r| seen.insert(r.clone()));
    let inside_another = |r: &PathBuf| roots.iter().any(|o| o != r && r.starts_with(o));
    roots.iter().filter(|r| !inside_another(r)).cloned().collect()
}

/// The index's keys of `roots`: the files under them are those this run decides about.
pub(super) fn root_keys(roots: &[PathBuf]) -> Vec<String> {
    roots.iter().map(|r| ingest::walk::path_text(r.as_os_str())).collect()
}

/// A file the index skipped as a whole at its `size` and `mtime_ns`, when it is still that
/// file and has no articles in the index: it is skipped again without being read.
fn still_rejected(
    rejected: Option<&Rejected>,
    state: Option<FileState>,
    size: u64,
    mtime_ns: i64,
) -> Option<&Rejected> {
    rejected.filter(|r| state.is_none() && r.size == size && r.mtime_ns == mtime_ns)
}

/// Walks every root, deciding from size and mtime which files need reading: those are sent
/// to the readers through `files` (announced to `progress` first), the others counted as
/// unchanged. Files seen are marked in `known` (no second set of every path: memory stays flat
/// on big archives); once the whole walk is done, the files the index holds under these roots
/// that it did not see are deleted. Problems go to the coordinator through `outcomes`.
pub(super) fn walk_roots(
    opts: &ingest::WalkOptions<'_>,
    known: &mut HashMap<String, FileState>,
    rejected: &BTreeMap<String, Rejected>,
    files: crossbeam_channel::Sender<Vec<FileToRead>>,
    outcomes: &mpsc::Sender<Vec<Outcome>>,
    progress: &dyn Progress,
    writer: &SharedWriter,
) -> Walked {
    let mut walk = Walk {
        known,
        rejected,
        // Blocks while the queue is full. Fails only if every reader stopped (a panic, which
        // the scope passes on).
        batch: Batcher::new(FILE_BATCH, move |b| {
            let _ = files.send(b);
        }),
        outcomes,
        progress,
        walked: Walked::default(),
        to_read: 0,
        unwalked: Vec::new(),
    };
    for root in opts.roots {
        ingest::walk(root, opts, |event| walk.on_event(event));
    }
    walk.batch.flush();
    let Walk {
        known,
        mut walked,
        to_read,
        unwalked,
        batch,
        ..
    } = walk;
    // The readers finish the queue while the deletions below are made.
    drop(batch);
    progress.walked(to_read);

    // Only known once the whole walk is done. No reader adds to these files, so they may be
    // deleted after other adds.
    let roots = root_keys(opts.roots);
    for (key, state) in known::gone(known, &roots, &unwalked) {
        writer.delete_file(key);
        walked.files_removed += 1;
        walked.articles_removed += state.docs;
    }
    walked
}

/// The walk under way.
struct Walk<'a> {
    known: &'a mut HashMap<String, FileState>,
    rejected: &'a BTreeMap<String, Rejected>,
    batch: Batcher<'a, FileToRead>,
    outcomes: &'a mpsc::Sender<Vec<Outcome>>,
    progress: &'a dyn Progress,
    walked: Walked,
    /// Files the readers get, and those the walk skips itself (both counted as the run's).
    to_read: u64,
    /// Directories (and files) the walk could not read: what the index holds under them is
    /// not known to be gone.
    unwalked: Vec<String>,
}

impl Walk<'_> {
    fn on_event(&mut self, event: WalkEvent) {
        match event {
            WalkEvent::File(f) => self.on_file(f),
            WalkEvent::NotArticle(_) => self.walked.not_articles += 1,
            WalkEvent::NotRegular(path, kind) => self.skip(
                path.display().to_string(),
                ingest::NOT_REGULAR,
                ingest::SkipReason::NotRegular(kind).to_string(),
                None,
            ),
            WalkEvent::ExternalLink(link, target) => self.skip(
                link.display().to_string(),
                EXTERNAL_LINK,
                format!(
                    "link to {}, outside the indexed roots (not followed without --follow-external-links)",
                    target.display()
                ),
                None,
            ),
            WalkEvent::Note(path, note) => {
                let _ = self
                    .outcomes
                    .send(vec![Outcome::Warning(format!("{}: {note}", path.display()))]);
            }
            WalkEvent::Problem(path, why) => {
                self.unwalked.push(ingest::walk::path_text(path.as_os_str()));
                let _ = self.outcomes.send(vec![Outcome::Unwalkable {
                    path: path.display().to_string(),
                    why,
                }]);
            }
        }
    }

    /// A file found: skipped again if still rejected, counted if unchanged, else read.
    fn on_file(&mut self, f: SourceFile) {
        let state = self.known.get_mut(&f.key).map(|s| {
            s.seen = true;
            *s
        });
        if let Some(r) = still_rejected(self.rejected.get(&f.key), state, f.size, f.mtime_ns) {
            let reason = format!("{} (not read again: unchanged since it was skipped)", r.reason);
            let (kind, r) = (r.kind.clone(), r.clone());
            self.skip(f.key, &kind, reason, Some(r));
            return;
        }
        match state {
            Some(s) if s.unchanged_on_disk(f.size, f.mtime_ns) => {
                self.walked.files_unchanged += 1;
                if s.touched {
                    self.walked.still_touched.push((f.key.clone(), s.as_touched()));
                }
            }
            _ => {
                self.to_read += 1;
                self.progress.found(1);
                self.batch.push((f, state));
                if self.batch.items().iter().map(|(f, _)| f.size).sum::<u64>() >= FILE_BATCH_BYTES {
                    self.batch.flush();
                }
            }
        }
    }

    /// A file skipped by the walk itself: counted as a file of the run, like those it reads.
    fn skip(&mut self, path: String, kind: &str, reason: String, rejected: Option<Rejected>) {
        self.to_read += 1;
        self.progress.found(1);
        let _ = self.outcomes.send(vec![Outcome::Skipped {
            path,
            kind: kind.to_string(),
            reason,
            kept_old: false,
            removed: 0,
            rejected,
        }]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A root inside another is walked once, as part of the outer one.
    #[test]
    fn nested_roots_are_dropped() {
        let roots: Vec<PathBuf> = ["/news/2024", "/news", "/other", "/news/2025/01", "/newsroom"]
            .iter()
            .map(PathBuf::from)
            .collect();
        let kept: Vec<PathBuf> = ["/news", "/other", "/newsroom"].iter().map(PathBuf::from).collect();
        assert_eq!(outermost(roots), kept);
    }

    /// A root given twice is walked once, not dropped.
    #[test]
    fn a_root_given_twice_is_kept_once() {
        let roots: Vec<PathBuf> = ["/news", "/other", "/news", "/news/2024"]
            .iter()
            .map(PathBuf::from)
            .collect();
        let kept: Vec<PathBuf> = ["/news", "/other"].iter().map(PathBuf::from).collect();
        assert_eq!(outermost(roots), kept);
    }

    /// A rejected file is skipped unread only while it has the size and time it was
    /// rejected at, and no articles in the index.
    #[test]
    fn a_rejected_file_is_skipped_while_it_stays_the_same() {
        let r = Rejected {
            size: 10,
            mtime_ns: 20,
            kind: "empty".to_string(),
            reason: "empty file".to_string(),
        };
        assert!(still_rejected(Some(&r), None, 10, 20).is_some());
        assert!(still_rejected(Some(&r), None, 11, 20).is_none());
        assert!(still_rejected(Some(&r), None, 10, 21).is_none());
        assert!(still_rejected(None, None, 10, 20).is_none());
        let indexed = FileState {
            size: 10,
            mtime_ns: 20,
            hash: 0,
            docs: 1,
            complete: true,
            seen: true,
            touched: false,
        };
        assert!(still_rejected(Some(&r), Some(indexed), 10, 20).is_none());
    }
}
