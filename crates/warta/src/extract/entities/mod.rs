//! Named entities of one article: persons, countries, organizations, places, each canonical
//! and counted.
//!
//! `extract_with` runs the stages in order over the article's tokens, each in its own file:
//!
//! 1. `known`: gazetteer matches (longest first) give known countries, places,
//!    organizations, persons.
//! 2. `cues`: titles and reporting verbs (Presiden, Minister, juru bicara, said, kata) are
//!    marked, for the person rules.
//! 3. `orgs`: a capitalised name holding a head word (Kementerian, Ministry, Dewan, Council,
//!    Partai, University, Bank...) is an organization.
//! 4. `places`: a capitalised name after a head such as Kabupaten, Pulau, Gunung, Mount, or
//!    before one such as River, Province, is a place; so is a known place with an Indonesian
//!    compass word ("Jakarta Selatan").
//! 5. `persons`: runs of capitalised words that are no other entity and no stop word are
//!    persons when a cue supports them: a title or role before them, a reporting verb next to
//!    them, a role in apposition after them (", Menteri ..."), or a known given or family
//!    name.
//! 6. `coref`: in-article coreference. A lone surname, or the family name of a Korean or
//!    Chinese name (written first), is the full name mentioned in the same article that has
//!    it; when several do, the most prominent one (first, then most often mentioned). A lone
//!    name no full name explains is the gazetteer's person when only one has that surname.
//! 7. `tagged`: the learned tagger adds the names no rule found.
//! 8. `merge`: a shortened organization name joins the longer one it begins, places count
//!    their country, and each kind is ordered, most mentioned first.

mod coref;
mod cues;
mod known;
mod merge;
mod orgs;
mod persons;
mod places;
mod tagged;

use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::gazetteer::Gazetteer;
use super::tagger::View;
use crate::text::tokens::{gap, tokenize, Case, Gap, Tok};

/// A person or organization found in an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// The canonical name: the gazetteer's, else the article's fullest form.
    pub name: String,
    /// How many times the article mentions it.
    pub mentions: u32,
    /// The distinct strings the article used for it.
    pub forms: Vec<String>,
}

/// A country found in an article (directly, or through one of its places).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountryMention {
    /// ISO 3166-1 alpha-2 code.
    pub code: String,
    /// English name.
    pub name: String,
    /// How many times the article mentions it (its places' mentions included).
    pub mentions: u32,
    /// The distinct strings the article used for it.
    pub forms: Vec<String>,
}

/// A place found in an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceMention {
    /// The canonical name.
    pub name: String,
    /// The ISO code of its country, when known.
    pub country: Option<String>,
    /// How many times the article mentions it.
    pub mentions: u32,
    /// The distinct strings the article used for it.
    pub forms: Vec<String>,
}

/// Everything extracted from one article, most mentioned first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entities {
    /// Persons.
    pub persons: Vec<Mention>,
    /// Countries, with those of the places named.
    pub countries: Vec<CountryMention>,
    /// Organizations.
    pub orgs: Vec<Mention>,
    /// Places.
    pub places: Vec<PlaceMention>,
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
    let toks = tokenize(text, &mut buffers.norms);
    caps_lines(text, &toks, &mut buffers.caps_line);
    let doc = Doc {
        g,
        text,
        toks: &toks,
        caps_line: &buffers.caps_line,
    };
    let role = &mut buffers.role;
    role.clear();
    role.resize(toks.len(), Role::Free);
    let mut found = Found::default();

    let spans = known::add_known(&doc, role, &mut found);
    let cue_starts = rule_starts(&doc, &mut buffers.capitals, &mut buffers.place_starts);
    cues::mark_cues(&doc, &cue_starts, role);
    orgs::add_rule_orgs(&doc, &buffers.capitals, role, &mut found.orgs);
    places::add_rule_places(&doc, &buffers.place_starts, role, &mut found.places);
    places::add_compass_places(&doc, &spans, role, &mut found.places);
    let lone_names = persons::add_person_runs(&doc, &buffers.capitals, role, &mut found);
    coref::add_lone_names(&doc, lone_names, &mut found);
    coref::merge_headline_runs(&mut found);

    if let Some(f) = capture {
        tagged::with_view(&doc, role, &found.person_spans, &mut buffers.seen_lower, f);
        return Entities::default();
    }
    if let Some(model) = super::tagger::Model::get() {
        tagged::add_tagger_names(&doc, model, role, &mut buffers.seen_lower, &mut found);
    }
    merge::merge_shortened_orgs(&mut found.orgs);
    merge::count_place_countries(&found.places, &mut found.countries);
    merge::into_entities(g, found)
}

/// What every stage reads of the article: its text and tokens, the gazetteer, and which
/// tokens stand in a headline written in capitals.
struct Doc<'a> {
    g: &'static Gazetteer,
    text: &'a str,
    toks: &'a [Tok<'a>],
    caps_line: &'a [bool],
}

impl<'a> Doc<'a> {
    /// The text of tokens `a..b`.
    fn surface(&self, a: usize, b: usize) -> &'a str {
        &self.text[self.toks[a].start..self.toks[b - 1].end]
    }

    /// The gap after token `i`.
    fn gap(&self, i: usize) -> Gap {
        gap(self.text, self.toks, i)
    }
}

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

/// The entities of an article being read, by kind, which each stage adds to.
#[derive(Default)]
struct Found<'a> {
    /// By the gazetteer's country code.
    countries: HashMap<&'static str, Acc>,
    /// With the country of the place, if known.
    places: HashMap<Name, (Acc, Option<&'static str>)>,
    orgs: HashMap<Name, Acc>,
    persons: HashMap<Name, Acc>,
    /// Each person's canonical name and its folded words.
    person_keys: Vec<(Name, Vec<&'a str>)>,
    /// The tokens of the persons the rules found (for the tagger's hints).
    person_spans: Vec<(usize, usize)>,
}

/// A token that may start a cue phrase, with the phrases beginning with its word, longest
/// first: (words, is a title).
type CueStart = (usize, &'static Vec<(Vec<String>, bool)>);

/// Finds, in one pass, the tokens each rule may start at (capitalised words for the
/// organization and person rules, a place head's first word for the place rules, and the
/// returned cue starts): most tokens of a text are
/// lower-case words that start none, and every rule walking all tokens cost more than the
/// rules' work. The rules then visit their candidates in order, skipping those inside a name
/// just taken, exactly as a walk over every token would.
fn rule_starts(doc: &Doc, capitals: &mut Vec<u32>, place_starts: &mut Vec<u32>) -> Vec<CueStart> {
    let g = doc.g;
    capitals.clear();
    place_starts.clear();
    let mut cues = Vec::new();
    for (k, t) in doc.toks.iter().enumerate() {
        if matches!(t.case, Case::Title | Case::Upper) {
            capitals.push(k as u32);
        }
        if !g.rule_starts.may_hold(t.norm) {
            continue;
        }
        if let Some(phrases) = g.cues.by_first.get(t.norm) {
            cues.push((k, phrases));
        }
        if g.place_head_first.contains(t.norm) {
            place_starts.push(k as u32);
        }
    }
    cues
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

/// Honorifics kept in the surface form of a name ("Tn. Putin").
const HONORIFICS: &[&str] = &[
    "mr", "mrs", "ms", "tn", "ny", "nn", "pak", "bu", "dr", "prof", "sen", "rep",
];

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

/// The folded words of a gazetteer entry's canonical name.
fn words_of(g: &'static Gazetteer, entry: u32) -> Vec<&'static str> {
    g.value_words(entry).iter().map(String::as_str).collect()
}

/// An ordinary word written with a capital: an Indonesian dictionary word that is no known
/// name part.
fn is_common_word(g: &Gazetteer, t: &Tok) -> bool {
    !g.names.contains(t.norm) && !g.person_parts.contains(t.norm) && crate::text::stem::indonesian::is_word(t.norm)
}

/// Month names and abbreviations that are also names, or parts of names, of people
/// ("Jun 1987" in a table is not Dong Jun).
const MONTH_NAMES: &[&str] = &[
    "april", "may", "june", "july", "august", "juni", "juli", "agustus", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "agu", "okt", "des",
];

/// A name written in capitals, in title case ("KIM JONG UN" as "Kim Jong Un").
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

/// The names each kind of entity the extraction finds in a text, for the stages' tests.
#[cfg(test)]
mod test_names {
    pub fn persons(text: &str) -> Vec<String> {
        super::extract_text(text).persons.into_iter().map(|p| p.name).collect()
    }

    pub fn places(text: &str) -> Vec<(String, Option<String>)> {
        super::extract_text(text)
            .places
            .into_iter()
            .map(|p| (p.name, p.country))
            .collect()
    }

    pub fn orgs(text: &str) -> Vec<String> {
        super::extract_text(text).orgs.into_iter().map(|o| o.name).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
