//! Fuzzing the ingest parsers (proptest): arbitrary bytes and structured but broken input
//! (front matter, JSON, JSON Lines, HTML, gzip) read as files of every format. Reading never
//! panics, and every outcome is an article with a title or text, a record error saying why,
//! or the whole file skipped for a named reason. `PROPTEST_CASES` raises the number of cases
//! (CI keeps the default, a few hundred).

use std::io::Write;

use proptest::prelude::*;
use warta::ingest::{read_file, Format, Record, SkipReason};

/// Fragments of the formats warta reads, to be glued into broken documents.
fn fragment() -> impl Strategy<Value = String> {
    let known = prop::sample::select(vec![
        "---\n",
        "+++\n",
        "title: ",
        "Title: ",
        "date: ",
        "Date: 2023-13-45\n",
        "source: ",
        "\n",
        "\n\n",
        "\r\n",
        "{",
        "}",
        "[",
        "]",
        "\"",
        "\\",
        "\\u0000",
        "\\ud800",
        ":",
        ",",
        "null",
        "true",
        "1e999",
        "-0",
        "\"title\": ",
        "\"body\": ",
        "\"date\": ",
        "\"articles\": ",
        "<",
        ">",
        "</",
        "/>",
        "<p>",
        "</p>",
        "<div>",
        "<font>",
        "<script>",
        "</script>",
        "<!--",
        "-->",
        "<meta property=\"og:title\" content=\"",
        "<article>",
        "<html lang=\"",
        "&amp;",
        "&#0;",
        "&#x110000;",
        "\u{feff}",
        "\u{0}",
        "é",
        "日本",
        "\u{202e}",
        "%FF",
        "# Judul\n",
        "**",
        "```",
        "    ",
        "\t",
    ])
    .prop_map(str::to_string);
    prop_oneof![4 => known, 1 => "\\PC{0,12}", 1 => "[a-zA-Z ]{1,20}"]
}

/// A broken document: fragments in any order.
fn soup() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(fragment(), 0..60).prop_map(|parts| parts.concat().into_bytes())
}

/// Input of any kind: arbitrary bytes, fragment soup, or a valid-looking document broken by
/// a cut or flipped bytes.
fn input() -> impl Strategy<Value = Vec<u8>> {
    let valid = prop::sample::select(vec![
        "---\ntitle: Judul\ndate: 2023-09-14\n---\n# Judul\n\nIsi berita tentang Jakarta.\n",
        "Title: Judul\nDate: 14 September 2023\n\nIsi berita.\n",
        "{\"title\": \"Judul\", \"body\": \"Isi\", \"date\": \"2023-09-14\"}",
        "[{\"title\": \"A\", \"body\": \"a\"}, {\"title\": \"B\"}, 3]",
        "{\"title\": \"A\", \"body\": \"a\"}\n{\"title\": \"B\", \"body\": \"b\"}\nnot json\n",
        "<html><head><title>Judul</title></head><body><article><p>Isi.</p></article></body></html>",
    ]);
    let broken = (
        valid,
        any::<prop::sample::Index>(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
    )
        .prop_map(|(text, cut, flips)| {
            let mut b = text.as_bytes().to_vec();
            for (at, x) in flips {
                let i = at.index(b.len());
                b[i] ^= x;
            }
            b.truncate(cut.index(b.len() + 1));
            b
        });
    prop_oneof![prop::collection::vec(any::<u8>(), 0..2000), soup(), broken]
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Reads `bytes` as a file of `format` (gzip-compressed when `gz`) and checks every outcome.
fn check(bytes: &[u8], format: Format, gz: bool) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(if gz { "case.gz" } else { "case" });
    std::fs::write(&path, bytes).unwrap();
    let mut records: Vec<Record> = Vec::new();
    match read_file(&path, format, gz, |r| records.push(r)) {
        Ok(()) => prop_assert!(!records.is_empty(), "a file read without error holds a record"),
        Err(reason) => {
            prop_assert!(!reason.to_string().trim().is_empty(), "{reason:?}");
            prop_assert!(!matches!(reason, SkipReason::NotRegular(_)));
        }
    }
    for r in records {
        match r.result {
            Ok(a) => {
                prop_assert!(a.title.is_some() || a.body.is_some(), "{a:?}");
                for field in [&a.title, &a.body, &a.source, &a.url, &a.author] {
                    prop_assert!(!field.as_deref().unwrap_or("").contains('\0'), "NUL indexed: {a:?}");
                }
            }
            Err(why) => prop_assert!(!why.trim().is_empty(), "a record error says why"),
        }
    }
    Ok(())
}

const FORMATS: [Format; 5] = [
    Format::Text,
    Format::Markdown,
    Format::Json,
    Format::JsonLines,
    Format::Html,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(300)
    ))]

    #[test]
    fn every_file_gives_articles_or_named_errors(bytes in input(), format in prop::sample::select(FORMATS.to_vec())) {
        check(&bytes, format, false)?;
    }

    #[test]
    fn every_gzip_file_gives_articles_or_named_errors(
        bytes in input(),
        format in prop::sample::select(FORMATS.to_vec()),
        cut in any::<prop::sample::Index>(),
        whole in any::<bool>(),
    ) {
        let mut gz = gzip(&bytes);
        if !whole {
            gz.truncate(cut.index(gz.len() + 1));
        }
        check(&gz, format, true)?;
    }
}
