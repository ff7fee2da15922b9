//! `warta-eval clusters`: learns word clusters from the corpora it finds, says what it
//! skipped, and writes a map the library reads.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use warta::extract::clusters::ClusterMap;

fn write_corpus(root: &Path, name: &str, lines: &[String]) {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for line in lines {
        writeln!(gz, "{line}").unwrap();
    }
    std::fs::write(dir.join("articles.jsonl.gz"), gz.finish().unwrap()).unwrap();
}

fn article(title: &str, body: &str) -> String {
    serde_json::json!({ "title": title, "body": body }).to_string()
}

fn eval() -> Command {
    let mut cmd = Command::cargo_bin("warta-eval").unwrap();
    cmd.timeout(Duration::from_secs(120));
    cmd
}

#[test]
fn learns_from_the_corpora_found_and_reports_what_was_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let corpora = dir.path().join("corpora");
    let days = ["Monday", "Tuesday", "Wednesday", "Friday"];
    let english: Vec<String> = days
        .iter()
        .map(|d| {
            article(
                "Markets",
                &format!("Shares rose on {d} in London. On {d} the bank said profits fell."),
            )
        })
        .collect();
    let mut indonesian: Vec<String> = ["Senin", "Selasa", "Rabu"]
        .iter()
        .map(|d| article("Pasar", &format!("Harga saham naik pada {d} di Jakarta.")))
        .collect();
    indonesian.push("{\"id\": \"no text\"}".to_string());
    indonesian.push("not json".to_string());
    write_corpus(&corpora, "reuters21578", &english);
    write_corpus(&corpora, "clickid", &indonesian);
    let out = dir.path().join("clusters.bin");
    eval()
        .arg("clusters")
        .arg(&corpora)
        .arg("--out")
        .arg(&out)
        .args(["--clusters", "4", "--min-count", "1", "--show", "Monday"])
        .assert()
        .success()
        .stdout(contains("reuters21578: 4 articles, 0 unreadable records skipped"))
        .stdout(contains("clickid: 3 articles, 2 unreadable records skipped"))
        .stdout(contains("skipped: 2 corpora (bbc, indosum), 2 unreadable records"))
        .stdout(contains(" tuesday "))
        .stderr(contains("bbc").and(contains("indosum")));
    let map = ClusterMap::from_bytes(&std::fs::read(&out).unwrap()).unwrap();
    assert!(map.path("monday").is_some() && map.path("jakarta").is_some());
    assert_eq!(map.path("monday"), map.path("tuesday"));
    assert!(map.path("nowhere").is_none());
}

#[test]
fn no_corpus_found_is_an_error_naming_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clusters.bin");
    eval()
        .arg("clusters")
        .arg(dir.path())
        .arg("--out")
        .arg(&out)
        .assert()
        .failure()
        .stderr(contains("no articles read under"));
    assert!(!out.exists());
}
