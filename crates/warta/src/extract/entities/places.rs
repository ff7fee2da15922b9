//! Stage 4: place rules. A capitalised name after a head word ("Kabupaten Gembong", "Pulau
//! Sebesi", "Mount Elgon") or before one ("Mekong River") is a place, in the country the head
//! implies if any; a known place with an Indonesian compass word is a place of its own.

use rustc_hash::FxHashMap as HashMap;

use super::{tidy, value_in, Acc, Doc, Name, Role};
use crate::extract::gazetteer::{Kind, PlaceHead, Span};
use crate::text::tokens::{Case, Gap};

/// The places of an article being read, with the country of each if known.
type Places = HashMap<Name, (Acc, Option<&'static str>)>;

/// Indonesian compass words that follow a place name ("Aceh Barat", "Jakarta Selatan").
const COMPASS_ID: &[&str] = &["barat", "timur", "utara", "selatan", "tengah", "tenggara"];

/// Adds a place for each place head (starting at one of `place_starts`) with capitalised
/// words on its side, and marks its tokens. An Indonesian administrative unit may be written
/// in lower case ("desa Wonorejo"); other heads must be capitalised.
pub(super) fn add_rule_places(doc: &Doc, place_starts: &[u32], role: &mut [Role], places: &mut Places) {
    let (g, toks) = (doc.g, doc.toks);
    let mut next = 0;
    for &k in place_starts {
        let k = k as usize;
        if k < next || role[k] != Role::Free {
            continue;
        }
        let Some(head) = g.place_heads.iter().find(|h| head_at(doc, role, h, k)) else {
            continue;
        };
        let h = head.words.len();
        if toks[k].case == Case::Lower && head.country.is_none() {
            continue;
        }
        let (a, b) = place_name_around(doc, role, head, k);
        if b - a == h {
            next = k + h;
            continue;
        }
        let name = tidy(doc.surface(a, b));
        value_in(places, &name, || (Acc::default(), head.country.as_deref()))
            .0
            .add(a, &name);
        for r in &mut role[a..b] {
            *r = Role::Place;
        }
        next = b;
    }
}

/// Whether the place head's words stand, free and one space apart, at token `k`.
fn head_at(doc: &Doc, role: &[Role], head: &PlaceHead, k: usize) -> bool {
    k + head.words.len() <= doc.toks.len()
        && head.words.iter().enumerate().all(|(j, w)| {
            role[k + j] == Role::Free && doc.toks[k + j].norm == *w && (j == 0 || doc.gap(k + j - 1) == Gap::Space)
        })
}

/// The tokens `a..b` of the place named by the head at `k` and the capitalised words on its
/// side: up to four after a head that comes first, up to two before one that comes last.
fn place_name_around(doc: &Doc, role: &[Role], head: &PlaceHead, k: usize) -> (usize, usize) {
    let (g, toks, n) = (doc.g, doc.toks, doc.toks.len());
    let h = head.words.len();
    let capital = |j: usize| -> bool {
        role[j] == Role::Free
            && matches!(toks[j].case, Case::Title | Case::Upper)
            && !g.cues.stops.contains(toks[j].norm)
            && !g.org_heads.contains(toks[j].norm)
            && !g.place_head_first.contains(toks[j].norm)
    };
    if head.before {
        let mut b = k + h;
        while b < n && b < k + h + 4 && doc.gap(b - 1) != Gap::Break && capital(b) {
            b += 1;
        }
        (k, b)
    } else {
        let mut a = k;
        while a > 0 && a + 3 > k && doc.gap(a - 1) != Gap::Break && capital(a - 1) {
            a -= 1;
            if toks[a].sentence_start {
                break;
            }
        }
        (a, k + h)
    }
}

/// A known place with an Indonesian compass word is a place of its own, in the same country:
/// "Aceh Barat", "Jakarta Selatan" (unless the gazetteer knows it already). The mention moves
/// from the known place to the new one.
pub(super) fn add_compass_places(doc: &Doc, spans: &[Span], role: &mut [Role], places: &mut Places) {
    let (g, toks, n) = (doc.g, doc.toks, doc.toks.len());
    for span in spans {
        let e = &g.entries[span.entry as usize];
        let b = span.end;
        if e.kind != Kind::Place
            || b >= n
            || role[b] != Role::Free
            || toks[b].case != Case::Title
            || !COMPASS_ID.contains(&toks[b].norm)
            || doc.gap(b - 1) != Gap::Space
        {
            continue;
        }
        let name = doc.surface(span.start, b + 1);
        let acc = &mut places.get_mut(e.value.as_str()).expect("gazetteer place counted").0;
        acc.mentions -= 1;
        let emptied = acc.mentions == 0;
        if emptied {
            places.remove(e.value.as_str());
        }
        value_in(places, name, || (Acc::default(), e.country.as_deref()))
            .0
            .add(span.start, name);
        role[b] = Role::Place;
    }
}

#[cfg(test)]
mod tests {
    use crate::extract::entities::test_names::{orgs, persons, places};

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
}
