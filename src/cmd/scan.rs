//! `shrike scan`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use shrike_analyze::history::History;
use std::io::IsTerminal;

use shrike_analyze::scan::{Engine, scan_with_progress};
use shrike_analyze::time::{rfc3339, wall_ns};
use shrike_format::Capture;
use shrike_rule_lang::{Loader, Priority};

/// shrike's default rules, built in.
pub const DEFAULT_RULES: &str = include_str!("../../rules/shrike_rules.yaml");

/// Loads `paths` (files, or directories of *.yaml), or the default rules.
pub fn load_rules(paths: &[PathBuf]) -> Result<shrike_rule_lang::RuleSet> {
    let mut l = Loader::new();
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
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("{}: cannot list", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .collect();
            files.sort();
            for f in files {
                l.add_file(&f).map_err(fail)?;
            }
        } else {
            l.add_file(p).map_err(fail)?;
        }
    }
    l.finish().map_err(fail)
}

/// Every alert of every rule in `paths` (all priorities) over `caps`, with the engine that names them.
pub fn rule_alerts(
    caps: &[Capture],
    paths: &[PathBuf],
) -> Result<(Engine, Vec<shrike_analyze::scan::Alert>)> {
    let engine = Engine::new(&load_rules(paths)?, Priority::Debug);
    let (alerts, _) = shrike_analyze::scan::scan(caps, &History::build(caps), &engine);
    Ok((engine, alerts))
}

/// Opens every capture, reporting damage on stderr.
pub fn open_all(files: &[PathBuf]) -> Result<Vec<Capture>> {
    files
        .iter()
        .map(|f| {
            let c = Capture::open(f).with_context(|| format!("{}", f.display()))?;
            for d in c.damage() {
                eprintln!("shrike: {}: {d}", f.display());
            }
            Ok(c)
        })
        .collect()
}

/// Scans; exit 0 whether or not rules fired (alerts are output, not failure).
pub fn run(
    files: &[PathBuf],
    rules: &[PathBuf],
    json: bool,
    min_priority: &str,
    threads: Option<usize>,
) -> Result<u8> {
    let Some(min) = Priority::parse(min_priority) else {
        bail!(
            "--min-priority: unknown priority {min_priority:?} (Emergency, Alert, Critical, Error, Warning, Notice, Informational, Debug)"
        );
    };
    let set = load_rules(rules)?;
    let engine = Engine::new(&set, min);
    let caps = open_all(files)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .context("starting worker threads")?;
    // A progress bar only for a person watching a terminal; never in pipes or logs.
    let total: u64 = caps.iter().map(Capture::event_count).sum();
    let bar = if std::io::stderr().is_terminal() && total > 1_000_000 {
        let b = indicatif::ProgressBar::new(total);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg:>12} [{bar:40}] {human_pos}/{human_len} events ({eta} left)",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let (alerts, stats) = pool.install(|| {
        bar.set_message("processes");
        let history = History::build(&caps);
        bar.set_message("rules");
        scan_with_progress(&caps, &history, &engine, &|n| bar.inc(n))
    });
    bar.finish_and_clear();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    use std::io::Write;
    for a in &alerts {
        let r = &engine.rules[a.rule];
        let h = caps[a.file].header();
        let time = rfc3339(wall_ns(h, a.ts));
        let line = if json {
            let fields: serde_json::Map<String, serde_json::Value> = a
                .fields
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.clone()
                            .map_or(serde_json::Value::Null, serde_json::Value::from),
                    )
                })
                .collect();
            let mut tags = r.tags.clone();
            tags.sort();
            serde_json::json!({
                "time": time, "rule": r.name, "priority": r.priority.name(), "output": a.output,
                "output_fields": fields, "tags": tags, "hostname": h.hostname, "source": "syscall",
                "file": files[a.file].display().to_string(),
                // shrike additions: the event behind the alert.
                "pid": a.pid,
                "event": shrike_format::Kind::from_id(a.kind).map_or("unknown", |k| k.name()),
            })
            .to_string()
        } else {
            format!("{time}: {} [{}] {}", r.priority.name(), r.name, a.output)
        };
        if let Err(e) = writeln!(out, "{line}") {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(crate::EXIT_OK);
            }
            return Err(e).context("writing alerts");
        }
    }
    out.flush().ok();
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &alerts {
        *by_rule
            .entry(engine.rules[a.rule].name.as_str())
            .or_default() += 1;
    }
    eprintln!(
        "shrike: scanned {} events ({} chunks decoded, {} skipped by kind) with {} rules: {} alerts",
        stats.events,
        stats.chunks,
        stats.chunks_skipped,
        engine.rules.len(),
        alerts.len()
    );
    for (rule, n) in &by_rule {
        eprintln!("  {n:>8}  {rule}");
    }
    for (rule, why) in &engine.skipped {
        if rule.is_empty() {
            eprintln!("shrike: rule skipped: {why}");
        } else {
            eprintln!("shrike: rule skipped: {rule}: {why}");
        }
    }
    for (f, e) in &stats.errors {
        eprintln!("shrike: {}: {e} (chunk skipped)", files[*f].display());
    }
    Ok(if stats.errors.is_empty() {
        crate::EXIT_OK
    } else {
        crate::EXIT_FAILED
    })
}
