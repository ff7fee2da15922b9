//! Helpers shared by the integration tests: temporary corpora and running the binary.

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// A temporary corpus directory and an index directory beside it.
pub struct Fixture {
    pub dir: TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("corpus")).unwrap();
        Fixture { dir }
    }

    pub fn corpus(&self) -> PathBuf {
        self.dir.path().join("corpus")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// Writes a file under the corpus (creating folders).
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.corpus().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        p
    }

    /// Writes a gzip-compressed file under the corpus.
    pub fn write_gz(&self, rel: &str, content: &str) -> PathBuf {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(content.as_bytes()).unwrap();
        self.write(rel, enc.finish().unwrap())
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.corpus().join(rel)).unwrap();
    }

    /// `warta` with the index flag set.
    pub fn warta(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("warta").unwrap();
        cmd.args(args)
            .arg("--index")
            .arg(self.index_dir())
            .env_remove("WARTA_INDEX")
            .env("NO_COLOR", "1");
        cmd
    }

    /// Runs `warta index corpus` and returns (stdout, stderr), asserting success.
    pub fn index(&self) -> (String, String) {
        let out = self.warta(&["index"]).arg(self.corpus()).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "index failed: {stdout}\n{stderr}");
        (stdout, stderr)
    }

    /// Runs a search with `--json` and returns the parsed response and the exit code.
    /// `warta show --json ID`, which must succeed.
    pub fn show(&self, id: &str) -> Value {
        let out = self.warta(&["show", "--json", id]).output().unwrap();
        assert!(
            out.status.success(),
            "show {id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    pub fn search_json(&self, args: &[&str]) -> (Value, i32) {
        let out = self.warta(&["search", "--json"]).args(args).output().unwrap();
        let code = out.status.code().unwrap();
        assert!(
            code == 0 || code == 1,
            "search {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        (serde_json::from_slice(&out.stdout).unwrap(), code)
    }

    /// Ids of the hits of a search, in order.
    pub fn ids(&self, args: &[&str]) -> Vec<String> {
        hit_ids(&self.search_json(args).0)
    }
}

/// Ids of the hits of a search answer (`warta search --json`, `/api/search`), in order.
pub fn hit_ids(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

/// Sets a file's modification time some seconds into the future, so a rewrite of the same size
/// is seen as changed even on coarse-grained file systems.
/// A corpus of two articles (the seed, in Indonesian, and a short English one) in
/// `dir/corpus`, for tests that need a small index; returns the corpus directory.
pub fn two_article_corpus(dir: &Path) -> PathBuf {
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let seed = crate::common::repo().join("sample_corpus/seed/korea-russia-summit.id.txt");
    std::fs::copy(seed, corpus.join("seed.txt")).unwrap();
    std::fs::write(
        corpus.join("en.txt"),
        "Title: Putin and Kim meet\nDate: 2023-09-13\nSource: AP\n\nRussian President Vladimir Putin met North Korean leader Kim Jong Un.\n",
    )
    .unwrap();
    corpus
}

pub fn bump_mtime(path: &Path) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    let t = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    f.set_modified(t).unwrap();
}

/// A progress receiver for library runs that must go without a warning: any warning fails the
/// test, naming it.
pub struct NoWarnings;

impl warta::index::Progress for NoWarnings {
    fn start(&self, _: u64) {}
    fn advance(&self) {}
    fn warn(&self, message: &str) {
        panic!("unexpected warning: {message}");
    }
}

/// The repository's root: sample corpus, docs and fixtures are found from here.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}
