//! The band table: beside each tantivy segment, its articles' signature bands (see
//! [`super::signature`]) sorted, so that the articles sharing a band with a given signature
//! are found by binary search, without a scan of the archive and without a term per article
//! and band in tantivy's index (sixteen nearly unique terms an article made tantivy's term
//! dictionary, and the memory an indexing run takes, much larger).
//!
//! `bands/<segment id>.bands` in the index directory holds one segment's table: [`MAGIC`],
//! the number `n` of its signed documents (u32, little-endian), four zero bytes, the xxh3
//! checksum of the rest (u64), then for each of the [`BANDS`] bands `n` entries (band value
//! u32, document u32), sorted. A segment never changes once written, so its table never does
//! either: a segment's deleted documents stay in it and are dropped at lookup. [`sync`]
//! writes the tables of new segments (those of a run, and those tantivy merged), writes
//! again a table that is cut short or fails its checksum, and deletes those of segments
//! gone; lookups read the tables through memory maps.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use tantivy::directory::{Directory, MmapDirectory, OwnedBytes};
use tantivy::{DocId, Searcher, SegmentReader};
use xxhash_rust::xxh3::xxh3_64;

use super::signature::{self, Signature, BANDS};
use super::Fields;

/// The tables' directory inside the index directory.
pub const BANDS_DIR: &str = "bands";
/// The first bytes of a table file.
const MAGIC: &[u8; 8] = b"WBANDS01";
const HEADER_BYTES: usize = MAGIC.len() + 16;
const CHECKSUM_AT: usize = MAGIC.len() + 8;
const ENTRY_BYTES: usize = 8;

/// Writes the table of every segment of `searcher` that has none, and deletes the tables of
/// segments it no longer has.
pub(crate) fn sync(dir: &Path, searcher: &Searcher) -> std::io::Result<()> {
    let bands = dir.join(BANDS_DIR);
    std::fs::create_dir_all(&bands).map_err(|e| naming(&bands, e))?;
    let mut live = HashSet::new();
    for seg in searcher.segment_readers() {
        let path = table_path(&bands, seg);
        if !is_sound(&path) {
            write_table(&path, seg).map_err(|e| naming(&path, e))?;
        }
        live.insert(path);
    }
    for entry in std::fs::read_dir(&bands).map_err(|e| naming(&bands, e))? {
        let path = entry?.path();
        if !live.contains(&path) {
            std::fs::remove_file(&path).map_err(|e| naming(&path, e))?;
        }
    }
    Ok(())
}

/// `e` with the path it happened on in its message.
fn naming(path: &Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// The band tables of a searcher's segments, in its segment order.
pub(crate) struct BandTables {
    tables: Vec<Table>,
}

impl BandTables {
    /// Opens the tables of `searcher`'s segments ([`sync`] must have written them).
    pub(crate) fn open(dir: &Path, searcher: &Searcher) -> tantivy::Result<BandTables> {
        let bands = dir.join(BANDS_DIR);
        let mmap = MmapDirectory::open(&bands)?;
        let tables = searcher
            .segment_readers()
            .iter()
            .map(|seg| {
                let name = table_path(Path::new(""), seg);
                let bytes = mmap.open_read(&name)?.read_bytes()?;
                Table::new(bytes, seg.max_doc()).ok_or_else(|| {
                    tantivy::TantivyError::InternalError(format!("{BANDS_DIR}/{} is not a band table", name.display()))
                })
            })
            .collect::<tantivy::Result<_>>()?;
        Ok(BandTables { tables })
    }

    /// The documents of the segment `segment_ord` that share a band with `sig` (deleted
    /// ones included; each once, in order).
    pub(crate) fn sharing_a_band(&self, segment_ord: usize, sig: &Signature) -> Vec<DocId> {
        let table = &self.tables[segment_ord];
        let mut docs: Vec<DocId> = (0..BANDS)
            .flat_map(|band| table.docs_with(band, signature::band_value(sig, band)))
            .collect();
        docs.sort_unstable();
        docs.dedup();
        docs
    }
}

/// One segment's table, as mapped.
struct Table {
    bytes: OwnedBytes,
    n: usize,
    /// The segment's document count: no entry names a document past it, unless damaged.
    max_doc: DocId,
}

impl Table {
    /// The table of a file's bytes, `None` when they are not one.
    fn new(bytes: OwnedBytes, max_doc: DocId) -> Option<Table> {
        let n = table_len(bytes.as_slice())?;
        Some(Table { bytes, n, max_doc })
    }

    /// The entry `i` of `band`: (band value, document).
    fn entry(&self, band: usize, i: usize) -> (u32, DocId) {
        let at = HEADER_BYTES + (band * self.n + i) * ENTRY_BYTES;
        let b = &self.bytes.as_slice()[at..at + ENTRY_BYTES];
        (
            u32::from_le_bytes(b[..4].try_into().expect("4 bytes")),
            u32::from_le_bytes(b[4..].try_into().expect("4 bytes")),
        )
    }

    /// The documents whose `band` has `value`.
    fn docs_with(&self, band: usize, value: u32) -> impl Iterator<Item = DocId> + '_ {
        let (mut lo, mut hi) = (0, self.n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.entry(band, mid).0 < value {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        (lo..self.n)
            .map(move |i| self.entry(band, i))
            .take_while(move |&(v, _)| v == value)
            .map(|(_, doc)| doc)
            .filter(|&doc| doc < self.max_doc)
    }
}

/// The number of entries per band of a table's bytes, `None` when they are not a table (a
/// wrong header, or a length that does not fit it).
fn table_len(bytes: &[u8]) -> Option<usize> {
    let n = entries_per_band(bytes.get(..HEADER_BYTES)?)?;
    (bytes.len() == table_bytes(n)).then_some(n)
}

/// The entries per band a table's header announces, `None` when it is not a table's header.
fn entries_per_band(header: &[u8]) -> Option<usize> {
    if header.get(..MAGIC.len())? != MAGIC {
        return None;
    }
    let n = header.get(MAGIC.len()..MAGIC.len() + 4)?.try_into().ok()?;
    Some(u32::from_le_bytes(n) as usize)
}

/// The length of a table of `n` entries per band.
fn table_bytes(n: usize) -> usize {
    HEADER_BYTES + BANDS * n * ENTRY_BYTES
}

/// Whether the file at `path` is a whole table that passes its checksum (a table cut short
/// by a crash or damaged on disk is written again).
fn is_sound(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|bytes| {
        table_len(&bytes).is_some() && bytes[CHECKSUM_AT..HEADER_BYTES] == xxh3_64(&bytes[HEADER_BYTES..]).to_le_bytes()
    })
}

/// The table file of a segment in `bands`.
fn table_path(bands: &Path, seg: &SegmentReader) -> PathBuf {
    bands.join(format!("{}.bands", seg.segment_id().uuid_string()))
}

/// Writes the table of `seg` at `path`, atomically (a new file renamed into place).
fn write_table(path: &Path, seg: &SegmentReader) -> std::io::Result<()> {
    let column = seg
        .fast_fields()
        .bytes(Fields::STORY_SIG)
        .map_err(std::io::Error::other)?;
    let mut signed: Vec<(DocId, [u32; BANDS])> = Vec::new();
    if let Some(column) = &column {
        for doc in 0..seg.max_doc() {
            if let Some(sig) = signature::from_column(column, doc) {
                signed.push((doc, std::array::from_fn(|band| signature::band_value(&sig, band))));
            }
        }
    }
    let n = u32::try_from(signed.len()).map_err(std::io::Error::other)?;
    let mut body: Vec<u8> = Vec::with_capacity(table_bytes(signed.len()) - HEADER_BYTES);
    let mut entries: Vec<(u32, DocId)> = Vec::with_capacity(signed.len());
    for band in 0..BANDS {
        entries.clear();
        entries.extend(signed.iter().map(|(doc, values)| (values[band], *doc)));
        entries.sort_unstable();
        for (value, doc) in &entries {
            body.extend_from_slice(&value.to_le_bytes());
            body.extend_from_slice(&doc.to_le_bytes());
        }
    }
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(MAGIC)?;
    file.write_all(&n.to_le_bytes())?;
    file.write_all(&[0; 4])?;
    file.write_all(&xxh3_64(&body).to_le_bytes())?;
    file.write_all(&body)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::{Index, IndexWriter, TantivyDocument};

    /// A signature whose band `b` is `bands[b]` (the bytes after the bands are zero).
    fn sig(bands: [u32; BANDS]) -> Signature {
        let mut s = [0u8; signature::SLOTS];
        for (b, v) in bands.iter().enumerate() {
            s[b * signature::ROWS..(b + 1) * signature::ROWS].copy_from_slice(&v.to_le_bytes());
        }
        s
    }

    /// An index in a temporary directory holding one document per signature (`None`: a
    /// document without one), committed as one segment; its searcher.
    fn index_of(dir: &Path, sigs: &[Option<Signature>]) -> Searcher {
        let mut schema = tantivy::schema::Schema::builder();
        let story_sig = schema.add_bytes_field(Fields::STORY_SIG, tantivy::schema::FAST);
        let index = Index::create_in_dir(dir, schema.build()).unwrap();
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for s in sigs {
            let mut doc = TantivyDocument::new();
            if let Some(s) = s {
                doc.add_bytes(story_sig, &s[..]);
            }
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        index.reader().unwrap().searcher()
    }

    #[test]
    fn finds_the_documents_sharing_a_band_once_each() {
        let dir = tempfile::tempdir().unwrap();
        let a = sig(std::array::from_fn(|b| b as u32));
        let shares_two = sig(std::array::from_fn(|b| {
            if b == 3 || b == 9 {
                b as u32
            } else {
                1000 + b as u32
            }
        }));
        let shares_none = sig(std::array::from_fn(|b| 2000 + b as u32));
        let searcher = index_of(dir.path(), &[Some(shares_none), None, Some(shares_two), Some(a)]);
        sync(dir.path(), &searcher).unwrap();
        let tables = BandTables::open(dir.path(), &searcher).unwrap();
        assert_eq!(tables.sharing_a_band(0, &a), [2, 3]);
        assert_eq!(tables.sharing_a_band(0, &shares_none), [0]);
        assert_eq!(tables.sharing_a_band(0, &sig([7777; BANDS])), Vec::<DocId>::new());
    }

    /// A table cut short or with a byte flipped is written again; a table of a segment the
    /// index no longer has, and a file left by an interrupted write, are deleted.
    #[test]
    fn sync_rewrites_damaged_tables_and_deletes_stale_ones() {
        let dir = tempfile::tempdir().unwrap();
        let a = sig(std::array::from_fn(|b| b as u32));
        let searcher = index_of(dir.path(), &[Some(a), Some(a)]);
        sync(dir.path(), &searcher).unwrap();
        let path = table_path(&dir.path().join(BANDS_DIR), &searcher.segment_readers()[0]);
        let good = std::fs::read(&path).unwrap();
        assert!(is_sound(&path));
        let mut flipped = good.clone();
        *flipped.last_mut().unwrap() ^= 1;
        for damaged in [flipped, good[..good.len() - 8].to_vec(), b"garbage".to_vec()] {
            std::fs::write(&path, &damaged).unwrap();
            assert!(!is_sound(&path));
            sync(dir.path(), &searcher).unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), good);
        }
        let stale = dir.path().join(BANDS_DIR).join("0123.bands");
        let tmp = dir.path().join(BANDS_DIR).join("0123.tmp");
        std::fs::write(&stale, &good).unwrap();
        std::fs::write(&tmp, b"half").unwrap();
        sync(dir.path(), &searcher).unwrap();
        assert!(!stale.exists() && !tmp.exists() && path.exists());
    }

    /// A failure names the path it happened on.
    #[test]
    fn a_failure_names_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let searcher = index_of(dir.path(), &[None]);
        std::fs::write(dir.path().join(BANDS_DIR), b"a file where the directory goes").unwrap();
        let e = sync(dir.path(), &searcher).unwrap_err().to_string();
        assert!(e.contains(&dir.path().join(BANDS_DIR).display().to_string()), "{e}");
    }
}
