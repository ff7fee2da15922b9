//! Named entities of one article: persons, countries, organizations, places, each canonical
//! and counted.
//!
//! 1. Gazetteer matches (longest first) give known countries, places, organizations, persons.
//! 2. Organization rules: a capitalised name holding a head word (Kementerian, Ministry,
//!    Dewan, Council, Partai, University, Bank...) is an organization.
//!    Place rules: a capitalised name after a head such as Kabupaten, Pulau, Gunung, Mount,
//!    or before one such as River, Province, is a place.
//! 3. Person rules: runs of capitalised words that are no other entity and no stop word are
//!    persons when a cue supports them: a title or role before them (Presiden, Minister,
//!    juru bicara, Tn.), a reporting verb next to them (said, kata, mengatakan, menurut), a
//!    role in apposition after them (", Menteri ..."), or a known given or family name.
//! 4. In-article coreference: a lone surname, or the family name of a Korean or Chinese name
//!    (written first), is the full name mentioned in the same article that has it; when
//!    several do, the most prominent one (first, then most often mentioned). A lone name no
//!    full name explains is the gazetteer's person when only one has that surname.

use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::gazetteer::{Gazetteer, Kind};
use super::tagger::{EntityType, Hint, Model, TaggedSpan, View, WordFacts};
use super::tokens::{gap, normalize_phrase, tokenize, Case, Gap, Tok};

/// A person or organization found in an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    pub name: String,
    pub mentions: u32,
    /// The distinct strings the article used for it.
    pub forms: Vec<String>,
}

/// A country found in an article (directly, or through one of its places).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountryMention {
    pub code: String,
    pub name: String,
    pub mentions: u32,
    pub forms: Vec<String>,
}

/// A place found in an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceMention {
    pub name: String,
    pub country: Option<String>,
    pub mentions: u32,
    pub forms: Vec<String>,
}

/// Everything extracted from one article, most mentioned first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entities {
    pub persons: Vec<Mention>,
    pub countries: Vec<CountryMention>,
    pub orgs: Vec<Mention>,
    pub places: Vec<PlaceMention>,
}

/// Honorifics kept in the surface form of a name ("Tn. Putin").
const HONORIFICS: &[&str] = &[
    "mr", "mrs", "ms", "tn", "ny", "nn", "pak", "bu", "dr", "prof", "sen", "rep",
];
/// Lower-case particles inside names.
const PARTICLES: &[&str] = &[
    "bin", "binti", "van", "von", "de", "der", "den", "da", "dos", "del", "al", "el", "la", "le", "di", "ibn",
];
/// Titles followed by a portfolio ("Menteri Pertahanan", "Minister of Defence").
const PORTFOLIO_TITLES: &[&str] = &["menteri", "minister", "secretary", "sekretaris", "menko", "wamen"];
/// Connectors inside organization names.
/// What follows an apostrophe in a possessive or a contraction ("Clinton's", "don't",
/// "we'll"), never part of a name.
const CONTRACTIONS: &[&str] = &["s", "t", "ll", "re", "ve", "d", "m"];
/// Capitalised words that are no part of a person's name though they may be of an
/// organization's, so they are no stop words: "Tim Nasional" (national team; Tim is a given
/// name), "Timnas", "Piala Asia", "Copa del Rey" and "Zona Asia" (Asia is a given name too),
/// "Davis Cup", "Christian Democrats", "Commerce Departments", "MotoGP Aragon", "Grand Prix".
const NOT_IN_PERSON_NAMES: &[&str] = &[
    "nasional",
    "timnas",
    "piala",
    "copa",
    "cup",
    "trophy",
    "zona",
    "democrats",
    "republicans",
    "departments",
    "motogp",
    "prix",
];
const ORG_CONNECTORS: &[&str] = &["of", "for", "on", "and", "the", "dan", "untuk", "urusan", "bagi"];
/// Words that make a name a company's: a run of words that looks like a person's name but
/// begins a company of the same article ("Merrill Lynch" of "Merrill Lynch and Co Inc") is
/// that company.
const CORPORATE: &[&str] = &[
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "ltd",
    "limited",
    "plc",
    "llc",
    "holdings",
    "group",
    "securities",
    "bros",
    "brothers",
    "ag",
    "gmbh",
    "tbk",
    "persero",
    "sa",
    "nv",
    "bhd",
];

/// What a token is, as far as recognition cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Free,
    Known(u32),
    Org,
    Place,
    Title,
    Verb,
}

/// Accumulates mentions of one entity.
#[derive(Debug, Default)]
struct Acc {
    mentions: u32,
    first: usize,
    forms: Vec<String>,
}

impl Acc {
    fn add(&mut self, pos: usize, form: &str) {
        if self.mentions == 0 || pos < self.first {
            self.first = pos;
        }
        self.mentions += 1;
        // Most forms are tidy already (single spaces between words): compared as they are,
        // and copied only when new.
        let form = tidy(form);
        if !self.forms.iter().any(|f| **f == *form) {
            self.forms.push(form.into_owned());
        }
    }
}

/// Whether a form has single spaces between its words and no other white space.
fn is_tidy(form: &str) -> bool {
    let bytes = form.as_bytes();
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    let mut after_space = false;
    for &b in bytes {
        match b {
            b' ' if after_space => return false,
            b' ' => after_space = true,
            b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => return false,
            // Unicode white space (no-break and thin spaces, ...): tell by characters.
            0x80.. => return !form.contains("  ") && !form.contains(|c: char| c.is_whitespace() && c != ' '),
            _ => after_space = false,
        }
    }
    true
}

/// An entity's name as a key while an article is read: the gazetteer's own string for known
/// entities (nothing copied), a copy for names the rules made.
type Name = Cow<'static, str>;

/// The value of `key` in `map`, made with `make` when missing: the key is copied only then.
fn value_in<'m, V>(map: &'m mut HashMap<Name, V>, key: &str, make: impl FnOnce() -> V) -> &'m mut V {
    if !map.contains_key(key) {
        map.insert(Cow::Owned(key.to_string()), make());
    }
    map.get_mut(key).expect("inserted")
}

/// `form` with single spaces between its words, copied only when it has other white space.
fn tidy(form: &str) -> Cow<'_, str> {
    if is_tidy(form) {
        Cow::Borrowed(form)
    } else {
        Cow::Owned(form.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

/// Buffers a thread's extractions reuse from one article to the next, instead of allocating
/// and freeing them for every article.
#[derive(Default)]
struct Buffers {
    /// Title and body joined.
    text: String,
    /// The tokenizer's lower-cased copy and folded forms.
    norms: String,
    role: Vec<Role>,
    capitals: Vec<u32>,
    place_starts: Vec<u32>,
    caps_line: Vec<bool>,
    /// The tagger's filter of words written in lower case.
    seen_lower: Vec<u64>,
}

impl Buffers {
    /// Room in the folded copy beyond which the buffers are freed after use rather than kept:
    /// an exceptionally long text (a few MB) should not hold its memory for the thread's life.
    const KEEP_BYTES: usize = 2 << 20;
}

thread_local! {
    static BUFFERS: std::cell::RefCell<Buffers> = std::cell::RefCell::default();
}

/// Runs `f` with this thread's buffers, handing them back afterwards unless they grew for an
/// exceptionally long text.
fn with_buffers<T>(f: impl FnOnce(&mut Buffers) -> T) -> T {
    let mut buffers = BUFFERS.take();
    let out = f(&mut buffers);
    if buffers.norms.capacity() <= Buffers::KEEP_BYTES {
        BUFFERS.set(buffers);
    }
    out
}

/// Extracts the entities of an article (its title and body together).
pub fn extract(title: &str, body: &str) -> Entities {
    with_buffers(|b| {
        let mut text = std::mem::take(&mut b.text);
        text.clear();
        if !title.is_empty() {
            text.push_str(title);
            text.push_str("\n\n");
        }
        text.push_str(body);
        let out = extract_with(&text, b, None);
        b.text = text;
        out
    })
}

/// Extracts the entities of one text.
pub fn extract_text(text: &str) -> Entities {
    with_buffers(|b| extract_with(text, b, None))
}

/// Runs the rules over a text and hands `f` what the learned tagger would see of it: its
/// tokens with the rules' hints (for training the tagger on the same evidence it tags with).
pub fn tagger_view(text: &str, f: &mut dyn FnMut(&View)) {
    with_buffers(|b| {
        extract_with(text, b, Some(f));
    });
}

/// [`extract_text`] with the given buffers. With `capture`, the rules run and `capture` is
/// handed the tagger's view instead of the tagger running (nothing is returned).
fn extract_with(text: &str, buffers: &mut Buffers, capture: Option<&mut dyn FnMut(&View)>) -> Entities {
    let g = Gazetteer::get();
    // The tokenizer copies the text into it and appends the folded forms of non-ASCII words.
    let norms = &mut buffers.norms;
    let toks = tokenize(text, norms);
    let n = toks.len();
    let role = &mut buffers.role;
    role.clear();
    role.resize(n, Role::Free);

    // Country codes: the gazetteer's.
    let mut countries: HashMap<&'static str, Acc> = HashMap::default();
    let mut places: HashMap<Name, (Acc, Option<&'static str>)> = HashMap::default();
    let mut orgs: HashMap<Name, Acc> = HashMap::default();
    let mut persons: HashMap<Name, Acc> = HashMap::default();
    // Each person's canonical name and its folded words.
    let mut person_keys: Vec<(Name, Vec<&str>)> = Vec::new();
    // Folded phrases built from tokens.
    let mut scratch = String::new();

    let surface = |a: usize, b: usize| -> &str { &text[toks[a].start..toks[b - 1].end] };

    // 1. Gazetteer.
    let spans = g.find(&toks);
    for &span in &spans {
        let e = &g.entries[span.entry as usize];
        let value = e.value.as_str();
        for r in &mut role[span.start..span.end] {
            *r = Role::Known(span.entry);
        }
        let form = surface(span.start, span.end);
        match e.kind {
            Kind::Country => countries.entry(value).or_default().add(span.start, form),
            Kind::Place => places
                .entry(Cow::Borrowed(value))
                .or_insert_with(|| (Acc::default(), e.country.as_deref()))
                .0
                .add(span.start, form),
            Kind::Org => orgs.entry(Cow::Borrowed(value)).or_default().add(span.start, form),
            Kind::Person => {
                let (from, form) = with_honorific(text, &toks, span.start, form);
                persons.entry(Cow::Borrowed(value)).or_default().add(from, form);
                if !person_keys.iter().any(|(c, _)| c == value) {
                    person_keys.push((Cow::Borrowed(value), words_of(g, span.entry)));
                }
                // The words as the article writes them too, when they are another spelling
                // ("Volodymyr Zelensky" for Volodymyr Zelenskyy): a lone "Zelensky" later is
                // the same person.
                let written: Vec<&str> = toks[span.start..span.end].iter().map(|t| t.norm).collect();
                if !person_keys.iter().any(|(c, w)| c == value && *w == written) {
                    person_keys.push((Cow::Borrowed(value), written));
                }
            }
        }
    }

    // The tokens each rule below may start at, found in one pass: most tokens of a text are
    // lower-case words that start none, and every rule walking all tokens cost more than
    // the rules' work. The rules then visit their candidates in order, skipping those inside
    // a name just taken, exactly as a walk over every token would.
    let capitals = &mut buffers.capitals;
    capitals.clear();
    let mut cue_starts = Vec::new();
    let place_starts = &mut buffers.place_starts;
    place_starts.clear();
    for (k, t) in toks.iter().enumerate() {
        if matches!(t.case, Case::Title | Case::Upper) {
            capitals.push(k as u32);
        }
        if !g.rule_starts.may_hold(t.norm) {
            continue;
        }
        if let Some(cues) = g.cues.by_first.get(t.norm) {
            cue_starts.push((k, cues));
        }
        if g.place_head_first.contains(t.norm) {
            place_starts.push(k as u32);
        }
    }

    // Cue phrases (titles, reporting verbs), longest first.
    let mut next = 0;
    for &(i, cues) in &cue_starts {
        if i < next || role[i] != Role::Free {
            continue;
        }
        for (words, title) in cues {
            let len = words.len();
            if i + len > n
                || !words.iter().zip(&toks[i..i + len]).all(|(w, t)| *w == t.norm)
                || role[i..i + len].iter().any(|r| *r != Role::Free)
                || (1..len).any(|k| gap(text, &toks, i + k - 1) == Gap::Break)
            {
                continue;
            }
            let r = if *title { Role::Title } else { Role::Verb };
            role[i..i + len].iter_mut().for_each(|x| *x = r);
            next = i + len;
            break;
        }
    }

    let is_cap = |t: &Tok| matches!(t.case, Case::Title | Case::Upper);
    caps_lines(text, &toks, &mut buffers.caps_line);
    let caps_line = &buffers.caps_line;
    let name_like = |role: &[Role], k: usize| -> bool {
        let t = &toks[k];
        role[k] == Role::Free
            && (t.case == Case::Title || (t.case == Case::Upper && caps_line[k]))
            && !g.cues.stops.contains(t.norm)
            && !NOT_IN_PERSON_NAMES.contains(&t.norm)
            && t.norm.chars().any(|c| c.is_ascii_alphabetic())
    };

    // 2. Organization rules.
    let mut next = 0;
    for &k in capitals.iter() {
        let k = k as usize;
        if k < next {
            continue;
        }
        let t = &toks[k];
        // "Menteri Persatuan" is a minister's portfolio, not an organization.
        let portfolio =
            || k > 0 && PORTFOLIO_TITLES.contains(&toks[k - 1].norm) && gap(text, &toks, k - 1) == Gap::Space;
        // (Every candidate is capitalised.)
        let head = role[k] == Role::Free && g.org_heads.contains(t.norm) && !portfolio();
        if !head {
            continue;
        }
        let joinable = |j: usize| -> bool {
            let known_place =
                matches!(role[j], Role::Known(e) if matches!(g.entries[e as usize].kind, Kind::Country | Kind::Place));
            (role[j] == Role::Free && is_cap(&toks[j]) && !g.cues.stops.contains(toks[j].norm)) || known_place
        };
        // Left: capitalised words and country/place names before the head; before a company's
        // "Co" or "Inc", across one "and" too ("Procter and Gamble Co", "Hargreaves and Co").
        let mut a = k;
        let mut crossed = !CORPORATE.contains(&t.norm);
        loop {
            while a > 0 && gap(text, &toks, a - 1) != Gap::Break && joinable(a - 1) && !toks[a].sentence_start {
                a -= 1;
            }
            if !crossed
                && a >= 2
                && toks[a - 1].norm == "and"
                && toks[a - 1].case == Case::Lower
                && !toks[a].sentence_start
                && gap(text, &toks, a - 1) != Gap::Break
                && gap(text, &toks, a - 2) != Gap::Break
                && joinable(a - 2)
            {
                crossed = true;
                a -= 2;
                continue;
            }
            break;
        }
        // Right: capitalised words, and connectors followed by one.
        let mut b = k + 1;
        let head_first = a == k;
        while b < n && gap(text, &toks, b - 1) != Gap::Break {
            let known = matches!(role[b], Role::Known(_));
            if joinable(b) && (head_first || !known) {
                b += 1;
            } else if ORG_CONNECTORS.contains(&toks[b].norm)
                && toks[b].case == Case::Lower
                && b + 1 < n
                && gap(text, &toks, b) != Gap::Break
                && joinable(b + 1)
            {
                b += 2;
            } else {
                break;
            }
        }
        while a < k && (toks[a].norm == "the" || ORG_CONNECTORS.contains(&toks[a].norm)) {
            a += 1;
        }
        // "Co Inc" of "Goldman Sachs and Co Inc", after a known company: the rest of its name,
        // no organization of its own.
        let tail_of_known = || {
            let before = match a.checked_sub(1) {
                Some(p) if ORG_CONNECTORS.contains(&toks[p].norm) => p.checked_sub(1),
                p => p,
            };
            toks[a..b]
                .iter()
                .all(|t| CORPORATE.contains(&t.norm) || ORG_CONNECTORS.contains(&t.norm))
                && before.is_some_and(|p| matches!(role[p], Role::Known(e) if g.entries[e as usize].kind == Kind::Org))
        };
        if b - a >= 2 && tail_of_known() {
            for r in &mut role[a..b] {
                if *r == Role::Free {
                    *r = Role::Org;
                }
            }
        } else if b - a >= 2 {
            let name = tidy(surface(a, b));
            // The name folded (what `normalize_phrase` makes of it), from its tokens.
            scratch.clear();
            for t in toks[a..b].iter().filter(|t| !t.norm.is_empty()) {
                if !scratch.is_empty() {
                    scratch.push(' ');
                }
                scratch.push_str(t.norm);
            }
            match g.alias_entry(&scratch, Kind::Org) {
                Some(e) => orgs.entry(Cow::Borrowed(e.value.as_str())).or_default(),
                None => value_in(&mut orgs, &name, Acc::default),
            }
            .add(a, &name);
            for r in &mut role[a..b] {
                if *r == Role::Free {
                    *r = Role::Org;
                }
            }
        }
        next = b.max(k + 1);
    }

    // 2b. Place rules: "Kabupaten Gembong", "Pulau Sebesi", "Mekong River".
    let mut next = 0;
    for &k in place_starts.iter() {
        let k = k as usize;
        if k < next || role[k] != Role::Free {
            continue;
        }
        let Some(head) = g.place_heads.iter().find(|h| {
            k + h.words.len() <= n
                && h.words.iter().enumerate().all(|(j, w)| {
                    role[k + j] == Role::Free
                        && toks[k + j].norm == *w
                        && (j == 0 || gap(text, &toks, k + j - 1) == Gap::Space)
                })
        }) else {
            continue;
        };
        let h = head.words.len();
        // An Indonesian administrative unit may be written in lower case ("desa Wonorejo");
        // other heads must be capitalised.
        if toks[k].case == Case::Lower && head.country.is_none() {
            continue;
        }
        let capital = |j: usize| -> bool {
            role[j] == Role::Free
                && matches!(toks[j].case, Case::Title | Case::Upper)
                && !g.cues.stops.contains(toks[j].norm)
                && !g.org_heads.contains(toks[j].norm)
                && !g.place_head_first.contains(toks[j].norm)
        };
        let (a, b) = if head.before {
            let mut b = k + h;
            while b < n && b < k + h + 4 && gap(text, &toks, b - 1) != Gap::Break && capital(b) {
                b += 1;
            }
            (k, b)
        } else {
            let mut a = k;
            while a > 0 && a + 3 > k && gap(text, &toks, a - 1) != Gap::Break && capital(a - 1) {
                a -= 1;
                if toks[a].sentence_start {
                    break;
                }
            }
            (a, k + h)
        };
        if b - a == h {
            next = k + h;
            continue;
        }
        let name = tidy(surface(a, b));
        value_in(&mut places, &name, || (Acc::default(), head.country.as_deref()))
            .0
            .add(a, &name);
        for r in &mut role[a..b] {
            *r = Role::Place;
        }
        next = b;
    }

    // 2c. A known place with an Indonesian compass word is a place of its own, in the same
    // country: "Aceh Barat", "Jakarta Selatan" (unless the gazetteer knows it already).
    for span in &spans {
        let e = &g.entries[span.entry as usize];
        let b = span.end;
        if e.kind != Kind::Place
            || b >= n
            || role[b] != Role::Free
            || toks[b].case != Case::Title
            || !COMPASS_ID.contains(&toks[b].norm)
            || gap(text, &toks, b - 1) != Gap::Space
        {
            continue;
        }
        let name = surface(span.start, b + 1);
        let acc = &mut places.get_mut(e.value.as_str()).expect("gazetteer place counted").0;
        acc.mentions -= 1;
        let emptied = acc.mentions == 0;
        if emptied {
            places.remove(e.value.as_str());
        }
        value_in(&mut places, name, || (Acc::default(), e.country.as_deref()))
            .0
            .add(span.start, name);
        role[b] = Role::Place;
    }

    // 3. Person runs.
    // In Indonesian text "di" is the preposition "at" ("Laode di Gedung Merah Putih"), not
    // the particle of Italian names ("Luca di Montezemolo"); asked only when it matters.
    let indonesian = std::cell::OnceCell::new();
    // The companies of the article, folded, once a person run needs them: (name, words).
    let mut org_words: Option<Vec<(String, String)>> = None;
    // Single-word mentions: (token, cue-adjacent, whether it is still to be told from an
    // ordinary word).
    let mut partials: Vec<(usize, bool, bool)> = Vec::new();
    // The tokens of the persons the rules found (for the tagger's hints).
    let mut person_spans: Vec<(usize, usize)> = Vec::new();
    let mut next = 0;
    for &k in capitals.iter() {
        let k = k as usize;
        if k < next || role[k] != Role::Free || !name_like(role, k) || code_letter(text, &toks[k]) {
            continue;
        }
        let a = k;
        let mut b = k + 1;
        while b < n {
            let gp = gap(text, &toks, b - 1);
            // "Clinton's", "TREASURY'S": the possessive ends the name; so does a contraction
            // ("Don't" is no name), and the letter of a code ("U" of "Piala Asia U-23").
            if gp == Gap::Break
                || (gp == Gap::Join && CONTRACTIONS.contains(&toks[b].norm))
                || code_letter(text, &toks[b])
            {
                break;
            }
            if name_like(role, b)
                || (gp == Gap::Join && role[b] == Role::Free && toks[b].case == Case::Lower && toks[b].norm.len() <= 6)
            {
                b += 1;
            } else if PARTICLES.contains(&toks[b].norm)
                && toks[b].case == Case::Lower
                && b + 1 < n
                && name_like(role, b + 1)
                && gap(text, &toks, b) != Gap::Break
                && !(toks[b].norm == "di" && *indonesian.get_or_init(|| is_indonesian(&toks)))
            {
                b += 2;
            } else {
                break;
            }
        }
        next = b;
        // Part of another kind of name: "Tim" of "Tim Nasional" (national team), "Davis" of
        // "Davis Cup", "Asia" of "Piala Asia" or "Zona Asia".
        let joined = |i: usize, words: &[&str]| toks[i].case != Case::Lower && words.contains(&toks[i].norm);
        if (b < n && gap(text, &toks, b - 1) == Gap::Space && joined(b, &["nasional", "cup", "trophy"]))
            || (a > 0 && gap(text, &toks, a - 1) == Gap::Space && joined(a - 1, &["piala", "zona"]))
        {
            continue;
        }
        // An Indonesian reduplicated word ("Kira-kira", "Hal-hal" opening a sentence).
        if b == a + 2 && toks[a].norm == toks[a + 1].norm && gap(text, &toks, a) == Gap::Join {
            continue;
        }
        // A lone capitalised word: whether it is an ordinary word (and no mention) is asked
        // only if it could name someone (step 4); most cannot.
        let single = b == a + 1;
        // Leading ordinary words are not part of the name: a portfolio after a title
        // ("Menteri Keuangan Sri Mulyani"), or a capitalised word opening the sentence.
        let mut a = a;
        while !single && a < b && is_common_word(g, &toks[a]) {
            a += 1;
        }
        if a < b && toks[a].sentence_start && b - a >= 2 && !g.names.contains(toks[a].norm) {
            let next_is_name = g.names.get(toks[a + 1].norm).is_some_and(|u| u.given || u.family);
            if next_is_name {
                a += 1;
            }
        }
        // In a headline in capitals, words before the first known name are not part of it
        // ("MEETS" of "KIM JONG UN MEETS PUTIN").
        let trimmed = b - a >= 2 && caps_line[a] && {
            let from = a;
            a = first_name_part(g, &toks[..b], a);
            a > from
        };
        if a == b {
            continue;
        }
        let words = b - a;
        if words > 5 || toks[a..b].iter().any(|t| g.org_heads.contains(t.norm)) {
            continue;
        }
        if words == 1 {
            // A lone name stands as a person of its own (many Indonesians have one name)
            // only right after a title: "Presiden Soekarno", "Menteri Budi".
            let adjacent = a > 0 && role[a - 1] == Role::Title && gap(text, &toks, a - 1) == Gap::Space;
            partials.push((a, adjacent, single || trimmed));
            continue;
        }
        // A cue supports the run, the cheapest tests first.
        // (A rare American name that is an Indonesian word makes no name of Indonesian words
        // alone: "Minta Maaf", "Kena Sanksi", "Dana Hibah"; but "Tim Henman", "Gigi Hadid".)
        let indonesian_words = || toks[a..b].iter().all(|t| super::indonesian::is_word(t.norm));
        let real = |u: &super::gazetteer::NameUse| !u.census_only || !indonesian_words();
        let known = g
            .names
            .get(toks[a].norm)
            .is_some_and(|u| (u.given || u.family_first) && real(u))
            || g.names.get(toks[b - 1].norm).is_some_and(|u| u.family && real(u));
        // Words that go on from an organization's name are more of it, not a person, unless
        // they hold a known name ("Merrill Lynch Capital Markets said"; but "Menteri BUMN
        // Erick Thohir").
        let after_org = || {
            a > 0
                && (role[a - 1] == Role::Org
                    || matches!(role[a - 1], Role::Known(e) if g.entries[e as usize].kind == Kind::Org))
                && gap(text, &toks, a - 1) == Gap::Space
        };
        if !known && after_org() {
            continue;
        }
        // In a headline in capitals every word looks like a name ("DOLLAR STABLE" of "BAKER
        // SAYS DOLLAR STABLE"): there only a known given or family name makes one.
        if !(known
            || (!caps_line[a]
                && (verb_near(text, &toks, role, a, b)
                    || apposition_after(text, &toks, role, b)
                    || title_before(text, &toks, role, a))))
        {
            continue;
        }
        let form = surface(a, b);
        let display = if toks[a..b].iter().all(|t| t.case == Case::Upper) {
            title_case(form)
        } else {
            form.to_string()
        };
        let folded: Vec<&str> = toks[a..b].iter().map(|t| t.norm).collect();
        // "Rumah Sakit Pusat Angkatan Darat (RSPAD) Gatot Soebroto": words after an
        // organization's acronym in parentheses that make, with it, a name of the same
        // organization ("RSPAD Gatot Soebroto") are more of it, not a person.
        if a > 0 && text[toks[a - 1].end..toks[a].start].starts_with(')') {
            if let Role::Known(e) = role[a - 1] {
                let org = &g.entries[e as usize];
                let phrase = format!("{} {}", toks[a - 1].norm, folded.join(" "));
                if org.kind == Kind::Org && g.alias_entry(&phrase, Kind::Org).is_some_and(|x| x.value == org.value) {
                    role[a..b].iter_mut().for_each(|r| *r = Role::Org);
                    continue;
                }
            }
        }
        // The opening words of a company this article names ("Merrill Lynch said", after
        // "Merrill Lynch and Co Inc") are that company.
        if !orgs.is_empty() {
            if let Some(name) = company_begun_by(&orgs, &mut org_words, &folded) {
                value_in(&mut orgs, &name, Acc::default).add(a, form);
                role[a..b].iter_mut().for_each(|r| *r = Role::Org);
                continue;
            }
        }
        person_spans.push((a, b));
        let (from, form) = with_honorific(text, &toks, a, form);
        add_person_run(&mut persons, &mut person_keys, folded, display, from, form);
    }

    // 4. Lone names: resolve to a full name of this article, else to a unique known person.
    for (tok, adjacent, unchecked) in partials {
        let lone = LoneName {
            tok,
            adjacent,
            unchecked,
            tagged: false,
            may_stand: false,
        };
        if add_lone_name(g, text, &toks, lone, &mut persons, &mut person_keys) {
            person_spans.push((tok, tok + 1));
        }
    }

    // A run that goes on from a person of the article with verbs is that person: a headline in
    // title case ("Galih Ginanjar Minta Maaf", "Nahrawi Mundur").
    if person_keys.len() >= 2 {
        merge_headline_runs(&mut persons, &mut person_keys);
    }

    // 5. The learned tagger: names the rules did not find.
    let model = if capture.is_some() { None } else { Model::get() };
    if capture.is_some() || model.is_some() {
        let hints = hints_of(g, role, &person_spans);
        let facts = word_facts(g, &toks, &mut buffers.seen_lower);
        let view = View {
            text,
            toks: &toks,
            hints: &hints,
            facts: &facts,
            caps_line,
        };
        if let Some(f) = capture {
            f(&view);
            return Entities::default();
        }
        let tagged = model.map(|m| m.tag(&view)).unwrap_or_default();
        for span in tagged.iter().filter(|s| s.kind == EntityType::Org) {
            retype_place_as_org(g, text, &toks, role, span, &mut countries, &mut places, &mut orgs);
        }
        let found = Found {
            persons: &mut persons,
            person_keys: &mut person_keys,
            orgs: &mut orgs,
            places: &mut places,
        };
        add_tagged(g, &view, &tagged, found);
    }

    // A shortened organization name ("Dewan Keamanan") is the longer one of this article
    // that it begins ("Dewan Keamanan Perserikatan Bangsa-Bangsa"): shortest names first,
    // each merged into the most mentioned longer one (then the first, then by name).
    if orgs.len() >= 2 {
        // Each organization with its forms normalized once (not once per pair compared).
        let mut list: Vec<(Name, Acc, Vec<String>)> = orgs
            .drain()
            .map(|(name, acc)| {
                let words = acc.forms.iter().map(|f| normalize_phrase(f)).collect();
                (name, acc, words)
            })
            .collect();
        let mut alive = vec![true; list.len()];
        let mut shortest_first: Vec<usize> = (0..list.len()).collect();
        shortest_first.sort_by(|&x, &y| {
            let (x, y) = (&list[x].0, &list[y].0);
            x.len().cmp(&y.len()).then_with(|| x.cmp(y))
        });
        for short in shortest_first {
            let short_words = normalize_phrase(&list[short].0);
            let begins = |f: &String| {
                f.len() > short_words.len() && f.starts_with(&short_words) && f.as_bytes()[short_words.len()] == b' '
            };
            let longer = (0..list.len())
                .filter(|&t| t != short && alive[t] && list[t].2.iter().any(begins))
                .min_by(|&x, &y| {
                    let key = |i: usize| (std::cmp::Reverse(list[i].1.mentions), list[i].1.first, &list[i].0);
                    key(x).cmp(&key(y))
                });
            if let Some(target) = longer {
                alive[short] = false;
                let acc = std::mem::take(&mut list[short].1);
                let (_, t, words) = &mut list[target];
                t.mentions += acc.mentions;
                t.first = t.first.min(acc.first);
                for f in acc.forms {
                    if !t.forms.contains(&f) {
                        words.push(normalize_phrase(&f));
                        t.forms.push(f);
                    }
                }
            }
        }
        orgs = list
            .into_iter()
            .zip(alive)
            .filter(|(_, alive)| *alive)
            .map(|((name, acc, _), _)| (name, acc))
            .collect();
    }

    // A place counts its country.
    for (acc, country) in places.values() {
        if let Some(code) = *country {
            let c = countries.entry(code).or_default();
            if c.mentions == 0 {
                c.first = acc.first;
            }
            c.mentions += acc.mentions;
        }
    }

    let order = |a: &Acc, b: &Acc| b.mentions.cmp(&a.mentions).then(a.first.cmp(&b.first));
    let mentions = |map: HashMap<Name, Acc>| -> Vec<Mention> {
        let mut v: Vec<_> = map.into_iter().collect();
        v.sort_by(|a, b| order(&a.1, &b.1).then_with(|| a.0.cmp(&b.0)));
        v.into_iter()
            .map(|(name, a)| Mention {
                name: name.into_owned(),
                mentions: a.mentions,
                forms: a.forms,
            })
            .collect()
    };
    let mut out = Entities {
        persons: mentions(persons),
        orgs: mentions(orgs),
        ..Entities::default()
    };
    let mut cs: Vec<_> = countries.into_iter().collect();
    cs.sort_by(|a, b| order(&a.1, &b.1).then_with(|| a.0.cmp(b.0)));
    out.countries = cs
        .into_iter()
        .map(|(code, a)| {
            let name = g.country(code).map_or(code, |e| &e.display).to_string();
            CountryMention {
                code: code.to_string(),
                name,
                mentions: a.mentions,
                forms: a.forms,
            }
        })
        .collect();
    let mut pl: Vec<_> = places.into_iter().collect();
    pl.sort_by(|a, b| order(&a.1 .0, &b.1 .0).then_with(|| a.0.cmp(&b.0)));
    out.places = pl
        .into_iter()
        .map(|(name, (a, country))| PlaceMention {
            name: name.into_owned(),
            country: country.map(str::to_string),
            mentions: a.mentions,
            forms: a.forms,
        })
        .collect();
    out
}

/// What the rules decided of each token, as the tagger's hints.
fn hints_of(g: &Gazetteer, role: &[Role], person_spans: &[(usize, usize)]) -> Vec<Hint> {
    let mut hints: Vec<Hint> = role
        .iter()
        .map(|r| match *r {
            Role::Free => Hint::None,
            Role::Known(e) => match g.entries[e as usize].kind {
                Kind::Country => Hint::KnownCountry,
                Kind::Place => Hint::KnownPlace,
                Kind::Org => Hint::KnownOrg,
                Kind::Person => Hint::KnownPerson,
            },
            Role::Org => Hint::RuleOrg,
            Role::Place => Hint::RulePlace,
            Role::Title => Hint::Title,
            Role::Verb => Hint::Verb,
        })
        .collect();
    for &(a, b) in person_spans {
        hints[a..b]
            .iter_mut()
            .filter(|h| **h == Hint::None)
            .for_each(|h| *h = Hint::RulePerson);
    }
    hints
}

/// Bits of a 64 Ki-bit filter of the words a text writes in lower case.
const SEEN_LOWER_BITS: usize = 1 << 16;

/// The gazetteer's word lists' facts of the tokens the tagger looks at (candidates and their
/// neighbours: capitalised words and the words next to them).
fn word_facts(g: &Gazetteer, toks: &[Tok], seen_lower: &mut Vec<u64>) -> Vec<WordFacts> {
    let slot = |w: &str| (xxhash_rust::xxh3::xxh3_64(w.as_bytes()) as usize) & (SEEN_LOWER_BITS - 1);
    seen_lower.clear();
    seen_lower.resize(SEEN_LOWER_BITS / 64, 0);
    for t in toks.iter().filter(|t| t.case == Case::Lower) {
        let k = slot(t.norm);
        seen_lower[k / 64] |= 1 << (k % 64);
    }
    let mut facts = vec![WordFacts::default(); toks.len()];
    let capital = |t: &Tok| matches!(t.case, Case::Title | Case::Upper);
    for (i, t) in toks.iter().enumerate() {
        let near_capital = capital(t) || (i > 0 && capital(&toks[i - 1])) || toks.get(i + 1).is_some_and(&capital);
        if !near_capital {
            continue;
        }
        let w = t.norm;
        let name = g.names.get(w);
        let k = slot(w);
        facts[i] = WordFacts {
            given: name.is_some_and(|u| u.given),
            family: name.is_some_and(|u| u.family),
            common_name: name.is_some_and(|u| u.common),
            ordinary: g.cues.stops.contains(w) || super::indonesian::is_word(w),
            org_head: g.org_heads.contains(w),
            place_head: g.place_head_first.contains(w),
            seen_lower: t.case != Case::Lower && seen_lower[k / 64] & (1 << (k % 64)) != 0,
        };
    }
    facts
}

/// A known place or country the tagger is sure names an organization here (a city for its
/// sports club in a results table: "Atlanta 5 Baltimore 3") counts as that organization.
#[allow(clippy::too_many_arguments)]
fn retype_place_as_org(
    g: &'static Gazetteer,
    text: &str,
    toks: &[Tok],
    role: &[Role],
    span: &TaggedSpan,
    countries: &mut HashMap<&'static str, Acc>,
    places: &mut HashMap<Name, (Acc, Option<&'static str>)>,
    orgs: &mut HashMap<Name, Acc>,
) {
    let Role::Known(e) = role[span.start] else { return };
    let whole = role[span.start..span.end].iter().all(|r| *r == Role::Known(e))
        && (span.start == 0 || role[span.start - 1] != Role::Known(e))
        && role.get(span.end) != Some(&Role::Known(e));
    if !whole || span.confidence < RETYPE_CONFIDENCE {
        return;
    }
    let entry = &g.entries[e as usize];
    let value = entry.value.as_str();
    let taken = match entry.kind {
        Kind::Country => take_mention(countries, value),
        Kind::Place => match places.get_mut(value) {
            Some((acc, _)) => {
                acc.mentions -= 1;
                if acc.mentions == 0 {
                    places.remove(value);
                }
                true
            }
            None => false,
        },
        Kind::Org | Kind::Person => false,
    };
    if taken {
        let form = &text[toks[span.start].start..toks[span.end - 1].end];
        add_tagged_org(g, orgs, form, form, span.start);
    }
}

/// Takes one mention from a country, dropping it with its last mention.
fn take_mention(countries: &mut HashMap<&'static str, Acc>, code: &str) -> bool {
    let Some(acc) = countries.get_mut(code) else {
        return false;
    };
    acc.mentions -= 1;
    if acc.mentions == 0 {
        countries.remove(code);
    }
    true
}

/// The entities of an article being read, which the tagger's names join.
struct Found<'m, 'a> {
    persons: &'m mut HashMap<Name, Acc>,
    person_keys: &'m mut Vec<(Name, Vec<&'a str>)>,
    orgs: &'m mut HashMap<Name, Acc>,
    places: &'m mut HashMap<Name, (Acc, Option<&'static str>)>,
}

/// Adds the names the tagger found on tokens no rule took: full names first, so that a lone
/// surname tagged before its full name still resolves to it; then lone names, through the
/// same coreference as the rules' ([`add_lone_name`]); organizations and places under the
/// gazetteer's entry when it knows the phrase, else under their own words.
fn add_tagged<'a>(g: &'static Gazetteer, view: &View<'_, 'a>, tagged: &[TaggedSpan], found: Found<'_, 'a>) {
    let View {
        text,
        toks,
        hints,
        facts,
        ..
    } = *view;
    let Found {
        persons,
        person_keys,
        orgs,
        places,
    } = found;
    let free = |s: &TaggedSpan| hints[s.start..s.end].iter().all(|h| *h == Hint::None);
    let surface = |s: &TaggedSpan| &text[toks[s.start].start..toks[s.end - 1].end];
    let display = |s: &TaggedSpan| {
        let form = surface(s);
        if toks[s.start..s.end].iter().all(|t| t.case == Case::Upper) && s.end - s.start > 1 {
            Cow::Owned(title_case(form))
        } else {
            Cow::Borrowed(form)
        }
    };
    let sure = |s: &TaggedSpan| s.confidence >= tagger_threshold(s.end - s.start, toks[s.start].sentence_start);
    for s in tagged.iter().filter(|s| free(s) && s.end - s.start >= 2 && sure(s)) {
        let form = surface(s);
        match s.kind {
            EntityType::Person => {
                let folded: Vec<&str> = toks[s.start..s.end].iter().map(|t| t.norm).collect();
                let (from, form) = with_honorific(text, toks, s.start, form);
                add_person_run(persons, person_keys, folded, display(s).into_owned(), from, form);
            }
            EntityType::Org => add_tagged_org(g, orgs, &display(s), form, s.start),
            EntityType::Place => add_tagged_place(g, places, &display(s), form, s.start),
            EntityType::Misc => {}
        }
    }
    // A lone word stands for a new entity only when it is no ordinary word (a weekday, a
    // capitalised word opening a sentence) and the tagger is sure of it; a lone person's name
    // that is part of a person of the article is that person whatever the tagger's margin.
    let may_stand = |s: &TaggedSpan| {
        let t = &toks[s.start];
        !facts[s.start].ordinary && !MONTH_NAMES.contains(&t.norm) && !DAY_NAMES.contains(&t.norm) && sure(s)
    };
    for s in tagged.iter().filter(|s| free(s) && s.end - s.start == 1) {
        let form = surface(s);
        match s.kind {
            EntityType::Person => {
                let lone = LoneName {
                    tok: s.start,
                    adjacent: false,
                    unchecked: false,
                    tagged: true,
                    may_stand: may_stand(s),
                };
                add_lone_name(g, text, toks, lone, persons, person_keys);
            }
            EntityType::Org if may_stand(s) => add_tagged_org(g, orgs, &display(s), form, s.start),
            EntityType::Place if may_stand(s) => add_tagged_place(g, places, &display(s), form, s.start),
            _ => {}
        }
    }
}

fn add_tagged_org(g: &'static Gazetteer, orgs: &mut HashMap<Name, Acc>, name: &str, form: &str, pos: usize) {
    match g.alias_entry(&normalize_phrase(form), Kind::Org) {
        Some(e) => orgs.entry(Cow::Borrowed(e.value.as_str())).or_default().add(pos, form),
        None => value_in(orgs, name, Acc::default).add(pos, form),
    }
}

fn add_tagged_place(
    g: &'static Gazetteer,
    places: &mut HashMap<Name, (Acc, Option<&'static str>)>,
    name: &str,
    form: &str,
    pos: usize,
) {
    match g.alias_entry(&normalize_phrase(form), Kind::Place) {
        Some(e) => places
            .entry(Cow::Borrowed(e.value.as_str()))
            .or_insert_with(|| (Acc::default(), e.country.as_deref()))
            .0
            .add(pos, form),
        None => value_in(places, name, || (Acc::default(), None)).0.add(pos, form),
    }
}

/// Adds a person named by a run of words: the person of the article with the same words
/// ("Kim Jong-un" and "Kim Jong Un"), else a new one under `display`.
fn add_person_run<'a>(
    persons: &mut HashMap<Name, Acc>,
    person_keys: &mut Vec<(Name, Vec<&'a str>)>,
    folded: Vec<&'a str>,
    display: String,
    from: usize,
    form: &str,
) {
    match person_keys.iter().find(|(_, p)| *p == folded) {
        Some((canonical, _)) => value_in(persons, canonical, Acc::default).add(from, form),
        None => {
            person_keys.push((Cow::Owned(display.clone()), folded));
            persons.entry(Cow::Owned(display)).or_default().add(from, form);
        }
    }
}

/// A lone capitalised word that may name a person, and what is known of it.
#[derive(Clone, Copy)]
struct LoneName {
    tok: usize,
    /// Right after a title ("Presiden Soekarno").
    adjacent: bool,
    /// Still to be told from an ordinary word.
    unchecked: bool,
    /// The tagger found it a person: it may also be the first name of a person of the article.
    tagged: bool,
    /// It stands as a person of its own even when nothing else explains it.
    may_stand: bool,
}

/// Adds a lone name to the persons: the full name of this article it ends (or begins, for a
/// name written family name first), else the one known person it is part of when it is
/// distinctive, else a person of its own when a title stands before it or the tagger found
/// it. Returns whether it was taken as a person.
fn add_lone_name<'a>(
    g: &'static Gazetteer,
    text: &str,
    toks: &[Tok<'a>],
    lone: LoneName,
    persons: &mut HashMap<Name, Acc>,
    person_keys: &mut Vec<(Name, Vec<&'a str>)>,
) -> bool {
    let LoneName {
        tok,
        adjacent,
        unchecked,
        tagged,
        may_stand,
    } = lone;
    let word = toks[tok].norm;
    // An ordinary word is no mention (see step 3): asked before a lone word counts.
    let ordinary = || unchecked && is_common_word(g, &toks[tok]);
    let best = person_keys
        .iter()
        .enumerate()
        .filter(|(_, (_, p))| {
            p.len() >= 2
                && (p.last().is_some_and(|l| *l == word)
                    || (p.first().is_some_and(|f| *f == word)
                        && (tagged || g.names.get(word).is_some_and(|u| u.family_first))))
        })
        .min_by_key(|(_, (c, _))| {
            let acc = persons.get(c.as_ref());
            (
                acc.map_or(usize::MAX, |a| a.first),
                std::cmp::Reverse(acc.map_or(0, |a| a.mentions)),
            )
        })
        .map(|(i, _)| i);
    // A lone "May" or "June" is a month more often than Theresa May.
    let month = MONTH_NAMES.contains(&word);
    let (from, form) = with_honorific(text, toks, tok, &text[toks[tok].start..toks[tok].end]);
    if let Some(i) = best {
        if ordinary() {
            return false;
        }
        // Every name in `person_keys` is a person of the article already.
        value_in(persons, &person_keys[i].0, Acc::default).add(from, form);
        return true;
    }
    // A lone word names the one known person it is part of only when it is distinctive
    // ("Putin", "Jokowi"): a common name or a two-letter word ("Harris", "MD") does so
    // only right after a title ("Wakil Presiden Harris").
    let distinctive = || word.len() > 2 && (adjacent || !g.names.get(word).is_some_and(|u| u.common));
    match g.person_parts.get(word).map(Vec::as_slice) {
        // (A known name part is no ordinary word.)
        Some([only]) if !month && distinctive() => {
            let value = g.entries[*only as usize].value.as_str();
            persons.entry(Cow::Borrowed(value)).or_default().add(from, form);
            if !person_keys.iter().any(|(c, _)| c == value) {
                person_keys.push((Cow::Borrowed(value), words_of(g, *only)));
            }
        }
        _ if may_stand || (adjacent && g.names.get(word).is_some_and(|u| u.given || u.family)) => {
            let name = &text[toks[tok].start..toks[tok].end];
            value_in(persons, name, Acc::default).add(from, form);
            if !person_keys.iter().any(|(c, _)| c == name) {
                // The folded words of a one-word name: the word's own.
                person_keys.push((Cow::Owned(name.to_string()), vec![word]));
            }
        }
        _ => return false,
    }
    true
}

/// Indonesian compass words that follow a place name ("Aceh Barat", "Jakarta Selatan").
const COMPASS_ID: &[&str] = &["barat", "timur", "utara", "selatan", "tengah", "tenggara"];

/// Weekdays, capitalised in Indonesian and English, never a name of their own.
const DAY_NAMES: &[&str] = &[
    "senin",
    "selasa",
    "rabu",
    "kamis",
    "jumat",
    "sabtu",
    "minggu",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The tagger's least confidence for taking a known place as an organization.
const RETYPE_CONFIDENCE: f32 = 0.3;

/// The tagger's least confidence for a name the rules did not find: by its length in words and
/// whether it opens a sentence.
/// (Chosen on CoNLL-2003 testa, NERGrit valid and the sample corpus.)
fn tagger_threshold(words: usize, sentence_start: bool) -> f32 {
    match (words, sentence_start) {
        (1, true) => 0.2,
        (1, false) => 0.05,
        _ => 0.0,
    }
}

/// Month names and abbreviations that are also names, or parts of names, of people
/// ("Jun 1987" in a table is not Dong Jun).
const MONTH_NAMES: &[&str] = &[
    "april", "may", "june", "july", "august", "juni", "juli", "agustus", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "agu", "okt", "des",
];

/// An ordinary word written with a capital: an Indonesian dictionary word that is no known
/// name part.
/// Where the name of a headline's run `toks[a..]` begins: at its first known name part, if
/// a later word is one (else at `a`), leaving one word at least.
#[inline(never)]
fn first_name_part(g: &Gazetteer, toks: &[Tok], mut a: usize) -> usize {
    let name_part = |t: &Tok| {
        g.names
            .get(t.norm)
            .is_some_and(|u| u.given || u.family || u.family_first)
    };
    while toks.len() - a >= 2 && !name_part(&toks[a]) && toks[a + 1..].iter().any(name_part) {
        a += 1;
    }
    a
}

/// The company of `orgs` whose name begins with the words `folded` and goes on with a
/// corporate word ("Merrill Lynch and Co Inc" for "merrill lynch"). `companies` holds the
/// article's company names folded, made on the first call (most articles never need them).
#[inline(never)]
fn company_begun_by(
    orgs: &HashMap<Name, Acc>,
    companies: &mut Option<Vec<(String, String)>>,
    folded: &[&str],
) -> Option<String> {
    let companies = companies.get_or_insert_with(|| {
        // (Most organizations have no corporate word: told apart before folding.)
        let corporate = |o: &str| {
            o.split(|c: char| !c.is_alphanumeric())
                .any(|w| CORPORATE.iter().any(|c| c.eq_ignore_ascii_case(w)))
        };
        orgs.keys()
            .filter(|o| corporate(o))
            .map(|o| (o.to_string(), normalize_phrase(o)))
            .filter(|(_, words)| words.split(' ').any(|w| CORPORATE.contains(&w)))
            .collect()
    });
    companies
        .iter()
        .find(|(_, words)| {
            let mut rest = words.split(' ');
            folded.iter().all(|f| rest.next() == Some(f)) && rest.any(|w| CORPORATE.contains(&w))
        })
        .map(|(name, _)| name.clone())
}

/// Bare Indonesian verbs that follow a name in headlines ("Galih Ginanjar Minta Maaf", "Kalla
/// Jenguk Habibie").
const HEADLINE_VERBS: &[&str] = &[
    "absen", "akan", "akui", "bakal", "bantah", "bikin", "buka", "cetak", "dukung", "gelar", "hadiri", "ikut", "jadi",
    "jenguk", "kena", "minta", "mulai", "mundur", "pamer", "rilis", "siap", "tegaskan", "tolak", "tewas", "unggah",
    "wafat", "maaf", "marah", "menang", "kalah", "sebut", "ungkap", "tanggapi", "resmi", "batal",
];

/// Moves each person made by the rules whose words are those of another person of the article
/// followed by Indonesian headline verbs ("Galih Ginanjar Minta Maaf" after "Galih
/// Ginanjar"; "Nahrawi Mundur" after "Imam Nahrawi", by its last word; "Jokowi Hadiri" after
/// Joko Widodo, by a form) into that person, the most mentioned one if several. A first name
/// alone is no match ("Bambang Pamungkas" is not "Bambang Soesatyo").
#[inline(never)]
fn merge_headline_runs(persons: &mut HashMap<Name, Acc>, keys: &mut Vec<(Name, Vec<&str>)>) {
    // A verb of a headline: an Indonesian dictionary word with a verb's prefix, or one of the
    // bare verbs headlines use most; nouns and adjectives end many names ("Siti
    // Nurbaya Bakar", "Didi Kempot", "Akbar Tanjung").
    let ordinary = |w: &str| {
        HEADLINE_VERBS.contains(&w)
            || (w.len() >= 5
                && ["me", "di", "ber", "ter"].iter().any(|p| w.starts_with(p))
                && super::indonesian::is_word(w))
    };
    let target_of = |i: usize| -> Option<usize> {
        let (name, words) = &keys[i];
        if matches!(name, Cow::Borrowed(_)) || words.len() < 2 || !ordinary(words[words.len() - 1]) {
            return None;
        }
        (1..words.len()).rev().find_map(|k| {
            let (head, rest) = words.split_at(k);
            if !rest.iter().all(|w| ordinary(w)) {
                return None;
            }
            let joined = head.join(" ");
            keys.iter()
                .enumerate()
                .filter(|&(j, (q_name, q))| {
                    j != i
                        && q.len() >= 2
                        && (q.as_slice() == head
                            || (k == 1 && q.last() == Some(&head[0]))
                            || (head != &q[..1]
                                && acc_of(persons, q_name)
                                    .is_some_and(|acc| acc.forms.iter().any(|f| normalize_phrase(f) == joined))))
                })
                .max_by_key(|(_, (q_name, _))| acc_of(persons, q_name).map_or(0, |a| a.mentions))
                .map(|(j, _)| j)
        })
    };
    // (The article's few persons are scanned, not hashed: hashing them here made the compiler
    // stop inlining the gazetteer's lookups, 0.1 G instructions over the shared corpora.)
    fn acc_of<'a>(persons: &'a HashMap<Name, Acc>, name: &str) -> Option<&'a Acc> {
        persons.iter().find(|(k, _)| k.as_ref() == name).map(|(_, acc)| acc)
    }
    let targets: Vec<Option<usize>> = (0..keys.len()).map(target_of).collect();
    let mut gone = vec![false; keys.len()];
    for (i, target) in targets.iter().enumerate() {
        // (No chains: a run merged into another merged run stays.)
        if target.is_some_and(|j| targets[j].is_none()) {
            gone[i] = true;
        }
    }
    if !gone.contains(&true) {
        return;
    }
    // Its forms, the headline's words, are no forms of the person's name. (By scans, not
    // hashing: see `acc_of`.)
    for (i, _) in gone.iter().enumerate().filter(|(_, g)| **g) {
        let j = targets[i].expect("a merged run has a target");
        let (mut mentions, mut first) = (0, usize::MAX);
        persons.retain(|k, acc| {
            let keep = k.as_ref() != keys[i].0.as_ref();
            if !keep {
                (mentions, first) = (acc.mentions, acc.first);
            }
            keep
        });
        if let Some((_, into)) = persons.iter_mut().find(|(k, _)| k.as_ref() == keys[j].0.as_ref()) {
            into.mentions += mentions;
            into.first = into.first.min(first);
        }
    }
    let mut i = 0;
    keys.retain(|_| {
        i += 1;
        !gone[i - 1]
    });
}

/// Whether a text is Indonesian (or Malay) as far as "di" is concerned: it has the relative
/// pronoun "yang" in lower case, as nearly every Indonesian news text does and English text
/// does not.
fn is_indonesian(toks: &[Tok]) -> bool {
    toks.iter().any(|t| t.case == Case::Lower && t.norm == "yang")
}

fn is_common_word(g: &Gazetteer, t: &Tok) -> bool {
    !g.names.contains(t.norm) && !g.person_parts.contains(t.norm) && super::indonesian::is_word(t.norm)
}

/// The folded words of a gazetteer entry's canonical name.
fn words_of(g: &'static Gazetteer, entry: u32) -> Vec<&'static str> {
    g.value_words(entry).iter().map(String::as_str).collect()
}

/// The mention's start and surface form, with an honorific right before it ("Tn. Putin").
fn with_honorific<'t>(text: &'t str, toks: &[Tok], start: usize, form: &'t str) -> (usize, &'t str) {
    if start > 0
        && HONORIFICS.contains(&toks[start - 1].norm)
        && toks[start - 1].case != Case::Lower
        && gap(text, toks, start - 1) == Gap::Space
    {
        let from = toks[start - 1].start;
        let to = toks[start].start + form.len();
        return (start - 1, &text[from..to]);
    }
    (start, form)
}

/// The letter of a code joined to a number ("U" of "U-23" or, in tokenized text, "U - 23";
/// "F" of "F-16"): no part of a name.
fn code_letter(text: &str, t: &Tok) -> bool {
    if t.end - t.start != 1 {
        return false;
    }
    let after = &text.as_bytes()[t.end..];
    let after = after.strip_prefix(b" ").unwrap_or(after);
    let Some(after) = after.strip_prefix(b"-") else {
        return false;
    };
    let after = after.strip_prefix(b" ").unwrap_or(after);
    after.first().is_some_and(u8::is_ascii_digit)
}

/// A title or role cue before token `a`, over at most six words of the same clause that are
/// cues, known entities or capitalised words ("Presiden Rusia Vladimir Putin",
/// "juru bicara Dewan Keamanan Nasional Gedung Putih John Kirby").
fn title_before(text: &str, toks: &[Tok], role: &[Role], a: usize) -> bool {
    let mut j = a;
    let mut steps = 0;
    while j > 0 && steps < 7 {
        if gap(text, toks, j - 1) == Gap::Break {
            return false;
        }
        j -= 1;
        steps += 1;
        match role[j] {
            Role::Title => return true,
            Role::Known(_) | Role::Org | Role::Place => continue,
            Role::Verb => return false,
            Role::Free if toks[j].case != Case::Lower => continue,
            Role::Free => return false,
        }
    }
    false
}

/// A reporting verb right before or after the run [a, b) ("kata Lim", "Kirby said",
/// "Kirby mengatakan", "menurut Kim", "Lim said on Thursday").
fn verb_near(text: &str, toks: &[Tok], role: &[Role], a: usize, b: usize) -> bool {
    let before = a > 0 && role[a - 1] == Role::Verb && gap(text, toks, a - 1) != Gap::Break;
    let before_comma = a > 1 && role[a - 1] == Role::Title && role[a - 2] == Role::Verb;
    let after = b < toks.len() && role[b] == Role::Verb && gap(text, toks, b - 1) == Gap::Space;
    before || before_comma || after
}

/// A role in apposition after the run: "Kim Yung-ho, Menteri Persatuan ...".
fn apposition_after(text: &str, toks: &[Tok], role: &[Role], b: usize) -> bool {
    if b >= toks.len() || b == 0 {
        return false;
    }
    let between = &text[toks[b - 1].end..toks[b].start];
    if between.trim() != "," {
        return false;
    }
    (b..(b + 3).min(toks.len())).any(|j| role[j] == Role::Title)
}

/// Per token: whether it stands in a line written in capitals (a headline in caps): a line
/// of two words or more, at least 80% of them in capitals.
fn caps_lines(text: &str, toks: &[Tok], out: &mut Vec<bool>) {
    out.clear();
    out.resize(toks.len(), false);
    let bytes = text.as_bytes();
    // The line being read: its first token and its words in capitals.
    let (mut line_start, mut upper) = (0, 0);
    for k in 0..toks.len() {
        if k > line_start {
            let (from, to) = (toks[k - 1].end, toks[k].start);
            // The gaps between words are a byte or two, nearly always a space.
            let newline = if to == from + 1 {
                bytes[from] == b'\n'
            } else {
                bytes[from..to].contains(&b'\n')
            };
            if newline {
                let words = k - line_start;
                if words >= 2 && upper * 10 >= words * 8 {
                    out[line_start..k].iter_mut().for_each(|x| *x = true);
                }
                (line_start, upper) = (k, 0);
            }
        }
        upper += usize::from(toks[k].case == Case::Upper);
    }
    let words = toks.len() - line_start;
    if words >= 2 && upper * 10 >= words * 8 {
        out[line_start..].iter_mut().for_each(|x| *x = true);
    }
}

fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if start {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            start = false;
        } else {
            out.push(c);
            start = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {

    proptest::proptest! {
        /// `is_tidy` is the plain definition: no leading, trailing or double space, and no
        /// white space other than spaces.
        #[test]
        fn tidy_forms_are_told_by_bytes(form in "([A-Za-z.-]{0,6}|[ \t\n\r\u{a0}\u{2009}\u{85}]|\\PC){0,8}") {
            let plain = !form.starts_with(' ')
                && !form.ends_with(' ')
                && !form.contains("  ")
                && !form.contains(|c: char| c.is_whitespace() && c != ' ');
            proptest::prop_assert_eq!(is_tidy(&form), plain, "{:?}", form);
        }
    }

    use super::*;

    fn persons(text: &str) -> Vec<String> {
        extract_text(text).persons.into_iter().map(|p| p.name).collect()
    }

    fn places(text: &str) -> Vec<(String, Option<String>)> {
        extract_text(text)
            .places
            .into_iter()
            .map(|p| (p.name, p.country))
            .collect()
    }

    #[test]
    fn possessive_ends_a_name() {
        assert_eq!(
            persons("Officials dismissed Bill Clinton's plan on Monday."),
            ["Bill Clinton"]
        );
    }

    #[test]
    fn unseen_names_with_a_known_given_or_family_name() {
        assert_eq!(
            persons("The award went to Stefan Edberg in the final."),
            ["Stefan Edberg"]
        );
        assert_eq!(persons("Warga menyambut Dewi Lestari di bandara."), ["Dewi Lestari"]);
    }

    #[test]
    fn a_hospital_named_after_a_hero_is_no_person() {
        let text = "Habibie dirawat di Rumah Sakit Pusat Angkatan Darat (RSPAD) Gatot Soebroto, Jakarta. \
                    Jusuf Kalla menjenguk Habibie di RSPAD Gatot Subroto pada Selasa.";
        let p = persons(text);
        assert!(!p.iter().any(|n| n.starts_with("Gatot")), "{p:?}");
        assert!(p.contains(&"Jusuf Kalla".to_string()), "{p:?}");
        assert_eq!(orgs(text), vec!["Gatot Soebroto Army Hospital".to_string()]);
        // A person after an organization's acronym is still one.
        let p = persons("Ketua Komisi Pemberantasan Korupsi (KPK) Firli Bahuri mengatakan hal itu.");
        assert!(p.contains(&"Firli Bahuri".to_string()), "{p:?}");
    }

    #[test]
    fn police_ranks_are_titles_and_a_credited_site_is_an_organization() {
        let text = "\"Kami masih menyelidiki,\" ujar Kabid Humas Polda Metro Jaya Kombes Argo Yuwono. \
                    Seperti diberitakan Ace Showbiz, film itu tertunda.";
        assert_eq!(persons(text), vec!["Argo Yuwono".to_string()]);
        assert!(orgs(text).contains(&"AceShowbiz".to_string()), "{:?}", orgs(text));
        // A police officer's post is a title and the unit after it an organization ("Kabid
        // Humas" and "Polres Metro" were persons, and "Gakkum Ditlantas" once posts were titles).
        let text = "Kasubdit Gakkum Ditlantas Polda Metro Jaya AKBP Fahri Siregar mengatakan hal itu. \
                    Kasus ditangani Polres Metro Jakarta Barat.";
        assert_eq!(persons(text), vec!["Fahri Siregar".to_string()]);
        let o = orgs(text);
        assert!(o.contains(&"Polres Metro Jakarta Barat".to_string()), "{o:?}");
        assert!(o.iter().any(|n| n.contains("Ditlantas")), "{o:?}");
    }

    #[test]
    fn indonesian_di_is_a_preposition_italian_di_a_particle() {
        let p = persons("\"Kami menunggu,\" kata Laode M Syarif yang ditemui. Laode di Gedung Merah Putih menjawab.");
        assert!(!p.iter().any(|n| n.contains(" di ")), "{p:?}");
        assert!(p.contains(&"Laode M Syarif".to_string()), "{p:?}");
        let p = persons("Ferrari chairman Luca di Montezemolo said the team would stay.");
        assert_eq!(p, vec!["Luca di Montezemolo".to_string()]);
    }

    #[test]
    fn stadiums_parks_and_police_headquarters_are_no_persons() {
        let text = "Persija menang di Stadion Aji Imbut. Dortmund kalah di Signal Iduna Park, \
                    lalu bermain di Fahd International Stadium. Tersangka dibawa ke Mako Brimob \
                    dan diperiksa di Mapolda Metro Jaya.";
        assert!(persons(text).is_empty(), "{:?}", persons(text));
        let p: Vec<String> = places(text).into_iter().map(|(n, _)| n).collect();
        for place in ["Stadion Aji Imbut", "Signal Iduna Park", "Fahd International Stadium"] {
            assert!(p.contains(&place.to_string()), "{place}: {p:?}");
        }
        assert!(orgs(text).contains(&"Mako Brimob".to_string()), "{:?}", orgs(text));
    }

    #[test]
    fn a_headline_run_going_on_with_verbs_is_the_person_it_begins_with() {
        let text = "Galih Ginanjar Minta Maaf, Fairuz Kecewa\n\nGalih Ginanjar meminta maaf kepada keluarga, \
                    kata pengacaranya. Didi Kempot Dimakamkan\n\nPenyanyi Didi Kempot tiba, ujar Didi.";
        let p = persons(text);
        assert!(p.contains(&"Galih Ginanjar".to_string()), "{p:?}");
        assert!(
            !p.iter().any(|n| n.contains("Minta") || n.contains("Dimakamkan")),
            "{p:?}"
        );
        // A name ending in an ordinary noun stays whole, and a first name alone takes no one.
        assert!(p.contains(&"Didi Kempot".to_string()), "{p:?}");
        let p = persons("Menteri Siti Nurbaya Bakar hadir. Menurut Siti Nurbaya, hutan terbakar.");
        assert!(p.contains(&"Siti Nurbaya Bakar".to_string()), "{p:?}");
    }

    #[test]
    fn a_rare_american_name_that_is_an_indonesian_word_names_no_one_among_indonesian_words() {
        // Minta, Kena, Dana and Tim are given names of the US census list, and Indonesian for
        // ask, get hit, fund and team.
        for text in [
            "Minta Maaf, kata dia.",
            "Kena Sanksi, ujar pejabat itu.",
            "Dana Hibah cair pekan ini.",
            "Tim Merah Putih tiba di Doha.",
        ] {
            assert!(persons(text).is_empty(), "{text}: {:?}", persons(text));
        }
        let p = persons("Petenis Tim Henman dan model Gigi Hadid datang, kata panitia.");
        assert!(
            p.contains(&"Tim Henman".to_string()) && p.contains(&"Gigi Hadid".to_string()),
            "{p:?}"
        );
    }

    #[test]
    fn teams_cups_and_age_groups_are_no_persons() {
        let text = "Tim Nasional Indonesia U-23 kalah di Piala Asia U-23. Timnas U-19 lolos dari Zona Asia \
                    Grup G. Pelatih Tim Nasional tiba di kualifikasi Piala Asia U - 16.";
        assert!(persons(text).is_empty(), "{:?}", persons(text));
        let text = "Britain lost the Davis Cup tie, Tim Henman said. Copa del Rey final: Christian Democrats said.";
        assert_eq!(persons(text), vec!["Tim Henman".to_string()]);
        let text = "Kira-kira pukul 10 malam, Hal-hal itu terjadi di MotoGP Aragon, kata Marc Marquez.";
        assert_eq!(persons(text), vec!["Marc Marquez".to_string()]);
        let p = persons("Pelatih Timnas Bima Sakti memanggil 23 pemain.");
        assert_eq!(p, vec!["Bima Sakti".to_string()]);
        // A one-letter initial is still part of a name.
        let p = persons("Presiden George W. Bush tiba. Menurut Michael J. Fox, F-16 itu terbang.");
        assert!(p.contains(&"George W. Bush".to_string()), "{p:?}");
        assert!(p.contains(&"Michael J. Fox".to_string()), "{p:?}");
    }

    #[test]
    fn a_lone_month_name_is_no_person() {
        assert!(persons("Prices rose in May and fell in June.").is_empty());
    }

    #[test]
    fn places_by_head_word_with_implied_country() {
        let p = places("Banjir melanda Desa Wonorejo di Kecamatan Gembong kemarin.");
        assert!(
            p.contains(&("Desa Wonorejo".to_string(), Some("ID".to_string()))),
            "{p:?}"
        );
        assert!(
            p.contains(&("Kecamatan Gembong".to_string(), Some("ID".to_string()))),
            "{p:?}"
        );
        let p = places("Macet panjang di Jl. Gatot Subroto dan Jalan Sudirman.");
        assert!(p.iter().any(|(n, _)| n == "Jl. Gatot Subroto"), "{p:?}");
        assert!(persons("Macet panjang di Jl. Gatot Subroto dan Jalan Sudirman.").is_empty());
        let p = places("Boats sank on the Zambezi River and near Mount Elgon.");
        assert!(p.iter().any(|(n, _)| n == "Zambezi River"), "{p:?}");
        assert!(p.iter().any(|(n, _)| n == "Mount Elgon"), "{p:?}");
    }

    #[test]
    fn a_known_place_with_an_indonesian_compass_word() {
        // The gazetteer knows "Jakarta Selatan" itself (South Jakarta), not "Bandung Barat".
        let p = places("Gempa mengguncang Jakarta Selatan dan Bandung Barat pagi ini.");
        assert!(
            p.contains(&("South Jakarta".to_string(), Some("ID".to_string()))),
            "{p:?}"
        );
        assert!(
            p.contains(&("Bandung Barat".to_string(), Some("ID".to_string()))),
            "{p:?}"
        );
        assert!(!p.iter().any(|(n, _)| n == "Bandung"), "{p:?}");
    }

    #[test]
    fn corporate_suffix_makes_an_organization() {
        let e = extract_text("Shares of Acme Widgets Inc rose after Fulan Holdings said it would buy them.");
        let orgs: Vec<_> = e.orgs.iter().map(|o| o.name.as_str()).collect();
        assert!(orgs.contains(&"Acme Widgets Inc"), "{orgs:?}");
        assert!(e.persons.is_empty(), "{:?}", e.persons);
    }

    fn orgs(text: &str) -> Vec<String> {
        extract_text(text).orgs.into_iter().map(|o| o.name).collect()
    }

    #[test]
    fn a_lone_common_surname_is_no_famous_person() {
        // "Harris" alone is not Kamala Harris (the tagger may find a person Harris), nor a
        // two-letter "MD" Mahfud MD...
        let harris = persons("Harris said he disagreed with the decision of the board.");
        assert!(!harris.iter().any(|p| p == "Kamala Harris"), "{harris:?}");
        let md = persons("The report by MD was late, the committee said.");
        assert!(!md.iter().any(|p| p == "Mahfud MD"), "{md:?}");
        // ...but a distinctive one is, and a common one right after a title.
        assert_eq!(persons("Putin said nothing about the talks."), ["Vladimir Putin"]);
        assert_eq!(persons("Wakil Presiden Harris tiba di Jakarta."), ["Kamala Harris"]);
        // A lone rarer surname still names the one known person it is part of.
        assert_eq!(persons("Reagan said the budget would pass."), ["Ronald Reagan"]);
    }

    #[test]
    fn contractions_possessives_and_caps_headlines_make_no_names() {
        assert!(persons("Don't worry, the coach told reporters. Won't happen again.").is_empty());
        // A possessive in capitals ends the name too, and a headline's capitals alone make no
        // person ("DOLLAR STABLE"); a known name in it still does.
        let text = "TREASURY'S BAKER SAYS DOLLAR STABLE\n\nTreasury Secretary James Baker said so.";
        assert_eq!(persons(text), ["James Baker"]);
        assert_eq!(
            persons("KIM JONG UN SAYS TALKS WENT WELL\n\nThe talks began."),
            ["Kim Jong Un"]
        );
        // Words before the first known name of a headline's run are no part of it.
        assert_eq!(
            persons("KIM JONG UN MEETS PUTIN\n\nThe talks began."),
            ["Kim Jong Un", "Vladimir Putin"]
        );
        // A month's abbreviation in a table is nobody ("Jun" of Dong Jun).
        assert!(persons("Shipments Jun 1987 rose to 12,000 tonnes, the ministry said.").is_empty());
    }

    /// A run of capitalised ordinary words at the very end of a text is trimmed away whole
    /// (a NERGrit sentence once made the headline check read past the last token).
    #[test]
    fn a_text_ending_in_capitalised_ordinary_words_has_no_name_there() {
        assert!(persons("Ibu itu pergi ke pasar untuk Membeli Sayur").is_empty());
        assert!(persons("MEREKA PERGI MEMBELI SAYUR").is_empty());
    }

    #[test]
    fn a_company_named_like_a_person_is_the_company() {
        let text = "Robert Hargreaves and Co Ltd said on Monday it would buy the unit. \
                    Robert Hargreaves said the sale would close in May.";
        let e = extract_text(text);
        assert!(e.persons.is_empty(), "{:?}", e.persons);
        assert_eq!(e.orgs.len(), 1, "{:?}", e.orgs);
        assert_eq!(e.orgs[0].name, "Robert Hargreaves and Co Ltd");
        assert_eq!(e.orgs[0].mentions, 2);
        assert_eq!(
            orgs("Procter and Gamble Co said sales rose."),
            ["Procter and Gamble Co"]
        );
        // A person's name that begins an organization of another kind stays a person's.
        let e = extract_text("Ronald Reagan said the Ronald Reagan Institute would open.");
        assert_eq!(e.persons.len(), 1, "{:?}", e.persons);
    }

    #[test]
    fn words_going_on_from_an_organization_are_no_person() {
        let e = extract_text("Merrill Lynch Capital Markets said it would underwrite the issue.");
        assert!(e.persons.is_empty(), "{:?}", e.persons);
        // A known name after an organization is still a person.
        assert_eq!(
            persons("Menteri BUMN Erick Thohir mengatakan itu di Jakarta."),
            ["Erick Thohir"]
        );
    }

    #[test]
    fn the_suffixes_after_a_known_company_are_no_organization() {
        assert_eq!(orgs("The Goldman Sachs Group Inc deal was large."), ["Goldman Sachs"]);
        assert_eq!(
            orgs("Merrill Lynch and Co Inc said it would sell. Merrill Lynch said so."),
            ["Merrill Lynch"]
        );
    }

    #[test]
    fn a_shortened_organization_name_is_the_longer_one() {
        let e = extract_text(
            "The Growers Council of Riverside met on Monday. The Growers Council rejected the plan, \
             the Growers Council of Riverside said in a statement.",
        );
        let orgs: Vec<_> = e
            .orgs
            .iter()
            .map(|o| (o.name.as_str(), o.mentions, o.forms.len()))
            .collect();
        assert_eq!(orgs, [("Growers Council of Riverside", 3, 2)], "{:?}", e.orgs);
    }

    #[test]
    fn a_lone_surname_is_the_full_name_of_the_article() {
        let e = extract_text(
            "Presiden Joko Widodo tiba di Bali. Juru bicara Fulan Hartono mengatakan Widodo akan \
             bertemu Hartono lagi. Hartono said the talks went well.",
        );
        let persons: Vec<_> = e.persons.iter().map(|p| (p.name.as_str(), p.mentions)).collect();
        assert!(persons.contains(&("Joko Widodo", 2)), "{persons:?}");
        assert!(persons.contains(&("Fulan Hartono", 3)), "{persons:?}");
        assert_eq!(persons.len(), 2, "{persons:?}");
    }

    #[test]
    fn caps_abbreviations_with_digits() {
        let e = extract_text("Leaders met at the G20 summit.");
        assert!(
            e.orgs.iter().any(|o| o.forms.iter().any(|f| f == "G20")),
            "{:?}",
            e.orgs
        );
    }

    /// A lone surname the article spells as it spelled the full name is that person, though
    /// the canonical name is spelled otherwise.
    #[test]
    fn a_lone_surname_in_the_articles_spelling_is_the_known_person() {
        let e = extract_text(
            "Presiden Ukraina Volodymyr Zelensky bertemu Presiden Prabowo Subianto di Jakarta. \
             Zelensky mengatakan Ukraina membutuhkan bantuan.",
        );
        let names: Vec<(&str, u32)> = e.persons.iter().map(|p| (p.name.as_str(), p.mentions)).collect();
        assert!(names.contains(&("Volodymyr Zelenskyy", 2)), "{names:?}");
        assert!(!names.iter().any(|(n, _)| *n == "Zelensky"), "{names:?}");
    }

    /// The shipped tagger loads and finds, in each language, names no rule supports: players
    /// of a line-up, people listed without a title or a reporting verb.
    #[test]
    fn the_tagger_finds_names_without_cues() {
        assert!(Model::get().is_some(), "the shipped tagger model loads");
        let id = persons(
            "Susunan pemain Persija\n\nPelatih memasang Andritany Ardhiyasa, Marko Simic, Riko Simanjuntak \
             dan Osvaldo Haay sejak menit pertama di Stadion Utama Gelora Bung Karno.",
        );
        for name in ["Andritany Ardhiyasa", "Marko Simic"] {
            assert!(id.iter().any(|p| p == name), "{name} in {id:?}");
        }
        let en = persons(
            "Kenya names marathon squad\n\nThe squad includes Wanjiru Kamau, Oluwaseun Adeyemi and \
             Tendai Mutasa, the federation announced in Nairobi.",
        );
        for name in ["Wanjiru Kamau", "Oluwaseun Adeyemi"] {
            assert!(en.iter().any(|p| p == name), "{name} in {en:?}");
        }
    }

    /// A lone first name the tagger finds is the person of the article who has it
    /// (Indonesian news calls people by their given name: "Erick" for Erick Thohir).
    #[test]
    fn a_tagged_first_name_is_the_full_name_of_the_article() {
        let e = extract_text("Menteri BUMN Erick Thohir meninjau pelabuhan. Erick menilai bongkar muat sudah lancar.");
        let names: Vec<&str> = e.persons.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["Erick Thohir"], "{:?}", e.persons);
        assert_eq!(e.persons[0].mentions, 2);
    }
}
