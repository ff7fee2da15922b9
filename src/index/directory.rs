//! The directory searches open the index through: tantivy's mmap directory, except that the
//! meta lock never makes a search wait forever.
//!
//! tantivy takes `.tantivy-meta.lock` (an OS file lock, blocking) while a reader opens its
//! segments, and the writer takes it while its garbage collection lists the files still in
//! use, so that no segment file is deleted under a reader that is opening it. Each holds it
//! for microseconds, but a writer that is stopped while holding it (Ctrl-Z on `warta index`,
//! a debugger, SIGSTOP) would block every search until it resumes. Here a search waits at most
//! [`META_LOCK_WAIT`] for the lock and then opens the segments without it; the only risk left
//! is a segment deleted in between, which shows as a missing file and is cured by opening
//! again (see [`super::WartaIndex::searcher`]). Writers keep tantivy's own blocking lock.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tantivy::directory::error::{DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, FileSlice, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};

/// Longest a search waits for tantivy's meta lock before opening the segments without it.
pub const META_LOCK_WAIT: Duration = Duration::from_secs(1);

/// An [`MmapDirectory`] whose blocking locks give up after [`META_LOCK_WAIT`] and go on
/// unlocked (non-blocking locks, such as the writer lock, behave as in tantivy).
#[derive(Clone, Debug)]
pub struct SearchDirectory {
    inner: MmapDirectory,
}

impl SearchDirectory {
    /// Opens the directory at `path`, which must exist.
    pub fn open(path: &Path) -> Result<SearchDirectory, OpenDirectoryError> {
        Ok(SearchDirectory {
            inner: MmapDirectory::open(path)?,
        })
    }
}

/// Stands in for a lock that was not taken.
struct NotLocked;

impl Directory for SearchDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn open_read(&self, path: &Path) -> Result<FileSlice, OpenReadError> {
        self.inner.open_read(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        if !lock.is_blocking {
            return self.inner.acquire_lock(lock);
        }
        let attempt = Lock {
            filepath: lock.filepath.clone(),
            is_blocking: false,
        };
        let deadline = Instant::now() + META_LOCK_WAIT;
        loop {
            match self.inner.acquire_lock(&attempt) {
                Err(LockError::LockBusy) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
                Err(LockError::LockBusy) => return Ok(DirectoryLock::from(Box::new(NotLocked))),
                other => return other,
            }
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_meta_lock_delays_a_search_directory_at_most_the_wait() {
        let dir = tempfile::tempdir().unwrap();
        let held = MmapDirectory::open(dir.path()).unwrap();
        let meta_lock = &*tantivy::directory::META_LOCK;
        let _guard = held.acquire_lock(meta_lock).unwrap();
        let search = SearchDirectory::open(dir.path()).unwrap();
        let start = Instant::now();
        let _unlocked = search.acquire_lock(meta_lock).unwrap();
        let waited = start.elapsed();
        assert!(waited >= META_LOCK_WAIT, "{waited:?}");
        // The writer lock stays exclusive and non-blocking.
        let _writer = held.acquire_lock(&tantivy::directory::INDEX_WRITER_LOCK).unwrap();
        assert!(matches!(
            search.acquire_lock(&tantivy::directory::INDEX_WRITER_LOCK),
            Err(LockError::LockBusy)
        ));
    }

    #[test]
    fn a_free_meta_lock_is_taken_and_excludes_others() {
        let dir = tempfile::tempdir().unwrap();
        let search = SearchDirectory::open(dir.path()).unwrap();
        let meta_lock = &*tantivy::directory::META_LOCK;
        let guard = search.acquire_lock(meta_lock).unwrap();
        let other = MmapDirectory::open(dir.path()).unwrap();
        let probe = Lock {
            filepath: meta_lock.filepath.clone(),
            is_blocking: false,
        };
        assert!(matches!(other.acquire_lock(&probe), Err(LockError::LockBusy)));
        drop(guard);
        assert!(other.acquire_lock(&probe).is_ok());
    }
}
