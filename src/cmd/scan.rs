//! `shrike scan`.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use shrike_analyze::fields::Type;
use shrike_analyze::history::History;
use std::io::Write;

use rayon::prelude::*;

use shrike_analyze::scan::{Alert, Engine, scan_each};
use shrike_analyze::time::{rfc3339, wall_ns, write_rfc3339};
use shrike_format::{Capture, Escaped};
use shrike_rule_lang::{Loader, Priority};

/// shrike's default rules, built in.
pub const DEFAULT_RULES: &str = include_str!("../../rules/shrike_rules.yaml");

/// Loads `paths` (rule files, or directories read recursively for
/// `*.yaml`/`*.yml`), or the default rules. A file is Falco's dialect or
/// Sigma, whichever it is written in.
pub fn load_rules(paths: &[PathBuf]) -> Result<shrike_rule_lang::RuleSet> {
    let mut l = Loader::new();
    let mut sigma = Vec::new();
    let fail = |e: Vec<shrike_rule_lang::LoadError>| {
        anyhow::anyhow!(
            "{}",
            e.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    };
    if paths.is_empty() {
        l.add_str("rules/shrike_rules.yaml (built in)", DEFAULT_RULES)
            .map_err(fail)?;
    }
    let mut files = Vec::new();
    for p in paths {
        rule_files(p, &mut files)?;
    }
    for f in files {
        let name = f.display().to_string();
        let text = std::fs::read_to_string(&f).with_context(|| format!("{name}: cannot read"))?;
        if shrike_sigma::is_sigma(&text) {
            sigma.push(shrike_sigma::load(&name, &text).map_err(fail)?);
        } else {
            l.add_str(&name, &text).map_err(fail)?;
        }
    }
    let mut set = l.finish().map_err(fail)?;
    for s in sigma {
        shrike_sigma::add(&mut set, s);
    }
    Ok(set)
}

/// `p` itself, or the rule files below it (sorted, so the load order is stable).
fn rule_files(p: &std::path::Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if !p.is_dir() {
        out.push(p.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
        .with_context(|| format!("{}: cannot list", p.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for e in entries {
        if e.is_dir() {
            rule_files(&e, out)?;
        } else if e.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(e);
        }
    }
    Ok(())
}

/// The engine for `set` at `min` priority; a rule whose condition is wrong
/// (an event type that does not exist) fails the load, as in Falco, with
/// every such rule named by file and line.
pub fn engine(set: &shrike_rule_lang::RuleSet, min: Priority) -> Result<Engine> {
    let engine = Engine::new(set, min);
    if !engine.errors.is_empty() {
        // Rule files may be crafted: what they name is shown escaped.
        let lines: Vec<String> = engine
            .errors
            .iter()
            .map(|e| Escaped(e.as_bytes()).to_string())
            .collect();
        bail!("{}", lines.join("\n"));
    }
    Ok(engine)
}

/// Every alert of every rule in `paths` (all priorities) over `caps`, with the engine that names them.
pub fn rule_alerts(
    caps: &[Capture],
    paths: &[PathBuf],
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(Engine, Vec<shrike_analyze::scan::Alert>)> {
    let engine = engine(&load_rules(paths)?, Priority::Debug)?;
    let mut alerts = Vec::new();
    shrike_analyze::scan::scan_each(caps, &History::build(caps), &engine, progress, &mut |a| {
        alerts.extend(a);
        true
    });
    Ok((engine, alerts))
}

/// Opens every capture; what is damaged is reported when the command ends
/// (`report_damage`).
pub fn open_all(files: &[PathBuf]) -> Result<Vec<Capture>> {
    files
        .iter()
        .map(|f| Capture::open(f).with_context(|| format!("{}", f.display())))
        .collect()
}

/// Scans; exit 0 whether or not rules fired (alerts are output, not failure).
pub fn run(
    files: &[PathBuf],
    rules: &[PathBuf],
    json: bool,
    min_priority: &str,
    threads: Option<usize>,
    first_match: bool,
) -> Result<u8> {
    let Some(min) = Priority::parse(min_priority) else {
        bail!(
            "--min-priority: unknown priority {min_priority:?} (Emergency, Alert, Critical, Error, Warning, Notice, Informational, Debug)"
        );
    };
    let set = load_rules(rules)?;
    let mut engine = engine(&set, min)?;
    engine.output_fields = json;
    engine.first_match = first_match;
    let caps = open_all(files)?;
    let shown = Shown::new(files, &engine);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .context("starting worker threads")?;
    let total: u64 = caps.iter().map(Capture::event_count).sum();
    // Alerts go to stdout between redraws of the bar (`suspend`), so one
    // terminal can show both.
    let bar = crate::cmd::progress(total, "events", false);
    let bar_hidden = bar.is_hidden();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
    let mut by_rule = vec![0usize; engine.rules.len()];
    let mut write_err: Option<std::io::Error> = None;
    let started = std::time::Instant::now();
    let mut history_time = std::time::Duration::ZERO;
    // Alerts are written as the scan finds them (in time order), so memory
    // stays bounded by the chunks in flight, not by how much fired.
    let stats = pool.install(|| {
        bar.set_message("processes");
        let history = History::build(&caps);
        history_time = started.elapsed();
        bar.set_message("rules");
        let stats = scan_each(&caps, &history, &engine, &|n| bar.inc(n), &mut |batch| {
            // Lines are formatted on every core, a stretch of alerts into
            // one buffer at a time; only the writing is serial.
            let pieces: Vec<Vec<u8>> = batch
                .par_chunks(1024)
                .map(|part| {
                    let mut buf = Vec::with_capacity(part.len() * 256);
                    for a in part {
                        alert_line(&mut buf, a, &engine, &caps, &shown, json);
                    }
                    buf
                })
                .collect();
            batch.iter().for_each(|a| by_rule[a.rule] += 1);
            // (Nothing in `suspend` may touch the bar: it holds the bar's lock.)
            let r = if bar_hidden {
                pieces.iter().try_for_each(|p| out.write_all(p))
            } else {
                bar.suspend(|| {
                    pieces.iter().try_for_each(|p| out.write_all(p))?;
                    out.flush()
                })
            };
            if let Err(e) = r {
                write_err = Some(e);
                return false;
            }
            true
        });
        // The process table can hold millions of strings; the process is about to end.
        std::mem::forget(history);
        stats
    });
    bar.finish_and_clear();
    let write_err = write_err.or_else(|| out.flush().err());
    if let Some(e) = write_err {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Ok(crate::EXIT_OK);
        }
        return Err(e).context("writing alerts");
    }
    let elapsed = started.elapsed();
    eprintln!(
        "shrike: scanned {} events ({} chunks decoded, {} skipped by kind) with {} rules: {} alerts \
         in {:.2} s (process history {:.2} s, rules {:.2} s)",
        stats.events,
        stats.chunks,
        stats.chunks_skipped,
        engine.rules.len(),
        by_rule.iter().sum::<usize>(),
        elapsed.as_secs_f64(),
        history_time.as_secs_f64(),
        (elapsed - history_time).as_secs_f64(),
    );
    let mut by_name: Vec<(&str, usize)> = by_rule
        .iter()
        .enumerate()
        .filter(|&(_, &n)| n > 0)
        .map(|(r, &n)| (engine.rules[r].name.as_str(), n))
        .collect();
    by_name.sort();
    for (rule, n) in by_name {
        eprintln!("  {n:>8}  {rule}");
    }
    for (rule, why) in &engine.skipped {
        if rule.is_empty() {
            eprintln!("shrike: rule skipped: {}", Escaped(why.as_bytes()));
        } else {
            eprintln!(
                "shrike: rule skipped: {}: {}",
                Escaped(rule.as_bytes()),
                Escaped(why.as_bytes())
            );
        }
    }
    if !engine.skipped.is_empty() {
        eprintln!("shrike: {}", Escaped(compatibility(&engine).as_bytes()));
    }
    let mut out = out.into_inner().map_err(|e| e.into_error())?;
    let json_out: Option<&mut dyn Write> = if json { Some(&mut out) } else { None };
    crate::cmd::report_damage(files, &caps, json_out).context("writing alerts")
}

/// One line for the rules: how many run, how many were skipped, and the
/// fields shrike does not record that kept most of them from running.
fn compatibility(engine: &Engine) -> String {
    let mut fields: Vec<(&String, &usize)> = engine.missing_fields.iter().collect();
    fields.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let top: Vec<String> = fields
        .iter()
        .take(6)
        .map(|(f, n)| format!("{f} ({n})"))
        .collect();
    format!(
        "rules: {} running, {} skipped{}",
        engine.rules.len(),
        engine.skipped.len(),
        if top.is_empty() {
            String::new()
        } else {
            format!(
                "; fields not recorded, by rules they keep from running: {}",
                top.join(", ")
            )
        }
    )
}

/// Appends one alert to `out` as a Falco-style line, or as a JSON line.
fn alert_line(
    out: &mut Vec<u8>,
    a: &Alert,
    engine: &Engine,
    caps: &[Capture],
    shown: &Shown,
    json: bool,
) {
    let r = &engine.rules[a.rule];
    let h = caps[a.file].header();
    let ns = wall_ns(h, a.ts);
    if !json {
        // As Falco prints an alert (with ISO 8601 time): `TIME: Priority
        // output`. The output holds recorded text: escaped, so a line can
        // neither rewrite the terminal nor forge the next line.
        write_rfc3339(out, ns);
        writeln!(
            out,
            ": {} {}",
            r.priority.name(),
            Escaped(a.output.as_bytes())
        )
        .expect("writing to a Vec");
        return;
    }
    let time = rfc3339(ns);
    // Falco's `output` starts with the event's time of day and the priority.
    let output = format!("{}: {} {}", time_of_day(ns), r.priority.name(), a.output);
    let line = JsonAlert {
        time: &time,
        rule: &r.name,
        priority: r.priority.name(),
        output: &output,
        output_fields: OutputFields {
            time_ns: ns,
            names: &shown.fields[a.rule],
            types: &shown.types[a.rule],
            values: &a.fields,
        },
        tags: &shown.tags[a.rule],
        hostname: &h.hostname,
        source: "syscall",
        file: &shown.files[a.file],
        pid: a.pid,
        event: shrike_format::Kind::from_id(a.kind).map_or("unknown", |k| k.name()),
    };
    serde_json::to_writer(&mut *out, &line).expect("an alert serializes");
    out.push(b'\n');
}

/// What JSON alerts show that is the same for many of them, worked out
/// once rather than per alert.
struct Shown {
    /// Each file's path, as shown.
    files: Vec<String>,
    /// Each rule's tags, sorted.
    tags: Vec<Vec<String>>,
    /// Each rule's output fields.
    fields: Vec<Vec<String>>,
    /// For each rule's output fields, the value's type.
    types: Vec<Vec<Option<Type>>>,
}

impl Shown {
    fn new(files: &[PathBuf], engine: &Engine) -> Shown {
        Shown {
            files: files.iter().map(|f| f.display().to_string()).collect(),
            tags: engine
                .rules
                .iter()
                .map(|r| {
                    let mut t = r.tags.clone();
                    t.sort();
                    t
                })
                .collect(),
            fields: engine
                .rules
                .iter()
                .map(|r| r.output_field_names().map(str::to_string).collect())
                .collect(),
            types: engine
                .rules
                .iter()
                .map(|r| r.output_field_types())
                .collect(),
        }
    }
}

/// One alert as a JSON line: Falco's fields, and shrike's (the event behind
/// the alert: `event`, `file`, `pid`), keys sorted as Falco writes them.
/// Borrowed, and written straight to text.
#[derive(serde::Serialize)]
struct JsonAlert<'a> {
    event: &'a str,
    file: &'a str,
    hostname: &'a str,
    output: &'a str,
    output_fields: OutputFields<'a>,
    pid: u32,
    priority: &'a str,
    rule: &'a str,
    source: &'static str,
    tags: &'a [String],
    time: &'a str,
}

/// An output template's fields (names, values) as a JSON object: a field
/// the template names twice appears once, where it first appears.
/// Falco's `output_fields`: `evt.time` (ns since the epoch), then each
/// field of the output once, a number as a number, a missing value as null.
struct OutputFields<'a> {
    time_ns: i128,
    names: &'a [String],
    types: &'a [Option<Type>],
    values: &'a [Option<String>],
}

impl serde::Serialize for OutputFields<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("evt.time", &(self.time_ns as i64))?;
        for (i, (name, value)) in self.names.iter().zip(self.values).enumerate() {
            // Rendered twice, a field has the same value both times.
            if self.names[..i].contains(name) || name == "evt.time" {
                continue;
            }
            match (value.as_deref(), self.types[i]) {
                (None, _) => m.serialize_entry(name, &serde_json::Value::Null)?,
                (Some(v), Some(Type::Num)) if v.parse::<i64>().is_ok() => {
                    m.serialize_entry(name, &v.parse::<i64>().expect("checked"))?
                }
                (Some(v @ ("true" | "false")), Some(Type::Bool)) => {
                    m.serialize_entry(name, &(v == "true"))?
                }
                (Some(v), _) => m.serialize_entry(name, v)?,
            }
        }
        m.end()
    }
}

/// `HH:MM:SS.nnnnnnnnn` (UTC) of `ns` since the epoch, as Falco starts an alert's output.
fn time_of_day(ns: i128) -> String {
    let day = ns.rem_euclid(86_400 * 1_000_000_000);
    let (s, frac) = (day / 1_000_000_000, day % 1_000_000_000);
    format!("{:02}:{:02}:{:02}.{frac:09}", s / 3600, s / 60 % 60, s % 60)
}
