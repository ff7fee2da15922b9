//! Copies of one story: near-duplicate articles grouped at index time, kept equal to a fresh
//! build through additions, changes and deletions, counted by `warta stats`, collapsed by
//! searches.

use serde_json::Value;

use crate::common::Fixture;

/// Sentence `i` of made-up story `story`: no two sentences of the fixtures are alike.
fn sentence(story: usize, i: usize) -> String {
    const WORDS: [&str; 16] = [
        "pemerintah",
        "anggaran",
        "rapat",
        "menteri",
        "warga",
        "harga",
        "beras",
        "kota",
        "banjir",
        "sekolah",
        "jalan",
        "pasar",
        "dana",
        "desa",
        "listrik",
        "air",
    ];
    let w = |k: usize| WORDS[k % WORDS.len()];
    format!(
        "Laporan {i} berita {story} menyebut {} dan {} dibahas bersama {} di {}.",
        w(i * 7 + story),
        w(i * 3 + story * 5),
        w(i * 11 + 1),
        w(i + story)
    )
}

/// The text of sentences `range` of `story`, in paragraphs of five sentences.
fn body(story: usize, range: std::ops::Range<usize>) -> String {
    let sentences: Vec<String> = range.map(|i| sentence(story, i)).collect();
    sentences
        .chunks(5)
        .map(|p| p.join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// An article file: title, date, source and text.
fn article(title: &str, date: &str, source: &str, text: &str) -> String {
    format!("Title: {title}\nDate: {date}\nSource: {source}\nLanguage: id\n\n{text}\n")
}

/// A wire story (Antara, first), two republications with new headlines and a trimmed last
/// paragraph, an article on the same event written separately, and a short brief that shares
/// two sentences with the wire story.
pub(crate) fn wire_corpus() -> Fixture {
    let fx = Fixture::new();
    fx.write(
        "antara.txt",
        article("Banjir rendam kota", "2024-03-01T08:00:00Z", "Antara", &body(1, 0..40)),
    );
    fx.write(
        "kompas.txt",
        article(
            "Kota terendam banjir",
            "2024-03-01T10:00:00Z",
            "Kompas",
            &body(1, 0..36),
        ),
    );
    fx.write(
        "tempo.txt",
        article(
            "Banjir: warga mengungsi",
            "2024-03-02T07:00:00Z",
            "Tempo",
            &body(1, 0..38),
        ),
    );
    fx.write(
        "own.txt",
        article("Liputan banjir", "2024-03-01T09:00:00Z", "Detik", &body(2, 0..40)),
    );
    fx.write(
        "brief.txt",
        article("Singkat: banjir", "2024-03-01T12:00:00Z", "Antara", &body(1, 0..2)),
    );
    fx
}

fn stats(fx: &Fixture) -> Value {
    let out = fx.warta(&["stats", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The stories of the index as lists of ids (earliest first), sorted.
fn stories(fx: &Fixture) -> Vec<Vec<String>> {
    let wi = warta::index::WartaIndex::open(&fx.index_dir()).unwrap();
    let mut out: Vec<Vec<String>> = wi
        .stories()
        .stories()
        .map(|s| s.members().map(|m| m.id.to_string()).collect())
        .collect();
    out.sort();
    out
}

/// Republications are one story, earliest first; an article on the same event written
/// separately and a short brief sharing two sentences are not copies. `warta stats` says how
/// many articles are copies.
#[test]
fn copies_of_a_wire_story_are_one_story() {
    let fx = wire_corpus();
    fx.index();
    assert_eq!(stories(&fx), [["antara.txt", "kompas.txt", "tempo.txt"]]);
    let v = stats(&fx);
    assert_eq!(v["copies"], 2, "{v}");
    assert_eq!(v["stories_with_copies"], 1, "{v}");
    let out = fx.warta(&["stats"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("copies:     2 articles are copies of another (1 stories with copies)"),
        "{text}"
    );
}

/// Version `v` of an article updated twice: the second replaces its last nine sentences, the
/// third its first nine too. Each is a copy of the one before, the first and the third are not.
fn version(v: usize) -> String {
    let first = if v >= 3 { body(6, 0..9) } else { body(3, 0..9) };
    let last = if v >= 2 { body(5, 0..9) } else { body(3, 51..60) };
    format!("{first}\n\n{}\n\n{last}", body(3, 9..51))
}

/// A chain of updates (A like B, B like C, A not like C) is one story; deleting the middle
/// version splits it, as a fresh build of what is left groups it. Adding a copy back joins
/// it, and changing a copy into another text takes it out.
#[test]
fn a_chain_of_versions_is_one_story_until_its_middle_goes() {
    let fx = Fixture::new();
    for v in 1..=3 {
        fx.write(
            &format!("v{v}.txt"),
            article(&format!("Versi {v}"), &format!("2024-01-0{v}"), "Kompas", &version(v)),
        );
    }
    fx.index();
    assert_eq!(stories(&fx), [["v1.txt", "v2.txt", "v3.txt"]]);
    let fresh = |fx: &Fixture| {
        let other = Fixture::new();
        for entry in std::fs::read_dir(fx.corpus()).unwrap() {
            let entry = entry.unwrap();
            other.write(
                entry.file_name().to_str().unwrap(),
                std::fs::read(entry.path()).unwrap(),
            );
        }
        other.index();
        stories(&other)
    };

    fx.remove("v2.txt");
    fx.index();
    assert_eq!(stories(&fx), Vec::<Vec<String>>::new());
    assert_eq!(fresh(&fx), Vec::<Vec<String>>::new());

    fx.write("v2b.txt", article("Versi 2b", "2024-01-02", "Tempo", &version(2)));
    fx.index();
    assert_eq!(stories(&fx), [["v1.txt", "v2b.txt", "v3.txt"]]);

    fx.write("v3.txt", article("Versi 3", "2024-01-03", "Kompas", &body(4, 0..60)));
    crate::common::bump_mtime(&fx.corpus().join("v3.txt"));
    fx.index();
    assert_eq!(stories(&fx), [["v1.txt", "v2b.txt"]]);
}

/// A story table that is lost, damaged or out of step with the index (a run killed after its
/// commit) is rebuilt by the next run; until then `warta stats` says it is damaged.
#[test]
fn a_lost_or_damaged_story_table_is_rebuilt() {
    let fx = wire_corpus();
    fx.index();
    let table = fx.index_dir().join("stories.json");
    let grouped = stories(&fx);
    assert_eq!(grouped.len(), 1);
    let mut flipped = std::fs::read(&table).unwrap();
    *flipped.last_mut().unwrap() ^= 0x01;
    std::fs::write(&table, &flipped).unwrap();
    let v = stats(&fx);
    assert!(v["stories_damaged"].as_str().unwrap().contains("checksum"), "{v}");
    assert_eq!(v["copies"], 0, "{v}");
    fx.index();
    assert_eq!(stories(&fx), grouped);
    std::fs::remove_file(&table).unwrap();
    fx.index();
    assert_eq!(stories(&fx), grouped);
}

/// A run that changes nothing leaves the story table as it is (an archive re-synced often
/// does not rewrite it each time).
#[test]
fn a_run_that_changes_nothing_keeps_the_story_table() {
    let fx = wire_corpus();
    fx.index();
    let table = fx.index_dir().join("stories.json");
    let written = std::fs::metadata(&table).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    fx.index();
    assert_eq!(std::fs::metadata(&table).unwrap().modified().unwrap(), written);
    assert_eq!(stories(&fx), [["antara.txt", "kompas.txt", "tempo.txt"]]);
}

/// The band tables by which a run finds an added article's copies are rebuilt when lost or
/// damaged: a copy added after that still joins its story.
#[test]
fn a_lost_or_damaged_band_table_is_rebuilt() {
    let fx = wire_corpus();
    fx.index();
    let bands = fx.index_dir().join("bands");
    let tables: Vec<_> = std::fs::read_dir(&bands).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(!tables.is_empty());
    for table in &tables {
        // The header kept, every entry zeroed: its checksum fails.
        let mut bytes = std::fs::read(table).unwrap();
        bytes[24..].fill(0);
        std::fs::write(table, &bytes).unwrap();
    }
    fx.write(
        "detik.txt",
        article("Banjir lagi", "2024-03-03T07:00:00Z", "Detik", &body(1, 0..39)),
    );
    fx.index();
    assert_eq!(stories(&fx), [["antara.txt", "kompas.txt", "tempo.txt", "detik.txt"]]);
    std::fs::remove_dir_all(&bands).unwrap();
    fx.write(
        "suara.txt",
        article("Banjir (2)", "2024-03-04T07:00:00Z", "Suara", &body(1, 1..40)),
    );
    fx.index();
    assert_eq!(
        stories(&fx),
        [["antara.txt", "kompas.txt", "tempo.txt", "detik.txt", "suara.txt"]]
    );
}

/// A process looks up its first rankings' articles one by one and later finds every
/// member's document once: both ways collapse the same copies, on every page.
#[test]
fn collapsing_is_the_same_however_members_are_found() {
    let fx = wire_corpus();
    fx.index();
    let wi = warta::index::WartaIndex::open(&fx.index_dir()).unwrap();
    let page = |offset: usize| {
        let req = warta::search::SearchRequest {
            query: "banjir".into(),
            sort: warta::search::Sort::Oldest,
            limit: 2,
            offset,
            ..Default::default()
        };
        let hits = warta::search::search(&wi, &req).unwrap().hits;
        hits.into_iter().map(|h| (h.id, h.copies)).collect::<Vec<_>>()
    };
    // The second page first: it shows a copy unless the first page's story is known.
    let second = page(2);
    let first = page(0);
    assert_eq!(first, [("antara.txt".to_string(), 2), ("own.txt".to_string(), 0)]);
    assert_eq!(second, [("brief.txt".to_string(), 0)]);
    for _ in 0..4 {
        assert_eq!((page(2), page(0)), (second.clone(), first.clone()));
    }
}

/// A search shows the wire story once, as its best-ranked copy naming the others; `--expand`
/// shows every copy; the total counts articles either way.
#[test]
fn search_collapses_copies_unless_expanded() {
    let fx = wire_corpus();
    fx.index();
    let (v, _) = fx.search_json(&["banjir", "--sort", "oldest"]);
    let ids: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["antara.txt", "own.txt", "brief.txt"], "{v}");
    assert_eq!(v["total"], 5);
    let wire = &v["hits"][0];
    assert_eq!(wire["copies"], 2, "{v}");
    assert_eq!(wire["story"], "antara.txt");
    assert_eq!(
        wire["other_copies"],
        serde_json::json!([{"id": "kompas.txt", "source": "Kompas"}, {"id": "tempo.txt", "source": "Tempo"}])
    );
    assert_eq!(v["hits"][1]["copies"], 0);
    assert!(v["hits"][1].get("story").is_none(), "{v}");

    let (v, _) = fx.search_json(&["banjir", "--sort", "oldest", "--expand"]);
    assert_eq!(v["hits"].as_array().unwrap().len(), 5, "{v}");
    assert_eq!(v["hits"][1]["id"], "own.txt");
    assert_eq!(v["hits"][2]["id"], "kompas.txt");
    assert_eq!(v["hits"][2]["copies"], 2, "{v}");
    assert_eq!(v["hits"][2]["story"], "antara.txt");

    let out = fx.warta(&["search", "banjir", "--sort", "newest"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("2024-03-02  Tempo  [id]  (+2 copies: Antara, Kompas)"),
        "{text}"
    );
    assert!(text.contains("5 matches, showing stories 1-3 ("), "{text}");
    assert!(text.contains(" ms); copies grouped, --expand lists each"), "{text}");
    let out = fx.warta(&["search", "banjir", "--expand"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("5 matches, showing 1-5 ("), "{text}");
}

/// Pages of collapsed results never repeat a story, and together list each story once.
#[test]
fn pages_of_collapsed_results_never_repeat_a_story() {
    let fx = wire_corpus();
    for n in 0..6 {
        fx.write(
            &format!("copy{n}.txt"),
            article(
                &format!("Salinan {n}"),
                &format!("2024-03-0{}", n + 3),
                "Suara",
                &body(1, 0..(39 - n % 3)),
            ),
        );
        fx.write(
            &format!("other{n}.txt"),
            article(
                &format!("Lain {n}"),
                "2024-02-01",
                "Detik",
                &format!("Banjir. {}", body(10 + n, 0..40)),
            ),
        );
    }
    fx.index();
    let mut seen = Vec::new();
    for page in 0..6 {
        let offset = (page * 2).to_string();
        let ids = fx.ids(&["banjir", "--limit", "2", "--offset", &offset]);
        seen.extend(ids);
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "a story repeats: {seen:?}");
    // The wire story and its eight copies, the separate report, the brief, six others.
    assert_eq!(seen.len(), 9, "{seen:?}");
}

/// Facets and timelines count each story once with `--count stories`, at its earliest
/// matching copy; by default they count articles.
#[test]
fn facets_and_timelines_can_count_stories() {
    let fx = wire_corpus();
    fx.index();
    let facet = |args: &[&str]| -> Value {
        let out = fx
            .warta(&["facets", "source", "banjir", "--json"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let counts = |v: &Value| -> Vec<(String, u64)> {
        v["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["value"].as_str().unwrap().to_string(), c["count"].as_u64().unwrap()))
            .collect()
    };
    let pairs = |p: &[(&str, u64)]| -> Vec<(String, u64)> { p.iter().map(|(s, n)| (s.to_string(), *n)).collect() };
    let v = facet(&[]);
    assert_eq!(
        (v["total"].as_u64(), v["counted"].as_str()),
        (Some(5), Some("articles"))
    );
    assert_eq!(
        counts(&v),
        pairs(&[("Antara", 2), ("Detik", 1), ("Kompas", 1), ("Tempo", 1)])
    );
    let v = facet(&["--count", "stories"]);
    assert_eq!((v["total"].as_u64(), v["counted"].as_str()), (Some(3), Some("stories")));
    assert_eq!(counts(&v), pairs(&[("Antara", 2), ("Detik", 1)]));
    // The earliest copy that matches stands for the story.
    let v = facet(&["--count", "stories", "--source", "Kompas", "--source", "Tempo"]);
    assert_eq!(counts(&v), pairs(&[("Kompas", 1)]));

    let timeline = |args: &[&str]| -> Value {
        let out = fx
            .warta(&["timeline", "banjir", "--interval", "day", "--json"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let days = |v: &Value| -> Vec<u64> {
        v["buckets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["count"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(days(&timeline(&[])), [4, 1]);
    let v = timeline(&["--count", "stories"]);
    assert_eq!(days(&v), [3], "{v}");
    assert_eq!(v["total"], 3);
    let out = fx
        .warta(&["timeline", "banjir", "--count", "stories"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 stories"));
}

/// A short page filled with articles missing a word collapses their copies too, after the
/// articles with every word, and its pages neither repeat nor skip a hit.
#[test]
fn a_filled_page_collapses_copies_in_its_relaxed_part() {
    let fx = wire_corpus();
    fx.index();
    // Only own.txt says "liputan"; the wire story's three copies and the brief say "banjir".
    let (v, code) = fx.search_json(&["liputan banjir"]);
    assert_eq!(code, 0);
    assert_eq!(v["relaxed"]["strict_total"], 1, "{v}");
    let ids = crate::common::hit_ids(&v);
    assert_eq!(ids[0], "own.txt");
    assert_eq!(ids.len(), 3, "own.txt, the wire story once, the brief: {ids:?}");
    assert!(ids.contains(&"brief.txt".to_string()), "{ids:?}");
    assert_eq!(v["total"], 5, "articles, copies included: {v}");
    let mut paged = Vec::new();
    for offset in ["0", "2"] {
        let (v, _) = fx.search_json(&["--limit", "2", "--offset", offset, "liputan banjir"]);
        paged.extend(crate::common::hit_ids(&v));
    }
    assert_eq!(paged, ids);
}

/// A story one of whose copies has every word is not shown again after a filled page's
/// divider through its copies that lack one.
#[test]
fn a_filled_page_does_not_show_a_story_twice() {
    let fx = wire_corpus();
    fx.index();
    // Only tempo.txt's title says "mengungsi"; its copies antara.txt and kompas.txt, and
    // the other articles, say "kota".
    let (v, code) = fx.search_json(&["mengungsi kota"]);
    assert_eq!(code, 0);
    assert_eq!(v["relaxed"]["strict_total"], 1, "{v}");
    let ids = crate::common::hit_ids(&v);
    assert_eq!(ids[0], "tempo.txt", "{ids:?}");
    assert!(
        !ids.iter().any(|id| id == "antara.txt" || id == "kompas.txt"),
        "the wire story is shown once: {ids:?}"
    );
    let (v, _) = fx.search_json(&["mengungsi kota", "--expand"]);
    let ids = crate::common::hit_ids(&v);
    assert!(
        ids.contains(&"antara.txt".to_string()),
        "--expand shows every copy: {ids:?}"
    );
}
