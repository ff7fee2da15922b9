//! The roots an index was built from, recorded in `roots.json` in the index directory: a run
//! given no paths re-syncs every root the index holds, and `warta stats` lists them.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// File with the indexed roots inside the index directory.
pub const ROOTS_FILE: &str = "roots.json";

#[derive(Debug, Default, Serialize, Deserialize)]
struct RootsFile {
    /// Absolute, canonical paths, in the order they were first indexed.
    roots: Vec<PathBuf>,
}

/// The roots recorded in the index directory `dir`: none when no run recorded any. A file
/// that cannot be read or parsed is an error, never taken for "no roots".
pub fn load(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let bytes = match std::fs::read(dir.join(ROOTS_FILE)) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let file: RootsFile = serde_json::from_slice(&bytes)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{ROOTS_FILE}: {e}")))?;
    Ok(file.roots)
}

/// Replaces the recorded roots of `dir` with `roots`, atomically: a new file renamed into
/// place, so a crash leaves the old list or the new one. Paths that are not UTF-8 cannot be
/// written in JSON: they are left out and returned.
pub fn save(dir: &Path, roots: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let (kept, left_out): (Vec<PathBuf>, Vec<PathBuf>) = roots.iter().cloned().partition(|r| r.to_str().is_some());
    let json = serde_json::to_vec_pretty(&RootsFile { roots: kept }).map_err(std::io::Error::other)?;
    let tmp = dir.join(format!("{ROOTS_FILE}.tmp"));
    std::fs::write(&tmp, json)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, dir.join(ROOTS_FILE))?;
    Ok(left_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_loads_and_refuses_a_damaged_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(dir.path()).unwrap().is_empty());
        let roots = vec![PathBuf::from("/srv/news/kompas"), PathBuf::from("/srv/news/tempo")];
        assert!(save(dir.path(), &roots).unwrap().is_empty());
        assert_eq!(load(dir.path()).unwrap(), roots);
        assert!(!dir.path().join("roots.json.tmp").exists());
        std::fs::write(dir.path().join(ROOTS_FILE), "not json").unwrap();
        assert!(load(dir.path()).unwrap_err().to_string().contains("roots.json"));
    }
}
