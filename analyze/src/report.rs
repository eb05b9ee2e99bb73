//! The HTML report: one self-contained page (no fetches) written straight
//! to its output from a folded timeline, so a capture of millions of events
//! gives a page of a few megabytes that a browser opens in seconds.
//!
//! The page holds what a person reads first: the alerts, activity over
//! time, who talked to whom, and the process tree with each process's
//! details. What would drown them is counted, not shown: library loads,
//! actions past each process's share of the page, processes that did
//! nothing in the window.

use std::io::Write;

use serde::Serialize;

use crate::timeline::{Fold, Timeline};

/// The page; `__TITLE__`, `__CSP__` and `__DATA__` are filled in.
const PAGE: &str = include_str!("report.html");

/// Actions the page shows in all, those alerts are on included: a budget
/// that keeps a report of any capture near 15 MB.
pub const ACTION_BUDGET: usize = 50_000;

/// Alerts the list shows, and the alerted actions always shown; the rest
/// are counted (`shrike scan` lists them all).
pub const ALERT_BUDGET: usize = 10_000;

/// Connection summaries shown, busiest first.
pub const NETWORK_BUDGET: usize = 5_000;

/// How a timeline for the report is folded while it is built: each process
/// keeps at most its share of [`ACTION_BUDGET`] (the report then cuts the
/// busiest further), and the histogram has this many intervals.
pub fn fold(keep: std::collections::HashSet<(i128, u32)>) -> Fold {
    Fold {
        per_process: 200,
        keep,
        bins: 1000,
    }
}

/// The report's Content-Security-Policy: nothing loaded from anywhere, and
/// only the page's own style sheet and script, each allowed by its SHA-256,
/// so no markup a recorded value might smuggle in could run or restyle the
/// page (no `'unsafe-inline'`).
fn csp() -> &'static str {
    use base64::Engine;
    use sha2::Digest;
    static CSP: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let inner = |open: &str, close: &str| {
            let a = PAGE.find(open).expect("the template has the element") + open.len();
            &PAGE[a..a + PAGE[a..].find(close).expect("the element is closed")]
        };
        let hash = |s: &str| {
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(s))
            )
        };
        format!(
            "default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
            hash(inner("<style>", "</style>")),
            hash(inner("<script>", "</script>"))
        )
    });
    &CSP
}

/// JSON made safe inside `<script>`: no recorded byte may end the element,
/// open a comment (`<!--` switches the HTML parser into escaped mode and hid
/// the whole report once) or end a line for older parsers. In JSON these
/// characters only occur in strings, where `\u` escapes mean the same.
fn script_safe(json: &[u8], out: &mut dyn Write) -> std::io::Result<()> {
    let mut start = 0;
    let mut i = 0;
    while i < json.len() {
        let rep: Option<(&[u8], usize)> = match json[i] {
            b'<' => Some((b"\\u003c", 1)),
            b'>' => Some((b"\\u003e", 1)),
            b'&' => Some((b"\\u0026", 1)),
            0xE2 if json.get(i + 1) == Some(&0x80) && json.get(i + 2) == Some(&0xA8) => {
                Some((b"\\u2028", 3))
            }
            0xE2 if json.get(i + 1) == Some(&0x80) && json.get(i + 2) == Some(&0xA9) => {
                Some((b"\\u2029", 3))
            }
            _ => None,
        };
        if let Some((r, n)) = rep {
            out.write_all(&json[start..i])?;
            out.write_all(r)?;
            i += n;
            start = i;
        } else {
            i += 1;
        }
    }
    out.write_all(&json[start..])
}

/// Writes `v` as script-safe JSON.
fn json(v: &impl Serialize, out: &mut dyn Write) -> std::io::Result<()> {
    script_safe(&serde_json::to_vec(v).map_err(std::io::Error::other)?, out)
}

/// HTML text: the title is the only value outside the data.
fn html_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The largest per-process count `c` with `Σ min(n_i, c) <= budget`: the
/// busiest processes are cut first, quiet ones keep all they did.
fn share(mut counts: Vec<usize>, budget: usize) -> usize {
    counts.sort_unstable();
    let mut used = 0usize;
    for (k, &n) in counts.iter().enumerate() {
        let rest = counts.len() - k;
        // Every process from here on could get `n`.
        if used + n * rest > budget {
            return (budget - used) / rest;
        }
        used += n;
    }
    usize::MAX
}

#[derive(Serialize)]
struct Head<'a> {
    facts: &'a str,
    /// The histogram's first instant (ns since the epoch, as text: it exceeds
    /// JavaScript's exact integers); every other time is µs after it.
    t0: String,
    span_us: i64,
    bins: &'a [u64],
    events: u64,
    processes: usize,
    alerts_total: usize,
    roots: &'a [usize],
}

#[derive(Serialize)]
struct AlertRow<'a> {
    t: i64,
    p: usize,
    rule: &'a str,
    priority: &'a str,
    output: &'a str,
    what: &'a str,
}

#[derive(Serialize)]
struct NetRow<'a> {
    p: usize,
    kind: &'a str,
    remote: &'a str,
    n: u64,
    failed: u64,
}

#[derive(Serialize)]
struct ProcRow<'a> {
    pid: u32,
    ppid: u32,
    cmdline: &'a str,
    exe: &'a str,
    user: &'a str,
    start: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exit_code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exit_signal: Option<String>,
    children: &'a [usize],
    kinds: Vec<(&'static str, u64)>,
    /// Actions left out (past the process's share, or counted only).
    hidden: u64,
    libraries: u64,
    /// (µs after t0, kind, summary, failed, rules fired).
    actions: Vec<(i64, &'static str, &'a str, bool, Vec<&'a str>)>,
}

/// Writes the report of `t` (built with [`fold`]) to `out`.
pub fn write(t: &Timeline, title: &str, facts: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let f = t.folded.clone().unwrap_or_default();
    let us = |ns: i128| ((ns - f.t0) / 1000) as i64;
    let kept = t.kept();
    let alerted = kept
        .iter()
        .flat_map(|&i| &t.processes[i].actions)
        .filter(|a| !a.alerts.is_empty())
        .count()
        .min(ALERT_BUDGET);
    let cap = share(
        kept.iter()
            .map(|&i| {
                t.processes[i]
                    .actions
                    .iter()
                    .filter(|a| a.alerts.is_empty())
                    .count()
            })
            .collect(),
        ACTION_BUDGET - alerted,
    );
    // The first ALERT_BUDGET alerted actions are shown whatever the share.
    let mut alerted_left = ALERT_BUDGET;
    let mut alerts = Vec::new();
    let mut alerts_total = 0;
    for &i in &kept {
        for a in &t.processes[i].actions {
            for m in &a.alerts {
                alerts_total += 1;
                if alerts.len() < ALERT_BUDGET {
                    alerts.push(AlertRow {
                        t: us(a.time_ns),
                        p: i,
                        rule: &m.rule,
                        priority: &m.priority,
                        output: &m.output,
                        what: &a.summary,
                    });
                }
            }
        }
    }
    alerts.sort_by_key(|a| a.t);
    // Every process has its slot (children point at indexes); one not
    // kept (`--pid`) is null in the page, and nothing may point at it.
    let mut is_kept = vec![false; t.processes.len()];
    kept.iter().for_each(|&i| is_kept[i] = true);
    let mut network: Vec<NetRow> = f
        .network
        .iter()
        .filter(|((p, _, _), _)| is_kept.get(*p).copied().unwrap_or(false))
        .map(|((p, kind, remote), (n, failed))| NetRow {
            p: *p,
            kind,
            remote,
            n: *n,
            failed: *failed,
        })
        .collect();
    network.sort_by(|a, b| b.n.cmp(&a.n).then(a.p.cmp(&b.p)));
    network.truncate(NETWORK_BUDGET);

    // One pass over the template: a title holding `__DATA__` stays text.
    let mut rest = PAGE;
    while let Some(i) = rest.find("__") {
        out.write_all(&rest.as_bytes()[..i])?;
        let tail = &rest[i..];
        if let Some(r) = tail.strip_prefix("__TITLE__") {
            out.write_all(html_text(title).as_bytes())?;
            rest = r;
        } else if let Some(r) = tail.strip_prefix("__CSP__") {
            out.write_all(csp().as_bytes())?;
            rest = r;
        } else if let Some(r) = tail.strip_prefix("__DATA__") {
            out.write_all(b"{\"head\":")?;
            json(
                &Head {
                    facts,
                    t0: f.t0.to_string(),
                    span_us: us(f.t1),
                    bins: &f.histogram,
                    events: f.histogram.iter().sum(),
                    processes: kept.len(),
                    alerts_total,
                    roots: &t.roots,
                },
                out,
            )?;
            out.write_all(b",\"alerts\":")?;
            json(&alerts, out)?;
            out.write_all(b",\"network\":")?;
            json(&network, out)?;
            out.write_all(b",\"processes\":[")?;
            for (i, p) in t.processes.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                if !is_kept[i] {
                    out.write_all(b"null")?;
                    continue;
                }
                let mut shown = 0usize;
                let mut left = 0u64;
                let actions = p
                    .actions
                    .iter()
                    .filter(|a| {
                        let show = if a.alerts.is_empty() || alerted_left == 0 {
                            shown < cap && {
                                shown += 1;
                                true
                            }
                        } else {
                            alerted_left -= 1;
                            true
                        };
                        left += u64::from(!show);
                        show
                    })
                    .map(|a| {
                        (
                            us(a.time_ns),
                            a.kind,
                            a.summary.as_str(),
                            a.failed,
                            a.alerts.iter().map(|m| m.rule.as_str()).collect(),
                        )
                    })
                    .collect();
                json(
                    &ProcRow {
                        pid: p.pid,
                        ppid: p.ppid,
                        cmdline: &p.cmdline,
                        exe: &p.exe,
                        user: &p.user,
                        start: us(p.start_ns),
                        end: p.end_ns.map(us),
                        exit_code: p.exit_code,
                        exit_signal: p.exit_signal.map(shrike_format::linux::signal_name),
                        children: &p.children,
                        kinds: f
                            .kinds
                            .get(i)
                            .map(|k| k.iter().map(|(k, n)| (*k, *n)).collect())
                            .unwrap_or_default(),
                        hidden: f.hidden.get(i).copied().unwrap_or(0) + left,
                        libraries: f.libraries.get(i).copied().unwrap_or(0),
                        actions,
                    },
                    out,
                )?;
            }
            out.write_all(b"]}")?;
            rest = r;
        } else {
            out.write_all(b"__")?;
            rest = &tail[2..];
        }
    }
    out.write_all(rest.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busiest_processes_are_cut_first() {
        assert_eq!(share(vec![1, 2, 3], 100), usize::MAX);
        // 10 + 10 + 40 = 60: the two quiet ones keep all, the busy one the rest.
        assert_eq!(share(vec![10, 10, 1000], 60), 40);
        assert_eq!(share(vec![1000, 1000], 60), 30);
        assert_eq!(share(vec![], 60), usize::MAX);
    }

    #[test]
    fn script_data_cannot_end_the_element_or_a_line() {
        let mut out = Vec::new();
        script_safe("\"</script><!--&\u{2028}\u{2029}é\"".as_bytes(), &mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert_eq!(
            s,
            "\"\\u003c/script\\u003e\\u003c!--\\u0026\\u2028\\u2029é\""
        );
    }
}
