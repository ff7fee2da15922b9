//! Stage 3: organization rules. A capitalised name holding a head word (Kementerian,
//! Ministry, Dewan, Council, Partai, University, Bank, Inc...) is an organization; its name
//! runs over the capitalised words and known places around the head.

use std::borrow::Cow;

use rustc_hash::FxHashMap as HashMap;

use super::{tidy, value_in, Acc, Doc, Name, Role};
use crate::extract::gazetteer::Kind;
use crate::text::tokens::{normalize_phrase, Case, Gap};

/// Titles followed by a portfolio ("Menteri Pertahanan", "Minister of Defence").
const PORTFOLIO_TITLES: &[&str] = &["menteri", "minister", "secretary", "sekretaris", "menko", "wamen"];
/// Connectors inside organization names.
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

/// Adds an organization for each capitalised head word (`capitals` are the capitalised
/// tokens, in order) that is no portfolio of a minister, named by the words around it, and
/// marks its tokens.
pub(super) fn add_rule_orgs(doc: &Doc, capitals: &[u32], role: &mut [Role], orgs: &mut HashMap<Name, Acc>) {
    let (g, toks) = (doc.g, doc.toks);
    // Folded phrases built from tokens.
    let mut scratch = String::new();
    let mut next = 0;
    for &k in capitals {
        let k = k as usize;
        if k < next {
            continue;
        }
        let t = &toks[k];
        // "Menteri Persatuan" is a minister's portfolio, not an organization.
        let portfolio = || k > 0 && PORTFOLIO_TITLES.contains(&toks[k - 1].norm) && doc.gap(k - 1) == Gap::Space;
        // (Every candidate is capitalised.)
        let head = role[k] == Role::Free && g.org_heads.contains(t.norm) && !portfolio();
        if !head {
            continue;
        }
        let (a, b) = org_name_around(doc, role, k);
        if b - a >= 2 && tail_of_known(doc, role, a, b) {
            for r in &mut role[a..b] {
                if *r == Role::Free {
                    *r = Role::Org;
                }
            }
        } else if b - a >= 2 {
            let name = tidy(doc.surface(a, b));
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
                None => value_in(orgs, &name, Acc::default),
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
}

/// The tokens `a..b` of the organization named around the head word `k`: capitalised words
/// and known countries and places before and after it, connectors followed by one after it,
/// leading connectors dropped.
fn org_name_around(doc: &Doc, role: &[Role], k: usize) -> (usize, usize) {
    let (g, toks, n) = (doc.g, doc.toks, doc.toks.len());
    let is_cap = |t: &crate::text::tokens::Tok| matches!(t.case, Case::Title | Case::Upper);
    let joinable = |j: usize| -> bool {
        let known_place =
            matches!(role[j], Role::Known(e) if matches!(g.entries[e as usize].kind, Kind::Country | Kind::Place));
        (role[j] == Role::Free && is_cap(&toks[j]) && !g.cues.stops.contains(toks[j].norm)) || known_place
    };
    // Left: capitalised words and country/place names before the head; before a company's
    // "Co" or "Inc", across one "and" too ("Procter and Gamble Co", "Hargreaves and Co").
    let mut a = k;
    let mut crossed = !CORPORATE.contains(&toks[k].norm);
    loop {
        while a > 0 && doc.gap(a - 1) != Gap::Break && joinable(a - 1) && !toks[a].sentence_start {
            a -= 1;
        }
        if !crossed
            && a >= 2
            && toks[a - 1].norm == "and"
            && toks[a - 1].case == Case::Lower
            && !toks[a].sentence_start
            && doc.gap(a - 1) != Gap::Break
            && doc.gap(a - 2) != Gap::Break
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
    while b < n && doc.gap(b - 1) != Gap::Break {
        let known = matches!(role[b], Role::Known(_));
        if joinable(b) && (head_first || !known) {
            b += 1;
        } else if ORG_CONNECTORS.contains(&toks[b].norm)
            && toks[b].case == Case::Lower
            && b + 1 < n
            && doc.gap(b) != Gap::Break
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
    (a, b)
}

/// Whether tokens `a..b` are corporate words after a known company ("Co Inc" of "Goldman
/// Sachs and Co Inc"): the rest of its name, no organization of its own.
fn tail_of_known(doc: &Doc, role: &[Role], a: usize, b: usize) -> bool {
    let (g, toks) = (doc.g, doc.toks);
    let before = match a.checked_sub(1) {
        Some(p) if ORG_CONNECTORS.contains(&toks[p].norm) => p.checked_sub(1),
        p => p,
    };
    toks[a..b]
        .iter()
        .all(|t| CORPORATE.contains(&t.norm) || ORG_CONNECTORS.contains(&t.norm))
        && before.is_some_and(|p| matches!(role[p], Role::Known(e) if g.entries[e as usize].kind == Kind::Org))
}

/// The company of `orgs` whose name begins with the words `folded` and goes on with a
/// corporate word ("Merrill Lynch and Co Inc" for "merrill lynch"). `companies` holds the
/// article's company names folded, made on the first call (most articles never need them).
#[inline(never)]
pub(super) fn company_begun_by(
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

#[cfg(test)]
mod tests {
    use crate::extract::entities::extract_text;
    use crate::extract::entities::test_names::{orgs, persons};

    #[test]
    fn corporate_suffix_makes_an_organization() {
        let e = extract_text("Shares of Acme Widgets Inc rose after Fulan Holdings said it would buy them.");
        let orgs: Vec<_> = e.orgs.iter().map(|o| o.name.as_str()).collect();
        assert!(orgs.contains(&"Acme Widgets Inc"), "{orgs:?}");
        assert!(e.persons.is_empty(), "{:?}", e.persons);
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
    fn the_suffixes_after_a_known_company_are_no_organization() {
        assert_eq!(orgs("The Goldman Sachs Group Inc deal was large."), ["Goldman Sachs"]);
        assert_eq!(
            orgs("Merrill Lynch and Co Inc said it would sell. Merrill Lynch said so."),
            ["Merrill Lynch"]
        );
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
}
