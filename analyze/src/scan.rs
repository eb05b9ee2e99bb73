//! Pass two: rules evaluated over every chunk on all cores, answering
//! process fields from the history. Alerts come out in time order whatever
//! the thread count.

use rayon::prelude::*;
use shrike_format::{Capture, CommonColumns};
use shrike_rule_lang::{Priority, RuleSet};

use crate::compile::{Condition, Program, Shared, compile_shared};
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

impl CompiledRule {
    /// The names of the fields its output shows, in order.
    pub fn output_field_names(&self) -> impl Iterator<Item = &str> {
        self.output.field_names()
    }

    /// For each output field, in order, its value's type (`None`: not recorded).
    pub fn output_field_types(&self) -> Vec<Option<crate::fields::Type>> {
        self.output.field_types()
    }
}

/// The rules that will run, and those that cannot.
pub struct Engine {
    /// Rules that compiled, in load order.
    pub rules: Vec<CompiledRule>,
    /// (rule, why) for rules that cannot run on shrike captures.
    pub skipped: Vec<(String, String)>,
    /// For the rules skipped, each field shrike does not record and how many
    /// rules it kept from running.
    pub missing_fields: std::collections::BTreeMap<String, usize>,
    /// Rules whose condition is wrong (an event type no one has), as
    /// `FILE:LINE: rule NAME: why`: Falco refuses to load them, and so does a scan.
    pub errors: Vec<String>,
    /// Whether alerts carry each output field's value ([`Alert::fields`]);
    /// off, only the rendered text is built.
    pub output_fields: bool,
    /// Falco's `rule_matching: first`: an event alerts for the first rule
    /// (in load order) it matches only.
    pub first_match: bool,
    /// For each kind id, the rules that can match an event of that kind, in
    /// load order, each with its program for the kind: side by side, so a
    /// scan reaches a rule's first test without going through the rule.
    by_kind: Vec<Vec<(usize, Program)>>,
    /// The common columns the rules and their outputs read: the others are never decoded.
    columns: CommonColumns,
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
        let chosen: Vec<_> = set
            .rules
            .iter()
            .filter(|r| r.enabled && r.priority <= min && r.source == "syscall")
            .collect();
        let shared = Shared::find(chosen.iter().map(|r| &r.condition));
        let mut errors = Vec::new();
        let mut missing_fields = std::collections::BTreeMap::new();
        for r in chosen {
            let compiled = match compile_shared(&r.condition, &shared) {
                Err(e) if e.is_error() => {
                    errors.push(format!(
                        "{}:{}: rule {}: {e}",
                        r.origin.0, r.origin.1, r.name
                    ));
                    continue;
                }
                Err(crate::compile::CompileError::Fields(f)) => {
                    for f in &f {
                        *missing_fields.entry(f.clone()).or_default() += 1;
                    }
                    Err(crate::compile::CompileError::Fields(f).to_string())
                }
                c => c
                    .map_err(|e| e.to_string())
                    .and_then(|c| Template::new(&r.output).map(|t| (c, t))),
            };
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
        let by_kind = (0..128usize)
            .map(|k| {
                (0..rules.len())
                    .map(|r| (r, rules[r].condition.program(k).clone()))
                    .filter(|(_, p)| !p.never())
                    .collect()
            })
            .collect();
        let columns = rules.iter().fold(CommonColumns::PID_AND_COMM, |a, r| {
            a.with(r.condition.columns()).with(r.output.columns())
        });
        Engine {
            rules,
            skipped,
            missing_fields,
            errors,
            output_fields: false,
            first_match: false,
            by_kind,
            columns,
        }
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
    /// The values of the output template's fields, in the order of
    /// [`CompiledRule::output_field_names`] (only with [`Engine::output_fields`]).
    pub fields: Vec<Option<String>>,
    /// Process id of the event.
    pub pid: u32,
    /// Kind id of the event.
    pub kind: u16,
    order: (usize, usize),
}

/// An alert as the exports store it, with the capture it came from.
#[derive(Clone, Debug)]
pub struct AlertRow {
    /// Index of the capture in the slice given to the export.
    pub capture: usize,
    /// Wall-clock ns.
    pub time_ns: i128,
    /// Rule name.
    pub rule: String,
    /// Priority name.
    pub priority: String,
    /// Process id.
    pub pid: u32,
    /// Rendered output.
    pub output: String,
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
}

/// Runs every rule over every event of `caps`, all alerts at once.
pub fn scan(caps: &[Capture], history: &History, engine: &Engine) -> (Vec<Alert>, ScanStats) {
    let mut alerts = Vec::new();
    let stats = scan_each(caps, history, engine, &|_| {}, &mut |a| {
        alerts.extend(a);
        true
    });
    (alerts, stats)
}

/// Runs every rule over every event of `caps`, handing alerts to `emit` in
/// time order, a batch at a time, as soon as no unread chunk can hold an
/// earlier one; `emit` returns false to stop. Sorting and emitting a batch
/// overlap with scanning the next chunks. `progress` gets the events of each
/// chunk once it is done (from any thread).
pub fn scan_each(
    caps: &[Capture],
    history: &History,
    engine: &Engine,
    progress: &(dyn Fn(u64) + Sync),
    emit: &mut (dyn FnMut(Vec<Alert>) -> bool + Send),
) -> ScanStats {
    let wanted = engine
        .rules
        .iter()
        .fold(0u128, |b, r| b | r.condition.kinds);
    // Chunks in order of their first event, so alerts can leave behind a
    // moving horizon; evt.num counts from each chunk's events_before.
    let work = crate::chunks::in_time_order(caps);
    let mut stats = ScanStats {
        events: caps.iter().map(Capture::event_count).sum(),
        ..Default::default()
    };
    let window = crate::chunks::window();
    let read = |batch: &[crate::chunks::ChunkRef]| -> Vec<(Vec<Alert>, ScanStats)> {
        batch
            .par_iter()
            .map(|c| {
                let r = scan_chunk(caps, c, wanted, history, engine);
                progress(u64::from(
                    caps[c.file].chunks()[c.index].header.stats.events,
                ));
                r
            })
            .collect()
    };
    crate::chunks::merge_windows(
        &work,
        window,
        read,
        |results, pending| {
            for (a, s) in results {
                pending.extend(a);
                stats.chunks += s.chunks;
                stats.chunks_skipped += s.chunks_skipped;
            }
        },
        |a: &Alert| (a.ts, (a.file, a.order, a.rule)),
        emit,
    );
    stats
}

/// Pass two over one chunk: its alerts, in no particular order. A chunk
/// that cannot be read whole is noted in its capture's damage.
fn scan_chunk(
    caps: &[Capture],
    c: &crate::chunks::ChunkRef,
    wanted: u128,
    history: &History,
    engine: &Engine,
) -> (Vec<Alert>, ScanStats) {
    let (f, i, base) = (c.file, c.index, c.events_before);
    let mut stats = ScanStats::default();
    let cap = &caps[f];
    if cap.chunks()[i].kinds() & wanted == 0 {
        stats.chunks_skipped = 1;
        return (Vec::new(), stats);
    }
    stats.chunks = 1;
    let mut alerts = Vec::new();
    // Events of kinds no rule wants are stepped over undecoded.
    crate::chunks::read_chunk(caps, c, wanted, engine.columns, |n, ev| {
        let ctx = Ctx::new(ev, cap.header(), history, base + u64::from(n) + 1);
        let kind = usize::from(ev.kind_id().min(127));
        for (ri, program) in &engine.by_kind[kind] {
            let ri = *ri;
            if program.matches(&ctx) {
                let r = &engine.rules[ri];
                let (output, fields) = if engine.output_fields {
                    r.output.render_fields(&ctx)
                } else {
                    (r.output.render(&ctx), Vec::new())
                };
                alerts.push(Alert {
                    ts: ev.ts,
                    file: f,
                    rule: ri,
                    output,
                    fields,
                    pid: ev.pid,
                    kind: ev.kind_id(),
                    order: (i, n as usize),
                });
                if engine.first_match {
                    break;
                }
            }
        }
        true
    });
    (alerts, stats)
}
