//! The readers: each file the walk sends is hashed and, when its content changed, parsed,
//! its old articles deleted and its new ones handed to the enrichers.

use std::sync::{mpsc, Arc};

use super::known::FileState;
use super::pipeline::{yield_to_indexing, Batcher, SharedWriter, JOB_BATCH, OUTCOME_BATCH};
use super::summary::{Outcome, SkippedFile};
use super::walk::FileToRead;
use crate::index::document::FileMeta;
use crate::index::touched::{Rejected, Touched};
use crate::ingest::{self, PassedOver, Record, SkipReason, SmallFile, SourceFile};

/// An article on its way from a reader to an enricher.
pub(super) struct Job {
    pub id: String,
    pub file: Arc<FileMeta>,
    pub hash: u64,
    /// The last article of its file.
    pub last: bool,
    pub article: ingest::Article,
}

/// A reader thread: reads every file of each batch the walk sends, then hands on what it
/// gathered before it waits for the next batch.
pub(super) fn read_files(
    files: crossbeam_channel::Receiver<Vec<FileToRead>>,
    jobs: crossbeam_channel::Sender<Vec<Job>>,
    outcomes: mpsc::Sender<Vec<Outcome>>,
    writer: &SharedWriter,
) {
    yield_to_indexing();
    let mut out = ReaderOut {
        jobs: Batcher::new(JOB_BATCH, move |b| {
            let _ = jobs.send(b);
        }),
        outcomes: Batcher::new(OUTCOME_BATCH, move |b| {
            let _ = outcomes.send(b);
        }),
    };
    for batch in files {
        for (file, state) in batch {
            read_source(&file, state, writer, &mut out);
        }
        out.jobs.flush();
        out.outcomes.flush();
    }
}

/// Where a reader's work goes: articles to the enrichers, outcomes to the accounts.
struct ReaderOut<'a> {
    jobs: Batcher<'a, Job>,
    outcomes: Batcher<'a, Outcome>,
}

impl ReaderOut<'_> {
    /// Counts wait for the end of the batch; a problem is reported at once, even in the
    /// middle of a long file.
    fn report(&mut self, outcome: Outcome) {
        let count = outcome.is_count();
        self.outcomes.push(outcome);
        if !count {
            self.outcomes.flush();
        }
    }
}

/// Reads one file and, when its content changed, replaces its articles: the old ones are
/// deleted once the first new article is read (a file that cannot be read at all keeps them),
/// and each new article goes to the enrichers.
fn read_source(file: &SourceFile, state: Option<FileState>, writer: &SharedWriter, out: &mut ReaderOut) {
    let (hash, small) = match hash_source(file) {
        Ok(read) => read,
        Err(reason) => {
            if state.is_some() && !reason.is_transient() {
                writer.delete_file(&file.key);
            }
            out.report(skipped_file(file.key.clone(), &reason, state, file));
            return;
        }
    };
    // A touched file whose bytes did not change keeps its articles, and its new time is
    // recorded so that later runs need not hash it again.
    if state.is_some_and(|s| s.same_bytes(hash)) {
        let t = Touched {
            size: file.size,
            mtime_ns: file.mtime_ns,
            hash,
        };
        out.report(Outcome::Unchanged(Some((file.key.clone(), t))));
        return;
    }
    let mut replacement = Replacement {
        file,
        state,
        meta: Arc::new(FileMeta {
            path: file.key.clone(),
            size: file.size,
            mtime_ns: file.mtime_ns,
        }),
        hash,
        writer,
        added: 0,
        deleted: false,
        held: None,
    };
    let read = replacement.read(small, out);
    let outcome = replacement.finish(read, out);
    out.report(outcome);
}

/// The file's hash and, for a small file, its bytes: a small file is read once, for its hash
/// and its articles; a big one is hashed as a stream first, so an unchanged one is never
/// parsed.
fn hash_source(file: &SourceFile) -> Result<(u64, Option<SmallFile>), SkipReason> {
    let small = if file.size <= ingest::small_file_limit(file.gz) {
        ingest::read_small_file(&file.path, file.size, file.gz)?
    } else {
        None
    };
    match small {
        Some(s) => Ok((s.hash(), Some(s))),
        // Type before size: a big file that is not text is refused before it is hashed.
        None => {
            ingest::sniff(&file.path, file.gz)?;
            Ok((ingest::hash_file(&file.path, file.format, file.gz)?, None))
        }
    }
}

/// A changed file's articles being replaced by those read now.
struct Replacement<'a> {
    file: &'a SourceFile,
    /// What the index holds of the file (`None`: a new file).
    state: Option<FileState>,
    meta: Arc<FileMeta>,
    hash: u64,
    writer: &'a SharedWriter<'a>,
    added: u64,
    /// Whether the file's old articles were deleted.
    deleted: bool,
    /// Each article is sent when the next one is read, so the last can be marked as such.
    held: Option<Job>,
}

impl Replacement<'_> {
    /// Parses the file (from `small`, its bytes, when they were read already), sending each
    /// article to the enrichers.
    fn read(&mut self, small: Option<SmallFile>, out: &mut ReaderOut) -> Result<PassedOver, SkipReason> {
        let file = self.file;
        let on_record = |rec| self.take(rec, out);
        let read = match small {
            Some(small) => small.records_counted(file.format, file.gz, on_record),
            None => ingest::read_file_counted(&file.path, file.format, file.gz, on_record),
        };
        if let Some(mut job) = self.held.take() {
            job.last = true;
            out.jobs.push(job);
        }
        read
    }

    /// One record of the file: its warnings reported, its article sent on (the old articles
    /// deleted before the first), or its problem reported.
    fn take(&mut self, rec: Record, out: &mut ReaderOut) {
        let path = &self.file.key;
        for w in &rec.warnings {
            out.report(Outcome::Warning(format!("{}: {w}", record_place(path, &rec.place))));
        }
        match rec.result {
            Ok(article) => {
                self.delete_old();
                self.added += 1;
                let job = Job {
                    id: record_id(&self.file.id_base, rec.multi, rec.n),
                    file: self.meta.clone(),
                    hash: self.hash,
                    last: false,
                    article,
                };
                if let Some(job) = self.held.replace(job) {
                    out.jobs.push(job);
                }
            }
            Err(reason) => out.report(Outcome::RecordProblem(SkippedFile {
                path: record_place(path, &rec.place),
                reason,
            })),
        }
    }

    /// Deletes the file's old articles, once.
    fn delete_old(&mut self) {
        if self.state.is_some() && !self.deleted {
            self.writer.delete_file(&self.file.key);
            self.deleted = true;
        }
    }

    /// The file's outcome once `read`: indexed, or skipped when no article could be read.
    fn finish(mut self, read: Result<PassedOver, SkipReason>, out: &mut ReaderOut) -> Outcome {
        let path = self.file.key.clone();
        match read {
            Ok(kinds) if !kinds.is_empty() => out.report(Outcome::PassedOver(kinds)),
            Ok(_) => {}
            Err(reason) if self.added == 0 => {
                if !reason.is_transient() {
                    self.delete_old();
                }
                return skipped_file(path, &reason, self.state, self.file);
            }
            Err(reason) => out.report(Outcome::Warning(format!(
                "{path}: stopped reading after {} articles: {reason}",
                self.added
            ))),
        }
        if self.added == 0 {
            // Every record was bad: the file holds no article (and no longer those indexed
            // before). It is a skipped file, not an added one.
            self.delete_old();
            return no_articles(path, self.state, self.file);
        }
        Outcome::Indexed {
            added: self.added,
            replaced: self.state.map(|s| s.docs),
            bytes: self.file.size,
        }
    }
}

/// The id of record `n` of a file whose articles' ids start with `id_base`: `#n` follows it
/// in a file that holds a list of articles.
fn record_id(id_base: &str, multi: bool, n: usize) -> String {
    if !multi {
        return id_base.to_string();
    }
    let n = n.to_string();
    let mut id = String::with_capacity(id_base.len() + 1 + n.len());
    id.push_str(id_base);
    id.push('#');
    id.push_str(&n);
    id
}

/// Where a record's problems are reported: its file, and its place in the file if any.
fn record_place(path: &str, place: &str) -> String {
    if place.is_empty() {
        path.to_string()
    } else {
        format!("{path}: {place}")
    }
}

/// The outcome of a file skipped as a whole. A file that could not be read may be back next
/// time: its articles stay. A file read that holds no article (empty, binary, malformed) has
/// none: its old articles go, as in a fresh build, and it is remembered as rejected.
fn skipped_file(path: String, reason: &SkipReason, state: Option<FileState>, file: &SourceFile) -> Outcome {
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

/// The outcome of a file read whose every record was bad.
fn no_articles(path: String, state: Option<FileState>, file: &SourceFile) -> Outcome {
    let reason = "no readable article in the file (its records are listed above)".to_string();
    Outcome::Skipped {
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An article of a file that holds a list is `#n` after the file's id; the only article
    /// of a single-article file has the file's id.
    #[test]
    fn record_ids_and_places() {
        assert_eq!(record_id("2024/a.jsonl", true, 12), "2024/a.jsonl#12");
        assert_eq!(record_id("2024/a.txt", false, 1), "2024/a.txt");
        assert_eq!(record_place("/x/a.jsonl", "line 3"), "/x/a.jsonl: line 3");
        assert_eq!(record_place("/x/a.txt", ""), "/x/a.txt");
    }

    /// A file that could not be read keeps its old articles and is not remembered as
    /// rejected; a file read that holds no article loses them and is.
    #[test]
    fn a_skipped_file_keeps_its_articles_only_when_unreadable() {
        let file = SourceFile {
            path: "/x/a.txt".into(),
            key: "/x/a.txt".to_string(),
            id_base: "a.txt".to_string(),
            format: ingest::Format::Text,
            gz: false,
            size: 10,
            mtime_ns: 20,
        };
        let indexed = Some(FileState {
            size: 9,
            mtime_ns: 19,
            hash: 1,
            docs: 3,
            complete: true,
            seen: true,
            touched: false,
        });
        let unreadable = SkipReason::Unreadable("permission denied".to_string());
        let Outcome::Skipped {
            kept_old,
            removed,
            rejected,
            ..
        } = skipped_file(file.key.clone(), &unreadable, indexed, &file)
        else {
            panic!("not a skip")
        };
        assert!(kept_old && removed == 0 && rejected.is_none());
        let Outcome::Skipped {
            kind,
            kept_old,
            removed,
            rejected,
            ..
        } = skipped_file(file.key.clone(), &SkipReason::Binary, indexed, &file)
        else {
            panic!("not a skip")
        };
        assert!(!kept_old && removed == 3);
        assert_eq!(kind, "binary");
        let rejected = rejected.expect("remembered as rejected");
        assert_eq!(
            (rejected.size, rejected.mtime_ns, rejected.kind.as_str()),
            (10, 20, "binary")
        );
        // A new file has no old articles to keep.
        let Outcome::Skipped { kept_old, .. } = skipped_file(file.key.clone(), &unreadable, None, &file) else {
            panic!("not a skip")
        };
        assert!(!kept_old);
    }
}
