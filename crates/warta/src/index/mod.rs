//! Index: the tantivy schema, analyzers, the writer and incremental bookkeeping.
//!
//! An index directory holds a tantivy index plus `warta.json` (warta's format version),
//! `last_run.json` (what the last indexing run did and skipped), `roots.json` (the paths it
//! was built from, see [`roots`]), `stems.fst` (which indexed
//! words share a stem, see [`stems`]), `stories.json` (the copies of one story, see
//! [`stories`]), `bands/` (each segment's signature bands, by which copies are found, see
//! [`bands`]) and, when some files were touched without being
//! changed, `touched.json`, and when some files were skipped as a whole, `rejected.json`
//! (see [`touched`]). Each tantivy document carries
//! its file's path, size, modification time and content hash, so the index itself says which
//! files it reflects: a rerun compares the disk with that, and a crash can never leave the
//! bookkeeping out of step with the documents.

mod bands;
pub mod damage;
mod directory;
pub mod document;
mod queue;
pub mod roots;
mod run;
pub mod schema;
pub mod signature;
pub(crate) mod stems;
pub mod stories;
mod touched;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::Index;

use crate::text::analysis;

pub use damage::Damaged;
pub use run::{
    index_paths, index_paths_with, Enricher, IndexOptions, Progress, RunSummary, SkippedFile, EXTERNAL_LINK,
    MAX_LISTED_WARNINGS,
};
pub use schema::Fields;

/// Version of warta's index layout; bumped whenever the schema or analysis changes.
pub const FORMAT_VERSION: u32 = 11;
const META_FILE: &str = "warta.json";
/// Size of the doc store's compressed blocks (tantivy's default: 16 KiB). Every search reads
/// the stored text of each hit shown, for its snippet, and reading one document decompresses
/// its whole block: with 4 KiB blocks the bench's keyword and phrase queries took 18% fewer
/// instructions and 0.37-0.42 ms instead of 0.44-0.48 ms a query (five alternating runs), for
/// a store 10% larger (the whole index 6%). Set when an index is created; an older index
/// keeps its blocks.
pub const DOCSTORE_BLOCK_BYTES: usize = 4096;
/// Lock file held by the process writing the index (an OS file lock, released when the
/// process ends, however it ends).
pub const LOCK_FILE: &str = "warta.lock";

/// Takes the index directory's write lock, creating the directory when needed; fails at once
/// with [`IndexError::Locked`] when another process holds it. Keep the file to keep the lock.
pub fn lock_for_writing(dir: &Path) -> Result<std::fs::File, IndexError> {
    std::fs::create_dir_all(dir)?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK_FILE))?;
    let locked = retry_while_locked(|| match file.try_lock() {
        Ok(()) => Ok(true),
        Err(std::fs::TryLockError::WouldBlock) => Ok(false),
        Err(std::fs::TryLockError::Error(e)) => Err(IndexError::Io(e)),
    })?;
    if locked {
        Ok(file)
    } else {
        Err(IndexError::Locked(dir.to_path_buf()))
    }
}

/// Tries `take_lock` (which answers whether it got the lock) a few times over about half a
/// second before giving up. A lock can outlive its holder for a moment: a process being
/// started elsewhere in the same program holds a copy of every open descriptor until it
/// execs, the lock's too. A real second writer still fails within the half second.
pub(crate) fn retry_while_locked<E>(mut take_lock: impl FnMut() -> Result<bool, E>) -> Result<bool, E> {
    const TRIES: u32 = 20;
    for attempt in 1..=TRIES {
        if take_lock()? {
            return Ok(true);
        }
        if attempt < TRIES {
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
    }
    Ok(false)
}

/// File with the last run's summary (and skipped files) inside the index directory.
pub const LAST_RUN_FILE: &str = "last_run.json";

/// Errors a caller of the index may want to react to.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// No warta index in this directory.
    #[error("no warta index at {0} (name the index directory with --index DIR or $WARTA_INDEX; or create one with `warta index PATH --index {0}`)")]
    Missing(PathBuf),
    /// The index was written by a warta whose format this one cannot read.
    #[error("the index at {path} has format version {found}, this warta reads version {expected}: rerun `warta index --rebuild` to rebuild it")]
    IncompatibleVersion {
        /// The index directory.
        path: PathBuf,
        /// The format version it records.
        found: u32,
        /// The version this warta reads.
        expected: u32,
    },
    /// The directory holds something else.
    #[error("{0} is not a warta index (refusing to use or overwrite it)")]
    NotWarta(PathBuf),
    /// Another process is writing the index.
    #[error("the index at {0} is being written by another process; wait for it to finish")]
    Locked(PathBuf),
    /// A file of the index fails its checksum.
    #[error(transparent)]
    Damaged(#[from] Damaged),
    /// Reading failed though every file passes its checksum.
    #[error("reading the index failed unexpectedly, though its files pass their checksums (a bug in warta): {0}")]
    Internal(String),
    /// tantivy failed.
    #[error("{0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// Reading or writing the index directory failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// None of the paths given to an indexing run exists.
    #[error("none of the paths to index exist: {}", list_paths(.0))]
    NothingToIndex(Vec<PathBuf>),
    /// A run was given no paths and the index records none to re-sync.
    #[error("the index at {0} records no indexed paths to re-sync: give the paths to index")]
    NoRoots(PathBuf),
    /// A step of an indexing run failed; `context` says which, `source` why.
    #[error("{context}")]
    Step {
        /// The step.
        context: &'static str,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

fn list_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Names the step of an indexing run that failed, keeping the cause as the error's source.
pub(crate) trait StepContext<T> {
    fn step(self, context: &'static str) -> Result<T, IndexError>;
}

impl<T, E: std::error::Error + Send + Sync + 'static> StepContext<T> for Result<T, E> {
    fn step(self, context: &'static str) -> Result<T, IndexError> {
        self.map_err(|e| IndexError::Step {
            context,
            source: Box::new(e),
        })
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    format: u32,
    created_by: String,
}

/// A table read from a file of the index, with the stamp of the file it was read from.
type Reloaded<T> = std::sync::Mutex<Option<(Option<FileStamp>, std::sync::Arc<T>)>>;

/// The table cached in `slot`, read again with `load` when the file at `path` has changed
/// since: one `stat` per call otherwise.
fn reloaded<T>(slot: &Reloaded<T>, path: &Path, load: impl FnOnce() -> T) -> std::sync::Arc<T> {
    let stamp = FileStamp::of(path);
    let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
    match &*slot {
        Some((at, table)) if *at == stamp => table.clone(),
        _ => {
            let table = std::sync::Arc::new(load());
            *slot = Some((stamp, table.clone()));
            table
        }
    }
}

/// What tells one version of a file from the next: its modification time, size and (on
/// Unix) inode. Each rewrite of the stem table is a new file renamed into place, so a new
/// inode, even when the file system's clock is too coarse to change the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    modified: Option<std::time::SystemTime>,
    len: u64,
    inode: u64,
}

impl FileStamp {
    fn of(path: &Path) -> Option<FileStamp> {
        let m = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&m);
        #[cfg(not(unix))]
        let inode = 0;
        Some(FileStamp {
            modified: m.modified().ok(),
            len: m.len(),
            inode,
        })
    }
}

/// Starts a thread of an indexing run under `name`, which `top -H`, `perf` and the bench's
/// CPU-by-thread figures show (tantivy names its own threads the same way).
pub(crate) fn spawn_named<'scope, 'env, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    name: &str,
    f: impl FnOnce() -> T + Send + 'scope,
) -> std::thread::ScopedJoinHandle<'scope, T> {
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn_scoped(scope, f)
        .unwrap_or_else(|e| panic!("cannot start the {name} thread: {e}"))
}

/// The indexing threads and the memory budget in bytes of tantivy's writer for a run asked
/// for `threads` threads and `memory_mb` MiB: tantivy needs at least 15 MB a thread, so a
/// small budget means fewer threads. (The benchmark's baseline uses the same.)
pub fn writer_threads_and_budget(threads: usize, memory_mb: usize) -> (usize, usize) {
    let threads = threads.clamp(1, 64).min((memory_mb / 15).max(1));
    (threads, memory_mb.max(15 * threads) * 1024 * 1024)
}

/// An open warta index: the tantivy index and its fields.
pub struct WartaIndex {
    /// The tantivy index.
    pub index: Index,
    /// Handles to its fields.
    pub fields: Fields,
    /// The index directory.
    pub dir: PathBuf,
    /// One reader for every search on this handle, made on first use; it follows new
    /// commits (by `warta index` in another process) within about half a second.
    reader: std::sync::OnceLock<tantivy::IndexReader>,
    /// The stem table as last read, with what identified its file then.
    stems: Reloaded<stems::StemTable>,
    /// The stories as last read, with what identified their file then.
    stories: Reloaded<stories::Stories>,
}

impl WartaIndex {
    /// Opens an existing index for searching, checking its format version. A writer that is
    /// stopped while it holds tantivy's meta lock delays opening by at most
    /// [`directory::META_LOCK_WAIT`] instead of blocking it (see [`directory`]); indexing goes
    /// through [`index_paths`], which opens the index with tantivy's own locking.
    pub fn open(dir: &Path) -> Result<WartaIndex, IndexError> {
        Self::open_as(dir, false)
    }

    fn open_as(dir: &Path, for_writing: bool) -> Result<WartaIndex, IndexError> {
        let meta_path = dir.join(META_FILE);
        if !meta_path.exists() {
            if dir.join("meta.json").exists() {
                return Err(IndexError::NotWarta(dir.to_path_buf()));
            }
            return Err(IndexError::Missing(dir.to_path_buf()));
        }
        let meta: Meta = serde_json::from_slice(&std::fs::read(&meta_path)?)
            .map_err(|e| Damaged(format!("{META_FILE} cannot be read: {e}")))?;
        if meta.format != FORMAT_VERSION {
            return Err(IndexError::IncompatibleVersion {
                path: dir.to_path_buf(),
                found: meta.format,
                expected: FORMAT_VERSION,
            });
        }
        let opened = if for_writing {
            let directory = directory::for_writing(dir).map_err(tantivy::TantivyError::from)?;
            Index::open(directory)
        } else {
            let directory = directory::SearchDirectory::open(dir).map_err(tantivy::TantivyError::from)?;
            Index::open(directory)
        };
        let index = opened.map_err(|e| match e {
            tantivy::TantivyError::DataCorruption(_) => Damaged("meta.json cannot be read".to_string()).into(),
            e => IndexError::from(e),
        })?;
        analysis::register(index.tokenizers());
        let (_, fields) = schema::build();
        Ok(WartaIndex {
            index,
            fields,
            dir: dir.to_path_buf(),
            reader: std::sync::OnceLock::new(),
            stems: std::sync::Mutex::new(None),
            stories: std::sync::Mutex::new(None),
        })
    }

    /// Opens the index at `dir`, creating it when absent. With `rebuild`, an existing warta
    /// index there is deleted first (a directory that is not a warta index is never touched).
    pub fn open_or_create(dir: &Path, rebuild: bool) -> Result<WartaIndex, IndexError> {
        let has_meta = dir.join(META_FILE).exists();
        // warta.json is written before tantivy's meta.json: with it alone, a first run was
        // killed while creating the index, and creating it again is safe.
        let created = has_meta && dir.join("meta.json").exists();
        if created && !rebuild {
            return Self::open_as(dir, true);
        }
        let others = |dir: &Path| -> std::io::Result<Vec<PathBuf>> {
            Ok(std::fs::read_dir(dir)?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.file_name().is_none_or(|n| n != LOCK_FILE))
                .collect())
        };
        if has_meta {
            for path in others(dir)? {
                if path.is_dir() {
                    std::fs::remove_dir_all(&path)?;
                } else {
                    std::fs::remove_file(&path)?;
                }
            }
        } else if dir.exists() && !others(dir)?.is_empty() {
            return Err(IndexError::NotWarta(dir.to_path_buf()));
        }
        std::fs::create_dir_all(dir)?;
        let meta = Meta {
            format: FORMAT_VERSION,
            created_by: format!("warta {}", env!("CARGO_PKG_VERSION")),
        };
        std::fs::write(
            dir.join(META_FILE),
            serde_json::to_vec_pretty(&meta).expect("meta serializes"),
        )?;
        let (schema, fields) = schema::build();
        let settings = tantivy::IndexSettings {
            docstore_blocksize: DOCSTORE_BLOCK_BYTES,
            ..tantivy::IndexSettings::default()
        };
        let directory = directory::for_writing(dir).map_err(tantivy::TantivyError::from)?;
        let index = Index::create(directory, schema, settings)?;
        analysis::register(index.tokenizers());
        Ok(WartaIndex {
            index,
            fields,
            dir: dir.to_path_buf(),
            reader: std::sync::OnceLock::new(),
            stems: std::sync::Mutex::new(None),
            stories: std::sync::Mutex::new(None),
        })
    }

    /// tantivy's writer for an indexing run with `threads` threads and a memory budget of
    /// `memory_mb` MiB shared by them (see [`writer_threads_and_budget`]).
    ///
    /// With one indexing thread, each segment's doc store is compressed on a thread of its own
    /// (tantivy's default): the pipeline's bottleneck gets help from the other core. With two
    /// or more, the indexing threads compress their own blocks: the cores are busy anyway, and
    /// handing every 4 KiB block to a compressor thread cost some 50,000 context switches a
    /// build of the shared corpora instead of 5,500, and 4% of the run (median of six
    /// alternating runs at 2 threads: 3.02 s against 3.15 s, CPU 5.77 s against 6.03 s). At one thread, compressing
    /// inline was 3.6% slower (five alternating runs). The choice is made on the writer's own
    /// handle for each run; tantivy records the last run's in `meta.json`, which the next run
    /// overrides again.
    pub fn writer<D: tantivy::schema::document::Document>(
        &self,
        threads: usize,
        memory_mb: usize,
    ) -> tantivy::Result<tantivy::IndexWriter<D>> {
        let (threads, budget) = writer_threads_and_budget(threads, memory_mb);
        let mut index = self.index.clone();
        index.settings_mut().docstore_compress_dedicated_thread = threads < 2;
        index.writer_with_num_threads(threads, budget)
    }

    /// A searcher over the last commit, from this handle's shared reader (opening segment
    /// readers once, not per search). A damaged stem table, or segment files that make
    /// opening the reader fail, give a [`Damaged`] error (inside the tantivy error).
    pub fn searcher(&self) -> tantivy::Result<tantivy::Searcher> {
        if let Some(damage) = self.stem_table().damage() {
            return Err(Damaged(damage.to_string()).into());
        }
        if let Some(r) = self.reader.get() {
            return Ok(r.searcher());
        }
        // Opening without the meta lock (see `directory`) can meet a segment file that a
        // writer's cleanup just removed; the next attempt reads the newer meta.json.
        let mut attempts = 0;
        let reader = loop {
            attempts += 1;
            let opened = self.guard(|| {
                self.index
                    .reader_builder()
                    .reload_policy(tantivy::ReloadPolicy::OnCommitWithDelay)
                    .try_into()
            });
            let opened = match opened {
                Ok(opened) => opened,
                Err(IndexError::Damaged(damage)) => return Err(damage.into()),
                Err(e) => return Err(tantivy::TantivyError::InternalError(e.to_string())),
            };
            match opened {
                Err(tantivy::TantivyError::OpenReadError(_)) if attempts < 3 => continue,
                other => break other?,
            }
        };
        Ok(self.reader.get_or_init(|| reader).searcher())
    }

    /// Runs `read`, a read of this index, with a panic inside it (some damage to tantivy's
    /// files makes its readers panic) turned into an error (see [`damage::guard`]).
    pub fn guard<T>(&self, read: impl FnOnce() -> T) -> Result<T, IndexError> {
        damage::guard(&self.index, &self.dir, read)
    }

    /// [`guard`](WartaIndex::guard) for a read that returns a result: a tantivy error is
    /// checked against the files too (see [`damage::guard_result`]).
    pub fn guard_result<T, E: std::error::Error + 'static>(
        &self,
        read: impl FnOnce() -> Result<T, E>,
    ) -> Result<Result<T, E>, IndexError> {
        damage::guard_result(&self.index, &self.dir, read)
    }

    /// The index's stem table, read again when its file has changed (a run of `warta index`
    /// in another process updates it after each run): one `stat` per call otherwise.
    pub fn stem_table(&self) -> std::sync::Arc<stems::StemTable> {
        reloaded(&self.stems, &self.dir.join(stems::STEMS_FILE), || {
            stems::StemTable::load(&self.dir)
        })
    }

    /// The index's stories (see [`stories`]), read again when their file has changed.
    pub fn stories(&self) -> std::sync::Arc<stories::Stories> {
        reloaded(&self.stories, &self.dir.join(stories::STORIES_FILE), || {
            stories::Stories::load(&self.dir)
        })
    }

    /// Total size in bytes of the files in the index directory.
    pub fn size_on_disk(&self) -> u64 {
        std::fs::read_dir(&self.dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    }

    /// The roots the index was built from (see [`roots`]).
    pub fn roots(&self) -> std::io::Result<Vec<PathBuf>> {
        roots::load(&self.dir)
    }

    /// The summary of the last indexing run, if one was recorded.
    pub fn last_run(&self) -> Option<RunSummary> {
        let bytes = std::fs::read(self.dir.join(LAST_RUN_FILE)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    /// A lock its holder lets go of a moment later is taken (a process being started keeps a
    /// copy of the lock's descriptor until it execs); one that stays held is refused.
    #[test]
    fn a_lock_released_a_moment_later_is_taken_one_held_is_refused() {
        use super::{lock_for_writing, IndexError};
        let dir = tempfile::tempdir().unwrap();
        let held = lock_for_writing(dir.path()).unwrap();
        assert!(matches!(lock_for_writing(dir.path()), Err(IndexError::Locked(_))));
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            drop(held);
        });
        assert!(lock_for_writing(dir.path()).is_ok());
        releaser.join().unwrap();
    }

    /// The writer's threads follow the memory budget (15 MB a thread at least); its doc store
    /// is compressed on a thread of its own only with one indexing thread; and a writer's
    /// settings do not change the handle's.
    #[test]
    fn writer_threads_follow_the_budget() {
        assert_eq!(super::writer_threads_and_budget(2, 256), (2, 256 << 20));
        assert_eq!(super::writer_threads_and_budget(4, 16), (1, 16 << 20));
        assert_eq!(super::writer_threads_and_budget(0, 256).0, 1);
        assert_eq!(super::writer_threads_and_budget(1, 1), (1, 15 << 20));
        let dir = tempfile::tempdir().unwrap();
        let wi = super::WartaIndex::open_or_create(dir.path(), true).unwrap();
        // The compressor thread: only with one indexing thread, as the commit records it.
        for (threads, dedicated) in [(2, false), (1, true)] {
            let mut writer: tantivy::IndexWriter = wi.writer(threads, 64).unwrap();
            writer.commit().unwrap();
            drop(writer);
            let committed = tantivy::Index::open_in_dir(dir.path()).unwrap();
            assert_eq!(committed.settings().docstore_compress_dedicated_thread, dedicated);
            assert_eq!(committed.settings().docstore_blocksize, super::DOCSTORE_BLOCK_BYTES);
        }
        assert!(wi.index.settings().docstore_compress_dedicated_thread);
    }

    /// A new index compresses its doc store in blocks of [`super::DOCSTORE_BLOCK_BYTES`]
    /// (recorded in tantivy's meta.json, so an index keeps the size it was created with).
    #[test]
    fn a_new_index_has_small_doc_store_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let wi = super::WartaIndex::open_or_create(dir.path(), false).unwrap();
        assert_eq!(wi.index.settings().docstore_blocksize, super::DOCSTORE_BLOCK_BYTES);
        drop(wi);
        let reopened = super::WartaIndex::open(dir.path()).unwrap();
        assert_eq!(
            reopened.index.settings().docstore_blocksize,
            super::DOCSTORE_BLOCK_BYTES
        );
    }
}
