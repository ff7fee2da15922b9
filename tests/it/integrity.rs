//! Integrity: what the archive or a damaged index can do to warta's output and process.
//! Control characters from articles never reach the terminal raw.

use crate::common::Fixture;

/// A title that would retitle the window and clear the screen.
const HOSTILE: &str = "\u{1b}]0;PWNED\u{7}\u{1b}[2J";

/// The characters a terminal acts on: C0 controls other than newline, DEL, C1 controls, and
/// the bidirectional controls.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| (c.is_control() && c != '\n') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .collect()
}

fn run(fx: &Fixture, args: &[&str]) -> (String, String, Option<i32>) {
    let out = fx.warta(args).output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

/// Titles, bodies, sources, ids and file names with terminal escapes (from JSON escapes, raw
/// bytes in a text file and a file name) are printed as visible escapes by `search`, `show`,
/// `stats`, `facets` and the indexer's warnings; `--json` escapes them too.
#[test]
fn control_characters_from_the_archive_are_printed_as_escapes() {
    let fx = Fixture::new();
    let json = serde_json::json!({
        "title": format!("Banjir {HOSTILE} Jakarta"),
        "body": "Banjir melanda kota.\u{202e}kiri ke kanan\u{9b}31m merah",
        "source": format!("Kantor{HOSTILE}Berita"),
    });
    fx.write("hostile.json", json.to_string());
    fx.write(
        "raw.txt",
        format!("Title: Gempa {HOSTILE} Bumi\n\nGempa mengguncang kota.\tBaris\nkedua.\n"),
    );
    #[cfg(unix)]
    {
        // A file name with an escape, and a binary file whose name shows in warnings and stats.
        fx.write(
            &format!("nama{HOSTILE}.txt"),
            "Title: Nama berkas\n\nKebakaran di pasar.\n",
        );
        fx.write(&format!("biner{HOSTILE}.txt"), b"\x00\x01\x02\x03binary".as_slice());
    }
    let out = fx.warta(&["index"]).arg(fx.corpus()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(raw_controls(&stderr), [] as [char; 0], "index warnings: {stderr}");
    #[cfg(unix)]
    assert!(stderr.contains("biner\\x1b]0;PWNED\\x07\\x1b[2J.txt"), "{stderr}");

    let escaped = "\\x1b]0;PWNED\\x07\\x1b[2J";
    let (stdout, stderr, code) = run(&fx, &["search", "banjir", "--facets"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(raw_controls(&stdout), [] as [char; 0], "search: {stdout}");
    assert!(stdout.contains(&format!("Banjir {escaped} Jakarta")), "{stdout}");
    assert!(stdout.contains(&format!("Kantor{escaped}Berita")), "{stdout}");
    assert!(stdout.contains("\\u{202e}kiri"), "the snippet: {stdout}");

    for q in ["gempa", "kebakaran"] {
        let (stdout, stderr, code) = run(&fx, &["search", q, "--facets"]);
        assert_eq!(code, Some(0), "{q}: {stderr}");
        assert_eq!(raw_controls(&stdout), [] as [char; 0], "search {q}: {stdout}");
    }
    let (stdout, _, _) = run(&fx, &["search", "gempa"]);
    assert!(stdout.contains(&format!("Gempa {escaped} Bumi")), "{stdout}");

    // `show` keeps the body's lines and tabs, and escapes the rest.
    let (stdout, stderr, code) = run(&fx, &["show", "hostile.json"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(raw_controls(&stdout), [] as [char; 0], "show: {stdout}");
    assert!(stdout.contains(&format!("Banjir {escaped} Jakarta")), "{stdout}");
    assert!(stdout.contains("\\u{202e}kiri ke kanan\\u{9b}31m"), "{stdout}");
    let (stdout, _, _) = run(&fx, &["show", "raw.txt"]);
    assert!(stdout.contains("kota.\tBaris\nkedua."), "{stdout}");
    #[cfg(unix)]
    {
        let id = format!("nama{HOSTILE}.txt");
        let (stdout, stderr, code) = run(&fx, &["show", &id]);
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(raw_controls(&stdout), [] as [char; 0], "show: {stdout}");
        assert!(stdout.contains(&format!("nama{escaped}.txt")), "{stdout}");
        // An unknown id close to it: the error's similar ids are escaped too.
        let (_, stderr, code) = run(&fx, &["show", "nama"]);
        assert_eq!(code, Some(2));
        assert_eq!(raw_controls(&stderr), [] as [char; 0], "show error: {stderr}");
        assert!(stderr.contains(&format!("nama{escaped}.txt")), "{stderr}");
    }

    let (stdout, _, code) = run(&fx, &["stats"]);
    assert_eq!(code, Some(0));
    assert_eq!(raw_controls(&stdout), [] as [char; 0], "stats: {stdout}");
    #[cfg(unix)]
    assert!(stdout.contains(&format!("biner{escaped}.txt")), "{stdout}");
    let (stdout, _, _) = run(&fx, &["facets", "source"]);
    assert_eq!(raw_controls(&stdout), [] as [char; 0], "facets: {stdout}");
    assert!(stdout.contains(&format!("Kantor{escaped}Berita")), "{stdout}");

    // JSON: escaped, and the same strings once parsed.
    let (stdout, _, _) = run(&fx, &["show", "hostile.json", "--json"]);
    assert_eq!(raw_controls(&stdout), [] as [char; 0], "show --json: {stdout}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["title"], format!("Banjir {HOSTILE} Jakarta"));
    assert!(
        v["body"].as_str().unwrap().contains("\u{202e}kiri ke kanan\u{9b}31m"),
        "{v}"
    );
}

/// Articles in two stemmed languages, with sources, dates and entities: every kind of index
/// file is written.
fn small_index() -> Fixture {
    let fx = Fixture::new();
    fx.write(
        "a.txt",
        "Title: Presiden bertemu menteri\nSource: Kompas\nDate: 2023-09-14\nLanguage: id\n\n\
         Presiden Joko Widodo bertemu Menteri Keuangan Sri Mulyani di Jakarta. Pertemuan membahas anggaran.\n",
    );
    fx.write(
        "b.txt",
        "Title: Leaders meeting in Tokyo\nSource: AP\nDate: 2023-10-02\nLanguage: en\n\n\
         Japanese and Indonesian leaders were meeting in Tokyo to discuss trade with China.\n",
    );
    fx.write(
        "c.jsonl",
        "{\"title\": \"Banjir di Bandung\", \"body\": \"Banjir melanda Bandung dan Bogor.\", \"date\": \"2024-01-05\"}\n",
    );
    fx.index();
    fx
}

/// The index's files, but its locks.
fn index_files(fx: &Fixture) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(fx.index_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            p.is_file() && !name.ends_with(".lock")
        })
        .collect();
    files.sort();
    files
}

/// The damaged versions of a file's bytes a test writes in turn: a byte flipped in its header
/// (where a fast field file's layout is), in its middle and at its end (where tantivy's
/// footers are), and the file cut in half.
fn damaged_versions(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for at in [5, 20, bytes.len() / 2, bytes.len().saturating_sub(1)] {
        if let Some(&b) = bytes.get(at) {
            let mut v = bytes.to_vec();
            v[at] = !b;
            out.push((format!("byte {at} flipped"), v));
        }
    }
    out.push(("cut in half".to_string(), bytes[..bytes.len() / 2].to_vec()));
    out
}

/// A command's outcome on a damaged index: an answer, no match or a clear error, never a
/// panic or an abort.
fn assert_no_crash(fx: &Fixture, args: &[&str], what: &str) -> (Option<i32>, String) {
    let out = fx.warta(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code();
    assert!(
        matches!(code, Some(0..=2)),
        "{what}: {args:?} exited with {:?}: {stderr}",
        out.status
    );
    assert!(!stderr.contains("panicked"), "{what}: {args:?}: {stderr}");
    if code == Some(2) {
        assert!(stderr.starts_with("warta: error: "), "{what}: {args:?}: {stderr}");
    }
    (code, stderr)
}

/// Every file of a small index damaged in turn (bytes flipped, or cut short): searches,
/// `show`, `stats`, `facets` and `timeline` answer or fail with a clear error, never panic.
/// A segment file cut short, or the stem table damaged, is named as damage, with the command
/// that rebuilds the index.
#[test]
fn a_damaged_index_is_an_error_never_a_panic() {
    let fx = small_index();
    let commands: [&[&str]; 5] = [
        &["search", "bertemu", "--facets"],
        &["show", "a.txt"],
        &["stats"],
        &["timeline", "banjir"],
        &["facets", "person"],
    ];
    let files = index_files(&fx);
    assert!(
        files.iter().any(|f| f.extension().is_some_and(|e| e == "fast")),
        "{files:?}"
    );
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let original = std::fs::read(file).unwrap();
        for (damage, bytes) in damaged_versions(&original) {
            std::fs::write(file, &bytes).unwrap();
            let what = format!("{name}, {damage}");
            let mut errors = Vec::new();
            for args in commands {
                let (code, stderr) = assert_no_crash(&fx, args, &what);
                if code == Some(2) {
                    errors.push(stderr);
                }
            }
            let segment_file = name.len() > 32 && name.as_bytes()[..32].iter().all(u8::is_ascii_hexdigit);
            if name == "stems.fst" || (segment_file && damage == "cut in half") {
                assert!(!errors.is_empty(), "{what}: no command failed");
                for e in &errors {
                    assert!(
                        e.contains("damaged") && e.contains("warta index --rebuild"),
                        "{what}: {e}"
                    );
                }
            }
        }
        // A fast field file's header holds the sizes of its columns and dictionaries: each of
        // its bytes flipped in turn, for the facet counts that read them.
        if name.ends_with(".fast") {
            for at in 0..64.min(original.len()) {
                let mut bytes = original.clone();
                bytes[at] ^= 0xff;
                std::fs::write(file, &bytes).unwrap();
                assert_no_crash(&fx, &["search", "--facets"], &format!("{name}, byte {at} flipped"));
            }
        }
        std::fs::write(file, &original).unwrap();
    }
}

/// Total size of the files in a directory.
fn dir_bytes(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum()
}

/// JSON Lines articles, some hundred kilobytes of them.
fn many_articles(n: usize) -> String {
    (0..n)
        .map(|i| {
            serde_json::json!({
                "title": format!("Baris {i}"),
                "body": format!("Berita {i} tentang ekonomi, harga beras {} dan banjir di Jakarta {i}.", i * 7919 % 10007),
            })
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A disk that fills up during a run (simulated in debug builds: the index writer's directory
/// fails writes past a number of bytes, see `WARTA_TEST_DISK_BYTES`): the run fails with a
/// clear error and deletes what it wrote, so the next run on the same disk succeeds.
#[test]
fn a_full_disk_leaves_no_orphan_files_and_the_next_run_succeeds() {
    let fx = Fixture::new();
    fx.write("a.txt", "Title: Artikel pertama\n\nSebuah artikel tentang pasar.\n");
    fx.index();
    let before = dir_bytes(&fx.index_dir());
    fx.write("big.jsonl", many_articles(5_000));
    let disk = (before + 200_000).to_string();
    let out = fx
        .warta(&["index", "-q"])
        .arg(fx.corpus())
        .env("WARTA_TEST_DISK_BYTES", &disk)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot commit the index (is the disk full"), "{stderr}");
    let after = dir_bytes(&fx.index_dir());
    assert!(
        after < before + 20_000,
        "{} bytes left behind: {after} after, {before} before: {:?}\n{stderr}",
        after - before,
        index_files(&fx)
    );
    // The index serves its last commit, and the next run on the same disk, with room for its
    // work, completes it.
    let (v, code) = fx.search_json(&["pasar"]);
    assert_eq!((code, v["total"].as_u64()), (0, Some(1)), "{v}");
    fx.write("big.jsonl", many_articles(100));
    let out = fx
        .warta(&["index", "-q"])
        .arg(fx.corpus())
        .env("WARTA_TEST_DISK_BYTES", &disk)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (v, _) = fx.search_json(&["baris"]);
    assert_eq!(v["total"], 100, "{v}");
}

/// A file size limit (`ulimit -f`) makes the indexer's writes fail (EFBIG), handled as a full
/// disk: a clear error, not a process killed by SIGXFSZ.
#[cfg(unix)]
#[test]
fn a_file_size_limit_is_a_clear_error_not_a_signal() {
    let fx = Fixture::new();
    fx.write("a.txt", "Title: Artikel pertama\n\nSebuah artikel tentang pasar.\n");
    fx.index();
    fx.write("big.jsonl", many_articles(3_000));
    let script = format!(
        "ulimit -f 16; exec '{}' index -q --index '{}' '{}'",
        assert_cmd::cargo::cargo_bin("warta").display(),
        fx.index_dir().display(),
        fx.corpus().display()
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{:?}: {stderr}", out.status);
    assert!(stderr.contains("warta: error: cannot commit the index"), "{stderr}");
    fx.index();
    let (v, _) = fx.search_json(&["baris"]);
    assert_eq!(v["total"], 3_000);
}
