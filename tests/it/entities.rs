//! Entity extraction end to end: the user's seed article, facets, entity filters.

use std::path::Path;

use crate::common::Fixture;
use serde_json::Value;

const SEED: &str = "sample_corpus/seed/korea-russia-summit.id.txt";

fn extract(path: &Path) -> Value {
    let out = assert_cmd::Command::cargo_bin("warta")
        .unwrap()
        .args(["extract", "--json"])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn names(v: &Value, key: &str, field: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[field].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_seed_article() {
    let v = extract(crate::common::repo().join(SEED).as_path());
    let a = &v[0];
    assert_eq!(a["lang"], "id");
    let persons = names(a, "persons", "name");
    for p in [
        "Vladimir Putin",
        "Kim Jong Un",
        "Lim Soo-suk",
        "John Kirby",
        "Kim Yung-ho",
    ] {
        assert!(persons.contains(&p.to_string()), "missing person {p}: {persons:?}");
    }
    for wrong in ["Kim", "Putin", "Tn. Putin", "Kirby", "Lim"] {
        assert!(
            !persons.contains(&wrong.to_string()),
            "{wrong} must resolve to a full name: {persons:?}"
        );
    }
    let countries = names(a, "countries", "code");
    for c in ["KR", "KP", "RU", "UA", "US", "JP"] {
        assert!(countries.contains(&c.to_string()), "missing country {c}: {countries:?}");
    }
    let places = names(a, "places", "name");
    for p in [
        "Vladivostok",
        "Moscow",
        "Seoul",
        "Pyongyang",
        "Komsomolsk-on-Amur",
        "Vostochny Cosmodrome",
    ] {
        assert!(places.contains(&p.to_string()), "missing place {p}: {places:?}");
    }
    let orgs = names(a, "orgs", "name");
    for o in [
        "United Nations Security Council",
        "The Associated Press",
        "Korean Central News Agency",
    ] {
        assert!(orgs.contains(&o.to_string()), "missing org {o}: {orgs:?}");
    }
    // No country, place or organization is listed as a person.
    let others: Vec<String> = [names(a, "countries", "name"), places.clone(), orgs.clone()].concat();
    for p in &persons {
        assert!(!others.iter().any(|o| o.eq_ignore_ascii_case(p)), "{p} is not a person");
        for word in ["Korea", "Rusia", "Moskow", "Dewan", "Gedung", "Armada", "Timur"] {
            assert!(!p.contains(word), "{p} is not a person");
        }
    }
    // Mentions and surface forms.
    let putin = a["persons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Vladimir Putin")
        .unwrap();
    let forms: Vec<&str> = putin["forms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for f in ["Vladimir Putin", "Putin", "Tn. Putin"] {
        assert!(forms.contains(&f), "Putin forms {forms:?} lack {f}");
    }
    assert!(putin["mentions"].as_u64().unwrap() >= 6);
    let kp = a["countries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "KP")
        .unwrap();
    assert_eq!(kp["name"], "North Korea");
    assert!(kp["forms"].as_array().unwrap().iter().any(|f| f == "Korea Utara"));
    let moscow = a["places"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Moscow")
        .unwrap();
    assert_eq!(moscow["country"], "RU");
    assert!(moscow["forms"].as_array().unwrap().iter().any(|f| f == "Moskow"));
}

fn corpus() -> Fixture {
    let fx = Fixture::new();
    let seed = std::fs::read_to_string(crate::common::repo().join(SEED)).unwrap();
    fx.write("seed.txt", seed);
    fx.write(
        "en/biden.txt",
        "Title: Biden hosts Yoon at the White House\nDate: 2023-04-26\nSource: Reuters\n\nU.S. President Joe Biden welcomed South Korean President Yoon Suk Yeol in Washington on Wednesday. Biden said the alliance with Seoul was stronger than ever, and warned North Korea against further missile tests.\n",
    );
    fx.write(
        "id/prabowo.txt",
        "Title: Prabowo dilantik sebagai presiden\nDate: 20 Oktober 2024\nSource: Antara\n\nPrabowo Subianto dilantik sebagai Presiden Indonesia di Jakarta pada Minggu. Presiden Joko Widodo menghadiri pelantikan di gedung MPR. Prabowo mengatakan pemerintahannya akan melanjutkan pembangunan Nusantara.\n",
    );
    fx.write(
        "en/putin-xi.txt",
        "Title: Putin and Xi meet in Beijing\nDate: 2024-05-16\nSource: AP\n\nRussian President Vladimir Putin met Chinese leader Xi Jinping in Beijing. Putin praised ties with China, Xi said.\n",
    );
    fx.index();
    fx
}

#[test]
fn country_filter_accepts_any_alias_and_language() {
    let fx = corpus();
    let base = fx.ids(&["--country", "North Korea"]);
    assert_eq!(base.len(), 2, "{base:?}");
    for alias in ["Korea Utara", "kp", "DPRK", "north korea", "KOREA UTARA"] {
        assert_eq!(fx.ids(&["--country", alias]), base, "alias {alias}");
    }
    // Repeated flags: all of them.
    assert_eq!(
        fx.ids(&["--country", "Korea Utara", "--country", "Rusia"]),
        ["seed.txt"]
    );
    // Places count their country: Beijing → China.
    assert_eq!(fx.ids(&["--country", "Tiongkok"]), ["en/putin-xi.txt"]);
}

#[test]
fn person_filter_by_partial_or_variant_name() {
    let fx = corpus();
    let mut ids = fx.ids(&["--person", "putin"]);
    ids.sort();
    assert_eq!(ids, ["en/putin-xi.txt", "seed.txt"]);
    assert_eq!(fx.ids(&["--person", "Kim Jong-un"]), ["seed.txt"]);
    assert_eq!(fx.ids(&["--person", "Jokowi"]), ["id/prabowo.txt"]);
    assert_eq!(fx.ids(&["--person", "Putin", "--country", "Korea Utara"]), ["seed.txt"]);
    let out = fx.warta(&["search", "--person", "Nobody Atall"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a name nothing stands for is an error");
}

#[test]
fn unknown_country_or_org_suggests_names() {
    let fx = corpus();
    let out = fx.warta(&["search", "--country", "Korea Utra"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown country \"Korea Utra\"") && err.contains("North Korea"),
        "{err}"
    );
    let out = fx.warta(&["search", "--org", "Natoo"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown organization") && err.contains("did you mean"),
        "{err}"
    );
    assert_eq!(fx.ids(&["--org", "PBB"]), fx.ids(&["--org", "United Nations"]));
}

#[test]
fn facets_and_hit_entities() {
    let fx = corpus();
    let (v, _) = fx.search_json(&["--country", "Korea Utara", "--person", "putin", "--facets"]);
    assert_eq!(v["total"], 1);
    let hit = &v["hits"][0];
    assert_eq!(hit["id"], "seed.txt");
    assert!(hit["persons"].as_array().unwrap().iter().any(|p| p == "Kim Jong Un"));
    assert!(hit["countries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["code"] == "KP" && c["name"] == "North Korea"));
    let facets = &v["facets"];
    for field in ["person", "country", "org", "place", "source", "lang"] {
        assert!(facets[field].is_array(), "facet {field} missing: {facets}");
    }
    assert!(facets["country"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["value"] == "KP" && c["name"] == "North Korea" && c["count"] == 1));

    // Facets count over all matches, not the page.
    let (v, _) = fx.search_json(&["--facets", "--limit", "1"]);
    let sources = v["facets"]["source"].as_array().unwrap();
    assert_eq!(sources.iter().map(|s| s["count"].as_u64().unwrap()).sum::<u64>(), 4);
    // --limit 0: only the count and the facets.
    let (v, _) = fx.search_json(&["--facets", "--limit", "0", "--country", "ru"]);
    assert_eq!(v["total"], 2);
    assert_eq!(v["hits"].as_array().unwrap().len(), 0);
    assert!(v["facets"]["person"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["value"] == "Vladimir Putin"));

    let out = fx
        .warta(&["facets", "country", "--json", "--top", "3"])
        .output()
        .unwrap();
    let f: Value = serde_json::from_slice(&out.stdout).unwrap();
    let values = f["values"].as_array().unwrap();
    assert_eq!(values.len(), 3);
    assert!(values[0]["count"].as_u64() >= values[1]["count"].as_u64());
    let out = fx.warta(&["facets", "person", "putin"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Vladimir Putin"), "{text}");
    let out = fx.warta(&["facets", "colour"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn timeline_counts_per_interval() {
    let fx = corpus();
    let out = fx
        .warta(&["timeline", "--interval", "year", "--json"])
        .output()
        .unwrap();
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    let buckets: Vec<(String, u64)> = t["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["key"].as_str().unwrap().to_string(), b["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(buckets, [("2023".to_string(), 2), ("2024".to_string(), 2)]);
    let out = fx
        .warta(&["timeline", "--interval", "month", "--json", "--country", "KP"])
        .output()
        .unwrap();
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    let b = t["buckets"].as_array().unwrap();
    assert_eq!(b.first().unwrap()["key"], "2023-04");
    assert_eq!(b.last().unwrap()["key"], "2023-09");
    assert_eq!(b.len(), 6, "empty months are filled in");
    let out = fx.warta(&["timeline", "--interval", "week"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("2023-W37"));
}

/// `warta extract --json ... | head` ends quietly: the JSON writer's broken pipe is no error.
#[test]
fn extract_json_into_a_closed_pipe_ends_quietly() {
    let bin = assert_cmd::cargo::cargo_bin("warta");
    let seed = crate::common::repo().join(SEED);
    // Far more output than a pipe buffer holds.
    let files = vec![format!("'{}'", seed.display()); 100].join(" ");
    let script = format!(
        "'{}' extract --json {files} | head -c 1 >/dev/null; echo \"${{PIPESTATUS[0]}}\"",
        bin.display()
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0");
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Facet counts are exact across index segments: each incremental run adds a segment, and
/// the same value in several segments is one value with the summed count.
#[test]
fn facets_merge_values_across_segments() {
    let fx = corpus();
    fx.write(
        "en/kremlin.txt",
        "Title: Kremlin rejects talks\nDate: 2024-06-01\nSource: Reuters\n\nRussian President Vladimir Putin said Moscow would not negotiate.\n",
    );
    fx.index();
    fx.write(
        "id/moskow.txt",
        "Title: Rusia tolak perundingan\nDate: 2024-06-02\nSource: Antara\n\nPresiden Rusia Vladimir Putin mengatakan Moskow tidak akan berunding.\n",
    );
    fx.index();
    let out = fx
        .warta(&["facets", "person", "--json", "--top", "2"])
        .output()
        .unwrap();
    let f: Value = serde_json::from_slice(&out.stdout).unwrap();
    let values = f["values"].as_array().unwrap();
    assert_eq!(values[0]["value"], "Vladimir Putin", "{f}");
    assert_eq!(values[0]["count"], 4, "{f}");
    assert_eq!(values.len(), 2);
    let out = fx
        .warta(&["facets", "country", "--json", "--top", "100"])
        .output()
        .unwrap();
    let f: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ru: Vec<&Value> = f["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["value"] == "RU")
        .collect();
    assert_eq!(ru.len(), 1, "{f}");
    assert_eq!(ru[0]["count"], 4, "{f}");
    assert_eq!(ru[0]["name"], "Russia");
}

/// `index_paths_with`, the benchmark's measures of what extraction costs: with an enricher
/// that skips extraction, the articles are indexed with their languages and searchable, their
/// entity fields empty; with one that gives entities, each article has those and no others;
/// `index_paths` extracts, and the article has its entities.
#[test]
fn indexing_skips_extracts_or_takes_the_given_entities() {
    use warta::extract::{Enriched, Mention};
    use warta::index::{index_paths, index_paths_with, Enricher, IndexOptions, WartaIndex};
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(
        corpus.join("banjir.txt"),
        "Banjir di Jakarta\n\nPresiden Joko Widodo meninjau banjir di Jakarta pada hari Senin bersama warga.\n",
    )
    .unwrap();
    let given = |a: warta::ingest::Article| -> Enriched {
        let mut e = warta::extract::enrich_language_only(a);
        // Built from the article, so a run that handed the function something else fails.
        if e.article.title.as_deref() == Some("Banjir di Jakarta") {
            e.entities.persons.push(Mention {
                name: "Given Person".to_string(),
                mentions: 2,
                forms: vec!["Given Person".to_string()],
            });
        }
        e
    };
    let skip = warta::extract::enrich_language_only;
    let enrichers: [(&str, Option<&dyn Enricher>); 3] =
        [("skip", Some(&skip)), ("given", Some(&given)), ("extract", None)];
    for (name, enricher) in enrichers {
        let index = dir.path().join(format!("index-{name}"));
        let opts = IndexOptions {
            threads: 2,
            memory_mb: 64,
            ..IndexOptions::default()
        };
        let roots = std::slice::from_ref(&corpus);
        let summary = match enricher {
            Some(enricher) => index_paths_with(&index, roots, &opts, enricher, &crate::common::NoWarnings),
            None => index_paths(&index, roots, &opts, &crate::common::NoWarnings),
        }
        .unwrap();
        assert_eq!(summary.articles_added, 1);
        let wi = WartaIndex::open(&index).unwrap();
        let shown = warta::search::show(&wi, "banjir.txt").unwrap();
        assert_eq!(shown.len(), 1);
        let a = &shown[0];
        assert_eq!(a.lang, "id", "{name}");
        assert_eq!(a.title, "Banjir di Jakarta");
        match name {
            "extract" => {
                assert_eq!(a.persons, ["Joko Widodo"]);
                assert_eq!(a.places, ["Jakarta"]);
                assert_eq!(a.countries.len(), 1);
            }
            "given" => {
                assert_eq!(a.persons, ["Given Person"]);
                assert!(a.places.is_empty() && a.countries.is_empty() && a.orgs.is_empty());
            }
            _ => {
                assert!(a.persons.is_empty() && a.places.is_empty() && a.countries.is_empty());
                assert!(a.orgs.is_empty());
            }
        }
    }
}
