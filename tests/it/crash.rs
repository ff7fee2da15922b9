//! Crashes and concurrency: an indexer killed at random moments (SIGKILL) leaves an index that
//! opens and serves its last commit, and the next run completes it with no duplicates and
//! nothing missing; a second writer is refused at once; searches run while indexing does.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::Fixture;
use serde_json::Value;

/// `warta ARGS --index INDEX`.
fn warta(index: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("warta"));
    c.env_remove("WARTA_INDEX")
        .env("NO_COLOR", "1")
        .args(args)
        .arg("--index")
        .arg(index);
    c
}

fn article(i: usize, version: u32) -> String {
    format!(
        "Title: Artikel nomor {i} versi {version}\nDate: 2024-01-{:02}\nSource: Sumber {}\n\nPresiden Joko Widodo bertemu Menteri {i} di Jakarta. Laporan {i} versi {version} membahas ekonomi, banjir dan pemilu.\n",
        1 + i % 28,
        i % 5
    )
}

/// Every article in the index: id → title, asserting that no id appears twice.
fn contents(index: &Path) -> BTreeMap<String, String> {
    let out = Command::new(assert_cmd::cargo::cargo_bin("warta"))
        .env_remove("WARTA_INDEX")
        .args(["search", "--json", "--limit", "10000", "--index"])
        .arg(index)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(
        v["total"].as_u64().unwrap() as usize,
        hits.len(),
        "total and hits disagree"
    );
    let mut map = BTreeMap::new();
    for h in hits {
        let id = h["id"].as_str().unwrap().to_string();
        let title = h["title"].as_str().unwrap_or("").to_string();
        assert!(map.insert(id.clone(), title).is_none(), "duplicate article {id}");
    }
    map
}

/// A deterministic pseudo-random sequence (xorshift), so failures can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

/// Waits until the indexer has committed `n` times (tantivy rewrites meta.json on each
/// commit) or has ended.
fn wait_for_commits(index: &Path, n: usize, child: &mut std::process::Child) {
    let meta = index.join("meta.json");
    let mut last = std::fs::read(&meta).ok();
    let mut seen = 0;
    while seen < n && child.try_wait().unwrap().is_none() {
        let now = std::fs::read(&meta).ok();
        if now != last {
            seen += 1;
            last = now;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Lines of the JSON Lines file: one file whose articles span many commits.
const WIRE: usize = 2000;

#[test]
fn killed_indexer_leaves_a_usable_index_and_the_next_run_completes_it() {
    let fx = Fixture::new();
    for i in 0..80 {
        fx.write(&format!("txt/{:03}.txt", i), article(i, 1));
    }
    let lines: Vec<String> = (0..WIRE)
        .map(|i| serde_json::json!({"title": format!("Baris {i}"), "body": format!("Berita baris {i} tentang Putin dan Kim Jong Un."), "date": "2023-09-14"}).to_string())
        .collect();
    fx.write("0wire.jsonl", lines.join("\n"));

    // Kill times are spread over the length of a whole run on this machine (debug or release).
    let started = std::time::Instant::now();
    let probe = fx.dir.path().join("probe");
    assert!(warta(&probe, &["index", "-q", "--commit-every", "20"])
        .arg(fx.corpus())
        .output()
        .unwrap()
        .status
        .success());
    let full_ms = started.elapsed().as_millis().max(50) as u64;

    let index = fx.dir.path().join("crashy");
    let mut rng = Rng(0x5eed_2026);
    let mut partial_wire = 0;
    for round in 0..12 {
        // The big file changes every round, so every run reads it again from the start.
        let mut lines = lines.clone();
        lines[0] = serde_json::json!({"title": format!("Baris 0 ronde {round}"), "body": "Versi baru."}).to_string();
        fx.write("0wire.jsonl", lines.join("\n"));
        if round == 6 {
            // The corpus changes between crashes: updates, deletions, additions.
            for i in 0..6 {
                fx.write(&format!("txt/{:03}.txt", i * 7), article(i * 7, 2));
            }
            for i in 0..3 {
                fx.remove(&format!("txt/{:03}.txt", 50 + i));
            }
            fx.write("txt/new-a.txt", article(900, 1));
            fx.write("txt/new-b.txt", article(901, 1));
        }
        let mut child = warta(&index, &["index", "-q", "--threads", "2", "--commit-every", "20"])
            .arg(fx.corpus())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if round % 2 == 0 {
            // Right after the n-th commit of this run: most likely inside the big file.
            wait_for_commits(&index, 1 + rng.next(3) as usize, &mut child);
        } else {
            std::thread::sleep(Duration::from_millis(full_ms / 20 + rng.next(full_ms)));
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        // Whatever moment it died at, the index opens and serves a consistent state.
        let out = warta(&index, &["stats", "--json"]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() || err.contains("no warta index"),
            "round {round}: index unusable after kill: {err}"
        );
        if out.status.success() {
            let wire = contents(&index)
                .keys()
                .filter(|id| id.starts_with("0wire.jsonl#"))
                .count();
            if wire > 0 && wire < WIRE {
                partial_wire += 1;
            }
        }
    }
    // The interesting case happened: a run died with part of a file committed.
    assert!(
        partial_wire > 0,
        "no kill left a partly indexed file; the test proves little"
    );
    let out = warta(&index, &["index", "-q"]).arg(fx.corpus()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let clean = fx.dir.path().join("clean");
    let out = warta(&clean, &["index", "-q"]).arg(fx.corpus()).output().unwrap();
    assert!(out.status.success());
    let (got, want) = (contents(&index), contents(&clean));
    assert_eq!(want.len(), 80 - 3 + 2 + WIRE);
    assert_eq!(got, want, "the recovered index differs from a clean build");
}

/// Waits until the process holding `lock` has taken it (the indexer is running), then freezes
/// that process (SIGSTOP) so the test sees it mid-run, deterministically.
fn freeze_when_locked(child: &mut std::process::Child, lock: &Path) {
    loop {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the indexer ended before it could be observed"
        );
        if let Ok(f) = std::fs::OpenOptions::new().write(true).open(lock) {
            if matches!(f.try_lock(), Err(std::fs::TryLockError::WouldBlock)) {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(Command::new("kill")
        .args(["-STOP", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
}

fn thaw(child: &mut std::process::Child) {
    assert!(Command::new("kill")
        .args(["-CONT", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
}

#[test]
fn second_writer_is_refused_and_searches_run_while_indexing() {
    let fx = Fixture::new();
    fx.write("first.txt", article(1, 1));
    fx.index();
    let lines: Vec<String> = (0..3000)
        .map(|i| serde_json::json!({"title": format!("Baris {i}"), "body": format!("Berita {i} tentang banjir di Jakarta Selatan.")}).to_string())
        .collect();
    fx.write("big.jsonl", lines.join("\n"));
    let index = fx.index_dir();
    let lock = index.join("warta.lock");

    for rebuild in [false, true] {
        let args: &[&str] = if rebuild {
            &["index", "-q", "--rebuild"]
        } else {
            &["index", "-q"]
        };
        let mut first = warta(&index, args)
            .arg(fx.corpus())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        freeze_when_locked(&mut first, &lock);
        // A second writer, plain or --rebuild, is refused at once and touches nothing.
        for second_args in [&["index"][..], &["index", "--rebuild"][..]] {
            let second = fx.warta(second_args).arg(fx.corpus()).output().unwrap();
            assert_eq!(second.status.code(), Some(2), "{second_args:?}");
            let err = String::from_utf8_lossy(&second.stderr);
            assert!(err.contains("being written by another process"), "{err}");
        }
        // Searching works meanwhile and sees the last commit.
        if !rebuild {
            let (v, code) = fx.search_json(&["artikel"]);
            assert_eq!(code, 0, "{v}");
            assert_eq!(v["total"], 1);
        }
        thaw(&mut first);
        assert!(first.wait().unwrap().success());
        let (v, _) = fx.search_json(&["baris"]);
        assert_eq!(v["total"], 3000);
        let (v, _) = fx.search_json(&["artikel"]);
        assert_eq!(v["total"], 1);
    }
}

/// A writer stopped while it holds tantivy's meta lock (which it takes for microseconds while
/// cleaning up files) once blocked every search until it resumed; now a search waits about a
/// second and opens the index without the lock. The lock is held here by the test itself, so
/// the case that `second_writer_is_refused_and_searches_run_while_indexing` met by chance is
/// certain.
#[test]
fn a_stopped_writer_holding_the_meta_lock_does_not_block_searches() {
    let fx = Fixture::new();
    fx.write("first.txt", article(1, 1));
    fx.index();
    let meta_lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(fx.index_dir().join(".tantivy-meta.lock"))
        .unwrap();
    meta_lock.lock().unwrap();
    let mut search = warta(&fx.index_dir(), &["search", "--json", "artikel"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while search.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = search.kill();
            panic!("`warta search` still waits for the meta lock after 30 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = search.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["total"], 1);
    drop(meta_lock);
}

/// An index written by an incompatible warta says to rebuild, instead of failing obscurely.
#[test]
fn an_index_of_another_format_version_says_to_rebuild() {
    let fx = Fixture::new();
    fx.write("a.txt", article(1, 1));
    fx.index();
    let meta = fx.index_dir().join("warta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let old = v["format"].as_u64().unwrap() + 1000;
    std::fs::write(
        &meta,
        text.replace(&format!("\"format\": {}", v["format"]), &format!("\"format\": {old}")),
    )
    .unwrap();
    for args in [&["search", "artikel"][..], &["stats"][..], &["index"][..]] {
        let mut cmd = fx.warta(args);
        if args[0] == "index" {
            cmd.arg(fx.corpus());
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--rebuild"), "{args:?}: {err}");
    }
    let out = fx.warta(&["index", "--rebuild"]).arg(fx.corpus()).output().unwrap();
    assert!(out.status.success());
}

/// A disk that fills up (simulated with a file size limit: writes fail with EFBIG, as they
/// would with ENOSPC) gives a clear error, exit 2, and leaves the last commit serving.
#[test]
fn a_full_disk_is_a_clear_error_and_the_previous_index_stays() {
    let fx = Fixture::new();
    fx.write("a.txt", article(1, 1));
    fx.index();
    let lines: Vec<String> = (0..20_000)
        .map(|i| serde_json::json!({"title": format!("Baris {i}"), "body": format!("Berita {i} tentang ekonomi dan banjir di Jakarta {i}.")}).to_string())
        .collect();
    fx.write("big.jsonl", lines.join("\n"));
    // `trap '' XFSZ` so the limit makes writes fail instead of killing the process.
    let script = format!(
        "trap '' XFSZ; ulimit -f 64; exec '{}' index -q --index '{}' '{}'",
        assert_cmd::cargo::cargo_bin("warta").display(),
        fx.index_dir().display(),
        fx.corpus().display()
    );
    let out = Command::new("bash").arg("-c").arg(script).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("warta: error:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // The index still opens and serves what it held before.
    let (v, code) = fx.search_json(&["artikel"]);
    assert_eq!((code, v["total"].as_u64()), (0, Some(1)), "{v}");
    // And the next run, with room again, completes the work.
    fx.index();
    let (v, _) = fx.search_json(&["baris"]);
    assert_eq!(v["total"], 20_000);
}
