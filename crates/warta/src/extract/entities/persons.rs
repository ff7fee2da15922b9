//! Stage 5: person rules. A run of capitalised words that is no other entity and no stop word
//! is a person when a cue supports it: a title or role before it (Presiden, Minister, juru
//! bicara, Tn.), a reporting verb next to it (said, kata, mengatakan, menurut), a role in
//! apposition after it (", Menteri ..."), or a known given or family name. A lone capitalised
//! word is left to coreference (`coref`).

use std::cell::OnceCell;

use super::coref::{add_person_run, LoneName};
use super::orgs::company_begun_by;
use super::{is_common_word, title_case, value_in, with_honorific, Acc, Doc, Found, Role};
use crate::extract::gazetteer::{Gazetteer, Kind, NameUse};
use crate::text::tokens::{gap, Case, Gap, Tok};

/// Lower-case particles inside names.
const PARTICLES: &[&str] = &[
    "bin", "binti", "van", "von", "de", "der", "den", "da", "dos", "del", "al", "el", "la", "le", "di", "ibn",
];
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

/// Adds a person for each supported run of capitalised words starting at one of `capitals`
/// (the capitalised tokens, in order). Returns the lone capitalised words, for coreference.
pub(super) fn add_person_runs<'a>(
    doc: &Doc<'a>,
    capitals: &[u32],
    role: &mut [Role],
    found: &mut Found<'a>,
) -> Vec<LoneName> {
    let (g, text, toks) = (doc.g, doc.text, doc.toks);
    // In Indonesian text "di" is the preposition "at" ("Laode di Gedung Merah Putih"), not
    // the particle of Italian names ("Luca di Montezemolo"); asked only when it matters.
    let indonesian = OnceCell::new();
    // The companies of the article, folded, once a person run needs them: (name, words).
    let mut org_words: Option<Vec<(String, String)>> = None;
    let mut lone_names = Vec::new();
    let mut next = 0;
    for &k in capitals {
        let k = k as usize;
        if k < next || role[k] != Role::Free || !name_like(doc, role, k) || code_letter(text, &toks[k]) {
            continue;
        }
        let b = run_end(doc, role, k, &indonesian);
        next = b;
        if part_of_another_name(doc, k, b) {
            continue;
        }
        // A lone capitalised word: whether it is an ordinary word (and no mention) is asked
        // only if it could name someone (coreference); most cannot.
        let single = b == k + 1;
        let (a, trimmed) = name_start(doc, k, b, single);
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
            let adjacent = a > 0 && role[a - 1] == Role::Title && doc.gap(a - 1) == Gap::Space;
            lone_names.push(LoneName {
                tok: a,
                adjacent,
                unchecked: single || trimmed,
                tagged: false,
                may_stand: false,
            });
            continue;
        }
        if !cue_supports(doc, role, a, b) {
            continue;
        }
        let form = doc.surface(a, b);
        let display = if toks[a..b].iter().all(|t| t.case == Case::Upper) {
            title_case(form)
        } else {
            form.to_string()
        };
        let folded: Vec<&str> = toks[a..b].iter().map(|t| t.norm).collect();
        if goes_on_from_acronym(doc, role, a, &folded) {
            role[a..b].iter_mut().for_each(|r| *r = Role::Org);
            continue;
        }
        // The opening words of a company this article names ("Merrill Lynch said", after
        // "Merrill Lynch and Co Inc") are that company.
        if !found.orgs.is_empty() {
            if let Some(name) = company_begun_by(&found.orgs, &mut org_words, &folded) {
                value_in(&mut found.orgs, &name, Acc::default).add(a, form);
                role[a..b].iter_mut().for_each(|r| *r = Role::Org);
                continue;
            }
        }
        found.person_spans.push((a, b));
        let (from, form) = with_honorific(text, toks, a, form);
        add_person_run(&mut found.persons, &mut found.person_keys, folded, display, from, form);
    }
    lone_names
}

/// Whether token `k` may be part of a person's name: free, capitalised (in capitals only in a
/// headline in capitals), no stop word, with a letter.
fn name_like(doc: &Doc, role: &[Role], k: usize) -> bool {
    let t = &doc.toks[k];
    role[k] == Role::Free
        && (t.case == Case::Title || (t.case == Case::Upper && doc.caps_line[k]))
        && !doc.g.cues.stops.contains(t.norm)
        && !NOT_IN_PERSON_NAMES.contains(&t.norm)
        && t.norm.chars().any(|c| c.is_ascii_alphabetic())
}

/// The end of the run of name-like words starting at `k`: it goes on over words joined by a
/// hyphen or apostrophe and over particles ("bin", "van", "di") followed by a name-like word.
fn run_end(doc: &Doc, role: &[Role], k: usize, indonesian: &OnceCell<bool>) -> usize {
    let (text, toks, n) = (doc.text, doc.toks, doc.toks.len());
    let mut b = k + 1;
    while b < n {
        let gp = doc.gap(b - 1);
        // "Clinton's", "TREASURY'S": the possessive ends the name; so does a contraction
        // ("Don't" is no name), and the letter of a code ("U" of "Piala Asia U-23").
        if gp == Gap::Break || (gp == Gap::Join && CONTRACTIONS.contains(&toks[b].norm)) || code_letter(text, &toks[b])
        {
            break;
        }
        if name_like(doc, role, b)
            || (gp == Gap::Join && role[b] == Role::Free && toks[b].case == Case::Lower && toks[b].norm.len() <= 6)
        {
            b += 1;
        } else if PARTICLES.contains(&toks[b].norm)
            && toks[b].case == Case::Lower
            && b + 1 < n
            && name_like(doc, role, b + 1)
            && doc.gap(b) != Gap::Break
            && !(toks[b].norm == "di" && *indonesian.get_or_init(|| is_indonesian(toks)))
        {
            b += 2;
        } else {
            break;
        }
    }
    b
}

/// Whether the run `a..b` is part of another kind of name: "Tim" of "Tim Nasional" (national
/// team), "Davis" of "Davis Cup", "Asia" of "Piala Asia" or "Zona Asia"; or an Indonesian
/// reduplicated word ("Kira-kira", "Hal-hal" opening a sentence).
fn part_of_another_name(doc: &Doc, a: usize, b: usize) -> bool {
    let (toks, n) = (doc.toks, doc.toks.len());
    let joined = |i: usize, words: &[&str]| toks[i].case != Case::Lower && words.contains(&toks[i].norm);
    (b < n && doc.gap(b - 1) == Gap::Space && joined(b, &["nasional", "cup", "trophy"]))
        || (a > 0 && doc.gap(a - 1) == Gap::Space && joined(a - 1, &["piala", "zona"]))
        || (b == a + 2 && toks[a].norm == toks[a + 1].norm && doc.gap(a) == Gap::Join)
}

/// Where the name of the run `k..b` begins, and whether a headline's leading words were
/// trimmed. Leading ordinary words are not part of the name: a portfolio after a title
/// ("Menteri Keuangan Sri Mulyani"), or a capitalised word opening the sentence; nor, in a
/// headline in capitals, words before the first known name ("MEETS" of "KIM JONG UN MEETS
/// PUTIN").
fn name_start(doc: &Doc, k: usize, b: usize, single: bool) -> (usize, bool) {
    let (g, toks) = (doc.g, doc.toks);
    let mut a = k;
    while !single && a < b && is_common_word(g, &toks[a]) {
        a += 1;
    }
    if a < b && toks[a].sentence_start && b - a >= 2 && !g.names.contains(toks[a].norm) {
        let next_is_name = g.names.get(toks[a + 1].norm).is_some_and(|u| u.given || u.family);
        if next_is_name {
            a += 1;
        }
    }
    let trimmed = b - a >= 2 && doc.caps_line[a] && {
        let from = a;
        a = first_name_part(g, &toks[..b], a);
        a > from
    };
    (a, trimmed)
}

/// Whether a cue supports the run `a..b` as a person's name, the cheapest tests first: a
/// known given or family name, else (outside a headline in capitals, where every word looks
/// like a name: "DOLLAR STABLE" of "BAKER SAYS DOLLAR STABLE") a reporting verb, a role in
/// apposition or a title. Words that go on from an organization's name are more of it unless
/// they hold a known name ("Merrill Lynch Capital Markets said"; but "Menteri BUMN Erick
/// Thohir").
fn cue_supports(doc: &Doc, role: &[Role], a: usize, b: usize) -> bool {
    let (g, text, toks) = (doc.g, doc.text, doc.toks);
    // (A rare American name that is an Indonesian word makes no name of Indonesian words
    // alone: "Minta Maaf", "Kena Sanksi", "Dana Hibah"; but "Tim Henman", "Gigi Hadid".)
    let indonesian_words = || {
        toks[a..b]
            .iter()
            .all(|t| crate::text::stem::indonesian::is_word(t.norm))
    };
    let real = |u: &NameUse| !u.census_only || !indonesian_words();
    let known = g
        .names
        .get(toks[a].norm)
        .is_some_and(|u| (u.given || u.family_first) && real(u))
        || g.names.get(toks[b - 1].norm).is_some_and(|u| u.family && real(u));
    let after_org = || {
        a > 0
            && (role[a - 1] == Role::Org
                || matches!(role[a - 1], Role::Known(e) if g.entries[e as usize].kind == Kind::Org))
            && doc.gap(a - 1) == Gap::Space
    };
    if !known && after_org() {
        return false;
    }
    known
        || (!doc.caps_line[a]
            && (verb_near(text, toks, role, a, b)
                || apposition_after(text, toks, role, b)
                || title_before(text, toks, role, a)))
}

/// Whether the words `folded` at `a`, after an organization's acronym in parentheses, make
/// with it a name of the same organization ("Rumah Sakit Pusat Angkatan Darat (RSPAD) Gatot
/// Soebroto": "RSPAD Gatot Soebroto"): then they are more of it, not a person.
fn goes_on_from_acronym(doc: &Doc, role: &[Role], a: usize, folded: &[&str]) -> bool {
    let (g, text, toks) = (doc.g, doc.text, doc.toks);
    if a == 0 || !text[toks[a - 1].end..toks[a].start].starts_with(')') {
        return false;
    }
    let Role::Known(e) = role[a - 1] else {
        return false;
    };
    let org = &g.entries[e as usize];
    let phrase = format!("{} {}", toks[a - 1].norm, folded.join(" "));
    org.kind == Kind::Org && g.alias_entry(&phrase, Kind::Org).is_some_and(|x| x.value == org.value)
}

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

/// Whether a text is Indonesian (or Malay) as far as "di" is concerned: it has the relative
/// pronoun "yang" in lower case, as nearly every Indonesian news text does and English text
/// does not.
fn is_indonesian(toks: &[Tok]) -> bool {
    toks.iter().any(|t| t.case == Case::Lower && t.norm == "yang")
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

#[cfg(test)]
mod tests {
    use crate::extract::entities::extract_text;
    use crate::extract::entities::test_names::{orgs, persons};

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
    fn indonesian_di_is_a_preposition_italian_di_a_particle() {
        let p = persons("\"Kami menunggu,\" kata Laode M Syarif yang ditemui. Laode di Gedung Merah Putih menjawab.");
        assert!(!p.iter().any(|n| n.contains(" di ")), "{p:?}");
        assert!(p.contains(&"Laode M Syarif".to_string()), "{p:?}");
        let p = persons("Ferrari chairman Luca di Montezemolo said the team would stay.");
        assert_eq!(p, vec!["Luca di Montezemolo".to_string()]);
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
    fn words_going_on_from_an_organization_are_no_person() {
        let e = extract_text("Merrill Lynch Capital Markets said it would underwrite the issue.");
        assert!(e.persons.is_empty(), "{:?}", e.persons);
        // A known name after an organization is still a person.
        assert_eq!(
            persons("Menteri BUMN Erick Thohir mengatakan itu di Jakarta."),
            ["Erick Thohir"]
        );
    }
}
