//! Walking the roots the user names: which files are articles, and their stable ids.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use walkdir::WalkDir;

use super::Format;

/// An article file found under a root.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Absolute path (through the canonical root).
    pub path: PathBuf,
    /// `path` as text ([`path_text`]): the key that ties index entries to the file.
    pub key: String,
    /// Path relative to the indexed root, with `/` separators ([`path_text`]), after the
    /// root's label when the run has several roots ([`root_label`]): the base of article ids.
    pub id_base: String,
    /// The format its extension names.
    pub format: Format,
    /// Whether it is gzipped.
    pub gz: bool,
    /// Its size in bytes, when walked.
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
}

/// What the walk reports.
#[derive(Debug)]
pub enum WalkEvent {
    /// An article file to read.
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
    let label = (roots.len() > 1).then(|| root_label(root, roots));
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
        let id_base = match (single_file, &label) {
            (true, Some(label)) => label.clone(),
            (true, None) => path.file_name().map(path_text).unwrap_or_default(),
            (false, _) => {
                let rel = path.strip_prefix(root).unwrap_or(path);
                let rel = rel.components().map(|c| path_text(c.as_os_str()));
                label.iter().cloned().chain(rel).collect::<Vec<_>>().join("/")
            }
        };
        if path.to_str().is_none() {
            on_event(WalkEvent::Note(
                path.to_path_buf(),
                "file name is not valid UTF-8: its id shows each invalid byte as %XX".to_string(),
            ));
        }
        on_event(WalkEvent::File(SourceFile {
            path: path.to_path_buf(),
            key: path_text(path.as_os_str()),
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

/// A path or file name as text, for article ids and the index's keys, reversibly: valid UTF-8
/// stays as it is, each byte that is not valid UTF-8 becomes `%XX` (upper-case hex), and a `%`
/// that is followed by two hex digits becomes `%25`, so that no two names give the same text
/// (`x\xff.txt` is `x%FF.txt`, a file really named `x%FF.txt` is `x%25FF.txt`). Reading the
/// text back, `%XX` is the byte XX and any other `%` is itself.
pub fn path_text(name: &std::ffi::OsStr) -> String {
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(name);
    #[cfg(not(unix))]
    let lossy = name.to_string_lossy();
    #[cfg(not(unix))]
    let bytes = lossy.as_bytes();
    let hex_pair = |at: usize| {
        bytes
            .get(at..at + 2)
            .is_some_and(|p| p.iter().all(u8::is_ascii_hexdigit))
    };
    let mut out = String::with_capacity(bytes.len());
    let mut at = 0;
    for chunk in bytes.utf8_chunks() {
        for (i, c) in chunk.valid().char_indices() {
            if c == '%' && hex_pair(at + i + 1) {
                out.push_str("%25");
            } else {
                out.push(c);
            }
        }
        at += chunk.valid().len();
        for b in chunk.invalid() {
            out.push_str(&format!("%{b:02X}"));
        }
        at += chunk.invalid().len();
    }
    out
}

/// The name a root's ids start with when a run has several roots: its last path component,
/// or as many of its last components as it takes to tell it from the other roots.
pub fn root_label(root: &Path, roots: &[PathBuf]) -> String {
    let names = |r: &Path| -> Vec<String> {
        r.components()
            .rev()
            .filter(|c| matches!(c, std::path::Component::Normal(_)))
            .map(|c| path_text(c.as_os_str()))
            .collect()
    };
    let own = names(root);
    let others: Vec<Vec<String>> = roots.iter().filter(|r| r.as_path() != root).map(|r| names(r)).collect();
    let mut k = 1;
    while k < own.len() && others.iter().any(|o| o.len() >= k && o[..k] == own[..k]) {
        k += 1;
    }
    let mut label: Vec<&str> = own.iter().take(k).map(String::as_str).collect();
    label.reverse();
    label.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The inverse of [`path_text`], to show that it loses nothing.
    fn path_bytes(text: &str) -> Vec<u8> {
        let b = text.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            let pair = b.get(i + 1..i + 3).filter(|p| p.iter().all(u8::is_ascii_hexdigit));
            match (b[i], pair) {
                (b'%', Some(p)) => {
                    out.push(u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap());
                    i += 3;
                }
                (c, _) => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        out
    }

    #[cfg(unix)]
    #[test]
    fn path_text_keeps_names_apart_and_reversible() {
        use std::os::unix::ffi::OsStrExt;
        let names: [&[u8]; 9] = [
            b"x\xff.txt",
            b"x\xfe.txt",
            b"x%FF.txt",
            b"x%25FF.txt",
            b"caf\xc3\xa9 100%.txt",
            b"%\xff%4",
            b"%%41",
            b"\xc3",
            b"plain.txt",
        ];
        let texts: Vec<String> = names
            .iter()
            .map(|n| path_text(std::ffi::OsStr::from_bytes(n)))
            .collect();
        assert_eq!(texts[0], "x%FF.txt");
        assert_eq!(texts[1], "x%FE.txt");
        assert_eq!(texts[2], "x%25FF.txt");
        assert_eq!(texts[4], "café 100%.txt");
        assert_eq!(texts[8], "plain.txt");
        for (name, text) in names.iter().zip(&texts) {
            assert_eq!(path_bytes(text), *name, "{text}");
        }
        let distinct: std::collections::HashSet<_> = texts.iter().collect();
        assert_eq!(distinct.len(), names.len());
    }

    #[test]
    fn root_labels_tell_roots_apart() {
        let roots: Vec<PathBuf> = ["/a/rootA", "/b/rootB", "/c/data", "/d/data"]
            .map(PathBuf::from)
            .to_vec();
        let labels: Vec<String> = roots.iter().map(|r| root_label(r, &roots)).collect();
        assert_eq!(labels, ["rootA", "rootB", "c/data", "d/data"]);
        let roots: Vec<PathBuf> = ["/x/data", "/data"].map(PathBuf::from).to_vec();
        assert_eq!(root_label(&roots[0], &roots), "x/data");
        assert_eq!(root_label(&roots[1], &roots), "data");
    }
}
