//! Integrity: what the archive or a damaged index can do to warta's output and process.
//! Control characters from articles never reach the terminal raw.

mod common;

use common::Fixture;

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
