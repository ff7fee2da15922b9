#!/usr/bin/env python3
"""Writes the WARC test fixtures with an independent writer (warcio, `pip install warcio`).

    python3 scripts/make_warc_fixture.py tests/fixtures/warc

writes `sample.warc.gz` (one gzip member per record, as Common Crawl writes them) and
`sample.warc` (the same records uncompressed). Every text in them is written for warta's
tests. The records, in order:

 1. warcinfo
 2. request            (skipped: not a response)
 3. response 200 HTML  article 1: date and site name in the page, UTF-8
 4. metadata           (skipped)
 5. response 200 HTML  article 2: no date or site in the page (they come from WARC-Date and
                       the host); windows-1252 named by the HTTP header while the page's
                       <meta charset> says iso-8859-2 (the header wins: byte 0xE8 is "è")
 6. response 404 HTML  (skipped: not 200)
 7. response 200 PNG   (skipped: not HTML)
 8. revisit            (skipped)
 9. response 200 HTML  article 3: chunked and gzip-encoded as wget stores it
10. resource           (skipped)
"""

import gzip
import io
import os
import sys

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

PAGE_ONE = """<!doctype html><html lang="id"><head><meta charset="utf-8">
<title>Banjir rob di pesisir - Kabar Contoh</title>
<meta property="og:title" content="Banjir rob merendam pesisir utara">
<meta property="og:site_name" content="Kabar Contoh">
<meta property="article:published_time" content="2024-11-05T08:30:00+07:00">
</head><body><nav>Beranda Nasional Daerah</nav>
<article><h1>Banjir rob merendam pesisir utara</h1>
<p>Banjir rob kembali merendam permukiman di pesisir utara pada Selasa pagi.</p>
<p>Warga memindahkan perabot ke tempat yang lebih tinggi sambil menunggu air surut.</p>
</article><footer>Hak cipta Kabar Contoh</footer></body></html>
"""

PAGE_TWO = (
    "<html><head><meta charset=\"iso-8859-2\"><title>Harbour caf\u00e8 reopens</title></head>"
    "<body><main><p>The harbour caf\u00e8 reopened on Monday after a long winter.</p>"
    "<p>Its owner said the new terrace faces the fishing boats.</p></main></body></html>\n"
).encode("windows-1252")

PAGE_THREE = """<html lang="en"><head><title>Night market returns</title>
<meta property="og:site_name" content="Example Daily">
<meta name="date" content="2024-12-01">
</head><body><article><p>The night market returned to the old square this weekend.</p>
<p>Stalls sold grilled corn, noodles and hand-made lanterns.</p></article></body></html>
"""

NOT_FOUND = "<html><body><p>Page not found</p></body></html>\n"

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00"


def chunked(data, size=64):
    out = b""
    for i in range(0, len(data), size):
        part = data[i : i + size]
        out += b"%x\r\n" % len(part) + part + b"\r\n"
    return out + b"0\r\n\r\n"


def response(writer, uri, date, status, headers, payload):
    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(
        uri,
        "response",
        payload=io.BytesIO(payload),
        http_headers=http,
        warc_headers_dict={"WARC-Date": date},
    )
    writer.write_record(record)


def write(out, gz):
    writer = WARCWriter(out, gzip=gz)
    writer.write_record(
        writer.create_warcinfo_record("sample.warc", {"software": "warcio", "description": "warta test fixture"})
    )
    writer.write_record(
        writer.create_warc_record(
            "https://kabar.example.id/banjir-rob",
            "request",
            payload=io.BytesIO(b"GET /banjir-rob HTTP/1.1\r\nHost: kabar.example.id\r\n\r\n"),
            warc_content_type="application/http; msgtype=request",
        )
    )
    response(
        writer,
        "https://kabar.example.id/banjir-rob",
        "2024-11-05T02:00:00Z",
        "200 OK",
        [("Content-Type", "text/html; charset=utf-8")],
        PAGE_ONE.encode("utf-8"),
    )
    writer.write_record(
        writer.create_warc_record(
            "https://kabar.example.id/banjir-rob",
            "metadata",
            payload=io.BytesIO(b"fetchTimeMs: 120\r\n"),
            warc_content_type="application/warc-fields",
        )
    )
    response(
        writer,
        "https://news.example.org/harbour-cafe",
        "2024-03-18T06:45:00Z",
        "200 OK",
        [("Content-Type", "text/html; charset=windows-1252")],
        PAGE_TWO,
    )
    response(
        writer,
        "https://news.example.org/missing",
        "2024-03-18T06:46:00Z",
        "404 Not Found",
        [("Content-Type", "text/html")],
        NOT_FOUND.encode(),
    )
    response(
        writer,
        "https://news.example.org/pixel.png",
        "2024-03-18T06:47:00Z",
        "200 OK",
        [("Content-Type", "image/png")],
        PNG,
    )
    writer.write_record(
        writer.create_revisit_record(
            "https://kabar.example.id/banjir-rob",
            "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "https://kabar.example.id/banjir-rob",
            "2024-11-05T02:00:00Z",
        )
    )
    response(
        writer,
        "https://daily.example.com/night-market",
        "2024-12-01T20:00:00Z",
        "200 OK",
        [
            ("Content-Type", "text/html"),
            ("Transfer-Encoding", "chunked"),
            ("Content-Encoding", "gzip"),
        ],
        chunked(gzip.compress(PAGE_THREE.encode("utf-8"), mtime=0)),
    )
    writer.write_record(
        writer.create_warc_record(
            "https://daily.example.com/about",
            "resource",
            payload=io.BytesIO(b"<html><body>About us</body></html>"),
            warc_content_type="text/html",
        )
    )


def main():
    target = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/warc"
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(target, "sample.warc.gz"), "wb") as out:
        write(out, True)
    with open(os.path.join(target, "sample.warc"), "wb") as out:
        write(out, False)


if __name__ == "__main__":
    main()
