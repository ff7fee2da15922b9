//! Gazetteers: the known countries, places, organizations and persons with all their names,
//! and the word lists that guide person and organization recognition.
//!
//! The lists live in `data/` as TSV files people can read and extend; they are compiled into
//! the binary. Setting `WARTA_DATA_DIR` to a directory makes warta read any of those files
//! found there instead (same names, same format).
//!
//! Aliases match on word boundaries after folding (case, accents, hyphens). An alias written
//! in capitals only (`AS`, `UN`, `PBB`) matches only when the text has it in capitals (short
//! ones strictly; from four letters, `Nato` style is accepted too); any other alias must
//! start with a capital letter in the text.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::OnceLock;

use crate::text::tokens::{normalize_phrase, Case, Tok};

/// A map from folded words, with a bit table in front that answers most misses without
/// hashing: the extractor asks several of these sets about nearly every token of every
/// article, and nearly every answer is no. A word's bit is picked by its length and its first
/// and last bytes, so a word in the map always finds its bit set.
///
/// Words of up to seven bytes (most words) are kept under an integer made of their bytes and
/// length: one multiplication to hash, one comparison to find, where a string key costs a
/// hash over its bytes and a `memcmp`.
#[derive(Debug)]
pub struct WordMap<V> {
    short: HashMap<u64, V>,
    long: HashMap<String, V>,
    filter: WordFilter,
}

impl<V> Default for WordMap<V> {
    fn default() -> Self {
        WordMap {
            short: HashMap::default(),
            long: HashMap::default(),
            filter: WordFilter::default(),
        }
    }
}

/// A word of up to seven bytes as an integer, one-to-one: its length in the top byte; below
/// it the word's bytes (read as two overlapping 4-byte halves from four bytes up), or for
/// shorter words its first, middle and last bytes.
#[inline]
fn short_key(word: &[u8]) -> Option<u64> {
    let n = word.len();
    let bytes = match n {
        0 => 0,
        1..=3 => u64::from(word[0]) | u64::from(word[n / 2]) << 8 | u64::from(word[n - 1]) << 16,
        4..=7 => {
            let lo = u32::from_le_bytes(word[..4].try_into().expect("4 bytes"));
            let hi = u32::from_le_bytes(word[n - 4..].try_into().expect("4 bytes"));
            u64::from(lo) | u64::from(hi) << ((n - 4) * 8)
        }
        _ => return None,
    };
    Some(bytes | (n as u64) << 56)
}

/// A [`WordMap`] used as a set.
pub type WordSet = WordMap<()>;

impl<V> WordMap<V> {
    /// Whether `word` may be in the map: no means it is not.
    #[inline(always)]
    pub fn may_hold(&self, word: &str) -> bool {
        self.filter.may_hold(word)
    }

    /// The value of `word`, inserted with `make` when it is new.
    pub fn entry_or(&mut self, word: &str, make: impl FnOnce() -> V) -> &mut V {
        self.filter.insert(word);
        match short_key(word.as_bytes()) {
            Some(k) => self.short.entry(k).or_insert_with(make),
            None => self.long.entry(word.to_string()).or_insert_with(make),
        }
    }

    /// The value of a folded word, if the map holds it.
    #[inline(always)]
    pub fn get(&self, word: &str) -> Option<&V> {
        if !self.may_hold(word) {
            return None;
        }
        self.lookup(word)
    }

    #[inline]
    fn lookup(&self, word: &str) -> Option<&V> {
        match short_key(word.as_bytes()) {
            Some(k) => self.short.get(&k),
            None => self.long.get(word),
        }
    }

    /// Whether the map holds a folded word.
    #[inline(always)]
    pub fn contains(&self, word: &str) -> bool {
        self.get(word).is_some()
    }

    /// A bit table that answers "maybe" for the words of this map and of `other`: one test
    /// instead of two for the many words in neither.
    pub fn union_filter<W>(&self, other: &WordMap<W>) -> WordFilter {
        let mut bits = self.filter.bits.clone();
        for (b, o) in bits.iter_mut().zip(other.filter.bits.iter()) {
            *b |= o;
        }
        WordFilter { bits }
    }
}

/// The bit table in front of one or more [`WordMap`]s. A word's bit is picked by its length
/// and its first and last bytes, so a word put in always finds its bit set.
#[derive(Debug)]
pub struct WordFilter {
    bits: Box<[u64; 1024]>,
}

impl Default for WordFilter {
    /// A filter of no words.
    fn default() -> Self {
        WordFilter {
            bits: Box::new([0; 1024]),
        }
    }
}

impl WordFilter {
    #[inline(always)]
    fn bit(word: &[u8]) -> usize {
        let n = word.len();
        if n == 0 {
            return 0;
        }
        // (Both indexes are in bounds: `n > 0`.)
        ((n & 0xf) << 12) | (usize::from(word[0] & 0x3f) << 6) | usize::from(word[n - 1] & 0x3f)
    }

    fn insert(&mut self, word: &str) {
        let b = Self::bit(word.as_bytes());
        self.bits[b >> 6] |= 1 << (b & 63);
    }

    /// Whether `word` may have been put in: no means it was not.
    #[inline(always)]
    pub fn may_hold(&self, word: &str) -> bool {
        let b = Self::bit(word.as_bytes());
        self.bits[b >> 6] & (1 << (b & 63)) != 0
    }
}

impl WordSet {
    /// Adds a word; false when it was there already.
    pub fn insert(&mut self, word: String) -> bool {
        let new = !self.contains(&word);
        self.entry_or(&word, || ());
        new
    }
}

/// The entries of one folded alias, and whether longer aliases begin with it.
#[derive(Debug, Default)]
struct Aliases {
    refs: Vec<AliasRef>,
    longer: bool,
}

/// Aliases longer than this, in words, are not matched.
const MAX_ALIAS_WORDS: usize = 30;

/// What kind of entity an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A country (ISO code as value).
    Country,
    /// An organization.
    Org,
    /// A city, region or other place.
    Place,
    /// A well-known person.
    Person,
}

/// One known entity.
#[derive(Debug, Clone)]
pub struct Entry {
    /// What kind of entity it is.
    pub kind: Kind,
    /// Canonical value: ISO code for countries, canonical name otherwise.
    pub value: String,
    /// English display name (countries), else the canonical name.
    pub display: String,
    /// ISO code of a place's country.
    pub country: Option<String>,
}

/// One alias of an entry.
#[derive(Debug, Clone, Copy)]
struct AliasRef {
    entry: u32,
    caps_only: bool,
    letters: u16,
}

/// Words that guide person recognition.
#[derive(Debug, Default)]
pub struct Cues {
    /// Titles and roles before (or in apposition after) a name, folded phrases.
    pub titles: HashSet<String>,
    /// Reporting verbs next to a name.
    pub verbs: HashSet<String>,
    /// Capitalised words that are never names.
    pub stops: WordSet,
    /// Longest cue phrase, in words.
    pub max_words: usize,
    /// Title and verb phrases by their first word, longest first: (words, is a title).
    pub by_first: WordMap<Vec<(Vec<String>, bool)>>,
}

/// How a name part is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NameUse {
    /// Used as a given name.
    pub given: bool,
    /// Used as a family name.
    pub family: bool,
    /// Family names written first (Korean, Chinese): "Kim" in "Kim Jong Un".
    pub family_first: bool,
    /// One of the most frequent names of the US census list (the first 100 family names,
    /// the first 300 given names): alone, it points to no one in particular ("Harris" is
    /// not Kamala Harris unless the article says so; "Reagan" is Ronald Reagan).
    pub common: bool,
    /// Known from the US census list alone: rare American names there are everyday
    /// Indonesian words ("Minta", "Cari", "Kena", "Dana"), which the person rules do not take
    /// for a name in Indonesian words' company.
    pub census_only: bool,
}

/// The English name of a country by ISO code (any case), from the country table alone:
/// displaying results needs this, and should not pay for loading every gazetteer.
pub fn country_name(code: &str) -> Option<&'static str> {
    static NAMES: OnceLock<HashMap<String, String>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let text = data("countries.tsv", include_str!("../../../../data/countries.tsv"));
        rows(&text)
            .filter_map(|r| Some((r.first()?.to_uppercase(), r.get(1)?.to_string())))
            .collect()
    });
    names.get(code.trim().to_uppercase().as_str()).map(String::as_str)
}

/// A head word of place names and where it stands.
#[derive(Debug, Clone)]
pub struct PlaceHead {
    /// Folded words of the head ("bandar", "udara").
    pub words: Vec<String>,
    /// The head precedes the name ("Pulau Sebesi"), else follows it ("Mekong River").
    pub before: bool,
    /// The country the head word implies (Indonesian administrative units), if any.
    pub country: Option<String>,
}

/// All gazetteers and word lists.
pub struct Gazetteer {
    /// Every known entity, in list order; an entry's index is its id.
    pub entries: Vec<Entry>,
    /// The folded words of each entry's canonical value, by entry.
    value_words: Vec<Vec<String>>,
    /// Folded aliases (words joined by single spaces) → their entries; also every leading run
    /// of words of a longer alias, with or without entries of its own: [`Gazetteer::find`]
    /// extends a candidate word by word for as long as some alias goes on.
    aliases: HashMap<String, Aliases>,
    /// Last (and, for family-first names, first) word of known persons → entries.
    pub person_parts: WordMap<Vec<u32>>,
    /// Titles, roles and reporting verbs that mark a name beside them.
    pub cues: Cues,
    /// Known given and family names.
    pub names: WordMap<NameUse>,
    /// Words that make a capitalised name around them an organization ("Kementerian", "Ministry").
    pub org_heads: WordSet,
    /// Words that make a capitalised name next to them a place ("Kabupaten", "River").
    pub place_heads: Vec<PlaceHead>,
    /// First words of the place heads, to test a token quickly.
    pub place_head_first: WordSet,
    /// Words that may start a cue phrase or a place head ([`Cues::by_first`],
    /// [`Gazetteer::place_head_first`]): nearly every word of a text starts neither.
    pub rule_starts: WordFilter,
    /// Lower-cased ISO codes → country entries.
    codes: HashMap<String, u32>,
}

thread_local! {
    /// [`Gazetteer::find`]'s working room (candidate key, matches, tokens taken), reused
    /// from one text to the next on a thread.
    static FIND_BUFFERS: std::cell::RefCell<(String, Vec<Span>, Vec<bool>)> = std::cell::RefCell::default();
}

/// A gazetteer match in a token sequence.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    /// The entry matched (an index into [`Gazetteer::entries`]).
    pub entry: u32,
    /// Token range [start, end).
    pub start: usize,
    /// One past the last token.
    pub end: usize,
}

fn data(name: &str, builtin: &'static str) -> String {
    if let Some(dir) = std::env::var_os("WARTA_DATA_DIR") {
        if let Ok(s) = std::fs::read_to_string(std::path::Path::new(&dir).join(name)) {
            return s;
        }
    }
    builtin.to_string()
}

/// Data rows: non-comment, non-blank lines split on tabs.
fn rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').map(str::trim).collect())
}

fn split_aliases(s: Option<&&str>) -> Vec<String> {
    s.map(|s| {
        s.split('|')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect()
    })
    .unwrap_or_default()
}

/// The known entities of one kind, each with its aliases (its name last), in the order of
/// their list. Reads that list alone: resolving a filter's name needs nothing else, and
/// should not pay for loading every gazetteer and word list.
pub fn entity_table(kind: Kind) -> Vec<(Entry, Vec<String>)> {
    let text = match kind {
        Kind::Country => data("countries.tsv", include_str!("../../../../data/countries.tsv")),
        Kind::Org => data("orgs.tsv", include_str!("../../../../data/orgs.tsv")),
        Kind::Place => data("places.tsv", include_str!("../../../../data/places.tsv")),
        Kind::Person => data("persons.tsv", include_str!("../../../../data/persons.tsv")),
    };
    let mut out = Vec::new();
    for r in rows(&text) {
        let (value, display, country, aliases) = match kind {
            Kind::Country => {
                let (Some(code), Some(name)) = (r.first(), r.get(1)) else {
                    continue;
                };
                (code.to_uppercase(), name.to_string(), None, r.get(2))
            }
            Kind::Place => {
                let (Some(name), Some(country)) = (r.first(), r.get(1)) else {
                    continue;
                };
                let country = Some(country.to_uppercase()).filter(|c| c.len() == 2);
                (name.to_string(), name.to_string(), country, r.get(2))
            }
            Kind::Org | Kind::Person => {
                let Some(name) = r.first() else { continue };
                (name.to_string(), name.to_string(), None, r.get(1))
            }
        };
        let mut aliases = split_aliases(aliases);
        aliases.push(if kind == Kind::Country {
            display.clone()
        } else {
            value.clone()
        });
        let entry = Entry {
            kind,
            value,
            display,
            country,
        };
        out.push((entry, aliases));
    }
    out
}

impl Gazetteer {
    /// The process-wide gazetteer, loaded once.
    pub fn get() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(Gazetteer::load)
    }

    /// Loads the entity tables and the word lists the rules use, each from `WARTA_DATA_DIR`
    /// when it holds it, else as built in.
    fn load() -> Gazetteer {
        let mut g = Gazetteer {
            entries: Vec::new(),
            value_words: Vec::new(),
            aliases: HashMap::default(),
            person_parts: WordMap::default(),
            cues: Cues::default(),
            names: WordMap::default(),
            org_heads: WordSet::default(),
            place_heads: Vec::new(),
            place_head_first: WordSet::default(),
            rule_starts: WordFilter::default(),
            codes: HashMap::default(),
        };
        g.load_entities();
        g.load_cues();
        g.load_names();
        g.load_org_heads();
        g.load_place_heads();
        g.rule_starts = g.cues.by_first.union_filter(&g.place_head_first);
        g
    }

    /// The known entities of every kind with their aliases; country codes and the last word
    /// of persons' names as keys of their own.
    fn load_entities(&mut self) {
        for kind in [Kind::Country, Kind::Org, Kind::Place, Kind::Person] {
            for (entry, aliases) in entity_table(kind) {
                let value = entry.value.clone();
                let id = self.add(entry, &aliases);
                match kind {
                    // Codes are looked up (`--country kp`) but not matched in text: "IN", "IT",
                    // "NO" are words. Aliases such as "US" or "UK" are listed explicitly in
                    // the data.
                    Kind::Country => {
                        self.codes.insert(value.to_lowercase(), id);
                    }
                    Kind::Person => {
                        let norm = normalize_phrase(&value);
                        let parts: Vec<&str> = norm.split(' ').collect();
                        if parts.len() >= 2 {
                            self.person_parts.entry_or(parts[parts.len() - 1], Vec::new).push(id);
                        }
                    }
                    Kind::Org | Kind::Place => {}
                }
            }
        }
    }

    /// The person cues: titles and reporting verbs by their first word (longest phrase
    /// first), and stop words.
    fn load_cues(&mut self) {
        let cues = data("person_cues.tsv", include_str!("../../../../data/person_cues.tsv"));
        for r in rows(&cues) {
            let (Some(cue), Some(kind)) = (r.first(), r.get(2)) else {
                continue;
            };
            let norm = normalize_phrase(cue);
            if norm.is_empty() {
                continue;
            }
            self.cues.max_words = self.cues.max_words.max(norm.split(' ').count());
            match *kind {
                "title" | "verb" => {
                    let words: Vec<String> = norm.split(' ').map(str::to_string).collect();
                    let title = *kind == "title";
                    let list = self.cues.by_first.entry_or(&words[0], Vec::new);
                    list.push((words, title));
                    list.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
                    if title {
                        self.cues.titles.insert(norm)
                    } else {
                        self.cues.verbs.insert(norm)
                    }
                }
                _ => self.cues.stops.insert(norm),
            };
        }
    }

    /// Given and family names: the curated list, then the US census list (its most frequent
    /// names marked common, names only it knows marked so).
    fn load_names(&mut self) {
        let names = data("names.tsv", include_str!("../../../../data/names.tsv"));
        let census = data("census_names.tsv", include_str!("../../../../data/census_names.tsv"));
        // The census list is in order of frequency, family and given names apart: the most
        // frequent are common (see `NameUse::common`).
        const COMMON_FAMILY: usize = 100;
        const COMMON_GIVEN: usize = 300;
        let (mut families, mut givens) = (0, 0);
        let census = rows(&census).map(|r| {
            let rank = if r.get(1) == Some(&"family") {
                &mut families
            } else {
                &mut givens
            };
            *rank += 1;
            let limit = if r.get(1) == Some(&"family") {
                COMMON_FAMILY
            } else {
                COMMON_GIVEN
            };
            (r, *rank <= limit)
        });
        let census = census.map(|(r, common)| (r, common, true));
        for (r, common, from_census) in rows(&names).map(|r| (r, false, false)).chain(census) {
            let (Some(name), Some(kind)) = (r.first(), r.get(1)) else {
                continue;
            };
            let origin = r.get(2).copied().unwrap_or("");
            for part in normalize_phrase(name).split(' ').filter(|p| !p.is_empty()) {
                let new = !self.names.contains(part);
                let u = self.names.entry_or(part, NameUse::default);
                u.common |= common;
                u.census_only |= new && from_census;
                match *kind {
                    "family" => {
                        u.family = true;
                        if matches!(origin, "ko" | "zh" | "vi") {
                            u.family_first = true;
                        }
                    }
                    _ => u.given = true,
                }
            }
        }
    }

    /// Head words of organization names ("Kementerian", "Council").
    fn load_org_heads(&mut self) {
        let heads = data("org_heads.tsv", include_str!("../../../../data/org_heads.tsv"));
        for r in rows(&heads) {
            if let Some(w) = r.first() {
                self.org_heads.insert(normalize_phrase(w));
            }
        }
    }

    /// Head words of place names, longest first (so "bandar udara" wins over a shorter head).
    fn load_place_heads(&mut self) {
        let heads = data("place_heads.tsv", include_str!("../../../../data/place_heads.tsv"));
        for r in rows(&heads) {
            let (Some(head), Some(pos)) = (r.first(), r.get(1)) else {
                continue;
            };
            let words: Vec<String> = normalize_phrase(head).split(' ').map(str::to_string).collect();
            self.place_head_first.insert(words[0].clone());
            self.place_heads.push(PlaceHead {
                words,
                before: *pos == "before",
                country: r.get(2).filter(|c| c.len() == 2).map(|c| c.to_string()),
            });
        }
        self.place_heads.sort_by_key(|h| std::cmp::Reverse(h.words.len()));
    }

    fn add(&mut self, entry: Entry, aliases: &[String]) -> u32 {
        let id = self.entries.len() as u32;
        self.value_words
            .push(normalize_phrase(&entry.value).split(' ').map(str::to_string).collect());
        self.entries.push(entry);
        let mut seen = HashSet::default();
        for alias in aliases {
            let norm = normalize_phrase(alias);
            if norm.is_empty() {
                continue;
            }
            let letters = alias.chars().filter(|c| c.is_alphabetic()).count();
            let caps_only = letters > 0 && alias.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase);
            if !seen.insert((norm.clone(), caps_only)) {
                continue;
            }
            if norm.split(' ').count() > MAX_ALIAS_WORDS {
                continue;
            }
            // Every leading run of words is a step towards this alias.
            for (at, _) in norm.match_indices(' ') {
                self.aliases.entry(norm[..at].to_string()).or_default().longer = true;
            }
            self.aliases.entry(norm).or_default().refs.push(AliasRef {
                entry: id,
                caps_only,
                letters: letters as u16,
            });
        }
        id
    }

    /// Finds known entities in a token sequence: longest matches first, no overlaps.
    ///
    /// Word by word: a word that begins some alias is extended with the words after it, one
    /// at a time in one reused buffer, for as long as the words so far begin some alias.
    pub fn find(&self, toks: &[Tok]) -> Vec<Span> {
        let (mut key, mut found, mut taken) = FIND_BUFFERS.take();
        key.clear();
        found.clear();
        let mut check = |set: &Aliases, first: usize, last: usize| {
            let span_toks = &toks[first..last];
            let mut best: Option<AliasRef> = None;
            for r in &set.refs {
                if case_ok(r, span_toks) {
                    let better = match best {
                        None => true,
                        Some(b) => self.entries[r.entry as usize].kind < self.entries[b.entry as usize].kind,
                    };
                    if better {
                        best = Some(*r);
                    }
                }
            }
            if let Some(b) = best {
                found.push(Span {
                    entry: b.entry,
                    start: first,
                    end: last,
                });
            }
        };
        for (first, t) in toks.iter().enumerate() {
            // No alias matches from a lower-case word (see `case_ok`): most words of a text
            // skip the lookup.
            if t.case == Case::Lower {
                continue;
            }
            let Some(set) = self.aliases.get(t.norm) else {
                continue;
            };
            check(set, first, first + 1);
            if !set.longer {
                continue;
            }
            key.clear();
            key.push_str(t.norm);
            for last in first + 2..=(first + MAX_ALIAS_WORDS).min(toks.len()) {
                key.push(' ');
                key.push_str(toks[last - 1].norm);
                let Some(set) = self.aliases.get(key.as_str()) else {
                    break;
                };
                check(set, first, last);
                if !set.longer {
                    break;
                }
            }
        }
        // Longest first, then leftmost; keep those that do not overlap a kept one.
        // (A start and a length name one span: no ties, so an unstable sort, which does not
        // allocate, keeps the same order.)
        found.sort_unstable_by(|a, b| (b.end - b.start).cmp(&(a.end - a.start)).then(a.start.cmp(&b.start)));
        taken.clear();
        taken.resize(toks.len(), false);
        let mut kept = Vec::new();
        for &s in &found {
            if taken[s.start..s.end].iter().any(|&t| t) {
                continue;
            }
            taken[s.start..s.end].iter_mut().for_each(|t| *t = true);
            kept.push(s);
        }
        kept.sort_unstable_by_key(|s| s.start);
        if taken.capacity() <= 1 << 20 {
            FIND_BUFFERS.set((key, found, taken));
        }
        kept
    }

    /// The folded words of an entry's canonical value ("Kim Jong Un": kim, jong, un).
    pub fn value_words(&self, entry: u32) -> &[String] {
        &self.value_words[entry as usize]
    }

    /// The first entry of a kind with the alias `norm`, folded as [`normalize_phrase`] folds
    /// (what [`Gazetteer::lookup`] finds first, without folding or collecting).
    pub fn alias_entry(&self, norm: &str, kind: Kind) -> Option<&Entry> {
        self.aliases
            .get(norm)?
            .refs
            .iter()
            .map(|r| &self.entries[r.entry as usize])
            .find(|e| e.kind == kind)
    }

    /// Entries whose alias is `name` (any case), of one kind.
    pub fn lookup(&self, name: &str, kind: Kind) -> Vec<&Entry> {
        let norm = normalize_phrase(name);
        let mut out: Vec<&Entry> = Vec::new();
        if kind == Kind::Country {
            if let Some(&id) = self.codes.get(&name.trim().to_lowercase()) {
                out.push(&self.entries[id as usize]);
            }
        }
        for r in self.aliases.get(&norm).into_iter().flat_map(|a| &a.refs) {
            let e = &self.entries[r.entry as usize];
            if e.kind == kind && !out.iter().any(|o| o.value == e.value) {
                out.push(e);
            }
        }
        out
    }

    /// Every alias of entries of a kind, for suggestions: (alias as folded, entry).
    pub fn aliases_of(&self, kind: Kind) -> impl Iterator<Item = (&str, &Entry)> {
        self.aliases.iter().flat_map(move |(alias, set)| {
            set.refs
                .iter()
                .map(|r| &self.entries[r.entry as usize])
                .filter(move |e| e.kind == kind)
                .map(move |e| (alias.as_str(), e))
        })
    }

    /// The country entry of an ISO code.
    pub fn country(&self, code: &str) -> Option<&Entry> {
        let code = code.trim();
        // Codes are short and ASCII: lower-cased on the stack.
        let mut small = [0u8; 8];
        let id = match small.get_mut(..code.len()) {
            Some(buf) if code.is_ascii() => {
                buf.copy_from_slice(code.as_bytes());
                buf.make_ascii_lowercase();
                self.codes.get(std::str::from_utf8(buf).expect("ASCII"))
            }
            _ => self.codes.get(&code.to_lowercase()),
        };
        id.map(|&id| &self.entries[id as usize])
    }
}

/// Whether the text's capitalisation allows this alias to match: words of a caps-only alias
/// ("AS", "UN") in capitals, others starting with a capital. Never true when the first token
/// is lower case, which [`Gazetteer::find`] relies on.
fn case_ok(r: &AliasRef, toks: &[Tok]) -> bool {
    let upper =
        |t: &Tok| t.case == Case::Upper || t.case == Case::Other || (t.case == Case::Title && t.norm.len() == 1);
    if r.caps_only {
        toks.iter().all(upper) || (r.letters >= 4 && toks.iter().all(|t| t.case != Case::Lower))
    } else {
        toks.first().is_some_and(|t| t.case != Case::Lower)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokens::tokenize;

    proptest::proptest! {
        /// The bit table never hides a word of the map: a lookup answers what the map alone
        /// answers, for words in it and words not in it.
        #[test]
        fn word_map_answers_as_its_map(
            words in proptest::collection::vec("\\PC{0,20}|[a-z]{1,40}", 0..60),
            probes in proptest::collection::vec("\\PC{0,20}|[a-z]{1,40}", 0..60),
        ) {
            let mut m = WordMap::default();
            for (i, w) in words.iter().enumerate() {
                *m.entry_or(w, || i) = i;
            }
            let plain: std::collections::HashMap<&str, usize> =
                words.iter().enumerate().map(|(i, w)| (w.as_str(), i)).collect();
            for w in words.iter().chain(&probes) {
                proptest::prop_assert_eq!(m.get(w), plain.get(w.as_str()));
            }
            for w in &words {
                proptest::prop_assert!(m.contains(w));
            }
        }
    }

    /// (value, first token, last token + 1) of every span found in `text`.
    fn spans(text: &str) -> Vec<(String, usize, usize)> {
        let g = Gazetteer::get();
        let mut buf = String::new();
        let toks = tokenize(text, &mut buf);
        g.find(&toks)
            .into_iter()
            .map(|s| (g.entries[s.entry as usize].value.clone(), s.start, s.end))
            .collect()
    }

    #[test]
    fn finds_longest_aliases_as_written_and_never_from_a_lower_case_word() {
        let found = spans("Presiden Korea Utara dan AS bertemu di Vladivostok.");
        assert!(
            found.iter().any(|(v, a, b)| v == "KP" && (*a, *b) == (1, 3)),
            "{found:?}"
        );
        assert!(
            found.iter().any(|(v, a, b)| v == "US" && (*a, *b) == (4, 5)),
            "{found:?}"
        );
        // Lower case: "korea utara" and the word "as" are no entities.
        let found = spans("presiden korea utara as bertemu");
        assert!(found.is_empty(), "{found:?}");
        // A caps-only alias needs its capitals: "As" opening a sentence is a word.
        let found = spans("As he said, Korea Utara waited.");
        assert!(!found.iter().any(|(v, _, _)| v == "US"), "{found:?}");
    }
}
