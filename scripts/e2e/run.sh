#!/usr/bin/env bash
# Real-browser end-to-end test of `warta serve` and its page (web/).
#
#   scripts/e2e/run.sh [WARTA_BINARY]
#
# WARTA_BINARY defaults to target/debug/warta, else target/release/warta; this script builds
# nothing (run `cargo build` or `cargo test` first). It indexes a copy of sample_corpus/ plus
# an XSS probe article into a temporary directory, starts `warta serve` on a free port,
# drives headless Chromium through scripts/e2e/test.mjs (plain Node, no npm packages), writes
# a screenshot (kept at $SCREENSHOT when set, e.g. docs/screenshot.png), then stops the server
# and removes the temporary files.
# Needs node and chromium (or chromium-browser; the CHROMIUM variable overrides). When
# Chromium is missing, we are root and apt-get exists, the Debian package is installed.
# Exit status: 0 all checks passed, 1 a check failed, 2 something needed is missing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

die() { echo "e2e: $*" >&2; exit 2; }

# --- the warta binary ---
WARTA=${1:-}
if [ -z "$WARTA" ]; then
    for candidate in target/debug/warta target/release/warta; do
        if [ -x "$candidate" ]; then WARTA=$candidate; break; fi
    done
    [ -n "$WARTA" ] || die "no warta binary in target/debug or target/release: run 'cargo build' first, or pass its path"
fi
[ -x "$WARTA" ] || die "$WARTA is not an executable file"
WARTA=$(cd "$(dirname "$WARTA")" && pwd)/$(basename "$WARTA")

# --- node and Chromium ---
command -v node >/dev/null || die "node is not installed (any version >= 18 works)"
find_chromium() {
    if [ -n "${CHROMIUM:-}" ]; then command -v "$CHROMIUM" && return; fi
    command -v chromium || command -v chromium-browser
}
if ! CHROME=$(find_chromium); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "e2e: Chromium not found: installing the Debian package chromium"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null \
            || echo "e2e: apt-get could not install chromium" >&2
    fi
    CHROME=$(find_chromium) || die "Chromium not found: install 'chromium' (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM=/path/to/chrome"
fi

# --- temporary corpus, index and server; always cleaned up ---
TMP=$(mktemp -d "${TMPDIR:-/tmp}/warta-e2e.XXXXXX")
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A copy of the sample corpus plus an article that tries to run script through its text,
# one published early in the morning east of UTC, and a republication of one sample article
# under another headline (a copy of one story).
cp -R sample_corpus "$TMP/corpus"
sed -e 's/^title: .*/title: "IKN dikebut siang malam"/' -e 's/^source: .*/source: Antara/' \
    sample_corpus/md/2023/nusantara-ikn.id.md >"$TMP/corpus/ikn-republished.id.md"
mkdir -p "$TMP/corpus/evil"
cat > "$TMP/corpus/evil/xss.txt" <<'EOF'
Title: Evil <script>window.__pwned=1</script> <img src=x onerror="window.__pwned=2"> xssprobe
Date: 2024-01-15
Source: Evil Wire

This xssprobe article carries <script>window.__pwned=1</script> in its body.
And an image: <img src=x onerror="window.__pwned=2"> which must stay text.
EOF
# An article published at 03:10 WITA (UTC+8) on 15 January: the 14th in UTC.
mkdir -p "$TMP/corpus/dates"
cat > "$TMP/corpus/dates/wita.json" <<'EOF'
{"title": "Gempa datesprobe di Mamuju", "body": "Gempa datesprobe mengguncang Mamuju dini hari.", "date": "2021-01-15T03:10:00+08:00", "source": "Antara"}
EOF
"$WARTA" index "$TMP/corpus" --index "$TMP/index" -q

"$WARTA" serve --index "$TMP/index" --addr 127.0.0.1:0 >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVER_PID=$!
# The first stdout line names the bound address:
#   warta: serving N articles from DIR at http://127.0.0.1:PORT/ (Ctrl-C stops)
URL=
for _ in $(seq 100); do # up to 10 s
    URL=$(sed -n '1s|^warta: serving [0-9][0-9]* articles from .* at \(http://127\.0\.0\.1:[0-9]*/\) (Ctrl-C stops)$|\1|p' "$TMP/serve.out")
    [ -n "$URL" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$URL" ]; then
    echo "e2e: warta serve did not report its address within 10 s" >&2
    cat "$TMP/serve.out" "$TMP/serve.err" >&2
    exit 1
fi
echo "# $(head -n1 "$TMP/serve.out")"

# The screenshot shows timings, so it changes on every run: it goes to a temporary file
# unless SCREENSHOT names where to keep it (SCREENSHOT=docs/screenshot.png for the README).
SHOT="${SCREENSHOT:-$TMP/screenshot.png}"
mkdir -p "$(dirname "$SHOT")"
status=0
node scripts/e2e/test.mjs --url "$URL" --chromium "$CHROME" --profile "$TMP/chrome-profile" \
    --screenshot "$SHOT" || status=$?
if [ "$status" != 0 ] && [ -s "$TMP/serve.err" ]; then
    echo "# warta serve stderr:" >&2
    sed 's/^/#   /' "$TMP/serve.err" >&2
fi
exit "$status"
