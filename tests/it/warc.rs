//! Web archives (`.warc`, `.warc.gz`) indexed end to end, on fixtures written by an independent
//! writer (warcio; `scripts/make_warc_fixture.py`).

use crate::common::{bump_mtime, Fixture};

const FIXTURE_GZ: &[u8] = include_bytes!("../fixtures/warc/sample.warc.gz");
const FIXTURE: &[u8] = include_bytes!("../fixtures/warc/sample.warc");
/// Offsets of the gzip members (one a record) of the compressed fixture, as `warcio index`
/// gives them: the second page (harbour café) and the third (night market).
const SECOND_PAGE_AT: usize = 1518;
const THIRD_PAGE_AT: usize = 3052;

#[test]
fn pages_of_a_web_archive_are_articles() {
    let fx = Fixture::new();
    fx.write("crawl/sample.warc.gz", FIXTURE_GZ);
    fx.write("plain/sample.warc", FIXTURE);
    let (stdout, stderr) = fx.index();
    assert!(stderr.is_empty(), "no warnings expected: {stderr}");
    assert!(stdout.contains("articles: 6 indexed"), "{stdout}");
    // Of each file: warcinfo, request, metadata, revisit, resource, a 404 and an image.
    assert!(
        stdout.contains(
            "records not articles (passed over): 2 metadata, 2 request, 2 resource, 2 response not HTML, 2 response not status 200, 2 revisit, 2 warcinfo"
        ),
        "{stdout}"
    );

    for base in ["crawl/sample.warc.gz", "plain/sample.warc"] {
        // Date and site name from the page.
        let a = fx.show(&format!("{base}#1"));
        assert_eq!(a["title"], "Banjir rob merendam pesisir utara");
        assert_eq!(a["source"], "Kabar Contoh");
        assert_eq!(a["date"], "2024-11-05T08:30:00+07:00");
        assert_eq!(a["url"], "https://kabar.example.id/banjir-rob");
        assert_eq!(a["lang"], "id");
        let body = a["body"].as_str().unwrap();
        assert!(body.starts_with("Banjir rob kembali merendam"), "{body}");
        assert!(!body.contains("Beranda") && !body.contains("Hak cipta"), "{body}");

        // None in the page: the record's date and the host. The HTTP header's charset
        // (windows-1252) wins over the page's <meta charset> (iso-8859-2, where 0xE8 is "č").
        let a = fx.show(&format!("{base}#2"));
        assert_eq!(a["title"], "Harbour caf\u{e8} reopens");
        assert_eq!(a["source"], "news.example.org");
        assert_eq!(a["date"], "2024-03-18T06:45:00Z");
        assert_eq!(a["url"], "https://news.example.org/harbour-cafe");
        assert!(a["body"].as_str().unwrap().contains("harbour caf\u{e8} reopened"));

        // Stored chunked and gzip-encoded, as wget keeps responses.
        let a = fx.show(&format!("{base}#3"));
        assert_eq!(a["title"], "Night market returns");
        assert_eq!(a["source"], "Example Daily");
        assert_eq!(a["date"], "2024-12-01T00:00:00Z");
        assert!(a["body"].as_str().unwrap().contains("hand-made lanterns"));
    }
    assert_eq!(fx.ids(&["lanterns"]).len(), 2);
}

/// A damaged gzip member is a warning naming its offset, and the pages after it are read;
/// so is a file cut short in its last page.
#[test]
fn damage_is_reported_at_its_offset_and_the_rest_is_read() {
    assert_eq!(&FIXTURE_GZ[SECOND_PAGE_AT..SECOND_PAGE_AT + 3], [0x1f, 0x8b, 0x08]);
    assert_eq!(&FIXTURE_GZ[THIRD_PAGE_AT..THIRD_PAGE_AT + 3], [0x1f, 0x8b, 0x08]);
    let fx = Fixture::new();
    let mut damaged = FIXTURE_GZ.to_vec();
    for b in &mut damaged[SECOND_PAGE_AT + 30..SECOND_PAGE_AT + 60] {
        *b ^= 0x55;
    }
    fx.write("damaged.warc.gz", &damaged);
    fx.write("cut.warc.gz", &FIXTURE_GZ[..THIRD_PAGE_AT + 200]);
    let out = fx.warta(&["index"]).arg(fx.corpus()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!(
            "damaged.warc.gz: gzip member at offset {SECOND_PAGE_AT}: skipped: damaged compressed data"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("cut.warc.gz: gzip member at offset {THIRD_PAGE_AT}: skipped:")),
        "{stderr}"
    );
    // One warning each, not one per line of damaged data.
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert!(stdout.contains("articles: 4 indexed, 0 removed, 2 skipped"), "{stdout}");
    // The damaged file's third page is read, after the damaged second.
    assert_eq!(fx.show("damaged.warc.gz#2")["title"], "Night market returns");
    assert_eq!(fx.show("cut.warc.gz#2")["title"], "Harbour caf\u{e8} reopens");
}

/// A web archive that grew (a crawl still writing) is read again on the next run, like a
/// JSON Lines file: its articles are replaced, none is duplicated; unchanged, it is not read.
#[test]
fn a_grown_archive_is_read_again_without_duplicates() {
    let fx = Fixture::new();
    let path = fx.write("live.warc", FIXTURE);
    let (stdout, _) = fx.index();
    assert!(stdout.contains("articles: 3 indexed"), "{stdout}");
    let extra = "<html><head><title>Ferry timetable changes</title></head><body><p>The ferry now leaves at dawn.</p></body></html>";
    let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{extra}");
    let record = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://news.example.org/ferry\r\nWARC-Date: 2024-04-01T05:00:00Z\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n{http}\r\n\r\n",
        http.len()
    );
    fx.write("live.warc", [FIXTURE, record.as_bytes()].concat());
    bump_mtime(&path);
    let (stdout, stderr) = fx.index();
    assert!(stderr.is_empty(), "{stderr}");
    assert!(stdout.contains("files: 0 added, 1 updated"), "{stdout}");
    assert!(
        stdout.contains("articles: 4 indexed, 3 removed, 0 skipped; 4 in the index"),
        "{stdout}"
    );
    assert_eq!(fx.ids(&["ferry"]), ["live.warc#4"]);
    let (stdout, _) = fx.index();
    assert!(stdout.contains("1 unchanged"), "{stdout}");
}

/// A file named `.warc` that is not one is skipped as malformed, with the reason.
#[test]
fn a_file_that_is_not_a_web_archive_is_skipped() {
    let fx = Fixture::new();
    fx.write("page.warc", "<html><body><p>Not an archive.</p></body></html>\n");
    fx.write_gz(
        "page.warc.gz",
        "<html><body><p>Not an archive either.</p></body></html>\n",
    );
    fx.write("ok.warc", FIXTURE);
    let out = fx.warta(&["index"]).arg(fx.corpus()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("page.warc: skipped: not a WARC file"), "{stderr}");
    assert!(stderr.contains("page.warc.gz: skipped: not a WARC file"), "{stderr}");
    // Said once each, as the reason the file was skipped.
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("articles: 3 indexed"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(200)
    ))]

    /// The fixtures damaged anywhere (bytes flipped, the file cut): the reader gives articles
    /// and records that say why they could not be read, or refuses the file with a reason,
    /// and never panics; it finds no more articles than the fixture has HTML pages (three of
    /// status 200, and a 404 whose status a flip may turn into a 200).
    #[test]
    fn damaged_archives_give_articles_or_named_errors(
        gz in proptest::prelude::any::<bool>(),
        flips in proptest::collection::vec((0usize..8000, 1u8..=255), 0..4),
        cut in 0usize..8000,
    ) {
        let mut bytes = if gz { FIXTURE_GZ.to_vec() } else { FIXTURE.to_vec() };
        for (at, x) in flips {
            let i = at % bytes.len();
            bytes[i] ^= x;
        }
        bytes.truncate(cut.max(1).min(bytes.len()));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(if gz { "case.warc.gz" } else { "case.warc" });
        std::fs::write(&path, &bytes).unwrap();
        let mut articles = 0;
        let result = warta::ingest::read_file(&path, warta::ingest::Format::Warc, gz, |r| match r.result {
            Ok(a) => {
                articles += 1;
                assert!(a.title.is_some() || a.body.is_some());
            }
            Err(why) => assert!(!why.trim().is_empty() && !r.place.is_empty()),
        });
        if let Err(reason) = result {
            proptest::prop_assert!(!reason.to_string().trim().is_empty());
        }
        proptest::prop_assert!(articles <= 4, "{} articles", articles);
    }
}

/// A compressed archive too big to be read whole (over 16 MiB) whose first gzip member is
/// damaged: the damage is reported and the pages after it are read, as in a small one (its
/// start used to be sniffed as a stream, and the damage refused the whole file as unreadable).
/// A big uncompressed one that starts with binary bytes is read too.
#[test]
fn a_big_archive_with_a_damaged_first_member_is_read() {
    use std::io::Write;
    let member = |record: &[u8], level: flate2::Compression| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), level);
        e.write_all(record).unwrap();
        e.finish().unwrap()
    };
    let record = |kind: &str, http_type: &str, body: &[u8]| {
        let block = [
            format!("HTTP/1.1 200 OK\r\nContent-Type: {http_type}\r\n\r\n").as_bytes(),
            body,
        ]
        .concat();
        let mut r = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: https://news.example.org/{kind}\r\nWARC-Date: 2024-02-03T04:05:06Z\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(&block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    };
    let mut first = member(
        &record("response", "text/html", b"<p>lost</p>"),
        flate2::Compression::default(),
    );
    for b in &mut first[12..40] {
        *b ^= 0x55;
    }
    // Pseudo-random bytes, stored: a 17 MB member that does not compress.
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let noise: Vec<u8> = (0..17 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let image = record("response", "image/jpeg", &noise);
    let page = record(
        "response",
        "text/html",
        b"<html><head><title>Tide tables</title></head><body><p>High tide at noon.</p></body></html>",
    );
    let fx = Fixture::new();
    let compressed = [
        first.clone(),
        member(&image, flate2::Compression::none()),
        member(&page, flate2::Compression::default()),
    ];
    fx.write("big.warc.gz", compressed.concat());
    // Uncompressed, over 1 MiB, binary bytes in its first kilobytes: read as well.
    fx.write("plain/big.warc", [image, page].concat());
    let out = fx.warta(&["index"]).arg(fx.corpus()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stderr.contains("big.warc.gz: gzip member at offset 0: skipped: damaged compressed data"),
        "{stderr}"
    );
    assert!(
        stdout.contains("articles: 2 indexed, 0 removed, 1 skipped"),
        "{stdout}{stderr}"
    );
    let mut ids = fx.ids(&["tide"]);
    ids.sort();
    assert_eq!(ids, ["big.warc.gz#1", "plain/big.warc#1"]);
}
