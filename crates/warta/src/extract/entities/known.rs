//! Stage 1: the gazetteer's matches, longest first, are the known countries, places,
//! organizations and persons of the article; their tokens are taken for the later rules.

use std::borrow::Cow;

use super::{with_honorific, words_of, Acc, Doc, Found, Role};
use crate::extract::gazetteer::{Kind, Span};

/// Counts each gazetteer match under its entry and marks its tokens as known. A known
/// person's words are remembered twice, as canonical and as the article writes them, so that
/// a lone surname in either spelling resolves to the person later. Returns the matches.
pub(super) fn add_known<'a>(doc: &Doc<'a>, role: &mut [Role], found: &mut Found<'a>) -> Vec<Span> {
    let g = doc.g;
    let spans = g.find(doc.toks);
    for &span in &spans {
        let e = &g.entries[span.entry as usize];
        let value = e.value.as_str();
        for r in &mut role[span.start..span.end] {
            *r = Role::Known(span.entry);
        }
        let form = doc.surface(span.start, span.end);
        match e.kind {
            Kind::Country => found.countries.entry(value).or_default().add(span.start, form),
            Kind::Place => found
                .places
                .entry(Cow::Borrowed(value))
                .or_insert_with(|| (Acc::default(), e.country.as_deref()))
                .0
                .add(span.start, form),
            Kind::Org => found
                .orgs
                .entry(Cow::Borrowed(value))
                .or_default()
                .add(span.start, form),
            Kind::Person => {
                let (from, form) = with_honorific(doc.text, doc.toks, span.start, form);
                found.persons.entry(Cow::Borrowed(value)).or_default().add(from, form);
                let keys = &mut found.person_keys;
                if !keys.iter().any(|(c, _)| c == value) {
                    keys.push((Cow::Borrowed(value), words_of(g, span.entry)));
                }
                // The words as the article writes them too, when they are another spelling
                // ("Volodymyr Zelensky" for Volodymyr Zelenskyy): a lone "Zelensky" later is
                // the same person.
                let written: Vec<&str> = doc.toks[span.start..span.end].iter().map(|t| t.norm).collect();
                if !keys.iter().any(|(c, w)| c == value && *w == written) {
                    keys.push((Cow::Borrowed(value), written));
                }
            }
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use crate::extract::entities::extract_text;

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
}
