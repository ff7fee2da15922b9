//! Files touched without being changed: their new modification times.
//!
//! Each document records its file's size, modification time and content hash. A file whose
//! time changed but whose bytes did not (`touch`, a checkout, a copy without `-p`) is hashed,
//! found equal, and keeps its articles; but its documents still carry the old time, so every
//! later run would read and hash it again. `touched.json` in the index directory records the
//! new time instead, so later runs know the file by its size and time alone. An entry counts
//! only while the index's documents of the file still have the recorded size and hash.

use std::collections::BTreeMap;
use std::path::Path;

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

/// The table of `dir`; empty when there is none or it cannot be read (the files are then
/// hashed again, which is only slower).
pub fn load(dir: &Path) -> BTreeMap<String, Touched> {
    std::fs::read(dir.join(TOUCHED_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Replaces the table of `dir` with `entries` (atomically: a crash leaves the old table or
/// the new one), or removes it when there are none.
pub fn save(dir: &Path, entries: &BTreeMap<String, Touched>) -> std::io::Result<()> {
    let path = dir.join(TOUCHED_FILE);
    if entries.is_empty() {
        return match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    let tmp = dir.join(format!("{TOUCHED_FILE}.tmp"));
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
