//! Stage 7: the learned tagger. It sees the tokens with what the rules decided of them
//! (hints) and adds the names no rule found; a known place it is sure names an organization
//! here (a city for its club) becomes that organization.

use std::borrow::Cow;

use rustc_hash::FxHashMap as HashMap;

use super::coref::{add_lone_name, add_person_run, LoneName};
use super::{title_case, value_in, with_honorific, Acc, Doc, Found, Name, Role, MONTH_NAMES};
use crate::extract::gazetteer::{Gazetteer, Kind};
use crate::extract::tagger::{EntityType, Hint, Model, TaggedSpan, View, WordFacts};
use crate::text::tokens::{normalize_phrase, Case, Tok};

/// Hands `f` the tagger's view of the article: its tokens, the rules' hints and word facts.
pub(super) fn with_view(
    doc: &Doc,
    role: &[Role],
    person_spans: &[(usize, usize)],
    seen_lower: &mut Vec<u64>,
    f: &mut dyn FnMut(&View),
) {
    let hints = hints_of(doc.g, role, person_spans);
    let facts = word_facts(doc.g, doc.toks, seen_lower);
    f(&View {
        text: doc.text,
        toks: doc.toks,
        hints: &hints,
        facts: &facts,
        caps_line: doc.caps_line,
    });
}

/// Tags the article with `model` and adds what it found: first the known places it retypes as
/// organizations, then its names on tokens no rule took.
pub(super) fn add_tagger_names<'a>(
    doc: &Doc<'a>,
    model: &Model,
    role: &[Role],
    seen_lower: &mut Vec<u64>,
    found: &mut Found<'a>,
) {
    let g = doc.g;
    let hints = hints_of(g, role, &found.person_spans);
    let facts = word_facts(g, doc.toks, seen_lower);
    let view = View {
        text: doc.text,
        toks: doc.toks,
        hints: &hints,
        facts: &facts,
        caps_line: doc.caps_line,
    };
    let tagged = model.tag(&view);
    for span in tagged.iter().filter(|s| s.kind == EntityType::Org) {
        retype_place_as_org(g, doc.text, doc.toks, role, span, found);
    }
    add_tagged(g, &view, &tagged, found);
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
            ordinary: g.cues.stops.contains(w) || crate::text::stem::indonesian::is_word(w),
            org_head: g.org_heads.contains(w),
            place_head: g.place_head_first.contains(w),
            seen_lower: t.case != Case::Lower && seen_lower[k / 64] & (1 << (k % 64)) != 0,
        };
    }
    facts
}

/// A known place or country the tagger is sure names an organization here (a city for its
/// sports club in a results table: "Atlanta 5 Baltimore 3") counts as that organization.
fn retype_place_as_org(
    g: &'static Gazetteer,
    text: &str,
    toks: &[Tok],
    role: &[Role],
    span: &TaggedSpan,
    found: &mut Found,
) {
    let Found {
        countries,
        places,
        orgs,
        ..
    } = found;
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

/// Adds the names the tagger found on tokens no rule took: full names first, so that a lone
/// surname tagged before its full name still resolves to it; then lone names, through the
/// same coreference as the rules' ([`add_lone_name`]); organizations and places under the
/// gazetteer's entry when it knows the phrase, else under their own words.
fn add_tagged<'a>(g: &'static Gazetteer, view: &View<'_, 'a>, tagged: &[TaggedSpan], found: &mut Found<'a>) {
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
        ..
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

#[cfg(test)]
mod tests {
    use super::Model;
    use crate::extract::entities::extract_text;
    use crate::extract::entities::test_names::persons;

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
