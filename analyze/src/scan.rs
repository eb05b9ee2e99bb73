//! Pass two: rules evaluated over every chunk on all cores, answering
//! process fields from the history. Alerts come out in time order whatever
//! the thread count.

use rayon::prelude::*;
use shrike_format::Capture;
use shrike_rule_lang::{Priority, RuleSet};

use crate::compile::{Condition, compile};
use crate::fields::Ctx;
use crate::history::History;
use crate::output::Template;

/// A rule ready to run.
pub struct CompiledRule {
    /// Rule name.
    pub name: String,
    /// Priority.
    pub priority: Priority,
    /// Tags.
    pub tags: Vec<String>,
    condition: Condition,
    output: Template,
}

/// The rules that will run, and those that cannot.
pub struct Engine {
    /// Rules that compiled, in load order.
    pub rules: Vec<CompiledRule>,
    /// (rule, why) for rules that cannot run on shrike captures.
    pub skipped: Vec<(String, String)>,
}

impl Engine {
    /// Compiles the enabled rules at or above `min` priority.
    pub fn new(set: &RuleSet, min: Priority) -> Engine {
        let mut rules = Vec::new();
        let mut skipped: Vec<(String, String)> = set
            .skipped
            .iter()
            .map(|e| (String::new(), e.to_string()))
            .collect();
        for r in set
            .rules
            .iter()
            .filter(|r| r.enabled && r.priority <= min && r.source == "syscall")
        {
            let compiled = compile(&r.condition)
                .map_err(|e| e.to_string())
                .and_then(|c| Template::new(&r.output).map(|t| (c, t)));
            match compiled {
                Ok((condition, output)) => rules.push(CompiledRule {
                    name: r.name.clone(),
                    priority: r.priority,
                    tags: r.tags.clone(),
                    condition,
                    output,
                }),
                Err(why) => skipped.push((r.name.clone(), why)),
            }
        }
        Engine { rules, skipped }
    }
}

/// One rule firing on one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    /// Event time, ns since boot.
    pub ts: u64,
    /// Index of the capture file.
    pub file: usize,
    /// Index of the rule in [`Engine::rules`].
    pub rule: usize,
    /// Rendered output.
    pub output: String,
    /// Fields of the output template and their values.
    pub fields: Vec<(String, Option<String>)>,
    /// Process id of the event.
    pub pid: u32,
    /// Kind id of the event.
    pub kind: u16,
    order: (usize, usize),
}

/// What a scan did.
#[derive(Debug, Default)]
pub struct ScanStats {
    /// Events in the captures (all of them were considered).
    pub events: u64,
    /// Chunks decoded.
    pub chunks: u64,
    /// Chunks skipped without decoding (no rule can match their kinds).
    pub chunks_skipped: u64,
    /// Chunks that could not be read: (file, error).
    pub errors: Vec<(usize, String)>,
}

/// Runs every rule over every event of `caps`.
pub fn scan(caps: &[Capture], history: &History, engine: &Engine) -> (Vec<Alert>, ScanStats) {
    scan_with_progress(caps, history, engine, &|_| {})
}

/// [`scan`], calling `progress` with the events of each chunk once it is done (from any thread).
pub fn scan_with_progress(
    caps: &[Capture],
    history: &History,
    engine: &Engine,
    progress: &(dyn Fn(u64) + Sync),
) -> (Vec<Alert>, ScanStats) {
    let wanted = engine
        .rules
        .iter()
        .fold(0u128, |b, r| b | r.condition.kinds);
    let work: Vec<(usize, usize)> = caps
        .iter()
        .enumerate()
        .flat_map(|(f, c)| (0..c.chunks().len()).map(move |i| (f, i)))
        .collect();
    // evt.num: events before each chunk in its file, from the chunk headers.
    let bases: Vec<Vec<u64>> = caps
        .iter()
        .map(|c| {
            c.chunks()
                .iter()
                .scan(0u64, |acc, ch| {
                    let b = *acc;
                    *acc += u64::from(ch.header.stats.events);
                    Some(b)
                })
                .collect()
        })
        .collect();
    let results: Vec<(Vec<Alert>, ScanStats)> = work
        .par_iter()
        .map_init(Vec::new, |buf, &(f, i)| {
            let mut stats = ScanStats::default();
            let cap = &caps[f];
            progress(u64::from(cap.chunks()[i].header.stats.events));
            if cap.chunks()[i].kinds() & wanted == 0 {
                stats.chunks_skipped = 1;
                return (Vec::new(), stats);
            }
            stats.chunks = 1;
            let mut alerts = Vec::new();
            let payload = match cap.payload_in(i, buf) {
                Ok(p) => p,
                Err(e) => {
                    stats.errors.push((f, e.to_string()));
                    return (alerts, stats);
                }
            };
            // Events of kinds no rule wants are stepped over undecoded.
            let mut events = match payload.events_of(wanted) {
                Ok(ev) => ev,
                Err(e) => {
                    stats.errors.push((f, cap.chunk_err(i, e.0).to_string()));
                    return (alerts, stats);
                }
            };
            while let Some(ev) = events.next() {
                let n = events.consumed() as usize - 1;
                let ev = match ev {
                    Ok(ev) => ev,
                    Err(e) => {
                        stats.errors.push((f, cap.chunk_err(i, e.0).to_string()));
                        break;
                    }
                };
                let bit = 1u128 << ev.kind_id().min(127);
                let ctx = Ctx {
                    ev: &ev,
                    header: cap.header(),
                    history,
                    num: bases[f][i] + n as u64 + 1,
                };
                for (ri, r) in engine.rules.iter().enumerate() {
                    if r.condition.kinds & bit != 0 && r.condition.matches(&ctx) {
                        let (output, fields) = r.output.render(&ctx);
                        alerts.push(Alert {
                            ts: ev.ts,
                            file: f,
                            rule: ri,
                            output,
                            fields,
                            pid: ev.pid,
                            kind: ev.kind_id(),
                            order: (i, n),
                        });
                    }
                }
            }
            (alerts, stats)
        })
        .collect();
    // Every event was considered: skipped ones (by chunk or by kind) could not match any rule.
    let mut stats = ScanStats {
        events: caps.iter().map(Capture::event_count).sum(),
        ..Default::default()
    };
    let mut alerts = Vec::new();
    for (a, s) in results {
        alerts.extend(a);
        stats.chunks += s.chunks;
        stats.chunks_skipped += s.chunks_skipped;
        stats.errors.extend(s.errors);
    }
    // Deterministic: time, then file, then position in the file, then rule order.
    alerts.sort_by_key(|a| (a.ts, a.file, a.order, a.rule));
    (alerts, stats)
}
