//! The user's query language, parsed with positions so errors can point at the problem.
//!
//! Words are ANDed; `"exact phrase"`; `a OR b`; `-excluded` (also `-"phrase"`); `title:word`,
//! `body:"a phrase"`; `prefix*`. `AND` and a leading `+` are accepted and mean the default.

use std::fmt;

/// The most different terms (words, phrases and prefixes, excluded ones included) one query
/// may hold: each is searched in every text field, by its stem's words too.
pub const MAX_CLAUSES: usize = 64;

/// Which text a clause searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Title,
    Body,
}

/// One searched item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Word(String),
    Prefix(String),
    Phrase(String),
}

/// An item with its scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub scope: Scope,
    pub item: Item,
}

/// A parsed query: every group must match (a group matches when any of its clauses does),
/// and no excluded clause may. Only a blank query parses to no clause at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub groups: Vec<Vec<Clause>>,
    pub excluded: Vec<Clause>,
    /// The query used an operator (`AND`, `OR`, `+`, `-`): the user spelled out the logic.
    pub operators: bool,
}

impl ParsedQuery {
    /// True when the query names no term at all (it then matches every article).
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.excluded.is_empty()
    }

    /// Drops repeated terms, which would only repeat the work: a clause repeated in a group,
    /// a group repeating an earlier one (in any order), a repeated exclusion. Case does not
    /// tell terms apart.
    fn dedup(&mut self) {
        for group in &mut self.groups {
            dedup_clauses(group);
        }
        let mut kept: Vec<Vec<Clause>> = Vec::with_capacity(self.groups.len());
        for group in self.groups.drain(..) {
            let same = |k: &Vec<Clause>| k.len() == group.len() && group.iter().all(|c| k.iter().any(|o| o.same_as(c)));
            if !kept.iter().any(same) {
                kept.push(group);
            }
        }
        self.groups = kept;
        dedup_clauses(&mut self.excluded);
    }

    /// Whether matching may be relaxed when nothing has every term: two or more terms and no
    /// operator.
    pub fn relaxable(&self) -> bool {
        !self.operators && self.groups.len() >= 2
    }

    /// Clauses of all groups and exclusions.
    pub fn clause_count(&self) -> usize {
        self.groups.iter().map(Vec::len).sum::<usize>() + self.excluded.len()
    }
}

impl Clause {
    /// The same term: same scope and kind, text equal up to case.
    fn same_as(&self, other: &Clause) -> bool {
        let text = |i: &Item| match i {
            Item::Word(t) | Item::Prefix(t) | Item::Phrase(t) => t.to_lowercase(),
        };
        self.scope == other.scope
            && std::mem::discriminant(&self.item) == std::mem::discriminant(&other.item)
            && text(&self.item) == text(&other.item)
    }
}

fn dedup_clauses(clauses: &mut Vec<Clause>) {
    let mut kept: Vec<Clause> = Vec::with_capacity(clauses.len());
    for c in clauses.drain(..) {
        if !kept.iter().any(|k| k.same_as(&c)) {
            kept.push(c);
        }
    }
    *clauses = kept;
}

/// A query the parser rejects, with the 1-based character column it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct QueryError {
    pub column: usize,
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at column {}: {}", self.column, self.message)
    }
}

/// Parses a query string.
pub fn parse(query: &str) -> Result<ParsedQuery, QueryError> {
    let chars: Vec<char> = query.chars().collect();
    let err = |col: usize, message: String| QueryError {
        column: col + 1,
        message,
    };
    let mut parsed = ParsedQuery::default();
    let mut pending_or: Option<usize> = None;
    let mut last_was_positive = false;
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut negated = false;
        if chars[i] == '-' || chars[i] == '+' {
            negated = chars[i] == '-';
            i += 1;
            if i >= chars.len() || chars[i].is_whitespace() {
                // A lone sign is punctuation, not an operator.
                continue;
            }
            parsed.operators = true;
        }
        // field:
        let mut scope = Scope::All;
        let word_end = (i..chars.len())
            .find(|&j| chars[j].is_whitespace() || chars[j] == '"')
            .unwrap_or(chars.len());
        if let Some(colon) = (i..word_end).find(|&j| chars[j] == ':') {
            let name: String = chars[i..colon].iter().collect();
            if !name.is_empty()
                && name.chars().all(char::is_alphabetic)
                && colon + 1 < chars.len()
                && !chars[colon + 1].is_whitespace()
            {
                scope = match name.to_lowercase().as_str() {
                    "title" => Scope::Title,
                    "body" | "text" => Scope::Body,
                    _ => {
                        return Err(err(
                            i,
                            format!("unknown field `{name}:` (fields are title: and body:; put the words in quotes to search them as text)"),
                        ))
                    }
                };
                i = colon + 1;
            }
        }
        let item = if i < chars.len() && chars[i] == '"' {
            let close = (i + 1..chars.len())
                .find(|&j| chars[j] == '"')
                .ok_or_else(|| err(i, "unterminated quote: add the closing \"".to_string()))?;
            let phrase: String = chars[i + 1..close].iter().collect();
            i = close + 1;
            if !phrase.chars().any(char::is_alphanumeric) {
                continue; // empty quotes or punctuation only: nothing to search
            }
            Item::Phrase(phrase)
        } else {
            let end = (i..chars.len())
                .find(|&j| chars[j].is_whitespace() || chars[j] == '"')
                .unwrap_or(chars.len());
            let word: String = chars[i..end].iter().collect();
            i = end;
            if scope == Scope::All && !negated && (word == "OR" || word == "AND") {
                parsed.operators = true;
                if word == "OR" {
                    if !last_was_positive || pending_or.is_some() {
                        return Err(err(start, "OR needs a search term before it".to_string()));
                    }
                    pending_or = Some(start);
                }
                continue;
            }
            if let Some(stem) = word.strip_suffix('*') {
                let stem = stem.trim_end_matches('*');
                if stem.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
                    return Err(err(
                        start,
                        format!("prefix `{word}` is too short: give at least two letters before *"),
                    ));
                }
                Item::Prefix(stem.to_string())
            } else {
                if !word.chars().any(char::is_alphanumeric) {
                    continue; // punctuation only: nothing to search
                }
                Item::Word(word)
            }
        };
        let clause = Clause { scope, item };
        if negated {
            if let Some(col) = pending_or {
                return Err(err(col, "OR cannot join an excluded term".to_string()));
            }
            parsed.excluded.push(clause);
            last_was_positive = false;
        } else if pending_or.take().is_some() {
            parsed
                .groups
                .last_mut()
                .expect("OR follows a positive term")
                .push(clause);
            last_was_positive = true;
        } else {
            parsed.groups.push(vec![clause]);
            last_was_positive = true;
        }
    }
    if let Some(col) = pending_or {
        return Err(err(col, "OR needs a search term after it".to_string()));
    }
    parsed.dedup();
    if parsed.clause_count() > MAX_CLAUSES {
        return Err(err(
            0,
            format!(
                "the query has {} different terms; at most {MAX_CLAUSES} are searched at once",
                parsed.clause_count()
            ),
        ));
    }
    if parsed.is_empty() && !query.trim().is_empty() {
        // Searching for nothing would list every article, as if the words had matched.
        return Err(err(
            0,
            "nothing to search for: the query has no word (punctuation, empty quotes and AND alone are not searched); leave the query out to list every article".to_string(),
        ));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Clause {
        Clause {
            scope: Scope::All,
            item: Item::Word(s.into()),
        }
    }

    #[test]
    fn words_phrases_or_not_fields_prefix() {
        let q =
            parse(r#"putin "kim jong un" russia OR rusia -ukraine title:summit body:"dewan keamanan" nucl*"#).unwrap();
        assert_eq!(q.groups.len(), 6);
        assert_eq!(q.groups[0], vec![w("putin")]);
        assert_eq!(q.groups[1][0].item, Item::Phrase("kim jong un".into()));
        assert_eq!(q.groups[2], vec![w("russia"), w("rusia")]);
        assert_eq!(q.excluded, vec![w("ukraine")]);
        assert_eq!(
            q.groups[3][0],
            Clause {
                scope: Scope::Title,
                item: Item::Word("summit".into())
            }
        );
        assert_eq!(
            q.groups[4][0],
            Clause {
                scope: Scope::Body,
                item: Item::Phrase("dewan keamanan".into())
            }
        );
        assert_eq!(q.groups[5][0].item, Item::Prefix("nucl".into()));
    }

    #[test]
    fn errors_point_at_the_problem() {
        assert_eq!(parse(r#"putin "kim jong"#).unwrap_err().column, 7);
        assert_eq!(parse("OR putin").unwrap_err().column, 1);
        assert_eq!(parse("putin OR").unwrap_err().column, 7);
        assert_eq!(parse("author:kirby").unwrap_err().column, 1);
        assert!(parse("a*").is_err());
    }

    #[test]
    fn repeated_terms_are_searched_once() {
        let q = parse(&"me* ".repeat(250)).unwrap();
        assert_eq!(
            q.groups,
            vec![vec![Clause {
                scope: Scope::All,
                item: Item::Prefix("me".into())
            }]]
        );
        let q = parse("putin Putin kim OR putin putin OR kim -x -X title:putin").unwrap();
        assert_eq!(q.groups.len(), 3, "{q:?}");
        assert_eq!(q.groups[1], vec![w("kim"), w("putin")]);
        assert_eq!(q.excluded, vec![w("x")]);
        assert_eq!(q.clause_count(), 5);
        let q = parse(&"presiden ".repeat(10_000)).unwrap();
        assert_eq!(q.clause_count(), 1);
        // A term OR-ed with another is not a repeat of the term alone.
        assert_eq!(
            parse("a1 a1 OR b1").unwrap().groups,
            vec![vec![w("a1")], vec![w("a1"), w("b1")]]
        );
    }

    #[test]
    fn only_plain_words_may_be_relaxed() {
        assert!(parse("papandreou optimistic crisis").unwrap().relaxable());
        assert!(parse(r#""debt crisis" title:greece"#).unwrap().relaxable());
        assert!(!parse("papandreou").unwrap().relaxable());
        for spelled_out in ["a1 AND b1", "a1 OR b1 c1", "a1 -b1 c1", "+a1 b1"] {
            assert!(!parse(spelled_out).unwrap().relaxable(), "{spelled_out}");
        }
        // A sign standing alone is punctuation, not an operator.
        assert!(parse("a1 - b1").unwrap().relaxable());
    }

    #[test]
    fn too_many_terms_are_refused() {
        let words: Vec<String> = (0..=MAX_CLAUSES).map(|i| format!("w{i}")).collect();
        assert!(parse(&words[..MAX_CLAUSES].join(" ")).is_ok());
        let e = parse(&words.join(" ")).unwrap_err();
        assert!(e.message.contains("65 different terms"), "{e}");
    }

    #[test]
    fn odd_input_never_fails_silently() {
        assert!(parse("").unwrap().is_empty());
        assert!(parse(" \t ").unwrap().is_empty());
        for nothing in ["  - + !!! ", "???", r#""""#, r#"" ... ""#, "AND", "AND AND"] {
            let e = parse(nothing).unwrap_err();
            assert_eq!(e.column, 1, "{nothing:?}");
            assert!(e.message.starts_with("nothing to search for"), "{nothing:?}: {e}");
        }
        assert_eq!(parse("10:15").unwrap().groups.len(), 1);
        assert_eq!(parse(r#"putin "" AND ???"#).unwrap().groups.len(), 1);
        assert_eq!(parse("-ukraine").unwrap().excluded.len(), 1);
    }
}
