//! What a run did: the outcome of each file as the pipeline reports it, and its accounting
//! into the run's summary.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::walk::Walked;
use super::Progress;
use crate::index::touched::{Rejected, Touched};
use crate::ingest;

/// A file (or one record of it) that was not indexed, and why.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SkippedFile {
    /// The file, or the record in it, that was not indexed.
    pub path: String,
    /// Why it was not indexed.
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
    /// Files found as they were indexed: not read again.
    pub files_unchanged: u64,
    /// Files skipped as a whole (unreadable, binary, malformed, empty...).
    pub files_skipped: u64,
    /// Files under the roots that are not articles by their extension.
    pub not_articles: u64,
    /// Articles added or replaced.
    pub articles_added: u64,
    /// Articles removed (their file gone, changed or emptied).
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
    /// How long the run took, in seconds.
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

    pub(super) fn skip(&mut self, path: String, kind: &str, reason: String) {
        *self.skipped_by_reason.entry(kind.to_string()).or_default() += 1;
        self.skipped.push(SkippedFile { path, reason });
    }

    /// Counts a warning and keeps it (up to [`MAX_LISTED_WARNINGS`]) for `warta stats`.
    pub(super) fn warning(&mut self, w: String) {
        self.warnings += 1;
        if self.degraded.len() < MAX_LISTED_WARNINGS {
            self.degraded.push(w);
        }
    }

    /// Counts a warning that `progress` shows too.
    pub(super) fn warn(&mut self, w: String, progress: &dyn Progress) {
        progress.warn(&w);
        self.warning(w);
    }
}

/// How many warnings a run summary keeps (all are counted).
pub const MAX_LISTED_WARNINGS: usize = 1000;

/// What the pipeline's threads report of one file (or record) to the thread that keeps the
/// run's accounts.
#[derive(Debug)]
pub(super) enum Outcome {
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

impl Outcome {
    /// Whether the outcome only counts (it may wait in a batch), rather than reporting a
    /// problem (sent at once).
    pub(super) fn is_count(&self) -> bool {
        matches!(self, Outcome::Indexed { .. } | Outcome::Unchanged(_))
    }
}

/// The run's accounts as the outcomes arrive: its summary, and what is recorded of its files
/// once its commit is made.
#[derive(Debug, Default)]
pub(super) struct Tally {
    pub summary: RunSummary,
    /// Files whose bytes are those indexed under a new modification time.
    pub touched: Vec<(String, Touched)>,
    /// Files rejected as a whole by this run's readers.
    pub rejected: BTreeMap<String, Rejected>,
}

impl Tally {
    /// Counts `outcome` and tells `progress` of it: a file done advances the progress, a
    /// problem is shown.
    pub(super) fn record(&mut self, outcome: Outcome, progress: &dyn Progress) {
        let summary = &mut self.summary;
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
                self.touched.extend(touched);
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
                    self.rejected.insert(path.clone(), r);
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
            Outcome::Warning(w) => summary.warn(w, progress),
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

    /// Adds what the walk counted itself (files it found unchanged, files gone).
    pub(super) fn add_walked(&mut self, walked: Walked) {
        let summary = &mut self.summary;
        summary.files_unchanged += walked.files_unchanged;
        summary.not_articles += walked.not_articles;
        summary.files_removed += walked.files_removed;
        summary.articles_removed += walked.articles_removed;
        // The walk's entries first, as the table was always written.
        let readers = std::mem::replace(&mut self.touched, walked.still_touched);
        self.touched.extend(readers);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// What a run told its progress receiver.
    #[derive(Default)]
    struct Told {
        advanced: Mutex<u64>,
        warnings: Mutex<Vec<String>>,
    }

    impl Progress for Told {
        fn start(&self, _: u64) {}
        fn advance(&self) {
            *self.advanced.lock().unwrap() += 1;
        }
        fn warn(&self, message: &str) {
            self.warnings.lock().unwrap().push(message.to_string());
        }
    }

    fn rejected(kind: &str) -> Rejected {
        Rejected {
            size: 3,
            mtime_ns: 4,
            kind: kind.to_string(),
            reason: "empty file".to_string(),
        }
    }

    /// A new file counts as added, a changed one as updated with its old articles removed;
    /// each advances the progress once.
    #[test]
    fn indexed_files_count_as_added_or_updated() {
        let (mut tally, told) = (Tally::default(), Told::default());
        tally.record(
            Outcome::Indexed {
                added: 3,
                replaced: None,
                bytes: 100,
            },
            &told,
        );
        tally.record(
            Outcome::Indexed {
                added: 2,
                replaced: Some(5),
                bytes: 50,
            },
            &told,
        );
        let s = &tally.summary;
        assert_eq!((s.files_added, s.files_updated), (1, 1));
        assert_eq!((s.articles_added, s.articles_removed, s.bytes_read), (5, 5, 150));
        assert_eq!(*told.advanced.lock().unwrap(), 2);
        assert!(told.warnings.lock().unwrap().is_empty());
    }

    /// A skipped file is counted by its reason, says what became of its old articles, and is
    /// remembered when rejected; a bad record is a skipped article, not a file done.
    #[test]
    fn skips_are_counted_by_reason_and_say_what_became_of_old_articles() {
        let (mut tally, told) = (Tally::default(), Told::default());
        let skipped = |path: &str, kept_old, removed, rejected| Outcome::Skipped {
            path: path.to_string(),
            kind: "empty".to_string(),
            reason: "empty file".to_string(),
            kept_old,
            removed,
            rejected,
        };
        tally.record(skipped("a.txt", true, 0, None), &told);
        tally.record(skipped("b.txt", false, 4, Some(rejected("empty"))), &told);
        tally.record(
            Outcome::RecordProblem(SkippedFile {
                path: "c.jsonl: line 2".to_string(),
                reason: "not JSON".to_string(),
            }),
            &told,
        );
        let s = &tally.summary;
        assert_eq!((s.files_skipped, s.articles_skipped, s.articles_removed), (2, 1, 4));
        assert_eq!(s.skipped_by_reason["empty"], 2);
        assert_eq!(s.skipped_by_reason["bad record"], 1);
        assert_eq!(s.skipped.len(), 3);
        assert_eq!(tally.rejected.keys().collect::<Vec<_>>(), ["b.txt"]);
        assert_eq!(*told.advanced.lock().unwrap(), 2);
        let warnings = told.warnings.lock().unwrap();
        assert_eq!(
            *warnings,
            [
                "a.txt: skipped: empty file (its previously indexed articles are kept)",
                "b.txt: skipped: empty file (its 4 previously indexed articles were removed)",
                "c.jsonl: line 2: skipped: not JSON",
            ]
        );
    }

    /// Every warning is counted and shown; the summary keeps the first
    /// [`MAX_LISTED_WARNINGS`].
    #[test]
    fn warnings_are_all_counted_and_the_first_kept() {
        let (mut tally, told) = (Tally::default(), Told::default());
        for i in 0..MAX_LISTED_WARNINGS + 5 {
            tally.record(Outcome::Warning(format!("w{i}")), &told);
        }
        assert_eq!(tally.summary.warnings, MAX_LISTED_WARNINGS as u64 + 5);
        assert_eq!(tally.summary.degraded.len(), MAX_LISTED_WARNINGS);
        assert_eq!(tally.summary.degraded[0], "w0");
        assert_eq!(told.warnings.lock().unwrap().len(), MAX_LISTED_WARNINGS + 5);
    }

    /// Records passed over add up by kind; a path the walk could not read is a skipped file
    /// that keeps its articles, and not a file done.
    #[test]
    fn passed_over_records_and_unwalkable_paths_are_counted() {
        let (mut tally, told) = (Tally::default(), Told::default());
        tally.record(Outcome::PassedOver([("request", 2)].into()), &told);
        tally.record(Outcome::PassedOver([("request", 1), ("metadata", 1)].into()), &told);
        tally.record(
            Outcome::Unwalkable {
                path: "/x".to_string(),
                why: "permission denied".to_string(),
            },
            &told,
        );
        let s = &tally.summary;
        assert_eq!(s.passed_over["request"], 3);
        assert_eq!(s.passed_over["metadata"], 1);
        assert_eq!((s.files_skipped, s.skipped_by_reason["unreadable"]), (1, 1));
        assert_eq!(*told.advanced.lock().unwrap(), 0);
    }

    /// What the walk counted joins the readers' counts; its touched files come first.
    #[test]
    fn the_walk_adds_its_counts_and_touched_files() {
        let (mut tally, told) = (Tally::default(), Told::default());
        let t = |n| Touched {
            size: n,
            mtime_ns: 0,
            hash: n,
        };
        tally.record(Outcome::Unchanged(Some(("read.txt".to_string(), t(1)))), &told);
        tally.record(Outcome::Unchanged(None), &told);
        tally.add_walked(Walked {
            files_unchanged: 5,
            still_touched: vec![("walked.txt".to_string(), t(2))],
            not_articles: 2,
            files_removed: 1,
            articles_removed: 7,
        });
        let s = &tally.summary;
        assert_eq!((s.files_unchanged, s.not_articles), (7, 2));
        assert_eq!((s.files_removed, s.articles_removed), (1, 7));
        let paths: Vec<_> = tally.touched.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["walked.txt", "read.txt"]);
    }
}
