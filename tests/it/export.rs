//! `warta export`: every match of a query, not a page, as JSON Lines or CSV.

use crate::common::Fixture;
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
    assert!(
        stderr.contains("warta: error: bad \"from\" date \"2024-13-99\""),
        "{stderr}"
    );
}

/// Reads NDJSON files of (action, document) pairs: each action names the index and the
/// document's id; returns the documents.
fn bulk_documents(files: &[std::path::PathBuf], index: &str) -> Vec<Value> {
    let mut docs = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            !lines.is_empty() && lines.len().is_multiple_of(2),
            "{}: {} lines",
            file.display(),
            lines.len()
        );
        for pair in lines.chunks(2) {
            let action: Value = serde_json::from_str(pair[0]).unwrap();
            let doc: Value = serde_json::from_str(pair[1]).unwrap();
            assert_eq!(action.as_object().unwrap().len(), 1, "{action}");
            assert_eq!(action["index"]["_index"], index, "{action}");
            assert_eq!(action["index"]["_id"], doc["id"], "{action} {doc}");
            docs.push(doc);
        }
    }
    docs
}

/// The NDJSON part files of an export directory, in order.
fn parts(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ndjson"))
        .collect();
    files.sort();
    files
}

/// The JSON Lines export with text, keyed by id, without empty fields (as cluster documents
/// leave them out).
fn rows_by_id(fx: &Fixture) -> std::collections::BTreeMap<String, Value> {
    let (code, stdout, _) = export(fx, &["--with-text"]);
    assert_eq!(code, 0);
    stdout
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().retain(|_, x| !x.is_null());
            (v["id"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

/// A corpus with long texts, so that the bulk files are split.
fn long_corpus() -> Fixture {
    let fx = Fixture::new();
    let para = "Presiden Joko Widodo bertemu Vladimir Putin di Moskow untuk membahas kerja sama. ".repeat(60);
    let lines: Vec<String> = (0..400)
        .map(|i| {
            serde_json::json!({"title": format!("Kunjungan {i}"), "body": para, "date": if i % 5 == 0 { None } else { Some("2024-06-19") }, "source": "Kompas", "lang": "id"})
                .to_string()
        })
        .collect();
    fx.write("kunjungan.jsonl", lines.join("\n"));
    fx.write(
        "en.txt",
        "Title: Putin and Kim\nDate: 2024-06-19\nSource: AP\n\nRussian President Vladimir Putin met North Korean leader Kim Jong Un in Pyongyang.\n",
    );
    fx.index();
    fx
}

/// OpenSearch: a template that maps every field (text per language, entities as keywords,
/// the date as a date), and bulk files of at most --chunk-mb that alternate action and
/// document lines, hold every article once and read back to the JSON Lines export; the same
/// files again on a second run.
#[test]
fn opensearch_template_and_bulk_files() {
    let fx = long_corpus();
    let dir = fx.dir.path().join("os");
    let (code, _, stderr) = export(
        &fx,
        &[
            "--format",
            "opensearch",
            "--out",
            dir.to_str().unwrap(),
            "--chunk-mb",
            "1",
            "--index-name",
            "news-2024",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let template: Value = serde_json::from_slice(&std::fs::read(dir.join("index-template.json")).unwrap()).unwrap();
    assert_eq!(template["index_patterns"], serde_json::json!(["news-2024*"]));
    let mappings = &template["template"]["mappings"];
    assert_eq!(mappings["dynamic"], "strict");
    let props = mappings["properties"].as_object().unwrap();
    let fields: Vec<&str> = warta::export::cluster::FIELDS.iter().map(|(n, _)| *n).collect();
    let mut keys: Vec<&str> = props.keys().map(String::as_str).collect();
    keys.sort();
    let mut sorted = fields.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    for text in ["title", "body"] {
        assert_eq!(props[text]["type"], "text");
        assert_eq!(props[text]["fields"]["id"]["analyzer"], "indonesian");
        assert_eq!(props[text]["fields"]["en"]["analyzer"], "english");
    }
    for keyword in [
        "id",
        "source",
        "lang",
        "persons",
        "countries",
        "country_names",
        "orgs",
        "places",
    ] {
        assert_eq!(props[keyword]["type"], "keyword", "{keyword}");
    }
    assert_eq!(props["date"]["type"], "date");

    let files = parts(&dir);
    assert!(files.len() >= 2, "{files:?}");
    assert!(
        stderr.contains(&format!(
            "401 articles written to {} NDJSON file(s) and index-template.json in",
            files.len()
        )),
        "{stderr}"
    );
    for f in &files {
        assert!(std::fs::metadata(f).unwrap().len() <= 1 << 20, "{}", f.display());
    }
    let docs = bulk_documents(&files, "news-2024");
    assert_eq!(docs.len(), 401);
    let by_id: std::collections::BTreeMap<String, Value> = docs
        .iter()
        .map(|d| (d["id"].as_str().unwrap().to_string(), d.clone()))
        .collect();
    assert_eq!(by_id.len(), 401, "ids are unique");
    for doc in &docs {
        for key in doc.as_object().unwrap().keys() {
            assert!(props.contains_key(key), "{key} is not mapped");
        }
    }
    assert_eq!(by_id, rows_by_id(&fx));
    let kim = by_id.values().find(|d| d["title"] == "Putin and Kim").unwrap();
    assert!(
        kim["countries"].as_array().unwrap().contains(&Value::from("KP")),
        "{kim}"
    );

    // Stable: a second export writes the same files.
    let again = fx.dir.path().join("os2");
    export(
        &fx,
        &[
            "--format",
            "opensearch",
            "--out",
            again.to_str().unwrap(),
            "--chunk-mb",
            "1",
            "--index-name",
            "news-2024",
        ],
    );
    for (a, b) in files.iter().zip(parts(&again)) {
        assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    }
    let (code, _, stderr) = export(
        &fx,
        &[
            "--format",
            "opensearch",
            "--out",
            again.to_str().unwrap(),
            "--index-name",
            "News",
        ],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("bad index name \"News\""), "{stderr}");
    let (code, _, stderr) = export(&fx, &["--format", "quickwit"]);
    assert_eq!(code, 2, "a cluster export needs a directory");
    assert!(stderr.contains("--out"), "{stderr}");
}

/// Quickwit: a YAML config whose doc mapping has every field, the date as timestamp field,
/// and NDJSON documents that read back to the JSON Lines export.
#[test]
fn quickwit_config_and_documents() {
    let fx = long_corpus();
    let dir = fx.dir.path().join("qw");
    let (code, _, stderr) = export(&fx, &["--format", "quickwit", "--out", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let yaml = std::fs::read_to_string(dir.join("index-config.yaml")).unwrap();
    let config = &yaml_rust2::YamlLoader::load_from_str(&yaml).unwrap()[0];
    assert_eq!(config["index_id"].as_str(), Some("warta"));
    let mapping = &config["doc_mapping"];
    assert_eq!(mapping["timestamp_field"].as_str(), Some("date"));
    assert_eq!(mapping["mode"].as_str(), Some("strict"));
    let mut names: Vec<&str> = mapping["field_mappings"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    names.sort();
    let mut fields: Vec<&str> = warta::export::cluster::FIELDS.iter().map(|(n, _)| *n).collect();
    fields.sort();
    assert_eq!(names, fields);
    for f in mapping["field_mappings"].as_vec().unwrap() {
        let kind = f["type"].as_str().unwrap();
        match f["name"].as_str().unwrap() {
            "date" => assert_eq!(kind, "datetime"),
            "title" | "body" => assert_eq!((kind, f["tokenizer"].as_str()), ("text", Some("default"))),
            "persons" | "countries" | "country_names" | "orgs" | "places" => assert_eq!(kind, "array<text>"),
            _ => assert_eq!((kind, f["tokenizer"].as_str()), ("text", Some("raw"))),
        }
    }
    let mut docs = std::collections::BTreeMap::new();
    for file in parts(&dir) {
        for line in std::fs::read_to_string(file).unwrap().lines() {
            let doc: Value = serde_json::from_str(line).unwrap();
            assert!(doc.get("index").is_none(), "no action lines for Quickwit");
            assert!(
                docs.insert(doc["id"].as_str().unwrap().to_string(), doc).is_none(),
                "ids are unique"
            );
        }
    }
    assert_eq!(docs, rows_by_id(&fx));
}

/// The equivalent OpenSearch queries of docs/scaling.md name only fields the export writes
/// (a text field's language sub-fields included).
#[test]
fn the_scaling_documents_queries_use_the_exported_fields() {
    let doc = std::fs::read_to_string(crate::common::repo().join("docs/scaling.md")).unwrap();
    let fields: Vec<String> = warta::export::cluster::FIELDS
        .iter()
        .flat_map(|(name, kind)| {
            let mut names = vec![name.to_string()];
            if *kind == warta::export::cluster::Kind::Text {
                names.extend(
                    warta::export::cluster::LANGUAGE_SUBFIELDS
                        .iter()
                        .map(|(l, _)| format!("{name}.{l}")),
                );
            }
            names
        })
        .collect();
    let mut blocks = 0;
    let mut named = Vec::new();
    for block in doc.split("```json").skip(1) {
        let json = block.split("```").next().unwrap();
        let value: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
        blocks += 1;
        field_names(&value, &mut named);
    }
    assert!(blocks >= 2, "the examples are in ```json blocks");
    for needed in ["countries", "persons", "date", "title.en"] {
        assert!(
            named.iter().any(|n| n == needed),
            "the examples use {needed}: {named:?}"
        );
    }
    for name in &named {
        assert!(
            fields.contains(name),
            "docs/scaling.md names {name:?}, which the export does not write"
        );
    }
}

/// Field names in an OpenSearch query or aggregation: the keys under `term`, `terms`,
/// `range`, `match` and `match_phrase` in a query, and the values of `field` and `fields`
/// (without boosts).
fn field_names(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                match (k.as_str(), x) {
                    // A query names its field by a key; an aggregation (`"terms": {"field": ...}`)
                    // by its `field`, found below.
                    ("term" | "terms" | "range" | "match" | "match_phrase", Value::Object(inner))
                        if !inner.contains_key("field") =>
                    {
                        out.extend(inner.keys().filter(|k| !k.starts_with('_')).cloned());
                    }
                    ("field", Value::String(f)) => out.push(f.clone()),
                    // Boosts (`title^2`) are not part of the name.
                    ("fields", Value::Array(fs)) => out.extend(
                        fs.iter()
                            .filter_map(|f| f.as_str().and_then(|f| f.split('^').next()).map(str::to_string)),
                    ),
                    _ => {}
                }
                field_names(x, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|x| field_names(x, out)),
        _ => {}
    }
}

/// An export is never relaxed: a query one of whose words no article has exports nothing,
/// where a search would show the articles with the other words.
#[test]
fn an_export_takes_every_word_of_its_query() {
    let fx = corpus(6);
    let (code, stdout, _) = export(&fx, &["jakarta", "gempa"]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "{stdout}");
    let (code, stdout, _) = export(&fx, &["jakarta", "banjir"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 2);
    let search = fx.warta(&["search", "jakarta", "gempa"]).output().unwrap();
    assert_eq!(search.status.code(), Some(0), "a search relaxes the same query");
}
