//! What `shrike info` reports about a capture: host, time span, events per
//! kind, chunks, lost events and damage.

use std::collections::BTreeMap;

use serde::Serialize;
use shrike_format::{Capture, Damage, Escaped, Kind};

use crate::time::{rfc3339, wall_ns};

/// Summary of one capture file.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// The file, as named by the user.
    pub file: String,
    /// File size in bytes.
    pub bytes: u64,
    /// Format version, `major.minor`.
    pub format: String,
    /// File id (hex).
    pub file_id: String,
    /// Host name.
    pub hostname: String,
    /// Kernel release.
    pub kernel: String,
    /// Machine architecture.
    pub machine: String,
    /// Boot id.
    pub boot_id: String,
    /// Recorder name and version.
    pub recorder: String,
    /// Recorder configuration (JSON text).
    pub config: String,
    /// What the recording kernel could not give, one sentence each (from the configuration).
    pub kernel_limits: Vec<String>,
    /// Tracepoints the recording kernel lacked, whose events are absent.
    pub missing_tracepoints: Vec<String>,
    /// Syscalls the kernel had no tracepoint for, recorded as `syscall` events.
    pub raw_syscalls: Vec<String>,
    /// Position in a rotation, if any.
    pub segment: Option<u32>,
    /// Whether the file was closed cleanly (valid footer).
    pub closed_cleanly: bool,
    /// First event, RFC 3339 UTC.
    pub first: Option<String>,
    /// Last event, RFC 3339 UTC.
    pub last: Option<String>,
    /// Seconds between first and last event.
    pub duration_s: f64,
    /// Readable events.
    pub events: u64,
    /// Events the recorder reported lost.
    pub lost: u64,
    /// Readable events chunks.
    pub chunks: usize,
    /// Bytes per readable event (file size / events).
    pub bytes_per_event: f64,
    /// Events per kind name.
    pub kinds: BTreeMap<String, u64>,
    /// Damaged or missing parts.
    pub damage: Vec<Damage>,
}

/// Summarises `cap`, checking every chunk's CRC so damage is reported.
pub fn summarize(file: &str, cap: &Capture) -> Summary {
    let h = cap.header();
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    let (mut min, mut max) = (u64::MAX, 0u64);
    for (i, c) in cap.chunks().iter().enumerate() {
        // The CRC only: a summary does not decompress.
        if let Err(e) = cap.check_chunk(i) {
            cap.note_bad_chunk(i, crate::chunks::fault(e));
        }
        let s = &c.header.stats;
        for &(k, n) in &s.kind_counts {
            let name =
                Kind::from_id(k).map_or_else(|| format!("kind#{k}"), |k| k.name().to_string());
            *kinds.entry(name).or_default() += u64::from(n);
        }
        if s.events > 0 {
            min = min.min(s.min_ts);
            max = max.max(s.max_ts);
        }
    }
    let events = cap.event_count();
    let bytes = cap.bytes().len() as u64;
    let span = (min <= max).then(|| (rfc3339(wall_ns(h, min)), rfc3339(wall_ns(h, max))));
    Summary {
        file: file.to_string(),
        bytes,
        format: format!("{}.{}", h.major, h.minor),
        file_id: h.file_id_hex(),
        hostname: h.hostname.clone(),
        kernel: h.kernel.clone(),
        machine: h.machine.clone(),
        boot_id: h.boot_id.clone(),
        recorder: h.recorder.clone(),
        config: h.config.clone(),
        kernel_limits: config_strings(&h.config, "kernel_limits"),
        missing_tracepoints: config_strings(&h.config, "missing_tracepoints"),
        raw_syscalls: config_strings(&h.config, "raw_syscalls"),
        segment: h.segment.as_ref().map(|s| s.index),
        closed_cleanly: cap.footer().is_some(),
        first: span.as_ref().map(|s| s.0.clone()),
        last: span.map(|s| s.1),
        duration_s: if min <= max {
            (max - min) as f64 / 1e9
        } else {
            0.0
        },
        events,
        lost: cap.lost_count(),
        chunks: cap.chunks().len(),
        bytes_per_event: if events > 0 {
            bytes as f64 / events as f64
        } else {
            0.0
        },
        kinds,
        damage: cap.damage(),
    }
}

/// The strings of array `key` in the recorder's JSON configuration (none if absent or malformed).
fn config_strings(config: &str, key: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(config) else {
        return Vec::new();
    };
    v.get(key)
        .and_then(|a| a.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Everything but the numbers was written by the recorded host: escaped.
        let e = |s: &str| Escaped(s.as_bytes()).to_string();
        writeln!(f, "{}", e(&self.file))?;
        writeln!(
            f,
            "  host       {} (kernel {}, {}, boot {})",
            e(&self.hostname),
            e(&self.kernel),
            e(&self.machine),
            e(&self.boot_id)
        )?;
        writeln!(f, "  recorder   {}", e(&self.recorder))?;
        for l in &self.kernel_limits {
            writeln!(f, "  limit      {}", e(l))?;
        }
        if !self.raw_syscalls.is_empty() {
            let names: Vec<String> = self.raw_syscalls.iter().map(|n| e(n).to_string()).collect();
            writeln!(
                f,
                "  limit      no tracepoint for {}: recorded as `syscall` events (number, six arguments, result)",
                names.join(", ")
            )?;
        }
        for t in &self.missing_tracepoints {
            // "category/event: why": the name is what a reader needs.
            let name = t.split(':').next().unwrap_or(t);
            writeln!(
                f,
                "  limit      no tracepoint {}: its events are not recorded",
                e(name)
            )?;
        }
        writeln!(
            f,
            "  file       format {}, id {}, {} bytes{}",
            self.format,
            self.file_id,
            self.bytes,
            self.segment
                .map_or(String::new(), |s| format!(", segment {s}"))
        )?;
        let close = if self.closed_cleanly {
            "closed cleanly"
        } else {
            "NOT closed cleanly (no footer): read by recovery scan"
        };
        writeln!(f, "  state      {close}")?;
        match (&self.first, &self.last) {
            (Some(a), Some(b)) => {
                writeln!(f, "  time       {a} .. {b} ({:.3} s)", self.duration_s)?
            }
            _ => writeln!(f, "  time       (no events)")?,
        }
        writeln!(
            f,
            "  events     {} in {} chunks ({:.2} bytes/event)",
            self.events, self.chunks, self.bytes_per_event
        )?;
        writeln!(
            f,
            "  lost       {}{}",
            self.lost,
            if self.lost > 0 {
                "  (the kernel dropped events: the record is incomplete)"
            } else {
                ""
            }
        )?;
        if self.damage.is_empty() {
            writeln!(f, "  damage     none")?;
        } else {
            for d in &self.damage {
                writeln!(f, "  damage     {d}")?;
            }
        }
        writeln!(f, "  kinds")?;
        let mut kinds: Vec<_> = self.kinds.iter().collect();
        kinds.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (k, n) in kinds {
            writeln!(f, "    {k:<16} {n:>12}")?;
        }
        Ok(())
    }
}
