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
    /// Title and body.
    All,
    /// The title only (`title:`).
    Title,
    /// The body only (`body:`).
    Body,
}

/// One searched item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A word, matched as written or by its stem.
    Word(String),
    /// The letters before a `*`.
    Prefix(String),
    /// A quoted phrase, its words as written and in order.
    Phrase(String),
}

/// An item with its scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// Where to look.
    pub scope: Scope,
    /// What to look for.
    pub item: Item,
}

/// A parsed query: every group must match (a group matches when any of its clauses does),
/// and no excluded clause may. Only a blank query parses to no clause at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Every group must match; a group matches when any of its clauses (joined by `OR`) does.
    pub groups: Vec<Vec<Clause>>,
    /// No clause here may match.
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
    /// The 1-based character column.
    pub column: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at column {}: {}", self.column, self.message)
    }
}

/// Parses a query string.
pub fn parse(query: &str) -> Result<ParsedQuery, QueryError> {
    let mut p = Parser {
        chars: query.chars().collect(),
        i: 0,
        parsed: ParsedQuery::default(),
        pending_or: None,
        last_was_positive: false,
    };
    while p.skip_whitespace() {
        let start = p.i;
        let Some(negated) = p.sign() else {
            continue; // a lone sign is punctuation, not an operator
        };
        let scope = p.scope()?;
        let Some(item) = p.item(start, scope, negated)? else {
            continue;
        };
        p.place(Clause { scope, item }, negated)?;
    }
    p.finish(query)
}

/// The parser's state: a cursor over the query's characters and what it has read.
struct Parser {
    chars: Vec<char>,
    i: usize,
    parsed: ParsedQuery,
    /// Where an `OR` waits for the term it joins to the group before it.
    pending_or: Option<usize>,
    last_was_positive: bool,
}

impl Parser {
    fn err(col: usize, message: impl Into<String>) -> QueryError {
        QueryError {
            column: col + 1,
            message: message.into(),
        }
    }

    /// Moves past whitespace; false at the end of the query.
    fn skip_whitespace(&mut self) -> bool {
        while self.i < self.chars.len() && self.chars[self.i].is_whitespace() {
            self.i += 1;
        }
        self.i < self.chars.len()
    }

    /// Reads a leading `-` (excluded: `Some(true)`) or `+` (required: `Some(false)`); `None`
    /// for a sign with nothing after it, which is skipped.
    fn sign(&mut self) -> Option<bool> {
        let c = self.chars[self.i];
        if c != '-' && c != '+' {
            return Some(false);
        }
        self.i += 1;
        if self.i >= self.chars.len() || self.chars[self.i].is_whitespace() {
            return None;
        }
        self.parsed.operators = true;
        Some(c == '-')
    }

    /// The end of the word starting at `from`: the next whitespace or quote.
    fn word_end(&self, from: usize) -> usize {
        (from..self.chars.len())
            .find(|&j| self.chars[j].is_whitespace() || self.chars[j] == '"')
            .unwrap_or(self.chars.len())
    }

    /// Reads a `title:` or `body:` (or `text:`) prefix; any other `name:` before a term is an
    /// error, since it would otherwise be searched as a word.
    fn scope(&mut self) -> Result<Scope, QueryError> {
        let (i, chars) = (self.i, &self.chars);
        let Some(colon) = (i..self.word_end(i)).find(|&j| chars[j] == ':') else {
            return Ok(Scope::All);
        };
        let name: String = chars[i..colon].iter().collect();
        if name.is_empty()
            || !name.chars().all(char::is_alphabetic)
            || colon + 1 >= chars.len()
            || chars[colon + 1].is_whitespace()
        {
            return Ok(Scope::All);
        }
        let scope = match name.to_lowercase().as_str() {
            "title" => Scope::Title,
            "body" | "text" => Scope::Body,
            _ => {
                return Err(Self::err(
                    i,
                    format!("unknown field `{name}:` (fields are title: and body:; put the words in quotes to search them as text)"),
                ))
            }
        };
        self.i = colon + 1;
        Ok(scope)
    }

    /// Reads a phrase, a prefix or a word; `None` when there is nothing to search in it
    /// (empty quotes, punctuation) or it was an operator (`AND`, `OR`).
    fn item(&mut self, start: usize, scope: Scope, negated: bool) -> Result<Option<Item>, QueryError> {
        if self.chars[self.i] == '"' {
            return self.phrase();
        }
        let end = self.word_end(self.i);
        let word: String = self.chars[self.i..end].iter().collect();
        self.i = end;
        if scope == Scope::All && !negated && (word == "OR" || word == "AND") {
            self.operator(&word, start)?;
            return Ok(None);
        }
        if let Some(stem) = word.strip_suffix('*') {
            let stem = stem.trim_end_matches('*');
            if stem.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
                return Err(Self::err(
                    start,
                    format!("prefix `{word}` is too short: give at least two letters before *"),
                ));
            }
            return Ok(Some(Item::Prefix(stem.to_string())));
        }
        Ok(word.chars().any(char::is_alphanumeric).then_some(Item::Word(word)))
    }

    /// Reads a quoted phrase.
    fn phrase(&mut self) -> Result<Option<Item>, QueryError> {
        let open = self.i;
        let close = (open + 1..self.chars.len())
            .find(|&j| self.chars[j] == '"')
            .ok_or_else(|| Self::err(open, "unterminated quote: add the closing \""))?;
        let phrase: String = self.chars[open + 1..close].iter().collect();
        self.i = close + 1;
        Ok(phrase
            .chars()
            .any(char::is_alphanumeric)
            .then_some(Item::Phrase(phrase)))
    }

    /// Notes an `AND` (the default, only marks the query as using operators) or an `OR`
    /// (joins the next term to the group before it).
    fn operator(&mut self, word: &str, start: usize) -> Result<(), QueryError> {
        self.parsed.operators = true;
        if word == "OR" {
            if !self.last_was_positive || self.pending_or.is_some() {
                return Err(Self::err(start, "OR needs a search term before it"));
            }
            self.pending_or = Some(start);
        }
        Ok(())
    }

    /// Puts a clause where it belongs: excluded, joined by `OR` to the group before it, or a
    /// group of its own.
    fn place(&mut self, clause: Clause, negated: bool) -> Result<(), QueryError> {
        if negated {
            if let Some(col) = self.pending_or {
                return Err(Self::err(col, "OR cannot join an excluded term"));
            }
            self.parsed.excluded.push(clause);
            self.last_was_positive = false;
        } else if self.pending_or.take().is_some() {
            let group = self.parsed.groups.last_mut().expect("OR follows a positive term");
            group.push(clause);
            self.last_was_positive = true;
        } else {
            self.parsed.groups.push(vec![clause]);
            self.last_was_positive = true;
        }
        Ok(())
    }

    /// Checks the whole query: no dangling `OR`, not too many terms, something to search.
    fn finish(mut self, query: &str) -> Result<ParsedQuery, QueryError> {
        if let Some(col) = self.pending_or {
            return Err(Self::err(col, "OR needs a search term after it"));
        }
        self.parsed.dedup();
        let count = self.parsed.clause_count();
        if count > MAX_CLAUSES {
            return Err(Self::err(
                0,
                format!("the query has {count} different terms; at most {MAX_CLAUSES} are searched at once"),
            ));
        }
        if self.parsed.is_empty() && !query.trim().is_empty() {
            // Searching for nothing would list every article, as if the words had matched.
            return Err(Self::err(
                0,
                "nothing to search for: the query has no word (punctuation, empty quotes and AND alone are not searched); leave the query out to list every article",
            ));
        }
        Ok(self.parsed)
    }
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
