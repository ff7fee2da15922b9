//! The command line's own upkeep: shell completions, the man page, the licence.

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
