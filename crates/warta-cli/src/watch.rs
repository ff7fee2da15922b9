//! `warta index --watch`: follows the indexed roots and re-runs the incremental indexing when
//! their files change.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use notify_debouncer_mini::notify::RecursiveMode;
use notify_debouncer_mini::{new_debouncer, DebounceEventResult, Debouncer};

/// How long the file system must be quiet before a burst of events counts as one change.
const QUIET: Duration = Duration::from_millis(300);
/// How often missing roots are looked for.
const TICK: Duration = Duration::from_millis(500);

/// Watches `roots` (absolute) and calls `run` when something under them changed: a burst of
/// events is one change, runs start at least `interval` apart, events from the index
/// directory `index` (which may lie under a root) are ignored, and a root that disappears is
/// watched again when it comes back (its return is a change). Returns only on a watcher error.
pub fn watch(index: &Path, roots: &[PathBuf], interval: Duration, mut run: impl FnMut()) -> Result<()> {
    let index = index.canonicalize().unwrap_or_else(|_| index.to_path_buf());
    let (tx, rx) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(QUIET, tx).context("cannot watch the file system")?;
    let mut watched = vec![false; roots.len()];
    follow_roots(&mut debouncer, roots, &mut watched);
    let mut pending = false;
    let mut last_run = Instant::now();
    loop {
        pending |= follow_roots(&mut debouncer, roots, &mut watched);
        match rx.recv_timeout(TICK) {
            Ok(Ok(events)) => pending |= events.iter().any(|e| !e.path.starts_with(&index)),
            Ok(Err(e)) => eprintln!("warta: warning: watching the roots: {e}"),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => anyhow::bail!("the file system watcher stopped"),
        }
        if pending && last_run.elapsed() >= interval {
            pending = false;
            last_run = Instant::now();
            run();
        }
    }
}

/// Watches the roots that exist and are not watched yet, and stops watching those that are
/// gone; true when a root appeared or disappeared since the last call.
fn follow_roots<T: notify_debouncer_mini::notify::Watcher>(
    debouncer: &mut Debouncer<T>,
    roots: &[PathBuf],
    watched: &mut [bool],
) -> bool {
    let mut changed = false;
    for (root, on) in roots.iter().zip(watched.iter_mut()) {
        let exists = root.exists();
        if exists && !*on {
            *on = debouncer.watcher().watch(root, RecursiveMode::Recursive).is_ok();
            changed |= *on;
        } else if !exists && *on {
            let _ = debouncer.watcher().unwatch(root);
            *on = false;
            changed = true;
        }
    }
    changed
}
