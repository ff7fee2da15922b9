//! Stage 8: the article's entities made final. A shortened organization name joins the
//! longer one it begins, each place counts its country, and each kind is ordered, most
//! mentioned first.

use rustc_hash::FxHashMap as HashMap;

use super::{Acc, CountryMention, Entities, Found, Mention, Name, PlaceMention};
use crate::extract::gazetteer::Gazetteer;
use crate::text::tokens::normalize_phrase;

/// A shortened organization name ("Dewan Keamanan") is the longer one of this article that
/// it begins ("Dewan Keamanan Perserikatan Bangsa-Bangsa"): shortest names first, each merged
/// into the most mentioned longer one (then the first, then by name).
pub(super) fn merge_shortened_orgs(orgs: &mut HashMap<Name, Acc>) {
    if orgs.len() < 2 {
        return;
    }
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
    *orgs = list
        .into_iter()
        .zip(alive)
        .filter(|(_, alive)| *alive)
        .map(|((name, acc, _), _)| (name, acc))
        .collect();
}

/// A place counts its country: the country is mentioned as often as its places are, from the
/// first place's position when the article names the country nowhere itself.
pub(super) fn count_place_countries(
    places: &HashMap<Name, (Acc, Option<&'static str>)>,
    countries: &mut HashMap<&'static str, Acc>,
) {
    for (acc, country) in places.values() {
        if let Some(code) = *country {
            let c = countries.entry(code).or_default();
            if c.mentions == 0 {
                c.first = acc.first;
            }
            c.mentions += acc.mentions;
        }
    }
}

/// The entities found, each kind most mentioned first (then first mentioned, then by name).
pub(super) fn into_entities(g: &Gazetteer, found: Found) -> Entities {
    let Found {
        countries,
        places,
        orgs,
        persons,
        ..
    } = found;
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

#[cfg(test)]
mod tests {
    use crate::extract::entities::extract_text;

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
}
