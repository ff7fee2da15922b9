//! The index remembers its roots: `warta index` without paths re-syncs them, `warta stats`
//! lists them, and a path given twice is indexed once.

use crate::common::Fixture;

fn article(title: &str) -> String {
    format!("Title: {title}\nDate: 2024-01-02\n\nBerita tentang {title}.\n")
}

/// A second root beside the fixture's corpus.
fn second_root(fx: &Fixture) -> std::path::PathBuf {
    let other = fx.dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    other
}

#[test]
fn index_without_paths_resyncs_every_recorded_root() {
    let fx = Fixture::new();
    fx.write("a.txt", article("banjir"));
    fx.write("b.txt", article("gempa"));
    let other = second_root(&fx);
    std::fs::write(other.join("c.txt"), article("kebakaran")).unwrap();
    let out = fx.warta(&["index"]).arg(fx.corpus()).arg(&other).output().unwrap();
    assert!(out.status.success());

    // stats lists both roots, as given (absolute), in plain text and JSON.
    let out = fx.warta(&["stats", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let canon = |p: &std::path::Path| p.canonicalize().unwrap().display().to_string();
    assert_eq!(v["roots"], serde_json::json!([canon(&fx.corpus()), canon(&other)]));
    let out = fx.warta(&["stats"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("roots:\n  {}\n  {}\n", canon(&fx.corpus()), canon(&other))),
        "{text}"
    );

    // An added, a changed and a deleted file, under both roots.
    fx.write("d.txt", article("longsor"));
    let b = fx.write("b.txt", article("tsunami"));
    crate::common::bump_mtime(&b);
    std::fs::remove_file(other.join("c.txt")).unwrap();
    let out = fx.warta(&["index"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.contains("files: 1 added, 1 updated, 1 removed, 1 unchanged"),
        "{stdout}"
    );
    assert_eq!(fx.ids(&["longsor"]).len(), 1);
    assert_eq!(fx.ids(&["tsunami"]).len(), 1);
    assert_eq!(
        fx.search_json(&["kebakaran"]).1,
        1,
        "the deleted file's article is gone"
    );

    // A run with one of the roots keeps the other recorded.
    let out = fx.warta(&["index"]).arg(&other).output().unwrap();
    assert!(out.status.success());
    let out = fx.warta(&["stats", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["roots"].as_array().unwrap().len(), 2, "{v}");
}

#[test]
fn index_without_paths_and_no_recorded_roots_says_to_give_paths() {
    let fx = Fixture::new();
    let out = fx.warta(&["index"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("records no indexed paths") && stderr.contains("give the paths"),
        "{stderr}"
    );
}

/// A path given twice is indexed once: it used to be dropped as "inside itself", and nothing
/// was indexed.
#[test]
fn a_path_given_twice_is_indexed_once() {
    let fx = Fixture::new();
    fx.write("a.txt", article("banjir"));
    let out = fx.warta(&["index"]).arg(fx.corpus()).arg(fx.corpus()).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("files: 1 added"));
    assert_eq!(fx.ids(&["banjir"]), ["a.txt"]);
}

/// A `warta index --watch` child process, killed when dropped.
struct Watcher(std::process::Child);

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Polls `check` until it holds, failing after a generous timeout instead of hanging.
fn within(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !check() {
        assert!(std::time::Instant::now() < deadline, "not seen within 60 s: {what}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// `--watch` picks up an added, a changed and a deleted file, and follows a root that
/// disappears and comes back.
#[test]
fn watch_follows_added_changed_and_deleted_files() {
    let fx = Fixture::new();
    fx.write("a.txt", article("banjir"));
    let b = fx.write("b.txt", article("gempa"));
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("warta"))
        .env_remove("WARTA_INDEX")
        .args(["index", "--watch", "-q", "--commit-interval", "1", "--index"])
        .arg(fx.index_dir())
        .arg(fx.corpus())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let _watcher = Watcher(child);
    let found = |word: &str| {
        let out = fx.warta(&["search", "--json", word]).output().unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .ok()
            .and_then(|v| v["total"].as_u64())
    };
    within("the first run", || found("banjir") == Some(1));
    fx.write("c.txt", article("longsor"));
    std::fs::write(&b, article("tsunami")).unwrap();
    crate::common::bump_mtime(&b);
    fx.remove("a.txt");
    within("an added file", || found("longsor") == Some(1));
    within("a changed file", || {
        found("tsunami") == Some(1) && found("gempa") == Some(0)
    });
    within("a deleted file", || found("banjir") == Some(0));

    // The root goes away and comes back with a new file.
    let away = fx.dir.path().join("away");
    std::fs::rename(fx.corpus(), &away).unwrap();
    std::thread::sleep(std::time::Duration::from_secs(2));
    std::fs::rename(&away, fx.corpus()).unwrap();
    fx.write("d.txt", article("kemarau"));
    within("a file in a root that came back", || found("kemarau") == Some(1));
}
