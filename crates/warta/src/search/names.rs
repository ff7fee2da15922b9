//! Names in any spelling: the words a person, organization or place filter is matched by.
//!
//! A name's words are folded as [`normalize_phrase`] folds them (case, accents, punctuation),
//! then to one spelling of Indonesian names, old (before 1972) or new ([`spelling_key`]). The
//! index holds, per entity kind, the folded words of every canonical name and of every form an
//! article wrote it in, each joined to the canonical name ([`key_term`]): a typed word finds
//! the names it belongs to by a range of the term dictionary, however many names there are.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use crate::extract::gazetteer::{entity_table, Entry, Kind};
use crate::extract::tokens::normalize_phrase;

/// Separates a word from the canonical name in a [`key_term`].
pub const KEY_SEPARATOR: char = '\u{1f}';

/// One spelling for a folded (lower-case ASCII) word of a name, old Indonesian spelling or new,
/// applied in this order: `oe` before a consonant → `u` (Soeharto, Suharto → suharto); `dj` →
/// `j` (Djakarta → jakarta); `tj` → `c` (Tjahjo → cahjo); `kh` → `ch` (Khairul, Chairul →
/// chairul); `y` → `j` (Cahyo → cahjo, Syahrir, Sjahrir → sjahrir, Nyoto, Njoto → njoto). New
/// `y` is folded to old `j`, not the other way: old `j` and new `j` (from `dj`) cannot be told
/// apart, new `y` can. Words typed and words indexed are folded alike, so the key is never
/// shown.
pub fn spelling_key(word: &str) -> String {
    let b = word.as_bytes();
    let mut out = String::with_capacity(word.len());
    let mut i = 0;
    while i < b.len() {
        let next = b.get(i + 1).copied();
        let after = b.get(i + 2).copied();
        match (b[i], next) {
            (b'o', Some(b'e')) if after.is_some_and(is_consonant) => {
                out.push('u');
                i += 2;
            }
            (b'd', Some(b'j')) => {
                out.push('j');
                i += 2;
            }
            (b't', Some(b'j')) => {
                out.push('c');
                i += 2;
            }
            (b'k', Some(b'h')) => {
                out.push_str("ch");
                i += 2;
            }
            (b'y', _) => {
                out.push('j');
                i += 1;
            }
            _ => {
                let c = word[i..].chars().next().expect("in bounds");
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    out
}

fn is_consonant(b: u8) -> bool {
    b.is_ascii_lowercase() && !matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// The distinct spelling-folded words of a name.
pub fn name_words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in normalize_phrase(name).split(' ').filter(|w| !w.is_empty()) {
        let k = spelling_key(w);
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// The whole name spelling-folded: its words joined by single spaces.
pub fn name_key(name: &str) -> String {
    normalize_phrase(name)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(spelling_key)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The indexed term saying that `word` (a [`name_words`] word) belongs to the entity `value`.
pub fn key_term(word: &str, value: &str) -> String {
    format!("{word}{KEY_SEPARATOR}{value}")
}

/// The index terms of one entity: each word of its canonical name and of its forms, once.
pub fn entity_key_terms<'a>(value: &str, forms: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut words = name_words(value);
    for f in forms {
        for w in name_words(f) {
            if !words.contains(&w) {
                words.push(w);
            }
        }
    }
    words.iter().map(|w| key_term(w, value)).collect()
}

/// The known names of one entity kind, by [`name_key`] of every alias: what filters resolve
/// a typed name with before looking at the index. Built from that kind's list alone, once per
/// process.
pub struct NameTable {
    /// Every entity of the kind, in list order.
    pub entries: Vec<Entry>,
    /// Spelling-folded alias → entries, in list order.
    by_alias: std::collections::HashMap<String, Vec<u32>>,
    /// Lower-cased ISO code → entry (countries).
    codes: std::collections::HashMap<String, u32>,
}

impl NameTable {
    /// The table of `kind`, built on first use.
    pub fn get(kind: Kind) -> &'static NameTable {
        static TABLES: [OnceLock<NameTable>; 4] = [const { OnceLock::new() }; 4];
        let slot = match kind {
            Kind::Country => 0,
            Kind::Org => 1,
            Kind::Place => 2,
            Kind::Person => 3,
        };
        TABLES[slot].get_or_init(|| NameTable::build(kind))
    }

    fn build(kind: Kind) -> NameTable {
        let mut t = NameTable {
            entries: Vec::new(),
            by_alias: Default::default(),
            codes: Default::default(),
        };
        for (entry, aliases) in entity_table(kind) {
            let id = t.entries.len() as u32;
            if kind == Kind::Country {
                t.codes.insert(entry.value.to_lowercase(), id);
            }
            for alias in aliases {
                let key = name_key(&alias);
                if key.is_empty() {
                    continue;
                }
                let ids = t.by_alias.entry(key).or_default();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            t.entries.push(entry);
        }
        t
    }

    /// The entries a typed name is an alias (or, for countries, the ISO code) of, in any
    /// spelling.
    pub fn lookup(&self, name: &str) -> Vec<&Entry> {
        let mut out: Vec<&Entry> = Vec::new();
        let code = self.codes.get(&name.trim().to_lowercase());
        let aliased = self.by_alias.get(&name_key(name)).into_iter().flatten();
        for &id in code.into_iter().chain(aliased) {
            let e = &self.entries[id as usize];
            if !out.iter().any(|o| o.value == e.value) {
                out.push(e);
            }
        }
        out
    }

    /// Every (spelling-folded alias, entry) pair.
    pub fn aliases(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.by_alias
            .iter()
            .flat_map(move |(a, ids)| ids.iter().map(move |&id| (a.as_str(), &self.entries[id as usize])))
    }
}

/// The canonical values named in a set of [`key_term`]s, for the words that map to them.
pub fn values_of_terms<'a>(terms: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    terms
        .into_iter()
        .filter_map(|t| t.split_once(KEY_SEPARATOR).map(|(_, v)| v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_and_new_indonesian_spellings_fold_together() {
        for (old, new) in [
            ("Soebroto", "Subroto"),
            ("Soeharto", "Suharto"),
            ("Djakarta", "Jakarta"),
            ("Tjahjo", "Cahyo"),
            ("Sjahrir", "Syahrir"),
            ("Njoto", "Nyoto"),
            ("Chairul", "Khairul"),
            ("Jogjakarta", "Yogyakarta"),
        ] {
            assert_eq!(name_key(old), name_key(new), "{old} / {new}");
        }
        // `oe` is folded only before a consonant: "Joe" keeps its vowel pair.
        assert_eq!(name_key("Joe Biden"), "joe biden");
        assert_ne!(name_key("Joe"), name_key("Ju"));
        // Different names stay apart.
        assert_ne!(name_key("Suharto"), name_key("Subroto"));
        assert_eq!(name_key("Zelenskyy"), "zelenskjj");
    }

    #[test]
    fn key_terms_name_every_word_of_the_name_and_its_forms() {
        let forms = vec!["Volodymyr Zelensky".to_string(), "Zelenskyy".to_string()];
        let terms = entity_key_terms("Volodymyr Zelenskyy", &forms);
        let words: Vec<&str> = terms.iter().map(|t| t.split(KEY_SEPARATOR).next().unwrap()).collect();
        assert_eq!(words, ["volodjmjr", "zelenskjj", "zelenskj"]);
        assert_eq!(
            values_of_terms(terms.iter().map(String::as_str))
                .into_iter()
                .collect::<Vec<_>>(),
            ["Volodymyr Zelenskyy"]
        );
    }

    #[test]
    fn name_tables_find_aliases_in_any_spelling() {
        let places = NameTable::get(Kind::Place);
        let jakarta: Vec<&str> = places.lookup("Djakarta").iter().map(|e| e.value.as_str()).collect();
        assert_eq!(jakarta, ["Jakarta"]);
        assert_eq!(places.lookup("JAKARTA")[0].value, "Jakarta");
        let countries = NameTable::get(Kind::Country);
        assert_eq!(countries.lookup("kp")[0].value, "KP");
        assert_eq!(countries.lookup("Korea Utara")[0].value, "KP");
    }
}
