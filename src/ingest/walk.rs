//! Walking the roots the user names: which files are articles, and their stable ids.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use walkdir::WalkDir;

use super::Format;

/// An article file found under a root.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Absolute, canonical path: the key that ties index entries to the file.
    pub path: PathBuf,
    /// Path relative to the indexed root, with `/` separators: the base of article ids.
    pub id_base: String,
    pub format: Format,
    pub gz: bool,
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
}

/// What the walk reports.
#[derive(Debug)]
pub enum WalkEvent {
    File(SourceFile),
    /// A file that is not an article (by its extension).
    NotArticle(PathBuf),
    /// A path that could not be walked or read (permissions, symlink loop, vanished file).
    Problem(PathBuf, String),
    /// Something to tell about a file that is still read (a file name that is not UTF-8).
    Note(PathBuf, String),
}

/// Walks `root` (a directory, recursively, following symlinks; or a single file), skipping
/// hidden entries and the directory `exclude` (the index itself), and reports each entry.
/// `root` must be canonical.
pub fn walk(root: &Path, exclude: Option<&Path>, mut on_event: impl FnMut(WalkEvent)) {
    let single_file = root.is_file();
    let walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_name().to_str().is_some_and(|n| n.starts_with('.'))
                    || exclude.is_some_and(|x| e.path() == x))
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err.path().map(Path::to_path_buf).unwrap_or_else(|| root.to_path_buf());
                let why = if err.loop_ancestor().is_some() {
                    "symlink loop".to_string()
                } else {
                    err.io_error().map_or_else(|| err.to_string(), |io| io.to_string())
                };
                on_event(WalkEvent::Problem(path, why));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let Some((format, gz)) = Format::of(path) else {
            on_event(WalkEvent::NotArticle(path.to_path_buf()));
            continue;
        };
        let meta = match entry.metadata() {
            Ok(m) => m,
            Err(e) => {
                on_event(WalkEvent::Problem(path.to_path_buf(), e.to_string()));
                continue;
            }
        };
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i64);
        let id_base = if single_file {
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        } else {
            let rel = path.strip_prefix(root).unwrap_or(path);
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        };
        if path.to_str().is_none() {
            on_event(WalkEvent::Note(
                path.to_path_buf(),
                "file name is not valid UTF-8: its id shows U+FFFD for the bad bytes".to_string(),
            ));
        }
        on_event(WalkEvent::File(SourceFile {
            path: path.to_path_buf(),
            id_base,
            format,
            gz,
            size: meta.len(),
            mtime_ns,
        }));
    }
}
