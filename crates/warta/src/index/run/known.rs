//! What the index knows of the files it was built from, and whether a file on disk is still
//! the one it knows.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::index::touched::{self, Touched};
use crate::index::{Fields, IndexError, StepContext, WartaIndex};

/// What the index knows of one file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct FileState {
    pub size: u64,
    pub mtime_ns: i64,
    pub hash: u64,
    pub docs: u64,
    /// Whether the file's last article is in the index (else a run stopped inside it).
    pub complete: bool,
    /// Whether this run's walk found the file.
    pub seen: bool,
    /// Whether `mtime_ns` comes from the table of touched files (see [`touched`]).
    pub touched: bool,
}

impl FileState {
    /// Whether a file of `size` bytes modified at `mtime_ns` is the one indexed, without
    /// reading it: same size and time, and every article of it in the index.
    pub fn unchanged_on_disk(&self, size: u64, mtime_ns: i64) -> bool {
        self.complete && self.size == size && self.mtime_ns == mtime_ns
    }

    /// Whether a file whose bytes hash to `hash` is the one indexed (a touched file, its
    /// bytes unchanged), every article of it in the index.
    pub fn same_bytes(&self, hash: u64) -> bool {
        self.complete && self.hash == hash
    }

    /// The entry of the touched-files table that keeps this file known by its time.
    pub fn as_touched(&self) -> Touched {
        Touched {
            size: self.size,
            mtime_ns: self.mtime_ns,
            hash: self.hash,
        }
    }
}

/// The files the index holds, by path, with the times of touched files (see [`touched`]).
pub(super) fn load(wi: &WartaIndex) -> Result<HashMap<String, FileState>, IndexError> {
    let mut known = wi
        .guard_result(|| load_file_states(wi))?
        .step("cannot read the index's file list")?;
    apply_touched(&mut known, touched::load(&wi.dir));
    Ok(known)
}

/// Takes the new modification time of each touched file whose indexed documents still have
/// the recorded size and hash.
fn apply_touched(known: &mut HashMap<String, FileState>, table: BTreeMap<String, Touched>) {
    for (path, t) in table {
        if let Some(s) = known.get_mut(&path).filter(|s| s.size == t.size && s.hash == t.hash) {
            s.mtime_ns = t.mtime_ns;
            s.touched = true;
        }
    }
}

/// The files the index holds under `roots` that the walk did not find: gone from disk.
/// Files under a path the walk could not read (`unwalked`) may still be there.
pub(super) fn gone<'a>(
    known: &'a HashMap<String, FileState>,
    roots: &'a [String],
    unwalked: &'a [String],
) -> impl Iterator<Item = (&'a String, &'a FileState)> {
    known.iter().filter(|(key, state)| {
        let under_root = roots.iter().any(|r| Path::new(key).starts_with(r));
        let unknown = unwalked.iter().any(|p| Path::new(key).starts_with(p));
        under_root && !unknown && !state.seen
    })
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
        let Some(files) = ff.str(Fields::FILE)? else { continue };
        crate::index::damage::check_dictionary(&files, Fields::FILE)?;
        let sizes = ff.u64(Fields::FILE_SIZE)?;
        let mtimes = ff.i64(Fields::FILE_MTIME)?;
        let hashes = ff.u64(Fields::FILE_HASH)?;
        let lasts = ff.u64(Fields::FILE_LAST)?;
        let mut by_ord: Vec<Option<FileState>> = vec![None; files.num_terms()];
        for doc in segment.doc_ids_alive() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::document::{to_document, FileMeta};

    fn state(size: u64, mtime_ns: i64, hash: u64) -> FileState {
        FileState {
            size,
            mtime_ns,
            hash,
            docs: 1,
            complete: true,
            seen: false,
            touched: false,
        }
    }

    /// A file is unchanged by its size and time, or by its hash once read, only when every
    /// article of it is in the index.
    #[test]
    fn a_file_is_unchanged_only_when_complete_and_the_same() {
        let s = state(10, 20, 30);
        assert!(s.unchanged_on_disk(10, 20));
        assert!(!s.unchanged_on_disk(11, 20));
        assert!(!s.unchanged_on_disk(10, 21));
        assert!(s.same_bytes(30) && !s.same_bytes(31));
        let cut_short = FileState { complete: false, ..s };
        assert!(!cut_short.unchanged_on_disk(10, 20));
        assert!(!cut_short.same_bytes(30));
    }

    /// A touched file's new time counts only while its documents have the recorded size
    /// and hash.
    #[test]
    fn touched_times_apply_to_the_same_bytes_only() {
        let mut known: HashMap<String, FileState> = [
            ("same".to_string(), state(10, 20, 30)),
            ("other-hash".to_string(), state(10, 20, 30)),
            ("other-size".to_string(), state(10, 20, 30)),
        ]
        .into();
        let t = |size, hash| Touched {
            size,
            mtime_ns: 99,
            hash,
        };
        let table = [
            ("same".to_string(), t(10, 30)),
            ("other-hash".to_string(), t(10, 31)),
            ("other-size".to_string(), t(11, 30)),
            ("not-indexed".to_string(), t(10, 30)),
        ]
        .into();
        apply_touched(&mut known, table);
        assert_eq!(
            known["same"],
            FileState {
                mtime_ns: 99,
                touched: true,
                ..state(10, 20, 30)
            }
        );
        assert_eq!(known["other-hash"], state(10, 20, 30));
        assert_eq!(known["other-size"], state(10, 20, 30));
        assert_eq!(known.len(), 3);
    }

    /// Gone: under a root, not seen by the walk, and not under a path it could not read.
    #[test]
    fn gone_files_are_unseen_files_under_the_roots() {
        let seen = FileState {
            seen: true,
            ..state(1, 1, 1)
        };
        let known: HashMap<String, FileState> = [
            ("/a/seen.txt".to_string(), seen),
            ("/a/gone.txt".to_string(), state(1, 1, 1)),
            ("/a/locked/maybe.txt".to_string(), state(1, 1, 1)),
            ("/ab/other-root.txt".to_string(), state(1, 1, 1)),
            ("/b/other-root.txt".to_string(), state(1, 1, 1)),
        ]
        .into();
        let roots = ["/a".to_string()];
        let unwalked = ["/a/locked".to_string()];
        let gone: Vec<_> = gone(&known, &roots, &unwalked).map(|(k, _)| k.as_str()).collect();
        assert_eq!(gone, ["/a/gone.txt"]);
    }

    /// The file list read back from the index: each file's size, time, hash and count of
    /// live articles, complete only when its last article is there, across segments.
    #[test]
    fn file_states_are_read_back_from_the_live_documents() {
        let dir = tempfile::tempdir().unwrap();
        let wi = WartaIndex::open_or_create(dir.path(), false).unwrap();
        let mut writer: tantivy::IndexWriter = wi.writer(1, 15).unwrap();
        let article = crate::extract::enrich_language_only(crate::ingest::Article {
            title: Some("Judul".to_string()),
            ..Default::default()
        });
        let meta = |path: &str, size| FileMeta {
            path: path.to_string(),
            size,
            mtime_ns: size as i64 * 10,
        };
        let add = |writer: &mut tantivy::IndexWriter, file: &FileMeta, id: &str, last: bool| {
            let doc = to_document(&wi.fields, id, file, file.size + 1, last, &article);
            writer.add_document(doc).unwrap();
        };
        let (a, b, gone) = (meta("/a.jsonl", 5), meta("/b.jsonl", 7), meta("/gone.txt", 9));
        add(&mut writer, &a, "a#1", false);
        add(&mut writer, &b, "b#1", false);
        add(&mut writer, &gone, "gone", true);
        writer.commit().unwrap();
        // A later segment finishes a.jsonl; gone.txt's article is deleted.
        add(&mut writer, &a, "a#2", true);
        writer.delete_term(tantivy::Term::from_field_text(wi.fields.file, "/gone.txt"));
        writer.commit().unwrap();
        let states = load_file_states(&wi).unwrap();
        let expected = |size: u64, docs, complete| FileState {
            size,
            mtime_ns: size as i64 * 10,
            hash: size + 1,
            docs,
            complete,
            seen: false,
            touched: false,
        };
        assert_eq!(states.len(), 2, "{states:?}");
        assert_eq!(states["/a.jsonl"], expected(5, 2, true));
        assert_eq!(states["/b.jsonl"], expected(7, 1, false));
    }
}
