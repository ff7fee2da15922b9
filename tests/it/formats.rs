//! Every supported format, metadata alias and date format, read end to end through the binary.

use crate::common::Fixture;
use serde_json::Value;

#[test]
fn every_format_and_alias_is_read() {
    let fx = Fixture::new();
    fx.write(
        "txt/header.txt",
        "title: Header title\nDATE: Kamis, 14 September 2023 10:15 WIB\nSource: Antara\nURL: https://example.id/a\nAuthor: Dewi\nLanguage: id\n\nIsi berita tentang pertemuan.\n",
    );
    fx.write(
        "txt/noheader.txt",
        "A short first line\n\nThe body follows the first line here.\n",
    );
    fx.write_gz(
        "txt/zipped.txt.gz",
        "Title: Zipped text\nDate: 2022-11-15\n\nBody in a gzip file.\n",
    );
    fx.write(
        "md/yaml.md",
        "---\ntitle: YAML front matter\ndate: 2024-03-14\npublisher: Kompas\nlang: id\n---\n# Heading\n\nSome **bold** text with a [link](https://x.test).\n",
    );
    fx.write(
        "md/toml.md",
        "+++\ntitle = \"TOML front matter\"\ndate = 2023-09-14\nsite = \"Tempo\"\n+++\nBody of the TOML article.\n",
    );
    fx.write(
        "json/one.json",
        r#"{"headline": "Single JSON", "article": "Body one.", "datePublished": "September 14, 2023", "site_name": "BBC News", "link": "https://bbc.test/1", "byline": "A. Writer", "language": "en"}"#,
    );
    fx.write(
        "json/many.json",
        r#"[{"title": "First of array", "content": "c1", "pubDate": "Wed, 13 Sep 2023 01:15:00 +0000", "publisher": {"name": "Reuters"}},
           {"title": "Second of array", "text": "c2", "published_at": "2023/09/14", "source": "Reuters", "authors": ["X", "Y"]},
           {"title": "Third of array", "body": "c3", "publishedAt": "2023-09-13T10:15:00+09:00", "site": "Reuters"}]"#,
    );
    fx.write(
        "jsonl/lines.jsonl",
        "{\"title\":\"Line one\",\"body\":\"b1\",\"date\":\"5 Agu 2024\",\"source\":\"Tempo\"}\n{\"title\":\"Line two\",\"body\":\"b2\",\"published\":\"12 Des 2022\",\"source\":\"Tempo\"}\n",
    );
    fx.write(
        "jsonl/lines.ndjson",
        "{\"title\":\"Nd one\",\"body\":\"n1\",\"date\":\"Senin, 2 Oktober 2023 08:00 WITA\"}\n",
    );
    fx.write_gz(
        "jsonl/packed.jsonl.gz",
        "{\"title\":\"Gz line\",\"body\":\"g1\",\"date\":\"14 Maret 2024\"}\n",
    );
    // Two gzip members, as `cat a.jsonl.gz b.jsonl.gz` makes: one call cannot inflate the
    // whole, and the stream that then reads it must keep the second member's article.
    let member = |line: &str| {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut enc, line.as_bytes()).unwrap();
        enc.finish().unwrap()
    };
    fx.write(
        "jsonl/joined.jsonl.gz",
        [
            member("{\"title\":\"First member\",\"body\":\"m1\"}\n"),
            member("{\"title\":\"Second member\",\"body\":\"m2\"}\n"),
        ]
        .concat(),
    );
    fx.write(
        "html/page.html",
        r#"<html lang="id"><head><title>Page title - Site</title>
<meta property="og:title" content="Judul HTML">
<meta property="article:published_time" content="2023-09-14T10:15:00+07:00">
<meta property="og:site_name" content="Detik">
<style>.zzstylenoise{}</style><script>var t = "zzscriptnoise";</script></head>
<body><header>zzheadernoise</header><nav>zznavnoise</nav>
<article><h1>Judul HTML</h1><p>Paragraf pertama berita.</p><aside>zzasidenoise</aside><p>Paragraf kedua.</p></article>
<footer>zzfooternoise</footer></body></html>"#,
    );
    fx.write(
        "html/ld.htm",
        r#"<html><head><script type="application/ld+json">{"@type":"NewsArticle","headline":"LD page","datePublished":"2021-05-01","publisher":{"name":"Jakarta Post"}}</script></head>
<body><main><p>Body of the LD page <time datetime="2020-01-01">then</time>.</p></main></body></html>"#,
    );
    fx.write("notes.csv", "not,an,article\n");

    let (stdout, stderr) = fx.index();
    assert!(stdout.contains("files: 13 added"), "{stdout}");
    assert!(stdout.contains("1 not articles"), "{stdout}");
    assert!(stdout.contains("articles: 17 indexed"), "{stdout}");
    assert!(stderr.is_empty(), "no warnings expected: {stderr}");

    let a = fx.show("txt/header.txt");
    assert_eq!(a["title"], "Header title");
    assert_eq!(a["date"], "2023-09-14T10:15:00+07:00");
    assert_eq!(a["source"], "Antara");
    assert_eq!(a["url"], "https://example.id/a");
    assert_eq!(a["author"], "Dewi");
    assert_eq!(a["lang"], "id");
    assert_eq!(a["body"], "Isi berita tentang pertemuan.");

    let a = fx.show("txt/noheader.txt");
    assert_eq!(a["title"], "A short first line");
    assert_eq!(a["body"], "The body follows the first line here.");
    assert_eq!(a["date"], Value::Null);

    assert_eq!(fx.show("txt/zipped.txt.gz")["date"], "2022-11-15T00:00:00Z");

    let a = fx.show("md/yaml.md");
    assert_eq!(a["title"], "YAML front matter");
    assert_eq!(a["source"], "Kompas");
    assert_eq!(a["date"], "2024-03-14T00:00:00Z");
    let body = a["body"].as_str().unwrap();
    assert!(body.contains("Some bold text with a link."), "{body}");
    assert!(!body.contains("**") && !body.contains("https://x.test"), "{body}");

    let a = fx.show("md/toml.md");
    assert_eq!(
        (a["title"].as_str(), a["source"].as_str()),
        (Some("TOML front matter"), Some("Tempo"))
    );
    assert_eq!(a["date"], "2023-09-14T00:00:00Z");

    let a = fx.show("json/one.json");
    assert_eq!(a["title"], "Single JSON");
    assert_eq!(a["body"], "Body one.");
    assert_eq!(a["date"], "2023-09-14T00:00:00Z");
    assert_eq!(a["source"], "BBC News");
    assert_eq!(a["url"], "https://bbc.test/1");
    assert_eq!(a["author"], "A. Writer");
    assert_eq!(a["lang"], "en");

    assert_eq!(fx.show("json/many.json#1")["date"], "2023-09-13T01:15:00+00:00");
    assert_eq!(fx.show("json/many.json#1")["source"], "Reuters");
    assert_eq!(fx.show("json/many.json#2")["author"], "X, Y");
    assert_eq!(fx.show("json/many.json#2")["date"], "2023-09-14T00:00:00Z");
    assert_eq!(fx.show("json/many.json#3")["date"], "2023-09-13T10:15:00+09:00");
    assert_eq!(fx.show("jsonl/lines.jsonl#1")["date"], "2024-08-05T00:00:00Z");
    assert_eq!(fx.show("jsonl/lines.jsonl#2")["date"], "2022-12-12T00:00:00Z");
    assert_eq!(fx.show("jsonl/lines.ndjson#1")["date"], "2023-10-02T08:00:00+08:00");
    assert_eq!(fx.show("jsonl/packed.jsonl.gz#1")["date"], "2024-03-14T00:00:00Z");
    assert_eq!(fx.show("jsonl/joined.jsonl.gz#1")["title"], "First member");
    assert_eq!(fx.show("jsonl/joined.jsonl.gz#2")["title"], "Second member");

    let a = fx.show("html/page.html");
    assert_eq!(a["title"], "Judul HTML");
    assert_eq!(a["source"], "Detik");
    assert_eq!(a["date"], "2023-09-14T10:15:00+07:00");
    assert_eq!(a["lang"], "id");
    assert_eq!(a["body"], "Paragraf pertama berita.\n\nParagraf kedua.");
    let a = fx.show("html/ld.htm");
    assert_eq!(
        (a["title"].as_str(), a["source"].as_str()),
        (Some("LD page"), Some("Jakarta Post"))
    );
    assert_eq!(a["date"], "2021-05-01T00:00:00Z");

    // Page furniture is never indexed.
    for noise in [
        "zzstylenoise",
        "zzscriptnoise",
        "zzheadernoise",
        "zznavnoise",
        "zzasidenoise",
        "zzfooternoise",
    ] {
        let (v, code) = fx.search_json(&[noise]);
        assert_eq!((v["total"].as_u64(), code), (Some(0), 1), "{noise} must not be indexed");
    }
}

#[test]
fn malformed_files_are_reported_and_the_run_goes_on() {
    let fx = Fixture::new();
    fx.write("good.txt", "Title: Good one\n\nA fine article about Jakarta.\n");
    fx.write("bad.json", "{\"title\": \"unterminated\"");
    fx.write("scalar.json", "42");
    fx.write(
        "bad.jsonl",
        "{\"title\":\"ok line\",\"body\":\"x\"}\nnot json at all\n{\"title\":\"third\",\"body\":\"y\"}\n",
    );
    fx.write("bad.md", "---\ntitle: [unclosed\n---\nbody\n");
    fx.write("empty.html", "");
    fx.write("blank.txt", "   \n\n");
    fx.write("latin1.txt", b"Title: caf\xe9\n\nbody\n".as_slice());
    fx.write("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00".as_slice());
    fx.write("bad.txt.gz", "this is not gzip");
    fx.write("nothing.json", "{\"foo\": 1}");
    fx.write("baddate.txt", "Title: Undated\nDate: next Tuesday\n\nBody.\n");

    let (stdout, stderr) = fx.index();
    for (file, reason) in [
        ("bad.json", "malformed JSON"),
        ("scalar.json", "expected an article object or an array"),
        ("bad.jsonl: line 2", "malformed JSON"),
        ("bad.md", "malformed YAML front matter"),
        ("empty.html", "empty file"),
        ("blank.txt", "empty file"),
        ("binary.txt", "binary"),
        ("bad.txt.gz", "skipped"),
        ("nothing.json", "no title and no text"),
        ("baddate.txt", "unrecognised date \"next Tuesday\""),
    ] {
        let line = stderr
            .lines()
            .find(|l| l.contains(file))
            .unwrap_or_else(|| panic!("no warning for {file}: {stderr}"));
        assert!(line.contains(reason), "warning for {file} should say {reason}: {line}");
    }
    // latin1.txt is not skipped: legacy encodings are decoded (tests/reliability.rs).
    assert!(!stderr.contains("latin1.txt"), "{stderr}");
    // nothing.json holds no article at all: a skipped file, not an added one.
    assert!(stdout.contains("files: 4 added"), "{stdout}");
    assert!(stdout.contains("articles: 5 indexed"), "{stdout}");
    assert!(stdout.contains("8 skipped"), "{stdout}");
    assert!(stdout.contains("1 no articles"), "{stdout}");
    // A rerun adds nothing: files without articles are reported as skipped again, never as new.
    let (again, _) = fx.index();
    assert!(again.contains("files: 0 added"), "{again}");
    // The undated article is indexed without a date.
    let (v, _) = fx.search_json(&["undated"]);
    assert_eq!(v["hits"][0]["date"], Value::Null);
    // stats lists the skipped files with reasons.
    let out = fx.warta(&["stats", "--json"]).output().unwrap();
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
    let skipped = stats["last_run"]["skipped"].as_array().unwrap();
    assert!(skipped
        .iter()
        .any(|s| s["path"].as_str().unwrap().ends_with("binary.txt")));
    assert_eq!(stats["articles"], 5);
}

/// NUL bytes past the start of a text file, and `\u0000` in JSON, never reach the index: they
/// are removed, with a warning, and the article is kept.
#[test]
fn nul_bytes_beyond_the_start_are_removed_with_a_warning() {
    let fx = Fixture::new();
    let mut txt = b"Title: Late NUL\n\n".to_vec();
    txt.extend("kata ".repeat(2000).as_bytes());
    txt.extend(b"zzbefore\0\0zzafter\n");
    fx.write("late.txt", txt);
    fx.write(
        "escaped.json",
        r#"{"title": "Escaped\u0000 NUL", "body": "Isi zzjson\u0000 berita."}"#,
    );
    let (out, err) = fx.index();
    assert!(out.contains("2 added"), "{out}");
    assert!(err.contains("late.txt") && err.contains("NUL"), "{err}");
    assert!(err.contains("escaped.json"), "{err}");
    for id in ["late.txt", "escaped.json"] {
        let out = fx.warta(&["show", id, "--json"]).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains("\\u0000") && !text.contains('\0'), "{text}");
    }
    assert_eq!(fx.ids(&["zzbeforezzafter"]), ["late.txt"]);
}

/// Punctuation saved as mojibake (UTF-8 read back as Mac Roman or Windows-1252, as in
/// scraped news) is indexed, shown and searched as the marks it stands for.
#[test]
fn mis_decoded_punctuation_is_repaired() {
    let fx = Fixture::new();
    let mac = |mark: &str| match mark {
        "open" => "\u{201A}\u{00C4}\u{00FA}",
        _ => "\u{201A}\u{00C4}\u{00F9}",
    };
    let body = format!(
        "{}Kami sudah siap menghadapi banjir,{} kata Budi Santoso, warga Kampung Melayu.",
        mac("open"),
        mac("close")
    );
    fx.write(
        "a.jsonl",
        format!(
            "{}\n",
            serde_json::json!({"title": "Warga siap hadapi banjir", "body": body, "lang": "id"})
        ),
    );
    fx.write(
        "b.txt",
        "Title: It\u{00E2}\u{20AC}\u{2122}s a deal\n\nThe parties said it\u{00E2}\u{20AC}\u{2122}s done.\n",
    );
    fx.index();
    let out = fx.warta(&["show", "a.jsonl#1", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["body"],
        "\u{201C}Kami sudah siap menghadapi banjir,\u{201D} kata Budi Santoso, warga Kampung Melayu."
    );
    let (v, _) = fx.search_json(&["deal"]);
    assert_eq!(v["hits"][0]["title"], "It\u{2019}s a deal");
    assert!(!v.to_string().contains('\u{20AC}'), "{v}");
}

/// Text under hundreds of unclosed tags is all indexed; markup nested past the parser's
/// budget is flattened with a warning naming the file, which `warta stats` keeps.
#[test]
fn deep_html_keeps_its_text_and_says_when_it_was_flattened() {
    let fx = Fixture::new();
    let fonts: String = (0..300).map(|i| format!("<font><p>para{i} zzfont{i}</p>")).collect();
    fx.write("fonts.html", format!("<html><body>{fonts}</body></html>"));
    fx.write(
        "divs.html",
        format!(
            "<html><head><title>Divs</title></head><body>{}<p>zzdeepest text</p>{}</body></html>",
            "<div>".repeat(5000),
            "</div>".repeat(5000)
        ),
    );
    let (out, err) = fx.index();
    assert!(out.contains("2 added"), "{out}");
    assert_eq!(fx.ids(&["zzfont299"]), ["fonts.html"]);
    assert_eq!(fx.ids(&["zzdeepest"]), ["divs.html"]);
    assert!(!err.contains("fonts.html"), "{err}");
    assert!(err.contains("divs.html") && err.contains("nested deeper"), "{err}");
    let stats = fx.warta(&["stats"]).output().unwrap();
    let text = String::from_utf8_lossy(&stats.stdout);
    assert!(text.contains("divs.html") && text.contains("nested deeper"), "{text}");
    // A degraded article fails a strict run.
    let out = fx
        .warta(&["index", "--strict", "--rebuild"])
        .arg(fx.corpus())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}
