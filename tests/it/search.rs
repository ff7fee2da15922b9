//! Searching: query syntax, filters, sorting, paging, JSON shape, exit codes.

use crate::common::Fixture;

/// A small bilingual corpus with known dates and sources.
fn corpus() -> Fixture {
    let fx = Fixture::new();
    fx.write(
        "id/putin-kim.txt",
        "Title: Putin dan Kim bertemu di Vladivostok\nDate: 2023-09-13T10:00:00+10:00\nSource: Antara\n\nPresiden Rusia Vladimir Putin dan pemimpin Korea Utara Kim Jong Un mengadakan pertemuan di Kosmodrom Vostochny. Juru bicara Gedung Putih John Kirby mengatakan akan ada konsekuensi.\n",
    );
    fx.write(
        "id/jokowi.txt",
        "Title: Jokowi membuka KTT ASEAN di Jakarta\nDate: 5 September 2023\nSource: KOMPAS\n\nPresiden Joko Widodo membuka pertemuan puncak para pemimpin Asia Tenggara. Para menteri bertemu untuk membahas ekonomi kawasan.\n",
    );
    fx.write(
        "en/kirby.txt",
        "Title: White House warns North Korea over arms deal\nDate: 2023-09-14\nSource: Reuters\n\nWhite House spokesman John Kirby said North Korea would pay a price for supplying weapons to Russia. The meetings in Vladivostok worried Washington.\n",
    );
    fx.write(
        "en/g20.txt",
        "Title: Leaders gather in Bali for the G20 summit\nDate: 2022-11-15\nSource: reuters\n\nWorld leaders meeting in Bali discussed the war in Ukraine. Indonesian President Joko Widodo hosted the summit.\n",
    );
    fx.write(
        "en/undated.txt",
        "Title: An undated note about nuclear policy\nSource: Blog\n\nNuclear policy is discussed here without a date. Putin is mentioned once.\n",
    );
    fx.write(
        "en/late.txt",
        "Title: Year end review\nDate: 2023-12-31T23:30:00Z\nSource: Reuters\n\nA review of the year: summits, wars and elections.\n",
    );
    fx.index();
    fx
}

#[test]
fn keywords_are_anded_and_ranked() {
    let fx = corpus();
    let ids = fx.ids(&["putin"]);
    assert_eq!(ids.len(), 2);
    assert_eq!(
        ids[0], "id/putin-kim.txt",
        "the article with Putin in its title ranks first"
    );
    assert_eq!(fx.ids(&["--strict", "putin", "kirby"]), ["id/putin-kim.txt"]);
    assert_eq!(fx.ids(&["--strict", "kirby putin"]), ["id/putin-kim.txt"]);
    // Without --strict the article with both words still comes first.
    assert_eq!(fx.ids(&["kirby putin"])[0], "id/putin-kim.txt");
}

#[test]
fn stemming_per_language_and_exact_names() {
    let fx = corpus();
    // Indonesian: bertemu and pertemuan share the stem temu.
    let ids = fx.ids(&["bertemu", "--lang", "id"]);
    assert_eq!(ids.len(), 2, "{ids:?}");
    // English: meeting matches meetings.
    let mut ids = fx.ids(&["meeting", "--lang", "en"]);
    ids.sort();
    assert_eq!(ids, ["en/g20.txt", "en/kirby.txt"]);
    // Names match as typed, accents and case folded.
    assert_eq!(fx.ids(&["KOSMODROM"]), ["id/putin-kim.txt"]);
    assert_eq!(fx.ids(&["Kirby"]).len(), 2);
}

#[test]
fn phrases_or_not_fields_prefixes() {
    let fx = corpus();
    assert_eq!(fx.ids(&["\"John Kirby said\""]), ["en/kirby.txt"]);
    assert_eq!(fx.ids(&["\"kim jong-un\""]), ["id/putin-kim.txt"]);
    let mut ids = fx.ids(&["bali OR vladivostok"]);
    ids.sort();
    assert_eq!(ids, ["en/g20.txt", "en/kirby.txt", "id/putin-kim.txt"]);
    assert_eq!(fx.ids(&["putin -vladivostok"]), ["en/undated.txt"]);
    assert_eq!(fx.ids(&["title:jokowi"]), ["id/jokowi.txt"]);
    assert!(fx.ids(&["title:kirby"]).is_empty());
    let mut ids = fx.ids(&["nucl*"]);
    ids.sort();
    assert_eq!(ids, ["en/undated.txt"]);
    let (v, _) = fx.search_json(&["vladi*"]);
    assert_eq!(v["total"], 2);
    let kirby = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "en/kirby.txt")
        .unwrap();
    assert!(
        kirby["snippet"].as_str().unwrap().contains("**Vladivostok**"),
        "{kirby}"
    );
}

#[test]
fn date_filters_are_inclusive_of_whole_periods() {
    let fx = corpus();
    // 2023-09-13T10:00+10:00 is 2023-09-13T00:00Z.
    assert_eq!(
        fx.ids(&["--from", "2023-09-13", "--to", "2023-09-13"]),
        ["id/putin-kim.txt"]
    );
    assert_eq!(
        fx.ids(&["--from", "2023-09-14", "--to", "2023-09-14"]),
        ["en/kirby.txt"]
    );
    assert_eq!(
        fx.ids(&["--from", "2023-09", "--to", "2023-09", "--sort", "oldest"]),
        ["id/jokowi.txt", "id/putin-kim.txt", "en/kirby.txt"]
    );
    assert_eq!(fx.ids(&["--to", "2022"]), ["en/g20.txt"]);
    assert_eq!(fx.ids(&["--from", "2023-12-31"]), ["en/late.txt"]);
    let (v, _) = fx.search_json(&["--from", "2023", "--to", "2023"]);
    assert_eq!(v["total"], 4);
    // The last day a date can name is no bad date.
    let (v, code) = fx.search_json(&["--from", "9999-12-31"]);
    assert_eq!((code, v["total"].as_u64()), (1, Some(0)));
    let (v, code) = fx.search_json(&["--to", "9999-12-31"]);
    assert_eq!((code, v["total"].as_u64()), (0, Some(5)), "every dated article");
    // Bad dates and empty ranges are errors, exit 2.
    let out = fx.warta(&["search", "--from", "yesterday"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad \"from\" date \"yesterday\""));
    let out = fx
        .warta(&["search", "--from", "2024", "--to", "2023"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn source_and_language_filters() {
    let fx = corpus();
    let mut ids = fx.ids(&["--source", "REUTERS"]);
    ids.sort();
    assert_eq!(
        ids,
        ["en/g20.txt", "en/kirby.txt", "en/late.txt"],
        "source matches case-insensitively"
    );
    let mut ids = fx.ids(&["--source", "antara", "--source", "Kompas"]);
    ids.sort();
    assert_eq!(
        ids,
        ["id/jokowi.txt", "id/putin-kim.txt"],
        "repeated --source means any"
    );
    let mut ids = fx.ids(&["--lang", "id"]);
    ids.sort();
    assert_eq!(ids, ["id/jokowi.txt", "id/putin-kim.txt"], "language is detected");
    assert_eq!(fx.ids(&["widodo", "--lang", "en"]), ["en/g20.txt"]);
}

/// A language named rather than coded is the code ingest maps it to.
#[test]
fn languages_by_name() {
    let fx = corpus();
    let by_code = fx.ids(&["--lang", "id"]);
    for name in ["indonesian", "Bahasa Indonesia", "ID", "id-ID"] {
        assert_eq!(fx.ids(&["--lang", name]), by_code, "{name}");
    }
    assert_eq!(fx.ids(&["widodo", "--lang", "English"]), ["en/g20.txt"]);
}

/// The error object `search --json ARGS` prints (exit 2), and the plain line without `--json`.
fn filter_error(fx: &Fixture, args: &[&str]) -> (serde_json::Value, String) {
    let out = fx.warta(&["search", "--json"]).args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "unknown_name", "{args:?}: {v}");
    let out = fx.warta(&["search"]).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    (v["error"].clone(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A person, language or source that stands for nothing is an error with suggestions, as an
/// unknown country is: a typo never looks like "no articles".
#[test]
fn unknown_person_language_or_source_is_an_error_with_suggestions() {
    let fx = corpus();
    let (e, stderr) = filter_error(&fx, &["--person", "Gandalf"]);
    assert!(
        e["message"].as_str().unwrap().contains("unknown person \"Gandalf\""),
        "{e}"
    );
    assert!(stderr.contains("warta: error: unknown person \"Gandalf\""), "{stderr}");

    let (e, stderr) = filter_error(&fx, &["--lang", "xx"]);
    assert!(
        e["message"].as_str().unwrap().contains("unknown language \"xx\""),
        "{e}"
    );
    assert_eq!(
        e["suggestions"],
        serde_json::json!(["en", "id"]),
        "the codes the index holds"
    );
    assert!(stderr.contains("did you mean: en, id?"), "{stderr}");
    let (e, _) = filter_error(&fx, &["--lang", "french"]);
    assert_eq!(
        e["suggestions"],
        serde_json::json!(["en", "id"]),
        "a language no article is in"
    );

    let (e, stderr) = filter_error(&fx, &["--source", "Daily Planet"]);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("unknown source \"Daily Planet\""),
        "{e}"
    );
    assert!(stderr.contains("unknown source \"Daily Planet\""), "{stderr}");
    let (e, _) = filter_error(&fx, &["--source", "Reuter"]);
    assert_eq!(e["suggestions"][0], "Reuters", "{e}");
    let (e, _) = filter_error(&fx, &["--source", "Kompas Daily"]);
    assert_eq!(e["suggestions"][0], "KOMPAS", "a shared word: {e}");
    // One unknown source among known ones is still an error, naming it.
    let (e, _) = filter_error(&fx, &["--source", "reuters", "--source", "Antra"]);
    assert!(e["message"].as_str().unwrap().contains("\"Antra\""), "{e}");
    assert_eq!(e["suggestions"][0], "Antara", "{e}");
    // Facets and timelines refuse them alike.
    let out = fx.warta(&["timeline", "--lang", "xx"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = fx
        .warta(&["facets", "person", "--source", "Daily Planet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sorting_and_paging() {
    let fx = corpus();
    // No query: every article, newest first, undated last.
    let all = fx.ids(&[]);
    assert_eq!(
        all,
        [
            "en/late.txt",
            "en/kirby.txt",
            "id/putin-kim.txt",
            "id/jokowi.txt",
            "en/g20.txt",
            "en/undated.txt"
        ]
    );
    let oldest = fx.ids(&["--sort", "oldest"]);
    assert_eq!(
        oldest,
        [
            "en/g20.txt",
            "id/jokowi.txt",
            "id/putin-kim.txt",
            "en/kirby.txt",
            "en/late.txt",
            "en/undated.txt"
        ]
    );
    assert_eq!(
        fx.ids(&["--limit", "2", "--offset", "2"]),
        ["id/putin-kim.txt", "id/jokowi.txt"]
    );
    let (v, _) = fx.search_json(&["--limit", "2", "--offset", "5"]);
    assert_eq!(v["total"], 6, "total is exact whatever the page");
    assert_eq!(v["hits"].as_array().unwrap().len(), 1);
    assert_eq!(
        fx.ids(&["putin", "--sort", "newest"]),
        ["id/putin-kim.txt", "en/undated.txt"]
    );
}

#[test]
fn paging_deeper_than_the_result_window_is_an_error() {
    let fx = corpus();
    for offset in ["10000000000", "1000000000000000000", "9991"] {
        let out = fx.warta(&["search", "--offset", offset]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--offset {offset}: {err}");
        assert!(
            err.contains(&format!("offset {offset} + limit 10 is past the deepest result")) && err.contains("10000"),
            "--offset {offset}: {err}"
        );
    }
    // The last page of the window still works.
    let (v, code) = fx.search_json(&["--offset", "9990", "--limit", "10"]);
    assert_eq!((code, v["total"].as_u64()), (0, Some(6)));
    assert_eq!(v["hits"].as_array().unwrap().len(), 0);
}

/// A search called off by its caller (the server, when the client left or time ran out)
/// stops with an error, whichever kind of search it is.
#[test]
fn a_called_off_search_ends_with_an_error() {
    let fx = corpus();
    let wi = warta::index::WartaIndex::open(&fx.index_dir()).unwrap();
    let req = warta::search::SearchRequest {
        query: "putin".to_string(),
        facets: true,
        ..Default::default()
    };
    assert_eq!(warta::search::search(&wi, &req).unwrap().total, 2);
    req.cancel.cancel();
    let called_off =
        |r: Result<(), warta::search::SearchError>| matches!(r, Err(warta::search::SearchError::Cancelled));
    assert!(called_off(warta::search::search(&wi, &req).map(drop)));
    assert!(called_off(warta::search::facet(&wi, "person", &req, 5).map(drop)));
    assert!(called_off(
        warta::search::timeline(&wi, &req, warta::search::facets::Interval::Month).map(drop)
    ));
}

/// A prefix standing for more indexed words than a query may search is refused, naming it.
#[test]
fn too_broad_prefixes_are_refused() {
    let fx = corpus();
    let words: Vec<String> = (0..10_001).map(|i| format!("zq{i}")).collect();
    fx.write("many.txt", format!("Title: Many words\n\n{}\n", words.join(" ")));
    fx.index();
    let out = fx.warta(&["search", "zq*"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("prefix `zq*`") && err.contains("give more letters"),
        "{err}"
    );
    assert_eq!(fx.ids(&["zq1000*"]), ["many.txt"]);
}

#[test]
fn json_shape() {
    let fx = corpus();
    let (v, code) = fx.search_json(&["kirby", "--source", "reuters"]);
    assert_eq!(code, 0);
    assert_eq!(v["query"], "kirby");
    assert_eq!(v["total"], 1);
    // Rounded to the hundredth: never `1.3734540000000002`.
    let took = v["took_ms"].to_string();
    assert!(
        took.split('.').nth(1).is_none_or(|decimals| decimals.len() <= 2),
        "{took}"
    );
    let hit = &v["hits"][0];
    let keys: Vec<&str> = hit.as_object().unwrap().keys().map(String::as_str).collect();
    for k in [
        "id", "score", "title", "date", "source", "url", "path", "lang", "snippet",
    ] {
        assert!(keys.contains(&k), "hit lacks {k}: {hit}");
    }
    assert_eq!(hit["id"], "en/kirby.txt");
    assert_eq!(hit["date"], "2023-09-14T00:00:00Z");
    assert_eq!(hit["source"], "Reuters");
    assert_eq!(hit["url"], serde_json::Value::Null);
    assert_eq!(hit["lang"], "en");
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    assert!(hit["path"].as_str().unwrap().ends_with("kirby.txt"));
    assert!(hit["snippet"].as_str().unwrap().contains("**Kirby**"));
}

/// With `--json`, errors are the HTTP API's JSON error object on stdout (exit 2), with the
/// suggestions as a list; without it, one plain line on stderr, the query shown as typed.
#[test]
fn errors_as_json_under_json() {
    let fx = corpus();
    let out = fx
        .warta(&["search", "putin", "--country", "Narnia", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "unknown_name");
    assert!(v["error"]["message"].as_str().unwrap().contains("Narnia"));
    assert!(
        v["error"]["suggestions"].as_array().is_some_and(|s| !s.is_empty()),
        "{v}"
    );
    let out = fx.warta(&["search", "\"unclosed", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "bad_query");
    let out = fx.warta(&["search", "\"unclosed"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("bad query `\"unclosed` at column 1: unterminated quote"),
        "{stderr}"
    );
}

/// Piped output is plain text (a matched name greps as the article wrote it); `--color
/// always` marks matches with ANSI colour even when piped; `--color never` and `NO_COLOR`
/// leave the text plain.
#[test]
fn color_when_asked_plain_text_otherwise() {
    let fx = corpus();
    let piped = fx.warta(&["search", "kirby"]).output().unwrap();
    let text = String::from_utf8_lossy(&piped.stdout);
    assert!(text.contains("John Kirby"), "{text}");
    assert!(!text.contains("**") && !text.contains('\x1b'), "{text}");
    let always = fx.warta(&["search", "kirby", "--color", "always"]).output().unwrap();
    let text = String::from_utf8_lossy(&always.stdout);
    assert!(text.contains("\x1b[1;33mKirby\x1b[0m"), "{text}");
    let never = fx
        .warta(&["--color", "never", "search", "kirby"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&never.stdout).contains('\x1b'));
    let bad = fx.warta(&["search", "kirby", "--color", "sometimes"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn human_output_and_exit_codes() {
    let fx = corpus();
    let out = fx.warta(&["search", "kirby"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("  1. 2023-09-14  Reuters  [en]"), "{text}");
    assert!(text.contains("White House warns North Korea over arms deal"));
    assert!(text.contains("2 matches, showing 1-2"), "{text}");

    let out = fx.warta(&["search", "zzznothing"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 matches"));

    let out = fx.warta(&["search", "\"unclosed phrase"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("at column 1") && err.contains("unterminated quote"),
        "{err}"
    );
    assert_eq!(err.matches("unterminated quote").count(), 1, "said once: {err}");

    // A query with no word to search is an error, not a list of every article.
    for nothing in ["???", "\"\"", "AND", "+ !"] {
        let out = fx.warta(&["search", nothing]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{nothing:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("nothing to search for"),
            "{nothing:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let out = fx.warta(&["search", "author:x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field `author:`"));

    let mut cmd = assert_cmd::Command::cargo_bin("warta").unwrap();
    let out = cmd
        .args(["search", "x", "--index"])
        .arg(fx.dir.path().join("nope"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no warta index at"));
}

#[test]
fn show_prints_the_whole_article() {
    let fx = corpus();
    let out = fx.warta(&["show", "en/kirby.txt"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("White House warns North Korea over arms deal"));
    assert!(text.contains("source:    Reuters"), "{text}");
    assert!(text.contains("worried Washington."));
    let out = fx.warta(&["show", "kirby.txt"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("similar ids: en/kirby.txt"));
}

#[test]
fn stats_counts_languages_sources_dates() {
    let fx = corpus();
    let out = fx.warta(&["stats", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["articles"], 6);
    assert_eq!(v["languages"]["id"], 2);
    assert_eq!(v["languages"]["en"], 4);
    assert_eq!(v["sources"]["Reuters"], 2);
    assert_eq!(v["sources"]["reuters"], 1);
    assert_eq!(v["undated"], 1);
    assert_eq!(v["first_date"], "2022-11-15T00:00:00Z");
    assert_eq!(v["last_date"], "2023-12-31T23:30:00Z");
    let out = fx.warta(&["stats"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("articles:   6"));
}

#[test]
fn broken_pipe_ends_quietly() {
    let fx = corpus();
    let bin = assert_cmd::cargo::cargo_bin("warta");
    let script = format!(
        "'{}' search --index '{}' --limit 100 | head -c 10 >/dev/null; echo \"${{PIPESTATUS[0]}}\"",
        bin.display(),
        fx.index_dir().display()
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn a_query_nothing_fully_matches_is_relaxed_and_says_so() {
    let fx = corpus();
    // Nothing says "optimistic": the article with the other two words is shown, ranked by
    // BM25, and the answer says how far the query was relaxed.
    let out = fx
        .warta(&["search", "--json", "putin vladivostok optimistic"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "relaxed hits are hits");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["relaxed"],
        serde_json::json!({"matched_clauses": 2, "of": 3, "strict_total": 0})
    );
    assert_eq!(v["total"], 1);
    assert_eq!(v["hits"][0]["id"], "id/putin-kim.txt");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no article has all of: putin vladivostok optimistic; showing articles with 2 of 3 words"),
        "{stderr}"
    );
    // As many words as some article has: two of five here.
    let (v, code) = fx.search_json(&["putin vladivostok aaqqa bbqqb ccqqc"]);
    assert_eq!(code, 0);
    assert_eq!(
        v["relaxed"],
        serde_json::json!({"matched_clauses": 2, "of": 5, "strict_total": 0})
    );
    assert_eq!(v["hits"][0]["id"], "id/putin-kim.txt");
    let (v, _) = fx.search_json(&["putin vladivostok kosmodrom aaqqa bbqqb ccqqc ddqqd"]);
    assert_eq!(
        v["relaxed"],
        serde_json::json!({"matched_clauses": 3, "of": 7, "strict_total": 0})
    );
    // None when no word matches at all.
    let (v, code) = fx.search_json(&["aaqqa bbqqb ccqqc"]);
    assert_eq!((code, v["total"].as_u64()), (1, Some(0)));
    assert!(v.get("relaxed").is_none());
    // Down to one word when no article has two of them.
    let (v, code) = fx.search_json(&["kosmodrom", "optimistic", "zzyzx"]);
    assert_eq!((code, v["relaxed"]["matched_clauses"].as_u64()), (0, Some(1)));
    assert_eq!(v["hits"][0]["id"], "id/putin-kim.txt");
    // Facets count the same relaxed matches.
    let out = fx
        .warta(&["facets", "lang", "--json", "putin vladivostok optimistic"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["total"].as_u64(), v["relaxed"]["of"].as_u64()), (Some(1), Some(3)));
    // So does the timeline, and it says so too.
    let out = fx
        .warta(&["timeline", "--json", "putin vladivostok optimistic"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["total"].as_u64(), v["relaxed"]["of"].as_u64()), (Some(1), Some(3)));
    assert!(String::from_utf8_lossy(&out.stderr).contains("showing articles with 2 of 3 words"));
}

#[test]
fn articles_with_every_word_come_first_then_a_short_page_is_filled() {
    let fx = corpus();
    // One article mentions Putin and Kirby: it comes first, as the strict query ranks it;
    // the page has room, so the articles with one of the two words follow, and the answer
    // says where they begin.
    let strict = fx.ids(&["--strict", "putin kirby"]);
    assert_eq!(strict, ["id/putin-kim.txt"]);
    let (v, code) = fx.search_json(&["putin", "kirby"]);
    assert_eq!(code, 0);
    assert_eq!(
        v["relaxed"],
        serde_json::json!({"matched_clauses": 1, "of": 2, "strict_total": 1}),
        "{v}"
    );
    let ids = crate::common::hit_ids(&v);
    assert_eq!(ids[0], strict[0]);
    let mut rest = ids[1..].to_vec();
    rest.sort_unstable();
    assert_eq!(
        rest,
        ["en/kirby.txt", "en/undated.txt"],
        "each article once, after the strict one"
    );
    assert_eq!(v["total"], 3);
    let out = fx.warta(&["search", "putin kirby"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("only 1 article has all of: putin kirby; then articles with 1 of 2 words"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let divider = stdout.find("-- then articles with 1 of 2 words --").expect("divider");
    assert!(stdout.find("id/putin-kim.txt").unwrap() < divider, "{stdout}");
    assert!(stdout.find("en/kirby.txt").unwrap() > divider, "{stdout}");
    // Pages of the combined list neither repeat nor skip an article, and agree on the total.
    let mut paged = Vec::new();
    for offset in ["0", "2"] {
        let (v, _) = fx.search_json(&["--limit", "2", "--offset", offset, "putin kirby"]);
        assert_eq!(v["total"], 3, "{v}");
        paged.extend(crate::common::hit_ids(&v));
    }
    assert_eq!(paged, ids);
}

#[test]
fn a_page_the_strict_query_fills_is_never_relaxed() {
    let fx = corpus();
    // One article has both words: a page of one is full, so nothing is relaxed.
    let (v, code) = fx.search_json(&["--limit", "1", "putin", "kirby"]);
    assert_eq!(code, 0);
    assert!(v.get("relaxed").is_none(), "{v}");
    assert_eq!(v["total"], 1);
    let out = fx.warta(&["search", "--limit", "1", "putin kirby"]).output().unwrap();
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    // Nor is a query whose only word matches.
    let (v, _) = fx.search_json(&["kirby"]);
    assert!(v.get("relaxed").is_none(), "{v}");
}

#[test]
fn strict_and_spelled_out_logic_are_never_relaxed() {
    let fx = corpus();
    let out = fx
        .warta(&["search", "--strict", "--json", "putin vladivostok optimistic"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "--strict finds nothing");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["total"], 0);
    assert!(v.get("relaxed").is_none());
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    for spelled_out in ["putin AND optimistic", "putin -kim optimistic", "+putin optimistic"] {
        let (v, code) = fx.search_json(&[spelled_out]);
        assert_eq!((code, v["total"].as_u64()), (1, Some(0)), "{spelled_out}");
    }
    // A single word has nothing to relax.
    assert_eq!(fx.search_json(&["optimistic"]).1, 1);
}

#[test]
fn a_word_no_article_has_gets_did_you_mean() {
    let fx = corpus();
    let out = fx
        .warta(&["search", "--json", "--strict", "kosmodrm"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["suggestions"],
        serde_json::json!([{"word": "kosmodrm", "did_you_mean": ["kosmodrom"]}])
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no article has \"kosmodrm\"; did you mean: kosmodrom?"),
        "{stderr}"
    );
    // Only the word that has no hit gets one; the query is relaxed to the other as well.
    let (v, code) = fx.search_json(&["putin", "vladivostk"]);
    assert_eq!(code, 0);
    assert_eq!(v["suggestions"][0]["word"], "vladivostk");
    assert_eq!(v["suggestions"][0]["did_you_mean"][0], "vladivostok");
    assert_eq!(v["suggestions"].as_array().unwrap().len(), 1);
    // A word found by its stem has hits: no suggestion for it.
    let (v, _) = fx.search_json(&["--strict", "pertemuan", "optimistic"]);
    assert!(v["suggestions"]
        .as_array()
        .is_none_or(|s| s.iter().all(|s| s["word"] != "pertemuan")));
    // Nothing is suggested when the query has hits.
    let (v, code) = fx.search_json(&["putin", "kirby"]);
    assert_eq!(code, 0);
    assert!(v.get("suggestions").is_none(), "{v}");
}
