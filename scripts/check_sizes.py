#!/usr/bin/env python3
"""Keeps the library readable: no function over 120 lines and no file over 800 lines in
crates/warta/src, except those listed in ALLOWED with their reason. Counts lines of code,
comments included, tests (`#[cfg(test)] mod tests`) excluded. Prints offenders; exit 1 if any."""
import pathlib
import re
import sys

MAX_FN, MAX_FILE = 120, 800
# path or path::function -> why it may be longer
ALLOWED = {}

FN = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)")


def body_lines(lines):
    """Lines before the file's test module."""
    for i, line in enumerate(lines):
        if line.startswith("#[cfg(test)]") and i + 1 < len(lines) and "mod tests" in lines[i + 1]:
            return lines[:i]
    return lines


def functions(lines):
    """(name, first line, length) of each fn, by brace depth (good enough for rustfmt'd code)."""
    out = []
    for i, line in enumerate(lines):
        m = FN.match(line)
        if not m or line.rstrip().endswith(";"):
            continue
        depth, started = 0, False
        for j in range(i, len(lines)):
            code = re.sub(r'"(\\.|[^"\\])*"|//.*', "", lines[j])
            code = re.sub(r"'(\\.|[^'\\])'", "", code)
            depth += code.count("{") - code.count("}")
            started = started or "{" in code
            if started and depth <= 0:
                out.append((m.group(6), i + 1, j - i + 1))
                break
            if not started and code.rstrip().endswith(";"):
                break
    return out


def main():
    root = pathlib.Path(__file__).resolve().parent.parent / "crates" / "warta" / "src"
    bad = []
    for path in sorted(root.rglob("*.rs")):
        rel = path.relative_to(root.parent.parent.parent).as_posix()
        lines = body_lines(path.read_text().splitlines())
        if len(lines) > MAX_FILE and rel not in ALLOWED:
            bad.append(f"{rel}: {len(lines)} lines (limit {MAX_FILE})")
        for name, start, length in functions(lines):
            if length > MAX_FN and f"{rel}::{name}" not in ALLOWED:
                bad.append(f"{rel}:{start}: fn {name} is {length} lines (limit {MAX_FN})")
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
