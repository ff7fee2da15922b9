//! Words a few edits apart, found by walking a term dictionary with a Levenshtein automaton
//! (the letters changed, added, dropped or two neighbours swapped): for filters' names one
//! letter off and for "did you mean".

use std::sync::OnceLock;

use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA, SINK_STATE};

/// The largest edit distance searched.
pub const MAX_DISTANCE: u8 = 2;

/// An automaton matching the terms within `distance` edits of a word: the whole term or, with
/// a separator, the part before the separator's first occurrence.
pub struct Near {
    dfa: DFA,
    separator: Option<u8>,
}

/// A [`Near`] automaton's state: in the word, or past the separator (anything matches).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NearState {
    /// The Levenshtein automaton's state in the word.
    Word(u32),
    /// Past the separator.
    Rest,
}

impl Near {
    /// The terms within `distance` (1 or 2) edits of `word`.
    pub fn new(word: &str, distance: u8) -> Near {
        Near {
            dfa: builder(distance).build_dfa(word),
            separator: None,
        }
    }

    /// The terms whose part before `separator` is within `distance` edits of `word`.
    pub fn before(word: &str, distance: u8, separator: char) -> Near {
        let separator = u8::try_from(u32::from(separator)).ok().filter(u8::is_ascii);
        Near {
            separator,
            ..Near::new(word, distance)
        }
    }

    /// The edits between `word` and `term` (the whole term: no separator), when within the
    /// automaton's distance.
    pub fn distance(&self, term: &str) -> Option<u8> {
        match self.dfa.eval(term) {
            Distance::Exact(d) => Some(d),
            Distance::AtLeast(_) => None,
        }
    }
}

/// The automaton builder for `distance` edits (transpositions count one), built once.
fn builder(distance: u8) -> &'static LevenshteinAutomatonBuilder {
    static BUILDERS: [OnceLock<LevenshteinAutomatonBuilder>; MAX_DISTANCE as usize] =
        [const { OnceLock::new() }; MAX_DISTANCE as usize];
    let d = distance.clamp(1, MAX_DISTANCE);
    BUILDERS[usize::from(d - 1)].get_or_init(|| LevenshteinAutomatonBuilder::new(d, true))
}

impl tantivy_fst::Automaton for Near {
    type State = NearState;

    fn start(&self) -> NearState {
        NearState::Word(self.dfa.initial_state())
    }

    fn is_match(&self, state: &NearState) -> bool {
        match (state, self.separator) {
            (NearState::Rest, _) => true,
            (NearState::Word(s), None) => matches!(self.dfa.distance(*s), Distance::Exact(_)),
            (NearState::Word(_), Some(_)) => false,
        }
    }

    fn can_match(&self, state: &NearState) -> bool {
        !matches!(state, NearState::Word(SINK_STATE))
    }

    fn accept(&self, state: &NearState, byte: u8) -> NearState {
        match *state {
            NearState::Rest => NearState::Rest,
            NearState::Word(s) if Some(byte) == self.separator => {
                if matches!(self.dfa.distance(s), Distance::Exact(_)) {
                    NearState::Rest
                } else {
                    NearState::Word(SINK_STATE)
                }
            }
            NearState::Word(s) => NearState::Word(self.dfa.transition(s, byte)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy_fst::Automaton;

    fn matches(a: &Near, s: &str) -> bool {
        let mut state = a.start();
        for b in s.bytes() {
            state = a.accept(&state, b);
        }
        a.is_match(&state)
    }

    #[test]
    fn one_edit_is_a_letter_changed_added_dropped_or_swapped() {
        let a = Near::new("zelenskij", 1);
        for near in ["zelenskjj", "zelenskj", "zelenskijj", "zelensikj", "zelenskij"] {
            assert!(matches(&a, near), "{near}");
        }
        for far in ["zelensk", "zelinskjj", "zelenskijovic", ""] {
            assert!(!matches(&a, far), "{far}");
        }
        assert_eq!(a.distance("zelenskjj"), Some(1));
        assert_eq!(a.distance("zelinskjj"), None);
        assert!(matches(&Near::new("zelenskij", 2), "zelinskjj"));
    }

    #[test]
    fn before_a_separator_only_the_word_counts() {
        let a = Near::before("zelenskij", 1, '\u{1f}');
        assert!(matches(&a, "zelenskjj\u{1f}Volodymyr Zelenskyy"));
        assert!(!matches(&a, "zelenskjj"), "no separator: no name");
        assert!(!matches(&a, "zelenskijovic\u{1f}X"));
        assert!(!matches(&a, "zelinskjj\u{1f}X"));
    }
}
