//! Measuring: CPU time and peak memory of this process, sizes on disk, latency percentiles,
//! and what machine the benchmark runs on.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// Bytes in a MiB (memory and index sizes).
pub const MIB: f64 = 1024.0 * 1024.0;
/// Bytes in a MB (input throughput, as in "MB/s").
pub const MB: f64 = 1_000_000.0;

/// CPU seconds (user, system) used so far by this process, all its threads included.
pub fn cpu_times() -> Result<(f64, f64)> {
    // SAFETY: `rusage` is plain old data; getrusage only writes into the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a valid pointer to a live, writable rusage.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error()).context("getrusage(RUSAGE_SELF) failed");
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok((secs(usage.ru_utime), secs(usage.ru_stime)))
}

/// CPU seconds used so far by the calling thread.
pub fn thread_cpu_secs() -> f64 {
    // SAFETY: `timespec` is plain old data; clock_gettime only writes into the struct it is
    // given.
    let mut t: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: a valid pointer to a live, writable timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    if rc != 0 {
        return 0.0;
    }
    t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
}

/// Restricts this thread, and the threads it starts afterwards, to the first `n` CPUs it
/// may run on: a run limited to fewer cores than the machine has, for core scaling.
pub fn pin_to_cores(n: usize) -> Result<()> {
    // SAFETY: `cpu_set_t` is plain old data (a bit mask); all-zero is the empty set.
    let mut allowed: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: a valid pointer to a writable set of `size` bytes; 0 is this thread.
    if unsafe { libc::sched_getaffinity(0, size, &mut allowed) } != 0 {
        return Err(std::io::Error::last_os_error()).context("sched_getaffinity failed");
    }
    // SAFETY: as above, an all-zero set is empty.
    let mut chosen: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    let mut taken = 0;
    for cpu in 0..libc::CPU_SETSIZE as usize {
        if taken == n {
            break;
        }
        // SAFETY: `cpu` is below CPU_SETSIZE, the sets' capacity.
        if unsafe { libc::CPU_ISSET(cpu, &allowed) } {
            // SAFETY: as above.
            unsafe { libc::CPU_SET(cpu, &mut chosen) };
            taken += 1;
        }
    }
    if taken < n {
        anyhow::bail!("cannot run on {n} cores: this process may use only {taken}");
    }
    // SAFETY: a valid pointer to an initialised set of `size` bytes; 0 is this thread.
    if unsafe { libc::sched_setaffinity(0, size, &chosen) } != 0 {
        return Err(std::io::Error::last_os_error()).context("sched_setaffinity failed");
    }
    Ok(())
}

/// Peak resident set size of this process in bytes (`VmHWM` of /proc/self/status).
pub fn peak_rss_bytes() -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status").context("cannot read /proc/self/status")?;
    kib_field(&status, "VmHWM:")
        .map(|kib| kib * 1024)
        .context("no VmHWM line in /proc/self/status")
}

/// Peaks of the two parts of the resident set, sampled while a run works: anonymous memory
/// (heap, stacks) and file-backed pages (the executable, memory-mapped index files).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct RssPeaks {
    pub anon_bytes: u64,
    pub file_bytes: u64,
}

/// Samples, every `interval` while a run works, the resident set's peaks ([`RssPeaks`]) and
/// the CPU time of each of the process's threads, so that a run's CPU can be told apart by
/// who spent it (tantivy's indexing threads, warta's readers and enrichers, ...).
pub struct Sampler {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<Sampled>,
}

/// What a [`Sampler`] saw.
#[derive(Debug, Clone, Default)]
pub struct Sampled {
    pub rss: RssPeaks,
    /// CPU seconds by thread kind ([`thread_kind`]), the sampler's own thread left out.
    pub cpu_by_thread: BTreeMap<String, f64>,
}

impl Sampler {
    /// Starts sampling every `interval`. Threads counts their CPU from now on: what the
    /// threads already running (the main thread) spent before is left out.
    pub fn start(interval: Duration) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let process = std::fs::read_to_string("/proc/self/comm").unwrap_or_default();
        let mut before: HashMap<String, (String, f64)> = HashMap::new();
        sample_threads("", &process, &mut before);
        let handle = std::thread::spawn(move || {
            // SAFETY: gettid has no preconditions.
            let me = unsafe { libc::gettid() }.to_string();
            let mut peaks = RssPeaks::default();
            // Thread id -> (kind, CPU seconds when last seen): a thread that ends between two
            // samples loses at most one interval.
            let mut threads: HashMap<String, (String, f64)> = HashMap::new();
            loop {
                if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
                    let kib = |key| kib_field(&status, key).unwrap_or(0) * 1024;
                    peaks.anon_bytes = peaks.anon_bytes.max(kib("RssAnon:"));
                    peaks.file_bytes = peaks.file_bytes.max(kib("RssFile:"));
                }
                sample_threads(&me, &process, &mut threads);
                if flag.load(Ordering::Relaxed) {
                    let mut cpu_by_thread = BTreeMap::new();
                    for (tid, (kind, secs)) in threads {
                        let earlier = before.get(&tid).map_or(0.0, |b| b.1);
                        *cpu_by_thread.entry(kind).or_insert(0.0) += secs - earlier;
                    }
                    return Sampled {
                        rss: peaks,
                        cpu_by_thread,
                    };
                }
                std::thread::sleep(interval);
            }
        });
        Sampler { stop, handle }
    }

    /// Takes a last sample and returns what was seen.
    pub fn finish(self) -> Sampled {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap_or_default()
    }
}

/// Reads the CPU time of every thread of this process but `me` into `threads` (`process`:
/// the process's name, as /proc gives it, which unnamed threads carry).
fn sample_threads(me: &str, process: &str, threads: &mut HashMap<String, (String, f64)>) {
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return;
    };
    for entry in dir.flatten() {
        let tid = entry.file_name().to_string_lossy().into_owned();
        if tid == me {
            continue;
        }
        // schedstat: nanoseconds on the CPU, first of three numbers.
        let Some(ns) = std::fs::read_to_string(entry.path().join("schedstat"))
            .ok()
            .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse::<u64>().ok()))
        else {
            continue;
        };
        let secs = ns as f64 / 1e9;
        let kind = || {
            let name = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
            thread_kind(name.trim(), tid == std::process::id().to_string(), process.trim()).to_string()
        };
        match threads.get_mut(&tid) {
            // A thread sampled before it named itself (its name is set from inside it) is
            // asked again.
            Some(seen) if seen.0 == "other" => *seen = (kind(), secs),
            Some(seen) => seen.1 = secs,
            None => {
                let kind = kind();
                threads.insert(tid, (kind, secs));
            }
        }
    }
}

/// The kind of a thread, from its name: tantivy's indexing threads, its doc store compressor,
/// its merges and segment updates, warta's named threads (`warta-read`, `warta-enrich`, ...),
/// and the main thread (which reads and parses in the baseline and schema-only runs, and
/// updates warta's stem table after the last commit).
///
/// A thread nobody named carries the process's name (`process`, "warta-bench" in the bench's
/// children): it is "other", never a warta kind.
pub fn thread_kind<'a>(name: &'a str, main: bool, process: &str) -> &'a str {
    if main {
        "main"
    } else if name == process {
        "other"
    } else if name.starts_with("thrd-tantivy-in") {
        "tantivy indexing"
    } else if name.starts_with("docstore-compre") {
        "tantivy doc store"
    } else if name.starts_with("merge_thread") || name.starts_with("segment_update") || name.starts_with("thrd-tantivy")
    {
        "tantivy merges and commits"
    } else if name.starts_with("warta-") {
        name
    } else {
        "other"
    }
}

/// The number of a `Key:   1234 kB` line (as in /proc/self/status and /proc/meminfo).
fn kib_field(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// Total size of the files under `dir`, recursively (0 when it does not exist).
pub fn dir_size(dir: &Path) -> Result<u64> {
    if !dir.exists() {
        return Ok(0);
    }
    let mut total = 0;
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        if entry.file_type().is_file() {
            let meta = entry
                .metadata()
                .with_context(|| format!("cannot stat {}", entry.path().display()))?;
            total += meta.len();
        }
    }
    Ok(total)
}

/// Latency percentiles of a set of samples, in milliseconds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Latency {
    pub samples: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub mean_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    /// Percentiles of `samples_ms`, or `None` when there are none.
    pub fn of(samples_ms: &[f64]) -> Option<Latency> {
        if samples_ms.is_empty() {
            return None;
        }
        let mut sorted = samples_ms.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Latency {
            samples: sorted.len(),
            p50_ms: percentile(&sorted, 50.0),
            p95_ms: percentile(&sorted, 95.0),
            p99_ms: percentile(&sorted, 99.0),
            mean_ms: sorted.iter().sum::<f64>() / sorted.len() as f64,
            max_ms: sorted[sorted.len() - 1],
        })
    }
}

/// Nearest-rank percentile of sorted, non-empty samples.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The median of non-empty samples (mean of the two middle ones for an even count).
pub fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// What the benchmark ran on.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// Cores available to this process.
    pub cores: usize,
    /// Total memory (MemTotal of /proc/meminfo).
    pub memory_bytes: Option<u64>,
    /// `model name` of /proc/cpuinfo.
    pub cpu_model: Option<String>,
    /// Kernel release (/proc/sys/kernel/osrelease).
    pub kernel: Option<String>,
}

/// Describes this machine from std and /proc (fields that cannot be read stay empty).
pub fn machine() -> Machine {
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu_model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string());
    Machine {
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        memory_bytes: kib_field(&meminfo, "MemTotal:").map(|kib| kib * 1024),
        cpu_model,
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .ok()
            .map(|s| s.trim().to_string()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let s: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&s, 50.0), 50.0);
        assert_eq!(percentile(&s, 95.0), 95.0);
        assert_eq!(percentile(&s, 99.0), 99.0);
        assert_eq!(percentile(&[3.0], 99.0), 3.0);
        assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), 2.5);
        assert!(Latency::of(&[]).is_none());
    }

    #[test]
    fn pinning_limits_the_cores_threads_see() {
        // In a thread of its own: the test runner's other threads keep their cores.
        std::thread::spawn(|| {
            pin_to_cores(1).unwrap();
            assert_eq!(std::thread::available_parallelism().unwrap().get(), 1);
            let child = std::thread::spawn(|| std::thread::available_parallelism().unwrap().get());
            assert_eq!(child.join().unwrap(), 1);
            assert!(pin_to_cores(100_000).is_err());
        })
        .join()
        .unwrap();
    }

    #[test]
    fn reads_kib_fields() {
        let text = "Name:\tx\nVmHWM:\t  12345 kB\nVmRSS:\t 1 kB\n";
        assert_eq!(kib_field(text, "VmHWM:"), Some(12345));
        assert_eq!(kib_field(text, "VmPeak:"), None);
    }

    /// Samplers see every thread of the process: tests that start them and tests that start
    /// threads of their own (an index run) take turns.
    pub(crate) static SAMPLER_TESTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

    /// A thread's CPU before the sampler started is not counted (a run that prepares its
    /// data first would have it added to its own).
    #[test]
    fn cpu_before_the_sampler_starts_is_left_out() {
        let _turn = SAMPLER_TESTS.lock().unwrap_or_else(|e| e.into_inner());
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let earlier = std::thread::Builder::new()
            .name("warta-earlier".to_string())
            .spawn(move || {
                let until = std::time::Instant::now() + Duration::from_millis(80);
                let mut x = 0u64;
                while std::time::Instant::now() < until {
                    x = std::hint::black_box(x.wrapping_add(1));
                }
                ready_tx.send(()).unwrap();
                go_rx.recv().unwrap();
            })
            .unwrap();
        ready_rx.recv().unwrap();
        let sampler = Sampler::start(Duration::from_millis(5));
        std::thread::sleep(Duration::from_millis(20));
        go_tx.send(()).unwrap();
        earlier.join().unwrap();
        let sampled = sampler.finish();
        let secs = sampled.cpu_by_thread.get("warta-earlier").copied().unwrap_or(0.0);
        assert!(secs < 0.02, "{:?}", sampled.cpu_by_thread);
    }

    /// The CPU a named thread spends is found under its kind, and the sampler's own thread
    /// is left out (a sampler that lumped threads together, or missed them, fails this).
    #[test]
    fn cpu_is_counted_by_thread_kind() {
        let _turn = SAMPLER_TESTS.lock().unwrap_or_else(|e| e.into_inner());
        let sampler = Sampler::start(Duration::from_millis(5));
        let busy = std::thread::Builder::new()
            .name("warta-test".to_string())
            .spawn(|| {
                // Spins until this thread has had 60 ms of CPU, however loaded the machine.
                let mut x = 0u64;
                loop {
                    for i in 0..100_000u64 {
                        x = x.wrapping_mul(31).wrapping_add(i);
                    }
                    // SAFETY: a valid pointer to a writable timespec.
                    let mut t: libc::timespec = unsafe { std::mem::zeroed() };
                    // SAFETY: as above; CLOCK_THREAD_CPUTIME_ID is this thread's CPU clock.
                    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
                    if t.tv_sec as f64 + t.tv_nsec as f64 / 1e9 >= 0.06 {
                        return x;
                    }
                }
            })
            .unwrap();
        // An unnamed thread spinning beside it goes to "other", whatever the process's name.
        let unnamed = std::thread::spawn(|| {
            let until = std::time::Instant::now() + Duration::from_millis(30);
            let mut x = 0u64;
            while std::time::Instant::now() < until {
                x = std::hint::black_box(x.wrapping_add(1));
            }
        });
        unnamed.join().unwrap();
        std::hint::black_box(busy.join().unwrap());
        std::thread::sleep(Duration::from_millis(1));
        let sampled = sampler.finish();
        let secs = sampled.cpu_by_thread.get("warta-test").copied().unwrap_or(0.0);
        // The thread ended between two samples: up to one interval (5 ms) of it is not seen.
        assert!((0.04..1.0).contains(&secs), "{:?}", sampled.cpu_by_thread);
        assert!(
            sampled.cpu_by_thread.get("other").copied().unwrap_or(0.0) > 0.0,
            "{:?}",
            sampled.cpu_by_thread
        );
        // Only the kinds of the threads this test and the harness start: no "warta-bench"-like
        // kind made of a process name.
        assert!(
            sampled
                .cpu_by_thread
                .keys()
                .all(|k| ["main", "other", "warta-test"].contains(&k.as_str())),
            "{:?}",
            sampled.cpu_by_thread
        );
        let kind = |name, main| thread_kind(name, main, "warta-bench");
        assert_eq!(kind("thrd-tantivy-in", false), "tantivy indexing");
        assert_eq!(kind("warta-bench", false), "other");
        assert_eq!(kind("docstore-compre", false), "tantivy doc store");
        assert_eq!(kind("merge_thread_0", false), "tantivy merges and commits");
        assert_eq!(kind("warta-enrich", false), "warta-enrich");
        assert_eq!(kind("warta-enrich", true), "main");
        assert_eq!(kind("tokio-runtime-w", false), "other");
    }
}
