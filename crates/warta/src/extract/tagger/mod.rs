//! A learned named-entity tagger: which runs of words are persons, organizations, places.
//!
//! An averaged perceptron (Collins 2002) labels tokens left to right with BIO tags, greedily,
//! each decision seeing the two before it (Ratinov and Roth 2009 found greedy decoding as
//! good as Viterbi for this task). Its features are hashed into a fixed table of weights, so
//! the model file holds numbers only: no word of the text it was trained on.
//!
//! The features are those of a word and its neighbours (form, prefixes and suffixes, shape,
//! capitalisation, the punctuation between them, word clusters learned from unlabelled news)
//! and what warta's rules already know of it: whether the gazetteer names it (and as what),
//! whether a rule made it part of a person, organization or place, whether a title or a
//! reporting verb stands next to it, whether it is a known given or family name or an
//! ordinary Indonesian word. The rules are the tagger's evidence, not its only way in.
//!
//! Only tokens that can be part of a name are tagged: capitalised words, and short lower-case
//! words between two of them ("Bank of America", "Abu Bakar bin Ahmad"). Every other token is
//! outside any name, which keeps tagging cheap on long texts.
//!
//! `features` hashes a text's features, `model` holds the weights and decodes, `train`
//! learns the weights from annotated texts.

mod features;
mod model;
mod train;

pub use model::{Model, ModelError};
pub use train::{train, TrainOptions, TrainingSet};

use crate::text::tokens::{gap, Case, Gap, Tok};

/// The tags, in the order of the model's weights: outside, then begin and inside for each
/// entity type.
pub const LABELS: [&str; 9] = [
    "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
];
const NL: usize = LABELS.len();
const O: u8 = 0;

/// The entity types the tagger knows. MISC (events, nationalities, works) is learned so that
/// it is not confused with the others, and dropped by warta.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityType {
    /// A person.
    Person,
    /// An organization.
    Org,
    /// A place or country.
    Place,
    /// Any other name (events, nationalities, works).
    Misc,
}

impl EntityType {
    /// The type of a tag's label index (0 is outside).
    fn of_label(l: u8) -> Option<EntityType> {
        match l {
            1 | 2 => Some(EntityType::Person),
            3 | 4 => Some(EntityType::Org),
            5 | 6 => Some(EntityType::Place),
            7 | 8 => Some(EntityType::Misc),
            _ => None,
        }
    }

    /// The label that begins a name of this type.
    pub fn begin_label(self) -> u8 {
        match self {
            EntityType::Person => 1,
            EntityType::Org => 3,
            EntityType::Place => 5,
            EntityType::Misc => 7,
        }
    }
}

fn is_inside(l: u8) -> bool {
    l != O && l.is_multiple_of(2)
}

/// What the rules know of a token before the tagger sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Hint {
    /// Nothing known.
    #[default]
    None,
    /// Part of a country the gazetteer knows.
    KnownCountry,
    /// Part of a place the gazetteer knows.
    KnownPlace,
    /// Part of an organization the gazetteer knows.
    KnownOrg,
    /// Part of a person the gazetteer knows.
    KnownPerson,
    /// Part of an organization a rule found.
    RuleOrg,
    /// Part of a place a rule found.
    RulePlace,
    /// Part of a person a rule found.
    RulePerson,
    /// A title or role ("Presiden", "spokesman").
    Title,
    /// A reporting verb ("said", "kata").
    Verb,
}

/// Word-level facts from the gazetteer's word lists, computed by the caller.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WordFacts {
    /// A known given name.
    pub given: bool,
    /// A known family name.
    pub family: bool,
    /// One of the most frequent names, weak evidence alone.
    pub common_name: bool,
    /// An ordinary (dictionary or function) word.
    pub ordinary: bool,
    /// An organization head word.
    pub org_head: bool,
    /// A place head word.
    pub place_head: bool,
    /// The word occurs in lower case elsewhere in the same text.
    pub seen_lower: bool,
}

/// One text as the tagger sees it: its tokens with the rules' hints and word facts.
pub struct View<'t, 'a> {
    /// The text.
    pub text: &'t str,
    /// Its tokens.
    pub toks: &'t [Tok<'a>],
    /// The rules' hint for each token.
    pub hints: &'t [Hint],
    /// The word lists' facts for each token.
    pub facts: &'t [WordFacts],
    /// Tokens of a headline written in capitals.
    pub caps_line: &'t [bool],
}

/// A name the tagger found: tokens `start..end`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaggedSpan {
    /// The first token.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// The type of name.
    pub kind: EntityType,
    /// The margin of the first token's decision over the best other label, squashed to 0..1.
    pub confidence: f32,
}

/// Whether token `i` can be part of a name and is tagged.
fn is_candidate(v: &View, i: usize) -> bool {
    let t = &v.toks[i];
    let capital = |j: usize| matches!(v.toks[j].case, Case::Title | Case::Upper);
    match t.case {
        // An ordinary word capitalised only because it begins a sentence, with no capitalised
        // word next to it ("Dia", "The", "Namun"), is not tagged: nearly always no name, and
        // one in six of all capitalised words.
        Case::Title if t.sentence_start && v.facts[i].ordinary => {
            (i > 0 && capital(i - 1)) || (i + 1 < v.toks.len() && capital(i + 1))
        }
        Case::Title | Case::Upper => true,
        Case::Lower => {
            // A short connector between two capitalised words on one line.
            t.norm.len() <= 4
                && i > 0
                && i + 1 < v.toks.len()
                && capital(i - 1)
                && capital(i + 1)
                && gap(v.text, v.toks, i - 1) == Gap::Space
                && gap(v.text, v.toks, i) == Gap::Space
        }
        Case::Other => false,
    }
}

/// Whether label `l` may follow `prev`: an inside tag only continues a name of its type.
fn allowed(prev: u8, l: u8) -> bool {
    !is_inside(l) || prev == l - 1 || prev == l
}

/// The best label allowed after `prev`, and its margin over the runner-up.
fn best_allowed<W: Copy + PartialOrd + Into<f64>>(s: &[W], prev: u8) -> (u8, f32) {
    let mut best = O;
    let mut second: Option<W> = None;
    for l in 1..NL as u8 {
        if !allowed(prev, l) {
            continue;
        }
        if s[l as usize] > s[best as usize] {
            second = Some(s[best as usize]);
            best = l;
        } else if second.is_none_or(|x| s[l as usize] > x) {
            second = Some(s[l as usize]);
        }
    }
    let margin = second.map_or(0.0, |x| s[best as usize].into() - x.into());
    (best, margin as f32)
}

/// The margin (in trained weight units) whose confidence is 1 - 1/e; the confidence
/// thresholds of `entities` were chosen with it.
const MARGIN_UNIT: f32 = 135.0;

/// Names from labels: a B tag opens one, I tags of its type continue it.
fn spans_of(labels: &[(u8, f32)]) -> Vec<TaggedSpan> {
    let mut out: Vec<TaggedSpan> = Vec::new();
    let mut open: Option<TaggedSpan> = None;
    for (i, &(l, margin)) in labels.iter().enumerate() {
        let kind = EntityType::of_label(l);
        match (kind, &mut open) {
            (Some(k), Some(span)) if is_inside(l) && span.kind == k && span.end == i => span.end = i + 1,
            (Some(k), _) => {
                out.extend(open.take());
                open = Some(TaggedSpan {
                    start: i,
                    end: i + 1,
                    kind: k,
                    confidence: 1.0 - (-margin / MARGIN_UNIT).exp(),
                });
            }
            (None, _) => out.extend(open.take()),
        }
    }
    out.extend(open);
    out
}

/// The names of gold labels (as [`labels_from_ranges`] gives them).
pub fn spans_of_labels(labels: &[u8]) -> Vec<TaggedSpan> {
    let with_margin: Vec<(u8, f32)> = labels.iter().map(|&l| (l, 0.0)).collect();
    spans_of(&with_margin)
}

/// Gold BIO labels of tokens from names given as byte ranges of the text: a token inside a
/// range is part of that name (its first token begins it).
pub fn labels_from_ranges(toks: &[Tok], names: &[(usize, usize, EntityType)]) -> Vec<u8> {
    let mut labels = vec![O; toks.len()];
    for &(start, end, kind) in names {
        let mut first = true;
        for (i, t) in toks.iter().enumerate() {
            if t.start >= start && t.end <= end {
                labels[i] = if first {
                    kind.begin_label()
                } else {
                    kind.begin_label() + 1
                };
                first = false;
            }
        }
    }
    labels
}

#[cfg(test)]
mod test_support {
    use super::*;
    use crate::text::tokens::tokenize;

    /// `f` of a text's view with no hints, no word facts and no capitalised headline.
    pub(super) fn with_bare_view<R>(text: &str, f: impl FnOnce(&View) -> R) -> R {
        let mut buf = String::new();
        let toks = tokenize(text, &mut buf);
        let n = toks.len();
        let (hints, facts, caps) = (vec![Hint::None; n], vec![WordFacts::default(); n], vec![false; n]);
        f(&View {
            text,
            toks: &toks,
            hints: &hints,
            facts: &facts,
            caps_line: &caps,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokens::tokenize;

    #[test]
    fn spans_follow_bio_labels() {
        let labels = [(0, 0.0), (1, 5.0), (2, 0.0), (3, 1.0), (5, 1.0), (6, 0.0), (2, 0.0)];
        let spans = spans_of(&labels);
        let got: Vec<_> = spans.iter().map(|s| (s.start, s.end, s.kind)).collect();
        assert_eq!(
            got,
            vec![
                (1, 3, EntityType::Person),
                (3, 4, EntityType::Org),
                (4, 6, EntityType::Place),
                (6, 7, EntityType::Person)
            ]
        );
    }

    /// A capitalised ordinary word is tagged unless it only begins a sentence, alone.
    #[test]
    fn a_lone_ordinary_word_beginning_a_sentence_is_no_candidate() {
        let text = "Dia datang. Dia Bank itu. Lalu Dia pergi.";
        let mut buf = String::new();
        let toks = tokenize(text, &mut buf);
        let n = toks.len();
        let facts: Vec<WordFacts> = toks
            .iter()
            .map(|t| WordFacts {
                ordinary: t.norm == "dia",
                ..WordFacts::default()
            })
            .collect();
        let (hints, caps) = (vec![Hint::None; n], vec![false; n]);
        let view = View {
            text,
            toks: &toks,
            hints: &hints,
            facts: &facts,
            caps_line: &caps,
        };
        let dias: Vec<bool> = (0..n)
            .filter(|&i| toks[i].norm == "dia")
            .map(|i| is_candidate(&view, i))
            .collect();
        // Alone at a sentence start; before a capitalised word; inside a sentence.
        assert_eq!(dias, vec![false, true, true]);
    }
}
