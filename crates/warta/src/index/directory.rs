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
//!
//! Writers open the index through [`for_writing`]: tantivy's mmap directory, which in debug
//! builds a test can make behave as a disk that is full past a number of bytes (see
//! [`DISK_BYTES_VAR`]), to check that a run failing on a full disk leaves no orphan files.

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

/// Test hook, read in debug builds only: when set to a number of bytes, the index writer's
/// directory fails writes that would make the index directory's files exceed it, with ENOSPC,
/// as a full disk would. Release builds ignore it.
#[cfg(debug_assertions)]
pub const DISK_BYTES_VAR: &str = "WARTA_TEST_DISK_BYTES";

/// The directory an index writer opens `path` through: tantivy's mmap directory (in debug
/// builds with [`DISK_BYTES_VAR`] set, one on a simulated full disk).
pub fn for_writing(path: &Path) -> Result<Box<dyn Directory>, OpenDirectoryError> {
    let mmap = MmapDirectory::open(path)?;
    #[cfg(debug_assertions)]
    if let Some(bytes) = std::env::var(DISK_BYTES_VAR).ok().and_then(|v| v.parse().ok()) {
        return Ok(Box::new(FullDisk::new(mmap, path, bytes)));
    }
    Ok(Box::new(mmap))
}

/// The simulated full disk, built in debug builds only (release builds ignore the hook).
#[cfg(debug_assertions)]
mod full_disk {
    use std::io::Write;
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
    use tantivy::directory::{
        AntiCallToken, Directory, DirectoryLock, FileHandle, FileSlice, Lock, MmapDirectory, TerminatingWrite,
        WatchCallback, WatchHandle, WritePtr,
    };

    /// A directory on a disk of `capacity` bytes, all of them for the index directory's files:
    /// a write that would pass it fails with ENOSPC. For tests of full disks without root.
    #[derive(Clone, Debug)]
    pub struct FullDisk {
        inner: MmapDirectory,
        path: PathBuf,
        capacity: u64,
    }

    impl FullDisk {
        pub fn new(inner: MmapDirectory, path: &Path, capacity: u64) -> FullDisk {
            FullDisk {
                inner,
                path: path.to_path_buf(),
                capacity,
            }
        }

        /// Fails with ENOSPC when `more` bytes do not fit beside the directory's files.
        fn reserve(path: &Path, capacity: u64, more: usize) -> std::io::Result<()> {
            let used: u64 = std::fs::read_dir(path)?
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum();
            if used + more as u64 > capacity {
                return Err(std::io::Error::from_raw_os_error(libc::ENOSPC));
            }
            Ok(())
        }
    }

    /// A file being written on a [`FullDisk`].
    struct FullDiskWrite {
        inner: WritePtr,
        path: PathBuf,
        capacity: u64,
    }

    impl Write for FullDiskWrite {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            // What the file's buffer holds is not on disk yet.
            FullDisk::reserve(&self.path, self.capacity, buf.len() + self.inner.buffer().len())?;
            self.inner.write(buf)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            self.inner.flush()
        }
    }

    impl TerminatingWrite for FullDiskWrite {
        fn terminate_ref(&mut self, token: AntiCallToken) -> std::io::Result<()> {
            self.inner.terminate_ref(token)
        }
    }

    impl Directory for FullDisk {
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
            let inner = self.inner.open_write(path)?;
            Ok(WritePtr::new(Box::new(FullDiskWrite {
                inner,
                path: self.path.clone(),
                capacity: self.capacity,
            })))
        }

        fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
            self.inner.atomic_read(path)
        }

        fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
            FullDisk::reserve(&self.path, self.capacity, data.len())?;
            self.inner.atomic_write(path, data)
        }

        fn sync_directory(&self) -> std::io::Result<()> {
            self.inner.sync_directory()
        }

        fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
            self.inner.acquire_lock(lock)
        }

        fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
            self.inner.watch(watch_callback)
        }
    }
}

#[cfg(debug_assertions)]
use full_disk::FullDisk;

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
