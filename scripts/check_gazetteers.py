#!/usr/bin/env python3
"""Checks warta's gazetteer files in data/ (Python 3.8+, standard library only).

    python3 scripts/check_gazetteers.py            # check; exit 1 on errors
    python3 scripts/check_gazetteers.py --sort     # also sort the hand-curated files in place
    python3 scripts/check_gazetteers.py --words    # also list aliases that are dictionary words

Checks: UTF-8, `#` comments only at the top, the right number of TAB-separated columns, no
blank or padded fields or aliases, no duplicate records, no alias repeated within a record,
no alias written in lower case only (the extractor needs a capital), rows sorted by canonical
name, valid ISO codes (place countries must be in countries.tsv, or `-`), cue kinds, and that
every alias (folded as crates/warta/src/text/tokens.rs folds it: case, accents, punctuation) names one
entity only across countries, orgs, places and persons.

--words prints, for review, one-word aliases that are also common lower-case words in
/usr/share/dict/american-english or in Sastrawi's Indonesian root-word list (found in the
cargo registry), since such aliases match sentence-initial words. They are warnings only.
"""

import glob
import os
import re
import sys
import unicodedata

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DATA = os.path.join(ROOT, "data")

# file -> columns; which column holds aliases; whether the file is sorted by hand here
FILES = {
    "countries.tsv": (["code", "name", "aliases"], 2, False),
    "places.tsv": (["name", "country", "aliases"], 2, True),
    "orgs.tsv": (["name", "aliases"], 1, True),
    "persons.tsv": (["name", "aliases"], 1, True),
    "person_cues.tsv": (["cue", "lang", "kind"], None, True),
    "country_extra_aliases.tsv": (["code", "aliases"], 1, False),
}
KIND_OF_FILE = {"country": "countries.tsv", "place": "places.tsv", "org": "orgs.tsv", "person": "persons.tsv"}
KIND_OF = {"countries.tsv": "country", "places.tsv": "place", "orgs.tsv": "org", "persons.tsv": "person"}
CUE_KINDS = {"title", "verb", "stop"}
CUE_LANGS = {"en", "id", "mul"}

SPECIAL = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ł": "l", "ı": "i", "ŋ": "ng"}


def fold_word(w):
    low = w.lower()
    if low.isascii():
        return low
    s = unicodedata.normalize("NFKD", low)
    s = "".join(SPECIAL.get(c, c) for c in s if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", s)


def fold(s):
    words, cur = [], []
    for c in s:
        if c.isalnum():
            cur.append(c)
        elif cur:
            words.append("".join(cur))
            cur = []
    if cur:
        words.append("".join(cur))
    return " ".join(w for w in (fold_word(w) for w in words) if w)


def caps_only(s):
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def starts_lower(s):
    for c in s:
        if c.isalpha():
            return c.islower()
        if c.isdigit():
            return False
    return False


def sort_key(name):
    return (fold(name), name)


class Checker:
    def __init__(self):
        self.errors = []

    def err(self, where, msg):
        self.errors.append(f"{where}: {msg}")

    def read(self, fname):
        # country_extra_aliases.tsv is grouped in commented blocks (the generator sorts)
        blocks = fname == "country_extra_aliases.tsv"
        path = os.path.join(DATA, fname)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        header, rows, seen_data = [], [], False
        for i, line in enumerate(text.split("\n"), 1):
            if line == "" and i == text.count("\n") + 1:
                continue
            if line.startswith("#"):
                if seen_data and not blocks:
                    self.err(f"{fname}:{i}", "comment after the first record")
                header.append(line)
                continue
            if not line.strip():
                if not blocks:
                    self.err(f"{fname}:{i}", "blank line")
                continue
            seen_data = True
            rows.append((i, line))
        if not text.endswith("\n"):
            self.err(fname, "no final newline")
        return header, rows


def main():
    do_sort = "--sort" in sys.argv
    do_words = "--words" in sys.argv
    c = Checker()
    codes = set()
    owners = {}  # folded alias -> set of (kind, canonical)
    mixed = {}  # folded one-word alias not in capitals -> canonical
    for fname, (cols, alias_col, sortable) in FILES.items():
        path = os.path.join(DATA, fname)
        if not os.path.exists(path):
            c.err(fname, "missing")
            continue
        header, rows = c.read(fname)
        parsed = []
        seen_records = set()
        for i, line in rows:
            where = f"{fname}:{i}"
            f = line.split("\t")
            if len(f) != len(cols):
                c.err(where, f"{len(f)} columns, expected {len(cols)} ({', '.join(cols)})")
                continue
            for v, col in zip(f, cols):
                if v != v.strip():
                    c.err(where, f"{col} has surrounding spaces")
                if col != "aliases" and not v:
                    c.err(where, f"empty {col}")
            parsed.append((i, f))
            name = f[1] if fname == "countries.tsv" else f[0]
            if fname == "person_cues.tsv":
                rec = (fold(f[0]), f[1], f[2])
            elif fname == "country_extra_aliases.tsv":
                rec = (f[0], f[1])
            else:
                rec = fold(name)
            if rec in seen_records:
                c.err(where, f"duplicate record {name!r}")
            seen_records.add(rec)
            if fname == "countries.tsv":
                codes.add(f[0])
            if alias_col is None:
                continue
            aliases = f[alias_col].split("|") if f[alias_col] else []
            seen = {} if fname == "country_extra_aliases.tsv" else {(fold(name), caps_only(name)): name}
            for a in aliases:
                if not a or a != a.strip():
                    c.err(where, f"blank or padded alias in {f[alias_col]!r}")
                    continue
                if not fold(a):
                    c.err(where, f"alias {a!r} has no letters or digits")
                    continue
                if starts_lower(a):
                    c.err(where, f"alias {a!r} starts with a lower-case letter (it could never match)")
                k = (fold(a), caps_only(a))
                if k in seen:
                    c.err(where, f"alias {a!r} repeats {seen[k]!r}")
                seen[k] = a
            if fname in KIND_OF:
                for a in [name] + aliases:
                    if a:
                        owners.setdefault(fold(a), set()).add((KIND_OF[fname], name))
                        if not caps_only(a) and " " not in fold(a):
                            mixed[fold(a)] = name
        # per-file checks
        if fname == "places.tsv":
            pass  # country codes checked below, once countries are read
        if fname == "person_cues.tsv":
            by_cue = {}
            for i, f in parsed:
                if f[2] not in CUE_KINDS:
                    c.err(f"{fname}:{i}", f"kind {f[2]!r} not one of {sorted(CUE_KINDS)}")
                if f[1] not in CUE_LANGS:
                    c.err(f"{fname}:{i}", f"lang {f[1]!r} not one of {sorted(CUE_LANGS)}")
                by_cue.setdefault(fold(f[0]), set()).add(f[2])
            for cue, kinds in by_cue.items():
                if "title" in kinds and "stop" in kinds:
                    c.err(fname, f"cue {cue!r} is both a title and a stop word")
        if sortable:
            keyed = [(sort_key(f[0]) + ((f[1], f[2]) if fname == "person_cues.tsv" else ()), line) for (i, f), (_, line) in zip(parsed, rows)]
            if [k for k, _ in keyed] != sorted(k for k, _ in keyed):
                if do_sort:
                    keyed.sort()
                    with open(os.path.join(DATA, fname), "w", encoding="utf-8") as out:
                        out.write("\n".join(header + [l for _, l in keyed]) + "\n")
                    print(f"{fname}: sorted")
                else:
                    c.err(fname, "records not sorted by name (run with --sort)")
        print(f"{fname}: {len(parsed)} records")
    # place countries
    if os.path.exists(os.path.join(DATA, "places.tsv")):
        _, rows = Checker().read("places.tsv")
        for i, line in rows:
            f = line.split("\t")
            if len(f) == 3 and f[1] != "-" and f[1] not in codes:
                c.err(f"places.tsv:{i}", f"country {f[1]!r} is not a code in countries.tsv (use - for none)")
    # curated country codes
    if os.path.exists(os.path.join(DATA, "country_extra_aliases.tsv")):
        _, rows = Checker().read("country_extra_aliases.tsv")
        for i, line in rows:
            code = line.split("\t")[0]
            if code != "DROP" and code not in codes:
                c.err(f"country_extra_aliases.tsv:{i}", f"unknown code {code!r}")
    # An alias made of another alias of the same entity plus a country name ("U.S. Federal
    # Reserve", "DPR RI") adds nothing but hides the country mention from the extractor.
    country_folds = {k for k, who in owners.items() if any(kind == "country" for kind, _ in who)}
    by_entity = {}
    for k, who in owners.items():
        for kind, n in who:
            by_entity.setdefault((kind, n), set()).add(k)
    for (kind, n), ks in sorted(by_entity.items()):
        if kind == "country":
            continue
        for k in sorted(ks):
            if k == fold(n):
                continue  # the canonical name itself ("United States Congress") stays
            for cf in sorted(country_folds):
                rests = []
                if k.startswith(cf + " "):
                    rests.append(k[len(cf) + 1 :])
                if k.endswith(" " + cf):
                    rests.append(k[: -len(cf) - 1])
                for rest in rests:
                    if rest in ks:
                        c.err(KIND_OF_FILE[kind], f"alias {k!r} of {n!r} is its alias {rest!r} plus the country name {cf!r}; drop it so the country is seen")
    for k, who in sorted(owners.items()):
        if len(who) > 1:
            c.err("aliases", f"{k!r} names several entities: " + "; ".join(f"{kind} {n}" for kind, n in sorted(who)))
    if do_words:
        words = set()
        if os.path.exists("/usr/share/dict/american-english"):
            with open("/usr/share/dict/american-english", encoding="utf-8", errors="ignore") as f:
                words |= {w.strip() for w in f if w.strip() and w[0].islower() and "'" not in w}
        for p in glob.glob(os.path.expanduser("~/.cargo/registry/src/*/sastrawi-*/src/dictionary_default.rs")):
            with open(p, encoding="utf-8") as f:
                words |= set(re.findall(r'"([a-z]+)"', f.read()))
        hits = sorted((k, n) for k, n in mixed.items() if k in words)
        print(f"\none-word aliases that are also dictionary words ({len(hits)}):")
        for k, n in hits:
            print(f"  {k}  ->  {n}")
    for e in c.errors:
        print("ERROR", e)
    print(f"{len(c.errors)} errors")
    sys.exit(1 if c.errors else 0)


if __name__ == "__main__":
    main()
