//! Files touched without being changed: their new modification times.
//!
//! Each document records its file's size, modification time and content hash. A file whose
//! time changed but whose bytes did not (`touch`, a checkout, a copy without `-p`) is hashed,
//! found equal, and keeps its articles; but its documents still carry the old time, so every
//! later run would read and hash it again. `touched.json` in the index directory records the
//! new time instead, so later runs know the file by its size and time alone. An entry counts
//! only while the index's documents of the file still have the recorded size and hash.
//!
//! Files rejected as a whole (binary, empty, malformed, without a readable article) have no
//! documents to carry their size and time: `rejected.json` records them with the reason, so
//! later runs skip them again, without reading them, until their size or time changes.

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The table's file in the index directory.
pub const TOUCHED_FILE: &str = "touched.json";

/// A touched file as seen on disk: its size and new modification time, and the hash its
/// bytes had (equal to that of its indexed version).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touched {
    pub size: u64,
    pub mtime_ns: i64,
    pub hash: u64,
}

/// The table of rejected files in the index directory.
pub const REJECTED_FILE: &str = "rejected.json";

/// A file rejected as a whole, as seen on disk when it was, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    pub size: u64,
    pub mtime_ns: i64,
    /// The summary's label of the reason ("binary").
    pub kind: String,
    pub reason: String,
}

/// The table of `dir`; empty when there is none or it cannot be read (the files are then
/// hashed again, which is only slower).
pub fn load(dir: &Path) -> BTreeMap<String, Touched> {
    load_table(dir, TOUCHED_FILE)
}

/// Replaces the table of `dir` with `entries` (atomically: a crash leaves the old table or
/// the new one), or removes it when there are none.
pub fn save(dir: &Path, entries: &BTreeMap<String, Touched>) -> std::io::Result<()> {
    save_table(dir, TOUCHED_FILE, entries)
}

/// The rejected files of `dir`; empty when there is none or it cannot be read (the files are
/// then read again).
pub fn load_rejected(dir: &Path) -> BTreeMap<String, Rejected> {
    load_table(dir, REJECTED_FILE)
}

/// Replaces the rejected files of `dir` with `entries`, as [`save`] does.
pub fn save_rejected(dir: &Path, entries: &BTreeMap<String, Rejected>) -> std::io::Result<()> {
    save_table(dir, REJECTED_FILE, entries)
}

fn load_table<T: DeserializeOwned>(dir: &Path, name: &str) -> BTreeMap<String, T> {
    std::fs::read(dir.join(name))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

fn save_table<T: Serialize>(dir: &Path, name: &str, entries: &BTreeMap<String, T>) -> std::io::Result<()> {
    let path = dir.join(name);
    if entries.is_empty() {
        return match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    let tmp = dir.join(format!("{name}.tmp"));
    std::fs::write(&tmp, serde_json::to_vec(entries).expect("the table serializes"))?;
    std::fs::rename(&tmp, &path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_loads_and_removes_the_table() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(dir.path()).is_empty());
        let mut t = BTreeMap::new();
        t.insert(
            "/a/b.txt".to_string(),
            Touched {
                size: 3,
                mtime_ns: -5,
                hash: u64::MAX,
            },
        );
        save(dir.path(), &t).unwrap();
        assert_eq!(load(dir.path()), t);
        save(dir.path(), &BTreeMap::new()).unwrap();
        assert!(!dir.path().join(TOUCHED_FILE).exists());
        save(dir.path(), &BTreeMap::new()).unwrap();
        std::fs::write(dir.path().join(TOUCHED_FILE), "not json").unwrap();
        assert!(load(dir.path()).is_empty());
    }
}
