//! The README's examples, run: every `$ warta ...` line of its `console` blocks runs against
//! the sample corpus, and every line of output the README shows must appear in what the
//! command prints, so README and behaviour cannot drift apart. Lines that change from run to
//! run (timings, sizes, scores, paths of this machine) and lines the README elides (`…`, `...`)
//! are not compared; whitespace is ignored (the README writes JSON arrays on one line).

use std::path::Path;

use crate::common::repo;

/// A README command and the output lines shown after it.
struct Example {
    command: String,
    shown: Vec<String>,
}

fn examples(readme: &str) -> Vec<Example> {
    let mut out = Vec::new();
    for block in readme.split("```console\n").skip(1) {
        let block = block.split("```").next().unwrap_or_default();
        for line in block.lines() {
            if let Some(command) = line.strip_prefix("$ ") {
                out.push(Example {
                    command: command.to_string(),
                    shown: Vec::new(),
                });
            } else if let Some(last) = out.last_mut() {
                last.shown.push(line.to_string());
            }
        }
    }
    out
}

/// Splits a command line as a POSIX shell would for the quoting the README uses.
fn shell_words(line: &str) -> Vec<String> {
    let (mut words, mut word, mut quote, mut in_word) = (Vec::new(), String::new(), None, false);
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Output that differs from run to run or machine to machine, or that the README elides.
fn compared(line: &str) -> bool {
    let unstable = [
        "…",
        "...",
        "ms)",
        "took",
        "KiB",
        "MiB",
        "articles/s",
        "\"score\"",
        "index:",
        "file:",
    ];
    !line.trim().is_empty() && !unstable.iter().any(|u| line.contains(u))
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn run(dir: &Path, words: &[String]) -> String {
    let out = assert_cmd::Command::cargo_bin("warta")
        .unwrap()
        .args(&words[1..])
        .current_dir(dir)
        .env("WARTA_INDEX", dir.join("warta-index"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn readme_examples_print_what_the_readme_shows() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(repo().join("sample_corpus"), dir.path().join("sample_corpus")).unwrap();
    let mut ran = 0;
    let mut missing = Vec::new();
    for example in examples(&readme) {
        let words = shell_words(&example.command);
        // The server runs until stopped, and curl talks to it: tests/it/serve.rs covers both.
        if words.first().map(String::as_str) != Some("warta") || words.get(1).map(String::as_str) == Some("serve") {
            continue;
        }
        let printed = squeeze(&run(dir.path(), &words));
        ran += 1;
        for line in example.shown.iter().filter(|l| compared(l)) {
            if !printed.contains(&squeeze(line)) {
                missing.push(format!("$ {}\n    shows {:?}", example.command, line.trim()));
            }
        }
    }
    assert!(ran >= 10, "only {ran} README examples found");
    assert!(
        missing.is_empty(),
        "README output the commands no longer print:\n{}",
        missing.join("\n")
    );
}

#[test]
fn shell_words_follow_the_readmes_quoting() {
    assert_eq!(
        shell_words(r#"warta search '"kerja sama" militer' --country "Korea Utara""#),
        ["warta", "search", "\"kerja sama\" militer", "--country", "Korea Utara"]
    );
}
