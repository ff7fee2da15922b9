//! Incremental indexing: reruns pick up new, changed and deleted files and nothing else.

use crate::common::{bump_mtime, Fixture};

#[test]
fn add_change_delete_and_unchanged_reruns() {
    let fx = Fixture::new();
    fx.write("a.txt", "Title: Alpha\n\nFirst article about Jakarta.\n");
    fx.write("b.txt", "Title: Beta\n\nSecond article about Surabaya.\n");
    fx.write(
        "many.jsonl",
        "{\"title\":\"L1\",\"body\":\"line one\"}\n{\"title\":\"L2\",\"body\":\"line two\"}\n",
    );
    let (out, _) = fx.index();
    assert!(
        out.contains("files: 3 added, 0 updated, 0 removed, 0 unchanged"),
        "{out}"
    );
    assert!(out.contains("4 in the index"), "{out}");

    // Nothing changed: everything unchanged, nothing read.
    let (out, _) = fx.index();
    assert!(
        out.contains("files: 0 added, 0 updated, 0 removed, 3 unchanged"),
        "{out}"
    );
    assert!(out.contains("articles: 0 indexed, 0 removed"), "{out}");
    assert!(out.contains("0 B read"), "{out}");

    // Add one, change one, delete one.
    fx.write("c.txt", "Title: Gamma\n\nA new article about Medan.\n");
    let b = fx.write("b.txt", "Title: Beta v2\n\nRewritten, now about Bandung instead.\n");
    bump_mtime(&b);
    fx.remove("many.jsonl");
    let (out, _) = fx.index();
    assert!(
        out.contains("files: 1 added, 1 updated, 1 removed, 1 unchanged"),
        "{out}"
    );
    assert!(out.contains("articles: 2 indexed, 3 removed"), "{out}");
    assert!(out.contains("3 in the index"), "{out}");
    assert!(
        fx.ids(&["surabaya"]).is_empty(),
        "old content of a changed file is gone"
    );
    assert_eq!(fx.ids(&["bandung"]), ["b.txt"]);
    assert_eq!(fx.ids(&["medan"]), ["c.txt"]);
    assert!(fx.ids(&["line"]).is_empty(), "articles of deleted files are gone");

    // A touched file with the same bytes stays unchanged (and is not duplicated).
    let a = fx.corpus().join("a.txt");
    bump_mtime(&a);
    let (out, _) = fx.index();
    assert!(out.contains("0 added, 0 updated, 0 removed, 3 unchanged"), "{out}");
    assert_eq!(fx.ids(&["jakarta"]), ["a.txt"]);

    // Its new time is recorded, so the next run knows it by size and time alone and does not
    // read it again. Shown by changing its bytes behind the index's back, keeping size and
    // time: a run that read the file would see the change.
    let touched_at = std::fs::metadata(&a).unwrap().modified().unwrap();
    fx.write("a.txt", "Title: Alpha\n\nFirst article about Jakartx.\n");
    std::fs::File::options()
        .write(true)
        .open(&a)
        .unwrap()
        .set_modified(touched_at)
        .unwrap();
    let (out, _) = fx.index();
    assert!(out.contains("0 added, 0 updated, 0 removed, 3 unchanged"), "{out}");
    assert_eq!(fx.ids(&["jakarta"]), ["a.txt"]);
    // A change with a new time is seen as ever.
    bump_mtime(&a);
    let (out, _) = fx.index();
    assert!(out.contains("0 added, 1 updated, 0 removed, 2 unchanged"), "{out}");
    assert_eq!(fx.ids(&["jakartx"]), ["a.txt"]);
    assert!(fx.ids(&["jakarta"]).is_empty());
}

#[test]
fn same_file_twice_is_one_article_and_rebuild_starts_over() {
    let fx = Fixture::new();
    fx.write("a.txt", "Title: Alpha\n\nAbout Jakarta.\n");
    fx.index();
    // Indexing the file itself, as another root, does not duplicate it.
    let out = fx.warta(&["index"]).arg(fx.corpus().join("a.txt")).output().unwrap();
    assert!(out.status.success());
    assert_eq!(fx.ids(&["jakarta"]).len(), 1);

    let out = fx.warta(&["index", "--rebuild"]).arg(fx.corpus()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("files: 1 added"), "{text}");
    assert!(text.contains("1 in the index"), "{text}");

    // The same root given twice is indexed once, not dropped as nested in itself.
    let out = fx
        .warta(&["index", "--rebuild"])
        .arg(fx.corpus())
        .arg(fx.corpus())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 in the index"), "{text}");
}

#[test]
fn deletions_only_touch_the_roots_being_indexed() {
    let fx = Fixture::new();
    fx.write("one/a.txt", "Title: A\n\nAbout Jakarta.\n");
    fx.write("two/b.txt", "Title: B\n\nAbout Jakarta too.\n");
    let out = fx
        .warta(&["index"])
        .arg(fx.corpus().join("one"))
        .arg(fx.corpus().join("two"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(fx.ids(&["jakarta"]).len(), 2);
    // Reindexing only `one` keeps `two`'s articles.
    let out = fx.warta(&["index"]).arg(fx.corpus().join("one")).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 removed"));
    assert_eq!(fx.ids(&["jakarta"]).len(), 2);
}

#[test]
fn a_file_that_turns_bad_loses_its_old_articles_and_says_so() {
    // The index always holds what a fresh build of the same files would: a file that now
    // holds no article (malformed, empty) has none in the index either.
    let fx = Fixture::new();
    let p = fx.write("a.json", "{\"title\": \"Alpha\", \"body\": \"About Jakarta.\"}");
    let q = fx.write("b.jsonl", "{\"title\": \"Beta\", \"body\": \"About Jakarta too.\"}\n");
    fx.index();
    std::fs::write(&p, "{\"title\": \"Alpha\", \"body\": \"About Jak").unwrap();
    std::fs::write(&q, "").unwrap();
    bump_mtime(&p);
    bump_mtime(&q);
    let (out, err) = fx.index();
    assert!(
        err.contains("malformed JSON") && err.contains("1 previously indexed articles were removed"),
        "{err}"
    );
    assert!(out.contains("2 skipped"), "{out}");
    assert!(out.contains("2 removed"), "{out}");
    assert!(fx.ids(&["jakarta"]).is_empty());
}

#[test]
fn refuses_to_touch_a_directory_that_is_not_an_index() {
    let fx = Fixture::new();
    fx.write("a.txt", "Title: A\n\nText.\n");
    let precious = fx.dir.path().join("precious");
    std::fs::create_dir_all(&precious).unwrap();
    std::fs::write(precious.join("thesis.docx"), "data").unwrap();
    let mut cmd = assert_cmd::Command::cargo_bin("warta").unwrap();
    let out = cmd
        .arg("index")
        .arg(fx.corpus())
        .arg("--index")
        .arg(&precious)
        .arg("--rebuild")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a warta index"));
    assert!(precious.join("thesis.docx").exists());
}

#[test]
fn missing_paths_are_errors() {
    let fx = Fixture::new();
    let out = fx.warta(&["index"]).arg(fx.dir.path().join("nope")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("none of the paths to index exist"));
}

#[test]
fn the_index_directory_inside_a_root_is_not_indexed() {
    let fx = Fixture::new();
    fx.write("a.txt", "Title: A\n\nText about Jakarta.\n");
    let mut cmd = assert_cmd::Command::cargo_bin("warta").unwrap();
    let out = cmd
        .current_dir(fx.corpus())
        .env_remove("WARTA_INDEX")
        .args(["index", "."])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut cmd = assert_cmd::Command::cargo_bin("warta").unwrap();
    let out = cmd
        .current_dir(fx.corpus())
        .env_remove("WARTA_INDEX")
        .args(["index", "."])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("0 added, 0 updated, 0 removed, 1 unchanged, 0 skipped, 0 not articles"),
        "{text}"
    );
}

#[test]
fn nested_roots_index_each_file_once() {
    let fx = Fixture::new();
    fx.write("a.txt", "Title: A\n\nJakarta.\n");
    fx.write("sub/b.txt", "Title: B\n\nJakarta juga.\n");
    for _ in 0..2 {
        let out = fx
            .warta(&["index"])
            .arg(fx.corpus())
            .arg(fx.corpus().join("sub"))
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    let mut ids = fx.ids(&["jakarta"]);
    ids.sort();
    assert_eq!(ids, ["a.txt", "sub/b.txt"]);
}

/// Words match by stem through the index's stem table, which every run brings up to date:
/// a form first indexed in a later run is found from the other forms, and a run that
/// changes nothing leaves the table alone.
#[test]
fn stems_of_words_added_by_later_runs_are_matched() {
    let fx = Fixture::new();
    fx.write(
        "a.txt",
        "Title: Satu\nLanguage: id\n\nPresiden bertemu para menteri di istana.\n",
    );
    fx.index();
    assert_eq!(fx.ids(&["pertemuan"]), ["a.txt"]);
    fx.write(
        "b.txt",
        "Title: Dua\nLanguage: id\n\nPertemuan itu ditunda sampai pekan depan.\n",
    );
    fx.index();
    let mut ids = fx.ids(&["bertemu"]);
    ids.sort();
    assert_eq!(ids, ["a.txt", "b.txt"]);
    let table = fx.index_dir().join("stems.fst");
    let before = std::fs::metadata(&table).unwrap().modified().unwrap();
    let (out, _) = fx.index();
    assert!(out.contains("2 unchanged"), "{out}");
    assert_eq!(std::fs::metadata(&table).unwrap().modified().unwrap(), before);
    // A deleted file's words may stay in the table; they match nothing.
    fx.remove("b.txt");
    fx.index();
    assert_eq!(fx.ids(&["pertemuan"]), ["a.txt"]);
}

/// A run commits once, at the end, unless it adds `--commit-every` articles or outlasts the
/// commit interval; the summary and `warta stats` count the commits.
#[test]
fn commits_come_by_count_or_by_time_and_are_counted() {
    const N: usize = 3_000;
    let fx = Fixture::new();
    // One big file: the run lasts long enough for the coordinator, which looks at the count
    // and the clock every 50 ms and whenever a file is done, to commit in the middle of it.
    let lines: Vec<String> = (0..N)
        .map(|i| serde_json::json!({"title": format!("Berita {i}"), "body": format!("Isi berita nomor {i} tentang banjir di Jakarta, kata Presiden Joko Widodo.")}).to_string())
        .collect();
    fx.write("berita.jsonl", lines.join("\n"));
    let commits = |args: &[&str]| -> u64 {
        let out = fx
            .warta(&[&["index", "--rebuild"], args].concat())
            .arg(fx.corpus())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{stdout}");
        let stats = fx.warta(&["stats", "--json"]).output().unwrap();
        let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
        let n = stats["last_run"]["commits"].as_u64().unwrap();
        let word = if n == 1 { "commit" } else { "commits" };
        assert!(stdout.contains(&format!(", {n} {word}\n")), "{stdout}");
        n
    };
    // Shorter than the default interval (60 s): one commit.
    assert_eq!(commits(&[]), 1);
    let by_count = commits(&["--commit-every", "500", "--threads", "1"]);
    assert!(by_count >= 3, "{by_count}");
    let (v, _) = fx.search_json(&["banjir", "-n", "0"]);
    assert_eq!(v["total"], N);

    // By time, through the library. The clock must really be read: a 100 ms interval over a
    // run of several hundred milliseconds (the debug build extracts a few thousand articles a
    // second at most) commits along the way, not only at the end.
    let run = |rebuild: bool, interval_ms: u64| {
        let opts = warta::index::IndexOptions {
            rebuild,
            threads: 1,
            commit_interval: std::time::Duration::from_millis(interval_ms),
            ..warta::index::IndexOptions::default()
        };
        let started = std::time::Instant::now();
        let summary =
            warta::index::index_paths(&fx.index_dir(), &[fx.corpus()], &opts, &crate::common::NoWarnings).unwrap();
        (summary, started.elapsed())
    };
    let (summary, took) = run(true, 100);
    assert_eq!(summary.articles_added, N as u64);
    if took >= std::time::Duration::from_millis(250) {
        assert!(summary.commits >= 2, "{} commits in {took:?}", summary.commits);
    }
    // Nothing added, nothing to commit along the way, however short the interval: only the
    // final commit. (The file is touched, so the run reads and hashes it: the coordinator
    // hears from the run and looks at the clock.)
    bump_mtime(&fx.corpus().join("berita.jsonl"));
    let (summary, _) = run(false, 0);
    assert_eq!(summary.articles_added, 0);
    assert_eq!(summary.commits, 1);
}

/// `warta show` finds an article by id in whichever segment holds it, shows the current
/// version of a changed file only, and reports a deleted one as missing (the id is a fast
/// field, looked up through the column, not a term: format 7).
#[test]
fn show_follows_changes_across_segments() {
    let fx = Fixture::new();
    // One indexing thread: each run's segment keeps a live article beside the one changed or
    // deleted later, so that the old versions stay in it, marked deleted.
    let index = || {
        let out = fx
            .warta(&["index", "--threads", "1"])
            .arg(fx.corpus())
            .output()
            .unwrap();
        assert!(out.status.success());
    };
    fx.write("a.txt", "Title: Alpha\n\nFirst article about Jakarta.\n");
    fx.write("c.txt", "Title: Gamma\n\nThird article about Medan.\n");
    index();
    fx.write("b.txt", "Title: Beta\n\nSecond article about Surabaya.\n");
    fx.write("d.txt", "Title: Delta\n\nFourth article about Bogor.\n");
    index();
    let show = |id: &str| {
        let out = fx.warta(&["show", "--json", id]).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        (out.status.code(), v)
    };
    for (id, title) in [("a.txt", "Alpha"), ("b.txt", "Beta")] {
        let (code, v) = show(id);
        assert_eq!(code, Some(0), "{id}");
        assert!(v.is_object(), "one article: {v}");
        assert_eq!(v["title"], title);
    }
    let a = fx.write("a.txt", "Title: Alpha v2\n\nRewritten, now about Bandung instead.\n");
    bump_mtime(&a);
    fx.remove("b.txt");
    index();
    let (code, v) = show("a.txt");
    assert_eq!(code, Some(0));
    assert!(v.is_object(), "only the current version: {v}");
    assert_eq!(v["title"], "Alpha v2");
    let (code, _) = show("b.txt");
    assert_eq!(code, Some(2), "a deleted article is not shown");
}

/// A directory the walk cannot read keeps its articles (as an unreadable file does), with a
/// warning naming it; they go only once it is readable again and the files are gone.
#[cfg(unix)]
#[test]
fn an_unreadable_directory_keeps_its_articles() {
    use std::os::unix::fs::PermissionsExt;
    let fx = Fixture::new();
    fx.write("kept/a.txt", "Title: Alpha\n\nAn article about Jakarta.\n");
    fx.write("b.txt", "Title: Beta\n\nAnother article about Jakarta.\n");
    fx.index();
    let dir = fx.corpus().join("kept");
    // SAFETY: a plain system call without arguments.
    if unsafe { libc::geteuid() } == 0 {
        eprintln!("note: running as root, chmod 000 does not deny reading: that case is not tested");
    } else {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o000)).unwrap();
        let (out, err) = fx.index();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(out.contains("0 removed"), "{out}");
        assert!(err.contains("kept") && err.contains("are kept"), "{err}");
        assert_eq!(fx.ids(&["jakarta"]).len(), 2);
    }

    // The same walk error as any user can make it: the directory is now a link to a disk
    // that is not there (an unmounted drive).
    let away = fx.dir.path().join("away");
    std::fs::rename(&dir, &away).unwrap();
    std::os::unix::fs::symlink(away.join("not-mounted"), &dir).unwrap();
    let (out, err) = fx.index();
    assert!(out.contains("0 removed"), "{out}");
    assert!(err.contains("kept") && err.contains("are kept"), "{err}");
    assert_eq!(fx.ids(&["jakarta"]).len(), 2);

    // Gone for good: the link removed, the articles go.
    std::fs::remove_file(&dir).unwrap();
    let (out, _) = fx.index();
    assert!(out.contains("1 removed"), "{out}");
    assert_eq!(fx.ids(&["jakarta"]), ["b.txt"]);
}

/// A big file rejected as binary is remembered by size and time: reruns report it skipped
/// without reading it (its bytes are not even looked at), and read it again once it changes.
#[test]
fn rejected_files_are_not_read_again_until_they_change() {
    let fx = Fixture::new();
    fx.write("good.txt", "Title: Good\n\nAbout Jakarta.\n");
    // Sparse: 8 MiB of NUL bytes, bigger than files read whole.
    let big = fx.write("backup.json", "");
    std::fs::File::options()
        .write(true)
        .open(&big)
        .unwrap()
        .set_len(8 << 20)
        .unwrap();
    let (out, err) = fx.index();
    assert!(out.contains("1 binary"), "{out}");
    assert!(err.contains("backup.json"), "{err}");
    let stamp = std::fs::metadata(&big).unwrap().modified().unwrap();

    // Same size and time, new bytes: not read, so still skipped as binary.
    let mut text = b"{\"title\": \"Backup\", \"body\": \"About Jakarta, zzbackup.\"}".to_vec();
    text.resize(8 << 20, b' ');
    std::fs::write(&big, &text).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&big)
        .unwrap()
        .set_modified(stamp)
        .unwrap();
    let (out, err) = fx.index();
    assert!(
        out.contains("1 unchanged, 1 skipped") && out.contains("1 binary"),
        "{out}"
    );
    assert!(err.contains("backup.json") && err.contains("not read again"), "{err}");
    assert!(fx.ids(&["zzbackup"]).is_empty());
    let stats = fx.warta(&["stats"]).output().unwrap();
    assert!(String::from_utf8_lossy(&stats.stdout).contains("backup.json"));

    // Changed (its time): read again, and indexed.
    bump_mtime(&big);
    let (out, _) = fx.index();
    assert!(out.contains("1 added"), "{out}");
    assert_eq!(fx.ids(&["zzbackup"]), ["backup.json"]);
}
