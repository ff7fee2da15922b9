//! Stage 6: in-article coreference. A lone surname, or the family name of a Korean or
//! Chinese name (written first), is the full name mentioned in the same article that has it;
//! when several do, the most prominent one (first, then most often mentioned). A lone name no
//! full name explains is the gazetteer's person when only one has that surname. A headline's
//! run that goes on from a person with verbs is that person.

use std::borrow::Cow;

use rustc_hash::FxHashMap as HashMap;

use super::{is_common_word, value_in, with_honorific, words_of, Acc, Doc, Found, Name, MONTH_NAMES};
use crate::extract::gazetteer::Gazetteer;
use crate::text::tokens::{normalize_phrase, Tok};

/// Resolves the lone capitalised words the person rules left ([`LoneName`]s): each taken as a
/// person is counted and its token remembered for the tagger's hints.
pub(super) fn add_lone_names<'a>(doc: &Doc<'a>, lone_names: Vec<LoneName>, found: &mut Found<'a>) {
    for lone in lone_names {
        if add_lone_name(
            doc.g,
            doc.text,
            doc.toks,
            lone,
            &mut found.persons,
            &mut found.person_keys,
        ) {
            found.person_spans.push((lone.tok, lone.tok + 1));
        }
    }
}

/// Adds a person named by a run of words: the person of the article with the same words
/// ("Kim Jong-un" and "Kim Jong Un"), else a new one under `display`.
pub(super) fn add_person_run<'a>(
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
pub(super) struct LoneName {
    pub(super) tok: usize,
    /// Right after a title ("Presiden Soekarno").
    pub(super) adjacent: bool,
    /// Still to be told from an ordinary word.
    pub(super) unchecked: bool,
    /// The tagger found it a person: it may also be the first name of a person of the article.
    pub(super) tagged: bool,
    /// It stands as a person of its own even when nothing else explains it.
    pub(super) may_stand: bool,
}

/// Adds a lone name to the persons: the full name of this article it ends (or begins, for a
/// name written family name first), else the one known person it is part of when it is
/// distinctive, else a person of its own when a title stands before it or the tagger found
/// it. Returns whether it was taken as a person.
pub(super) fn add_lone_name<'a>(
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
    // An ordinary word is no mention (see the person rules): asked before a lone word counts.
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
pub(super) fn merge_headline_runs(found: &mut Found) {
    let (persons, keys) = (&mut found.persons, &mut found.person_keys);
    if keys.len() < 2 {
        return;
    }
    // A verb of a headline: an Indonesian dictionary word with a verb's prefix, or one of the
    // bare verbs headlines use most; nouns and adjectives end many names ("Siti
    // Nurbaya Bakar", "Didi Kempot", "Akbar Tanjung").
    let ordinary = |w: &str| {
        HEADLINE_VERBS.contains(&w)
            || (w.len() >= 5
                && ["me", "di", "ber", "ter"].iter().any(|p| w.starts_with(p))
                && crate::text::stem::indonesian::is_word(w))
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

#[cfg(test)]
mod tests {
    use crate::extract::entities::extract_text;
    use crate::extract::entities::test_names::persons;

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
    fn a_lone_month_name_is_no_person() {
        assert!(persons("Prices rose in May and fell in June.").is_empty());
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
}
