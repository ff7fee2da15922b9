//! Hostile input: legacy encodings, binary junk, wrong JSON types, deep nesting, symlink loops,
//! odd file names. Every file is indexed or skipped with a reason; nothing panics.

use crate::common::Fixture;

fn utf16le(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        out.extend(u.to_le_bytes());
    }
    out
}

#[test]
fn legacy_encodings_are_decoded_not_rejected() {
    let fx = Fixture::new();
    // Windows-1252 text with a header.
    fx.write(
        "latin.txt",
        b"Title: R\xe9forme des retraites\nSource: Le Monde\nDate: 2023-03-16\n\nLe pr\xe9sident a d\xe9fendu la r\xe9forme \xe0 l'Assembl\xe9e nationale.\n".as_slice(),
    );
    // UTF-16LE with a byte order mark.
    fx.write(
        "utf16.html",
        utf16le("<html><head><title>Banjir di Jakarta</title></head><body><article><p>Banjir melanda Jakarta Selatan pada Senin.</p></article></body></html>"),
    );
    // An ISO-8859-1 page that says so.
    fx.write(
        "declared.html",
        b"<html><head><meta charset=\"iso-8859-1\"><title>S\xe3o Paulo</title></head><body><article><p>Chuva forte em S\xe3o Paulo.</p></article></body></html>".as_slice(),
    );
    // JSON Lines with one line in Latin-1.
    fx.write(
        "mixed.jsonl",
        b"{\"title\": \"Caf\xe9 culture\", \"body\": \"Caf\xe9s in M\xfcnchen.\"}\n{\"title\": \"Plain\", \"body\": \"UTF-8 line.\"}\n".as_slice(),
    );
    let (out, _) = fx.index();
    assert!(out.contains("5 indexed"), "{out}");
    for (q, id) in [
        ("réforme", "latin.txt"),
        ("banjir", "utf16.html"),
        ("\"são paulo\"", "declared.html"),
        ("münchen", "mixed.jsonl#1"),
    ] {
        let (v, code) = fx.search_json(&[q]);
        assert_eq!(code, 0, "{q}: {v}");
        assert_eq!(v["hits"][0]["id"], id, "{q}: {v}");
    }
    let (v, _) = fx.search_json(&["réforme"]);
    assert_eq!(v["hits"][0]["title"], "Réforme des retraites");
}

#[test]
fn hostile_files_are_skipped_or_read_with_reasons_and_strict_fails() {
    let fx = Fixture::new();
    fx.write("good.txt", "Title: Good\n\nA good article about Jakarta.\n");
    fx.write("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00".as_slice());
    fx.write("controls.md", vec![1u8, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 18, b'a']);
    fx.write("empty.json", "");
    fx.write(
        "types.json",
        r#"{"title": 12345, "body": ["first paragraph", "second paragraph"], "date": {"x": 1}, "source": null}"#,
    );
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    fx.write("deep.json", deep);
    let deep_html = format!(
        "<html><head><title>Deep</title></head><body>{}<p>Deeply nested text.</p>{}</body></html>",
        "<div>".repeat(20_000),
        "</div>".repeat(20_000)
    );
    fx.write("deep.html", deep_html);
    fx.write(
        "truncated.jsonl.gz",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x48".as_slice(),
    );
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(fx.corpus(), fx.corpus().join("loop")).unwrap();
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
        std::fs::write(fx.corpus().join(name), "Title: Odd name\n\nFile name in Latin-1.\n").unwrap();
    }

    let out = fx.warta(&["index"]).arg(fx.corpus()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for file in [
        "image.txt",
        "controls.md",
        "empty.json",
        "deep.json",
        "truncated.jsonl.gz",
    ] {
        assert!(stderr.contains(file), "no warning names {file}:\n{stderr}");
    }
    assert!(stderr.contains("binary"), "{stderr}");
    // good.txt, types.json (number title and array body coerced), deep.html, the odd name.
    let (v, _) = fx.search_json(&["--limit", "50"]);
    let ids = crate::common::hit_ids(&v);
    for id in ["good.txt", "types.json", "deep.html"] {
        assert!(ids.iter().any(|i| i == id), "{id} missing from {ids:?}");
    }
    #[cfg(unix)]
    assert!(ids.iter().any(|i| i.starts_with("caf")), "{ids:?}");

    // stats lists the skipped files with reasons; --strict turns skips into exit code 2.
    let out = fx.warta(&["stats", "--json"]).output().unwrap();
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let skipped = stats["last_run"]["skipped"]
        .as_array()
        .unwrap_or_else(|| panic!("{stats}"));
    assert!(
        skipped
            .iter()
            .any(|s| s["path"].as_str().unwrap().ends_with("image.txt")),
        "{stats}"
    );
    let out = fx.warta(&["index", "--strict"]).arg(fx.corpus()).output().unwrap();
    // Unchanged files are not re-read, so a strict rerun reports the skips it sees now.
    let code = out.status.code();
    let out2 = fx
        .warta(&["index", "--strict", "--rebuild"])
        .arg(fx.corpus())
        .output()
        .unwrap();
    assert_eq!(out2.status.code(), Some(2), "{}", String::from_utf8_lossy(&out2.stderr));
    assert!(String::from_utf8_lossy(&out2.stderr).contains("--strict"));
    assert!(code == Some(0) || code == Some(2));
}

#[test]
fn huge_articles_are_cut_with_a_warning() {
    let fx = Fixture::new();
    let body = "kata ".repeat(2_300_000); // 11.5 MB
    fx.write("huge.txt", format!("Title: Huge\n\n{body}\nujung"));
    let (_, stderr) = fx.index();
    assert!(stderr.contains("huge.txt") && stderr.contains("cut"), "{stderr}");
    let (v, _) = fx.search_json(&["huge"]);
    assert_eq!(v["total"], 1);
    let (v, code) = fx.search_json(&["ujung"]);
    assert_eq!(code, 1, "text beyond the limit is not indexed: {v}");
    // stats remembers the degraded article.
    let out = fx.warta(&["stats"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("huge.txt") && text.contains("cut"), "{text}");
}

/// A deterministic pseudo-random sequence (xorshift).
struct Rng(u64);
impl Rng {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below.max(1) as u64) as usize
    }
}

/// Thousands of random mutations of real articles (the sample corpus in every format):
/// truncations, flipped and inserted bytes, NULs, broken gzip. Each file is indexed or
/// skipped with a reason, the summary adds up, and nothing panics.
#[test]
fn mutated_articles_never_crash_the_indexer() {
    let fx = Fixture::new();
    let root = crate::common::repo().join("sample_corpus");
    let originals: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(&root)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    assert!(originals.len() >= 30);
    let mut rng = Rng(0xdead_beef_2026);
    let total = 1500;
    for i in 0..total {
        let (name, bytes) = &originals[rng.next(originals.len())];
        let mut b = bytes.clone();
        match rng.next(6) {
            0 => b.truncate(rng.next(b.len())),
            1 => {
                for _ in 0..1 + rng.next(20) {
                    let at = rng.next(b.len());
                    if let Some(x) = b.get_mut(at) {
                        *x ^= 1 << rng.next(8);
                    }
                }
            }
            2 => {
                let at = rng.next(b.len());
                let junk: Vec<u8> = (0..rng.next(64)).map(|_| rng.next(256) as u8).collect();
                b.splice(at..at, junk);
            }
            3 => {
                let at = rng.next(b.len());
                b.insert(at, 0);
            }
            4 => {
                let at = rng.next(b.len());
                let len = rng.next(200).min(b.len() - at);
                b.drain(at..at + len);
            }
            _ => {}
        }
        fx.write(&format!("m/{i:04}-{name}"), b);
    }
    let out = fx.warta(&["index", "-q"]).arg(fx.corpus()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // files: A added, 0 updated, 0 removed, 0 unchanged, S skipped, N not articles
    let nums: Vec<usize> = stdout
        .lines()
        .next()
        .unwrap()
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let (added, skipped, not_articles) = (nums[0], nums[4], nums[5]);
    assert_eq!(added + skipped + not_articles, total, "{stdout}");
    assert!(added > total / 2, "most mutations still hold an article: {stdout}");
    let stats = fx.warta(&["stats", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert!(v["last_run"]["skipped"].as_array().unwrap().len() >= skipped, "{v}");
}

/// Makes a FIFO at `path`.
#[cfg(unix)]
fn mkfifo(path: &std::path::Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a plain system call on a NUL-terminated path.
    assert_eq!(
        unsafe { libc::mkfifo(c.as_ptr(), 0o644) },
        0,
        "mkfifo {}",
        path.display()
    );
}

/// A FIFO named like an article, in the tree and named as a root: the run neither hangs
/// (it is killed after a generous timeout, failing the test) nor ignores it silently.
#[cfg(unix)]
#[test]
fn fifos_are_skipped_and_counted_without_hanging() {
    let fx = Fixture::new();
    fx.write("good.txt", "Title: Good\n\nA good article about Jakarta.\n");
    mkfifo(&fx.corpus().join("pipe.txt"));
    let lone = fx.dir.path().join("lone.jsonl");
    mkfifo(&lone);
    let out = fx
        .warta(&["index"])
        .arg(fx.corpus())
        .arg(&lone)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the run hung or failed: {stdout}\n{stderr}");
    assert!(stdout.contains("1 added") && stdout.contains("2 skipped"), "{stdout}");
    assert!(stdout.contains("2 not a regular file"), "{stdout}");
    for name in ["pipe.txt", "lone.jsonl"] {
        assert!(stderr.contains(name) && stderr.contains("FIFO"), "{name}: {stderr}");
    }
    let stats = fx.warta(&["stats"]).output().unwrap();
    assert!(String::from_utf8_lossy(&stats.stdout).contains("pipe.txt"));
}

/// Links are followed only within the indexed roots: a link to a file or directory elsewhere
/// is skipped and counted, unless `--follow-external-links`.
#[cfg(unix)]
#[test]
fn links_out_of_the_roots_are_not_followed_by_default() {
    use std::os::unix::fs::symlink;
    let fx = Fixture::new();
    let outside = fx.dir.path().join("outside");
    std::fs::create_dir_all(outside.join("dir")).unwrap();
    std::fs::write(
        outside.join("secret.txt"),
        "Title: Secret\n\nA zzsecret outside the root.\n",
    )
    .unwrap();
    std::fs::write(outside.join("dir/more.txt"), "Title: More\n\nMore zzsecret text.\n").unwrap();
    fx.write("real/inside.txt", "Title: Inside\n\nAn article about Jakarta.\n");
    symlink(outside.join("secret.txt"), fx.corpus().join("passwd.txt")).unwrap();
    symlink(outside.join("dir"), fx.corpus().join("ext")).unwrap();
    symlink(fx.corpus().join("real/inside.txt"), fx.corpus().join("alias.txt")).unwrap();

    let (out, err) = fx.index();
    assert!(out.contains("2 link out of the roots"), "{out}");
    assert!(
        err.contains("passwd.txt") && err.contains("ext") && err.contains("--follow-external-links"),
        "{err}"
    );
    assert!(fx.ids(&["zzsecret"]).is_empty());
    let mut ids = fx.ids(&["jakarta"]);
    ids.sort();
    assert_eq!(ids, ["alias.txt", "real/inside.txt"]);

    let out = fx
        .warta(&["index", "--follow-external-links"])
        .arg(fx.corpus())
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut ids = fx.ids(&["zzsecret"]);
    ids.sort();
    assert_eq!(ids, ["ext/more.txt", "passwd.txt"]);
}

/// File names that differ only in bytes that are not UTF-8 get distinct ids, and reruns
/// settle: both stay, unchanged.
#[cfg(unix)]
#[test]
fn non_utf8_names_keep_distinct_ids() {
    use std::os::unix::ffi::OsStrExt;
    let fx = Fixture::new();
    for (name, word) in [(&b"x\xff.txt"[..], "zzfirst"), (&b"x\xfe.txt"[..], "zzsecond")] {
        let path = fx.corpus().join(std::ffi::OsStr::from_bytes(name));
        std::fs::write(path, format!("Title: {word}\n\nAbout Jakarta, {word}.\n")).unwrap();
    }
    fx.write("x%FF.txt", "Title: Literal\n\nAbout Jakarta, zzliteral.\n");
    let (out, _) = fx.index();
    assert!(out.contains("3 added"), "{out}");
    assert_eq!(fx.ids(&["zzfirst"]), ["x%FF.txt"]);
    assert_eq!(fx.ids(&["zzsecond"]), ["x%FE.txt"]);
    assert_eq!(fx.ids(&["zzliteral"]), ["x%25FF.txt"]);
    let (out, _) = fx.index();
    assert!(out.contains("0 added, 0 updated, 0 removed, 3 unchanged"), "{out}");
    assert_eq!(fx.ids(&["jakarta"]).len(), 3);
}

/// Two roots holding the same relative path give two articles with two ids, each named by
/// its root; one root alone keeps plain ids.
#[test]
fn roots_sharing_relative_paths_get_prefixed_ids() {
    let fx = Fixture::new();
    fx.write("rootA/kompas/001.txt", "Title: A\n\nAbout Jakarta, zzalpha.\n");
    fx.write("rootB/kompas/001.txt", "Title: B\n\nAbout Jakarta, zzbeta.\n");
    let run = |roots: &[&str]| {
        let out = fx
            .warta(&["index"])
            .args(roots.iter().map(|r| fx.corpus().join(r)))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&["rootA", "rootB"]);
    assert_eq!(fx.ids(&["zzalpha"]), ["rootA/kompas/001.txt"]);
    assert_eq!(fx.ids(&["zzbeta"]), ["rootB/kompas/001.txt"]);
    let out = fx.warta(&["show", "rootB/kompas/001.txt"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("zzbeta"));
    let out = run(&["rootA", "rootB"]);
    assert!(out.contains("2 unchanged"), "{out}");

    let out = fx
        .warta(&["index", "--rebuild"])
        .arg(fx.corpus().join("rootA"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(fx.ids(&["zzalpha"]), ["kompas/001.txt"]);
}
