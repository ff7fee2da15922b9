//! Stories: the articles whose texts are nearly the same (see [`super::signature`]) grouped
//! into one story, so that searches can show a wire story republished by ten outlets once.
//!
//! Two articles are copies when they share a band of their signatures and their signatures
//! estimate a Jaccard similarity of at least [`super::signature::THRESHOLD`]. A story is a
//! connected component of that relation: when A is a copy of B and B of C, A, B and C are one
//! story even if A and C are further apart (an article updated twice stays with its first
//! version). Its members are ordered earliest first (by date, undated last, then by id) and
//! the story's id is its first member's id. Being a function of the index's articles alone,
//! the stories are the same however the index came to hold them.
//!
//! `stories.json` in the index directory holds every story of two articles or more (an
//! article in none is a story of its own), with the tantivy commit they describe; the file
//! starts with a line carrying an xxh3 checksum of the rest. This module reads and writes
//! it; `update` (in `group`) recomputes, after each indexing run, only the stories the run
//! may have changed: starting from the articles of the files it added, changed or deleted,
//! and every member of the stories they were in, it follows copies by looking their bands up
//! in the band tables (see `index::bands`; never a scan of the archive) and replaces the
//! stories it reaches. When the table is missing, damaged, or describes another commit than
//! the one the run started from (a run killed after a commit), it is rebuilt from every
//! signature in the index. Searches made while a run commits on its way see the stories of
//! the last finished run.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::DocAddress;
use xxhash_rust::xxh3::xxh3_64;

mod group;

pub(crate) use group::{first_str, update};

/// The table's file in the index directory: [`HEADER`], a space, the xxh3 checksum of the
/// rest in 16 hex digits, a newline, then the table as JSON.
pub const STORIES_FILE: &str = "stories.json";
const HEADER: &str = "#warta stories 1";

/// An article of a story, as the table records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The article's file (the index's key of it).
    pub file: String,
    /// The article's id.
    pub id: String,
    /// Its publisher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Its publication date, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<i64>,
}

impl Member {
    /// The order of a story's members: earliest first, undated last, then by id and file.
    fn order_key(&self) -> (bool, i64, &str, &str) {
        (self.date.is_none(), self.date.unwrap_or(0), &self.id, &self.file)
    }
}

/// The table as written.
#[derive(Debug, Default, Serialize)]
struct Saved {
    /// The tantivy commit (opstamp) the stories describe.
    opstamp: u64,
    /// Every story of two articles or more, its members earliest first.
    stories: Vec<Vec<Member>>,
}

/// The table as read: its strings borrowed from the file's bytes where they can be.
#[derive(Deserialize)]
struct SavedIn<'a> {
    opstamp: u64,
    #[serde(borrow)]
    stories: Vec<Vec<MemberIn<'a>>>,
}

/// A member as read.
#[derive(Deserialize)]
struct MemberIn<'a> {
    #[serde(borrow)]
    file: Cow<'a, str>,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(default, borrow)]
    source: Option<Cow<'a, str>>,
    #[serde(default)]
    date: Option<i64>,
}

/// A member of a story, as searches read it from the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberRef<'a> {
    /// The article's file (the index's key of it).
    pub file: &'a str,
    /// The article's id.
    pub id: &'a str,
    /// Its publisher.
    pub source: Option<&'a str>,
    /// Its publication date, Unix seconds.
    pub date: Option<i64>,
}

impl MemberRef<'_> {
    fn to_member(self) -> Member {
        Member {
            file: self.file.to_string(),
            id: self.id.to_string(),
            source: self.source.map(str::to_string),
            date: self.date,
        }
    }
}

/// A member in [`Stories`]: where its strings are in the table's text, and its story.
#[derive(Debug)]
struct Packed {
    file: (u32, u32),
    id: (u32, u32),
    source: Option<(u32, u32)>,
    date: Option<i64>,
    story: u32,
}

/// One story of the table.
#[derive(Debug, Clone, Copy)]
pub struct Story<'a> {
    table: &'a Stories,
    first: usize,
    end: usize,
}

impl<'a> Story<'a> {
    /// Its members, earliest first.
    pub fn members(self) -> impl ExactSizeIterator<Item = MemberRef<'a>> + 'a {
        (self.first..self.end).map(move |i| self.table.member(i))
    }

    /// How many articles it has (two or more).
    #[allow(clippy::len_without_is_empty)]
    pub fn len(self) -> usize {
        self.end - self.first
    }

    /// Its first (earliest) member, whose id is the story's.
    pub fn first(self) -> MemberRef<'a> {
        self.table.member(self.first)
    }
}

/// The stories of an index, as searches read them: every member's strings in one buffer and
/// found by a hash of its file and id, so that a table of many copies loads quickly.
#[derive(Debug, Default)]
pub struct Stories {
    opstamp: u64,
    /// The members' strings.
    text: String,
    /// Every member, story after story.
    members: Vec<Packed>,
    /// Where each story's members start in `members`, and their end.
    starts: Vec<u32>,
    /// The file was there and sound.
    present: bool,
    /// What is wrong with the file, when it is damaged.
    damage: Option<String>,
    /// A hash of (file, id) → the member.
    by_key: rustc_hash::FxHashMap<u64, u32>,
    /// (file, id) → the member, for the members whose hash another member had.
    collided: HashMap<(String, String), u32>,
    /// The members' documents in the last searcher generation asked for (by the search's
    /// collapsing, which fills it).
    lookups: MembersCache,
}

/// What a searcher generation knows of the members' documents (see the search's
/// collapsing): how many ranked articles it looked up one by one so far, or every member's
/// document, document → (story, place in it).
pub type MembersCache = std::sync::Mutex<Option<(u64, MemberLookups)>>;

/// How the members of stories are found in one searcher generation.
#[derive(Debug, Clone)]
pub enum MemberLookups {
    /// Ranked articles are looked up by file and id; this many were so far.
    OneByOne(usize),
    /// Every member's document is known.
    All(std::sync::Arc<rustc_hash::FxHashMap<DocAddress, (usize, usize)>>),
}

/// The hash a member is found by.
fn key(file: &str, id: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(id.as_bytes(), xxh3_64(file.as_bytes()))
}

impl Stories {
    /// The table in `dir`: empty when there is none, empty with [`damage`](Stories::damage)
    /// set when it cannot be read or fails its checksum.
    pub fn load(dir: &Path) -> Stories {
        let bytes = match std::fs::read(dir.join(STORIES_FILE)) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Stories::default(),
            Err(e) => return Stories::damaged(format!("{STORIES_FILE} cannot be read: {e}")),
            Ok(bytes) => bytes,
        };
        match parse(&bytes) {
            Ok(saved) => Stories::packed(saved),
            Err(why) => Stories::damaged(format!("{STORIES_FILE} {why}")),
        }
    }

    fn damaged(why: String) -> Stories {
        Stories {
            damage: Some(why),
            ..Stories::default()
        }
    }

    /// The table of what was read, its strings copied into one buffer.
    fn packed(saved: SavedIn) -> Stories {
        let mut t = Stories {
            opstamp: saved.opstamp,
            present: true,
            ..Stories::default()
        };
        let span = |text: &mut String, s: &str| {
            let at = text.len() as u32;
            text.push_str(s);
            (at, s.len() as u32)
        };
        for (story, members) in saved.stories.into_iter().enumerate() {
            t.starts.push(t.members.len() as u32);
            for m in members {
                let file = span(&mut t.text, &m.file);
                let id = span(&mut t.text, &m.id);
                let source = m.source.as_deref().map(|s| span(&mut t.text, s));
                let at = t.members.len() as u32;
                if let Some(other) = t.by_key.insert(key(&m.file, &m.id), at) {
                    // Two members with one hash: both kept by their strings instead.
                    t.by_key.insert(key(&m.file, &m.id), other);
                    t.collided.insert((m.file.to_string(), m.id.to_string()), at);
                }
                t.members.push(Packed {
                    file,
                    id,
                    source,
                    date: m.date,
                    story: story as u32,
                });
            }
        }
        t.starts.push(t.members.len() as u32);
        t
    }

    fn member(&self, i: usize) -> MemberRef<'_> {
        let m = &self.members[i];
        let text = |(at, len): (u32, u32)| &self.text[at as usize..(at + len) as usize];
        MemberRef {
            file: text(m.file),
            id: text(m.id),
            source: m.source.map(text),
            date: m.date,
        }
    }

    /// What is wrong with the table's file, when it is damaged (searches then show every
    /// copy, and the next indexing run rebuilds it).
    pub fn damage(&self) -> Option<&str> {
        self.damage.as_deref()
    }

    /// The member that is the article `id` of `file`.
    fn find(&self, file: &str, id: &str) -> Option<usize> {
        let is = |i: u32| {
            let m = self.member(i as usize);
            (m.file == file && m.id == id).then_some(i as usize)
        };
        if let Some(i) = self.by_key.get(&key(file, id)).and_then(|&i| is(i)) {
            return Some(i);
        }
        if self.collided.is_empty() {
            return None;
        }
        self.collided
            .get(&(file.to_string(), id.to_string()))
            .map(|&i| i as usize)
    }

    /// The story of the article `id` of `file`, when it has copies.
    pub fn story_of(&self, file: &str, id: &str) -> Option<Story<'_>> {
        self.story_index(file, id).map(|i| self.story(i))
    }

    /// Where the story of the article `id` of `file` is among [`stories`](Stories::stories).
    pub fn story_index(&self, file: &str, id: &str) -> Option<usize> {
        self.find(file, id).map(|i| self.members[i].story as usize)
    }

    /// The story at `i` among [`stories`](Stories::stories).
    pub fn story(&self, i: usize) -> Story<'_> {
        Story {
            table: self,
            first: self.starts[i] as usize,
            end: self.starts[i + 1] as usize,
        }
    }

    /// The cache of the members' documents, for the search that collapses copies.
    pub fn members_cache(&self) -> &MembersCache {
        &self.lookups
    }

    /// Every story of two articles or more, ordered by their first members.
    pub fn stories(&self) -> impl ExactSizeIterator<Item = Story<'_>> + '_ {
        (0..self.len()).map(|i| self.story(i))
    }

    /// How many stories have two articles or more.
    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Whether no article has a copy.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many articles are members of stories.
    pub fn members(&self) -> usize {
        self.members.len()
    }

    /// Articles that are copies: in each story, every article after its first.
    pub fn copies(&self) -> u64 {
        (self.members.len() - self.len()) as u64
    }

    /// The stories as owned members, for a run to recompute.
    fn owned(&self) -> Vec<Vec<Member>> {
        self.stories()
            .map(|story| story.members().map(MemberRef::to_member).collect())
            .collect()
    }
}

/// The table of a file's bytes, or what is wrong with them.
fn parse(bytes: &[u8]) -> Result<SavedIn<'_>, String> {
    serde_json::from_slice(checked_body(bytes)?).map_err(|e| format!("cannot be read: {e}"))
}

/// The JSON of a table file's bytes, when its header is sound and its checksum holds.
fn checked_body(bytes: &[u8]) -> Result<&[u8], String> {
    let prefix = HEADER.len() + 1;
    let header = prefix + 17;
    if bytes.get(..prefix) != Some(format!("{HEADER} ").as_bytes()) || bytes.get(header - 1) != Some(&b'\n') {
        return Err("is not a story table".to_string());
    }
    let sum = std::str::from_utf8(&bytes[prefix..header - 1])
        .ok()
        .and_then(|s| u64::from_str_radix(s, 16).ok())
        .ok_or("is not a story table")?;
    if xxh3_64(&bytes[header..]) != sum {
        return Err("fails its checksum".to_string());
    }
    Ok(&bytes[header..])
}

/// The commit the table in `dir` describes, when it is there and sound (read without
/// building the table).
fn saved_opstamp(dir: &Path) -> Option<u64> {
    #[derive(Deserialize)]
    struct Stamp {
        opstamp: u64,
    }
    let bytes = std::fs::read(dir.join(STORIES_FILE)).ok()?;
    let stamp: Stamp = serde_json::from_slice(checked_body(&bytes).ok()?).ok()?;
    Some(stamp.opstamp)
}

/// Writes the table atomically: a new file renamed into place.
fn save(dir: &Path, saved: &Saved) -> std::io::Result<()> {
    let json = serde_json::to_vec(saved).expect("the story table serializes");
    let tmp = dir.join(format!("{STORIES_FILE}.tmp"));
    let mut file = std::fs::File::create(&tmp)?;
    writeln!(file, "{HEADER} {:016x}", xxh3_64(&json))?;
    file.write_all(&json)?;
    file.sync_all()?;
    std::fs::rename(&tmp, dir.join(STORIES_FILE))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(file: &str, id: &str, source: Option<&str>, date: Option<i64>) -> Member {
        Member {
            file: file.to_string(),
            id: id.to_string(),
            source: source.map(str::to_string),
            date,
        }
    }

    /// A table saved and loaded again: the same stories, members found by file and id
    /// (strings with escapes included), others not.
    #[test]
    fn a_saved_table_loads_with_its_members_found_by_file_and_id() {
        let dir = tempfile::tempdir().unwrap();
        let stories = vec![
            vec![
                member("a.jsonl", "a#1", Some("Antara"), Some(10)),
                member("b \"quoted\"\\path.txt", "b", None, Some(20)),
            ],
            vec![
                member("c.txt", "c", Some("Kompas\nDaily"), None),
                member("d.txt", "d", None, None),
            ],
        ];
        save(
            dir.path(),
            &Saved {
                opstamp: 7,
                stories: stories.clone(),
            },
        )
        .unwrap();
        let t = Stories::load(dir.path());
        assert_eq!(
            (t.damage(), t.opstamp, t.len(), t.members(), t.copies()),
            (None, 7, 2, 4, 2)
        );
        assert_eq!(t.owned(), stories);
        assert_eq!(t.story_index("b \"quoted\"\\path.txt", "b"), Some(0));
        assert_eq!(
            t.story_of("c.txt", "c").map(|s| s.first().source),
            Some(Some("Kompas\nDaily"))
        );
        assert_eq!(t.story_index("d.txt", "d"), Some(1));
        assert_eq!(t.story_index("a.jsonl", "a#2"), None);
        assert_eq!(t.story_index("d.txt", "c"), None);
    }

    /// Two members whose hashes collide are both found, by their strings.
    #[test]
    fn members_with_one_hash_are_both_found() {
        let stories = [
            vec![member("a", "a", None, None), member("b", "b", None, None)],
            vec![member("c", "c", None, None), member("d", "d", None, None)],
        ];
        let json = serde_json::to_vec(&Saved {
            opstamp: 1,
            stories: stories.to_vec(),
        })
        .unwrap();
        let mut t = Stories::packed(serde_json::from_slice(&json).unwrap());
        // As if "d" hashed like "a": "a" keeps the hash, "d" is kept by its strings.
        t.by_key.insert(key("d", "d"), 0);
        t.collided.insert(("d".to_string(), "d".to_string()), 3);
        assert_eq!(t.story_index("a", "a"), Some(0));
        assert_eq!(t.story_index("d", "d"), Some(1));
        assert_eq!(t.story_index("e", "e"), None);
    }
}
