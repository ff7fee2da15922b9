//! Publication dates in the article's local time: day filters, timelines and shown dates
//! follow the offset each source gave, and `--tz` puts every article in one zone.

use serde_json::Value;

use crate::common::Fixture;

/// Three articles around midnight UTC: published on the 15th in Makassar (03:10 WITA, the
/// 14th in UTC), on the 14th in New York (the 15th in UTC), and on the 15th without an offset.
pub(crate) fn corpus() -> Fixture {
    let fx = Fixture::new();
    let article = |title: &str, date: &str| {
        serde_json::json!({"title": title, "body": format!("{title}. Gempa mengguncang Mamuju."), "date": date, "source": "Antara"})
            .to_string()
    };
    fx.write("wita.json", article("Gempa di Mamuju", "2021-01-15T03:10:00+08:00"));
    fx.write("new-york.json", article("Quake felt", "2021-01-14T20:00:00-05:00"));
    fx.write("no-offset.json", article("Gempa susulan", "2021-01-15T03:10:00"));
    fx.index();
    fx
}

/// The ids a search finds, sorted.
fn found(fx: &Fixture, args: &[&str]) -> Vec<String> {
    let mut ids = fx.ids(args);
    ids.sort();
    ids
}

/// `warta ARGS --json`'s output, which must succeed.
fn json(fx: &Fixture, args: &[&str]) -> Value {
    let out = fx.warta(args).arg("--json").output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (key, count) of a timeline's buckets.
fn bars(timeline: &Value) -> Vec<(String, u64)> {
    timeline["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["key"].as_str().unwrap().to_string(), b["count"].as_u64().unwrap()))
        .collect()
}

#[test]
fn day_filters_take_the_day_where_the_article_was_published() {
    let fx = corpus();
    let day = |d: &str, more: &[&str]| found(&fx, &[&["--from", d, "--to", d][..], more].concat());
    assert_eq!(day("2021-01-15", &[]), ["no-offset.json", "wita.json"]);
    assert_eq!(day("2021-01-14", &[]), ["new-york.json"]);
    // One zone for everyone: UTC's days, or Jakarta's.
    assert_eq!(day("2021-01-15", &["--tz", "UTC"]), ["new-york.json", "no-offset.json"]);
    assert_eq!(day("2021-01-14", &["--tz", "UTC"]), ["wita.json"]);
    assert_eq!(
        day("2021-01-15", &["--tz", "Asia/Jakarta"]),
        ["new-york.json", "no-offset.json", "wita.json"]
    );
    // Months and years are calendar periods too; RFC 3339 times are instants, whatever the zone.
    assert_eq!(found(&fx, &["--to", "2021-01-14"]), ["new-york.json"]);
    assert_eq!(found(&fx, &["--to", "2021-01-14", "--tz", "UTC"]), ["wita.json"]);
    assert_eq!(
        found(&fx, &["--to", "2021-01-14", "--tz", "-05:00"]),
        ["new-york.json", "no-offset.json", "wita.json"]
    );
    assert_eq!(
        found(&fx, &["--from", "2021-01-14T19:00:00Z", "--to", "2021-01-14T19:30:00Z"]),
        ["wita.json"]
    );
}

#[test]
fn dates_are_shown_as_published_or_in_the_zone_asked_for() {
    let fx = corpus();
    let dates = |more: &[&str]| -> Vec<(String, String)> {
        let (v, _) = fx.search_json(&[&["--sort", "oldest"][..], more].concat());
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["id"].as_str().unwrap().to_string(),
                    h["date"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let pairs = |p: &[(&str, &str)]| -> Vec<(String, String)> {
        p.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    };
    assert_eq!(
        dates(&[]),
        pairs(&[
            ("wita.json", "2021-01-15T03:10:00+08:00"),
            ("new-york.json", "2021-01-14T20:00:00-05:00"),
            ("no-offset.json", "2021-01-15T03:10:00Z"),
        ])
    );
    assert_eq!(
        dates(&["--tz", "WIB"]),
        pairs(&[
            ("wita.json", "2021-01-15T02:10:00+07:00"),
            ("new-york.json", "2021-01-15T08:00:00+07:00"),
            ("no-offset.json", "2021-01-15T10:10:00+07:00"),
        ])
    );
    // The plain listing shows the local day; `show` and `extract` the date as published.
    let out = fx.warta(&["search", "title:mamuju"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("  1. 2021-01-15  Antara"), "{text}");
    assert_eq!(fx.show("wita.json")["date"], "2021-01-15T03:10:00+08:00");
    let out = assert_cmd::Command::cargo_bin("warta")
        .unwrap()
        .args(["extract", "--json"])
        .arg(fx.corpus().join("wita.json"))
        .output()
        .unwrap();
    let extracted: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(extracted[0]["date"], "2021-01-15T03:10:00+08:00", "{extracted}");
}

#[test]
fn timeline_bars_count_local_days_or_the_zone_asked_for() {
    let fx = corpus();
    let local = json(&fx, &["timeline", "--interval", "day"]);
    assert_eq!(
        bars(&local),
        [("2021-01-14".to_string(), 1), ("2021-01-15".to_string(), 2)]
    );
    let utc = json(&fx, &["timeline", "--interval", "day", "--tz", "UTC"]);
    assert_eq!(
        bars(&utc),
        [("2021-01-14".to_string(), 1), ("2021-01-15".to_string(), 2)]
    );
    let wita_only = json(
        &fx,
        &[
            "timeline",
            "--interval",
            "day",
            "--tz",
            "UTC",
            "Mamuju",
            "--to",
            "2021-01-14",
        ],
    );
    assert_eq!(bars(&wita_only), [("2021-01-14".to_string(), 1)]);
    let wita_local = json(&fx, &["timeline", "--interval", "day", "title:mamuju"]);
    assert_eq!(bars(&wita_local), [("2021-01-15".to_string(), 1)]);
    let out = fx
        .warta(&["timeline", "--interval", "day", "title:mamuju"])
        .output()
        .unwrap();
    let chart = String::from_utf8_lossy(&out.stdout);
    assert!(chart.starts_with("2021-01-15"), "{chart}");
    assert!(
        chart.ends_with("\n1 article\n"),
        "one article, not one articles: {chart}"
    );
    let west = json(&fx, &["timeline", "--interval", "day", "--tz", "-10:00"]);
    assert_eq!(
        bars(&west),
        [("2021-01-14".to_string(), 3)],
        "every article is on the 14th ten hours west of UTC"
    );
}

#[test]
fn exports_carry_the_offset() {
    let fx = corpus();
    let out = fx.warta(&["export", "title:mamuju"]).output().unwrap();
    let row: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(row["date"], "2021-01-15T03:10:00+08:00");
    let out = fx
        .warta(&["export", "title:mamuju", "--format", "csv", "--tz", "UTC"])
        .output()
        .unwrap();
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.contains(",2021-01-14T19:10:00+00:00,"), "{csv}");
}

#[test]
fn a_bad_zone_is_an_error_naming_it() {
    let fx = corpus();
    for command in ["search", "timeline", "export", "related"] {
        let out = fx
            .warta(&[command, "--tz", "Asia/Jakata", "--country", "ID"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command}: {stderr}");
        assert!(
            stderr.contains("unknown time zone \"Asia/Jakata\"") && stderr.contains("did you mean: Asia/Jakarta"),
            "{command}: {stderr}"
        );
    }
    let out = fx.warta(&["search", "--json", "--tz", "+25:00"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "bad_parameter", "{v}");
}
