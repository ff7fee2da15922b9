//! `warta export`: every match of a query, not a page, as JSON Lines or CSV.

mod common;

use common::Fixture;
use serde_json::Value;

/// A corpus of `n` short articles in one JSON Lines file, every third about Jakarta.
fn corpus(n: usize) -> Fixture {
    let fx = Fixture::new();
    let lines: Vec<String> = (0..n)
        .map(|i| {
            let city = if i % 3 == 0 { "Jakarta" } else { "Surabaya" };
            serde_json::json!({
                "title": format!("Berita {i} dari {city}"),
                "body": format!("Presiden Joko Widodo meninjau banjir di {city}, kata pejabat, hari ke-{i}."),
                "date": format!("2024-01-{:02}", i % 28 + 1),
                "source": if i % 2 == 0 { "Kompas" } else { "Tempo" },
                "lang": "id",
            })
            .to_string()
        })
        .collect();
    fx.write("berita.jsonl", lines.join("\n"));
    fx.index();
    fx
}

fn export(fx: &Fixture, args: &[&str]) -> (i32, String, String) {
    let out = fx.warta(&[&["export"], args].concat()).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Every match is written, beyond the deepest page a search reaches, each once, with the
/// filters of a search.
#[test]
fn every_match_is_exported_not_only_a_page() {
    let fx = corpus(12_000);
    let (code, stdout, stderr) = export(&fx, &["--format", "jsonl"]);
    assert_eq!(code, 0, "{stderr}");
    let rows: Vec<Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 12_000);
    let ids: std::collections::HashSet<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let all: std::collections::HashSet<String> = (1..=12_000).map(|n| format!("berita.jsonl#{n}")).collect();
    assert_eq!(ids, all.iter().map(String::as_str).collect());
    let r = rows.iter().find(|r| r["id"] == "berita.jsonl#1").unwrap();
    assert_eq!(r["title"], "Berita 0 dari Jakarta");
    assert_eq!(r["date"], "2024-01-01T00:00:00Z");
    assert_eq!(r["source"], "Kompas");
    assert_eq!(r["lang"], "id");
    assert!(
        r["persons"].as_array().unwrap().contains(&Value::from("Joko Widodo")),
        "{r}"
    );
    assert!(r.get("body").is_none());

    // A query and filters, as for search: the same count as the search's total.
    let (code, stdout, _) = export(&fx, &["jakarta", "--source", "tempo", "--format", "jsonl"]);
    assert_eq!(code, 0);
    let (v, _) = fx.search_json(&["jakarta", "--source", "tempo", "-n", "0"]);
    assert_eq!(stdout.lines().count() as u64, v["total"].as_u64().unwrap());
    assert_eq!(stdout.lines().count(), 2_000);
    for line in stdout.lines() {
        let row: Value = serde_json::from_str(line).unwrap();
        assert_eq!(row["source"], "Tempo");
        assert!(row["title"].as_str().unwrap().ends_with("Jakarta"));
    }
}

/// CSV for spreadsheets: a header, RFC 4180 quoting, entities joined with "; ", the text
/// with --with-text; --out writes a file.
#[test]
fn csv_with_text_to_a_file() {
    let fx = Fixture::new();
    fx.write(
        "a.txt",
        "Title: Putin, Kim and \"talks\"\nDate: 2024-06-19\nSource: AP\n\nRussian President Vladimir Putin met North Korean leader Kim Jong Un in Pyongyang, Korea Utara.\n",
    );
    fx.index();
    let file = fx.dir.path().join("out.csv");
    let (code, stdout, stderr) = export(
        &fx,
        &[
            "putin",
            "--format",
            "csv",
            "--with-text",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("1 articles written to"), "{stderr}");
    let bytes = std::fs::read(&file).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        text.starts_with("id,date,source,url,lang,title,persons,countries,country_names,orgs,places,body\r\n"),
        "{text}"
    );
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(&row[0], "a.txt");
    assert_eq!(&row[5], "Putin, Kim and \"talks\"");
    let persons: Vec<&str> = row[6].split("; ").collect();
    assert!(
        persons.contains(&"Vladimir Putin") && persons.contains(&"Kim Jong Un"),
        "{row:?}"
    );
    let countries: Vec<&str> = row[7].split("; ").collect();
    assert!(countries.contains(&"RU") && countries.contains(&"KP"), "{row:?}");
    assert_eq!(row[8].split("; ").count(), countries.len());
    assert!(row[11].contains("Pyongyang"), "{row:?}");
}

/// Nothing matches: exit 1 and a CSV of its header alone; a bad query is an error (exit 2).
#[test]
fn no_match_and_bad_requests() {
    let fx = corpus(3);
    let (code, stdout, _) = export(&fx, &["zzznothing", "--format", "csv"]);
    assert_eq!(code, 1);
    assert_eq!(stdout.lines().count(), 1);
    let (code, _, stderr) = export(&fx, &["--from", "2024-13-99"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("warta: error: bad date \"2024-13-99\""), "{stderr}");
}
