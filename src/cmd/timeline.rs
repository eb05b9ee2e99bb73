//! `shrike timeline`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use shrike_analyze::time::wall_ns;
use shrike_analyze::timeline::{AlertMark, Marked, Selection, TimesketchRow, build_watched};

/// Parses an RFC 3339 time (`2026-11-26T10:00:00Z`) into ns since the epoch.
fn parse_time(s: &str, what: &str) -> Result<i128> {
    let t: jiff::Timestamp = s
        .parse()
        .with_context(|| format!("{what}: {s:?} is not a time like 2026-11-26T10:00:00Z"))?;
    Ok(t.as_nanosecond())
}

/// Prints the timeline in `format`.
pub fn run(
    files: &[PathBuf],
    pid: Option<u32>,
    since: Option<&str>,
    until: Option<&str>,
    format: &str,
    rules: &[PathBuf],
) -> Result<u8> {
    let mut sel = Selection {
        tree_only: false,
        pid,
        since_ns: since.map(|s| parse_time(s, "--since")).transpose()?,
        until_ns: until.map(|s| parse_time(s, "--until")).transpose()?,
        fold: None,
    };
    let caps = crate::cmd::scan::open_all(files)?;
    // One pass over the events, two with rules; the output comes after.
    let bar = crate::cmd::passes_bar(&caps, rules);
    let inc = |n| bar.inc(n);
    // Alerts first: the report keeps the actions they are on whatever it folds.
    let marks: Vec<AlertMark> = if rules.is_empty() {
        Vec::new()
    } else {
        bar.set_message("rules");
        let (engine, alerts) = crate::cmd::scan::rule_alerts(&caps, rules, &inc)?;
        alerts
            .into_iter()
            .map(|a| {
                let r = &engine.rules[a.rule];
                AlertMark {
                    time_ns: wall_ns(caps[a.file].header(), a.ts),
                    pid: a.pid,
                    kind: shrike_format::Kind::from_id(a.kind).map_or("unknown", |k| k.name()),
                    marked: Marked {
                        rule: r.name.clone(),
                        priority: r.priority.name().into(),
                        output: a.output,
                    },
                }
            })
            .collect()
    };
    if format == "html" {
        sel.fold = Some(shrike_analyze::report::fold(
            marks.iter().map(|m| (m.time_ns, m.pid)).collect(),
        ));
    }
    bar.set_message("timeline");
    let mut t = build_watched(&caps, &sel, &inc).context("reading the captures")?;
    bar.finish_and_clear();
    t.attach_alerts(&marks, &sel);
    if pid.is_some() && t.roots.is_empty() {
        bail!(
            "no process with pid {} in {}",
            pid.unwrap_or_default(),
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let r: std::io::Result<()> = match format {
        "text" => t.render_text(&mut out),
        "html" => {
            let h = caps[0].header();
            let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
            let facts = format!(
                "{} (kernel {}), {} events, recorded by {}",
                h.hostname,
                h.kernel,
                caps.iter()
                    .map(shrike_format::Capture::event_count)
                    .sum::<u64>(),
                h.recorder
            );
            shrike_analyze::report::write(&t, &names.join(", "), &facts, &mut out)
        }
        "json" => t.kept().into_iter().try_for_each(|i| {
            let p = &t.processes[i];
            let children: Vec<u32> = p.children.iter().map(|&c| t.processes[c].pid).collect();
            let mut v = serde_json::to_value(p).map_err(std::io::Error::other)?;
            v["children"] = serde_json::json!(children);
            writeln!(out, "{v}")
        }),
        "timesketch-jsonl" => t.timesketch_rows().iter().try_for_each(|r| {
            writeln!(
                out,
                "{}",
                serde_json::to_string(r).map_err(std::io::Error::other)?
            )
        }),
        "timesketch-csv" => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(TimesketchRow::CSV_HEADER)
                .map_err(std::io::Error::other)
                .and_then(|()| {
                    t.timesketch_rows().into_iter().try_for_each(|mut r| {
                        // Recorded text reaches a spreadsheet here: no cell may run as a formula.
                        for cell in r.recorded_text_mut() {
                            *cell = crate::cmd::csv_cell(cell).into_owned();
                        }
                        w.write_record(r.csv_record())
                            .map_err(std::io::Error::other)
                    })
                })
                .and_then(|()| w.flush())
        }
        other => {
            bail!(
                "--format: {other:?} is not one of text, json, html, timesketch-csv, timesketch-jsonl"
            )
        }
    };
    let r = r.and_then(|()| {
        // JSON lines can carry the damage; the other formats leave it to stderr.
        let lines = matches!(format, "json" | "timesketch-jsonl");
        let json_out: Option<&mut dyn Write> = if lines { Some(&mut out) } else { None };
        let code = crate::cmd::report_damage(files, &caps, json_out)?;
        out.flush()?;
        Ok(code)
    });
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(crate::EXIT_OK),
        r => r.context("writing the timeline"),
    }
}
