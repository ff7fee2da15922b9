//! Stage 2: cue phrases. Titles and roles (Presiden, Menteri, juru bicara, Minister) and
//! reporting verbs (said, kata, mengatakan, menurut) are marked on their tokens: the person
//! rules take a run of capitalised words for a name when such a cue stands next to it.

use super::{CueStart, Doc, Role};
use crate::text::tokens::Gap;

/// Marks the cue phrases of the text on free tokens, the longest phrase at each start, one
/// clause long at most (no phrase spans punctuation).
pub(super) fn mark_cues(doc: &Doc, cue_starts: &[CueStart], role: &mut [Role]) {
    let (toks, n) = (doc.toks, doc.toks.len());
    let mut next = 0;
    for &(i, cues) in cue_starts {
        if i < next || role[i] != Role::Free {
            continue;
        }
        for (words, title) in cues {
            let len = words.len();
            if i + len > n
                || !words.iter().zip(&toks[i..i + len]).all(|(w, t)| *w == t.norm)
                || role[i..i + len].iter().any(|r| *r != Role::Free)
                || (1..len).any(|k| doc.gap(i + k - 1) == Gap::Break)
            {
                continue;
            }
            let r = if *title { Role::Title } else { Role::Verb };
            role[i..i + len].iter_mut().for_each(|x| *x = r);
            next = i + len;
            break;
        }
    }
}
