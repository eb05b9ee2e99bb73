//! `shrike export` and `shrike sql`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use shrike_analyze::time::wall_ns;
use shrike_export_sql::{AlertRow, Cell, export, query};

/// Exports captures (and alerts when rules are given) into `db`.
pub fn run_export(files: &[PathBuf], db: &Path, rules: &[PathBuf]) -> Result<u8> {
    let caps = crate::cmd::scan::open_all(files)?;
    let alerts = if rules.is_empty() {
        Vec::new()
    } else {
        let (engine, alerts) = crate::cmd::scan::rule_alerts(&caps, rules)?;
        alerts
            .into_iter()
            .map(|a| {
                let r = &engine.rules[a.rule];
                AlertRow {
                    capture: a.file,
                    time_ns: wall_ns(caps[a.file].header(), a.ts),
                    rule: r.name.clone(),
                    priority: r.priority.name().into(),
                    pid: a.pid,
                    output: a.output,
                }
            })
            .collect()
    };
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let started = std::time::Instant::now();
    let s = export(db, &names, &caps, &alerts).with_context(|| format!("{}", db.display()))?;
    for f in &s.already {
        eprintln!(
            "shrike: {f}: already in {} (same file id), left as it was",
            db.display()
        );
    }
    let elapsed = started.elapsed();
    eprintln!(
        "shrike: exported {} captures, {} rows, into {} in {:.1} s \
         (process trees {:.1} s, rows {:.1} s, indexes {:.1} s)",
        s.exported.len(),
        s.rows,
        db.display(),
        elapsed.as_secs_f64(),
        s.tree_time.as_secs_f64(),
        (elapsed.saturating_sub(s.tree_time + s.index_time)).as_secs_f64(),
        s.index_time.as_secs_f64(),
    );
    crate::cmd::report_damage(files, &caps, None).context("reporting damage")
}

/// Whether `path` starts with the capture magic.
fn is_capture(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == shrike_format::MAGIC
}

/// Runs a query on a database, or on a capture exported to a temporary database.
pub fn run_sql(target: &Path, sql: &str, format: &str) -> Result<u8> {
    let tmp;
    let db = if is_capture(target) {
        tmp = tempfile::tempdir().context("creating a temporary directory")?;
        let db = tmp.path().join("capture.db");
        let caps = crate::cmd::scan::open_all(&[target.to_path_buf()])?;
        export(&db, &[target.display().to_string()], &caps, &[])
            .with_context(|| format!("{}", target.display()))?;
        db
    } else {
        if !target.exists() {
            anyhow::bail!("{}: no such database or capture", target.display());
        }
        target.to_path_buf()
    };
    let (cols, rows) = match query(&db, sql) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("shrike: SQL error: {e}");
            return Ok(crate::EXIT_FAILED);
        }
    };
    if !matches!(format, "table" | "csv" | "json") {
        anyhow::bail!("--format: {format:?} is not one of table, csv, json");
    }
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // A reader that stops early (`| head`) is not an error.
    match write_result(&mut out, format, &cols, &rows).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(crate::EXIT_OK),
        r => r.context("writing the result").map(|()| crate::EXIT_OK),
    }
}

/// Writes a query's result in `format` (table, csv or json).
fn write_result(
    out: &mut impl std::io::Write,
    format: &str,
    cols: &[String],
    rows: &[Vec<Cell>],
) -> std::io::Result<()> {
    let csv_err = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    };
    match format {
        "table" => {
            let text: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|c| shrike_format::Escaped(c.to_string().as_bytes()).to_string())
                        .collect()
                })
                .collect();
            let widths: Vec<usize> = (0..cols.len())
                .map(|i| {
                    text.iter()
                        .map(|r| r[i].chars().count())
                        .chain([cols[i].len()])
                        .max()
                        .unwrap_or(0)
                        .min(60)
                })
                .collect();
            let line = |cells: &[String]| {
                cells
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| format!("{:<w$}", c.chars().take(*w).collect::<String>()))
                    .collect::<Vec<_>>()
                    .join("  ")
            };
            writeln!(out, "{}", line(cols))?;
            writeln!(
                out,
                "{}",
                widths
                    .iter()
                    .map(|w| "-".repeat(*w))
                    .collect::<Vec<_>>()
                    .join("  ")
            )?;
            for r in &text {
                writeln!(out, "{}", line(r))?;
            }
            writeln!(out, "({} rows)", rows.len())
        }
        "csv" => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(cols).map_err(csv_err)?;
            for r in rows {
                w.write_record(r.iter().map(|c| {
                    if *c == Cell::Null {
                        String::new()
                    } else {
                        crate::cmd::csv_cell(&c.to_string()).into_owned()
                    }
                }))
                .map_err(csv_err)?;
            }
            w.flush()
        }
        _ => {
            for r in rows {
                let obj: serde_json::Map<String, serde_json::Value> = cols
                    .iter()
                    .zip(r)
                    .map(|(c, v)| {
                        let v = match v {
                            Cell::Null => serde_json::Value::Null,
                            Cell::Int(i) => (*i).into(),
                            Cell::Real(x) => (*x).into(),
                            Cell::Text(t) => t.clone().into(),
                        };
                        (c.clone(), v)
                    })
                    .collect();
                writeln!(out, "{}", serde_json::Value::Object(obj))?;
            }
            Ok(())
        }
    }
}
