//! The user's query language, parsed with positions so errors can point at the problem.
//!
//! Words are ANDed; `"exact phrase"`; `a OR b`; `-excluded` (also `-"phrase"`); `title:word`,
//! `body:"a phrase"`; `prefix*`. `AND` and a leading `+` are accepted and mean the default.

use std::fmt;

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
/// and no excluded clause may.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub groups: Vec<Vec<Clause>>,
    pub excluded: Vec<Clause>,
}

impl ParsedQuery {
    /// True when the query names no term at all (it then matches every article).
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.excluded.is_empty()
    }
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
            if phrase.trim().is_empty() {
                continue;
            }
            Item::Phrase(phrase)
        } else {
            let end = (i..chars.len())
                .find(|&j| chars[j].is_whitespace() || chars[j] == '"')
                .unwrap_or(chars.len());
            let word: String = chars[i..end].iter().collect();
            i = end;
            if scope == Scope::All && !negated && (word == "OR" || word == "AND") {
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
    fn odd_input_never_fails_silently() {
        assert!(parse("").unwrap().is_empty());
        assert!(parse("  - + !!! ").unwrap().is_empty());
        assert_eq!(parse("10:15").unwrap().groups.len(), 1);
        assert_eq!(parse("AND").unwrap().groups.len(), 0);
    }
}
