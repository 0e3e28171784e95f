//! Timing: child processes with their wall time and peak RSS (from
//! `wait4`'s resource usage, so each figure is that process alone), and
//! latency statistics.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// How a child process ran.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub wall: Duration,
    /// User plus system CPU time: less sensitive than wall time to other
    /// work on the machine.
    pub cpu: Duration,
    /// Peak resident set size in bytes (0 when not measured).
    pub max_rss: u64,
}

/// What `wait4` reports about a finished child.
pub struct Usage {
    pub wall: Duration,
    pub cpu: Duration,
    /// Peak RSS in bytes.
    pub max_rss: u64,
    /// Exit code (None when killed by a signal).
    pub code: Option<i32>,
}

fn timeval(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
}

/// Starts `cmd` and waits for it with `wait4`, returning its wall and CPU
/// time, its peak RSS and its exit code.
///
/// Linux counts a child's peak RSS from the memory of the process it was
/// forked from, so the figure is only the child's own when the parent is
/// small: see [`run_isolated`].
pub fn spawn_wait(cmd: &mut Command) -> Result<Usage> {
    let started = Instant::now();
    let child = cmd
        .spawn()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; wait4 fills it in for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    // The child is reaped; dropping the handle does not wait again.
    drop(child);
    if r < 0 {
        bail!("wait4 failed: {}", std::io::Error::last_os_error());
    }
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    Ok(Usage {
        wall,
        cpu: timeval(usage.ru_utime) + timeval(usage.ru_stime),
        // ru_maxrss is in kilobytes on Linux.
        max_rss: usage.ru_maxrss as u64 * 1024,
        code,
    })
}

/// Runs `cmd` to completion with stdout discarded and stderr saved to
/// `stderr_log`, and returns its wall and CPU time. Fails if it is killed or exits
/// with a code not in `ok_codes`, quoting the end of its stderr.
pub fn run(cmd: &mut Command, stderr_log: &Path, ok_codes: &[i32]) -> Result<Run> {
    let log = File::create(stderr_log)?;
    cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(log);
    let usage = spawn_wait(cmd)?;
    let code = usage.code;
    if !code.is_some_and(|c| ok_codes.contains(&c)) {
        let err = std::fs::read_to_string(stderr_log).unwrap_or_default();
        let tail: Vec<&str> = err.lines().rev().take(5).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        bail!(
            "{cmd:?} failed ({}):\n{}",
            code.map_or("killed".to_string(), |c| format!("exit {c}")),
            tail.join("\n")
        );
    }
    Ok(Run {
        wall: usage.wall,
        cpu: usage.cpu,
        max_rss: 0,
    })
}

/// Like [`run`], with the peak RSS of `cmd` alone: `cmd` is started by a
/// fresh, small copy of this bench binary (`measure` mode), which times it
/// and reports its resource use in a file.
pub fn run_isolated(
    bench_bin: &Path,
    cmd: &Command,
    stderr_log: &Path,
    ok_codes: &[i32],
) -> Result<Run> {
    let report = stderr_log.with_extension("measure");
    let mut outer = Command::new(bench_bin);
    outer
        .arg("measure")
        .arg(&report)
        .arg("--")
        .arg(cmd.get_program())
        .args(cmd.get_args());
    run(&mut outer, stderr_log, ok_codes)?;
    let text = std::fs::read_to_string(&report)?;
    let fields: Vec<u64> = text
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let [wall, cpu, max_rss] = fields[..] else {
        bail!("unreadable measure report {}: {text:?}", report.display());
    };
    Ok(Run {
        wall: Duration::from_nanos(wall),
        cpu: Duration::from_nanos(cpu),
        max_rss,
    })
}

/// The `measure` mode: runs `command`, writes "WALL_NANOS CPU_NANOS
/// MAX_RSS_BYTES" to `report`, and returns the command's exit code.
pub fn measure_main(report: &Path, command: &[std::ffi::OsString]) -> Result<i32> {
    let (program, args) = command.split_first().context("measure: no command")?;
    let u = spawn_wait(Command::new(program).args(args))?;
    std::fs::write(
        report,
        format!("{} {} {}\n", u.wall.as_nanos(), u.cpu.as_nanos(), u.max_rss),
    )?;
    Ok(u.code.unwrap_or(2))
}

/// Latency statistics of a series of timed operations.
#[derive(Debug, Clone, Copy, Default)]
pub struct Latency {
    pub median: Duration,
    pub p95: Duration,
    /// Operations per second, one after another.
    pub per_second: f64,
}

impl Latency {
    pub fn of(samples: &[Duration]) -> Latency {
        if samples.is_empty() {
            return Latency::default();
        }
        let mut sorted = samples.to_vec();
        sorted.sort();
        let rank =
            |p: f64| sorted[((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
        let total: Duration = sorted.iter().sum();
        Latency {
            median: median(&sorted),
            p95: rank(0.95),
            per_second: sorted.len() as f64 / total.as_secs_f64().max(1e-9),
        }
    }
}

fn median(sorted: &[Duration]) -> Duration {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}

/// The run of median wall time among `runs` (not empty).
pub fn median_run(mut runs: Vec<Run>) -> Run {
    runs.sort_by_key(|r| r.wall);
    runs[(runs.len() - 1) / 2]
}

/// The median of `samples` (not empty).
pub fn median_of(samples: &[Duration]) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    median(&sorted)
}

/// Total size of the files under `dir`.
pub fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// The 1-minute load average, as a measure of how busy the machine was.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// Every `step`-th item of `items`, at most `n` of them, so a sample spreads
/// over the whole set.
pub fn sample<T: Clone>(items: &[T], n: usize) -> Vec<T> {
    if n >= items.len() {
        return items.to_vec();
    }
    let step = items.len() as f64 / n as f64;
    (0..n)
        .map(|i| items[(i as f64 * step) as usize].clone())
        .collect()
}
