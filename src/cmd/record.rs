//! `shrike record`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use shrike_capture::recorder::{RecordOptions, record};
use shrike_format::Class;

/// Arguments of `shrike record`.
#[derive(clap::Args)]
pub struct Args {
    /// Capture file; with rotation, later files are FILE.1.shrk, FILE.2.shrk, ...
    #[arg(short, long)]
    pub output: PathBuf,
    /// Stop after this long (30s, 10m, 2h).
    #[arg(long)]
    pub duration: Option<String>,
    /// Start a new file when the current one reaches this size (64M, 1G).
    #[arg(long, value_name = "SIZE")]
    pub max_size: Option<String>,
    /// With --max-size, keep only the newest N files.
    #[arg(long, value_name = "N")]
    pub max_files: Option<u32>,
    /// Event classes to record, comma-separated: process, file, fd, network, kernel, or all.
    ///
    /// process: exec, fork, exit, credentials, signals, namespaces; file:
    /// opens and path operations; fd: dup, and the bytes each process moved
    /// through each socket, and each file it wrote or read 1 MiB of (summed
    /// in the kernel, told at close or exit), and the requests it submitted
    /// through io_uring (which no syscall tracepoint sees); network: sockets, and DNS
    /// messages to and from port 53;
    /// kernel: modules, bpf, executable memory.
    #[arg(long, default_value = "all", value_name = "CLASSES")]
    pub events: String,
    /// Record only COMMAND and its descendants; the snapshot of running
    /// processes then holds only the processes COMMAND was started from.
    #[arg(long)]
    pub follow: bool,
    /// Kernel ring buffer size (a power of two; bigger survives longer bursts).
    #[arg(long, default_value = "64M", value_name = "SIZE")]
    pub ring_size: String,
    /// Longest time an event waits before it is written (at most 1s).
    #[arg(long, default_value = "1s", value_name = "DURATION")]
    pub flush_interval: String,
    /// Replace the output file(s) if they exist.
    #[arg(long)]
    pub force: bool,
    /// Seal the capture, forward-securely, from this key file (from `shrike
    /// keygen`): each file written takes the file's current key and leaves
    /// the next in its place, so the file's directory must be writable.
    #[arg(long, value_name = "KEYFILE")]
    pub seal_key: Option<PathBuf>,
    /// Keep in the capture each executed binary that no installed package
    /// owns, up to MAX bytes each (default 64M), once per file: `shrike
    /// extract` gets them back, checked against their SHA-256. Package
    /// ownership is dpkg's; on a host without dpkg's lists every executed
    /// binary up to MAX is kept.
    #[arg(long, value_name = "MAX", num_args = 0..=1, default_missing_value = "64M")]
    pub keep_binaries: Option<String>,
    /// Command to run and record; shrike exits with its status (126 or 127
    /// when it cannot be started, as a shell does).
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// `64K`, `100M`, `2G` (powers of 1024) or plain bytes.
fn parse_size(s: &str, what: &str) -> Result<u64> {
    let t = s.trim();
    let (num, mult) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        None => (t, 1u64),
        Some((i, _)) => {
            let mult = match t[i..]
                .to_ascii_uppercase()
                .trim_end_matches("IB")
                .trim_end_matches('B')
            {
                "" => 1,
                "K" => 1 << 10,
                "M" => 1 << 20,
                "G" => 1 << 30,
                _ => bail!("{what}: {s:?} is not a size (examples: 65536, 64K, 100M, 2G)"),
            };
            (&t[..i], mult)
        }
    };
    let n: u64 = num
        .parse()
        .with_context(|| format!("{what}: {s:?} is not a size (examples: 65536, 64K, 100M, 2G)"))?;
    n.checked_mul(mult)
        .with_context(|| format!("{what}: {s:?} is too large"))
}

fn parse_duration(s: &str, what: &str) -> Result<Duration> {
    humantime::parse_duration(s)
        .with_context(|| format!("{what}: {s:?} is not a duration (examples: 30s, 5m, 1h, 500ms)"))
}

fn parse_classes(s: &str) -> Result<Vec<Class>> {
    let mut out = vec![Class::Snapshot, Class::Meta];
    for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if name == "all" {
            return Ok(Class::ALL.to_vec());
        }
        match Class::ALL.iter().find(|c| c.name() == name) {
            Some(c) => out.push(*c),
            None => bail!(
                "--events: unknown class {name:?} (classes: process, file, fd, network, kernel, or all)"
            ),
        }
    }
    Ok(out)
}

/// Records, then prints one summary line on stderr.
pub fn run(a: Args) -> Result<u8> {
    let ring_bytes = parse_size(&a.ring_size, "--ring-size")?;
    if !ring_bytes.is_power_of_two() || !(4096..=1 << 30).contains(&ring_bytes) {
        bail!(
            "--ring-size: {} is not a power of two between 4K and 1G",
            a.ring_size
        );
    }
    let flush_interval = parse_duration(&a.flush_interval, "--flush-interval")?;
    if flush_interval > Duration::from_secs(1) || flush_interval.is_zero() {
        bail!(
            "--flush-interval: {} must be more than 0 and at most 1s, so a killed recorder loses at most that much",
            a.flush_interval
        );
    }
    if a.follow && a.command.is_empty() {
        bail!(
            "--follow needs a command to follow: shrike record -o FILE --follow -- COMMAND ARGS..."
        );
    }
    if a.max_files.is_some() && a.max_size.is_none() {
        bail!("--max-files needs --max-size (files rotate when they reach that size)");
    }
    let opts = RecordOptions {
        output: a.output.clone(),
        duration: a
            .duration
            .as_deref()
            .map(|d| parse_duration(d, "--duration"))
            .transpose()?,
        max_size: a
            .max_size
            .as_deref()
            .map(|s| parse_size(s, "--max-size"))
            .transpose()?,
        max_files: a.max_files,
        classes: parse_classes(&a.events)?,
        follow: a.follow,
        command: a.command,
        ring_bytes: ring_bytes as u32,
        flush_interval,
        overwrite: a.force,
        keep_binaries: a
            .keep_binaries
            .as_deref()
            .map(|s| parse_size(s, "--keep-binaries"))
            .transpose()?,
        seal_key: match a.seal_key {
            Some(k) => {
                crate::keys::check_secret(&k)?;
                Some(k)
            }
            None => None,
        },
    };
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .context("installing signal handlers")?;
    }
    let s = record(&opts, &stop)?;
    for w in &s.warnings {
        eprintln!("shrike: warning: {w}");
    }
    if let Some(e) = &s.command_error {
        eprintln!("shrike: {}", shrike_format::Escaped(e.as_bytes()));
    }
    let files: Vec<String> = s.files.iter().map(|f| f.display().to_string()).collect();
    let command = s.command_status.map_or(String::new(), |c| {
        format!(", command exited with status {c}")
    });
    eprintln!(
        "shrike: recorded {} events ({} lost) in {:.1} s into {} ({} bytes); stopped by {}{command}",
        s.events,
        s.lost,
        s.elapsed.as_secs_f64(),
        files.join(", "),
        s.bytes,
        s.reason
    );
    // The recorded command's fate is the recording's: `shrike record -- make` fails as make does.
    Ok(s.command_status
        .map_or(crate::EXIT_OK, |c| c.clamp(0, 255) as u8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_classes() {
        assert_eq!(parse_size("64K", "x").unwrap(), 65536);
        assert_eq!(parse_size("100MiB", "x").unwrap(), 100 << 20);
        assert_eq!(parse_size("4096", "x").unwrap(), 4096);
        assert!(parse_size("12Q", "x").is_err());
        assert!(
            parse_classes("file,network")
                .unwrap()
                .contains(&Class::Network)
        );
        assert!(!parse_classes("file").unwrap().contains(&Class::Process));
        assert!(parse_classes("files").is_err());
    }
}
