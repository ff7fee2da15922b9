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
    /// An article's name on something that is not a regular file (a FIFO, socket or device):
    /// reading it could block or never end, so it is skipped. The string names its kind.
    NotRegular(PathBuf, &'static str),
    /// A path that could not be walked or read (permissions, symlink loop, vanished file).
    Problem(PathBuf, String),
    /// A symbolic link whose target (the second path) lies outside the indexed roots: not
    /// followed (see [`WalkOptions::follow_external_links`]).
    ExternalLink(PathBuf, PathBuf),
    /// Something to tell about a file that is still read (a file name that is not UTF-8).
    Note(PathBuf, String),
}

/// How to walk a root.
#[derive(Debug, Clone, Copy, Default)]
pub struct WalkOptions<'a> {
    /// A directory never walked (the index itself).
    pub exclude: Option<&'a Path>,
    /// The canonical roots of the run (none: the walked root alone). A symbolic link is
    /// followed only when its target lies under one of them, so that a link cannot bring
    /// files from elsewhere on the machine (`/etc/passwd`) into the index and its server.
    pub roots: &'a [PathBuf],
    /// Follow links whatever their target.
    pub follow_external_links: bool,
}

/// Walks `root` (a directory, recursively, following symlinks within the roots; or a single
/// file), skipping hidden entries and the directory `opts.exclude`, and reports each entry.
/// `root` must be canonical.
pub fn walk(root: &Path, opts: &WalkOptions<'_>, mut on_event: impl FnMut(WalkEvent)) {
    let single_file = root.is_file();
    let own_root = [root.to_path_buf()];
    let roots = if opts.roots.is_empty() {
        &own_root[..]
    } else {
        opts.roots
    };
    // Links the filter below refused, reported between two entries.
    let external = std::cell::RefCell::new(Vec::new());
    let walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 {
                return true;
            }
            if e.file_name().to_str().is_some_and(|n| n.starts_with('.')) || opts.exclude.is_some_and(|x| e.path() == x)
            {
                return false;
            }
            if !e.path_is_symlink() || opts.follow_external_links {
                return true;
            }
            match link_target(e.path(), roots, opts.exclude) {
                Target::Inside => true,
                Target::Excluded => false,
                Target::Outside(target) => {
                    external.borrow_mut().push((e.path().to_path_buf(), target));
                    false
                }
            }
        });
    let mut walker = walker.into_iter();
    loop {
        let next = walker.next();
        for (link, target) in external.borrow_mut().drain(..) {
            on_event(WalkEvent::ExternalLink(link, target));
        }
        let Some(entry) = next else { break };
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
        if entry.file_type().is_dir() {
            continue;
        }
        let path = entry.path();
        let Some((format, gz)) = Format::of(path) else {
            on_event(WalkEvent::NotArticle(path.to_path_buf()));
            continue;
        };
        if !entry.file_type().is_file() {
            on_event(WalkEvent::NotRegular(
                path.to_path_buf(),
                special_kind(entry.file_type()),
            ));
            continue;
        }
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

/// Where a symbolic link leads.
enum Target {
    /// Under one of the roots.
    Inside,
    /// Into the excluded directory (the index).
    Excluded,
    /// Elsewhere: this canonical path.
    Outside(PathBuf),
}

/// Where the link at `link` leads. A link that cannot be resolved (dangling, a loop) counts as
/// inside: the walk then reports why it cannot follow it.
fn link_target(link: &Path, roots: &[PathBuf], exclude: Option<&Path>) -> Target {
    let Ok(target) = link.canonicalize() else {
        return Target::Inside;
    };
    if exclude.is_some_and(|x| target.starts_with(x)) {
        Target::Excluded
    } else if roots.iter().any(|r| target.starts_with(r)) {
        Target::Inside
    } else {
        Target::Outside(target)
    }
}

/// What kind of file a file that is neither a regular file nor a directory is.
pub fn special_kind(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}
