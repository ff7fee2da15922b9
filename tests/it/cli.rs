//! The command line's own upkeep: shell completions, the man page, the licence; and its
//! small messages: limits, a missing index, quiet warnings, extract's dates, similar ids.

use crate::common::repo;

fn warta(args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("warta")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
}

/// Every shell gets a script that knows the commands and their flags.
#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = warta(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        for word in ["search", "timeline", "country", "color"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    assert_eq!(warta(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn man_page_lists_the_commands() {
    let out = warta(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH warta 1"), "{page}");
    for command in ["index", "search", "serve", "export"] {
        assert!(page.contains(command), "the man page lacks {command}");
    }
}

/// The LICENSE file is the licence the manifests declare.
#[test]
fn license_file_matches_the_manifest() {
    let manifest = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    assert!(manifest.contains("license = \"MIT\""));
    let license = std::fs::read_to_string(repo().join("LICENSE")).unwrap();
    assert!(license.starts_with("MIT License"));
}

/// `--limit -1` is refused in words (not with clap's hint to write `-- -1`, which would make
/// it a query word), as is a limit out of range or not a number.
#[test]
fn a_limit_out_of_range_says_what_a_limit_is() {
    for limit in ["-1", "10001", "ten"] {
        let out = warta(&["search", "putin", "--limit", limit, "--index", "nowhere"]);
        assert_eq!(out.status.code(), Some(2), "{limit}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("limit must be a number from 0 to 10000"),
            "{limit}: {stderr}"
        );
        assert!(!stderr.contains("-- -1"), "{stderr}");
    }
    let out = warta(&["search", "putin", "-n", "-5", "--offset", "-1", "--index", "nowhere"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("must be a number"));
    // The other count flags say the same.
    for args in [
        &["facets", "person", "--top", "-1"][..],
        &["related", "--person", "x", "--top", "-1"],
    ] {
        let out = warta(&[args, &["--index", "nowhere"]].concat());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("top must be a number from 1 to"), "{args:?}: {stderr}");
        assert!(!stderr.contains("-- -1"), "{stderr}");
    }
}

/// A missing index says where the index directory comes from.
#[test]
fn a_missing_index_says_how_to_name_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("warta")
        .unwrap()
        .args(["stats", "--index"])
        .arg(dir.path().join("nope"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no warta index at") && stderr.contains("--index") && stderr.contains("$WARTA_INDEX"),
        "{stderr}"
    );
}

/// `index -q` prints no warnings, so its summary does not point "above" at them.
#[test]
fn quiet_indexing_says_where_its_warnings_are() {
    let fx = crate::common::Fixture::new();
    // Markup nested past the parser's budget is flattened, with a warning.
    fx.write(
        "divs.html",
        format!(
            "<html><head><title>Divs</title></head><body>{}<p>deep text</p>{}</body></html>",
            "<div>".repeat(5000),
            "</div>".repeat(5000)
        ),
    );
    let out = fx.warta(&["index", "-q"]).arg(fx.corpus()).output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.contains("warnings: 1 (run without -q to see them, or warta stats)"),
        "{stdout}"
    );
    let out = fx.warta(&["index", "--rebuild"]).arg(fx.corpus()).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: "));
    assert!(String::from_utf8_lossy(&out.stdout).contains("warnings: 1 (see above)"));
}

/// `warta extract` shows the date it parsed, or that it found none.
#[test]
fn extract_shows_the_parsed_date() {
    let fx = crate::common::Fixture::new();
    let dated = fx.write(
        "dated.txt",
        "Title: Banjir\nDate: 13 September 2023\n\nBanjir melanda Jakarta.\n",
    );
    let undated = fx.write("undated.txt", "Title: Tanpa tanggal\n\nBanjir melanda Jakarta.\n");
    let run = |json: bool| {
        let mut cmd = assert_cmd::Command::cargo_bin("warta").unwrap();
        cmd.arg("extract");
        if json {
            cmd.arg("--json");
        }
        let out = cmd.arg(&dated).arg(&undated).output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let v: serde_json::Value = serde_json::from_str(&run(true)).unwrap();
    assert_eq!(v[0]["date"], "2023-09-13T00:00:00Z");
    assert_eq!(v[1]["date"], serde_json::Value::Null);
    let text = run(false);
    assert!(text.contains("  date       2023-09-13T00:00:00Z"), "{text}");
    assert!(text.contains("  date       - (none found)"), "{text}");
}

/// An unknown id suggests the ids like it: containing its file name, or a letter or two off,
/// or with another extension; nothing when no id is alike.
#[test]
fn show_suggests_ids_a_few_letters_off() {
    let fx = crate::common::Fixture::new();
    fx.write("en/kirby.txt", "Title: Kirby speaks\n\nJohn Kirby spoke on Tuesday.\n");
    fx.write(
        "wire-2024.jsonl",
        "{\"title\": \"One\", \"body\": \"First wire.\"}\n{\"title\": \"Two\", \"body\": \"Second wire.\"}\n",
    );
    fx.index();
    for (typed, similar) in [
        ("kirby.txt", "en/kirby.txt"),
        ("en/kirbi.txt", "en/kirby.txt"),
        ("kirby.md", "en/kirby.txt"),
        ("wire-2042.jsonl#2", "wire-2024.jsonl#1, wire-2024.jsonl#2"),
    ] {
        let out = fx.warta(&["show", typed]).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("; similar ids: {similar}\n")),
            "{typed}: {stderr}"
        );
    }
    let out = fx.warta(&["show", "UNKNOWN"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no article with id \"UNKNOWN\"\n"), "{stderr}");
}
