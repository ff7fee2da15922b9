//! `warta related` and `warta timeline --series`, and their endpoints: a corpus whose
//! co-occurrences are known by construction.

use crate::common::Fixture;
use crate::serve::{get_json, start};
use serde_json::Value;

/// Twelve articles, all mentioning Indonesia. Kim Jong Un is in four (September to
/// November 2023), Choe Son Hui in three of those and nowhere else; Joe Biden in all four of
/// Kim's and six more (August to December); Xi Jinping in the last two.
fn corpus() -> Fixture {
    let fx = Fixture::new();
    let article = |file: &str, date: &str, body: &str| {
        fx.write(
            &format!("{file}.txt"),
            format!("Title: {file}\nDate: {date}\nSource: AP\n\n{body} Indonesia was watching.\n"),
        );
    };
    let kim = [
        (
            "kim1",
            "2023-09-01",
            "Kim Jong Un met Choe Son Hui. Joe Biden commented.",
        ),
        (
            "kim2",
            "2023-09-15",
            "Kim Jong Un gave a speech; Choe Son Hui attended. Joe Biden said nothing.",
        ),
        (
            "kim3",
            "2023-10-03",
            "Kim Jong Un watched a launch with Choe Son Hui. Joe Biden condemned the launch.",
        ),
        (
            "kim4",
            "2023-11-20",
            "Kim Jong Un inspected a factory. Joe Biden was briefed.",
        ),
    ];
    for (file, date, body) in kim {
        article(file, date, body);
    }
    for (i, date) in [
        "2023-08-02",
        "2023-09-03",
        "2023-10-04",
        "2023-11-05",
        "2023-12-06",
        "2023-12-07",
    ]
    .iter()
    .enumerate()
    {
        article(
            &format!("biden{i}"),
            date,
            "President Joe Biden spoke about the economy in Washington.",
        );
    }
    article("xi1", "2023-10-10", "Xi Jinping opened a bridge.");
    article("xi2", "2023-10-11", "Xi Jinping visited a school.");
    fx.index();
    fx
}

/// Runs `warta ARGS --json`: (exit code, parsed stdout).
fn json(fx: &Fixture, args: &[&str]) -> (i32, Value) {
    let out = fx.warta(args).arg("--json").output().unwrap();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), v)
}

/// The related entities as (value, count, total), in rank order.
fn ranked(v: &Value) -> Vec<(String, u64, u64)> {
    v["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["value"].as_str().unwrap().to_string(),
                e["count"].as_u64().unwrap(),
                e["total"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn related_ranks_specific_companions_above_frequent_names() {
    let fx = corpus();
    let (code, v) = json(&fx, &["related", "--person", "Kim Jong Un", "--kind", "person"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(
        (v["articles"].as_u64(), v["index_articles"].as_u64()),
        (Some(4), Some(12))
    );
    assert_eq!(v["anchors"][0]["values"][0], "Kim Jong Un");
    assert_eq!(v["kind"], "person");
    assert!(v["took_ms"].as_f64().is_some());
    // Choe Son Hui is with Kim in 3 of his 4 articles and only there; Biden in all 4, but
    // in 10 of the 12 articles: more often together, yet ranked below. Kim himself is left out,
    // and Xi Jinping never meets him.
    let r = ranked(&v);
    assert_eq!(
        r,
        [("Choe Son Hui".to_string(), 3, 3), ("Joe Biden".to_string(), 4, 10)]
    );
    let scores: Vec<f64> = v["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["score"].as_f64().unwrap())
        .collect();
    assert!(scores[0] > scores[1] && scores[1] > 0.0, "{scores:?}");

    // Every kind: Indonesia is in every article, so no more with Kim than without him.
    let (_, all) = json(&fx, &["related", "--person", "Kim Jong Un"]);
    assert!(!ranked(&all).iter().any(|(value, ..)| value == "ID"), "{all}");
    assert_eq!(ranked(&all)[0].0, "Choe Son Hui");

    // A query narrows the anchor's articles: only one has a launch.
    let (_, narrowed) = json(
        &fx,
        &["related", "launch", "--person", "Kim Jong Un", "--kind", "person"],
    );
    assert_eq!(narrowed["articles"], 1);
    assert_eq!(ranked(&narrowed)[0], ("Choe Son Hui".to_string(), 1, 3));
    // --top keeps the best.
    let (_, one) = json(&fx, &["related", "--person", "Kim Jong Un", "--top", "1"]);
    assert_eq!(ranked(&one).len(), 1);

    // The table for people.
    let out = fx
        .warta(&["related", "--person", "Kim Jong Un", "--kind", "person"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("related to person Kim Jong Un: 4 of 12 articles"),
        "{text}"
    );
    let choe = text.lines().find(|l| l.contains("Choe Son Hui")).unwrap();
    let cells: Vec<&str> = choe.split_whitespace().collect();
    assert_eq!(&cells[1..4], ["3", "3", "person"], "{text}");
}

#[test]
fn related_needs_a_known_anchor() {
    let fx = corpus();
    let (code, v) = json(&fx, &["related", "--person", "Nobody Atall"]);
    assert_eq!((code, v["error"]["code"].as_str()), (2, Some("unknown_name")), "{v}");
    let (code, v) = json(&fx, &["related", "--country", "Atlantis"]);
    assert_eq!((code, v["error"]["code"].as_str()), (2, Some("unknown_name")), "{v}");
    assert!(!v["error"]["suggestions"].as_array().unwrap().is_empty(), "{v}");
    let (code, v) = json(&fx, &["related", "summit"]);
    assert_eq!((code, v["error"]["code"].as_str()), (2, Some("no_entity")), "{v}");
    fx.warta(&["related", "--person", "Kim Jong Un", "--kind", "source"])
        .assert()
        .code(2);
    // An anchor whose articles the filters exclude: nothing related, exit 1.
    let (code, v) = json(&fx, &["related", "--person", "Kim Jong Un", "--from", "2024"]);
    assert_eq!((code, v["articles"].as_u64()), (1, Some(0)), "{v}");
    assert!(ranked(&v).is_empty());
}

#[test]
fn timeline_series_count_each_entity_over_the_same_intervals() {
    let fx = corpus();
    let args = [
        "timeline",
        "--person",
        "Kim Jong Un",
        "--person",
        "Joe Biden",
        "--series",
    ];
    let (code, v) = json(&fx, &args);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["interval"], "month");
    let series = v["series"].as_array().unwrap();
    let keys = |s: &Value| -> Vec<String> {
        s["buckets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["key"].as_str().unwrap().to_string())
            .collect()
    };
    let counts = |s: &Value| -> Vec<u64> {
        s["buckets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["count"].as_u64().unwrap())
            .collect()
    };
    let months = ["2023-08", "2023-09", "2023-10", "2023-11", "2023-12"];
    assert_eq!(
        (series[0]["entity"].as_str(), series[0]["kind"].as_str()),
        (Some("Kim Jong Un"), Some("person"))
    );
    assert_eq!(keys(&series[0]), months);
    assert_eq!(keys(&series[1]), months);
    assert_eq!(counts(&series[0]), [0, 2, 1, 1, 0]);
    assert_eq!(counts(&series[1]), [1, 3, 2, 2, 2]);
    assert_eq!(
        (series[0]["total"].as_u64(), series[1]["total"].as_u64()),
        (Some(4), Some(10))
    );
    // Without --series: the articles with both.
    let (_, both) = json(&fx, &args[..5]);
    assert_eq!(both["total"], 4);
    // The other filters apply to every series.
    let (_, autumn) = json(&fx, &[&args[..], &["--from", "2023-10", "--to", "2023-11"]].concat());
    let totals: Vec<u64> = autumn["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["total"].as_u64().unwrap())
        .collect();
    assert_eq!(totals, [2, 4]);
    // For people: one column per series.
    let out = fx.warta(&args).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows[0], ["month", "Kim", "Jong", "Un", "Joe", "Biden"], "{text}");
    assert_eq!(rows[2], ["2023-09", "2", "3"], "{text}");
    assert_eq!(rows.last().unwrap(), &["total", "4", "10"], "{text}");
    // Series need entities.
    let (code, v) = json(&fx, &["timeline", "--series"]);
    assert_eq!((code, v["error"]["code"].as_str()), (2, Some("no_entity")), "{v}");
}

#[test]
fn related_and_series_over_http() {
    let fx = corpus();
    let s = start(&fx);
    let (st, v) = get_json(&s, "/api/related?person=Kim%20Jong%20Un&kind=person&top=10");
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        ranked(&v),
        [("Choe Son Hui".to_string(), 3, 3), ("Joe Biden".to_string(), 4, 10)]
    );
    // The same answer as the CLI's, but for the time taken.
    let (_, mut cli) = json(&fx, &["related", "--person", "Kim Jong Un", "--kind", "person"]);
    let mut api = v;
    cli["took_ms"].take();
    api["took_ms"].take();
    assert_eq!(cli, api);
    let (_, v) = get_json(&s, "/api/related?q=launch&person=Kim%20Jong%20Un&from=2023-10");
    assert_eq!(v["articles"], 1);

    let (st, v) = get_json(&s, "/api/related?person=Nobody%20Atall");
    assert_eq!((st, v["error"]["code"].as_str()), (400, Some("unknown_name")), "{v}");
    let (st, v) = get_json(&s, "/api/related?q=summit");
    assert_eq!((st, v["error"]["code"].as_str()), (400, Some("no_entity")), "{v}");
    let (st, v) = get_json(&s, "/api/related?person=Kim&kind=source");
    assert_eq!((st, v["error"]["code"].as_str()), (400, Some("bad_parameter")), "{v}");
    let (st, v) = get_json(&s, "/api/related?person=Kim&interval=week");
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (400, Some("unknown_parameter")),
        "{v}"
    );

    let (st, v) = get_json(
        &s,
        "/api/timeline?person=Kim%20Jong%20Un&person=Joe%20Biden&series=1&interval=year",
    );
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["interval"], "year");
    let series = v["series"].as_array().unwrap();
    assert_eq!(series.len(), 2);
    assert_eq!(series[1]["buckets"][0]["key"], "2023");
    assert_eq!(series[1]["buckets"][0]["count"], 10);
    let (st, v) = get_json(&s, "/api/timeline?person=Kim&kind=person");
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (400, Some("unknown_parameter")),
        "{v}"
    );
}
