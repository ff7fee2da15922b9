//! Damaged index files: an error that says so, never a crash.
//!
//! warta's stem table carries a checksum, checked whenever it is read (see [`super::stems`]):
//! searches on a damaged table fail with [`Damaged`], and the next `warta index` rebuilds it.
//! tantivy's segment files carry a CRC in their footer, which tantivy checks only on request,
//! and some damage (a flipped byte, a truncated file) makes its readers panic. [`guard`] runs a
//! read of the index with such a panic caught; the segment files are then checked against
//! their CRCs, and what fails is reported as [`IndexError::Damaged`], which says to rebuild
//! the index.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use tantivy::{Index, TantivyError};

use super::IndexError;

/// Damage found in the files of an index: which files, and how.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the index is damaged ({0}): rebuild it with `warta index --rebuild`")]
pub struct Damaged(pub String);

/// Carried through tantivy's results (a collector's, a searcher's) as an I/O error, which
/// [`damage_in`] finds again.
impl From<Damaged> for TantivyError {
    fn from(damage: Damaged) -> TantivyError {
        TantivyError::from(std::io::Error::other(damage))
    }
}

/// The damage `err` reports, itself or through the errors it wraps (tantivy's I/O errors
/// included), if it reports any.
pub fn damage_in<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a Damaged> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(d) = e.downcast_ref::<Damaged>() {
            return Some(d);
        }
        let io = match e.downcast_ref::<TantivyError>() {
            Some(TantivyError::IoError(io)) => Some(&**io),
            _ => e.downcast_ref::<std::io::Error>(),
        };
        if let Some(d) = io
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<Damaged>())
        {
            return Some(d);
        }
        next = e.source();
    }
    None
}

thread_local! {
    /// Guards running on this thread: a panic inside one is reported by the guard, not by
    /// the panic hook.
    static GUARDED: Cell<usize> = const { Cell::new(0) };
}

/// Runs `read`, a read of the index `index` in `dir`, with a panic inside it caught and
/// turned into an error: [`IndexError::Damaged`] naming the files that fail their checksums,
/// or [`IndexError::Internal`] when every file passes (then the panic is a bug).
pub fn guard<T>(index: &Index, dir: &Path, read: impl FnOnce() -> T) -> Result<T, IndexError> {
    quiet_panics_in_guards();
    GUARDED.with(|g| g.set(g.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(read));
    GUARDED.with(|g| g.set(g.get() - 1));
    result.map_err(|panic| match check_files(index, dir) {
        Some(damage) => IndexError::Damaged(damage),
        None => IndexError::Internal(panic_message(panic.as_ref())),
    })
}

/// [`guard`] for a read that returns a result: when it fails with an error from tantivy, the
/// files are checked too, and the damage found is returned instead of the error (which may
/// only say that a file ended early).
pub fn guard_result<T, E>(
    index: &Index,
    dir: &Path,
    read: impl FnOnce() -> Result<T, E>,
) -> Result<Result<T, E>, IndexError>
where
    E: std::error::Error + 'static,
{
    let result = guard(index, dir, read)?;
    if let Err(e) = &result {
        if damage_in(e).is_none() && from_tantivy(e) {
            if let Some(damage) = check_files(index, dir) {
                return Err(IndexError::Damaged(damage));
            }
        }
    }
    Ok(result)
}

/// Whether `err` is or wraps an error from tantivy.
fn from_tantivy(err: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(Some(err), |e| e.source()).any(|e| e.is::<TantivyError>())
}

/// Checks a string column's dictionary size before a table indexed by its ordinals is
/// allocated: every term of a sound dictionary is the value of some document (a merge keeps
/// only those of live documents), so more terms than values is a damaged fast field file, whose
/// table could ask for terabytes (an abort, which no guard catches).
pub fn check_dictionary(column: &tantivy::columnar::StrColumn, field: &str) -> Result<(), Damaged> {
    let values = column.ords().values.num_vals();
    if column.num_terms() as u64 > u64::from(values) {
        return Err(Damaged(format!(
            "the fast field {field} has {} terms for {values} values",
            column.num_terms()
        )));
    }
    Ok(())
}

/// Installs (once) a panic hook that stays silent for panics inside a [`guard`], which reports
/// them itself, and passes every other panic to the hook it replaces.
fn quiet_panics_in_guards() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDED.with(Cell::get) == 0 {
                previous(info);
            }
        }));
    });
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown failure".to_string())
}

/// The damage in the index's files: the stem table, `meta.json`, and every file of the
/// committed segments checked against the CRC in its footer. `None` when all are sound.
pub fn check_files(index: &Index, dir: &Path) -> Option<Damaged> {
    if let Some(damage) = super::stems::StemTable::load(dir).damage() {
        return Some(Damaged(damage.to_string()));
    }
    let segments: Vec<String> = match index.searchable_segment_ids() {
        Ok(ids) => ids.iter().map(|id| id.uuid_string()).collect(),
        Err(e) => return Some(Damaged(format!("meta.json cannot be read: {}", short(&e)))),
    };
    let mut bad: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| segments.iter().any(|s| name.starts_with(s.as_str())))
        .filter(|name| !matches!(index.directory().validate_checksum(Path::new(name)), Ok(true)))
        .collect();
    if bad.is_empty() {
        return None;
    }
    bad.sort();
    let verb = if bad.len() == 1 { "fails its" } else { "fail their" };
    Some(Damaged(format!("{} {verb} checksum", bad.join(", "))))
}

/// The first line of a tantivy error, at most 200 bytes: some quote a whole file.
fn short(e: &TantivyError) -> String {
    let text = e.to_string();
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    }
}
