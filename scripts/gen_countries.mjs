#!/usr/bin/env node
// gen_countries.mjs: writes data/countries.tsv (code, English name, aliases) from the Unicode
// CLDR territory names plus the hand-curated data/country_extra_aliases.tsv.
//
// Rerun (Node 18 or later; no other dependencies):
//
//   mkdir -p /tmp/cldr && cd /tmp/cldr && npm install cldr-localenames-full@48.2.0 cldr-core@48.2.0
//   cd /path/to/warta && node scripts/gen_countries.mjs /tmp/cldr/node_modules > data/countries.tsv
//
// Pinned CLDR: 48.2.0 (npm packages cldr-localenames-full and cldr-core). Another CLDR release
// may rename territories; review the diff of countries.tsv after changing the version.
// The output is deterministic: the same inputs give the same bytes.
//
// What it does:
// - Countries: every two-letter CLDR region except macro-regions and groupings (EU, EZ, UN,
//   QO), ZZ (unknown), the pseudo-locale regions XA/XB, and the ISO "exceptionally reserved"
//   codes CLDR also lists (AC, CP, CQ, DG, EA, IC, TA). XK (Kosovo) is kept.
// - Name: CLDR's English name; the alt-short form where the default is a formal or
//   disambiguated one (Hong Kong, Macao, Palestine, Myanmar); "&" spelled "and"; two
//   overrides for the Congos (CLDR: "Congo - Kinshasa", "Congo - Brazzaville").
// - Aliases: every CLDR name (default, alt-short, alt-variant, other alts) in LOCALES, with
//   simple variants ("&" -> "and", "St." -> "Saint", "X (Y)" -> also "X"), plus the curated
//   aliases. Aliases are compared folded the way crates/warta/src/text/tokens.rs folds them (case,
//   accents, punctuation); an alias that folds to another country's alias is dropped and
//   listed in the header, unless it is that country's name or a curated alias.

import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const LOCALES = ['en', 'id', 'ms', 'de', 'fr', 'es', 'pt', 'nl', 'it'];
const EXCLUDE = new Set(['EU', 'EZ', 'UN', 'QO', 'ZZ', 'XA', 'XB', 'AC', 'CP', 'CQ', 'DG', 'EA', 'IC', 'TA']);
const USE_ALT_SHORT = new Set(['HK', 'MO', 'PS', 'MM']);
const NAME_OVERRIDE = { CD: 'Democratic Republic of the Congo', CG: 'Republic of the Congo' };

const nodeModules = process.argv[2];
if (!nodeModules) {
  process.stderr.write('usage: node scripts/gen_countries.mjs PATH_TO_node_modules > data/countries.tsv\n');
  process.exit(2);
}
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const extrasPath = process.argv[3] || join(repo, 'data', 'country_extra_aliases.tsv');

const pkgDir = join(nodeModules, 'cldr-localenames-full');
const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;

function territories(locale) {
  const file = join(pkgDir, 'main', locale, 'territories.json');
  return JSON.parse(readFileSync(file, 'utf8')).main[locale].localeDisplayNames.territories;
}

// Folding as in crates/warta/src/text/tokens.rs: words are runs of letters and digits, lower-cased,
// accents removed (deunicode for Latin script is close to NFKD without marks plus a few
// letters), joined by single spaces.
const SPECIAL = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', þ: 'th', ł: 'l', ı: 'i', ŋ: 'ng' };
function foldWord(w) {
  const lower = w.toLowerCase();
  if (/^[\x00-\x7f]*$/.test(lower)) return lower;
  return lower
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[ßæœøđðþłıŋ]/g, (c) => SPECIAL[c])
    .replace(/[^a-z0-9]/g, '');
}
function fold(s) {
  return (s.match(/[\p{L}\p{N}]+/gu) || []).map(foldWord).filter(Boolean).join(' ');
}
function capsOnly(s) {
  const letters = [...s].filter((c) => /\p{L}/u.test(c));
  return letters.length > 0 && letters.every((c) => c === c.toUpperCase() && c !== c.toLowerCase());
}
const key = (s) => fold(s);
const clean = (s) => s.replace(/\s+/g, ' ').trim();

// Variants of one CLDR name.
function variants(name, locale) {
  const out = [clean(name)];
  if (locale === 'en' && name.includes('&')) out.push(clean(name.replace(/&/g, 'and')));
  for (const v of [...out]) {
    if (locale === 'en' && /\bSt\. /.test(v)) out.push(v.replace(/\bSt\. /g, 'Saint '));
  }
  for (const v of [...out]) {
    const m = v.match(/^(.+?)\s*\(([^)]*)\)$/);
    if (m) out.push(clean(m[1]));
  }
  return out;
}

// --- curated extras ---
const extras = new Map(); // code -> [alias]
const drop = new Set(); // folded
for (const [i, line] of readFileSync(extrasPath, 'utf8').split('\n').entries()) {
  if (!line.trim() || line.startsWith('#')) continue;
  const cols = line.split('\t');
  if (cols.length !== 2) throw new Error(`${extrasPath}:${i + 1}: expected code<TAB>aliases`);
  const code = cols[0].trim();
  const aliases = cols[1].split('|').map(clean);
  if (aliases.some((a) => !a)) throw new Error(`${extrasPath}:${i + 1}: blank alias`);
  if (code === 'DROP') {
    aliases.forEach((a) => drop.add(key(a)));
    continue;
  }
  if (!/^[A-Z]{2}$/.test(code)) throw new Error(`${extrasPath}:${i + 1}: bad code ${code}`);
  if (!extras.has(code)) extras.set(code, []);
  extras.get(code).push(...aliases);
}

// --- CLDR ---
const names = Object.fromEntries(LOCALES.map((l) => [l, territories(l)]));
const codes = Object.keys(names.en)
  .filter((k) => /^[A-Z]{2}$/.test(k) && !EXCLUDE.has(k))
  .sort();
for (const c of extras.keys()) if (!codes.includes(c)) throw new Error(`curated code ${c} is not a CLDR region`);

const entries = codes.map((code) => {
  const en = names.en;
  let name = USE_ALT_SHORT.has(code) && en[`${code}-alt-short`] ? en[`${code}-alt-short`] : en[code];
  name = NAME_OVERRIDE[code] || clean(name.replace(/&/g, 'and'));
  const cldr = [];
  for (const l of LOCALES) {
    const t = names[l];
    const ks = Object.keys(t)
      .filter((k) => k === code || k.startsWith(`${code}-alt-`))
      .sort();
    for (const k of ks) cldr.push(...variants(t[k], l));
  }
  return { code, name, cldr, curated: extras.get(code) || [] };
});

// Who claims each folded alias: names and curated aliases are strong claims.
const strong = new Map(); // folded -> Set(code)
const weak = new Map();
const claim = (m, k, code) => (m.get(k) || m.set(k, new Set()).get(k)).add(code);
for (const e of entries) {
  claim(strong, key(e.name), e.code);
  e.curated.forEach((a) => claim(strong, key(a), e.code));
  e.cldr.forEach((a) => claim(weak, key(a), e.code));
}
for (const [k, set] of strong) {
  if (set.size > 1) throw new Error(`alias "${k}" is a name or curated alias of ${[...set].join(', ')}`);
}

const dropped = new Map(); // folded -> {surface, codes}
function keep(alias, code, isCurated) {
  const k = key(alias);
  if (!k) return false;
  if (isCurated) return true;
  if (drop.has(k)) {
    const d = dropped.get(k) || { surface: alias, codes: new Set(), why: 'DROP list' };
    d.codes.add(code);
    dropped.set(k, d);
    return false;
  }
  const s = strong.get(k);
  if (s) {
    if (s.has(code)) return true;
    const d = dropped.get(k) || { surface: alias, codes: new Set(), why: `kept for ${[...s][0]} only` };
    d.codes.add(code);
    dropped.set(k, d);
    return false;
  }
  const w = weak.get(k);
  if (w.size > 1) {
    const d = dropped.get(k) || { surface: alias, codes: new Set(w), why: 'ambiguous' };
    dropped.set(k, d);
    return false;
  }
  return true;
}

const rows = [];
for (const e of entries) {
  const seen = new Set([`${key(e.name)}|${capsOnly(e.name)}`]);
  const out = [];
  for (const [list, cur] of [
    [e.cldr, false],
    [e.curated, true],
  ]) {
    for (const a of list) {
      const id = `${key(a)}|${capsOnly(a)}`;
      if (seen.has(id)) continue;
      if (!keep(a, e.code, cur)) continue;
      seen.add(id);
      out.push(a);
    }
  }
  if (out.some((a) => a.includes('|') || a.includes('\t'))) throw new Error(`bad character in an alias of ${e.code}`);
  rows.push([e.code, e.name, out.join('|')]);
}
rows.sort((a, b) => (key(a[1]) < key(b[1]) ? -1 : key(a[1]) > key(b[1]) ? 1 : a[0] < b[0] ? -1 : 1));

const lines = [];
lines.push('# countries.tsv: countries and territories for warta\'s entity extractor (kind: country).');
lines.push('# GENERATED by scripts/gen_countries.mjs; do not edit by hand. Edit');
lines.push('# data/country_extra_aliases.tsv (or the script) and regenerate:');
lines.push(`#   mkdir -p /tmp/cldr && cd /tmp/cldr && npm install cldr-localenames-full@${version} cldr-core@${version}`);
lines.push('#   node scripts/gen_countries.mjs /tmp/cldr/node_modules > data/countries.tsv');
lines.push('#');
lines.push(`# Sources: Unicode CLDR ${version} territory display names (npm cldr-localenames-full),`);
lines.push(`# locales ${LOCALES.join(', ')}: default, alt-short and alt-variant names.`);
lines.push('# CLDR data is under the Unicode License v3 (https://www.unicode.org/license.txt).');
lines.push('# Curated aliases (abbreviations, old names, Indonesian press nicknames, English adjectives');
lines.push('# and demonyms) come from data/country_extra_aliases.tsv: curated for warta, MIT like the project.');
lines.push('#');
lines.push('# Columns: code<TAB>name<TAB>aliases');
lines.push('#   code     ISO 3166-1 alpha-2 (XK = Kosovo)');
lines.push('#   name     English display name (CLDR en; alt-short for HK, MO, PS, MM; Congos spelled out)');
lines.push('#   aliases  other names, separated by |; each folds to a text no other country has');
lines.push(`# ${rows.length} countries and territories. Sorted by name.`);
if (dropped.size) {
  lines.push('#');
  lines.push('# CLDR names left out (they fold to a name of more than one country, or are on the DROP list):');
  const ds = [...dropped.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  for (const [, d] of ds) lines.push(`#   ${d.surface} (${[...d.codes].sort().join(', ')}): ${d.why}`);
}
for (const r of rows) lines.push(r.join('\t'));
process.stdout.write(lines.join('\n') + '\n');
